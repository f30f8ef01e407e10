"""The Redis match index against real Redis: atomic match-and-claim, replays, erasure, merges."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from agents.core.entities import LookupRequest, MatchPolicy, Plan, lookup_request, plan_event
from agents.core.scoring import MatchThresholds, load_match_model
from schemas.events import ContactChangeEvent
from schemas.outputs import Decision
from schemas.records import NormalizedContact, Phone
from streams.match_index import RedisMatchIndex
from streams.settings import MatchSettings, RedisSettings

pytestmark = pytest.mark.redis

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
POLICY = MatchPolicy(load_match_model(), MatchThresholds(), max_candidates=50, event_ttl_seconds=3600)


def person(n: int, **overrides: object) -> NormalizedContact:
    values: dict[str, object] = {
        "full_name": f"Anna Example{n}",
        "given_name": "Anna",
        "family_name": f"Example{n}",
        "name_key": f"anna example{n}",
        "emails": (f"anna.{n}@example.com",),
        "phones": (Phone(e164=f"+4915112345{n:03d}", region="DE", kind="mobile", valid=True),),
        "country": "DE",
    }
    values.update(overrides)
    return NormalizedContact(**values)  # type: ignore[arg-type]


def event(
    event_id: str,
    source: str = "webform",
    external_id: str | None = None,
    minutes: int = 0,
    **kw: object,
) -> ContactChangeEvent:
    return ContactChangeEvent(
        event_id=event_id,
        source=source,
        external_id=external_id or event_id,
        occurred_at=T0 + timedelta(minutes=minutes),
        contact={},
        **kw,  # type: ignore[arg-type]
    )


async def apply(index: RedisMatchIndex, ev: ContactChangeEvent, contact: NormalizedContact) -> Plan:
    """Snapshot, plan and commit one event, retrying on conflict (what the pipeline does)."""
    request = lookup_request(ev, contact)
    for _ in range(10):
        (snapshot,) = await index.snapshots([request])
        plan = plan_event(ev, contact, request, snapshot, POLICY)
        (ok,) = await index.commit([plan])
        if ok:
            return plan
    raise AssertionError("did not commit")


async def test_commit_fails_when_a_checked_version_moved(index: RedisMatchIndex) -> None:
    a, b = event("a", source="webform"), event("b", source="erp")
    req_a, req_b = lookup_request(a, person(1)), lookup_request(b, person(1))
    snap_a, snap_b = await index.snapshots([req_a, req_b])  # both read before either writes
    plan_a = plan_event(a, person(1), req_a, snap_a, POLICY)
    plan_b = plan_event(b, person(1), req_b, snap_b, POLICY)
    assert plan_a.decision.decision is Decision.NEW and plan_b.decision.decision is Decision.NEW
    assert await index.commit([plan_a, plan_b]) == [True, False]
    plan_b = await apply(index, b, person(1))
    assert plan_b.decision.decision is Decision.MERGED
    assert plan_b.decision.entity_id == plan_a.decision.entity_id
    assert (await index.stats()).entities == 1


async def test_two_workers_racing_on_duplicates_end_with_one_entity(redis_url: str, index: RedisMatchIndex) -> None:
    prefix = index.key("x")[1:].split("}")[0]
    other = RedisMatchIndex.from_settings(RedisSettings(url=redis_url), MatchSettings(), prefix=prefix)
    try:
        people = range(40)
        results = await asyncio.gather(
            *(apply(index, event(f"w1-{n}", source="webform"), person(n)) for n in people),
            *(apply(other, event(f"w2-{n}", source="erp"), person(n)) for n in people),
        )
    finally:
        await other.aclose()
    entities = {}
    for plan in results:
        entities.setdefault(plan.decision.entity_id, 0)
    resolved = {
        n: {
            (await index.resolve([results[n].decision.entity_id]))[results[n].decision.entity_id],
            (await index.resolve([results[40 + n].decision.entity_id]))[results[40 + n].decision.entity_id],
        }
        for n in people
    }
    assert all(len(ids) == 1 for ids in resolved.values()), "a person got two entities"
    assert (await index.stats()).entities == 40


async def test_redelivered_event_changes_nothing(index: RedisMatchIndex) -> None:
    first = await apply(index, event("e1"), person(1))
    before = await index.stats()
    again = await apply(index, event("e1"), person(1))
    assert again.decision == first.decision and again.ops == ()
    assert await index.stats() == before


async def test_new_version_of_source_record_updates_its_entity(index: RedisMatchIndex) -> None:
    first = await apply(index, event("v1", external_id="rec-1"), person(1))
    update = await apply(index, event("v2", external_id="rec-1", minutes=5), person(1, emails=("new@example.com",)))
    assert update.decision.decision is Decision.UPDATED
    assert update.decision.entity_id == first.decision.entity_id
    records = await index.entity_records([first.decision.entity_id])
    (stored,) = records[first.decision.entity_id]
    assert set(stored.points["email"]) == {"anna.1@example.com", "new@example.com"}, "history of contact points kept"
    stale = await apply(index, event("v0", external_id="rec-1", minutes=-5), person(1, emails=("old@example.com",)))
    assert "ignored" in stale.decision.reason
    (stored,) = (await index.entity_records([first.decision.entity_id]))[first.decision.entity_id]
    assert "old@example.com" not in stored.points["email"]


async def test_erasure_removes_record_and_blocks_reappearance(index: RedisMatchIndex) -> None:
    first = await apply(index, event("c1", external_id="rec-9"), person(9))
    erase = await apply(
        index,
        event("d1", external_id="rec-9", minutes=10, event_type="contact.deleted"),
        NormalizedContact(),
    )
    assert erase.decision.decision is Decision.ERASED
    assert erase.tombstones == (first.decision.entity_id,)
    assert await index.entity_records([first.decision.entity_id]) == {first.decision.entity_id: []}
    late = await apply(index, event("c0", external_id="rec-9", minutes=5), person(9))
    assert late.decision.decision is Decision.ERASED, "a change older than the erasure must not bring data back"
    probe = await apply(index, event("p1", source="erp"), person(9))
    assert probe.decision.decision is Decision.NEW, "erased record must not be a candidate"
    assert (await index.stats()).records == 1


async def test_record_linking_two_entities_merges_them(index: RedisMatchIndex) -> None:
    birth = {"birth_date": datetime(1990, 5, 1).date()}
    a = await apply(index, event("m1"), person(5, phones=(), **birth))
    b = await apply(index, event("m2", source="erp"), person(5, emails=(), **birth))
    assert b.decision.decision is not Decision.MERGED or b.decision.entity_id == a.decision.entity_id
    if a.decision.entity_id != b.decision.entity_id:
        c = await apply(index, event("m3", source="shop"), person(5, **birth))
        assert c.decision.decision is Decision.MERGED
        assert c.redirects, "the absorbed entity is announced"
        survivor = c.decision.entity_id
        resolved = await index.resolve([a.decision.entity_id, b.decision.entity_id])
        assert set(resolved.values()) == {survivor}
        members = (await index.entity_records([survivor]))[survivor]
        assert {r.record_id for r in members} == {"webform:m1", "erp:m2", "shop:m3"}


async def test_lookup_request_has_no_keys_for_erasure() -> None:
    request = lookup_request(event("x", event_type="contact.deleted"), person(1))
    assert request == LookupRequest("x", "webform:x", (), request.name_key)


async def test_a_record_entered_again_after_erasure_starts_a_new_entity(index: RedisMatchIndex) -> None:
    """Erasing a record that started an entity, then entering it again, must not slip it back
    into that entity (which still holds other records) without a match decision."""
    birth = {"birth_date": datetime(1985, 3, 1).date()}
    first = await apply(index, event("s1", external_id="rec-1"), person(3, **birth))
    joined = await apply(index, event("s2", source="erp"), person(3, **birth))
    assert joined.decision.decision is Decision.MERGED
    await apply(index, event("s3", external_id="rec-1", minutes=10, event_type="contact.deleted"), NormalizedContact())
    again = await apply(
        index, event("s4", external_id="rec-1", minutes=20), person(3, **birth, emails=("x@y.org",), phones=())
    )
    assert again.decision.entity_id != first.decision.entity_id or again.decision.decision is Decision.MERGED


async def test_scripts_report_the_index_size_and_written_records_are_cached(index: RedisMatchIndex) -> None:
    """The size gauges come from the scripts' replies (no extra round trip), and a committed
    record is served from the parse cache when read back, equal to what decoding it gives."""
    from streams.match_index import _records, parse_stored_record

    assert index.last_stats is None
    a, b = event("a", source="webform"), event("b", source="erp")
    plan_a = await apply(index, a, person(1))
    assert index.last_stats == await index.stats()
    (doc, written), *_ = plan_a.written
    assert _records.get(doc) is written  # seeded by the commit, not decoded again
    decoded = type(written).from_json(doc)
    assert decoded.contact == written.contact and decoded.points == written.points
    assert decoded.block_keys == written.block_keys and decoded.occurred_at == written.occurred_at
    await apply(index, b, person(2))
    assert index.last_stats == await index.stats()
    (snapshot,) = await index.snapshots([lookup_request(event("c"), person(3))])
    assert index.last_stats == await index.stats() and index.last_stats.records == 2
    assert parse_stored_record(doc) is written
