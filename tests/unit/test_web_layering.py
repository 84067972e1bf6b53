"""The web layer's shape: the lint rule that keeps the ORM out, and no import cycles between its modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "ledger" / "web" / "api"
RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize(
    "line", ["import sqlalchemy", "from sqlalchemy import select", "from ledger.persistence.models import User"]
)
def test_the_linter_refuses_the_orm_in_the_web_layer(line: str) -> None:
    checked = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--select", "TID251", "--stdin-filename", "ledger/web/api/new_view.py", "-"],
        input=f"{line}\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert checked.returncode == 1 and "TID251" in checked.stdout


def test_the_linter_lets_a_service_use_the_orm() -> None:
    checked = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--select", "TID251", "--stdin-filename", "ledger/services/new.py", "-"],
        input="import sqlalchemy\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def _api_imports(path: Path) -> set[str]:
    """The modules of ``ledger/web/api`` that ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "ledger.web.api":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("ledger.web.api."):
                found.add(node.module.removeprefix("ledger.web.api.").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("ledger.web.api.").split(".")[0]
                for a in node.names
                if a.name.startswith("ledger.web.api.")
            )
    return found


def test_the_api_modules_import_each_other_without_a_cycle() -> None:
    graph = {p.stem: _api_imports(p) for p in API.glob("*.py")}
    assert len(graph) > 10
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
