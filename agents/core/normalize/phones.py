"""Phone normalization with libphonenumber (`phonenumbers`): E.164, region, kind and validity.

Accepts full-width, Persian and Arabic-Indic digits and the `00` international prefix; numbers
without `+` are read in the record's country. Validity is `number_type(...) != UNKNOWN`, which
is what `is_valid_number` computes internally (a hypothesis test proves they agree), so each
number's metadata is walked once instead of twice.

Speed (all output-identical to the public `phonenumbers` calls):
- Text of digits and the usual separators (most CRM phones) skips the first steps of `parse`,
  which cannot change it, and runs the rest (`parse_digits`) on a `_ParsingPlan` per region:
  what `parse` reads of the metadata, compiled once (patterns compiled, the length check as a
  table by length, calling codes as a dict), with no `PhoneNumber` built.
- `number_type` calls `region_code_for_number` again (for +1, +7, +44, ... that walks the
  metadata of every region sharing the calling code, type-checking the number on the way);
  here the region is found once and the type found on that walk is kept. The type itself is
  `_number_type_helper` step for step on per-region tables compiled once, with the types whose
  possible lengths exclude the number's length dropped in advance.
- Plans and type tables are functions of libphonenumber's metadata alone (immutable once
  loaded) and hold no input, so they are built once per process, like libphonenumber's own
  metadata and compiled-pattern cache (`phonenumbers.enable_pattern_cache`), and bounded by the
  number of regions. Results are cached on input in lru caches: on the digits (one number
  written with different separators is parsed once), on (calling code, national number) for
  the standardized `Phone` (the same number written differently, "0912 507 4357",
  "+98 912 507 4357", "۰۹۱۲۵۰۷۴۳۵۷", is classified and built once) and on (raw, region)
  because the same contacts are updated again and again.
All of this mirrors private helpers, so `tests/unit/test_normalize_phones.py` pins it to the
public functions on every example number libphonenumber ships (in national and international
writing) and on random numbers.

Pure and deterministic; never raises on any string. Country-conditional rules (must match the
record's country, mobile length per country) live in `agents.core.rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, cast

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata, PhoneNumberDesc
from phonenumbers.phonenumberutil import (
    _MAX_INPUT_STRING_LENGTH,
    _MAX_LENGTH_COUNTRY_CODE,
    _MAX_LENGTH_FOR_NSN,
    _MIN_LENGTH_FOR_NSN,
    COUNTRY_CODE_TO_REGION_CODE,
    SUPPORTED_REGIONS,
    ValidationResult,
    _set_italian_leading_zeros_for_phone_number,
    _test_number_length,
    region_code_for_country_code,
)
from phonenumbers.re_util import re_compile

from agents.core.normalize.text import Note, ascii_digits, new_tuple
from schemas.records import Phone, validated

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
_SEPARATORS = " ().-"
"""What `_PLAIN_PHONE` allows besides `+` and digits; `parse` drops them."""


def _without_separators(text: str) -> str:
    """`text` without `_SEPARATORS`: five `str.replace` calls cost a third of one `str.translate`.

    (`translate` looks each character up in its table through a Python int key; `replace` is a
    plain search that returns the same string when the character is absent.)
    """
    return text.replace(" ", "").replace("(", "").replace(")", "").replace(".", "").replace("-", "")


_NOT_A_NATIONAL_NUMBER = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)
_CALLING_CODES: dict[str, int] = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}
"""Known country calling codes by their digits (`_extract_country_code` tries 1 to 3 digits)."""


class PhoneResult(NamedTuple):
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
    text = ascii_digits(raw).strip()
    if text.startswith("00"):  # `text` is stripped, so only then can `_INTERNATIONAL_00` match
        text = _INTERNATIONAL_00.sub("+", text)
    if not region and not text.startswith("+"):
        return PhoneResult(None, notes=(Note("phone_region_unknown", before=raw),))
    plain = _without_separators(text) if _PLAIN_PHONE.fullmatch(text) else ""
    if len(text) <= _MAX_INPUT_STRING_LENGTH and len(plain.lstrip("+")) >= 3:
        parsed = _parse_plain_cached(plain, region)
    else:
        parsed = _parsed(text, region)  # cached on `raw` by the caller
    if parsed is None:
        return PhoneResult(None, notes=(Note("phone_invalid", before=raw),))
    phone, national = parsed
    notes = () if phone.valid else (Note("phone_invalid", before=raw, after=phone.e164),)
    return new_tuple(PhoneResult, (phone, national, notes))


_ParsedPhone = tuple[Phone, str] | None
"""(phone, national significant number), or None when libphonenumber cannot parse the text."""


@lru_cache(maxsize=65536)
def _parse_plain_cached(number: str, region: str | None) -> _ParsedPhone:
    """`_parsed` for an optional `+` and ASCII digits only (what most CRM phones become).

    Cached on the digits, so one number written with different separators is parsed once.
    """
    try:
        country_code, national = parse_digits(number, region)
    except NumberParseException:
        return None
    return standardized_phone(country_code, national), national


def _parsed(text: str, region: str | None) -> _ParsedPhone:
    """Parse with `phonenumbers.parse` and standardize; None when the text is not a phone number."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    national = phonenumbers.national_significant_number(number)
    return standardized_phone(cast(int, number.country_code), national), national  # `parse` sets it


