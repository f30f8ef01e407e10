"""The index scripts against plain Redis commands: the same reads and the same writes.

The snapshot and commit scripts are written for Redis's cost (flat arguments and replies,
documents as ARGV entries of their own, counters summed over a batch). These tests pin them to
a reference that does the documented work one plain command at a time: the snapshot must read
exactly what the commands read, and a commit must leave exactly the keys and values that
executing each applied plan's ops one by one (and HINCRBY 1 per bumped version) leaves.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

import pytest
import redis.asyncio as aioredis

from agents.core.entities import Candidate, LookupRequest, Plan, Snapshot, StoredRecord, lookup_request, plan_event
from schemas.outputs import MatchDecision
from schemas.records import NormalizedContact
from streams.match_index import RedisMatchIndex
from streams.settings import MatchSettings, RedisSettings
from tests.integration.conftest import fresh_index
from tests.integration.test_match_index import POLICY, apply, event, person

pytestmark = pytest.mark.redis


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A plain client for the reference reads and writes."""
    plain = aioredis.Redis.from_url(redis_url)
    yield plain
    await plain.aclose()


@pytest.fixture
async def reference(redis_url: str) -> AsyncIterator[RedisMatchIndex]:
    """A second index (own prefix) that the reference executor writes to, dropped afterwards."""
    async with fresh_index(redis_url, "test-ref") as idx:
        yield idx


# -- the reference writer ---------------------------------------------------------------------
async def execute_one_by_one(client: aioredis.Redis, index: RedisMatchIndex, plan: Plan) -> None:
    """Apply an applied plan's ops with one plain command each, then HINCRBY 1 per bump."""
    for command, key, *args in plan.ops:
        assert isinstance(command, str) and isinstance(key, str)
        if command == "REHOME":
            (survivor,) = args
            for member in await client.smembers(index.key(key)):
                await client.hset(index.key("rent"), member, str(survivor))
                await client.sadd(index.key(f"ent:{survivor}"), member)
            await client.delete(index.key(key))
        else:
            await client.execute_command(command, index.key(key), *args)
    for version_field in plan.bumps:
        await client.hincrby(index.key("ver"), version_field, 1)


async def contents(client: aioredis.Redis, index: RedisMatchIndex) -> dict[str, Any]:
    """Every key of an index (name without the prefix) with its value, comparable across prefixes."""
    prefix = index.key("")
    found: dict[str, Any] = {}
    async for raw in client.scan_iter(match=index.key("*"), count=1000):
        key = raw.decode()
        name = key[len(prefix) :]
        kind = (await client.type(key)).decode()
        if kind == "string":
            value: Any = (await client.get(key), await client.ttl(key) > 0)
        elif kind == "hash":
            value = await client.hgetall(key)
        elif kind == "set":
            value = await client.smembers(key)
        elif kind == "zset":
            value = await client.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":  # entry ids are times: compare the fields
            value = [fields for _id, fields in await client.xrange(key)]
        else:
            raise AssertionError(f"unexpected type {kind} of {key}")
        found[name] = value
    return found


# -- the reference reader ---------------------------------------------------------------------
async def read_one_by_one(
    client: aioredis.Redis, index: RedisMatchIndex, request: LookupRequest, *, cap: int, limit: int
) -> dict[str, Any]:
    """What a snapshot must hold (see SNAPSHOT_SCRIPT), read with one plain command per value."""
    key = index.key
    rid = request.record_id
    versions = key("ver")
    ids: list[str] = []
    blocks = {}
    for block_key in request.block_keys:
        members = [m.decode() for m in await client.zrevrange(key(f"blk:{block_key}"), 0, cap - 1)]
        blocks[block_key] = (
            int(await client.hget(versions, f"b:{block_key}") or 0),
            await client.zcard(key(f"blk:{block_key}")),
        )
        for member in members:
            if len(ids) < limit and member != rid and member not in ids:
                ids.append(member)
    candidates, owners = {}, {}
    for candidate in ids:
        doc, owner = await client.get(key(f"rec:{candidate}")), await client.hget(key("rent"), candidate)
        if doc is not None and owner is not None:
            candidates[candidate] = doc
            owners[candidate] = owner.decode()
    entity = await client.hget(key("rent"), rid)
    entities: list[str] = []
    for candidate in ids:  # the candidates' entities (first seen order), then the record's own
        owner = await client.hget(key("rent"), candidate)
        if owner is not None and owner.decode() not in entities:
            entities.append(owner.decode())
    if entity is not None and entity.decode() not in entities:
        entities.append(entity.decode())
    return {
        "applied": await client.get(key(f"evt:{request.event_id}")),
        "existing": await client.get(key(f"rec:{rid}")),
        "existing_entity": entity.decode() if entity is not None else None,
        "existing_entity_size": await client.scard(key(f"ent:{entity.decode()}")) if entity is not None else 0,
        "erased": await client.get(key(f"erased:{rid}")),
        "record_version": int(await client.hget(versions, f"r:{rid}") or 0),
        "blocks": blocks,
        "candidates": candidates,
        "candidate_entities": owners,
        "entity_versions": {e: int(await client.hget(versions, f"e:{e}") or 0) for e in entities},
        "name_count": int(await client.hget(key("tf"), request.name_key) or 0) if request.name_key else 0,
        "total_records": int(await client.hget(key("stats"), "records") or 0),
    }


