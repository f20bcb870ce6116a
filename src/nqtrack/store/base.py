"""What the stores share: the register's data types, the journal's vocabulary and the
`Store` interface the use cases call (docs/design.md, "The journal").

Nothing here knows an engine; `nqtrack.store.sqlite` implements the interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Journal kinds that create a task (their event holds the initial fields as JSON).
CREATION_KINDS = ("created", "imported")

# Fields of a task that the journal tracks, in display order.
TASK_FIELDS = (
    "code", "document_id", "title", "source", "lead_unit_id", "coordinating_units",
    "assignee", "assigned_on", "deadline", "deadline_text", "product", "state",
    "progress", "completed_on", "recurring", "note",
)

# The fields a search looks through: the task's own words and its document's.
SEARCHED_FIELDS = ("code", "title", "note", "product", "assignee", "document_id")


def journal_value(v: Any) -> str | None:
    """How a field's value is written into the journal (and compared with it)."""
    if type(v) is str:  # the common case first: an import writes millions of these
        return v or None
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


@dataclass
class LaterEvent:
    """A change a new task already carries (an imported completion or extension)."""

    kind: str
    field: str
    old: Any
    new: Any
    effective_on: date
    note: str | None = None


@dataclass
class NewTask:
    values: dict[str, Any]
    coordinating: list[int]
    effective_on: date
    later: list[LaterEvent] = field(default_factory=list)
    note: str | None = None


@dataclass
class Unit:
    id: int
    code: str | None
    name: str
    parent_id: int | None
    aliases: str | None
    email: str | None = None


@dataclass
class Document:
    id: int
    symbol: str
    style: str
    doc_type: str | None
    number: str | None
    year: int | None
    issuer: str | None
    issued_on: str | None
    received_on: str | None
    title: str | None
    parent_id: int | None