@lru_cache(maxsize=65536)
def standardized_phone(country_code: int, national: str) -> Phone:
    """The `Phone` of a parsed number, from its calling code and national significant number.

    Cached on that key (the same number written differently, "0912 507 4357", "+98 912 507
    4357", "۰۹۱۲۵۰۷۴۳۵۷", is classified and built once); `Phone` is frozen, so it is shared.

    Args:
        country_code: The number's country calling code.
        national: Its national significant number.

    Returns:
        E.164 form with region, kind and validity (`classify`).
    """
    number_region, kind, valid = classify(country_code, national)
    # `format_number(number, E164)` is exactly "+", calling code, national significant number.
    fields = {"e164": f"+{country_code}{national}", "region": number_region, "kind": kind, "valid": valid}
    return validated(Phone, fields)


def parse_plain(number: str, region: str | None) -> phonenumbers.PhoneNumber:
    """`phonenumbers.parse(number, region)` for `number` = optional `+` then at least 3 ASCII digits.

    For such a string the first steps of `parse` change nothing: there is no RFC 3966 context
    or sub-address and nothing to trim around the number (`_build_national_number_for_parsing`),
    it is always viable (`_is_viable_phone_number`: 3 digits suffice), and every extension form
    needs a marker (`ext`, `x`, `#`, `;`, `,`) so `_maybe_strip_extension` finds none. The rest
    of `parse` runs in `parse_digits`; the equality with `phonenumbers.parse` is pinned by
    hypothesis tests in `tests/unit/test_normalize_phones.py`.

    Raises:
        NumberParseException: Exactly when `phonenumbers.parse` raises.
    """
    country_code, national = parse_digits(number, region)
    numobj = phonenumbers.PhoneNumber(country_code=country_code)
    _set_italian_leading_zeros_for_phone_number(national, numobj)
    numobj.national_number = int(national)
    return numobj


