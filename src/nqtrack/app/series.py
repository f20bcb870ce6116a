"""Series of periodic tasks (nhiệm vụ định kỳ): "Hằng tháng, trước ngày 20" and the like.

A series holds the rule and what its tasks share (title, document, units, assignee,
source, product). Each period's occurrence is a task of its own, with its own deadline,
state and journal, linked to its series (`series_id`, `period_start`) and coded
`<series code or S<n>>/<period>` (S3/2024-03, NV-12/2024-Q1).

An occurrence is opened (created, journaled with the moment it was) when its period
opens, without a daemon: every command that reads the register as of a day (overdue,
report, evaluate, dashboard, remind, review, list, show) first opens the periods that have
opened by that day, in one short write transaction; when none has, that is one indexed
look-up. `recur --until D` opens them on demand, ahead of time too. Opening is idempotent: a series
remembers the first period it has not opened (`next_open`), and the register holds at
most one task per series and period.

Ending a series (`update S3 --state cancelled --on D`) opens no period starting after D,
and cancels (journaled) the open occurrences of such periods already opened ahead.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nqtrack.app.calendar import OfficeCalendar
from nqtrack.app.context import Context
from nqtrack.core import rights, rules
from nqtrack.core.errors import DatabaseLocked, InvalidInput, StorageError
from nqtrack.core.recurrence import (
    Recurrence,
    first_occurrence,
    occurrence_for,
    period_label,
    rule_from_json,
    rule_to_json,
)
from nqtrack.core.states import OPEN_STATES, timing_class
from nqtrack.store.base import NewTask

# Days a first occurrence's deadline may lie after the series' start: a year, and the
# move off a holiday.
_A_YEAR_AND_MORE = timedelta(days=400)
# What a series' tasks share, copied to each occurrence.
SHARED_FIELDS = ("title", "document_id", "source", "lead_unit_id", "assignee", "product")


def series_ref(series: dict[str, Any]) -> str:
    """How a series is named on the command line: its code, else S<number>."""
    return series.get("code") or f"S{series['id']}"


def create(ctx: Context, values: dict[str, Any], coordinating: list[int], rule: Recurrence, rule_text: str | None,
           starts_on: date, *, calendar: OfficeCalendar, batch_id: str | None = None) -> int:
    """A new series (inside the caller's transaction); its periods are opened by `open_due`.
    Its code names it, so no task may have it."""
    if values.get("code") and ctx.store.task_by_code(values["code"]) is not None:
        raise InvalidInput("a task with code '{code}' already exists", code=values["code"])
    first = first_occurrence(rule, starts_on, calendar.covering(starts_on, starts_on + _A_YEAR_AND_MORE))
    template = {name: values.get(name) for name in SHARED_FIELDS}
    template.update(code=values.get("code"), note=values.get("note"), rule=rule_to_json(rule), rule_text=rule_text,
                    starts_on=starts_on, coordinating_units=",".join(map(str, sorted(set(coordinating)))) or None)
    return ctx.store.add_series(template, next_open=max(first.period_start, starts_on), by=ctx.by,
                                recorded_at=ctx.recorded_at, effective_on=starts_on, batch_id=batch_id)


def open_due(ctx: Context, until: date, *, calendar: OfficeCalendar, batch_id: str | None = None,
             only: Collection[int] | None = None) -> list[str]:
    """Open every period that opens on or before `until` (inside the caller's transaction):
    one task per series and period, created effective on the day its period opened (the
    series' start for its first). `only`: just these series (those a command created, so
    that its change holds nothing else). Returns the codes of the tasks opened."""
    store = ctx.store
    opened: list[str] = []
    for series in store.series_to_open(until):
        if only is not None and series["id"] not in only:
            continue
        rule = rule_from_json(series["rule"])
        starts_on = date.fromisoformat(series["starts_on"])
        ends_on = date.fromisoformat(series["ends_on"]) if series["ends_on"] else None
        limit = min(until, ends_on) if ends_on else until
        day = date.fromisoformat(series["next_open"])
        work_calendar = calendar.covering(day, limit + _A_YEAR_AND_MORE)
        coordinating = [int(u) for u in (series["coordinating_units"] or "").split(",") if u]
        tasks: list[NewTask] = []
        while day <= limit:
            occurrence = occurrence_for(rule, day, work_calendar)
            code = f"{series_ref(series)}/{period_label(rule, occurrence.period_start)}"
            values = {name: series[name] for name in SHARED_FIELDS}
            values.update(code=code, assigned_on=day, deadline=occurrence.deadline, deadline_text=series["rule_text"],
                          state="new", series_id=series["id"], period_start=occurrence.period_start)
            tasks.append(NewTask(values, coordinating, day))
            day = max(occurrence.period_end + timedelta(days=1), starts_on)
        if tasks:
            # a code some task already has (typed by hand) stays that task's: this one goes without
            taken = store.tasks_by_codes([task.values["code"] for task in tasks])
            for task in tasks:
                if task.values["code"] in taken:
                    task.values["code"] = None
            ids = store.insert_tasks(tasks, by=ctx.by, kind="created", batch_id=batch_id, recorded_at=ctx.recorded_at)
            opened += [task.values["code"] or f"#{task_id}" for task, task_id in zip(tasks, ids, strict=True)]
        store.set_series_next_open(series["id"], day if ends_on is None or day <= ends_on else None)
    return opened


@dataclass
class Opened:
    codes: list[str] = field(default_factory=list)
    batch_id: str | None = None


def open_periods(ctx: Context, until: date | None = None) -> Opened:
    """`recur`: open every period that opens on or before `until` (default today)."""
    rights.require_secretariat(ctx.actor)
    day = until or ctx.today
    if not ctx.store.has_series_to_open(day):
        return Opened()
    batch = f"recur-{uuid.uuid4().hex[:8]}"
    calendar = OfficeCalendar(ctx.store)
    with ctx.store.transaction():
        codes = open_due(ctx, day, calendar=calendar, batch_id=batch)
        if codes:
            ctx.store.record_batch(batch, "recur", ctx.recorded_at, ctx.by)
    return Opened(codes, batch if codes else None)


def open_before_reading(ctx: Context, day: date) -> None:
    """Before a command reads the register as of `day`: open the periods opened by then
    (never ahead of today). On a register this user cannot write (read-only, or locked
    past the busy timeout, or one made by a newer nqtrack) the command reads what was opened so far.
    A unit or a leader opens nothing: it cannot create tasks."""
    if ctx.store.read_only is not None or not ctx.actor.is_secretariat:
        return
    with suppress(StorageError, DatabaseLocked):
        open_periods(ctx, min(day, ctx.today))


# -- show and end a series ------------------------------------------------------------------------


def show(ctx: Context, series: dict[str, Any]) -> dict[str, Any]:
    """A series: its fields, its occurrences (each with its timing class today) and its journal."""
    store = ctx.store
    open_before_reading(ctx, ctx.today)
    series = store.series(series["id"])
    names = store.unit_names()
    rule = rule_from_json(series["rule"])
    coordinating = [names.get(int(u), u) for u in (series["coordinating_units"] or "").split(",") if u]
    fields = {
        "ref": series_ref(series), "id": series["id"], "code": series["code"], "title": series["title"],
        "document": series["document"], "source": series["source"], "lead_unit": series["lead_unit"],
        "coordinating_units": "; ".join(coordinating) or None, "assignee": series["assignee"],
        "product": series["product"], "note": series["note"], "rule_text": series["rule_text"],
        "frequency": rule.frequency, "starts_on": series["starts_on"], "ends_on": series["ends_on"],
        "next_open": series["next_open"], "state": "ended" if series["ends_on"] else "running",
        "as_of": ctx.today.isoformat(),
    }
    occurrences = []
    for task in store.series_occurrences(series["id"]):
        deadline = date.fromisoformat(task["deadline"]) if task["deadline"] else None
        completed = date.fromisoformat(task["completed_on"]) if task["completed_on"] else None
        period = period_label(rule, date.fromisoformat(task["period_start"]))
        occurrences.append({
            "id": task["id"], "code": task["code"], "period": period, "period_start": task["period_start"],
            "assigned_on": task["assigned_on"], "deadline": task["deadline"], "state": task["state"],
            "progress": task["progress"], "completed_on": task["completed_on"],
            "timing": timing_class(task["state"], deadline, completed, ctx.today).value,
            "voided": bool(task["voided"]),
        })
    history = [
        {key: event[key] for key in ("id", "kind", "field", "old_value", "new_value", "effective_on", "recorded_at",
                                     "recorded_by", "note", "batch_id")}
        for event in store.series_events(series["id"])
    ]
    for event in history:
        if event["kind"] == "created":
            event["new_value"] = None  # the creation snapshot: its fields are shown above
    return {"series": fields, "occurrences": occurrences, "history": history}


@dataclass
class Ended:
    series: str
    ends_on: date
    cancelled: list[str] = field(default_factory=list)


def end(ctx: Context, series: dict[str, Any], state: str | None, on: date | None, note: str | None,
        others_given: bool) -> Ended:
    """`update SERIES --state cancelled --on D`: the series ends on D. No period starting
    after D is opened; open occurrences of such periods, opened ahead, are cancelled."""
    wanted = rules.state_from_text(state).value if state is not None else None
    if wanted != "cancelled" or others_given:
        raise InvalidInput("a series takes only --state cancelled --on DAY (it ends that day); "
                           "update its tasks one by one")
    day = rules.check_effective_day(on or ctx.today, ctx.today)
    store = ctx.store
    result = Ended(series_ref(series), day)
    with store.transaction():
        current = store.series(series["id"])
        if current["ends_on"] and current["ends_on"] <= day.isoformat():
            raise InvalidInput("series {series} already ended on {day}", series=result.series, day=current["ends_on"])
        next_open = current["next_open"]
        store.end_series(series["id"], day, next_open=next_open if next_open and next_open <= day.isoformat() else None,
                         by=ctx.by, recorded_at=ctx.recorded_at, note=note)
        for task in store.series_occurrences(series["id"]):
            if task["period_start"] > day.isoformat() and task["state"] in OPEN_STATES and not task["voided"]:
                store.change_task(task["id"], rules.state_change(rules.state_from_text("cancelled"), day),
                                  effective_on=day, by=ctx.by, recorded_at=ctx.recorded_at, note=note)
                result.cancelled.append(task["code"])
    return result


def end_created_series(ctx: Context, recorded_at: list[str], batch_id: str) -> list[str]:
    """After an undo (inside its transaction): end, before they began, the series that
    the undone changes created, so that they open no more periods."""
    ended = []
    for series_id in ctx.store.series_created_at(recorded_at):
        series = ctx.store.series(series_id)
        starts_on = date.fromisoformat(series["starts_on"])
        ctx.store.end_series(series_id, starts_on - timedelta(days=1), next_open=None, by=ctx.by,
                             recorded_at=ctx.recorded_at, batch_id=batch_id)
        ended.append(series_ref(series))
    return ended
