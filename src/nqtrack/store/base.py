"""What the stores share: the register's data types, the journal's vocabulary and the
`Store` interface the use cases call (docs/design.md, "The journal").

Nothing here knows an engine; `nqtrack.store.sqlite` implements the interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from nqtrack.core.states import Event

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


class Store(Protocol):
    """What the use cases ask of a register, whatever engine holds it. Every method that
    writes expects the caller's transaction (`transaction()`, opened in nqtrack.app only);
    none opens one of its own. See docs/design.md ("The journal") for what is stored."""

    engine: str
    path: str
    EXPORT_TABLES: tuple[str, ...]
    created: bool  # this opening made the register
    read_only: Any  # the UserError a write raises (read-only media, a newer schema), or None
    newer_schema: int | None  # the schema of a register made by a newer nqtrack

    # the register as a whole
    def transaction(self) -> AbstractContextManager[None]: ...
    def close(self) -> None: ...
    def applied_migrations(self) -> int: ...
    def counts(self) -> dict[str, int]: ...
    def is_empty(self) -> bool: ...
    def use_large_cache(self) -> None: ...
    def backup_to(self, target: str) -> None: ...
    def restore_from(self, source: str, kept: str | None = None) -> None: ...
    def integrity_problems(self) -> list[str]: ...
    def invariant_problems(self) -> list[tuple[int, str]]: ...
    def export_rows(self, table: str) -> Iterator[dict[str, Any]]: ...
    def load_export(self, data: dict[str, list[dict[str, Any]]]) -> dict[str, int]: ...

    # settings
    def get_setting(self, key: str) -> str | None: ...
    def set_setting(self, key: str, value: str | None) -> None: ...

    # units
    def add_unit(self, name: str, code: str | None = None, parent_id: int | None = None,
                 aliases: Sequence[str] = (), email: str | None = None) -> Unit: ...
    def rename_unit(self, unit: Unit, new_name: str, keep_old_as_alias: bool = True) -> Unit: ...
    def set_unit_email(self, unit_id: int, email: str | None) -> None: ...
    def set_unit_parent(self, unit_id: int, parent_id: int | None) -> None: ...
    def find_units(self, ref: str) -> list[Unit]: ...
    def resolve_unit(self, ref: str) -> Unit: ...
    def list_units(self) -> list[Unit]: ...
    def unit_names(self) -> dict[int, str]: ...
    def subunit_ids(self, unit_id: int) -> list[int]: ...

    # documents
    def add_document(self, symbol: str, *, title: str | None = None, doc_type: str | None = None,
                     issued_on: date | None = None, received_on: date | None = None, issuer: str | None = None,
                     parent_id: int | None = None) -> Document: ...
    def set_document_parent(self, doc_id: int, parent_id: int | None) -> None: ...
    def document(self, doc_id: int) -> Document: ...
    def find_documents(self, ref: str) -> list[Document]: ...
    def resolve_document(self, ref: str) -> Document: ...
    def list_documents(self) -> list[dict[str, Any]]: ...

    # tasks: reading
    def resolve_task(self, ref: str) -> dict[str, Any]: ...
    def task_by_code(self, code: str) -> dict[str, Any] | None: ...
    def tasks_by_codes(self, codes: Sequence[str]) -> dict[str, dict[str, Any]]: ...
    def task_by_title(self, document_id: int | None, title: str, without_code: bool = False
                      ) -> dict[str, Any] | None: ...
    def has_tasks_without_code(self) -> bool: ...
    def coordinating_unit_ids(self, task_id: int) -> list[int]: ...
    def task_events(self, task_id: int) -> list[dict[str, Any]]: ...
    def journal(self, task_id: int) -> list[Event]: ...
    def distinct_sources(self) -> list[str]: ...
    def list_tasks(self, *, unit_ids: Sequence[int] = (), sources: Sequence[str] = (),
                   document_ids: Sequence[int] = (), states: Sequence[str] = (), ids: Sequence[int] | None = None,
                   due_before: date | None = None, due_after: date | None = None, text: str | None = None,
                   limit: int | None = None) -> list[dict[str, Any]]: ...

    # tasks: writing, one journal event per changed field
    def create_task(self, values: dict[str, Any], coordinating_ids: Iterable[int], *, effective_on: date, by: str,
                    kind: str = "created", note: str | None = None, batch_id: str | None = None,
                    recorded_at: str) -> int: ...
    def insert_tasks(self, tasks: Sequence[NewTask], *, by: str, kind: str = "created", batch_id: str | None = None,
                     recorded_at: str) -> list[int]: ...
    def change_task(self, task_id: int, changes: dict[str, Any], *, effective_on: date, by: str,
                    kind: str = "updated", note: str | None = None, batch_id: str | None = None,
                    recorded_at: str, undoes: dict[str, int] | None = None) -> list[str]: ...
    def record_batch(self, batch_id: str, kind: str, recorded_at: str, by: str, note: str | None = None) -> None: ...
    def record_reminders(self, reminded: dict[int, str], *, day: date, by: str, recorded_at: str,
                         batch_id: str) -> None: ...

    # undo
    def last_changes(self, count: int) -> list[list[dict[str, Any]]]: ...
    def batch_events(self, batch_id: str) -> list[dict[str, Any]]: ...
    def undo_events(self, events: list[dict[str, Any]], *, by: str, recorded_at: str, batch_id: str) -> list[int]: ...

    # the views, as of a day and as known at a moment (the journal replayed in SQL)
    def overdue_rows(self, as_of: date, due_until: date, *, known_at: str | None = None, unit_ids: Sequence[int] = (),
                     sources: Sequence[str] = (), document_ids: Sequence[int] = (), role: str = "lead",
                     prepared: bool = False, with_coordinating: bool = True) -> list[dict[str, Any]]: ...
    def report_counts(self, start: date, end: date, as_of: date, prev_start: date, prev_end: date, *,
                      known_at: str | None = None, unit_ids: Sequence[int] = (), sources: Sequence[str] = (),
                      document_ids: Sequence[int] = (), prepared: bool = False,
                      workload_only: bool = False) -> list[dict[str, Any]]: ...
    def trend_counts(self, months: Sequence[tuple[date, date, date]], *, known_at: str | None = None,
                     unit_ids: Sequence[int] = (), sources: Sequence[str] = (),
                     document_ids: Sequence[int] = ()) -> list[list[dict[str, Any]]]: ...
    def review_counts(self, today: date) -> list[dict[str, Any]]: ...
