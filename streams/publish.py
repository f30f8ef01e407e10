"""`publish FILE --source NAME`: send CSV rows or JSONL events to the input topic (kafka-python).

For upstream integrations, backfills and demos. JSONL lines are full events and are sent as
their original bytes (even malformed ones: the service rejects them with reasons). CSV rows are
one contact each (the source's own column names; its field mapping renames them) wrapped in an
envelope with a deterministic event id, so publishing one file twice changes nothing.
Must not validate or normalize: that is the service's job.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer

from schemas.events import event_key

ID_COLUMNS = ("external_id", "id", "record_id")


def csv_events(path: Path, source: str, *, now: datetime | None = None) -> Iterator[tuple[bytes | None, bytes]]:
    """(key, value) per CSV row: the row as `contact`, inside a contract envelope."""
    occurred_at = (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=1):
            contact = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            external_id = next(
                (contact.pop(c) for c in ID_COLUMNS if c in contact),
                f"{path.stem}-row-{row_number}",
            )
            digest = hashlib.blake2b(json.dumps(contact, sort_keys=True).encode(), digest_size=6).hexdigest()
            event = {
                "event_id": f"{source}:{external_id}:{digest}",
                "source": source,
                "external_id": external_id,
                "occurred_at": contact.pop("occurred_at", occurred_at),
                "contact": contact,
            }
            for envelope_field in ("record_type", "owner", "department"):
                if envelope_field in contact:
                    event[envelope_field] = contact.pop(envelope_field)
            yield event_key(source, external_id), json.dumps(event, ensure_ascii=False).encode()


def jsonl_events(path: Path, source: str | None) -> Iterator[tuple[bytes | None, bytes]]:
    """(key, value) per JSONL line; the value is the line's original bytes (a missing `source` is filled in)."""
    with path.open("rb") as handle:
        for raw_line in handle:
            line = raw_line.rstrip(b"\r\n")
            if not line.strip():
                continue
            key = None
            try:
                event = json.loads(line)
            except ValueError:
                yield None, line
                continue
            if isinstance(event, dict):
                if source and not event.get("source"):
                    event["source"] = source
                    line = json.dumps(event, ensure_ascii=False).encode()
                if isinstance(event.get("source"), str):
                    external = event.get("external_id") or event.get("event_id")
                    key = event_key(event["source"], str(external)) if external else None
            yield key, line


def publish_file(path: Path, *, source: str | None, bootstrap_servers: str, topic: str) -> int:
    """Publish every row/line of `path`; returns the number of messages sent."""
    if path.suffix.lower() == ".csv":
        if not source:
            raise SystemExit("publish: --source is required for CSV files")
        messages = csv_events(path, source)
    else:
        messages = jsonl_events(path, source)
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=20, max_request_size=4_194_304)
    sent = 0
    try:
        for key, value in messages:
            producer.send(topic, key=key, value=value)
            sent += 1
        producer.flush()
    finally:
        producer.close()
    return sent
