"""The pure core of crm-dq: mapping, normalization, rules, quality and the `clean_event` pipeline.

Purity rule: modules under `agents.core` import only the standard library, pydantic, `schemas`
and the field libraries (phonenumbers, email_validator, pycountry, anyascii, rapidfuzz,
jellyfish, orjson, yaml). They never import faust, redis, kafka/aiokafka or prometheus_client,
never read the clock (callers pass `now`) and do no I/O except loading configuration files in
the explicit `load_*` functions. `tests/unit/test_core_purity.py` enforces the import rule.
"""

from agents.core.native import choose_build

BUILD = choose_build()
"""The mypyc-compiled modules when their build matches the sources, else the Python sources."""
