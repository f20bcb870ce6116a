"""Tasks: give one (assign), re-assign it, record its progress (update), look at it (show,
list). The rules of a change are `nqtrack.core.rules`; this module applies them in order,
inside one transaction per command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_document, resolve_filters, resolve_task, resolve_unit, unit_ids
from nqtrack.core import rules
from nqtrack.core.errors import InvalidInput, NotFound, UserError
from nqtrack.core.states import fields_as_of, timing_class
from nqtrack.store.base import CREATION_KINDS

# The machine form of a task in listings: JSON keys and CSV headers, the same in every language.
TASK_ROW_KEYS = (
    "id", "code", "title", "document", "source", "lead_unit", "coordinating_units", "assignee", "assigned_on",
    "deadline", "original_deadline", "deadline_text", "product", "state", "progress", "completed_on", "recurring",
    "note", "voided",
)


def task_row(task: dict[str, Any]) -> dict[str, Any]:
    """The machine form of a task as the store reads it."""
    row = {key: task[key] for key in TASK_ROW_KEYS}
    row["recurring"] = bool(task["recurring"])
    row["voided"] = bool(task["voided"])
    return row


def live_task(store: Any, ref: str) -> dict[str, Any]:
    """A task that can still change: voided ones (entered in error) are refused."""
    task = resolve_task(store, ref)
    if task["voided"]:
        raise InvalidInput("task {id} was voided (entered in error); 'nqtrack undo {id}' restores it", id=task["id"])
    return task


def creation_day(store: Any, task_id: int) -> date:
    """The day the task's creation took effect (its assigned day, else the day it was entered)."""
    for event in store.task_events(task_id):
        if event["field"] is None and event["kind"] in CREATION_KINDS:
            return date.fromisoformat(event["effective_on"])
    raise NotFound("unknown task: '{ref}'", ref=str(task_id))  # pragma: no cover - check reports it


# -- void ------------------------------------------------------------------------------------


def void(ctx: Context, ref: str, reason: str | None) -> int:
    """Mark a task entered in error: it leaves every count, list and review (a cancelled task
    keeps its own line). The void is journaled, effective on the task's creation day, and
    holds on every day from the moment it is recorded (store.base.TIMELESS_KINDS)."""
    if not reason or not reason.strip():
        raise InvalidInput("--reason is required: why the task was entered in error")
    store = ctx.store
    with store.transaction():
        task_id = live_task(store, ref)["id"]
        store.change_task(task_id, {"voided": 1}, effective_on=creation_day(store, task_id), by=ctx.by,
                          kind="voided", note=reason.strip(), recorded_at=ctx.recorded_at)
    return task_id


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
    again: bool = False  # assign even when the same task is already open

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
        existing = store.resolve_task(request.title_or_task)  # a title, most often: no suggestions
    except UserError:
        existing = None
    if existing is not None and not request.names_new_task():
        return Assigned(_reassign(ctx, live_task(store, request.title_or_task)["id"], request), created=False)
    if not request.lead:
        raise InvalidInput("a new task needs a title and --lead")
    with store.transaction():
        lead_id = resolve_unit(store, request.lead).id
        coordinating = unit_ids(store, request.coordinating)
        document_id = resolve_document(store, request.document, how_to_add=True).id if request.document else None
        deadline = rules.deadline_from_text(request.due) if request.due else None
        given_on = request.assigned_on or ctx.today
        same = store.open_task_like(document_id, request.title_or_task, lead_id)
        if same is not None and not request.again:
            raise InvalidInput("task {id} is already open with the same document, title and lead unit; "
                               "give --again to assign it once more", id=same)
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
            changes["lead_unit_id"] = resolve_unit(store, request.lead).id
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
    progress: int | str | None = None  # 50, or as typed: "50", "50%"
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
    task_id = live_task(store, ref)["id"]
    day = rules.check_effective_day(request.on or ctx.today, ctx.today)
    new_state = rules.state_from_text(request.state) if request.state is not None else None
    request.progress = rules.check_progress(rules.progress_from_text(request.progress))
    extension = rules.extension(request.deadline, request.reason) if request.deadline is not None else None
    if extension is not None:
        rules.check_later_deadline(extension["deadline"], _as_date(resolve_task(store, ref)["deadline"]))
    result = Updated(task_id)

    def apply(changes: dict[str, Any], kind: str, note: str | None) -> None:
        result.changed += store.change_task(task_id, changes, effective_on=day, by=ctx.by, kind=kind, note=note,
                                            recorded_at=ctx.recorded_at)

    if new_state is not None and new_state.value == "done":
        rules.check_completion_after_assignment(day, _as_date(resolve_task(store, ref)["assigned_on"]))
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


# -- edit: corrections of data entry -------------------------------------------------------------

CLEAR = "-"  # an option given as '-' clears the field


@dataclass
class Correction:
    """What `edit` was given: the fields typed wrong, with their right values ('-' clears)."""

    title: str | None = None
    document: str | None = None
    source: str | None = None
    lead: str | None = None
    coordinating: list[str] | None = None  # None: not given; ['-']: none
    assignee: str | None = None
    assigned_on: str | None = None
    due: str | None = None
    product: str | None = None
    code: str | None = None
    reason: str | None = None


