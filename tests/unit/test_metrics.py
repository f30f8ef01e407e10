"""DQMetrics on a fresh registry: families, pre-initialised series, bounded and PII-free labels."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import faust
import pytest
from faust.sensors.prometheus import PrometheusMonitor
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.samples import Sample

from monitoring.exposition import mount_metrics
from monitoring.metrics import (
    DECISIONS,
    OUTCOMES,
    REDIS_OPERATIONS,
    BoundedLabel,
    DQMetrics,
    LabelLimits,
    sanitise_label_value,
)

EXPECTED_FAMILIES = {
    "dq_events": "counter",
    "dq_decisions": "counter",
    "dq_rejections": "counter",
    "dq_fixes": "counter",
    "dq_warnings": "counter",
    "dq_field_present": "counter",
    "dq_records_checked": "counter",
    "dq_owner_records_checked": "counter",
    "dq_owner_fields_missing": "counter",
    "dq_quality_score": "histogram",
    "dq_match_score": "histogram",
    "dq_block_size": "histogram",
    "dq_candidates": "histogram",
    "dq_index_entities": "gauge",
    "dq_index_records": "gauge",
    "dq_review_published": "counter",
    "dq_processing_seconds": "histogram",
    "dq_event_lag_seconds": "histogram",
    "dq_batch_size": "histogram",
    "dq_redis_seconds": "histogram",
    "dq_redis_errors": "counter",
    "dq_output_failures": "counter",
    "dq_worker_ready": "gauge",
    "dq_build": "info",
}


@dataclass(frozen=True)
class FakeFinding:
    code: str
    field: str


@dataclass(frozen=True)
class FakeReport:
    completeness: dict[str, bool]
    score: float = 0.8
    fixes: tuple[FakeFinding, ...] = ()
    warnings: tuple[FakeFinding, ...] = ()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> DQMetrics:
    return DQMetrics.create(registry, label_limits=LabelLimits(sources=("webform", "ERP")))


def all_samples(registry: CollectorRegistry) -> Iterator[Sample]:
    for family in registry.collect():
        yield from family.samples


def label_values(registry: CollectorRegistry, label: str) -> set[str]:
    return {s.labels[label] for s in all_samples(registry) if label in s.labels}


def test_create_registers_every_family_once(registry: CollectorRegistry) -> None:
    DQMetrics.create(registry)
    families = {f.name: f.type for f in registry.collect()}
    assert families == EXPECTED_FAMILIES
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        DQMetrics.create(registry)


def test_histogram_buckets_match_their_units(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    def bounds(name: str) -> list[float]:
        return sorted(
            float(s.labels["le"])
            for s in all_samples(registry)
            if s.name == f"{name}_bucket" and s.labels.get("source", "webform") == "webform"
        )

    assert bounds("dq_quality_score")[:-1] == pytest.approx([i / 10 for i in range(1, 11)])
    assert bounds("dq_match_score")[-2] == 1.0 and bounds("dq_match_score")[0] > 0
    assert bounds("dq_block_size")[:-1] == [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
    assert bounds("dq_processing_seconds")[0] == 0.0005
    assert bounds("dq_event_lag_seconds")[0] == 0.01
    assert bounds("dq_event_lag_seconds")[-2] == 86400


def test_known_label_combinations_are_pre_initialised(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    for source in ("webform", "erp", "other"):
        for outcome in OUTCOMES:
            value = registry.get_sample_value("dq_events_total", {"source": source, "outcome": outcome})
            assert value == 0.0, (source, outcome)
        for decision in DECISIONS:
            value = registry.get_sample_value("dq_decisions_total", {"source": source, "decision": decision})
            assert value == 0.0, (source, decision)
        assert registry.get_sample_value("dq_records_checked_total", {"source": source}) == 0.0
    for operation in REDIS_OPERATIONS:
        labels = {"operation": operation}
        assert registry.get_sample_value("dq_redis_errors_total", labels) == 0.0
        assert registry.get_sample_value("dq_redis_seconds_count", labels) == 0.0


def test_decisions_match_the_published_decision_enum() -> None:
    from schemas.outputs import Decision

    assert set(DECISIONS) == {d.value for d in Decision}


def test_a_new_source_gets_every_outcome_and_decision_on_first_use(
    metrics: DQMetrics, registry: CollectorRegistry
) -> None:
    metrics.observe_rejected("crm-import", [FakeFinding("required_missing", "email")])
    assert registry.get_sample_value("dq_events_total", {"source": "crm-import", "outcome": "rejected"}) == 1.0
    assert registry.get_sample_value("dq_events_total", {"source": "crm-import", "outcome": "cleaned"}) == 0.0
    assert registry.get_sample_value("dq_decisions_total", {"source": "crm-import", "decision": "merged"}) == 0.0
    assert (
        registry.get_sample_value(
            "dq_rejections_total",
            {"source": "crm-import", "code": "required_missing", "field": "email"},
        )
        == 1.0
    )


def test_observe_cleaned_counts_outcome_findings_completeness_and_score(
    registry: CollectorRegistry,
) -> None:
    metrics = DQMetrics.create(registry, label_limits=LabelLimits(owners=("sales-team",), departments=("sales",)))
    report = FakeReport(
        completeness={"email": True, "phone": False, "company": False},
        score=0.55,
        fixes=(FakeFinding("email_case", "email"),),
        warnings=(FakeFinding("phone_possible_only", "phone"),),
    )
    for _ in range(3):
        metrics.observe_cleaned("webform", report, owner="sales-team", department="Sales")

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("dq_events_total", source="webform", outcome="cleaned") == 3
    assert value("dq_records_checked_total", source="webform") == 3
    assert value("dq_field_present_total", source="webform", field="email") == 3
    # A field that is never present still has a series, so completeness shows 0 %, not "no data".
    assert value("dq_field_present_total", source="webform", field="phone") == 0
    assert value("dq_fixes_total", rule="email_case", field="email") == 3
    assert value("dq_warnings_total", rule="phone_possible_only", field="phone") == 3
    assert value("dq_quality_score_bucket", source="webform", le="0.6") == 3
    assert value("dq_quality_score_bucket", source="webform", le="0.5") == 0
    assert value("dq_owner_records_checked_total", department="sales", owner="sales-team") == 3
    owner = {"department": "sales", "owner": "sales-team"}
    assert value("dq_owner_fields_missing_total", **owner, field="phone") == 3
    # Only the configured key fields (email, phone) are counted per owner.
    assert value("dq_owner_fields_missing_total", **owner, field="company") is None


def test_observe_decision_and_unknown_decision(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    metrics.observe_decision("webform", "merged", score=0.97, candidates=4)
    metrics.observe_decision("webform", "new", candidates=0)
    labels = {"source": "webform", "decision": "merged"}
    assert registry.get_sample_value("dq_decisions_total", labels) == 1
    assert registry.get_sample_value("dq_match_score_count", {}) == 1
    assert registry.get_sample_value("dq_candidates_count", {}) == 2
    with pytest.raises(ValueError, match="unknown decision"):
        metrics.observe_decision("webform", "deleted")


def test_event_lag_is_seconds_and_clamps_clock_skew(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    metrics.observe_event_lag(now - timedelta(seconds=90), now=now)
    metrics.observe_event_lag(now + timedelta(seconds=30), now=now)
    assert registry.get_sample_value("dq_event_lag_seconds_sum", {}) == 90
    assert registry.get_sample_value("dq_event_lag_seconds_bucket", {"le": "0.01"}) == 1


def test_observe_redis_times_and_counts_errors(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    metrics.observe_redis("candidates", 0.0004, False)
    metrics.observe_redis("candidates", 0.2, True)
    metrics.observe_redis("add", 0.0003, False)
    assert registry.get_sample_value("dq_redis_seconds_count", {"operation": "candidates"}) == 2
    assert registry.get_sample_value("dq_redis_seconds_bucket", {"operation": "candidates", "le": "0.0005"}) == 1
    assert registry.get_sample_value("dq_redis_errors_total", {"operation": "candidates"}) == 1
    assert registry.get_sample_value("dq_redis_errors_total", {"operation": "add"}) == 0


def test_ready_and_build_info(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    metrics.set_ready(True)
    assert registry.get_sample_value("dq_worker_ready", {}) == 1
    metrics.set_ready(False)
    assert registry.get_sample_value("dq_worker_ready", {}) == 0
    metrics.set_build_info("0.1.0", "2026.11.1", "native")
    info = {"version": "0.1.0", "rules_version": "2026.11.1", "core_build": "native"}
    assert registry.get_sample_value("dq_build_info", info) == 1


def test_ten_thousand_sources_keep_series_bounded(registry: CollectorRegistry) -> None:
    metrics = DQMetrics.create(registry, label_limits=LabelLimits(sources=("webform",), max_seen=50))
    report = FakeReport(completeness={"email": True, "phone": False})

    def feed(start: int, stop: int) -> None:
        for i in range(start, stop):
            source = f"src-{i}"
            metrics.observe_cleaned(source, report, owner=f"owner-{i}", department=f"dept-{i}")
            metrics.observe_rejected(source, [FakeFinding(f"code-{i % 7}", "email")])
            metrics.observe_decision(source, DECISIONS[i % len(DECISIONS)], score=0.5)

    feed(0, 1_000)
    series_after_1000 = sum(1 for _ in all_samples(registry))
    feed(1_000, 10_000)
    series_after_10000 = sum(1 for _ in all_samples(registry))

    assert series_after_10000 == series_after_1000
    sources = label_values(registry, "source")
    assert "webform" in sources and "other" in sources
    assert len(sources) == 1 + 50 + 1  # allow-list + quota + "other"
    assert label_values(registry, "owner") == {"other"}  # owners: allow-list only by default
    assert len(label_values(registry, "department")) == 51
    assert len(metrics.per_source) == 52
    assert len(metrics.per_owner) == 51


def test_personal_data_never_reaches_a_label(registry: CollectorRegistry) -> None:
    # A generous owner quota, so that the sanitiser, not the quota, is what is tested.
    metrics = DQMetrics.create(registry, label_limits=LabelLimits(max_owners_seen=50))
    personal = [
        "li.wei@example.com",
        " XiaoMing.Wang@Example.COM ",
        "+86 138 0013 8000",
        "13800138000",
        "138-0013-8000",
        "0098-912-345-6789",
        "(021) 8888-1234",
        "王小明",
        "北京某某科技有限公司",
        "محمد رضایی",
        "زهرا\u200cاحمدی",
        "John Smith",
        "María José García",
        "1990-04-17",
        "110101199003074518",
    ]
    report = FakeReport(completeness={"email": False, "phone": False}, fixes=())
    for value in personal:
        metrics.observe_cleaned(value, report, owner=value, department=value)
        metrics.observe_rejected(value, [FakeFinding(value, value)])
        metrics.observe_decision(value, "review")
        metrics.observe_redis(value, 0.001, True)

    exposition = generate_latest(registry).decode()
    assert "@" not in exposition
    samples = list(all_samples(registry))
    assert samples
    for sample in samples:
        for label, label_value in sample.labels.items():
            assert label_value.isascii(), (sample.name, label)
            assert sum(c.isdigit() for c in label_value) < 7, (sample.name, label, label_value)
            for value in personal:
                cleaned = value.strip().lower()
                assert cleaned not in label_value, (sample.name, label)
                for fragment in re.split(r"[\s@.\-()]+", cleaned):
                    if len(fragment) >= 4 and fragment not in {"example"}:
                        assert fragment not in label_value, (sample.name, label, fragment)
    assert label_values(registry, "source") == {"other"}
    assert label_values(registry, "owner") == {"other"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("webform", "webform"),
        ("  WebForm ", "webform"),
        ("ＥＲＰ", "erp"),  # full-width, NFKC
        ("erp_v2.eu-1", "erp_v2.eu-1"),
        ("x" * 60, "x" * 40),
        (None, "none"),
        ("   ", "none"),
        ("web form", "other"),
        ("a@b.c", "other"),
        ("商城", "other"),
        ("order-2024011501", "other"),  # 7+ digits: could be a phone or an id
        ("import-2024", "import-2024"),
    ],
)
def test_sanitise_label_value(raw: str | None, expected: str) -> None:
    assert sanitise_label_value(raw) == expected


def test_bounded_label_allow_list_and_quota() -> None:
    guard = BoundedLabel("source", ["WebForm", "erp"], max_seen=2)
    assert guard("webform") == "webform"
    assert [guard(v) for v in ("a", "b", "c", "a", "WEBFORM")] == [
        "a",
        "b",
        "other",
        "a",
        "webform",
    ]
    assert guard.values == {"webform", "erp", "a", "b"}
    with pytest.raises(ValueError, match="allow-list value"):
        BoundedLabel("source", ["web form"])
    with pytest.raises(ValueError, match="max_seen"):
        BoundedLabel("source", max_seen=-1)


def test_mount_metrics_serves_dq_and_faust_metrics(metrics: DQMetrics, registry: CollectorRegistry) -> None:
    app = faust.App("dq-metrics-test", broker="memory://", store="memory://")
    mount_metrics(app, registry)
    assert isinstance(app.monitor, PrometheusMonitor)
    view = app.web.views["/metrics"]
    response = asyncio.run(view.get(None))  # the handler ignores the request
    body = response.body.decode()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert 'dq_events_total{outcome="cleaned",source="webform"} 0.0' in body
    assert "dq_faust_messages_received_total" in body


def test_owner_key_field_counts_start_at_zero_with_the_owners_first_record() -> None:
    """`increase(dq_owner_fields_missing_total[..])` needs a series before the first miss."""
    from schemas.records import QualityReport

    registry = CollectorRegistry()
    metrics = DQMetrics.create(registry, label_limits=LabelLimits(owners=("li.wei",)))
    metrics.observe_cleaned(
        "webform",
        QualityReport(completeness={"email": True, "phone": True}, score=1.0),
        owner="li.wei",
        department="sales",
    )
    for field in ("email", "phone"):
        labels = {"department": "sales", "owner": "li.wei", "field": field}
        assert registry.get_sample_value("dq_owner_fields_missing_total", labels) == 0.0


def _exposition(registry: CollectorRegistry) -> list[str]:
    return sorted(line for line in generate_latest(registry).decode().splitlines() if "_created" not in line)


def test_a_metrics_batch_exports_exactly_what_observing_event_by_event_does() -> None:
    """Per-batch flushing must not change a single exported value (sums are float-exact)."""
    import random

    rng = random.Random(7)
    limits = LabelLimits(sources=("webform",), owners=("li.wei",), departments=("sales",))
    one_by_one, batched = CollectorRegistry(), CollectorRegistry()
    direct, grouped = DQMetrics.create(one_by_one, label_limits=limits), DQMetrics.create(batched, label_limits=limits)
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    for round_ in range(3):
        batch = grouped.batch()
        for i in range(150):
            source = rng.choice(["webform", "erp", "shop", None, "x@y.com"])
            owner, department = rng.choice([("li.wei", "sales"), (None, None), ("bob", "ops")])
            report = FakeReport(
                completeness={f: rng.random() < 0.6 for f in ("email", "phone", "company", "city")},
                score=rng.random(),
                fixes=(FakeFinding("email_case", "email"),) * rng.randint(0, 2),
                warnings=(FakeFinding(f"rule_{i % 3}", "phone"),) * rng.randint(0, 1),
            )
            lag = now - timedelta(seconds=rng.random() * 5000 - 100)
            decision, score, candidates = rng.choice(DECISIONS), rng.random(), rng.randint(0, 30)
            reasons = [FakeFinding("required_missing", "email")]
            direct.observe_cleaned(source, report, owner=owner, department=department)
            batch.observe_cleaned(source, report, owner=owner, department=department)
            direct.observe_event_lag(lag, now=now)
            batch.observe_event_lag(lag, now=now)
            direct.observe_decision(source, decision, score=score, candidates=candidates)
            batch.observe_decision(source, decision, score=score, candidates=candidates)
            direct.observe_rejected(source, reasons)
            batch.observe_rejected(source, reasons)
            for size in (0, rng.randint(0, 2000)):
                direct.block_size.observe(size)
                batch.observe(grouped.block_size, size)
            direct.review_published.inc()
            batch.inc(grouped.review_published)
        batch.flush()
        assert _exposition(one_by_one) == _exposition(batched), f"round {round_}"


def test_observe_all_falls_back_to_observe_for_nan() -> None:
    from monitoring.metrics import observe_all

    registry = CollectorRegistry()
    metrics = DQMetrics.create(registry)
    observe_all(metrics.match_score, [0.5, float("nan"), 0.97])
    assert registry.get_sample_value("dq_match_score_count", {}) == 2  # NaN falls in no bucket
    assert registry.get_sample_value("dq_match_score_bucket", {"le": "1.0"}) == 2


def test_cached_series_count_exactly_what_resolving_every_event_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """`per_cleaned` (series kept per raw source/owner/department) changes no exported value.

    The oracle resolves every event through the guards (the cache disabled), as before it existed.
    """
    import random

    import monitoring.metrics as metrics_module

    rng = random.Random(11)
    limits = LabelLimits(sources=("webform",), owners=("li.wei",), departments=("sales",), max_seen=3)
    cached_registry, oracle_registry = CollectorRegistry(), CollectorRegistry()
    cached = DQMetrics.create(cached_registry, label_limits=limits)
    oracle = DQMetrics.create(oracle_registry, label_limits=limits)
    events = []
    for i in range(600):
        completeness = {f: rng.random() < 0.5 for f in ("email", "phone", "company", "city", "Bad Field")}
        if i % 7 == 0:
            completeness[f"extra_{i % 5}"] = True  # a field first seen on a known triple
        events.append(
            (
                rng.choice(["webform", "erp", "shop", "s1", "s2", "s3", None, "x@y.com", " ERP "]),
                rng.choice(["li.wei", None, "bob", "Li.Wei"]),
                rng.choice(["sales", None, "ops", "Sales"]),
                FakeReport(
                    completeness=completeness,
                    score=rng.random(),
                    fixes=(FakeFinding(rng.choice(["email_case", "Bad Rule"]), "email"),) * rng.randint(0, 2),
                    warnings=(FakeFinding(f"rule_{i % 3}", "phone"),) * rng.randint(0, 1),
                ),
                rng.choice(DECISIONS),
            )
        )
    for start in range(0, len(events), 50):
        batch = cached.batch()
        for source, owner, department, report, decision in events[start : start + 50]:
            batch.observe_cleaned(source, report, owner=owner, department=department)
            batch.observe_decision(source, decision, score=report.score, candidates=3)
            batch.observe_many(cached.block_size, [1, 5, 300])
        batch.flush()
    assert cached.per_cleaned  # the fast path did run
    monkeypatch.setattr(metrics_module, "_MAX_CLEANED_KEYS", 0)
    for start in range(0, len(events), 50):
        batch = oracle.batch()
        for source, owner, department, report, decision in events[start : start + 50]:
            batch.observe_cleaned(source, report, owner=owner, department=department)
            batch.observe_decision(source, decision, score=report.score, candidates=3)
            for size in (1, 5, 300):
                batch.observe(oracle.block_size, size)
        batch.flush()
    assert not oracle.per_cleaned
    assert _exposition(cached_registry) == _exposition(oracle_registry)


def test_output_failures_start_at_zero_per_topic_and_count_by_outcome(
    metrics: DQMetrics, registry: CollectorRegistry
) -> None:
    metrics.bind_output_topics(["crm.contacts.cleaned", "crm.contacts.golden"])
    for topic in ("crm.contacts.cleaned", "crm.contacts.golden"):
        for outcome in ("retried", "dropped"):
            labels = {"topic": topic, "outcome": outcome}
            assert registry.get_sample_value("dq_output_failures_total", labels) == 0.0
    metrics.observe_output_failure("crm.contacts.golden", "dropped")
    metrics.observe_output_failure("crm.contacts.golden", "retried")
    metrics.observe_output_failure("crm.contacts.golden", "retried")
    assert (
        registry.get_sample_value("dq_output_failures_total", {"topic": "crm.contacts.golden", "outcome": "dropped"})
        == 1
    )
    assert (
        registry.get_sample_value("dq_output_failures_total", {"topic": "crm.contacts.golden", "outcome": "retried"})
        == 2
    )
    with pytest.raises(ValueError, match="outcome"):
        metrics.observe_output_failure("crm.contacts.golden", "lost")
