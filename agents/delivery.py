"""At-least-once publishing of one micro-batch's outputs.

Faust's `take_events` acks a batch's input events when the agent's loop body returns, and the
consumer commits acked offsets after flushing the producer. `flush()` waits for delivery but
does not report failures, so an output whose delivery failed after it was queued would be lost
behind a committed input. `deliver` therefore returns only once the broker has acknowledged
every output of the batch (one broker round trip per batch, not per message):

- a transient failure (broker unreachable, leader moved, request timed out) is retried, with
  backoff and without limit, from the first failed message onwards in the original order, so
  the last record per key on a compacted topic is still the newest (duplicates downstream are
  possible; outputs are keyed and idempotent);
- a permanent failure (a record larger than the broker accepts, an invalid or forbidden topic)
  cannot succeed by retrying. The broker refuses a whole produce batch for one bad record, so
  the first refused message is sent again alone: if it is refused alone too, it is reported
  through `on_undeliverable` and skipped, and the rest of the batch is sent again. One oversized
  golden record therefore cannot stall the stream forever, nor take its neighbours with it.

It must not build, change or choose outputs: it only sends what it is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka.errors import (
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)

from agents.pipeline import Outbound

SendFunction = Callable[[Outbound], Awaitable[Awaitable[Any]]]
"""Queue one message; returns a future that resolves when the broker acknowledges it."""

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
)


def is_permanent(exc: BaseException) -> bool:
    """True if retrying the same message cannot succeed (Faust wraps send errors: look at the cause)."""
    return isinstance(exc, PERMANENT_ERRORS) or isinstance(exc.__cause__, PERMANENT_ERRORS)


async def deliver(
    send: SendFunction,
    messages: Sequence[Outbound],
    *,
    on_retry: Callable[[Outbound, BaseException, float], None] = lambda message, exc, delay: None,
    on_undeliverable: Callable[[Outbound, BaseException], None] = lambda message, exc: None,
    on_delivered: Callable[[], None] = lambda: None,
    first_delay: float = 0.5,
    max_delay: float = 10.0,
) -> None:
    """Send `messages` in order and return once each is acknowledged or permanently undeliverable."""
    pending = list(messages)
    delay = first_delay
    retried = False
    while pending:
        outcomes = await _send_all(send, pending)
        failed_at = next((position for position, outcome in enumerate(outcomes) if outcome is not None), None)
        if failed_at is None:
            if retried:
                on_delivered()
            return
        head, error = pending[failed_at], outcomes[failed_at]
        assert error is not None
        if is_permanent(error):
            # The broker refuses whole produce batches: find out whether `head` itself is refused.
            (error,) = await _send_all(send, [head])
            if error is None or is_permanent(error):
                if error is not None:
                    on_undeliverable(head, error)
                pending = pending[failed_at + 1 :]
                continue
        # Resend from the first failure, in order: what followed it may have been acknowledged
        # already, but resending keeps the newest record per key last.
        on_retry(head, error, delay)
        retried = True
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)
        pending = pending[failed_at:]


async def _send_all(send: SendFunction, messages: Sequence[Outbound]) -> list[BaseException | None]:
    """Queue every message, then wait for all acknowledgements: None per success, else the error."""
    futures: list[Awaitable[Any] | BaseException] = []
    for message in messages:
        try:
            futures.append(await send(message))
        except Exception as exc:  # refused before queueing (too large, producer closed, buffer full)
            futures.append(exc)
    outcomes: list[BaseException | None] = []
    for future in futures:
        if isinstance(future, BaseException):
            outcomes.append(future)
            continue
        try:
            await future
            outcomes.append(None)
        except Exception as exc:
            outcomes.append(exc)
    return outcomes
