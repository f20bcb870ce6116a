"""What a unit asks of the secretariat, and the answers: proposed completions (đề nghị hoàn
thành → xác nhận) and extension requests (đề nghị gia hạn → phê duyệt).

A request is a journal event of its task without a field: `proposed` (its value the day
the work was finished) or `extension_requested` (its value the deadline asked for, as
written, its note the reason). It awaits the secretariat until a later event settles it
(store.SETTLED_SQL): `confirm` completes the task on the proposed day (kind `confirmed`,
effective on that day, recorded at the confirmation's moment, so that a report known on a
day before the confirmation does not count it), `reject` sends it back with a reason;
`approve` extends the deadline (kind `extended`, the original deadline kept), `deny` sends
the request back. An undo of an answer makes the request await again.

A unit (a unit user, or the secretariat recording a unit's letter or its returned sheet)
asks on the tasks its unit leads; the secretariat answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.lookup import Filters
from nqtrack.core import rights, rules
from nqtrack.core.errors import InvalidInput, NotFound, UserError
from nqtrack.core.states import OPEN_STATES, State

# app.tasks (its rules of a task and an extension) is imported where a request is recorded,
# answered or its day counted: the morning view reads the requests awaiting without it
# (~7 ms of every start, issue 20); app.tasks imports this module where it records one

# How the views name the kind of a request (JSON and CSV values).
REQUEST_NAMES = {"proposed": "completion", "extension_requested": "extension"}


def check_open(task: dict[str, Any]) -> None:
    """A request is made on an open task."""
    if task["state"] == "done":
        raise InvalidInput("task {id} is already done", id=task["id"])
    if task["state"] not in OPEN_STATES:
        raise InvalidInput("task {id} was cancelled", id=task["id"])


def record_proposal(ctx: Context, task: dict[str, Any], day: date, note: str | None,
                    batch_id: str | None = None) -> None:
    """The lead unit says the task was finished on `day` (inside the caller's transaction)."""
    rights.check_records_on(ctx.actor, task["id"], task["lead_unit_id"], task.get("lead_unit"))
    check_open(task)
    rules.check_effective_day(day, ctx.today)
    rules.check_completion_after_assignment(day, _day(task["assigned_on"]))
    ctx.store.record_task_event(task["id"], "proposed", new=day, effective_on=ctx.today, by=ctx.by,
                                recorded_at=ctx.recorded_at, note=note, batch_id=batch_id)


def record_extension_request(ctx: Context, task: dict[str, Any], to: str, reason: str | None,
                             batch_id: str | None = None) -> date | None:
    """The lead unit asks for the deadline `to` (as written), with its reason (inside the
    caller's transaction); the rules of an extension apply. Returns the day asked for."""
    from nqtrack.app.tasks import extension_fields

    if not reason or not reason.strip():
        raise InvalidInput("--reason is required: why the extension is asked for")
    rights.check_records_on(ctx.actor, task["id"], task["lead_unit_id"], task.get("lead_unit"))
    check_open(task)
    fields = extension_fields(ctx.store, task, to, reason.strip())
    if fields["deadline"] is not None and _day(task["deadline"]) == fields["deadline"]:
        raise InvalidInput("the deadline of task {id} is already {day}", id=task["id"], day=fields["deadline"])
    ctx.store.record_task_event(task["id"], "extension_requested", old=task["deadline"], new=to.strip(),
                                effective_on=ctx.today, by=ctx.by, recorded_at=ctx.recorded_at,
                                note=reason.strip(), batch_id=batch_id)
    return fields["deadline"]


@dataclass
class Asked:
    task_id: int
    day: date | None  # the deadline asked for


def request_extension(ctx: Context, ref: str, to: str, reason: str | None) -> Asked:
    """A unit's request for a later deadline; only the secretariat's approval changes it."""
    from nqtrack.app.tasks import live_task

    store = ctx.store
    rights.check_writes(ctx.actor)
    with store.transaction():
        task = live_task(store, ref)
        day = record_extension_request(ctx, task, to, reason)
    return Asked(task["id"], day)


@dataclass
class Answered:
    task_id: int
    request: str  # proposed | extension_requested
    day: date | None  # the completion day confirmed, or the deadline granted
    changed: list[str]


def pending(store: Any, task_id: int, kind: str) -> dict[str, Any] | None:
    """The task's request of this kind awaiting an answer, if any."""
    found = store.pending_requests(kinds=(kind,), task_ids=[task_id])
    return found[-1] if found else None


def _awaited(store: Any, task: dict[str, Any], kind: str) -> dict[str, Any]:
    found = pending(store, task["id"], kind)
    if found is None:
        if kind == "proposed":
            raise NotFound("task {id} has no proposed completion awaiting confirmation", id=task["id"])
        raise NotFound("task {id} has no extension request awaiting approval", id=task["id"])
    return found


def confirm(ctx: Context, refs: Sequence[str], on: date | None = None) -> list[Answered]:
    """Complete each task on the day its lead unit proposed (or `on`), as of the moment of
    the confirmation; all of them or none."""
    from nqtrack.app.tasks import live_task

    store = ctx.store
    rights.require_secretariat(ctx.actor)
    done = []
    with store.transaction():
        for ref in refs:
            task = live_task(store, ref)
            proposal = _awaited(store, task, "proposed")
            day = on or date.fromisoformat(proposal["new_value"])
            rules.check_effective_day(day, ctx.today)
            rules.check_completion_after_assignment(day, _day(task["assigned_on"]))
            changed = store.change_task(task["id"], rules.state_change(State.DONE, day), effective_on=day, by=ctx.by,
                                        kind="confirmed", recorded_at=ctx.recorded_at)
            done.append(Answered(task["id"], "proposed", day, changed))
    return done


def approve(ctx: Context, refs: Sequence[str], on: date | None = None) -> list[Answered]:
    """Extend each task's deadline as its lead unit asked, effective `on` (default today);
    the rules of an extension are asked again (the deadline may have moved since)."""
    from nqtrack.app.tasks import extension_fields, live_task

    store = ctx.store
    rights.require_secretariat(ctx.actor)
    day = rules.check_effective_day(on or ctx.today, ctx.today)
    done = []
    with store.transaction():
        for ref in refs:
            task = live_task(store, ref)
            asked = _awaited(store, task, "extension_requested")
            fields = extension_fields(store, task, asked["new_value"], asked["note"])
            changed = store.change_task(task["id"], fields, effective_on=day, by=ctx.by, kind="extended",
                                        note=asked["note"], recorded_at=ctx.recorded_at)
            if "deadline" not in changed:
                raise InvalidInput("the deadline of task {id} is already {day}", id=task["id"],
                                   day=fields["deadline"])
            done.append(Answered(task["id"], "extension_requested", fields["deadline"], changed))
    return done


def send_back(ctx: Context, ref: str, kind: str, reason: str | None) -> Answered:
    """Reject a proposed completion, or deny an extension request, with the reason."""
    from nqtrack.app.tasks import live_task

    if not reason or not reason.strip():
        raise InvalidInput("--reason is required: why the request is sent back")
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        task = live_task(store, ref)
        asked = _awaited(store, task, kind)
        answer = "rejected" if kind == "proposed" else "denied"
        store.record_task_event(task["id"], answer, new=asked["new_value"], effective_on=ctx.today, by=ctx.by,
                                recorded_at=ctx.recorded_at, note=reason.strip())
    return Answered(task["id"], kind, None, [])


# -- what awaits the secretariat -----------------------------------------------------------------


def requested_day(store: Any, row: dict[str, Any]) -> date | None:
    """The day a request names: the completion day proposed, or the deadline asked for
    (counted as an approval would count it; None when it no longer can be)."""
    from nqtrack.app.tasks import extension_fields

    if row["kind"] == "proposed":
        return date.fromisoformat(row["new_value"])
    try:
        return extension_fields(store, row, row["new_value"], row["note"] or "-", check_later=False)["deadline"]
    except UserError:
        return None


AWAITING_KEYS = ("id", "code", "title", "document", "lead_unit", "deadline", "state", "request", "requested_day",
                 "request_note", "requested_on", "requested_by")


def awaiting(ctx: Context, day: date, filters: Filters, role: str = "lead") -> list[dict[str, Any]]:
    """The requests awaiting the secretariat that were made by `day`, oldest first."""
    store = ctx.store
    rows = store.pending_requests(until=day, role=role, **filters.as_kwargs())
    return [{
        "id": r["task_id"], "code": r["code"], "title": r["title"], "document": r["document"],
        "lead_unit": r["lead_unit"], "deadline": _day(r["deadline"]), "state": r["state"],
        "request": REQUEST_NAMES[r["kind"]], "requested_day": requested_day(store, {**r, "id": r["task_id"]}),
        "request_note": r["note"], "requested_on": _day(r["effective_on"]), "requested_by": r["recorded_by"],
    } for r in rows]


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
