"""Which build of the pure core runs: the mypyc-compiled one, or the Python sources.

`scripts/build_native.py` compiles the hot modules of `agents.core` with mypyc into C extensions
next to their sources, and writes `BUILD_MANIFEST`: the SHA-256 of each compiled module's source,
and of the modules they were compiled against (the rest of `agents.core`, and `schemas`: mypyc
builds type checks from their annotations into the compiled code).
Python's import system prefers an extension to a `.py` file, so an extension built from an older
source would silently run old code. `choose_build` (called once, by `agents.core/__init__`,
before any compiled module is imported) therefore compares the manifest with the sources: if any
of those sources has changed since the build, or the manifest is missing, or
`DQ_PURE_PYTHON=1` is set, every compiled module of the core is imported from its Python source
instead (all of them: they call one another inside one shared native library), with a warning
when the build is stale. Both builds give identical outputs; the native one is cheaper per event.

It must not compile anything (that is the build script's job) nor import any module of the core.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
BUILD_MANIFEST = Path(__file__).resolve().parent / "native-build.json"
PURE_PYTHON_VARIABLE = "DQ_PURE_PYTHON"


def source_digest(path: Path) -> str:
    """SHA-256 of a source file, as the build manifest records it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def module_source(module: str, root: Path = REPO_ROOT) -> Path:
    """The `.py` file of a dotted module name under the repo root."""
    return root.joinpath(*module.split(".")).with_suffix(".py")


def stale_modules(digests: Mapping[str, str], root: Path = REPO_ROOT) -> list[str]:
    """Modules whose source differs from (or is missing since) the build, in manifest order."""
    stale = []
    for module, digest in digests.items():
        source = module_source(module, root)
        if not source.is_file() or source_digest(source) != digest:
            stale.append(module)
    return stale


def extension_modules(package_dir: Path, package: str) -> list[str]:
    """Dotted names of the C extensions found under a package directory (any build, any manifest)."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES  # the most specific first, as the import system tries them
    names = set()
    for path in package_dir.rglob("*"):
        relative = path.relative_to(package_dir).as_posix()
        suffix = next((suffix for suffix in suffixes if relative.endswith(suffix)), None)
        if suffix is not None:
            names.add(".".join([package, *relative[: -len(suffix)].split("/")]))
    return sorted(names)


class SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the listed modules from their `.py` sources, even where an extension sits next to them."""

    def __init__(self, modules: Sequence[str], root: Path = REPO_ROOT) -> None:
        self.modules = frozenset(modules)
        self.root = root

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """A spec loading the module's `.py` file, if it is one of the listed modules."""
        if fullname not in self.modules:
            return None
        source = module_source(fullname, self.root)
        return importlib.util.spec_from_file_location(fullname, source) if source.is_file() else None


@dataclass(frozen=True)
class BuildChoice:
    """What `choose_build` decided: `native` is True when the compiled modules are used."""

    native: bool
    reason: str
    modules: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{'native (mypyc)' if self.native else 'pure Python'}: {self.reason}"


def choose_build(
    environ: Mapping[str, str] = os.environ,
    manifest_path: Path = BUILD_MANIFEST,
    root: Path = REPO_ROOT,
) -> BuildChoice:
    """Decide which build of the core to import, and make the import system follow it."""
    package_dir = manifest_path.parent
    found = extension_modules(package_dir, "agents.core")
    digests: dict[str, str] = {}
    inputs: dict[str, str] = {}
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text())
            digests, inputs = dict(manifest["modules"]), dict(manifest.get("inputs", {}))
        except (OSError, ValueError, KeyError, TypeError):
            digests, inputs = {}, {}  # unreadable: treated as missing (the sources are used)
    compiled = sorted(set(found) | set(digests))
    if not compiled:
        return BuildChoice(False, "no native build (bash scripts/setup.sh or scripts/build_native.py makes one)")
    if environ.get(PURE_PYTHON_VARIABLE) == "1":
        reason = f"{PURE_PYTHON_VARIABLE}=1"
    elif not digests:
        reason = "extensions without a readable build manifest; rebuild with scripts/build_native.py"
    elif stale := stale_modules({**digests, **inputs}, root):
        reason = f"native build is stale ({', '.join(stale)} changed since); rebuild with scripts/build_native.py"
    elif missing := sorted(set(digests) - set(found)):
        reason = f"native build is incomplete ({', '.join(missing)} missing); rebuild with scripts/build_native.py"
    else:
        return BuildChoice(True, f"{len(compiled)} modules compiled", tuple(compiled))
    if not reason.startswith(PURE_PYTHON_VARIABLE):
        warnings.warn(f"agents.core runs from its Python sources: {reason}", RuntimeWarning, stacklevel=2)
    sys.meta_path.insert(0, SourceFinder(compiled, root))
    return BuildChoice(False, reason, tuple(compiled))
