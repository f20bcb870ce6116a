"""Issue 2 through the command line: units, documents, assign, update, show, list, errors."""

from __future__ import annotations

import json

import pytest
import typer.main

from nqtrack.cli import app
from tests.support import query, run_nqtrack, show_json


@pytest.fixture
def office(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP", "--alias", "Văn phòng")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    cli("unit", "add", "Vụ Kế hoạch - Tài chính", "--code", "KHTC")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017", "--title", "Nghị quyết về công tác cán bộ")
    cli("assign", "Xây dựng kế hoạch thực hiện Nghị quyết", "--doc", "07-nq/đuk", "--lead", "van phong",
        "--with", "TCCB", "--due", "30/06/2022", "--to", "Nguyễn Văn An", "--source", "Lãnh đạo Bộ",
        "--assigned-on", "10/01/2022", "--code", "NV-1", today="2022-01-10")
    return cli


def test_assign_then_done_then_show(office):
    office("update", "1", "--state", "done", "--on", "2022-06-28", "--by", "Trần Thị Lan", today="2022-07-01")
    data = show_json(office)
    task = data["task"]
    assert task["state"] == "done"
    assert task["completed_on"] == "2022-06-28"
    assert task["lead_unit"] == "Văn phòng Bộ"
    assert task["coordinating_units"] == "Vụ Tổ chức cán bộ"
    assert task["document"] == "07-NQ/ĐUK"
    assert task["timing"] == "completed_on_time"
    kinds = [(h["kind"], h["field"]) for h in data["history"]]
    assert kinds == [("created", None), ("completed", "state"), ("completed", "completed_on"), ("completed", "progress")]
    created, done = data["history"][0], data["history"][1]
    assert created["effective_on"] == "2022-01-10"
    assert done["effective_on"] == "2022-06-28"
    assert done["old_value"] == "new" and done["new_value"] == "done"
    assert done["recorded_by"] == "Trần Thị Lan"
    assert created["recorded_by"]  # the OS user
    for event in data["history"]:
        assert event["recorded_at"][:4] >= "2026" or event["recorded_at"][:2] == "20"
    # and the table view shows both events with their effective days
    table = office("show", "1", today="2022-07-01").stdout
    assert "28/06/2022" not in table  # English dates are ISO
    assert "2022-06-28" in table and "2022-01-10" in table and "Trần Thị Lan" in table


def test_table_view_in_vietnamese(office):
    out = office("show", "NV-1", lang="vi").stdout
    assert "Đơn vị chủ trì" in out and "Văn phòng Bộ" in out and "30/06/2022" in out and "tạo mới" in out


def test_extension_keeps_the_original_deadline(office):
    office("update", "NV-1", "--deadline", "30/09/2022", "--reason", "Theo Thông báo 12/TB-VP", today="2022-06-20")
    task = show_json(office)["task"]
    assert task["deadline"] == "2022-09-30"
    assert task["original_deadline"] == "2022-06-30"
    out = office("show", "1").stdout
    assert "2022-09-30" in out and "2022-06-30" in out and "Theo Thông báo 12/TB-VP" in out
    # the extension is not in force before the day it was granted
    assert show_json(office, "1", today="2022-11-15")["task"]["deadline"] == "2022-09-30"
    before = json.loads(office("show", "1", "--as-of", "2022-06-19", "--format", "json").stdout)["task"]
    assert before["deadline"] == "2022-06-30"


def test_deadline_text_is_kept(office):
    office("update", "1", "--deadline", "Quý III/2022", "--reason", "Điều chỉnh", today="2022-06-20")
    task = show_json(office)["task"]
    assert (task["deadline"], task["deadline_text"]) == ("2022-09-30", "Quý III/2022")


def test_reassign(office):
    office("assign", "1", "--lead", "KHTC", "--with", "VP", "--with", "TCCB", today="2022-02-01")
    data = show_json(office)
    assert data["task"]["lead_unit"] == "Vụ Kế hoạch - Tài chính"
    assert data["task"]["coordinating_units"] == "Văn phòng Bộ; Vụ Tổ chức cán bộ"
    reassigned = [h for h in data["history"] if h["kind"] == "reassigned"]
    assert [(h["field"], h["old_value"], h["new_value"]) for h in reassigned] == [
        ("lead_unit_id", "Văn phòng Bộ", "Vụ Kế hoạch - Tài chính"),
        ("coordinating_units", "Vụ Tổ chức cán bộ", "Văn phòng Bộ; Vụ Tổ chức cán bộ"),
    ]


