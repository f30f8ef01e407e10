"""Monitoring end to end: a real worker, a real Prometheus, the shipped dashboard and alerts.

1. `test_every_dashboard_query_and_alert_expression_returns_data`: a worker (own namespace)
   processes the sample stream on the real broker while a real Prometheus scrapes it every
   second with `monitoring/prometheus/alerts.yml` loaded. Once Prometheus has scraped the
   processed stream, every Grafana panel query (template variables substituted), every alert
   `expr`, the operands of its comparisons and every selector inside it are evaluated through
   `/api/v1/query` and must return data; every rule must evaluate without error.
2. `test_metrics_endpoint_exposes_every_dq_family`: `/metrics` of the same worker has samples
   of every family `DQMetrics` registers; `/healthz` answers 200.
3. `test_readyz_follows_redis_and_nothing_is_lost`: a worker on its own `redis-server` is ready,
   turns not-ready (503) while that Redis is stopped, ready again once it is back, never dies,
   and processes the events published during the outage.

Needs Kafka, Redis, `prometheus` (Debian package) and `redis-server`. A missing binary skips
the test that needs it locally and fails it under CI=true. Every wait is a bounded poll.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from monitoring.metrics import DQMetrics
from streams.publish import jsonl_events
from tests.required import unavailable

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.redis, pytest.mark.prometheus]

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data" / "contacts.jsonl"
PROMETHEUS_DIR = REPO / "monitoring" / "prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
LOCAL_CONFIG = PROMETHEUS_DIR / "prometheus.local.yml"
DASHBOARDS = sorted((REPO / "monitoring" / "grafana" / "dashboards").glob("*.json"))
WORKER_JOB = "crm-dq-worker"


def _load_e2e_helpers() -> Any:
    """tests/e2e/conftest.py as a module (`Namespace`, `free_port`, `stop`).

    Loaded by path: `import conftest` would resolve to whichever conftest.py pytest imported
    last (tests/ and tests/e2e/ both have one and neither is a package).
    """
    spec = importlib.util.spec_from_file_location("_e2e_conftest_helpers", Path(__file__).with_name("conftest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


_helpers = _load_e2e_helpers()
Namespace = _helpers.Namespace
free_port: Callable[[], int] = _helpers.free_port
stop: Callable[..., None] = _helpers.stop

T = TypeVar("T")


# -- small utilities ------------------------------------------------------------------------------


def require_binary(name: str, package: str) -> str:
    """Path of a binary; skip without it, except under CI=true, where it is a failure (`tests.required`)."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} not found (Debian package `{package}`)")
    return path


def poll(
    what: str,
    probe: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.25,
    alive: Callable[[], str | None] = lambda: None,
) -> T:
    """Call `probe` until it returns something other than None/False; fail after `timeout`.

    `alive` is checked on every round and returns an error text when a process we depend on
    has died, so a crash fails at once with that text instead of after the timeout.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        dead = alive()
        if dead:
            pytest.fail(f"while waiting for {what}: {dead}", pytrace=False)
        try:
            last = probe()
        except (OSError, ValueError, KeyError, redis.RedisError) as exc:  # not up yet
            last = exc
        else:
            if last is not None and last is not False:
                return last
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def http_get(url: str, *, timeout: float = 10.0) -> tuple[int, str]:
    """(status, body) of a GET; HTTP error statuses are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def sample_payloads() -> list[tuple[bytes | None, bytes]]:
    """(key, value) of every line of sample_data/contacts.jsonl, as `streams publish` sends it."""
    assert SAMPLE.is_file(), f"{SAMPLE} is missing (python -m sample_data writes it)"
    return list(jsonl_events(SAMPLE, None))


def event_id(value: bytes) -> str | None:
    """The event id of a payload that is a JSON object with a string `event_id`, else None."""
    try:
        event = json.loads(value)
    except ValueError:
        return None
    if isinstance(event, dict) and isinstance(event.get("event_id"), str):
        return str(event["event_id"]).strip() or None
    return None


def scrape(port: int) -> dict[str, list[Any]]:
    """Family name -> samples of the worker's /metrics (parsed with prometheus_client)."""
    status, body = http_get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200, body[:500]
    return {family.name: family.samples for family in text_string_to_metric_families(body)}


def sample_total(families: dict[str, list[Any]], family: str, sample: str) -> float:
    """Sum of a family's samples named `sample` (0 when absent)."""
    return sum(s.value for s in families.get(family, []) if s.name == sample)


