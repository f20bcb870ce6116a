"""Tasks for people: listing columns, one task's fields and its history."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from nqtrack.i18n import _
from nqtrack.render.output import Output
from nqtrack.render.tables import as_output, console, emit_rows, json_text, show_day


def task_columns() -> list[tuple[str, str]]:
    return [
        ("id", _("No.")), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("lead_unit", _("Lead unit")), ("deadline", _("Deadline")), ("state", _("State")),
        ("progress", _("Progress")), ("completed_on", _("Completed on")),
    ]


def display_task_row(row: dict[str, Any]) -> dict[str, Any]:
    """The human form: translated state, dates as the language writes them."""
    shown = dict(row)
    for key in ("deadline", "original_deadline", "assigned_on", "completed_on"):
        shown[key] = show_day(row.get(key))
    shown["state"] = _(row["state"])
    return shown


def typed_task_row(row: dict[str, Any]) -> dict[str, Any]:
    """The form for Excel: values typed (dates stay dates), the state translated."""
    return {**row, "state": _(row["state"])}


def people_rows(rows: list[dict[str, Any]], out: Output) -> list[dict[str, Any]]:
    if out.fmt == "xlsx":
        return [typed_task_row(t) for t in rows]
    return [display_task_row(t) for t in rows] if out.human else rows


def emit_tasks(rows: list[dict[str, Any]], out: Output | str, *, title: str | None = None, json_data: Any = None,
               empty_message: str | None = None) -> None:
    """A listing of tasks (machine rows from nqtrack.app.tasks.task_row) in a format."""
    out = as_output(out)
    if out.fmt == "xlsx":
        from nqtrack.render.xlsx import Sheet, workbook_bytes

        sheet = Sheet(title or _("Tasks"), task_columns(), people_rows(rows, out), title=title or _("Tasks"))
        out.write_bytes(workbook_bytes([sheet], out.decimals))
        return
    emit_rows(people_rows(rows, out), task_columns(), out, title=title, json_data=json_data,
              empty_message=empty_message)


def local_time(recorded_at: str) -> str:
    """A recording time (stored in UTC) as the local clock showed it."""
    return datetime.fromisoformat(recorded_at).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _field_labels() -> list[tuple[str, str]]:
    return [
        ("id", _("No.")), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("source", _("Source")), ("lead_unit", _("Lead unit")), ("coordinating_units", _("Coordinating units")),
        ("assignee", _("Assignee")), ("assigned_on", _("Assigned on")), ("deadline", _("Deadline")),
        ("original_deadline", _("Original deadline")), ("deadline_text", _("Deadline as written")),
        ("product", _("Product")), ("state", _("State")), ("progress", _("Progress")),
        ("completed_on", _("Completed on")), ("recurring", _("Recurring")), ("note", _("Note")),
        ("timing", _("Timing")),
    ]


def task_field_labels() -> dict[str, str]:
    """Every field of a task with its label, in the order `show` lists them."""
    return dict(_field_labels())


def _history_columns() -> list[tuple[str, str]]:
    return [
        ("effective_on", _("Effective")), ("recorded_at", _("Recorded")), ("recorded_by", _("By")),
        ("kind", _("Event")), ("field", _("Field")), ("old_value", _("Old")), ("new_value", _("New")),
        ("note", _("Note")),
    ]


def emit_task(shown_task: dict[str, Any], out: Output | str) -> None:
    """One task's fields and history (nqtrack.app.tasks.show) in a format."""
    out = as_output(out)
    fmt = out.fmt
    row, history = shown_task["task"], shown_task["history"]
    if fmt == "json":
        sys.stdout.write(json_text(shown_task))
        return
    if fmt == "csv" and not out.labels:
        emit_rows(history, _history_columns(), out)
        return
    if fmt == "xlsx":
        _task_workbook(shown_task, out)
        return
    shown = display_task_row(row)
    shown["timing"] = _(row["timing"])
    shown["recurring"] = _("yes") if row["recurring"] else _("no")
    field_rows = [{"field": label, "value": shown.get(key)} for key, label in _field_labels()]
    history_rows = [
        {**h, "kind": _(h["kind"]), "effective_on": show_day(h["effective_on"]),
         "recorded_at": local_time(h["recorded_at"])}
        for h in history
    ]
    if fmt == "csv":  # for people: the history, the task's fields being in its listing
        emit_rows(history_rows, _history_columns(), out)
        return
    emit_rows(field_rows, [("field", ""), ("value", "")], out, title=f"#{row['id']} ({show_day(row['as_of'])})")
    if fmt == "table":
        console().print()
    else:
        sys.stdout.write("\n")
    emit_rows(history_rows, _history_columns(), out, title=_("History"))


def _task_workbook(shown_task: dict[str, Any], out: Output) -> None:
    from nqtrack.render.xlsx import Sheet, workbook_bytes

    row = typed_task_row(shown_task["task"])
    row["timing"] = _(row["timing"])
    fields = [{"field": label, "value": row.get(key), "_kinds": {"value": _value_kind(key)}}
              for key, label in _field_labels()]
    history = [{**h, "kind": _(h["kind"]), "recorded_at": local_time(h["recorded_at"])}
               for h in shown_task["history"]]
    title = f"#{row['id']} {row['code'] or ''}".strip()
    out.write_bytes(workbook_bytes([
        Sheet(title, [("field", _("Field")), ("value", _("Value"))], fields, title=title),
        Sheet(_("History"), _history_columns(), history, title=_("History")),
    ], out.decimals))


def _value_kind(key: str) -> str:
    from nqtrack.render.tables import KIND_BY_KEY

    kind = KIND_BY_KEY.get(key, "text")
    return "text" if kind == "wide" else kind