def _text_or_none(value: str) -> str | None:
    return None if value.strip() == CLEAR else value.strip()


def _corrected_values(store: Any, task: dict[str, Any], request: Correction) -> dict[str, Any]:
    """The fields a correction sets, checked, in the store's terms."""
    from nqtrack.core.dates import DateError, parse_date

    changes: dict[str, Any] = {}
    if request.title is not None:
        if not request.title.strip() or request.title.strip() == CLEAR:
            raise InvalidInput("a task needs a title")
        changes["title"] = request.title.strip()
    for name, value in (("source", request.source), ("assignee", request.assignee), ("product", request.product),
                        ("code", request.code)):
        if value is not None:
            changes[name] = _text_or_none(value)
    if request.document is not None:
        changes["document_id"] = None if request.document.strip() == CLEAR else resolve_document(
            store, request.document).id
    if request.lead is not None:
        changes["lead_unit_id"] = resolve_unit(store, request.lead).id
    if request.coordinating is not None:
        names = [n for n in request.coordinating if n.strip() != CLEAR]
        changes["coordinating_units"] = [resolve_unit(store, n).id for n in names]
    elif "lead_unit_id" in changes:  # the new lead no longer helps itself
        changes["coordinating_units"] = store.coordinating_unit_ids(task["id"])
    if request.assigned_on is not None:
        try:
            changes["assigned_on"] = None if request.assigned_on.strip() == CLEAR else parse_date(request.assigned_on)
        except DateError as exc:
            raise InvalidInput("bad date for {option}: {reason}", option="--assigned-on", reason=str(exc)) from None
    if request.due is not None:
        deadline = rules.deadline_from_text(request.due) if request.due.strip() != CLEAR else None
        changes.update(deadline=deadline.date if deadline else None, deadline_text=deadline.text if deadline else None,
                       recurring=bool(deadline and deadline.recurring))
    given_on = changes.get("assigned_on", _as_date(task["assigned_on"]))
    rules.check_completion_after_assignment(_as_date(task["completed_on"]), given_on)
    return changes


def edit(ctx: Context, ref: str, request: Correction) -> Updated:
    """Correct fields typed wrong: one 'corrected' journal event per changed field, effective
    on the task's creation day and true on every day once recorded (a correction says the
    value was always this; store.base.TIMELESS_KINDS), distinct from a change of the work."""
    store = ctx.store
    with store.transaction():
        task = live_task(store, ref)
        changes = _corrected_values(store, task, request)
        if not changes:
            raise InvalidInput("nothing to correct: give a field to change (see 'nqtrack edit --help')")
        changed = store.change_task(task["id"], changes, effective_on=creation_day(store, task["id"]), by=ctx.by,
                                    kind="corrected", note=request.reason, recorded_at=ctx.recorded_at)
    return Updated(task["id"], changed)


# -- show and list ---------------------------------------------------------------------------


def _as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def show(ctx: Context, ref: str, as_of: date | None = None) -> dict[str, Any]:
    """Every field of a task (as of a day, rebuilt from the journal, when given), its
    timing class on that day, and its whole history with unit names."""
    store = ctx.store
    current = resolve_task(store, ref)
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
    events = store.task_events(current["id"])
    symbols = {int(v): store.document(int(v)).symbol for e in events if e["field"] == "document_id"
               for v in (e["old_value"], e["new_value"]) if v}
    return {"task": row, "history": [_history_row(e, names, symbols) for e in events]}


def _history_row(event: dict[str, Any], names: dict[int, str], symbols: dict[int, str]) -> dict[str, Any]:
    def unit_names(value: str | None) -> str | None:
        return "; ".join(names.get(int(i), i) for i in value.split(",")) if value else value

    old, new = event["old_value"], event["new_value"]
    if event["field"] == "lead_unit_id":
        old = names.get(int(old)) if old else old
        new = names.get(int(new)) if new else new
    elif event["field"] == "document_id":
        old = symbols.get(int(old)) if old else old
        new = symbols.get(int(new)) if new else new
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
    include_voided: bool = False


def listing(ctx: Context, query: TaskQuery) -> list[dict[str, Any]]:
    """Tasks, filtered; `overdue` means overdue today as the journal tells it (the same
    set the morning view shows: open, past the deadline, paused ones included)."""
    store = ctx.store
    states = [rules.state_from_text(s).value for s in query.states]
    filters = resolve_filters(store, query.units, query.sources, query.documents)
    ids = None
    if query.overdue:
        ids = [row["id"] for row in store.overdue_rows(ctx.today, ctx.today - timedelta(days=1),
                                                       with_coordinating=False)]
    rows = store.list_tasks(
        **filters.as_kwargs(), states=states, ids=ids, due_before=query.due_before,
        due_after=query.due_after, text=query.search, limit=query.limit, include_voided=query.include_voided,
    )
    return [task_row(t) for t in rows]
