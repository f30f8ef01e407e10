"""`agents.delivery.deliver` against the real broker.

A record the broker refuses is reported, not lost silently, and the rest arrive in order.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from agents.delivery import DeliveryHooks, deliver
from agents.pipeline import Outbound

pytestmark = pytest.mark.kafka


@pytest.fixture
def small_topic(kafka_bootstrap: str) -> Iterator[str]:
    """A fresh topic whose broker-side record limit (2 KiB) is below the producer's."""
    name = f"test-delivery-{uuid.uuid4().hex}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics(
            [NewTopic(name, num_partitions=1, replication_factor=1, topic_configs={"max.message.bytes": "2048"})]
        )
        yield name
        admin.delete_topics([name])
    finally:
        admin.close()


async def _deliver_and_read(bootstrap: str, topic: str, messages: list[Outbound]) -> tuple[list[bytes], list[bytes]]:
    undeliverable: list[bytes] = []
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=1_048_576)
    await producer.start()
    try:
        await deliver(
            lambda out: producer.send(out.topic, out.value, key=out.key),
            messages,
            hooks=DeliveryHooks(on_undeliverable=lambda message, exc: undeliverable.append(message.key or b"")),
            first_delay=0.1,
        )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=f"test-{uuid.uuid4().hex}"
    )
    await consumer.start()
    try:
        received: list[bytes] = []
        while len(received) < len(messages) - len(undeliverable):
            batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), timeout=30)
            received += [record.key for records in batch.values() for record in records]
    finally:
        await consumer.stop()
    return received, undeliverable


def test_refused_record_is_reported_and_the_others_arrive_in_order(kafka_bootstrap: str, small_topic: str) -> None:
    messages = [
        Outbound(small_topic, b"a", b"x" * 100),
        Outbound(small_topic, b"too-large", b"y" * 10_000),  # the broker answers MESSAGE_SIZE_TOO_LARGE
        Outbound(small_topic, b"b", b"z" * 100),
    ]
    received, undeliverable = asyncio.run(_deliver_and_read(kafka_bootstrap, small_topic, messages))
    assert undeliverable == [b"too-large"]
    assert received == [b"a", b"b"]
