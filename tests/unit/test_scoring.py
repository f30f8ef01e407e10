"""Fellegi-Sunter scoring and decide: properties, merge guards and the domain rules."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.core.estimate import build_model, estimate_m_em
from agents.core.scoring import (
    COMPARISON_LEVELS,
    TF_ADJUSTED_NAME_LEVELS,
    MatchModel,
    MatchThresholds,
    PairScore,
    best_candidate,
    compare_features,
    decide,
    load_match_model,
    match_features,
    owners_compatible,
    score_pair,
)
from schemas.outputs import Decision
from schemas.records import NormalizedContact, Phone

MODEL = load_match_model()
THRESHOLDS = MatchThresholds()

NAMES = [
    ("John", "Smith"),
    ("Jon", "Smith"),
    ("Smith", "John"),
    ("Anna", "Müller"),
    ("小明", "王"),
    ("Xiaoming", "Wang"),
    ("伟", "王"),
    ("محمد", "رضایی"),
    (None, "Lee"),
]


def _phone(e164: str, kind: str = "mobile") -> Phone:
    return Phone(e164=e164, region=None, kind=kind, valid=True)


contacts = st.builds(
    lambda name, email, phone, born, postcode, city, company, nid: NormalizedContact(
        given_name=name[0],
        family_name=name[1],
        emails=email,
        phones=phone,
        birth_date=born,
        postcode=postcode,
        city=city,
        company_key=company,
        national_id=nid,
    ),
    name=st.sampled_from(NAMES),
    email=st.sampled_from([(), ("a@x.org",), ("b@x.org", "a@x.org"), ("a@y.org",)]),
    phone=st.sampled_from([(), (_phone("+4915112345678"),), (_phone("+4930812345678"),)]),
    born=st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(1990, 3, 3)),
    postcode=st.sampled_from([None, "10115", "10117"]),
    city=st.sampled_from([None, "berlin", "berlín", "paris"]),
    company=st.sampled_from([None, "acme", "acme labs"]),
    nid=st.sampled_from([None, "1234567", "1234576", "7654321"]),
)


@given(a=contacts, b=contacts)
def test_score_is_symmetric_and_bounded(a: NormalizedContact, b: NormalizedContact) -> None:
    ab, ba = score_pair(a, b, MODEL), score_pair(b, a, MODEL)
    assert ab == ba
    assert 0.0 <= ab.probability <= 1.0
    assert [c.field for c in ab.comparisons] == list(COMPARISON_LEVELS)


@given(a=contacts, b=contacts)
def test_identical_record_scores_highest(a: NormalizedContact, b: NormalizedContact) -> None:
    assert score_pair(a, a, MODEL).match_weight >= score_pair(a, b, MODEL).match_weight


@settings(max_examples=300)
@given(
    name=st.sampled_from(NAMES[:-1]),
    city=st.sampled_from(["berlin", "beijing", "tehran"]),
    postcode=st.sampled_from([None, "10115"]),
    street=st.sampled_from([None, "1 main street"]),
    born_a=st.none() | st.dates(min_value=date(1950, 1, 1), max_value=date(2000, 1, 1)),
    born_b=st.none() | st.dates(min_value=date(1950, 1, 1), max_value=date(2000, 1, 1)),
    owner_known=st.booleans(),
)
def test_name_and_place_alone_never_merge(
    name: tuple[str, str],
    city: str,
    postcode: str | None,
    street: str | None,
    born_a: date | None,
    born_b: date | None,
    owner_known: bool,
) -> None:
    """Same full name, same city (even same street and postcode): never MERGED without
    corroboration; birth dates that differ (when both known) are never corroboration."""
    if born_a is not None and born_a == born_b:
        born_b = None
    common = {"given_name": name[0], "family_name": name[1], "city": city, "postcode": postcode, "street": street}
    a = NormalizedContact(**common, birth_date=born_a, emails=("one@x.org",))
    b = NormalizedContact(**common, birth_date=born_b, phones=(_phone("+12125550100"),))
    score = score_pair(a, b, MODEL, name_frequency=None if owner_known else 1e-6)
    decision, reason = decide(score, same_owner=True, thresholds=THRESHOLDS)
    assert decision is not Decision.MERGED, reason
    assert not score.corroborated


def test_cross_owner_high_score_goes_to_review() -> None:
    a = NormalizedContact(given_name="Anna", family_name="Müller", emails=("anna@x.org",), birth_date=date(1980, 1, 1))
    score = score_pair(a, a, MODEL)
    assert decide(score, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.MERGED
    decision, reason = decide(score, same_owner=False, thresholds=THRESHOLDS)
    assert decision is Decision.REVIEW and "owner" in reason
    assert owners_compatible("o1", None) and not owners_compatible("o1", "o2")


def test_common_name_weighs_less_than_rare_name() -> None:
    a = NormalizedContact(given_name="John", family_name="Smith", emails=("j@x.org",))
    b = NormalizedContact(given_name="John", family_name="Smith", emails=("j@x.org",))
    common = score_pair(a, b, MODEL, name_frequency=0.02)
    rare = score_pair(a, b, MODEL, name_frequency=1e-6)
    average = score_pair(a, b, MODEL)
    assert common.match_weight < average.match_weight < rare.match_weight
    name_weight = {
        s: next(c.weight for c in p.comparisons if c.field == "name") for s, p in (("common", common), ("rare", rare))
    }
    assert name_weight["common"] < name_weight["rare"]


def test_swapped_given_and_family_names_score_high_with_corroboration() -> None:
    a = NormalizedContact(given_name="Tiana", family_name="Luchetti", birth_date=date(1905, 1, 27), postcode="2008")
    b = NormalizedContact(given_name="Luchetti", family_name="Tiana", birth_date=date(1905, 1, 27), postcode="2008")
    score = score_pair(a, b, MODEL)
    assert score.comparisons[0].level == "reversed"
    assert decide(score, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.MERGED


def test_chinese_script_and_pinyin_with_same_phone_merge() -> None:
    han = NormalizedContact(
        full_name="王小明",
        given_name="小明",
        family_name="王",
        name_script="han",
        name_key="xiaoming wang",
        phones=(_phone("+8613800138000"),),
    )
    pinyin = NormalizedContact(
        full_name="Xiaoming Wang",
        given_name="Xiaoming",
        family_name="Wang",
        name_key="xiaoming wang",
        phones=(_phone("+8613800138000"),),
    )
    score = score_pair(han, pinyin, MODEL)
    assert score.comparisons[0].level == "exact"
    assert score.corroborating == ("phone",)
    assert decide(score, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.MERGED


def test_household_members_are_not_merged() -> None:
    landline = _phone("+493081234567", kind="fixed_line")
    home = {
        "family_name": "Schmidt",
        "street": "12 lindenstrasse",
        "postcode": "10115",
        "city": "berlin",
        "country": "DE",
    }
    mother = NormalizedContact(given_name="Petra", birth_date=date(1961, 4, 2), phones=(landline,), **home)
    son = NormalizedContact(given_name="Lukas", birth_date=date(1994, 9, 30), phones=(landline,), **home)
    score = score_pair(mother, son, MODEL)
    assert score.corroborated  # the shared landline...
    assert score.conflicts == ("given_name", "birth_date")  # ...but they contradict
    assert decide(score, same_owner=True, thresholds=THRESHOLDS)[0] is not Decision.MERGED


def test_twins_sharing_birth_date_are_not_merged() -> None:
    home = {"family_name": "Cresp", "street": "4 nambucca street", "postcode": "2768", "birth_date": date(1976, 11, 17)}
    score = score_pair(
        NormalizedContact(given_name="Flynn", **home), NormalizedContact(given_name="Zac", **home), MODEL
    )
    assert score.conflicts == ("given_name",)
    assert decide(score, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.REVIEW


def test_decide_without_candidate_is_new_and_low_score_is_distinct() -> None:
    assert decide(None, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.NEW
    low = PairScore(probability=0.1, match_weight=-3.0, comparisons=(), corroborated=True)
    assert decide(low, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.DISTINCT
    mid = PairScore(probability=0.7, match_weight=1.2, comparisons=(), corroborated=True)
    assert decide(mid, same_owner=True, thresholds=THRESHOLDS)[0] is Decision.REVIEW
    with pytest.raises(ValueError):
        MatchThresholds(auto_merge_at=0.5, review_at=0.9)


def test_best_candidate_prefers_the_corroborated_match_and_respects_the_cap() -> None:
    record = NormalizedContact(given_name="Anna", family_name="Berg", emails=("anna@x.org",))
    namesake = NormalizedContact(given_name="Anna", family_name="Berg", city="oslo")
    same = NormalizedContact(given_name="Ana", family_name="Berg", emails=("anna@x.org",))
    found = best_candidate(record, [("n", namesake), ("s", same)], MODEL)
    assert found is not None and found[0] == "s"
    assert best_candidate(record, [], MODEL) is None
    capped = best_candidate(record, [("n", namesake), ("s", same)], MODEL, max_candidates=1)
    assert capped is not None and capped[0] == "n"


def test_model_round_trips_through_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.json"
    MODEL.save(path)
    assert load_match_model(path) == MODEL


def test_em_recovers_match_parameters_on_separable_pairs() -> None:
    u = {
        c: {lv: (0.001 if i == 0 else 0.999 / (len(lvs) - 1)) for i, lv in enumerate(lvs)}
        for c, lvs in COMPARISON_LEVELS.items()
    }
    start = {
        c: {lv: (0.8 if i == 0 else 0.2 / (len(lvs) - 1)) for i, lv in enumerate(lvs)}
        for c, lvs in COMPARISON_LEVELS.items()
    }
    match = dict.fromkeys(COMPARISON_LEVELS, "missing") | {"name": "exact", "birth_date": "exact"}
    other = dict.fromkeys(COMPARISON_LEVELS, "missing") | {"name": "different", "birth_date": "different"}
    m, share = estimate_m_em([match] * 30 + [other] * 70, u, start, alpha=0.01)
    assert math.isclose(share, 0.3, abs_tol=0.02)
    assert m["name"]["exact"] > 0.95
    model = build_model(m, u, 1e-4, description="test")
    assert isinstance(model, MatchModel) and model.weight("name", "exact") > 0


def test_namesake_colleagues_at_one_office_are_not_merged() -> None:
    """Same name, postcode, city and company, but their own emails and mobiles: colleagues."""
    office = {"postcode": "10115", "city": "Berlin", "country": "DE", "company_key": "silver oak analytics"}
    a = NormalizedContact(
        full_name="Robert Johnson",
        given_name="Robert",
        family_name="Johnson",
        name_key="robert johnson",
        emails=("r.johnson@silveroak.de",),
        phones=(Phone(e164="+4915112345678", region="DE", kind="mobile", valid=True),),
        **office,
    )
    b = NormalizedContact(
        full_name="Robert Johnson",
        given_name="Robert",
        family_name="Johnson",
        name_key="robert johnson",
        emails=("bob.j@gmail.com",),
        phones=(Phone(e164="+4917698765432", region="DE", kind="mobile", valid=True),),
        **office,
    )
    score = score_pair(a, b, MODEL)
    assert not score.corroborated
    assert decide(score, same_owner=True, thresholds=THRESHOLDS)[0] is not Decision.MERGED


@settings(max_examples=300)
@given(a=contacts, b=contacts, frequency=st.none() | st.sampled_from([1e-9, 0.0005, 0.02, 0.5]))
def test_score_equals_the_field_by_field_sum(
    a: NormalizedContact, b: NormalizedContact, frequency: float | None
) -> None:
    """`score_features` looks level combinations up (`MatchModel.outcome`); the result must be
    bit-identical to weighing each comparison in turn."""
    levels, _ = compare_features(match_features(a), match_features(b))
    shift = MODEL.tf_shift(frequency) if frequency is not None else 0.0
    total, explained = MODEL.prior_weight, []
    for name, level in levels.items():
        weight = MODEL.weight(name, level)
        if shift and name == "name" and level in TF_ADJUSTED_NAME_LEVELS:
            weight += shift
            explained.append((name, level, round(weight, 4)))
        else:
            explanation = MODEL.explanation(name, level)
            explained.append((explanation.field, explanation.level, explanation.weight))
        total += weight
    score = score_pair(a, b, MODEL, name_frequency=frequency)
    assert score.match_weight == total
    assert [(c.field, c.level, c.weight) for c in score.comparisons] == explained
    assert score_pair(a, b, MODEL, name_frequency=frequency) == score  # served from the remembered outcome
