"""Phone normalization with libphonenumber (`phonenumbers`): E.164, region, kind and validity.

Accepts full-width, Persian and Arabic-Indic digits and the `00` international prefix; numbers
without `+` are read in the record's country. Validity is `number_type(...) != UNKNOWN`, which
is what `is_valid_number` computes internally (a hypothesis test proves they agree), so each
number's metadata is walked once instead of twice.

Speed (all output-identical to the public `phonenumbers` calls):
- `number_type` calls `region_code_for_number` again (for +1, +7, +44, ... that walks the
  metadata of every region sharing the calling code, type-checking the number on the way);
  here the region is found once and the type found on that walk is kept. The type itself is
  `_number_type_helper` step for step on per-region tables compiled once (possible lengths as
  sets, patterns compiled), instead of four function calls and two regex runs per type tried.
  All of this mirrors private helpers, so `tests/unit/test_normalize_phones.py` pins it to the
  public functions on every example number libphonenumber ships and on random numbers.
- Text of digits and the usual separators (most CRM phones) skips the first steps of `parse`,
  which cannot change it (`parse_plain`), and is cached on its digits.
- Region and type depend only on (country calling code, national significant number), so
  they are cached on that key: the same number written differently ("0912 507 4357",
  "+98 912 507 4357", "۰۹۱۲۵۰۷۴۳۵۷") is classified once.
- Whole results are cached on (raw, region) because the same contacts are updated again and
  again, and libphonenumber's own compiled-pattern cache is switched on
  (`phonenumbers.enable_pattern_cache`).

Pure and deterministic; never raises on any string. Country-conditional rules (must match the
record's country, mobile length per country) live in `agents.core.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata, PhoneNumberDesc
from phonenumbers.phonenumberutil import (
    _MAX_INPUT_STRING_LENGTH,
    _MAX_LENGTH_FOR_NSN,
    _MIN_LENGTH_FOR_NSN,
    _PLUS_CHARS_PATTERN,
    COUNTRY_CODE_TO_REGION_CODE,
    ValidationResult,
    _check_region_for_parsing,
    _extract_country_code,
    _match_national_number,
    _maybe_strip_national_prefix_carrier_code,
    _parse_prefix_as_idd,
    _set_italian_leading_zeros_for_phone_number,
    _test_number_length,
    region_code_for_country_code,
)
from phonenumbers.re_util import re_compile

from agents.core.normalize.text import Note, ascii_digits
from schemas.records import Phone

PHONE_KINDS: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
"""libphonenumber number types -> the `Phone.kind` vocabulary."""

# libphonenumber's metadata holds more regexes than the `re` module's 512-entry cache: without
# its own (bounded, metadata-sized) pattern cache, patterns are recompiled on every few numbers.
# Output is unchanged; this only keeps compiled patterns.
phonenumbers.enable_pattern_cache()

_INTERNATIONAL_00 = re.compile(r"^\s*00(?=\s*[1-9])")
_PLAIN_PHONE = re.compile(r"\+?[0-9 ().\-]*")
"""Digits with the usual separators only. `parse` drops the separators, so such text with at least
3 digits (`parse` rejects "1-2" yet accepts "12") and at most 250 characters is parsed as its digits."""
_SEPARATORS = str.maketrans("", "", " ().-")
_NOT_A_NATIONAL_NUMBER = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A normalized phone.

    Attributes:
        phone: The standardized number (None when it cannot be parsed at all).
        national_number: National significant number digits ("" when unparsed), for
            country-conditional length rules.
        notes: `phone_invalid` or `phone_region_unknown`.
    """

    phone: Phone | None
    national_number: str = ""
    notes: tuple[Note, ...] = ()


def normalize_phone(raw: str, region: str | None) -> PhoneResult:
    """Parse and standardize a phone number.

    Args:
        raw: The number as received ("138 0013 8000", "+49 30 1234567", "۰۹۱۲۳۴۵۶۷۸۹", "0044 ...").
        region: ISO alpha-2 country used when the number has no international prefix.

    Returns:
        The E.164 phone with region, kind and validity, and notes for unusable numbers.
    """
    if not raw or raw.isspace():
        return PhoneResult(None)
    return _normalize_phone_cached(raw, region)


@lru_cache(maxsize=65536)
def _normalize_phone_cached(raw: str, region: str | None) -> PhoneResult:
    text = _INTERNATIONAL_00.sub("+", ascii_digits(raw).strip())
    if not text.startswith("+") and not region:
        return PhoneResult(None, notes=(Note("phone_region_unknown", before=raw),))
    plain = text.translate(_SEPARATORS) if _PLAIN_PHONE.fullmatch(text) else ""
    if len(text) <= _MAX_INPUT_STRING_LENGTH and len(plain.lstrip("+")) >= 3:
        parsed = _parse_plain_cached(plain, region)
    else:
        parsed = _parsed(phonenumbers.parse, text, region)  # cached on `raw` by the caller
    if parsed is None:
        return PhoneResult(None, notes=(Note("phone_invalid", before=raw),))
    phone, national = parsed
    notes = () if phone.valid else (Note("phone_invalid", before=raw, after=phone.e164),)
    return PhoneResult(phone, national, notes)


