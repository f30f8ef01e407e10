"""Builds the processing pipeline from settings.

The one place that wires config files, the match model and the Redis index together (used by
the worker and by `dedupe`).

Must not start anything: the Redis client connects lazily on first use.
"""

from __future__ import annotations

from agents.core.cleaning import load_cleaning_config
from agents.core.entities import MatchPolicy
from agents.core.golden import SurvivorshipRules
from agents.core.scoring import MatchThresholds, load_match_model
from agents.pipeline import ContactPipeline
from monitoring.metrics import DQMetrics
from streams.match_index import RedisMatchIndex
from streams.settings import Settings


def build_pipeline(settings: Settings, metrics: DQMetrics | None, *, prefix: str | None = None) -> ContactPipeline:
    """The processing pipeline with its Redis index, from settings (used by worker and `dedupe`)."""
    observe = metrics.observe_redis if metrics is not None else None
    index = RedisMatchIndex.from_settings(settings.redis, settings.match, prefix=prefix, observe=observe)
    match = settings.match
    policy = MatchPolicy(
        model=load_match_model(match.model_path),
        thresholds=MatchThresholds(auto_merge_at=match.auto_merge_at, review_at=match.review_at),
        max_candidates=match.max_candidates,
        event_ttl_seconds=settings.redis.event_ttl_seconds,
    )
    return ContactPipeline(
        cleaning=load_cleaning_config(settings.cleaning.rules_path, settings.cleaning.mappings_path),
        index=index,
        policy=policy,
        survivorship=SurvivorshipRules(),
        topics=settings.kafka,
        metrics=metrics,
        max_commit_retries=match.max_commit_retries,
    )
