"""Company-name normalization: a display value and a match key without legal forms.

The display value keeps what was written (whitespace cleaned only). The key drops legal-form
designations in Latin, Chinese, Japanese and Persian (Inc., GmbH, S.A., 有限公司, 株式会社, شرکت,
سهامی خاص, ...), punctuation and case, and transliterates to ASCII, so "ACME GmbH" and "Acme" meet.
Pure and deterministic; never raises on any string.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from agents.core.normalize.text import (
    ZWNJ,
    ascii_key,
    ascii_key_of_folded,
    collapse_whitespace,
    fold_text,
    new_tuple,
)

LATIN_LEGAL_FORMS: frozenset[str] = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "ev",
        "sa",
        "sl",
        "sas",
        "sarl",
        "sasu",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "asa",
        "aps",
        "pty",
        "pte",
        "kk",
        "sdn",
        "bhd",
        "ooo",
        "zao",
        "oao",
        "pjsc",
        "jsc",
        "sro",
        "kft",
        "sp",
        "zoo",
        "cv",
        "sc",
        "gbr",
        "mbh",
        "haftungsbeschränkt",
    }
)
"""Legal-form tokens removed from the end of a Latin company key (after dots are dropped)."""

SCRIPT_LEGAL_FORMS: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "集团有限公司",
    "集團有限公司",
    "有限公司",
    "公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "주식회사",
    "유한회사",
    "سهامی خاص",
    "سهامی عام",
    "با مسئولیت محدود",
    "تعاونی",
    "شرکت",
    "ش.م.م",
)
"""Legal forms in CJK and Persian/Arabic script, removed wherever they stand (longest first)."""

_PUNCTUATION_KEEP_AMP = re.compile(r"[^\w\s&]+")
_AND = re.compile(r"\s&|&\s|\band\b|\bund\b|\bet\b|\by\b")


class CompanyResult(NamedTuple):
    """A normalized company.

    Attributes:
        display: As written, whitespace cleaned (None when empty).
        key: Lowercase ASCII key without legal forms or punctuation (None when nothing is left).
    """

    display: str | None
    key: str | None


@lru_cache(maxsize=32768)
def normalize_company(raw: str) -> CompanyResult:
    """Normalize a company name.

    Args:
        raw: "北京某某科技有限公司", "ACME GmbH & Co. KG", "شرکت نفت (سهامی خاص)", ...

    Returns:
        The display value and the match key.
    """
    display = collapse_whitespace(raw) if raw else ""
    if not display:
        return CompanyResult(None, None)
    return new_tuple(CompanyResult, (display, company_key(display) or None))


def company_key(name: str) -> str:
    """Match key of a company name (see module docstring); "" when nothing is left."""
    text = fold_text(name).casefold()
    if not text.isascii():  # every script legal form has non-ASCII letters (unit-tested)
        text = text.replace(ZWNJ, " ")
        for form in SCRIPT_LEGAL_FORMS:
            text = text.replace(form, " ")
    # Each regex pass runs only when it can match: `re` costs far more than the tests.
    if not text.replace(" ", "").isalnum():  # `str.isalnum` characters are all `\w`
        text = _PUNCTUATION_KEEP_AMP.sub(_punctuation_replacement, text)
    tokens = text.split()
    # Without "&", text of `\w` and whitespace only matches `_AND` at a whole token.
    if "&" in text or not _AND_WORDS.isdisjoint(tokens):
        tokens = _AND.sub(" ", text).replace("&", "").split()  # "A & B" -> "a b", but "AT&T" -> "att"
    while len(tokens) > 1 and tokens[-1] in LATIN_LEGAL_FORMS:
        tokens.pop()
    key = " ".join(tokens)
    if key.isascii():
        # Single-spaced ASCII is already `fold_text` output, and casefolded: when its tokens are
        # alphanumeric, `ascii_key_of_folded` would return it unchanged.
        return key if key.replace(" ", "").isalnum() else ascii_key_of_folded(key)
    return ascii_key(key)


def _punctuation_replacement(match: re.Match[str]) -> str:
    return "" if match.group() == "." else " "


_AND_WORDS = frozenset({"and", "und", "et", "y"})
"""The words of `_AND`."""
