"""Tasks: give one (assign), re-assign it, record its progress (update), look at it (show,
list). The rules of a change are `nqtrack.core.rules`; this module applies them in order,
inside one transaction per command."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nqtrack.app import series as series_cases
from nqtrack.app.calendar import OfficeCalendar
from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_document, resolve_filters, resolve_task, resolve_unit, unit_ids
from nqtrack.core import rights, rules
from nqtrack.core.dates import Deadline
from nqtrack.core.errors import InvalidInput, NotFound, UserError
from nqtrack.core.recurrence import describe
from nqtrack.core.states import fields_as_of, timing_class
from nqtrack.store.base import ANSWER_KINDS, CREATION_KINDS, REQUEST_KINDS, Store

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


def refuse_voided(task: dict[str, Any]) -> dict[str, Any]:
    """A task that can still change: voided ones (entered in error) are refused."""
    if task["voided"]:
        raise InvalidInput("task {id} was voided (entered in error); 'nqtrack undo {id}' restores it", id=task["id"])
    return task


def live_task(store: Any, ref: str) -> dict[str, Any]:
    return refuse_voided(resolve_task(store, ref))


def one_task(ctx: Context, ref: str) -> dict[str, Any]:
    """The task TASK names, for a command that takes one task and never a series (edit, void):
    a series is corrected or voided task by task, and ended by `update`."""
    task, series = resolve_subject(ctx, ref)
    if series is not None:
        raise InvalidInput("'{ref}' is a series: correct or void its tasks one by one ({ref}/…); to end it: "
                           "nqtrack update {ref} --state cancelled --on DAY", ref=series_cases.series_ref(series))
    assert task is not None
    return refuse_voided(task)


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
    rights.require_secretariat(ctx.actor)
    task_id = one_task(ctx, ref)["id"]
    with store.transaction():
        refuse_voided(store.resolve_task(f"#{task_id}"))
        store.change_task(task_id, {"voided": 1}, effective_on=creation_day(store, task_id), by=ctx.by,
                          kind="voided", note=reason.strip(), recorded_at=ctx.recorded_at)
    return task_id


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
    every: str | None = None  # a series: its period (month, quarter, half, year) …
    day: int | None = None  # … and the day of the period's last month its tasks are due
    again: bool = False  # assign even when the same task (or series) is already open

    def names_new_task(self) -> bool:
        return any((self.document, self.due, self.product, self.source, self.assigned_on, self.code, self.every,
                    self.day is not None))


@dataclass
class Assigned:
    task_id: int | None
    created: bool
    series: str | None = None  # a series was created (its reference) …
    opened: list[str] = field(default_factory=list)  # … and these tasks of it opened so far
    early_deadline: bool = False  # its deadline is before the day it was assigned, and no note says why


def assign(ctx: Context, request: Assignment) -> Assigned:
    """A new task; or, when TITLE names an existing task and only units or the assignee
    are given, that task re-assigned."""
    store = ctx.store
    try:
        existing = store.resolve_task(request.title_or_task)  # a title, most often: no suggestions
    except UserError:
        existing = None
        if _TASK_NUMBER.fullmatch(request.title_or_task.strip()) and not request.names_new_task():
            # "assign 12 --lead VP" re-assigns task 12: a number is no title, so no such task is an error
            raise NotFound("unknown task: '{ref}'", ref=request.title_or_task.strip()) from None
    if existing is not None and not request.names_new_task():
        return Assigned(_reassign(ctx, live_task(store, request.title_or_task), request), created=False)
    rights.require_secretariat(ctx.actor)
    if not request.lead:
        raise InvalidInput("a new task needs a title and --lead")
    deadline = rules.deadline_from_text(request.due) if request.due else None
    rule = rules.series_rule(request.every, request.day, deadline)
    calendar = OfficeCalendar(store)
    with store.transaction():
        lead_id = resolve_unit(store, request.lead).id
        coordinating = unit_ids(store, request.coordinating)
        document = resolve_document(store, request.document, how_to_add=True) if request.document else None
        document_id = document.id if document else None
        given_on = request.assigned_on or ctx.today
        if not request.again:
            _refuse_duplicate(ctx, document_id, request.title_or_task, lead_id, a_series=rule is not None)
        values = {
            "title": request.title_or_task, "code": request.code, "document_id": document_id,
            "source": request.source, "lead_unit_id": lead_id, "assignee": request.assignee, "assigned_on": given_on,
            "product": request.product, "state": "new",
        }
        if rule is not None:
            text = deadline.text if deadline is not None else describe(rule)
            series_id = series_cases.create(ctx, values, coordinating, rule, text, given_on, calendar=calendar)
            opened = series_cases.open_due(ctx, ctx.today, calendar=calendar, only={series_id})
            return Assigned(None, created=True, series=series_cases.series_ref(store.series(series_id)),
                            opened=opened)
        if request.code and store.series_by_code(request.code) is not None:
            raise InvalidInput("a task with code '{code}' already exists", code=request.code)
        if deadline is not None:
            deadline = date_deadline(deadline, calendar, given_on, document)
            values.update(deadline=deadline.date, deadline_text=deadline.text, recurring=deadline.recurring)
        task_id = store.create_task(values, coordinating, effective_on=given_on, by=ctx.by,
                                    recorded_at=ctx.recorded_at)
        early = task_id in store.early_deadlines_unexplained(ctx.recorded_at)[1]
    return Assigned(task_id, created=True, early_deadline=early)


def _refuse_duplicate(ctx: Context, document_id: int | None, title: str, lead_id: int, *, a_series: bool) -> None:
    """An assignment identical to a running series or to an open task (same document, folded
    title and lead unit; a new series is told of the series first, whose tasks share its
    title) is most often the same work typed twice: it needs --again."""
    store = ctx.store
    series = store.series_by_title(document_id, title)
    running = series is not None and series["lead_unit_id"] == lead_id and (
        series["ends_on"] is None or series["ends_on"] >= ctx.today.isoformat())
    same = store.open_task_like(document_id, title, lead_id)
    if series is not None and running and (a_series or same is None):
        raise InvalidInput("series {series} is already running with the same document, title and lead unit; "
                           "give --again to assign it once more", series=series_cases.series_ref(series))
    if same is not None:
        raise InvalidInput("task {id} is already open with the same document, title and lead unit; "
                           "give --again to assign it once more", id=same)


def date_deadline(deadline: Deadline, calendar: OfficeCalendar, assigned_on: date | None, document: Any) -> Deadline:
    """A relative deadline with its day counted from the day it names: the task's
    assignment, or its document's signature (issued_on) or receipt, on the office's calendar."""

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return rules.dated_deadline(
        deadline, calendar.years, assigned_on=assigned_on,
        signed_on=day(document.issued_on) if document is not None else None,
        received_on=day(document.received_on) if document is not None else None)


def _reassign(ctx: Context, task: dict[str, Any], request: Assignment) -> int:
    """New units or a new assignee for a task; a unit names an assignee of its own staff on
    the tasks it leads, and nothing else."""
    task_id = task["id"]
    if not (request.lead or request.coordinating is not None or request.assignee):
        raise InvalidInput("nothing to change: give --lead or --with")
    rights.check_records_on(ctx.actor, task_id, task["lead_unit_id"], task.get("lead_unit"))
    if request.lead or request.coordinating is not None:
        rights.require_secretariat(ctx.actor)
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
    propose: bool = False  # --state done is the lead unit's proposal (the secretariat recording its letter)


@dataclass
class Updated:
    task_id: int | None
    changed: list[str] = field(default_factory=list)
    noted: bool = False
    ended: series_cases.Ended | None = None  # the update ended a series
    proposed: date | None = None  # a completion on this day was proposed, awaiting confirmation


def resolve_subject(ctx: Context, ref: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(task, None) or (None, series) for what TASK names: a task's code, a series (its
    code or S<n>), or a task's number, in that order. The periods opened by today are
    opened first, so that a task of a series can be named the day its period opens."""
    store = ctx.store
    series_cases.open_before_reading(ctx, ctx.today)
    if store.task_by_code(ref.strip()) is None:
        found = store.find_series(ref)
        if found is not None:
            return None, found
    return resolve_task(store, ref), None


