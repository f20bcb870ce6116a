"""Issue 13, `check` sees all tampering, and settings that cannot be used are refused when
set and named, not crashed on, when read."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.support import Cli

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


def tamper(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db)
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()


def problems(cli: Cli) -> list[dict]:
    result = cli("check", "--format", "json", expect=1)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    return data["problems"]


def test_the_example_register_passes(register):
    assert json.loads(register("check", "--format", "json").stdout) == {"ok": True, "problems": []}


def last_event_of(db: Path, task: int) -> tuple[int, int]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT min(id), max(id) FROM events WHERE task_id = ?", [task]).fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("statements, expected", [
    (["UPDATE tasks SET title_key = 'bao cao khac' WHERE id = 3"],
     [{"task": 3, "problem": "the title key 'bao cao khac' does not match the title"}]),
    (["UPDATE tasks SET original_deadline = '2030-01-01' WHERE id = 4"],
     [{"task": 4, "problem": "the original deadline is '2030-01-01' but the task was created with '2022-03-18'"}]),
    (["DELETE FROM task_search WHERE rowid = 6"], [{"task": 6, "problem": "missing from the search index"}]),
    (["UPDATE task_search SET body = 'khong lien quan' WHERE rowid = 7"],
     [{"task": 7, "problem": "its text in the search index does not match its fields"}]),
    (["INSERT INTO task_search(rowid, body) VALUES (999, 'ma')"],
     [{"task": 999, "problem": "in the search index, but there is no such task"}]),
    (["DELETE FROM unit_keys WHERE unit_id = 1 AND key = 'vp'"],
     [{"task": None, "problem": "unit 1 (Văn phòng Bộ): its look-up keys do not match its name, code and aliases"}]),
    (["INSERT INTO unit_keys(key, unit_id) VALUES ('ke gian', 1)"],
     [{"task": None, "problem": "unit 1 (Văn phòng Bộ): its look-up keys do not match its name, code and aliases"}]),
])
def test_check_sees_what_is_kept_beside_the_tasks(register, statements, expected):
    tamper(register.db, *statements)
    found = problems(register)
    assert found == expected


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
    tamper(register.db, f"DELETE FROM events WHERE task_id = {newest}", f"DELETE FROM tasks WHERE id = {newest}",
           f"DELETE FROM task_search WHERE rowid = {newest}")
    assert problems(register) == [
        {"task": None, "problem": f"journal event {first} is missing (deleted outside nqtrack?)"},
        {"task": newest, "problem": "this task is missing (deleted outside nqtrack, with its events?)"},
    ]
    assert first == last  # a creation is one event: the newest one of the journal


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
    assert result.exit_code == 4 and result.output.strip() == "Lỗi: không có nhiệm vụ '999'"


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
