"""The match index document of a stored record, and candidates decoded from its match line."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson
from hypothesis import given
from hypothesis import strategies as st

from agents.core.entities import Candidate, StoredRecord
from agents.core.scoring import (
    FEATURES_VERSION,
    features_from_wire,
    features_to_wire,
    load_match_model,
    match_features,
    score_features,
)
from schemas.records import NormalizedContact, Phone

MODEL = load_match_model()

names = st.sampled_from(
    [
        ("José", "García"),
        ("小明", "王"),
        ("محمد", "رضایی"),
        ("Анна", "Петрова"),
        (None, "Lee"),
        ("Jean-Luc", "O'Neil\nSmith"),  # a newline inside a value must not split the document
        (None, None),
    ]
)
phones = st.lists(
    st.sampled_from(
        [
            Phone(e164="+8613800138000", region="CN", kind="mobile", valid=True),
            Phone(e164="+4930123456", region="DE", kind="fixed_line", valid=True),
            Phone(e164="+123", region=None, kind="unknown", valid=False),
        ]
    ),
    max_size=2,
    unique=True,
).map(tuple)
contacts = st.builds(
    lambda name, emails, phone, born, street, postcode, city, company, nid: NormalizedContact(
        full_name=" ".join(p for p in name if p) or None,
        given_name=name[0],
        family_name=name[1],
        emails=emails,
        phones=phone,
        birth_date=born,
        street=street,
        postcode=postcode,
        city=city,
        company_key=company,
        national_id=nid,
    ),
    name=names,
    emails=st.sampled_from([(), ("a@x.org",), ("B@x.org", "a@x.org")]),
    phone=phones,
    born=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)),
    street=st.sampled_from([None, "1 Main St", "خیابان ولیعصر"]),
    postcode=st.sampled_from([None, "10115", "SW1A 1AA"]),
    city=st.sampled_from([None, "Berlin", "北京"]),
    company=st.sampled_from([None, "acme", "شرکت نفت"]),
    nid=st.sampled_from([None, "1234567", "A 12 34"]),
)


def record(contact: NormalizedContact, owner: str | None = "omid") -> StoredRecord:
    return StoredRecord(
        record_id="shop:42",
        owner=owner,
        source="shop",
        occurred_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        contact=contact,
        points={"email": {e: "2026-11-22T09:30:00+00:00" for e in contact.emails}, "phone": {}, "address": {}},
        block_keys=("em:0011", "nb:2233"),
    )


@given(contact=contacts)
def test_features_survive_the_wire(contact: NormalizedContact) -> None:
    features = match_features(contact)
    wire = orjson.loads(orjson.dumps(features_to_wire(features)))
    assert features_from_wire(wire) == features


def test_features_of_another_version_or_shape_are_not_used() -> None:
    wire = features_to_wire(match_features(NormalizedContact(given_name="Ann", family_name="Lee")))
    assert features_from_wire([FEATURES_VERSION + 1, *wire[1:]]) is None
    assert features_from_wire(wire[:-1]) is None
    assert features_from_wire({"given": "ann"}) is None


@given(contact=contacts, owner=st.sampled_from([None, "omid", "lin"]))
def test_record_document_round_trips(contact: NormalizedContact, owner: str | None) -> None:
    stored = record(contact, owner)
    decoded = StoredRecord.from_json(stored.to_json())
    assert decoded == stored
    assert decoded.features == match_features(contact)


@given(contact=contacts, other=contacts)
def test_a_candidate_scores_and_reads_exactly_like_the_record(
    contact: NormalizedContact, other: NormalizedContact
) -> None:
    stored = record(contact)
    candidate = Candidate.from_json(stored.to_json())
    assert isinstance(candidate, Candidate)
    assert (candidate.record_id, candidate.owner) == (stored.record_id, stored.owner)
    probe = match_features(other)
    assert score_features(probe, candidate.features, MODEL) == score_features(probe, stored.features, MODEL)
    assert candidate.contact == contact


def test_documents_written_before_the_match_line_are_still_read() -> None:
    contact = NormalizedContact(given_name="Ann", family_name="Lee", emails=("ann@x.org",))
    stored = record(contact)
    _, _, old_document = stored.to_json().partition(b"\n")  # the format before the match line
    assert StoredRecord.from_json(old_document) == stored
    candidate = Candidate.from_json(old_document)
    assert candidate.features == match_features(contact) and candidate.contact == contact


def test_stale_match_line_is_derived_again_from_the_contact() -> None:
    contact = NormalizedContact(given_name="Ann", family_name="Lee", emails=("ann@x.org",))
    head, _, body = record(contact).to_json().partition(b"\n")
    line = orjson.loads(head)
    line[2] = FEATURES_VERSION + 1  # written by another version of match_features
    document = orjson.dumps(line) + b"\n" + body
    assert Candidate.from_json(document).features == match_features(contact)
    assert StoredRecord.from_json(document).features == match_features(contact)
