"""Rendering the evaluation of units: the ranked table a secretary pastes into the
emulation report (thi đua), in table, markdown, CSV and JSON.

JSON and CSV carry the figures as they are (rates and scores exact); the table and
markdown cut rates and scores (never rounded up) to `decimals` places."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from nqtrack.core.figures import STATE_KEYS
from nqtrack.core.numbers import NO_VALUE, cut, localize
from nqtrack.i18n import _, language
from nqtrack.render.report import Block, markdown_document, print_document, rate_percent, subtitle
from nqtrack.render.tables import csv_text, json_text, show_day

CSV_KEYS = ("rank", "unit", "unit_id", "completed_on_time", "completed_late", "in_progress", "overdue", "completed",
            "due", "on_time_rate", "overdue_days_total", "overdue_days_max", "extensions", "reminders", "deduction",
            "score", "class", "class_level", "class_name_vi", "class_name_en")


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


def score(value: float | None, decimals: int = 1) -> str:
    return NO_VALUE if value is None else localize(cut(value, decimals), language())


def _unit_rows(data: dict[str, Any], decimals: int) -> list[dict[str, Any]]:
    lang = language()
    return [
        {
            "rank": u["rank"] if u["rank"] is not None else "",
            "name": u["unit"],
            "total": sum(u[state] for state in STATE_KEYS),
            **{state: u[state] for state in STATE_KEYS},
            "on_time_rate": rate_percent(u["on_time_rate"], decimals),
            "overdue_days": u["overdue_days_total"],
            "extensions": u["extensions"],
            "reminders": u["reminders"],
            "score": score(u["score"], decimals),
            "class": u["class_name"][lang],
        }
        for u in data["units"]
    ]


def _unit_columns() -> list[tuple[str, str]]:
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


def blocks(data: dict[str, Any], decimals: int = 1) -> list[Block]:
    lang = language()
    summary = [{"class": c["name"][lang], "units": c["units"]} for c in data["classes"]]
    units = _unit_rows(data, decimals)
    return [
        ("h2", f"I. {_('Units by class')}"),
        ("table", summary, [("class", _("Class")), ("units", _("Number of units"))]),
        ("h2", f"II. {_('Evaluation of each unit')}"),
        ("table", units, _unit_columns()) if units else ("text", _("None.")),
    ]


def csv(data: dict[str, Any]) -> str:
    rows = [{**{k: u.get(k) for k in CSV_KEYS}, "class_name_vi": u["class_name"]["vi"],
             "class_name_en": u["class_name"]["en"]} for u in data["units"]]
    return csv_text(rows, CSV_KEYS)


def render(data: dict[str, Any], fmt: str, stream: TextIO | None = None, decimals: int = 1) -> None:
    """Write the evaluation; `stream` None means standard output (Rich decides colour)."""
    if fmt == "table":
        print_document(title(data), lead(data), blocks(data, decimals), stream)
        return
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(json_text(data))
    elif fmt == "csv":
        stream.write(csv(data))
    elif fmt == "markdown":
        stream.write(markdown_document(title(data), lead(data), blocks(data, decimals)) + "\n")
