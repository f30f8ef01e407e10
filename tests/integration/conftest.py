"""Fixtures shared by the integration tests: a match index on the real Redis, under a fresh prefix."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from streams.match_index import RedisMatchIndex
from streams.settings import MatchSettings, RedisSettings


@pytest.fixture
async def index(redis_url: str) -> AsyncIterator[RedisMatchIndex]:
    """A `RedisMatchIndex` under its own prefix, dropped afterwards."""
    idx = RedisMatchIndex.from_settings(
        RedisSettings(url=redis_url), MatchSettings(), prefix=f"test:{uuid.uuid4().hex[:8]}"
    )
    yield idx
    await idx.drop()
    await idx.aclose()
