"""Agent `clean_contacts`: raw contact-change events in, cleaned/rejected/review/golden out.

Thin: reads the input topic into micro-batches (`agents.batching`: each batch is what arrived
while the previous one was processed), hands them to `ContactPipeline`, publishes what it
returns. Concurrency stays 1 (higher values can commit offsets past in-flight messages): one
batch is processed at a time, in order. A batch's outputs are queued with the producer before
the next batch is taken; the broker's acknowledgements are awaited in the background meanwhile
(`agents.delivery.OrderedDelivery`), and a batch's inputs are acked only once every one of its
outputs is acknowledged, so no input is committed before its outputs. Redis outages block the
batch and retry (the worker reports not-ready) instead of dropping it; a batch that fails for
any other reason is retried event by event, and an event that still fails goes to the rejected
topic with its original bytes, so no input crashes the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from faust.types import EventT, StreamT

from agents.core.cleaning import PayloadOrigin, internal_error_rejection
from agents.delivery import Backoff, DeliveryHooks, producer_send, publish_in_batches
from agents.pipeline import Inbound, Outbound, Processed
from schemas.wire import to_bytes
from streams.app import app, input_topic
from streams.match_index import is_outage

log = logging.getLogger(__name__)


async def process_with_retry(batch: Sequence[Inbound]) -> list[Processed]:
    """Process a batch; wait out Redis outages; isolate events that break the pipeline."""
    backoff = Backoff()
    while True:
        try:
            result = await app.pipeline.process(batch)
            app.metrics.set_ready(True)
            return result
        except Exception as exc:
            if is_outage(exc):  # waited out: the batch is retried, nothing is dropped
                app.metrics.set_ready(False)
                log.warning("match index unavailable (%s); retrying batch in %.1fs", type(exc).__name__, backoff.delay)
                await backoff.wait()
                continue
            if len(batch) == 1:  # anything else is a bug: isolate the event that triggers it
                log.exception(
                    "event at %s[%s]@%s failed; sent to rejected",
                    batch[0].topic,
                    batch[0].partition,
                    batch[0].offset,
                )
                return [_internal_error(batch[0])]
            log.exception("batch failed; retrying its %d events one by one", len(batch))
            return [item for message in batch for item in await process_with_retry([message])]


def _internal_error(message: Inbound) -> Processed:
    origin = PayloadOrigin(topic=message.topic, partition=message.partition, offset=message.offset)
    rejected = internal_error_rejection(
        message.value, origin=origin, now=datetime.now(UTC), config=app.pipeline.cleaning
    ).event
    app.metrics.observe_rejected(rejected.source, rejected.reasons)
    return Processed(
        rejected=rejected,
        outbound=[Outbound(app.settings.kafka.rejected_topic, None, to_bytes(rejected))],
    )


def _inbound(event: EventT) -> Inbound:
    message = event.message
    return Inbound(
        value=message.value or b"",
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
    )


@app.agent(input_topic, name="clean_contacts", concurrency=1)
async def clean_contacts(stream: StreamT[bytes]) -> None:
    """Consume micro-batches of contact-change events and publish the outcomes."""
    settings = app.settings

    async def outputs_of(events: list[EventT]) -> list[Outbound]:
        processed = await process_with_retry([_inbound(event) for event in events])
        return [out for item in processed for out in item.outbound]

    await publish_in_batches(
        stream,
        producer_send(app.producer),
        outputs_of,
        batch_size=settings.batch_size,
        max_wait=settings.batch_timeout_seconds,
        hooks=DeliveryHooks(
            on_retry=_on_delivery_retry,
            on_undeliverable=_on_undeliverable,
            on_delivered=lambda: app.metrics.set_ready(True),
        ),
    )


def _on_delivery_retry(message: Outbound, exc: BaseException, delay: float) -> None:
    app.metrics.set_ready(False)
    app.metrics.observe_output_failure(message.topic, "retried")
    log.warning("output delivery to %s failed (%r); resending in %.1fs", message.topic, exc, delay)


def _on_undeliverable(message: Outbound, exc: BaseException) -> None:
    app.metrics.observe_output_failure(message.topic, "dropped")
    log.error(
        "output to %s (key %r, %d bytes) cannot be delivered and is dropped: %r",
        message.topic,
        message.key,
        len(message.value or b""),
        exc,
    )
