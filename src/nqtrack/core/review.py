"""The review (rà soát) of documents: how far each one's tasks are carried out.

Pure: takes per-document counts (as the store gives them) and rolls the documents
that implement a parent up under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nqtrack.core.collate import sort_key

COUNTS = ("total", "done_on_time", "done_late", "open_in_time", "overdue", "cancelled", "not_begun")

FULLY_CARRIED_OUT = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"


@dataclass
class DocumentReview:
    id: int
    symbol: str
    doc_type: str | None
    issuer: str | None
    issued_on: str | None
    title: str | None
    parent_id: int | None
    own: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)  # its own tasks and its children's
    children: list[DocumentReview] = field(default_factory=list)
    depth: int = 0

    @property
    def done(self) -> int:
        return self.counts["done_on_time"] + self.counts["done_late"]

    @property
    def percent_done(self) -> float | None:
        """Done of the tasks still to do (cancelled ones left out), cut to one decimal."""
        active = self.counts["total"] - self.counts["cancelled"]
        if active == 0:
            return None
        return (self.done * 1000 // active) / 10

    @property
    def status(self) -> str:
        active = self.counts["total"] - self.counts["cancelled"]
        if active == 0 or self.counts["not_begun"] == active:
            return NOT_STARTED  # no task yet, or none begun
        if self.done == active:
            return FULLY_CARRIED_OUT
        return IN_PROGRESS


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {key: a.get(key, 0) + b.get(key, 0) for key in COUNTS}


def build_review(rows: Iterable[Mapping[str, Any]]) -> list[DocumentReview]:
    """Top-level documents (those implementing none in the list), each with its tree of
    implementing documents; counts rolled up from the leaves."""
    docs = {
        row["id"]: DocumentReview(
            row["id"], row["symbol"], row["doc_type"], row["issuer"], row["issued_on"], row["title"],
            row["parent_id"], {key: row[key] for key in COUNTS},
        )
        for row in rows
    }
    roots: list[DocumentReview] = []
    for doc in docs.values():
        parent = docs.get(doc.parent_id) if doc.parent_id is not None else None
        if parent is not None and parent is not doc:
            parent.children.append(doc)
        else:
            roots.append(doc)

    def settle(doc: DocumentReview, depth: int, seen: frozenset[int]) -> dict[str, int]:
        doc.depth = depth
        total = dict(doc.own)
        doc.children.sort(key=lambda d: (d.issued_on or "", sort_key(d.symbol)))
        for child in doc.children:
            if child.id not in seen:  # a cycle in the data must not loop forever
                total = _add(total, settle(child, depth + 1, seen | {child.id}))
        doc.counts = total
        return total

    for root in roots:
        settle(root, 0, frozenset({root.id}))
    # documents that implement each other in a circle have no root: list them on their own
    reached = {d.id for d in flatten(roots)}
    for doc in docs.values():
        if doc.id not in reached:
            doc.children = [c for c in doc.children if c.id not in reached]
            roots.append(doc)
            settle(doc, 0, frozenset({doc.id}))
            reached |= {d.id for d in flatten([doc])}
    return sorted(roots, key=lambda d: (d.issued_on or "", sort_key(d.symbol)))


def flatten(roots: Iterable[DocumentReview]) -> list[DocumentReview]:
    """Parents first, each followed by the documents implementing it."""
    out: list[DocumentReview] = []
    seen: set[int] = set()

    def walk(doc: DocumentReview) -> None:
        if doc.id in seen:
            return
        seen.add(doc.id)
        out.append(doc)
        for child in doc.children:
            walk(child)

    for root in roots:
        walk(root)
    return out


def totals_by(roots: Iterable[DocumentReview], attribute: str) -> list[dict[str, Any]]:
    """Totals per issuer or per type, each document counted with its own tasks only
    (so a task is counted once however the documents nest)."""
    groups: dict[str | None, dict[str, int]] = {}
    documents: dict[str | None, int] = {}
    for doc in flatten(roots):
        key = getattr(doc, attribute)
        groups[key] = _add(groups.get(key, {}), doc.own)
        documents[key] = documents.get(key, 0) + 1
    return [
        {attribute: key, "documents": documents[key], **groups[key]}
        for key in sorted(groups, key=lambda k: (k is None, sort_key(k)))
    ]
