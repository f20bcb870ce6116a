"""Issue 17: tables that fit the terminal. The views are rendered into a Rich console of 80,
100, 120 and 160 columns: task numbers, dates, days overdue and document symbols stay whole,
rates keep their "%", headers wrap between words, empty columns go, and below 100 columns
the report's per-unit section becomes one block per unit."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from nqtrack import i18n
from nqtrack.app import tasks, views
from nqtrack.app.context import Context
from nqtrack.render import overdue as overdue_render
from nqtrack.render import report as report_render
from nqtrack.render.layout import fit_table, plan
from nqtrack.render.task import display_task_row, task_columns
from nqtrack.store.sqlite import SqliteStore
from tests.support import Cli

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (80, 100, 120, 160)
TODAY = date(2022, 11, 15)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    db = tmp_path_factory.mktemp("layouts") / "register.db"
    cli = Cli(db)
    cli("init")
    for name in ("units", "documents"):
        cli("import", str(ROOT / f"examples/{name}.csv"), "--kind", name)
    cli("import", str(ROOT / "examples/tasks.csv"))
    cli("update", "NV-2022-0017", "--deadline", "30/11/2022", "--reason", "Chờ số liệu")  # one extension
    store = SqliteStore(db)
    yield Context.of(store, TODAY)
    store.close()


@pytest.fixture(autouse=True)
def vietnamese():
    before = i18n.language()
    i18n.set_language("vi")
    yield
    i18n.set_language(before)


def screen(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, no_color=True, color_system=None, highlight=False, markup=False,
                   emoji=False)


def text_of(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined]


def assert_fits(out: str, width: int) -> None:
    too_long = [line for line in out.splitlines() if cell_len(line) > width]
    assert not too_long, too_long[:3]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_overdue_view_keeps_every_task_number_date_and_symbol_whole(ctx, width):
    backlog = views.overdue(ctx, views.OverdueQuery())
    console = screen(width)
    overdue_render.print_table(backlog, "unit", None, screen=console)
    out = text_of(console)
    assert_fits(out, width)
    everything = backlog.overdue + backlog.paused + backlog.due_soon
    assert len(everything) == 47
    for task in everything:
        assert task["code"] in out
        assert task["deadline"].strftime("%d/%m/%Y") in out
        if task["document"]:
            assert task["document"] in out
    for task in backlog.overdue:  # the days overdue on the task's own line
        line = next(line for line in out.splitlines() if task["code"] in line)
        assert re.search(rf"│\s+{task['days_overdue']} │", line), line
    # headers wrap between words: every word of a header is whole somewhere
    for word in ("Đơn", "vị", "chủ", "trì", "Thời", "hạn", "sớm", "nhất", "Chuyển", "tháng"):
        assert re.search(rf"(?<!\w){word}(?!\w)", out), word


def test_the_overdue_view_at_80_columns_moves_what_does_not_fit_under_the_title(ctx):
    backlog = views.overdue(ctx, views.OverdueQuery())
    _title, rows, columns = next(overdue_render._sections(backlog, "unit", None))
    assert plan(rows, columns, 160).folded == []
    narrow = plan(rows, columns, 80)
    assert narrow.folded == ["assignee"] and narrow.fold_into == "title"
    console = screen(80)
    overdue_render.print_table(backlog, "unit", None, screen=console)
    out = text_of(console)
    assert "Người thực" in out and "Trịnh Văn" in out  # the assignee, on the task's second line


@pytest.mark.parametrize("width", WIDTHS)
def test_the_task_list_keeps_numbers_and_dates_whole(ctx, width):
    found = tasks.listing(ctx, tasks.TaskQuery(units=("VP",)))
    rows = [display_task_row(t) for t in found]
    console = screen(width)
    console.print(fit_table(rows, task_columns(), width, "Nhiệm vụ"))
    out = text_of(console)
    assert_fits(out, width)
    for task in found:
        assert re.search(rf"│ +{task['id']} +│ {re.escape(task['code'])} +│", out), task["code"]
        if task["deadline"]:
            assert date.fromisoformat(task["deadline"]).strftime("%d/%m/%Y") in out
        if task["document"]:
            assert task["document"] in out


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_keeps_rates_whole_and_fits(ctx, width):
    printed = views.report(ctx, views.ReportQuery(views.PeriodChoice(month="2022-10")))
    data = printed.data
    console = screen(width)
    report_render.print_table(data, screen=console, decimals=printed.decimals)
    out = text_of(console)
    assert_fits(out, width)
    rates = [report_render.rate_percent(u["workload"]["completion_rate"]) for u in data["by_unit"]]
    rates += [report_render.rate_percent(m["completion_rate"]) for m in data["trend"]]
    # the tasks received per unit, in the four states, with both rates of the received view
    rates += [report_render.rate_percent(u["received"][key]) for u in data["by_unit"]
              for key in ("completion_rate_of_due", "overdue_rate")]
    for rate in rates:
        assert rate in out  # "14,2 %", never "14,2" and a "%" on the next line
    for task in data["overdue_tasks"]:
        assert task["code"] in out and task["deadline"].strftime("%d/%m/%Y") in out
    per_unit = out[out.index("III. Theo đơn vị chủ trì"):out.index("IV. Theo nguồn giao")]
    if width < report_render.NARROW:  # one block per unit
        assert "Văn phòng Bộ\n  Được giao 4 · Phải thực hiện 7 · " in per_unit
        assert "┃" not in per_unit and "│" not in per_unit
    else:
        assert "┃ Đơn vị chủ" in per_unit and re.search(r"│ Văn phòng Bộ +│ +4 │ +7 │", per_unit)


def test_empty_columns_are_dropped_and_headers_wrap_between_words():
    rows = [{"ref": "NV-2022-0001", "title": "Một việc rất dài " * 5, "extended": "", "deadline": "31/10/2022",
             "days": 15}]
    columns = [("ref", "Số"), ("title", "Nội dung"), ("extended", "Được gia hạn"), ("deadline", "Thời hạn"),
               ("days", "Số ngày quá hạn")]
    layout = plan(rows, columns, 60)
    assert layout.keys == ["ref", "title", "deadline", "days"]  # nobody's extension: no column
    assert layout.widths["ref"] == 12 and layout.widths["deadline"] == 10
    assert layout.widths["days"] == 4  # the longest word of "Số ngày quá hạn", not the whole header
    console = screen(60)
    console.print(fit_table(rows, columns, 60))
    out = text_of(console)
    assert_fits(out, 60)
    assert "NV-2022-0001" in out and "31/10/2022" in out and "…" in out
    header = "".join(line for line in out.splitlines()[:5])
    for word in ("Số", "ngày", "quá", "hạn"):
        assert re.search(rf"(?<!\w){word}(?!\w)", header)
