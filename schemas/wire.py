"""The only JSON (de)serialization of models on Kafka topics.

Topics carry raw bytes (Faust has no pydantic integration); these helpers convert with
pydantic's own JSON core, or, for the output models published per event, with orjson when it
is known to write the very same bytes (`to_bytes`). Must not do any I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel
from pydantic_core import TzInfo

from schemas.outputs import (
    CleanedEvent,
    ContactPoint,
    FieldComparison,
    GoldenRecord,
    MatchDecision,
    RejectedEvent,
    ReviewItem,
)
from schemas.records import Fix, Issue, NormalizedContact, Phone, QualityReport

ModelT = TypeVar("ModelT", bound=BaseModel)

_MINUTE = timedelta(minutes=1)
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})

FIELD_DUMP_MODELS: frozenset[type[BaseModel]] = frozenset(
    {
        CleanedEvent,
        ContactPoint,
        FieldComparison,
        Fix,
        GoldenRecord,
        Issue,
        MatchDecision,
        NormalizedContact,
        Phone,
        QualityReport,
        RejectedEvent,
        ReviewItem,
    }
)
"""Models whose JSON is their fields in declaration order, each written as its own type: no
aliases, computed fields, custom serializers or excluded fields (tests/unit/test_wire.py checks
that). orjson writes such a model from its `__dict__` (which pydantic fills in field order) and
gives the same bytes as pydantic for every value, except a datetime whose UTC offset is not a
whole number of minutes (pydantic cuts the seconds, orjson rounds): `_ORJSON_EXACT` rules those out.
"""

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_PASSTHROUGH_DATACLASS
"""UTC as "Z", as pydantic writes it; a dataclass (which pydantic and orjson write differently)
goes to `_model_fields`, which refuses it, so the model is written by pydantic instead."""


def to_bytes(model: BaseModel) -> bytes:
    """Serialize a model to compact UTF-8 JSON (the bytes of `model.model_dump_json()`).

    The output models published per event are written by orjson when `_ORJSON_EXACT` says it
    writes exactly pydantic's bytes (always, for the values the pipeline builds), in half the
    instructions (a cleaned event: ~46 k instead of ~92 k, the exactness check included).
    Anything orjson does not write as pydantic does (a dataclass, an integer beyond 64 bits, a
    set, a non-str key...) makes it raise, and pydantic writes the model. Other models go
    straight to the model's serializer (`model_dump_json` would build the same bytes and decode
    them to a str, which the producer would only encode again).
    """
    exact = _ORJSON_EXACT.get(type(model))
    if exact is not None and exact(model):
        try:
            return orjson.dumps(model.__dict__, default=_model_fields, option=_OPTIONS)
        except orjson.JSONEncodeError:
            pass
    return model.__pydantic_serializer__.to_json(model)


def cleaned_to_bytes(event: CleanedEvent, match_json: bytes | None) -> bytes:
    """`to_bytes(event)`, its match decision written as `match_json` (= `to_bytes(event.match)`) when given.

    The decision was written once already (the index keeps it for replays); orjson writes it
    inside the cleaned event exactly as `to_bytes` writes it alone (a `FIELD_DUMP_MODELS`
    model without datetimes), so its bytes are spliced in rather than written again.
    """
    if match_json is not None and _cleaned_exact(event):
        fields = dict(event.__dict__)
        fields["match"] = orjson.Fragment(match_json)
        try:
            return orjson.dumps(fields, default=_model_fields, option=_OPTIONS)
        except orjson.JSONEncodeError:
            pass
    return to_bytes(event)


def golden_fields_to_bytes(fields: Mapping[str, Any]) -> bytes | None:
    """`to_bytes` of the `GoldenRecord` whose validated fields (contact points as their fields) these are.

    For fields that validation keeps as they are, in declaration order (the caller's promise:
    `agents.core.golden.golden_json`): orjson writes them as it would write the model, when
    `_ORJSON_EXACT` would let it. None when it would not (pydantic must write the model) or
    orjson refuses a value.
    """
    if not _golden_fields_exact(fields):
        return None
    try:
        return orjson.dumps(fields, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return None


def to_bytes_by_pydantic(model: BaseModel) -> bytes:
    """The reference serialization `to_bytes` must match byte for byte (tests, benchmarks)."""
    return model.__pydantic_serializer__.to_json(model)


def from_bytes(model_type: type[ModelT], payload: bytes | str) -> ModelT:
    """Parse and validate JSON bytes into `model_type` (raises pydantic.ValidationError)."""
    return model_type.model_validate_json(payload)


def _model_fields(value: Any) -> dict[str, Any]:
    """The `default` of orjson: a nested `FIELD_DUMP_MODELS` model as its fields; refuse anything else."""
    if type(value) in FIELD_DUMP_MODELS:
        fields: dict[str, Any] = value.__dict__
        return fields
    raise TypeError(f"not written by orjson: {type(value).__name__}")


# -- when orjson writes pydantic's bytes ---------------------------------------------------------
# orjson and pydantic write every str, int (64-bit), float, bool, None, enum, date, naive time,
# list, tuple and str-keyed dict alike; they differ only on a datetime whose UTC offset has
# seconds. So each check looks at every datetime a model can hold: its datetime fields, and any
# value of an `Any` field (a contact's `attributes`, a fix's `before` / `after`) that is not a
# JSON scalar (such values are rare: the check then says no, and pydantic writes the model).


_EXACT_ZONES: set[tzinfo | None] = {None, UTC}
"""No zone, and fixed-offset zones (`datetime.timezone`, pydantic's `TzInfo`) seen with a whole-minute
offset. Zones compare equal only at equal offsets, so a zone in here writes alike in both."""
_FIXED_OFFSET_ZONES = (timezone, TzInfo)
_MAX_EXACT_ZONES = 4096  # at most 24 * 60 * 2 whole-minute offsets, times two zone types


def _exact_zone(moment: datetime) -> bool:
    """Whether `moment`'s UTC offset is a whole number of minutes (remembering its zone if fixed)."""
    offset = moment.utcoffset()
    if offset is not None and offset % _MINUTE:
        return False
    zone = moment.tzinfo
    if type(zone) in _FIXED_OFFSET_ZONES and len(_EXACT_ZONES) < _MAX_EXACT_ZONES:
        _EXACT_ZONES.add(zone)
    return True


def _scalars(values: Iterable[Any]) -> bool:
    """True when every value is a str, int, float, bool or None (checked in C, no Python loop)."""
    return _JSON_SCALARS.issuperset(map(type, values))


def _cleaned_exact(event: CleanedEvent) -> bool:
    # The usual case takes two set lookups and two truth tests: this runs once per event.
    if event.occurred_at.tzinfo not in _EXACT_ZONES and not _exact_zone(event.occurred_at):
        return False
    if event.processed_at.tzinfo not in _EXACT_ZONES and not _exact_zone(event.processed_at):
        return False
    attributes = event.contact.attributes
    if attributes and not _scalars(attributes.values()):
        return False
    fixes = event.quality.fixes
    return not fixes or _scalars(value for fix in fixes for value in (fix.before, fix.after))


def _golden_exact(golden: GoldenRecord) -> bool:
    if golden.updated_at.tzinfo not in _EXACT_ZONES and not _exact_zone(golden.updated_at):
        return False
    for points in (golden.emails, golden.phones, golden.addresses):
        for point in points:
            if point.last_seen.tzinfo not in _EXACT_ZONES and not _exact_zone(point.last_seen):
                return False
    return True


def _golden_fields_exact(fields: Mapping[str, Any]) -> bool:
    """`_golden_exact` of the golden record with these fields (contact points as their fields)."""
    updated_at = fields["updated_at"]
    if updated_at.tzinfo not in _EXACT_ZONES and not _exact_zone(updated_at):
        return False
    for kind in ("emails", "phones", "addresses"):
        for point in fields[kind]:
            last_seen = point["last_seen"]
            if last_seen.tzinfo not in _EXACT_ZONES and not _exact_zone(last_seen):
                return False
    return True


def _rejected_exact(rejected: RejectedEvent) -> bool:
    return rejected.rejected_at.tzinfo in _EXACT_ZONES or _exact_zone(rejected.rejected_at)


def _review_exact(review: ReviewItem) -> bool:
    attributes, other = review.record.attributes, review.candidate.attributes
    return (not attributes or _scalars(attributes.values())) and (not other or _scalars(other.values()))


_ORJSON_EXACT: Mapping[type[BaseModel], Callable[[Any], bool]] = {
    CleanedEvent: _cleaned_exact,
    GoldenRecord: _golden_exact,
    RejectedEvent: _rejected_exact,
    ReviewItem: _review_exact,
}
"""Top-level models written by orjson, each with the check that it writes pydantic's bytes for
this instance (every datetime the model can hold has a whole-minute offset, or none)."""
