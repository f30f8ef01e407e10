"""Scoring's fast paths against straightforward references: levels, phone tails, wire decoding."""

from __future__ import annotations

from datetime import date

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.core.scoring import (
    COMPARISON_LEVELS,
    MatchFeatures,
    _compare_birth_date,
    _compare_company,
    _compare_email,
    _compare_locality,
    _compare_name,
    _compare_national_id,
    _compare_phone,
    _compare_street,
    _phone_tails,
    compare_features,
    compare_levels,
    features_from_wire,
    features_to_wire,
    load_match_model,
    match_features,
)
from schemas.records import NormalizedContact, Phone

MODEL = load_match_model()

people = st.builds(
    lambda name, emails, phones, born, nid, script: NormalizedContact(
        given_name=name[0],
        family_name=name[1],
        name_script=script,
        emails=emails,
        phones=phones,
        birth_date=born,
        national_id=nid,
    ),
    name=st.sampled_from([("Anna", "Smith"), ("Ana", "Smith"), ("Bert", "Smith"), ("王", "伟"), (None, "Lee")]),
    emails=st.sampled_from([(), ("anna@x.org",), ("anna@y.org",), ("bert@x.org", "anna@x.org")]),
    phones=st.lists(
        st.sampled_from(
            [
                Phone(e164="+4915112345678", region="DE", kind="mobile", valid=True),
                Phone(e164="+4930112345678", region="DE", kind="fixed_line", valid=True),
                Phone(e164="+4930999", region="DE", kind="fixed_line", valid=True),
            ]
        ),
        max_size=2,
        unique=True,
    ).map(tuple),
    born=st.sampled_from([None, date(1980, 1, 2), date(1980, 2, 1), date(1981, 1, 2), date(1990, 5, 5)]),
    nid=st.sampled_from([None, "1234567", "1234568", "7654321"]),
    script=st.sampled_from([None, "latin", "han"]),
)


def _reference_levels(a: MatchFeatures, b: MatchFeatures) -> tuple[dict[str, str], bool]:
    """The dict-based `compare_features` that `compare_levels` replaced, spelled out."""
    name_level, given_conflict = _compare_name(a, b)
    if name_level in ("partial_fuzzy", "different") and a.script and b.script and a.script != b.script:
        name_level, given_conflict = "missing", False
    levels = {
        "name": name_level,
        "birth_date": _compare_birth_date(a, b),
        "national_id": _compare_national_id(a, b),
        "email": _compare_email(a, b),
        "phone": _compare_phone(a, b),
        "street": _compare_street(a, b),
        "locality": _compare_locality(a, b),
        "company": _compare_company(a, b),
    }
    cleared = (
        levels["email"] == "exact"
        or not a.mobiles.isdisjoint(b.mobiles)
        or (levels["email"] == "local_exact" and levels["phone"] == "exact")
        or (levels["national_id"] in ("exact", "edit1") and levels["birth_date"] in ("exact", "one_off"))
    )
    return levels, given_conflict and not cleared


@settings(max_examples=400)
@given(a=people, b=people)
def test_compare_levels_equals_the_field_by_field_comparison(a: NormalizedContact, b: NormalizedContact) -> None:
    fa, fb = match_features(a), match_features(b)
    levels, conflict = compare_levels(fa, fb)
    reference, reference_conflict = _reference_levels(fa, fb)
    assert dict(zip(COMPARISON_LEVELS, levels, strict=True)) == reference
    assert conflict is reference_conflict
    assert compare_features(fa, fb) == (reference, reference_conflict)
    assert MODEL.outcome_of(levels, conflict) is MODEL.outcome(reference, reference_conflict)


phone_texts = st.sampled_from(
    ["+1234567", "+123456", "+12345678", "1234567", "+49 30 1234567", "+", ""]
) | st.from_regex(r"\+?[0-9 ()-]{0,14}", fullmatch=True)


@given(phones=st.frozensets(phone_texts, max_size=3))
def test_phone_tails_are_the_last_seven_digits(phones: frozenset[str]) -> None:
    expected = set()
    for phone in phones:
        digits = "".join(c for c in phone if c.isdigit())
        if len(digits) >= 7:
            expected.add(digits[-7:])
    assert _phone_tails(phones) == expected


@given(contact=people, lead=st.lists(st.sampled_from(["crm:1", None, 3]), max_size=3))
def test_features_decode_at_an_offset_exactly_as_alone(contact: NormalizedContact, lead: list[object]) -> None:
    wire = orjson.loads(orjson.dumps(features_to_wire(match_features(contact))))
    alone = features_from_wire(wire)
    assert alone == match_features(contact)
    assert features_from_wire([*lead, *wire], len(lead)) == alone
    assert features_from_wire([*lead, *wire], len(lead) + 1) is None