_ParsedPhone = tuple[Phone, str] | None
"""(phone, national significant number), or None when libphonenumber cannot parse the text."""


@lru_cache(maxsize=65536)
def _parse_plain_cached(number: str, region: str | None) -> _ParsedPhone:
    """`_parsed` for an optional `+` and ASCII digits only (what most CRM phones become).

    Cached on the digits, so one number written with different separators is parsed once.
    """
    return _parsed(parse_plain, number, region)


def _parsed(
    parse: Callable[[str, str | None], phonenumbers.PhoneNumber], text: str, region: str | None
) -> _ParsedPhone:
    """Parse with `parse` and standardize; None when the text is not a phone number."""
    try:
        number = parse(text, region)
    except NumberParseException:
        return None
    national = phonenumbers.national_significant_number(number)
    number_region, kind, valid = classify(number.country_code, national)
    # `format_number(number, E164)` is exactly "+", calling code, national significant number.
    return Phone(e164=f"+{number.country_code}{national}", region=number_region, kind=kind, valid=valid), national


def parse_plain(number: str, region: str | None) -> phonenumbers.PhoneNumber:
    """`phonenumbers.parse(number, region)` for `number` = optional `+` then at least 3 ASCII digits.

    For such a string the first steps of `parse` change nothing: there is no RFC 3966 context
    or sub-address and nothing to trim around the number (`_build_national_number_for_parsing`),
    it is always viable (`_is_viable_phone_number`: 3 digits suffice), and every extension form
    needs a marker (`ext`, `x`, `#`, `;`, `,`) so `_maybe_strip_extension` finds none. This runs
    the rest of `parse` line for line, with the same private helpers; the equality with
    `phonenumbers.parse` is pinned by a hypothesis test in `tests/unit/test_normalize_phones.py`.

    Raises:
        NumberParseException: Exactly when `phonenumbers.parse` raises.
    """
    if not _check_region_for_parsing(number, region):
        raise NumberParseException(NumberParseException.INVALID_COUNTRY_CODE, "Missing or invalid default region.")
    numobj = phonenumbers.PhoneNumber()
    metadata = None if region is None else PhoneMetadata.metadata_for_region(region.upper(), None)
    try:
        country_code, national = _extract_country_code_plain(number, metadata, numobj)
    except NumberParseException as error:
        plus = _PLUS_CHARS_PATTERN.match(number)
        if error.error_type != NumberParseException.INVALID_COUNTRY_CODE or plus is None:
            raise
        country_code, national = _extract_country_code_plain(number[plus.end() :], metadata, numobj)
        if country_code == 0:
            raise NumberParseException(
                NumberParseException.INVALID_COUNTRY_CODE, "Could not interpret numbers after plus-sign."
            ) from None
    if country_code != 0:
        number_region = region_code_for_country_code(country_code)
        if number_region != region:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, number_region)
    else:
        national += number  # `_normalize` of ASCII digits without "+" (a "+" found a code or raised)
        if region is not None and metadata is not None:
            numobj.country_code = metadata.country_code
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "The string supplied is too short.")
    if metadata is not None:
        _, potential, _ = _maybe_strip_national_prefix_carrier_code(national, metadata)
        if _test_number_length(potential, metadata) not in _NOT_A_NATIONAL_NUMBER:
            national = potential
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "The string supplied is too short.")
    if len(national) > _MAX_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_LONG, "The string supplied is too long.")
    _set_italian_leading_zeros_for_phone_number(national, numobj)
    numobj.national_number = int(national)
    return numobj


def _extract_country_code_plain(
    number: str, metadata: PhoneMetadata | None, numobj: phonenumbers.PhoneNumber
) -> tuple[int, str]:
    """`_maybe_extract_country_code(number, metadata, False, numobj)` for an optional "+" and ASCII digits.

    The library first normalizes the digits with a Unicode lookup per character: the identity
    for ASCII digits, so it is skipped. The rest is the library's code, with its helpers.
    """
    if number.startswith("+"):
        international, full_number = True, number[1:]
    else:
        idd = "NonMatch" if metadata is None or metadata.international_prefix is None else metadata.international_prefix
        international, full_number = _parse_prefix_as_idd(re_compile(idd), number)
    if international:
        if len(full_number) <= _MIN_LENGTH_FOR_NSN:
            raise NumberParseException(
                NumberParseException.TOO_SHORT_AFTER_IDD, "Phone number had an IDD, but is too short after it."
            )
        country_code, rest = _extract_country_code(full_number)
        if country_code == 0:
            raise NumberParseException(
                NumberParseException.INVALID_COUNTRY_CODE, "Country calling code supplied was not recognised."
            )
        numobj.country_code = country_code
        return country_code, rest
    if metadata is not None and metadata.country_code is not None:
        default_code = str(metadata.country_code)
        if full_number.startswith(default_code):
            general = metadata.general_desc
            _, potential, _ = _maybe_strip_national_prefix_carrier_code(full_number[len(default_code) :], metadata)
            if (
                not _match_national_number(full_number, general, False)
                and _match_national_number(potential, general, False)
            ) or _test_number_length(full_number, metadata) == ValidationResult.TOO_LONG:
                numobj.country_code = metadata.country_code
                return metadata.country_code, potential
    numobj.country_code = 0
    return 0, ""