def as_read(snapshot: Snapshot) -> dict[str, Any]:
    """The parts of a snapshot `read_one_by_one` gives, in its form."""

    def document(record: object) -> bytes:
        return record._payload if isinstance(record, Candidate) else record.to_json()  # type: ignore[attr-defined]

    return {
        "applied": snapshot.applied.model_dump_json().encode() if snapshot.applied else None,
        "existing": snapshot.existing.to_json() if snapshot.existing else None,
        "existing_entity": snapshot.existing_entity,
        "existing_entity_size": snapshot.existing_entity_size,
        "erased": snapshot.erased_at.isoformat().encode() if snapshot.erased_at else None,
        "record_version": snapshot.record_version,
        "blocks": {k: (v.version, v.size) for k, v in snapshot.blocks.items()},
        "candidates": {rid: document(record) for rid, record in snapshot.candidates.items()},
        "candidate_entities": dict(snapshot.candidate_entities),
        "entity_versions": dict(snapshot.entity_versions),
        "name_count": snapshot.name_count,
        "total_records": snapshot.total_records,
    }


# -- the tests ----------------------------------------------------------------------------------
BIRTH = {"birth_date": date(1980, 2, 3)}


async def commit_both(
    client: aioredis.Redis, index: RedisMatchIndex, reference: RedisMatchIndex, plans: Sequence[Plan]
) -> list[bool]:
    applied = await index.commit(plans)
    for plan, ok in zip(plans, applied, strict=True):
        if ok:
            await execute_one_by_one(client, reference, plan)
    return applied


async def test_a_commit_writes_what_its_ops_one_by_one_write(
    client: aioredis.Redis, index: RedisMatchIndex, reference: RedisMatchIndex
) -> None:
    # One batch: two sources enter the same person (the second plan then fails), a third person
    # after it; documents of a failed plan must not shift the documents of the plans after it.
    batch = [
        (event("b1", source="webform"), person(1, **BIRTH)),
        (event("b2", source="erp"), person(1, **BIRTH)),
        (event("b3", source="shop"), person(2)),
        (event("b4", source="webform", external_id="r-4"), person(4, emails=())),
    ]
    requests = [lookup_request(ev, contact) for ev, contact in batch]
    snapshots = await index.snapshots(requests)
    plans = [plan_event(ev, c, r, s, POLICY) for (ev, c), r, s in zip(batch, requests, snapshots, strict=True)]
    assert await commit_both(client, index, reference, plans) == [True, False, True, True]
    assert await contents(client, index) == await contents(client, reference)

    # Then one event at a time: a merge, an update leaving block keys, a record linking two
    # entities (REHOME, redirect, merge log), a replay, an erasure, an event older than it.
    later = [
        (event("b2", source="erp"), person(1, **BIRTH)),
        (event("b5", source="webform", external_id="r-4", minutes=5), person(4, phones=())),
        (event("b6", source="erp"), person(7, phones=(), **BIRTH)),
        (event("b7", source="crm"), person(7, emails=(), **BIRTH)),
        (event("b8", source="other"), person(7, **BIRTH)),
        (event("b8", source="other"), person(7, **BIRTH)),
        (event("b9", source="shop", external_id="b3", minutes=9, event_type="contact.deleted"), NormalizedContact()),
        (event("b10", source="shop", external_id="b3", minutes=1), person(2)),
    ]
    for ev, contact in later:
        request = lookup_request(ev, contact)
        (snapshot,) = await index.snapshots([request])
        plan = plan_event(ev, contact, request, snapshot, POLICY)
        assert await commit_both(client, index, reference, [plan]) == [True]
    assert await contents(client, index) == await contents(client, reference)
    entities = {plan.decision.entity_id for plan in plans if plan.decision.entity_id}
    for entity, records in (await index.entity_records(entities)).items():
        members = sorted(m.decode() for m in await client.smembers(index.key(f"ent:{entity}")))
        expected = [StoredRecord.from_json(await client.get(index.key(f"rec:{m}"))) for m in members]
        assert records == expected


