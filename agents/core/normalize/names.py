"""Person-name normalization: display form, given/middle/family split, match and phonetic keys.

Handles Latin (case rules, particles such as `van der`, `Mc`, apostrophes, "Last, First"),
CJK (family name first, common Chinese/Japanese/Korean surnames), Persian/Arabic (letter folding,
ZWNJ) and removes honorifics and generational/degree suffixes, reporting them as notes.
Pure and deterministic; never raises on any string; must not decide severities (rules do that).
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

import jellyfish

from agents.core.normalize.text import (
    COMBINING_MARKS,
    ZWNJ,
    Note,
    ascii_key,
    ascii_key_of_folded,
    detect_script,
    fold_text,
    new_tuple,
    script_codes,
    script_of_codes,
)

HONORIFIC_PREFIXES: frozenset[str] = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "madam",
        "dame",
        "lady",
        "lord",
        "rev",
        "herr",
        "frau",
        "fr",
        "m",
        "mme",
        "mlle",
        "sr",
        "sra",
        "srta",
        "don",
        "doña",
        "dona",
        "dott",
        "sig",
        "sig.ra",
        "ing",
        "eng",
        "mag",
        "آقای",
        "آقا",
        "خانم",
        "دکتر",
        "مهندس",
        "استاد",
        "حاج",
        "حاجی",
        "جناب",
        "سرکار",
        "السيد",
        "السیده",
        "السيدة",
        "الدكتور",
        "د",
        "г-н",
        "г-жа",
        "господин",
        "госпожа",
    }
)
"""Titles removed when they lead a space-separated name (casefolded, trailing dot ignored)."""

NAME_SUFFIXES: frozenset[str] = frozenset(
    {
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "v",
        "phd",
        "ph.d",
        "md",
        "m.d",
        "esq",
        "mba",
        "dds",
        "cpa",
        "msc",
        "bsc",
        "ba",
        "ma",
        "jun",
        "sen",
    }
)
"""Generational and degree suffixes removed when they trail a Latin name."""

CJK_HONORIFICS: tuple[str, ...] = (
    "先生",
    "女士",
    "小姐",
    "博士",
    "教授",
    "老师",
    "老師",
    "经理",
    "經理",
    "总",
    "さん",
    "様",
    "さま",
    "氏",
    "殿",
    "君",
    "ちゃん",
    "씨",
    "님",
)
"""Honorifics that follow a CJK name (王小明先生, 山田様, 김민준 씨)."""

NAME_PARTICLES: frozenset[str] = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "la",
        "le",
        "dos",
        "das",
        "do",
        "ten",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "zu",
        "vom",
        "af",
        "av",
    }
)
"""Lowercase family-name particles (kept lowercase unless the name starts with them)."""

CHINESE_COMPOUND_SURNAMES: frozenset[str] = frozenset(
    [
        "欧阳",
        "歐陽",
        "司马",
        "司馬",
        "诸葛",
        "諸葛",
        "上官",
        "东方",
        "東方",
        "皇甫",
        "尉迟",
        "尉遲",
        "公孙",
        "公孫",
        "慕容",
        "长孙",
        "長孫",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "轩辕",
        "軒轅",
        "独孤",
        "獨孤",
        "南宫",
        "南宮",
        "西门",
        "西門",
        "百里",
        "呼延",
        "澹台",
        "澹臺",
        "公冶",
        "太史",
        "申屠",
        "闻人",
        "聞人",
        "万俟",
        "萬俟",
        "钟离",
        "鍾離",
        "宗政",
        "濮阳",
        "濮陽",
        "赫连",
        "赫連",
    ]
)
CHINESE_SURNAMES: frozenset[str] = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯"
    "纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪"
    "簡張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧蕭蔣餘葉蘇呂盧鐘譚陸賈韋鄒閆龍賀顧龔萬錢嚴湯齊喬龐顏聶莊魯"
    "詹歐蘭紀畢涂駱藍靳鮑饒繆"
)
"""Common Chinese single-character surnames (simplified and traditional)."""

JAPANESE_SURNAMES: frozenset[str] = frozenset(
    [
        "佐藤",
        "鈴木",
        "高橋",
        "田中",
        "伊藤",
        "渡辺",
        "渡邊",
        "山本",
        "中村",
        "小林",
        "加藤",
        "吉田",
        "山田",
        "佐々木",
        "山口",
        "松本",
        "井上",
        "木村",
        "斎藤",
        "斉藤",
        "清水",
        "山崎",
        "阿部",
        "池田",
        "橋本",
        "山下",
        "石川",
        "中島",
        "前田",
        "藤田",
        "小川",
        "後藤",
        "岡田",
        "長谷川",
        "村上",
        "近藤",
        "石井",
        "坂本",
        "遠藤",
        "青木",
        "藤井",
        "西村",
        "福田",
        "太田",
        "三浦",
        "藤原",
        "岡本",
        "松田",
        "中川",
        "中野",
        "原田",
        "小野",
        "竹内",
        "金子",
        "和田",
        "中山",
        "石田",
        "上田",
        "森田",
        "柴田",
        "酒井",
        "工藤",
        "横山",
        "宮崎",
        "宮本",
        "内田",
        "高木",
        "安藤",
        "谷口",
        "大野",
        "丸山",
        "今井",
        "河野",
        "藤本",
        "村田",
        "武田",
        "上野",
        "杉山",
        "増田",
        "平野",
        "大塚",
        "千葉",
        "久保",
        "松井",
        "小島",
        "岩崎",
        "桜井",
        "野口",
        "松尾",
        "野村",
        "木下",
        "菊地",
        "佐野",
        "大西",
        "杉本",
        "新井",
        "浜田",
        "菅原",
        "市川",
        "水野",
        "小松",
        "島田",
        "古川",
        "小山",
        "高田",
        "西田",
        "菅野",
    ]
)
"""Common Japanese family names (kanji), checked before the Chinese lists."""

KOREAN_COMPOUND_SURNAMES: frozenset[str] = frozenset(["남궁", "황보", "제갈", "선우", "독고", "사공", "서문"])

_FAMILY_FIRST_SCRIPTS = frozenset({"han", "kana", "hangul"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_CJK_CHARS = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U000323af]"
)
_DISALLOWED = re.compile(rf"[^\w\s'\-.,·・{ZWNJ}{COMBINING_MARKS}]|[\d_]")
_NAME_CHARACTERS = re.compile(rf"(?:[^\W\d_]|[\s'\-.,·・{ZWNJ}])*")
"""Text that `_DISALLOWED` cannot match: letters (not digits or "_"), spaces, name punctuation."""
_SEPARATOR_RUNS = re.compile(r"\s*([-'])\s*")
_FIRST_GROUP = itemgetter(1)
"""Replacement of `_SEPARATOR_RUNS` (the separator alone); as a string, r"\\1" runs Python code."""
_APOSTROPHE_VARIANTS = re.compile("[’‘`´ʼ]")
"""A character that `_APOSTROPHES` maps."""
_PLAIN_SEPARATED = re.compile(rf"[^\W\d_]+(?:[ '\-{ZWNJ}][^\W\d_]+)*")
"""Runs of letters (and letter-like numerals) joined by single spaces, apostrophes, hyphens, ZWNJs."""
_DOTS = re.compile(r"\.(?=\S)")
_FOREIGN_NAME_DOT = re.compile(r"\s*[·・]\s*")
_PART_EDGES = " -'.,·・\u200c"
"""Characters trimmed from both ends of a name."""
_DOTS_AT_COMMA = re.compile(r"[·・\s]*,[·・\s]*")
"""Name dots next to the comma of "Family, Given" separate nothing: "A,·B" is "A,B"."""
_CASE_PIECES = re.compile(r"([-'])")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u212a]")
"""A letter `_case_token` treats as Latin: exactly the characters `c` with `"a" <= c.lower() <= "z"`
or in Latin-1 Supplement..Latin Extended-B or Latin Extended Additional (U+212A KELVIN SIGN
lowercases to "k"); `tests/unit/test_normalize_names.py` checks it against every code point."""


class NameResult(NamedTuple):
    """A normalized person name.

    Attributes:
        full_name: Display name in the script's natural order, or None when nothing is left.
        given_name: Given (first) name.
        middle_name: Middle name(s), Latin-style names only.
        family_name: Family (last) name.
        script: Dominant script of the name (`latin`, `han`, `arabic`, ...).
        key: Lowercase ASCII match key, given name first (see `name_key`).
        notes: Honorific/suffix removals, removed characters, `name_invalid`.
    """

    full_name: str | None
    given_name: str | None
    middle_name: str | None
    family_name: str | None
    script: str | None
    key: str | None
    notes: tuple[Note, ...] = ()


def normalize_name(
    full_name: str | None = None,
    *,
    first_name: str | None = None,
    middle_name: str | None = None,
    last_name: str | None = None,
) -> NameResult:
    """Normalize a person's name from a full-name field and/or separate parts.

    Separate parts win for the split when present; the full name is then only the display value.
    Deterministic and idempotent: feeding the result's parts back in returns the same result.

    Args:
        full_name: One-field name as received ("王小明", "O'NEIL, john", "Dr. Jane Doe").
        first_name: Given name as received.
        middle_name: Middle name as received.
        last_name: Family name as received.

    Returns:
        The normalized name; every field is None when no letters remain.
    """
    return _normalize_name_cached(full_name or "", first_name or "", middle_name or "", last_name or "")


def name_key(given_name: str | None, family_name: str | None) -> str | None:
    """Lowercase ASCII match key "given family" (王小明 -> "xiaoming wang", José -> "jose").

    Args:
        given_name: Normalized given name.
        family_name: Normalized family name.

    Returns:
        The key, or None when neither part yields ASCII letters or digits.
    """
    parts = [_key_part(part) for part in (given_name, family_name) if part]
    key = " ".join(part for part in parts if part)
    return key or None


@lru_cache(maxsize=65536)
def phonetic_key(text: str) -> str:
    """Metaphone code of every token of a name key, space-separated (for blocking).

    Args:
        text: Any name or name key; it is transliterated to ASCII first.

    Returns:
        Space-separated Metaphone codes, empty when there is nothing to encode.
    """
    tokens = ascii_key(text.replace("'", "")).split()
    return " ".join(code for code in (jellyfish.metaphone(token) for token in tokens) if code)


@lru_cache(maxsize=65536)
def _normalize_name_cached(full_name: str, first: str, middle: str, last: str) -> NameResult:
    # Plain names (see `_plain_text`) lose nothing when cleaned and report nothing: they skip
    # the cleaning passes and go straight to the casing, split and keys of the general path.
    if not (first or middle or last):
        if full_name and (text := _plain_text(full_name)) is not None:
            return _plain_full_name(text)
    elif not middle:
        full_text = _plain_text(full_name) if full_name and not full_name.isspace() else ""
        if full_text is not None and (plain := _plain_parts(first, last, full_text)) is not None:
            return plain
    return _normalize_name_general(full_name, first, middle, last)


def _normalize_name_general(full_name: str, first: str, middle: str, last: str) -> NameResult:
    notes: list[Note] = []
    has_parts = bool(first.strip() or last.strip() or middle.strip())
    given = _clean_part(first, "first_name", notes, strip_prefix=True, strip_suffix=False)
    middle_clean = _clean_part(middle, "middle_name", notes, strip_prefix=False, strip_suffix=False)
    family = _clean_part(last, "last_name", notes, strip_prefix=not given, strip_suffix=True)
    display = _clean_part(full_name, "full_name", notes, strip_prefix=True, strip_suffix=True)
    script = detect_script(" ".join(p for p in (display, given, middle_clean, family) if p))

    if has_parts:
        given, middle_clean, family = _case_parts(given, middle_clean, family)
        composed = _compose(given, middle_clean, family, script)
        display = _case_full(display) if display and not _is_comma_form(display) else composed
    elif display:
        if "," not in display:  # no "Family, Given" form: the plain path's casing, split and keys
            return _plain_full_name(display, tuple(notes), script)
        display = _case_full(display)
        given, middle_clean, family, display = _split_full(display, script)

    if not (display or given or family):
        if full_name.strip() or has_parts:
            notes.append(Note("name_invalid", before=full_name or f"{first} {last}".strip()))
        return NameResult(None, None, None, None, None, None, tuple(notes))
    return NameResult(
        full_name=display or None,
        given_name=given or None,
        middle_name=middle_clean or None,
        family_name=family or None,
        script=script,
        key=name_key(given, family) or name_key(display, None),
        notes=tuple(notes),
    )


def _plain_full_name(text: str, notes: tuple[Note, ...] = (), script: str | None = "") -> NameResult:
    """`_normalize_name_general` of a cleaned full name without commas and no parts.

    Args:
        text: `_plain_text` output, or a full name as `_clean_part` leaves it (no comma).
        notes: What cleaning it reported.
        script: `detect_script(text)` when known.
    """
    if script == "":
        script = detect_script(text)
    if " " not in text or script in _FAMILY_FIRST_SCRIPTS:
        given, middle, family, display = _split_full(_case_full(text), script)
    else:  # `_split_full(_case_full(text), script)` of a name without commas, inlined
        tokens = text.split(" ")
        first = True
        for index, token in enumerate(tokens):
            tokens[index] = _case_token(token, first=first)
            first = False
        display = " ".join(tokens)
        given, middle, family = _split_given_first(tokens)
    # `name_key(given, family) or name_key(display, None)`; the key of ASCII letters is their lowercase.
    given_key = given.lower() if given.isascii() and given.isalpha() else _key_part(given)
    if family:
        family_key = family.lower() if family.isascii() and family.isalpha() else _key_part(family)
        key = f"{given_key} {family_key}" if given_key and family_key else given_key or family_key
    else:
        key = given_key
    return new_tuple(
        NameResult,
        (display, given or None, middle or None, family or None, script, key or name_key(display, None), notes),
    )


def _plain_parts(first: str, last: str, full_text: str) -> NameResult | None:
    """`_normalize_name_general` of plain given and/or family names, else None.

    `full_text` is the `_plain_text` of the full name received with them, or "" if none.
    """
    given_forms = _plain_forms(first) if first else _NO_PART
    family_forms = _plain_forms(last) if last else _NO_PART
    if given_forms is None or family_forms is None:
        return None
    _, given, given_key, _, _, given_codes = given_forms
    _, _, _, family, family_key, family_codes = family_forms
    if full_text:  # the display value; its letters count for the script too
        script = script_of_codes(script_codes(full_text) + given_codes + family_codes)
        display = _case_full(full_text)
    else:
        script = script_of_codes(given_codes + family_codes)  # `detect_script` of "given family"
        if script in _FAMILY_FIRST_SCRIPTS and " " not in given and " " not in family:
            display = family + given  # `_compose`
        else:
            display = f"{given} {family}" if given and family else given or family
    # `name_key(given, family) or name_key(display, None)`
    key = (
        f"{given_key} {family_key}" if given_key and family_key else given_key or family_key or name_key(display, None)
    )
    return new_tuple(NameResult, (display, given or None, None, family or None, script, key, ()))


_PartForms = tuple[str, str, str, str, str, str]
_LATIN_CODE = script_codes("a")
_NO_PART: _PartForms = ("", "", "", "", "", "")


@lru_cache(maxsize=65536)
def _plain_forms(raw: str) -> _PartForms | None:
    """(cleaned, as given name, its key, as family name, its key, script codes) of a plain part, else None."""
    text = _plain_text(raw)
    if text is None:
        return None
    if " " in text:
        given = _case_full(text)
        family = _case_family(text)
    else:  # one token: `_case_full` and `_case_family` both case it as a first token
        given = family = _case_token(text, first=True)
    if text.isalpha() and text.isascii():  # one ASCII word: the common case
        # Its key is its lowercase (the casing keeps ASCII letters ASCII); its letters are Latin.
        given_key = given.lower()
        return text, given, given_key, family, given_key, _LATIN_CODE * len(text)
    given_key = _key_part(given)
    family_key = given_key if family == given else _key_part(family)
    return text, given, given_key, family, family_key, script_codes(text)


@lru_cache(maxsize=65536)
def _plain_text(raw: str) -> str | None:
    """`fold_text(raw)` when it is plain, else None.

    Plain: words of letters joined by single spaces, hyphens, apostrophes or ZWNJs, with no
    title that `_strip_titles` could remove wherever the part stands. `_clean_uncached`
    returns such text unchanged and without notes, whatever its field and flags.
    """
    if raw.isascii():
        text = " ".join(raw.split())  # `fold_text` of ASCII
        if text.isalpha():  # one ASCII word: no title to remove
            return text
    else:
        text = fold_text(raw)
        if text.isalpha():
            # One word: only a CJK honorific could go; ʼ is a letter that `_APOSTROPHES` maps.
            return None if "\u02bc" in text or text.endswith(CJK_HONORIFICS) else text
        if "\u02bc" in text or text.endswith(CJK_HONORIFICS):
            return None
    if not text.replace(" ", "").isalpha():
        letters = text.replace(" ", "").replace("-", "").replace("'", "").replace(ZWNJ, "")
        if not letters.isalpha() or _PLAIN_SEPARATED.fullmatch(text) is None:
            return None
    if " " in text:
        tokens = text.split(" ")
        if tokens[0].casefold() in HONORIFIC_PREFIXES or (len(tokens) > 2 and tokens[-1].casefold() in NAME_SUFFIXES):
            return None
    return text


@lru_cache(maxsize=65536)
def _key_part(part: str) -> str:
    return ascii_key_of_folded(part.replace("'", ""))


def _clean_part(raw: str, field: str, notes: list[Note], *, strip_prefix: bool, strip_suffix: bool) -> str:
    """Fold, drop characters that cannot be in a name, remove honorifics and suffixes."""
    if not raw or raw.isspace():
        return ""
    cleaned, part_notes = _clean_part_cached(raw, field, strip_prefix, strip_suffix)
    notes.extend(part_notes)
    return cleaned


@lru_cache(maxsize=65536)
def _clean_part_cached(raw: str, field: str, strip_prefix: bool, strip_suffix: bool) -> tuple[str, tuple[Note, ...]]:
    """Cached per name part: given and family names repeat far more often than full names."""
    notes: list[Note] = []
    cleaned = _clean_uncached(raw, field, notes, strip_prefix=strip_prefix, strip_suffix=strip_suffix)
    return cleaned, tuple(notes)


def _clean_uncached(raw: str, field: str, notes: list[Note], *, strip_prefix: bool, strip_suffix: bool) -> str:
    text = fold_text(raw)
    # Each regex pass below runs only when its pattern can match: `str.translate` and `re` cost
    # far more than the `in` tests that skip them.
    translated = ("`" in text) if text.isascii() else _APOSTROPHE_VARIANTS.search(text) is not None
    if translated:
        text = text.translate(_APOSTROPHES)
    if text.isalpha():  # one word of letters only (the common case): nothing to remove or split
        if not (strip_prefix or strip_suffix) or text.isascii() or _CJK_CHARS.search(text) is None:
            return text
        return _strip_titles(text, strip_prefix=strip_prefix, strip_suffix=strip_suffix, field=field, notes=notes)
    # Letters and name punctuation only (nearly every name) has nothing disallowed: skip the
    # disallowed-character class, which lists every combining mark range. (After `fold_text`
    # the only whitespace is " ".)
    letters = text.replace(" ", "").replace(".", "").replace("-", "").replace("'", "").replace(",", "")
    if not letters.isascii():
        letters = letters.replace("·", "").replace("・", "").replace(ZWNJ, "")
    has_disallowed = not (letters.isalpha() or not letters or _NAME_CHARACTERS.fullmatch(text) is not None)
    has_disallowed = has_disallowed and _DISALLOWED.search(text) is not None
    cleaned = _DISALLOWED.sub(" ", text) if has_disallowed else text
    dotted = "." in cleaned
    if dotted:
        cleaned = _DOTS.sub(". ", cleaned)
    if has_disallowed or dotted or translated:
        # Folding can drop characters (a loose ZWNJ) and so expose separator runs: fold first.
        # Unchanged text is `fold_text` output already (idempotent).
        cleaned = fold_text(cleaned)
    if "-" in cleaned or "'" in cleaned:
        cleaned = _SEPARATOR_RUNS.sub(_FIRST_GROUP, cleaned)
    cleaned = cleaned.strip(_PART_EDGES)
    if "," in cleaned:
        cleaned = _DOTS_AT_COMMA.sub(",", cleaned)
    if "·" in cleaned or "・" in cleaned:
        cleaned = _FOREIGN_NAME_DOT.sub("·", cleaned)
    if has_disallowed and cleaned:
        notes.append(Note("name_characters_removed", field=field, before=raw, after=cleaned, applied=True))
    if strip_prefix or strip_suffix:
        cleaned = _strip_titles(cleaned, strip_prefix=strip_prefix, strip_suffix=strip_suffix, field=field, notes=notes)
    return cleaned


def _strip_titles(text: str, *, strip_prefix: bool, strip_suffix: bool, field: str, notes: list[Note]) -> str:
    before = text
    removed_prefix = removed_suffix = False
    if " " in text or text.isascii() or _CJK_CHARS.search(text) is None:
        # Tokens of edge characters only (a lone "-" or ZWNJ) separate nothing.
        tokens = [token for token in text.replace(",", " , ").split() if token == "," or token.strip(_PART_EDGES)]
        while strip_prefix and len(tokens) > 1 and tokens[0].rstrip(".").casefold() in HONORIFIC_PREFIXES:
            tokens.pop(0)
            removed_prefix = True
        if strip_prefix and len(tokens) > 1 and tokens[-1] in CJK_HONORIFICS:
            tokens.pop()
            removed_prefix = True
        while strip_suffix and len(tokens) > 2 and tokens[-1].rstrip(".").casefold() in NAME_SUFFIXES:
            tokens.pop()
            removed_suffix = True
        # A removed title can leave punctuation behind ("A . V" -> "A ."): clean it up as
        # `_clean_uncached` does, or the result would change when cleaned again.
        text = " ".join(tokens).replace(" , ", ",")
        if "-" in text or "'" in text:
            text = _SEPARATOR_RUNS.sub(_FIRST_GROUP, text)
        text = text.strip(_PART_EDGES)
    if " " not in text and text.endswith(CJK_HONORIFICS) and _CJK_CHARS.search(text) is not None:
        # Every trailing honorific goes, with the edge it leaves ("王先生-先生" -> "王").
        untitled = _without_cjk_honorifics(text)
        removed_prefix = removed_prefix or untitled != text
        text = untitled
    if removed_prefix:
        notes.append(Note("name_honorific_removed", field=field, before=before, after=text, applied=True))
    if removed_suffix:
        notes.append(Note("name_suffix_removed", field=field, before=before, after=text, applied=True))
    return text


def _without_cjk_honorifics(text: str) -> str:
    removed = True
    while removed:
        removed = False
        for honorific in CJK_HONORIFICS:
            if text.endswith(honorific) and (stripped := text[: -len(honorific)].strip(_PART_EDGES)):
                text, removed = stripped, True
                break
    return text


def _case_token(token: str, *, first: bool) -> str:
    """Title-case an all-upper or all-lower Latin token; leave mixed case and other scripts."""
    if not (token.isupper() or token.islower()):
        return token
    # A cased ASCII character is a Latin letter.
    if not token.isascii() and _LATIN_LETTER.search(token) is None:
        return token
    if not first and token.casefold() in NAME_PARTICLES:
        return token.lower()
    pieces = _CASE_PIECES.split(token) if "-" in token or "'" in token else (token,)
    out = []
    for piece in pieces:
        lower = piece.lower()
        if lower.startswith("mc") and len(lower) > 3:
            out.append("Mc" + lower[2:].capitalize())
        else:
            out.append(piece.capitalize())
    return "".join(out)


def _case_full(text: str) -> str:
    if " " not in text:
        return _case_token(text, first=True)
    first, *rest = text.split(" ")
    return " ".join([_case_token(first, first=True), *[_case_token(token, first=False) for token in rest]])


def _case_parts(given: str, middle: str, family: str) -> tuple[str, str, str]:
    return (
        _case_full(given) if given else "",
        " ".join(_case_token(t, first=False) for t in middle.split(" ")) if middle else "",
        _case_family(family) if family else "",
    )


def _case_family(family: str) -> str:
    tokens = family.split(" ")
    return " ".join(_case_token(token, first=len(tokens) == 1) for token in tokens)


def _is_comma_form(text: str) -> bool:
    return text.count(",") == 1


def _compose(given: str, middle: str, family: str, script: str | None) -> str:
    if script in _FAMILY_FIRST_SCRIPTS and not any(" " in p for p in (given, family)):
        return f"{family}{given}"
    return " ".join(part for part in (given, middle, family) if part)


def _split_full(display: str, script: str | None) -> tuple[str, str, str, str]:
    """Split a cleaned full name into (given, middle, family, display)."""
    if script in _FAMILY_FIRST_SCRIPTS:
        return _split_family_first(display)
    if _is_comma_form(display):
        # The family name ends the composed name and the given name starts it: trim the edges
        # that a second pass would trim ("A., A" -> "A A", not "A A.").
        family_part, given_part = display.split(",")
        family_part, given_part = family_part.strip().rstrip(_PART_EDGES), given_part.strip().lstrip(_PART_EDGES)
        if family_part and given_part:
            given_tokens = given_part.split()
            family_tokens = family_part.split()
            # "van der Berg, Jan" -> "Jan van der Berg": particles lowercase after a given name.
            family_tokens = [t.lower() if t.casefold() in NAME_PARTICLES else t for t in family_tokens[:-1]] + [
                _case_token(family_tokens[-1], first=True)
            ]
            tokens = [_case_token(given_tokens[0], first=True), *given_tokens[1:], *family_tokens]
            composed = " ".join(tokens)
            if _strip_titles(composed, strip_prefix=True, strip_suffix=True, field="", notes=[]) == composed:
                tokens = [tokens[0], *(_case_token(t, first=False) for t in tokens[1:])]
                given = tokens[0]
                middle = " ".join(tokens[1 : len(given_tokens)])
                family = " ".join(tokens[len(given_tokens) :])
                return given, middle, family, " ".join(tokens)
            # A title at the start or end of the composed name (a given name "Mr", a family
            # name ending "III") would go in a second pass: read it as an uncommaed name instead.
            display = _strip_titles(composed, strip_prefix=True, strip_suffix=True, field="", notes=[])
        else:
            display = family_part or given_part
    if "," in display:  # commas that do not make a "Family, Given" form separate nothing
        words = [word for word in display.replace(",", " ").split() if word.strip(_PART_EDGES)]
        display = _case_full(_SEPARATOR_RUNS.sub(_FIRST_GROUP, " ".join(words)))
    tokens = display.split(" ")
    if len(tokens) == 1:
        return tokens[0], "", "", display
    return (*_split_given_first(tokens), display)


def _split_given_first(tokens: list[str]) -> tuple[str, str, str]:
    """(given, middle, family) of two or more name tokens written given name first.

    The last token is the family name, with the particles before it ("van der", "de la").
    """
    if len(tokens) == 2:
        return tokens[0], "", tokens[1]
    family_start = len(tokens) - 1
    while family_start > 1 and tokens[family_start - 1].casefold() in NAME_PARTICLES:
        family_start -= 1
    return tokens[0], " ".join(tokens[1:family_start]), " ".join(tokens[family_start:])


def _split_family_first(display: str) -> tuple[str, str, str, str]:
    if "·" in display:  # transliterated foreign name (约翰·史密斯): given name first
        parts = [p for p in display.split("·") if p]
        if len(parts) >= 2:
            return parts[0], "·".join(parts[1:-1]), parts[-1], "·".join(parts)
        return (parts[0] if parts else ""), "", "", "·".join(parts)
    if " " in display:
        family, _, given = display.partition(" ")
        return given, "", family, display
    if len(display) < 2:
        return display, "", "", display
    family_length = _family_length(display)
    return display[family_length:], "", display[:family_length], display


def _family_length(name: str) -> int:
    if len(name) >= 4 and name[:3] in JAPANESE_SURNAMES:
        return 3
    if len(name) >= 3 and (
        name[:2] in JAPANESE_SURNAMES or name[:2] in CHINESE_COMPOUND_SURNAMES or name[:2] in KOREAN_COMPOUND_SURNAMES
    ):
        return 2
    if name[0] in CHINESE_SURNAMES or detect_script(name) == "hangul":
        return 1
    return 1 if len(name) <= 3 else 2
