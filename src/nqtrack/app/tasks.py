"""Tasks: give one (assign), re-assign it, record its progress (update), look at it (show,
list). The rules of a change are `nqtrack.core.rules`; this module applies them in order,
inside one transaction per command."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_filters, unit_ids
from nqtrack.core import rules
from nqtrack.core.errors import InvalidInput, NotFound, UserError
from nqtrack.core.states import fields_as_of, timing_class

# The machine form of a task in listings: JSON keys and CSV headers, the same in every language.
TASK_ROW_KEYS = (
    "id", "code", "title", "document", "source", "lead_unit", "coordinating_units", "assignee", "assigned_on",
    "deadline", "original_deadline", "deadline_text", "product", "state", "progress", "completed_on", "recurring",
    "note",
)


def task_row(task: dict[str, Any]) -> dict[str, Any]:
    """The machine form of a task as the store reads it."""
    row = {key: task[key] for key in TASK_ROW_KEYS}
    row["recurring"] = bool(task["recurring"])
    return row


_TASK_NUMBER = re.compile(r"#?[0-9]+")

# -- assign ----------------------------------------------------------------------------------


@dataclass
class Assignment:
    """What `assign` was given: a new task, or the units and person of an existing one."""

    title_or_task: str
    lead: str | None = None
    coordinating: list[str] | None = None  # None: not given; []: none
    assignee: str | None = None
    document: str | None = None
    due: str | None = None
    product: str | None = None
    source: str | None = None
    assigned_on: date | None = None
    code: str | None = None
    on: date | None = None  # for a re-assignment: the day it takes effect

    def names_new_task(self) -> bool:
        return any((self.document, self.due, self.product, self.source, self.assigned_on, self.code))


@dataclass
class Assigned:
    task_id: int
    created: bool


def assign(ctx: Context, request: Assignment) -> Assigned:
    """A new task; or, when TITLE names an existing task and only units or the assignee
    are given, that task re-assigned."""
    store = ctx.store
    try:
        existing = store.resolve_task(request.title_or_task)
    except UserError:
        existing = None
        if _TASK_NUMBER.fullmatch(request.title_or_task.strip()) and not request.names_new_task():
            # "assign 12 --lead VP" re-assigns task 12: a number is no title, so no such task is an error
            raise NotFound("unknown task: '{ref}'", ref=request.title_or_task.strip()) from None
    if existing is not None and not request.names_new_task():
        return Assigned(_reassign(ctx, existing["id"], request), created=False)
    if not request.lead:
        raise InvalidInput("a new task needs a title and --lead")
    with store.transaction():
        lead_id = store.resolve_unit(request.lead).id
        coordinating = unit_ids(store, request.coordinating)
        document_id = store.resolve_document(request.document).id if request.document else None
        deadline = rules.deadline_from_text(request.due) if request.due else None
        given_on = request.assigned_on or ctx.today
        values = {
            "title": request.title_or_task, "code": request.code, "document_id": document_id,
            "source": request.source, "lead_unit_id": lead_id, "assignee": request.assignee, "assigned_on": given_on,
            "deadline": deadline.date if deadline else None, "deadline_text": deadline.text if deadline else None,
            "recurring": bool(deadline and deadline.recurring), "product": request.product, "state": "new",
        }
        task_id = store.create_task(values, coordinating, effective_on=given_on, by=ctx.by,
                                    recorded_at=ctx.recorded_at)
    return Assigned(task_id, created=True)


def _reassign(ctx: Context, task_id: int, request: Assignment) -> int:
    if not (request.lead or request.coordinating is not None or request.assignee):
        raise InvalidInput("nothing to change: give --lead or --with")
    day = rules.check_effective_day(request.on or ctx.today, ctx.today)
    store = ctx.store
    with store.transaction():
        changes: dict[str, Any] = {}
        if request.lead:
            changes["lead_unit_id"] = store.resolve_unit(request.lead).id
        if request.coordinating is not None:
            changes["coordinating_units"] = unit_ids(store, request.coordinating)
        if request.assignee:
            changes["assignee"] = request.assignee
        store.change_task(task_id, changes, effective_on=day, by=ctx.by, kind="reassigned",
                          recorded_at=ctx.recorded_at)
    return task_id


# -- update ----------------------------------------------------------------------------------


@dataclass
class Update:
    state: str | None = None
    progress: int | None = None
    on: date | None = None
    deadline: str | None = None
    reason: str | None = None
    note: str | None = None
    product: str | None = None


@dataclass
class Updated:
    task_id: int
    changed: list[str] = field(default_factory=list)
    noted: bool = False


def update(ctx: Context, ref: str, request: Update) -> Updated:
    """Record progress, a completion, an extension, a product or a note: one journal
    event per changed field, all effective on the day given (default today)."""
    store = ctx.store
    task_id = store.resolve_task(ref)["id"]
    day = rules.check_effective_day(request.on or ctx.today, ctx.today)
    new_state = rules.state_from_text(request.state) if request.state is not None else None
    rules.check_progress(request.progress)
    extension = rules.extension(request.deadline, request.reason) if request.deadline is not None else None
    result = Updated(task_id)

    def apply(changes: dict[str, Any], kind: str, note: str | None) -> None:
        result.changed += store.change_task(task_id, changes, effective_on=day, by=ctx.by, kind=kind, note=note,
                                            recorded_at=ctx.recorded_at)

    with store.transaction():
        if new_state is not None:
            kind = "completed" if new_state.value == "done" else "updated"
            apply(rules.state_change(new_state, day, request.progress), kind, request.note)
        if extension is not None:
            apply(extension, "extended", request.reason)
        plain = {k: v for k, v in (("progress", request.progress), ("product", request.product)) if v is not None}
        if plain:
            apply(plain, "updated", request.note)
        if not result.changed and request.note:
            apply({}, "note", request.note)
            result.noted = True
    return result


# -- show and list ---------------------------------------------------------------------------


def _as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def show(ctx: Context, ref: str, as_of: date | None = None) -> dict[str, Any]:
    """Every field of a task (as of a day, rebuilt from the journal, when given), its
    timing class on that day, and its whole history with unit names."""
    store = ctx.store
    current = store.resolve_task(ref)
    day = as_of or ctx.today
    names = store.unit_names()
    if as_of:
        fields = fields_as_of(current, store.journal(current["id"]), day)
        if fields.get("lead_unit_id") != current["lead_unit_id"]:
            lead = fields.get("lead_unit_id")
            fields["lead_unit"] = names.get(int(lead)) if lead else None
        current = {**current, **fields}
    row = task_row(current)
    row["timing"] = timing_class(current["state"], _as_date(current["deadline"]), _as_date(current["completed_on"]),
                                 day).value
    row["as_of"] = day.isoformat()
    return {"task": row, "history": [_history_row(e, names) for e in store.task_events(current["id"])]}


def _history_row(event: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    def unit_names(value: str | None) -> str | None:
        return "; ".join(names.get(int(i), i) for i in value.split(",")) if value else value

    old, new = event["old_value"], event["new_value"]
    if event["field"] == "lead_unit_id":
        old = names.get(int(old)) if old else old
        new = names.get(int(new)) if new else new
    elif event["field"] == "coordinating_units":
        old, new = unit_names(old), unit_names(new)
    elif event["field"] is None:
        new = None  # the creation snapshot: its fields are shown above
    return {
        "id": event["id"], "kind": event["kind"], "field": event["field"], "old_value": old, "new_value": new,
        "effective_on": event["effective_on"], "recorded_at": event["recorded_at"],
        "recorded_by": event["recorded_by"], "note": event["note"], "batch_id": event["batch_id"],
    }


@dataclass
class TaskQuery:
    units: Sequence[str] = ()
    sources: Sequence[str] = ()
    documents: Sequence[str] = ()
    states: Sequence[str] = ()
    overdue: bool = False
    due_before: date | None = None
    due_after: date | None = None
    search: str | None = None
    limit: int | None = None


def listing(ctx: Context, query: TaskQuery) -> list[dict[str, Any]]:
    """Tasks, filtered; `overdue` means overdue today as the journal tells it (the same
    set the morning view shows: open, past the deadline, paused ones included)."""
    rules.check_number(query.limit, "--limit", 1, rules.MAX_COUNT)
    store = ctx.store
    states = [rules.state_from_text(s).value for s in query.states]
    filters = resolve_filters(store, query.units, query.sources, query.documents)
    ids = None
    if query.overdue:
        ids = [row["id"] for row in store.overdue_rows(ctx.today, ctx.today - timedelta(days=1),
                                                       with_coordinating=False)]
    rows = store.list_tasks(
        **filters.as_kwargs(), states=states, ids=ids, due_before=query.due_before,
        due_after=query.due_after, text=query.search, limit=query.limit,
    )
    return [task_row(t) for t in rows]
