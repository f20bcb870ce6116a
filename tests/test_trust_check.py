"""Issue 13, `check` sees all tampering, and settings that cannot be used are refused when
set and named, not crashed on, when read. The tests on `office_register` run on both
engines (the contract suite); on PostgreSQL a rolled-back write leaves its numbers unused,
and `check` counts what is missing where the numbers cannot tell which."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqtrack import i18n
from nqtrack.render.problems import translate_problem
from nqtrack.store.sql import search_tokens
from tests.support import Cli, query

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example_register(tmp_path_factory) -> Path:
    cli = Cli(tmp_path_factory.mktemp("example") / "register.db")
    cli("init")
    cli("import", str(ROOT / "examples/units.csv"), "--kind", "units")
    cli("import", str(ROOT / "examples/documents.csv"), "--kind", "documents")
    cli("import", str(ROOT / "examples/tasks.csv"))
    cli("update", "5", "--note", "ghi chú", "--progress", "30")
    return cli.db


@pytest.fixture
def register(example_register, tmp_path) -> Cli:
    shutil.copy(example_register, tmp_path / "register.db")
    return Cli(tmp_path / "register.db")


def tamper(db: Path | str, *statements: str) -> None:
    """Statements run behind nqtrack's back, on a register of either engine."""
    for sql in statements:
        query(db, sql)


# SQLite's own diagnostics (the lines of its integrity check), shown as SQLite writes them
SQLITE_SAYS = re.compile(r"\*\*\* in database .*|NULL value in \S+|row \d+ missing from index \S+|"
                         r"CHECK constraint failed in \S+|non-unique entry in index \S+|"
                         r"wrong # of entries in index \S+", re.DOTALL)


def said_in_vietnamese(found: list[dict]) -> list[dict]:
    """The problems `check` found, each of which a table shows in Vietnamese (render.problems),
    but SQLite's own lines: every test that finds one holds its words to the catalog."""
    before = i18n.language()
    i18n.set_language("vi")
    try:
        for problem in found:
            text = problem["problem"]
            assert SQLITE_SAYS.fullmatch(text) or translate_problem(text) != text, f"not in Vietnamese: {text!r}"
    finally:
        i18n.set_language(before)
    return found


def problems(cli: Cli) -> list[dict]:
    result = cli("check", "--format", "json", expect=1)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    return said_in_vietnamese(data["problems"])


def test_the_example_register_passes(register):
    assert json.loads(register("check", "--format", "json").stdout) == {"ok": True, "problems": []}


def last_event_of(db: Path, task: int) -> tuple[int, int]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT min(id), max(id) FROM events WHERE task_id = ?", [task]).fetchone()
    finally:
        con.close()


KEPT_BESIDE_THE_TASKS = [
    (["UPDATE tasks SET title_key = 'bao cao khac' WHERE id = 3"],
     [{"task": 3, "problem": "the title key 'bao cao khac' does not match the title"}]),
    (["UPDATE tasks SET original_deadline = '2030-01-01' WHERE id = 4"],
     [{"task": 4, "problem": "the original deadline is '2030-01-01' but the journal says '2022-03-18'"}]),
    (["DELETE FROM task_search WHERE rowid = 6"], [{"task": 6, "problem": "missing from the search index"}]),
    (["UPDATE task_search SET body = 'khong lien quan' WHERE rowid = 7"],
     [{"task": 7, "problem": "its text in the search index does not match its fields"}]),
    (["INSERT INTO task_search(rowid, body) VALUES (999, 'ma')"],
     [{"task": 999, "problem": "in the search index, but there is no such task"}]),
    (["DELETE FROM unit_keys WHERE unit_id = 1 AND key = 'vp'"],
     [{"task": None, "problem": "unit 1 (Văn phòng Bộ): its look-up keys do not match its name, code and aliases"}]),
    (["INSERT INTO unit_keys(key, unit_id) VALUES ('ke gian', 1)"],
     [{"task": None, "problem": "unit 1 (Văn phòng Bộ): its look-up keys do not match its name, code and aliases"}]),
]


@pytest.mark.parametrize("statements, expected", KEPT_BESIDE_THE_TASKS)
def test_check_sees_what_is_kept_beside_the_tasks(register, statements, expected):
    tamper(register.db, *statements)
    found = problems(register)
    assert found == expected


@pytest.mark.parametrize("statements, expected", KEPT_BESIDE_THE_TASKS)
def test_check_finds_the_same_reading_the_index_back_word_by_word(register, statements, expected, monkeypatch):
    """Where FTS5 cannot check its own index (a read-only file: FTS5 takes its check as an
    INSERT), check reads every task's words back from the index, and finds the same."""
    from nqtrack.store.sqlite import SqliteStore

    monkeypatch.setattr(SqliteStore, "_search_index_whole", lambda self: False)
    tamper(register.db, *statements)
    assert problems(register) == expected