def extension_fields(store: Any, task: dict[str, Any], text: str, reason: str | None, *,
                     check_later: bool = True) -> dict[str, Any]:
    """The fields an extension of `task` to `text` sets (a relative text counted from the
    task's days on the office's calendar), refused when it is earlier than the deadline."""
    document = store.document(task["document_id"]) if task["document_id"] else None
    calendar = OfficeCalendar(store)
    fields = rules.extension(text, reason, lambda found: date_deadline(found, calendar, _as_date(task["assigned_on"]),
                                                                       document))
    if check_later:
        rules.check_later_deadline(fields["deadline"], _as_date(task["deadline"]))
    return fields


def update(ctx: Context, ref: str, request: Update) -> Updated:
    """Record progress, a completion, an extension, a product or a note: one journal
    event per changed field, all effective on the day given (default today). A series
    takes only its end (`--state cancelled --on D`, see nqtrack.app.series.end).

    A unit's `--state done` (a unit user's, or the secretariat's with `propose`) is a
    proposed completion when confirmation is on (nqtrack.app.requests): the task stays
    open until the secretariat confirms it; a unit records only on the tasks it leads."""
    from nqtrack.app import requests, settings

    store = ctx.store
    task, series = resolve_subject(ctx, ref)
    if series is not None:
        rights.require_secretariat(ctx.actor)
        others = any(v is not None for v in (request.progress, request.deadline, request.reason, request.product))
        ended = series_cases.end(ctx, series, request.state, request.on, request.note, others)
        return Updated(None, ended=ended)
    assert task is not None
    task_id = refuse_voided(task)["id"]
    day = rules.check_effective_day(request.on or ctx.today, ctx.today)
    new_state = rules.state_from_text(request.state) if request.state is not None else None
    request.progress = rules.check_progress(rules.progress_from_text(request.progress))
    _check_update_rights(ctx.actor, task, request, new_state)
    if request.propose and (new_state is None or new_state.value != "done"):
        raise InvalidInput("--propose goes with --state done: the lead unit's proposed completion")
    extension = None
    if request.deadline is not None:
        extension = extension_fields(store, task, request.deadline, request.reason)
    result = Updated(task_id)

    def apply(changes: dict[str, Any], kind: str, note: str | None) -> None:
        result.changed += store.change_task(task_id, changes, effective_on=day, by=ctx.by, kind=kind, note=note,
                                            recorded_at=ctx.recorded_at)

    if new_state is not None and new_state.value == "done":
        rules.check_completion_after_assignment(day, _as_date(task["assigned_on"]))
    by_unit = (request.propose or ctx.actor.is_unit) and new_state is not None and new_state.value == "done"
    with store.transaction():
        proposal = by_unit and settings.confirmation_on(store)
        if proposal:
            requests.record_proposal(ctx, task, day, request.note)
            result.proposed = day
        elif new_state is not None:
            kind = "completed" if new_state.value == "done" else "updated"
            apply(rules.state_change(new_state, day, request.progress), kind, request.note)
        if extension is not None:
            apply(extension, "extended", request.reason)
        plain = {k: v for k, v in (("progress", request.progress), ("product", request.product)) if v is not None}
        if plain:
            apply(plain, "updated", None if proposal else request.note)
        if not result.changed and not proposal and request.note:
            apply({}, "note", request.note)
            result.noted = True
    return result


