import re

import phonenumbers
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.phonenumberutil import _number_type_helper

from agents.core.normalize.phones import (
    _SEPARATORS,
    _SPECIAL_TYPES,
    PHONE_KINDS,
    _number_type,
    _TypeTable,
    _without_separators,
    classify,
    normalize_phone,
    parse_digits,
    parse_plain,
    standardized_phone,
)
from schemas.records import Phone

PHONE_CASES = [
    # raw, region, e164, number region, kind
    ("138 0013 8000", "CN", "+8613800138000", "CN", "mobile"),
    ("+86 138 0013 8000", None, "+8613800138000", "CN", "mobile"),
    ("0086 13800138000", "US", "+8613800138000", "CN", "mobile"),
    ("１３８００１３８０００", "CN", "+8613800138000", "CN", "mobile"),
    ("010 1234 5678", "CN", "+861012345678", "CN", "fixed_line"),
    ("۰۹۱۲۳۴۵۶۷۸۹", "IR", "+989123456789", "IR", "mobile"),
    ("٠٩١٢٣٤٥٦٧٨٩", "IR", "+989123456789", "IR", "mobile"),
    ("030 1234567", "DE", "+49301234567", "DE", "fixed_line"),
    ("+49 171 1234567", None, "+491711234567", "DE", "mobile"),
    ("(415) 555-2671", "US", "+14155552671", "US", "fixed_line_or_mobile"),
    ("020 7946 0958", "GB", "+442079460958", "GB", "fixed_line"),
    ("+44 7712 345678", None, "+447712345678", "GB", "mobile"),
    ("01 23 45 67 89", "FR", "+33123456789", "FR", "fixed_line"),
    ("+34 612 34 56 78", None, "+34612345678", "ES", "mobile"),
    ("03-1234-5678", "JP", "+81312345678", "JP", "fixed_line"),
    ("090-1234-5678", "JP", "+819012345678", "JP", "mobile"),
    ("+91 98765 43210", None, "+919876543210", "IN", "mobile"),
    ("(11) 91234-5678", "BR", "+5511912345678", "BR", "mobile"),
    ("+7 912 345-67-89", None, "+79123456789", "RU", "mobile"),
    ("010-1234-5678", "KR", "+821012345678", "KR", "mobile"),
    ("+800 1234 5678", None, "+80012345678", "001", "toll_free"),
]


@pytest.mark.parametrize(("raw", "region", "e164", "number_region", "kind"), PHONE_CASES)
def test_normalize_phone(raw, region, e164, number_region, kind):
    result = normalize_phone(raw, region)
    assert result.phone is not None
    assert (result.phone.e164, result.phone.region, result.phone.kind, result.phone.valid) == (
        e164,
        number_region,
        kind,
        True,
    )
    assert result.notes == ()


def test_cn_ten_digit_mobile_is_invalid():
    result = normalize_phone("138 0013 800", "CN")
    assert result.national_number == "1380013800"
    assert not result.phone.valid
    assert [n.code for n in result.notes] == ["phone_invalid"]


@pytest.mark.parametrize(
    ("raw", "region", "code"),
    [
        ("abc", "US", "phone_invalid"),
        ("0912 345 6789", None, "phone_region_unknown"),
        ("12", "US", "phone_invalid"),
    ],
)
def test_unusable_phones(raw, region, code):
    assert [n.code for n in normalize_phone(raw, region).notes] == [code]


digits = st.text(alphabet="0123456789 +-()۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩１２３", max_size=20)
regions = st.sampled_from([None, "CN", "IR", "US", "GB", "DE", "FR", "JP", "IN", "BR", "RU", "KR", "ES", "XX"])


@given(digits | st.text(max_size=30), regions)
def test_normalize_phone_never_raises_and_is_idempotent(raw, region):
    result = normalize_phone(raw, region)
    if result.phone is not None:
        again = normalize_phone(result.phone.e164, region)
        assert again.phone is not None and again.phone.e164 == result.phone.e164


@given(
    st.text(alphabet="0123456789", min_size=3, max_size=15),
    regions.filter(lambda r: r not in (None, "XX")),
)
@example("002000", "US")
def test_validity_from_number_type_equals_is_valid_number(national, region):
    result = normalize_phone(national, region)
    if result.phone is not None:
        # normalize_phone reads a leading "00" (then a non-zero digit) as "+", so parse that text.
        number = phonenumbers.parse(re.sub(r"^00(?=[1-9])", "+", national), region)
        assert result.phone.valid == phonenumbers.is_valid_number(number)
        assert result.phone.region == phonenumbers.region_code_for_number(number)


