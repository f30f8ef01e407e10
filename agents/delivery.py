"""At-least-once publishing of one micro-batch's outputs.

Faust's consumer commits acked input offsets after flushing the producer. `flush()` waits for
delivery but does not report failures, so an output whose delivery failed after it was queued
would be lost behind a committed input. `deliver` therefore returns only once the broker has
acknowledged every output of the batch (one broker round trip per batch, not per message), and
a batch's inputs are acked only after it:

- a transient failure (broker unreachable, leader moved, request timed out) is retried, with
  backoff and without limit, from the first failed message onwards in the original order, so
  the last record per key on a compacted topic is still the newest (duplicates downstream are
  possible; outputs are keyed and idempotent);
- a permanent failure (a record larger than the broker accepts, an invalid or forbidden topic)
  cannot succeed by retrying. The broker refuses a whole produce batch for one bad record, so
  the first refused message is sent again alone: if it is refused alone too, it is reported
  through `DeliveryHooks.on_undeliverable` and skipped, and the rest of the batch is sent again. One oversized
  golden record therefore cannot stall the stream forever, nor take its neighbours with it.

`OrderedDelivery` lets a worker go on with the next micro-batch while the broker acknowledges
the previous one's outputs: a batch's outputs are queued when it is submitted, once the previous
batch's delivery has ended (so outputs keep their order across batches, also when one is
resent); its acknowledgements (and any resend) are awaited in the background, and the batch's
inputs are acked only after them (so no input is committed before its outputs are confirmed).

`publish_in_batches` puts the two together with `agents.batching` for an agent.

It must not build, change or choose outputs: it only sends what it is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiokafka.errors import (
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)

from agents.batching import BatchQueue, feed_batches
from agents.pipeline import Outbound

SendFunction = Callable[[Outbound], Awaitable[Awaitable[Any]]]
"""Queue one message; returns a future that resolves when the broker acknowledges it."""

AckFunction = Callable[[Any], Awaitable[Any]]
"""Acknowledge one consumed input (Faust: `stream.ack(event)`), so that its offset can be committed."""

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
)


def is_permanent(exc: BaseException) -> bool:
    """True if retrying the same message cannot succeed (Faust wraps send errors: look at the cause)."""
    return isinstance(exc, PERMANENT_ERRORS) or isinstance(exc.__cause__, PERMANENT_ERRORS)


@dataclass(frozen=True)
class DeliveryHooks:
    """What a delivery reports as it goes (metrics, logs, readiness); every hook defaults to nothing."""

    on_retry: Callable[[Outbound, BaseException, float], None] = lambda message, exc, delay: None
    """A message failed transiently and is resent (from it onwards) after `delay` seconds."""
    on_undeliverable: Callable[[Outbound, BaseException], None] = lambda message, exc: None
    """A message is refused for good (alone too) and skipped."""
    on_delivered: Callable[[], None] = lambda: None
    """A delivery that needed resends has ended."""


NO_HOOKS = DeliveryHooks()


@dataclass
class Backoff:
    """Waits between retries: `delay` seconds first, then twice as long each time, at most `most`."""

    delay: float = 0.5
    most: float = 10.0

    async def wait(self) -> None:
        """Sleep the current delay, then double it (up to `most`)."""
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, self.most)


Queued: TypeAlias = list[Awaitable[Any] | BaseException]
"""Per message, in order: the future of its acknowledgement, or why it was refused before queueing."""


async def deliver(
    send: SendFunction,
    messages: Sequence[Outbound],
    *,
    hooks: DeliveryHooks = NO_HOOKS,
    first_delay: float = 0.5,
    max_delay: float = 10.0,
    queued: Queued | None = None,
) -> None:
    """Send `messages` in order and return once each is acknowledged or permanently undeliverable.

    `queued`: the first attempt's `queue_all(send, messages)`, when the caller queued it already.
    """
    pending = list(messages)
    backoff = Backoff(first_delay, max_delay)
    retried = False
    while pending:
        outcomes = await settle(queued if queued is not None else await queue_all(send, pending))
        queued = None
        failed_at = next((position for position, outcome in enumerate(outcomes) if outcome is not None), None)
        if failed_at is None:
            if retried:
                hooks.on_delivered()
            return
        head, error = pending[failed_at], outcomes[failed_at]
        assert error is not None
        if is_permanent(error):
            # The broker refuses whole produce batches: find out whether `head` itself is refused.
            (error,) = await settle(await queue_all(send, [head]))
            if error is None or is_permanent(error):
                if error is not None:
                    hooks.on_undeliverable(head, error)
                pending = pending[failed_at + 1 :]
                continue
        # Resend from the first failure, in order: what followed it may have been acknowledged
        # already, but resending keeps the newest record per key last.
        hooks.on_retry(head, error, backoff.delay)
        retried = True
        await backoff.wait()
        pending = pending[failed_at:]


async def queue_all(send: SendFunction, messages: Sequence[Outbound]) -> Queued:
    """Queue every message with the producer, in order (no waiting for the broker)."""
    queued: Queued = []
    for message in messages:
        try:
            queued.append(await send(message))
        except Exception as exc:  # refused before queueing (too large, producer closed, buffer full)
            queued.append(exc)
    return queued


async def settle(queued: Queued) -> list[BaseException | None]:
    """Wait for every acknowledgement: None per success, else the error."""
    outcomes: list[BaseException | None] = []
    for future in queued:
        if isinstance(future, BaseException):
            outcomes.append(future)
            continue
        try:
            await future
            outcomes.append(None)
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


class OrderedDelivery:
    """Deliveries of consecutive micro-batches: acknowledged in the background, in order.

    `submit` waits for the previous batch's delivery to end, queues this batch's outputs with
    the producer and returns; the broker's acknowledgements (and any resend, `deliver`) are
    awaited in the background, and the batch's inputs are acked once every output is
    acknowledged or reported undeliverable. Queueing happens in `submit`, not in the background,
    so that it does not compete for the event loop with the taking of the next batch. An error
    that ends a delivery (cancellation, a bug) is raised by the next `submit` or `drain`, and
    that batch's inputs stay unacked: they are consumed again.
    """

    def __init__(
        self,
        send: SendFunction,
        ack: AckFunction,
        *,
        hooks: DeliveryHooks = NO_HOOKS,
    ) -> None:
        self._send = send
        self._ack = ack
        self._hooks = hooks
        self._running: asyncio.Future[None] | None = None

    async def submit(self, messages: Sequence[Outbound], inputs: Sequence[Any]) -> None:
        """Queue `messages` once the previous batch is delivered; ack `inputs` after their delivery."""
        await self.drain()
        queued = await queue_all(self._send, messages)
        self._running = asyncio.ensure_future(self._deliver_then_ack(list(messages), queued, list(inputs)))

    async def drain(self) -> None:
        """Wait until the batch being delivered (if any) is delivered and acked."""
        running, self._running = self._running, None
        if running is not None:
            await running

    def cancel(self) -> None:
        """Stop the delivery in progress (its inputs stay unacked and are consumed again)."""
        if self._running is not None:
            self._running.cancel()
            self._running = None

    async def _deliver_then_ack(self, messages: list[Outbound], queued: Queued, inputs: list[Any]) -> None:
        await deliver(self._send, messages, hooks=self._hooks, queued=queued)
        for item in inputs:
            await self._ack(item)


async def publish_in_batches(
    stream: Any,
    send: SendFunction,
    outputs_of: Callable[[list[Any]], Awaitable[Sequence[Outbound]]],
    *,
    batch_size: int,
    max_wait: float,
    hooks: DeliveryHooks = NO_HOOKS,
) -> None:
    """Consume a Faust stream in natural micro-batches and publish each batch's outputs in order.

    The stream's events are acked by hand (`noack`), by an `OrderedDelivery`, once every output
    of their batch is acknowledged: what the service's agent and the bare benchmark agent share.
    """
    inputs = stream.noack()
    outputs = OrderedDelivery(send, inputs.ack, hooks=hooks)

    async def publish(events: list[Any]) -> None:
        await outputs.submit(await outputs_of(events), events)

    try:
        await feed_batches(inputs.events(), BatchQueue(batch_size, max_wait), publish)
    finally:
        outputs.cancel()  # stopping: a batch still in delivery stays unacked and is consumed again


def producer_send(producer: Any) -> SendFunction:
    """Send straight to Faust's producer: its `Topic.send` layers cost more than the pipeline's own work per message."""
    return lambda out: producer.send(out.topic, out.key, out.value, None, None, None)