def test_check_says_its_problems_in_the_chosen_language(register):
    """A table or markdown is read by people: each problem in the chosen language, with the
    values the register holds. The JSON and the CSV keep the English words a script compares."""
    tamper(register.db, "UPDATE tasks SET original_deadline = '2030-01-01' WHERE id = 4",
           "DELETE FROM task_search WHERE rowid = 6",
           "DELETE FROM unit_keys WHERE unit_id = 1 AND key = 'vp'")
    english = ["unit 1 (Văn phòng Bộ): its look-up keys do not match its name, code and aliases",
               "the original deadline is '2030-01-01' but the journal says '2022-03-18'",
               "missing from the search index"]
    vietnamese = ["đơn vị 1 (Văn phòng Bộ): khóa tra cứu không khớp với tên, mã và tên gọi khác",
                  "thời hạn ban đầu là '2030-01-01' nhưng nhật ký ghi '2022-03-18'",
                  "không có trong chỉ mục tìm kiếm"]
    assert [p["problem"] for p in problems(register)] == english
    shown = register("check", "--format", "markdown", lang="vi", expect=1).stdout
    assert all(text in shown for text in vietnamese) and not any(text in shown for text in english)
    assert "Phát hiện 3 vấn đề." in shown
    shown = register("check", "--format", "markdown", expect=1).stdout
    assert all(text in shown for text in english) and "3 problems found." in shown
    rows = register("check", "--format", "csv", lang="vi", expect=1).stdout.splitlines()
    assert rows == ["task,problem", f',"{english[0]}"', f"4,{english[1]}", f"6,{english[2]}"]


# task 6's creation fingerprint with its hash of all the fields changed and each field's byte
# kept: the fields differ, but none can be named
WHOLE_PRINT_CHANGED = ("UPDATE events SET new_value = '#0000000000000000' || substr(new_value, 18) "
                       "WHERE task_id = 6 AND field IS NULL")


@pytest.mark.parametrize("statements, expected", [
    (["UPDATE tasks SET completed_on = NULL WHERE id = 2"], [(2, "done without a completion date")]),
    (["UPDATE tasks SET completed_on = '2022-05-01' WHERE id = 6"], [(6, "a completion date but not done")]),
    (["UPDATE tasks SET deadline = '2021-12-31' WHERE id = 6"],
     [(6, "deadline before the day it was assigned, with no note")]),
    (["DELETE FROM events WHERE task_id = 6 AND field IS NULL"], [(6, "no creation event in the journal")]),
    (["INSERT INTO task_units(task_id, unit_id) VALUES (6, 999)"], [(None, "foreign key: task_units row None → units")]),
    (["UPDATE register_events SET field = 'nothing' WHERE id = 1"],
     [(None, "unit {unit}: its journal names a field 'nothing' it does not have")]),
    (["UPDATE register_events SET entity_id = 99 WHERE id = 1"],
     [(None, "unit 99 is in its journal, but there is no such unit")]),
    (["DELETE FROM events WHERE task_id IN (8, 9)", "DELETE FROM task_units WHERE task_id IN (8, 9)",
      "DELETE FROM task_search WHERE rowid IN (8, 9)", "DELETE FROM tasks WHERE id IN (8, 9)"],
     [(8, "tasks 8–9 are missing (deleted outside nqtrack, with their events?)")]),
    # the highest number written lowered: two tasks gone, one missing by the count, which cannot be told
    (["DELETE FROM events WHERE task_id IN (8, 9)", "DELETE FROM task_units WHERE task_id IN (8, 9)",
      "DELETE FROM task_search WHERE rowid IN (8, 9)", "DELETE FROM tasks WHERE id IN (8, 9)",
      "UPDATE register_marks SET value = value - 1 WHERE name = 'last_task'"],
     [("{after_highest}", "1 task is missing (deleted outside nqtrack, with their events?)")]),
    ([WHOLE_PRINT_CHANGED], [(6, "its fields are not what its creation event #{creation} recorded")]),
])
def test_check_names_every_rule_broken_in_words_a_table_shows_in_vietnamese(register, statements, expected):
    """The rules the tamper cases above leave unbroken, each broken behind nqtrack's back:
    found, and (problems(), said_in_vietnamese) in Vietnamese words too."""
    unit = row_id(register.db, "SELECT entity_id FROM register_events WHERE id = 1")
    creation = row_id(register.db, "SELECT id FROM events WHERE task_id = 6 AND field IS NULL")
    after_highest = row_id(register.db, "SELECT max(id) + 1 FROM tasks")
    tamper(register.db, *statements)
    found = problems(register)
    for task, problem in expected:
        task = after_highest if task == "{after_highest}" else task
        assert {"task": task, "problem": problem.format(unit=unit, creation=creation)} in found, found


def test_fts5_checks_the_search_index_against_the_text_of_every_task(register):
    """SQLite's index keeps no copy of the text: FTS5 checks it against the text the view
    task_search_text makes of every task, and finds a row's words changed behind its back."""
    from nqtrack.store.sqlite import SqliteStore

    def whole() -> bool:
        store = SqliteStore(str(register.db))
        try:
            return store._search_index_whole()
        finally:
            store.close()

    # this SQLite's FTS5 holds an index to its content (else check reads the words back)
    from nqtrack.store.sqlite import _fts5_compares_content

    assert _fts5_compares_content() is True
    assert whole() is True
    assert query(register.db, "SELECT count(*) FROM sqlite_master WHERE name = 'task_search_content'") == [(0,)]
    tamper(register.db, "UPDATE task_search SET body = 'khong lien quan' WHERE rowid = 7")
    assert whole() is False


