"""`agents.delivery`: every output acknowledged before a batch's inputs are acked, in order.

The send function here is a scripted stand-in for the producer (the retry logic is pure); the
real broker's behaviour for a permanent failure is in tests/integration/test_delivery_kafka.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError, NotLeaderForPartitionError
from faust.exceptions import ProducerSendError

from agents.delivery import DeliveryHooks, OrderedDelivery, deliver, is_permanent
from agents.pipeline import Outbound

MESSAGES = [Outbound("t", f"k{i}".encode(), f"v{i}".encode()) for i in range(4)]


class ScriptedProducer:
    """Fails the n-th send attempt of a message as scripted; records every attempt in order."""

    def __init__(self, failures: dict[tuple[bytes, int], BaseException], *, raise_on_send: bool = False) -> None:
        self.failures = failures
        self.raise_on_send = raise_on_send
        self.attempts: list[bytes] = []
        self.acknowledged: list[bytes] = []

    async def send(self, message: Outbound) -> Awaitable[Any]:
        assert message.key is not None
        attempt = self.attempts.count(message.key) + 1
        self.attempts.append(message.key)
        error = self.failures.get((message.key, attempt))
        if error is not None and self.raise_on_send:
            raise error
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(None)
            self.acknowledged.append(message.key)
        return future


def run(producer: ScriptedProducer, messages: list[Outbound] = MESSAGES) -> dict[str, list[Any]]:
    calls: dict[str, list[Any]] = {"retry": [], "undeliverable": [], "delivered": []}
    asyncio.run(
        deliver(
            producer.send,
            messages,
            hooks=DeliveryHooks(
                on_retry=lambda message, exc, delay: calls["retry"].append(type(exc).__name__),
                on_undeliverable=lambda message, exc: calls["undeliverable"].append(message.key),
                on_delivered=lambda: calls["delivered"].append(True),
            ),
            first_delay=0.0,
        )
    )
    return calls


def test_all_acknowledged_first_time() -> None:
    producer = ScriptedProducer({})
    calls = run(producer)
    assert producer.attempts == [b"k0", b"k1", b"k2", b"k3"]
    assert calls == {"retry": [], "undeliverable": [], "delivered": []}


def test_transient_failure_resends_from_the_failed_message_in_order() -> None:
    producer = ScriptedProducer({(b"k1", 1): NotLeaderForPartitionError()})
    calls = run(producer)
    assert producer.attempts == [b"k0", b"k1", b"k2", b"k3", b"k1", b"k2", b"k3"]
    # The newest record per key is acknowledged last: k2 and k3 again after k1.
    assert producer.acknowledged[-3:] == [b"k1", b"k2", b"k3"]
    assert calls["retry"] == ["NotLeaderForPartitionError"]
    assert calls["delivered"] == [True]


def test_refused_before_queueing_counts_as_a_failure_and_is_retried() -> None:
    wrapped = ProducerSendError("buffer full")
    wrapped.__cause__ = KafkaTimeoutError()
    producer = ScriptedProducer({(b"k2", 1): wrapped, (b"k2", 2): wrapped}, raise_on_send=True)
    calls = run(producer)
    assert producer.attempts == [b"k0", b"k1", b"k2", b"k3", b"k2", b"k3", b"k2", b"k3"]
    assert calls["retry"] == ["ProducerSendError", "ProducerSendError"]
    assert set(producer.acknowledged) == {b"k0", b"k1", b"k2", b"k3"}


def test_permanent_failure_is_isolated_reported_once_and_not_retried() -> None:
    too_large = MessageSizeTooLargeError()
    producer = ScriptedProducer(
        {(b"k1", 1): too_large, (b"k1", 2): too_large, (b"k2", 1): NotLeaderForPartitionError()}
    )
    calls = run(producer)
    # k1 is refused again when sent alone: reported, skipped; what follows is sent again.
    assert producer.attempts == [b"k0", b"k1", b"k2", b"k3", b"k1", b"k2", b"k3"]
    assert calls["undeliverable"] == [b"k1"]
    assert calls["retry"] == []
    assert set(producer.acknowledged) == {b"k0", b"k2", b"k3"}


def test_a_batch_refused_for_a_neighbour_is_not_reported() -> None:
    # The broker refused k1's whole produce batch (k1 and k2), but k1 alone is accepted.
    too_large = MessageSizeTooLargeError()
    refused = {(b"k2", attempt): too_large for attempt in (1, 2, 3)}  # k2 is refused every time
    producer = ScriptedProducer({(b"k1", 1): too_large, **refused})
    calls = run(producer)
    assert calls["undeliverable"] == [b"k2"]
    assert set(producer.acknowledged) == {b"k0", b"k1", b"k3"}


def test_permanent_errors_are_recognised_through_fausts_wrapper() -> None:
    wrapped = ProducerSendError("too large")
    wrapped.__cause__ = MessageSizeTooLargeError()
    assert is_permanent(wrapped)
    assert is_permanent(MessageSizeTooLargeError())
    assert not is_permanent(KafkaTimeoutError())
    timeout = ProducerSendError("timeout")
    timeout.__cause__ = KafkaTimeoutError()
    assert not is_permanent(timeout)


class GatedProducer:
    """Queues sends; each acknowledgement is released by the test (`release`), or failed."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.pending: dict[bytes, asyncio.Future[Any]] = {}

    async def send(self, message: Outbound) -> Awaitable[Any]:
        assert message.key is not None
        self.sent.append(message.key)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[message.key] = future
        return future

    def release(self, *keys: bytes, error: BaseException | None = None) -> None:
        for key in keys:
            future = self.pending.pop(key)
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)


