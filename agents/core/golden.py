"""Golden records: the best current view of an entity, by survivorship rules.

Pure: builds a `GoldenRecord` from the entity's stored source records. Every email, phone and
address ever seen on any of them is kept with the records that carry it and when it was last
seen (merge, never delete). Must not import faust, redis, kafka or prometheus_client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agents.core.entities import StoredRecord
from schemas.outputs import ContactPoint, GoldenRecord

SCALAR_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "company",
    "job_title",
    "country",
    "birth_date",
)


@dataclass(frozen=True)
class SurvivorshipRules:
    """Which record's value survives, per field.

    `source_priority` ranks sources (first wins; unlisted sources rank last), ties broken by
    recency. `most_recent` takes the newest record's value, `most_frequent` the value most
    records agree on (ties: newest), `most_complete` the value of the record with most fields.
    """

    source_priority: tuple[str, ...] = ("erp", "crm_legacy", "shop", "support", "webform", "import")
    field_strategy: Mapping[str, str] = field(
        default_factory=lambda: {
            "full_name": "most_complete",
            "given_name": "most_complete",
            "family_name": "most_complete",
            "company": "source_priority",
            "job_title": "most_recent",
            "country": "most_frequent",
            "birth_date": "most_frequent",
        }
    )
    default_strategy: str = "most_recent"


def _completeness(record: StoredRecord) -> int:
    """Fields the record's contact carries (its model's explicitly set, non-empty fields)."""
    contact = record.contact
    return sum(1 for name in contact.model_fields_set if getattr(contact, name) not in (None, (), {}))


def _ranked(records: Sequence[StoredRecord], rules: SurvivorshipRules, strategy: str) -> list[StoredRecord]:
    recency: Callable[[StoredRecord], tuple[Any, ...]] = lambda r: (r.occurred_at, r.record_id)  # noqa: E731
    if strategy == "source_priority":
        rank = {source: i for i, source in enumerate(rules.source_priority)}
        return sorted(
            records,
            key=lambda r: (rank.get(r.source, len(rank)), -r.occurred_at.timestamp(), r.record_id),
        )
    if strategy == "most_complete":
        return sorted(records, key=lambda r: (_completeness(r), recency(r)), reverse=True)
    return sorted(records, key=recency, reverse=True)


def _survivor(records: Sequence[StoredRecord], field_name: str, rules: SurvivorshipRules) -> Any:
    strategy = rules.field_strategy.get(field_name, rules.default_strategy)
    present = [r for r in records if getattr(r.contact, field_name) is not None]
    if not present:
        return None
    if strategy == "most_frequent":
        counts = Counter(getattr(r.contact, field_name) for r in present)
        newest_first = _ranked(present, rules, "most_recent")
        winner = max(newest_first, key=lambda r: counts[getattr(r.contact, field_name)])
        return getattr(winner.contact, field_name)
    return getattr(_ranked(present, rules, strategy)[0].contact, field_name)


def _points(records: Sequence[StoredRecord], kind: str) -> tuple[ContactPoint, ...]:
    sources: dict[str, set[str]] = {}
    last_seen: dict[str, str] = {}
    for record in records:
        for value, seen in record.points.get(kind, {}).items():
            sources.setdefault(value, set()).add(record.record_id)
            last_seen[value] = max(last_seen.get(value, ""), seen)
    ordered = sorted(sources, key=lambda v: (last_seen[v], v), reverse=True)
    return tuple(
        ContactPoint(
            value=v,
            sources=tuple(sorted(sources[v])),
            last_seen=datetime.fromisoformat(last_seen[v]),
        )
        for v in ordered
    )


def build_golden(
    entity_id: str, records: Sequence[StoredRecord], rules: SurvivorshipRules, *, now: datetime
) -> GoldenRecord:
    """Golden record of one entity from all its current source records (at least one)."""
    if len(records) == 1:  # every strategy picks the only record's value
        values = {name: getattr(records[0].contact, name) for name in SCALAR_FIELDS}
    else:
        values = {name: _survivor(records, name, rules) for name in SCALAR_FIELDS}
    return GoldenRecord(
        entity_id=entity_id,
        record_ids=tuple(sorted(r.record_id for r in records)),
        emails=_points(records, "email"),
        phones=_points(records, "phone"),
        addresses=_points(records, "address"),
        owners=tuple(sorted({r.owner for r in records if r.owner})),
        updated_at=now,
        **values,
    )
