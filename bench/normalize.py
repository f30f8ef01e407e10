#!/usr/bin/env python3
"""Benchmark of the pure cleaning core: median cost per event of `clean_event`, in µs.

Input: sample_data/contacts.jsonl when it exists (one event per line), else a built-in
deterministic generator with the mix of shared/perf-budget.md (50 % Latin, 15 % Chinese,
15 % Persian names, phones from 13 regions in several formats, ~5 % invalid phones, ~3 %
invalid emails, 30 % repeats of earlier contacts). Every repeat starts with all core caches
cleared, so only repeats inside the data hit them (no warm-cache flattery). Pinned to one core.
Result: the median over repeats of each repeat's per-event median, in thread CPU time (the box
is shared: wall time also counts other tenants' time slices), with wall time and the mean for
context.

Run from the repo root:
    .venv/bin/python bench/normalize.py [--repeats 7] [--events 3000] [--generated] [--worker-gc]

`--worker-gc` collects garbage as the worker does (`streams.__main__.tune_gc`); without it,
CPython's default thresholds apply (the figure the budget was set with).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.core import BUILD as CORE_BUILD  # noqa: E402
from agents.core.cleaning import Cleaned, clean_event, load_cleaning_config  # noqa: E402
from streams.__main__ import tune_gc  # noqa: E402

CORE_MODULES = (
    "agents.core.normalize.text",
    "agents.core.normalize.names",
    "agents.core.normalize.emails",
    "agents.core.normalize.phones",
    "agents.core.normalize.countries",
    "agents.core.normalize.dates",
    "agents.core.normalize.companies",
    "agents.core.normalize.addresses",
    "agents.core.rules",
    "agents.core.mapping",
    "agents.core.quality",
    "agents.core.cleaning",
)

LATIN = [
    ("José", "García", "ES"),
    ("Hans-Peter", "Müller", "DE"),
    ("Jean", "Dupont", "FR"),
    ("JOHN", "o'neil", "US"),
    ("mary", "mcdonald", "GB"),
    ("Jan", "van der Berg", "NL"),
    ("Ana", "Souza", "BR"),
    ("Priya", "Sharma", "IN"),
    ("François", "Lefèvre", "FR"),
    ("Łukasz", "Nowak", "PL"),
    ("Søren", "Kierkegaard", "DK"),
    ("Émilie", "Côté", "CA"),
]
CHINESE = ["王小明", "李娜", "张伟", "欧阳娜娜", "陈静", "刘洋", "黄磊", "赵敏", "ＷＡＮＧ Ｌｅｉ"]
PERSIAN = ["محمد رضایی", "علي كريمي", "زهرا نیک‌پور", "آقای حسین احمدی", "فاطمه محمدی"]
OTHER = [("Иван Петров", "RU"), ("山田太郎", "JP"), ("Nguyễn Văn An", "VN"), ("김민준", "KR")]
PHONES = {
    "CN": ["138 0013 8000", "+86 139 1234 5678", "0086 13712345678", "１３８００１３８０００"],
    "IR": ["0912 345 6789", "۰۹۱۲۳۴۵۶۷۸۹", "+98 21 2222 3333", "٠٩٣٥١٢٣٤٥٦٧"],
    "US": ["(415) 555-2671", "+1 212 555 0123", "650-253-0000"],
    "GB": ["020 7946 0958", "+44 7700 900123"],
    "DE": ["030 1234567", "+49 171 1234567", "0049 89 123456"],
    "FR": ["01 23 45 67 89", "+33 6 12 34 56 78"],
    "ES": ["+34 612 34 56 78"],
    "NL": ["020 123 4567"],
    "BR": ["(11) 91234-5678"],
    "IN": ["+91 98765 43210"],
    "JP": ["03-1234-5678", "090-1234-5678"],
    "RU": ["+7 912 345-67-89"],
    "KR": ["010-1234-5678"],
    "VN": ["091 234 56 78"],
    "PL": ["+48 512 345 678"],
    "DK": ["+45 20 12 34 56"],
    "CA": ["(416) 555-0199"],
}
COUNTRY_FORMS = {
    "CN": ["中国", "China", "PRC", "CN", "CHN", "中华人民共和国"],
    "IR": ["ایران", "Iran", "Iran, Islamic Republic of", "IR", "IRN"],
    "US": ["USA", "United States", "US", "美国"],
    "GB": ["UK", "Great Britain", "GB"],
    "DE": ["Deutschland", "Germany", "DE"],
    "JP": ["日本", "Japan", "JP"],
}
DOMAINS = ["gmail.com", "example.com", "qq.com", "163.com", "yahoo.com", "outlook.com", "web.de"]


def generated_events(count: int, seed: int = 7) -> list[bytes]:
    """Deterministic synthetic events with the perf-budget mix."""
    rng = random.Random(seed)
    events: list[bytes] = []
    for index in range(count):
        if events and rng.random() < 0.30:
            events.append(events[rng.randrange(len(events))].replace(b'"event_id": "', b'"event_id": "r', 1))
            continue
        roll = rng.random()
        if roll < 0.5:
            given, family, country = rng.choice(LATIN)
            name = f"{given} {family}"
        elif roll < 0.65:
            name, country = rng.choice(CHINESE), "CN"
        elif roll < 0.80:
            name, country = rng.choice(PERSIAN), "IR"
        else:
            name, country = rng.choice(OTHER)
        ascii_name = "".join(c for c in name.lower() if c.isascii() and c.isalpha()) or f"user{index}"
        email = f"{ascii_name}{index}@{rng.choice(DOMAINS)}"
        if rng.random() < 0.03:
            email = email.replace("@", "@@")
        phone = _vary_digits(rng.choice(PHONES.get(country, PHONES["US"])), rng)
        if rng.random() < 0.05:
            phone = phone[:-2]
        contact = {
            "full_name": name,
            "email": f" {email.upper() if index % 5 == 0 else email} ",
            "phone": phone,
            "country": rng.choice(COUNTRY_FORMS.get(country, [country])),
            "company": rng.choice(["Acme GmbH", "北京某某科技有限公司", "Globex, Inc.", "شرکت نفت"]),
            "city": "Berlin",
            "postcode": "10115" if country == "DE" else None,
            "birth_date": rng.choice(["1985-03-12", "12.03.1985", "1985年3月12日", None]),
        }
        event = {
            "event_id": f"bench-{index}",
            "source": "webform",
            "external_id": f"c-{index}",
            "occurred_at": "2026-11-22T09:14:03Z",
            "record_type": "contact",
            "contact": contact,
        }
        events.append(orjson.dumps(event).replace(b'"event_id":"', b'"event_id": "', 1))
    return events


def _vary_digits(phone: str, rng: random.Random) -> str:
    """Replace the last three ASCII digits, so most phones are distinct (no cache flattery)."""
    chars = list(phone)
    positions = [i for i, c in enumerate(chars) if c.isascii() and c.isdigit()][-3:]
    for position in positions:
        chars[position] = str(rng.randrange(10))
    return "".join(chars)


def load_events(limit: int, *, generated: bool = False) -> tuple[list[bytes], str]:
    """Events from sample_data/contacts.jsonl (unless `generated`), else generated."""
    sample = ROOT / "sample_data" / "contacts.jsonl"
    if sample.exists() and not generated:
        lines = [line for line in sample.read_bytes().splitlines() if line.strip()]
        return lines[:limit], str(sample.relative_to(ROOT))
    return generated_events(limit), "built-in generator"


def clear_caches() -> None:
    """Empty every lru_cache of the core, so each repeat starts cold."""
    for name in CORE_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def main() -> None:
    """Run the benchmark and print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument(
        "--generated",
        action="store_true",
        help="use the built-in generator even if sample data exists",
    )
    parser.add_argument(
        "--worker-gc",
        action="store_true",
        help="collect garbage as the worker does (`streams.__main__.tune_gc`: freeze startup objects, "
        "higher thresholds); the default is CPython's default collection",
    )
    parser.add_argument(
        "--loop",
        type=int,
        metavar="N",
        help="only run the events N times (caches cleared each time), untimed: for bench/instructions.py",
    )
    args = parser.parse_args()
    if args.loop is not None:
        _untimed_loop(args.loop, generated=args.generated, limit=args.events, worker_gc=args.worker_gc)
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    config = load_cleaning_config(ROOT / "config" / "rules.yaml", ROOT / "config" / "mappings.yaml")
    events, origin = load_events(args.events, generated=args.generated)
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    if args.worker_gc:
        tune_gc()
    cpu_medians, wall_medians, cpu_means, accepted = [], [], [], 0
    for _ in range(args.repeats):
        clear_caches()
        gc.collect()
        cpu_times, wall_times = [], []
        accepted = 0
        cpu_clock, wall_clock = time.thread_time_ns, time.perf_counter_ns
        for payload in events:
            wall_start, cpu_start = wall_clock(), cpu_clock()
            result = clean_event(payload, config=config, now=now)
            cpu_times.append(cpu_clock() - cpu_start)
            wall_times.append(wall_clock() - wall_start)
            accepted += isinstance(result, Cleaned)
        cpu_medians.append(statistics.median(cpu_times) / 1000)
        wall_medians.append(statistics.median(wall_times) / 1000)
        cpu_means.append(sum(cpu_times) / len(cpu_times) / 1000)
    rejected = len(events) - accepted
    print(f"input: {origin}, {len(events)} events, {accepted} cleaned / {rejected} rejected")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; core build: {CORE_BUILD}")
    print(
        f"repeats: {args.repeats}; per-repeat medians, thread CPU time (µs): "
        f"{' '.join(f'{m:.1f}' for m in cpu_medians)}"
    )
    print(
        f"clean_event median cost per event: {statistics.median(cpu_medians):.1f} µs CPU "
        f"(wall clock {statistics.median(wall_medians):.1f} µs; "
        f"mean CPU {statistics.median(cpu_means):.1f} µs)"
    )


def _untimed_loop(repeats: int, *, generated: bool, limit: int, worker_gc: bool = False) -> None:
    """Clean every event `repeats` times (after one warm-up pass that compiles patterns)."""
    config = load_cleaning_config(ROOT / "config" / "rules.yaml", ROOT / "config" / "mappings.yaml")
    events, _ = load_events(limit, generated=generated)
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    if worker_gc:
        tune_gc()
    for payload in events:
        clean_event(payload, config=config, now=now)
    for _ in range(repeats):
        clear_caches()
        for payload in events:
            clean_event(payload, config=config, now=now)
    print(len(events))


if __name__ == "__main__":
    main()