def parse_digits(number: str, region: str | None) -> tuple[int, str]:
    """`parse_plain` without building the `PhoneNumber`: (country calling code, national number).

    The national number is `national_significant_number(parse_plain(number, region))`: the
    digits `parse` keeps, leading zeros included. This is the tail of `phonenumbers.parse` line
    for line, reading each region's metadata through its `_ParsingPlan`.

    Args:
        number: An optional "+" then at least 3 ASCII digits, at most 250 characters.
        region: The default region, as `parse` takes it.

    Returns:
        (country calling code, national significant number).

    Raises:
        NumberParseException: Exactly when `phonenumbers.parse` raises, with its error type.
    """
    plus = number.startswith("+")
    if not plus and region not in SUPPORTED_REGIONS:  # `_check_region_for_parsing`
        raise NumberParseException(NumberParseException.INVALID_COUNTRY_CODE, "Missing or invalid default region.")
    plan = None if region is None else _REGION_PLANS[region.upper()]
    try:
        country_code, national = _extract_country_code_plain(number, plus, plan)
    except NumberParseException as error:
        if error.error_type != NumberParseException.INVALID_COUNTRY_CODE or not plus:
            raise
        country_code, national = _extract_country_code_plain(number[1:], False, plan)
        if country_code == 0:
            raise NumberParseException(
                NumberParseException.INVALID_COUNTRY_CODE, "Could not interpret numbers after plus-sign."
            ) from None
    if country_code != 0:
        if region_code_for_country_code(country_code) != region:
            plan = _CALLING_CODE_PLANS[country_code]
    else:
        # Nothing was extracted, so there is no "+" (it finds a code or raises) and the region
        # is valid (`_check_region_for_parsing`); `_normalize` leaves ASCII digits unchanged.
        national = number
        if plan is not None and plan.country_code is not None:
            country_code = plan.country_code
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "The string supplied is too short.")
    if plan is not None:
        potential = _strip_national_prefix(national, plan)
        # (When nothing was stripped, keeping `potential` or `national` is the same.)
        if potential is not national and plan.length_check(len(potential)) not in _NOT_A_NATIONAL_NUMBER:
            national = potential
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "The string supplied is too short.")
    if len(national) > _MAX_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_LONG, "The string supplied is too long.")
    # `_set_italian_leading_zeros_for_phone_number` + `int` keep exactly these digits, which
    # `national_significant_number` rebuilds: the digits are the national significant number.
    return country_code, national


def _extract_country_code_plain(number: str, plus: bool, plan: _ParsingPlan | None) -> tuple[int, str]:
    """`_maybe_extract_country_code(number, metadata, False, numobj)` for an optional "+" and ASCII digits.

    Returns (calling code, rest) like the library; (0, "") when no code is found. The library
    first normalizes the digits with a Unicode lookup per character: the identity for ASCII
    digits, so it is skipped.
    """
    if plus:
        international, full_number = True, number[1:]
    else:
        international, full_number = False, number
        if plan is not None and plan.idd is not None and (idd := plan.idd.match(number)) is not None:
            # `_parse_prefix_as_idd`: stripped unless the next digit is 0 (no calling code starts with 0).
            rest = number[idd.end() :]
            if not rest.startswith("0"):
                international, full_number = True, rest
    if international:
        if len(full_number) <= _MIN_LENGTH_FOR_NSN:
            raise NumberParseException(
                NumberParseException.TOO_SHORT_AFTER_IDD, "Phone number had an IDD, but is too short after it."
            )
        # `_extract_country_code`: the shortest known code among the first 1 to 3 digits (never from a 0).
        if not full_number.startswith("0"):
            for length in range(1, _MAX_LENGTH_COUNTRY_CODE + 1):
                country_code = _CALLING_CODES.get(full_number[:length])
                if country_code is not None:
                    return country_code, full_number[length:]
        raise NumberParseException(
            NumberParseException.INVALID_COUNTRY_CODE, "Country calling code supplied was not recognised."
        )
    if plan is not None and plan.country_code is not None and full_number.startswith(plan.country_code_text):
        potential = _strip_national_prefix(full_number[len(plan.country_code_text) :], plan)
        shorter_is_viable = not _matches_general(full_number, plan) and _matches_general(potential, plan)
        if shorter_is_viable or plan.length_check(len(full_number)) == ValidationResult.TOO_LONG:
            return plan.country_code, potential
    return 0, ""


