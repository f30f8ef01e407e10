import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.core.normalize.addresses import (
    _ENGLISH_STREET_WORD,
    ENGLISH_STREET_TYPES,
    _english_abbreviation,
    normalize_postcode,
    normalize_street,
)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("123 Main Street", "US", "123 Main St"),
        ("12 Baker St.", "GB", "12 Baker St"),
        ("5 Park Avenue", "US", "5 Park Ave"),
        ("7 Stradbroke Road", "AU", "7 Stradbroke Rd"),
        ("Hauptstr. 5", "DE", "Hauptstraße 5"),
        ("Haupt Strasse 5", "DE", "Haupt Straße 5"),
        ("Berliner Str. 5", "AT", "Berliner Straße 5"),
        ("12 Avenue des Champs-Élysées", "FR", "12 Avenue des Champs-Élysées"),
        ("  北京市  朝阳区 ", "CN", "北京市 朝阳区"),
        ("", "US", None),
    ],
)
def test_normalize_street(raw, country, expected):
    assert normalize_street(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("12345", "US", "12345"),
        ("123456789", "US", "12345-6789"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("10115", "DE", "10115"),
        ("75008", "FR", "75008"),
        ("100000", "CN", "100000"),
        ("۱۲۳۴۵-۶۷۸۹۰", "IR", "1234567890"),
        ("1000001", "JP", "100-0001"),
        ("1234ab", "NL", "1234 AB"),
        ("k1a0b1", "CA", "K1A 0B1"),
        ("110001", "IN", "110001"),
        ("01310100", "BR", "01310-100"),
        ("ANY 1", None, "ANY 1"),
    ],
)
def test_postcode_formats(raw, country, expected):
    result = normalize_postcode(raw, country)
    assert (result.value, result.notes) == (expected, ())


@pytest.mark.parametrize(
    ("raw", "country"),
    [("1234", "US"), ("1011", "DE"), ("12345", "CN"), ("ABC", "GB"), ("123456789", "IR")],
)
def test_postcode_mismatch_is_warned(raw, country):
    assert [n.code for n in normalize_postcode(raw, country).notes] == ["postcode_format"]


countries = st.sampled_from([None, "US", "GB", "DE", "CN", "IR", "JP", "NL", "CA", "BR", "FR"])


@given(st.text(), countries)
def test_address_normalizers_are_idempotent_and_never_raise(raw, country):
    street = normalize_street(raw, country)
    if street is not None:
        assert normalize_street(street, country) == street
    postcode = normalize_postcode(raw, country)
    if postcode.value is not None:
        assert normalize_postcode(postcode.value, country).value == postcode.value


_EVERY_ASCII_WORD = re.compile(r"\b([A-Za-z]+)\b\.?")


def _abbreviate_every_word(text: str) -> str:
    """The reference: visit every ASCII word, replace the street types (the matcher's spec)."""

    def replace(match: re.Match[str]) -> str:
        abbreviation = ENGLISH_STREET_TYPES.get(match.group(1).lower())
        return abbreviation if abbreviation is not None else match.group(0)

    return _EVERY_ASCII_WORD.sub(replace, text)


@given(
    st.lists(
        st.sampled_from([*ENGLISH_STREET_TYPES, "STREET", "Ave", "ſt", "Main", "Straße", "stré", "2nd", "K"]),
        max_size=5,
    ),
    st.lists(st.sampled_from([" ", "", ".", ",", "-", "'", "_", "é", "2", "ß"]), min_size=5, max_size=5),
)
def test_street_type_matcher_equals_visiting_every_word(words, separators):
    text = "".join(word + separator for word, separator in zip(words, separators, strict=False))
    assert _ENGLISH_STREET_WORD.sub(_english_abbreviation, text) == _abbreviate_every_word(text)
