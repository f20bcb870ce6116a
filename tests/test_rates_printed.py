"""Issue 15: rates exact in JSON, cut (never rounded up) where people read them, to
--decimals places or the stored `config decimals`: 16,051 of 16,274 is 98.6297… %, printed
98,62 with two decimals (rounding would say 98,63) and 98,6 by default."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from nqtrack.store import open_store
from nqtrack.store.base import LaterEvent, NewTask
from tests.support import Cli, query

TASKS, COMPLETED = 16_274, 16_051
ASSIGNED, DEADLINE, DONE = date(2024, 1, 5), date(2024, 2, 1), date(2024, 1, 20)


@pytest.fixture(scope="module")
def built(module_register) -> str:
    """16,274 tasks from the Government received in the first quarter of 2024, all due on
    1 February; 16,051 completed on time, the other 223 overdue at the quarter's end."""
    path = module_register()
    store = open_store(path)
    with store.transaction():
        unit = store.add_unit("Bộ Tư pháp").id
        tasks = [
            NewTask({"title": f"Nhiệm vụ {i}", "source": "Chính phủ", "lead_unit_id": unit, "assigned_on": ASSIGNED,
                     "deadline": DEADLINE, "state": "new"}, [], ASSIGNED,
                    [LaterEvent("imported", "state", "new", "done", DONE),
                     LaterEvent("imported", "completed_on", None, DONE, DONE)] if i < COMPLETED else [])
            for i in range(TASKS)
        ]
        store.insert_tasks(tasks, by="test", kind="imported", recorded_at="2024-01-20T09:00:00.000000+00:00")
    store.close()
    return path


@pytest.fixture
def cli(built) -> Iterator[Cli]:
    """The module's register; `config decimals` writes to it: each test leaves it as it was."""
    yield Cli(built)
    query(built, "DELETE FROM settings")


def report(cli: Cli, *args: str, lang: str = "vi") -> str:
    return cli("report", "--quarter", "2024-Q1", *args, today="2024-04-10", lang=lang).stdout


def rows(markdown: str) -> dict[str, str]:
    """The figure/number rows of a markdown report: label → value."""
    found = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2:
            found[cells[0]] = cells[1]
    return found


def test_json_carries_the_exact_fractions(cli):
    data = json.loads(report(cli, "--format", "json"))
    assert data["workload"]["completion_rate"] == COMPLETED / TASKS
    assert data["received"]["completion_rate_of_due"] == COMPLETED / TASKS
    assert data["received"]["overdue_rate"] == (TASKS - COMPLETED) / TASKS
    # the trend's too: February's workload is the 16,274 tasks due in it
    assert (data["trend"][-2]["month"], data["trend"][-2]["completion_rate"]) == ("2024-02", COMPLETED / TASKS)
    # --decimals is for people: the JSON does not change
    assert json.loads(report(cli, "--format", "json", "--decimals", "2")) == data


def test_two_decimals_cut_not_rounded(cli):
    out = report(cli, "--format", "markdown", "--decimals", "2")
    figures = rows(out)
    assert figures["Tỷ lệ hoàn thành (số đã hoàn thành / số phải thực hiện)"] == "98,62 %"
    assert figures["Tỷ lệ hoàn thành trên số nhiệm vụ đến hạn (số đã hoàn thành / số đến hạn)"] == "98,62 %"
    assert figures["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == "1,37 %"
    assert ("Tổng số 16.274 nhiệm vụ được giao; đã hoàn thành 16.051 nhiệm vụ (16.051 đúng hạn, 0 quá hạn), chiếm "
            "98,62 % số nhiệm vụ đến hạn; đang thực hiện 223 nhiệm vụ (0 trong hạn, 223 quá hạn).") in out.splitlines()
    assert "98,63" not in out
    assert "| 02/2024 |            16274 |           16051 |                       98,62 % |" in out  # the trend


def test_one_decimal_by_default(cli):
    figures = rows(report(cli, "--format", "markdown"))
    assert figures["Tỷ lệ hoàn thành (số đã hoàn thành / số phải thực hiện)"] == "98,6 %"
    assert figures["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == "1,3 %"


def test_english_and_the_table(cli):
    figures = rows(report(cli, "--format", "markdown", "--decimals", "2", lang="en"))
    assert figures["Completion rate (completed / tasks to carry out)"] == "98.62 %"
    assert "In total 16,274 tasks were received;" in report(cli, "--decimals", "2", lang="en")
    table = report(cli, "--decimals", "3")
    assert "98,629 %" in table and "98,63 %" not in table


def test_the_stored_setting_and_the_option_over_it(cli):
    assert cli("config", "decimals", "2").stdout == "decimals = 2\n"
    assert rows(report(cli, "--format", "markdown"))["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == "1,37 %"
    assert rows(report(cli, "--format", "markdown", "--decimals", "1"))[
        "Tỷ lệ quá hạn (số quá hạn / số được giao)"] == "1,3 %"
    assert rows(report(cli, "--format", "markdown", "--decimals", "0"))[
        "Tỷ lệ hoàn thành (số đã hoàn thành / số phải thực hiện)"] == "98 %"
    cli("config", "decimals", "-")
    assert rows(report(cli, "--format", "markdown"))["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == "1,3 %"


@pytest.mark.parametrize("value", ["7", "two", "2.5", "٢", "02x"])
def test_a_bad_stored_decimals_is_one_clear_error(cli, value):
    stored = cli("config", "decimals", value, expect=2)
    assert stored.stdout == "" and stored.stderr.splitlines() == ["Error: --decimals takes a number from 0 to 6"]
    assert cli("config", "decimals").stdout == "\n"  # nothing stored


@pytest.mark.parametrize("value", ["7", "-1"])
def test_a_bad_decimals_option_is_one_clear_error(cli, value):
    given = cli("report", "--quarter", "2024-Q1", "--decimals", value, expect=2)
    assert given.stdout == "" and given.stderr.splitlines() == ["Error: --decimals takes a number from 0 to 6"]


def test_every_format_people_read_cuts_to_the_decimals(cli, tmp_path):
    """The workbook, the Word report, the dashboard and the CSV for people show the rates cut
    to --decimals as the markdown does: 98,62 for 16,051 of 16,274, never 98,63."""
    docx = pytest.importorskip("docx")
    import openpyxl

    for name in ("r.xlsx", "r.docx", "r.html", "r.csv"):
        report(cli, "--decimals", "2", "--output", str(tmp_path / name), "--labels")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    figures = {row[0].value: row[1] for row in book["Phải thực hiện"].iter_rows() if row[0].value}
    rate = figures["Tỷ lệ hoàn thành (số đã hoàn thành / số phải thực hiện)"]
    assert rate.value == 0.9862 and rate.number_format == "0.00%"  # a number, cut: Excel would round 0.98629 up
    received = {row[0].value: row[1].value for row in book["Được giao"].iter_rows() if row[0].value}
    assert received["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == 0.0137
    words = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    cells = [c.text for t in docx.Document(str(tmp_path / "r.docx")).tables for row in t.rows for c in row.cells]
    assert "chiếm 98,62 % số nhiệm vụ đến hạn" in words and "98,62 %" in cells and "1,37 %" in cells
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "chiếm 98,62 % số nhiệm vụ đến hạn" in page and ">98,62 %</span>" in page and ">1,37 %</span>" in page
    people = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "98,62 %" in people and "1,37 %" in people
    for text in (words, "\n".join(cells), page, people):
        assert "98,63" not in text and "1,38" not in text
