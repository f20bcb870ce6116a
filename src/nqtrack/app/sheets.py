"""Each unit's own sheet (phiếu cập nhật), for offices without a server (core/sheets.py).

`build` gives the open tasks a unit leads, with what awaits an answer and what was sent
back, signed with the register's secret (made on first use, never printed). `import_returned`
takes the sheet back: a sheet whose signature does not verify — a row naming another unit's
task, or a task it was not made with, or a changed signature — is refused whole; otherwise
the unit's entries are recorded with a unit's rights (core/rights.py), as that unit's
progress, products, notes, proposed completions and extension requests; a row that cannot
be taken (a task re-assigned or closed since, a day in the future…) is refused alone, with
its reason. What this sheet already recorded is never recorded twice, so importing the same
sheet again changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from nqtrack.app import requests, settings
from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_unit
from nqtrack.core import rights, rules
from nqtrack.core.dates import DateError, parse_date
from nqtrack.core.errors import N_, InvalidInput, UserError
from nqtrack.core.sheets import FORMAT, VERSION, Signed, new_id, new_secret, sign, task_numbers, verifies
from nqtrack.core.states import OPEN_STATES, State

SECRET_KEY = "sheet_secret"
REGISTER_KEY = "register_id"


def _keys(ctx: Context) -> tuple[str, str]:
    """The register's id and the secret that signs its sheets, made on first use (inside
    the caller's transaction)."""
    store = ctx.store
    secret, register = store.register_key(SECRET_KEY), store.register_key(REGISTER_KEY)
    if secret is None or register is None:
        secret, register = new_secret(), uuid.uuid4().hex
        store.add_register_key(SECRET_KEY, secret, ctx.recorded_at)
        store.add_register_key(REGISTER_KEY, register, ctx.recorded_at)
    return register, secret


@dataclass
class UnitSheet:
    """What a unit's sheet holds; render.sheet writes it as a protected workbook."""

    unit: str
    unit_code: str | None
    unit_id: int
    register: str
    sheet: str
    issued_at: str
    issued_on: date
    signature: str
    rows: list[dict[str, Any]]  # id, code, title, document, deadline, state, current_progress, status


def build(ctx: Context, unit_ref: str | int) -> UnitSheet:
    """The sheet of the open tasks `unit` leads, signed."""
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        unit = store.unit(unit_ref) if isinstance(unit_ref, int) else resolve_unit(store, unit_ref)
        register, secret = _keys(ctx)
    tasks = store.list_tasks(unit_ids=[unit.id], states=list(OPEN_STATES))
    ids = [t["id"] for t in tasks]
    pending: dict[int, list[dict[str, Any]]] = {}
    for row in store.pending_requests(task_ids=ids) if ids else []:
        pending.setdefault(row["task_id"], []).append(row)
    returned = store.returned_requests(ids)
    rows = [{
        "id": t["id"], "code": t["code"], "title": t["title"], "document": t["document"],
        "deadline": _day(t["deadline"]), "state": t["state"], "current_progress": t["progress"],
        "status": _status(store, pending.get(t["id"], []), returned.get(t["id"])),
    } for t in tasks]
    sheet_id = new_id()
    signed = Signed(register, sheet_id, unit.id, ctx.recorded_at, tuple(ids))
    return UnitSheet(unit.name, unit.code, unit.id, register, sheet_id, ctx.recorded_at, ctx.today,
                     sign(secret, signed), rows)


