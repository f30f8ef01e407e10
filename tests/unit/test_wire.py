"""`schemas.wire.to_bytes`: orjson's fast path writes exactly pydantic's bytes, or steps aside."""

from __future__ import annotations

import functools
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import schemas.wire as wire
from schemas.outputs import CleanedEvent, ContactPoint, GoldenRecord, RejectedEvent, ReviewItem
from schemas.records import NormalizedContact, validated
from schemas.wire import FIELD_DUMP_MODELS, to_bytes, to_bytes_by_pydantic

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _outcome(write: typing.Callable[[BaseModel], bytes], model: BaseModel) -> bytes | str:
    try:
        return write(model)
    except Exception as error:  # noqa: BLE001 - both must fail alike (e.g. a lone surrogate)
        return f"raised {type(error).__name__}"


def assert_same_bytes(model: BaseModel) -> None:
    reference = _outcome(to_bytes_by_pydantic, model)
    fast = _outcome(to_bytes, model)
    if isinstance(reference, str):  # pydantic refuses it: so must to_bytes (it falls back to pydantic)
        assert fast == reference
    else:
        assert fast == reference, (fast, reference)
        assert reference == model.model_dump_json().encode()


# -- the models orjson writes: plain field dumps -------------------------------------------------


@pytest.mark.parametrize("model", sorted(FIELD_DUMP_MODELS, key=str))
def test_field_dump_models_have_no_serialization_customisation(model: type[BaseModel]) -> None:
    assert not model.__pydantic_computed_fields__
    decorators = model.__pydantic_decorators__
    assert not decorators.field_serializers and not decorators.model_serializers
    for name, field in model.model_fields.items():
        assert field.alias in (None, name) and field.serialization_alias in (None, name), name
        assert not field.exclude, name
    for option in ("ser_json_timedelta", "ser_json_bytes", "ser_json_inf_nan", "ser_json_temporal", "use_enum_values"):
        assert option not in model.model_config, option
    assert model.model_config.get("extra") == "forbid"  # no extra keys in __dict__
    for klass in model.__mro__:  # a cached_property would add a key to the instance's __dict__
        assert not any(isinstance(v, functools.cached_property) for v in vars(klass).values()), klass


def _annotation_mentions(annotation: object, *targets: object) -> bool:
    if annotation in targets:
        return True
    return any(_annotation_mentions(arg, *targets) for arg in typing.get_args(annotation))


def test_every_datetime_and_any_field_is_one_the_exactness_checks_look_at() -> None:
    """orjson differs from pydantic only on datetimes: a new datetime or Any field needs a check."""
    found = set()
    for model in FIELD_DUMP_MODELS:
        hints = typing.get_type_hints(model)
        for name in model.model_fields:
            if _annotation_mentions(hints[name], datetime, Any):
                found.add(f"{model.__name__}.{name}")
    assert found == {
        "CleanedEvent.occurred_at",
        "CleanedEvent.processed_at",
        "RejectedEvent.rejected_at",
        "GoldenRecord.updated_at",
        "ContactPoint.last_seen",
        "NormalizedContact.attributes",
        "Fix.before",
        "Fix.after",
    }


def test_instance_dicts_hold_the_fields_in_declaration_order() -> None:
    fields = {"value": "a@x.com", "sources": ("erp:1",), "last_seen": NOW}
    shuffled = dict(reversed(list(fields.items())))
    for point in (
        validated(ContactPoint, shuffled),
        ContactPoint(**shuffled),
        ContactPoint.model_construct(**shuffled),  # type: ignore[arg-type]
    ):
        assert list(point.__dict__) == list(ContactPoint.model_fields)


# -- random instances: byte for byte --------------------------------------------------------------

_ZONES = st.one_of(
    st.none(),
    st.just(UTC),
    st.timezones(),
    st.builds(
        timezone,
        st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)),
    ),
    st.builds(timezone, st.integers(-23 * 60, 23 * 60).map(lambda m: timedelta(minutes=m))),
)
_MOMENTS = st.datetimes(timezones=_ZONES)
_TEXT = st.text(max_size=12)
_JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_ANY = st.one_of(
    _JSON_LIKE,
    _MOMENTS,
    st.dates(),
    st.binary(max_size=4),
    st.frozensets(st.integers(), max_size=2),
    st.tuples(_TEXT, st.integers()),
    st.dictionaries(st.integers(), st.integers(), max_size=2),
)
_OPTIONAL_TEXT = st.none() | _TEXT
_UNIT = st.floats(min_value=0, max_value=1)


