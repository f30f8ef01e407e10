"""Service configuration: one frozen `Settings` built once at start and passed in.

Environment variables: `DQ_<FIELD>`, nested with `__` (e.g. `DQ_REDIS__URL`,
`DQ_MATCH__AUTO_MERGE_AT`). Nothing else in the service reads `os.environ` for its own settings.
Must not open connections or read files: callers do that with the values found here.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class KafkaSettings(BaseModel):
    """Broker and topics."""

    model_config = {"frozen": True}

    broker: str = Field("kafka://localhost:9092", description="Faust broker URL(s), `kafka://host:port`.")
    topic_partitions: int = Field(6, ge=1, description="Partitions of topics created by the service.")
    replication_factor: int = Field(1, ge=1, description="Replication factor of created topics.")
    input_topic: str = Field("crm.contacts.changes", description="Contact-change events (input).")
    cleaned_topic: str = Field("crm.contacts.cleaned", description="Accepted, normalized events.")
    rejected_topic: str = Field("crm.contacts.rejected", description="Dead letters with every reason.")
    review_topic: str = Field("crm.contacts.review", description="Candidate duplicates for a person.")
    golden_topic: str = Field("crm.contacts.golden", description="Golden record per entity (compacted).")
    fetch_min_bytes: int = Field(
        16_384,
        ge=1,
        description="Bytes the broker gathers before answering a consumer fetch (aiokafka's default is 1).",
    )
    fetch_max_wait_ms: int = Field(
        50,
        ge=0,
        description="Longest the broker holds a fetch while fewer bytes are there: the latency it may add.",
    )
    max_message_bytes: int = Field(
        1_000_000,
        ge=1024,
        description="Largest message fetched or produced (rules.yaml `max_payload_bytes` rejects smaller ones).",
    )

    @property
    def output_topics(self) -> tuple[str, ...]:
        """The topics the worker publishes to."""
        return (self.cleaned_topic, self.rejected_topic, self.review_topic, self.golden_topic)

    @property
    def bootstrap_servers(self) -> str:
        """`host:port[,host:port]` for kafka-python / aiokafka clients."""
        return ",".join(url.split("://", 1)[-1] for url in self.broker.split(","))


class RedisSettings(BaseModel):
    """The match index."""

    model_config = {"frozen": True}

    url: str = Field("redis://localhost:6379/0", description="Redis URL of the match index.")
    key_prefix: str = Field("dq:v1", description="Key namespace (a new normalization version gets a new prefix).")
    cluster: bool = Field(False, description="Connect with the Redis Cluster client.")
    timeout_seconds: float = Field(5.0, gt=0, description="Socket timeout of Redis calls.")
    event_ttl_seconds: int = Field(
        14 * 24 * 3600,
        ge=60,
        description="How long applied event ids are remembered for idempotency.",
    )


class MatchSettings(BaseModel):
    """Duplicate detection."""

    model_config = {"frozen": True}

    model_path: Path = Field(REPO_ROOT / "config/match_model.json", description="Fellegi-Sunter parameters.")
    auto_merge_at: float = Field(
        0.95,
        ge=0,
        le=1,
        description="Match probability at/above which a corroborated same-owner pair merges.",
    )
    review_at: float = Field(0.6, ge=0, le=1, description="Match probability at/above which a pair goes to review.")
    max_candidates_per_key: int = Field(10, ge=1, description="Newest records read per blocking key (bounded fan-out).")
    max_candidates: int = Field(20, ge=1, description="Candidate records scored per event at most.")
    max_commit_retries: int = Field(8, ge=1, description="Optimistic-concurrency retries per event.")


class CleaningSettings(BaseModel):
    """Validation and normalization."""

    model_config = {"frozen": True}

    rules_path: Path = Field(REPO_ROOT / "config/rules.yaml", description="Rules, picklists and severities.")
    mappings_path: Path = Field(REPO_ROOT / "config/mappings.yaml", description="Per-source field mappings.")


class MonitoringSettings(BaseModel):
    """Metrics labels."""

    model_config = {"frozen": True}

    known_sources: tuple[str, ...] = Field(
        ("webform", "erp", "shop", "support", "import", "crm_legacy"),
        description="Source names always used as metric labels.",
    )
    max_label_values: int = Field(50, ge=1, description="Other label values seen first; the rest count as `other`.")


class Settings(BaseSettings):
    """Root settings (frozen)."""

    model_config = SettingsConfigDict(env_prefix="DQ_", env_nested_delimiter="__", frozen=True)

    app_id: str = Field("crm-dq", description="Faust app id (consumer group).")
    web_port: int = Field(6066, description="Worker web server port (/metrics, /healthz, /readyz).")
    batch_size: int = Field(100, ge=1, description="Most events per micro-batch.")
    batch_timeout_seconds: float = Field(
        0.0,
        ge=0,
        description="Once a micro-batch has its first event, how long to wait for more while fewer than "
        "`batch_size` are waiting (0: take what arrived while the previous batch was processed).",
    )
    kafka: KafkaSettings = KafkaSettings()
    redis: RedisSettings = RedisSettings()
    match: MatchSettings = MatchSettings()
    cleaning: CleaningSettings = CleaningSettings()
    monitoring: MonitoringSettings = MonitoringSettings()


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build the settings once per process (tests: `get_settings.cache_clear()`)."""
    return Settings()
