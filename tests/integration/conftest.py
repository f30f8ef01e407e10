"""Fixtures shared by the integration tests: a match index on the real Redis, under a fresh prefix."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from streams.match_index import RedisMatchIndex
from streams.settings import MatchSettings, RedisSettings


@asynccontextmanager
async def fresh_index(redis_url: str, root: str = "test") -> AsyncIterator[RedisMatchIndex]:
    """A `RedisMatchIndex` under a prefix of its own (`<root>:<random>`), dropped afterwards."""
    idx = RedisMatchIndex.from_settings(
        RedisSettings(url=redis_url), MatchSettings(), prefix=f"{root}:{uuid.uuid4().hex[:8]}"
    )
    try:
        yield idx
    finally:
        await idx.drop()
        await idx.aclose()


@pytest.fixture
async def index(redis_url: str) -> AsyncIterator[RedisMatchIndex]:
    """A `RedisMatchIndex` under its own prefix, dropped afterwards."""
    async with fresh_index(redis_url) as idx:
        yield idx