def _check_update_rights(actor: rights.Actor, task: dict[str, Any], request: Update, new_state: Any) -> None:
    """A leader writes nothing; a unit records progress, products, notes and a proposed
    completion on the tasks it leads, never a deadline nor another state."""
    rights.check_records_on(actor, task["id"], task["lead_unit_id"], task.get("lead_unit"))
    fields = [name for name, value in (("progress", request.progress), ("product", request.product),
                                       ("deadline", request.deadline)) if value is not None]
    rights.check_fields(actor, task["id"], fields, new_state.value if new_state is not None else None)


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
    given_on = changes.get("assigned_on", _as_date(task["assigned_on"]))
    _corrected_deadline(store, task, request.due, given_on, changes)
    rules.check_completion_after_assignment(_as_date(task["completed_on"]), given_on)
    return changes


def _corrected_deadline(store: Any, task: dict[str, Any], due: str | None, given_on: date | None,
                        changes: dict[str, Any]) -> None:
    """The deadline a correction sets: `--due` read as `assign` reads it (a relative text counted
    from the corrected days, on the office's calendar); or, when only the assigned day or the
    document is corrected, a relative deadline never extended counted again from them. A
    periodic text is refused: one task has one deadline (a series is given by `assign`)."""
    if due is None:
        if not {"assigned_on", "document_id"} & changes.keys() or task["deadline"] != task["original_deadline"]:
            return
        text = task["deadline_text"]
        deadline = rules.deadline_from_text(text) if text else None
        if deadline is None or deadline.relative is None:
            return
    else:
        deadline = rules.deadline_from_text(due) if due.strip() != CLEAR else None
    if deadline is not None and deadline.recurrence is not None:
        raise InvalidInput(rules.PERIODIC_NOT_AN_EXTENSION, text=deadline.text)
    if deadline is not None:
        document_id = changes.get("document_id", task["document_id"])
        document = store.document(document_id) if document_id else None
        deadline = date_deadline(deadline, OfficeCalendar(store), given_on, document)
    changes.update(deadline=deadline.date if deadline else None, deadline_text=deadline.text if deadline else None,
                   recurring=bool(deadline and deadline.recurring))


