"""`streams.kafka_transport`: the worker's aiokafka consumer gets the configured fetch batching."""

from __future__ import annotations

import asyncio

import aiokafka
from prometheus_client import CollectorRegistry

from streams.app import create_app
from streams.kafka_transport import FETCH_ATTRIBUTES, FetchTunedConsumerThread, FetchTunedTransport
from streams.settings import KafkaSettings, Settings


def test_aiokafka_keeps_the_values_where_the_transport_sets_them() -> None:
    """Pins aiokafka's private attributes: an upgrade that renames them fails here, not silently."""

    async def build() -> aiokafka.AIOKafkaConsumer:
        return aiokafka.AIOKafkaConsumer(fetch_min_bytes=7, fetch_max_wait_ms=9)

    consumer = asyncio.run(build())
    assert tuple(getattr(consumer, name) for name in FETCH_ATTRIBUTES) == (7, 9)


def test_worker_consumer_gets_the_settings_values() -> None:
    settings = Settings(kafka=KafkaSettings(fetch_min_bytes=4096, fetch_max_wait_ms=20))
    app = create_app(settings, registry=CollectorRegistry())
    assert isinstance(app.transport, FetchTunedTransport)

    async def worker_consumer() -> aiokafka.AIOKafkaConsumer:
        thread = app.consumer._thread
        assert isinstance(thread, FetchTunedConsumerThread)
        return thread._create_worker_consumer(app.transport)

    consumer = asyncio.run(worker_consumer())
    assert (consumer._fetch_min_bytes, consumer._fetch_max_wait_ms) == (4096, 20)
    # Everything else is Faust's: e.g. its group id and no auto-commit.
    assert consumer._group_id == settings.app_id
    assert consumer._enable_auto_commit is False


def test_defaults_batch_fetches() -> None:
    kafka = KafkaSettings()
    assert kafka.fetch_min_bytes > 1
    assert 0 < kafka.fetch_max_wait_ms <= 100  # bounded: it is latency added at low rates
