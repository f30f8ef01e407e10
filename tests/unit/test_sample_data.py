"""Tests of the sample-data generator: determinism, contract, truth, shares, content, CLI."""

from __future__ import annotations

import base64
import csv
import json
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sample_data.__main__ import TRUTH_COLUMNS, main
from sample_data.generator import (
    KINDS,
    OWNERS,
    SOURCE_FIELD_MAP,
    SOURCES,
    GeneratedEvent,
    csv_fieldnames,
    generate_events,
    malformed_payloads,
)

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
VALID_KINDS = {"original", "duplicate", "update", "hard_negative"}
DATA_DEFECTS = {
    "missing_name",
    "missing_email_and_phone",
    "lead_missing_company",
    "invalid_email",
    "cn_mobile_10_digits",
    "impossible_date",
    "future_birth_date",
}
LOCAL_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
CALLING_CODES = ("1", "31", "33", "34", "44", "49", "55", "61", "81", "86", "91", "98")


@pytest.fixture(scope="module")
def stream() -> list[GeneratedEvent]:
    return list(generate_events(3000, 11))


def field(event: dict[str, Any], name: str) -> Any:
    """A contact field by canonical name, whatever the source calls it."""
    return event["contact"].get(SOURCE_FIELD_MAP.get(event["source"], {}).get(name, name))


def digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text).translate(LOCAL_DIGITS))


def email_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def phones_of(event: dict[str, Any]) -> list[str]:
    found = [field(event, "phone")] + list(event["contact"].get("phones") or [])
    return [p for p in found if isinstance(p, str) and p.strip()]


def has_name(event: dict[str, Any]) -> bool:
    names = [field(event, n) for n in ("full_name", "first_name", "last_name")]
    return any(isinstance(n, str) and n.strip() for n in names)


def contract_problems(event: dict[str, Any]) -> list[str]:
    """What in an envelope breaks event-contract.md."""
    problems = []
    for key in ("event_id", "source", "occurred_at"):
        if not isinstance(event.get(key), str) or not event[key]:
            problems.append(key)
    if "occurred_at" not in problems:
        try:
            stamp = datetime.fromisoformat(event["occurred_at"])
        except ValueError:
            problems.append("occurred_at")
        else:
            if stamp.tzinfo is None:
                problems.append("occurred_at")
    if not isinstance(event.get("contact"), dict):
        problems.append("contact")
    if event.get("event_type", "contact.upserted") not in ("contact.upserted", "contact.deleted"):
        problems.append("event_type")
    if event.get("record_type", "contact") not in ("contact", "lead"):
        problems.append("record_type")
    if event.get("schema_version", 1) != 1 or isinstance(event.get("schema_version"), bool):
        problems.append("schema_version")
    if not isinstance(event.get("external_id", ""), str):
        problems.append("external_id")
    return problems


def test_same_seed_gives_the_same_stream() -> None:
    first = list(generate_events(200, 42))
    second = list(generate_events(200, 42))
    other = list(generate_events(200, 43))
    assert first == second
    assert [g.event for g in first] != [g.event for g in other]


def test_events_follow_the_contract_unless_marked_malformed(
    stream: list[GeneratedEvent],
) -> None:
    for generated in stream:
        problems = contract_problems(generated.event)
        malformed = generated.detail.startswith("envelope:")
        assert bool(problems) == malformed, (generated, problems)
        if not malformed:
            event = generated.event
            assert event["source"] in SOURCES
            assert datetime.fromisoformat(event["occurred_at"]).year == 2026
            if "owner" in event:
                assert event["department"] == OWNERS[event["owner"]]


def test_event_ids_are_unique(stream: list[GeneratedEvent]) -> None:
    ids = [g.event["event_id"] for g in stream if isinstance(g.event.get("event_id"), str)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z_]+-\d{6,}", i) for i in ids)


def test_every_event_has_truth(stream: list[GeneratedEvent]) -> None:
    assert all(g.kind in KINDS and re.fullmatch(r"P\d{7}", g.person_id) for g in stream)
    assert {g.kind for g in stream} == set(KINDS)