def test_check_sees_a_task_deleted_with_its_events(register):
    first, last = last_event_of(register.db, 8)
    tamper(register.db, "DELETE FROM events WHERE task_id = 8", "DELETE FROM task_units WHERE task_id = 8",
           "DELETE FROM task_search WHERE rowid = 8", "DELETE FROM tasks WHERE id = 8")
    expected = [{"task": None, "problem": f"journal event {first} is missing (deleted outside nqtrack?)"
                 if first == last else f"journal events {first}–{last} are missing (deleted outside nqtrack?)"},
                {"task": 8, "problem": "this task is missing (deleted outside nqtrack, with its events?)"}]
    assert problems(register) == expected


def test_check_sees_the_newest_task_deleted_with_its_events(register):
    register("assign", "Việc mới nhất", "--lead", "VP")
    newest = json.loads(register("info", "--format", "json").stdout)["tasks"]
    first, last = last_event_of(register.db, newest)
    # the search row first: SQLite's index takes a row out by the text the view makes of the task
    tamper(register.db, f"DELETE FROM events WHERE task_id = {newest}", f"DELETE FROM task_search WHERE rowid = {newest}",
           f"DELETE FROM tasks WHERE id = {newest}")
    assert problems(register) == [
        {"task": None, "problem": f"journal event {first} is missing (deleted outside nqtrack?)"},
        {"task": newest, "problem": "this task is missing (deleted outside nqtrack, with its events?)"},
    ]
    assert first == last  # a creation is one event: the newest one of the journal


# -- the file itself: `check` reads every page and record (SQLite's quick check), `check --full`
# also looks every row up in each index of its table (the full integrity check) --------------


def writable_schema(db: Path, *statements: str) -> None:
    """Statements on sqlite_master, as only a tool outside nqtrack (or damage) would run them."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA writable_schema = ON")
        for sql in statements:
            con.execute(sql)
        con.commit()
    finally:
        con.close()


def damage_first_page(db: Path, name: str, into: Path | None = None) -> int:
    """Make the first page of the table or index `name` unreadable to SQLite, in the register
    or in a copy of it made at `into` (its WAL checkpointed first); the page's number."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    if into is not None:
        db = Path(shutil.copy(db, into))
    with open(db, "r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\x00")
    return root


def test_check_sees_a_damaged_page(register):
    root = damage_first_page(register.db, "events_undoes")  # an index one check never reads
    damage = {"task": None, "problem": f"*** in database main ***\nPage {root}: btreeInitPage() returns error code 11"}
    assert problems(register) == [damage]
    assert problems_with(register, "--full") == [damage]


def test_check_reports_the_damage_when_the_rules_cannot_be_read(register):
    # an index the rules' statements read (done ⇔ completion date)
    root = damage_first_page(register.db, "tasks_state_completed")
    found = problems(register)
    assert found[0]["problem"].startswith(f"*** in database main ***\nPage {root}: btreeInitPage() returns error code 11")
    assert found[1:] == [{"task": None, "problem": "the register's rules could not be checked: its file is damaged"}]


def test_check_reports_the_damage_when_what_is_kept_beside_the_tasks_cannot_be_read(register):
    # the units' look-up keys (read by integrity_problems): SQLite's quick check stops at the page
    damage_first_page(register.db, "unit_keys")
    assert problems(register) == [
        {"task": None, "problem": "the file cannot be read whole: database disk image is malformed"},
        {"task": None, "problem": "what the register keeps beside its tasks could not be checked: its file is damaged"}]


def test_check_names_the_damage_of_any_index_in_one_line_never_a_traceback(register, tmp_path):
    """Each index of the register with its first page made unreadable in turn: `check` names
    the damage, or says in one line that the file is damaged or not a register; whatever its
    statements then cannot read, never a traceback (the reads after the quick check once
    raised SQLite's error: 10 of the 40 indexes here)."""
    indexes = [name for (name,) in query(register.db, "SELECT name FROM sqlite_master "
                                                      "WHERE type = 'index' AND rootpage > 0 ORDER BY name")]
    assert len(indexes) > 30
    damaged = tmp_path / "damaged.db"
    for name in indexes:
        root = damage_first_page(register.db, name, into=damaged)
        result = Cli(damaged)("check", "--format", "json", expect=None)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert result.exit_code in (1, 5), (name, result.exit_code, result.output)
        if result.exit_code == 1 and result.output.startswith("{"):
            found = json.loads(result.output)["problems"]
            assert f"Page {root}: btreeInitPage() returns error code 11" in found[0]["problem"], (name, found)
        else:
            assert len(result.output.splitlines()) == 1 and result.output.startswith("Error: "), (name, result.output)


# What other commands read of a damaged file once escaped as SQLite's traceback: every table
# and index of this register damaged in turn under 11 commands (overdue, report, info, list,
# show, evaluate, review, remind, update, export, dashboard) found 27 such pairs, these among
# them; some pages fail only while rows are fetched, after their statement ran.
DAMAGE_BEYOND_CHECK = [
    ("events_recorded", ["overdue", "--format", "csv"]),
    ("events_effective", ["evaluate", "--year", "2022", "--format", "json"]),
    ("events_task_field", ["remind", "--format", "text"]),
    ("figure_cache", ["report", "--month", "2022-10", "--format", "json"]),
    ("sqlite_autoindex_figure_cache_1", ["report", "--month", "2022-10", "--format", "json"]),
    ("figure_changes", ["report", "--month", "2022-10", "--format", "json"]),
    ("tasks_deadline", ["dashboard", "--output", "page.html"]),
]


