"""Rendering the morning overdue view in each format."""

from __future__ import annotations

import sys
from typing import Any

from nqtrack.core.backlog import Backlog, group_tasks
from nqtrack.core.text import inert
from nqtrack.i18n import _
from nqtrack.render.tables import console, csv_text, json_text, markdown_table, markdown_text, show_day

CSV_KEYS = (
    "section", "id", "code", "title", "document", "lead_unit", "coordinating_units", "assignee",
    "deadline", "original_deadline", "days_overdue", "carried_over", "extended", "state",
)
JSON_TASK_KEYS = CSV_KEYS[1:]


def _machine(task: dict[str, Any]) -> dict[str, Any]:
    return {key: task.get(key) for key in JSON_TASK_KEYS}


def as_json(b: Backlog) -> dict[str, Any]:
    return {
        "as_of": b.as_of,
        "within_days": b.within,
        "tasks": [_machine(t) for t in b.overdue],
        "paused": [_machine(t) for t in b.paused],
        "due_soon": [_machine(t) for t in b.due_soon],
        "summary": {
            "overdue": len(b.overdue),
            "carried_over": b.carried_over,
            "due_soon": len(b.due_soon),
            "paused": len(b.paused),
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
    return csv_text(rows, CSV_KEYS)




def headline(b: Backlog) -> str:
    if not (b.overdue or b.paused or b.due_soon):
        return _(
            "{day}: nothing is overdue and nothing falls due in the next {within} days.",
            day=show_day(b.as_of),
            within=b.within,
        )
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
            "days": t["days_overdue"],
            "carried": "↻" if t["carried_over"] else "",
            "extended": _("from {day}", day=show_day(t["original_deadline"])) if t["extended"] else "",
        }
        for t in tasks
    ]


def _task_columns(with_unit: bool) -> list[tuple[str, str]]:
    columns = [("ref", _("No.")), ("title", _("Title")), ("document", _("Document"))]
    if with_unit:
        columns.append(("lead_unit", _("Lead unit")))
    columns += [
        ("assignee", _("Assignee")),
        ("deadline", _("Deadline")),
        ("days", _("Days overdue")),
        ("carried", _("Carried over")),
        ("extended", _("Extended")),
    ]
    return columns


def _sections(b: Backlog, group: str, limit: int | None):
    """(title, rows, columns) for each block of tasks, in order."""
    shown = b.overdue[:limit] if limit else b.overdue
    for name, tasks in group_tasks(shown, group):
        title = _("Overdue") if name is None else f"{_('Overdue')} — {name}"
        yield title, _task_rows(tasks), _task_columns(with_unit=group != "unit")
    if limit and len(b.overdue) > limit:
        yield _("… and {count} more overdue tasks (--limit)", count=len(b.overdue) - limit), [], []
    if b.paused:
        yield _("Paused, past their deadline"), _task_rows(b.paused), _task_columns(True)
    if b.due_soon:
        soon = [{**row, "days": ""} for row in _task_rows(b.due_soon)]
        yield (
            _("Due within {within} days", within=b.within),
            soon,
            [c for c in _task_columns(True) if c[0] not in ("days", "carried")],
        )


def as_markdown(b: Backlog, group: str, limit: int | None) -> str:
    out = [f"# {_('Overdue tasks')} — {show_day(b.as_of)}", "", headline(b), ""]
    if not (b.overdue or b.paused or b.due_soon):
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


def print_table(b: Backlog, group: str, limit: int | None) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    out.print(Text(headline(b), style="bold"))
    if not (b.overdue or b.paused or b.due_soon):
        return
    if b.units:
        out.print(_table(_unit_rows(b), _unit_columns(), None, Table, Text, out.width))
    if b.aging:
        out.print(Text(aging_line(b)))
    for title, rows, columns in _sections(b, group, limit):
        if not rows:
            out.print(Text(inert(title)))
            continue
        out.print(_table(rows, columns, title, Table, Text, out.width))


def _table(rows, columns, title, Table, Text, width: int = 160):
    table = Table(title=inert(title) if title else title, title_justify="left")
    for key, label in columns:
        if key == "title":
            # the title gets what the terminal has left after the other columns, cut with an ellipsis
            table.add_column(label, no_wrap=True, overflow="ellipsis", max_width=max(24, width - 110))
        elif key in ("days", "overdue", "carried_over", "due_soon", "paused"):
            table.add_column(label, justify="right", no_wrap=True)
        else:
            table.add_column(label, no_wrap=key in ("ref", "deadline", "carried", "document", "extended"))
    for row in rows:
        table.add_row(*(Text(inert(str(row.get(key, "")))) for key, _ in columns))
    return table


def emit(b: Backlog, fmt: str, group: str = "unit", limit: int | None = None) -> None:
    if fmt == "json":
        sys.stdout.write(json_text(as_json(b)))
    elif fmt == "csv":
        sys.stdout.write(as_csv(b))
    elif fmt == "markdown":
        sys.stdout.write(as_markdown(b, group, limit) + "\n")
    else:
        print_table(b, group, limit)
