import base64
import json
from datetime import UTC, date, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.core.cleaning import Cleaned, PayloadOrigin, Rejected, clean_event, load_cleaning_config
from schemas.outputs import RejectedEvent
from schemas.records import Severity

CONFIG = load_cleaning_config("config/rules.yaml", "config/mappings.yaml")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
README_EVENT = """{"event_id": "webform-7f3a", "source": "webform", "external_id": "lead-1182",
 "occurred_at": "2026-11-22T09:14:03Z", "record_type": "lead", "owner": "li.wei",
 "contact": {"full_name": "王小明", "phone": "138 0013 8000", "country": "中国",
             "email": " XiaoMing.Wang@Example.COM ", "company": "北京某某科技有限公司"}}""".encode()


def event(contact, **envelope):
    body = {
        "event_id": "e-1",
        "source": "webform",
        "occurred_at": "2026-11-22T09:14:03Z",
        "contact": contact,
    }
    return orjson.dumps(body | envelope)


def clean(payload, origin=None):
    return clean_event(payload, config=CONFIG, origin=origin, now=NOW)


def reasons(result):
    assert isinstance(result, Rejected), result
    return [(issue.code, issue.field) for issue in result.event.reasons]


def test_readme_example_cleans_as_documented():
    result = clean(README_EVENT)
    assert isinstance(result, Cleaned)
    contact = result.contact
    assert (contact.full_name, contact.given_name, contact.family_name) == ("王小明", "小明", "王")
    assert contact.name_key == "xiaoming wang"
    assert contact.phone == "+8613800138000" and contact.phones[0].kind == "mobile"
    assert contact.country == "CN"
    assert contact.email == "xiaoming.wang@example.com"
    assert (contact.company, contact.company_key) == ("北京某某科技有限公司", "beijingmoumoukeji")
    assert result.event.record_id == "webform:lead-1182"
    assert result.quality.warnings == () and result.quality.fixes == ()
    assert result.quality.completeness["email"] and not result.quality.completeness["birth_date"]
    assert 0 < result.quality.score <= 1


MULTILINGUAL = [
    (
        {
            "first_name": "José",
            "last_name": "GARCÍA",
            "email": "jose.garcia@Correo.ES",
            "phone": "612 34 56 78",
            "country": "España",
            "birth_date": "12/03/1985",
        },
        "José García",
        "+34612345678",
        "ES",
        date(1985, 3, 12),
    ),
    (
        {
            "full_name": "MÜLLER, Hans-Peter",
            "email": "hp@web.de",
            "phone": "030 1234567",
            "country": "Deutschland",
            "postcode": "10115",
            "street": "Hauptstr. 5",
        },
        "Hans-Peter Müller",
        "+49301234567",
        "DE",
        None,
    ),
    (
        {
            "full_name": "Jean Dupont",
            "email": "jean@orange.fr",
            "phone": "01 23 45 67 89",
            "country": "France",
            "birth_date": "12 mars 1985",
        },
        "Jean Dupont",
        "+33123456789",
        "FR",
        date(1985, 3, 12),
    ),
    (
        {
            "full_name": "آقای محمد رضایی",
            "phone": "۰۹۱۲۳۴۵۶۷۸۹",
            "country": "ایران",
            "birth_date": "۱۳۶۴/۰۱/۰۱",
        },
        "محمد رضایی",
        "+989123456789",
        "IR",
        date(1985, 3, 21),
    ),
    (
        {
            "full_name": "山田太郎",
            "email": "taro@example.jp",
            "phone": "090-1234-5678",
            "country": "日本",
            "birth_date": "1985年3月12日",
        },
        "山田太郎",
        "+819012345678",
        "JP",
        date(1985, 3, 12),
    ),
    (
        {
            "full_name": "JOHN o'neil",
            "email": "JOHN@EXAMPLE.COM",
            "phone": "(415) 555-2671",
            "country": "USA",
            "birth_date": "03/12/1985",
            "state": "Calif.",
        },
        "John O'Neil",
        "+14155552671",
        "US",
        date(1985, 3, 12),
    ),
]


@pytest.mark.parametrize(("contact", "full_name", "phone", "country", "birth_date"), MULTILINGUAL)
def test_multilingual_contacts_clean(contact, full_name, phone, country, birth_date):
    result = clean(event(contact))
    assert isinstance(result, Cleaned), result
    assert (
        result.contact.full_name,
        result.contact.phone,
        result.contact.country,
        result.contact.birth_date,
    ) == (full_name, phone, country, birth_date)