def edit(ctx: Context, ref: str, request: Correction) -> Updated:
    """Correct fields typed wrong: one 'corrected' journal event per changed field, effective
    on the task's creation day and true on every day once recorded (a correction says the
    value was always this; store.base.TIMELESS_KINDS), distinct from a change of the work."""
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    task_id = one_task(ctx, ref)["id"]
    with store.transaction():
        task = refuse_voided(store.resolve_task(f"#{task_id}"))
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
    timing class on that day, and its whole history with unit names; for a series, its
    fields, its tasks and its journal (nqtrack.app.series.show)."""
    store = ctx.store
    current, series = resolve_subject(ctx, ref)
    if series is not None:
        if as_of is not None:
            raise InvalidInput("--as-of shows one task: name a task of the series")
        return series_cases.show(ctx, series)
    assert current is not None
    rights.check_reads(ctx.actor, current["id"], current["lead_unit_id"], store.coordinating_unit_ids(current["id"]))
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
    row["series"] = _series_of(store, current)
    events = store.task_events(current["id"])
    symbols = {int(v): store.document(int(v)).symbol for e in events if e["field"] == "document_id"
               for v in (e["old_value"], e["new_value"]) if v}
    return {"task": row, "history": [_history_row(e, names, symbols) for e in events]}


def _series_of(store: Store, task: dict[str, Any]) -> str | None:
    """The series a task is an occurrence of (its reference), or None."""
    if not task.get("series_id"):
        return None
    return series_cases.series_ref(store.series(task["series_id"]))


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
    elif event["field"] is None and event["kind"] not in REQUEST_KINDS + ANSWER_KINDS:
        new = None  # the creation's fingerprint (or an older register's snapshot): its fields are shown above
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
    rules.check_number(query.limit, "--limit", 1, rules.MAX_COUNT)
    store = ctx.store
    series_cases.open_before_reading(ctx, ctx.today)
    states = [rules.state_from_text(s).value for s in query.states]
    filters = resolve_filters(store, query.units, query.sources, query.documents)
    own = rights.own_units(ctx.actor, filters.unit_ids)  # a unit user: its own tasks, led or coordinated
    if own is not None:
        filters.unit_ids = own
    role = "any" if own is not None else "lead"
    ids = None
    if query.overdue:
        ids = [row["id"] for row in store.overdue_rows(ctx.today, ctx.today - timedelta(days=1),
                                                       with_coordinating=False)]
    rows = store.list_tasks(
        **filters.as_kwargs(), states=states, ids=ids, due_before=query.due_before,
        due_after=query.due_after, text=query.search, limit=query.limit, include_voided=query.include_voided,
        role=role,
    )
    return [task_row(t) for t in rows]
