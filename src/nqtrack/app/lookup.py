"""Finding what a user named: units, sources, documents, tasks; and the filters of the
listings and reports built from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nqtrack.core.text import fold

# A source no task has: a filter naming an unknown source finds nothing.
NO_SUCH_SOURCE = "\x00no such source"


def resolve_unit(store: Any, ref: str) -> Any:
    """A unit by code, name or alias."""
    return store.resolve_unit(ref)


def resolve_document(store: Any, ref: str) -> Any:
    """A document by its symbol, `SYMBOL@dd/mm/yyyy` or `#ID`."""
    return store.resolve_document(ref)


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
