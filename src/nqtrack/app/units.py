"""The units (đơn vị) of the register: add, list, correct, rename, merge. Every change to a
unit is journaled (store.change_unit), so that it can be shown and undone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_unit
from nqtrack.core import rights
from nqtrack.core.collate import sort_key
from nqtrack.core.errors import InvalidInput
from nqtrack.core.rules import email_addresses
from nqtrack.store.base import Unit

CLEAR = "-"  # an option given as '-' clears the field


def add(
    ctx: Context,
    name: str,
    *,
    code: str | None = None,
    parent: str | None = None,
    aliases: Sequence[str] = (),
    email: str | None = None,
) -> Unit:
    email = email_addresses(email)  # a line break in an address would add a header to the mail
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        parent_id = resolve_unit(store, parent).id if parent else None
        return store.add_unit(name, code=code, parent_id=parent_id, aliases=aliases, email=email)


def listing(ctx: Context) -> list[dict[str, Any]]:
    """Every unit, in Vietnamese name order ("Đảng ủy" after "Dân vận")."""
    names = ctx.store.unit_names()
    rows: list[dict[str, Any]] = [
        {"id": u.id, "code": u.code, "name": u.name, "parent": names.get(u.parent_id) if u.parent_id else None,
         "aliases": u.aliases,
         "email": u.email}
        for u in ctx.store.list_units()
    ]
    rows.sort(key=lambda row: sort_key(row["name"]))
    return rows


def _change(ctx: Context, unit: str, changes: dict[str, Any], note: str | None = None) -> tuple[Unit, list[str]]:
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        found = resolve_unit(store, unit)
        changed = store.change_unit(found.id, changes, by=ctx.by, recorded_at=ctx.recorded_at, note=note)
        return store.unit(found.id), changed


def set_email(ctx: Context, unit: str, address: str | None) -> Unit:
    return _change(ctx, unit, {"email": email_addresses(address)})[0]  # a line break would add a mail header


def rename(ctx: Context, unit: str, new_name: str) -> Unit:
    """A new name; the old one stays as an alias, so old files still match. A name another
    unit has is refused, pointing at `unit merge`."""
    store = ctx.store
    found = resolve_unit(store, unit)
    aliases = [a for a in (found.aliases or "").split(";") if a] + [found.name]
    return _change(ctx, unit, {"name": new_name, "aliases": [a for a in aliases if a != new_name.strip()]})[0]


@dataclass
class UnitCorrection:
    """What `unit edit` was given ('-' clears a field)."""

    code: str | None = None
    name: str | None = None
    parent: str | None = None
    add_aliases: Sequence[str] = ()
    remove_aliases: Sequence[str] = ()
    email: str | None = None


def edit(ctx: Context, unit: str, request: UnitCorrection) -> tuple[Unit, list[str]]:
    """Correct a unit's code, name, parent, aliases or e-mail address, journaled."""
    store = ctx.store
    found = resolve_unit(store, unit)
    changes: dict[str, Any] = {}
    for field, value in (("code", request.code), ("name", request.name), ("email", request.email)):
        if value is not None:
            changes[field] = None if value.strip() == CLEAR else value
    if "email" in changes:
        changes["email"] = email_addresses(changes["email"])  # a line break would add a mail header
    if request.parent is not None:
        changes["parent_id"] = None if request.parent.strip() == CLEAR else resolve_unit(store, request.parent).id
    if request.add_aliases or request.remove_aliases:
        from nqtrack.core.text import fold

        gone = {fold(a) for a in request.remove_aliases}
        aliases = [a for a in (found.aliases or "").split(";") if a and fold(a) not in gone]
        changes["aliases"] = aliases + list(request.add_aliases)
    if not changes:
        raise InvalidInput("nothing to correct: give a field to change (see 'nqtrack unit edit --help')")
    return _change(ctx, unit, changes)


