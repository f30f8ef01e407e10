"""The processing step shared by the Faust agent and the `dedupe` command.

`ContactPipeline.process` takes a micro-batch of raw input messages and returns, per message,
what happened and the messages to publish. Cleaning and deciding are pure (`agents.core`); this
module adds the match index round trips (a few pipelined calls per batch, not per event) and
the output topics. Metrics are tallied per batch (`monitoring.metrics.MetricsBatch`) and applied
once at its end, and the index size gauges come with the index scripts' replies. It must not
talk to Kafka itself: callers publish `Outbound` messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from agents.core.cleaning import Cleaned, CleaningConfig, PayloadOrigin, Rejected, clean_event
from agents.core.entities import LookupRequest, MatchPolicy, Plan, StoredRecord, lookup_request, plan_event
from agents.core.golden import SurvivorshipRules, golden_json
from monitoring.metrics import DQMetrics, MetricsBatch
from schemas.outputs import CleanedEvent, Decision, GoldenRecord, RejectedEvent, ReviewItem
from schemas.records import validated
from schemas.wire import cleaned_to_bytes, to_bytes
from streams.match_index import RedisMatchIndex
from streams.settings import KafkaSettings


class IndexConflictError(RuntimeError):
    """An event could not be committed after the configured number of retries."""


@dataclass(frozen=True)
class Inbound:
    """One raw input message and where it came from."""

    value: bytes
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


class Outbound(NamedTuple):
    """One message to publish (value None = tombstone).

    A NamedTuple: as immutable as a frozen dataclass, at half the cost to build (2-3 per event).
    """

    topic: str
    key: bytes | None
    value: bytes | None


@dataclass
class Processed:
    """The outcome of one input message."""

    cleaned: CleanedEvent | None = None
    rejected: RejectedEvent | None = None
    review: ReviewItem | None = None
    outbound: list[Outbound] = field(default_factory=list)


@dataclass
class _Pending:
    position: int
    result: Cleaned
    request: LookupRequest
    plan: Plan | None = None


class ContactPipeline:
    """Clean, match and publish contact-change events in micro-batches."""

    def __init__(
        self,
        *,
        cleaning: CleaningConfig,
        index: RedisMatchIndex,
        policy: MatchPolicy,
        survivorship: SurvivorshipRules,
        topics: KafkaSettings,
        metrics: DQMetrics | None = None,
        max_commit_retries: int = 8,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cleaning = cleaning
        self.index = index
        self.policy = policy
        self.survivorship = survivorship
        self.topics = topics
        self.metrics = metrics
        self.max_commit_retries = max_commit_retries
        self.clock = clock

    async def process(self, messages: Sequence[Inbound]) -> list[Processed]:
        """Process a micro-batch in order; returns one `Processed` per message, same order."""
        started = time.perf_counter()
        now = self.clock()
        tally = self.metrics.batch() if self.metrics is not None else None
        results = [Processed() for _ in messages]
        pending: list[_Pending] = []
        for position, message in enumerate(messages):
            origin = PayloadOrigin(topic=message.topic, partition=message.partition, offset=message.offset)
            outcome = clean_event(message.value, config=self.cleaning, origin=origin, now=now)
            if isinstance(outcome, Rejected):
                self._reject(results[position], outcome.event, tally)
            else:
                pending.append(_Pending(position, outcome, lookup_request(outcome.event, outcome.contact)))
        for wave in _waves(pending):
            await self._decide_wave(wave, tally)
        await self._publish_decisions(pending, results, now, tally)
        if tally is not None:
            metrics, stats = tally.metrics, self.index.last_stats
            if pending and stats is not None:
                metrics.index_records.set(stats.records)
                metrics.index_entities.set(stats.entities)
            per_event = (time.perf_counter() - started) / max(len(messages), 1)
            tally.observe(metrics.batch_size, len(messages))
            tally.observe_many(metrics.processing_seconds, [per_event] * len(messages))
            tally.flush()
        return results

    # -- matching -----------------------------------------------------------------------------
    async def _decide_wave(self, wave: list[_Pending], tally: MetricsBatch | None) -> None:
        """Snapshot, plan and commit a wave; conflicting events retry one by one, in order."""
        snapshots = await self.index.snapshots([p.request for p in wave])
        for item, snapshot in zip(wave, snapshots, strict=True):
            item.plan = plan_event(item.result.event, item.result.contact, item.request, snapshot, self.policy)
            if tally is not None and snapshot.blocks:
                tally.observe_many(tally.metrics.block_size, [block.size for block in snapshot.blocks.values()])
        committed = await self.index.commit([p.plan for p in wave if p.plan is not None])
        for item, ok in zip(wave, committed, strict=True):
            attempts = 1
            while not ok:
                if attempts > self.max_commit_retries:
                    raise IndexConflictError(f"event {item.request.event_id} conflicted {attempts} times")
                (snapshot,) = await self.index.snapshots([item.request])
                item.plan = plan_event(item.result.event, item.result.contact, item.request, snapshot, self.policy)
                (ok,) = await self.index.commit([item.plan])
                attempts += 1

    # -- outputs ------------------------------------------------------------------------------
    def _reject(self, processed: Processed, rejected: RejectedEvent, tally: MetricsBatch | None) -> None:
        processed.rejected = rejected
        key = f"{rejected.source}:{rejected.external_id}".encode() if rejected.source and rejected.external_id else None
        processed.outbound.append(Outbound(self.topics.rejected_topic, key, to_bytes(rejected)))
        if tally is not None:
            tally.observe_rejected(rejected.source, rejected.reasons)

    async def _publish_decisions(
        self, pending: list[_Pending], results: list[Processed], now: datetime, tally: MetricsBatch | None
    ) -> None:
        golden_ids: dict[str, None] = {}
        tombstones: dict[str, None] = {}
        redirects: dict[str, str] = {}
        touched: dict[str, int] = {}
        fresh: dict[str, StoredRecord] = {}
        cleaned_topic, review_topic = self.topics.cleaned_topic, self.topics.review_topic
        for item in pending:
            plan = item.plan
            assert plan is not None
            event, report = item.result.event, item.result.quality
            cleaned = validated(
                CleanedEvent,
                {
                    "event_id": event.event_id,
                    "event_type": event.event_type,
                    "source": event.source,
                    "external_id": event.external_id or event.event_id,
                    "record_id": event.record_id,
                    "record_type": event.record_type,
                    "owner": event.owner,
                    "department": event.department,
                    "occurred_at": event.occurred_at,
                    "processed_at": now,
                    "contact": item.result.contact,
                    "quality": report,
                    "match": plan.decision,
                },
            )
            processed = results[item.position]
            processed.cleaned, processed.review = cleaned, plan.review
            outbound = processed.outbound
            outbound.append(
                Outbound(cleaned_topic, cleaned.record_id.encode(), cleaned_to_bytes(cleaned, plan.decision_json))
            )
            if plan.review is not None:
                outbound.append(Outbound(review_topic, plan.review.review_id.encode(), to_bytes(plan.review)))
            for entity in plan.golden_entities:
                golden_ids[entity] = None
                touched[entity] = touched.get(entity, 0) + 1
            if plan.tombstones:
                for entity in plan.tombstones:
                    tombstones[entity] = None
                    touched[entity] = touched.get(entity, 0) + 1
            if plan.redirects:
                for absorbed, survivor in plan.redirects:
                    redirects[absorbed] = survivor
                    touched[absorbed] = touched.get(absorbed, 0) + 1
                    touched[survivor] = touched.get(survivor, 0) + 1
            if plan.fresh is not None:
                fresh[plan.golden_entities[0]] = plan.fresh
            if tally is not None:
                self._observe_cleaned(tally, cleaned, replayed=not plan.ops)
        if not pending:
            return
        # A brand-new entity touched by no other event of the batch holds just its own record:
        # no need to read it back from the index.
        records = {entity: [record] for entity, record in fresh.items() if touched[entity] == 1}
        records.update(await self.index.entity_records([e for e in [*golden_ids, *tombstones] if e not in records]))
        last = results[pending[-1].position].outbound
        golden_topic = self.topics.golden_topic
        for absorbed, survivor in redirects.items():
            redirect = GoldenRecord(entity_id=absorbed, merged_into=survivor, updated_at=now)
            last.append(Outbound(golden_topic, absorbed.encode(), to_bytes(redirect)))
        for entity in [*golden_ids, *tombstones]:
            if entity in redirects:
                continue
            members = records.get(entity)
            value = golden_json(entity, members, self.survivorship, now=now) if members else None
            last.append(Outbound(golden_topic, entity.encode(), value))

    def _observe_cleaned(self, tally: MetricsBatch, cleaned: CleanedEvent, *, replayed: bool) -> None:
        tally.observe_cleaned(cleaned.source, cleaned.quality, owner=cleaned.owner, department=cleaned.department)
        tally.observe_event_lag(cleaned.occurred_at, now=cleaned.processed_at)
        match = cleaned.match
        if match is not None:
            decision = (
                Decision.DUPLICATE_EVENT if replayed and match.decision is not Decision.ERASED else match.decision
            )
            tally.observe_decision(cleaned.source, decision, score=match.score, candidates=match.candidates)
            if decision is Decision.REVIEW:
                tally.inc(tally.metrics.review_published)


def _waves(pending: list[_Pending]) -> list[list[_Pending]]:
    """Split a batch so that no wave holds two events of one source record (keeps their order)."""
    waves: list[list[_Pending]] = []
    seen: list[set[str]] = []
    for item in pending:
        rid = item.request.record_id
        depth = next((i for i in range(len(seen) - 1, -1, -1) if rid in seen[i]), -1) + 1
        if depth == len(waves):
            waves.append([])
            seen.append(set())
        waves[depth].append(item)
        seen[depth].add(rid)
    return waves