def test_kind_shares_follow_the_requested_rates(stream: list[GeneratedEvent]) -> None:
    shares = {k: n / len(stream) for k, n in Counter(g.kind for g in stream).items()}
    assert shares["duplicate"] == pytest.approx(0.25, abs=0.03)
    assert shares["invalid"] == pytest.approx(0.08, abs=0.02)
    assert shares["update"] == pytest.approx(0.06, abs=0.02)
    assert shares["hard_negative"] == pytest.approx(0.05, abs=0.02)
    custom = list(generate_events(3000, 5, duplicate_rate=0.1, invalid_rate=0.2, erasures=0))
    custom_counts = Counter(g.kind for g in custom)
    assert custom_counts["duplicate"] / len(custom) == pytest.approx(0.1, abs=0.02)
    assert custom_counts["invalid"] / len(custom) == pytest.approx(0.2, abs=0.03)
    assert "erasure" not in custom_counts


def test_persons_count_originals_and_hard_negatives(stream: list[GeneratedEvent]) -> None:
    kinds = Counter(g.kind for g in stream)
    assert kinds["original"] + kinds["hard_negative"] == 3000


def test_updates_are_later_versions_of_a_known_record(stream: list[GeneratedEvent]) -> None:
    latest: dict[tuple[str, str], tuple[str, datetime]] = {}
    for generated in stream:
        event = generated.event
        if generated.kind == "update":
            key = (event["source"], event["external_id"])
            person, when = latest[key]
            assert person == generated.person_id
            assert datetime.fromisoformat(event["occurred_at"]) > when
        if generated.kind in VALID_KINDS:
            key = (event["source"], event["external_id"])
            latest[key] = (generated.person_id, datetime.fromisoformat(event["occurred_at"]))


def test_erasures_come_last_and_refer_to_earlier_records(stream: list[GeneratedEvent]) -> None:
    erasures = [g for g in stream if g.kind == "erasure"]
    assert len(erasures) == 5
    assert stream[-5:] == erasures
    known = {(g.event["source"], g.event["external_id"]): g.person_id for g in stream if g.kind in VALID_KINDS}
    for generated in erasures:
        event = generated.event
        assert event["event_type"] == "contact.deleted"
        assert event["contact"] == {}
        assert known[(event["source"], event["external_id"])] == generated.person_id


def test_duplicates_keep_an_email_or_a_phone_of_their_person(
    stream: list[GeneratedEvent],
) -> None:
    emails: dict[str, set[str]] = defaultdict(set)
    phones: dict[str, set[str]] = defaultdict(set)
    for generated in stream:
        event = generated.event
        if generated.kind not in VALID_KINDS:
            continue
        email = email_key(field(event, "email"))
        numbers = {digits(p)[-8:] for p in phones_of(event)}
        if generated.kind == "duplicate":
            assert generated.person_id in emails, generated
            assert generated.detail
            pid = generated.person_id
            assert email in emails[pid] or numbers & phones[pid], generated
        emails[generated.person_id].add(email)
        phones[generated.person_id].update(numbers)


def test_hard_negatives_are_new_persons_like_a_known_one(stream: list[GeneratedEvent]) -> None:
    seen: set[str] = set()
    hows: Counter[str] = Counter()
    for generated in stream:
        if generated.kind == "hard_negative":
            how, anchor = generated.detail.split(":")
            hows[how] += 1
            assert generated.person_id not in seen
            assert anchor in seen and anchor != generated.person_id
        if generated.kind in ("original", "hard_negative"):
            seen.add(generated.person_id)
    assert set(hows) == {"family", "namesake", "similar_company"}


def test_valid_records_carry_name_email_phone_and_lead_company(
    stream: list[GeneratedEvent],
) -> None:
    for generated in stream:
        if generated.kind not in VALID_KINDS:
            continue
        event = generated.event
        assert has_name(event), generated
        assert field(event, "email").strip(), generated
        assert phones_of(event), generated
        if event.get("record_type") == "lead":
            assert field(event, "company").strip(), generated