def test_note_and_progress(office):
    office("update", "1", "--progress", "40", "--note", "Đã có dự thảo", today="2022-03-01")
    office("update", "1", "--note", "Đã xin ý kiến", today="2022-03-02")
    history = show_json(office)["history"]
    assert [(h["kind"], h["field"], h["new_value"], h["note"]) for h in history[1:]] == [
        ("updated", "progress", "40", "Đã có dự thảo"),
        ("note", None, None, "Đã xin ý kiến"),
    ]


def test_list_filters_and_csv(office):
    office("assign", "Tổng kết công tác năm", "--lead", "TCCB", "--due", "Năm 2022", "--assigned-on", "2022-02-01", today="2022-02-01")
    out = office("list", "--unit", "TCCB", "--format", "csv").stdout
    lines = out.splitlines()
    assert lines[0] == "id,code,title,document,lead_unit,deadline,deadline_text,state,progress,completed_on"
    assert lines[1:] == ["2,,Tổng kết công tác năm,,Vụ Tổ chức cán bộ,2022-12-31,Năm 2022,new,,"]
    assert office("list", "--overdue", "--format", "csv").stdout.splitlines()[1:] == [
        "1,NV-1,Xây dựng kế hoạch thực hiện Nghị quyết,07-NQ/ĐUK,Văn phòng Bộ,2022-06-30,30/06/2022,new,,"
    ]
    assert len(office("list", "--search", "ke hoach", "--format", "json").stdout and json.loads(office("list", "--search", "ke hoach", "--format", "json").stdout)) == 1


def test_doc_show_and_list(office):
    data = json.loads(office("doc", "show", "07-NQ/ĐUK", "--format", "json").stdout)
    assert data["document"]["style"] == "party" and data["document"]["issuer"] == "ĐUK"
    assert [t["id"] for t in data["tasks"]] == [1]
    rows = json.loads(office("doc", "list", "--format", "json").stdout)
    assert rows[0]["symbol"] == "07-NQ/ĐUK" and rows[0]["tasks"] == 1 and rows[0]["done"] == 0


def counts(db):
    return [query(db, f"SELECT count(*) FROM {t}")[0][0] for t in ("units", "documents", "tasks", "events")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["update", "99", "--state", "done"], "unknown task: '99'"),
        (["update", "NV-404", "--progress", "5"], "unknown task: 'NV-404'"),
        (["assign", "Việc mới", "--lead", "Vụ Không Có"], "unknown unit: 'Vụ Không Có'"),
        (["assign", "Việc mới", "--lead", "VP", "--due", "31/02/2022"], "bad deadline: '31/02/2022'"),
        (["update", "1", "--state", "finished"], "unknown state 'finished'; use one of: new, in_progress, done, paused, cancelled"),
        (["update", "1", "--on", "32/01/2022", "--state", "done"], "bad date for --on"),
        (["update", "1", "--progress", "140"], "progress must be between 0 and 100"),
        (["update", "1", "--deadline", "30/09/2022"], "--reason is required with --deadline"),
        (["update", "1", "--state", "done", "--on", "2022-12-01"], "after today"),
        (["assign", "Việc mới", "--lead", "VP", "--doc", "99-NQ/TW"], "unknown document: '99-NQ/TW'"),
    ],
)
def test_user_errors_are_one_line_and_write_nothing(office, args, message):
    before = counts(office.db)
    result = office(*args, expect=None)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert counts(office.db) == before


def test_one_name_or_alias_names_one_unit(office):
    office("unit", "add", "Vụ Pháp chế", "--alias", "Pháp chế")
    out = office("unit", "add", "Cục Pháp chế", "--code", "CPC", "--alias", "Phap che", expect=2).output
    assert "'Phap che' already names the unit Vụ Pháp chế: one alias cannot name two units" in out
    assert "already exists" in office("unit", "add", "vu phap che", expect=2).output
    assert "already exists" in office("unit", "add", "Pháp chế", expect=2).output  # another unit's alias
    office("unit", "add", "Cục Pháp chế", "--code", "CPC")
    assert "already names the unit Vụ Pháp chế" in office("unit", "edit", "CPC", "--alias", "pháp chế",
                                                          expect=2).output


