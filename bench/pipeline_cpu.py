"""CPU per event of `ContactPipeline.process` in process, without Kafka (real Redis).

Feeds micro-batches of generated events (`sample_data.generator`, the mix of bench/throughput)
to the worker's pipeline, with Prometheus metrics on a private registry, and measures the main
thread's CPU time per event: in total, in `clean_event` (cleaning), and the rest (matching,
index round trips, golden records, serialization, metrics). Each repeat runs in a fresh
process (cold caches, like a fresh worker) against a fresh Redis key prefix, deleted afterwards;
the first `--warmup` batches are not measured. Prints the median over repeats.

`--index-prefix P` runs against an index preloaded under prefix P (`python -m bench.load_index
--prefix P --entities N`) instead of a fresh one, and leaves it in place: the same events cost
this much CPU against 10 k or 1 M indexed entities (each repeat tags its events anew, so none is
a replay, and each draws other persons). The run's events stay in the index, and a later run
draws the same persons again (same seed): it meets them as extra candidates, so compare two
builds or commits on fresh loads of the index, one each. The mean number of candidates scored
per matched event is printed with it.

`--digest` also prints a SHA-256 of every output message (topic, key, value) and of the
exported metric values (timings excluded) with a fixed clock, to prove that an optimization
changed no output: the digest must be identical before and after.

Run from the repo root: `.venv/bin/python -m bench.pipeline_cpu [--events 4000] [--repeats 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, generate_latest

import agents.pipeline as pipeline_module
import bench.normalize as normalize_bench
import streams.match_index as match_index_module
from agents.core import BUILD as CORE_BUILD
from agents.pipeline import Inbound
from bench.load_index import drop as drop_index
from bench.load_index import tag_ids
from monitoring.metrics import DQMetrics, LabelLimits
from sample_data.generator import generate_events
from streams.settings import get_settings
from streams.wiring import build_pipeline

FIXED_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TIMING_FAMILIES = ("dq_processing_seconds", "dq_redis_seconds")


def payloads(count: int, seed: int, tag: str = "cpu-") -> list[bytes]:
    """`count` generated events (25 % duplicates, 8 % invalid, 6 % updates), as JSON bytes."""
    persons = int(count * 0.62) + 10
    return [orjson.dumps(tag_ids(g.event, tag)) for g in islice(generate_events(persons, seed), count)]


class Meter:
    """Accumulates main-thread CPU seconds spent inside wrapped functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.active = False

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """Return `func`, timed under `name` while `active`."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                if self.active:
                    self.seconds[name] = self.seconds.get(name, 0.0) + time.thread_time() - start

        return timed


def clear_caches() -> None:
    """Empty the pipeline's input-keyed caches (lru caches and the index's parse cache)."""
    normalize_bench.clear_caches()
    for name in ("agents.core.blocking", "agents.core.scoring", "agents.core.entities", "agents.core.golden"):
        for value in vars(importlib.import_module(name)).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    match_index_module._records.clear()


async def loop_passes(
    events: int, seed: int, batch: int, passes: int, data_sets: int, index_prefix: str | None
) -> None:
    """Untimed: `passes` passes over the events, each cold (caches cleared) on fresh ids and prefix.

    `data_sets` event sets are always generated, whatever `passes` is, so that a run of 1 pass
    and a run of 3 differ only by the pipeline's work: what `--instructions` counts. The fresh
    indexes are not dropped here but printed (`FRESH_INDEX <prefix>`) for the caller to drop:
    dropping scans the whole keyspace, so its cost grows with whatever else Redis holds (a
    preloaded 1 M index doubled the count) and is not the pipeline's.
    """
    settings = get_settings()
    metrics = DQMetrics.create(
        CollectorRegistry(),
        label_limits=LabelLimits(
            sources=settings.monitoring.known_sources, max_seen=settings.monitoring.max_label_values
        ),
    )
    run_id = uuid.uuid4().hex[:10]
    # On a preloaded index every run draws other persons (as `child` does), so that it never
    # meets the people an earlier run added; on a fresh index the seed alone decides.
    base = seed if index_prefix is None else seed + int(run_id, 16) % 1_000_000
    sets = [payloads(events, base + number, tag=f"cpu-{run_id}-{number}-") for number in range(data_sets)]
    gc.freeze()
    gc.set_threshold(100_000, 100, 1000)
    for number in range(passes):
        prefix = index_prefix or f"{settings.redis.key_prefix}:cpubench:{run_id}:{number}"
        pipe = build_pipeline(settings, metrics, prefix=prefix)
        pipe.clock = lambda: FIXED_NOW
        clear_caches()
        data = sets[number]
        try:
            for start in range(0, len(data), batch):
                chunk = data[start : start + batch]
                inbound = [Inbound(v, topic="in", partition=0, offset=start + i) for i, v in enumerate(chunk)]
                await pipe.process(inbound)
        finally:
            if index_prefix is None:
                print(f"FRESH_INDEX {prefix}", flush=True)
            await pipe.index.aclose()


def count_instructions(events: int, seed: int, batch: int, index_prefix: str | None) -> float:
    """Instructions per event of the pipeline, by valgrind: (3 passes - 1 pass) / 2 / events."""
    counts = []
    for passes in (1, 3):
        argv = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                sys.executable, "-m", "bench.pipeline_cpu", "--child", "--loop-passes", str(passes),
                "--events", str(events), "--batch", str(batch), "--seed", str(seed)]  # fmt: skip
        if index_prefix:
            argv += ["--index-prefix", index_prefix]
        # Under valgrind the client runs ~50x slower: a Redis call whose reply takes longer than the
        # socket timeout to parse would be retried, and the retry would be counted as work.
        env = {**os.environ, "PYTHONHASHSEED": "0", "DQ_REDIS__TIMEOUT_SECONDS": "3600"}
        result = subprocess.run(argv, capture_output=True, text=True, env=env)
        for line in result.stdout.splitlines():
            if line.startswith("FRESH_INDEX "):
                drop_index(line.split(" ", 1)[1])
        result.check_returncode()
        match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
        if match is None:
            raise SystemExit(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
        counts.append(int(match.group(1).replace(",", "")))
    return (counts[1] - counts[0]) / 2 / events


async def child(
    events: int, seed: int, batch: int, warmup: int, digest: bool, index_prefix: str | None = None
) -> dict[str, Any]:
    """One repeat: run the pipeline over the events, return CPU µs per event (and digests)."""
    settings = get_settings()
    registry = CollectorRegistry()
    metrics = DQMetrics.create(
        registry,
        label_limits=LabelLimits(
            sources=settings.monitoring.known_sources, max_seen=settings.monitoring.max_label_values
        ),
    )
    run_id = uuid.uuid4().hex[:10]
    prefix = index_prefix or f"{settings.redis.key_prefix}:cpubench:{run_id}"
    pipe = build_pipeline(settings, metrics, prefix=prefix)
    if digest:
        pipe.clock = lambda: FIXED_NOW
    meter = Meter()
    pipeline_module.clean_event = meter.wrap("clean", pipeline_module.clean_event)  # type: ignore[attr-defined]
    if index_prefix is None:
        data = payloads(events, seed)
    else:  # other persons on every run: a preloaded index must not meet the same persons again
        data = payloads(events, seed + int(run_id, 16) % 1_000_000, tag=f"cpu-{run_id}-")
    batches = [data[i : i + batch] for i in range(0, len(data), batch)]
    gc.freeze()
    gc.set_threshold(100_000, 100, 1000)  # as streams.__main__.tune_gc does for the worker
    hasher = hashlib.sha256()
    total = 0.0
    measured = 0
    candidates: list[int] = []
    try:
        for number, chunk in enumerate(batches):
            inbound = [Inbound(v, topic="in", partition=0, offset=number * batch + i) for i, v in enumerate(chunk)]
            meter.active = number >= warmup
            start = time.thread_time()
            results = await pipe.process(inbound)
            if meter.active:
                total += time.thread_time() - start
                measured += len(chunk)
                candidates += [p.cleaned.match.candidates for p in results if p.cleaned and p.cleaned.match]
            if digest:
                for processed in results:
                    for out in processed.outbound:
                        key, value = out.key and out.key.decode(), out.value and out.value.decode()
                        hasher.update(orjson.dumps([out.topic, key, value]))
    finally:
        if index_prefix is None:
            await pipe.index.drop()
        await pipe.index.aclose()
    report: dict[str, Any] = {
        "events": measured,
        "total_us": total / measured * 1e6,
        "clean_us": meter.seconds.get("clean", 0.0) / measured * 1e6,
        "mean_candidates": sum(candidates) / max(len(candidates), 1),
    }
    report["rest_us"] = report["total_us"] - report["clean_us"]
    if digest:
        report["outputs_sha256"] = hasher.hexdigest()
        lines = [
            line
            for line in generate_latest(registry).decode().splitlines()
            if not line.startswith(TIMING_FAMILIES) and not line.startswith("#") and "_created" not in line
        ]
        report["metrics_sha256"] = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
    return report


def main() -> int:
    """CLI entry: run the repeats in fresh processes, print the medians (and digests)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5, help="batches not measured")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--digest", action="store_true", help="fixed clock; print output and metric digests")
    parser.add_argument("--index-prefix", help="run against this preloaded index (kept) instead of a fresh one")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions per event under valgrind (noise-free; slow)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loop-passes", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.loop_passes:
        asyncio.run(loop_passes(args.events, args.seed, args.batch, args.loop_passes, 3, args.index_prefix))
        return 0
    if args.instructions:
        per_event = count_instructions(args.events, args.seed, args.batch, args.index_prefix)
        print(f"instructions/event={per_event:,.0f} (events/pass={args.events}, batch={args.batch}; core {CORE_BUILD})")
        return 0
    if args.child:
        report = asyncio.run(child(args.events, args.seed, args.batch, args.warmup, args.digest, args.index_prefix))
        print(json.dumps(report))
        return 0
    runs = []
    for _ in range(args.repeats):
        argv = [sys.executable, "-m", "bench.pipeline_cpu", "--child", "--events", str(args.events),
                "--batch", str(args.batch), "--warmup", str(args.warmup), "--seed", str(args.seed)]  # fmt: skip
        if args.digest:
            argv.append("--digest")
        if args.index_prefix:
            argv += ["--index-prefix", args.index_prefix]
        out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]), file=sys.stderr)
    keys = ("total_us", "clean_us", "rest_us", "mean_candidates")
    summary = {key: round(statistics.median(r[key] for r in runs), 1) for key in keys}
    print(f"events/run={runs[0]['events']} repeats={len(runs)} median µs/event: "
          f"total={summary['total_us']} clean={summary['clean_us']} rest={summary['rest_us']} "
          f"candidates/event={summary['mean_candidates']} (core {CORE_BUILD})")  # fmt: skip
    if args.digest:
        digests = {(r["outputs_sha256"], r["metrics_sha256"]) for r in runs}
        for outputs, metric_values in sorted(digests):
            print(f"outputs_sha256={outputs} metrics_sha256={metric_values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
