"""Golden records: survivorship rules and contact-point history (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agents.core.entities import StoredRecord
from agents.core.golden import SurvivorshipRules, build_golden
from schemas.records import NormalizedContact

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def record(rid: str, source: str, day: int, points: dict, **contact: object) -> StoredRecord:
    return StoredRecord(
        record_id=rid,
        owner=f"owner-{source}",
        source=source,
        occurred_at=datetime(2026, 1, day, tzinfo=UTC),
        contact=NormalizedContact(**contact),  # type: ignore[arg-type]
        points=points,
        block_keys=(),
    )


def test_every_contact_point_survives_with_its_sources_and_last_seen() -> None:
    a = record(
        "webform:1",
        "webform",
        1,
        {"email": {"a@x.com": "2026-01-01T00:00:00+00:00"}},
        full_name="Ann Lee",
    )
    b = record(
        "erp:9",
        "erp",
        5,
        {
            "email": {
                "a@x.com": "2026-01-05T00:00:00+00:00",
                "ann@corp.com": "2026-01-05T00:00:00+00:00",
            }
        },
        full_name="Ann Lee",
    )
    golden = build_golden("E1", [a, b], SurvivorshipRules(), now=NOW)
    emails = {p.value: p for p in golden.emails}
    assert set(emails) == {"a@x.com", "ann@corp.com"}
    assert emails["a@x.com"].sources == ("erp:9", "webform:1")
    assert emails["a@x.com"].last_seen == datetime(2026, 1, 5, tzinfo=UTC)
    assert golden.record_ids == ("erp:9", "webform:1")
    assert golden.owners == ("owner-erp", "owner-webform")


def test_source_priority_most_recent_and_most_frequent() -> None:
    old_erp = record(
        "erp:1",
        "erp",
        1,
        {},
        company="ACME GmbH",
        job_title="Engineer",
        birth_date=date(1980, 1, 2),
        country="DE",
    )
    new_web = record(
        "webform:2",
        "webform",
        9,
        {},
        company="Acme",
        job_title="CTO",
        birth_date=date(1980, 1, 2),
        country="AT",
    )
    shop = record("shop:3", "shop", 3, {}, birth_date=date(1980, 2, 1), country="DE")
    golden = build_golden("E2", [new_web, old_erp, shop], SurvivorshipRules(), now=NOW)
    assert golden.company == "ACME GmbH"  # source priority: erp first
    assert golden.job_title == "CTO"  # most recent
    assert golden.birth_date == date(1980, 1, 2)  # most frequent
    assert golden.country == "DE"


def test_most_complete_name_wins() -> None:
    sparse = record("webform:1", "webform", 9, {}, full_name="J. Smith")
    full = record(
        "erp:1",
        "erp",
        1,
        {},
        full_name="John Smith",
        given_name="John",
        family_name="Smith",
        city="Leeds",
    )
    assert build_golden("E3", [sparse, full], SurvivorshipRules(), now=NOW).full_name == "John Smith"


def test_one_record_golden_equals_the_general_path() -> None:
    """The single-record fast path of contact points orders and attributes them like the general one."""
    from agents.core.golden import _points

    points = {
        "email": {"b@x.com": "2026-01-01T00:00:00+00:00", "a@x.com": "2026-01-01T00:00:00+00:00"},
        "phone": {"+4915112345678": "2026-01-03T00:00:00+00:00", "+4930123456": "2026-01-02T00:00:00+00:00"},
        "address": {},
    }
    only = record("webform:1", "webform", 3, points, full_name="Ann Lee")
    ghost = record("zz:0", "import", 1, {}, full_name="Ann Lee")  # carries no points
    for kind in ("email", "phone", "address"):
        single = _points([only], kind)
        assert single == _points([only, ghost], kind)
    assert [p.value for p in _points([only], "email")] == ["b@x.com", "a@x.com"]
    golden = build_golden("E1", [only], SurvivorshipRules(), now=NOW)
    assert golden.record_ids == ("webform:1",) and golden.full_name == "Ann Lee"


def test_to_bytes_is_model_dump_json() -> None:
    from schemas.wire import to_bytes

    only = record("webform:1", "webform", 3, {"email": {"a@x.com": "2026-01-01T00:00:00+00:00"}}, full_name="Zoë")
    golden = build_golden("E1", [only], SurvivorshipRules(), now=NOW)
    assert to_bytes(golden) == golden.model_dump_json().encode()