def test_source_mapping_is_applied_before_normalization():
    result = clean(
        event(
            {
                "fullName": "王小明",
                "mobile": "13800138000",
                "zip": "100000",
                "mail": "a@x.com",
                "countryCode": "CN",
                "loyalty_tier": "gold",
            },
            source="erp",
        )
    )
    assert isinstance(result, Cleaned)
    assert (result.contact.full_name, result.contact.postcode, result.contact.email) == (
        "王小明",
        "100000",
        "a@x.com",
    )
    assert result.contact.attributes == {"loyalty_tier": "gold"}
    assert result.event.contact["fullName"] == "王小明"  # the event itself is kept as received


def test_cn_mobile_with_ten_digits_is_rejected_with_specific_code():
    result = clean(event({"full_name": "王小明", "phone": "138 0013 800", "country": "中国"}))
    assert reasons(result) == [("phone_mobile_length", "phone")]


def test_every_reason_is_reported():
    result = clean(
        event(
            {
                "full_name": "12345",
                "email": "not-an-email",
                "phone": "+49 30 1234567",
                "country": "CN",
                "birth_date": "2023-02-30",
            },
            record_type="lead",
        )
    )
    assert sorted(reasons(result)) == sorted(
        [
            ("name_invalid", "full_name"),
            ("email_invalid", "email"),
            ("phone_country_mismatch", "phone"),
            ("date_invalid", "birth_date"),
            ("required_missing", "company"),
        ]
    )
    assert all(issue.severity is Severity.REJECT for issue in result.event.reasons)


def test_fixes_and_warnings_go_into_the_quality_report():
    result = clean(
        event(
            {
                "full_name": "Dr. Jane Doe",
                "email": "jane@gmial.com",
                "country": "Germny",
                "industry": "Technolgy",
                "postcode": "1234",
                "phone": "030 1234567",
            }
        )
    )
    assert isinstance(result, Cleaned)
    assert result.contact.email == "jane@gmial.com"  # typo domains are warned, not silently changed
    assert {(f.code, f.before, f.after) for f in result.quality.fixes} == {
        ("name_honorific_removed", "Dr. Jane Doe", "Jane Doe"),
        ("country_fuzzy_corrected", "Germny", "DE"),
        ("picklist_fuzzy_corrected", "Technolgy", "Technology"),
    }
    assert {(w.code, w.field) for w in result.quality.warnings} == {
        ("email_typo_domain", "email"),
        ("postcode_format", "postcode"),
    }
    assert "gmail.com" in next(w.message for w in result.quality.warnings if w.code == "email_typo_domain")


def test_required_fields_per_record_type():
    assert reasons(clean(event({"email": "a@x.com"}))) == [("required_missing", "full_name")]
    assert reasons(clean(event({"full_name": "Li Wei"}))) == [("required_missing", "email|phone")]
    assert reasons(clean(event({"full_name": "Li Wei", "email": "a@x.com"}, record_type="lead"))) == [
        ("required_missing", "company")
    ]


def test_deleted_event_needs_only_the_envelope():
    assert isinstance(clean(event({}, event_type="contact.deleted")), Cleaned)
    result = clean(event({"email": "broken"}, event_type="contact.deleted"))
    assert isinstance(result, Cleaned)
    assert [(w.code, w.severity) for w in result.quality.warnings] == [("email_invalid", Severity.WARN)]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"\xff\xfe{}", [("not_utf8", "_payload")]),
        (b"{not json", [("not_json", "_payload")]),
        (b"[1, 2]", [("not_object", "_payload")]),
        (b'"text"', [("not_object", "_payload")]),
        (
            b"{}",
            [
                ("envelope_missing", "event_id"),
                ("envelope_missing", "source"),
                ("envelope_missing", "occurred_at"),
                ("envelope_missing", "contact"),
            ],
        ),
        (
            b'{"event_id": 7, "source": "x", "occurred_at": "2026-11-22T09:14:03Z", "contact": []}',
            [("envelope_type", "event_id"), ("envelope_type", "contact")],
        ),
        (
            b'{"event_id": "e", "source": "x", "occurred_at": "yesterday", "contact": {}, "record_type": "deal"}',
            [("envelope_invalid", "occurred_at"), ("envelope_invalid", "record_type")],
        ),
        (
            b'{"event_id": "e", "source": "x", "occurred_at": "2026-11-22T09:14:03", "contact": {}}',
            [("envelope_invalid", "occurred_at")],
        ),
        (
            b'{"event_id": " ", "source": "x", "occurred_at": "2026-11-22T09:14:03Z", "contact": {}}',
            [("envelope_invalid", "event_id")],
        ),
    ],
)
def test_envelope_errors_are_machine_readable(payload, expected):
    assert reasons(clean(payload)) == expected


