"""`monitoring.exposition.LeanPrometheusMonitor` exports what Faust's own `PrometheusMonitor` does."""

from __future__ import annotations

from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.types import TP
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics import MetricWrapperBase

from monitoring.exposition import FAUST_METRICS_PREFIX, LeanPrometheusMonitor, mount_metrics


class _Owner:
    """The agent task that owns a stream (the base Monitor keys weak references by it)."""


class _Stream:
    """The attributes of a Faust stream that the monitors read."""

    def __init__(self, label: str) -> None:
        self.shortlabel = f"Stream: {label}"
        self.task_owner = _Owner()

    def __str__(self) -> str:
        return self.shortlabel


class _Message:
    def __init__(self, tp: TP, offset: int) -> None:
        self.tp, self.offset = tp, offset
        self.time_in = self.time_out = self.time_total = None


class _Event:
    def __init__(self, message: _Message) -> None:
        self.message = message


def _replay(app: faust.App) -> None:
    """The hooks Faust calls per consumed message, over 2 topics x 3 partitions and 2 streams."""
    monitor = app.monitor
    streams = [_Stream("agents.clean_contacts"), _Stream("bench.forward")]
    for number in range(60):
        tp = TP(("crm.contacts.changes", "other.topic")[number % 2], number % 3)
        message = _Message(tp, 1000 + number)
        stream = streams[number % 5 == 0]
        monitor.on_message_in(tp, message.offset, message)
        state = monitor.on_stream_event_in(tp, message.offset, stream, _Event(message))
        if number % 7:  # some events are still in flight when the metrics are read
            monitor.on_stream_event_out(tp, message.offset, stream, _Event(message), state)
            monitor.on_message_out(tp, message.offset, message)


def _exposition(registry: CollectorRegistry) -> list[str]:
    """Every sample line but timings (latency sums and buckets) and creation times."""
    return sorted(
        line
        for line in generate_latest(registry).decode().splitlines()
        if "_created" not in line
        and not (("latency" in line or "runtime" in line) and ("_sum" in line or "_bucket" in line))
    )


def test_same_samples_as_fausts_prometheus_monitor() -> None:
    stock_registry, lean_registry = CollectorRegistry(), CollectorRegistry()
    stock = faust.App("dq-exposition-stock", broker="memory://", store="memory://")
    setup_prometheus_sensors(stock, registry=stock_registry, name_prefix=FAUST_METRICS_PREFIX)
    lean = faust.App("dq-exposition-lean", broker="memory://", store="memory://")
    mount_metrics(lean, lean_registry)
    assert isinstance(lean.monitor, LeanPrometheusMonitor)
    _replay(stock)
    _replay(lean)
    lines = _exposition(lean_registry)
    assert lines == _exposition(stock_registry)
    # The comparison covers the per-topic, per-partition and per-stream series.
    assert any('partition="2",topic="other.topic"} 1059.0' in line for line in lines)
    assert any('stream.agents.clean_contacts.events"} 48.0' in line for line in lines)
    assert lean.monitor.messages_received_total == stock.monitor.messages_received_total == 60
    assert lean.monitor.events_active == stock.monitor.events_active > 0


def _labels_lookups(app: faust.App) -> int:
    """How many labelled children `_replay` resolves (a lock and a tuple each)."""
    calls = 0
    original = MetricWrapperBase.labels

    def counting_labels(self: MetricWrapperBase, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    MetricWrapperBase.labels = counting_labels  # type: ignore[method-assign]
    try:
        _replay(app)
    finally:
        MetricWrapperBase.labels = original  # type: ignore[method-assign]
    return calls


def test_lean_monitor_resolves_each_child_once() -> None:
    """The cost it removes, counted rather than timed: label lookups per message."""
    stock = faust.App("dq-exposition-stock-calls", broker="memory://", store="memory://")
    setup_prometheus_sensors(stock, registry=CollectorRegistry(), name_prefix=FAUST_METRICS_PREFIX)
    lean = faust.App("dq-exposition-lean-calls", broker="memory://", store="memory://")
    mount_metrics(lean, CollectorRegistry())
    assert _labels_lookups(stock) == 60 * 3  # topic, partition and stream, per message
    assert _labels_lookups(lean) == 6 * 2 + 2  # per partition (2 series) and per stream, once
