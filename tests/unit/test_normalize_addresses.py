import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.core.normalize.addresses import normalize_postcode, normalize_street


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
