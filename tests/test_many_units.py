"""Issue 19, the half that needs no server: users and roles on SQLite, proposed completions
and their confirmation, extension requests, each unit's own morning, and the morning view's
section "awaiting confirmation"."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
from rich.console import Console

from nqtrack import i18n
from nqtrack.app import views
from nqtrack.app.context import Context
from nqtrack.render import overdue as overdue_render
from nqtrack.store import open_store
from tests.test_performance_guards import store  # noqa: F401  (the fixture)


@pytest.fixture
def office(cli):
    """Three units, four tasks; a unit user of VP (lan) and of PC (minh), a leader (hung) and a
    secretariat user (mai). VP leads A and D, and coordinates B; TC leads C."""
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("unit", "add", "Vụ Pháp chế", "--code", "PC")
    cli("unit", "add", "Thanh tra", "--code", "TC")
    new = lambda title, *args: cli("assign", title, "--assigned-on", "2022-08-01", *args, today="2022-08-01")  # noqa: E731
    new("Báo cáo sơ kết", "--lead", "VP", "--due", "31/10/2022", "--code", "A")
    new("Đề án pháp chế", "--lead", "PC", "--with", "VP", "--due", "30/11/2022", "--code", "B")
    new("Kế hoạch thanh tra", "--lead", "TC", "--due", "15/11/2022", "--code", "C")
    new("Quy chế làm việc", "--lead", "VP", "--due", "18/11/2022", "--code", "D")
    cli("user", "add", "lan", "--role", "unit", "--unit", "VP", "--name", "Nguyễn Thị Lan", today="2022-08-01")
    cli("user", "add", "minh", "--role", "unit", "--unit", "PC", today="2022-08-01")
    cli("user", "add", "hung", "--role", "leader", "--name", "Trần Văn Hùng", today="2022-08-01")
    cli("user", "add", "mai", "--role", "secretariat", "--unit", "VP", today="2022-08-01")
    return cli


def as_user(cli, login, *args, today="2022-11-15", expect=0, lang="en"):
    return cli("--user", login, *args, today=today, expect=expect, lang=lang)


def journal_size(cli) -> int:
    return json.loads(cli("info", "--format", "json").stdout)["events"]


def overdue_json(cli, *args, today="2022-11-15", user=None):
    prefix = ("--user", user) if user else ()
    return json.loads(cli(*prefix, "overdue", "--format", "json", *args, today=today).stdout)


def report_json(cli, *args, today="2022-11-15"):
    return json.loads(cli("report", "--from", "01/10/2022", "--to", "30/11/2022", "--format", "json", *args,
                          today=today).stdout)


def history(cli, task, today="2022-11-15"):
    return json.loads(cli("show", task, "--format", "json", today=today).stdout)["history"]


# -- users on SQLite ---------------------------------------------------------------------------------


def test_users_are_added_listed_removed_and_journaled(cli, engine):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    added = cli("user", "add", "Lan", "--role", "unit", "--unit", "VP", "--name", "Nguyễn Thị Lan")
    on_sqlite = ("On SQLite this records who is who (for the journal and each unit's own view); rights are "
                 "enforced only by a PostgreSQL server.\n")
    assert added.stdout == "User lan added: unit, Văn phòng.\n" + (on_sqlite if engine == "sqlite" else "")
    cli("user", "add", "hung", "--role", "leader")
    assert cli("user", "list", "--format", "csv").stdout.splitlines()[0] == \
        "login,role,unit,name,added_at,added_by,removed_at"
    listed = json.loads(cli("user", "list", "--format", "json").stdout)
    assert [(u["login"], u["role"], u["unit"], u["name"], u["removed_at"]) for u in listed] == [
        ("hung", "leader", None, None, None), ("lan", "unit", "Văn phòng", "Nguyễn Thị Lan", None)]
    assert cli("user", "remove", "lan").stdout.startswith("User lan removed.\n")
    assert [u["login"] for u in json.loads(cli("user", "list", "--format", "json").stdout)] == ["hung"]
    everyone = json.loads(cli("user", "list", "--all", "--format", "json").stdout)
    assert [(u["login"], u["removed_at"] is not None) for u in everyone] == [("hung", False), ("lan", True)]
    events = json.loads(cli("user", "list", "--history", "--format", "json").stdout)
    assert [(e["login"], e["kind"], e["role"], e["unit"]) for e in events] == [
        ("lan", "added", "unit", "Văn phòng"), ("hung", "added", "leader", None), ("lan", "removed", "unit",
                                                                                   "Văn phòng")]
    assert all(e["recorded_by"] for e in events)
    # a removed login can be given back, with another role
    cli("user", "add", "lan", "--role", "leader")
    assert json.loads(cli("user", "list", "--format", "json").stdout)[1]["role"] == "leader"


@pytest.mark.parametrize("args, code, message", [
    (("user", "add", "Nguyễn Lan", "--role", "unit", "--unit", "VP"), 2, "cannot be a login"),
    (("user", "add", "pg_lan", "--role", "leader"), 2, "cannot be a login"),
    (("user", "add", "nqtrack_unit", "--role", "leader"), 2, "cannot be a login"),
    (("user", "add", "lan", "--role", "boss"), 2, "unknown role 'boss'; use one of: secretariat, leader, unit"),
    (("user", "add", "lan", "--role", "unit"), 2, "a unit user needs its unit: --unit UNIT"),
    (("user", "add", "lan", "--role", "unit", "--unit", "XX"), 4, "unknown unit: 'XX'"),
    (("user", "remove", "nobody"), 4, "unknown user: 'nobody'"),
    (("--user", "nobody", "overdue"), 4, "unknown user: 'nobody'"),
])
def test_user_mistakes_are_one_line(cli, args, code, message):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    result = cli(*args, expect=code)
    assert message in result.output and result.output.count("\n") == 1


def test_a_login_added_twice_is_refused(office):
    result = office("user", "add", "lan", "--role", "leader", expect=2)
    assert "user 'lan' already exists" in result.output


def test_the_unit_a_user_belongs_to_follows_a_merge(office):
    office("unit", "merge", "VP", "PC", today="2022-09-01")
    lan = next(u for u in json.loads(office("user", "list", "--format", "json").stdout) if u["login"] == "lan")
    assert lan["unit"] == "Vụ Pháp chế"


# -- confirmation: its setting, and the acceptance test --------------------------------------------------


def test_confirmation_is_on_by_default_exactly_when_the_register_has_unit_users(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    assert cli("config", "confirmation").stdout == "off\n"
    cli("user", "add", "hung", "--role", "leader")
    assert cli("config", "confirmation").stdout == "off\n"
    cli("user", "add", "lan", "--role", "unit", "--unit", "VP")
    assert cli("config", "confirmation").stdout == "on\n"
    assert cli("config", "confirmation", "off").stdout == "confirmation = off\n"
    assert "confirmation = off" in cli("config").stdout.splitlines()
    assert cli("config", "confirmation", "-").stdout == "confirmation = on\n"  # back to the default
    assert "confirmation is 'on' or 'off'" in cli("config", "confirmation", "yes", expect=2).output


def test_without_unit_users_update_done_is_as_before(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "Báo cáo", "--lead", "VP", "--due", "31/10/2022", "--assigned-on", "2022-08-01", today="2022-08-01")
    assert cli("update", "1", "--state", "done", "--on", "2022-11-03").stdout == \
        "Task 1 updated: State, Completed on, Progress.\n"
    assert [h["kind"] for h in history(cli, "1")] == ["created", "completed", "completed", "completed"]
    assert overdue_json(cli)["awaiting"] == []


def test_a_proposal_counts_from_its_confirmation_on_the_proposed_day(office):
    """The acceptance test: a unit proposes on 4 November that A was finished on 3 November;
    the secretariat confirms on 7 November. A report known on 6 November does not count A;
    one known on 7 November, and one made later, count it completed on 3 November (late)."""
    said = as_user(office, "lan", "update", "A", "--state", "done", "--on", "03/11/2022", "--product",
                   "Báo cáo số 45/BC-VP", "--note", "Đã trình Lãnh đạo Bộ", today="2022-11-04")
    assert said.stdout == (
        "Task 1: completion on 2022-11-03 proposed, awaiting the secretariat's confirmation (nqtrack confirm 1).\n"
        "Task 1 updated: Product.\n")
    shown = json.loads(office("show", "A", "--format", "json", today="2022-11-04").stdout)
    assert (shown["task"]["state"], shown["task"]["completed_on"]) == ("new", None)
    assert [t["code"] for t in overdue_json(office, today="2022-11-04")["tasks"]] == ["A"]
    assert office("confirm", "A", today="2022-11-07").stdout == "Task 1: completion confirmed, done on 2022-11-03.\n"

    before = report_json(office, "--known-on", "2022-11-06")
    after = report_json(office, "--known-on", "2022-11-07")
    now = report_json(office)
    assert (before["workload"]["completed"], before["workload"]["overdue"]) == (0, 1)  # A, as known then
    assert [t["code"] for t in before["overdue_tasks"]] == ["A"]
    for known in (after, now):
        assert (known["workload"]["completed"], known["workload"]["completed_late"]) == (1, 1)
        assert known["overdue_tasks"] == []
    task = json.loads(office("show", "A", "--format", "json").stdout)["task"]
    assert (task["state"], task["completed_on"], task["progress"], task["product"]) == (
        "done", "2022-11-03", 100, "Báo cáo số 45/BC-VP")
    events = [(h["kind"], h["field"], h["new_value"], h["effective_on"], h["recorded_by"], h["note"])
              for h in history(office, "A")]
    assert events[1:] == [
        ("proposed", None, "2022-11-03", "2022-11-04", "lan", "Đã trình Lãnh đạo Bộ"),
        ("updated", "product", "Báo cáo số 45/BC-VP", "2022-11-03", "lan", None),
        ("confirmed", "state", "done", "2022-11-03", events[3][4], None),
        ("confirmed", "completed_on", "2022-11-03", "2022-11-03", events[3][4], None),
        ("confirmed", "progress", "100", "2022-11-03", events[3][4], None),
    ]
    assert overdue_json(office)["awaiting"] == []
    assert office("check").stdout == "All checks passed.\n"


def test_with_confirmation_off_a_units_completion_counts_from_the_proposal(office):
    office("config", "confirmation", "off", today="2022-11-01")
    said = as_user(office, "lan", "update", "A", "--state", "done", "--on", "03/11/2022", today="2022-11-04")
    assert said.stdout == "Task 1 updated: State, Completed on, Progress.\n"
    assert report_json(office, "--known-on", "2022-11-04")["workload"]["completed"] == 1
    assert report_json(office, "--known-on", "2022-11-03")["workload"]["completed"] == 0
    assert [h["recorded_by"] for h in history(office, "A")][1:] == ["lan"] * 3


def test_the_secretariat_records_a_units_letter_as_a_proposal(office):
    said = office("update", "D", "--state", "done", "--on", "10/11/2022", "--propose", "--note",
                  "Công văn 88/VP ngày 11/11/2022", today="2022-11-11")
    assert said.stdout.startswith("Task 4: completion on 2022-11-10 proposed")
    assert [(r["code"], r["request"], r["requested_day"], r["request_note"]) for r in overdue_json(office)["awaiting"]
            ] == [("D", "completion", "2022-11-10", "Công văn 88/VP ngày 11/11/2022")]
    # the secretariat's own --state done is a completion, and settles the proposal
    office("update", "D", "--state", "done", "--on", "09/11/2022")
    assert overdue_json(office)["awaiting"] == []
    assert "--propose goes with --state done" in office("update", "A", "--propose", "--progress", "20",
                                                        expect=2).output


def test_a_rejected_proposal_is_sent_back_with_its_reason_and_an_undo_brings_it_back(office):
    as_user(office, "lan", "update", "A", "--state", "done", "--on", "03/11/2022", today="2022-11-04")
    assert "--reason is required" in office("reject", "A", expect=2).output
    assert office("reject", "A", "--reason", "Chưa có sản phẩm", today="2022-11-05").stdout == \
        "Task 1: proposed completion sent back.\n"
    assert overdue_json(office)["awaiting"] == []
    last = history(office, "A")[-1]
    assert (last["kind"], last["new_value"], last["note"]) == ("rejected", "2022-11-03", "Chưa có sản phẩm")
    assert "task 1 has no proposed completion awaiting confirmation" in office("confirm", "A", expect=4).output
    office("undo", "A")
    assert [r["code"] for r in overdue_json(office)["awaiting"]] == ["A"]
    # a second proposal replaces the first
    as_user(office, "lan", "update", "A", "--state", "done", "--on", "08/11/2022", today="2022-11-09")
    assert [r["requested_day"] for r in overdue_json(office)["awaiting"]] == ["2022-11-08"]
    office("confirm", "A", "--on", "07/11/2022", today="2022-11-10")
    assert json.loads(office("show", "A", "--format", "json").stdout)["task"]["completed_on"] == "2022-11-07"


def test_turning_confirmation_off_waits_for_the_proposals(office):
    as_user(office, "lan", "update", "A", "--state", "done", "--on", "03/11/2022", today="2022-11-04")
    result = office("config", "confirmation", "off", expect=2)
    assert "1 proposed completions await confirmation (tasks 1): confirm or reject them" in result.output
    assert office("config", "confirmation").stdout == "on\n"


def test_confirm_is_all_or_nothing(office):
    as_user(office, "lan", "update", "A", "--state", "done", "--on", "03/11/2022", today="2022-11-04")
    size = journal_size(office)
    office("confirm", "A", "D", expect=4)
    assert journal_size(office) == size and [r["code"] for r in overdue_json(office)["awaiting"]] == ["A"]


# -- extension requests ---------------------------------------------------------------------------------


def test_only_an_approved_extension_changes_the_deadline(office):
    said = as_user(office, "lan", "request-extension", "A", "--to", "30/11/2022", "--reason", "Chờ số liệu",
                   today="2022-11-02")
    assert said.stdout == "Task 1: extension to 2022-11-30 requested, awaiting approval.\n"
    task = json.loads(office("show", "A", "--format", "json").stdout)["task"]
    assert (task["deadline"], task["original_deadline"]) == ("2022-10-31", "2022-10-31")
    assert [(r["code"], r["request"], r["requested_day"]) for r in overdue_json(office)["awaiting"]] == [
        ("A", "extension", "2022-11-30")]
    assert office("approve", "A", today="2022-11-03").stdout == "Task 1: extension approved, deadline 2022-11-30.\n"
    task = json.loads(office("show", "A", "--format", "json").stdout)["task"]
    assert (task["deadline"], task["original_deadline"]) == ("2022-11-30", "2022-10-31")
    granted = [h for h in history(office, "A") if h["field"] == "deadline"]
    assert [(h["kind"], h["effective_on"], h["note"]) for h in granted] == [("extended", "2022-11-03", "Chờ số liệu")]
    assert report_json(office)["workload"]["extended"] == 1
    assert overdue_json(office)["awaiting"] == []


@pytest.mark.parametrize("args, message", [
    (("--to", "30/09/2022", "--reason", "x"), "an extension moves the deadline later, but 2022-09-30 is before "
                                              "2022-10-31"),
    (("--to", "31/10/2022", "--reason", "x"), "the deadline of task 1 is already 2022-10-31"),
    (("--to", "30/11/2022"), "--reason is required: why the extension is asked for"),
    (("--to", "Hằng tháng, trước ngày 20", "--reason", "x"), "is a periodic deadline"),
])
def test_the_rules_of_an_extension_apply_to_a_request(office, args, message):
    size = journal_size(office)
    result = as_user(office, "lan", "request-extension", "A", *args, expect=2)
    assert message in result.output and journal_size(office) == size


def test_a_denied_request_leaves_the_deadline(office):
    office("request-extension", "D", "--to", "Quý I/2023", "--reason", "Theo công văn 90/VP", today="2022-11-10")
    assert [r["requested_day"] for r in overdue_json(office)["awaiting"]] == ["2023-03-31"]
    assert office("deny", "D", "--reason", "Không gia hạn").stdout == "Task 4: extension request denied.\n"
    assert json.loads(office("show", "D", "--format", "json").stdout)["task"]["deadline"] == "2022-11-18"
    assert "task 4 has no extension request awaiting approval" in office("approve", "D", expect=4).output
    assert overdue_json(office)["awaiting"] == []


# -- rights, as the use cases ask them on SQLite ---------------------------------------------------------


@pytest.mark.parametrize("user, args, message", [
    ("lan", ("update", "B", "--progress", "50"),
     "task 2 is led by Vụ Pháp chế, not by Văn phòng: user 'lan' cannot record on it"),
    ("lan", ("update", "A", "--deadline", "30/11/2022", "--reason", "x"),
     "a unit cannot change a deadline: ask for an extension (nqtrack request-extension 1 --to DAY --reason TEXT)"),
    ("lan", ("update", "A", "--state", "cancelled"), "a unit proposes a completion (--state done)"),
    ("lan", ("assign", "Việc mới", "--lead", "VP"), "this is for the secretariat to do"),
    ("lan", ("assign", "A", "--lead", "PC"), "this is for the secretariat to do"),
    ("lan", ("void", "A", "--reason", "x"), "this is for the secretariat to do"),
    ("lan", ("edit", "A", "--due", "30/11/2022"), "this is for the secretariat to do"),
    ("lan", ("confirm", "A"), "this is for the secretariat to do"),
    ("lan", ("request-extension", "C", "--to", "30/11/2022", "--reason", "x"),
     "task 3 is led by Thanh tra, not by Văn phòng"),
    ("lan", ("show", "C"), "task 3 is neither led nor coordinated by Văn phòng: user 'lan' cannot see it"),
    ("lan", ("overdue", "--unit", "TC"), "user 'lan' sees the tasks of Văn phòng only"),
    ("lan", ("list", "--unit", "PC"), "user 'lan' sees the tasks of Văn phòng only"),
    ("lan", ("report", "--month", "2022-11", "--unit", "TC"), "user 'lan' sees the tasks of Văn phòng only"),
    ("lan", ("user", "add", "x", "--role", "leader"), "this is for the secretariat to do"),
    ("lan", ("config", "decimals", "2"), "this is for the secretariat to do"),
    ("lan", ("unit", "add", "Vụ mới"), "this is for the secretariat to do"),
    ("lan", ("undo",), "this is for the secretariat to do"),
    ("hung", ("update", "A", "--progress", "10"), "user 'hung' is a leader: a leader reads the register and writes "
                                                  "nothing"),
    ("hung", ("request-extension", "A", "--to", "30/11/2022", "--reason", "x"), "a leader reads the register"),
    ("hung", ("recur",), "a leader reads the register"),
])
def test_what_a_role_may_not_do_is_refused_in_one_line_and_writes_nothing(office, user, args, message):
    size = journal_size(office)
    result = as_user(office, user, *args, expect=77)
    assert result.output == f"Error: {message}\n" or (message in result.output and result.output.count("\n") == 1)
    assert journal_size(office) == size


def test_a_refusal_is_in_vietnamese_too(office):
    result = as_user(office, "lan", "update", "B", "--progress", "50", expect=77, lang="vi")
    assert result.output == ("Lỗi: nhiệm vụ 2 do Vụ Pháp chế chủ trì, không phải Văn phòng: người dùng 'lan' không "
                             "được ghi nhận trên nhiệm vụ này\n")


def test_a_unit_records_progress_products_notes_and_its_own_assignee(office):
    assert as_user(office, "lan", "update", "A", "--progress", "40%", "--product", "Dự thảo báo cáo").stdout == \
        "Task 1 updated: Progress, Product.\n"
    assert as_user(office, "lan", "update", "A", "--note", "Đã xin ý kiến").stdout == "Task 1: note recorded.\n"
    assert as_user(office, "lan", "assign", "A", "--to", "Nguyễn Thị Hà").stdout == "Task 1 re-assigned.\n"
    task = json.loads(office("show", "A", "--format", "json").stdout)["task"]
    assert (task["progress"], task["product"], task["assignee"]) == (40, "Dự thảo báo cáo", "Nguyễn Thị Hà")
    assert {h["recorded_by"] for h in history(office, "A")[1:]} == {"lan"}


def test_the_secretariat_and_the_register_keeper_do_everything(office):
    as_user(office, "mai", "update", "B", "--progress", "10")
    office("update", "C", "--progress", "10")  # no --user: the account at work is no user, the keeper
    assert history(office, "B")[-1]["recorded_by"] == "mai"


# -- each unit's own morning ---------------------------------------------------------------------------


def test_a_unit_sees_its_own_tasks_without_naming_its_unit(office):
    mine = overdue_json(office, user="lan", today="2022-11-25")
    assert [t["code"] for t in mine["tasks"]] == ["A", "D"]  # it leads them; B is not overdue yet
    assert [t["code"] for t in overdue_json(office, user="lan", today="2022-12-05")["tasks"]] == ["A", "D", "B"]
    assert [t["code"] for t in overdue_json(office, user="minh", today="2022-12-05")["tasks"]] == ["B"]
    everyone = overdue_json(office, user="hung", today="2022-12-05")
    assert sorted(t["code"] for t in everyone["tasks"]) == ["A", "B", "C", "D"]
    listed = as_user(office, "lan", "list", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[1] for line in listed[1:]] == ["A", "B", "D"]
    own = json.loads(as_user(office, "lan", "report", "--month", "2022-11", "--format", "json").stdout)
    assert own["filters"]["units"] == ["Văn phòng"] and [u["unit"] for u in own["by_unit"]] == ["Văn phòng"]
    assert as_user(office, "lan", "overdue", "--unit", "VP", "--role", "lead", "--format", "json",
                   today="2022-12-05").stdout.count('"code"') == 2


def test_a_unit_users_view_opens_no_series_and_writes_nothing(office):
    office("assign", "Báo cáo tháng", "--lead", "VP", "--every", "month", "--day", "20", "--assigned-on",
           "2022-08-01", today="2022-08-01")
    size = journal_size(office)
    as_user(office, "lan", "overdue", today="2022-12-05")
    as_user(office, "lan", "list", today="2022-12-05")
    assert journal_size(office) == size
    office("overdue", today="2022-12-05")  # the secretariat's view opens them
    assert journal_size(office) > size


# -- the morning view's section "awaiting confirmation", in every format -----------------------------------


@pytest.fixture
def waiting(office):
    as_user(office, "lan", "update", "D", "--state", "done", "--on", "10/11/2022", "--note", "Đã ban hành",
            today="2022-11-11")
    as_user(office, "lan", "request-extension", "A", "--to", "31/12/2022", "--reason", "Chờ ý kiến Bộ Tài chính",
            today="2022-11-12")
    return office


def test_awaiting_as_json_and_machine_csv(waiting):
    data = overdue_json(waiting)
    assert data["awaiting"] == [
        {"id": 4, "code": "D", "title": "Quy chế làm việc", "document": None, "lead_unit": "Văn phòng",
         "deadline": "2022-11-18", "state": "new", "request": "completion", "requested_day": "2022-11-10",
         "request_note": "Đã ban hành", "requested_on": "2022-11-11", "requested_by": "lan"},
        {"id": 1, "code": "A", "title": "Báo cáo sơ kết", "document": None, "lead_unit": "Văn phòng",
         "deadline": "2022-10-31", "state": "new", "request": "extension", "requested_day": "2022-12-31",
         "request_note": "Chờ ý kiến Bộ Tài chính", "requested_on": "2022-11-12", "requested_by": "lan"},
    ]
    assert data["summary"]["awaiting"] == 2
    lines = waiting("overdue", "--format", "csv").stdout.splitlines()
    assert lines[-2:] == [
        "awaiting,4,D,Quy chế làm việc,,Văn phòng,,,2022-11-18,,,,,new,,completion,2022-11-10,Đã ban hành,"
        "2022-11-11,lan",
        "awaiting,1,A,Báo cáo sơ kết,,Văn phòng,,,2022-10-31,,,,,new,,extension,2022-12-31,Chờ ý kiến Bộ Tài chính,"
        "2022-11-12,lan",
    ]
    # a unit's own view holds its own requests; another unit's holds none
    assert len(overdue_json(waiting, user="lan")["awaiting"]) == 2
    assert overdue_json(waiting, user="minh")["awaiting"] == []
    assert overdue_json(waiting, "--unit", "TC")["awaiting"] == []


def test_awaiting_in_markdown_and_the_headline(waiting):
    text = waiting("overdue", "--format", "markdown").stdout
    assert ("2022-11-15: 1 tasks overdue, 1 of them carried over from earlier months; 2 due within 7 days. "
            "1 proposed completions await confirmation, 1 extension requests await approval.") in text
    section = text[text.index("## Awaiting confirmation"):]
    assert section.splitlines()[2] == ("| No.   | Title            | Lead unit   | Deadline   | Request              "
                                       "    | Note or reason          | Requested on   | Recorded by   |")
    assert "| D     | Quy chế làm việc | Văn phòng   | 2022-11-18 | completion on 2022-11-10 | Đã ban hành" in section
    assert "| A     | Báo cáo sơ kết   | Văn phòng   | 2022-10-31 | extension to 2022-12-31  |" in section
    vi = waiting("overdue", "--format", "markdown", lang="vi").stdout
    assert "## Chờ xác nhận" in vi and "hoàn thành ngày 10/11/2022" in vi and "gia hạn đến 31/12/2022" in vi


def test_awaiting_in_the_csv_for_people_and_the_workbook(waiting, tmp_path):
    path = tmp_path / "qua-han.csv"
    waiting("overdue", "--labels", "--output", str(path), lang="vi")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][-4:] == ["Đề nghị", "Ghi chú hoặc lý do", "Ngày đề nghị", "Người ghi"]
    assert [r[0] for r in rows[1:]].count("Chờ xác nhận") == 2
    book = tmp_path / "qua-han.xlsx"
    waiting("overdue", "--output", str(book), lang="vi")
    sheet = openpyxl.load_workbook(book)["Chờ xác nhận"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values.index(["#", "Mã", "Nội dung", "Văn bản", "Đơn vị chủ trì", "Thời hạn", "Trạng thái", "Đề nghị",
                           "Ngày đề nghị hoàn thành hoặc gia hạn", "Ghi chú hoặc lý do", "Ngày đề nghị",
                           "Người ghi"])
    first = values[header + 1]
    assert first[:3] == [4, "D", "Quy chế làm việc"] and first[7] == "Đề nghị hoàn thành"
    assert first[8].date() == date(2022, 11, 10) and first[11] == "lan"


@pytest.mark.parametrize("width", (80, 100, 160))
def test_awaiting_fits_the_terminal(waiting, width):
    register = open_store(str(waiting.db))
    before = i18n.language()
    i18n.set_language("vi")
    try:
        backlog = views.overdue(Context.of(register, date(2022, 11, 15)), views.OverdueQuery())
        screen = Console(file=io.StringIO(), width=width, no_color=True, color_system=None, highlight=False,
                         markup=False, emoji=False)
        overdue_render.print_table(backlog, "unit", None, screen=screen)
    finally:
        i18n.set_language(before)
        register.close()
    text = screen.file.getvalue()
    assert "Chờ xác nhận" in text
    assert all(len(line) <= width for line in text.splitlines())
    for cell in ("10/11/2022", "31/12/2022", "18/11/2022"):  # days are never cut
        assert cell in text


VI_FAILING = [
    ("lan", ("update", "B", "--progress", "50")),
    ("lan", ("update", "A", "--deadline", "30/11/2022", "--reason", "x")),
    ("lan", ("update", "A", "--state", "cancelled")),
    ("lan", ("confirm", "A")),
    ("lan", ("show", "C")),
    ("lan", ("overdue", "--unit", "TC")),
    ("hung", ("update", "A", "--progress", "10")),
    (None, ("confirm", "A")),
    (None, ("approve", "A")),
    (None, ("reject", "A")),
    (None, ("request-extension", "A", "--to", "30/09/2022", "--reason", "x")),
    (None, ("request-extension", "A", "--to", "31/10/2022", "--reason", "x")),
    (None, ("request-extension", "A", "--to", "30/11/2022")),
    (None, ("update", "A", "--propose")),
    (None, ("user", "add", "Nguyễn", "--role", "unit")),
    (None, ("user", "add", "x", "--role", "unit")),
    (None, ("user", "add", "lan", "--role", "unit", "--unit", "VP")),
    (None, ("user", "remove", "khong_co")),
    (None, ("--user", "khong_co", "list")),
    (None, ("config", "confirmation", "co")),
    (None, ("remind", "--attach")),
    (None, ("import", "--sheet-return", "khong-co.xlsx")),
]


@pytest.mark.parametrize("user, args", VI_FAILING, ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v))
def test_every_refusal_is_wholly_in_vietnamese(office, user, args):
    from tests.test_messages_vi import ISO_DAY, english_in

    prefix = ("--user", user) if user else ()
    result = office(*prefix, *args, lang="vi", expect=None)
    assert result.exit_code in (2, 4, 77) and result.output.startswith("Lỗi: ")
    assert english_in(result.output, ("khong-co.xlsx", "NGÀY", "LÝ_DO", "ĐƠN_VỊ")) == [], result.output
    assert not ISO_DAY.search(result.output), result.output


def test_what_awaits_is_read_through_indexes(store):  # noqa: F811  (the fixture of test_performance_guards)
    from tests.test_performance_guards import FULL_SCAN, plans_of

    with store.transaction():
        for task_id in (1, 21, 41):
            store.record_task_event(task_id, "proposed", new=date(2022, 11, 1), effective_on=date(2022, 11, 2),
                                    by="t", recorded_at="2022-11-02T08:00:00+00:00")
    for call in (lambda: store.pending_requests(until=date(2022, 11, 15)),
                 lambda: store.pending_requests(unit_ids=[1], role="any"),
                 lambda: store.pending_requests(task_ids=[1, 2])):
        plans = plans_of(store, call)
        assert plans
        for _sql, plan in plans:
            assert not [line for line in plan if FULL_SCAN.match(line) or line == "SCAN p"], plan
            assert any(line.startswith("SEARCH p USING INDEX events_requests (kind=?") for line in plan), plan


def test_the_readme_commands_of_many_units_run_on_the_example_register(tmp_path):
    """The README's section 'Many units, one register': its first block, word for word, on
    the example register of the quick start."""
    import re
    import shlex
    from pathlib import Path

    from tests.support import Cli

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Một bộ, nhiều đơn vị / Many units, one register"):]
    block = re.search(r"```text\n(.*?)\n```", section, re.S)[1]
    cli = Cli(tmp_path / "demo.db")
    cli("init")
    for kind, name in (("units", "units.csv"), ("documents", "documents.csv"), ("tasks", "tasks.csv")):
        cli("import", str(root / "examples" / name), "--kind", kind, today="2022-11-15")
    outputs = []
    for line in block.splitlines():
        argv = shlex.split(line)
        assert argv[:3] == ["nqtrack", "--db", "demo.db"], line
        today = argv[argv.index("--today") + 1] if "--today" in argv else "2022-11-16"
        outputs.append(cli(*argv[3:], today=today).stdout)
    assert outputs[3].startswith("Task 41: completion on 2022-11-10 proposed")
    assert outputs[5].startswith("Task 5: completion on 2022-11-08 proposed")
    assert "## Awaiting confirmation" in outputs[6] and "extension to 2022-12-31" in outputs[6]
    assert outputs[7:10] == ["Task 41: completion confirmed, done on 2022-11-10.\n",
                             "Task 46: extension approved, deadline 2022-12-31.\n",
                             "Task 5: proposed completion sent back.\n"]
    assert "Nguyễn Thị Lan" in outputs[10]
    assert cli("check").stdout == "All checks passed.\n"


def test_the_account_at_work_is_not_locked_out_of_the_users(cli):
    import re

    from nqtrack.app.context import default_recorder

    account = default_recorder().lower()
    cli("unit", "add", "Văn phòng", "--code", "VP")
    result = cli("user", "add", account, "--role", "unit", "--unit", "VP", expect=2)
    if re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", account) and not account.startswith(("pg_", "nqtrack_")):
        # the account's name is a login: refused while no user is the secretariat
        assert "is the account running nqtrack" in result.output
        cli("user", "add", "mai", "--role", "secretariat")
        cli("user", "add", account, "--role", "unit", "--unit", "VP")
        assert "this is for the secretariat to do" in cli("user", "remove", account, expect=77).output
        cli("--user", "mai", "user", "remove", account)
    else:  # an account name that cannot be a login (it is no user: the keeper)
        assert "cannot be a login" in result.output


def test_a_unit_with_no_open_task_has_an_empty_sheet_that_imports_back(cli, tmp_path):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    path = tmp_path / "phieu.xlsx"
    assert cli("sheet", "VP", "--output", str(path)).stdout.endswith("(0 tasks).\n")
    assert cli("import", str(path)).stdout.endswith("Nothing new: nothing was recorded.\n")
