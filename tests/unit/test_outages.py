"""Which Redis errors the worker waits out (`streams.match_index.is_outage`) and which are bugs."""

from __future__ import annotations

import pytest
from redis.exceptions import (
    BusyLoadingError,
    ClusterDownError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from streams.match_index import is_outage


@pytest.mark.parametrize(
    "error",
    [
        RedisConnectionError("Connection refused"),
        RedisTimeoutError("Timeout reading from localhost:6379"),
        BusyLoadingError("Redis is loading the dataset in memory"),
        ResponseError("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."),
        ClusterDownError("CLUSTERDOWN The cluster is down"),
        TryAgainError("TRYAGAIN"),
        ConnectionResetError(),
    ],
)
def test_outages_are_waited_out(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ResponseError("ERR Error running script: user_script:12: attempt to index a nil value"),
        ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
        ValueError("commands ['FLUSHALL'] are not allowed in a commit"),
        KeyError("r"),
    ],
)
def test_bugs_are_not_outages(error: Exception) -> None:
    assert not is_outage(error)