def test_invalid_events_carry_their_defect(stream: list[GeneratedEvent]) -> None:
    defects = Counter(g.detail for g in stream if g.kind == "invalid")
    assert set(defects) >= DATA_DEFECTS
    assert sum(n for d, n in defects.items() if d.startswith("envelope:")) > 0
    for generated in stream:
        if generated.kind != "invalid":
            continue
        event, defect = generated.event, generated.detail
        if defect == "missing_name":
            assert not has_name(event)
        elif defect == "missing_email_and_phone":
            assert not phones_of(event) and not (field(event, "email") or "").strip()
        elif defect == "lead_missing_company":
            assert event["record_type"] == "lead"
            assert not (field(event, "company") or "").strip()
        elif defect == "invalid_email":
            email = field(event, "email")
            assert ".." in email or not re.fullmatch(r"[^@\s]+@[^@\s,]+\.[a-z]{2,}", email)
        elif defect == "cn_mobile_10_digits":
            number = digits(field(event, "phone"))
            assert len(number.removeprefix("86")) == 10
            assert field(event, "country")
        elif defect == "future_birth_date":
            assert int(field(event, "birth_date")[:4]) >= 2030


def test_phones_come_from_at_least_ten_countries(stream: list[GeneratedEvent]) -> None:
    codes: set[str] = set()
    for generated in stream:
        if generated.kind not in VALID_KINDS:
            continue
        for phone in phones_of(generated.event):
            text = unicodedata.normalize("NFKC", phone).translate(LOCAL_DIGITS).strip()
            if text.startswith(("+", "00")):
                number = digits(text).removeprefix("00") if text.startswith("00") else digits(text)
                codes.update(c for c in CALLING_CODES if number.startswith(c))
    assert len(codes) >= 10, codes


def test_content_is_multilingual_and_messy(stream: list[GeneratedEvent]) -> None:
    text = "\n".join(json.dumps(g.event, ensure_ascii=False) for g in stream)
    assert "王伟" in text or "王 伟" in text
    assert re.search(r"[\u4e00-\u9fff]{2,}有限公司", text)
    assert re.search(r"[\u0600-\u06ff]", text) and "\u200c" in text
    assert re.search(r"[۰-۹]", text)
    assert "ي" in text or "ك" in text
    assert re.search(r"[éèüöäñçã]", text)
    assert re.search(r"[\uff10-\uff19\uff21-\uff5a]", text)
    assert re.search(r"株式会社", text)
    for needle in ("中国", "ایران", "GmbH", "SARL", "S.L.", "Sofware", "Manufactoring", "VP"):
        assert needle in text, needle
    assert re.search(r"gmial\.com|hotmial\.com|gmail\.con|gamil\.com|gmai\.com", text)
    assert re.search(r'"birth_date": "\d{1,2}/\d{1,2}/\d{4}"', text)
    assert re.search(r'"birth_date": "[A-Z][a-z]+ \d{1,2}, \d{4}"', text)


def test_sources_use_their_own_field_names(stream: list[GeneratedEvent]) -> None:
    keys_by_source: dict[str, set[str]] = defaultdict(set)
    for generated in stream:
        event = generated.event
        if isinstance(event.get("contact"), dict) and "source" in event:
            keys_by_source[event["source"]].update(event["contact"])
    assert {"fullName", "mobile", "mail", "zip"} <= keys_by_source["erp"]
    assert not {"full_name", "email", "phone", "postcode"} & keys_by_source["erp"]
    shop = {"firstName", "lastName", "phoneNumber", "postalCode", "emailAddress"}
    assert shop <= keys_by_source["shop"]
    assert {"first_name", "full_name", "email"} <= keys_by_source["webform"]
    assert "newsletter_opt_in" in set().union(*keys_by_source.values())
    assert set(keys_by_source) == set(SOURCES)


def test_phones_and_emails_pass_real_validators(stream: list[GeneratedEvent]) -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    email_validator = pytest.importorskip("email_validator")
    regions = ("CN", "IR", "US", "GB", "AU", "DE", "FR", "ES", "JP", "IN", "BR", "CA", "NL")

    def valid_somewhere(phone: str) -> bool:
        text = unicodedata.normalize("NFKC", phone).translate(LOCAL_DIGITS)
        for region in regions:
            try:
                number = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return False

    for generated in stream:
        event = generated.event
        if generated.kind in VALID_KINDS:
            assert all(valid_somewhere(p) for p in phones_of(event)), generated
            email_validator.validate_email(field(event, "email").strip(), check_deliverability=False)
        elif generated.detail == "invalid_email":
            with pytest.raises(email_validator.EmailNotValidError):
                email_validator.validate_email(field(event, "email"), check_deliverability=False)
        elif generated.detail == "cn_mobile_10_digits":
            text = unicodedata.normalize("NFKC", field(event, "phone"))
            assert not phonenumbers.is_valid_number(phonenumbers.parse(text, "CN"))


