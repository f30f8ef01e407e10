"""Observability of crm-dq: Prometheus metrics (`metrics`), `/metrics` exposition, dashboards."""