# -- PromQL helpers -----------------------------------------------------------------------------

_OPEN, _CLOSE = "([{", ")]}"
_SET_OPERATORS = ("or", "and", "unless")  # lowest precedence first: `or` < `and` = `unless`
_COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
_MODIFIERS = re.compile(
    r"""^\s*(?:bool\b\s*)?
        (?:(?:on|ignoring)\s*\([^)]*\)\s*)?
        (?:(?:group_left|group_right)\b\s*(?:\([^)]*\)\s*)?)?""",
    re.VERBOSE,
)
_OFFSET = re.compile(r"\s+offset\s+-?\d+[smhdwy]")
_SELECTOR = re.compile(r"(?<![\w:])(?:dq_[a-zA-Z0-9_:]*|up)\b(?:\{[^}]*\})?")
_IDENT = re.compile(r"[A-Za-z0-9_:]")


def _top_level_positions(expr: str) -> Iterator[int]:
    """Indexes of `expr` outside any (), [], {} and outside string literals."""
    depth, quote, index = 0, "", 0
    while index < len(expr):
        char = expr[index]
        if quote:
            if char == "\\" and quote != "`":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0:
            yield index
        index += 1


def _split_top_level(expr: str, operators: tuple[str, ...], *, words: bool) -> list[str]:
    """Split `expr` at every top-level occurrence of one of `operators` (keywords if `words`)."""
    parts, start = [], 0
    skip_until = -1
    for index in _top_level_positions(expr):
        if index < skip_until:
            continue
        for operator in operators:
            end = index + len(operator)
            if expr[index:end] != operator:
                continue
            if words and (
                (index > 0 and _IDENT.match(expr[index - 1])) or (end < len(expr) and _IDENT.match(expr[end]))
            ):
                continue
            parts.append(expr[start:index])
            start = skip_until = end
            break
    parts.append(expr[start:])
    return parts


def _strip(operand: str) -> str:
    """Drop a leading `bool`/`on(...)`/`ignoring(...)`/`group_left(...)` and whitespace."""
    return _MODIFIERS.sub("", operand, count=1).strip()


def _is_number(text: str) -> bool:
    try:
        float(text.strip("() \n"))
    except ValueError:
        return False
    return True


def comparison_operands(expr: str) -> list[str]:
    """The operands of an alert expression with its threshold comparisons taken away.

    An alert expression is empty while it does not fire, so evaluating it says little. This
    splits it the way PromQL's precedence does: first at top-level `or`, then `and`/`unless`,
    then at comparison operators (`==`, `!=`, `>=`, `<=`, `>`, `<`), and returns every operand
    that is not a plain number, with vector-matching modifiers (`on (...)`, `ignoring (...)`,
    `group_left`, `bool`) removed. Operators inside parentheses, brackets, braces (label
    matchers such as `=~`) and strings are left alone, so

        (a / b) > 0.05 and c > 0.1           ->  ["(a / b)", "c"]
        (x) < (y) - 0.10                     ->  ["(x)", "(y) - 0.10"]
        sum by (t) (e - c) > 0 and on () r == 0  ->  ["sum by (t) (e - c)", "r"]

    Each operand is a valid PromQL expression of its own (arithmetic binds tighter than
    comparisons, comparisons tighter than `and`). It only handles binary operators at the top
    level of the expression, which is every shape alerts.yml uses.
    """
    operands: list[str] = []
    for alternative in _split_top_level(expr, ("or",), words=True):
        for conjunct in _split_top_level(_strip(alternative), ("and", "unless"), words=True):
            for side in _split_top_level(_strip(conjunct), _COMPARISONS, words=False):
                operand = _strip(side)
                if operand and not _is_number(operand):
                    operands.append(operand)
    return operands


def without_offsets(expr: str) -> str:
    """`expr` with every `offset <duration>` removed.

    Alerts compare with the same quantity an hour or a day earlier; a Prometheus started by a
    test has no such history, so those operands are empty for a reason unrelated to the
    expression. Without the offset they still check the series, labels and vector matching.
    """
    return _OFFSET.sub("", expr)


def selectors(expr: str) -> list[str]:
    """The vector selectors (`dq_*` metric or `up`, with their label matchers) in `expr`."""
    return list(dict.fromkeys(m.group(0) for m in _SELECTOR.finditer(expr)))


