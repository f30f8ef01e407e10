"""Golden records: the best current view of an entity, by survivorship rules.

Pure: builds a `GoldenRecord` from the entity's stored source records. Every email, phone and
address ever seen on any of them is kept with the records that carry it and when it was last
seen (merge, never delete). Must not import faust, redis, kafka or prometheus_client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import countOf, itemgetter
from typing import Any

from agents.core.entities import POINT_KINDS, StoredRecord
from schemas.outputs import GoldenRecord
from schemas.records import validated
from schemas.wire import golden_fields_to_bytes, to_bytes

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
    values = list(map(contact.__dict__.__getitem__, contact.model_fields_set))
    # Each value is a str, date, tuple, dict or None: it equals at most one of None, (), {}.
    return len(values) - countOf(values, None) - countOf(values, ()) - countOf(values, {})


def _orders(records: Sequence[StoredRecord], rules: SurvivorshipRules, rankings: set[str]) -> dict[str, list[int]]:
    """Positions of `records` in the order of each ranking (strategy) in `rankings`.

    Each record's sort keys are computed once; sorting positions by them gives the very order
    sorting the records themselves would (a stable sort, the same keys in the same order).
    """
    recency = [(r.occurred_at, r.record_id) for r in records]
    positions = range(len(records))
    orders: dict[str, list[int]] = {}
    for ranking in rankings:
        if ranking == "source_priority":
            rank = {source: i for i, source in enumerate(rules.source_priority)}
            unlisted = len(rank)
            by_source = [(rank.get(r.source, unlisted), -r.occurred_at.timestamp(), r.record_id) for r in records]
            orders[ranking] = sorted(positions, key=by_source.__getitem__)
        elif ranking == "most_complete":
            by_fields = [(_completeness(r), seen) for r, seen in zip(records, recency, strict=True)]
            orders[ranking] = sorted(positions, key=by_fields.__getitem__, reverse=True)
        else:
            orders[ranking] = sorted(positions, key=recency.__getitem__, reverse=True)
    return orders


def _survivors(records: Sequence[StoredRecord], rules: SurvivorshipRules) -> dict[str, Any]:
    """The surviving value of every scalar field of an entity with several records.

    Each strategy's order of `records` is computed once and shared by its fields. Ranking all
    records and then skipping those without the field gives the same order as ranking only the
    records with it (a stable sort; filtering keeps the order).
    """
    strategies = {name: rules.field_strategy.get(name, rules.default_strategy) for name in SCALAR_FIELDS}
    # most_frequent ranks by recency: of equally frequent values, the newest wins.
    rankings = {"most_recent" if s == "most_frequent" else s for s in strategies.values()}
    contacts = [r.contact.__dict__ for r in records]
    ranked = {ranking: [contacts[i] for i in order] for ranking, order in _orders(records, rules, rankings).items()}
    values: dict[str, Any] = {}
    for name, strategy in strategies.items():
        if strategy == "most_frequent":
            present = [value for fields in ranked["most_recent"] if (value := fields[name]) is not None]
            # The most frequent value; of equally frequent ones, the first in ranked order (newest).
            # `list.count` counts as `Counter` does (every value is hashable); it is quadratic,
            # so long lists take the Counter.
            count = present.count if len(present) <= 16 else Counter(present).__getitem__
            values[name] = max(present, key=count) if present else None
        else:
            value = None
            for fields in ranked[strategy]:
                value = fields[name]
                if value is not None:
                    break
            values[name] = value
    return values


def _points(records: Sequence[StoredRecord], kind: str) -> list[dict[str, Any]]:
    """Every value of one kind on the records, newest first, with the records carrying it.

    Returned as the fields of `ContactPoint`s: `build_golden` validates them together with the
    golden record (one validation of the whole record, the same checks as building each point).
    Newest first means by (last seen, value), descending: the ISO strings as stored, compared as
    strings, as the index has always ordered them.
    """
    if len(records) == 1:  # the common case (a new entity): one source, its own last-seen times
        record = records[0]
        return _own_points(record.record_id, record.points.get(kind))
    carriers: dict[str, set[str]] = {}
    last_seen: dict[str, str] = {}
    for record in records:
        seen_on = record.points.get(kind)
        if not seen_on:
            continue
        record_id = record.record_id
        for value, seen in seen_on.items():
            carrying = carriers.get(value)
            if carrying is None:
                carriers[value] = {record_id}
                last_seen[value] = seen
            else:
                carrying.add(record_id)
                if seen > last_seen[value]:
                    last_seen[value] = seen
    # (seen, value) pairs sort, descending, exactly as sorting by that key: the values differ.
    ordered = sorted(zip(last_seen.values(), last_seen.keys(), strict=True), reverse=True)
    return [
        {"value": v, "sources": tuple(sorted(carriers[v])), "last_seen": datetime.fromisoformat(seen)}
        for seen, v in ordered
    ]


def _own_points(record_id: str, seen_on: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """`_points` of one record: its values of one kind (value -> last seen), newest first."""
    if not seen_on:
        return []
    sources = (record_id,)
    if len(seen_on) == 1:
        ((value, seen),) = seen_on.items()
        return [{"value": value, "sources": sources, "last_seen": datetime.fromisoformat(seen)}]
    ordered = sorted(zip(seen_on.values(), seen_on.keys(), strict=True), reverse=True)
    return [{"value": v, "sources": sources, "last_seen": datetime.fromisoformat(seen)} for seen, v in ordered]


_SCALAR_VALUES = itemgetter(*SCALAR_FIELDS)


def build_golden(
    entity_id: str, records: Sequence[StoredRecord], rules: SurvivorshipRules, *, now: datetime
) -> GoldenRecord:
    """Golden record of one entity from all its current source records (at least one)."""
    # One validation of the whole record, nested contact points included (as strict as
    # building each `ContactPoint` first, without a Python-level model call per point).
    return validated(GoldenRecord, _golden_values(entity_id, records, rules, now))


def golden_json(entity_id: str, records: Sequence[StoredRecord], rules: SurvivorshipRules, *, now: datetime) -> bytes:
    """`to_bytes(build_golden(entity_id, records, rules, now=now))`, without building the model when it can.

    When every value is already of the very type the model holds (`_kept_by_validation`), so
    validation would pass and keep each value as it is, the golden record is written straight
    from its fields (`schemas.wire.golden_fields_to_bytes`): building and validating the model
    and its contact points cost more than the rest. Anything else takes the general path.
    """
    values = _golden_values(entity_id, records, rules, now)
    if _kept_by_validation(entity_id, records, now):
        written = golden_fields_to_bytes(_GOLDEN_DEFAULTS | values)
        if written is not None:
            return written
    return to_bytes(validated(GoldenRecord, values))


def _golden_values(
    entity_id: str, records: Sequence[StoredRecord], rules: SurvivorshipRules, now: datetime
) -> dict[str, Any]:
    """The fields `build_golden` validates (contact points as their fields), in no particular order."""
    if len(records) == 1:  # every strategy picks the only record's value
        record = records[0]
        values: dict[str, Any] = dict(zip(SCALAR_FIELDS, _SCALAR_VALUES(record.contact.__dict__), strict=True))
        values["record_ids"] = (record.record_id,)
        values["owners"] = (record.owner,) if record.owner else ()
        points = record.points
        record_id = record.record_id
        values["emails"] = _own_points(record_id, points.get("email"))
        values["phones"] = _own_points(record_id, points.get("phone"))
        values["addresses"] = _own_points(record_id, points.get("address"))
    else:
        values = _survivors(records, rules)
        values["record_ids"] = tuple(sorted(r.record_id for r in records))
        values["owners"] = tuple(sorted({r.owner for r in records if r.owner}))
        values["emails"] = _points(records, "email")
        values["phones"] = _points(records, "phone")
        values["addresses"] = _points(records, "address")
    values["entity_id"] = entity_id
    values["updated_at"] = now
    return values


_TEXT = frozenset({str})
_GOLDEN_DEFAULTS: dict[str, Any] = {
    name: None if field.is_required() else field.default for name, field in GoldenRecord.model_fields.items()
}
"""Every field of `GoldenRecord` in declaration order, with its default (None for a required field):
`_GOLDEN_DEFAULTS | values` holds the fields of the validated record in their order."""


def _kept_by_validation(entity_id: str, records: Sequence[StoredRecord], now: datetime) -> bool:
    """Whether `GoldenRecord` validation keeps every value of `_golden_values` as it is.

    The contact fields come from validated `NormalizedContact`s and the contact points from
    `_own_points` / `_points` (str value, record ids, a `datetime` from `fromisoformat`); what
    is left to check is each record's id and owner, each point value, the entity id and `now`.
    """
    if type(entity_id) is not str or type(now) is not datetime:
        return False
    for record in records:
        owner = record.owner
        if type(record.record_id) is not str or (owner is not None and type(owner) is not str):
            return False
        points = record.points
        for kind in POINT_KINDS:
            seen_on = points.get(kind)
            if seen_on and not _TEXT.issuperset(map(type, seen_on)):
                return False
    return True
