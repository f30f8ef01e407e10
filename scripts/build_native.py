#!/usr/bin/env python3
"""Compile the hot modules of the pure core (`agents.core`) with mypyc, in place.

mypyc turns type-annotated Python into C extensions; the modules keep their sources, behaviour
and outputs (the test suite and the benchmarks' output digests are the same on both builds) and
cost fewer instructions per event. The extensions are written next to the sources, with one
shared library at the repo root, and `agents/core/native-build.json` records the SHA-256 of each
compiled source and of each module they are compiled against (`BUILD_INPUTS`):
`agents.core.native` imports the Python sources instead whenever one of them has changed since
(or `DQ_PURE_PYTHON=1`), so a stale build never runs.

Needs a C compiler and Python's headers (Debian: gcc, python3-dev) and mypy with setuptools (the
`native` extra, installed by scripts/setup.sh, which runs this script). Takes about a minute.
Run from anywhere: `.venv/bin/python scripts/build_native.py [--clean]`; `--clean` removes the
build (back to pure Python). It must not change any source file.

Not compiled: `agents.core.mapping_config` and `agents.core.rules_config` (pydantic models, which
mypyc cannot compile; they live apart from the code that uses them for that reason) and
`agents.core.estimate` (offline model estimation).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # "the build is stale": this script replaces it
    from agents.core.native import BUILD_MANIFEST, module_source, source_digest, stale_modules

NATIVE_MODULES = (
    "agents.core.normalize.text",
    "agents.core.normalize.names",
    "agents.core.normalize.emails",
    "agents.core.normalize.phones",
    "agents.core.normalize.countries",
    "agents.core.normalize.dates",
    "agents.core.normalize.companies",
    "agents.core.normalize.addresses",
    "agents.core.mapping",
    "agents.core.rules",
    "agents.core.quality",
    "agents.core.cleaning",
    "agents.core.blocking",
    "agents.core.scoring",
    "agents.core.entities",
    "agents.core.golden",
)
BUILD_INPUTS = ("agents/core", "schemas")
"""Where the compiled modules' imports from this repo live (the core's purity rule: nothing else)."""
GROUP = "crm_dq_core"
"""Name of the shared native library (`crm_dq_core__mypyc.*.so` at the repo root)."""


def clean() -> None:
    """Remove the manifest first (the sources are used from then on), then every extension."""
    BUILD_MANIFEST.unlink(missing_ok=True)
    for path in [*(ROOT / "agents" / "core").rglob("*.so"), *ROOT.glob(f"{GROUP}__mypyc*.so")]:
        path.unlink()


def build() -> None:
    """Compile NATIVE_MODULES in place and write the manifest of their sources."""
    from mypyc.build import mypycify
    from setuptools import setup

    clean()
    sources = [module_source(module, ROOT) for module in NATIVE_MODULES]
    digests = {module: source_digest(path) for module, path in zip(NATIVE_MODULES, sources, strict=True)}
    inputs = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): source_digest(path)
        for folder in BUILD_INPUTS
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in sources and path.name != "__init__.py"
    }
    os.chdir(ROOT)  # mypyc names modules by their paths relative to the working directory
    with tempfile.TemporaryDirectory(prefix="crm-dq-native-") as scratch:
        setup(
            name=GROUP,
            packages=[],
            py_modules=[],
            ext_modules=mypycify(
                [str(path.relative_to(ROOT)) for path in sources],
                opt_level="3",
                group_name=GROUP,
                target_dir=f"{scratch}/c",
            ),
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", f"{scratch}/tmp"],
        )
    if stale_modules({**digests, **inputs}, ROOT):
        clean()
        raise SystemExit("a source changed during the build; run it again")
    manifest = {"python": sys.version, "modules": digests, "inputs": inputs}
    BUILD_MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    where = BUILD_MANIFEST.relative_to(ROOT)
    print(f"native build: {len(NATIVE_MODULES)} modules of agents.core compiled (manifest {where})")


def main() -> None:
    """Build, or with --clean remove, the native core."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the native build")
    args = parser.parse_args()
    if args.clean:
        clean()
        print("native build removed: agents.core runs from its Python sources")
    else:
        build()


if __name__ == "__main__":
    main()