def grafana_substitute(expr: str, source: str) -> str:
    """A panel query as Grafana sends it, for a dashboard range of 5 minutes."""
    for variable, value in (
        ("$__rate_interval", "1m"),
        ("$__interval", "1m"),
        ("$__range", "5m"),
        ("${source}", source),
        ("$source", source),
    ):
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"unsubstituted variable in {expr!r}"
    return expr


def panel_queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expr) of every target of every panel, including panels inside rows."""
    queries = []
    stack = list(board.get("panels", []))
    while stack:
        panel = stack.pop(0)
        stack.extend(panel.get("panels", []))
        for target in panel.get("targets", []):
            if target.get("expr", "").strip():
                queries.append((panel.get("title", f"panel {panel.get('id')}"), target["expr"]))
    return queries


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


@dataclass
class Prometheus:
    """A Prometheus server started for one test module."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self, path: str, **params: str) -> Any:
        """`data` of a successful API answer; fails with Prometheus's error otherwise."""
        query = urllib.parse.urlencode(params)
        status, body = http_get(f"{self.url}/api/v1/{path}?{query}")
        answer = json.loads(body)
        assert status == 200 and answer.get("status") == "success", (
            f"{path} {params}: HTTP {status}: {answer.get('errorType')}: {answer.get('error')}"
        )
        return answer["data"]

    def query(self, expr: str, at: float) -> list[dict[str, Any]]:
        """Instant vector (or scalar, as one sample) of `expr` at time `at`."""
        data = self.api("query", query=expr, time=f"{at:.3f}")
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        assert data["resultType"] == "vector", (expr, data["resultType"])
        return list(data["result"])

    def value(self, expr: str) -> float | None:
        """The single value of `expr` now, or None when it has no result."""
        result = self.query(expr, time.time())
        return float(result[0]["value"][1]) if result else None

    def died(self) -> str | None:
        if self.process.poll() is None:
            return None
        return f"prometheus exited with {self.process.returncode}:\n" + tail(self.log)


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def start_prometheus(binary: str, tmp_path: Path, worker_port: int) -> Prometheus:
    """Prometheus with prometheus.local.yml's jobs, scraping the worker every second."""
    config = yaml.safe_load(LOCAL_CONFIG.read_text(encoding="utf-8"))
    port = free_port()
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [str((LOCAL_CONFIG.parent / f).resolve()) for f in config["rule_files"]]
    assert str(ALERTS) in config["rule_files"], config["rule_files"]
    targets = {WORKER_JOB: f"127.0.0.1:{worker_port}", "prometheus": f"127.0.0.1:{port}"}
    assert {job["job_name"] for job in config["scrape_configs"]} == set(targets)
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [targets[job["job_name"]]]}]
    config_path = tmp_path / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    log = tmp_path / "prometheus.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            cwd=tmp_path, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Prometheus(f"http://127.0.0.1:{port}", process, log)
    try:
        poll(
            "Prometheus /-/ready",
            lambda: http_get(f"{server.url}/-/ready", timeout=2)[0] == 200,
            timeout=30,
            alive=server.died,
        )
    except BaseException:
        stop(process, timeout=10)
        raise
    return server


# -- the worker that processes the sample stream, scraped by Prometheus ---------------------------


@dataclass
class ProcessedStream:
    """A worker that has processed the sample stream, and Prometheus (if installed) scraping it."""

    namespace: Any
    worker: subprocess.Popen[bytes]
    published: int
    prometheus: Prometheus | None
    prometheus_error: str | None
    evaluated_at: float | None  # Prometheus time at which it had scraped the processed stream

    def worker_died(self) -> str | None:
        if self.worker.poll() is None:
            return None
        return f"worker exited with {self.worker.returncode}:\n" + self.namespace.log_tail()


def wait_ready(namespace: Any, worker: subprocess.Popen[bytes], timeout: float = 60) -> dict:
    """Poll /readyz until 200 with partitions assigned; returns its JSON."""

    def ready() -> dict | None:
        status, body = http_get(f"http://127.0.0.1:{namespace.web_port}/readyz")
        answer = json.loads(body)
        return answer if status == 200 and answer["checks"]["partitions_assigned"] else None

    def died() -> str | None:
        return None if worker.poll() is None else "worker exited:\n" + namespace.log_tail()

    return poll("worker /readyz 200", ready, timeout=timeout, interval=0.5, alive=died)


