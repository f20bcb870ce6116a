"""The report as an Excel workbook: one sheet per section, native Excel charts.

A section of several tables has them one under another on its sheet (section III: the
tasks to carry out per lead unit, then the tasks received in the four states).

The charts are Excel's own, drawn from the cells beside them, so they follow any figure
a secretary corrects in the sheet: the 12-month completion-rate trend (line), the four
states of the tasks to carry out per lead unit (stacked bars), and the overdue backlog by
month of deadline (columns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nqtrack.i18n import _
from nqtrack.render.charts import BACKLOG_COLOR, STATE_COLORS, TREND_COLOR
from nqtrack.render.report import STATES, ReportTable, report_tables, subtitle, title
from nqtrack.render.xlsx import Part, Placed, Sheet, percent_format, workbook_bytes

CHART_FONT = {"name": "Times New Roman", "size": 11}


def _place(ws: Any, placed: Placed, chart: Any) -> None:
    ws.insert_chart(placed.header_row, placed.width + 1, chart, {"x_offset": 12, "y_offset": 4})


def _states_chart(label: str) -> Any:
    """Stacked bars: the four states of each unit's (or source's) tasks to carry out."""

    def draw(workbook: Any, ws: Any, placed: Placed) -> None:
        if placed.empty:
            return
        chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
        for key, name in STATES:
            chart.add_series({
                "name": _(name), "categories": placed.cells("name"), "values": placed.cells(f"workload.{key}"),
                "fill": {"color": STATE_COLORS[key]}, "border": {"none": True}, "gap": 60,
            })
        chart.set_title({"name": label, "name_font": {**CHART_FONT, "size": 13, "bold": True}})
        chart.set_y_axis({"reverse": True, "num_font": CHART_FONT})  # the first unit on top, as in the table
        chart.set_x_axis({"num_font": CHART_FONT, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom", "font": CHART_FONT})
        rows = placed.last_row - placed.first_row + 1
        chart.set_size({"width": 760, "height": max(320, 26 * rows + 140)})
        _place(ws, placed, chart)

    return draw


def _trend_chart(workbook: Any, ws: Any, placed: Placed, decimals: int) -> None:
    if placed.empty:
        return
    chart = workbook.add_chart({"type": "line"})
    chart.add_series({
        "name": _("Completion rate"), "categories": placed.cells("month"), "values": placed.cells("completion_rate"),
        "line": {"color": TREND_COLOR, "width": 2.25},
        "marker": {"type": "circle", "size": 6, "fill": {"color": TREND_COLOR}, "border": {"color": TREND_COLOR}},
        "data_labels": {"value": True, "position": "above", "num_format": percent_format(decimals),
                        "font": CHART_FONT},
    })
    chart.set_title({"name": _("Completion rate, last 12 months"),
                     "name_font": {**CHART_FONT, "size": 13, "bold": True}})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": CHART_FONT,
                      "major_gridlines": {"visible": True}})
    chart.set_x_axis({"num_font": CHART_FONT})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 340})
    _place(ws, placed, chart)


def _backlog_chart(workbook: Any, ws: Any, placed: Placed) -> None:
    if placed.empty:
        return
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({
        "name": _("Overdue"), "categories": placed.cells("month"), "values": placed.cells("overdue"),
        "fill": {"color": BACKLOG_COLOR}, "border": {"none": True}, "gap": 40,
        "data_labels": {"value": True, "font": CHART_FONT},
    })
    chart.set_title({"name": _("Overdue tasks by month of deadline"),
                     "name_font": {**CHART_FONT, "size": 13, "bold": True}})
    chart.set_y_axis({"min": 0, "num_font": CHART_FONT, "major_gridlines": {"visible": True}})
    chart.set_x_axis({"num_font": CHART_FONT})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 340})
    _place(ws, placed, chart)


def overdue_task_columns() -> list[tuple[str, str]]:
    return [
        ("id", "#"), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("lead_unit", _("Lead unit")), ("assignee", _("Assignee")), ("deadline", _("Deadline")),
        ("original_deadline", _("Original deadline")), ("days_overdue", _("Days overdue")),
        ("carried_over", _("Carried over")), ("state", _("State")),
    ]


def backlog_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"month": f"{m['month'][5:]}/{m['month'][:4]}", "overdue": m["overdue"]}
            for m in report["overdue_by_month"]]


def workbook(report: dict[str, Any], decimals: int = 1) -> bytes:
    """One sheet per section (its tables one under another, section I's opened by the
    Government's sentence), the overdue tasks in full, and the backlog by month."""
    heading, period = title(report), subtitle(report)
    charts: dict[str, Callable[[Any, Any, Placed], None]] = {
        "unit_workload": _states_chart(_("Tasks to carry out by state, per lead unit")),
        "source_workload": _states_chart(_("Tasks to carry out by state, per source")),
        "trend": lambda wb, ws, placed: _trend_chart(wb, ws, placed, decimals),
    }
    tasks = [{**t, "state": _(t["state"])} for t in report["overdue_tasks"]]
    sections: dict[str, list[ReportTable]] = {}
    for table in report_tables(report, decimals):
        sections.setdefault(table.number, []).append(table)
    sheets = []
    for first, *rest in sections.values():
        columns, rows = (overdue_task_columns(), tasks) if first.name == "overdue" else (first.columns, first.rows)
        sheets.append(Sheet(first.sheet, columns, rows, title=heading, subtitle=f"{first.numbered_heading}. {period}",
                            kinds=first.kinds, charts=charts.get(first.name), lead=first.lead,
                            caption=first.caption if rest else "",
                            parts=[Part(t.columns, t.rows, t.caption, t.kinds, charts.get(t.name)) for t in rest]))
    sheets.append(Sheet(_("By month of deadline"), [("month", _("Month")), ("overdue", _("Overdue"))],
                        backlog_rows(report), title=heading,
                        subtitle=f"{_('Overdue tasks by month of deadline')}. {period}", charts=_backlog_chart))
    return workbook_bytes(sheets, decimals)
