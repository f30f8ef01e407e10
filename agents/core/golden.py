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
        completeness = {id(r): _completeness(r) for r in records}
        return sorted(records, key=lambda r: (completeness[id(r)], recency(r)), reverse=True)
    return sorted(records, key=recency, reverse=True)


def _survivor(
    records: Sequence[StoredRecord],
    field_name: str,
    rules: SurvivorshipRules,
    rankings: dict[str, list[StoredRecord]],
) -> Any:
    """The surviving value of one field; `rankings` caches each strategy's order of `records`.

    Ranking all records once per strategy and then skipping those without the field gives the
    same order as ranking only the records with it (a stable sort; filtering keeps the order).
    """
    strategy = rules.field_strategy.get(field_name, rules.default_strategy)
    ranking_strategy = "most_recent" if strategy == "most_frequent" else strategy
    ranked = rankings.get(ranking_strategy)
    if ranked is None:
        ranked = rankings[ranking_strategy] = _ranked(records, rules, ranking_strategy)
    present = [r for r in ranked if getattr(r.contact, field_name) is not None]
    if not present:
        return None
    if strategy == "most_frequent":
        counts = Counter(getattr(r.contact, field_name) for r in present)
        winner = max(present, key=lambda r: counts[getattr(r.contact, field_name)])
        return getattr(winner.contact, field_name)
    return getattr(present[0].contact, field_name)


def _points(records: Sequence[StoredRecord], kind: str) -> tuple[ContactPoint, ...]:
    """Every value of one kind on the records, newest first, with the records carrying it."""
    if len(records) == 1:  # the common case (a new entity): one source, its own last-seen times
        record = records[0]
        values = record.points.get(kind)
        if not values:
            return ()
        sources = (record.record_id,)
        newest_first = sorted(values.items(), key=_seen_then_value, reverse=True) if len(values) > 1 else values.items()
        return tuple(
            ContactPoint(value=v, sources=sources, last_seen=datetime.fromisoformat(seen)) for v, seen in newest_first
        )
    carriers: dict[str, set[str]] = {}
    last_seen: dict[str, str] = {}
    for record in records:
        for value, seen in record.points.get(kind, {}).items():
            carriers.setdefault(value, set()).add(record.record_id)
            last_seen[value] = max(last_seen.get(value, ""), seen)
    ordered = sorted(last_seen.items(), key=_seen_then_value, reverse=True)
    return tuple(
        ContactPoint(value=v, sources=tuple(sorted(carriers[v])), last_seen=datetime.fromisoformat(seen))
        for v, seen in ordered
    )


def _seen_then_value(item: tuple[str, str]) -> tuple[str, str]:
    value, seen = item
    return seen, value


def build_golden(
    entity_id: str, records: Sequence[StoredRecord], rules: SurvivorshipRules, *, now: datetime
) -> GoldenRecord:
    """Golden record of one entity from all its current source records (at least one)."""
    if len(records) == 1:  # every strategy picks the only record's value
        values = {name: getattr(records[0].contact, name) for name in SCALAR_FIELDS}
    else:
        rankings: dict[str, list[StoredRecord]] = {}
        values = {name: _survivor(records, name, rules, rankings) for name in SCALAR_FIELDS}
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
