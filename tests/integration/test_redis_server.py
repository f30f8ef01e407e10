"""The local Redis works with redis-py's asyncio client on the hiredis parser, Lua included."""

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.utils import HIREDIS_AVAILABLE

pytestmark = pytest.mark.redis

# Adds ARGV[1] to the integer at KEYS[1] and returns the new value with the key's TTL.
INCR_WITH_TTL = """
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], 60)
return {total, redis.call('TTL', KEYS[1])}
"""


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_hiredis_parser_is_installed() -> None:
    assert HIREDIS_AVAILABLE


async def test_set_get(client: aioredis.Redis, prefix: str) -> None:
    key = f"{prefix}:greeting"
    try:
        assert await client.set(key, "héllo", ex=60)
        assert await client.get(key) == "héllo".encode()
    finally:
        await client.delete(key)


async def test_eval_lua(client: aioredis.Redis, prefix: str) -> None:
    key = f"{prefix}:counter"
    try:
        assert await client.eval(INCR_WITH_TTL, 1, key, 5) == [5, 60]
        total, ttl = await client.eval(INCR_WITH_TTL, 1, key, 2)
        assert total == 7
        assert 0 < ttl <= 60
    finally:
        await client.delete(key)
