"""promtool checks the Prometheus config and alert rules, and runs the alerts' unit tests.

Needs `promtool` (Debian's `prometheus` package). Skipped when it is missing, except under
CI=true, where a missing promtool is a failure: CI must not go green by skipping these.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.required import unavailable

pytestmark = pytest.mark.prometheus

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "monitoring" / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        unavailable("promtool not found (Debian package `prometheus`)")
    return path


def run(promtool: str, *args: str) -> str:
    result = subprocess.run([promtool, *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.local.yml"])
def test_check_config(promtool: str, config: str) -> None:
    output = run(promtool, "check", "config", config)
    assert "SUCCESS" in output


def test_check_rules(promtool: str) -> None:
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    rules = sum(len(group["rules"]) for group in groups)
    output = run(promtool, "check", "rules", "alerts.yml")
    assert f"SUCCESS: {rules} rules found" in output


def test_alert_unit_tests(promtool: str) -> None:
    output = run(promtool, "test", "rules", "alerts_test.yml")
    assert "SUCCESS" in output
