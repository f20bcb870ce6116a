"""Finding what a user named: units, sources, documents, tasks; and the filters of the
listings and reports built from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nqtrack.core.errors import NotFound
from nqtrack.core.text import fold
from nqtrack.fuzzy import closest

# A source no task has: a filter naming an unknown source finds nothing.
NO_SUCH_SOURCE = "\x00no such source"


def resolve_unit(store: Any, ref: str) -> Any:
    """A unit by code, name or alias; an unknown one is told the closest names."""
    try:
        return store.resolve_unit(ref)
    except NotFound:
        candidates = [(text, u.name) for u in store.list_units()
                      for text in [u.name, u.code or "", *(u.aliases or "").split(";")] if text]
        names = closest(ref, candidates)
        if names:
            raise NotFound("unknown unit: '{ref}'; did you mean {names}?", ref=ref, names=_quoted(names)) from None
        raise


def resolve_document(store: Any, ref: str, *, how_to_add: bool = False) -> Any:
    """A document by its symbol, `SYMBOL@dd/mm/yyyy` or `#ID`; an unknown one is told the
    closest symbols (and, with `how_to_add`, how to add it)."""
    try:
        return store.resolve_document(ref)
    except NotFound:
        names = closest(ref.partition("@")[0], [(d["symbol"], d["symbol"]) for d in store.list_documents()])
        if names and how_to_add:
            raise NotFound("unknown document: '{ref}'; did you mean {names}? To add it: nqtrack doc add '{ref}'",
                           ref=ref, names=_quoted(names)) from None
        if names:
            raise NotFound("unknown document: '{ref}'; did you mean {names}?", ref=ref, names=_quoted(names)) from None
        if how_to_add:
            raise NotFound("unknown document: '{ref}'; to add it: nqtrack doc add '{ref}'", ref=ref) from None
        raise


def resolve_task(store: Any, ref: str) -> dict[str, Any]:
    """A task by its number or code; an unknown code is told the closest codes."""
    try:
        return store.resolve_task(ref)
    except NotFound:
        names = closest(ref, [(code, code) for code in store.task_codes()])
        if names:
            raise NotFound("unknown task: '{ref}'; did you mean {names}?", ref=ref, names=_quoted(names)) from None
        raise


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def unit_ids(store: Any, refs: Sequence[str] | None) -> list[int]:
    return [resolve_unit(store, ref).id for ref in refs or []]


def source_names(store: Any, refs: Sequence[str] | None) -> list[str]:
    """Sources as stored, matched to what was typed without regard to accents or case."""
    if not refs:
        return []
    wanted = {fold(r) for r in refs}
    found = [s for s in store.distinct_sources() if fold(s) in wanted]
    return found or [NO_SUCH_SOURCE]


def document_ids(store: Any, refs: Sequence[str] | None) -> list[int]:
    return [resolve_document(store, ref).id for ref in refs or []]


@dataclass
class Filters:
    """Which tasks a listing or report looks at: by lead unit, source and document."""

    unit_ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"unit_ids": self.unit_ids, "sources": self.sources, "document_ids": self.document_ids}


def resolve_filters(
    store: Any,
    units: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    *,
    include_subunits: bool = False,
) -> Filters:
    ids = unit_ids(store, units)
    if include_subunits:
        ids = sorted({sub for unit in ids for sub in store.subunit_ids(unit)})
    return Filters(ids, source_names(store, sources), document_ids(store, documents))