@pytest.mark.parametrize("name, command", DAMAGE_BEYOND_CHECK, ids=[n for n, _c in DAMAGE_BEYOND_CHECK])
def test_any_command_says_the_file_is_damaged_in_one_line(register, tmp_path, monkeypatch, name, command):
    monkeypatch.chdir(tmp_path)
    register("report", "--month", "2022-10", "--format", "json")  # figures kept, to be read again
    damaged = tmp_path / "damaged.db"
    damage_first_page(register.db, name, into=damaged)
    result = Cli(damaged)(*command, expect=5)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # the one line last on stderr (remind has warned first, and printed its letters as far
    # as it read before the journal's index was met)
    assert result.stderr.splitlines()[-1] == (
        f"Error: the register's file is damaged: {damaged} (database disk image is malformed)")
    assert "Traceback" not in result.output and result.stderr.count("Error") == 1
    assert not (tmp_path / "page.html").exists()


def test_check_sees_a_record_that_breaks_the_schema(register):
    writable_schema(register.db, "UPDATE sqlite_master SET sql = replace(sql, 'title_key TEXT NOT NULL', "
                                 "'title_key TEXT') WHERE name = 'tasks'")
    tamper(register.db, "UPDATE tasks SET title_key = NULL WHERE id = 3")
    writable_schema(register.db, "UPDATE sqlite_master SET sql = replace(sql, 'title_key TEXT,', "
                                 "'title_key TEXT NOT NULL,') WHERE name = 'tasks'")
    expected = [{"task": None, "problem": "NULL value in tasks.title_key"},
                {"task": 3, "problem": "the title key None does not match the title"}]
    assert problems(register) == expected
    assert problems_with(register, "--full") == expected


def test_check_full_sees_an_index_unlike_its_table(register):
    # the index now claims to hold titles, while its b-tree holds deadlines: every page and
    # record reads well (the quick check), and only looking each row up in it tells
    writable_schema(register.db, "UPDATE sqlite_master SET sql = replace(sql, 'tasks(deadline)', 'tasks(title)') "
                                 "WHERE name = 'tasks_deadline'")
    found = problems_with(register, "--full")
    assert found[:2] == [{"task": None, "problem": "row 1 missing from index tasks_deadline"},
                         {"task": None, "problem": "row 2 missing from index tasks_deadline"}]
    register("check", expect=0)  # the quick check cannot tell: what --full is for


def problems_with(cli: Cli, *args: str) -> list[dict]:
    result = cli("check", *args, "--format", "json", expect=1)
    return said_in_vietnamese(json.loads(result.stdout)["problems"])


@pytest.mark.parametrize("key, value", [("cutoff", "abc"), ("smtp_port", "abc"), ("smtp_starttls", "maybe"),
                                        ("lang", "fr"), ("smtp_sender", "a@b.vn\nBcc: x@y.vn")])
def test_unusable_settings_are_refused_when_set_and_seen_by_check(register, key, value):
    before = register("config", expect=0).stdout
    result = register("config", key, value, expect=2)
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert register("config").stdout == before
    tamper(register.db, f"INSERT OR REPLACE INTO settings(key, value) VALUES ('{key}', '{value}')")
    assert problems(register) == [{"task": None, "problem": f"the setting {key} = {value!r} cannot be used"}]


def test_a_stored_cutoff_that_cannot_be_used_is_one_line_in_report(register):
    tamper(register.db, "INSERT OR REPLACE INTO settings(key, value) VALUES ('cutoff', 'abc')")
    result = register("report", "--month", "2022-10", expect=2)
    assert result.output.strip() == (
        "Error: the stored setting cutoff = 'abc' cannot be used (--cutoff takes a day from 1 to 28); set it again "
        "with 'nqtrack config cutoff VALUE'")
    register("config", "cutoff", "15")
    assert register("report", "--month", "2022-10", "--format", "json").exit_code == 0


def test_a_stored_smtp_port_that_cannot_be_used_is_one_line_in_remind(register):
    tamper(register.db, "INSERT OR REPLACE INTO settings(key, value) VALUES ('smtp_port', 'abc')",
           "INSERT OR REPLACE INTO settings(key, value) VALUES ('smtp_host', '127.0.0.1')",
           "UPDATE units SET email = 'vp@example.gov.vn' WHERE code = 'VP'")
    before = json.loads(register("export", "-").stdout)["events"]
    result = register("remind", "--send", expect=2)
    assert result.output.strip().splitlines()[-1] == (
        "Error: the stored setting smtp_port = 'abc' cannot be used (smtp_port takes a port number from 1 to "
        "65535); set it again with 'nqtrack config smtp_port VALUE'")
    assert json.loads(register("export", "-").stdout)["events"] == before


def test_a_stored_language_that_cannot_be_used_leaves_the_default(register):
    tamper(register.db, "INSERT OR REPLACE INTO settings(key, value) VALUES ('lang', 'fr')")
    result = Cli(register.db).runner.invoke(
        __import__("nqtrack.cli", fromlist=["app"]).app, ["--db", str(register.db), "show", "999"])
    # Vietnamese, the default (the closest task numbers are suggested after it)
    assert result.exit_code == 4 and result.output.strip().startswith("Lỗi: không có nhiệm vụ '999'")


