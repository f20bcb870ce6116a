"""Start-up (issue 20): a command imports only what it needs, and only the command run is
built into Click's tree (nqtrack.cli.main). The time itself is measured by
benchmarks/run.py, never here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from nqtrack.cli import VALUE_OPTIONS, app, invoked_command
from nqtrack.store.sqlite import SqliteStore

# What `nqtrack overdue --format csv` (the morning view a script reads) may import. A module added here is a cost on every morning's
# start: add one only when the overdue view needs it.
OVERDUE_MODULES = {
    "nqtrack", "nqtrack.app", "nqtrack.app.calendar", "nqtrack.app.context", "nqtrack.app.lookup",
    "nqtrack.app.series", "nqtrack.app.settings", "nqtrack.app.views", "nqtrack.cli",
    "nqtrack.cli.app", "nqtrack.cli.calendar", "nqtrack.cli.help", "nqtrack.cli.notices", "nqtrack.cli.register",
    "nqtrack.cli.tasks", "nqtrack.cli.units", "nqtrack.cli.views", "nqtrack.core", "nqtrack.core.backlog",
    "nqtrack.core.calendar", "nqtrack.core.collate", "nqtrack.core.dates", "nqtrack.core.errors",
    "nqtrack.core.names", "nqtrack.core.recurrence",
    "nqtrack.core.rules", "nqtrack.core.states", "nqtrack.core.text", "nqtrack.faults",
    "nqtrack.fuzzy", "nqtrack.i18n", "nqtrack.render", "nqtrack.render.output",
    "nqtrack.render.overdue", "nqtrack.render.tables", "nqtrack.store", "nqtrack.store.base", "nqtrack.store.sql",
    "nqtrack.store.sqlite",
    # issue 19: the acting user's rights, and the section of what awaits confirmation; the
    # command modules register their commands
    "nqtrack.core.rights", "nqtrack.app.requests", "nqtrack.cli.requests", "nqtrack.cli.users",
}
# issue 20: imported where they are used, not by every start: a task's and an extension's rules
# (app.tasks: only when an extension request awaits, to count the day it asks for), the
# letterhead's settings and the decimals of rates (core.numbers: the report's)
# the libraries outside the standard library it may import (Typer and what Typer imports; Rich draws the table)
OVERDUE_LIBRARIES = {"typer", "rich", "shellingham", "annotated_doc", "click"}

_RUN = """
import json, sys
sys.argv = ["nqtrack", *json.loads(sys.argv[1])]
from nqtrack.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
"""


def every_module_imported_by(*args: str) -> list[str]:
    """Every module a command line imports, run as the console script runs it, in a process
    of its own."""
    done = subprocess.run([sys.executable, "-c", _RUN, json.dumps(list(args))], capture_output=True, text=True,
                          env={"NQTRACK_LANG": "en", "PATH": "", "NO_COLOR": "1"}, check=True)
    return json.loads(done.stderr.splitlines()[-1])


def imported_by(*args: str) -> tuple[set[str], set[str]]:
    """The nqtrack modules and the other libraries (outside the standard library) a command
    line imports."""
    modules = every_module_imported_by(*args)
    libraries = {m.split(".")[0] for m in modules if not m.startswith("_")} - set(sys.stdlib_module_names)
    return {m for m in modules if m.startswith("nqtrack")}, libraries - {"nqtrack"}


def test_overdue_imports_only_the_modules_it_needs(tmp_path: Path) -> None:
    db = tmp_path / "register.db"
    SqliteStore(str(db), create=True).close()
    modules, libraries = imported_by("--db", str(db), "--today", "2026-11-22", "overdue", "--format", "csv")
    assert modules == OVERDUE_MODULES
    assert libraries <= OVERDUE_LIBRARIES, libraries - OVERDUE_LIBRARIES


def test_a_report_imports_nothing_of_the_morning_view_the_notices_or_the_review(tmp_path: Path) -> None:
    db = tmp_path / "register.db"
    SqliteStore(str(db), create=True).close()
    modules, _libraries = imported_by("--db", str(db), "--today", "2026-11-22", "report", "--month", "2026-10",
                                      "--format", "json")
    assert "nqtrack.app.views" in modules
    assert not modules & {"nqtrack.app.requests", "nqtrack.app.tasks", "nqtrack.app.notices", "nqtrack.core.notices",
                          "nqtrack.core.review"}, modules


@pytest.mark.parametrize("fmt", ["json", "csv", "docx"])
def test_a_machine_report_imports_no_cut_of_rates_and_only_word_the_letterhead(tmp_path: Path, fmt: str) -> None:
    # fractions imports decimal (~5 ms of a start): the JSON and the machine CSV carry rates
    # exact, and only the Word report has a heading and a signature
    db = tmp_path / "register.db"
    SqliteStore(str(db), create=True).close()
    imported = set(every_module_imported_by("--db", str(db), "--today", "2026-11-22", "report", "--month", "2026-10",
                                            "--format", fmt, "--output", str(tmp_path / f"report.{fmt}")))
    assert "nqtrack.render.report" in imported and (tmp_path / f"report.{fmt}").stat().st_size > 0
    if fmt != "docx":
        assert not imported & {"fractions", "decimal"}
    assert ("nqtrack.core.letterhead" in imported) is (fmt == "docx")


@pytest.mark.parametrize("command", [["overdue", "--format", "csv"], ["report", "--month", "2026-10", "--format", "json"]])
def test_the_threads_of_check_are_not_imported_by_the_views(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "register.db"
    SqliteStore(str(db), create=True).close()
    modules = every_module_imported_by("--db", str(db), "--today", "2026-11-22", *command)
    assert "concurrent.futures" not in modules and "logging" not in modules


@pytest.mark.parametrize("command", [["overdue", "--format", "csv"], ["report", "--month", "2026-10", "--format", "json"],
                                     ["list", "--format", "csv"]])
def test_only_a_large_import_and_check_start_a_second_process(tmp_path: Path, command: list[str]) -> None:
    # multiprocessing (~10 ms and its own imports) is for the import's reader of a large file
    # and check's second pass (SqlStore._running_apart), which imports it where it runs it
    db = tmp_path / "register.db"
    SqliteStore(str(db), create=True).close()
    modules = every_module_imported_by("--db", str(db), "--today", "2026-11-22", *command)
    assert "multiprocessing" not in modules and "nqtrack.importing.rows" not in modules
    small = tmp_path / "tasks.csv"
    small.write_text("Nội dung nhiệm vụ,Đơn vị chủ trì\nViệc một,Văn phòng Bộ\n", encoding="utf-8")
    imported = every_module_imported_by("--db", str(db), "--today", "2026-11-22", "import", str(small))
    assert "nqtrack.importing.importer" in imported and "multiprocessing" not in imported
    checked = every_module_imported_by("--db", str(db), "--today", "2026-11-22", "check")
    assert "nqtrack.importing.rows" not in checked


def test_help_imports_no_store_no_use_case_and_no_rich() -> None:
    modules, libraries = imported_by("--help")
    assert not {m for m in modules if m.startswith(("nqtrack.store", "nqtrack.app", "nqtrack.render"))}
    assert "rich" not in libraries and "sqlite_utils" not in libraries


@pytest.mark.parametrize(("argv", "name"), [
    (["overdue"], "overdue"),
    (["--db", "overdue", "list"], "list"),  # a main option's value is never the command
    (["--today", "2026-11-22", "--lang", "en", "--busy-timeout", "3", "unit", "list"], "unit"),
    (["--db=x.db", "report", "--month", "11/2026"], "report"),
    (["--help"], None),
    ([], None),
    (["--db"], None),
])
def test_the_command_a_line_names(argv: list[str], name: str | None) -> None:
    assert invoked_command(argv) == name


def test_the_main_options_that_take_a_value_are_the_ones_skipped() -> None:
    group = typer.main.get_command(app)  # Typer's own Click (typer._click)
    taking = {opt for p in group.params if p.param_type_name == "option" and not getattr(p, "is_flag", True)
              for opt in p.opts}
    assert taking == set(VALUE_OPTIONS)


def test_a_command_built_alone_runs_as_in_the_whole_tree(tmp_path: Path) -> None:
    db = tmp_path / "register.db"
    SqliteStore(str(db), create=True).close()
    argv = ["--db", str(db), "--lang", "en", "--today", "2026-11-22"]
    exe = [sys.executable, "-m", "nqtrack"]
    one = subprocess.run(exe + [*argv, "overdue", "--format", "csv"], capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines() == ["section,id,code,title,document,lead_unit,coordinating_units,assignee,"
                                       "deadline,original_deadline,days_overdue,carried_over,extended,state,"
                                       "working_days_overdue,request,requested_day,request_note,requested_on,"
                                       "requested_by"]
    slip = subprocess.run(exe + [*argv, "overdu"], capture_output=True, text=True)
    assert slip.returncode == 2 and "overdue" in slip.stderr  # suggested: the whole tree was built
