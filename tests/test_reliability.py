"""Issue 7: concurrent use, crashes, junk input, recovery, output safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import batch_of, nqtrack_executable, query, run_nqtrack, start_paused

ROOT = Path(__file__).resolve().parent.parent


def table_rows(db: Path | str) -> dict:
    return {t: query(db, f"SELECT * FROM {t} ORDER BY 1, 2")
            for t in ("units", "unit_keys", "documents", "tasks", "task_units", "events", "settings")}


def check_passes(db: Path) -> None:
    result = run_nqtrack("--db", str(db), "--lang", "en", "check")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert "All checks passed." in result.stdout.decode()


@pytest.fixture
def register(cli):
    cli("import", str(ROOT / "examples/units.csv"), "--kind", "units")
    cli("import", str(ROOT / "examples/documents.csv"), "--kind", "documents")
    cli("import", str(ROOT / "examples/tasks.csv"))
    return cli


WRITER = textwrap.dedent("""
    import sys
    from nqtrack.cli import app
    db, writer, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for i in range(200):
        task = str(first + i % 40)
        code = app(["--db", db, "--lang", "en", "--today", "2022-11-15", "update", task,
                    "--progress", str(i % 100), "--note", f"w{writer}-{i}", "--by", f"writer {writer}"],
                   standalone_mode=False, prog_name="nqtrack")
        if code not in (None, 0):
            sys.exit(f"update {i} exited {code}")
""")

READER = textwrap.dedent("""
    import sys, io, contextlib
    from nqtrack.cli import app
    db, rounds = sys.argv[1], int(sys.argv[2])
    for i in range(rounds):
        with contextlib.redirect_stdout(io.StringIO()):
            code = app(["--db", db, "--today", "2022-11-15", "report", "--month", "2022-10", "--format", "json"],
                       standalone_mode=False, prog_name="nqtrack")
        if code not in (None, 0):
            sys.exit(f"report {i} exited {code}")
