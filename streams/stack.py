"""Local service stack for development and tests: Redis and a single-node Kafka (KRaft).

`python -m streams stack up|down|status` (or `python -m streams.stack ...`). `up` installs
what is missing (Debian's `redis-server` through apt-get; the Kafka broker jars through Maven,
see `ops/kafka/pom.xml`), starts both as detached processes that own their ports, and
health-checks them. All state (data, pid files, logs) lives in the stack directory:
`DQ_STACK_DIR`, default `<repo>/.stack`. Ports: `DQ_STACK_REDIS_PORT` (6379),
`DQ_STACK_KAFKA_PORT` (9092); the KRaft controller listens on the Kafka port + 1.

What it must not do: be imported by the service (it is a dev tool, not a dependency of the
pipeline); read the environment anywhere but `StackConfig.from_env`; stop a process it did not
start (a foreign process on one of its ports is reported, not killed), with one exception: the
system `redis-server` service that its own apt-get install has just started; write outside the
stack directory, except for that apt-get install. It is for development only: no auth, one
replica, disposable data.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

import redis
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

REPO_ROOT = Path(__file__).resolve().parents[1]
KAFKA_OPS_DIR = REPO_ROOT / "ops" / "kafka"
KAFKA_READY_TIMEOUT_S = 60.0
REDIS_READY_TIMEOUT_S = 10.0
REDIS_LOADING_TIMEOUT_S = 900.0
"""How long Redis may answer LOADING (reading a large append-only file back) before giving up."""
STOP_TIMEOUT_S = 30.0
KAFKA_JAVA_OPTS = ("-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true")
LOG4J2_TEMPLATE = """\
# Written by streams/stack.py on every `up`; edits are overwritten.
status = warn
# Keep logging until the broker's own shutdown hook has finished (the file flushes each line).
shutdownHook = disable
appender.file.type = File
appender.file.name = file
appender.file.fileName = $log_file
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
"""


class StackError(Exception):
    """A service could not be installed, started or stopped; the message says how to fix it."""


@dataclass(frozen=True)
class Managed:
    """A process started by the stack, found again through its pid file.

    Attributes:
        name: Short service name used in progress lines.
        pid_file: File holding the process id.
        marker: Text that the process's command line must contain, so that a recycled pid of
            another program is never taken for ours.

    """

    name: str
    pid_file: Path
    marker: str


@dataclass(frozen=True)
class StackConfig:
    """Where the stack keeps its state and which ports it uses."""

    root: Path
    kafka_port: int = 9092
    redis_port: int = 6379

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StackConfig:
        """Build the config from `DQ_STACK_DIR`, `DQ_STACK_KAFKA_PORT`, `DQ_STACK_REDIS_PORT`.

        Args:
            env: The environment, usually `os.environ`.

        Returns:
            The config, with defaults for unset variables.

        Raises:
            StackError: A port variable is not an integer.

        """

        def port(name: str, default: int) -> int:
            try:
                return int(env.get(name, default))
            except ValueError:
                raise StackError(f"{name} must be a port number, got {env[name]!r}") from None

        return cls(
            root=Path(env.get("DQ_STACK_DIR", REPO_ROOT / ".stack")).resolve(),
            kafka_port=port("DQ_STACK_KAFKA_PORT", 9092),
            redis_port=port("DQ_STACK_REDIS_PORT", 6379),
        )

    @property
    def controller_port(self) -> int:
        """Port of the KRaft controller listener."""
        return self.kafka_port + 1

    @property
    def logs_dir(self) -> Path:
        """Directory of all service logs."""
        return self.root / "logs"

    @property
    def redis_dir(self) -> Path:
        """Redis working directory (append-only file)."""
        return self.root / "redis"

    @property
    def kafka_dir(self) -> Path:
        """Kafka home: jars in `lib/`, data in `data/`, rendered configs."""
        return self.root / "kafka"

    @property
    def redis(self) -> Managed:
        """The Redis server process."""
        return Managed("redis", self.redis_dir / "redis.pid", "redis-server")

    @property
    def kafka(self) -> Managed:
        """The Kafka broker process."""
        return Managed("kafka", self.kafka_dir / "kafka.pid", "kafka.Kafka")


def say(message: str) -> None:
    """Print one progress line, flushed at once so it interleaves with child output."""
    print(message, flush=True)


def read_pid(pid_file: Path) -> int | None:
    """Return the pid stored in `pid_file`, or None if the file is missing or not a pid."""
    try:
        text = pid_file.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def is_running(pid: int, marker: str) -> bool:
    """Tell whether `pid` is a live process whose command line contains `marker`.

    Zombies have an empty command line and so count as stopped.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # Alive, owned by another user: the command line decides.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # No procfs: trust the pid.
    return marker.encode() in cmdline


