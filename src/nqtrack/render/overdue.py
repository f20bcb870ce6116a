"""Rendering the morning overdue view in each format."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from nqtrack.core.backlog import Backlog, group_tasks
from nqtrack.core.text import inert
from nqtrack.i18n import _
from nqtrack.render.output import Output
from nqtrack.render.tables import as_output, console, csv_text, json_text, markdown_table, markdown_text, show_day

if TYPE_CHECKING:
    from rich.console import Console

JSON_TASK_KEYS = (
    "id", "code", "title", "document", "lead_unit", "coordinating_units", "assignee",
    "deadline", "original_deadline", "days_overdue", "carried_over", "extended", "state", "working_days_overdue",
)
# A request awaiting the secretariat (section "awaiting"): completion or extension, the day it
# names (the completion day proposed, the deadline asked for), the unit's note or reason,
# the day it was made and who recorded it. The machine CSV has these columns after the tasks'.
REQUEST_KEYS = ("request", "requested_day", "request_note", "requested_on", "requested_by")
AWAITING_JSON_KEYS = ("id", "code", "title", "document", "lead_unit", "deadline", "state", *REQUEST_KEYS)
CSV_KEYS = ("section", *JSON_TASK_KEYS, *REQUEST_KEYS)


def _machine(task: dict[str, Any]) -> dict[str, Any]:
    return {key: task.get(key) for key in JSON_TASK_KEYS}


def as_json(b: Backlog) -> dict[str, Any]:
    return {
        "as_of": b.as_of,
        "within_days": b.within,
        "working_days": b.working_days,
        "tasks": [_machine(t) for t in b.overdue],
        "paused": [_machine(t) for t in b.paused],
        "due_soon": [_machine(t) for t in b.due_soon],
        "awaiting": [{key: r.get(key) for key in AWAITING_JSON_KEYS} for r in b.awaiting],
        "summary": {
            "overdue": len(b.overdue),
            "carried_over": b.carried_over,
            "due_soon": len(b.due_soon),
            "paused": len(b.paused),
            "awaiting": len(b.awaiting),
            "by_unit": [
                {"unit": u.unit, "overdue": u.overdue, "carried_over": u.carried_over, "due_soon": u.due_soon,
                 "paused": u.paused, "oldest_deadline": u.oldest_deadline}
                for u in b.units
            ],
            "by_month": [{"month": month, "overdue": count} for month, count in b.aging],
        },
    }


def as_csv(b: Backlog) -> str:
    rows = (
        [{**t, "section": "overdue"} for t in b.overdue]
        + [{**t, "section": "paused"} for t in b.paused]
        + [{**t, "section": "due_soon"} for t in b.due_soon]
    )
    for row in rows:
        row["carried_over"] = int(row["carried_over"])
        row["extended"] = int(row["extended"])
    rows += [{**r, "section": "awaiting"} for r in b.awaiting]
    return csv_text(rows, CSV_KEYS)


def _nothing(b: Backlog) -> bool:
    return not (b.overdue or b.paused or b.due_soon or b.awaiting)


def awaiting_line(b: Backlog) -> str:
    """The requests awaiting the secretariat, in one sentence ('' when none)."""
    if not b.awaiting:
        return ""
    completions = sum(1 for r in b.awaiting if r["request"] == "completion")
    return _("{completions} proposed completions await confirmation, {extensions} extension requests await "
             "approval.", completions=completions, extensions=len(b.awaiting) - completions)


def headline(b: Backlog) -> str:
    line = awaiting_line(b)
    return f"{_overdue_headline(b)} {line}" if line else _overdue_headline(b)


def _overdue_headline(b: Backlog) -> str:
    if not (b.overdue or b.paused or b.due_soon):
        if b.working_days:
            return _("{day}: nothing is overdue and nothing falls due in the next {within} working days.",
                     day=show_day(b.as_of), within=b.within)
        return _(
            "{day}: nothing is overdue and nothing falls due in the next {within} days.",
            day=show_day(b.as_of),
            within=b.within,
        )
    if b.working_days:
        text = _("{day}: {overdue} tasks overdue, {carried} of them carried over from earlier months; "
                 "{soon} due within {within} working days.", day=show_day(b.as_of), overdue=len(b.overdue),
                 carried=b.carried_over, soon=len(b.due_soon), within=b.within)
        if b.paused:
            text += " " + _("{paused} paused tasks are past their deadline.", paused=len(b.paused))
        return text
    text = _(
        "{day}: {overdue} tasks overdue, {carried} of them carried over from earlier months; "
        "{soon} due within {within} days.",
        day=show_day(b.as_of),
        overdue=len(b.overdue),
        carried=b.carried_over,
        soon=len(b.due_soon),
        within=b.within,
    )
    if b.paused:
        text += " " + _("{paused} paused tasks are past their deadline.", paused=len(b.paused))
    return text


def aging_line(b: Backlog) -> str:
    first_of_month = b.as_of.strftime("%Y-%m")
    parts = []
    for month, count in b.aging:
        label = f"{month[5:]}/{month[:4]}"
        parts.append(
            f"{label}: {count}" if month == first_of_month else _("from {month}: {count}", month=label, count=count)
        )
    return _("Overdue by month of deadline") + ": " + "; ".join(parts)


def _unit_rows(b: Backlog) -> list[dict[str, Any]]:
    return [
        {
            "unit": u.unit or "—",
            "overdue": u.overdue,
            "carried_over": u.carried_over,
            "due_soon": u.due_soon,
            "paused": u.paused,
            "oldest": show_day(u.oldest_deadline),
        }
        for u in b.units
    ]


def _unit_columns() -> list[tuple[str, str]]:
    return [
        ("unit", _("Lead unit")),
        ("overdue", _("Overdue")),
        ("carried_over", _("Carried over")),
        ("due_soon", _("Due soon")),
        ("paused", _("Paused")),
        ("oldest", _("Oldest deadline")),
    ]


def _task_rows(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "ref": t["code"] or f"#{t['id']}",
            "title": t["title"],
            "document": t.get("document") or "",
            "lead_unit": t.get("lead_unit") or "",
            "assignee": t.get("assignee") or "",
            "deadline": show_day(t["deadline"]),
            "days": t["days_overdue"] if t.get("working_days_overdue") is None else t["working_days_overdue"],
            "carried": "↻" if t["carried_over"] else "",
            "extended": _("from {day}", day=show_day(t["original_deadline"])) if t["extended"] else "",
        }
        for t in tasks
    ]


def _task_columns(with_unit: bool, working_days: bool = False) -> list[tuple[str, str]]:
    columns = [("ref", _("No.")), ("title", _("Title")), ("document", _("Document"))]
    if with_unit:
        columns.append(("lead_unit", _("Lead unit")))
    columns += [
        ("assignee", _("Assignee")),
        ("deadline", _("Deadline")),
        ("days", _("Working days overdue") if working_days else _("Days overdue")),
        ("carried", _("Carried over")),
        ("extended", _("Extended")),
    ]
    return columns


def _request_text(row: dict[str, Any]) -> str:
    day = show_day(row["requested_day"]) if row.get("requested_day") else "—"
    if row["request"] == "completion":
        return _("completion on {day}", day=day)
    return _("extension to {day}", day=day)


def _awaiting_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "ref": r["code"] or f"#{r['id']}",
            "title": r["title"],
            "lead_unit": r.get("lead_unit") or "",
            "deadline": show_day(r["deadline"]),
            "request": _request_text(r),
            "request_note": r.get("request_note") or "",
            "requested_on": show_day(r["requested_on"]),
            "requested_by": r.get("requested_by") or "",
        }
        for r in rows
    ]


def _awaiting_columns() -> list[tuple[str, str]]:
    return [
        ("ref", _("No.")), ("title", _("Title")), ("lead_unit", _("Lead unit")), ("deadline", _("Deadline")),
        ("request", _("Request")), ("request_note", _("Note or reason")), ("requested_on", _("Requested on")),
        ("requested_by", _("Recorded by")),
    ]


def _sections(b: Backlog, group: str, limit: int | None):
    """(title, rows, columns) for each block of tasks, in order."""
    shown = b.overdue[:limit] if limit else b.overdue
    for name, tasks in group_tasks(shown, group):
        title = _("Overdue") if name is None else f"{_('Overdue')} — {name}"
        yield title, _task_rows(tasks), _task_columns(with_unit=group != "unit", working_days=b.working_days)
    if limit and len(b.overdue) > limit:
        yield _("… and {count} more overdue tasks (--limit)", count=len(b.overdue) - limit), [], []
    if b.paused:
        yield _("Paused, past their deadline"), _task_rows(b.paused), _task_columns(True, b.working_days)
    if b.due_soon:
        soon = [{**row, "days": ""} for row in _task_rows(b.due_soon)]
        yield _due_soon_label(b), soon, [c for c in _task_columns(True) if c[0] not in ("days", "carried")]
    if b.awaiting:
        yield _("Awaiting confirmation"), _awaiting_rows(b.awaiting), _awaiting_columns()


def as_markdown(b: Backlog, group: str, limit: int | None) -> str:
    out = [f"# {_('Overdue tasks')} — {show_day(b.as_of)}", "", headline(b), ""]
    if _nothing(b):
        return "\n".join(out)
    if b.units:
        out += [markdown_table(_unit_rows(b), _unit_columns()), ""]
    if b.aging:
        out += [aging_line(b), ""]
    for title, rows, columns in _sections(b, group, limit):
        out.append(f"## {markdown_text(title)}")
        out.append("")
        if rows:
            out += [markdown_table(rows, columns), ""]
    return "\n".join(out)


def print_table(b: Backlog, group: str, limit: int | None, screen: Console | None = None) -> None:
    from rich.text import Text

    from nqtrack.render.layout import fit_table

    out = screen or console()
    out.print(Text(headline(b), style="bold"))
    if _nothing(b):
        return
    if b.units:
        out.print(fit_table(_unit_rows(b), _unit_columns(), out.width))
    if b.aging:
        out.print(Text(aging_line(b)))
    for title, rows, columns in _sections(b, group, limit):
        if not rows:
            out.print(Text(inert(title)))
            continue
        out.print(fit_table(rows, columns, out.width, title))


def _due_soon_label(b: Backlog) -> str:
    if b.working_days:
        return _("Due within {within} working days", within=b.within)
    return _("Due within {within} days", within=b.within)


def _section_labels(b: Backlog) -> dict[str, str]:
    return {"overdue": _("Overdue"), "paused": _("Paused, past their deadline"), "due_soon": _due_soon_label(b),
            "awaiting": _("Awaiting confirmation")}


def people_csv(b: Backlog) -> str:
    """The CSV for people: the table's columns with the section in words, one task a row;
    the requests awaiting confirmation add their own columns (as the table's, when there are)."""
    sections = _section_labels(b)
    rows = [{**row, "section": sections[name]}
            for name, tasks in (("overdue", b.overdue), ("paused", b.paused), ("due_soon", b.due_soon))
            for row in _task_rows(tasks)]
    columns = [("section", _("Section"))] + _task_columns(with_unit=True, working_days=b.working_days)
    if b.awaiting:
        rows += [{**row, "section": sections["awaiting"]} for row in _awaiting_rows(b.awaiting)]
        keys = [key for key, _label in columns]
        columns += [c for c in _awaiting_columns() if c[0] not in keys]
    return csv_text(rows, [key for key, _label in columns], [label for _key, label in columns])


def _typed_tasks(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**_machine(t), "state": _(t["state"])} for t in tasks]


