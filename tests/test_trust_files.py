"""Issue 13, what is written where: no command writes over the register or the user's
files; only `init` (and import, restore with --create) makes a register; files made
follow the umask; a full disk and read-only media; restore checks what it restores.

A full disk and read-only media are real: a small tmpfs, filled or remounted read-only
(root, as in this sandbox and in CI). Where mounting is not allowed the read-only case
falls back to file modes; the full-disk case cannot, and is skipped, except in CI."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from nqtrack.store.sqlite import SCHEMA_VERSION
from tests.support import Cli, nqtrack_executable, run_nqtrack, with_search_text

ROOT = Path(__file__).resolve().parent.parent


def table_rows(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("units", "unit_keys", "documents", "tasks", "task_units", "events", "settings", "batches")}
    finally:
        con.close()


def check_passes(db: Path) -> None:
    result = run_nqtrack("--db", str(db), "--lang", "en", "check")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def nq(db: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_nqtrack("--db", str(db), "--lang", "en", "--today", "2022-11-15", *args,
                       env={"NQTRACK_TEST_CLOCK": "2022-11-15", **(env or {})})


def one_error_line(result: subprocess.CompletedProcess) -> str:
    err = result.stderr.decode()
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def example_register(tmp_path_factory) -> Path:
    """The example register, built once for the module."""
    cli = Cli(tmp_path_factory.mktemp("example") / "register.db")
    cli("init")
    cli("import", str(ROOT / "examples/units.csv"), "--kind", "units")
    cli("import", str(ROOT / "examples/documents.csv"), "--kind", "documents")
    cli("import", str(ROOT / "examples/tasks.csv"))
    for key, value in (("office", "Bộ Tư pháp / Văn phòng Bộ"), ("place", "Hà Nội"), ("number", "…/VP-TH"),
                       ("report_number", "…/BC-VP"), ("signer", "CHÁNH VĂN PHÒNG / Nguyễn Văn A")):
        cli("config", key, value)  # letters and the Word report then warn of nothing unset
    return cli.db


@pytest.fixture
def register(example_register, tmp_path) -> Cli:
    """A copy of the example register of its own, for each test."""
    shutil.copy(example_register, tmp_path / "register.db")
    return Cli(tmp_path / "register.db")


@pytest.fixture
def bad_rows(tmp_path) -> Path:
    """A tasks file with one good row and one bad, for --skip-invalid --rejects (and beside it
    good.csv, all good, for a re-import's --conflicts)."""
    path = tmp_path / "bad.csv"
    path.write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n"
                    "R-1,Việc tốt,Văn phòng Bộ,30/12/2022\nR-2,Việc xấu,Văn phòng Bộ,31/02/2022\n", encoding="utf-8")
    path.with_name("good.csv").write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n"
                                          "G-1,Việc mới,Văn phòng Bộ,30/12/2022\n", encoding="utf-8")
    return path


# -- every command that writes a file, and where it must not ----------------------------------

# The arguments a command needs besides its --output, on the example register (a command
# added later with a required argument fails here until it is given one).
NEEDS = {"show": ["5"], "unit show": ["VP"], "doc show": ["07-NQ/ĐUK"], "report": ["--month", "2022-10"],
         "evaluate": ["--month", "2022-10"], "dashboard": ["--month", "2022-10"], "sheet": ["VP"]}


def output_commands() -> list[str]:
    """Every command that takes --output, from the registered commands."""
    import typer.main

    from nqtrack.cli import app
    from tests.test_cli_core import registered_commands

    root = typer.main.get_command(app)
    found = []
    for path in registered_commands():
        command = root
        for name in path:
            command = command.commands[name]
        if any(param.name == "output" for param in getattr(command, "params", [])):
            found.append(" ".join(path))
    return found


