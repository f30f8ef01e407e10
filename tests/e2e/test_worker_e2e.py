"""The worker as a real process on the real broker and Redis: outputs per topic, dead letters,
restarts (SIGTERM and SIGKILL) without loss and with the same entities."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import signal
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

from streams.dedupe import dedupe_file
from streams.match_index import RedisMatchIndex
from streams.publish import jsonl_events
from streams.settings import KafkaSettings, MatchSettings, RedisSettings, Settings
from tests.e2e.conftest import REPO, Namespace, stop

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.redis]

SAMPLE = REPO / "sample_data" / "contacts.jsonl"
TRUTH = {row["event_id"]: row for row in csv.DictReader((REPO / "sample_data" / "truth.csv").open())}
MALFORMED = [base64.b64decode(line) for line in (REPO / "sample_data" / "malformed.b64").read_text().split()]
NON_NAME_FIELDS = {"email", "phone", "national_id", "birth_date", "street", "locality", "company"}


def sample_payloads() -> list[tuple[bytes | None, bytes]]:
    return list(jsonl_events(SAMPLE, None))


def wait_for_outputs(ns: Namespace, at_least: int, timeout_s: float = 60) -> None:
    """Return as soon as the cleaned topic holds `at_least` messages."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(ns.read("cleaned", until=at_least, timeout_s=5, idle_s=0.3)) >= at_least:
            return
    raise AssertionError(f"fewer than {at_least} outputs after {timeout_s}s\n{ns.log_tail()}")


