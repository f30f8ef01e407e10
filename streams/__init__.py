"""Faust wiring for crm-dq: app, settings, topics, CLI."""