# command → its arguments with OUT where the file (or folder) it writes goes: every --output
# (generated), and the commands that write a file named otherwise
WRITERS = {
    **{name: [*name.split(), *NEEDS.get(name, []), "--output", "OUT"] for name in output_commands()},
    "report-markdown": ["report", "--month", "2022-10", "--format", "markdown", "--output", "OUT"],
    "report-docx": ["report", "--month", "2022-10", "--format", "docx", "--output", "OUT"],
    "list-xlsx": ["list", "--format", "xlsx", "--output", "OUT"],
    "export": ["export", "OUT"],
    "export-csv": ["export", "--format", "csv", "OUT"],
    "import": ["import", "BAD", "--skip-invalid", "--rejects", "OUT"],
    "import-conflicts": ["import", "GOOD", "--conflicts", "OUT"],
    "backup": ["backup", "OUT"],
    "remind": ["remind", "--output-dir", "OUT", "--format", "docx"],
}


def writer_args(name: str, out: Path | str, bad: Path) -> list[str]:
    good = bad.with_name("good.csv")  # made beside it by the fixture
    return [str(out) if a == "OUT" else str(bad) if a == "BAD" else str(good) if a == "GOOD" else a
            for a in WRITERS[name]]


# Parameters whose help speaks of files, folders or writing but that name nothing written.
NOT_WRITTEN = {
    ("import", "file"),  # read
    ("import", "dry_run"), ("import", "skip_invalid"), ("import", "prefer"),  # flags, a choice
    ("import", "create"), ("restore", "create"),  # flags
    ("import", "sheet"),  # a sheet of the file read
    ("restore", "file"),  # read
    ("remind", "send"),  # mail
    ("remind", "attach"),  # the units' sheets, into --output-dir (tested as remind's)
    ("import", "sheet_return"),  # a flag: the file read is a unit's sheet
    ("evaluate", "scheme"),  # read
    ("", "db"),  # the register itself
    # copy reads a register and makes one, as init makes it (a folder, a missing folder, a file
    # that is no register and a register that is not empty refused: tests/test_engines.py)
    ("copy", "source"), ("copy", "target"),
}
# options of any command that say how, never where: the format (its help names the --output
# file's extension), the CSV for people, a quarter written as offices write it
HOW = {"fmt", "labels", "quarter"}


def test_the_list_of_writing_commands_is_complete():
    """Each parameter whose help speaks of a file, a folder or of writing, of any command
    (a new one too), is either in WRITERS (and so tested below) or known to write nothing."""
    import typer.main

    from nqtrack.cli import app
    from tests.test_cli_core import registered_commands

    root = typer.main.get_command(app)
    mentioned = set()
    for path in registered_commands():
        command = root
        for name in path:
            command = command.commands[name]
        for param in command.params:
            text = (getattr(param, "help", None) or "").lower()
            if param.name not in HOW and any(word in text for word in ("write", "file", "folder", "copy")):
                mentioned.add((" ".join(path), param.name))
    options = {"--output": "output", "--rejects": "rejects", "--output-dir": "output_dir", "--conflicts": "conflicts"}
    listed = set()
    for args in WRITERS.values():
        option = next((a for a in args if a in options), None)
        command = " ".join(args[:2]) if args[:2] in (["unit", "show"], ["unit", "list"], ["doc", "show"],
                                                     ["doc", "list"], ["calendar", "list"], ["user", "list"]) else args[0]
        listed.add((command, options[option] if option else "file"))
    assert mentioned - NOT_WRITTEN == listed
    assert {"list", "overdue", "report", "evaluate", "dashboard", "unit show", "doc show", "calendar list"} <= set(
        output_commands())


@pytest.mark.parametrize("name, target", [
    (name, target) for name in WRITERS for target in ("database", "-wal", "-shm", "folder", "missing folder")
    if (name, target) != ("remind", "folder")  # a folder is what --output-dir takes
])
def test_no_command_writes_over_the_register_a_folder_or_into_a_missing_folder(register, bad_rows, tmp_path, name,
                                                                               target):
    db = register.db
    out = {"database": db, "-wal": f"{db}-wal", "-shm": f"{db}-shm", "folder": tmp_path,
           "missing folder": tmp_path / "missing" / "x.out"}[target]
    before, listing = table_rows(db), sorted(os.listdir(tmp_path))
    result = nq(db, *writer_args(name, out, bad_rows))
    assert result.returncode in (2, 4), result.stderr.decode()
    line = one_error_line(result)
    expected = {
        "database": "is the register itself (or one of its files): nothing is written over it",
        "-wal": "is the register itself", "-shm": "is the register itself",
        "folder": "is a folder: give a file name",
        "missing folder": f"the folder {tmp_path / 'missing'} does not exist",
    }[target]
    assert expected in line
    assert table_rows(db) == before
    assert sorted(os.listdir(tmp_path)) == listing  # no file made, none left half-written


