"""Shared Unicode helpers for every normalizer: NFKC, Persian/Arabic folding, digits, scripts.

Pure and deterministic: no I/O, no configuration, never raises on any `str`. These helpers
decide nothing about a field; the field normalizers (`names`, `emails`, ...) build on them.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from anyascii import anyascii

ZWNJ = "\u200c"
"""Zero-width non-joiner: meaningful inside Persian words (نیک‌پور), kept in display values."""

_ARABIC_TO_PERSIAN_LETTERS = {
    "\u064a": "\u06cc",  # Arabic yeh ي -> Persian yeh ی
    "\u0649": "\u06cc",  # alef maksura ى -> Persian yeh ی
    "\u0643": "\u06a9",  # Arabic kaf ك -> Persian keheh ک
}
_DIGITS: dict[int, str | None] = {base + i: str(i) for base in (0x06F0, 0x0660) for i in range(10)}
_REMOVED: dict[int, str | None] = {
    0x0640: None,  # tatweel (kashida): purely typographic elongation
    0x200B: None,  # zero-width space
    0x200D: None,  # zero-width joiner
    0x200E: None,  # left-to-right mark
    0x200F: None,  # right-to-left mark
    0x2060: None,  # word joiner
    0xFEFF: None,  # byte-order mark / zero-width no-break space
    0x00AD: None,  # soft hyphen
}
_HARAKAT: dict[int, str | None] = {cp: None for cp in (*range(0x064B, 0x0660), 0x0670)}  # short vowels, shadda, sukun
_FOLD_TABLE: dict[int, str | None] = (
    {ord(k): v for k, v in _ARABIC_TO_PERSIAN_LETTERS.items()} | _DIGITS | _REMOVED | _HARAKAT
)

_FOLD_CHARACTERS = re.compile("[" + "".join(map(chr, sorted(_FOLD_TABLE))) + "]")
"""Any character `_FOLD_TABLE` maps: `str.translate` costs ~1 µs even when nothing changes."""

_ZWNJ_RUNS = re.compile("\u200c{2,}")
_ZWNJ_LOOSE = re.compile(r"(?<!\S)\u200c+|\u200c+(?!\S)")
_NON_ALNUM = re.compile(r"[\W_]+")


def collapse_whitespace(text: str) -> str:
    """Trim and collapse every run of Unicode whitespace into one ASCII space.

    `str.split()` splits on exactly the characters that the `re` whitespace class matches in
    Unicode patterns (`str.isspace`), at a fraction of the cost of a regex substitution.
    """
    return " ".join(text.split())


def fold_text(text: str) -> str:
    """Return `text` in the canonical Unicode form used by every normalizer.

    NFKC (full-width Latin and digits become ASCII, Arabic presentation forms become base
    letters), Arabic yeh/alef maksura -> Persian yeh, Arabic kaf -> Persian kaf, tatweel and
    harakat removed, Persian and Arabic-Indic digits -> ASCII, invisible format characters removed,
    ZWNJ kept only between two letters (runs collapsed), whitespace collapsed. Idempotent.

    Args:
        text: Any string.

    Returns:
        The folded string.
    """
    if text.isascii():
        return collapse_whitespace(text)
    folded = unicodedata.normalize("NFKC", text)
    if _FOLD_CHARACTERS.search(folded) is not None:
        # Removing marks can expose combinations NFKC composes differently: normalize again.
        folded = unicodedata.normalize("NFKC", folded.translate(_FOLD_TABLE))
    if ZWNJ in folded:
        folded = _ZWNJ_LOOSE.sub("", _ZWNJ_RUNS.sub(ZWNJ, folded))
    return collapse_whitespace(folded)


def ascii_digits(text: str) -> str:
    """Map full-width, Persian and Arabic-Indic digits (and other NFKC digit forms) to ASCII."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_DIGITS)


def ascii_key(text: str) -> str:
    """Lowercase ASCII match key: fold, transliterate (anyascii), drop punctuation, collapse.

    ZWNJ is dropped rather than turned into a space, so `نیک‌پور` and `نیکپور` share a key.

    Args:
        text: Any string.

    Returns:
        Space-separated lowercase ASCII tokens (possibly empty).
    """
    return ascii_key_of_folded(fold_text(text))


def ascii_key_of_folded(folded: str) -> str:
    """`ascii_key` for text that is already `fold_text` output (skips folding again)."""
    key = transliterate(folded).lower()  # ZWNJ transliterates to "" (unit-tested)
    # An ASCII string is alphanumeric exactly when it is all [a-z0-9]: nothing to replace; nor
    # in [a-z0-9] words joined by single spaces.
    if key.isalnum() or (key.replace(" ", "").isalnum() and key[0] != " " != key[-1] and "  " not in key):
        return key
    return _NON_ALNUM.sub(" ", key).strip()


