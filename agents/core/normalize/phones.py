"""Phone normalization with libphonenumber (`phonenumbers`): E.164, region, kind and validity.

Accepts full-width, Persian and Arabic-Indic digits and the `00` international prefix; numbers
without `+` are read in the record's country. Validity is `number_type(...) != UNKNOWN`, which
is what `is_valid_number` computes internally (a hypothesis test proves they agree), so each
number's metadata is walked once instead of twice.

Speed (all output-identical to the public `phonenumbers` calls):
- `number_type` calls `region_code_for_number` again (for +1, +7, +44, ... that walks the
  metadata of every region sharing the calling code); here the region is found once and the
  type computed with the helpers `number_type` and `parse` use (`_number_type_helper`,
  `_set_italian_leading_zeros_for_phone_number`: private, so pinned by
  `tests/unit/test_normalize_phones.py` against the public functions).
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
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.phonenumberutil import (
    _number_type_helper,
    _set_italian_leading_zeros_for_phone_number,
)

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
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return PhoneResult(None, notes=(Note("phone_invalid", before=raw),))
    national = phonenumbers.national_significant_number(number)
    number_region, kind, valid = classify(number.country_code, national)
    phone = Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=number_region,
        kind=kind,
        valid=valid,
    )
    notes = () if valid else (Note("phone_invalid", before=raw, after=phone.e164),)
    return PhoneResult(phone, national, notes)


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
    # Rebuilt exactly as `parse` builds it, so `national_significant_number(number) == national`.
    number = phonenumbers.PhoneNumber(country_code=country_code)
    _set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    region = phonenumbers.region_code_for_number(number)
    # No region: `number_type` finds no metadata either (it looks the region up by name).
    metadata = None if region is None else PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return region, "unknown", False
    number_type = _number_type_helper(national, metadata)
    return region, PHONE_KINDS.get(number_type, "unknown"), number_type != PhoneNumberType.UNKNOWN
