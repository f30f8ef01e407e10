"""Field normalizers of the pure core: names, emails, phones, countries, dates, companies, streets.

Each normalizer is deterministic, idempotent and never raises on any string; it returns a small
frozen result (value plus `Note`s). Severities are not decided here but by `agents.core.rules`.
"""
