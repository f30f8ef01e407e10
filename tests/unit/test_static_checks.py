"""ruff and mypy stay clean on the service packages (they run from the repo root, as the app does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ["streams", "agents", "schemas", "monitoring"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_lint_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean_on_the_service_packages() -> None:
    result = _run("mypy", *PACKAGES)
    assert result.returncode == 0, result.stdout[-3000:]