""")


def test_concurrent_writers_readers_and_an_import(register, tmp_path):
    db = str(register.db)
    big = tmp_path / "more.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n")
        for i in range(3000):
            f.write(f"X-{i},Nhiệm vụ bổ sung {i},Văn phòng Bộ,30/12/2022\n")
    env = {**os.environ, "NQTRACK_BUSY_TIMEOUT": "30"}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db, str(w), str(1 + 50 * w)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for w in range(4)]
    procs += [subprocess.Popen([sys.executable, "-c", READER, db, "15"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    procs.append(subprocess.Popen(nqtrack_executable() + ["--db", db, "--today", "2022-11-15", "import", str(big)],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-2000:]
    notes = {row[0] for row in query(db, "SELECT note FROM events WHERE note LIKE 'w%-%'")}
    assert notes == {f"w{w}-{i}" for w in range(4) for i in range(200)}
    assert query(db, "SELECT count(*) FROM tasks WHERE code LIKE 'X-%'")[0][0] == 3000
    check_passes(register.db)


@pytest.mark.sqlite_only  # PostgreSQL's row locks: tests/test_engines.py
def test_locked_database_gives_exit_75_and_writes_nothing(register):
    before = table_rows(register.db)
    holder = sqlite3.connect(register.db)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_nqtrack("--db", str(register.db), "--lang", "en", "--busy-timeout", "0.3", "update", "1", "--progress", "10")
        assert result.returncode == 75
        assert result.stderr.decode().strip() == f"Error: database is locked: {register.db}"
        vi = run_nqtrack("--db", str(register.db), "--busy-timeout", "0.3", "update", "1", "--progress", "10")
        assert vi.returncode == 75 and "cơ sở dữ liệu đang bị khóa" in vi.stderr.decode()
    finally:
        holder.rollback()
        holder.close()
    assert table_rows(register.db) == before


def kill_when_paused(args: list[str], point: str, tmp_path: Path) -> None:
    proc = start_paused(args, point)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_sigkill_in_the_middle_of_an_update(register, tmp_path):
    before = table_rows(register.db)
    kill_when_paused(["--db", str(register.db), "--today", "2022-11-15", "update", "5", "--state", "done", "--on", "2022-11-01"],
                     "commit", tmp_path)
    assert table_rows(register.db) == before
    check_passes(register.db)


def test_sigkill_in_the_middle_of_an_import(register, tmp_path):
    before = table_rows(register.db)
    more = tmp_path / "m.csv"
    more.write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì\nY-1,Việc mới,Văn phòng Bộ\n", encoding="utf-8")
    kill_when_paused(["--db", str(register.db), "import", str(more)], "commit", tmp_path)
    assert table_rows(register.db) == before
    check_passes(register.db)


def test_sigkill_in_the_middle_of_a_backup(register, tmp_path):
    target = tmp_path / "copy.db"
    before = table_rows(register.db)
    kill_when_paused(["--db", str(register.db), "backup", str(target)], "backup", tmp_path)
    assert not target.exists()  # a backup cut short never looks like a backup
    assert table_rows(register.db) == before
    check_passes(register.db)
    assert run_nqtrack("--db", str(register.db), "backup", str(target)).returncode == 0
    check_passes(target)


def test_backup_restore_and_automatic_backup_before_a_migration(register, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a server's register keeps the replaced one
    copy = tmp_path / "copy.db"
    register("backup", str(copy))
    register("update", "3", "--progress", "77")
    out = register("restore", str(copy)).stdout
    assert "Restored from" in out and "the replaced database was kept as" in out
    assert json.loads(register("show", "3", "--format", "json").stdout)["task"]["progress"] != 77
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1
    check_passes(register.db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 200)
    result = register("restore", str(junk), expect=5)
    assert "not an nqtrack database" in result.output
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x(a)").connection.commit()
    assert "not an nqtrack database" in register("restore", str(other), expect=5).output
    assert "no such file" in register("restore", str(tmp_path / "none.db"), expect=4).output


def test_check_deadline_before_assignment_needs_a_note(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("assign", "Việc giao muộn", "--lead", "VP", "--due", "01/03/2022", "--assigned-on", "2022-03-10", today="2022-03-10")
    problems = json.loads(cli("check", "--format", "json", expect=1).stdout)["problems"]
    assert problems == [{"task": 1, "problem": "deadline before the day it was assigned, with no note"}]
    cli("update", "1", "--note", "Văn bản đến chậm, thời hạn đã qua khi nhận", today="2022-03-10")
    assert json.loads(cli("check", "--format", "json").stdout) == {"ok": True, "problems": []}


def test_check_lists_broken_rules_with_task_numbers(register):
    query(register.db, "UPDATE tasks SET completed_on = NULL WHERE id = 2")  # done, by the examples
    query(register.db, "UPDATE tasks SET assignee = 'Ai đó' WHERE id = 7")  # not through the journal
    result = register("check", "--format", "json", expect=1)
    problems = json.loads(result.stdout)["problems"]
    assert {"task": 2, "problem": "done without a completion date"} in problems
    assert any(p["task"] == 7 and "'assignee'" in p["problem"] for p in problems)
    assert json.loads(result.stdout)["ok"] is False


def test_undo_last_change_and_a_whole_import(register, tmp_path):
    register("update", "NV-2022-0003", "--deadline", "31/12/2022", "--reason", "Lùi", today="2022-11-15")
    register("undo", today="2022-11-16")
    data = json.loads(register("show", "NV-2022-0003", "--format", "json").stdout)
    assert data["task"]["deadline"] == data["task"]["original_deadline"]
    assert [h["kind"] for h in data["history"]][-2:] == ["undo", "undo"]
    assert "undo" in register("show", "NV-2022-0003").stdout
    extra = tmp_path / "extra.csv"
    extra.write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\nZ-1,Việc thêm 1,Văn phòng Bộ,01/11/2022\nZ-2,Việc thêm 2,Văn phòng Bộ,02/11/2022\n", encoding="utf-8")
    out = register("import", str(extra)).stdout
    batch = batch_of(out)
    overdue = lambda: [t["code"] for t in json.loads(register("overdue", "--format", "json").stdout)["tasks"]]  # noqa: E731
    assert "Z-1" in overdue()
    register("undo", "--batch", batch)
    assert "Z-1" not in overdue() and "Z-2" not in overdue()
    assert "nothing to undo" in register("undo", "--batch", batch, expect=4).output
    check_passes(register.db)


def test_undo_refuses_to_clobber_a_later_change(register):
    register("update", "4", "--progress", "20", today="2022-11-14")
    register("update", "4", "--progress", "30", today="2022-11-15")
    register("undo", "--last", "1")
    assert json.loads(register("show", "4", "--format", "json").stdout)["task"]["progress"] == 20
    register("undo", "--last", "1")
    assert json.loads(register("show", "4", "--format", "json").stdout)["task"]["progress"] is None


def test_export_and_import_rebuild_an_equal_register(register, tmp_path):
    register("update", "1", "--note", "Ghi chú 'quan trọng'; \"trích dẫn\"")
    export = tmp_path / "register.json"
    register("export", str(export))
    data = json.loads(export.read_text(encoding="utf-8"))
    assert data["format"] == "nqtrack-export" and len(data["tasks"]) == 220
    other = tmp_path / "rebuilt.db"
    result = run_nqtrack("--db", str(other), "--lang", "en", "import", str(export), "--create")
    assert result.returncode == 0, result.stderr.decode()
    assert "Register rebuilt: 21 units, 13 documents, 220 tasks" in result.stdout.decode()
    original, rebuilt = table_rows(register.db), table_rows(other)
    for table in ("units", "unit_keys", "documents", "tasks", "task_units", "events"):
        assert rebuilt[table] == original[table], table
    check_passes(other)
    again = run_nqtrack("--db", str(other), "--lang", "en", "import", str(export))
    assert again.returncode == 2 and "empty database" in again.stderr.decode()
    csv_out = tmp_path / "tasks.csv"
    register("export", "--format", "csv", str(csv_out))
    # a CSV file starts with the byte-order mark Excel needs to read UTF-8; its header is the machine keys
    assert csv_out.read_text(encoding="utf-8").startswith("\ufeffid,code,title,document,source,lead_unit")


NASTY = [
    "=HYPERLINK(\"http://x\",\"bấm\")", "+1+2", "-2+3", "@SUM(A1)", "[bold red]đỏ[/]", "'; DROP TABLE tasks; --",
    "Báo cáo 🎉✅", "تقرير عربي مع נ עברית", "Rất dài " * 200,
]


def test_user_text_is_never_markup_sql_or_a_formula(cli, tmp_path):
    cli("unit", "add", "[b]Văn phòng[/b]", "--code", "VP")
    for i, title in enumerate(NASTY):
        # "--" ends the options, so a title may start with "-"
        cli("assign", "--lead", "VP", "--due", "01/11/2022", "--code", f"N{i}", "--assigned-on", "2022-10-01", "--", title, today="2022-10-01")
    listed = json.loads(cli("list", "--format", "json").stdout)
    assert [t["title"] for t in listed] == [" ".join(t.split()) for t in NASTY]
    csv_text = cli("overdue", "--format", "csv").stdout
    assert '"\'=HYPERLINK(' in csv_text and ",'+1+2," in csv_text and ",'-2+3," in csv_text and ",'@SUM(A1)," in csv_text
    table = cli("list", lang="en").stdout
    assert "[bold red]đỏ[/]" in table and "[b]Văn phòng[/b]" in table
    overdue_table = cli("overdue").stdout
    assert "[b]Văn phòng[/b]" in overdue_table
    markdown = cli("overdue", "--format", "markdown").stdout
    assert "🎉" in markdown
    assert query(cli.db, "SELECT count(*) FROM tasks")[0][0] == len(NASTY)
    assert cli("report", "--month", "2022-11", "--format", "markdown").exit_code == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400),
    st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6).map(
        lambda rows: "\n".join(",".join(cells) for cells in
                               [["Mã nhiệm vụ", "Nội dung nhiệm vụ", "Thời hạn", "Đơn vị chủ trì"]] + rows).encode("utf-8")),
    st.lists(st.tuples(st.text(max_size=20), st.text(max_size=15), st.sampled_from([";", ",", "\t", "|"])), max_size=5).map(
        lambda rows: "\n".join(sep.join(["Nội dung", "Thời hạn", "Trạng thái"]) + "\n" + sep.join([a, b, "x"]) for a, b, sep in rows).encode("utf-16")),
))
def test_fuzzed_files_never_crash_and_leave_nothing_on_error(cli_for_fuzz, data):
    cli, path = cli_for_fuzz
    path.write_bytes(data)
    before = table_rows(cli.db)
    result = cli("import", str(path), expect=None)
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    if result.exit_code == 2:
        assert result.output.startswith("Error: ")
        assert table_rows(cli.db) == before


@pytest.fixture(scope="module")
def cli_for_fuzz(tmp_path_factory):
    from tests.support import Cli

    folder = tmp_path_factory.mktemp("fuzz")
    cli = Cli(folder / "fuzz.db")
    cli("init")
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    return cli, folder / "input.csv"


@pytest.mark.parametrize(
    "setup, args, code, message",
    [
        ("junk", ["list"], 5, "Error: not an nqtrack database: {db} (file is not a database)"),
        ("other", ["list"], 5, "Error: not an nqtrack database: {db} (it holds other tables)"),
        (None, ["--lang", "fr", "list"], 2, "Error: unknown language 'fr'; use vi or en"),
        (None, ["--today", "31/02/2022", "list"], 2, "Error: bad date for --today: '31/02/2022' is not a date"),
        (None, ["list", "--format", "xml"], 2, "Error: unknown format 'xml'; use one of: table, markdown, csv, json, xlsx"),
        (None, ["report", "--month", "2022-10", "--unit", "Không Có"], 4, "Error: unknown unit: 'Không Có'"),
        (None, ["overdue", "--group", "weekday"], 2, "Error: unknown group 'weekday'; use one of: unit, month, document, none"),
        (None, ["import", "--kind", "people", "x.csv"], 2, "Error: unknown kind 'people'; use one of: tasks, units, documents"),
        (None, ["import", "x.csv", "--skip-invalid"], 2, "Error: --skip-invalid needs --rejects FILE for the rows it leaves out"),
        (None, ["undo"], 4, "Error: nothing to undo"),
        (None, ["config", "cutoff", "40"], 2, "Error: --cutoff takes a day from 1 to 28"),
    ],
)
def test_failure_paths_say_one_line_and_exit_non_zero(tmp_path, setup, args, code, message):
    db = tmp_path / "f.db"
    if setup is None:
        assert run_nqtrack("--db", str(db), "init").returncode == 0
    elif setup == "junk":
        db.write_bytes(b"junk" * 1000)
    elif setup == "other":
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE invoices(id)")
        con.commit()
        con.close()
    argv = ["--db", str(db)] + (args if args[0] == "--lang" else ["--lang", "en"] + args)
    result = run_nqtrack(*argv)
    assert result.returncode == code
    assert result.stderr.decode().strip() == message.format(db=db)
    assert result.stdout == b""
