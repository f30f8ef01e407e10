"""Framework ceiling for the throughput benchmark: a Faust app that forwards every event unchanged.

It is the service's Faust setup with the processing taken out: raw key/value serializers,
`acks=-1`, the same fetch batching and fetch/request size limits, Faust's default sensor, one
agent (concurrency 1) that sends each event's key and value as they are, with the service's own
batching and delivery (`agents.delivery.publish_in_batches`: a batch is what arrived while the
previous one was handled; its inputs are acked once its outputs are confirmed, while the next
batch is taken). It is configured by the service's own `DQ_*` variables (`DQ_APP_ID`,
`DQ_WEB_PORT`, `DQ_KAFKA__BROKER`, `DQ_KAFKA__TOPIC_PARTITIONS`, `DQ_KAFKA__INPUT_TOPIC`,
`DQ_BATCH_SIZE`, ...) and writes to `DQ_KAFKA__CLEANED_TOPIC`.

Run from the repo root: `python -m bench.bare_faust worker -l info`. It must not clean, match,
touch Redis or create topics (the benchmark creates them); it only measures what Faust and
Kafka cost per event on this machine.
"""

from __future__ import annotations

from faust.types import EventT, StreamT

from agents.delivery import producer_send, publish_in_batches
from agents.pipeline import Outbound
from streams.kafka_transport import FetchTunedApp
from streams.settings import get_settings

settings = get_settings()
app = FetchTunedApp(
    settings.app_id,
    broker=settings.kafka.broker,
    web_port=settings.web_port,
    topic_partitions=settings.kafka.topic_partitions,
    topic_replication_factor=settings.kafka.replication_factor,
    autodiscover=False,
    key_serializer="raw",
    value_serializer="raw",
    producer_acks=-1,
    producer_max_request_size=max(settings.kafka.max_message_bytes * 2, 1_048_576),
    consumer_max_fetch_size=max(settings.kafka.max_message_bytes * 2, 4_194_304),
)
app.use_fetch_settings(settings.kafka)
input_topic = app.topic(settings.kafka.input_topic, key_type=bytes, value_type=bytes)


@app.agent(input_topic, name="forward", concurrency=1)
async def forward(stream: StreamT[bytes]) -> None:
    """Send every consumed event, unchanged, to the output topic (micro-batches like the service)."""
    output = settings.kafka.cleaned_topic

    async def outputs_of(events: list[EventT]) -> list[Outbound]:
        return [Outbound(output, event.message.key, event.message.value) for event in events]

    # Same batching, send path and delivery as the service's agent (agents/clean_contacts.py).
    await publish_in_batches(
        stream,
        producer_send(app.producer),
        outputs_of,
        batch_size=settings.batch_size,
        max_wait=settings.batch_timeout_seconds,
    )


if __name__ == "__main__":
    app.main()
