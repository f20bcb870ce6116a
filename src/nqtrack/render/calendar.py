"""The office's calendar of a year (`calendar list`), in each format."""

from __future__ import annotations

from typing import Any

from nqtrack.i18n import N_, _
from nqtrack.render.output import Output
from nqtrack.render.tables import as_output, emit_rows, show_day

# Kinds of day, shown translated.
KIND_LABELS = {"off": N_("day off"), "working": N_("working day")}
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
CSV_KEYS = ("day", "kind", "national", "name", "office", "note", "recorded_at", "recorded_by")


def _kind(value: str | None) -> str:
    return _(KIND_LABELS[value]) if value else ""


def _columns() -> list[tuple[str, str]]:
    return [("day", _("Day")), ("weekday", _("Weekday")), ("kind", _("Kind")), ("national", _("National")),
            ("office", _("Office")), ("note", _("Note"))]


def _people_rows(rows: list[dict[str, Any]], typed: bool) -> list[dict[str, Any]]:
    """The days as people read them; `typed` (Excel): the day stays a date."""
    return [
        {
            "day": r["day"] if typed else show_day(r["day"]), "weekday": _(WEEKDAYS[r["day"].weekday()]),
            "kind": _kind(r["kind"]),
            "national": r["name"] or (_("make-up working day") if r["national"] == "working" else ""),
            "office": _kind(r["office"]), "note": r["note"] or "",
        }
        for r in rows
    ]


def emit_year(data: dict[str, Any], out: Output | str) -> None:
    """`calendar list` in a format: JSON and the machine CSV carry the stored fields; the
    table, markdown, the CSV for people and the workbook show the day's weekday and kinds
    in words."""
    out = as_output(out)
    rows = data["days"]
    if out.fmt == "json" or (out.fmt == "csv" and not out.labels):
        emit_rows(rows, [(key, key) for key in CSV_KEYS], out, json_data=data)
        return
    emit_rows(_people_rows(rows, typed=out.fmt == "xlsx"), _columns(), out,
              title=_("Calendar {year}", year=data["year"]),
              empty_message=_("No day off and no make-up working day in {year}.", year=data["year"]))
