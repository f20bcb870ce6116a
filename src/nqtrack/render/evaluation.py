"""Rendering the evaluation of units: the ranked table a secretary pastes into the
emulation report (thi đua), in table, markdown, CSV, JSON and Excel.

JSON and the machine CSV carry the figures as they are (rates and scores exact); the
table, markdown, the CSV for people and Excel cut rates and scores (never rounded up) to
`decimals` places. The tables are the report's kind (render/report.py: `ReportTable`), so
the terminal layouts, markdown and the workbook are the report's too."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from nqtrack.core.figures import STATE_KEYS
from nqtrack.i18n import _, language
from nqtrack.render.report import ReportTable, display_rows, markdown_document, print_document, subtitle
from nqtrack.render.tables import csv_text, json_text, show_day

if TYPE_CHECKING:
    from nqtrack.render.output import Output

CSV_KEYS = ("rank", "unit", "unit_id", "completed_on_time", "completed_late", "in_progress", "overdue", "completed",
            "due", "on_time_rate", "overdue_days_total", "overdue_days_max", "extensions", "reminders", "deduction",
            "score", "class", "class_level", "class_name_vi", "class_name_en")
# a score is a number cut to the decimals chosen, like a rate but not a per cent
UNIT_KINDS = {"on_time_rate": "rate", "score": "decimal"}


def title(data: dict[str, Any]) -> str:
    period = data["period"]
    kind, label = period["kind"], period["label"]
    if kind == "month":
        return _("Evaluation of how the units carried out their tasks, month {label}", label=label)
    if kind == "quarter":
        return _("Evaluation of how the units carried out their tasks, quarter {label}", label=label)
    if kind == "year":
        return _("Evaluation of how the units carried out their tasks, year {label}", label=label)
    return _("Evaluation of how the units carried out their tasks from {start} to {end}",
             start=show_day(period["from"]), end=show_day(period["to"]))


def lead(data: dict[str, Any]) -> str:
    scheme = data["scheme"]["file"]
    text = _("Scheme: {file}.", file=scheme) if scheme else _("Scheme: nqtrack's default.")
    return subtitle(data) + " " + text + " " + _(
        "Tasks to carry out: those due in the period and those carried over; the score counts the tasks fallen "
        "due (completed, or overdue).")


def unit_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each unit's line of the ranking, typed (the rank is None for a unit not evaluated)."""
    lang = language()
    return [
        {
            "rank": u["rank"],
            "name": u["unit"],
            "total": sum(u[state] for state in STATE_KEYS),
            **{state: u[state] for state in STATE_KEYS},
            "on_time_rate": u["on_time_rate"],
            "overdue_days": u["overdue_days_total"],
            "extensions": u["extensions"],
            "reminders": u["reminders"],
            "score": u["score"],
            "class": u["class_name"][lang],
        }
        for u in data["units"]
    ]


def unit_columns() -> list[tuple[str, str]]:
    return [
        ("rank", _("Rank")),
        ("name", _("Lead unit")),
        ("total", _("To carry out")),
        ("completed_on_time", _("Completed on time")),
        ("completed_late", _("Completed late")),
        ("in_progress", _("Within the deadline")),
        ("overdue", _("Overdue")),
        ("on_time_rate", _("On time / fallen due")),
        ("overdue_days", _("Days overdue")),
        ("extensions", _("Extensions")),
        ("reminders", _("Reminders")),
        ("score", _("Score")),
        ("class", _("Class")),
    ]


def evaluation_tables(data: dict[str, Any]) -> list[ReportTable]:
    """I. how many units in each class; II. each unit, ranked."""
    lang = language()
    classes = [{"class": c["name"][lang], "units": c["units"]} for c in data["classes"]]
    by_class, each_unit = _("Units by class"), _("Evaluation of each unit")
    return [
        ReportTable("I", by_class, by_class, [("class", _("Class")), ("units", _("Number of units"))], classes,
                    name="classes"),
        ReportTable("II", each_unit, each_unit, unit_columns(), unit_rows(data), dict(UNIT_KINDS), name="units",
                    none_when_empty=True, blocks_when_narrow=True),
    ]


def csv(data: dict[str, Any]) -> str:
    rows = [{**{k: u.get(k) for k in CSV_KEYS}, "class_name_vi": u["class_name"]["vi"],
             "class_name_en": u["class_name"]["en"]} for u in data["units"]]
    return csv_text(rows, CSV_KEYS)


def people_csv(data: dict[str, Any], decimals: int = 1) -> str:
    """The CSV for people: the ranking as the table shows it, headed by its labels."""
    units = evaluation_tables(data)[1]
    return csv_text(display_rows(units, decimals), [key for key, _label in units.columns],
                    [label for _key, label in units.columns])


def workbook(data: dict[str, Any], decimals: int = 1) -> bytes:
    """One sheet per section: rates as Excel percentages, scores as numbers, cut to `decimals`."""
    from nqtrack.render.xlsx import Sheet, workbook_bytes

    heading, period = title(data), lead(data)
    return workbook_bytes([Sheet(table.sheet, table.columns, table.rows, title=heading,
                                 subtitle=f"{table.numbered_heading}. {period}", kinds=table.kinds)
                           for table in evaluation_tables(data)], decimals)


def render(data: dict[str, Any], out: Output | str, stream: TextIO | None = None) -> None:
    """Write the evaluation; `stream` None means standard output (Rich decides colour)."""
    from nqtrack.render.tables import as_output

    out = as_output(out)
    fmt, decimals = out.fmt, out.decimals
    if fmt == "table":
        print_document(title(data), lead(data), evaluation_tables(data), stream, decimals=decimals)
        return
    if fmt == "xlsx":
        out.write_bytes(workbook(data, decimals))
        return
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(json_text(data))
    elif fmt == "csv":
        stream.write(people_csv(data, decimals) if out.labels else csv(data))
    elif fmt == "markdown":
        stream.write(markdown_document(title(data), lead(data), evaluation_tables(data), decimals) + "\n")