@pytest.fixture(scope="module")
def processed_stream(
    kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProcessedStream]:
    """Worker + Prometheus; the sample stream published and processed, and scraped."""
    tmp_path = tmp_path_factory.mktemp("monitoring-e2e")
    namespace = Namespace(kafka_bootstrap, redis_url)
    payloads = sample_payloads()
    worker = namespace.start_worker(tmp_path)
    prometheus: Prometheus | None = None
    prometheus_error: str | None = None
    try:
        wait_ready(namespace, worker)
        binary = shutil.which("prometheus")
        if binary is None:
            prometheus_error = "prometheus not found (Debian package `prometheus`)"
        else:
            prometheus = start_prometheus(binary, tmp_path, namespace.web_port)
            # Scrape the idle worker first, so that every counter has a sample before the
            # stream moves it (rate() and increase() need two samples of a series).
            poll(
                "the first scrape of the worker",
                lambda: prometheus.value(f'up{{job="{WORKER_JOB}"}}') == 1,
                timeout=20,
                alive=prometheus.died,
            )
        namespace.publish(payloads)
        stream = ProcessedStream(namespace, worker, len(payloads), prometheus, prometheus_error, None)

        def processed() -> bool:
            families = scrape(namespace.web_port)
            return sample_total(families, "dq_events", "dq_events_total") >= len(payloads)

        poll(f"{len(payloads)} events counted in dq_events_total", processed, timeout=90,
             interval=0.5, alive=stream.worker_died)  # fmt: skip
        if prometheus is not None:
            # Caught up: every event counted, and the committed offsets reached the end offsets.
            caught_up = (
                f"sum(dq_events_total) >= {len(payloads)} and on () "
                "sum(dq_faust_topic_partition_end_offset"
                " - dq_faust_topic_partition_offset_commited) == 0"
            )

            def scraped() -> float | None:
                now = time.time()
                return now if prometheus.query(caught_up, now) else None

            stream.evaluated_at = poll(
                "Prometheus to scrape the processed stream (all events, consumer lag 0)",
                scraped, timeout=30, interval=0.5, alive=prometheus.died,
            )  # fmt: skip
        yield stream
    finally:
        stop(worker)
        if prometheus is not None:
            stop(prometheus.process, timeout=10)


def require_prometheus(stream: ProcessedStream) -> Prometheus:
    if stream.prometheus is None:
        unavailable(stream.prometheus_error or "prometheus did not start")
    return stream.prometheus


def has_data(result: list[dict[str, Any]]) -> bool:
    """True when some sample of an instant query result is a number (not NaN)."""
    return any(not math.isnan(float(sample["value"][1])) for sample in result)


# -- tests ------------------------------------------------------------------------------------


def test_comparison_operands_split_every_alert_shape() -> None:
    """The helper itself, on the shapes of alerts.yml (pure; runs in milliseconds)."""
    assert comparison_operands("(a / b) > 0.05\nand sum by (s) (rate(c[5m])) > 0.1") == [
        "(a / b)",
        "sum by (s) (rate(c[5m]))",
    ]
    assert comparison_operands("(x / on (s) group_left y) < (z) - 0.10") == [
        "(x / on (s) group_left y)",
        "(z) - 0.10",
    ]
    assert comparison_operands("(p) > 2 * (q) and r > 0.05") == ["(p)", "2 * (q)", "r"]
    assert comparison_operands("sum by (t) (e - c) > 0 and on () sum(rate(m[10m])) == 0") == [
        "sum by (t) (e - c)",
        "sum(rate(m[10m]))",
    ]
    assert comparison_operands('up{job="a>b"} == 0') == ['up{job="a>b"}']
    assert comparison_operands('histogram_quantile(0.95, x{le!="1"}) > 300') == ['histogram_quantile(0.95, x{le!="1"})']
    assert comparison_operands("a or b unless c") == ["a", "b", "c"]
    assert comparison_operands("sum(x) / sum(y)") == ["sum(x) / sum(y)"]
    assert comparison_operands("x > bool 1") == ["x"]
    assert without_offsets("rate(x[1d] offset 1h) / rate(y[1d]   offset 15m)") == ("rate(x[1d]) / rate(y[1d])")
    assert selectors('rate(dq_a_total{s="x"}[5m]) / up{job="j"} + dq_b') == [
        'dq_a_total{s="x"}',
        'up{job="j"}',
        "dq_b",
    ]
    for rule in alert_rules():  # every alert has something to evaluate besides its thresholds
        assert comparison_operands(rule["expr"]), rule["alert"]