def running_pid(proc: Managed) -> int | None:
    """Return the pid of `proc` if it runs; remove a stale pid file otherwise."""
    pid = read_pid(proc.pid_file)
    if pid is not None and is_running(pid, proc.marker):
        return pid
    proc.pid_file.unlink(missing_ok=True)
    return None


def port_open(port: int, host: str = "localhost", timeout_s: float = 0.5) -> bool:
    """Tell whether something accepts TCP connections on `host:port`."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def redis_healthy(port: int) -> bool:
    """Tell whether a Redis server on localhost:`port` answers PING."""
    client = redis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def kafka_healthy(port: int) -> bool:
    """Tell whether a Kafka broker on localhost:`port` answers a metadata request."""
    if not port_open(port):
        return False
    try:
        admin = KafkaAdminClient(bootstrap_servers=f"localhost:{port}", request_timeout_ms=5000)
    except KafkaError:
        return False
    try:
        return bool(admin.describe_cluster()["brokers"])
    except KafkaError:
        return False
    finally:
        admin.close()


def wait_for_redis(
    ping: Callable[[], object],
    timeout_s: float = REDIS_READY_TIMEOUT_S,
    loading_timeout_s: float = REDIS_LOADING_TIMEOUT_S,
    interval_s: float = 0.5,
) -> bool:
    """Wait until `ping` succeeds; while Redis answers LOADING, wait up to `loading_timeout_s`.

    A restarted Redis reads its append-only file back before it serves commands, answering
    LOADING meanwhile: with a large index that takes minutes, and it is not a failure.

    Args:
        ping: Sends PING (raises a redis error when Redis does not answer).
        timeout_s: How long to wait for an answer at all.
        loading_timeout_s: How long to wait while Redis answers LOADING.
        interval_s: Pause between attempts.

    Returns:
        True when Redis answered PING in time.
    """
    start = time.monotonic()
    said_loading = False
    while True:
        try:
            ping()
            return True
        except redis.BusyLoadingError:
            if not said_loading:
                say("redis: loading its data set from disk, waiting ...")
                said_loading = True
            limit = loading_timeout_s
        except redis.RedisError:
            # While it loads, Redis answers between chunks of the file, so a PING can also time
            # out: once it has said LOADING, only the loading limit applies.
            limit = loading_timeout_s if said_loading else timeout_s
        if time.monotonic() - start >= limit:
            return False
        time.sleep(interval_s)


def _redis_ping(port: int) -> Callable[[], object]:
    """A PING of the Redis server on localhost:`port`, one short-lived connection per call."""

    def ping() -> object:
        client = redis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return client.ping()
        finally:
            client.close()

    return ping


def wait_until(check: Callable[[], bool], timeout_s: float, interval_s: float = 0.5) -> bool:
    """Call `check` until it returns True or `timeout_s` passes; return its last answer."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)
    return True