@pytest.fixture(scope="module")
def long_stream(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A generated stream long enough to stop a slowed-down worker in the middle of it."""
    from sample_data.generator import generate_events

    path = tmp_path_factory.mktemp("stream") / "events.jsonl"
    events = [g.event for g in generate_events(1500, 3)]
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events))
    return path, {e["event_id"] for e in events if isinstance(e.get("event_id"), str)}


RATE = 250.0  # events/s published while the worker runs: ~10 s of stream to interrupt
WARM_UP = 50  # events published first, so the stream only starts once the worker is consuming


def start_stream_once_worker_is_up(namespace: Namespace, path: Path) -> threading.Thread:
    """Publish a few events, wait until the worker has output them, then stream the rest and
    return as soon as more outputs show the worker is in the middle of that stream."""
    payloads = list(jsonl_events(path, None))
    namespace.publish(payloads[:WARM_UP])
    wait_for_outputs(namespace, WARM_UP // 2, timeout_s=120)
    publisher = namespace.publish_in_background(payloads[WARM_UP:], RATE)
    wait_for_outputs(namespace, WARM_UP + 100)
    return publisher


def original_bytes(rejected: dict) -> bytes:
    payload = rejected["payload"]
    return base64.b64decode(payload) if rejected["payload_encoding"] == "base64" else payload.encode()


def test_sample_stream_and_malformed_payloads(namespace: Namespace, tmp_path: Path) -> None:
    worker = namespace.start_worker(tmp_path)
    try:
        namespace.publish(sample_payloads() + [(None, p) for p in MALFORMED])
        outputs = namespace.outputs_by_event(120, set(TRUTH))
        assert set(TRUTH) <= outputs.keys(), f"missing outputs\n{namespace.log_tail()}"
        for event_id, truth in TRUTH.items():
            out = outputs[event_id]
            if truth["kind"] == "invalid":
                assert out["_topic"] == "rejected", event_id
                assert out["reasons"] and all(r["code"] and r["severity"] == "reject" for r in out["reasons"])
            else:
                assert out["_topic"] == "cleaned", (event_id, out.get("reasons"))
                assert out["match"]["decision"] in {
                    "new",
                    "distinct",
                    "merged",
                    "review",
                    "updated",
                    "erased",
                }
                assert 0 <= out["quality"]["score"] <= 1
        cn_short = [e for e, t in TRUTH.items() if t["detail"] == "cn_mobile_10_digits"]
        assert cn_short and all({r["code"] for r in outputs[e]["reasons"]} == {"phone_mobile_length"} for e in cn_short)

        merged = [o for o in outputs.values() if o.get("match", {}) and o["match"]["decision"] == "merged"]
        assert merged, "the sample has known duplicates"
        for out in merged:
            positive = {c["field"] for c in out["match"]["explanation"] if c["weight"] > 0}
            assert positive & NON_NAME_FIELDS, f"merge resting on a name alone: {out['event_id']}"
            assert out["match"]["reason"]

        rejected = [
            json.loads(v)
            for _, v in namespace.read(
                "rejected",
                until=sum(t["kind"] == "invalid" for t in TRUTH.values()) + len(MALFORMED),
            )
        ]
        by_payload = {original_bytes(r): r for r in rejected}
        for payload in MALFORMED:
            assert payload in by_payload, f"dead letter lost or altered: {payload[:60]!r}"
            assert by_payload[payload]["reasons"], payload[:60]
        oversized = next(p for p in MALFORMED if len(p) > 65536)
        assert [r["code"] for r in by_payload[oversized]["reasons"]] == ["payload_too_large"]
        assert [r["code"] for r in by_payload[b"this is not json"]["reasons"]] == ["not_json"]

        assert namespace.read("review"), "ambiguous and cross-owner duplicates go to review"
        golden = namespace.read("golden")
        assert golden and all(k for k, _ in golden)
        assert any(v is None for _, v in golden), "erasure of a single-record entity publishes a tombstone"
        assert worker.poll() is None, "the worker must survive every input"
    finally:
        stop(worker)


def test_sigterm_mid_stream_loses_nothing(
    namespace: Namespace, tmp_path: Path, long_stream: tuple[Path, set[str]]
) -> None:
    path, event_ids = long_stream
    worker = namespace.start_worker(tmp_path)
    try:
        publisher = start_stream_once_worker_is_up(namespace, path)
        stop(worker, signal.SIGTERM)
        assert worker.returncode is not None
        assert publisher.is_alive(), "the stream ended before the worker was stopped: not mid-stream"
        worker = namespace.start_worker(tmp_path)
        outputs = namespace.outputs_by_event(180, event_ids)
        assert event_ids <= outputs.keys(), f"lost {len(event_ids - outputs.keys())} events\n{namespace.log_tail()}"
    finally:
        stop(worker)


def _entities(outputs: dict[str, dict], resolve: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for out in outputs.values():
        match = out.get("match")
        if out.get("_topic", "cleaned") == "cleaned" and match and match["entity_id"] and match["decision"] != "erased":
            groups[resolve.get(match["entity_id"], match["entity_id"])].add(out["record_id"])
    return {frozenset(g) for g in groups.values()}


async def _resolve_all(redis_url: str, prefix: str, entity_ids: set[str]) -> dict[str, str]:
    index = RedisMatchIndex.from_settings(RedisSettings(url=redis_url), MatchSettings(), prefix=prefix)
    try:
        return await index.resolve(entity_ids)
    finally:
        await index.aclose()


def test_sigkill_restart_ends_with_the_same_entities_as_an_uninterrupted_run(
    kafka_bootstrap: str, redis_url: str, tmp_path: Path, long_stream: tuple[Path, set[str]]
) -> None:
    path, event_ids = long_stream
    namespace = Namespace(kafka_bootstrap, redis_url, partitions=1)  # one partition: file order
    worker = namespace.start_worker(tmp_path)
    try:
        publisher = start_stream_once_worker_is_up(namespace, path)
        stop(worker, signal.SIGKILL)
        assert publisher.is_alive(), "the stream ended before the worker was killed: not mid-stream"
        worker = namespace.start_worker(tmp_path)
        outputs = namespace.outputs_by_event(180, event_ids)
        assert event_ids <= outputs.keys(), namespace.log_tail()
    finally:
        stop(worker)
    entity_ids = {o["match"]["entity_id"] for o in outputs.values() if o.get("match") and o["match"]["entity_id"]}
    resolved = asyncio.run(_resolve_all(redis_url, f"e2e:{namespace.tag}", entity_ids))
    killed = _entities(outputs, resolved)

    settings = Settings(
        kafka=KafkaSettings(),
        redis=RedisSettings(url=redis_url, key_prefix=f"e2e:{namespace.tag}:ref"),
    )
    buffer = io.BytesIO()
    asyncio.run(dedupe_file(path, buffer, settings))
    record_ids = {}
    for line in path.read_bytes().splitlines():
        event = json.loads(line)
        record_ids[event.get("event_id")] = (
            f"{event['source'].strip()}:{(event.get('external_id') or event['event_id']).strip()}"
            if isinstance(event.get("source"), str)
            else None
        )
    reference: dict[str, set[str]] = defaultdict(set)
    for line in buffer.getvalue().splitlines():
        row = json.loads(line)
        if row["status"] == "cleaned" and row["decision"] != "erased":
            reference[row["final_entity_id"]].add(record_ids[row["event_id"]])
    assert killed == {frozenset(g) for g in reference.values()}
