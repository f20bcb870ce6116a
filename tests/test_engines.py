"""Issue 18: one register on two engines. The migrations match; the search ranks as FTS5
does; the example register gives the same JSON on both; `copy` moves a register both ways
with every report equal; PostgreSQL's migrations, locks, errors and concurrency."""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.store import postgres_migrations, sqlite_migrations
from nqtrack.store.sql import EXPORT_TABLES, bm25_order, search_phrases, search_tokens
from tests.support import Cli, nqtrack_executable, query, run_nqtrack

ROOT = Path(__file__).resolve().parent.parent


def test_both_engines_ship_the_same_migrations_in_the_same_order():
    from sqlite_utils import Database

    from nqtrack.store import postgres, sqlite

    names = [m.name for m in sqlite_migrations.migrations.pending(Database(memory=True))]
    assert names == [name for name, _ in postgres_migrations.MIGRATIONS]
    assert sqlite.SCHEMA_VERSION == postgres.SCHEMA_VERSION == len(names)


# -- search: the words and the ranking of SQLite's FTS5 -------------------------------------------


def fts5_tokens(text: str) -> list[str]:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61')")
    con.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    con.execute("INSERT INTO t(rowid, body) VALUES (1, ?)", [text])
    return [row[0] for row in con.execute("SELECT term FROM v ORDER BY offset")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab đĐ07-/_.,;:ÁàẢ ưƯ\u0301\u00a0\t\nœßΣσ日本"), max_size=40))
def test_search_words_are_cut_as_fts5_cuts_them(text):
    from nqtrack.core.text import fold

    assert search_tokens(fold(text)) == fts5_tokens(fold(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_an_ascii_text_is_cut_as_fts5_cuts_it(text):
    """Any ASCII character, printable or not (search_tokens' quick way for ASCII text)."""
    assert search_tokens(text) == fts5_tokens(text)


@pytest.mark.parametrize("seed", range(20))
def test_bm25_order_is_fts5s_order(seed):
    rng = random.Random(seed)
    vocabulary = ["nghi", "quyet", "bao", "cao", "hoa", "giai", "ke", "hoach", "07", "nq"]
    bodies = {i: " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12))) for i in range(1, 60)}
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE s USING fts5(body, tokenize = 'unicode61')")
    con.executemany("INSERT INTO s(rowid, body) VALUES (?, ?)", bodies.items())
    for _ in range(5):
        words = rng.sample(vocabulary, rng.randint(1, 3))
        text = " ".join(words)
        query_text = " AND ".join(f'"{w}"' for w in words)
        expected = [r[0] for r in con.execute("SELECT rowid FROM s WHERE s MATCH ? ORDER BY bm25(s), rowid",
                                              [query_text])]
        phrases = search_phrases(text)
        assert phrases is not None
        hits = [sum(1 for body in bodies.values() if p[0] in body.split()) for p in phrases]
        tokens = sum(len(body.split()) for body in bodies.values())
        assert bm25_order(bodies.items(), phrases, hits, len(bodies), tokens) == expected


# -- the example register: the same JSON on both engines, and `copy` both ways -----------------------

VIEWS = [
    ("report", "--month", "2022-10", "--format", "json"),
    ("report", "--year", "2022", "--format", "json"),
    ("report", "--quarter", "2022-Q3", "--as-of", "2022-09-15", "--format", "json"),
    ("report", "--month", "2022-06", "--known-on", "2022-07-01", "--cutoff", "15", "--format", "json"),
    ("overdue", "--format", "json"),
    ("overdue", "--within", "30", "--role", "any", "--unit", "VP", "--format", "json"),
    ("review", "--format", "json"),
    ("list", "--search", "nghi quyet", "--format", "json"),
    ("list", "--search", "bao cao", "--format", "json"),
    ("list", "--search", "ke hoach trien khai", "--format", "json"),
    ("show", "NV-2022-0004", "--as-of", "2022-06-30", "--format", "json"),
    # issues 14-16: the evaluation, the office calendar, a series, a unit and a document with
    # their journals (voided, corrected, merged)
    ("evaluate", "--year", "2022", "--format", "json"),
    ("evaluate", "--quarter", "2022-Q3", "--known-on", "2022-10-01", "--format", "json"),
    ("calendar", "list", "--year", "2022", "--format", "json"),
    ("show", "S1", "--format", "json"),
    ("show", "NV-2022-0012", "--format", "json"),
    ("list", "--all", "--unit", "VP", "--format", "json"),
    ("unit", "show", "VP", "--format", "json"),
    ("doc", "show", "07-NQ/ĐUK", "--format", "json"),
    ("report", "--month", "2022-12", "--as-of", "2022-12-31", "--format", "json"),
]


def import_examples(cli: Cli) -> None:
    cli("import", str(ROOT / "examples/units.csv"), "--kind", "units", "--create")
    cli("import", str(ROOT / "examples/documents.csv"), "--kind", "documents")
    cli("import", str(ROOT / "examples/tasks.csv"))
    cli("update", "NV-2022-0024", "--state", "done", "--on", "10/11/2022", "--by", "Chị Lan")
    cli("update", "NV-2022-0031", "--deadline", "31/12/2022", "--reason", "Chờ ý kiến", today="2022-10-20")
    cli("update", "NV-2022-0040", "--state", "done", "--on", "2022-09-20", today="2022-10-25")  # recorded late
    cli("calendar", "add", "02/12/2022", "--off", "--note", "Nghỉ bù")
    cli("assign", "Báo cáo tình hình hằng tháng", "--lead", "VP", "--doc", "07-NQ/ĐUK", "--due",
        "trước ngày 20 hằng tháng", "--assigned-on", "2022-09-01")
    cli("recur", "--until", "31/12/2022")
    cli("void", "NV-2022-0110", "--reason", "Nhập trùng")  # not one of the tasks the writers below share
    cli("edit", "NV-2022-0012", "--title", "Báo cáo chuyên đề thống kê ngành tư pháp", "--reason", "Gõ nhầm")
    cli("unit", "add", "Phòng Tổng hợp", "--code", "PTH")
    cli("unit", "merge", "PTH", "VP")
    cli("doc", "edit", "07-NQ/ĐUK", "--title", "Về nâng cao chất lượng sinh hoạt chi bộ")


def without_moments(value):
    """A view's JSON without the moments of recording (the clock's) and batch ids (random)."""
    if isinstance(value, dict):
        return {k: without_moments(v) for k, v in value.items() if k not in ("recorded_at", "batch_id")}
    if isinstance(value, list):
        return [without_moments(v) for v in value]
    return value


def views_of(cli: Cli) -> list[str]:
    return [json.dumps(without_moments(json.loads(cli(*args).stdout)), ensure_ascii=False, sort_keys=True)
            for args in VIEWS]


@pytest.mark.postgresql_only
def test_the_example_register_gives_the_same_json_on_both_engines(tmp_path, register_location):
    on_sqlite, on_server = Cli(tmp_path / "register.db"), Cli(register_location)
    import_examples(on_sqlite)
    import_examples(on_server)
    assert views_of(on_server) == views_of(on_sqlite)


@pytest.mark.postgresql_only
def test_copy_both_ways_keeps_the_journal_and_every_report(tmp_path, new_register):
    source = Cli(tmp_path / "office.db")
    import_examples(source)
    source("undo")  # the journal holds an undo too (of the document's correction)
    server = new_register()
    copied = source("copy", str(source.db), server).stdout
    # 220 tasks and the series' four periods (September to December)
    assert copied.startswith("Copied 224 tasks and ") and "nqtrack-ci" not in copied  # no password shown
    back = tmp_path / "laptop.db"
    Cli(back)("copy", server, str(back))
    for location in (server, str(back)):
        assert Cli(location)("check", "--format", "json").stdout.strip() == '{"ok":true,"problems":[]}'
        assert views_of(Cli(location)) == views_of(source)
    for table in EXPORT_TABLES:  # every table, the journals of units, documents, series and the calendar too
        assert query(server, f"SELECT * FROM {table} ORDER BY 1, 2") == query(back, f"SELECT * FROM {table} ORDER BY 1, 2")
    # the copy goes on where the source stopped: new ids after the copied ones
    Cli(server)("assign", "Việc mới sau khi chuyển", "--lead", "VP")
    assert query(server, "SELECT max(id) FROM tasks")[0][0] == 225
    refused = Cli(server)("copy", str(source.db), server, expect=2)
    assert "already holds a register" in refused.output
    assert "no such file" in source("copy", str(tmp_path / "none.db"), server, expect=4).output


@pytest.mark.sqlite_only
def test_copy_makes_only_a_new_register(cli, tmp_path):
    """copy makes its target as init makes a register: never in a folder that does not exist,
    never over a folder, a file that is no register, or a register that holds one."""
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    other = tmp_path / "notes.txt"
    other.write_text("not a register", encoding="utf-8")
    for target, code, says in ((tmp_path / "missing" / "x.db", 4, "does not exist"), (tmp_path, 5, "it is a folder"),
                               (other, 5, "not an nqtrack database"), (cli.db, 2, "cannot be the register itself")):
        result = cli("copy", str(cli.db), str(target), expect=code)
        assert says in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert other.read_text(encoding="utf-8") == "not a register"
    assert not (tmp_path / "missing").exists()
    copied = tmp_path / "copy.db"
    cli("copy", str(cli.db), str(copied))
    assert "already holds a register" in cli("copy", str(cli.db), str(copied), expect=2).output


# -- PostgreSQL: schema, errors, locks --------------------------------------------------------------


@pytest.mark.postgresql_only
def test_only_init_makes_a_register_in_an_empty_database_and_concurrent_inits_migrate_once(new_register):
    empty = new_register(empty=True)
    shown = re.sub(r":[^:@/]*@", "@", empty)  # without the password
    for command in (["info"], ["overdue"], ["unit", "add", "Văn phòng", "--code", "VP"]):
        refused = run_nqtrack("--db", empty, "--lang", "en", *command)
        assert refused.returncode == 4
        assert refused.stderr.decode().strip() == f"Error: no register at {shown}; 'nqtrack init' creates one"
    assert query(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") == [(0,)]
    starts = [subprocess.Popen(nqtrack_executable() + ["--db", empty, "--lang", "en", "init"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(6)]
    for proc in starts:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert out.decode().strip() == f"Database ready: {shown} (schema {len(postgres_migrations.MIGRATIONS)})."
    assert query(empty, "SELECT name FROM nqtrack_migrations ORDER BY name") == [
        (name,) for name, _ in postgres_migrations.MIGRATIONS]
    # nqtrack never creates a database on a server: one that does not exist cannot be reached
    missing = run_nqtrack("--db", empty + "_none", "--lang", "en", "init")
    assert missing.returncode == 5 and "does not exist" in missing.stderr.decode()


@pytest.mark.postgresql_only
def test_upgrades_and_a_failing_migration_change_nothing(register_location, monkeypatch):
    from nqtrack.store.postgres import PostgresStore

    Cli(register_location)("unit", "add", "Văn phòng Bộ", "--code", "VP")

    def m999_broken(conn):
        conn.execute("ALTER TABLE tasks ADD COLUMN half_done integer")
        raise RuntimeError("boom")

    def m999_priority(conn):
        conn.execute("ALTER TABLE tasks ADD COLUMN priority integer NOT NULL DEFAULT 0")

    shipped = list(postgres_migrations.MIGRATIONS)
    monkeypatch.setattr("nqtrack.store.postgres.SCHEMA_VERSION", len(shipped) + 1)
    monkeypatch.setattr("nqtrack.store.postgres.MIGRATIONS", [*shipped, ("m999_broken", m999_broken)])
    with pytest.raises(RuntimeError):
        PostgresStore(register_location)
    columns = [r[0] for r in query(register_location, "SELECT column_name FROM information_schema.columns "
                                                      "WHERE table_name = 'tasks'")]
    assert "half_done" not in columns
    monkeypatch.setattr("nqtrack.store.postgres.MIGRATIONS", [*shipped, ("m999_priority", m999_priority)])
    store = PostgresStore(register_location)
    assert store.applied_migrations() == len(shipped) + 1
    assert [u.name for u in store.list_units()] == ["Văn phòng Bộ"]
    store.close()


@pytest.mark.postgresql_only
def test_a_database_of_another_program_is_refused(new_register):
    other = new_register(empty=True)
    query(other, "CREATE TABLE invoices(id integer)")
    result = run_nqtrack("--db", other, "--lang", "en", "list")
    assert result.returncode == 5
    assert result.stderr.decode().strip().endswith("(it holds other tables)")
    assert "nqtrack-ci" not in result.stderr.decode()  # the password is never shown


@pytest.mark.postgresql_only
def test_an_unreachable_server_is_one_line():
    result = run_nqtrack("--db", "postgresql://nobody:secret@127.0.0.1:9/nqtrack", "--lang", "en", "list")
    assert result.returncode == 5
    line = result.stderr.decode().strip()
    assert line.startswith("Error: cannot reach the register: postgresql://nobody@127.0.0.1:9/nqtrack (")
    assert "secret" not in line and "\n" not in line and "Traceback" not in line


@pytest.mark.postgresql_only
def test_a_locked_task_gives_exit_75_and_writes_nothing(cli):
    import psycopg

    import_examples(cli)
    events = query(cli.db, "SELECT count(*) FROM events")
    with psycopg.connect(str(cli.db)) as holder:
        holder.execute("SELECT * FROM tasks WHERE id = 1 FOR UPDATE")
        # the example register's day (on a later one, the series' periods would open first)
        result = run_nqtrack("--db", str(cli.db), "--lang", "en", "--today", "2022-11-15", "--busy-timeout", "0.3",
                             "update", "1", "--progress", "10")
        assert result.returncode == 75
        assert result.stderr.decode().strip().startswith("Error: database is locked: postgresql://")
        # no global write lock: another task is updated meanwhile
        other = run_nqtrack("--db", str(cli.db), "--today", "2022-11-15", "--busy-timeout", "0.3", "update", "2",
                            "--note", "vẫn ghi được")
        assert other.returncode == 0, other.stderr.decode()
        holder.rollback()
    assert query(cli.db, "SELECT count(*) FROM events")[0][0] == events[0][0] + 1


@pytest.mark.postgresql_only
def test_a_read_only_register_refuses_a_write_and_answers_every_view(cli, tmp_path):
    import_examples(cli)
    written = Cli(tmp_path / "same.db")
    import_examples(written)
    name = str(cli.db).rsplit("/", 1)[1]
    query(cli.db, f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    events = query(cli.db, "SELECT count(*) FROM events")
    refused = run_nqtrack("--db", str(cli.db), "--lang", "en", "update", "1", "--progress", "10")
    assert refused.returncode == 74
    assert refused.stderr.decode().strip().startswith("Error: the register is read-only: postgresql://")
    assert query(cli.db, "SELECT count(*) FROM events") == events
    # and reads it as a replica is read: the views replay the journal without writing
    assert views_of(cli) == views_of(written)


@pytest.mark.postgresql_only
def test_backup_of_a_server_register_is_a_sqlite_file_that_restores(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import_examples(cli)
    before = views_of(cli)
    written = cli("backup").stdout
    backup = tmp_path / "nqtrack-backup-2022-11-15.db"
    assert str(backup) in written
    assert views_of(Cli(backup)) == before  # a SQLite register, as it is
    cli("update", "NV-2022-0050", "--state", "done", "--on", "2022-11-14")
    cli("restore", str(backup))
    assert views_of(cli) == before
    assert [p.name for p in tmp_path.iterdir() if ".before-restore-" in p.name]


# -- PostgreSQL: many offices at once ---------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from nqtrack.cli import app
    db, writer = sys.argv[1], int(sys.argv[2])
    for i in range(100):
        task = str(1 + (writer * 7 + i) % 40)  # the writers meet on the same tasks
        note = f"w{writer}-{i}"
        code = app(["--db", db, "--lang", "en", "--today", "2022-11-15", "update", task,
                    "--progress", str(i % 100), "--note", note, "--by", f"writer {writer}"],
                   standalone_mode=False, prog_name="nqtrack")
        if code in (None, 0):
            print("succeeded", note, flush=True)
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


@pytest.mark.postgresql_only
def test_sixteen_writers_two_report_loops_and_an_import(cli, tmp_path):
    import_examples(cli)
    db = str(cli.db)
    more = tmp_path / "more.csv"
    with more.open("w", encoding="utf-8") as f:
        f.write("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n")
        for i in range(3000):
            f.write(f"X-{i},Nhiệm vụ bổ sung {i},Văn phòng Bộ,30/12/2022\n")
    env = {**os.environ, "NQTRACK_BUSY_TIMEOUT": "60"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, db, str(w)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE) for w in range(16)]
    others = [subprocess.Popen([sys.executable, "-c", READER, db, "10"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE) for _ in range(2)]
    others.append(subprocess.Popen(nqtrack_executable() + ["--db", db, "--today", "2022-11-15", "import", str(more)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    succeeded: set[str] = set()
    for proc in writers:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-2000:]
        succeeded |= {line.split()[1] for line in out.decode().splitlines() if line.startswith("succeeded ")}
    for proc in others:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-2000:]
    journal = {row[0] for row in query(db, "SELECT note FROM events WHERE note LIKE 'w%-%'")}
    assert succeeded <= journal and len(succeeded) == 1600  # every reported success is journaled
    assert query(db, "SELECT count(*) FROM tasks WHERE code LIKE 'X-%'")[0][0] == 3000
    result = run_nqtrack("--db", db, "--lang", "en", "check")
    assert result.returncode == 0 and "All checks passed." in result.stdout.decode(), result.stdout.decode()


@pytest.mark.postgresql_only
def test_six_processes_on_an_older_register_upgrade_it_once_and_all_proceed(new_register, monkeypatch):
    """An upgrade under concurrent first use is safe on PostgreSQL too: a register two
    migrations behind, opened by six processes at once (three writing, three reading), is
    upgraded once, every process proceeds, and nothing written is lost."""
    from nqtrack.store.postgres import PostgresStore

    location = new_register(empty=True)
    shipped = list(postgres_migrations.MIGRATIONS)
    older = shipped[:-2]
    with monkeypatch.context() as patched:
        patched.setattr("nqtrack.store.postgres.SCHEMA_VERSION", len(older))
        patched.setattr("nqtrack.store.postgres.MIGRATIONS", older)
        PostgresStore(location, create=True).close()
    assert query(location, "SELECT count(*) FROM nqtrack_migrations") == [(len(older),)]
    commands = [["unit", "add", f"Đơn vị {i}"] if i % 2 else ["list", "--format", "csv"] for i in range(6)]
    starts = [subprocess.Popen(nqtrack_executable() + ["--db", location, "--lang", "en", *command],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for command in commands]
    for proc in starts:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert query(location, "SELECT name FROM nqtrack_migrations ORDER BY name") == sorted(
        (name,) for name, _ in shipped)
    assert sorted(r[0] for r in query(location, "SELECT name FROM units")) == ["Đơn vị 1", "Đơn vị 3", "Đơn vị 5"]
    assert run_nqtrack("--db", location, "--lang", "en", "check").returncode == 0
