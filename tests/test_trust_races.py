"""Issue 13, concurrency at the edges, with real processes: an older register opened by
eight at once, eight creating one register, a creation or an upgrade killed half-way,
and a restore while four others write. The only failure allowed is the documented exit
75 (locked past the busy timeout); every write that reported success is found after.

The processes start together: each imports nqtrack, then waits on a pipe the test
closes once all are running (no sleeping, no polling)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlite_utils import Database

from nqtrack.store import sqlite_migrations
from nqtrack.store.sqlite import SCHEMA_VERSION
from tests.support import run_nqtrack, start_paused

ROOT = Path(__file__).resolve().parent.parent

# Each child runs nqtrack commands in-process, one after the other, after the go signal;
# prints "@ok ARGS" or "@exit CODE ARGS" for each, and stops at the first failure.
CHILD = textwrap.dedent("""
    import json, os, sys
    from nqtrack.cli import app
    go, commands = int(sys.argv[1]), json.loads(sys.argv[2])
    os.read(go, 1)
    for argv in commands:
        try:
            code = app(argv, standalone_mode=False, prog_name="nqtrack")
        except SystemExit as exc:
            code = exc.code
        print("@" + ("ok " if code in (None, 0) else f"exit {code} ") + " ".join(argv[-3:]), flush=True)
        if code not in (None, 0):
            break
""")


def run_together(batches: list[list[list[str]]], env: dict | None = None) -> list[tuple[int, list[str], str]]:
    """Run each batch of nqtrack commands in its own process, all released at once;
    (exit status, lines printed, standard error) per process."""
    read_end, write_end = os.pipe()
    full_env = {**os.environ, "NQTRACK_LANG": "en", "NQTRACK_TODAY": "2022-11-15", **(env or {})}
    import json

    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(read_end), json.dumps(batch)], env=full_env,
                              pass_fds=(read_end,), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for batch in batches]
    os.close(read_end)
    os.close(write_end)  # go
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, [line[1:] for line in out.splitlines() if line.startswith("@")], err))
    return results


def assert_only_ok_or_locked(results) -> None:
    for code, lines, err in results:
        assert code == 0, err[-2000:]
        failures = [line for line in lines if not line.startswith("ok ")]
        assert all(line.startswith("exit 75 ") for line in failures), (lines, err[-2000:])


def old_register(path: Path) -> None:
    """A register as an older nqtrack left it: the first two migrations only, WAL, one unit."""
    db = Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    sqlite_migrations.migrations.apply(db, stop_before="m003_search")
    with db.conn:
        db.conn.execute("INSERT INTO units(id, code, name) VALUES (1, 'VP', 'Văn phòng Bộ')")
        db.conn.executemany("INSERT INTO unit_keys(key, unit_id) VALUES (?, 1)", [("van phong bo",), ("vp",)])
    db.close()


def applied(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'nqtrack'").fetchone()[0]
    finally:
        con.close()


def units(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {row[0] for row in con.execute("SELECT name FROM units")}
    finally:
        con.close()


def check_passes(path: Path) -> None:
    result = run_nqtrack("--db", str(path), "--lang", "en", "check")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_eight_processes_on_an_older_register_upgrade_it_once_and_all_proceed(tmp_path):
    db = tmp_path / "old.db"
    old_register(db)
    assert applied(db) == 2
    batches = [[["--db", str(db), "unit", "add", f"Đơn vị {i}"]] if i % 2 else [["--db", str(db), "list"]]
               for i in range(8)]
    results = run_together(batches)
    assert_only_ok_or_locked(results)
    added = {f"Đơn vị {i}" for i in range(1, 8, 2)}
    reported = {f"Đơn vị {i}" for i, (_c, lines, _e) in enumerate(results) if i % 2 and lines[0].startswith("ok ")}
    assert reported <= units(db) and units(db) - {"Văn phòng Bộ"} <= added
    assert applied(db) == SCHEMA_VERSION
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("old.db.before-schema-")]
    assert len(kept) == 1  # exactly one process upgraded, under a backup name of its own
    assert applied(kept[0]) == 2
    check_passes(db)


def test_eight_processes_creating_one_register_all_succeed(tmp_path):
    """Four `init` and four `import --create`, each then a `unit add`, on a path with no
    register: one creates it, all the others use it."""
    db = tmp_path / "new.db"
    units_file = str(ROOT / "examples/units.csv")
    batches = [[["--db", str(db), "init"] if i % 2 else ["--db", str(db), "import", units_file, "--kind", "units",
                                                         "--create"],
                ["--db", str(db), "unit", "add", f"Đơn vị {i}"]] for i in range(8)]
    results = run_together(batches)
    assert_only_ok_or_locked(results)
    reported = {f"Đơn vị {i}" for i, (_c, lines, _e) in enumerate(results) if len(lines) == 2 and lines[1].startswith("ok")}
    assert len(reported) == 8  # with ten seconds of busy timeout nobody waits that long here
    assert reported <= units(db) and len(units(db)) == 21 + 8  # the examples' 21 units, once
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no creation left behind
    check_passes(db)


def test_a_creation_killed_half_way_leaves_no_register_and_init_makes_one(tmp_path):
    db = tmp_path / "k.db"
    proc = start_paused(["--db", str(db), "init"], "create")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not db.exists()  # the half-made register had a name of its own, never this one
    missing = run_nqtrack("--db", str(db), "--lang", "en", "overdue")
    assert missing.returncode == 4
    assert missing.stderr.decode().strip() == f"Error: no register at {db}; 'nqtrack init' creates one"
    assert run_nqtrack("--db", str(db), "init").returncode == 0
    check_passes(db)


def test_a_file_an_older_creation_left_with_only_the_migrations_table(tmp_path):
    db = tmp_path / "half.db"
    half = Database(db)
    sqlite_migrations.migrations.ensure_migrations_table(half)
    half.close()
    result = run_nqtrack("--db", str(db), "--lang", "en", "list")
    assert result.returncode == 4
    assert "holds no register yet" in result.stderr.decode() and "'nqtrack init' makes one" in result.stderr.decode()
    assert run_nqtrack("--db", str(db), "init").returncode == 0  # finished in place, in one transaction
    assert applied(db) == SCHEMA_VERSION
    check_passes(db)


def test_an_upgrade_killed_half_way_leaves_the_older_register_whole(tmp_path):
    db = tmp_path / "old.db"
    old_register(db)
    proc = start_paused(["--db", str(db), "unit", "list"], "upgrade")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert applied(db) == 2 and units(db) == {"Văn phòng Bộ"}
    assert run_nqtrack("--db", str(db), "unit", "list").returncode == 0
    assert applied(db) == SCHEMA_VERSION
    check_passes(db)


# A writer: one update, then it waits for the test's go (the restore then holds its lock),
# then the rest, each printed "ok NOTE" when nqtrack said it was recorded.
WRITER = textwrap.dedent("""
    import contextlib, io, os, sys
    from nqtrack.cli import app
    db, writer, rounds, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    for i in range(rounds):
        if i == 1:
            os.read(go, 1)
        note = f"w{writer}-{i}"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                code = app(["--db", db, "--lang", "en", "--today", "2022-11-15", "update",
                            str(1 + (writer * 7 + i) % 200), "--note", note], standalone_mode=False, prog_name="nqtrack")
        except SystemExit as exc:
            code = exc.code
        if code in (None, 0):
            print("ok", note, flush=True)
        elif code == 75:
            print("locked", note, flush=True)
        else:
            sys.exit(f"update {i} exited {code}")