@pytest.mark.parametrize("args, message", [
    (["unit", "email", "VP", "vp@example.gov.vn\nBcc: all@example.gov.vn"],
     "Error: 'vp@example.gov.vn\\nBcc: all@example.gov.vn' is not an e-mail address (several are separated by ',')"),
    (["unit", "email", "VP", "not an address"],
     "Error: 'not an address' is not an e-mail address (several are separated by ',')"),
    (["unit", "add", "Phòng mới", "--email", "a@b.vn\r\nX-Header: y"],
     "Error: 'a@b.vn\\x0d\\nX-Header: y' is not an e-mail address (several are separated by ',')"),
    (["config", "smtp_sender", "Văn phòng <vp@example.gov.vn>\nBcc: x@y.vn"],
     "Error: a setting is one line of text, without control characters"),
    (["config", "smtp_sender", "vanphong"], "Error: 'vanphong' is not an e-mail address (several are separated by ',')"),
])
def test_an_address_with_a_line_break_is_refused_when_set(register, args, message):
    before = json.loads(register("export", "-").stdout)
    result = register(*args, expect=2)
    assert result.output.strip() == message
    assert json.loads(register("export", "-").stdout) == before


def test_addresses_with_names_and_several_addresses_are_fine(register):
    register("unit", "email", "VP", "Văn phòng Bộ <vp@example.gov.vn>, chanh.vp@example.gov.vn")
    register("config", "smtp_sender", "Văn phòng Bộ <vanphong@example.gov.vn>")
    assert json.loads(register("check", "--format", "json").stdout)["ok"] is True


