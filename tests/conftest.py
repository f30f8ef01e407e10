"""Shared fixtures: the real Kafka and Redis that the `kafka` and `redis` tiers run against.

`kafka_bootstrap` (env `DQ_TEST_KAFKA`, default `localhost:9092`) and `redis_url` (env
`DQ_TEST_REDIS`, default `redis://localhost:6379/15`) check once per session that the service
answers. When it does not, tests that need it are skipped, or fail when `CI=true` or
`DQ_REQUIRE_SERVICES=1`, so that a run meant to exercise real services cannot go green by
skipping them. Start both locally with `python -m streams stack up`.

A test marked `kafka` or `redis` gets the matching check even if it does not ask for the fixture.
"""

import os
import socket

import pytest
import redis
from kafka import KafkaAdminClient

from tests.required import unavailable

MARKER_FIXTURES = {"kafka": "kafka_bootstrap", "redis": "redis_url"}


def _unavailable(what: str, reason: str) -> None:
    unavailable(f"{what} unreachable ({reason}); start it with `python -m streams stack up`")


def _tcp_error(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=1):
            return None
    except OSError as exc:
        return f"{host}:{port}: {exc}"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap servers of a Kafka broker that answers metadata requests, e.g. localhost:9092."""
    bootstrap = os.environ.get("DQ_TEST_KAFKA", "localhost:9092")
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if error := _tcp_error(host, int(port)):
        _unavailable(f"Kafka at {bootstrap}", error)
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            admin.describe_cluster()
        finally:
            admin.close()
    except Exception as exc:  # Any failure means "not usable"; the message says which.
        _unavailable(f"Kafka at {bootstrap}", f"{type(exc).__name__}: {exc}")
    return bootstrap


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a Redis server that answers PING (database 15 by default: tests may flush it)."""
    url = os.environ.get("DQ_TEST_REDIS", "redis://localhost:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {url}", f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    """Check the service of each `kafka`/`redis` marker before a marked test runs."""
    for marker, fixture in MARKER_FIXTURES.items():
        if request.node.get_closest_marker(marker):
            request.getfixturevalue(fixture)
