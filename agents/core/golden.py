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
from schemas.outputs import GoldenRecord
from schemas.records import validated

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
    values = contact.__dict__
    return sum(1 for name in contact.model_fields_set if values[name] not in (None, (), {}))


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


def _survivors(records: Sequence[StoredRecord], rules: SurvivorshipRules) -> dict[str, Any]:
    """The surviving value of every scalar field of an entity with several records.

    Each strategy's order of `records` is computed once and shared by its fields. Ranking all
    records and then skipping those without the field gives the same order as ranking only the
    records with it (a stable sort; filtering keeps the order).
    """
    rankings: dict[str, list[dict[str, Any]]] = {}  # strategy -> the contacts' fields, ranked
    values: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        strategy = rules.field_strategy.get(name, rules.default_strategy)
        ranking = "most_recent" if strategy == "most_frequent" else strategy
        ranked = rankings.get(ranking)
        if ranked is None:
            ranked = rankings[ranking] = [r.contact.__dict__ for r in _ranked(records, rules, ranking)]
        if strategy == "most_frequent":
            present = [value for fields in ranked if (value := fields[name]) is not None]
            # The most frequent value; of equally frequent ones, the first in ranked order (newest).
            values[name] = max(present, key=Counter(present).__getitem__) if present else None
        else:
            values[name] = next((value for fields in ranked if (value := fields[name]) is not None), None)
    return values


def _points(records: Sequence[StoredRecord], kind: str) -> list[dict[str, Any]]:
    """Every value of one kind on the records, newest first, with the records carrying it.

    Returned as the fields of `ContactPoint`s: `build_golden` validates them together with the
    golden record (one validation of the whole record, the same checks as building each point).
    """
    if len(records) == 1:  # the common case (a new entity): one source, its own last-seen times
        record = records[0]
        values = record.points.get(kind)
        if not values:
            return []
        sources = (record.record_id,)
        newest_first = sorted(values.items(), key=_seen_then_value, reverse=True) if len(values) > 1 else values.items()
        return [{"value": v, "sources": sources, "last_seen": datetime.fromisoformat(seen)} for v, seen in newest_first]
    carriers: dict[str, set[str]] = {}
    last_seen: dict[str, str] = {}
    for record in records:
        for value, seen in record.points.get(kind, {}).items():
            carriers.setdefault(value, set()).add(record.record_id)
            last_seen[value] = max(last_seen.get(value, ""), seen)
    ordered = sorted(last_seen.items(), key=_seen_then_value, reverse=True)
    return [
        {"value": v, "sources": tuple(sorted(carriers[v])), "last_seen": datetime.fromisoformat(seen)}
        for v, seen in ordered
    ]


def _seen_then_value(item: tuple[str, str]) -> tuple[str, str]:
    value, seen = item
    return seen, value


def build_golden(
    entity_id: str, records: Sequence[StoredRecord], rules: SurvivorshipRules, *, now: datetime
) -> GoldenRecord:
    """Golden record of one entity from all its current source records (at least one)."""
    if len(records) == 1:  # every strategy picks the only record's value
        record = records[0]
        contact = record.contact
        values: dict[str, Any] = {name: getattr(contact, name) for name in SCALAR_FIELDS}
        values["record_ids"] = (record.record_id,)
        values["owners"] = (record.owner,) if record.owner else ()
    else:
        values = _survivors(records, rules)
        values["record_ids"] = tuple(sorted(r.record_id for r in records))
        values["owners"] = tuple(sorted({r.owner for r in records if r.owner}))
    values["entity_id"] = entity_id
    values["emails"] = _points(records, "email")
    values["phones"] = _points(records, "phone")
    values["addresses"] = _points(records, "address")
    values["updated_at"] = now
    # One validation of the whole record, nested contact points included (as strict as
    # building each `ContactPoint` first, without a Python-level model call per point).
    return validated(GoldenRecord, values)
