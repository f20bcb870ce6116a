"""Issue 14: every mistake correctable, every correction journaled (void, edit, merges,
undo), and the time the journal tells."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from nqtrack.cli import app


def show_json(cli, task="1", **kw):
    return json.loads(cli("show", task, "--format", "json", **kw).stdout)


def workload(cli, month="2022-10", **kw):
    args = ["report", "--month", month, "--format", "json"]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    return json.loads(cli(*args, today="2022-11-20").stdout)["workload"]


@pytest.fixture
def office(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017")
    cli("assign", "Báo cáo quý III", "--lead", "VP", "--doc", "07-NQ/ĐUK", "--due", "15/10/2022",
        "--assigned-on", "2022-09-01", "--code", "A", today="2022-09-01")
    cli("assign", "Kế hoạch 2023", "--lead", "TCCB", "--due", "20/10/2022", "--assigned-on", "2022-09-05",
        "--code", "B", today="2022-09-05")
    return cli


# -- the journal tells the truth about time ---------------------------------------------------


def test_today_never_moves_the_recording_moment(tmp_path):
    """Without a test clock, --today sets the business day only: recorded_at is the real clock."""
    db = str(tmp_path / "r.db")
    runner = CliRunner()
    env = {"NQTRACK_TEST_CLOCK": None, "NO_COLOR": "1"}
    before = datetime.now(UTC).isoformat(timespec="microseconds")
    for args in (["unit", "add", "Văn phòng", "--code", "VP"],
                 ["assign", "Việc", "--lead", "VP", "--assigned-on", "2001-01-01"]):
        assert runner.invoke(app, ["--db", db, "--today", "2001-01-02", *args], env=env).exit_code == 0
    shown = runner.invoke(app, ["--db", db, "--today", "2001-01-02", "show", "1", "--format", "json"], env=env)
    after = datetime.now(UTC).isoformat(timespec="microseconds")
    (created,) = json.loads(shown.stdout)["history"]
    assert created["effective_on"] == "2001-01-01"
    assert before <= created["recorded_at"] <= after


# -- undone extensions and reminders do not count ---------------------------------------------


def test_an_undone_extension_or_reminder_is_not_counted(office):
    office("update", "B", "--deadline", "30/11/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    office("remind", "--output-dir", str(office.db.parent / "notices"), today="2022-10-12")
    counted = workload(office)
    assert (counted["extended"], counted["reminded"]) == (1, 1)
    office("undo", today="2022-10-13")  # the reminder
    office("undo", today="2022-10-13")  # the extension
    assert (workload(office)["extended"], workload(office)["reminded"]) == (0, 0)
    # a report made before the undo still counts them
    known = workload(office, known_on="2022-10-12")
    assert (known["extended"], known["reminded"]) == (1, 1)
