"""`dedupe FILE [--out FILE]`: the streaming pipeline run in process over a JSONL file.

Same cleaning, matching and merging code as the worker, against Redis (a fresh key prefix per
run unless one is given), events in file order. Writes one JSON line per event. For backfills
of existing CRM exports and for measuring accuracy. Must not publish to Kafka.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from agents.pipeline import Inbound, Processed
from streams.settings import Settings
from streams.wiring import build_pipeline


def read_lines(path: Path) -> Iterator[bytes]:
    """Non-blank lines of a JSONL file, as their original bytes."""
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            if line.strip():
                yield line


def result_line(processed: Processed) -> dict[str, Any]:
    """The documented output object of one event."""
    if processed.rejected is not None:
        rejected = processed.rejected
        return {
            "event_id": rejected.event_id,
            "status": "rejected",
            "entity_id": None,
            "decision": None,
            "score": None,
            "matched_entity_id": None,
            "explanation": [],
            "record": None,
            "reasons": [reason.model_dump(mode="json") for reason in rejected.reasons],
        }
    cleaned = processed.cleaned
    assert cleaned is not None and cleaned.match is not None
    match = cleaned.match
    return {
        "event_id": cleaned.event_id,
        "status": "cleaned",
        "entity_id": match.entity_id,
        "decision": match.decision.value,
        "score": match.score,
        "matched_entity_id": match.matched_entity_id,
        "explanation": [c.model_dump(mode="json") for c in match.explanation],
        "record": cleaned.contact.model_dump(mode="json"),
    }


async def dedupe_file(path: Path, out: IO[bytes], settings: Settings, *, prefix: str | None = None) -> Counter[str]:
    """Run the pipeline over `path`, write result lines to `out`; returns counts by decision/status.

    Each line also carries `final_entity_id`: the entity after every later merge in the run.
    A fresh prefix (none given) is deleted afterwards; a given prefix keeps the index.
    """
    fresh = prefix is None
    prefix = prefix or f"{settings.redis.key_prefix}:dedupe:{uuid.uuid4().hex[:10]}"
    pipeline = build_pipeline(settings, metrics=None, prefix=prefix)
    counts: Counter[str] = Counter()
    lines: list[dict[str, Any]] = []
    try:
        batch: list[Inbound] = []
        for offset, payload in enumerate(read_lines(path)):
            batch.append(Inbound(payload, topic=path.name, partition=0, offset=offset))
            if len(batch) >= settings.batch_size:
                lines += [result_line(p) for p in await pipeline.process(batch)]
                batch = []
        if batch:
            lines += [result_line(p) for p in await pipeline.process(batch)]
        final = await pipeline.index.resolve({line["entity_id"] for line in lines if line["entity_id"]})
        for line in lines:
            entity = line["entity_id"]
            line["final_entity_id"] = final[entity] if entity else None
            counts[line["decision"] or line["status"]] += 1
            out.write(orjson.dumps(line) + b"\n")
    finally:
        if fresh:  # nobody can reach a fresh prefix after the run: do not leave it behind
            await pipeline.index.drop()
        await pipeline.index.aclose()
    return counts


def main(path: Path, out_path: Path | None, settings: Settings, prefix: str | None) -> int:
    """CLI entry: write to `out_path` (or stdout), print a summary to stderr."""
    if out_path is None:
        counts = asyncio.run(dedupe_file(path, sys.stdout.buffer, settings, prefix=prefix))
    else:
        with out_path.open("wb") as handle:
            counts = asyncio.run(dedupe_file(path, handle, settings, prefix=prefix))
    print("dedupe: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr)
    return 0