def test_every_dashboard_query_and_alert_expression_returns_data(
    processed_stream: ProcessedStream,
) -> None:
    prometheus = require_prometheus(processed_stream)
    at = processed_stream.evaluated_at
    assert at is not None
    failures: list[str] = []

    def check(what: str, expr: str, *, need_data: bool = True) -> None:
        try:
            result = prometheus.query(expr, at)
        except AssertionError as exc:  # parse or evaluation error
            failures.append(f"{what}: {expr!r}: {exc}")
            return
        if need_data and not has_data(result):
            failures.append(f"{what}: no data: {expr!r} -> {result}")

    # The target is up and every rule evaluates without error.
    targets = prometheus.api("targets")["activeTargets"]
    worker_targets = [t for t in targets if t["labels"]["job"] == WORKER_JOB]
    assert [t["health"] for t in worker_targets] == ["up"], worker_targets
    rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
    assert {r["name"] for r in rules} == {r["alert"] for r in alert_rules()}
    for rule in rules:
        if rule["health"] != "ok" or rule.get("lastError"):
            failures.append(f"rule {rule['name']}: {rule['health']}: {rule.get('lastError')}")

    # Dashboards: the template variable, then every panel query for all sources and for one.
    sources = prometheus.api("label/source/values", **{"match[]": "dq_events_total"})
    assert sources, "label_values(dq_events_total, source) is empty"
    busiest = prometheus.query('topk(1, sum by (source) (dq_events_total{source!="other"}))', at)
    assert busiest, "no source counted any event"
    one_source = busiest[0]["metric"]["source"]
    assert DASHBOARDS
    for path in DASHBOARDS:
        board = json.loads(path.read_text(encoding="utf-8"))
        for variable in board.get("templating", {}).get("list", []):
            definition = variable.get("definition", "")
            match = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", definition)
            if match:
                values = prometheus.api(f"label/{match.group(2)}/values", **{"match[]": match.group(1)})
                if not values:
                    failures.append(f"{path.name} variable {variable['name']}: no values")
        queries = panel_queries(board)
        assert queries, path.name
        for title, expr in queries:
            check(f"{path.name} / {title}", grafana_substitute(expr, ".*"))
            # One real source: it must select series; a sparse source may give NaN ratios.
            one = grafana_substitute(expr, one_source)
            if one != grafana_substitute(expr, ".*"):
                check(f"{path.name} / {title} [source={one_source}]", one, need_data=False)
                if not prometheus.query(one, at):
                    failures.append(f"{path.name} / {title} [source={one_source}]: empty")

    # Alerts: the expression parses; every operand of its comparisons and every selector has data.
    for rule in alert_rules():
        name, expr = rule["alert"], rule["expr"]
        check(f"alert {name} (whole expr)", expr, need_data=False)
        for operand in comparison_operands(expr):
            check(f"alert {name} operand", without_offsets(operand))
        for selector in selectors(expr):
            check(f"alert {name} selector", selector)

    assert not failures, "\n".join(failures)


def test_metrics_endpoint_exposes_every_dq_family(processed_stream: ProcessedStream) -> None:
    port = processed_stream.namespace.web_port
    status, body = http_get(f"http://127.0.0.1:{port}/healthz")
    assert status == 200, body
    families = scrape(port)
    registry = CollectorRegistry()
    DQMetrics.create(registry)
    documented = {family.name: family.type for family in registry.collect()}
    assert len(documented) >= 20
    missing = []
    for name, kind in sorted(documented.items()):
        # The text format has no "info" type: an Info family is exposed as gauge `<name>_info`.
        exposed = f"{name}_info" if kind == "info" else name
        samples = [s for s in families.get(exposed, []) if not s.name.endswith("_created")]
        if not samples:
            missing.append(name)
    assert not missing, f"/metrics has no samples of {missing}"
    # The stream moved what it must have moved.
    total = sample_total(families, "dq_events", "dq_events_total")
    assert total == processed_stream.published, (total, processed_stream.published)
    for family, sample in (
        ("dq_decisions", "dq_decisions_total"),
        ("dq_rejections", "dq_rejections_total"),
        ("dq_field_present", "dq_field_present_total"),
        ("dq_records_checked", "dq_records_checked_total"),
        ("dq_owner_records_checked", "dq_owner_records_checked_total"),
        ("dq_quality_score", "dq_quality_score_count"),
        ("dq_candidates", "dq_candidates_count"),
        ("dq_block_size", "dq_block_size_count"),
        ("dq_processing_seconds", "dq_processing_seconds_count"),
        ("dq_event_lag_seconds", "dq_event_lag_seconds_count"),
        ("dq_batch_size", "dq_batch_size_count"),
        ("dq_redis_seconds", "dq_redis_seconds_count"),
        ("dq_index_records", "dq_index_records"),
        ("dq_index_entities", "dq_index_entities"),
        ("dq_worker_ready", "dq_worker_ready"),
        ("dq_build_info", "dq_build_info"),
    ):
        assert sample_total(families, family, sample) > 0, sample


