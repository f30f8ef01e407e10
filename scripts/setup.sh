#!/usr/bin/env bash
# Create .venv/ at the repo root and install the dependencies declared in pyproject.toml,
# pinned by constraints.txt. The project itself is never installed as a distribution: its
# top-level packages (agents, schemas, monitoring) share names with unrelated PyPI packages.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
deps=$(.venv/bin/python - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project["optional-dependencies"]
print("\n".join(project["dependencies"] + extras["test"] + extras["native"]))
PY
)
echo "$deps" | .venv/bin/python -m pip install -q -c constraints.txt -r /dev/stdin
echo "dependencies installed in .venv/"
# The mypyc-compiled core (needs gcc and Python's headers). Without it, the same code runs from
# its sources, slower; agents.core.native never runs a build older than its sources.
if .venv/bin/python scripts/build_native.py >.venv/native-build.log 2>&1; then
  tail -n 1 .venv/native-build.log
else
  tail -n 5 .venv/native-build.log
  echo "native build FAILED (see .venv/native-build.log): the core runs from its Python sources"
fi
