"""Address-line and postcode normalization.

Street lines: whitespace and Unicode folding for every country; street-type abbreviations
standardized where the country's convention is known (English-speaking: Street/Str./St. -> St,
Avenue/Av. -> Ave, Road -> Rd, ...; German-speaking: Str./Strasse -> Straße). Postcodes:
uppercased, spacing standardized per country and checked against the country's format
(US, GB, DE, FR, CN, IR, JP, NL, CA, IN, BR, ...), with a note on mismatch.
Pure and deterministic; never raises on any string.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from agents.core.normalize.text import Note, ascii_digits, fold_text, new_tuple

ENGLISH_STREET_COUNTRIES: frozenset[str] = frozenset({"US", "GB", "CA", "AU", "NZ", "IE", "IN", "SG", "ZA"})
GERMAN_STREET_COUNTRIES: frozenset[str] = frozenset({"DE", "AT", "CH", "LI"})

ENGLISH_STREET_TYPES: dict[str, str] = {
    "street": "St",
    "st": "St",
    "str": "St",
    "avenue": "Ave",
    "ave": "Ave",
    "av": "Ave",
    "road": "Rd",
    "rd": "Rd",
    "boulevard": "Blvd",
    "blvd": "Blvd",
    "drive": "Dr",
    "dr": "Dr",
    "lane": "Ln",
    "ln": "Ln",
    "court": "Ct",
    "ct": "Ct",
    "place": "Pl",
    "pl": "Pl",
    "square": "Sq",
    "sq": "Sq",
    "highway": "Hwy",
    "hwy": "Hwy",
    "parkway": "Pkwy",
    "pkwy": "Pkwy",
    "terrace": "Ter",
    "ter": "Ter",
    "suite": "Ste",
    "ste": "Ste",
    "apartment": "Apt",
    "apt": "Apt",
}
"""English street-type words -> USPS-style abbreviation (no trailing dot)."""

# A whole ASCII word that is a street type, with its optional dot: the same matches as
# "every ASCII word, kept unless it is a street type", without a Python call per other word.
# (?ai:...) keeps case folding ASCII-only inside ("ſt" is not "st"); \b stays Unicode-aware.
_ENGLISH_STREET_WORD = re.compile(
    r"\b(?ai:(" + "|".join(sorted(ENGLISH_STREET_TYPES, key=len, reverse=True)) + r"))\b\.?"
)
_GERMAN_STRASSE_SUFFIX = re.compile(r"(?i)(?<=\w)(?:str\.|strasse\b|straße\b)")
_GERMAN_STRASSE_WORD = re.compile(r"(?i)\b(?:str\.|strasse\b|straße\b)")

POSTCODE_FORMATS: dict[str, str] = {
    "US": r"\d{5}(?:-\d{4})?",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "CN": r"\d{6}",
    "IR": r"\d{10}",
    "JP": r"\d{3}-\d{4}",
    "NL": r"\d{4} [A-Z]{2}",
    "CA": r"[A-Z]\d[A-Z] \d[A-Z]\d",
    "IN": r"\d{6}",
    "BR": r"\d{5}-\d{3}",
    "AT": r"\d{4}",
    "CH": r"\d{4}",
    "BE": r"\d{4}",
    "AU": r"\d{4}",
    "RU": r"\d{6}",
    "KR": r"\d{5}",
    "SE": r"\d{3} \d{2}",
    "PL": r"\d{2}-\d{3}",
    "MX": r"\d{5}",
}
"""Country -> postcode regex (after `normalize_postcode` spacing); others are not checked."""

_POSTCODE_PATTERNS = {country: re.compile(pattern) for country, pattern in POSTCODE_FORMATS.items()}
_SPACING: dict[str, tuple[re.Pattern[str], str]] = {
    "GB": (re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})"), r"\1 \2"),
    "CA": (re.compile(r"([A-Z]\d[A-Z])(\d[A-Z]\d)"), r"\1 \2"),
    "NL": (re.compile(r"(\d{4})([A-Z]{2})"), r"\1 \2"),
    "JP": (re.compile(r"(\d{3})(\d{4})"), r"\1-\2"),
    "BR": (re.compile(r"(\d{5})(\d{3})"), r"\1-\2"),
    "US": (re.compile(r"(\d{5})(\d{4})"), r"\1-\2"),
    "SE": (re.compile(r"(\d{3})(\d{2})"), r"\1 \2"),
    "PL": (re.compile(r"(\d{2})(\d{3})"), r"\1-\2"),
}
_COMPACTED = {"GB", "CA", "NL", "JP", "BR", "US", "SE", "PL", "IR"}


class PostcodeResult(NamedTuple):
    """A normalized postcode.

    Attributes:
        value: Uppercased, country-standard spacing (None when empty).
        notes: `postcode_format` when it does not fit the country's format.
    """

    value: str | None
    notes: tuple[Note, ...] = ()


@lru_cache(maxsize=32768)
def normalize_street(raw: str, country: str | None) -> str | None:
    """Standardize one street line.

    Args:
        raw: The street line as received.
        country: Record's ISO alpha-2 country; selects abbreviation conventions.

    Returns:
        The cleaned line, or None when empty.
    """
    text = fold_text(raw) if raw else ""
    if not text:
        return None
    if country in ENGLISH_STREET_COUNTRIES:
        return _ENGLISH_STREET_WORD.sub(_english_abbreviation, text)
    if country in GERMAN_STREET_COUNTRIES:
        return _GERMAN_STRASSE_WORD.sub("Straße", _GERMAN_STRASSE_SUFFIX.sub(_german_suffix, text))
    return text


def _german_suffix(match: re.Match[str]) -> str:
    word = match.group()
    return word if word.isupper() and not word.endswith(".") else "straße"  # keep "HAUPTSTRASSE"


def _english_abbreviation(match: re.Match[str]) -> str:
    return ENGLISH_STREET_TYPES[match.group(1).lower()]


@lru_cache(maxsize=32768)
def normalize_postcode(raw: str, country: str | None) -> PostcodeResult:
    """Standardize a postcode and check it against the country's format.

    Args:
        raw: The postcode as received ("sw1a1aa", "1234ab", "۱۲۳۴۵-۶۷۸۹۰", "100-0001").
        country: Record's ISO alpha-2 country.

    Returns:
        The postcode and, when the country's format is known and not met, a note.
    """
    text = " ".join(ascii_digits(fold_text(raw)).upper().split()) if raw else ""
    if not text:
        return PostcodeResult(None)
    if country in _COMPACTED:
        compact = text.replace(" ", "").replace("-", "")
        spacing = _SPACING.get(country)
        if spacing is not None and spacing[0].fullmatch(compact):
            text = spacing[0].sub(spacing[1], compact)
        elif country == "IR" and compact.isdigit():
            text = compact
    pattern = _POSTCODE_PATTERNS.get(country or "")
    if pattern is not None and not pattern.fullmatch(text):
        return PostcodeResult(text, (Note("postcode_format", before=raw, after=country),))
    return new_tuple(PostcodeResult, (text, ()))