def tail(path: Path, lines: int = 40) -> str:
    """Return the last `lines` lines of `path` (empty if the file does not exist)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def ensure_free(ports: tuple[int, ...], service: str, env_var: str) -> None:
    """Fail if a process this stack did not start already listens on one of `ports`.

    Args:
        ports: Ports the service is about to bind.
        service: Service name for the message.
        env_var: Variable that moves the service to another port.

    Raises:
        StackError: A port is taken.

    """
    for port in ports:
        if port_open(port):
            raise StackError(
                f"{service}: port {port} is already used by a process this stack did not start "
                f"(for Redis usually the system service: `service redis-server stop`). "
                f"Stop that process or set {env_var} to another port."
            )


def install_redis_server() -> str:
    """Install Debian's `redis-server` package unless the binary is already on PATH.

    Debian's package starts its own system service on 6379; it is stopped right away so that
    the stack's instance can own the port.

    Returns:
        Path of the `redis-server` binary.

    Raises:
        StackError: apt-get is missing, we are not root, or the install failed.

    """
    found = shutil.which("redis-server")
    if found:
        return found
    if not shutil.which("apt-get"):
        raise StackError(
            "redis: redis-server is not installed and apt-get is missing. "
            "Install Redis >= 6 with your package manager and put redis-server on PATH."
        )
    if os.geteuid() != 0:
        raise StackError(
            "redis: redis-server is not installed. Run "
            "`sudo apt-get update && sudo apt-get install -y redis-server`, then retry."
        )
    say("redis: installing Debian's redis-server (apt-get) ...")
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "redis-server"],
    ):
        if subprocess.run(cmd, env=apt_env, stdout=subprocess.DEVNULL).returncode != 0:
            raise StackError(f"redis: `{' '.join(cmd)}` failed (see its output above).")
    if shutil.which("service"):
        subprocess.run(["service", "redis-server", "stop"], capture_output=True)
    found = shutil.which("redis-server")
    if not found:
        raise StackError("redis: apt-get installed redis-server but it is not on PATH.")
    return found


def redis_command(binary: str, cfg: StackConfig) -> list[str]:
    """Return the command line that starts the stack's own daemonized Redis."""
    return [
        binary,
        "--port",
        str(cfg.redis_port),
        "--bind",
        "127.0.0.1",
        "-::1",
        "--dir",
        str(cfg.redis_dir),
        "--daemonize",
        "yes",
        "--pidfile",
        str(cfg.redis.pid_file),
        "--logfile",
        str(cfg.logs_dir / "redis.log"),
        "--save",
        "",
        "--appendonly",
        "yes",
    ]


def up_redis(cfg: StackConfig) -> None:
    """Start Redis unless it runs already, then wait for PING.

    Raises:
        StackError: Redis cannot be installed or started, or its port is taken.

    """
    pid = running_pid(cfg.redis)
    if pid is not None and wait_for_redis(_redis_ping(cfg.redis_port)):
        say(f"redis: already up (pid {pid}, port {cfg.redis_port})")
        return
    if pid is not None:
        raise StackError(f"redis: pid {pid} runs but does not answer PING; run `stack down`.")
    ensure_free((cfg.redis_port,), "redis", "DQ_STACK_REDIS_PORT")
    binary = install_redis_server()
    cfg.redis_dir.mkdir(parents=True, exist_ok=True)
    say(f"redis: starting on port {cfg.redis_port} ...")
    started = subprocess.run(redis_command(binary, cfg), capture_output=True, text=True)
    healthy = started.returncode == 0 and wait_for_redis(_redis_ping(cfg.redis_port))
    if not healthy:
        log = tail(cfg.logs_dir / "redis.log")
        raise StackError(f"redis: did not start.\n{started.stdout}{started.stderr}{log}")
    say(f"redis: up (pid {read_pid(cfg.redis.pid_file)}, port {cfg.redis_port})")


def require_tool(name: str, why: str, package: str) -> str:
    """Return the path of the executable `name`, or fail with an install hint.

    Args:
        name: Executable to look up on PATH.
        why: What the stack needs it for.
        package: Debian package that provides it.

    Raises:
        StackError: `name` is not on PATH.

    """
    found = shutil.which(name)
    if not found:
        raise StackError(
            f"kafka: `{name}` not found; {why}. Install it (Debian: `apt-get install -y {package}`) and retry."
        )
    return found


