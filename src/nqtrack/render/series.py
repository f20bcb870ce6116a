"""A series of periodic tasks (`show SERIES`): its fields, its tasks, its journal."""

from __future__ import annotations

import sys
from typing import Any

from nqtrack.i18n import N_, _
from nqtrack.render.output import Output
from nqtrack.render.tables import as_output, console, emit_rows, json_text, show_day
from nqtrack.render.task import local_time

FREQUENCY_LABELS = {"month": N_("monthly"), "quarter": N_("quarterly"), "half": N_("every six months"),
                    "year": N_("yearly")}
SERIES_STATES = (N_("running"), N_("ended"))
OCCURRENCE_KEYS = ("id", "code", "period", "period_start", "assigned_on", "deadline", "state", "progress",
                   "completed_on", "timing", "voided")


def _field_labels() -> list[tuple[str, str]]:
    return [
        ("ref", _("Series")), ("title", _("Title")), ("document", _("Document")), ("source", _("Source")),
        ("lead_unit", _("Lead unit")), ("coordinating_units", _("Coordinating units")),
        ("assignee", _("Assignee")), ("product", _("Product")), ("rule_text", _("Deadline as written")),
        ("frequency", _("Period")), ("starts_on", _("Starts on")), ("ends_on", _("Ends on")),
        ("next_open", _("Next period opens")), ("state", _("State")), ("note", _("Note")),
    ]


def _translated(series: dict[str, Any]) -> dict[str, Any]:
    return {**series, "frequency": _(FREQUENCY_LABELS[series["frequency"]]), "state": _(series["state"])}


def _fields(series: dict[str, Any]) -> list[dict[str, Any]]:
    shown = _translated(series)
    for key in ("starts_on", "ends_on", "next_open"):
        shown[key] = show_day(series[key])
    return [{"field": label, "value": shown.get(key)} for key, label in _field_labels()]


def _occurrence_columns() -> list[tuple[str, str]]:
    return [("code", _("Code")), ("period", _("Period")), ("deadline", _("Deadline")), ("state", _("State")),
            ("completed_on", _("Completed on")), ("timing", _("Timing"))]


def _occurrences(data: dict[str, Any], typed: bool) -> list[dict[str, Any]]:
    """The tasks of the series as people read them; `typed` (Excel): dates stay dates."""
    day = (lambda value: value) if typed else show_day

    def state(o: dict[str, Any]) -> str:
        shown = _(o["state"])
        return _("{state} (voided: entered in error)", state=shown) if o.get("voided") else shown

    return [{**o, "deadline": day(o["deadline"]), "completed_on": day(o["completed_on"]), "state": state(o),
             "timing": _(o["timing"])} for o in data["occurrences"]]


def _history(data: dict[str, Any], typed: bool) -> list[dict[str, Any]]:
    day = (lambda value: value) if typed else show_day
    return [{**h, "kind": _(h["kind"]), "effective_on": day(h["effective_on"]),
             "recorded_at": local_time(h["recorded_at"])} for h in data["history"]]


def _history_columns() -> list[tuple[str, str]]:
    return [("effective_on", _("Effective")), ("recorded_at", _("Recorded")), ("recorded_by", _("By")),
            ("kind", _("Event")), ("field", _("Field")), ("old_value", _("Old")), ("new_value", _("New")),
            ("note", _("Note"))]


def emit_series(data: dict[str, Any], out: Output | str) -> None:
    """`show SERIES` in a format: JSON whole; CSV its tasks (for people with --labels);
    a table, markdown or a workbook all three parts."""
    out = as_output(out)
    if out.fmt == "json":
        sys.stdout.write(json_text(data))
        return
    if out.fmt == "csv":
        if out.labels:
            emit_rows(_occurrences(data, typed=False), _occurrence_columns(), out)
        else:
            emit_rows(data["occurrences"], [(key, key) for key in OCCURRENCE_KEYS], out)
        return
    if out.fmt == "xlsx":
        _series_workbook(data, out)
        return
    series = data["series"]
    parts = [
        (_fields(series), [("field", ""), ("value", "")], f"{series['ref']} ({show_day(series['as_of'])})"),
        (_occurrences(data, typed=False), _occurrence_columns(), _("Tasks of the series")),
        (_history(data, typed=False), _history_columns(), _("History")),
    ]
    for index, (rows, columns, title) in enumerate(parts):
        if index:
            if out.fmt == "table":
                console().print()
            else:
                sys.stdout.write("\n")
        emit_rows(rows, columns, out, title=title, empty_message=_("No task of the series is open yet."))


def _series_workbook(data: dict[str, Any], out: Output) -> None:
    from nqtrack.render.xlsx import Sheet, workbook_bytes

    series = _translated(data["series"])
    kinds = {"starts_on": "date", "ends_on": "date", "next_open": "date"}
    fields = [{"field": label, "value": series.get(key), "_kinds": {"value": kinds.get(key, "text")}}
              for key, label in _field_labels()]
    title = series["ref"]
    out.write_bytes(workbook_bytes([
        Sheet(title, [("field", _("Field")), ("value", _("Value"))], fields, title=title),
        Sheet(_("Tasks of the series"), _occurrence_columns(), _occurrences(data, typed=True),
              title=_("Tasks of the series")),
        Sheet(_("History"), _history_columns(), _history(data, typed=True), title=_("History")),
    ], out.decimals))
