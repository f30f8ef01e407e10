"""Natural micro-batching: each batch is what arrived while the previous one was processed.

Faust's `take_events(n, within)` buffers nothing while the agent processes a batch, then waits
up to `within` for the next one to fill. At a steady rate that ties the batch size to a timer
and to how fast Faust can hand over events inside it: on a busy machine batches shrank to a few
events, their fixed costs (index round trips, a produce request) grew per event, and the worker
fell behind a rate it sustains on a backlog. With `BatchQueue` the agent's own task keeps reading
the stream while a batch is processed (during its Redis and broker waits) and puts events in a
bounded queue; the processing task takes everything waiting, up to `max_size`, as soon as it is
ready, after letting the reader hand over what it has already received. Under load batches grow
by themselves; at low load an event waits for no timer.

Pure asyncio: no Faust, no Kafka. It must not ack or drop anything: its consumer acks each
event once done (a full queue makes the reader wait, which is the backpressure).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

HANDOVER_TURNS = 3
"""Turns of the event loop without a new item after which a batch is cut (with no `max_wait`)."""


class BatchQueue(Generic[T]):
    """A bounded queue read in micro-batches (at most `max_size` items are waiting at once)."""

    def __init__(self, max_size: int, max_wait: float = 0.0) -> None:
        """`max_wait`: once a batch has its first item, how long to wait for more while fewer are waiting."""
        self.max_size = max_size
        self.max_wait = max_wait
        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize=max_size)

    async def put(self, item: T) -> None:
        """Add one item; waits while `max_size` items are waiting."""
        await self._queue.put(item)

    async def next_batch(self) -> list[T]:
        """Wait for an item, then take every item waiting, up to `max_size` (order kept).

        Before the batch is cut, the event loop gets a few turns, so that the reader can hand over
        what it has already received (a fetch brings events in chunks) without any timer.
        """
        queue = self._queue
        batch = [await queue.get()]
        idle_turns = 0
        deadline: float | None = None
        while len(batch) < self.max_size:
            if not queue.empty():
                batch.append(queue.get_nowait())
                idle_turns = 0
                continue
            if idle_turns < HANDOVER_TURNS:
                idle_turns += 1
                await asyncio.sleep(0)
                continue
            if self.max_wait <= 0:
                break
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + self.max_wait
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(queue.get(), remaining))
            except TimeoutError:
                break
        return batch


async def feed_batches(
    source: AsyncIterable[T], queue: BatchQueue[T], handle: Callable[[list[T]], Awaitable[None]]
) -> None:
    """Read `source` into `queue` while a task of its own `handle`s one batch after another.

    Runs until `source` ends or this task is cancelled; what is still queued then is dropped
    unhandled (not acked: it is consumed again). An error raised by `handle` stops the reading
    and is raised here.
    """

    async def handle_batches() -> None:
        while True:
            await handle(await queue.next_batch())

    reader = asyncio.current_task()
    handler = asyncio.ensure_future(handle_batches())

    def stop_reading(task: asyncio.Future[None]) -> None:
        if reader is not None and not task.cancelled() and task.exception() is not None:
            reader.cancel()  # the reader may be waiting on a full queue that nobody empties any more

    handler.add_done_callback(stop_reading)
    try:
        async for item in source:
            await queue.put(item)
    except asyncio.CancelledError:
        if handler.done() and not handler.cancelled() and (error := handler.exception()) is not None:
            raise error from None
        raise
    finally:
        handler.remove_done_callback(stop_reading)
        handler.cancel()
