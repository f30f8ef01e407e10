"""`agents.batching`: batches are what arrived while the previous one was handled, in order, bounded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from agents.batching import BatchQueue, feed_batches


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_a_batch_is_everything_waiting_up_to_the_maximum_in_order() -> None:
    async def scenario() -> list[list[int]]:
        queue: BatchQueue[int] = BatchQueue(max_size=3)
        for item in range(5):
            if item < 3:
                await queue.put(item)
        first = await queue.next_batch()
        await queue.put(3)
        await queue.put(4)
        second = await queue.next_batch()
        return [first, second]

    assert asyncio.run(scenario()) == [[0, 1, 2], [3, 4]]


def test_the_queue_holds_at_most_one_batch() -> None:
    async def scenario() -> None:
        queue: BatchQueue[int] = BatchQueue(max_size=2)
        await queue.put(0)
        await queue.put(1)
        blocked = asyncio.ensure_future(queue.put(2))
        await settle()
        assert not blocked.done()  # the reader waits: backpressure
        assert await queue.next_batch() == [0, 1]
        await settle()
        assert blocked.done()
        assert await queue.next_batch() == [2]

    asyncio.run(scenario())


def test_without_a_wait_a_lone_event_is_not_held_back() -> None:
    async def scenario() -> list[int]:
        queue: BatchQueue[int] = BatchQueue(max_size=100)
        await queue.put(7)
        return await asyncio.wait_for(queue.next_batch(), timeout=30.0)

    assert asyncio.run(scenario()) == [7]


def test_what_the_reader_hands_over_within_a_few_loop_turns_joins_the_batch() -> None:
    async def scenario() -> list[list[int]]:
        queue: BatchQueue[int] = BatchQueue(max_size=100)

        async def reader() -> None:  # a fetched chunk: one event per loop turn, then a pause
            for item in range(5):
                await queue.put(item)
                await asyncio.sleep(0)
            await asyncio.sleep(0.05)
            await queue.put(5)

        feeding = asyncio.ensure_future(reader())
        batches = [await queue.next_batch(), await queue.next_batch()]
        await feeding
        return batches

    assert asyncio.run(scenario()) == [[0, 1, 2, 3, 4], [5]]


def test_max_wait_gathers_what_arrives_soon_after_the_first_event() -> None:
    async def scenario() -> list[int]:
        queue: BatchQueue[int] = BatchQueue(max_size=100, max_wait=0.2)

        async def trickle() -> None:
            for item in range(3):
                await queue.put(item)
                await asyncio.sleep(0.01)

        feeder = asyncio.ensure_future(trickle())
        batch = await queue.next_batch()
        await feeder
        return batch

    assert asyncio.run(scenario()) == [0, 1, 2]


def test_events_read_while_a_batch_is_handled_form_the_next_batch() -> None:
    async def scenario() -> list[list[int]]:
        handled: list[list[int]] = []
        release = asyncio.Event()
        done = asyncio.Event()

        async def source() -> AsyncIterator[int]:
            yield 0
            await settle()  # the handler takes [0] and waits on `release`
            for item in range(1, 5):
                yield item
            release.set()
            await asyncio.Event().wait()  # a live stream: no more events for now

        async def handle(batch: list[int]) -> None:
            handled.append(batch)
            if len(handled) == 1:
                await release.wait()
            if sum(map(len, handled)) == 5:
                done.set()

        reader = asyncio.ensure_future(feed_batches(source(), BatchQueue(max_size=10), handle))
        await asyncio.wait_for(done.wait(), timeout=30.0)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        return handled

    assert asyncio.run(scenario()) == [[0], [1, 2, 3, 4]]


def test_an_error_while_handling_stops_the_reader_at_once_and_is_raised() -> None:
    async def scenario() -> None:
        async def endless() -> AsyncIterator[int]:
            item = 0
            while True:
                yield item
                item += 1
                await asyncio.sleep(0)

        async def handle(batch: list[int]) -> None:
            raise RuntimeError("handler failed")

        reader = asyncio.ensure_future(feed_batches(endless(), BatchQueue(max_size=2), handle))
        await settle()
        # Not left waiting on a full queue that nobody empties any more.
        assert reader.done()
        with pytest.raises(RuntimeError, match="handler failed"):
            await reader

    asyncio.run(scenario())
