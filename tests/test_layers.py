"""The layers of docs/design.md ("Architecture"), read from the source (AST), so that a
rule cannot drift into the wrong place unnoticed:

- core imports only the standard library and core;
- only the store (and its migrations) imports sqlite3 / sqlite_utils / psycopg or holds SQL;
- app imports no Typer, Click, Rich, tabulate or python-docx, and nothing of cli or render;
- render imports neither the store nor app;
- transactions are opened in app only;
- no command function is longer than 40 lines, signature included.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "nqtrack"
STDLIB = set(sys.stdlib_module_names)
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TEMP\s+)?(TABLE|INDEX|VIEW)"
                 r"|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE)\b", re.S)
DATABASE_MODULES = {"sqlite3", "sqlite_utils", "psycopg", "psycopg_pool"}


def modules() -> list[tuple[str, Path, ast.Module]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        dotted = "nqtrack." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        found.append((dotted.removesuffix(".__init__"), path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def imports(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def in_layer(name: str, layer: str) -> bool:
    return name == layer or name.startswith(layer + ".")


MODULES = modules()


def by_layer(layer: str) -> list[tuple[str, Path, ast.Module]]:
    return [m for m in MODULES if in_layer(m[0], layer)]


def test_the_layers_exist():
    for layer in ("nqtrack.core", "nqtrack.store", "nqtrack.app", "nqtrack.cli", "nqtrack.render"):
        assert by_layer(layer), layer


@pytest.mark.parametrize("module", [m[0] for m in by_layer("nqtrack.core")])
def test_core_imports_only_the_standard_library_and_core(module):
    _, path, tree = next(m for m in MODULES if m[0] == module)
    foreign = [n for n in imports(tree) if n.split(".")[0] not in STDLIB and not in_layer(n, "nqtrack.core")]
    assert not foreign, f"{path}: {foreign}"


def test_only_the_store_speaks_to_the_database():
    for module, path, tree in MODULES:
        if in_layer(module, "nqtrack.store"):
            continue
        database = [n for n in imports(tree) if n.split(".")[0] in DATABASE_MODULES]
        assert not database, f"{path} imports {database}"
        sql = [node.value[:60] for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)]
        assert not sql, f"{path} holds SQL: {sql}"


FORBIDDEN_IN_APP = ("typer", "click", "rich", "tabulate", "docx", "nqtrack.cli", "nqtrack.render")


def test_app_knows_no_command_line_and_no_rendering():
    for _module, path, tree in by_layer("nqtrack.app"):
        bad = [n for n in imports(tree) if any(in_layer(n, f) for f in FORBIDDEN_IN_APP)]
        assert not bad, f"{path} imports {bad}"


def test_render_reads_no_store_and_calls_no_use_case():
    for _module, path, tree in by_layer("nqtrack.render"):
        bad = [n for n in imports(tree) if in_layer(n, "nqtrack.store") or in_layer(n, "nqtrack.app")]
        assert not bad, f"{path} imports {bad}"


def test_transactions_are_opened_in_app_only():
    for module, path, _tree in MODULES:
        if in_layer(module, "nqtrack.app"):
            continue
        text = path.read_text(encoding="utf-8")
        # the store defines transaction(); nobody else calls it
        calls = [line for line in text.splitlines() if ".transaction(" in line and "def transaction" not in line]
        assert not calls, f"{path}: {calls}"


def command_functions() -> list[tuple[Path, ast.FunctionDef]]:
    found = []
    for _module, path, tree in by_layer("nqtrack.cli"):
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", None) == "command" for d in node.decorator_list
            ):
                found.append((path, node))
    return found


def test_command_functions_are_short():
    functions = command_functions()
    assert len(functions) > 20
    long = [f"{path.name}:{fn.name} ({fn.end_lineno - fn.lineno + 1} lines)"
            for path, fn in functions if fn.end_lineno - fn.lineno + 1 > 40]
    assert not long, long


def test_the_layer_test_catches_what_it_should(tmp_path):
    """The checks above on made-up sources: each breach is seen."""
    core = ast.parse("import typer\nfrom nqtrack.store import sqlite\n")
    assert [n for n in imports(core) if n.split(".")[0] not in STDLIB and not in_layer(n, "nqtrack.core")]
    assert SQL.search("SELECT id FROM tasks") and SQL.search("INSERT INTO events(x) VALUES (1)")
    assert not SQL.search("Select the tasks from the list")