def test_the_examples_of_the_issue_replace_nothing(register, bad_rows, tmp_path):
    db = register.db
    before = table_rows(db)
    for args, code in ((["report", "--month", "2022-10", "--output", str(db)], 2), (["export", str(db)], 2),
                       (["import", str(bad_rows), "--skip-invalid", "--rejects", str(db)], 2)):
        result = nq(db, *args)
        assert result.returncode == code
        assert one_error_line(result) == f"Error: {db} is the register itself (or one of its files): nothing is " \
                                          "written over it"
    spreadsheet = bad_rows.read_bytes()
    for args in (["--skip-invalid", "--rejects", str(bad_rows)], ["--conflicts", str(bad_rows)]):
        result = nq(db, "import", str(bad_rows), *args)
        assert result.returncode == 2
        assert one_error_line(result) == f"Error: {bad_rows} is the file being read: nothing is written over it"
    assert bad_rows.read_bytes() == spreadsheet
    scheme = tmp_path / "thang-diem.toml"
    scheme.write_text("# the office's scheme\n", encoding="utf-8")
    result = nq(db, "evaluate", "--month", "2022-10", "--scheme", str(scheme), "--output", str(scheme))
    assert one_error_line(result) == f"Error: {scheme} is the file being read: nothing is written over it"
    assert scheme.read_text(encoding="utf-8") == "# the office's scheme\n"
    assert table_rows(db) == before  # found before the import, which wrote nothing


def test_a_symbolic_link_is_followed_not_replaced(register, tmp_path):
    real = tmp_path / "reports" / "real.md"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    assert nq(register.db, "report", "--month", "2022-10", "--format", "markdown", "--output", str(link)).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith("# Report on the implementation of tasks, month 10/2022")
    to_db = tmp_path / "sneaky.json"
    to_db.symlink_to(register.db)
    result = nq(register.db, "export", str(to_db))
    assert result.returncode == 2 and "is the register itself" in one_error_line(result)
    check_passes(register.db)


def test_made_files_follow_the_umask_and_are_never_wider_than_0660(register, bad_rows, tmp_path):
    def made(umask: int, db: Path, args: list[str]) -> None:
        result = subprocess.run(nqtrack_executable() + ["--db", str(db), "--lang", "en", "--today", "2022-11-15", *args],
                                capture_output=True, preexec_fn=lambda: os.umask(umask))
        assert result.returncode == 0, result.stderr.decode()

    for umask, mode in ((0o002, 0o660), (0o022, 0o640), (0o077, 0o600)):
        folder = tmp_path / f"u{umask:o}"
        folder.mkdir()
        made(umask, register.db, ["export", str(folder / "all.json")])
        made(umask, register.db, ["report", "--month", "2022-10", "--output", str(folder / "r.md")])
        made(umask, register.db, ["backup", str(folder / "b.db")])
        made(umask, register.db, ["import", str(bad_rows), "--skip-invalid", "--rejects", str(folder / "rejects.csv")])
        made(umask, register.db, ["remind", "--output-dir", str(folder / "notices"), "--format", "docx"])
        made(umask, register.db, ["report", "--month", "2022-10", "--output", str(folder / "r.docx")])
        made(umask, register.db, ["list", "--output", str(folder / "l.xlsx")])
        made(umask, register.db, ["dashboard", "--month", "2022-10", "--output", str(folder / "d.html")])
        made(umask, register.db, ["import", writer_args("import-conflicts", "-", bad_rows)[1], "--dry-run",
                                  "--conflicts", str(folder / "c.csv")])
        made(umask, folder / "new.db", ["init"])
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"all.json", "r.md", "b.db", "rejects.csv", "new.db", "r.docx", "l.xlsx",
                                           "d.html", "c.csv"}
        assert len([p for p in files if p.parent.name == "notices"]) > 3
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == mode, (path, oct(path.stat().st_mode))