""")


@pytest.fixture
def register(cli):
    cli("import", str(ROOT / "examples/units.csv"), "--kind", "units")
    cli("import", str(ROOT / "examples/documents.csv"), "--kind", "documents")
    cli("import", str(ROOT / "examples/tasks.csv"))
    return cli


def notes(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {row[0] for row in con.execute("SELECT note FROM events WHERE kind = 'note'")}
    finally:
        con.close()


def test_restore_under_four_writers_loses_no_write_that_reported_success(register, tmp_path):
    db = register.db
    copy = tmp_path / "copy.db"
    register("backup", str(copy))
    env = {**os.environ, "NQTRACK_BUSY_TIMEOUT": "30"}
    go_read, go_write = os.pipe()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(w), "60", str(go_read)], env=env,
                                pass_fds=(go_read,), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w in range(4)]
    os.close(go_read)
    first = [w.stdout.readline() for w in writers]  # every writer has written once (a blocking read, not a poll)
    assert all(line.startswith("ok ") for line in first), first
    resume_read, resume_write = os.pipe()
    restore = start_paused(["--db", str(db), "--lang", "en", "restore", str(copy)], "restore", resume_fd=resume_read)
    os.close(resume_read)
    os.close(go_write)  # the restore holds the write lock: the writers go on, and wait for it
    os.close(resume_write)  # the restore finishes; the writers' next writes land after it
    out, err = restore.communicate(timeout=120)
    assert restore.returncode == 0, err
    reported = {line.split()[1] for line in first}
    for writer in writers:
        rest, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
        reported |= {line.split()[1] for line in rest.splitlines() if line.startswith("ok ")}
    kept = next(p for p in tmp_path.iterdir() if ".before-restore-" in p.name)
    before, after = notes(kept), notes(db)
    assert len(reported) == 4 * 60  # nobody waited past the busy timeout here
    assert reported <= before | after  # every write that said so landed in the kept copy or in the restored register
    assert {line.split()[1] for line in first} == before & reported  # the first four before the restore, kept
    assert reported - before <= after  # all the others after it
    assert not (before & after & reported)  # the restored register starts from the backup, without the first four
    check_passes(db)