def test_contact_field_of_wrong_type():
    result = clean(event({"full_name": {"first": "Li"}, "email": "a@x.com", "phones": [True]}))
    assert reasons(result) == [("field_type", "full_name"), ("field_type", "phones")]


def test_dead_letter_keeps_payload_origin_and_ids():
    origin = PayloadOrigin(topic="crm.contacts.changes", partition=3, offset=42)
    payload = event({"full_name": "Li"}, external_id="x-9")
    dead = clean(payload, origin).event
    assert isinstance(dead, RejectedEvent)
    assert (dead.event_id, dead.source, dead.external_id) == ("e-1", "webform", "x-9")
    assert (dead.topic, dead.partition, dead.offset, dead.rejected_at) == (
        "crm.contacts.changes",
        3,
        42,
        NOW,
    )
    assert (dead.payload, dead.payload_encoding) == (payload.decode(), "utf-8")
    binary = clean(b"\x80\x81").event
    assert (binary.payload, binary.payload_encoding) == (
        base64.b64encode(b"\x80\x81").decode(),
        "base64",
    )


def test_payload_too_large():
    payload = event({"full_name": "x" * (CONFIG.max_payload_bytes + 1)})
    assert reasons(clean(payload)) == [("payload_too_large", "_payload")]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(
    [
        "full_name",
        "first_name",
        "last_name",
        "email",
        "emails",
        "phone",
        "phones",
        "country",
        "birth_date",
        "postcode",
        "company",
        "state",
        "industry",
        "gender",
        "street",
        "job_title",
        "fullName",
        "mobile",
        "other",
    ]
)
field_values = st.one_of(
    json_values,
    st.sampled_from(
        [
            "王小明",
            "+86 138 0013 8000",
            "a@gmial.com",
            "中国",
            "1985-02-30",
            "12/03/1985",
            "Germny",
            "۰۹۱۲۳۴۵۶۷۸۹",
        ]
    ),
)
envelopes = st.fixed_dictionaries(
    {
        "event_id": st.text(max_size=5),
        "source": st.sampled_from(["webform", "erp", "shop", "crm_legacy", ""]),
        "occurred_at": st.sampled_from(["2026-11-22T09:14:03Z", "2026-11-22", "x"]),
        "contact": st.dictionaries(field_names, field_values, max_size=8),
    },
    optional={
        "event_type": st.sampled_from(["contact.upserted", "contact.deleted", "x"]),
        "record_type": st.sampled_from(["contact", "lead", 3]),
    },
)


def to_json(value):
    return json.dumps(value).encode()  # unlike orjson, allows integers beyond 64 bits and Infinity


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | json_values.map(to_json) | envelopes.map(to_json))
def test_clean_event_never_raises(payload):
    result = clean(payload)
    assert isinstance(result, Cleaned | Rejected)
    if isinstance(result, Rejected):
        assert result.event.reasons


# Outputs pinned before the performance work (agents.core fast paths): each case exercises a
# path that has a fast and a general branch (non-text field values, rename-only vs structural
# mappings, phone dedup across formats, seniority/picklist/state lookups, special-use domains).
def test_pinned_non_text_values_keep_reason_order():
    payload = event(
        {
            "full_name": True,
            "first_name": "ann",
            "last_name": "O'NEIL-McDONALD",
            "email": ["x@y.com"],
            "phone": 4915112345678,
            "phones": [1, None, {"a": 1}, "0049 151 12345678", "+49 (151) 123-456-78"],
            "country": "Deutschland",
            "postcode": 10115,
            "city": ["Berlin"],
            "job_title": "VP of Sales",
            "loyalty": 3,
        }
    )
    assert reasons(clean(payload)) == [
        ("field_type", "full_name"),
        ("field_type", "email"),
        ("field_type", "phones"),
        ("phone_invalid", "phones"),
        ("field_type", "city"),
    ]


def test_pinned_structural_mapping_output():
    payload = event(
        {
            "Name": "van der Berg, JAN",
            "Tel1": "020 123 4567",
            "Mobil": ["+31 6 12345678", "020 123 4567"],
            "Strasse": "Hauptstr.",
            "Hausnummer": 5,
            "Land": "Netherlands",
            "PLZ": "1234ab",
            "EMail": "Jan@GMIAL.COM",
            "Firma": "ACME B.V.",
            "Geburtsdatum": "03/04/85",
        },
        source="crm_legacy",
    )
    result = clean(payload)
    assert isinstance(result, Cleaned)
    contact = result.contact
    assert (contact.full_name, contact.family_name, contact.name_key) == (
        "Jan van der Berg",
        "van der Berg",
        "jan van der berg",
    )
    assert [(p.e164, p.kind) for p in contact.phones] == [
        ("+31201234567", "fixed_line"),
        ("+31612345678", "mobile"),
    ]
    assert (contact.street, contact.postcode, contact.country) == ("Hauptstr. 5", "1234 AB", "NL")
    assert (contact.company_key, contact.birth_date, contact.attributes) == (
        "acme",
        date(1985, 4, 3),
        {},
    )
    assert [(w.code, w.field) for w in result.quality.warnings] == [
        ("email_typo_domain", "email"),
        ("date_two_digit_year", "birth_date"),
    ]
    assert result.quality.score == 0.7695


def test_pinned_rename_mapping_and_special_use_domain():
    payload = event(
        {
            "fullName": "Dr. Karl Jr.",
            "mail": "k@mail.test",
            "mobile": "(415) 555-2671",
            "countryCode": "USA",
            "state": "Calif.",
            "industry": "Softwre",
            "gender": "F",
        },
        source="erp",
        record_type="lead",
    )
    assert reasons(clean(payload)) == [("email_invalid", "email"), ("required_missing", "company")]


def test_pinned_seniority_state_and_picklists():
    payload = event(
        {
            "full_name": "mary mcdonald",
            "email": "mary@example.com",
            "job_title": "Senior VP, Sales",
            "country": "US",
            "state": "California",
            "industry": "software",
        }
    )
    result = clean(payload)
    assert isinstance(result, Cleaned)
    contact = result.contact
    assert (contact.full_name, contact.seniority, contact.state, contact.industry) == (
        "Mary McDonald",
        "vp",
        "US-CA",
        "Technology",
    )


def test_every_contact_field_reaches_the_normalized_contact():
    # `_normalize_contact` leaves a field out of the validator's input when its value is the
    # default: a contact with every canonical field (and an extra key) must fill every field.
    payload = event(
        {
            "first_name": "Mary",
            "middle_name": "Ann",
            "last_name": "McDonald",
            "email": "mary@example.com",
            "phone": "(415) 555-2671",
            "company": "Acme Inc.",
            "job_title": "Senior VP, Sales",
            "street": "1 Main St",
            "street2": "Suite 5",
            "city": "San Francisco",
            "postcode": "94105",
            "state": "California",
            "country": "US",
            "birth_date": "1985-03-12",
            "gender": "F",
            "national_id": "123-45-6789",
            "linkedin_url": "https://www.linkedin.com/in/mary",
            "industry": "software",
            "crm_score": 7,
        }
    )
    result = clean(payload)
    assert isinstance(result, Cleaned), result
    contact = result.contact
    defaults = {
        name: field.get_default(call_default_factory=True) for name, field in type(contact).model_fields.items()
    }
    assert [name for name, default in defaults.items() if getattr(contact, name) == default] == []
    assert (contact.middle_name, contact.street2, contact.national_id, contact.attributes) == (
        "Ann",
        "Ste 5",
        "123-45-6789",
        {"crm_score": 7},
    )
    assert contact.model_dump() == type(contact)(**contact.model_dump()).model_dump()


def test_a_sparse_contact_gets_the_model_defaults():
    result = clean(event({"full_name": "Jan van der Berg", "email": "jan@example.com", "country": "NL"}))
    assert isinstance(result, Cleaned), result
    contact = result.contact
    assert contact == type(contact)(
        full_name=contact.full_name,
        given_name=contact.given_name,
        family_name=contact.family_name,
        name_script=contact.name_script,
        name_key=contact.name_key,
        emails=("jan@example.com",),
        country="NL",
    )
    assert (contact.middle_name, contact.phones, contact.street, contact.attributes) == (None, (), None, {})