# -- creation ---------------------------------------------------------------------------------------


def test_a_typed_path_never_creates_a_register(tmp_path):
    typo = tmp_path / "vp_typo.db"
    for args in (["overdue"], ["list"], ["report", "--month", "2022-10"], ["unit", "add", "Văn phòng"],
                 ["config", "cutoff", "15"], ["import", str(ROOT / "examples/units.csv"), "--kind", "units"],
                 ["restore", str(typo)], ["check"], ["info"], ["backup", str(tmp_path / "b.db")]):
        result = nq(typo, *args)
        assert result.returncode == 4, (args, result.stderr.decode())
        assert one_error_line(result) in (f"Error: no register at {typo}; 'nqtrack init' creates one",
                                          f"Error: no such file: {typo}")
    assert os.listdir(tmp_path) == []


def test_init_and_create_make_a_register_but_never_a_folder(tmp_path):
    nested = tmp_path / "no" / "such" / "folder" / "r.db"
    for args in (["init"], ["import", str(ROOT / "examples/units.csv"), "--kind", "units", "--create"]):
        result = nq(nested, *args)
        assert result.returncode == 4
        assert one_error_line(result) == f"Error: the folder {nested.parent} does not exist"
    assert os.listdir(tmp_path) == []
    made = tmp_path / "made.db"
    assert nq(made, "import", str(ROOT / "examples/units.csv"), "--kind", "units", "--create").returncode == 0
    assert json.loads(nq(made, "info", "--format", "json").stdout)["units"] == 21
    assert sorted(os.listdir(tmp_path)) == ["made.db"]
    check_passes(made)


def test_file_names_with_hash_percent_and_question_mark(register, tmp_path):
    odd = tmp_path / "so#1%20?x.db"
    assert nq(odd, "init").returncode == 0
    assert nq(odd, "unit", "add", "Văn phòng Bộ").returncode == 0
    copy = tmp_path / "bản #2?.db"
    assert nq(odd, "backup", str(copy)).returncode == 0
    assert nq(register.db, "restore", str(copy)).returncode == 0
    assert json.loads(nq(register.db, "unit", "list", "--format", "json").stdout)[0]["name"] == "Văn phòng Bộ"
    names = set(os.listdir(tmp_path))
    assert "so" not in names and "bản " not in names  # no stray file cut at the '#' or the '?'
    check_passes(odd)


# -- restore ----------------------------------------------------------------------------------------


def test_restore_refuses_a_backup_that_passes_quick_check_but_not_integrity_check(register, tmp_path):
    damaged = tmp_path / "damaged.db"
    register("backup", str(damaged))
    con = sqlite3.connect(damaged)
    con.execute("PRAGMA writable_schema = ON")
    # the index now claims to hold titles, while its b-tree holds deadlines
    con.execute("UPDATE sqlite_master SET sql = replace(sql, 'tasks(deadline)', 'tasks(title)') "
                "WHERE name = 'tasks_deadline'")
    con.commit()
    con.close()
    con = sqlite3.connect(damaged)
    assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
    con.close()
    before = table_rows(register.db)
    result = nq(register.db, "restore", str(damaged))
    assert result.returncode == 5
    assert one_error_line(result).startswith(f"Error: not an nqtrack database: {damaged} (damaged: ")
    assert table_rows(register.db) == before
    assert not [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]