def test_a_units_file_with_a_line_break_in_an_address_is_a_bad_row(register, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text('Tên đơn vị,Email\nPhòng A,"a@b.vn\nBcc: x@y.vn"\nPhòng B,b@b.vn\n', encoding="utf-8")
    result = register("import", str(units), "--kind", "units", expect=2)
    assert "column 'Email'" in result.output and "not an e-mail address" in result.output
    assert "Phòng B" not in register("unit", "list", "--format", "csv").stdout


def test_a_tampered_address_is_seen_by_check_and_not_mailed(register):
    tamper(register.db, "UPDATE units SET email = 'vp@example.gov.vn' || char(10) || 'Bcc: x@y.vn' WHERE code = 'VP'")
    assert problems(register) == [{"task": None, "problem": "unit 1 (Văn phòng Bộ): the e-mail address "
                                                            "'vp@example.gov.vn\\nBcc: x@y.vn' cannot be used"}]
    out = register("remind", "--send", "--dry-run").stdout
    assert "No e-mail address for Văn phòng Bộ: not sent." in out


# -- what issues 14 and 16 added: the journal of units and documents, series, the calendar ------------

MONTHLY = "Hằng tháng, trước ngày 20"


@pytest.fixture
def office_register(cli) -> Cli:
    """A monthly series, a corrected and a merged unit, a corrected document, a voided task, a
    corrected deadline, a day of the office's calendar: `check` finds it whole."""
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("unit", "add", "Văn phòng UBND tỉnh", "--code", "VPUB", today="2024-01-15")
    cli("doc", "add", "12/KH-VP", "--issued-on", "02/01/2024", today="2024-01-15")
    cli("assign", "Báo cáo tình hình", "--lead", "VP", "--doc", "12/KH-VP", "--due", MONTHLY, today="2024-01-15")
    cli("assign", "Kế hoạch năm", "--lead", "VP", "--due", "31/12/2024", today="2024-01-15")
    cli("recur", "--until", "2024-03-21", today="2024-03-21")
    cli("calendar", "add", "17/02/2024", "--working", "--note", "Làm bù", today="2024-03-21")
    cli("unit", "edit", "VP", "--email", "vp@example.gov.vn", today="2024-03-21")
    cli("doc", "edit", "12/KH-VP", "--title", "Kế hoạch công tác", today="2024-03-21")
    cli("unit", "merge", "VPUB", "VP", today="2024-03-21")
    cli("edit", "2", "--due", "30/11/2024", today="2024-03-21")  # typed wrong: the original deadline too
    cli("void", "S1/2024-01", "--reason", "Nhầm kỳ", today="2024-03-21")
    cli("undo", today="2024-03-21")  # the void undone
    cli("calendar", "remove", "17/02/2024", today="2024-03-21")
    cli("calendar", "add", "17/02/2024", "--working", "--note", "Làm bù Tết", today="2024-03-21")
    assert json.loads(cli("check", "--format", "json", today="2024-03-21").stdout) == {"ok": True, "problems": []}
    return cli


def office_problems(cli: Cli) -> list[dict]:
    result = cli("check", "--format", "json", today="2024-03-21", expect=1)
    return said_in_vietnamese(json.loads(result.stdout)["problems"])


def row_id(db: Path | str, sql: str) -> int:
    return query(db, sql)[0][0]


@pytest.mark.parametrize("statements, expected", [
    (["UPDATE units SET email = 'ke.gian@example.com' WHERE code = 'VP'"],
     "unit 1: 'email' is 'ke.gian@example.com' but its journal says 'vp@example.gov.vn'"),
    (["UPDATE units SET merged_into = NULL WHERE code = 'VPUB'"],
     "unit 2: 'merged_into' is None but its journal says '1'"),
    (["UPDATE documents SET title = 'Khác' WHERE id = 1"],
     "document 1: 'title' is 'Khác' but its journal says 'Kế hoạch công tác'"),
    (["UPDATE calendar_days SET kind = 'off' WHERE day = '2024-02-17'"],
     "calendar day 2024-02-17: it is 'off' but its journal says 'working'"),
    (["DELETE FROM calendar_days"], "calendar day 2024-02-17: it is None but its journal says 'working'"),
    (["INSERT INTO calendar_days(day, kind, note, recorded_at, recorded_by) VALUES ('2024-03-01', 'off', NULL, '', '')"],
     "calendar day 2024-03-01: it is 'off' but its journal says None"),
    (["UPDATE series SET rule_text = 'Hằng quý' WHERE id = 1"],
     "series S1: 'rule_text' is 'Hằng quý' but it was created with 'Hằng tháng, trước ngày 20'"),
    (["UPDATE series SET title_key = 'khac' WHERE id = 1"],
     "series S1: the title key 'khac' does not match the title"),
    (["UPDATE series SET ends_on = '2024-02-29' WHERE id = 1"],
     "series S1: it ends on '2024-02-29' but its journal says None"),
    (["UPDATE series_events SET new_value = 'hỏng' WHERE series_id = 1 AND kind = 'created' AND field IS NULL"],
     "series S1: its creation event cannot be read"),
    (["DELETE FROM series_events WHERE series_id = 1 AND kind = 'created' AND field IS NULL"],
     "series S1: no creation event in its journal"),
])
def test_check_sees_tampering_with_what_issues_14_and_16_added(office_register, statements, expected):
    tamper(office_register.db, *statements)
    assert {"task": None, "problem": expected} in office_problems(office_register)


@pytest.mark.parametrize("table, one", [
    ("register_events", "event of the units' and documents' journal"),
    ("series_events", "event of the series' journal"),
    ("calendar_events", "event of the calendar's journal"),
])
def test_check_sees_the_newest_row_of_every_journal_deleted(office_register, table, one):
    newest = row_id(office_register.db, f"SELECT max(id) FROM {table}")
    tamper(office_register.db, f"DELETE FROM {table} WHERE id = {newest}")
    assert {"task": None, "problem": f"{one} {newest} is missing (deleted outside nqtrack?)"} in office_problems(
        office_register)


def test_check_sees_a_voided_task_brought_back_outside_nqtrack(office_register):
    office_register("void", "S1/2024-02", "--reason", "Nhầm", today="2024-03-21")
    voided = row_id(office_register.db, "SELECT id FROM tasks WHERE voided = 1")
    tamper(office_register.db, f"UPDATE tasks SET voided = 0 WHERE id = {voided}")
    assert office_problems(office_register) == [
        {"task": voided, "problem": "'voided' is '0' but the journal says '1'"}]


def test_a_corrected_deadline_of_a_task_never_extended_is_its_original_deadline(office_register):
    shown = json.loads(office_register("show", "2", "--format", "json", today="2024-03-21").stdout)["task"]
    assert shown["deadline"] == shown["original_deadline"] == "2024-11-30"
    office_register("update", "2", "--deadline", "31/12/2024", "--reason", "Chờ số liệu", today="2024-03-22")
    office_register("edit", "2", "--due", "15/12/2024", today="2024-03-23")  # extended: the original stays
    assert json.loads(office_register("check", "--format", "json", today="2024-03-23").stdout)["ok"] is True
    tamper(office_register.db, "UPDATE tasks SET original_deadline = '2024-12-15' WHERE id = 2")
    assert office_problems(office_register) == [
        {"task": 2, "problem": "the original deadline is '2024-12-15' but the journal says '2024-11-30'"}]


def test_a_register_in_order_leaves_python_no_task_to_replay_but_the_corrected(office_register):
    """The pass over every task holds each to its creation event's fingerprint over the
    fields SQL joined: on a register in order (a series, a void, corrections, a merge) it
    names only the tasks whose corrected deadline made their original deadline, as the
    statement beside it does; a join unlike the fingerprint's would name every task."""
    from nqtrack.store import open_store

    store = open_store(str(office_register.db))
    try:
        problems, named = store._derived_pass(), store._journal_pass()
        corrected = store._ids("SELECT task_id FROM events WHERE field = 'deadline' AND kind = 'corrected'")
        tasks = store._ids("SELECT id FROM tasks")
    finally:
        store.close()
    assert problems == [] and len(tasks) > 3
    assert set(named) <= set(corrected)


def test_the_pass_over_the_journal_runs_beside_the_check_of_the_file(office_register, monkeypatch, tmp_path):
    """The longer of check's passes starts before the file's integrity is checked, not
    after it: here that check waits for the pass to have begun (in a process or on a
    thread, it writes the file). Started after it, the pass never begins and the wait
    fails. The check then finds the register whole, as it does."""
    import time

    from nqtrack.store.sql import SqlStore
    from nqtrack.store.sqlite import SqliteStore

    began = tmp_path / "began"
    journal_pass = SqlStore._journal_pass

    def beginning(store):
        began.touch()
        return journal_pass(store)

    def waiting_for_the_pass(integrity_problems):
        def integrity_waits(store, full=True):
            deadline = time.monotonic() + 30
            while not began.exists():
                assert time.monotonic() < deadline, "the pass over the journal has not begun"
                time.sleep(0.01)
            return integrity_problems(store, full)
        return integrity_waits

    monkeypatch.setattr(SqlStore, "_journal_pass", beginning)
    for engine in (SqlStore, SqliteStore):
        monkeypatch.setattr(engine, "integrity_problems", waiting_for_the_pass(engine.integrity_problems))
    result = office_register("check", "--format", "json", today="2024-03-21")
    assert json.loads(result.stdout) == {"ok": True, "problems": []}
    assert began.exists()


def _snapshots_as_written_before_fingerprints(db: Path | str) -> None:
    """A register as versions before issue 20 wrote it: each creation event holding the
    task's first fields whole (JSON), not their fingerprint."""
    from nqtrack.store import open_store
    from nqtrack.store.sql import creation_fields

    store = open_store(str(db))
    try:
        with store.transaction():
            for (task_id,) in [(t["id"],) for t in store._rows("SELECT id FROM tasks ORDER BY id")]:
                events = store.task_events(task_id)
                firsts: dict = {}
                for e in events:
                    if e["field"] is not None:
                        firsts.setdefault(e["field"], e["old_value"])
                first = creation_fields(store._journal_fields(task_id), firsts)
                snapshot = {k: int(v) if k in ("document_id", "lead_unit_id", "progress", "recurring", "voided")
                            and v is not None else v for k, v in first.items()}
                store._execute("UPDATE events SET new_value = ? WHERE task_id = ? AND field IS NULL AND kind IN "
                               "('created', 'imported')",
                               [json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
                                task_id])
    finally:
        store.close()


def test_check_reads_the_whole_snapshots_older_registers_hold(office_register):
    """A register written before fingerprints keeps its creation snapshots: `check` holds
    each field no event changed to the snapshot, and names the value it holds."""
    _snapshots_as_written_before_fingerprints(office_register.db)
    assert query(office_register.db, "SELECT new_value FROM events WHERE task_id = 2 AND field IS NULL")[0][0][0] == "{"
    assert json.loads(office_register("check", "--format", "json", today="2024-03-21").stdout)["ok"] is True
    tamper(office_register.db, "UPDATE tasks SET source = 'Khác' WHERE id = 2",
           "UPDATE tasks SET original_deadline = '2024-12-31' WHERE id = 2")
    assert office_problems(office_register) == [
        {"task": 2, "problem": "'source' is 'Khác' but the journal says None"},
        {"task": 2, "problem": "the original deadline is '2024-12-31' but the journal says '2024-11-30'"}]


@pytest.mark.postgresql_only
def test_numbers_a_rolled_back_write_left_unused_are_no_rows_missing(office_register, tmp_path):
    """On PostgreSQL a write rolled back (a dry run here) leaves the numbers its sequence
    handed out unused: `check` finds nothing missing, and a row deleted afterwards is
    counted, since the gaps cannot say which one it was."""
    rows = tmp_path / "tasks.csv"
    rows.write_text("Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\nViệc thử,Văn phòng,30/06/2024\n", encoding="utf-8")
    office_register("import", str(rows), "--dry-run", today="2024-03-21")
    office_register("update", "2", "--progress", "40", today="2024-03-21")
    assert json.loads(office_register("check", "--format", "json", today="2024-03-21").stdout)["ok"] is True
    first = row_id(office_register.db, "SELECT min(id) FROM events")
    tamper(office_register.db, f"DELETE FROM events WHERE id = {first}")
    found = office_problems(office_register)
    assert {"task": None, "problem": "1 journal event is missing (deleted outside nqtrack?)"} in found


# -- check at a million tasks: the journal held to the columns in SQL, each corruption still seen ----


@pytest.mark.parametrize("statements, expected", [
    # a field with no event after the creation: held to the creation event's fingerprint
    (["UPDATE tasks SET source = 'Khác' WHERE id = 2"],
     [{"task": 2, "problem": "'source' is 'Khác', not what its creation event #{creation} recorded"}]),
    (["UPDATE tasks SET recurring = 1 WHERE id = 2"],
     [{"task": 2, "problem": "'recurring' is '1', not what its creation event #{creation} recorded"}]),
    (["UPDATE tasks SET lead_unit_id = 2 WHERE id = 2"],
     [{"task": 2, "problem": "'lead_unit_id' is '2', not what its creation event #{creation} recorded"}]),
    (["INSERT INTO task_units(task_id, unit_id) VALUES (2, 2)"],
     [{"task": 2, "problem": "'coordinating_units' is '2', not what its creation event #{creation} recorded"}]),
    # a field's value before its first event: held to the fingerprint too
    (["UPDATE events SET old_value = '2024-10-31' WHERE id = (SELECT min(id) FROM events WHERE task_id = 2 "
      "AND field = 'deadline')"],
     [{"task": 2, "problem": "'deadline' was '2024-10-31' before its first change, not what its creation event "
                             "#{creation} recorded"}]),
    # a field with events: held to its latest one
    (["UPDATE tasks SET deadline = '2024-12-31' WHERE id = 2"],
     [{"task": 2, "problem": "'deadline' is '2024-12-31' but the journal says '2024-11-30'"}]),
    (["UPDATE events SET new_value = '2025-01-31' WHERE id = (SELECT max(id) FROM events WHERE task_id = 2 "
      "AND field = 'deadline')"],
     [{"task": 2, "problem": "'deadline' is '2024-11-30' but the journal says '2025-01-31'"},
      {"task": 2, "problem": "the original deadline is '2024-11-30' but the journal says '2025-01-31'"}]),
    # the original deadline a correction gave, put back to the creation's
    (["UPDATE tasks SET original_deadline = '2024-12-31' WHERE id = 2"],
     [{"task": 2, "problem": "the original deadline is '2024-12-31' but the journal says '2024-11-30'"}]),
    # a creation snapshot that is not JSON, or not an object
    (["UPDATE events SET new_value = 'hỏng' WHERE task_id = 2 AND field IS NULL AND kind = 'created'"],
     "cannot be read"),
    (["UPDATE events SET new_value = '[1, 2]' WHERE task_id = 2 AND field IS NULL AND kind = 'created'"],
     "cannot be read"),
])
def test_check_holds_every_field_to_its_journal(office_register, statements, expected):
    creation = row_id(office_register.db, "SELECT id FROM events WHERE task_id = 2 AND field IS NULL")
    tamper(office_register.db, *statements)
    found = office_problems(office_register)
    if isinstance(expected, str):
        assert found == [{"task": 2, "problem": f"its creation event #{creation} {expected}"}]
    else:
        assert found == [{**e, "problem": e["problem"].replace("{creation}", str(creation))} for e in expected]


# -- check's second pass runs apart: a forked process on Linux, a thread elsewhere ----------


def test_checks_second_pass_runs_in_a_process_of_its_own_and_brings_back_its_result_or_error():
    """On threads the two passes took turns at the GIL; on Linux the second runs in a forked
    process, whose result (or error, as raised there) comes back through a pipe."""
    import os
    import sys
    import threading

    from nqtrack.core.errors import InvalidInput
    from nqtrack.store.sql import SqlStore

    # forked only while no other thread runs here (an earlier test's may still)
    apart = sys.platform.startswith("linux") and threading.active_count() == 1
    with SqlStore._running_apart(lambda: (os.getpid(), [3, 1, 2]), lambda: None) as result:
        pid, ids = result()
    assert ids == [3, 1, 2]
    assert (pid != os.getpid()) == apart

    def refused():
        raise InvalidInput("cannot read '{name}'", name="x.db")

    with pytest.raises(InvalidInput) as raised, SqlStore._running_apart(refused, lambda: None) as result:
        result()
    assert (raised.value.message, raised.value.args_, raised.value.exit_code) == ("cannot read '{name}'",
                                                                                 {"name": "x.db"}, 2)


@pytest.mark.parametrize("threads", [1, 2], ids=["in a process", "on a thread"])
def test_a_failure_while_the_second_pass_runs_ends_it(monkeypatch, threads):
    """On Linux with no other thread the pass runs in a process, which is ended; with a
    thread running (a test's, or a server's writer) on a thread, whose `stop` is called.
    (With a `stop` that did nothing, the thread's 60 s were this suite's slowest minute.)"""
    import multiprocessing
    import threading

    from nqtrack.store.sql import SqlStore

    monkeypatch.setattr(threading, "active_count", lambda: threads)
    stopped = threading.Event()
    with pytest.raises(KeyboardInterrupt), SqlStore._running_apart(lambda: stopped.wait(60), stopped.set):
        raise KeyboardInterrupt
    assert multiprocessing.active_children() == []
    assert stopped.is_set() == (threads == 2)  # the process was ended, not asked


# -- PostgreSQL's search index: its words read as the server writes the array out -----------


@given(st.lists(st.sampled_from(["null", "NULL", "Null", "bao", "cao", "2024", "ke", "hoach", "a1", "ŋ", "ǂ", "null2"])
                | st.text(max_size=20), max_size=12))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_words_of_a_text_are_written_out_as_the_server_writes_the_array(pg_server, words):
    from nqtrack.store.postgres import _array_text

    words = sorted(set(search_tokens(" ".join(words))))  # a text's words, as the index keeps them
    (written,) = pg_server.admin.execute("SELECT %s::text[]::text", [words]).fetchone()
    assert written == _array_text(words)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("change", [
    "array_append(words, 'khac')",  # a word more (its count of tokens left as it was)
    "words[2:]",  # a word less
    "ARRAY[words[1] || ' ' || words[2], NULL] || words[3:]",  # two words as one, and a NULL for the count
    "ARRAY[words[1] || ' ' || words[2], ''] || words[3:]",  # two words as one, and an empty word
    "ARRAY[words[2], words[1]] || words[3:]",  # the same words, not in order
    "ARRAY[words[1:2], words[3:4]]",  # two dimensions
    "'[2:3]={a,b}'::text[]",  # another lower bound
])
def test_check_sees_the_words_of_the_search_index_changed_on_the_server(office_register, change):
    task = row_id(office_register.db, "SELECT task_id FROM task_search WHERE cardinality(words) >= 4 "
                                      "ORDER BY task_id LIMIT 1")
    tamper(office_register.db, f"UPDATE task_search SET words = {change} WHERE task_id = {task}")
    assert office_problems(office_register) == [
        {"task": task, "problem": "its text in the search index does not match its fields"}]


def test_check_passes_a_task_whose_words_the_server_writes_in_quotes(office_register):
    """The word "null" is the one a text[] writes out in quotes (to tell it from a NULL)."""
    office_register("assign", "Xử lý giá trị null trong báo cáo", "--lead", "VP", "--due", "30/06/2024",
                    today="2024-03-21")
    assert query(office_register.db, "SELECT count(*) FROM tasks WHERE title_key LIKE '%null%'") == [(1,)]
    assert json.loads(office_register("check", "--format", "json", today="2024-03-21").stdout)["ok"] is True