@st.composite
def contacts(draw: st.DrawFn) -> NormalizedContact:
    return validated(
        NormalizedContact,
        {
            "full_name": draw(_OPTIONAL_TEXT),
            "given_name": draw(_OPTIONAL_TEXT),
            "emails": draw(st.lists(_TEXT, max_size=2)),
            "phones": [
                {"e164": draw(_TEXT), "region": draw(_OPTIONAL_TEXT), "valid": draw(st.booleans())}
                for _ in range(draw(st.integers(0, 2)))
            ],
            "company": draw(_OPTIONAL_TEXT),
            "birth_date": draw(st.none() | st.dates()),
            "attributes": draw(st.dictionaries(_TEXT, _JSON_LIKE | _ANY, max_size=3)),
        },
    )


@st.composite
def cleaned_events(draw: st.DrawFn) -> CleanedEvent:
    comparison = {"field": "email", "level": draw(_TEXT), "weight": draw(st.floats())}
    return validated(
        CleanedEvent,
        {
            "event_id": draw(_TEXT),
            "event_type": draw(st.sampled_from(["contact.upserted", "contact.deleted"])),
            "source": draw(_TEXT),
            "external_id": draw(_TEXT),
            "record_id": draw(_TEXT),
            "record_type": draw(st.sampled_from(["contact", "lead"])),
            "owner": draw(_OPTIONAL_TEXT),
            "department": draw(_OPTIONAL_TEXT),
            "occurred_at": draw(_MOMENTS),
            "processed_at": draw(st.just(NOW) | _MOMENTS),
            "contact": draw(contacts()),
            "quality": {
                "fixes": [
                    {"code": "c", "field": "f", "before": draw(_ANY), "after": draw(_ANY)}
                    for _ in range(draw(st.integers(0, 2)))
                ],
                "warnings": [{"code": "w", "field": "f", "severity": "warn", "message": draw(_TEXT)}],
                "completeness": draw(st.dictionaries(_TEXT, st.booleans(), max_size=3)),
                "score": draw(_UNIT),
            },
            "match": draw(
                st.none()
                | st.just(
                    {
                        "decision": "merged",
                        "entity_id": draw(_OPTIONAL_TEXT),
                        "score": draw(st.none() | _UNIT),
                        "match_weight": draw(st.none() | st.floats()),
                        "explanation": [comparison],
                        "candidates": draw(st.integers(0, 2**31)),
                    }
                )
            ),
        },
    )


@st.composite
def golden_records(draw: st.DrawFn) -> GoldenRecord:
    def points() -> list[dict[str, object]]:
        return [
            {"value": draw(_TEXT), "sources": draw(st.lists(_TEXT, max_size=2)), "last_seen": draw(_MOMENTS)}
            for _ in range(draw(st.integers(0, 2)))
        ]

    return validated(
        GoldenRecord,
        {
            "entity_id": draw(_TEXT),
            "merged_into": draw(_OPTIONAL_TEXT),
            "record_ids": draw(st.lists(_TEXT, max_size=2)),
            "full_name": draw(_OPTIONAL_TEXT),
            "emails": points(),
            "phones": points(),
            "addresses": points(),
            "birth_date": draw(st.none() | st.dates()),
            "updated_at": draw(st.just(NOW) | _MOMENTS),
        },
    )


@st.composite
def rejected_events(draw: st.DrawFn) -> RejectedEvent:
    return validated(
        RejectedEvent,
        {
            "event_id": draw(_OPTIONAL_TEXT),
            "source": draw(_OPTIONAL_TEXT),
            "reasons": [{"code": "r", "field": "_payload", "severity": "reject", "message": draw(_TEXT)}],
            "payload": draw(_TEXT),
            "payload_encoding": "utf-8",
            "offset": draw(st.none() | st.integers(0, 2**62)),
            "rejected_at": draw(st.just(NOW) | _MOMENTS),
        },
    )


