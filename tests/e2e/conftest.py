"""Worker processes against the real broker and Redis, each test in its own namespace.

Every test gets unique topic names, consumer group (app id), Redis key prefix and web port, so
tests never see each other's messages or keys.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from streams.settings import KafkaSettings
from streams.topics import ensure_topics

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Namespace:
    """Settings (as env vars) of one isolated deployment of the service."""

    bootstrap: str
    redis_url: str
    partitions: int = 3
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    web_port: int = field(default_factory=free_port)
    logs: list[Path] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Faust's state directory (by default `<app id>-data` in the working directory, the repo).
    datadir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="crm-dq-e2e-")))

    def __post_init__(self) -> None:
        # Dropped when the test process exits, whichever copy of this module made it (test modules
        # import it as `tests.e2e.conftest` or by path, pytest as `conftest`: three module objects).
        atexit.register(self.drop)

    def topic(self, name: str) -> str:
        return f"e2e.{self.tag}.{name}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DQ_")}
        env.update(
            DQ_APP_ID=f"crm-dq-e2e-{self.tag}",
            APP_DATADIR=str(self.datadir),
            DQ_WEB_PORT=str(self.web_port),
            DQ_KAFKA__BROKER=f"kafka://{self.bootstrap}",
            DQ_KAFKA__TOPIC_PARTITIONS=str(self.partitions),
            DQ_KAFKA__INPUT_TOPIC=self.topic("changes"),
            DQ_KAFKA__CLEANED_TOPIC=self.topic("cleaned"),
            DQ_KAFKA__REJECTED_TOPIC=self.topic("rejected"),
            DQ_KAFKA__REVIEW_TOPIC=self.topic("review"),
            DQ_KAFKA__GOLDEN_TOPIC=self.topic("golden"),
            DQ_REDIS__URL=self.redis_url,
            DQ_REDIS__KEY_PREFIX=f"e2e:{self.tag}",
        )
        env.update(self.extra_env)
        return env

    def create_topics(self) -> None:
        """Create the namespace's topics as the worker would (so publishing first is safe)."""
        kafka = KafkaSettings(
            broker=f"kafka://{self.bootstrap}",
            topic_partitions=self.partitions,
            input_topic=self.topic("changes"),
            cleaned_topic=self.topic("cleaned"),
            rejected_topic=self.topic("rejected"),
            review_topic=self.topic("review"),
            golden_topic=self.topic("golden"),
        )
        ensure_topics(kafka)

    def drop_topics(self) -> None:
        """Delete the namespace's topics, and those its workers' Faust app created."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            owned = [t for t in admin.list_topics() if t.startswith((f"e2e.{self.tag}.", f"crm-dq-e2e-{self.tag}-"))]
            if owned:
                admin.delete_topics(owned)
        finally:
            admin.close()

    def drop(self) -> None:
        """Delete what the namespace left behind: its workers' state directory and its topics.

        Best effort (it runs at exit): a broker that is gone by then leaves the topics behind.
        """
        shutil.rmtree(self.datadir, ignore_errors=True)
        try:
            self.drop_topics()
        except Exception as exc:  # noqa: BLE001 - cleanup must not turn into a failure at exit
            print(f"e2e namespace {self.tag}: topics not deleted ({exc!r})", file=sys.stderr)

    def start_worker(self, tmp_path: Path) -> subprocess.Popen[bytes]:
        log = tmp_path / f"worker-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as handle:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streams", "worker", "-l", "info"],
                cwd=REPO,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return proc

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:])
            for p in self.logs
            if p.exists()
        )

    def publish(self, payloads: list[tuple[bytes | None, bytes]]) -> None:
        self.create_topics()
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", max_request_size=4_194_304)
        for key, value in payloads:
            producer.send(self.topic("changes"), key=key, value=value)
        producer.flush()
        producer.close()

    def publish_in_background(self, payloads: list[tuple[bytes | None, bytes]], per_second: float) -> threading.Thread:
        """Publish at a steady rate from a thread (so a worker can be stopped mid-stream)."""
        self.create_topics()

        def run() -> None:
            producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=5)
            start = time.monotonic()
            for n, (key, value) in enumerate(payloads):
                delay = start + n / per_second - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                producer.send(self.topic("changes"), key=key, value=value)
            producer.flush()
            producer.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def read(
        self, name: str, *, until: int | None = None, timeout_s: float = 90.0, idle_s: float = 3.0
    ) -> list[tuple[bytes | None, bytes | None]]:
        """All messages of an output topic: until `until` distinct messages arrive, else until idle."""
        consumer = KafkaConsumer(
            self.topic(name),
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=int(idle_s * 1000),
        )
        found: list[tuple[bytes | None, bytes | None]] = []
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                before = len(found)
                for message in consumer:  # ends after `idle_s` without a message
                    found.append((message.key, message.value))
                    if until is not None and len(found) >= until:
                        return found  # do not wait for a busy topic to go idle
                if until is None and len(found) == before and found:
                    break
        finally:
            consumer.close()
        return found

    def outputs_by_event(self, timeout_s: float, expected: set[str]) -> dict[str, dict]:
        """event_id -> last output (cleaned or rejected) until every expected id has one."""
        consumer = KafkaConsumer(
            self.topic("cleaned"),
            self.topic("rejected"),
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=1000,
        )
        found: dict[str, dict] = {}
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline and not expected <= found.keys():
                for message in consumer:
                    value = json.loads(message.value)
                    value["_topic"] = message.topic.rsplit(".", 1)[-1]
                    found[value.get("event_id") or f"_offset{message.offset}"] = value
        finally:
            consumer.close()
        return found


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 40) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def namespace(kafka_bootstrap: str, redis_url: str) -> Iterator[Namespace]:
    yield Namespace(kafka_bootstrap, redis_url)