class _BlockTable(dict[int, str]):
    """`str.translate` table of `of(char)` for every code point, filled a Unicode block at a time.

    `str.translate` pays an exception for every character its table lacks, so a sparse table
    costs more than the work it saves: this one holds every code point of each 256-character
    block in use, filled on the first look-up in the block. It is a pure function of the code
    point (as anyascii's own block table is), not a cache of inputs: its content never depends
    on what was looked up first.
    """

    __slots__ = ("_of",)

    def __init__(self, of: Callable[[str], str]) -> None:
        super().__init__()
        self._of = of

    def __missing__(self, code: int) -> str:
        start = code & ~0xFF
        of = self._of
        self.update((point, of(chr(point))) for point in range(start, min(start + 0x100, sys.maxunicode + 1)))
        return self[code]


_TRANSLITERATION = _BlockTable(anyascii)


def transliterate(text: str) -> str:
    """`anyascii(text)`, by one `str.translate` instead of a Python loop over the characters."""
    return text if text.isascii() else text.translate(_TRANSLITERATION)


_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1100, 0x11FF, "hangul"),
    (0x1E00, 0x1EFF, "latin"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x20000, 0x323AF, "han"),
)


_RANGE_STARTS = [low for low, _, _ in _SCRIPT_RANGES]  # sorted and disjoint (unit-tested)


@lru_cache(maxsize=8192)
def char_script(char: str) -> str | None:
    """Script of one letter (`latin`, `han`, `kana`, `arabic`, ..., `other`); None if no letter."""
    if not char.isalpha():
        return None
    code = ord(char)
    index = bisect_right(_RANGE_STARTS, code) - 1
    if index >= 0 and code <= _SCRIPT_RANGES[index][1]:
        return _SCRIPT_RANGES[index][2]
    return "other"


_SCRIPTS: tuple[str, ...] = tuple(sorted({script for _, _, script in _SCRIPT_RANGES} | {"other"}))
_SCRIPT_CODE = {script: chr(ord("A") + index) for index, script in enumerate(_SCRIPTS)}
_SCRIPT_OF_CODE = {code: script for script, code in _SCRIPT_CODE.items()}
_SCRIPT_CODES = _BlockTable(lambda char: _SCRIPT_CODE.get(char_script.__wrapped__(char), ""))  # type: ignore[arg-type]
"""`str.translate` table: each letter to the one-character code of its script, the rest to ""."""


def script_codes(text: str) -> str:
    """One character per letter of `text`, the code of its script (decoded by `_SCRIPT_OF_CODE`)."""
    return text.translate(_SCRIPT_CODES)


def detect_script(text: str) -> str | None:
    """Dominant script of the letters in `text`, or None when there are no letters.

    Japanese is reported as `kana` as soon as any kana appears (kanji alone read as `han`).
    """
    if text.isascii():
        return "latin" if _ASCII_LETTER.search(text) is not None else None
    return script_of_codes(script_codes(text))


def script_of_codes(codes: str) -> str | None:
    """`detect_script` of a text from its `script_codes`."""
    if not codes:
        return None
    first = codes[0]
    if codes.count(first) == len(codes):  # one script (nearly every name): nothing to count
        return _SCRIPT_OF_CODE[first]
    if _KANA_CODE in codes:
        return "kana"
    counts = {_SCRIPT_OF_CODE[code]: codes.count(code) for code in set(codes)}
    return max(sorted(counts), key=counts.__getitem__)


_KANA_CODE = _SCRIPT_CODE["kana"]
_ASCII_LETTER = re.compile("[A-Za-z]")


def _mark_ranges() -> str:
    """Regex character-class body of every combining mark (category M*) in Unicode."""
    ranges: list[str] = []
    start = previous = -2
    # Marks beyond the supplementary ideographic plane exist only as variation selectors.
    for code in (*range(0x0300, 0x20000), *range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(code))[0] != "M":
            continue
        if code != previous + 1:
            if start >= 0:
                ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = code
        previous = code
    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
    return "".join(ranges)


COMBINING_MARKS = _mark_ranges()
"""Character-class body (for `re`) matching every combining mark; `\\w` does not include them."""


new_tuple = tuple.__new__
"""`new_tuple(SomeNamedTuple, fields)` is `SomeNamedTuple(*fields)` without the NamedTuple's Python
`__new__`: for result types built once per value on hot paths, given every field in order."""


@dataclass(frozen=True, slots=True)
class Note:
    """One finding of a normalizer, turned into an Issue or Fix by the rules engine.

    Attributes:
        code: Stable machine-readable rule code (see config/rules.yaml).
        field: Canonical field concerned, or None to let the caller decide.
        before: The value as received (or the part concerned).
        after: The corrected value, or the suggested one when `applied` is False.
        applied: True when the normalizer already used `after` in its output.
    """

    code: str
    field: str | None = None
    before: Any = None  # `object` here crashes mypyc-compiled dataclasses (KeyError at import)
    after: Any = None
    applied: bool = False