@st.composite
def review_items(draw: st.DrawFn) -> ReviewItem:
    return validated(
        ReviewItem,
        {
            "review_id": draw(_TEXT),
            "event_id": draw(_TEXT),
            "record_id": draw(_TEXT),
            "entity_id": draw(_OPTIONAL_TEXT),
            "candidate_entity_id": draw(_TEXT),
            "owner": draw(_OPTIONAL_TEXT),
            "candidate_owners": draw(st.lists(_TEXT, max_size=2)),
            "reason": draw(_TEXT),
            "score": draw(st.floats()),
            "explanation": [],
            "record": draw(contacts()),
            "candidate": draw(contacts()),
        },
    )


_RANDOM = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_RANDOM
@given(cleaned_events())
def test_cleaned_events_are_written_byte_for_byte_like_pydantic(event: CleanedEvent) -> None:
    assert_same_bytes(event)


@_RANDOM
@given(golden_records())
def test_golden_records_are_written_byte_for_byte_like_pydantic(golden: GoldenRecord) -> None:
    assert_same_bytes(golden)


@_RANDOM
@given(rejected_events())
def test_rejected_events_are_written_byte_for_byte_like_pydantic(rejected: RejectedEvent) -> None:
    assert_same_bytes(rejected)


@_RANDOM
@given(review_items())
def test_review_items_are_written_byte_for_byte_like_pydantic(review: ReviewItem) -> None:
    assert_same_bytes(review)


# -- the cases orjson would get wrong, and the usual case it takes --------------------------------


def _event(occurred_at: datetime, attributes: dict[str, object] | None = None) -> CleanedEvent:
    contact = validated(NormalizedContact, {"full_name": "Zoë \u2028 \x1f", "attributes": attributes or {}})
    return validated(
        CleanedEvent,
        {
            "event_id": "e1",
            "event_type": "contact.upserted",
            "source": "erp",
            "external_id": "1",
            "record_id": "erp:1",
            "record_type": "contact",
            "owner": None,
            "department": None,
            "occurred_at": occurred_at,
            "processed_at": NOW,
            "contact": contact,
            "quality": {"completeness": {"email": False}, "score": 0.95},
        },
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"when": datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=59)))},
        {"nested": [{"when": datetime(1900, 1, 1, tzinfo=timezone(timedelta(seconds=-31)))}]},
        {"big": 2**70},
        {"set": frozenset({1})},
        {"bytes": b"x"},
    ],
)
def test_values_orjson_writes_otherwise_are_left_to_pydantic(attributes: dict[str, object]) -> None:
    assert_same_bytes(_event(NOW, attributes))


@pytest.mark.parametrize("seconds", [59, 30, -30, 3600 + 45, 1])
def test_an_offset_with_seconds_is_left_to_pydantic(seconds: int) -> None:
    event = _event(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(seconds=seconds))))
    assert not wire._ORJSON_EXACT[CleanedEvent](event)
    assert_same_bytes(event)


def test_a_lone_surrogate_fails_as_it_did() -> None:
    event = _event(NOW, {"bad": "\ud800"})
    with pytest.raises(Exception, match="surrogates not allowed"):
        to_bytes(event)


def test_the_usual_output_takes_the_orjson_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events as the pipeline builds them are written by orjson (else the fast path is dead code)."""
    event = _event(datetime.fromisoformat("2026-01-01T08:00:00+05:45"), {"crm_tier": "gold", "vip": True})
    golden = validated(
        GoldenRecord,
        {
            "entity_id": "E1",
            "emails": [{"value": "a@x.com", "sources": ["erp:1"], "last_seen": NOW}],
            "updated_at": NOW,
        },
    )
    for model in (event, golden):
        expected = to_bytes_by_pydantic(model)
        with monkeypatch.context() as patched:
            patched.setattr(type(model), "__pydantic_serializer__", _Refusing())
            assert to_bytes(model) == expected


class _Refusing:
    def to_json(self, *args: object, **kwargs: object) -> bytes:
        raise AssertionError("pydantic was asked to write it")


def test_other_models_are_written_by_pydantic() -> None:
    contact = validated(NormalizedContact, {"full_name": "Ann", "birth_date": date(1980, 1, 2)})
    assert to_bytes(contact) == contact.model_dump_json().encode()