def _status(store: Any, waiting: list[dict[str, Any]], returned: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What awaits the secretariat on a task, and the last request it sent back: (kind, day, note)."""
    found = [{"kind": r["kind"], "day": requests.requested_day(store, {**r, "id": r["task_id"]}), "note": r["note"]}
             for r in waiting]
    if returned is not None:
        found.append({"kind": returned["kind"], "day": _day(returned["effective_on"]), "note": returned["note"]})
    return found


# -- a sheet sent back ---------------------------------------------------------------------------


@dataclass
class Refused:
    line: int
    task: int | None
    reason: UserError


@dataclass
class Recorded:
    task: int
    fields: list[str] = field(default_factory=list)  # progress, product changed
    noted: bool = False
    proposed: date | None = None  # a proposed completion, awaiting confirmation
    completed: date | None = None  # a completion (confirmation off)
    extension: date | None = None  # an extension asked for, awaiting approval


@dataclass
class SheetImported:
    unit: str
    sheet: str
    issued_at: str
    batch_id: str | None = None  # None: nothing recorded
    recorded: list[Recorded] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    unchanged: int = 0  # rows with nothing new


SIGNATURE_BROKEN = N_("the sheet's signature does not match: it was changed after it was made (rows added, "
                      "removed or changed, or its signature); the sheet is refused whole, nothing was recorded")


def import_returned(ctx: Context, source: str | Path | bytes, name: str | None = None) -> SheetImported:
    """Record what a unit filled in its returned sheet, with that unit's rights."""
    from nqtrack.importing.reader import ReadError
    from nqtrack.importing.sheet_return import read_returned

    store = ctx.store
    rights.require_secretariat(ctx.actor)
    try:
        sheet = read_returned(source, name)
    except ReadError as exc:
        raise InvalidInput("cannot import: {reason}", reason=exc) from None
    fields = sheet.fields
    if fields.get("format") != FORMAT or fields.get("version") != str(VERSION):
        raise InvalidInput("not a unit's sheet made by nqtrack: {name}", name=name or str(source))
    with store.transaction():
        unit = _signed_unit(ctx, sheet)
        batch = f"sheet-{uuid.uuid4().hex[:8]}"
        result = SheetImported(unit.name, fields["sheet"], fields["issued_at"], batch)
        unit_ctx = ctx.acting_as(rights.Actor(None, "unit", unit.id, unit.name))
        earlier = store.sheet_events(fields["sheet"])
        confirmation = settings.confirmation_on(store)
        for line, cells in sheet.rows:
            _take_row(unit_ctx, line, cells, earlier, confirmation, result)
        if result.recorded:
            store.record_batch(batch, "sheet", ctx.recorded_at, ctx.by, fields["sheet"])
        else:
            result.batch_id = None
    return result


def _signed_unit(ctx: Context, sheet: Any) -> Any:
    """The unit a returned sheet is of, once its signature verifies; the whole sheet
    refused otherwise, naming a row that names a task the unit does not lead when there is one."""
    store, fields = ctx.store, sheet.fields
    if fields.get("register") != store.register_key(REGISTER_KEY):
        raise InvalidInput("this sheet was made by another register: the sheet is refused whole, nothing was "
                           "recorded")
    try:
        unit = store.unit(int(fields.get("unit") or ""))
    except (ValueError, UserError):
        raise InvalidInput(SIGNATURE_BROKEN) from None
    numbers = task_numbers([cells.get("id") for _line, cells in sheet.rows])
    if numbers is None:
        line = next(line for line, cells in sheet.rows if task_numbers([cells.get("id")]) is None)
        raise InvalidInput("row {row}: the task number was changed; the sheet is refused whole, nothing was "
                           "recorded", row=line)
    signed = Signed(fields["register"], fields.get("sheet", ""), unit.id, fields.get("issued_at", ""), tuple(numbers))
    secret = store.register_key(SECRET_KEY) or ""
    if verifies(secret, signed, fields.get("signature", "")):
        return unit
    strangers = [(line, number) for (line, _cells), number in zip(sheet.rows, numbers, strict=True)
                 if not _leads(store, unit.id, number)]
    if strangers and len(strangers) < len(numbers):  # not all: the rows were edited, not the unit
        raise InvalidInput("row {row} names task {task}, which {unit} does not lead: the sheet is refused whole, "
                           "nothing was recorded", row=strangers[0][0], task=strangers[0][1], unit=unit.name)
    raise InvalidInput(SIGNATURE_BROKEN)


def _leads(store: Any, unit_id: int, task_id: int) -> bool:
    try:
        return bool(store.resolve_task(f"#{task_id}")["lead_unit_id"] == unit_id)
    except UserError:
        return False


@dataclass
class _Entries:
    progress: int | None = None
    result: str | None = None
    completed_on: date | None = None
    product: str | None = None
    extension_to: str | None = None
    extension_reason: str | None = None


def _take_row(ctx: Context, line: int, cells: dict[str, object], earlier: list[dict[str, Any]], confirmation: bool,
              result: SheetImported) -> None:
    """One row's entries: checked whole, then recorded (or the row refused with its reason)."""
    store = ctx.store
    task_id = int(str(cells["id"]).lstrip("#"))
    try:
        entries = _entries(cells)
        task = store.resolve_task(f"#{task_id}")
        new = _new_entries(task, entries, [e for e in earlier if e["task_id"] == task_id])
        if new is None:
            result.unchanged += 1
            return
        _check(ctx, task, new)
    except UserError as exc:
        result.refused.append(Refused(line, task_id, exc))
        return
    result.recorded.append(_record(ctx, task, new, confirmation, result.batch_id))


def _entries(cells: dict[str, object]) -> _Entries:
    def text(key: str) -> str | None:
        value = cells.get(key)
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        value = "" if value is None else str(value).strip()
        return value or None

    entries = _Entries(result=text("result"), product=text("product"), extension_to=text("extension_to"),
                       extension_reason=text("extension_reason"))
    progress = cells.get("progress")
    if progress not in (None, ""):
        entries.progress = _progress(progress)
    done = cells.get("completed_on")
    if done not in (None, ""):
        try:
            entries.completed_on = parse_date(done if isinstance(done, date) else str(done))
        except DateError as exc:
            raise InvalidInput("bad completion day '{value}': {reason}", value=str(done), reason=str(exc)) from None
    if entries.extension_reason and not entries.extension_to:
        raise InvalidInput("a reason for an extension without the deadline asked for")
    return entries


def _progress(value: object) -> int:
    """A progress as a unit types it: 40, '40 %', or Excel's 0.4 of a percent-formatted cell."""
    if isinstance(value, float) and not value.is_integer() and 0 < value < 1:
        value = round(value * 100)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    progress = rules.check_progress(rules.progress_from_text(value if isinstance(value, int) else str(value)))
    assert progress is not None
    return progress


def _new_entries(task: dict[str, Any], entries: _Entries, earlier: list[dict[str, Any]]) -> _Entries | None:
    """The entries not recorded yet: neither by this sheet before nor already in the
    register (None when there is nothing new)."""

    def recorded(kind: str | None, field_: str | None, value: str | None) -> bool:
        return any((kind is None or e["kind"] == kind) and e["field"] == field_ and e["new_value"] == value
                   for e in earlier)

    new = _Entries()
    if entries.progress is not None and entries.progress != task["progress"] and not recorded(
            None, "progress", str(entries.progress)):
        new.progress = entries.progress
    if entries.product and entries.product != task["product"] and not recorded(None, "product", entries.product):
        new.product = entries.product
    day = entries.completed_on
    if day is not None and not recorded(None, "completed_on", day.isoformat()) and not recorded(
            "proposed", None, day.isoformat()) and not (task["state"] == "done" and task["completed_on"] == str(day)):
        new.completed_on = day
    if entries.extension_to and not recorded("extension_requested", None, entries.extension_to):
        new.extension_to, new.extension_reason = entries.extension_to, entries.extension_reason
    if entries.result and not any(e["note"] == entries.result for e in earlier):
        new.result = entries.result
    return new if new != _Entries() else None


def _check(ctx: Context, task: dict[str, Any], new: _Entries) -> None:
    """Everything the entries need, before anything is written (a row lands whole or not at all)."""
    rights.check_records_on(ctx.actor, task["id"], task["lead_unit_id"], task.get("lead_unit"))
    if task["voided"]:
        raise InvalidInput("task {id} was voided (entered in error)", id=task["id"])
    requests.check_open(task)
    if new.completed_on is not None:
        rules.check_effective_day(new.completed_on, ctx.today)
        rules.check_completion_after_assignment(new.completed_on, _day(task["assigned_on"]))
    if new.extension_to is not None:
        if not new.extension_reason:
            raise InvalidInput("--reason is required: why the extension is asked for")
        from nqtrack.app.tasks import extension_fields

        extension_fields(ctx.store, task, new.extension_to, new.extension_reason)


def _record(ctx: Context, task: dict[str, Any], new: _Entries, confirmation: bool, batch: str | None) -> Recorded:
    store, task_id = ctx.store, task["id"]
    done = Recorded(task_id)
    note = new.result
    plain = {k: v for k, v in (("progress", new.progress), ("product", new.product)) if v is not None}
    if plain:
        done.fields = store.change_task(task_id, plain, effective_on=ctx.today, by=ctx.by, kind="updated",
                                        note=None if new.completed_on else note, batch_id=batch,
                                        recorded_at=ctx.recorded_at)
        done.noted = bool(note) and not new.completed_on
    if new.completed_on is not None and confirmation:
        requests.record_proposal(ctx, task, new.completed_on, note, batch_id=batch)
        done.proposed, done.noted = new.completed_on, bool(note)
    elif new.completed_on is not None:
        store.change_task(task_id, rules.state_change(State.DONE, new.completed_on, new.progress),
                          effective_on=new.completed_on, by=ctx.by, kind="completed", note=note, batch_id=batch,
                          recorded_at=ctx.recorded_at)
        done.completed, done.noted = new.completed_on, bool(note)
    if new.extension_to is not None:
        done.extension = requests.record_extension_request(ctx, task, new.extension_to, new.extension_reason,
                                                           batch_id=batch)
    if note and not done.noted:
        store.change_task(task_id, {}, effective_on=ctx.today, by=ctx.by, kind="note", note=note, batch_id=batch,
                          recorded_at=ctx.recorded_at)
        done.noted = True
    return done


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