def test_restore_takes_any_page_size_and_an_older_schema(register, tmp_path):
    big_pages = tmp_path / "big-pages.db"
    register("backup", str(big_pages))
    con = sqlite3.connect(big_pages)
    con.execute("PRAGMA page_size = 16384")
    con.execute("VACUUM")
    assert con.execute("PRAGMA page_size").fetchone()[0] == 16384
    con.close()
    expected = table_rows(register.db)
    register("update", "3", "--progress", "77")
    assert nq(register.db, "restore", str(big_pages)).returncode == 0
    assert table_rows(register.db) == expected
    check_passes(register.db)
    older = tmp_path / "older.db"
    from tests.test_trust_races import old_register

    old_register(older)
    assert nq(register.db, "restore", str(older)).returncode == 0
    assert [u["name"] for u in json.loads(nq(register.db, "unit", "list", "--format", "json").stdout)] == [
        "Văn phòng Bộ"]
    assert json.loads(nq(register.db, "info", "--format", "json").stdout)["schema_version"] == SCHEMA_VERSION
    assert sqlite3.connect(older).execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 2  # untouched
    check_passes(register.db)


def test_a_foreign_sqlite_file_is_refused_before_anything_in_it_changes(register, tmp_path):
    foreign = tmp_path / "invoices.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
    con.execute("INSERT INTO invoices(total) VALUES (12.5)")
    con.commit()
    con.close()
    original = foreign.read_bytes()
    for db, args in ((foreign, ["list"]), (register.db, ["restore", str(foreign)])):
        result = nq(db, *args)
        assert result.returncode == 5
        assert one_error_line(result).startswith(f"Error: not an nqtrack database: {foreign}")
    assert foreign.read_bytes() == original  # not even its journal mode was switched
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("invoices")) == ["invoices.db"]


def test_restore_into_a_new_path_needs_create(register, tmp_path):
    copy = tmp_path / "copy.db"
    register("backup", str(copy))
    new = tmp_path / "elsewhere.db"
    result = nq(new, "restore", str(copy))
    assert result.returncode == 4 and not new.exists()
    result = nq(new, "restore", str(copy), "--create")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"Restored from {copy} into the new database {new}."
    assert table_rows(new) == table_rows(register.db)
    check_passes(new)


def every_table(db: Path) -> dict:
    """Every table of the register, rows in order (an FTS index by its own table only)."""
    con = with_search_text(sqlite3.connect(f"file:{db}?mode=ro", uri=True))
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                           "'sqlite_%' AND name NOT LIKE 'task_search_%' ORDER BY name")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in names}
    finally:
        con.close()


def test_restore_brings_back_every_table(cli, tmp_path):
    """The calendar, series and their journal, the journal of units and documents, what re-imports
    brought, the marks: a restore replaces every table, and the register passes check."""
    monthly = "Hằng tháng, trước ngày 20"
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("unit", "add", "Văn phòng UBND tỉnh", "--code", "VPUB", today="2024-01-15")
    cli("assign", "Báo cáo tình hình", "--lead", "VP", "--due", monthly, today="2024-01-15")
    cli("recur", "--until", "2024-03-21", today="2024-03-21")
    cli("calendar", "add", "17/02/2024", "--working", "--note", "Làm bù", today="2024-03-21")
    cli("unit", "merge", "VPUB", "VP", today="2024-03-21")
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Ngày giao,Thời hạn\n"
                     "NV-1,Báo cáo quý I,Văn phòng,01/02/2024,31/03/2024\n", encoding="utf-8")
    cli("import", str(tasks), today="2024-03-01")
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("quý I,", "quý I năm 2024,"), encoding="utf-8")
    cli("import", str(tasks), today="2024-03-21")  # a re-import: its provenance row
    backup = tmp_path / "sao-luu.db"
    cli("backup", str(backup), today="2024-03-21")
    kept = every_table(cli.db)
    assert all(kept[t] for t in ("series", "series_events", "calendar_days", "calendar_events", "register_events",
                                 "import_provenance", "register_marks"))
    cli("calendar", "remove", "17/02/2024", today="2024-03-22")
    cli("undo", today="2024-03-22")
    cli("unit", "add", "Vụ Pháp chế", "--code", "PC", today="2024-03-22")
    cli("recur", "--until", "2024-05-21", today="2024-05-21")
    assert every_table(cli.db) != kept
    cli("restore", str(backup), today="2024-05-21")
    assert every_table(cli.db) == kept
    assert json.loads(cli("check", "--format", "json", today="2024-03-21").stdout) == {"ok": True, "problems": []}


