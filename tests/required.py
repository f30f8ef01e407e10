"""What a test needs from the machine: skipped without it locally, a failure where it is required.

Under `CI=true` (or `DQ_REQUIRE_SERVICES=1`) a missing service, binary or build fails the test:
CI provides every one of them, so a skip there would hide a broken set-up. Imported by the test
modules as `tests.required` (run from the repo root). It must not start or install anything.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required() -> bool:
    """True when missing prerequisites are failures (CI, or asked for)."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("DQ_REQUIRE_SERVICES") == "1"


def unavailable(message: str) -> NoReturn:
    """Fail the test when prerequisites are required, else skip it; `message` says what is missing."""
    if required():
        pytest.fail(f"{message} (required: CI=true or DQ_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)
