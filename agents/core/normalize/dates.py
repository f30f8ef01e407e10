"""Date parsing for contact fields (birth dates): many written forms -> `datetime.date`.

Understands ISO (1985-03-12, 19850312, with a time part), d.m.Y, d/m/Y vs m/d/Y (resolved by
the record's country; ambiguous otherwise), month names in English, German, French and Spanish
("March 12, 1985", "12. März 1985", "12 de marzo de 1985"), CJK (1985年3月12日, 1985년 3월 12일)
and Persian (Jalali) dates such as ۱۳۶۴/۰۱/۰۱. Impossible dates (2023-02-30) are invalid; birth
dates in the future are flagged, before 1900 warned.

Pure and deterministic: the current date is passed in, never read from the clock. Never raises
on any string.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from agents.core.normalize.text import Note, fold_text, new_tuple

MONTH_FIRST_COUNTRIES: frozenset[str] = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"})
"""Countries writing numeric dates month first (m/d/Y); every other known country is d/m/Y."""

MONTHS: dict[str, int] = {
    **{
        name: number
        for number, names in enumerate(
            (
                ("january", "jan", "januar", "jänner", "janvier", "enero", "ene"),
                ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero"),
                ("march", "mar", "märz", "maerz", "mars", "marzo", "mär"),
                ("april", "apr", "avril", "abril", "abr", "avr"),
                ("may", "mai", "mayo"),
                ("june", "jun", "juni", "juin", "junio"),
                ("july", "jul", "juli", "juillet", "julio", "juil"),
                ("august", "aug", "août", "aout", "agosto", "ago"),
                ("september", "sep", "sept", "septembre", "septiembre", "setiembre"),
                ("october", "oct", "oktober", "okt", "octobre", "octubre"),
                ("november", "nov", "novembre", "noviembre"),
                (
                    "december",
                    "dec",
                    "dezember",
                    "dez",
                    "décembre",
                    "decembre",
                    "déc",
                    "diciembre",
                    "dic",
                ),
            ),
            start=1,
        )
        for name in names
    },
}
"""Month names and abbreviations (English, German, French, Spanish), casefolded."""

_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
)  # casefolded
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_DOTTED = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}|\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(?:de\s+)?(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_JALALI_YEARS = range(1200, 1500)


class DateResult(NamedTuple):
    """A parsed date.

    Attributes:
        value: The date, or None when missing, invalid or ambiguous.
        notes: `date_invalid`, `date_ambiguous`, `date_two_digit_year`, `birth_date_future`,
            `birth_date_before_1900`.
    """

    value: date | None
    notes: tuple[Note, ...] = ()


def parse_date(
    raw: str,
    *,
    today: date,
    country: str | None = None,
    month_first_countries: frozenset[str] = MONTH_FIRST_COUNTRIES,
) -> DateResult:
    """Parse a date as written by people in many locales.

    Args:
        raw: The date as received.
        today: Current date (two-digit years are placed in the century that is not in the future).
        country: Record's ISO alpha-2 country, used to read a/b/Y as d/m or m/d.
        month_first_countries: Countries that write m/d/Y.

    Returns:
        The date and notes; `date_ambiguous` leaves the value empty.
    """
    if not raw or raw.isspace():
        return DateResult(None)
    return _parse_date_cached(raw, today, country, month_first_countries)


def normalize_birth_date(
    raw: str,
    *,
    today: date,
    country: str | None = None,
    month_first_countries: frozenset[str] = MONTH_FIRST_COUNTRIES,
) -> DateResult:
    """Parse a birth date and flag dates in the future or before 1900.

    Args:
        raw: The date as received.
        today: Current date.
        country: Record's ISO alpha-2 country (d/m vs m/d).
        month_first_countries: Countries that write m/d/Y.

    Returns:
        The date and notes (`birth_date_future` keeps the value so the reason can show it).
    """
    result = parse_date(raw, today=today, country=country, month_first_countries=month_first_countries)
    if result.value is None:
        return result
    if result.value > today:
        return DateResult(result.value, (*result.notes, Note("birth_date_future", before=raw)))
    if result.value.year < 1900:
        return DateResult(result.value, (*result.notes, Note("birth_date_before_1900", before=raw)))
    return result


@lru_cache(maxsize=16384)
def _parse_date_cached(raw: str, today: date, country: str | None, month_first_countries: frozenset[str]) -> DateResult:
    text = fold_text(raw).casefold()
    if match := _ISO.fullmatch(text) or _CJK.fullmatch(text) or _COMPACT.fullmatch(text):
        year, month, day = map(int, match.groups())
        if year in _JALALI_YEARS:
            converted = jalali_to_gregorian(year, month, day)
            return _invalid(raw) if converted is None else DateResult(converted)
        return _build(year, month, day, raw)
    if match := _DOTTED.fullmatch(text):
        day, month = int(match.group(1)), int(match.group(2))
        return _with_year(match.group(3), month, day, raw, today)
    if match := _NUMERIC.fullmatch(text):
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 or first == second or (second <= 12 and country and country not in month_first_countries):
            day, month = first, second
        elif second > 12 or (country and country in month_first_countries):
            day, month = second, first
        else:
            return DateResult(None, (Note("date_ambiguous", before=raw),))
        return _with_year(match.group(3), month, day, raw, today)
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        named_month = MONTHS.get(match.group(2))
        if named_month is not None:
            return _build(int(match.group(3)), named_month, int(match.group(1)), raw)
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        named_month = MONTHS.get(match.group(1))
        if named_month is not None:
            return _build(int(match.group(3)), named_month, int(match.group(2)), raw)
    return _invalid(raw)


def _with_year(year_text: str, month: int, day: int, raw: str, today: date) -> DateResult:
    if len(year_text) == 4:
        return _build(int(year_text), month, day, raw)
    century = today.year // 100 * 100
    year = century + int(year_text)
    if year > today.year:
        year -= 100
    result = _build(year, month, day, raw)
    if result.value is None:
        return result
    return DateResult(result.value, (Note("date_two_digit_year", before=raw, after=result.value.isoformat()),))


def _build(year: int, month: int, day: int, raw: str) -> DateResult:
    try:
        return new_tuple(DateResult, (date(year, month, day), ()))
    except ValueError:
        return _invalid(raw)


def _invalid(raw: str) -> DateResult:
    # Built only when needed: a note costs more than parsing most dates.
    return DateResult(None, (Note("date_invalid", before=raw),))


def jalali_to_gregorian(year: int, month: int, day: int) -> date | None:
    """Convert a Persian (Jalali/Solar Hijri) date; None when it does not exist.

    Args:
        year: Jalali year (e.g. 1364).
        month: 1-12 (Farvardin = 1).
        day: 1-31.

    Returns:
        The Gregorian date, or None for an impossible Jalali date.
    """
    if not (1 <= month <= 12 and 1 <= day <= (31 if month <= 6 else 30)):
        return None
    days = -355668 + 365 * (year + 1595) + ((year + 1595) // 33) * 8 + ((year + 1595) % 33 + 3) // 4 + day
    days += (month - 1) * 31 if month < 7 else (month - 7) * 30 + 186
    gregorian_year = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gregorian_year += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gregorian_year += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gregorian_year += (days - 1) // 365
        days = (days - 1) % 365
    try:
        converted = date.fromordinal(date(gregorian_year, 1, 1).toordinal() + days)
    except ValueError:
        return None
    # Esfand 30 exists only in leap years: the round trip rejects it otherwise.
    return converted if gregorian_to_jalali(converted) == (year, month, day) else None


def gregorian_to_jalali(value: date) -> tuple[int, int, int]:
    """Convert a Gregorian date to (Jalali year, month, day)."""
    days_before_month = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
    year = value.year + 1 if value.month > 2 else value.year
    days = (
        355666
        + 365 * value.year
        + (year + 3) // 4
        - (year + 99) // 100
        + (year + 399) // 400
        + value.day
        + days_before_month[value.month - 1]
    )
    jalali_year = -1595 + 33 * (days // 12053)
    days %= 12053
    jalali_year += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jalali_year += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        return jalali_year, 1 + days // 31, 1 + days % 31
    return jalali_year, 7 + (days - 186) // 30, 1 + (days - 186) % 30
