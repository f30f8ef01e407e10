"""Country normalization: names, aliases and codes in any language -> ISO 3166-1 alpha-2.

A prebuilt casefolded dict (pycountry's alpha_2, alpha_3, name, official_name, common_name, plus
the configured alias table: 中国, PRC, ایران, Deutschland, UK, 美国, ...) answers exact lookups in
well under a microsecond; `pycountry.countries.lookup` costs ~3-10 µs. Near-misses ("Germny")
are corrected with rapidfuzz and reported.

Pure and deterministic; never raises on any string; builds its index once (from configuration)
and must not read files itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pycountry
from rapidfuzz import fuzz, process

from agents.core.normalize.text import Note, fold_text, new_tuple

_PUNCTUATION = re.compile(r"[\s.,;:()\[\]'’\"/_\-]+")


@dataclass(frozen=True, eq=False)
class CountryIndex:
    """Lookup tables for `normalize_country`; hashed by identity so results can be cached.

    Attributes:
        exact: `country_key(text)` -> alpha-2, for codes, names and aliases.
        fuzzy_choices: Keys eligible for fuzzy correction (names, not codes).
        fuzzy_min_score: rapidfuzz `ratio` (0-100) needed to accept a near-miss.
    """

    exact: Mapping[str, str]
    fuzzy_choices: tuple[str, ...]
    fuzzy_min_score: float


class CountryResult(NamedTuple):
    """A normalized country.

    Attributes:
        value: ISO 3166-1 alpha-2, or None when unknown (or a correction was not applied).
        notes: `country_unknown` or `country_fuzzy_corrected`.
    """

    value: str | None
    notes: tuple[Note, ...] = ()


def country_key(text: str) -> str:
    """Casefolded lookup key: NFKC/Persian folding, punctuation removed, leading "the " dropped."""
    key = _PUNCTUATION.sub(" ", fold_text(text).casefold()).replace("&", " and ")
    key = " ".join(key.split())
    return key[4:] if key.startswith("the ") else key


def build_country_index(aliases: Mapping[str, str], fuzzy_min_score: float = 88.0) -> CountryIndex:
    """Build the lookup index from pycountry and an alias table (alias -> alpha-2).

    Args:
        aliases: Extra names and codes, e.g. {"中国": "CN", "UK": "GB"}; aliases win over pycountry.
        fuzzy_min_score: rapidfuzz ratio needed for a near-miss correction.

    Returns:
        The frozen index.
    """
    exact: dict[str, str] = {}
    names: set[str] = set()
    for country in pycountry.countries:
        alpha_2 = country.alpha_2
        exact[country_key(country.alpha_2)] = alpha_2
        exact[country_key(country.alpha_3)] = alpha_2
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                exact[country_key(name)] = alpha_2
                names.add(country_key(name))
    for alias, alpha_2 in aliases.items():
        key = country_key(alias)
        exact[key] = alpha_2.upper()
        if len(key) > 3 and key.isascii():
            names.add(key)
    return CountryIndex(exact=exact, fuzzy_choices=tuple(sorted(names)), fuzzy_min_score=fuzzy_min_score)


def normalize_country(raw: str, index: CountryIndex, *, apply_fuzzy: bool = True) -> CountryResult:
    """Map a country as written to ISO alpha-2.

    Args:
        raw: "中国", "China", "PRC", "CN", "CHN", "Iran, Islamic Republic of", "Germny", ...
        index: The prebuilt lookup index.
        apply_fuzzy: Use a near-miss correction (rule severity `fix`) instead of only reporting it.

    Returns:
        The alpha-2 code and, for unknown or corrected input, a note.
    """
    if not raw or raw.isspace():
        return CountryResult(None)
    return _normalize_country_cached(raw, index, apply_fuzzy)


@lru_cache(maxsize=8192)
def _normalize_country_cached(raw: str, index: CountryIndex, apply_fuzzy: bool) -> CountryResult:
    key = country_key(raw)
    code = index.exact.get(key)
    if code is not None:
        return new_tuple(CountryResult, (code, ()))
    if len(key) > 3 and key.isascii():
        best = process.extractOne(key, index.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=index.fuzzy_min_score)
        if best is not None:
            corrected = index.exact[best[0]]
            note = Note("country_fuzzy_corrected", before=raw, after=corrected, applied=apply_fuzzy)
            return CountryResult(corrected if apply_fuzzy else None, (note,))
    return CountryResult(None, (Note("country_unknown", before=raw),))
