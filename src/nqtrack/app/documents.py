"""The documents (văn bản) of the register."""

from __future__ import annotations

from datetime import date
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.tasks import task_row
from nqtrack.store.base import Document


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
    store = ctx.store
    with store.transaction():
        parent_id = store.resolve_document(implements).id if implements else None
        return store.add_document(symbol, title=title, doc_type=doc_type, issued_on=issued_on,
                                  received_on=received_on, issuer=issuer, parent_id=parent_id)


def listing(ctx: Context) -> list[dict[str, Any]]:
    """Every document, with how many of its tasks there are and how many are done."""
    return ctx.store.list_documents()


def show(ctx: Context, ref: str) -> dict[str, Any]:
    """A document and its tasks (machine rows)."""
    doc = ctx.store.resolve_document(ref)
    return {"document": doc.__dict__, "tasks": [task_row(t) for t in ctx.store.list_tasks(document_ids=[doc.id])]}
