"""Every Kafka topic of the service, declared once: names, partitions, configs.

`ensure_topics` creates missing topics with the right configs at start (kafka-python admin).
Faust topic objects for agents live in `streams.app`. Must not hold processing logic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.settings import KafkaSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    """A topic the service owns."""

    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)


def topic_specs(kafka: KafkaSettings) -> tuple[TopicSpec, ...]:
    """The service's topics with their configs (what each carries: README, "Topics")."""
    n = kafka.topic_partitions
    compacted = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1", "segment.ms": "3600000"}
    return (
        TopicSpec(kafka.input_topic, n),
        TopicSpec(kafka.cleaned_topic, n),
        TopicSpec(kafka.rejected_topic, n),
        TopicSpec(kafka.review_topic, n),
        TopicSpec(kafka.golden_topic, n, compacted),  # one golden record per entity id
    )


def ensure_topics(kafka: KafkaSettings) -> list[str]:
    """Create the service's topics that do not exist yet. Returns the names created."""
    admin = KafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, client_id="crm-dq-admin")
    try:
        existing = set(admin.list_topics())
        missing = [spec for spec in topic_specs(kafka) if spec.name not in existing]
        created: list[str] = []
        for spec in missing:
            try:
                admin.create_topics(
                    [
                        NewTopic(
                            spec.name,
                            spec.partitions,
                            kafka.replication_factor,
                            topic_configs=spec.configs,
                        )
                    ]
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:  # another worker created it in between
                pass
        if created:
            log.info("created topics: %s", ", ".join(created))
        return created
    finally:
        admin.close()
