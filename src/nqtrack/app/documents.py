"""The documents (văn bản) of the register: add, list, show, correct, merge. A document is
named by its symbol, or `SYMBOL@dd/mm/yyyy` (numbers restart every year or term), or `#ID`.
Every change to a document is journaled (store.change_document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_document
from nqtrack.app.tasks import creation_day, task_row
from nqtrack.core import rights
from nqtrack.core.errors import InvalidInput
from nqtrack.store.base import Document

CLEAR = "-"


def add(
    ctx: Context,
    symbol: str,
    *,
    title: str | None = None,
    doc_type: str | None = None,
    issued_on: date | None = None,
    received_on: date | None = None,
    issuer: str | None = None,
    implements: str | None = None,
) -> Document:
    """A new document; one with the same symbol and date as an existing one is refused."""
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        parent_id = resolve_document(store, implements).id if implements else None
        return store.add_document(symbol, title=title, doc_type=doc_type, issued_on=issued_on,
                                  received_on=received_on, issuer=issuer, parent_id=parent_id)


def listing(ctx: Context) -> list[dict[str, Any]]:
    """Every document, with how many of its tasks there are and how many are done."""
    return ctx.store.list_documents()


def show(ctx: Context, ref: str) -> dict[str, Any]:
    """A document, its tasks (machine rows) and the journal of its changes."""
    store = ctx.store
    doc = resolve_document(store, ref)
    symbols = {}
    history = store.register_history("document", doc.id)
    for event in history:
        if event["field"] in ("parent_id", "merged_into"):
            for key in ("old_value", "new_value"):
                if event[key]:
                    symbols[event[key]] = store.document_label(store.document(int(event[key])))
    rows = [e | {key: symbols.get(e[key], e[key]) for key in ("old_value", "new_value")} for e in history]
    return {"document": doc.__dict__, "tasks": [task_row(t) for t in store.list_tasks(document_ids=[doc.id])],
            "history": rows}


@dataclass
class DocumentCorrection:
    """What `doc edit` was given ('-' clears a field)."""

    symbol: str | None = None
    title: str | None = None
    doc_type: str | None = None
    issued_on: str | None = None
    received_on: str | None = None
    issuer: str | None = None
    implements: str | None = None


def _day(value: str, option: str) -> date | None:
    from nqtrack.core.dates import DateError, parse_date

    if value.strip() == CLEAR:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        raise InvalidInput("bad date for {option}: {reason}", option=option, reason=str(exc)) from None


def edit(ctx: Context, ref: str, request: DocumentCorrection) -> tuple[Document, list[str]]:
    """Correct a document's symbol, title, type, dates, issuer or the document it implements."""
    store = ctx.store
    changes: dict[str, Any] = {}
    for field, value in (("symbol", request.symbol), ("title", request.title), ("doc_type", request.doc_type),
                         ("issuer", request.issuer)):
        if value is not None:
            changes[field] = None if value.strip() == CLEAR else value
    if request.issued_on is not None:
        changes["issued_on"] = _day(request.issued_on, "--issued-on")
    if request.received_on is not None:
        changes["received_on"] = _day(request.received_on, "--received-on")
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        doc = resolve_document(store, ref)
        if request.implements is not None:
            changes["parent_id"] = (None if request.implements.strip() == CLEAR
                                    else resolve_document(store, request.implements).id)
        if not changes:
            raise InvalidInput("nothing to correct: give a field to change (see 'nqtrack doc edit --help')")
        changed = store.change_document(doc.id, changes, by=ctx.by, recorded_at=ctx.recorded_at)
        return store.document(doc.id), changed


@dataclass
class Merged:
    kept: Document
    gone: Document
    tasks: list[int]


def merge(ctx: Context, source: str, target: str) -> Merged:
    """Make FROM and INTO one document (entered twice): FROM's tasks move to INTO (journaled as
    corrections, true on every day), documents implementing FROM implement INTO; FROM is kept,
    marked merged, so `undo` restores it."""
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        gone, kept = resolve_document(store, source), resolve_document(store, target)
        if gone.id == kept.id:
            raise InvalidInput("a document cannot be merged into itself")
        note = f"merge: {store.document_label(gone)} → {store.document_label(kept)}"
        tasks = store.document_task_ids(gone.id)
        for task_id in tasks:
            store.change_task(task_id, {"document_id": kept.id}, effective_on=creation_day(store, task_id), by=ctx.by,
                              kind="corrected", note=note, recorded_at=ctx.recorded_at)
        for child in store.child_ids("document", gone.id):
            if child != kept.id:
                store.change_document(child, {"parent_id": kept.id}, by=ctx.by, recorded_at=ctx.recorded_at,
                                      note=note)
        if kept.parent_id == gone.id:
            store.change_document(kept.id, {"parent_id": gone.parent_id}, by=ctx.by, recorded_at=ctx.recorded_at,
                                  note=note)
        store.change_document(gone.id, {"merged_into": kept.id}, by=ctx.by, recorded_at=ctx.recorded_at, note=note)
        return Merged(store.document(kept.id), gone, tasks)