def _matches_general(number: str, plan: _ParsingPlan) -> bool:
    """`_match_national_number(number, metadata.general_desc, False)`: a full match of its pattern."""
    return plan.general is not None and plan.general.fullmatch(number) is not None


def _strip_national_prefix(number: str, plan: _ParsingPlan) -> str:
    """The number `_maybe_strip_national_prefix_carrier_code(number, metadata)` returns.

    It is `number` itself (the same object) whenever nothing is stripped.
    """
    if not number or plan.national_prefix is None:
        return number
    prefix = plan.national_prefix.match(number)
    if prefix is None:
        return number
    groups = prefix.groups()
    if plan.transform_rule is None or groups[len(groups) - 1] is None:
        stripped = number[prefix.end() :]
    else:
        stripped = re.sub(plan.national_prefix, plan.transform_rule, number, count=1)
    # The library keeps the number when it was viable and the stripped one is not (no general
    # pattern: neither is viable). Both tests are pure, so the second runs only when needed.
    general = plan.general
    if general is None or general.fullmatch(stripped) is not None or general.fullmatch(number) is None:
        return stripped
    return number


@dataclass(frozen=True, slots=True)
class _ParsingPlan:
    """What `parse` reads of one region's metadata, compiled once.

    Attributes:
        country_code: `metadata.country_code`.
        country_code_text: Its digits.
        idd: The international prefix pattern (None when there is none: `parse` then uses
            "NonMatch", which never matches digits).
        national_prefix: `national_prefix_for_parsing`, compiled (None when absent or empty).
        transform_rule: `national_prefix_transform_rule` (None when absent or empty).
        general: The general description's pattern (None when absent or empty: never matches).
        length_checks: `_test_number_length` of national numbers of length 0 to 250 (it reads
            nothing but the length).
        metadata: The metadata itself, for longer numbers.
    """

    country_code: int | None
    country_code_text: str
    idd: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    transform_rule: str | None
    general: re.Pattern[str] | None
    length_checks: tuple[int, ...]
    metadata: PhoneMetadata

    @classmethod
    def of(cls, metadata: PhoneMetadata | None) -> _ParsingPlan | None:
        """The plan of `metadata` (None for None)."""
        if metadata is None:
            return None
        general = metadata.general_desc
        return cls(
            country_code=metadata.country_code,
            country_code_text=str(metadata.country_code),
            idd=None if metadata.international_prefix is None else re_compile(metadata.international_prefix),
            national_prefix=re_compile(metadata.national_prefix_for_parsing)
            if metadata.national_prefix_for_parsing
            else None,
            transform_rule=metadata.national_prefix_transform_rule or None,
            general=re_compile(general.national_number_pattern)
            if general is not None and general.national_number_pattern
            else None,
            length_checks=tuple(
                _test_number_length("0" * length, metadata) for length in range(_MAX_INPUT_STRING_LENGTH + 1)
            ),
            metadata=metadata,
        )

    def length_check(self, length: int) -> int:
        """`_test_number_length` of any national number of that length."""
        if length < len(self.length_checks):
            return self.length_checks[length]
        return cast(int, _test_number_length("0" * length, self.metadata))


class _RegionPlans(dict[str, "_ParsingPlan | None"]):
    """Region code -> plan of `PhoneMetadata.metadata_for_region(region, None)`, built on first use."""

    def __missing__(self, region: str) -> _ParsingPlan | None:
        plan = self[region] = _ParsingPlan.of(PhoneMetadata.metadata_for_region(region, None))
        return plan


class _CallingCodePlans(dict[int, "_ParsingPlan | None"]):
    """Known calling code -> plan of the metadata `parse` switches to for it, built on first use."""

    def __missing__(self, country_code: int) -> _ParsingPlan | None:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, region_code_for_country_code(country_code)
        )
        plan = self[country_code] = _ParsingPlan.of(metadata)
        return plan


