"""The per-event fast paths after cleaning give exactly what the general (reference) code gives.

Each fast path builds an output, a stored document or an index write with less overhead than
the general code it stands for; these tests pin it to that code on random inputs, byte for byte.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agents.core import BUILD as CORE_BUILD
from agents.core.entities import StoredRecord, contact_document
from agents.core.golden import SurvivorshipRules, _kept_by_validation, build_golden, golden_json
from schemas.events import EventType, RecordType
from schemas.outputs import CleanedEvent, Decision
from schemas.records import NormalizedContact, validated
from schemas.wire import cleaned_to_bytes, to_bytes

_RANDOM = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TEXT = st.text(max_size=10)
_OPTIONAL_TEXT = st.none() | _TEXT
_ZONES = st.one_of(
    st.none(),
    st.just(UTC),
    st.timezones(),
    st.builds(timezone, st.integers(-23 * 60, 23 * 60).map(lambda m: timedelta(minutes=m))),
    st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))),
)
_MOMENTS = st.datetimes(timezones=_ZONES)
_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**64) | st.floats() | _TEXT
_ANY = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=2),
    st.dictionaries(_TEXT, _SCALARS, max_size=2),
    _MOMENTS,
    st.dates(),
    st.tuples(_TEXT, st.integers()),
)
_PHONE_KINDS = st.sampled_from(["unknown", "mobile", "", "fixed_line"])
_TEXT_FIELDS = tuple(name for name, field in NormalizedContact.model_fields.items() if field.annotation == str | None)
"""Every optional text field of a contact (a field added to the model is covered at once)."""


@st.composite
def contacts(draw: st.DrawFn) -> NormalizedContact:
    """Any valid contact: every field present or not, any attributes, phones with or without defaults."""
    fields: dict[str, Any] = {name: value for name in _TEXT_FIELDS if (value := draw(_OPTIONAL_TEXT)) is not None}
    if draw(st.booleans()):
        fields["emails"] = draw(st.lists(_TEXT, max_size=3))
    if draw(st.booleans()):
        fields["phones"] = [
            {
                "e164": draw(_TEXT),
                **({"region": draw(_OPTIONAL_TEXT)} if draw(st.booleans()) else {}),
                **({"kind": draw(_PHONE_KINDS)} if draw(st.booleans()) else {}),
                "valid": draw(st.booleans()),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
    if draw(st.booleans()):
        fields["birth_date"] = draw(st.none() | st.dates())
    if draw(st.booleans()):
        fields["attributes"] = draw(st.dictionaries(_TEXT, _SCALARS if draw(st.booleans()) else _ANY, max_size=3))
    return validated(NormalizedContact, fields)


def _written(value: Any) -> bytes | str:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError as error:  # both must refuse alike (a lone surrogate, a huge int)
        return f"raised {type(error).__name__}"


@_RANDOM
@given(contacts())
def test_contact_document_is_the_json_dump_without_defaults(contact: NormalizedContact) -> None:
    document = contact_document(contact)
    assert _written(document) == _written(contact.model_dump(mode="json", exclude_defaults=True))


def test_contact_document_keeps_the_field_order_and_leaves_out_only_defaults() -> None:
    contact = NormalizedContact(
        full_name="Ann Lee",
        emails=("a@x.org",),
        phones=({"e164": "+4930123456", "kind": "unknown", "valid": False},),  # type: ignore[arg-type]
        company="",
        birth_date=date(1990, 2, 3),
        attributes={"n": 1},
    )
    assert orjson.dumps(contact_document(contact)) == (
        b'{"full_name":"Ann Lee","emails":["a@x.org"],"phones":[{"e164":"+4930123456","valid":false}],'
        b'"company":"","birth_date":"1990-02-03","attributes":{"n":1}}'
    )


def test_a_stored_record_reads_back_equal() -> None:
    contact = NormalizedContact(
        full_name="Ann",
        phones=({"e164": "+4930123456", "region": "DE", "valid": True},),  # type: ignore[arg-type]
        birth_date=date(1990, 2, 3),
        attributes={"opt_in": True, "n": 1.5},
    )
    stored = StoredRecord(
        record_id="shop:1",
        owner=None,
        source="shop",
        occurred_at=datetime(2026, 1, 2, tzinfo=UTC),
        contact=contact,
        points={"email": {}, "phone": {}, "address": {}},
        block_keys=(),
    )
    assert StoredRecord.from_json(stored.to_json()) == stored


# -- golden records of one-record entities -------------------------------------------------------

_ISO = _MOMENTS.map(datetime.isoformat)
_POINTS = st.dictionaries(_TEXT, _ISO, max_size=3)


@st.composite
def stored_records(draw: st.DrawFn) -> StoredRecord:
    return StoredRecord(
        record_id=draw(_TEXT),
        owner=draw(_OPTIONAL_TEXT),
        source=draw(st.sampled_from(["erp", "shop", "webform", "other"])),
        occurred_at=draw(_MOMENTS),
        contact=draw(contacts()),
        points={
            kind: points for kind in ("email", "phone", "address") if (points := draw(st.none() | _POINTS)) is not None
        },
        block_keys=(),
    )


@_RANDOM
@given(stored_records(), _TEXT, _MOMENTS)
def test_golden_json_of_one_record_is_the_validated_golden_record(
    record: StoredRecord, entity: str, now: datetime
) -> None:
    assert golden_json(entity, [record], SurvivorshipRules(), now=now) == to_bytes(
        build_golden(entity, [record], SurvivorshipRules(), now=now)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(stored_records(), min_size=2, max_size=3), _MOMENTS)
def test_golden_json_of_several_records_is_the_validated_golden_record(
    records: list[StoredRecord], now: datetime
) -> None:
    def outcome(write: Any) -> bytes | str:
        try:
            written: bytes = write()
        except (TypeError, ValueError, OverflowError) as error:  # e.g. naive and aware times mixed
            return f"raised {type(error).__name__}"
        return written

    fast = outcome(lambda: golden_json("E1", records, SurvivorshipRules(), now=now))
    assert fast == outcome(lambda: to_bytes(build_golden("E1", records, SurvivorshipRules(), now=now)))


def test_golden_json_leaves_values_of_other_types_to_validation() -> None:
    contact = NormalizedContact(full_name="Ann Lee", emails=("a@x.org",))
    seen = {"email": {"a@x.org": "2026-01-01T00:00:00+00:00"}}
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def one(**changes: Any) -> StoredRecord:
        fields: dict[str, Any] = {
            "record_id": "shop:1",
            "owner": "ann.b",
            "source": "shop",
            "occurred_at": now,
            "contact": contact,
            "points": seen,
            "block_keys": (),
        }
        return StoredRecord(**{**fields, **changes})

    assert _kept_by_validation("E1", [one()], now)
    assert _kept_by_validation("E1", [one(), one(record_id="shop:2")], now)
    odd_fields: list[dict[str, Any]] = [
        {"record_id": 7},
        {"owner": ["ann"]},
        {"points": {"email": {3: "2026-01-01T00:00:00+00:00"}}},
    ]
    for changes in odd_fields:
        try:
            odd = one(**changes)
        except TypeError:
            # The mypyc-compiled StoredRecord checks its fields' types when it is built, so such
            # a record cannot reach golden_json at all.
            assert CORE_BUILD.native
            continue
        for records in ([odd], [one(record_id="shop:0"), odd]):
            assert not _kept_by_validation("E1", records, now)
            with pytest.raises((ValidationError, TypeError)) as fast:
                golden_json("E1", records, SurvivorshipRules(), now=now)
            with pytest.raises((ValidationError, TypeError)) as reference:
                build_golden("E1", records, SurvivorshipRules(), now=now)
            assert fast.type is reference.type
    odd_arguments: list[tuple[Any, Any]] = [("E1", "2026-11-23T12:00:00Z"), (1, now)]
    for entity_id, updated_at in odd_arguments:
        try:
            kept = _kept_by_validation(entity_id, [one()], updated_at)
        except TypeError:
            assert CORE_BUILD.native  # compiled functions check their arguments' types
            continue
        assert not kept


# -- cleaned events: the match decision written once -----------------------------------------------

_FIELD = st.sampled_from(["email", "name", "phone"])


@st.composite
def cleaned_events(draw: st.DrawFn) -> CleanedEvent:
    match = draw(
        st.none()
        | st.builds(
            lambda decision, entity, score, weight, levels, candidates, reason: {
                "decision": decision,
                "entity_id": entity,
                "score": score,
                "match_weight": weight,
                "explanation": [{"field": f, "level": level, "weight": w} for f, level, w in levels],
                "candidates": candidates,
                "reason": reason,
            },
            st.sampled_from(list(Decision)),
            _OPTIONAL_TEXT,
            st.none() | st.floats(0, 1),
            st.none() | st.floats(),
            st.lists(st.tuples(_FIELD, _TEXT, st.floats()), max_size=3),
            st.integers(0, 2**63),
            _TEXT,
        )
    )
    return validated(
        CleanedEvent,
        {
            "event_id": draw(_TEXT),
            "event_type": draw(st.sampled_from(list(EventType))),
            "source": draw(_TEXT),
            "external_id": draw(_TEXT),
            "record_id": draw(_TEXT),
            "record_type": draw(st.sampled_from(list(RecordType))),
            "owner": draw(_OPTIONAL_TEXT),
            "department": draw(_OPTIONAL_TEXT),
            "occurred_at": draw(_MOMENTS),
            "processed_at": draw(_MOMENTS),
            "contact": draw(contacts()),
            "quality": {
                "fixes": [{"code": "c", "field": "f", "before": draw(_ANY), "after": draw(_ANY)}],
                "completeness": draw(st.dictionaries(_TEXT, st.booleans(), max_size=2)),
                "score": draw(st.floats(0, 1)),
            },
            "match": match,
        },
    )


def _outcome(write: Any) -> bytes | str:
    try:
        written: bytes = write()
    except Exception as error:  # noqa: BLE001 - both must refuse alike (a lone surrogate)
        return f"raised {type(error).__name__}"
    return written


@_RANDOM
@given(cleaned_events())
def test_cleaned_event_with_its_decision_written_once_is_to_bytes(event: CleanedEvent) -> None:
    match_json = to_bytes(event.match) if event.match is not None else None
    assert _outcome(lambda: cleaned_to_bytes(event, match_json)) == _outcome(lambda: to_bytes(event))
    assert _outcome(lambda: cleaned_to_bytes(event, None)) == _outcome(lambda: to_bytes(event))
