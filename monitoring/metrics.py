"""All Prometheus metrics of crm-dq, defined once.

`DQMetrics.create(registry)` registers every metric family of the service on one registry. The
app calls it once at startup and hands the result to whatever records numbers; metrics are never
created at call sites (registering a name twice raises ``Duplicated timeseries``, which also
catches a module imported under two names).

Label values that come from events (`source`, `owner`, `department`) pass through a
`BoundedLabel`: sanitised, then limited to a configured allow-list plus the first N distinct
values seen; anything else becomes ``"other"``. A value that looks like personal data (an ``@``,
a space, a non-ASCII letter, seven or more digits) is never used as a label value. Rule codes,
field names and Redis operations come from our own code but get the same guard, so a bug cannot
blow up the number of series.

Must not: do I/O, read settings or the environment, log, or put personal data into a label.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

OUTCOMES: tuple[str, ...] = ("cleaned", "rejected")
"""Values of `outcome` on `dq_events_total`."""

DECISIONS: tuple[str, ...] = (
    "new", "merged", "review", "distinct", "updated", "duplicate_event", "erased"
)  # fmt: skip
"""Values of `decision` on `dq_decisions_total` (`schemas.outputs.Decision`)."""

REDIS_OPERATIONS: tuple[str, ...] = (
    "ping", "stats", "snapshot", "candidates", "versions", "commit", "entity"
)  # fmt: skip
"""`operation` values of the match index (`streams.match_index`), pre-initialised so that
`increase(dq_redis_errors_total[5m])` counts an operation's first error too (others are admitted
as well, and get their error series at their first call)."""

OTHER = "other"
"""Label value for everything past an allow-list and its quota, or not a safe label value."""

NONE = "none"
"""Label value for a missing (None or blank) value."""

MAX_LABEL_LENGTH = 40
OUTPUT_FAILURE_OUTCOMES = ("retried", "dropped")
"""Values of `outcome` on `dq_output_failures_total` (see `agents.delivery`)."""
_LABEL_VALUE = re.compile(r"[a-z0-9_.-]+")
_PERSONAL_DIGITS = 7  # phone numbers and national ids have at least this many digits
_MAX_RULES_SEEN = 200
_MAX_FIELDS_SEEN = 100
_MAX_OPERATIONS_SEEN = 20
_MAX_CLEANED_KEYS = 4096  # raw (source, owner, department) triples whose series are kept at hand

# fmt: off
SCORE_BUCKETS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 21))
QUALITY_BUCKETS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 11))
BLOCK_SIZE_BUCKETS: tuple[float, ...] = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
CANDIDATES_BUCKETS: tuple[float, ...] = (0, 1, 2, 3, 5, 10, 20, 50, 100)
BATCH_SIZE_BUCKETS: tuple[float, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
PROCESSING_BUCKETS: tuple[float, ...] = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)
LAG_BUCKETS: tuple[float, ...] = (  # 10 ms .. 1 day
    0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600,
    43200, 86400,
)
REDIS_BUCKETS: tuple[float, ...] = (  # 100 us .. 1 s: a local round trip is ~0.1-0.6 ms
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
)
# fmt: on


def _clean(raw: str) -> str | None:
    """Return `raw` as a safe label value (NFKC, stripped, lowercased, cut), or None if unsafe."""
    value = unicodedata.normalize("NFKC", raw).strip().lower()[:MAX_LABEL_LENGTH]
    if not _LABEL_VALUE.fullmatch(value):
        return None
    if sum(char.isdigit() for char in value) >= _PERSONAL_DIGITS:
        return None
    return value


def sanitise_label_value(raw: str | None) -> str:
    """Turn a value from an event into a safe label value.

    Args:
        raw: The value as received, or None.

    Returns:
        ``"none"`` for None or blank; the NFKC-normalised, lowercased value cut to 40 characters
        when it then consists of ``[a-z0-9_.-]`` only and has fewer than seven digits; otherwise
        ``"other"``. Unsafe characters are never stripped, so no fragment of an email address,
        phone number or name survives.
    """
    if raw is None or not raw.strip():
        return NONE
    return _clean(raw) or OTHER


class BoundedLabel:
    """The values one label may take: an allow-list, plus the first `max_seen` others seen.

    Every other value, and every value `sanitise_label_value` rejects, maps to ``"other"``;
    None or blank maps to ``"none"``. Meant for one asyncio event loop (Faust's): under
    threads the quota may be overshot by a value or two, never more.
    """

    def __init__(self, name: str, allowed: Iterable[str] = (), *, max_seen: int = 50) -> None:
        """Create the guard.

        Args:
            name: Label name, used in error messages.
            allowed: Configured values that are always kept (sanitised the same way).
            max_seen: How many further distinct values are admitted, first come first served.

        Raises:
            ValueError: If `max_seen` is negative or an allowed value is not a safe label value.
        """
        if max_seen < 0:
            raise ValueError(f"{name}: max_seen must be >= 0, got {max_seen}")
        self.name = name
        self._allowed: set[str] = set()
        for raw in allowed:
            value = _clean(raw)
            if value is None:
                raise ValueError(
                    f"{name}: allow-list value {raw!r} is not a label value "
                    f"([a-z0-9_.-], at most {MAX_LABEL_LENGTH} characters, under "
                    f"{_PERSONAL_DIGITS} digits)"
                )
            self._allowed.add(value)
        self._seen: set[str] = set()
        self._max_seen = max_seen
        # raw -> admitted value, so a hot value is sanitised once. Holds only raw values that
        # map to an admitted (hence safe) value, and is capped: variants of one value in case
        # and whitespace are finite but many.
        self._memo: dict[str, str] = {}
        self._memo_limit = 4 * (len(self._allowed) + max_seen) + 16

    @property
    def values(self) -> frozenset[str]:
        """Values admitted so far: the allow-list and those seen (not "other"/"none")."""
        return frozenset(self._allowed | self._seen)

    def __call__(self, raw: str | None) -> str:
        """Return the label value to use for `raw`, admitting it if the quota allows."""
        if raw is None:
            return NONE
        value = self._memo.get(raw)
        if value is not None:
            return value
        value = sanitise_label_value(raw)
        if value in (OTHER, NONE):
            return value
        if value not in self._allowed and value not in self._seen:
            if len(self._seen) >= self._max_seen:
                return OTHER
            self._seen.add(value)
        if len(self._memo) < self._memo_limit:
            self._memo[raw] = value
        return value


@dataclass(frozen=True)
class LabelLimits:
    """Configured label allow-lists (from settings) and quotas for event-supplied labels.

    Attributes:
        sources: `source` values always kept.
        owners: `owner` values always kept.
        departments: `department` values always kept.
        max_seen: Further distinct `source` and `department` values admitted.
        max_owners_seen: Further distinct `owner` values admitted. 0 by default: owners are
            people (CRM users), so only owners an operator lists (or team aliases) are shown.
        fields: Canonical field names always kept (others are admitted up to a quota of 100).
        owner_fields: Fields whose absence is counted per owner (`dq_owner_fields_missing_total`):
            the key fields an owner is asked to fill in. Kept short: it multiplies that family's
            series and costs one increment per missing field per event.
    """

    sources: Collection[str] = ()
    owners: Collection[str] = ()
    departments: Collection[str] = ()
    max_seen: int = 50
    max_owners_seen: int = 0
    fields: Collection[str] = ()
    owner_fields: Collection[str] = ("email", "phone")


class LabelGuards(NamedTuple):
    """One `BoundedLabel` per guarded label name."""

    source: BoundedLabel
    owner: BoundedLabel
    department: BoundedLabel
    rule: BoundedLabel
    field: BoundedLabel
    operation: BoundedLabel


class SourceSeries(NamedTuple):
    """Bound children of one source's series, created together when the source first appears.

    Creating them together pre-initialises every outcome and decision of the source at 0, so
    `rate()` and ratios have series from the start; keeping them avoids `labels()` per event.
    """

    source: str
    outcomes: dict[str, Counter]
    decisions: dict[str, Counter]
    records_checked: Counter
    quality_score: Histogram
    field_present: dict[str, Counter]


class OwnerSeries(NamedTuple):
    """Bound children of one (department, owner) pair's completeness series."""

    department: str
    owner: str
    records_checked: Counter
    fields_missing: dict[str, Counter]


class CleanedSeries(NamedTuple):
    """What a cleaned event of one raw (source, owner, department) triple counts on.

    Resolved through the guards by the triple's first event; a guard maps a raw value to the
    same label value ever after (see `BoundedLabel`), so later events skip the guards.
    """

    source: SourceSeries
    owner: OwnerSeries
    counters: tuple[Counter, ...]  # outcome "cleaned", records checked, owner's records checked
    fields: dict[str, tuple[Counter, Counter | None]]  # field -> (present child, missing child)


def _field_child(
    children: dict[str, Counter], family: Counter, guard: BoundedLabel, field: str, *labels: str
) -> Counter:
    """Return `family`'s child for (*labels, guarded field), cached in `children` by field.

    Only a field name that is its own label value is cached, so the cache stays as bounded as
    the guard; anything else (a bug) is resolved again each time and counted under "other".
    """
    child = children.get(field)
    if child is None:
        value = guard(field)
        child = family.labels(*labels, value)
        if value == field:
            children[field] = child
    return child


class Finding(Protocol):
    """What the metrics read of an issue or a fix (`schemas.records.Issue` / `Fix`)."""

    @property
    def code(self) -> str: ...  # noqa: D102

    @property
    def field(self) -> str: ...  # noqa: D102


class QualityReportView(Protocol):
    """What the metrics read of a quality report (`schemas.records.QualityReport`)."""

    @property
    def fixes(self) -> Iterable[Finding]: ...  # noqa: D102

    @property
    def warnings(self) -> Iterable[Finding]: ...  # noqa: D102

    @property
    def completeness(self) -> Mapping[str, bool]: ...  # noqa: D102

    @property
    def score(self) -> float: ...  # noqa: D102


class DQMetrics(NamedTuple):
    """Every metric of the service, registered once on one registry.

    Attributes hold the metric families (names in the comments); `labels` holds the guards every
    label value goes through; `owner_fields` are the fields counted per owner; `per_source`,
    `per_owner` and `per_finding` (fixes and warnings by family, rule and field) cache bound
    series (keyed by bounded label values, so bounded too).
    """

    events: Counter  # dq_events_total{source,outcome}
    decisions: Counter  # dq_decisions_total{source,decision}
    rejections: Counter  # dq_rejections_total{source,code,field}
    fixes: Counter  # dq_fixes_total{rule,field}
    warnings: Counter  # dq_warnings_total{rule,field}
    field_present: Counter  # dq_field_present_total{source,field}
    records_checked: Counter  # dq_records_checked_total{source}
    owner_records_checked: Counter  # dq_owner_records_checked_total{department,owner}
    owner_fields_missing: Counter  # dq_owner_fields_missing_total{department,owner,field}
    quality_score: Histogram  # dq_quality_score{source}
    match_score: Histogram  # dq_match_score
    block_size: Histogram  # dq_block_size
    candidates: Histogram  # dq_candidates
    index_entities: Gauge  # dq_index_entities
    index_records: Gauge  # dq_index_records
    review_published: Counter  # dq_review_published_total
    processing_seconds: Histogram  # dq_processing_seconds
    event_lag_seconds: Histogram  # dq_event_lag_seconds
    batch_size: Histogram  # dq_batch_size
    redis_seconds: Histogram  # dq_redis_seconds{operation}
    redis_errors: Counter  # dq_redis_errors_total{operation}
    output_failures: Counter  # dq_output_failures_total{topic,outcome}
    worker_ready: Gauge  # dq_worker_ready
    build_info: Info  # dq_build_info{version,rules_version,core_build}
    labels: LabelGuards
    owner_fields: frozenset[str]
    per_source: dict[str, SourceSeries]
    per_owner: dict[tuple[str, str], OwnerSeries]
    per_finding: dict[Counter, dict[tuple[str, str], Counter]]
    per_cleaned: dict[tuple[str | None, str | None, str | None], CleanedSeries]

    @classmethod
    def create(cls, registry: CollectorRegistry, *, label_limits: LabelLimits | None = None) -> DQMetrics:
        """Register all metrics on `registry` and pre-initialise the known label combinations.

        Args:
            registry: Where to register; a fresh `CollectorRegistry()` in tests.
            label_limits: Allow-lists and quotas from settings; defaults to `LabelLimits()`.

        Returns:
            The metrics, with series for every outcome and decision of each allow-listed source
            and of ``"other"``, and for every Redis operation in `REDIS_OPERATIONS`.

        Raises:
            ValueError: If a metric is already registered on `registry`, or an allow-list holds
                a value that is not a safe label value.
        """
        limits = label_limits or LabelLimits()
        guards = LabelGuards(
            source=BoundedLabel("source", limits.sources, max_seen=limits.max_seen),
            owner=BoundedLabel("owner", limits.owners, max_seen=limits.max_owners_seen),
            department=BoundedLabel("department", limits.departments, max_seen=limits.max_seen),
            rule=BoundedLabel("rule", max_seen=_MAX_RULES_SEEN),
            field=BoundedLabel("field", limits.fields, max_seen=_MAX_FIELDS_SEEN),
            operation=BoundedLabel("operation", REDIS_OPERATIONS, max_seen=_MAX_OPERATIONS_SEEN),
        )
        metrics = cls(
            events=Counter(
                "dq_events",
                "Events processed, by source and outcome (cleaned or rejected).",
                ["source", "outcome"],
                registry=registry,
            ),
            decisions=Counter(
                "dq_decisions",
                "Match decisions on accepted events, by source and decision.",
                ["source", "decision"],
                registry=registry,
            ),
            rejections=Counter(
                "dq_rejections",
                "Reasons events were rejected, by rule code and canonical field (_envelope for the event envelope).",
                ["source", "code", "field"],
                registry=registry,
            ),
            fixes=Counter(
                "dq_fixes",
                "Values the service corrected, by rule and field.",
                ["rule", "field"],
                registry=registry,
            ),
            warnings=Counter(
                "dq_warnings",
                "Non-blocking rule findings, by rule and field.",
                ["rule", "field"],
                registry=registry,
            ),
            field_present=Counter(
                "dq_field_present",
                "Cleaned records in which the field is present after normalization; "
                "completeness = rate(this) / rate(dq_records_checked_total).",
                ["source", "field"],
                registry=registry,
            ),
            records_checked=Counter(
                "dq_records_checked",
                "Cleaned records checked for completeness.",
                ["source"],
                registry=registry,
            ),
            owner_records_checked=Counter(
                "dq_owner_records_checked",
                "Cleaned records checked for completeness, by owner's department and owner.",
                ["department", "owner"],
                registry=registry,
            ),
            owner_fields_missing=Counter(
                "dq_owner_fields_missing",
                "Fields missing from cleaned records, by owner's department, owner and field.",
                ["department", "owner", "field"],
                registry=registry,
            ),
            quality_score=Histogram(
                "dq_quality_score",
                "Quality score (0-1) of cleaned records.",
                ["source"],
                buckets=QUALITY_BUCKETS,
                registry=registry,
            ),
            match_score=Histogram(
                "dq_match_score",
                "Match probability (0-1) of the best candidate pair.",
                buckets=SCORE_BUCKETS,
                registry=registry,
            ),
            block_size=Histogram(
                "dq_block_size",
                "Records found per blocking key looked up.",
                buckets=BLOCK_SIZE_BUCKETS,
                registry=registry,
            ),
            candidates=Histogram(
                "dq_candidates",
                "Candidate records scored per event.",
                buckets=CANDIDATES_BUCKETS,
                registry=registry,
            ),
            index_entities=Gauge(
                "dq_index_entities",
                "Entities in the match index.",
                registry=registry,
            ),
            index_records=Gauge(
                "dq_index_records",
                "Source records in the match index.",
                registry=registry,
            ),
            review_published=Counter(
                "dq_review_published",
                "Review items published for a person to decide.",
                registry=registry,
            ),
            processing_seconds=Histogram(
                "dq_processing_seconds",
                "Time to process one event in the worker.",
                buckets=PROCESSING_BUCKETS,
                registry=registry,
            ),
            event_lag_seconds=Histogram(
                "dq_event_lag_seconds",
                "End-to-end lag: processing time minus the event's occurred_at.",
                buckets=LAG_BUCKETS,
                registry=registry,
            ),
            batch_size=Histogram(
                "dq_batch_size",
                "Events per batch taken from the stream.",
                buckets=BATCH_SIZE_BUCKETS,
                registry=registry,
            ),
            redis_seconds=Histogram(
                "dq_redis_seconds",
                "Duration of match-index calls to Redis, by operation.",
                ["operation"],
                buckets=REDIS_BUCKETS,
                registry=registry,
            ),
            redis_errors=Counter(
                "dq_redis_errors",
                "Match-index calls to Redis that raised, by operation.",
                ["operation"],
                registry=registry,
            ),
            output_failures=Counter(
                "dq_output_failures",
                "Output messages the broker did not acknowledge: resent (outcome=retried) or"
                " refused even alone and skipped (outcome=dropped).",
                ["topic", "outcome"],
                registry=registry,
            ),
            worker_ready=Gauge(
                "dq_worker_ready",
                "1 when the worker is started and its dependencies answer.",
                registry=registry,
            ),
            build_info=Info(
                "dq_build",
                "Version of the service and of its rules, and which build of the core runs (native or python).",
                registry=registry,
            ),
            labels=guards,
            owner_fields=frozenset(limits.owner_fields),
            per_source={},
            per_owner={},
            per_finding={},
            per_cleaned={},
        )
        for source in (*sorted(guards.source.values), OTHER):
            metrics.for_source(source)
        for operation in REDIS_OPERATIONS:
            metrics.redis_seconds.labels(operation)
            metrics.redis_errors.labels(operation)
        return metrics

    def for_source(self, source: str | None) -> SourceSeries:
        """Return the bound series of `source`, creating (pre-initialising) them on first use."""
        value = self.labels.source(source)
        series = self.per_source.get(value)
        if series is None:
            series = SourceSeries(
                source=value,
                outcomes={o: self.events.labels(value, o) for o in OUTCOMES},
                decisions={d: self.decisions.labels(value, d) for d in DECISIONS},
                records_checked=self.records_checked.labels(value),
                quality_score=self.quality_score.labels(value),
                field_present={},
            )
            self.per_source[value] = series
        return series

    def batch(self) -> MetricsBatch:
        """Return an accumulator for one micro-batch; its `flush` applies what it recorded."""
        return MetricsBatch(self)

    def observe_cleaned(
        self,
        source: str | None,
        report: QualityReportView,
        *,
        owner: str | None = None,
        department: str | None = None,
    ) -> None:
        """Count one cleaned event: outcome, fixes, warnings, completeness and quality score.

        Args:
            source: The event's `source`.
            report: Its quality report.
            owner: The event's `owner`, for per-owner completeness.
            department: The event's `department`, for per-owner completeness.
        """
        batch = self.batch()
        batch.observe_cleaned(source, report, owner=owner, department=department)
        batch.flush()

    def _for_owner(self, owner: str | None, department: str | None) -> OwnerSeries:
        """Return the bound completeness series of a (department, owner) pair."""
        key = (self.labels.department(department), self.labels.owner(owner))
        series = self.per_owner.get(key)
        if series is None:
            series = OwnerSeries(
                department=key[0],
                owner=key[1],
                records_checked=self.owner_records_checked.labels(*key),
                fields_missing={},
            )
            # Start every key field's "missing" count at 0 with the owner's first record, so
            # `increase()` has a series (and shows 0) before the first missing field.
            for field in self.owner_fields:
                _field_child(series.fields_missing, self.owner_fields_missing, self.labels.field, field, *key)
            self.per_owner[key] = series
        return series

    def _finding_child(self, family: Counter, code: str, field: str) -> Counter:
        """Return `family`'s child for a (rule code, field) finding, cached like `_field_child`."""
        cache = self.per_finding.setdefault(family, {})
        child = cache.get((code, field))
        if child is None:
            rule, field_value = self.labels.rule(code), self.labels.field(field)
            child = family.labels(rule, field_value)
            if rule == code and field_value == field:
                cache[(code, field)] = child
        return child

    def observe_rejected(self, source: str | None, reasons: Iterable[Finding]) -> None:
        """Count one rejected event and each of its reasons.

        Args:
            source: The event's `source` (None if the envelope had none).
            reasons: Every issue that made it a dead letter.
        """
        batch = self.batch()
        batch.observe_rejected(source, reasons)
        batch.flush()

    def observe_decision(
        self,
        source: str | None,
        decision: str,
        *,
        score: float | None = None,
        candidates: int | None = None,
    ) -> None:
        """Count one match decision, and observe its best score and candidate count.

        Args:
            source: The event's `source`.
            decision: One of `DECISIONS` (a `schemas.outputs.Decision` works: it is a str).
            score: Match probability of the best pair, if any pair was scored.
            candidates: Candidate records scored, if matching ran.

        Raises:
            ValueError: If `decision` is not one of `DECISIONS` (a bug, not bad data).
        """
        batch = self.batch()
        batch.observe_decision(source, decision, score=score, candidates=candidates)
        batch.flush()

    def observe_event_lag(self, occurred_at: datetime, *, now: datetime) -> None:
        """Observe `now - occurred_at` in seconds; a future `occurred_at` (clock skew) counts 0.

        Args:
            occurred_at: The event's timezone-aware `occurred_at`.
            now: Timezone-aware processing time.
        """
        batch = self.batch()
        batch.observe_event_lag(occurred_at, now=now)
        batch.flush()

    def observe_redis(self, operation: str, seconds: float, failed: bool) -> None:
        """Record one match-index call to Redis (the index's `observe` callback).

        Args:
            operation: Match-index operation name, e.g. ``"candidates"``.
            seconds: How long the call took.
            failed: True if it raised.
        """
        value = self.labels.operation(operation)
        self.redis_seconds.labels(value).observe(seconds)
        errors = self.redis_errors.labels(value)  # bound at the first call, so errors start at 0
        if failed:
            errors.inc()

    def bind_output_topics(self, topics: Iterable[str]) -> None:
        """Start every `dq_output_failures_total` series of the output topics at 0 (for `increase()`)."""
        for topic in topics:
            for outcome in OUTPUT_FAILURE_OUTCOMES:
                self.output_failures.labels(topic, outcome)

    def observe_output_failure(self, topic: str, outcome: str) -> None:
        """Count one output message that failed: `retried` (resent) or `dropped` (refused alone).

        Args:
            topic: The output topic (a configured one: the label is bounded by configuration).
            outcome: One of `OUTPUT_FAILURE_OUTCOMES`.
        """
        if outcome not in OUTPUT_FAILURE_OUTCOMES:
            raise ValueError(f"unknown output failure outcome {outcome!r}")
        self.output_failures.labels(topic, outcome).inc()

    def set_ready(self, ready: bool) -> None:
        """Set `dq_worker_ready` to 1 (ready) or 0."""
        self.worker_ready.set(1 if ready else 0)

    def set_build_info(self, version: str, rules_version: str, core_build: str) -> None:
        """Publish `dq_build_info{version,rules_version,core_build} 1` (core_build: native or python)."""
        self.build_info.info({"version": version, "rules_version": rules_version, "core_build": core_build})


class MetricsBatch:
    """What one micro-batch counts and observes, applied to the metrics at once by `flush`.

    The hot path records into plain dicts (label values are resolved through the guards at once,
    in event order, so label admission is unchanged); `flush` then increments each counter
    series once by its total and applies each histogram series' observations in their original
    order with the same float additions as one `observe` each. The exported values after a flush
    are therefore identical to observing event by event, at a fraction of the cost (every
    `inc` / `observe` takes a lock and re-checks the metric). Meant for one event loop.
    """

    def __init__(self, metrics: DQMetrics) -> None:
        """Start an empty batch for `metrics`."""
        self.metrics = metrics
        self._counts: dict[Counter, int] = {}
        self._observed: dict[Histogram, list[float]] = {}

    def inc(self, child: Counter, amount: int = 1) -> None:
        """Count `amount` (a whole number) on a bound counter series."""
        counts = self._counts
        counts[child] = counts.get(child, 0) + amount

    def observe(self, child: Histogram, value: float) -> None:
        """Observe `value` on a bound histogram series."""
        observed = self._observed.get(child)
        if observed is None:
            self._observed[child] = [value]
        else:
            observed.append(value)

    def observe_many(self, child: Histogram, values: Iterable[float]) -> None:
        """Observe each of `values`, in order, on a bound histogram series."""
        observed = self._observed.get(child)
        if observed is None:
            self._observed[child] = list(values)
        else:
            observed.extend(values)

    def observe_cleaned(
        self,
        source: str | None,
        report: QualityReportView,
        *,
        owner: str | None = None,
        department: str | None = None,
    ) -> None:
        """Count one cleaned event (see `DQMetrics.observe_cleaned`).

        The first event of a raw (source, owner, department) triple resolves its series through
        the guards (`_resolve_cleaned`); later ones find them in `DQMetrics.per_cleaned`, and all
        count with plain dict operations (the hot path: ~15 series per event).
        """
        metrics = self.metrics
        # Findings first: their field labels go through the field guard before the owner's
        # fields do (`_for_owner`), in the order the guards have always been consulted.
        if report.fixes:
            self._count_findings(metrics.fixes, report.fixes)
        if report.warnings:
            self._count_findings(metrics.warnings, report.warnings)
        cleaned = metrics.per_cleaned.get((source, owner, department))
        if cleaned is None:
            cleaned = self._resolve_cleaned(source, owner, department)
        counts = self._counts
        for child in cleaned.counters:
            counts[child] = counts.get(child, 0) + 1
        self.observe(cleaned.source.quality_score, report.score)
        fields = cleaned.fields
        for field, present in report.completeness.items():
            pair = fields.get(field)
            if pair is None:
                pair = self._field_pair(cleaned, field)
            counted = pair[0] if present else pair[1]
            if counted is not None:
                counts[counted] = counts.get(counted, 0) + 1

    def _count_findings(self, family: Counter, findings: Iterable[Finding]) -> None:
        """Count fixes or warnings on `family`'s (rule, field) children."""
        metrics, counts = self.metrics, self._counts
        cache = metrics.per_finding.get(family)
        for finding in findings:
            child = cache.get((finding.code, finding.field)) if cache is not None else None
            if child is None:
                child = metrics._finding_child(family, finding.code, finding.field)
                cache = metrics.per_finding[family]
            counts[child] = counts.get(child, 0) + 1

    def _field_pair(self, cleaned: CleanedSeries, field: str) -> tuple[Counter, Counter | None]:
        """(present child, missing child or None) of `field` for `cleaned`'s source and owner.

        Kept in `cleaned.fields` only when both children are cached on their series (the field
        is its own label value), so that dict stays as bounded as the field guard.
        """
        metrics, source, owner = self.metrics, cleaned.source, cleaned.owner
        guard = metrics.labels.field
        present = _field_child(source.field_present, metrics.field_present, guard, field, source.source)
        missing = None
        if field in metrics.owner_fields:
            missing = _field_child(
                owner.fields_missing, metrics.owner_fields_missing, guard, field, owner.department, owner.owner
            )
        if field in source.field_present and (missing is None or field in owner.fields_missing):
            cleaned.fields[field] = (present, missing)
        return present, missing

    def _resolve_cleaned(self, source: str | None, owner: str | None, department: str | None) -> CleanedSeries:
        """The series a cleaned event of this raw triple counts on, remembered while there is room."""
        metrics = self.metrics
        series = metrics.for_source(source)
        owner_series = metrics._for_owner(owner, department)
        counters = (series.outcomes["cleaned"], series.records_checked, owner_series.records_checked)
        cleaned = CleanedSeries(series, owner_series, counters, {})
        if len(metrics.per_cleaned) < _MAX_CLEANED_KEYS:
            metrics.per_cleaned[(source, owner, department)] = cleaned
        return cleaned

    def observe_rejected(self, source: str | None, reasons: Iterable[Finding]) -> None:
        """Count one rejected event and each of its reasons (see `DQMetrics.observe_rejected`)."""
        metrics = self.metrics
        series = metrics.for_source(source)
        self.inc(series.outcomes["rejected"])
        for reason in reasons:
            rule, field = metrics.labels.rule(reason.code), metrics.labels.field(reason.field)
            self.inc(metrics.rejections.labels(series.source, rule, field))

    def observe_decision(
        self,
        source: str | None,
        decision: str,
        *,
        score: float | None = None,
        candidates: int | None = None,
    ) -> None:
        """Count one match decision (see `DQMetrics.observe_decision`).

        Raises:
            ValueError: If `decision` is not one of `DECISIONS` (a bug, not bad data).
        """
        child = self.metrics.for_source(source).decisions.get(decision)
        if child is None:
            raise ValueError(f"unknown decision {decision!r}; expected one of {DECISIONS}")
        self.inc(child)
        if score is not None:
            self.observe(self.metrics.match_score, score)
        if candidates is not None:
            self.observe(self.metrics.candidates, candidates)

    def observe_event_lag(self, occurred_at: datetime, *, now: datetime) -> None:
        """Observe `now - occurred_at` in seconds (see `DQMetrics.observe_event_lag`)."""
        self.observe(self.metrics.event_lag_seconds, max(0.0, (now - occurred_at).total_seconds()))

    def flush(self) -> None:
        """Apply everything recorded to the metrics and empty the batch."""
        counts, observed = self._counts, self._observed
        self._counts, self._observed = {}, {}
        for child, amount in counts.items():
            child.inc(amount)
        for histogram, values in observed.items():
            observe_all(histogram, values)


def observe_all(histogram: Histogram, values: Sequence[float]) -> None:
    """Observe `values` in order on one bound histogram series, exactly as one `observe` each.

    Bucket counts are incremented once per bucket by whole numbers, and the sum is the running
    float sum of the values added in order, so the exported values are bit-identical to
    `for v in values: histogram.observe(v)`. Falls back to exactly that when the histogram does
    not have the prometheus_client internals this relies on (`_upper_bounds`, `_buckets`,
    `_sum`), or for a NaN.
    """
    bounds = getattr(histogram, "_upper_bounds", None)
    buckets = getattr(histogram, "_buckets", None)
    total_value = getattr(histogram, "_sum", None)
    if bounds is None or buckets is None or total_value is None or any(v != v for v in values):
        for value in values:
            histogram.observe(value)
        return
    per_bucket = [0] * len(bounds)
    total = total_value.get()
    for value in values:
        per_bucket[bisect_left(bounds, value)] += 1
        total += value
    total_value.set(total)
    for bucket, amount in zip(buckets, per_bucket, strict=True):
        if amount:
            bucket.inc(amount)