# -- a newer schema ---------------------------------------------------------------------------------


def test_a_register_of_a_newer_schema_opens_read_only_with_a_warning(register):
    con = sqlite3.connect(register.db)
    con.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('nqtrack', 'm999_future', '')")
    con.commit()
    con.close()
    before = table_rows(register.db)
    listed = nq(register.db, "list", "--format", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 220
    warning = (f"Warning: {register.db} was made by a newer nqtrack (schema {SCHEMA_VERSION + 1}; this one knows "
               f"{SCHEMA_VERSION}): it is open read-only")
    assert listed.stderr.decode().strip() == warning
    for args in (["update", "1", "--progress", "5"], ["config", "cutoff", "15"], ["unit", "add", "Mới"]):
        result = nq(register.db, *args)
        assert result.returncode == 5
        assert result.stderr.decode().strip().splitlines() == [warning, "Error: " + warning[len("Warning: "):]]
    assert table_rows(register.db) == before


# -- read-only media --------------------------------------------------------------------------------


def can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def mounted(tmp_path):
    """Small tmpfs folders, unmounted afterwards."""
    made: list[Path] = []

    def mount(name: str, size: str) -> Path:
        if not can_mount():
            if os.environ.get("CI"):
                pytest.fail("CI runs as root: it must be able to mount a small tmpfs")
            pytest.skip("mounting a small file system needs root")
        folder = tmp_path / name
        folder.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)], check=True)
        made.append(folder)
        return folder

    yield mount
    for folder in reversed(made):
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def read_only_copy(register, tmp_path, mounted):
    """The register on read-only media (a tmpfs remounted read-only), or as a read-only
    file in a read-only folder where mounting is not allowed."""
    if can_mount():
        folder = mounted("stick", "8m")
        shutil.copy(register.db, folder / "register.db")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder / "register.db"
        return
    folder = tmp_path / "stick"
    folder.mkdir()
    shutil.copy(register.db, folder / "register.db")
    (folder / "register.db").chmod(0o444)
    folder.chmod(0o555)
    yield folder / "register.db"
    folder.chmod(0o755)


def test_a_read_only_register_can_still_be_read(register, read_only_copy):
    for args in (["info", "--format", "json"], ["check"], ["overdue", "--format", "csv"],
                 ["report", "--month", "2022-10", "--format", "json"], ["list", "--format", "csv"],
                 ["list", "--search", "bao cao", "--format", "csv"], ["show", "5", "--format", "json"],
                 ["review", "--format", "csv"]):
        on_stick = nq(read_only_copy, *args)
        assert on_stick.returncode == 0, (args, on_stick.stderr.decode())
        assert on_stick.stderr == b""
        if args[0] != "info":
            assert on_stick.stdout == nq(register.db, *args).stdout, args
    result = nq(read_only_copy, "update", "5", "--progress", "10")
    assert result.returncode == 74
    assert one_error_line(result) == f"Error: the register is read-only: {read_only_copy}"
    assert os.listdir(read_only_copy.parent) == ["register.db"]


# -- a full disk ------------------------------------------------------------------------------------


@pytest.fixture
def full_disk(mounted):
    """A file system with (almost) no room left: `room` kilobytes stay free."""

    def make(name: str, room: int = 0, db: Path | None = None) -> Path:
        folder = mounted(name, "1m")
        if db is not None:
            shutil.copy(db, folder / db.name)
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        (folder / ".filler").write_bytes(b"\0" * max(free - room * 1024, 0))
        return folder

    return make


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".filler")


@pytest.mark.parametrize("name", [n for n in WRITERS if n != "export-csv"])
def test_a_full_disk_is_one_line_and_leaves_nothing_behind(register, bad_rows, full_disk, name):
    full = full_disk(f"full-{name}")
    before = table_rows(register.db)
    out = full / ("notices" if name == "remind" else "out")
    if name == "remind":
        out.mkdir()
    result = nq(register.db, *writer_args(name, out, bad_rows))
    assert result.returncode == 74, result.stderr.decode()
    folder_shown = out if name == "remind" else out
    assert one_error_line(result) == f"Error: the disk is full: nothing was written to {folder_shown}"
    assert leftovers(full) == (["notices"] if name == "remind" else [])
    if name == "remind":
        assert os.listdir(out) == []
    assert table_rows(register.db) == before  # no import, no reminder journaled