@lru_cache(maxsize=65536)
def classify(country_code: int, national: str) -> tuple[str | None, str, bool]:
    """Region, `Phone.kind` and validity of a parsed number, from calling code and national number.

    Equals `region_code_for_number(n)`, `PHONE_KINDS[number_type(n)]` and
    `number_type(n) != UNKNOWN` for every parsed `n` with that calling code and national
    significant number: both functions read nothing else of `n`.

    Args:
        country_code: The number's country calling code (49 for +49...).
        national: Its national significant number (`national_significant_number`).

    Returns:
        (ISO region or None, kind, valid).
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return None, "unknown", False
    region, number_type = (regions[0], None) if len(regions) == 1 else _region_of_shared_code(regions, national)
    if region is None:  # `number_type` finds no metadata either (it looks the region up by name)
        return None, "unknown", False
    if number_type is None:
        table = _type_table(country_code, region)
        if table is None:
            return region, "unknown", False
        number_type = _number_type(national, table)
    return region, PHONE_KINDS.get(number_type, "unknown"), number_type != PhoneNumberType.UNKNOWN


def _region_of_shared_code(regions: tuple[str, ...], national: str) -> tuple[str | None, int | None]:
    """`region_code_for_number` for a calling code shared by several regions (+1, +7, +44, ...).

    The same walk as `_region_code_for_number_from_list`: a region with leading digits is
    chosen by them, any other by a full type check. That type is also the number's type
    (`number_type` reads the same region's metadata), so it is returned instead of recomputed.

    Returns:
        (region or None, its number type when the walk computed it, else None).
    """
    for region, leading_digits, table in _shared_code_walk(regions):
        if leading_digits is not None:
            if leading_digits.match(national):
                return region, None
        elif (number_type := _number_type(national, table)) != PhoneNumberType.UNKNOWN:
            return region, number_type
    return None, None


@lru_cache(maxsize=512)
def _shared_code_walk(regions: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str] | None, _TypeTable], ...]:
    """(region, compiled leading digits, type table) in walk order; regions without metadata skipped.

    Metadata is immutable once loaded, so a calling code's walk is built once (the +1 walk has
    25 regions).
    """
    walk = []
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is not None:
            leading = None if metadata.leading_digits is None else re_compile(metadata.leading_digits)
            walk.append((region, leading, _compile_types(metadata)))
    return tuple(walk)


_Desc = tuple[frozenset[int] | None, re.Pattern[str]] | None
"""A compiled `PhoneNumberDesc`: (possible lengths or None for any, pattern); None never matches."""
_TypeTable = tuple[_Desc, tuple[tuple[_Desc, int], ...], _Desc, _Desc, bool]
"""(general, the special types in check order with their type, fixed line, mobile, same pattern)."""

_SPECIAL_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
"""The order in which `_number_type_helper` tries the types before fixed line and mobile."""


@lru_cache(maxsize=1024)
def _type_table(country_code: int, region: str) -> _TypeTable | None:
    """The compiled type table of the metadata `number_type` would read for this number."""
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    return None if metadata is None else _compile_types(metadata)


def _compile_types(metadata: PhoneMetadata) -> _TypeTable:
    return (
        _compile_desc(metadata.general_desc),
        tuple(
            (compiled, number_type)
            for name, number_type in _SPECIAL_TYPES
            if (compiled := _compile_desc(getattr(metadata, name))) is not None
        ),
        _compile_desc(metadata.fixed_line),
        _compile_desc(metadata.mobile),
        bool(metadata.same_mobile_and_fixed_line_pattern),
    )


def _compile_desc(desc: PhoneNumberDesc | None) -> _Desc:
    # `_is_number_matching_desc`: no desc or an empty pattern never matches; no lengths = any length.
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = frozenset(desc.possible_length) if desc.possible_length else None
    return lengths, re_compile(desc.national_number_pattern)


def _matches(national: str, desc: _Desc) -> bool:
    """`_is_number_matching_desc` (`_match` without prefix matching is exactly a full match)."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths is not None and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


def _number_type(national: str, table: _TypeTable) -> int:
    """`_number_type_helper(national, metadata)` on the metadata's compiled table, step for step."""
    general, specials, fixed_line, mobile, same_pattern = table
    if not _matches(national, general):
        return PhoneNumberType.UNKNOWN
    for desc, number_type in specials:
        if _matches(national, desc):
            return number_type
    if _matches(national, fixed_line):
        if same_pattern or _matches(national, mobile):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not same_pattern and _matches(national, mobile):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN
