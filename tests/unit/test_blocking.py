"""Blocking keys: stable, hashed, script-aware, and strong keys shared across scripts."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from agents.core.blocking import (
    STRONG_KINDS,
    WEAK_KINDS,
    block_keys,
    is_strong_key,
    key_kind,
    name_parts,
)
from schemas.records import NormalizedContact, Phone

KEY_SHAPE = re.compile(r"^[a-z]{2}:[0-9a-f]{16}$")


def _phone(e164: str) -> Phone:
    return Phone(e164=e164, region="CN", kind="mobile", valid=True)


def test_keys_are_short_hashed_and_do_not_spell_personal_data() -> None:
    contact = NormalizedContact(
        full_name="José García",
        given_name="José",
        family_name="García",
        name_key="jose garcia",
        emails=("jose@example.com",),
        phones=(_phone("+34600111222"),),
        national_id="X123",
        birth_date=date(1980, 5, 17),
        postcode="28001",
        city="madrid",
        company_key="acme",
    )
    keys = block_keys(contact)
    assert keys and all(KEY_SHAPE.match(k) for k in keys)
    assert not any(part in "".join(keys) for part in ("jose", "garcia", "600111222", "28001"))
    assert {key_kind(k) for k in keys} == {"em", "ph", "id", "nb", "np", "nc", "nk", "bp"}
    assert len(keys) == len(set(keys))


def test_keys_are_deterministic_and_strong_first() -> None:
    contact = NormalizedContact(name_key="anna smith", emails=("a@x.org",), city="berlin")
    assert block_keys(contact) == block_keys(contact.model_copy())
    kinds = [is_strong_key(k) for k in block_keys(contact)]
    assert kinds == sorted(kinds, reverse=True)


def test_chinese_script_and_pinyin_entries_meet_on_phone_email_and_name_keys() -> None:
    han = NormalizedContact(
        full_name="王小明",
        given_name="小明",
        family_name="王",
        name_script="han",
        name_key="xiaoming wang",
        phones=(_phone("+8613800138000"),),
        emails=("xm@qq.com",),
        birth_date=date(1990, 1, 2),
    )
    pinyin = NormalizedContact(
        full_name="Xiaoming Wang",
        given_name="Xiaoming",
        family_name="Wang",
        name_script="latin",
        name_key="xiaoming wang",
        phones=(_phone("+8613800138000"),),
        emails=("xm@qq.com",),
        birth_date=date(1990, 1, 2),
    )
    shared = set(block_keys(han)) & set(block_keys(pinyin))
    assert {key_kind(k) for k in shared} >= {"em", "ph", "nb"}


def test_han_full_name_without_parts_or_key_reads_family_name_first() -> None:
    assert name_parts(NormalizedContact(full_name="王小明")) == ("xiaoming", "wang")
    assert name_parts(NormalizedContact(name_key="xiaoming wang")) == ("xiaoming", "wang")


def test_swapped_given_and_family_names_share_a_name_birth_key() -> None:
    a = NormalizedContact(given_name="Tiana", family_name="Luchetti", birth_date=date(1905, 1, 27))
    b = NormalizedContact(given_name="Luchetti", family_name="Tiana", birth_date=date(1905, 1, 27))
    assert {key_kind(k) for k in set(block_keys(a)) & set(block_keys(b))} == {"nb"}


def test_kinds_are_classified_strong_or_weak() -> None:
    assert STRONG_KINDS.isdisjoint(WEAK_KINDS)
    assert is_strong_key("em:0123456789abcdef") and not is_strong_key("nb:0123456789abcdef")


def test_contact_without_evidence_has_no_keys() -> None:
    assert block_keys(NormalizedContact(full_name="Smith")) == ()


@given(
    name=st.text(min_size=0, max_size=20),
    email=st.emails(),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)),
)
def test_any_contact_gets_well_formed_keys_including_its_email(name: str, email: str, born: date) -> None:
    contact = NormalizedContact(full_name=name or None, emails=(email.lower(),), birth_date=born)
    keys = block_keys(contact)
    assert all(KEY_SHAPE.match(k) for k in keys)
    assert any(key_kind(k) == "em" for k in keys)


@given(
    given_name=st.sampled_from([None, "José", "小明", "Mary Ann", "X"]),
    family_name=st.sampled_from([None, "García", "王", "van der Berg"]),
    full_name=st.sampled_from([None, "王小明", "Ann Lee"]),
    national_id=st.sampled_from([None, "AB 12 34", "７８９"]),
    postcode=st.sampled_from([None, "10 115", "SW1A 1AA"]),
    city=st.sampled_from([None, "Berlin", "北京"]),
    company_key=st.sampled_from([None, "acme", "Müller & Söhne"]),
    birth=st.sampled_from([None, date(1980, 1, 2)]),
)
def test_block_keys_from_the_match_features_equal_block_keys_of_the_contact(
    given_name, family_name, full_name, national_id, postcode, city, company_key, birth
) -> None:
    """The pipeline passes the contact's MatchFeatures as `parts`; the keys must not change."""
    from agents.core.blocking import key_parts
    from agents.core.scoring import match_features

    contact = NormalizedContact(
        given_name=given_name,
        family_name=family_name,
        full_name=full_name,
        national_id=national_id,
        postcode=postcode,
        city=city,
        company_key=company_key,
        birth_date=birth,
        emails=("a@x.com",),
        phones=(_phone("+8613800138000"),),
    )
    features = match_features(contact)
    parts = key_parts(contact)
    for name in ("given", "family", "national_id", "postcode", "city", "company"):
        assert getattr(features, name) == getattr(parts, name)
    assert block_keys(contact, features) == block_keys(contact)