def batch(*names: str) -> list[Outbound]:
    return [Outbound("t", name.encode(), b"v") for name in names]


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def test_ordered_delivery_acks_a_batch_only_after_its_outputs_and_keeps_batches_in_order() -> None:
    async def scenario() -> None:
        producer, acked = GatedProducer(), []

        async def ack(item: str) -> None:
            acked.append(item)

        outputs = OrderedDelivery(producer.send, ack)
        await outputs.submit(batch("a1", "a2"), ["in-a1", "in-a2"])
        assert producer.sent == [b"a1", b"a2"]  # queued by `submit` itself, before the next batch is taken
        await settle()
        assert acked == []  # nothing acknowledged by the broker yet: awaited in the background

        second = asyncio.ensure_future(outputs.submit(batch("b1"), ["in-b1"]))
        await settle()
        assert not second.done()  # waits for the first batch's delivery
        assert producer.sent == [b"a1", b"a2"]  # b1 is not sent before the first batch is delivered

        producer.release(b"a1")
        await settle()
        assert acked == []  # a2 still unacknowledged
        producer.release(b"a2")
        await settle()
        assert acked == ["in-a1", "in-a2"]
        assert second.done()
        assert producer.sent == [b"a1", b"a2", b"b1"]

        producer.release(b"b1")
        await outputs.drain()
        assert acked == ["in-a1", "in-a2", "in-b1"]

    asyncio.run(scenario())


def test_ordered_delivery_resends_before_the_next_batch_and_never_acks_a_cancelled_batch() -> None:
    async def scenario() -> None:
        producer, acked = GatedProducer(), []

        async def ack(item: str) -> None:
            acked.append(item)

        outputs = OrderedDelivery(producer.send, ack)
        await outputs.submit(batch("a1"), ["in-a1"])
        await settle()
        producer.release(b"a1", error=NotLeaderForPartitionError())
        second = asyncio.ensure_future(outputs.submit(batch("b1"), ["in-b1"]))
        await asyncio.sleep(0.6)  # the first resend waits 0.5 s
        assert producer.sent == [b"a1", b"a1"]  # resent first; b1 still waits
        assert not second.done()
        producer.release(b"a1")
        await second
        assert acked == ["in-a1"]

        outputs.cancel()  # stopping: b1 is in flight
        await settle()
        assert acked == ["in-a1"]  # in-b1 stays unacked: it is consumed again
        await outputs.drain()  # nothing left to wait for

    asyncio.run(scenario())


def test_ordered_delivery_raises_what_ended_the_previous_delivery() -> None:
    async def scenario() -> None:
        async def broken_ack(item: str) -> None:
            raise RuntimeError("ack failed")

        outputs = OrderedDelivery(ScriptedProducer({}).send, broken_ack)
        await outputs.submit(batch("a1"), ["in-a1"])
        try:
            await outputs.submit(batch("b1"), ["in-b1"])
        except RuntimeError as exc:
            assert str(exc) == "ack failed"
        else:
            raise AssertionError("the failed delivery was not reported")

    asyncio.run(scenario())
