"""The per-candidate fast paths of scoring against their references.

`compare_levels` writes the `_compare_*` functions' missing / equality tests out and remembers
name and company pairs; `weigh_features` looks the level combination up without `outcome_of`'s
call; `features_from_wire` builds one-email / one-phone sets without loops. Each must give
exactly what the plain field-by-field functions give, on features with every field varied
(streets, localities and companies included, which `test_scoring_fast_paths` leaves empty).
"""

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
    compare_levels,
    features_from_wire,
    features_to_wire,
    load_match_model,
    weigh_features,
)

MODEL = load_match_model()

_sets = st.frozensets(st.sampled_from(["anna@x.org", "anna@y.org", "bert@x.org", "a@b"]), max_size=2)
_phones = st.frozensets(
    st.sampled_from(["+4915112345678", "+4930112345678", "+4930999", "+1", "030 1234567"]), max_size=2
)

features = st.builds(
    lambda given_family, script, emails, phones, mobile_share, born, nid, street, postcode, city, country, company: (
        MatchFeatures(
            given=given_family[0],
            family=given_family[1],
            script=script,
            emails=emails,
            email_locals=frozenset(e.partition("@")[0] for e in emails),
            phones=phones,
            mobiles=frozenset(sorted(phones)[:mobile_share]),
            phone_tails=_phone_tails(phones),
            birth_date=born,
            national_id=nid,
            street=street,
            postcode=postcode,
            city=city,
            country=country,
            company=company,
        )
    ),
    given_family=st.sampled_from(
        [
            ("anna", "smith"),
            ("ana", "smith"),
            ("smith", "anna"),
            ("bert", "smith"),
            ("a", "smith"),
            ("", "lee"),
            ("wei", "wang"),
            ("anna", ""),
            ("", ""),
            ("annabel", "smyth"),
            ("jose", "garcia"),
            ("maria", "garcia"),
        ]
    ),  # fmt: skip
    script=st.sampled_from(["", "latin", "han"]),
    emails=_sets,
    phones=_phones,
    mobile_share=st.integers(0, 2),
    born=st.sampled_from([None, date(1980, 1, 2), date(1980, 2, 1), date(1981, 1, 2), date(1990, 5, 5)]),
    nid=st.sampled_from(["", "1234567", "1234568", "7654321", "1243567"]),
    street=st.sampled_from(["", "main st 1", "main st 2", "main street 1", "high rd 99", "calle mayor 15"]),
    postcode=st.sampled_from(["", "10115", "10117", "10115a", "90210"]),
    city=st.sampled_from(["", "berlin", "berlinn", "madrid"]),
    country=st.sampled_from(["", "DE", "ES"]),
    company=st.sampled_from(["", "acme", "acme gmbh", "acme group", "globex", "iberica industrias"]),
)


def _reference_levels(a: MatchFeatures, b: MatchFeatures) -> tuple[tuple[str, ...], bool]:
    """The levels field by field, from the plain `_compare_*` functions (no inlining, no memo)."""
    name_level, given_conflict = _compare_name(a, b)
    if name_level in ("partial_fuzzy", "different") and a.script and b.script and a.script != b.script:
        name_level, given_conflict = "missing", False
    birth, national_id = _compare_birth_date(a, b), _compare_national_id(a, b)
    email, phone = _compare_email(a, b), _compare_phone(a, b)
    cleared = (
        email == "exact"
        or not a.mobiles.isdisjoint(b.mobiles)
        or (email == "local_exact" and phone == "exact")
        or (national_id in ("exact", "edit1") and birth in ("exact", "one_off"))
    )
    levels = (
        name_level,
        birth,
        national_id,
        email,
        phone,
        _compare_street(a, b),
        _compare_locality(a, b),
        _compare_company(a, b),
    )
    return levels, given_conflict and not cleared


@settings(max_examples=1500)
@given(a=features, b=features, tf_shift=st.sampled_from([0.0, 2.5, -3.25]))
def test_compare_levels_and_weigh_equal_the_field_by_field_reference(
    a: MatchFeatures, b: MatchFeatures, tf_shift: float
) -> None:
    levels, conflict = compare_levels(a, b)
    # twice: the second call answers names and companies from the memo
    assert compare_levels(a, b) == (levels, conflict)
    assert (levels, conflict) == _reference_levels(a, b)
    assert len(levels) == len(COMPARISON_LEVELS)
    weighed = weigh_features(a, b, MODEL, tf_shift)
    outcome = MODEL.outcome_of(levels, conflict)
    assert weighed.outcome is outcome
    total, name_weight = MODEL.prior_weight, outcome.weights[0]
    if tf_shift and outcome.name_tf_adjusted:
        name_weight += tf_shift
    total += name_weight
    for weight in outcome.weights[1:]:
        total += weight
    assert (weighed.match_weight, weighed.name_weight) == (total, name_weight)
    assert weighed.name_shifted is bool(tf_shift and outcome.name_tf_adjusted)
    assert type(weighed).__name__ == "PairWeight" and weighed.probability == weighed.score().probability


@settings(max_examples=600)
@given(f=features)
def test_features_from_wire_builds_the_sets_of_the_reference(f: MatchFeatures) -> None:
    # The wire carries no mailbox names nor tails: both are derived again when read.
    wire = orjson.loads(orjson.dumps(["crm:1", None, *features_to_wire(f)]))
    read = features_from_wire(wire, 2)
    assert read is not None and type(read) is MatchFeatures
    assert read == f
    assert read.email_locals == frozenset(e.partition("@")[0] for e in f.emails)
    assert read.phone_tails == _phone_tails(f.phones)
