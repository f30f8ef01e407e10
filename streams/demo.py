"""`demo`: the README's run command.

Starts the local stack and a worker, publishes the sample data, and prints what came out on
each topic.

Must not be used by the service itself; it is a driver for people (and the e2e tests reuse its
output-collecting helper).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from streams import stack
from streams.publish import publish_file
from streams.settings import REPO_ROOT, Settings
from streams.topics import ensure_topics

SAMPLE = REPO_ROOT / "sample_data" / "contacts.jsonl"


def output_positions(settings: Settings) -> dict[TopicPartition, int]:
    """Current end offsets of the cleaned and rejected topics (read outputs from here on)."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in (settings.kafka.cleaned_topic, settings.kafka.rejected_topic)
            for p in consumer.partitions_for_topic(topic) or ()
        ]
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def collect(
    settings: Settings, event_ids: set[str], start: dict[TopicPartition, int], *, timeout_s: float = 120.0
) -> dict[str, dict[str, dict]]:
    """Read cleaned and rejected topics from `start` until every event id has an output (or timeout).

    Returns topic -> event_id -> decoded value (the last one seen for that id).
    """
    topics = [settings.kafka.cleaned_topic, settings.kafka.rejected_topic]
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False, consumer_timeout_ms=1000
    )
    consumer.assign(list(start))
    for partition, offset in start.items():
        consumer.seek(partition, offset)
    found: dict[str, dict[str, dict]] = {t: {} for t in topics}
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for message in consumer:
                value = json.loads(message.value)
                event_id = value.get("event_id")
                if event_id in event_ids:
                    found[message.topic][event_id] = value
            done = set().union(*(found[t].keys() for t in topics))
            if event_ids <= done:
                break
    finally:
        consumer.close()
    return found


def sample_event_ids(path: Path) -> set[str]:
    """Event ids of a JSONL file's valid-JSON lines."""
    ids = set()
    for line in path.read_bytes().splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("event_id"), str):
            ids.add(value["event_id"].strip())
    return ids


def main(settings: Settings, *, keep_running: bool = False) -> int:
    """Run the demo end to end; returns a process exit code."""
    if stack.main(["up"]) != 0:
        return 1
    ensure_topics(settings.kafka)
    log_path = stack.StackConfig.from_env(os.environ).logs_dir / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"starting worker (log: {log_path})")
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "streams", "worker", "-l", "info"],
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
    try:
        start = output_positions(settings)
        sent = publish_file(
            SAMPLE,
            source=None,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            topic=settings.kafka.input_topic,
        )
        print(f"published {sent} events from {SAMPLE.relative_to(REPO_ROOT)}")
        ids = sample_event_ids(SAMPLE)
        found = collect(settings, ids, start)
        cleaned, rejected = (
            found[settings.kafka.cleaned_topic],
            found[settings.kafka.rejected_topic],
        )
        decisions = Counter(v["match"]["decision"] for v in cleaned.values() if v.get("match"))
        codes = Counter(r["code"] for v in rejected.values() for r in v["reasons"])
        print(f"cleaned: {len(cleaned)}  rejected: {len(rejected)}  (of {len(ids)} events with an id)")
        print("decisions: " + ", ".join(f"{k}={v}" for k, v in decisions.most_common()))
        print("rejection reasons: " + ", ".join(f"{k}={v}" for k, v in codes.most_common()))
        missing = ids - cleaned.keys() - rejected.keys()
        if missing:
            print(f"{len(missing)} events have no output yet (see {log_path})")
            return 1
        return 0
    finally:
        if keep_running:
            print(f"worker left running (pid {worker.pid}); metrics on http://localhost:{settings.web_port}/metrics")
        else:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
