"""Pure parts of the local stack tool: config, rendering, pid files. No services, no JVM."""

import base64
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams import stack
from streams.stack import StackConfig, StackError


@pytest.fixture
def cfg(tmp_path: Path) -> StackConfig:
    return StackConfig(root=tmp_path, kafka_port=19092, redis_port=16379)


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_config_defaults() -> None:
    cfg = StackConfig.from_env({})
    assert (cfg.root, cfg.kafka_port, cfg.redis_port) == (stack.REPO_ROOT / ".stack", 9092, 6379)
    assert cfg.controller_port == 9093


def test_config_from_env(tmp_path: Path) -> None:
    env = {
        "DQ_STACK_DIR": str(tmp_path),
        "DQ_STACK_KAFKA_PORT": "29092",
        "DQ_STACK_REDIS_PORT": "1",
    }
    cfg = StackConfig.from_env(env)
    assert (cfg.root, cfg.kafka_port, cfg.redis_port) == (tmp_path, 29092, 1)
    assert cfg.kafka.pid_file == tmp_path / "kafka" / "kafka.pid"


def test_config_rejects_a_bad_port() -> None:
    with pytest.raises(StackError, match="DQ_STACK_REDIS_PORT"):
        StackConfig.from_env({"DQ_STACK_REDIS_PORT": "six"})


def test_server_properties_template_renders(cfg: StackConfig) -> None:
    template = (stack.KAFKA_OPS_DIR / "server.properties").read_text()
    rendered = stack.render_server_properties(template, cfg)
    assert "$" not in rendered
    lines = set(rendered.splitlines())
    assert "listeners=PLAINTEXT://localhost:19092,CONTROLLER://localhost:19093" in lines
    assert "controller.quorum.voters=1@localhost:19093" in lines
    assert f"log.dirs={cfg.kafka_dir / 'data'}" in lines
    assert "offsets.topic.replication.factor=1" in lines


def test_write_kafka_configs_points_log4j_at_the_log_dir(cfg: StackConfig) -> None:
    cfg.kafka_dir.mkdir()
    server, log4j = stack.write_kafka_configs(cfg)
    assert "PLAINTEXT://localhost:19092" in server.read_text()
    assert f"appender.file.fileName = {cfg.logs_dir / 'kafka.log'}" in log4j.read_text()


def test_pinned_kafka_version_is_a_release() -> None:
    assert re.fullmatch(r"[34]\.\d+\.\d+", stack.pinned_kafka_version(stack.KAFKA_OPS_DIR / "pom.xml"))


def test_new_cluster_id_is_a_kafka_uuid() -> None:
    cluster_id = stack.new_cluster_id()
    assert len(cluster_id) == 22 and not cluster_id.startswith("-")
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_read_pid(tmp_path: Path) -> None:
    pid_file = tmp_path / "x.pid"
    assert stack.read_pid(pid_file) is None
    pid_file.write_text("not a pid\n")
    assert stack.read_pid(pid_file) is None
    pid_file.write_text("4242\n")
    assert stack.read_pid(pid_file) == 4242


def test_is_running_checks_the_command_line() -> None:
    assert stack.is_running(os.getpid(), "python")
    assert not stack.is_running(os.getpid(), "kafka.Kafka")


def test_running_pid_removes_a_stale_pid_file(tmp_path: Path) -> None:
    live = stack.Managed("me", tmp_path / "me.pid", "python")
    live.pid_file.write_text(f"{os.getpid()}\n")
    assert stack.running_pid(live) == os.getpid()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live.pid_file.write_text(f"{dead.pid}\n")
    assert stack.running_pid(live) is None
    assert not live.pid_file.exists()


def test_redis_command_keeps_state_in_the_stack_dir(cfg: StackConfig) -> None:
    cmd = stack.redis_command("redis-server", cfg)
    assert cmd[cmd.index("--port") + 1] == "16379"
    assert cmd[cmd.index("--pidfile") + 1] == str(cfg.redis.pid_file)
    assert cmd[cmd.index("--daemonize") + 1] == "yes"
    assert Path(cmd[cmd.index("--dir") + 1]).parent == cfg.root
    assert Path(cmd[cmd.index("--logfile") + 1]).parent == cfg.logs_dir


def test_ensure_free_names_the_port_and_the_fix(listening_port: int) -> None:
    assert stack.port_open(listening_port, host="127.0.0.1")
    with pytest.raises(StackError, match=f"port {listening_port}.*DQ_STACK_REDIS_PORT"):
        stack.ensure_free((listening_port,), "redis", "DQ_STACK_REDIS_PORT")


def test_missing_tool_error_has_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack.shutil, "which", lambda _name: None)
    with pytest.raises(StackError, match="apt-get install -y maven"):
        stack.require_tool("mvn", "Maven fetches the Kafka broker jars", "maven")
    with pytest.raises(StackError, match="apt-get is missing"):
        stack.install_redis_server()


def test_wait_until_times_out() -> None:
    assert not stack.wait_until(lambda: False, timeout_s=0.05, interval_s=0.01)
    assert stack.wait_until(lambda: True, timeout_s=0)


def _ping_answering(*answers: Exception | None):
    """A fake PING that raises each given error in turn, then answers."""
    pending = list(answers)

    def ping() -> object:
        if pending:
            error = pending.pop(0)
            if error is not None:
                raise error
        return True

    return ping, pending


def test_redis_wait_waits_out_loading_but_not_silence() -> None:
    import redis

    loading = redis.BusyLoadingError("Redis is loading the dataset in memory")
    # LOADING for longer than the plain timeout is still waited out, up to the loading limit.
    ping, pending = _ping_answering(loading, loading, loading, loading)
    assert stack.wait_for_redis(ping, timeout_s=0.01, loading_timeout_s=5.0, interval_s=0.001)
    assert pending == []
    ping, _ = _ping_answering(*[loading] * 1000)
    assert not stack.wait_for_redis(ping, timeout_s=0.01, loading_timeout_s=0.05, interval_s=0.001)
    refused = redis.ConnectionError("refused")
    ping, pending = _ping_answering(*[refused] * 1000)
    assert not stack.wait_for_redis(ping, timeout_s=0.02, loading_timeout_s=5.0, interval_s=0.001)
    assert pending, "a silent server is not waited on for the loading limit"
    # A server that said LOADING and then times out between chunks of its file is still loading.
    timeout = redis.TimeoutError("Timeout reading from socket")
    ping, pending = _ping_answering(loading, *[timeout] * 30)
    assert stack.wait_for_redis(ping, timeout_s=0.005, loading_timeout_s=5.0, interval_s=0.001)
    assert pending == []