def test_errors_in_vietnamese(office):
    result = office("update", "99", "--state", "done", lang="vi", expect=4)
    assert result.output.strip() == "Lỗi: không có nhiệm vụ '99'"


def registered_commands(command=None, path=()) -> list[list[str]]:
    """Every command and group of the command line, walked from the root."""
    command = command or typer.main.get_command(app)
    found = [list(path)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += registered_commands(sub, (*path, name))
    return found


def test_every_command_help_shows_an_example(cli):
    commands = registered_commands()
    assert ["unit", "add"] in commands and ["remind"] in commands and len(commands) > 20
    for command in commands:
        result = cli.runner.invoke(app, command + ["--help"])  # Vietnamese: the default
        assert result.exit_code == 0, command
        assert "Ví dụ:" in result.output, command
        english = cli.runner.invoke(app, ["--lang", "en", *command, "--help"])
        assert "Example" in english.output, command


def test_info_counts(office):
    data = json.loads(office("info", "--format", "json").stdout)
    assert data["schema_version"] >= 1
    assert (data["units"], data["documents"], data["tasks"], data["events"]) == (3, 1, 1, 1)


def test_installed_command_in_a_real_process(register_location):
    db = register_location
    env = {"NQTRACK_DB": db, "NQTRACK_TODAY": "2022-03-01", "NQTRACK_LANG": "en"}
    assert run_nqtrack("init", env=env).returncode == 0
    assert run_nqtrack("unit", "add", "Văn phòng Bộ", "--code", "VP", env=env).returncode == 0
    created = run_nqtrack("assign", "Báo cáo quý I", "--lead", "VP", "--due", "31/03/2022", "--assigned-on",
                          "01/02/2022", env=env)
    assert created.returncode == 0 and created.stdout.decode().strip() == "Task 1 created."
    done = run_nqtrack("update", "1", "--state", "done", "--on", "2022-02-28", "--by", "An", env=env)
    assert done.returncode == 0
    shown = json.loads(run_nqtrack("show", "1", "--format", "json", env=env).stdout)
    assert shown["task"]["state"] == "done" and shown["history"][1]["recorded_by"] == "An"
    missing = run_nqtrack("show", "7", env=env)
    assert missing.returncode == 4
    assert missing.stderr.decode().strip() == "Error: unknown task: '7'"
    assert b"Traceback" not in missing.stderr
    version = run_nqtrack("--version")
    assert version.returncode == 0 and version.stdout.decode().startswith("nqtrack ")


def test_unit_list_in_vietnamese_order(cli):
    for name in ("Đảng ủy Bộ", "Văn phòng Bộ", "Ban Dân vận", "Cục Áo", "Cục Ăn", "Dân vận", "Vụ Tổ chức cán bộ", "Viện Chiến lược"):
        cli("unit", "add", name)
    names = [u["name"] for u in json.loads(cli("unit", "list", "--format", "json").stdout)]
    # code points would put "Cục Ăn" before "Cục Áo", "Đảng" after "Viện", "Văn" after "Viện"
    assert names == ["Ban Dân vận", "Cục Áo", "Cục Ăn", "Dân vận", "Đảng ủy Bộ", "Văn phòng Bộ", "Viện Chiến lược",
                     "Vụ Tổ chức cán bộ"]


def test_stored_language_setting(register_location):
    db = register_location
    assert run_nqtrack("--db", db, "init").returncode == 0
    assert run_nqtrack("--db", db, "config", "lang", "en").returncode == 0
    missing = run_nqtrack("--db", db, "show", "9")
    assert missing.stderr.decode().strip() == "Error: unknown task: '9'"  # the stored setting
    vi = run_nqtrack("--db", db, "--lang", "vi", "show", "9")
    assert vi.stderr.decode().strip() == "Lỗi: không có nhiệm vụ '9'"  # --lang wins over it
    env = run_nqtrack("--db", db, "show", "9", env={"NQTRACK_LANG": "vi"})
    assert env.stderr.decode().strip() == "Lỗi: không có nhiệm vụ '9'"  # and so does NQTRACK_LANG
