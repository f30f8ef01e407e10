"""Streaming accuracy floors of the matching core on FEBRL and the synthetic CRM sample, and the
merge guards that the FEBRL tuning must not weaken.

Floors sit just under the measured numbers (`python -m bench.accuracy_core`), so a change that
loses accuracy fails here. Precision must stay perfect: a wrong merge is the costly error. The
real pipeline (Redis) is measured by `test_streaming_accuracy.py` and `bench/accuracy.py`.
"""

from __future__ import annotations

from datetime import date

import pytest

from agents.core.scoring import MatchThresholds, decide, load_match_model, score_pair
from bench.accuracy_core import bcubed_scores, load_stream, pairwise_scores, replay
from schemas.outputs import Decision
from schemas.records import NormalizedContact, Phone

pytestmark = pytest.mark.quality

MODEL = load_match_model()
THRESHOLDS = MatchThresholds()

# set -> (pairwise precision, pairwise F1, B-cubed F1) floors
FLOORS = {
    "febrl1": (0.999, 0.99, 0.995),
    "febrl3": (0.999, 0.985, 0.99),
    "synthetic": (0.99, 0.89, 0.95),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_streaming_accuracy_floor(name: str) -> None:
    result = replay(load_stream(name), MODEL, THRESHOLDS)
    precision, _, f1 = pairwise_scores(result.predicted, result.truth)
    _, _, b3_f1 = bcubed_scores(result.predicted, result.truth)
    min_precision, min_f1, min_b3 = FLOORS[name]
    assert precision >= min_precision
    assert f1 >= min_f1
    assert b3_f1 >= min_b3


# -- guards: what the FEBRL-driven conflict clearing must never merge ---------------------------

HOME = {
    "family_name": "Cresp",
    "street": "4 nambucca street",
    "postcode": "2768",
    "city": "rooty hill",
    "country": "AU",
}


def _decision(a: NormalizedContact, b: NormalizedContact) -> Decision:
    return decide(score_pair(a, b, MODEL), same_owner=True, thresholds=THRESHOLDS)[0]


def test_twins_with_their_own_national_ids_are_not_merged() -> None:
    born = date(1976, 11, 17)
    flynn = NormalizedContact(given_name="Flynn", birth_date=born, national_id="4392917", **HOME)
    zac = NormalizedContact(given_name="Zac", birth_date=born, national_id="1613259", **HOME)
    score = score_pair(flynn, zac, MODEL)
    assert "given_name" in score.conflicts
    assert _decision(flynn, zac) is not Decision.MERGED


def test_twins_sharing_a_landline_are_not_merged() -> None:
    landline = Phone(e164="+61296251234", region="AU", kind="fixed_line", valid=True)
    born = date(1976, 11, 17)
    flynn = NormalizedContact(given_name="Flynn", birth_date=born, phones=(landline,), **HOME)
    zac = NormalizedContact(given_name="Zac", birth_date=born, phones=(landline,), **HOME)
    assert score_pair(flynn, zac, MODEL).conflicts == ("given_name",)
    assert _decision(flynn, zac) is not Decision.MERGED


def test_mistyped_given_name_with_same_id_and_birth_date_merges() -> None:
    """FEBRL re-entry: given name replaced, national id one typo off, same birth date."""
    born = date(1950, 3, 8)
    a = NormalizedContact(given_name="Jessica", birth_date=born, national_id="5201937", **HOME)
    b = NormalizedContact(given_name="Matilda", birth_date=born, national_id="5201973", **HOME)
    assert score_pair(a, b, MODEL).conflicts == ()
    assert _decision(a, b) is Decision.MERGED


def test_nickname_with_shared_mobile_merges_but_namesakes_do_not() -> None:
    mobile = Phone(e164="+61412345678", region="AU", kind="mobile", valid=True)
    beth = NormalizedContact(given_name="Beth", phones=(mobile,), **HOME)
    elizabeth = NormalizedContact(given_name="Elizabeth", phones=(mobile,), **HOME)
    assert _decision(beth, elizabeth) is Decision.MERGED
    other = Phone(e164="+61498765432", region="AU", kind="mobile", valid=True)
    namesake = NormalizedContact(given_name="Beth", phones=(other,), **HOME)
    assert _decision(beth, namesake) is not Decision.MERGED


def test_names_in_two_scripts_never_merge_on_the_name_alone() -> None:
    persian = NormalizedContact(
        given_name="پویا", family_name="کاظمی", name_script="arabic", city="tehran", country="IR"
    )
    latin = NormalizedContact(
        given_name="Pouya", family_name="Kazemi", name_script="latin", city="tehran", country="IR"
    )
    assert _decision(persian, latin) is not Decision.MERGED
