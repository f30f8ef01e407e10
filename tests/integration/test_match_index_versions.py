"""Version counters of the commit script against real Redis: each applied plan adds one to every version it bumps.

The commit script reads a plan's checked versions with one HMGET and writes all its bumps with
one HSET (instead of one HGET per check and one HINCRBY per bump). Optimistic concurrency needs
the result to be exactly what HINCRBY gave: every applied plan moves each version it touches up
by one, including bumped versions it did not check (block keys an update leaves), so that a
version never takes a value twice and a plan read before any write fails.
"""

from __future__ import annotations

import pytest

from agents.core.entities import lookup_request, plan_event
from streams.match_index import RedisMatchIndex
from tests.integration.test_match_index import POLICY, apply, event, person

pytestmark = pytest.mark.redis


async def test_a_commit_adds_one_to_each_bumped_version_and_a_stale_plan_then_fails(index: RedisMatchIndex) -> None:
    client = index._client  # noqa: SLF001 - the test sets and reads the version hash
    a = event("a")
    request = lookup_request(a, person(1))
    counted = {f"b:{key}": 3 for key in request.block_keys} | {f"r:{a.record_id}": 2}
    await client.hset(index.key("ver"), mapping=counted)
    (snapshot,) = await index.snapshots([request])
    assert snapshot.record_version == 2 and {view.version for view in snapshot.blocks.values()} == {3}
    plan = plan_event(a, person(1), request, snapshot, POLICY)
    stale = plan_event(a, person(1), request, snapshot, POLICY)  # planned from the same reading
    assert await index.commit([plan]) == [True]
    after = dict(zip(plan.bumps, await client.hmget(index.key("ver"), list(plan.bumps)), strict=True))
    assert {field: int(value) for field, value in after.items()} == {
        field: counted.get(field, 0) + 1 for field in plan.bumps
    }
    assert await index.commit([stale]) == [False]


async def test_an_update_also_counts_the_block_keys_it_leaves(index: RedisMatchIndex) -> None:
    client = index._client  # noqa: SLF001 - reads the version hash
    first = await apply(index, event("v1", external_id="rec-1"), person(1))
    update = await apply(index, event("v2", external_id="rec-1", minutes=5), person(1, emails=("new@example.com",)))
    left = [field for field in update.bumps if field not in update.checks]
    assert left, "the old email's key is bumped without being checked"
    assert all(field in first.bumps for field in left)
    assert [int(v) for v in await client.hmget(index.key("ver"), left)] == [2] * len(left)


async def test_a_version_never_takes_a_value_twice(index: RedisMatchIndex) -> None:
    client = index._client  # noqa: SLF001 - reads the version hash
    shared = f"b:{lookup_request(event('probe'), person(1)).block_keys[0]}"  # the email key of person 1
    values = [0]
    for n in range(6):
        await apply(index, event(f"w{n}", source=f"src{n}"), person(1))
        values.append(int(await client.hget(index.key("ver"), shared)))
    assert values == list(range(7))
