"""The Faust app: built from one frozen `Settings`, holding the pipeline, metrics and health pages.

`create_app(settings)` builds everything (no connection is opened until the worker runs: the
Redis client connects lazily). The module-level `app` is what the CLI runs and what agents
register on. Must not hold processing logic (that is `agents.pipeline` and `agents.core`).
"""

from __future__ import annotations

from typing import Any

from faust.web import Request, Response, View
from mode.utils.logging import get_logger
from prometheus_client import REGISTRY, CollectorRegistry

from agents.core import BUILD as CORE_BUILD
from agents.pipeline import ContactPipeline
from monitoring.exposition import mount_metrics
from monitoring.metrics import DQMetrics, LabelLimits
from schemas.records import RULES_VERSION
from streams.kafka_transport import FetchTunedApp
from streams.match_index import RedisMatchIndex
from streams.settings import Settings, get_settings
from streams.wiring import build_pipeline

VERSION = "0.1.0"
logger = get_logger(__name__)


class DQApp(FetchTunedApp):
    """faust.App with the service's typed collaborators (and the consumer's fetch batching)."""

    settings: Settings
    metrics: DQMetrics
    index: RedisMatchIndex
    pipeline: ContactPipeline


def create_app(settings: Settings, *, registry: CollectorRegistry = REGISTRY) -> DQApp:
    """Build the Faust app, its metrics (`/metrics`), health pages and pipeline."""
    app = DQApp(
        settings.app_id,
        broker=settings.kafka.broker,
        web_port=settings.web_port,
        topic_partitions=settings.kafka.topic_partitions,
        topic_replication_factor=settings.kafka.replication_factor,
        autodiscover=["agents"],
        origin="streams",
        key_serializer="raw",
        value_serializer="raw",
        producer_acks=-1,
        producer_max_request_size=max(settings.kafka.max_message_bytes * 2, 1_048_576),
        consumer_max_fetch_size=max(settings.kafka.max_message_bytes * 2, 4_194_304),
    )
    app.settings = settings
    app.use_fetch_settings(settings.kafka)
    app.metrics = DQMetrics.create(
        registry,
        label_limits=LabelLimits(
            sources=settings.monitoring.known_sources, max_seen=settings.monitoring.max_label_values
        ),
    )
    app.metrics.set_build_info(VERSION, RULES_VERSION, "native" if CORE_BUILD.native else "python")
    mount_metrics(app, registry)
    app.metrics.bind_output_topics(settings.kafka.output_topics)
    app.pipeline = build_pipeline(settings, app.metrics)
    app.index = app.pipeline.index
    _mount_health(app)

    @app.task
    async def log_core_build() -> None:
        """Say once, at start, which build of the core runs (native, or pure Python and why)."""
        logger.info("decision core: %s", CORE_BUILD)

    return app


async def readiness(app: DQApp) -> dict[str, bool]:
    """Kafka reachable, input partitions assigned to this worker, Redis answering."""
    checks = {"redis": False, "kafka": False, "partitions_assigned": False}
    try:
        checks["redis"] = await app.index.ping()
    except Exception:  # any failure means not ready; the cause is in the worker log
        checks["redis"] = False
    try:
        input_topic_name = app.settings.kafka.input_topic
        assignment = app.consumer.assignment()
        checks["partitions_assigned"] = any(tp.topic == input_topic_name for tp in assignment)
        checks["kafka"] = bool(assignment)
    except Exception:
        checks["kafka"] = False
    app.metrics.set_ready(all(checks.values()))
    return checks


def _mount_health(app: DQApp) -> None:
    @app.page("/healthz")
    class Healthz(View):
        """Process alive."""

        async def get(self, request: Request, **kwargs: Any) -> Response:
            return self.json({"status": "ok"})

    @app.page("/readyz")
    class Readyz(View):
        """Kafka and Redis reachable, input partitions assigned (503 otherwise)."""

        async def get(self, request: Request, **kwargs: Any) -> Response:
            checks = await readiness(app)
            ready = all(checks.values())
            return self.json({"ready": ready, "checks": checks}, status=200 if ready else 503)

    @app.timer(interval=10.0, name="refresh_readiness")
    async def refresh_readiness() -> None:
        """Keep `dq_worker_ready` current even when nothing probes /readyz."""
        await readiness(app)


app = create_app(get_settings())
input_topic = app.topic(app.settings.kafka.input_topic, key_type=bytes, value_type=bytes)