def start_redis_server(binary: str, port: int, directory: Path) -> subprocess.Popen[bytes]:
    """A redis-server on `port` that saves to `directory` on shutdown and reloads on start."""
    log = directory / "redis-server.log"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
         "--dbfilename", "dump.rdb", "--save", "3600 1", "--appendonly", "no",
         "--daemonize", "no", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    client = redis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
    try:
        poll(
            f"redis-server on port {port}",
            client.ping,
            timeout=20,
            interval=0.1,
            alive=lambda: None if process.poll() is None else "exited:\n" + tail(log),
        )
    except BaseException:
        stop(process, timeout=10)
        raise
    finally:
        client.close()
    return process


def test_readyz_follows_redis_and_nothing_is_lost(kafka_bootstrap: str, tmp_path: Path) -> None:
    binary = require_binary("redis-server", "redis-server")
    port = free_port()
    payloads = [(k, v) for k, v in sample_payloads() if event_id(v)]
    before, during = payloads[:10], payloads[10:40]
    namespace = Namespace(kafka_bootstrap, f"redis://localhost:{port}/0")
    redis_server = start_redis_server(binary, port, tmp_path)
    worker = namespace.start_worker(tmp_path)
    readyz = f"http://127.0.0.1:{namespace.web_port}/readyz"

    def worker_died() -> str | None:
        if worker.poll() is None:
            return None
        return f"worker exited with {worker.returncode}:\n" + namespace.log_tail()

    def ids(batch: list[tuple[bytes | None, bytes]]) -> set[str]:
        return {i for _, v in batch if (i := event_id(v))}

    try:
        wait_ready(namespace, worker)
        namespace.publish(before)
        found = namespace.outputs_by_event(60, ids(before))
        assert ids(before) <= found.keys(), "events before the outage were not processed"

        # Redis stops: not ready, the worker stays up.
        stop(redis_server, timeout=20)
        poll("/readyz 503 with Redis stopped", lambda: http_get(readyz)[0] == 503,
             timeout=20, interval=0.5, alive=worker_died)  # fmt: skip
        status, body = http_get(readyz)
        assert status == 503 and json.loads(body)["checks"]["redis"] is False, body
        namespace.publish(during)

        def holding_outage_events() -> bool:
            """The worker took some of them (its agent is stuck retrying while Redis is down)."""
            received = "dq_faust_messages_received_total"
            families = scrape(namespace.web_port)
            return sample_total(families, received[: -len("_total")], received) > len(before)

        poll("the worker to take events published during the outage", holding_outage_events,
             timeout=20, interval=0.5, alive=worker_died)  # fmt: skip
        assert http_get(readyz)[0] == 503
        families = scrape(namespace.web_port)
        assert sample_total(families, "dq_worker_ready", "dq_worker_ready") == 0
        assert sample_total(families, "dq_redis_errors", "dq_redis_errors_total") > 0
        assert worker.poll() is None, worker_died()

        # Redis is back on the same port: ready again, and the outage's events come out.
        redis_server = start_redis_server(binary, port, tmp_path)
        poll("/readyz 200 after Redis returned", lambda: http_get(readyz)[0] == 200,
             timeout=30, interval=0.5, alive=worker_died)  # fmt: skip
        found = namespace.outputs_by_event(60, ids(during))
        lost = ids(during) - found.keys()
        assert not lost, f"{len(lost)} events published during the outage were not processed"
        assert worker.poll() is None, worker_died()
        families = scrape(namespace.web_port)
        assert sample_total(families, "dq_worker_ready", "dq_worker_ready") == 1
    finally:
        stop(worker)
        stop(redis_server, timeout=10)
