"""Alerts, dashboard and provisioning agree with the metrics the code defines and with compose."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from faust.sensors.prometheus import FaustMetrics
from prometheus_client import CollectorRegistry

from monitoring.exposition import FAUST_METRICS_PREFIX
from monitoring.metrics import DQMetrics

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "monitoring" / "prometheus"
GRAFANA_DIR = ROOT / "monitoring" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "dq-overview.json"
METRIC_NAME = re.compile(r"\bdq_[a-z0-9_]+\b")
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "info": ("_info",),
}


def exposed_names(registry: CollectorRegistry) -> set[str]:
    """Every sample name the registry's families can expose, whether or not observed yet."""
    return {family.name + suffix for family in registry.collect() for suffix in SAMPLE_SUFFIXES[family.type]}


@cache
def known_names() -> frozenset[str]:
    dq_registry = CollectorRegistry()
    DQMetrics.create(dq_registry)
    faust_registry = CollectorRegistry()
    FaustMetrics.create(faust_registry, FAUST_METRICS_PREFIX)
    return frozenset(exposed_names(dq_registry) | exposed_names(faust_registry))


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alert_rules() -> list[dict[str, Any]]:
    groups = load_yaml(PROMETHEUS_DIR / "alerts.yml")["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return result


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def dashboard_exprs() -> list[str]:
    exprs = [t["expr"] for p in panels() for t in p["targets"]]
    exprs += [v.get("definition", "") for v in dashboard()["templating"]["list"]]
    return exprs


def test_known_names_include_suffixed_dq_and_faust_names() -> None:
    names = known_names()
    assert {"dq_events_total", "dq_event_lag_seconds_bucket", "dq_worker_ready"} <= names
    assert {"dq_build_info", "dq_faust_topic_partition_end_offset"} <= names
    assert "dq_events" not in names


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda r: r["alert"])
def test_alert_uses_only_defined_metrics(rule: dict[str, Any]) -> None:
    used = set(METRIC_NAME.findall(rule["expr"]))
    assert used or rule["expr"].startswith("up{"), "alert uses no dq_* metric"
    assert used <= known_names(), used - known_names()


def test_dashboard_uses_only_defined_metrics() -> None:
    used = {name for expr in dashboard_exprs() for name in METRIC_NAME.findall(expr)}
    assert len(used) > 15
    assert used <= known_names(), used - known_names()


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda r: r["alert"])
def test_alert_is_complete_and_unit_tested(rule: dict[str, Any]) -> None:
    assert re.fullmatch(r"\d+[smh]", rule["for"])
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"].strip()
    assert rule["annotations"]["description"].strip()
    tests = load_yaml(PROMETHEUS_DIR / "alerts_test.yml")["tests"]
    cases = [c for t in tests for c in t["alert_rule_test"] if c["alertname"] == rule["alert"]]
    assert any(c.get("exp_alerts") for c in cases), "no firing case"
    assert any(not c.get("exp_alerts") for c in cases), "no not-firing case"


def test_alert_names_are_unique() -> None:
    names = [r["alert"] for r in alert_rules()]
    assert len(names) == len(set(names))


def test_dashboard_structure() -> None:
    board = dashboard()
    assert board["uid"] and board["title"]
    assert board["schemaVersion"] >= 36
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    datasource_uid = load_yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]["uid"]
    for panel in panels():
        assert panel["title"] and panel["targets"], panel["id"]
        assert panel["datasource"]["uid"] == datasource_uid
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        assert all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]


def test_dashboard_panels_do_not_overlap() -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard()["panels"]:
        grid = panel["gridPos"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, (panel["title"], cells.get((x, y)))
                cells[(x, y)] = panel["title"]


def test_source_template_variable_exists_and_is_used() -> None:
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    source = variables["source"]
    assert source["type"] == "query"
    assert source["definition"] == "label_values(dq_events_total, source)"
    assert source["includeAll"] and source["allValue"] == ".*"
    filtered = [e for e in dashboard_exprs() if 'source=~"$source"' in e]
    assert len(filtered) >= 8


def test_dashboard_covers_the_required_topics() -> None:
    used = {name for expr in dashboard_exprs() for name in METRIC_NAME.findall(expr)}
    for required in (
        "dq_events_total",
        "dq_rejections_total",
        "dq_fixes_total",
        "dq_warnings_total",
        "dq_field_present_total",
        "dq_records_checked_total",
        "dq_quality_score_bucket",
        "dq_decisions_total",
        "dq_match_score_bucket",
        "dq_review_published_total",
        "dq_processing_seconds_bucket",
        "dq_event_lag_seconds_bucket",
        "dq_redis_seconds_bucket",
        "dq_redis_errors_total",
        "dq_worker_ready",
    ):
        assert required in used, required
    assert any('up{job="crm-dq-worker"}' in e for e in dashboard_exprs())


def compose_service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = load_yaml(ROOT / "docker-compose.yml")["services"][name]
    return service


def bind_mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path (relative to the repo root) of a service's bind mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = source
    return mounts


@pytest.mark.parametrize("name", ["prometheus", "grafana"])
def test_compose_bind_mounts_exist(name: str) -> None:
    mounts = bind_mounts(compose_service(name))
    assert mounts
    for host_path in mounts.values():
        assert (ROOT / host_path).exists(), host_path


def test_grafana_provisioning_points_at_the_mounted_dashboards() -> None:
    mounts = bind_mounts(compose_service("grafana"))
    assert (ROOT / mounts["/etc/grafana/provisioning"]).resolve() == (GRAFANA_DIR / "provisioning")
    provider = load_yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "dashboards.yml")["providers"][0]
    dashboards_host_dir = ROOT / mounts[provider["options"]["path"]]
    assert (dashboards_host_dir / DASHBOARD.name).is_file()
    environment = compose_service("grafana")["environment"]
    home = environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{provider['options']['path']}/{DASHBOARD.name}"


def test_prometheus_config_matches_compose() -> None:
    mounts = bind_mounts(compose_service("prometheus"))
    config_dir = ROOT / mounts["/etc/prometheus"]
    assert config_dir.resolve() == PROMETHEUS_DIR
    assert "--config.file=/etc/prometheus/prometheus.yml" in compose_service("prometheus")["command"]
    config = load_yaml(config_dir / "prometheus.yml")
    for rule_file in config["rule_files"]:
        assert (config_dir / rule_file).is_file()
    targets = [t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    assert "worker:6066" in targets
    assert "6066:6066" in compose_service("worker")["ports"]
    local = load_yaml(config_dir / "prometheus.local.yml")
    local_targets = [t for job in local["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    assert "localhost:6066" in local_targets
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    for rule in alert_rules():
        for job in re.findall(r'job="([^"]+)"', rule["expr"]):
            assert job in jobs, (rule["alert"], job)
