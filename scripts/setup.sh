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
print("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
PY
)
echo "$deps" | .venv/bin/python -m pip install -q -c constraints.txt -r /dev/stdin
echo "dependencies installed in .venv/"
