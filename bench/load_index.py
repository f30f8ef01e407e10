"""Preload the Redis match index with N entities through the service's own index code.

For the throughput benchmark: the per-event cost must stay flat as the index grows, so it runs
the pipeline against indexes of 0 / 10 k / 100 k / 1 M entities. Contacts come from
`sample_data.generator` (originals only: one distinct person each), cleaned by
`agents.core.cleaning.clean_event`, keyed by `agents.core.entities.lookup_request`, and written
with the ops that `agents.core.entities.plan_event` plans, so the key layout is the service's.

Two ways to write, both measured (see bench/README.md):

* `pipeline` (default): exactly the worker's path in big batches: `RedisMatchIndex.snapshots`
  -> `plan_event` -> `RedisMatchIndex.commit` (version-checked Lua), conflicting events
  re-read and re-planned one by one. Namesakes are scored and may merge or go to review, as in
  the service.
* `direct`: `plan_event` against an empty `Snapshot` (so every contact becomes its own entity),
  committed by `RedisMatchIndex.commit` (the same Lua script) with the version checks removed,
  skipping the reads and the scoring. Same keys and values; about 2x faster, for 1 M.

`--jobs J` runs J processes, each loading its share from its own generator seed. Ids get a
`--id-tag` prefix so preloaded records never collide with the events a benchmark publishes.
Must not be used against an index a service is writing to (direct mode skips the version
checks), must not delete anything except with `--drop`, which removes one key prefix only.

Run from the repo root: `python -m bench.load_index --prefix P --entities 100000 [--jobs 2]`.
Prints one JSON line with entities, seconds and entities/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson

from agents.core.cleaning import Cleaned, CleaningConfig, clean_event, load_cleaning_config
from agents.core.entities import MatchPolicy, Snapshot, lookup_request, plan_event
from agents.core.scoring import MatchThresholds, load_match_model
from sample_data.generator import generate_events
from streams.__main__ import tune_gc
from streams.match_index import RedisMatchIndex
from streams.settings import Settings, get_settings

MODES = ("pipeline", "direct")


@dataclass(frozen=True)
class LoadReport:
    """What one load did."""

    prefix: str
    mode: str
    jobs: int
    contacts: int
    rejected: int
    conflicts: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Contacts written per second of wall time."""
        return self.contacts / self.seconds if self.seconds else 0.0


def tag_ids(event: dict[str, Any], tag: str) -> dict[str, Any]:
    """Prefix `event_id` and `external_id` with `tag` so that streams of different seeds never share ids.

    Args:
        event: A generated event (left unchanged).
        tag: The prefix, e.g. `pre0-`.

    Returns:
        A copy with prefixed ids (fields that are not strings are kept as they are).
    """
    tagged = dict(event)
    for key in ("event_id", "external_id"):
        if isinstance(tagged.get(key), str):
            tagged[key] = tag + tagged[key]
    return tagged


def original_payloads(count: int, seed: int, tag: str) -> Iterator[bytes]:
    """Raw JSON payloads of `count` distinct persons (generator originals only, ids tagged)."""
    events = generate_events(
        count, seed, duplicate_rate=0.0, invalid_rate=0.0, update_rate=0.0, hard_negative_rate=0.0, erasures=0
    )
    for generated in events:
        yield orjson.dumps(tag_ids(generated.event, tag))


def _policy(settings: Settings) -> MatchPolicy:
    match = settings.match
    return MatchPolicy(
        model=load_match_model(match.model_path),
        thresholds=MatchThresholds(auto_merge_at=match.auto_merge_at, review_at=match.review_at),
        max_candidates=match.max_candidates,
        event_ttl_seconds=settings.redis.event_ttl_seconds,
    )


def _clean(payloads: Sequence[bytes], config: CleaningConfig, now: datetime) -> tuple[list[Cleaned], int]:
    cleaned = [
        outcome for payload in payloads if isinstance(outcome := clean_event(payload, config=config, now=now), Cleaned)
    ]
    return cleaned, len(payloads) - len(cleaned)


async def _write_pipeline(index: RedisMatchIndex, batch: list[Cleaned], policy: MatchPolicy) -> int:
    """The worker's path (`ContactPipeline._decide_wave`); returns how many commits conflicted."""
    requests = [lookup_request(c.event, c.contact) for c in batch]
    snapshots = await index.snapshots(requests)
    plans = [plan_event(c.event, c.contact, r, s, policy) for c, r, s in zip(batch, requests, snapshots, strict=True)]
    committed = await index.commit(plans)
    conflicts = 0
    for item, request, ok in zip(batch, requests, committed, strict=True):
        while not ok:
            conflicts += 1
            (snapshot,) = await index.snapshots([request])
            (ok,) = await index.commit([plan_event(item.event, item.contact, request, snapshot, policy)])
    return conflicts


