"""agents/core must stay pure: no Faust, Redis, Kafka or Prometheus imports (style.md §3.2)."""

import ast
from pathlib import Path

import pytest

FORBIDDEN = {
    "faust",
    "mode",
    "redis",
    "hiredis",
    "kafka",
    "aiokafka",
    "prometheus_client",
    "streams",
    "monitoring",
}
CORE = Path(__file__).resolve().parents[2] / "agents" / "core"
CORE_FILES = sorted(CORE.rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_files_exist():
    assert len(CORE_FILES) >= 12


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_nothing_impure(path):
    assert imported_roots(path) & FORBIDDEN == set()