@settings(max_examples=1000)
@given(
    st.sampled_from(["1", "7", "44", "39", "49", "86", "98", "262", "590", "800", "882"]),
    st.text(alphabet="0123456789", min_size=2, max_size=14),
)
@example("1", "4165550199")  # CA: found by leading digits after the US type check
@example("1", "2125550123")  # US: type found on the region walk
@example("44", "7797123456")  # JE
@example("7", "7012345678")  # KZ
def test_classify_equals_public_region_and_type(calling_code, digits):
    # classify() uses two private phonenumbers helpers: pin it to the public functions.
    try:
        number = phonenumbers.parse(f"+{calling_code}{digits}", None)
    except phonenumbers.NumberParseException:
        return
    national = phonenumbers.national_significant_number(number)
    number_type = phonenumbers.number_type(number)
    assert classify(number.country_code, national) == (
        phonenumbers.region_code_for_number(number),
        PHONE_KINDS[number_type],
        number_type != phonenumbers.PhoneNumberType.UNKNOWN,
    )


@pytest.mark.parametrize("national", ["00", "000", "0000", "0612345678", "0012", "3123456789"])
def test_classify_rebuilds_leading_zeros(national):
    number = phonenumbers.parse(f"+39{national}", None)
    assert phonenumbers.national_significant_number(number) == national
    assert classify(39, national)[0] == phonenumbers.region_code_for_number(number)


def _parse_outcome(parse, text, region):
    """What a parse function gives: the number's fields, or the error type it raises."""
    try:
        number = parse(text, region)
    except phonenumbers.NumberParseException as error:
        return ("error", error.error_type)
    return (number.country_code, number.national_number, number.italian_leading_zero, number.number_of_leading_zeros)


@given(
    st.tuples(
        st.sampled_from(["", "", "+", "0", "00", "011", "0011", "49", "86", "98", "1", "7", "39", "810"]),
        st.text(alphabet="0123456789", min_size=0, max_size=16),
    )
    .map("".join)
    .filter(lambda number: len(number.lstrip("+")) >= 3),
    regions | st.sampled_from(["AR", "MX", "IT", "AU", "NL", "ZZ", "001"]),
)
@example("+8613800138000", None)
@example("08612345678", "CN")
@example("0911234567", "AR")
@example("0449876543210", "MX")
@example("0612345678", "IT")
@example("0612", "IT")
@example("011442079460958", "US")
@example("00442079460958", "DE")
@example("4930123456", "DE")
@example("49999999999999999", "DE")  # country code kept only because the whole is too long
@example("8699999999999999", "CN")
@example("1999999999999", "US")
@example("8613800138000", "CN")
@example("01144", "US")
@example("00999123", "DE")
@example("+999123", "DE")
@settings(max_examples=1000)
def test_parse_plain_equals_phonenumbers_parse(number, region):
    # parse_plain runs the tail of phonenumbers.parse with its private helpers: pin it to parse.
    assert _parse_outcome(parse_plain, number, region) == _parse_outcome(phonenumbers.parse, number, region)


@given(
    st.text(alphabet="0123456789 ().-", min_size=1, max_size=24),
    st.booleans(),
    regions,
)
@settings(max_examples=1000)
@example("(0)30 1234567", False, "DE")
@example("49 (0)157 9199 2010", True, None)
@example("1-2", False, "US")
def test_separators_do_not_change_the_parse(text, plus, region):
    # normalize_phone parses digits-and-separators text as its digits alone; parse must agree.
    raw = f"+{text}" if plus else text
    assume(re.match(r"\s*00\s*[1-9]", raw) is None)  # normalize_phone reads that 00 as "+" (tested above)
    outcome = _parse_outcome(phonenumbers.parse, raw, region)
    if sum(c.isdigit() for c in raw) >= 3:
        digits = ("+" if plus else "") + re.sub(r"[^0-9]", "", text)
        assert outcome == _parse_outcome(phonenumbers.parse, digits, region)
    result = normalize_phone(raw, region)
    if outcome[0] == "error":
        assert result.phone is None
    else:
        number = phonenumbers.parse(raw, region)
        assert result.phone is not None
        assert result.phone.e164 == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert result.national_number == phonenumbers.national_significant_number(number)


def _example_numbers():
    """libphonenumber's own example numbers: every region x every type, non-geographic ones, and invalid ones."""
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in PHONE_KINDS:
            if (number := phonenumbers.example_number_for_type(region, number_type)) is not None:
                yield number
        if (number := phonenumbers.invalid_example_number(region)) is not None:
            yield number
    for calling_code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        if (number := phonenumbers.example_number_for_non_geo_entity(calling_code)) is not None:
            yield number


def test_classify_equals_public_region_and_type_on_every_example_number():
    numbers = list(_example_numbers())
    assert len(numbers) > 1500
    mismatches = []
    for number in numbers:
        national = phonenumbers.national_significant_number(number)
        number_type = phonenumbers.number_type(number)
        expected = (
            phonenumbers.region_code_for_number(number),
            PHONE_KINDS[number_type],
            number_type != phonenumbers.PhoneNumberType.UNKNOWN,
        )
        if classify(number.country_code, national) != expected:
            mismatches.append((number.country_code, national))
    assert mismatches == []


