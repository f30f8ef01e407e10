"""docker-compose.yml, Dockerfile and .dockerignore: valid and consistent with the project.

The Compose file is validated against the official Compose Specification schema, vendored as
tests/data/compose-spec.json (Apache-2.0, tests/data/LICENSE.compose-spec). That copy is the one
the `check-jsonschema` 0.39.0 package ships (check_jsonschema/builtin_schemas/vendor/); its
sha256 is pinned below so an accidental edit shows. No Docker engine is needed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from streams.stack import KAFKA_OPS_DIR, pinned_kafka_version

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
SCHEMA_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"
PACKAGES = ("streams", "agents", "schemas", "monitoring")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_vendored_schema_is_unmodified() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_compose_file_matches_the_compose_specification(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c: c["services"]["worker"].update(restart_policy="always"),  # unknown key
        lambda c: c["services"]["worker"]["depends_on"]["redis"].update(condition="healthy"),
        lambda c: c.update(volumes=["redis-data"]),  # must be a mapping
    ],
    ids=["unknown-service-key", "bad-depends-on-condition", "volumes-as-list"],
)
def test_schema_rejects_broken_files(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator, break_it: Any
) -> None:
    broken = copy.deepcopy(compose)
    break_it(broken)
    assert not validator.is_valid(broken)


def test_expected_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"kafka", "redis", "worker", "prometheus", "grafana"}


def test_depends_on_targets_exist_and_healthy_targets_have_healthchecks(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, service in services.items():
        for target, condition in service.get("depends_on", {}).items():
            assert target in services, (name, target)
            assert target != name
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[target], (name, target)
    assert set(services["worker"]["depends_on"]) == {"kafka", "redis"}
    assert {c["condition"] for c in services["worker"]["depends_on"].values()} == {"service_healthy"}


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used = {
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used
    assert used == declared


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if "image" in service:
            image, _, tag = service["image"].partition(":")
            assert tag and tag != "latest", name


def test_compose_runs_the_kafka_version_the_local_stack_runs(compose: dict[str, Any]) -> None:
    """Docker users and the local stack (`python -m streams stack up`) get the same broker release."""
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{pinned_kafka_version(KAFKA_OPS_DIR / 'pom.xml')}"


def test_worker_settings_follow_the_env_convention(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    environment = worker["environment"]
    assert environment["DQ_KAFKA__BROKER"] == "kafka://kafka:9092"
    assert environment["DQ_REDIS__URL"] == "redis://redis:6379/0"
    for key in environment:
        assert re.fullmatch(r"DQ_[A-Z0-9]+(?:__[A-Z0-9_]+)*", key), key
    assert worker["build"] == "."
    assert worker["command"] == ["python", "-m", "streams", "worker", "-l", "info"]
    assert "6066:6066" in worker["ports"]


def test_kafka_is_a_single_kraft_node_reachable_as_kafka_9092(compose: dict[str, Any]) -> None:
    env = compose["services"]["kafka"]["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == 1


def test_redis_persists(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"] == "redis:7"
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])


def test_dockerfile_installs_dependencies_only_and_runs_from_app(dockerfile: str) -> None:
    lines = [line.strip() for line in dockerfile.splitlines()]
    assert "FROM python:3.11-slim" in lines
    assert "WORKDIR /app" in lines
    assert re.search(r"^ENV PYTHONPATH=/app\b", dockerfile, re.MULTILINE)
    assert "EXPOSE 6066" in lines
    assert 'CMD ["python", "-m", "streams", "worker", "-l", "info"]' in lines
    assert "COPY pyproject.toml constraints.txt ./" in lines
    assert "-c constraints.txt" in dockerfile
    assert "tomllib" in dockerfile
    assert not re.search(r"pip install[^\n]*(\s-e\s|\s\.(\s|$))", dockerfile)
    for package in PACKAGES:
        assert f"COPY {package} ./{package}" in lines


def test_dockerfile_dependency_snippet_lists_exactly_the_pyproject_dependencies(
    dockerfile: str,
) -> None:
    snippet = re.search(r'python -c "([^"]+)" > requirements\.txt', dockerfile)
    assert snippet, "no dependency snippet in the Dockerfile"
    result = subprocess.run(
        [sys.executable, "-c", snippet.group(1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert result.stdout.splitlines() == pyproject["project"]["dependencies"]


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "tests"):
        assert entry in ignored
    for package in PACKAGES:
        assert package not in ignored


def test_dockerfile_copies_everything_the_worker_reads() -> None:
    """The image must carry every first-party package the worker imports and its config files."""
    import ast

    repo = Path(__file__).resolve().parents[2]
    copied = {line.split()[1] for line in (repo / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")}
    first_party = {p.name for p in repo.iterdir() if (p / "__init__.py").exists()}
    imported: set[str] = set()
    for package in ("streams", "agents", "schemas", "monitoring"):
        for module in (repo / package).rglob("*.py"):
            for node in ast.walk(ast.parse(module.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported.add(node.module.split(".")[0])
                elif isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
    runtime_packages = (imported & first_party) - {"sample_data"}  # only `demo` reads the sample
    assert runtime_packages <= copied, f"not copied into the image: {runtime_packages - copied}"
    assert "config" in copied, "rules, mappings and the match model live in config/"
