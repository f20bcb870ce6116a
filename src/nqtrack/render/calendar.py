"""The office's calendar of a year (`calendar list`), in each format."""

from __future__ import annotations

from typing import Any

from nqtrack.i18n import N_, _
from nqtrack.render.tables import emit_rows, show_day

# Kinds of day, shown translated.
KIND_LABELS = {"off": N_("day off"), "working": N_("working day")}
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
CSV_KEYS = ("day", "kind", "national", "name", "office", "note", "recorded_at", "recorded_by")


def _kind(value: str | None) -> str:
    return _(KIND_LABELS[value]) if value else ""


def emit_year(data: dict[str, Any], fmt: str) -> None:
    rows = data["days"]
    if fmt in ("json", "csv"):
        emit_rows(rows, [(key, key) for key in CSV_KEYS], fmt, json_data=data)
        return
    shown = [
        {
            "day": show_day(r["day"]), "weekday": _(WEEKDAYS[r["day"].weekday()]), "kind": _kind(r["kind"]),
            "national": r["name"] or (_("make-up working day") if r["national"] == "working" else ""),
            "office": _kind(r["office"]), "note": r["note"] or "",
        }
        for r in rows
    ]
    columns = [("day", _("Day")), ("weekday", _("Weekday")), ("kind", _("Kind")), ("national", _("National")),
               ("office", _("Office")), ("note", _("Note"))]
    emit_rows(shown, columns, fmt, title=_("Calendar {year}", year=data["year"]),
              empty_message=_("No day off and no make-up working day in {year}.", year=data["year"]))
