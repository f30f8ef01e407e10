"""The choice between the mypyc-compiled core and its Python sources (`agents.core.native`).

A compiled module built from an older source must never run: the sources are used instead. The
last test checks the build of this checkout: CI builds it (scripts/setup.sh), so there it must be
present and in use; elsewhere it is skipped when no build was made.
"""

from __future__ import annotations

import importlib
import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import agents.core
from agents.core.native import BUILD_MANIFEST, SourceFinder, choose_build, source_digest, stale_modules
from tests.required import unavailable

EXTENSION = ".cpython-311-x86_64-linux-gnu.so"


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """A repo root holding agents/core/{alpha,beta}.py, each with a (fake) extension beside it."""
    core = tmp_path / "agents" / "core"
    core.mkdir(parents=True)
    for name in ("alpha", "beta"):
        (core / f"{name}.py").write_text(f"NAME = {name!r}\n")
        (core / f"{name}{EXTENSION}").write_bytes(b"")
    finders = list(sys.meta_path)
    yield tmp_path
    sys.meta_path[:] = finders  # a choice inserts a finder; take it out again


def write_manifest(root: Path, digests: dict[str, str], inputs: dict[str, str] | None = None) -> Path:
    manifest = root / "agents" / "core" / "native-build.json"
    manifest.write_text(json.dumps({"python": sys.version, "modules": digests, "inputs": inputs or {}}))
    return manifest


def digests_of(root: Path) -> dict[str, str]:
    return {f"agents.core.{name}": source_digest(root / "agents" / "core" / f"{name}.py") for name in ("alpha", "beta")}


def test_a_build_matching_its_sources_is_used(checkout: Path) -> None:
    manifest = write_manifest(checkout, digests_of(checkout))
    finders = len(sys.meta_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        choice = choose_build({}, manifest, checkout)
    assert choice.native
    assert choice.modules == ("agents.core.alpha", "agents.core.beta")
    assert len(sys.meta_path) == finders


def test_a_changed_source_sends_every_compiled_module_to_its_source(checkout: Path) -> None:
    manifest = write_manifest(checkout, digests_of(checkout))
    (checkout / "agents" / "core" / "beta.py").write_text("NAME = 'beta, edited'\n")
    assert stale_modules(digests_of(checkout) | {"agents.core.beta": "0" * 64}, checkout) == ["agents.core.beta"]
    with pytest.warns(RuntimeWarning, match=r"stale \(agents.core.beta changed since\)"):
        choice = choose_build({}, manifest, checkout)
    assert not choice.native
    finder = sys.meta_path[0]
    assert isinstance(finder, SourceFinder)
    for name in ("alpha", "beta"):  # alpha too: the compiled modules share one native library
        spec = finder.find_spec(f"agents.core.{name}", None)
        assert spec is not None and spec.origin == str(checkout / "agents" / "core" / f"{name}.py")
    assert finder.find_spec("agents.core.gamma", None) is None


def test_a_changed_module_the_build_was_compiled_against_also_sends_them_to_their_sources(checkout: Path) -> None:
    schemas = checkout / "schemas"
    schemas.mkdir()
    (schemas / "records.py").write_text("class Contact: name: str\n")
    manifest = write_manifest(
        checkout, digests_of(checkout), {"schemas.records": source_digest(schemas / "records.py")}
    )
    assert choose_build({}, manifest, checkout).native
    (schemas / "records.py").write_text("class Contact: name: int\n")  # compiled code checks the old type
    with pytest.warns(RuntimeWarning, match=r"stale \(schemas.records changed since\)"):
        assert not choose_build({}, manifest, checkout).native


@pytest.mark.parametrize(
    ("environ", "manifest_state", "reason"),
    [
        ({"DQ_PURE_PYTHON": "1"}, "matching", "DQ_PURE_PYTHON=1"),
        ({}, "absent", "extensions without a readable build manifest"),
        ({}, "corrupt", "extensions without a readable build manifest"),
        ({}, "deleted source", "stale (agents.core.alpha changed since)"),
        ({}, "missing extension", "incomplete (agents.core.beta missing)"),
    ],
)
def test_the_sources_are_used_when_the_build_cannot_be_trusted(
    checkout: Path, environ: dict[str, str], manifest_state: str, reason: str
) -> None:
    core = checkout / "agents" / "core"
    manifest = write_manifest(checkout, digests_of(checkout))
    if manifest_state == "absent":
        manifest.unlink()
    elif manifest_state == "corrupt":
        manifest.write_text('{"modules": ')
    elif manifest_state == "deleted source":
        (core / "alpha.py").unlink()
    elif manifest_state == "missing extension":
        (core / f"beta{EXTENSION}").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        choice = choose_build(environ, manifest, checkout)
    assert not choice.native
    assert reason in choice.reason
    assert isinstance(sys.meta_path[0], SourceFinder)


def test_no_build_at_all_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "agents" / "core").mkdir(parents=True)
    finders = len(sys.meta_path)
    choice = choose_build({}, tmp_path / "agents" / "core" / "native-build.json", tmp_path)
    assert not choice.native and "no native build" in choice.reason
    assert len(sys.meta_path) == finders


def test_this_checkout_runs_the_build_it_has() -> None:
    """Built: every compiled module is imported from its extension (or its source under DQ_PURE_PYTHON=1)."""
    if not BUILD_MANIFEST.is_file():
        unavailable("no native build of agents.core (scripts/build_native.py)")
    manifest = json.loads(BUILD_MANIFEST.read_text())
    modules = manifest["modules"]
    assert len(modules) >= 10
    assert {"schemas.records", "agents.core.rules_config"} <= set(manifest["inputs"])
    build = agents.core.BUILD
    for module in modules:
        origin = importlib.import_module(module).__file__ or ""
        assert origin.endswith(".so" if build.native else ".py"), (module, origin, str(build))
    if not build.native:
        assert build.reason == "DQ_PURE_PYTHON=1"  # a stale or broken build is a failure here
