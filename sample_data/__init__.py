"""Deterministic generator of messy, multilingual CRM contact-change events with ground truth."""
