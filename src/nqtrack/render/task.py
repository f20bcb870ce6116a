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
    if row.get("voided"):
        shown["state"] = _("{state} (voided: entered in error)", state=shown["state"])
    return shown


def typed_task_row(row: dict[str, Any]) -> dict[str, Any]:
    """The form for Excel: values typed (dates stay dates), the state translated (and marked
    when the task was voided)."""
    state = _(row["state"])
    if row.get("voided"):
        state = _("{state} (voided: entered in error)", state=state)
    return {**row, "state": state}


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
    columns = task_columns()
    if out.fmt == "csv":  # for editing and importing again: the deadline as written too ("Quý III/2023")
        at = [key for key, _label in columns].index("deadline") + 1
        columns.insert(at, ("deadline_text", _("Deadline as written")))
        if not out.labels and any(row.get("voided") for row in rows):  # list --all: the mark, for machines
            columns.append(("voided", _("Voided (entered in error)")))
    emit_rows(people_rows(rows, out), columns, out, title=title, json_data=json_data, empty_message=empty_message)


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
        ("voided", _("Voided (entered in error)")), ("timing", _("Timing")),
    ]


def task_field_labels() -> dict[str, str]:
    """Every field of a task with its label, in the order `show` lists them."""
    return dict(_field_labels())


def journal_field_labels() -> dict[str, str]:
    """The interface's label of each journaled field (never its internal name)."""
    return {
        "code": _("Code"), "document_id": _("Document"), "title": _("Title"), "source": _("Source"),
        "lead_unit_id": _("Lead unit"), "coordinating_units": _("Coordinating units"), "assignee": _("Assignee"),
        "assigned_on": _("Assigned on"), "deadline": _("Deadline"), "deadline_text": _("Deadline as written"),
        "product": _("Product"), "state": _("State"), "progress": _("Progress"), "completed_on": _("Completed on"),
        "recurring": _("Recurring"), "note": _("Note"), "voided": _("Voided (entered in error)"),
    }


def field_names(fields: list[str]) -> str:
    """Changed fields, as the interface names them: "Lead unit, Deadline"."""
    labels = journal_field_labels()
    return ", ".join(labels.get(f, f) for f in fields)


def shown_value(field: str | None, value: str | None, kind: str | None = None) -> str | None:
    """A journaled value as a person reads it: a state in words, a day as the language writes it
    (the day a completion was proposed on, the deadline an extension request found)."""
    if field is None and kind in ("proposed", "rejected", "extension_requested") and value and _is_day(value):
        return show_day(value)
    if value is None or field is None:
        return value
    if field == "state":
        return _(value)
    if field in ("assigned_on", "deadline", "completed_on"):
        return show_day(value)
    if field in ("recurring", "voided"):
        return _("yes") if value == "1" else _("no")
    return value


def _is_day(value: str) -> bool:
    return len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit()


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
    shown["voided"] = _("yes") if row["voided"] else _("no")
    field_rows = [{"field": label, "value": shown.get(key)} for key, label in _field_labels()]
    labels = journal_field_labels()
    history_rows = [
        {**h, "kind": _(h["kind"]), "effective_on": show_day(h["effective_on"]),
         "recorded_at": local_time(h["recorded_at"]), "field": labels.get(h["field"], h["field"]) if h["field"] else "",
         "old_value": shown_value(h["field"], h["old_value"], h["kind"]),
         "new_value": shown_value(h["field"], h["new_value"], h["kind"])}
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
    row["recurring"] = _("yes") if row["recurring"] else _("no")
    row["voided"] = _("yes") if row["voided"] else _("no")
    fields = [{"field": label, "value": row.get(key), "_kinds": {"value": _value_kind(key)}}
              for key, label in _field_labels()]
    labels = journal_field_labels()
    history = [{**h, "kind": _(h["kind"]), "recorded_at": local_time(h["recorded_at"]),
                "field": labels.get(h["field"], h["field"]) if h["field"] else "",
                "old_value": shown_value(h["field"], h["old_value"], h["kind"]),
                "new_value": shown_value(h["field"], h["new_value"], h["kind"])}
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


def undone_lines(done: Any) -> list[str]:
    """What an undo reverted (or, on a dry run, would revert), one line per journal event."""
    from nqtrack.render.documents import register_field_labels

    tasks = ", ".join(map(str, done.tasks)) or "—"
    if done.dry_run:
        head = _("Would undo {count} events on tasks {tasks} (dry run: nothing was changed):", count=done.events,
                 tasks=tasks)
    else:
        head = _("Undone: {count} events on tasks {tasks}.", count=done.events, tasks=tasks)
    lines = [head]
    for item in done.reverted:
        labels = register_field_labels() if item["entity"] else journal_field_labels()
        what = _(item["kind"])
        if item["voids"]:
            what = _("{kind}: the task is voided", kind=what)
        elif item["field"]:
            what += ", " + _("{field}: {value} → {back}", field=labels.get(item["field"], item["field"]),
                              value=shown_value(item["field"], item["value"]) or "—",
                              back=shown_value(item["field"], item["back_to"]) or "—")
        day = show_day(item["effective_on"])
        if item["entity"] == "unit":
            where = _("unit #{id}, {day}", id=item["entity_id"], day=day)
        elif item["entity"] == "document":
            where = _("document #{id}, {day}", id=item["entity_id"], day=day)
        else:
            where = _("task {task}, {day}", task=item["task"], day=day)
        lines.append(f"  {where}: {what}")
    if done.series:  # series the undone change created: they open no more periods
        series = ", ".join(done.series)
        lines.append(_("Series that would end (the change created them): {series}.", series=series) if done.dry_run
                     else _("Series ended (the undone change created them): {series}.", series=series))
    return lines