ALL_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def _digits_outcome(text, region):
    """What `parse` gives as (calling code, national significant number), or the error type."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        return ("error", error.error_type)
    return (number.country_code, phonenumbers.national_significant_number(number))


def _parse_digits_outcome(text, region):
    try:
        return parse_digits(text, region)
    except phonenumbers.NumberParseException as error:
        return ("error", error.error_type)


@settings(max_examples=2000)
@given(
    st.tuples(
        st.sampled_from(["", "", "+", "0", "00", "011", "0011", "8", "810", "1", "7", "44", "49", "54", "52", "39"]),
        st.text(alphabet="0123456789", min_size=0, max_size=18),
    )
    .map("".join)
    .filter(lambda number: len(number.lstrip("+")) >= 3),
    st.sampled_from([*ALL_REGIONS, None, "ZZ", "001", "de", "XX"]),
)
@example("0911234567", "AR")  # national prefix with a transform rule
@example("01512345678", "AR")
@example("044155123456", "MX")
@example("+5491123456789", None)
@example("8 800 555 35 35".replace(" ", ""), "RU")
@example("+80012345678", "001")
@example("0000", "IT")
@example("+0012345", None)
def test_parse_digits_equals_phonenumbers_parse_in_every_region(number, region):
    # parse_digits runs `parse` on compiled per-region plans: pin it to `parse` in every region.
    assert _parse_digits_outcome(number, region) == _digits_outcome(number, region)


def _example_writings():
    """Every example number written nationally and internationally, as digits and with separators."""
    formats = (
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.E164,
    )
    for number in _example_numbers():
        region = phonenumbers.region_code_for_number(number) or "US"
        for number_format in formats:
            written = phonenumbers.format_number(number, number_format)
            for region_given in {region if region in phonenumbers.SUPPORTED_REGIONS else "US", "DE"}:
                yield written, region_given
                yield re.sub(r"[^0-9+]", "", written), region_given


def test_normalize_phone_equals_the_public_functions_on_every_example_number_written():
    mismatches = []
    for raw, region in _example_writings():
        result = normalize_phone(raw, region)
        text = re.sub(r"^00(?=[1-9])", "+", raw)
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            expected = None
        else:
            number_type = phonenumbers.number_type(number)
            expected = (
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                phonenumbers.region_code_for_number(number),
                PHONE_KINDS[number_type],
                phonenumbers.is_valid_number(number),
                phonenumbers.national_significant_number(number),
            )
        actual = None
        if result.phone is not None:
            phone = result.phone
            actual = (phone.e164, phone.region, phone.kind, phone.valid, result.national_number)
        if actual != expected:
            mismatches.append((raw, region, actual, expected))
    assert mismatches == []


def _all_metadata():
    for region in ALL_REGIONS:
        yield PhoneMetadata.metadata_for_region(region)
    for calling_code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        yield PhoneMetadata.metadata_for_nongeo_region(calling_code)


def test_number_type_tables_equal_number_type_helper_across_regions():
    # Each region's compiled table against the library on the example numbers of its calling code
    # and on a fixed sample of every other (wrong-region numbers are the negative cases).
    by_calling_code = {}
    for number in _example_numbers():
        national = phonenumbers.national_significant_number(number)
        by_calling_code.setdefault(number.country_code, set()).add(national)
    sample = sorted(set().union(*by_calling_code.values()))[::20]
    mismatches = []
    for metadata in _all_metadata():
        table = _TypeTable(metadata)
        for national in [*sorted(by_calling_code.get(metadata.country_code, ())), *sample]:
            if _number_type(national, table) != _number_type_helper(national, metadata):
                mismatches.append((metadata.id, national))
    assert mismatches == []


def test_metadata_patterns_combine_safely():
    # `_TypeTable` joins each region's patterns into one alternation: a backreference or an inline
    # flag in a pattern would change meaning there. None exists; fail loudly if an update adds one.
    names = ["general_desc", "fixed_line", "mobile", *(name for name, _ in _SPECIAL_TYPES)]
    unsafe = []
    for metadata in _all_metadata():
        for name in names:
            desc = getattr(metadata, name)
            if desc is not None and desc.national_number_pattern:
                pattern = desc.national_number_pattern
                if re.search(r"\\[1-9]|\(\?[^:]", pattern):
                    unsafe.append((metadata.id, name, pattern))
    assert unsafe == []


@pytest.mark.parametrize(("country_code", "national"), [(98, "9125074357"), (1, "2125550123"), (800, "12345678")])
def test_standardized_phone_is_the_validated_model(country_code, national):
    phone = standardized_phone(country_code, national)
    region, kind, valid = classify(country_code, national)
    expected = Phone(e164=f"+{country_code}{national}", region=region, kind=kind, valid=valid)
    assert type(phone) is Phone
    assert phone == expected
    assert phone.model_fields_set == expected.model_fields_set


@given(st.text(alphabet="+0123456789 ().-x\u0661", max_size=30))
@example("+86 (139) 1234.5678-")
def test_without_separators_equals_the_translate_reference(text):
    # The reference: delete every separator character with one translation table.
    reference = text.translate(str.maketrans("", "", _SEPARATORS))
    assert _without_separators(text) == reference
    assert set(_SEPARATORS) == set(" ().-")
