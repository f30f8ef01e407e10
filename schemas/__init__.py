"""Pydantic v2 models: the wire contract of crm-dq (input events, normalized records, outputs).

Pure data definitions: no I/O, no Faust, no Redis. `schemas.wire` is the only place that turns
models into bytes and back.
"""