@dataclass
class Merged:
    kept: Unit | Any
    gone: Unit | Any
    tasks: list[int]


def merge(ctx: Context, source: str, target: str) -> Merged:
    """Make FROM and INTO one unit: every task FROM leads or coordinates moves to INTO (journaled
    as corrections, true on every day), the units under FROM go under INTO, and FROM's name,
    code and aliases become INTO's aliases. FROM is kept, marked merged, so `undo` restores it."""
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        gone, kept = resolve_unit(store, source), resolve_unit(store, target)
        if gone.id == kept.id:
            raise InvalidInput("a unit cannot be merged into itself")
        note = _merge_note(gone.name, kept.name)
        if kept.parent_id == gone.id:  # INTO was under FROM: it takes FROM's place
            store.change_unit(kept.id, {"parent_id": gone.parent_id}, by=ctx.by, recorded_at=ctx.recorded_at,
                              note=note)
        moved = _move_tasks(ctx, gone.id, kept.id, note)
        for child in store.child_ids("unit", gone.id):
            if child != kept.id:
                store.change_unit(child, {"parent_id": kept.id}, by=ctx.by, recorded_at=ctx.recorded_at, note=note)
        # merged first (its names free), then its names become the kept unit's aliases
        store.change_unit(gone.id, {"merged_into": kept.id}, by=ctx.by, recorded_at=ctx.recorded_at, note=note)
        names = [gone.name, gone.code or ""] + (gone.aliases or "").split(";")
        aliases = [a for a in (kept.aliases or "").split(";") if a] + [n for n in names if n]
        store.change_unit(kept.id, {"aliases": aliases}, by=ctx.by, recorded_at=ctx.recorded_at, note=note)
        return Merged(store.unit(kept.id), gone, moved)


def _merge_note(gone: str, kept: str) -> str:
    return f"merge: {gone} → {kept}"


def _move_tasks(ctx: Context, gone: int, kept: int, note: str) -> list[int]:
    store = ctx.store
    lead, helping = store.unit_task_ids(gone)
    day_of = _creation_days(store, set(lead) | set(helping))
    for task_id in sorted(set(lead) | set(helping)):
        changes: dict[str, Any] = {}
        if task_id in lead:
            changes["lead_unit_id"] = kept
        if task_id in helping:
            changes["coordinating_units"] = [kept if u == gone else u for u in store.coordinating_unit_ids(task_id)]
        store.change_task(task_id, changes, effective_on=day_of[task_id], by=ctx.by, kind="corrected", note=note,
                          recorded_at=ctx.recorded_at)
    return sorted(set(lead) | set(helping))


def _creation_days(store: Any, task_ids: set[int]) -> dict[int, Any]:
    from nqtrack.app.tasks import creation_day

    return {task_id: creation_day(store, task_id) for task_id in task_ids}


def show(ctx: Context, unit: str) -> dict[str, Any]:
    """A unit's fields and the journal of its changes."""
    store = ctx.store
    found = resolve_unit(store, unit)
    names = store.unit_names()
    lead, helping = store.unit_task_ids(found.id)
    row = {"id": found.id, "code": found.code, "name": found.name,
           "parent": names.get(found.parent_id) if found.parent_id else None, "aliases": found.aliases,
           "email": found.email, "tasks_led": len(lead), "tasks_coordinated": len(helping)}
    return {"unit": row, "history": [_unit_history(e, names) for e in store.register_history("unit", found.id)]}


def _unit_history(event: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    old, new = event["old_value"], event["new_value"]
    if event["field"] in ("parent_id", "merged_into"):
        old = names.get(int(old)) if old else old
        new = names.get(int(new)) if new else new
    return {"id": event["id"], "kind": event["kind"], "field": event["field"], "old_value": old, "new_value": new,
            "recorded_at": event["recorded_at"], "recorded_by": event["recorded_by"], "note": event["note"],
            "batch_id": event["batch_id"]}
