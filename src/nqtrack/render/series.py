"""A series of periodic tasks (`show SERIES`): its fields, its tasks, its journal."""

from __future__ import annotations

import sys
from typing import Any

from nqtrack.i18n import N_, _
from nqtrack.render.tables import console, emit_rows, json_text, show_day
from nqtrack.render.task import local_time

FREQUENCY_LABELS = {"month": N_("monthly"), "quarter": N_("quarterly"), "half": N_("every six months"),
                    "year": N_("yearly")}
SERIES_STATES = (N_("running"), N_("ended"))
OCCURRENCE_KEYS = ("id", "code", "period", "period_start", "assigned_on", "deadline", "state", "progress",
                   "completed_on", "timing")


def _fields(series: dict[str, Any]) -> list[dict[str, Any]]:
    labels = [
        ("ref", _("Series")), ("title", _("Title")), ("document", _("Document")), ("source", _("Source")),
        ("lead_unit", _("Lead unit")), ("coordinating_units", _("Coordinating units")),
        ("assignee", _("Assignee")), ("product", _("Product")), ("rule_text", _("Deadline as written")),
        ("frequency", _("Period")), ("starts_on", _("Starts on")), ("ends_on", _("Ends on")),
        ("next_open", _("Next period opens")), ("state", _("State")), ("note", _("Note")),
    ]
    shown = dict(series)
    for key in ("starts_on", "ends_on", "next_open"):
        shown[key] = show_day(series[key])
    shown["frequency"] = _(FREQUENCY_LABELS[series["frequency"]])
    shown["state"] = _(series["state"])
    return [{"field": label, "value": shown.get(key)} for key, label in labels]


def emit_series(data: dict[str, Any], fmt: str) -> None:
    """`show SERIES` in a format: JSON whole; CSV its tasks; a table or markdown all three parts."""
    if fmt == "json":
        sys.stdout.write(json_text(data))
        return
    if fmt == "csv":
        emit_rows(data["occurrences"], [(key, key) for key in OCCURRENCE_KEYS], fmt)
        return
    series = data["series"]
    occurrences = [
        {**o, "deadline": show_day(o["deadline"]), "completed_on": show_day(o["completed_on"]),
         "state": _(o["state"]), "timing": _(o["timing"])}
        for o in data["occurrences"]
    ]
    history = [
        {**h, "kind": _(h["kind"]), "effective_on": show_day(h["effective_on"]),
         "recorded_at": local_time(h["recorded_at"])}
        for h in data["history"]
    ]
    parts = [
        (_fields(series), [("field", ""), ("value", "")], f"{series['ref']} ({show_day(series['as_of'])})"),
        (occurrences, [("code", _("Code")), ("period", _("Period")), ("deadline", _("Deadline")),
                       ("state", _("State")), ("completed_on", _("Completed on")), ("timing", _("Timing"))],
         _("Tasks of the series")),
        (history, [("effective_on", _("Effective")), ("recorded_at", _("Recorded")), ("recorded_by", _("By")),
                   ("kind", _("Event")), ("field", _("Field")), ("old_value", _("Old")), ("new_value", _("New")),
                   ("note", _("Note"))], _("History")),
    ]
    for index, (rows, columns, title) in enumerate(parts):
        if index:
            if fmt == "table":
                console().print()
            else:
                sys.stdout.write("\n")
        emit_rows(rows, columns, fmt, title=title, empty_message=_("No task of the series is open yet."))