async def test_counters_summed_over_a_batch_equal_the_hincrbys(
    client: aioredis.Redis, index: RedisMatchIndex, reference: RedisMatchIndex
) -> None:
    decision = MatchDecision(decision="new", entity_id="E1", reason="test")
    plans = [
        Plan(decision=decision, ops=(("HINCRBY", "tf", "anna", 1), ("HINCRBY", "stats", "records", 1))),
        Plan(decision=decision, ops=(("HINCRBY", "tf", "anna", -1), ("HINCRBY", "tf", "bob", 2))),
        Plan(decision=decision, ops=(("HINCRBY", "tf", "carl", 1), ("HINCRBY", "tf", "carl", -1))),
        Plan(decision=decision, checks={"r:x": 5}, ops=(("HINCRBY", "tf", "dora", 1),)),  # fails
    ]
    await client.hset(index.key("tf"), "bob", 40)
    await client.hset(reference.key("tf"), "bob", 40)
    assert await commit_both(client, index, reference, plans) == [True, True, True, False]
    assert await contents(client, index) == await contents(client, reference)
    assert await client.hgetall(index.key("tf")) == {b"anna": b"0", b"bob": b"42", b"carl": b"0"}


async def test_a_snapshot_reads_what_plain_commands_read(client: aioredis.Redis, redis_url: str) -> None:
    # Small caps, so that keys are cut (ZCARD read) and the candidate limit bites.
    match = MatchSettings(max_candidates_per_key=2, max_candidates=3)
    index = RedisMatchIndex.from_settings(RedisSettings(url=redis_url), match, prefix=f"test:{uuid.uuid4().hex[:8]}")
    try:
        family = {
            "family_name": "Example",
            "name_key": "anna example",
            "full_name": "Anna Example",
            "emails": ("team@example.com",),  # one block key with more records than the cap
        }
        for n in range(6):
            await apply(index, event(f"s{n}", source=f"src{n}", minutes=n), person(n, **family))
        await apply(index, event("s0", source="src0", minutes=10), person(0, **(family | {"emails": ("x@y.org",)})))
        await apply(index, event("e1", source="src1", minutes=20, event_type="contact.deleted"), NormalizedContact())
        probes = [
            (event("q1", source="new"), person(3, **family)),
            (event("s0", source="src0", minutes=30), person(0, **family)),  # an existing record
            (event("e1", source="src1", minutes=5), person(1, **family)),  # an erased record
            (event("s2", source="src2", minutes=2), person(2, **family)),  # an applied event
            (event("q2", source="new"), person(99, given_name="Zed", family_name="Nobody", name_key="zed nobody")),
        ]
        requests = [lookup_request(ev, contact) for ev, contact in probes]
        snapshots = await index.snapshots(requests)
        read = [await read_one_by_one(client, index, request, cap=2, limit=3) for request in requests]
        assert [as_read(snapshot) for snapshot in snapshots] == read
        assert len(snapshots[0].candidates) == 3 and any(size > 2 for _v, size in read[0]["blocks"].values())
        assert snapshots[1].existing is not None and snapshots[2].erased_at is not None
        assert snapshots[3].applied is not None and not snapshots[4].candidates
        for snapshot, expected in zip(snapshots, read, strict=True):  # newest first per key, keys in order
            assert list(snapshot.candidates) == list(expected["candidates"])
            assert list(snapshot.entity_versions) == list(expected["entity_versions"])
    finally:
        await index.drop()
        await index.aclose()
