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
    assert [p["value"] for p in _points([only], "email")] == ["b@x.com", "a@x.com"]
    golden = build_golden("E1", [only], SurvivorshipRules(), now=NOW)
    assert golden.record_ids == ("webform:1",) and golden.full_name == "Ann Lee"


def test_to_bytes_is_model_dump_json() -> None:
    from schemas.wire import to_bytes

    only = record("webform:1", "webform", 3, {"email": {"a@x.com": "2026-01-01T00:00:00+00:00"}}, full_name="Zoë")
    golden = build_golden("E1", [only], SurvivorshipRules(), now=NOW)
    assert to_bytes(golden) == golden.model_dump_json().encode()


def _reference_golden(entity_id: str, records: list[StoredRecord], rules: SurvivorshipRules) -> dict:
    """The survivorship rules spelled out naively (one sort per field), as the oracle."""
    from collections import Counter

    from agents.core.golden import SCALAR_FIELDS

    def _completeness(r: StoredRecord) -> int:  # the contact's explicitly set, non-empty fields
        return sum(1 for name in r.contact.model_fields_set if getattr(r.contact, name) not in (None, (), {}))

    def ranked(strategy: str, field: str) -> list[StoredRecord]:
        present = [r for r in records if getattr(r.contact, field) is not None]
        if strategy == "source_priority":
            rank = {s: i for i, s in enumerate(rules.source_priority)}
            key = lambda r: (rank.get(r.source, len(rank)), -r.occurred_at.timestamp(), r.record_id)  # noqa: E731
            return sorted(present, key=key)
        if strategy == "most_complete":
            key = lambda r: (_completeness(r), r.occurred_at, r.record_id)  # noqa: E731
            return sorted(present, key=key, reverse=True)
        return sorted(present, key=lambda r: (r.occurred_at, r.record_id), reverse=True)

    values = {}
    for field in SCALAR_FIELDS:
        strategy = rules.field_strategy.get(field, rules.default_strategy)
        order = ranked("most_recent" if strategy == "most_frequent" else strategy, field)
        if not order:
            values[field] = None
        elif strategy == "most_frequent":
            counts = Counter(getattr(r.contact, field) for r in order)
            values[field] = getattr(max(order, key=lambda r: counts[getattr(r.contact, field)]).contact, field)
        else:
            values[field] = getattr(order[0].contact, field)
    points = {}
    for kind in ("email", "phone", "address"):
        seen: dict[str, tuple[str, set[str]]] = {}
        for r in records:
            for value, when in r.points.get(kind, {}).items():
                last, carriers = seen.get(value, ("", set()))
                seen[value] = (max(last, when), carriers | {r.record_id})
        ordered = sorted(seen.items(), key=lambda item: (item[1][0], item[0]), reverse=True)
        points[kind] = [
            {"value": v, "sources": tuple(sorted(c)), "last_seen": datetime.fromisoformat(w)} for v, (w, c) in ordered
        ]
    return {
        "entity_id": entity_id,
        "record_ids": tuple(sorted(r.record_id for r in records)),
        "owners": tuple(sorted({r.owner for r in records if r.owner})),
        "emails": tuple(points["email"]),
        "phones": tuple(points["phone"]),
        "addresses": tuple(points["address"]),
        **values,
    }


def test_golden_records_follow_the_rules_on_random_entities() -> None:
    """build_golden (fast paths included) agrees with the naive oracle on random entities."""
    import random

    rng = random.Random(3)
    sources = ["erp", "crm_legacy", "shop", "support", "webform", "import", "unknown"]
    rules = SurvivorshipRules()

    def maybe(*choices: object) -> object:
        return rng.choice([None, *choices])

    for case in range(300):
        records = []
        for i in range(rng.randint(1, 5)):
            day = rng.randint(1, 4)  # ties in recency on purpose
            stamp = f"2026-01-0{day}T0{rng.randint(0, 3)}:00:00+0{rng.randint(0, 2)}:00"
            points = {
                kind: {v: stamp for v in rng.sample(pool, rng.randint(0, len(pool)))}
                for kind, pool in (
                    ("email", ["a@x.com", "b@x.com", "c@y.org"]),
                    ("phone", ["+4915112345678", "+4930123456"]),
                    ("address", ["1 Main St, Leeds, GB"]),
                )
            }
            records.append(
                record(
                    f"{rng.choice(sources)}:{case}-{i}",
                    rng.choice(sources),
                    day,
                    points,
                    full_name=maybe("Ann Lee", "Ann B. Lee", "A. Lee"),
                    given_name=maybe("Ann"),
                    family_name=maybe("Lee", "Lee-Smith"),
                    company=maybe("ACME", "Acme GmbH"),
                    job_title=maybe("CTO", "Engineer"),
                    country=maybe("DE", "AT", "GB"),
                    birth_date=maybe(date(1980, 1, 2), date(1981, 3, 4)),
                    city=maybe("Leeds"),
                )
            )
        golden = build_golden(f"E{case}", records, rules, now=NOW)
        dumped = golden.model_dump(exclude={"merged_into", "updated_at", "rules_version"})
        assert dumped == _reference_golden(f"E{case}", records, rules), case


def test_completeness_counts_the_set_non_empty_fields() -> None:
    from agents.core.golden import _completeness

    full = record("a:1", "erp", 1, {}, full_name="Ann Lee", emails=("a@x.com",), phones=(), attributes={})
    assert _completeness(full) == 2  # phones and attributes were set, but empty
    assert _completeness(record("a:2", "erp", 1, {})) == 0
    dated = record("a:3", "erp", 1, {}, birth_date=date(1980, 1, 2), city="", attributes={"k": None})
    assert _completeness(dated) == 3  # "" and {"k": None} are not empty in this sense