async def _write_direct(index: RedisMatchIndex, batch: list[Cleaned], policy: MatchPolicy) -> None:
    """`plan_event` on an empty snapshot, committed by `RedisMatchIndex.commit` without version checks."""
    empty = Snapshot()
    plans = [plan_event(c.event, c.contact, lookup_request(c.event, c.contact), empty, policy) for c in batch]
    await index.commit([replace(plan, checks={}) for plan in plans])


async def _load_share(
    settings: Settings, prefix: str, count: int, seed: int, tag: str, batch_size: int, mode: str
) -> tuple[int, int, int]:
    index = RedisMatchIndex.from_settings(settings.redis, settings.match, prefix=prefix)
    config = load_cleaning_config(settings.cleaning.rules_path, settings.cleaning.mappings_path)
    policy = _policy(settings)
    now = datetime.now(UTC)
    written = rejected = conflicts = 0
    try:
        # Cleaning rejects a few generated originals; draw extra persons and stop at `count`.
        payloads = original_payloads(int(count * 1.25) + 100, seed, tag)
        while written < count:
            batch = list(islice(payloads, batch_size))
            if not batch:
                break
            cleaned, bad = _clean(batch, config, now)
            cleaned = cleaned[: count - written]
            rejected += bad
            if mode == "pipeline":
                conflicts += await _write_pipeline(index, cleaned, policy)
            else:
                await _write_direct(index, cleaned, policy)
            written += len(cleaned)
    finally:
        await index.aclose()
    return written, rejected, conflicts


def _run_share(args: tuple[str, int, int, str, int, str]) -> tuple[int, int, int]:
    prefix, count, seed, tag, batch_size, mode = args
    # The worker's GC settings: with the normalizer caches full (1 M distinct contacts fill
    # them), default thresholds ran full collections that took 57 % of a loader's CPU.
    tune_gc()
    return asyncio.run(_load_share(get_settings(), prefix, count, seed, tag, batch_size, mode))


def load(
    prefix: str, entities: int, *, seed: int = 1000, jobs: int = 1, batch_size: int = 1000, mode: str = "pipeline"
) -> LoadReport:
    """Write `entities` distinct contacts into the index under `prefix` (Redis from `DQ_REDIS__*`).

    Args:
        prefix: Redis key prefix of the index (the service's `DQ_REDIS__KEY_PREFIX`).
        entities: How many distinct persons to write.
        seed: Generator seed of the first job (job i uses seed + i).
        jobs: Processes writing in parallel, each with its share.
        batch_size: Contacts per Redis round trip group.
        mode: `pipeline` (the worker's snapshot/plan/commit path) or `direct` (see module doc).

    Returns:
        The load report (contacts written, rejected by cleaning, commit conflicts, seconds).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    shares = [entities // jobs + (1 if i < entities % jobs else 0) for i in range(jobs)]
    work = [(prefix, share, seed + i, f"pre{seed + i}-", batch_size, mode) for i, share in enumerate(shares) if share]
    started = time.perf_counter()
    if len(work) == 1:
        results = [_run_share(work[0])]
    else:
        with ProcessPoolExecutor(max_workers=len(work)) as pool:
            results = list(pool.map(_run_share, work))
    seconds = time.perf_counter() - started
    written, rejected, conflicts = (sum(r[i] for r in results) for i in range(3))
    return LoadReport(prefix, mode, len(work), written, rejected, conflicts, seconds)


async def _drop(prefix: str, settings: Settings) -> int:
    index = RedisMatchIndex.from_settings(settings.redis, settings.match, prefix=prefix)
    try:
        return await index.drop()
    finally:
        await index.aclose()


def drop(prefix: str) -> int:
    """Delete every key of the index under `prefix` (batched UNLINK). Returns keys deleted."""
    return asyncio.run(_drop(prefix, get_settings()))


def main(argv: list[str]) -> int:
    """CLI entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.load_index", description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True, help="Redis key prefix of the index to fill (or drop)")
    parser.add_argument("--entities", type=int, default=10_000, help="distinct contacts to write")
    parser.add_argument("--mode", choices=MODES, default="pipeline")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--drop", action="store_true", help="delete the prefix's keys instead of loading")
    args = parser.parse_args(argv)
    if args.drop:
        print(json.dumps({"prefix": args.prefix, "deleted": drop(args.prefix)}))
        return 0
    report = load(
        args.prefix, args.entities, seed=args.seed, jobs=args.jobs, batch_size=args.batch_size, mode=args.mode
    )
    print(
        json.dumps(asdict(report) | {"per_second": round(report.per_second, 1), "redis_url": get_settings().redis.url})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
