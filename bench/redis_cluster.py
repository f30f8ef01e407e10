"""A throwaway local Redis Cluster (3 masters, no replicas) for the throughput benchmark.

`python -m bench.redis_cluster up|down|status` (from the repo root) starts `redis-server` in
cluster mode on ports 7000-7002 with its files under `.stack/cluster/<port>/`, joins the nodes
with `redis-cli --cluster create ... --cluster-yes`, and waits until `cluster_state:ok`.
Persistence is off: the cluster holds benchmark data only.

Must not touch the project's standalone Redis (`python -m streams stack`), listen on anything
but 127.0.0.1, or stop a process it did not start (it only signals pids from its own pid files).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLUSTER_DIR = REPO / ".stack" / "cluster"
PORTS: tuple[int, ...] = (7000, 7001, 7002)
URL = f"redis://localhost:{PORTS[0]}/0"
"""What `DQ_REDIS__URL` should be for the service to use this cluster."""


def _cli(port: int, *args: str, timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _pid(port: int) -> int | None:
    pidfile = CLUSTER_DIR / str(port) / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def pids() -> list[int]:
    """Pids of the running cluster nodes (empty when none runs)."""
    return [pid for port in PORTS if (pid := _pid(port)) is not None]


def state() -> str:
    """`cluster_state` reported by the first node, or `down` when it does not answer."""
    try:
        info = _cli(PORTS[0], "cluster", "info", timeout=3.0)
    except subprocess.TimeoutExpired:
        return "down"
    for line in info.stdout.splitlines():
        if line.startswith("cluster_state:"):
            return line.split(":", 1)[1].strip()
    return "down"


def up(timeout_s: float = 30.0) -> bool:
    """Start the nodes and create the cluster unless it already runs.

    Args:
        timeout_s: How long to wait for `cluster_state:ok`.

    Returns:
        True when this call started the cluster, False when it was already up.

    Raises:
        RuntimeError: When a node does not start or the cluster does not become ok in time.
    """
    if state() == "ok" and len(pids()) == len(PORTS):
        return False
    down()
    shutil.rmtree(CLUSTER_DIR, ignore_errors=True)
    for port in PORTS:
        node_dir = CLUSTER_DIR / str(port)
        node_dir.mkdir(parents=True)
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "5000",
                "--dir",
                str(node_dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(node_dir / "redis.pid"),
                "--logfile",
                str(node_dir / "redis.log"),
            ],
            check=True,
        )
    deadline = time.monotonic() + timeout_s
    while any(_cli(port, "ping").stdout.strip() != "PONG" for port in PORTS):
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis cluster nodes did not start; see {CLUSTER_DIR}/*/redis.log")
        time.sleep(0.1)
    create = subprocess.run(
        [
            "redis-cli",
            "--cluster",
            "create",
            *(f"127.0.0.1:{port}" for port in PORTS),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        ],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if create.returncode != 0:
        raise RuntimeError(f"redis-cli --cluster create failed: {create.stdout[-2000:]}{create.stderr[-2000:]}")
    while state() != "ok":
        if time.monotonic() > deadline:
            raise RuntimeError("redis cluster did not reach cluster_state:ok")
        time.sleep(0.2)
    return True


def down() -> None:
    """Stop the nodes started by `up` (SIGTERM, then SIGKILL after 10 s)."""
    running = pids()
    for pid in running:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10.0
    while pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids():
        os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    """CLI entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.redis_cluster", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    if args.action == "up":
        started = up()
        print(f"redis cluster {'started' if started else 'already up'}: {URL} (ports {PORTS[0]}-{PORTS[-1]})")
    elif args.action == "down":
        down()
        print("redis cluster stopped")
    else:
        print(f"redis cluster: {state()} (pids {pids() or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
