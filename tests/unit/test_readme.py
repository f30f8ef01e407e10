"""The README stays true: its tables cover every setting, rule code and metric family."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from agents.core.rules import RULE_MESSAGES, load_rules
from monitoring.metrics import DQMetrics
from streams.settings import Settings

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def _env_vars(schema: dict, props: dict, prefix: str) -> list[str]:
    names = []
    for name, prop in props.items():
        ref = prop.get("$ref") or (prop.get("allOf") or [{}])[0].get("$ref")
        if ref:
            nested = schema["$defs"][ref.split("/")[-1]]["properties"]
            names += _env_vars(schema, nested, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_in_the_configuration_table() -> None:
    schema = Settings.model_json_schema()
    missing = [v for v in _env_vars(schema, schema["properties"], "DQ_") if f"`{v}`" not in README]
    assert not missing


def test_every_rule_code_is_in_the_rules_table_with_its_severity() -> None:
    book = load_rules(REPO / "config" / "rules.yaml")
    missing = [c for c in RULE_MESSAGES if f"| `{c}` | {book.severity(c).value} |" not in README]
    assert not missing


def test_every_metric_family_is_documented() -> None:
    registry = CollectorRegistry()
    DQMetrics.create(registry)
    names = {m.name for m in registry.collect()}
    missing = [n for n in names if f"`{n}" not in README and f"`{n}_total`" not in README]
    assert not missing, missing


def test_the_two_setup_commands_are_the_ones_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "bash scripts/setup.sh && .venv/bin/python -m streams demo" in README
    assert "bash scripts/setup.sh && .venv/bin/python -m streams stack up && .venv/bin/python -m pytest" in README
    for step in (
        "bash scripts/setup.sh",
        ".venv/bin/python -m streams stack up",
        ".venv/bin/python -m pytest",
    ):
        assert step in ci
