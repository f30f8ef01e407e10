"""Models published on the output topics: cleaned, rejected, review and golden records.

Data only; building them is the job of `agents.core` and the agents (the hot path builds them
with `schemas.records.validated`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from schemas.events import EventType, RecordType
from schemas.records import RULES_VERSION, Issue, NormalizedContact, QualityReport, Strict


class Decision(StrEnum):
    """Outcome of matching one accepted event against the index."""

    NEW = "new"  # no candidate at all: a new entity
    DISTINCT = "distinct"  # candidates scored, none close enough: a new entity
    MERGED = "merged"  # joined an existing entity (high confidence, corroborated)
    REVIEW = "review"  # ambiguous or cross-owner: a new entity, and a person is asked
    UPDATED = "updated"  # a new version of a known source record: its entity is kept
    DUPLICATE_EVENT = "duplicate_event"  # an event id already applied: nothing changed
    ERASED = "erased"  # contact.deleted applied


class FieldComparison(Strict):
    """How one field of two records compared, and how much that weighed."""

    field: str
    level: str = Field(description="Comparison level, e.g. exact, jw>=0.92, different, missing.")
    weight: float = Field(description="log2 Bayes factor contributed (0 when missing).")


class MatchDecision(Strict):
    """The match verdict for one event, with its explanation."""

    decision: Decision
    entity_id: str | None = Field(description="Entity the record now belongs to.")
    matched_entity_id: str | None = Field(None, description="Best candidate entity, if any.")
    score: float | None = Field(None, ge=0, le=1, description="Match probability of the best pair.")
    match_weight: float | None = Field(None, description="Total log2 Bayes factor of the best pair.")
    explanation: tuple[FieldComparison, ...] = ()
    candidates: int = Field(0, description="Candidate records scored.")
    reason: str = Field("", description="One-line human summary of the decision.")


class CleanedEvent(Strict):
    """An accepted event, normalized, with its quality report and match decision."""

    event_id: str
    event_type: EventType
    source: str
    external_id: str
    record_id: str
    record_type: RecordType
    owner: str | None
    department: str | None
    occurred_at: datetime
    processed_at: datetime
    contact: NormalizedContact
    quality: QualityReport
    match: MatchDecision | None = None


class RejectedEvent(Strict):
    """A dead letter: the original payload, where it came from, and every reason."""

    event_id: str | None
    source: str | None
    external_id: str | None = None
    reasons: tuple[Issue, ...]
    payload: str = Field(description="Original payload: UTF-8 text, or base64 if not UTF-8.")
    payload_encoding: Literal["utf-8", "base64"]
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    rejected_at: datetime
    rules_version: str = RULES_VERSION


class ReviewItem(Strict):
    """A candidate duplicate that needs a person (ambiguous, or owned by another owner)."""

    review_id: str = Field(description="Deterministic: same event and candidate, same id.")
    event_id: str
    record_id: str
    entity_id: str | None
    candidate_entity_id: str
    owner: str | None
    candidate_owners: tuple[str, ...]
    reason: str
    score: float
    explanation: tuple[FieldComparison, ...]
    record: NormalizedContact
    candidate: NormalizedContact


class ContactPoint(Strict):
    """An email, phone or address seen for an entity, with where and when."""

    value: str
    sources: tuple[str, ...] = Field(description="Record ids (source:external_id) that carry it.")
    last_seen: datetime


class GoldenRecord(Strict):
    """The best current view of one entity (compacted topic, keyed by entity id)."""

    entity_id: str
    merged_into: str | None = Field(None, description="Set when this entity was absorbed: read the survivor instead.")
    record_ids: tuple[str, ...] = ()
    full_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    emails: tuple[ContactPoint, ...] = ()
    phones: tuple[ContactPoint, ...] = ()
    addresses: tuple[ContactPoint, ...] = ()
    company: str | None = None
    job_title: str | None = None
    country: str | None = None
    birth_date: date | None = None
    owners: tuple[str, ...] = ()
    updated_at: datetime
    rules_version: str = RULES_VERSION