# Functions of libphonenumber's (immutable) metadata alone, bounded by the number of regions:
# built once per process, never per input (see the module docstring).
_REGION_PLANS = _RegionPlans()
_CALLING_CODE_PLANS = _CallingCodePlans()


def classify(country_code: int, national: str) -> tuple[str | None, str, bool]:
    """Region, `Phone.kind` and validity of a parsed number, from calling code and national number.

    Equals `region_code_for_number(n)`, `PHONE_KINDS[number_type(n)]` and
    `number_type(n) != UNKNOWN` for every parsed `n` with that calling code and national
    significant number: both functions read nothing else of `n`.

    Args:
        country_code: The number's country calling code (49 for +49...).
        national: Its national significant number (`national_significant_number`).

    Returns:
        (ISO region or None, kind, valid). Not cached here: `standardized_phone`, its caller,
        caches the whole standardized number on the same key.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return None, "unknown", False
    region: str | None
    table: _TypeTable | None
    number_type: int | None
    if len(regions) == 1:
        region, table, number_type = regions[0], _TYPE_TABLES[country_code, regions[0]], None
    else:
        region, table, number_type = _region_of_shared_code(country_code, national)
        if region is None:  # `number_type` finds no metadata either (it looks the region up by name)
            return None, "unknown", False
    if number_type is None:
        if table is None:
            return region, "unknown", False
        number_type = _number_type(national, table)
    return region, PHONE_KINDS.get(number_type, "unknown"), number_type != PhoneNumberType.UNKNOWN


def _region_of_shared_code(country_code: int, national: str) -> tuple[str | None, _TypeTable | None, int | None]:
    """`region_code_for_number` for a calling code shared by several regions (+1, +7, +44, ...).

    The same walk as `_region_code_for_number_from_list`: a region with leading digits is
    chosen by them, any other by a full type check. That type is also the number's type
    (`number_type` reads the same region's metadata), so it is returned instead of recomputed.

    Returns:
        (region or None, its type table, its number type when the walk computed it, else None).
    """
    for region, leading_digits, table in _SHARED_CODE_WALKS[country_code]:
        if leading_digits is not None:
            if leading_digits.match(national):
                return region, table, None
        elif (number_type := _number_type(national, table)) != PhoneNumberType.UNKNOWN:
            return region, table, number_type
    return None, None, None


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

_LengthChecks = tuple[re.Pattern[str], dict[int, int], "re.Pattern[str] | None"]
"""The type check of numbers of one length, as one regex: (pattern, type by group, mobile pattern
still to try when the number matched as fixed line)."""


class _TypeTable(dict[int, "_LengthChecks | None"]):
    """`_number_type_helper` of one region's metadata, compiled: number length -> its check.

    `_number_type_helper` returns UNKNOWN unless the general description matches, and then the
    first of premium rate, toll free, ..., voicemail, fixed line, mobile whose description
    matches, where a description matches when it allows the length (`possible_length`) and its
    pattern fully matches. For one length, that is one regex: a lookahead that the general
    pattern matches the whole number, then an alternation of the patterns of the types that
    allow the length, each in a group, in check order. A full match of an alternation is the
    first alternative that can match the whole string, and its group (the last one to close)
    names the type. A fixed line match still needs the mobile pattern to tell fixed line from
    fixed line or mobile, as the library does. Built on first use for each length; None when
    no type can match (the number is UNKNOWN).
    """

    def __init__(self, metadata: PhoneMetadata) -> None:
        super().__init__()
        self.general = _compile_desc(metadata.general_desc)
        self.specials = tuple(
            (desc, number_type)
            for name, number_type in _SPECIAL_TYPES
            if (desc := _compile_desc(getattr(metadata, name))) is not None
        )
        self.fixed_line = _compile_desc(metadata.fixed_line)
        self.mobile = _compile_desc(metadata.mobile)
        self.same_pattern = bool(metadata.same_mobile_and_fixed_line_pattern)

    def __missing__(self, length: int) -> _LengthChecks | None:
        checks = self[length] = self._checks_for(length)
        return checks

    def _checks_for(self, length: int) -> _LengthChecks | None:
        general = _for_length(self.general, length)
        if general is None:
            return None
        candidates = [(_for_length(desc, length), number_type) for desc, number_type in self.specials]
        fixed_line, mobile = _for_length(self.fixed_line, length), _for_length(self.mobile, length)
        if fixed_line is not None:
            fixed_type = PhoneNumberType.FIXED_LINE_OR_MOBILE if self.same_pattern else PhoneNumberType.FIXED_LINE
            candidates.append((fixed_line, fixed_type))
        if not self.same_pattern:
            candidates.append((mobile, PhoneNumberType.MOBILE))
        alternatives, types, group = [], {}, 1
        for pattern, number_type in candidates:
            if pattern is not None:
                alternatives.append(f"({pattern.pattern})")
                types[group] = number_type
                group += 1 + pattern.groups
        if not alternatives:
            return None
        combined = re.compile(rf"(?=(?:{general.pattern})\Z)(?:{'|'.join(alternatives)})")
        return combined, types, None if self.same_pattern else mobile


_Desc = tuple[frozenset[int] | None, re.Pattern[str]] | None
"""A compiled `PhoneNumberDesc`: (possible lengths or None for any, pattern); None never matches."""


def _compile_desc(desc: PhoneNumberDesc | None) -> _Desc:
    # `_is_number_matching_desc`: no desc or an empty pattern never matches; no lengths = any length.
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = frozenset(desc.possible_length) if desc.possible_length else None
    return lengths, re_compile(desc.national_number_pattern)


def _for_length(desc: _Desc, length: int) -> re.Pattern[str] | None:
    """The pattern a number of that length must fully match, or None when the desc rejects it."""
    if desc is None:
        return None
    lengths, pattern = desc
    return pattern if lengths is None or length in lengths else None


def _number_type(national: str, table: _TypeTable) -> int:
    """`_number_type_helper(national, metadata)` on the metadata's compiled table (see `_TypeTable`)."""
    checks = table[len(national)]
    if checks is None:
        return PhoneNumberType.UNKNOWN
    pattern, types, mobile = checks
    match = pattern.fullmatch(national)
    if match is None:
        return PhoneNumberType.UNKNOWN
    number_type = types[cast(int, match.lastindex)]
    if number_type == PhoneNumberType.FIXED_LINE and mobile is not None and mobile.fullmatch(national) is not None:
        return PhoneNumberType.FIXED_LINE_OR_MOBILE
    return number_type


class _TypeTables(dict[tuple[int, str], "_TypeTable | None"]):
    """(calling code, region) -> type table of the metadata `number_type` reads, built on first use."""

    def __missing__(self, key: tuple[int, str]) -> _TypeTable | None:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(*key)
        table = self[key] = None if metadata is None else _TypeTable(metadata)
        return table


_ShareWalk = tuple[tuple[str, "re.Pattern[str] | None", _TypeTable], ...]


class _SharedCodeWalks(dict[int, _ShareWalk]):
    """Shared calling code -> (region, compiled leading digits, type table) in walk order.

    Regions without metadata are skipped, as `_region_code_for_number_from_list` does. Built on
    first use (the +1 walk has 25 regions).
    """

    def __missing__(self, country_code: int) -> _ShareWalk:
        entries = []
        for region in COUNTRY_CODE_TO_REGION_CODE[country_code]:
            metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
            if metadata is not None:
                leading = None if metadata.leading_digits is None else re_compile(metadata.leading_digits)
                entries.append((region, leading, _TypeTable(metadata)))
        walk = self[country_code] = tuple(entries)
        return walk


# Metadata-derived like the parsing plans: built once per process.
_TYPE_TABLES = _TypeTables()
_SHARED_CODE_WALKS = _SharedCodeWalks()
