import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.core.normalize.countries import build_country_index, normalize_country
from agents.core.rules import load_rules

INDEX = load_rules("config/rules.yaml").country_index


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("中国", "CN"),
        ("中华人民共和国", "CN"),
        ("China", "CN"),
        ("PRC", "CN"),
        ("CN", "CN"),
        ("CHN", "CN"),
        ("cn", "CN"),
        (" china ", "CN"),
        ("ایران", "IR"),
        ("ايران", "IR"),
        ("Iran", "IR"),
        ("Iran, Islamic Republic of", "IR"),
        ("IR", "IR"),
        ("IRN", "IR"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("United Kingdom", "GB"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("美国", "US"),
        ("日本", "JP"),
        ("Japan", "JP"),
        ("The Netherlands", "NL"),
        ("España", "ES"),
        ("France", "FR"),
        ("Ｃｈｉｎａ", "CN"),
    ],
)
def test_country_names_aliases_and_codes(raw, code):
    result = normalize_country(raw, INDEX)
    assert (result.value, result.notes) == (code, ())


@pytest.mark.parametrize(("raw", "code"), [("Germny", "DE"), ("Frannce", "FR"), ("Untied States", "US")])
def test_near_miss_is_corrected_and_reported(raw, code):
    result = normalize_country(raw, INDEX)
    assert result.value == code
    assert [(n.code, n.before, n.after, n.applied) for n in result.notes] == [
        ("country_fuzzy_corrected", raw, code, True)
    ]
    warned = normalize_country(raw, INDEX, apply_fuzzy=False)
    assert warned.value is None and not warned.notes[0].applied


@pytest.mark.parametrize("raw", ["Atlantis", "XX", "Iraq-ish land of nowhere"])
def test_unknown_country(raw):
    assert [n.code for n in normalize_country(raw, INDEX).notes] == ["country_unknown"]


def test_aliases_win_over_pycountry():
    index = build_country_index({"Holland": "NL"})
    assert normalize_country("holland", index).value == "NL"


@given(st.text())
def test_normalize_country_never_raises_and_is_idempotent(raw):
    result = normalize_country(raw, INDEX)
    if result.value is not None:
        assert normalize_country(result.value, INDEX).value == result.value
