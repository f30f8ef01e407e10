"""Serve the metrics registry at `/metrics` on the Faust worker's own web server (port 6066).

Faust's Prometheus sensor does the serving: one endpoint carries our `dq_*` metrics and Faust's
consumer, producer, commit and rebalance metrics (prefix `dq_faust_`). Must not define `dq_*`
metrics (that is `monitoring.metrics`) nor start a second HTTP server.
"""

from __future__ import annotations

from faust.sensors.prometheus import setup_prometheus_sensors
from faust.types import AppT
from prometheus_client import CollectorRegistry

FAUST_METRICS_PREFIX = "dq_faust"
"""Name prefix of the metrics Faust's sensor registers (e.g. `dq_faust_messages_received_total`)."""


def mount_metrics(app: AppT, registry: CollectorRegistry, *, path: str = "/metrics") -> None:
    """Serve `registry` at `path` and record Faust's own metrics on it.

    Call once per app, while building it and before the worker starts: it replaces
    `app.monitor` with Faust's `PrometheusMonitor` and registers its metric families on
    `registry` (a second call on the same registry raises ``Duplicated timeseries``).

    Args:
        app: The Faust app; its web server must be enabled (the default).
        registry: The registry `DQMetrics.create` was given.
        path: URL path of the endpoint.
    """
    setup_prometheus_sensors(app, pattern=path, registry=registry, name_prefix=FAUST_METRICS_PREFIX)