def test_a_hundred_thousand_events_stream(stream: list[GeneratedEvent]) -> None:
    count = 0
    kinds: Counter[str] = Counter()
    for generated in generate_events(61_000, 3):
        count += 1
        kinds[generated.kind] += 1
    assert 95_000 <= count <= 105_000
    assert set(kinds) == set(KINDS)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError):
        generate_events(10, 1, duplicate_rate=0.5, invalid_rate=0.3, update_rate=0.2)
    with pytest.raises(ValueError):
        generate_events(10, 1, sources=("fax",))
    with pytest.raises(ValueError):
        generate_events(-1, 1)


def test_cli_writes_events_truth_and_malformed_payloads(tmp_path: Path) -> None:
    out, truth, raw = tmp_path / "e.jsonl", tmp_path / "t.csv", tmp_path / "m.b64"
    argv = ["--persons", "150", "--seed", "3", "--out", str(out), "--truth", str(truth)]
    assert main([*argv, "--malformed-out", str(raw), "--oversized-bytes", "5000"]) == 0
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with truth.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == TRUTH_COLUMNS
    assert len(rows) == len(events)
    expected = list(generate_events(150, 3))
    assert events == [g.event for g in expected]
    for line, (row, generated) in enumerate(zip(rows, expected, strict=True), start=1):
        assert int(row["line"]) == line
        assert (row["person_id"], row["kind"], row["detail"]) == (
            generated.person_id,
            generated.kind,
            generated.detail,
        )
        event_id = generated.event.get("event_id")
        assert row["event_id"] == ("" if event_id is None else str(event_id))
    payloads = [base64.b64decode(line) for line in raw.read_text().splitlines()]
    assert payloads == [p for _, p in malformed_payloads(5000)]
    assert len(payloads[-1]) >= 5000
    with pytest.raises(UnicodeDecodeError):
        payloads[2].decode("utf-8")


@pytest.mark.parametrize("source", ["erp", "shop", "webform"])
def test_cli_csv_output_parses(tmp_path: Path, source: str) -> None:
    out, truth = tmp_path / f"{source}.csv", tmp_path / "t.csv"
    argv = ["--persons", "120", "--seed", "9", "--format", "csv", "--source", source]
    assert main([*argv, "--out", str(out), "--truth", str(truth)]) == 0
    with out.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
        assert reader.fieldnames == csv_fieldnames(source)
    with truth.open(encoding="utf-8", newline="") as stream:
        truth_rows = list(csv.DictReader(stream))
    assert len(rows) == len(truth_rows) > 100
    assert {r["kind"] for r in truth_rows} >= {"original", "duplicate", "invalid", "update"}
    email_column = SOURCE_FIELD_MAP.get(source, {}).get("email", "email")
    valid = [r for r, t in zip(rows, truth_rows, strict=True) if t["kind"] in VALID_KINDS]
    assert all(r["external_id"] and r[email_column].strip() for r in valid)


def test_committed_sample_matches_the_generator() -> None:
    lines = (SAMPLE_DIR / "contacts.jsonl").read_text(encoding="utf-8").splitlines()
    expected = list(generate_events(300, 7))
    assert 400 <= len(lines) <= 520
    assert [json.loads(line) for line in lines] == [g.event for g in expected]
    with (SAMPLE_DIR / "truth.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["person_id"], r["kind"], r["detail"]) for r in rows] == [
        (g.person_id, g.kind, g.detail) for g in expected
    ]
    raw = (SAMPLE_DIR / "malformed.b64").read_text(encoding="ascii").splitlines()
    assert [base64.b64decode(line) for line in raw] == [p for _, p in malformed_payloads()]
