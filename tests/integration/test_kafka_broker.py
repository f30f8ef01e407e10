"""The local broker works with both Kafka clients we use: kafka-python and aiokafka (Faust's)."""

import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

pytestmark = pytest.mark.kafka

MESSAGES = [(f"key-{i}".encode(), f"value-{i}".encode()) for i in range(5)]


@pytest.fixture
def topic(kafka_bootstrap: str) -> Iterator[str]:
    """A fresh single-partition topic created with the admin client, deleted afterwards."""
    name = f"test-broker-{uuid.uuid4().hex}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])
        assert name in admin.list_topics()
        yield name
        admin.delete_topics([name])
    finally:
        admin.close()


def test_kafka_python_round_trip(kafka_bootstrap: str, topic: str) -> None:
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for key, value in MESSAGES:
        producer.send(topic, key=key, value=value)
    producer.flush(timeout=10)
    producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        consumer_timeout_ms=15000,
    )
    received = []
    for record in consumer:
        received.append((record.key, record.value))
        if len(received) == len(MESSAGES):
            break
    consumer.close()

    assert received == MESSAGES


async def test_aiokafka_round_trip(kafka_bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in MESSAGES:
            await producer.send_and_wait(topic, key=key, value=value)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    received: list[tuple[bytes | None, bytes | None]] = []
    try:
        for _ in range(30):  # At most ~15 s: the group join comes first.
            batches = await consumer.getmany(timeout_ms=500)
            received += [(r.key, r.value) for records in batches.values() for r in records]
            if len(received) >= len(MESSAGES):
                break
    finally:
        await consumer.stop()

    assert received == MESSAGES