def pinned_kafka_version(pom: Path) -> str:
    """Return the `kafka.version` property of the Maven project `pom`."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(pom).getroot().findtext("m:properties/m:kafka.version", namespaces=ns)
    if not version:
        raise StackError(f"kafka: {pom} has no <kafka.version> property.")
    return version


def fetch_kafka_lib(cfg: StackConfig) -> Path:
    """Copy the pinned broker jars into `<stack>/kafka/lib` unless they are there already.

    Returns:
        The lib directory.

    Raises:
        StackError: Maven is missing or failed.

    """
    pom = KAFKA_OPS_DIR / "pom.xml"
    version = pinned_kafka_version(pom)
    lib = cfg.kafka_dir / "lib"
    if (lib / f"kafka_2.13-{version}.jar").exists():
        return lib
    mvn = require_tool("mvn", "Maven fetches the Kafka broker jars", "maven")
    say(f"kafka: fetching Apache Kafka {version} jars with Maven (first run only) ...")
    shutil.rmtree(lib, ignore_errors=True)  # Drop the jars of a previously pinned version.
    goal = ["dependency:copy-dependencies", f"-DoutputDirectory={lib}"]
    done = subprocess.run([mvn, "-q", "-B", "-f", str(pom), *goal], capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(lib, ignore_errors=True)
        raise StackError(f"kafka: Maven could not fetch the broker jars.\n{done.stdout}{done.stderr}")
    return lib


def render_server_properties(template: str, cfg: StackConfig) -> str:
    """Fill the `ops/kafka/server.properties` template for this stack.

    Args:
        template: Template text with `${kafka_port}`, `${controller_port}`, `${data_dir}`.
        cfg: The stack config.

    Returns:
        The broker config.

    """
    return Template(template).substitute(
        kafka_port=cfg.kafka_port,
        controller_port=cfg.controller_port,
        data_dir=cfg.kafka_dir / "data",
    )


def new_cluster_id() -> str:
    """Return a random KRaft cluster id: a UUID in URL-safe base64 without padding."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka avoids these too: they read as CLI options.
            return cluster_id


def write_kafka_configs(cfg: StackConfig) -> tuple[Path, Path]:
    """Render the broker and Log4j 2 configs into `<stack>/kafka`.

    Returns:
        Paths of server.properties and log4j2.properties.

    """
    server = cfg.kafka_dir / "server.properties"
    template = (KAFKA_OPS_DIR / "server.properties").read_text()
    server.write_text(render_server_properties(template, cfg))
    log4j = cfg.kafka_dir / "log4j2.properties"
    log4j.write_text(Template(LOG4J2_TEMPLATE).substitute(log_file=cfg.logs_dir / "kafka.log"))
    return server, log4j