def _typed_columns(working_days: bool) -> list[tuple[str, str]]:
    """The workbook's task columns; with --working-days, the working days overdue beside the days."""
    days = [("days_overdue", _("Days overdue"))]
    if working_days:
        days.append(("working_days_overdue", _("Working days overdue")))
    return [
        ("id", "#"), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("lead_unit", _("Lead unit")), ("coordinating_units", _("Coordinating units")), ("assignee", _("Assignee")),
        ("deadline", _("Deadline")), ("original_deadline", _("Original deadline")), *days,
        ("carried_over", _("Carried over")), ("extended", _("Extended")), ("state", _("State")),
    ]


def _typed_awaiting(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    requests = {"completion": _("Proposed completion"), "extension": _("Extension request")}
    return [{**r, "request": requests[r["request"]], "state": _(r["state"])} for r in rows]


def _typed_awaiting_columns() -> list[tuple[str, str]]:
    return [
        ("id", "#"), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("lead_unit", _("Lead unit")), ("deadline", _("Deadline")), ("state", _("State")), ("request", _("Request")),
        ("requested_day", _("Day proposed or asked for")), ("request_note", _("Note or reason")),
        ("requested_on", _("Requested on")), ("requested_by", _("Recorded by")),
    ]


def workbook(b: Backlog, decimals: int = 1, limit: int | None = None) -> bytes:
    """The morning view as a workbook: the summary per unit, then one sheet per list
    (`limit` shortens the overdue list, never the summary)."""
    from nqtrack.render.xlsx import Sheet, workbook_bytes

    title = f"{_('Overdue tasks')} — {show_day(b.as_of)}"
    units = [{"unit": u.unit or "—", "overdue": u.overdue, "carried_over": u.carried_over, "due_soon": u.due_soon,
              "paused": u.paused, "oldest_deadline": u.oldest_deadline} for u in b.units]
    unit_columns = [(key if key != "oldest" else "oldest_deadline", label) for key, label in _unit_columns()]
    months = [{"month": f"{month[5:]}/{month[:4]}", "overdue": count} for month, count in b.aging]
    sections, columns = _section_labels(b), _typed_columns(b.working_days)
    sheets = [
        Sheet(_("Summary"), unit_columns, units, title=title, subtitle=headline(b),
              kinds={"carried_over": "count"}),
        Sheet(sections["overdue"], columns, _typed_tasks(b.overdue[:limit] if limit else b.overdue), title=title),
        Sheet(sections["paused"], columns, _typed_tasks(b.paused), title=title),
        Sheet(sections["due_soon"], columns, _typed_tasks(b.due_soon), title=title),
        Sheet(_("Overdue by month of deadline"), [("month", _("Month")), ("overdue", _("Overdue"))], months,
              title=title),
    ]
    if b.awaiting:
        sheets.append(Sheet(sections["awaiting"], _typed_awaiting_columns(), _typed_awaiting(b.awaiting),
                            title=title, kinds={"requested_day": "date", "requested_on": "date"}))
    return workbook_bytes(sheets, decimals)


def emit(b: Backlog, out: Output | str, group: str = "unit", limit: int | None = None) -> None:
    out = as_output(out)
    fmt = out.fmt
    if fmt == "json":
        sys.stdout.write(json_text(as_json(b)))
    elif fmt == "csv":
        sys.stdout.write(people_csv(b) if out.labels else as_csv(b))
    elif fmt == "xlsx":
        out.write_bytes(workbook(b, out.decimals, limit))
    elif fmt == "markdown":
        sys.stdout.write(as_markdown(b, group, limit) + "\n")
    else:
        print_table(b, group, limit)