def test_a_full_disk_under_the_register_itself(register, full_disk, tmp_path):
    full = full_disk("full-db", room=96, db=register.db)
    db = full / register.db.name
    before = table_rows(db)
    bigger = tmp_path / "more.csv"
    with bigger.open("w", encoding="utf-8") as f:
        f.write("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n")
        for i in range(3000):
            f.write(f"X-{i},Nhiệm vụ bổ sung số {i} của kế hoạch năm,Văn phòng Bộ,30/12/2022\n")
    result = nq(db, "import", str(bigger))
    assert result.returncode == 74
    assert one_error_line(result) == f"Error: the disk is full: nothing was written to {db}"
    assert table_rows(db) == before
    made = full / "new.db"
    result = nq(made, "init")
    assert result.returncode == 74 and "Error: " in one_error_line(result)
    # no half-made register, no hidden file; SQLite's own -wal and -shm may stay, and hold nothing committed
    assert set(leftovers(full)) <= {db.name, f"{db.name}-wal", f"{db.name}-shm"}
    (full / ".filler").unlink()
    assert table_rows(db) == before
    check_passes(db)


DROPPED = textwrap.dedent("""
    import importlib, json, os, pkgutil, sys, contextlib, io
    import nqtrack
    for module in pkgutil.walk_packages(nqtrack.__path__, "nqtrack."):  # the account below cannot read them
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    for name in ("rich.console", "rich.table", "rich.text", "tabulate", "platformdirs",
                 "concurrent.futures.thread"):  # check's thread pool, imported where check runs it
        importlib.import_module(name)
    from nqtrack.store.sql import SqlStore
    with SqlStore._running_apart(lambda: None, lambda: None) as done:  # check's second pass: what it
        done()                                                         # imports where it runs it
    from nqtrack import i18n
    i18n._translation("en")
    os.setgid(65534)
    os.setuid(65534)  # nobody: may read the register, may write neither it nor its folder
    from nqtrack.cli import app
    results = []
    for argv in json.loads(sys.argv[1]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = app(argv, prog_name="nqtrack", standalone_mode=False)
        results.append([code or 0, out.getvalue(), err.getvalue()])
    print(json.dumps(results))
""")


def test_a_register_in_a_folder_this_account_cannot_write_can_still_be_read(register):
    """No -shm file, and none can be made by this account (SQLite says the folder is
    read-only): the register is still read; a write is one line."""
    if not can_mount():  # root, to drop to another account
        if os.environ.get("CI"):
            pytest.fail("CI runs as root")
        pytest.skip("dropping to another account needs root")
    folder = Path(tempfile.mkdtemp(prefix="nqtrack-ro-"))  # outside pytest's private folder
    try:
        folder.chmod(0o755)
        db = folder / "register.db"
        shutil.copy(register.db, db)
        db.chmod(0o644)
        runs = [["--db", str(db), "--lang", "en", "--today", "2022-11-15", *args] for args in (
            ["list", "--format", "csv"], ["report", "--month", "2022-10", "--format", "json"], ["check"],
            ["update", "5", "--progress", "10"])]
        child = subprocess.run([sys.executable, "-c", DROPPED, json.dumps(runs)], capture_output=True, text=True,
                               timeout=120)
        assert child.returncode == 0, child.stderr[-2000:]
        results = json.loads(child.stdout)
        for (code, out, err), argv in zip(results[:3], runs, strict=False):
            assert (code, err) == (0, ""), (argv, err)
            assert out == nq(register.db, *argv[6:]).stdout.decode(), argv
        assert results[3][:1] == [74] and results[3][2] == f"Error: the register is read-only: {db}\n"
        assert os.listdir(folder) == ["register.db"]
    finally:
        shutil.rmtree(folder)