def java_command(java: str, lib: Path, log4j: Path, main_class: str, *args: str) -> list[str]:
    """Return a JVM command line running `main_class` of the Kafka jars in `lib`."""
    return [
        java,
        *KAFKA_JAVA_OPTS,
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{lib}/*",
        main_class,
        *args,
    ]


def format_kafka_storage(java: str, lib: Path, log4j: Path, cfg: StackConfig) -> None:
    """Format the KRaft data directory once, with a cluster id kept in `<stack>/kafka`.

    Raises:
        StackError: The storage tool failed.

    """
    if (cfg.kafka_dir / "data" / "meta.properties").exists():
        return
    id_file = cfg.kafka_dir / "cluster-id"
    if not id_file.exists():
        id_file.write_text(new_cluster_id() + "\n")
    cluster_id = id_file.read_text().strip()
    say(f"kafka: formatting KRaft storage (cluster id {cluster_id}) ...")
    cmd = java_command(
        java,
        lib,
        log4j,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster_id,
        "-c",
        str(cfg.kafka_dir / "server.properties"),
    )
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise StackError(f"kafka: formatting the storage failed.\n{done.stdout}{done.stderr}")


def kafka_log_tails(cfg: StackConfig) -> str:
    """Return the ends of the broker's Log4j log and of its stdout/stderr file."""
    parts = []
    for name in ("kafka.log", "kafka.out"):
        text = tail(cfg.logs_dir / name)
        if text:
            parts.append(f"--- {cfg.logs_dir / name} (tail) ---\n{text}")
    return "\n".join(parts)


def up_kafka(cfg: StackConfig) -> None:
    """Fetch, format and start the Kafka broker unless it runs, then wait for metadata.

    Raises:
        StackError: A tool is missing, a port is taken, or the broker did not become ready.

    """
    pid = running_pid(cfg.kafka)
    if pid is not None and wait_until(lambda: kafka_healthy(cfg.kafka_port), KAFKA_READY_TIMEOUT_S):
        say(f"kafka: already up (pid {pid}, localhost:{cfg.kafka_port})")
        return
    if pid is not None:
        raise StackError(f"kafka: pid {pid} runs but answers no metadata; run `stack down`.\n{kafka_log_tails(cfg)}")
    ensure_free((cfg.kafka_port, cfg.controller_port), "kafka", "DQ_STACK_KAFKA_PORT")
    java = require_tool("java", "the Kafka broker needs Java 17 or newer", "openjdk-17-jre-headless")
    cfg.kafka_dir.mkdir(parents=True, exist_ok=True)
    lib = fetch_kafka_lib(cfg)
    server, log4j = write_kafka_configs(cfg)
    format_kafka_storage(java, lib, log4j, cfg)
    say(f"kafka: starting broker on localhost:{cfg.kafka_port} ...")
    with (cfg.logs_dir / "kafka.out").open("ab") as out:
        proc = subprocess.Popen(
            java_command(java, lib, log4j, "kafka.Kafka", str(server)),
            cwd=cfg.kafka_dir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Survives this command and the terminal's Ctrl-C.
        )
    cfg.kafka.pid_file.write_text(f"{proc.pid}\n")
    started = time.monotonic()
    ready = wait_until(lambda: proc.poll() is not None or kafka_healthy(cfg.kafka_port), KAFKA_READY_TIMEOUT_S)
    code = proc.poll()
    if not ready or code is not None:
        if code is None:
            stop(cfg.kafka)
        why = "timed out" if code is None else f"exited with code {code}"
        raise StackError(f"kafka: broker did not become ready ({why}).\n{kafka_log_tails(cfg)}")
    elapsed = time.monotonic() - started
    say(f"kafka: up (pid {proc.pid}, localhost:{cfg.kafka_port}, ready in {elapsed:.1f} s)")


def stop(proc: Managed, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Stop `proc` with SIGTERM, then SIGKILL if it still runs after `timeout_s`."""
    pid = running_pid(proc)
    if pid is None:
        say(f"{proc.name}: not running")
        return
    say(f"{proc.name}: stopping pid {pid} ...")
    os.kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not is_running(pid, proc.marker), timeout_s, interval_s=0.2):
        say(f"{proc.name}: still running after {timeout_s:.0f} s, sending SIGKILL")
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not is_running(pid, proc.marker), 5.0, interval_s=0.1)
    proc.pid_file.unlink(missing_ok=True)
    say(f"{proc.name}: stopped")


def status(cfg: StackConfig) -> bool:
    """Print the state of each service and tell whether all are up."""
    checks = (
        (cfg.redis, cfg.redis_port, redis_healthy),
        (cfg.kafka, cfg.kafka_port, kafka_healthy),
    )
    all_up = True
    for proc, port, healthy in checks:
        pid = running_pid(proc)
        is_up = pid is not None and healthy(port)
        if is_up:
            state = f"up (pid {pid}, port {port})"
        elif pid is not None:
            state = f"unhealthy (pid {pid} runs, port {port} does not answer)"
        elif port_open(port):
            state = f"down (port {port} is used by a process this stack did not start)"
        else:
            state = "down"
        all_up = all_up and is_up
        say(f"{proc.name}: {state}")
    return all_up


def main(argv: list[str]) -> int:
    """Run `stack up|down|status`.

    Args:
        argv: Arguments after `stack`, e.g. `["up"]`.

    Returns:
        Process exit code: 0 on success (for `status`: all services up), 1 otherwise.

    """
    parser = argparse.ArgumentParser(
        prog="python -m streams stack",
        description="Local Redis and single-node Kafka for development and tests.",
    )
    parser.add_argument("command", choices=("up", "down", "status"))
    command = parser.parse_args(argv).command
    logging.getLogger("kafka").addHandler(logging.NullHandler())  # Health polls are noisy.
    try:
        cfg = StackConfig.from_env(os.environ)
        cfg.logs_dir.mkdir(parents=True, exist_ok=True)
        if command == "status":
            return 0 if status(cfg) else 1
        if command == "down":
            stop(cfg.kafka)
            stop(cfg.redis)
            return 0
        started = time.monotonic()
        up_redis(cfg)
        up_kafka(cfg)
        say(f"stack up in {time.monotonic() - started:.1f} s (state in {cfg.root})")
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
