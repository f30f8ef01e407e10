"""Faust's aiokafka transport, with the consumer's fetch batching taken from the settings.

Faust builds its aiokafka consumer with `fetch_max_wait_ms=1500` and aiokafka's default
`fetch_min_bytes=1`, and exposes neither: the broker answers a fetch as soon as one byte is
there. Under a steady trickle of events that costs a fetch round trip, and hops between Faust's
consumer thread and the event loop, every few events. Measured on this machine, a bare Faust
agent fed 560 events/s spent 615 µs of CPU per event that way, against about 230 when draining a
backlog; waiting for 16 KiB or 50 ms, whichever comes first, cut it to 382 µs for ~30 ms more
latency (bench/README.md, "Fetch batching"). `FetchTunedApp` takes both values (the service
sets them from `KafkaSettings.fetch_min_bytes` and `fetch_max_wait_ms`); everything else about
the consumer is Faust's.

Must not change what is consumed or when offsets are committed.
"""

from __future__ import annotations

from typing import Any

import aiokafka
import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TransportT

from streams.settings import KafkaSettings

FETCH_ATTRIBUTES = ("_fetch_min_bytes", "_fetch_max_wait_ms")
"""Where `AIOKafkaConsumer.__init__` keeps the two values until `start()` hands them to its fetcher."""


class FetchTunedConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Faust's consumer thread; its aiokafka consumer gets the configured fetch batching."""

    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        app = self.app
        assert isinstance(app, FetchTunedApp)
        # Faust passes neither value through; set them before `start()` builds the fetcher.
        for attribute, value in zip(FETCH_ATTRIBUTES, (app.fetch_min_bytes, app.fetch_max_wait_ms), strict=True):
            setattr(consumer, attribute, value)
        return consumer


class FetchTunedConsumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer, running `FetchTunedConsumerThread`."""

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return FetchTunedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class FetchTunedTransport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with `FetchTunedConsumer`."""

    Consumer = FetchTunedConsumer


class FetchTunedApp(faust.App):
    """`faust.App` whose consumer is `FetchTunedConsumer` (Kafka brokers only)."""

    fetch_min_bytes: int = 1
    """Bytes the broker waits for before it answers a fetch (aiokafka's default: 1)."""
    fetch_max_wait_ms: int = 1500
    """Longest the broker holds a fetch while fewer bytes are there (Faust's value: 1500)."""

    def use_fetch_settings(self, kafka: KafkaSettings) -> None:
        """Take both values from the service's Kafka settings (before the worker starts)."""
        self.fetch_min_bytes, self.fetch_max_wait_ms = kafka.fetch_min_bytes, kafka.fetch_max_wait_ms

    def _new_transport(self) -> TransportT:
        if not self.conf.broker_consumer[0].scheme.startswith("kafka"):
            return super()._new_transport()
        return FetchTunedTransport(self.conf.broker_consumer, self)
