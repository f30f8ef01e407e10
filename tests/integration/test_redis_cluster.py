"""The same pipeline against a real 3-master Redis Cluster gives the same entities as standalone."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from bench import redis_cluster
from streams.dedupe import dedupe_file
from streams.settings import RedisSettings, Settings
from tests.required import unavailable

pytestmark = pytest.mark.redis
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "contacts.jsonl"


@pytest.fixture(scope="module")
def cluster_url() -> str:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        unavailable("redis-server/redis-cli missing: cannot start a Redis Cluster")
    started_here = redis_cluster.state() != "ok"
    if started_here and not redis_cluster.up():
        pytest.fail("the local Redis Cluster did not start")
    yield redis_cluster.URL
    if started_here:
        redis_cluster.down()


def _entities(settings: Settings) -> set[frozenset[str]]:
    out = io.BytesIO()
    asyncio.run(dedupe_file(SAMPLE, out, settings))
    groups: dict[str, set[str]] = defaultdict(set)
    for line in out.getvalue().splitlines():
        row = json.loads(line)
        if row["status"] == "cleaned" and row["decision"] != "erased":
            groups[row["final_entity_id"]].add(row["event_id"])
    return {frozenset(g) for g in groups.values()}


def test_cluster_and_standalone_give_the_same_entities(cluster_url: str, redis_url: str) -> None:
    on_cluster = _entities(Settings(redis=RedisSettings(url=cluster_url, cluster=True)))
    standalone = _entities(Settings(redis=RedisSettings(url=redis_url)))
    assert on_cluster == standalone
    assert any(len(group) > 1 for group in on_cluster), "the sample has duplicates to merge"
