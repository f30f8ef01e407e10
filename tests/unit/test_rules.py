import pytest
from pydantic import ValidationError

from agents.core.normalize.phones import normalize_phone
from agents.core.rules import (
    RULE_MESSAGES,
    RulesConfig,
    build_rule_book,
    load_rules,
    missing_required,
    phone_rule_notes,
    resolve_picklist,
    resolve_state,
    seniority_of,
)
from schemas.records import NormalizedContact, Phone, Severity

BOOK = load_rules("config/rules.yaml")


def test_every_code_has_a_configured_severity_and_message():
    assert set(BOOK.config.severities) == set(RULE_MESSAGES)
    assert BOOK.severity("email_typo_domain") is Severity.WARN
    assert BOOK.severity("no_such_code") is Severity.REJECT


def test_config_is_frozen_and_strict():
    with pytest.raises(ValidationError):
        BOOK.config.max_payload_bytes = 1
    with pytest.raises(ValidationError):
        RulesConfig.model_validate({"severities": {"x": "maybe"}, "required": {}})


@pytest.mark.parametrize(
    ("record_type", "contact", "missing"),
    [
        ("contact", NormalizedContact(full_name="王小明", emails=("a@x.com",)), []),
        (
            "contact",
            NormalizedContact(given_name="Li", phones=(Phone(e164="+8613800138000", valid=True),)),
            [],
        ),
        ("contact", NormalizedContact(emails=("a@x.com",)), ["full_name"]),
        ("contact", NormalizedContact(full_name="王小明"), ["email|phone"]),
        ("lead", NormalizedContact(full_name="王小明", emails=("a@x.com",)), ["company"]),
        ("lead", NormalizedContact(), ["full_name", "email|phone", "company"]),
    ],
)
def test_required_fields_per_record_type(record_type, contact, missing):
    issues = missing_required(contact, record_type, BOOK, frozenset())
    assert [(i.code, i.field) for i in issues] == [("required_missing", field) for field in missing]


def test_required_group_with_format_failure_is_not_reported_twice():
    assert missing_required(NormalizedContact(full_name="X"), "contact", BOOK, frozenset({"emails"})) == []


@pytest.mark.parametrize(
    ("raw", "country", "codes"),
    [
        ("138 0013 8000", "CN", []),
        ("138 0013 800", "CN", ["phone_mobile_length"]),
        ("138 0013 80000", "CN", ["phone_mobile_length"]),
        ("010 1234 5678", "CN", []),
        ("+49 30 1234567", "CN", ["phone_country_mismatch"]),
        ("0912 345 678", "IR", ["phone_mobile_length"]),
        ("12", "US", ["phone_invalid"]),
        ("+86 138 0013 8000", None, []),
    ],
)
def test_country_conditional_phone_rules(raw, country, codes):
    notes = phone_rule_notes(normalize_phone(raw, country), country, BOOK)
    assert [n.code for n in notes] == codes


@pytest.mark.parametrize(
    ("field", "raw", "value", "codes"),
    [
        ("industry", "Technology", "Technology", []),
        ("industry", "software", "Technology", []),
        ("industry", "互联网", "Technology", []),
        ("industry", "فناوری اطلاعات", "Technology", []),
        ("industry", "Technolgy", "Technology", ["picklist_fuzzy_corrected"]),
        ("industry", "Basket weaving", "Basket weaving", ["picklist_unknown"]),
        ("gender", "M", "male", []),
        ("gender", "女", "female", []),
        ("gender", "زن", "female", []),
        ("job_title", "CEO", "CEO", []),
    ],
)
def test_picklists_with_synonyms_and_fuzzy_correction(field, raw, value, codes):
    resolved, notes = resolve_picklist(field, raw, BOOK)
    assert resolved == value
    assert [n.code for n in notes] == codes
    if codes == ["picklist_fuzzy_corrected"]:
        assert (notes[0].before, notes[0].after, notes[0].applied) == (raw, value, True)


def test_picklist_fuzzy_is_only_reported_when_severity_is_warn():
    config = BOOK.config.model_copy(
        update={"severities": {**BOOK.config.severities, "picklist_fuzzy_corrected": Severity.WARN}}
    )
    value, notes = resolve_picklist("industry", "Technolgy", build_rule_book(config))
    assert value == "Technolgy" and not notes[0].applied


@pytest.mark.parametrize(
    ("raw", "country", "value", "codes"),
    [
        ("California", "US", "US-CA", []),
        ("CA", "US", "US-CA", []),
        ("Calif", "US", "US-CA", []),
        ("北京市", "CN", "CN-BJ", []),
        ("Beijing", "CN", "CN-BJ", []),
        ("تهران", "IR", "IR-23", []),
        ("Bayern", "DE", "DE-BY", []),
        ("Nowhere", "US", "Nowhere", ["state_unknown"]),
        ("Somewhere", None, "Somewhere", []),
    ],
)
def test_states(raw, country, value, codes):
    resolved, notes = resolve_state(raw, country, BOOK)
    assert (resolved, [n.code for n in notes]) == (value, codes)


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Chief Executive Officer", "c_level"),
        ("CEO", "c_level"),
        ("总经理", "c_level"),
        ("مدیرعامل", "c_level"),
        ("VP Sales", "vp"),
        ("Head of Marketing", "director"),
        ("销售总监", "director"),
        ("Project Manager", "manager"),
        ("Senior Engineer", "senior"),
        ("Marketing Intern", "entry"),
        ("Engineer", None),
    ],
)
def test_seniority(title, level):
    assert seniority_of(title, BOOK) == level


def test_a_number_of_the_record_countrys_numbering_plan_is_not_a_country_mismatch() -> None:
    from pathlib import Path

    from agents.core.normalize.phones import normalize_phone
    from agents.core.rules import load_rules, phone_rule_notes

    book = load_rules(Path(__file__).resolve().parents[2] / "config" / "rules.yaml")
    jersey_mobile = normalize_phone("+44 7797 712345", "GB")
    assert jersey_mobile.phone is not None and jersey_mobile.phone.region == "JE"
    jersey_codes = {n.code for n in phone_rule_notes(jersey_mobile, "GB", book)}
    assert "phone_country_mismatch" not in jersey_codes
    german_mobile = normalize_phone("+49 151 23456789", "DE")
    assert "phone_country_mismatch" in {n.code for n in phone_rule_notes(german_mobile, "GB", book)}
