from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.core.normalize.dates import (
    gregorian_to_jalali,
    jalali_to_gregorian,
    normalize_birth_date,
    parse_date,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("1985-03-12", None, date(1985, 3, 12)),
        ("1985-03-12T00:00:00Z", None, date(1985, 3, 12)),
        ("19850312", None, date(1985, 3, 12)),
        ("1985/3/12", None, date(1985, 3, 12)),
        ("12.03.1985", None, date(1985, 3, 12)),
        ("12/03/1985", "DE", date(1985, 3, 12)),
        ("12/03/1985", "FR", date(1985, 3, 12)),
        ("12/03/1985", "US", date(1985, 12, 3)),
        ("13/03/1985", None, date(1985, 3, 13)),
        ("03/13/1985", None, date(1985, 3, 13)),
        ("5/5/1980", None, date(1980, 5, 5)),
        ("March 12, 1985", None, date(1985, 3, 12)),
        ("12 March 1985", None, date(1985, 3, 12)),
        ("12th Mar 1985", None, date(1985, 3, 12)),
        ("12. März 1985", None, date(1985, 3, 12)),
        ("12 mars 1985", None, date(1985, 3, 12)),
        ("12 de marzo de 1985", None, date(1985, 3, 12)),
        ("1985年3月12日", None, date(1985, 3, 12)),
        ("１９８５年３月１２日", None, date(1985, 3, 12)),
        ("1985년 3월 12일", None, date(1985, 3, 12)),
        ("۱۳۶۴/۰۱/۰۱", None, date(1985, 3, 21)),
        ("1403/12/30", None, date(2025, 3, 20)),
    ],
)
def test_parse_date(raw, country, expected):
    assert parse_date(raw, today=TODAY, country=country) == normalize_birth_date(raw, today=TODAY, country=country)
    assert parse_date(raw, today=TODAY, country=country).value == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2023-02-30", "date_invalid"),
        ("1402/12/30", "date_invalid"),
        ("31/31/1999", "date_invalid"),
        ("someday", "date_invalid"),
        ("31.02.1985", "date_invalid"),
        ("30/02/85", "date_invalid"),
        ("31 February 1985", "date_invalid"),
        ("February 30, 1985", "date_invalid"),
        ("1985年2月30日", "date_invalid"),
        ("19850230", "date_invalid"),
        ("12/03/1985", "date_ambiguous"),
        ("2030-01-01", "birth_date_future"),
        ("1850-06-01", "birth_date_before_1900"),
        ("12/03/85", "date_two_digit_year"),
    ],
)
def test_birth_date_findings(raw, code):
    result = normalize_birth_date(raw, today=TODAY, country="DE" if code == "date_two_digit_year" else None)
    assert [n.code for n in result.notes] == [code]


def test_two_digit_year_is_never_in_the_future():
    assert parse_date("01.01.30", today=TODAY).value == date(1930, 1, 1)
    assert parse_date("01.01.25", today=TODAY).value == date(2025, 1, 1)


@given(st.dates(min_value=date(1700, 3, 22), max_value=date(2200, 1, 1)))
def test_jalali_round_trip(value):
    assert jalali_to_gregorian(*gregorian_to_jalali(value)) == value


@given(st.text(), st.sampled_from([None, "US", "DE", "CN"]))
def test_parse_date_never_raises_and_iso_output_is_stable(raw, country):
    result = normalize_birth_date(raw, today=TODAY, country=country)
    if result.value is not None:
        assert parse_date(result.value.isoformat(), today=TODAY).value == result.value


@pytest.mark.parametrize("raw", ["2023-02-30", "1402/12/30", "31.02.1985", "30/02/85", "someday"])
def test_invalid_dates_keep_the_raw_text_in_the_note(raw):
    result = normalize_birth_date(raw, today=TODAY, country="DE")
    assert result.value is None
    assert [(n.code, n.before) for n in result.notes] == [("date_invalid", raw)]
