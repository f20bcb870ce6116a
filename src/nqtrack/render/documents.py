"""Documents and the review of documents (rà soát) for people."""

from __future__ import annotations

import sys
from typing import Any

from nqtrack.core.text import inert
from nqtrack.i18n import N_, _
from nqtrack.render.report import percent
from nqtrack.render.tables import console, emit_rows, show_day
from nqtrack.render.task import emit_tasks


def emit_documents(rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt in ("table", "markdown"):
        rows = [{**row, "issued_on": show_day(row["issued_on"])} for row in rows]
    columns = [
        ("id", "#"), ("symbol", _("Symbol")), ("doc_type", _("Type")), ("issued_on", _("Issued on")),
        ("issuer", _("Issuer")), ("title", _("Title")), ("parent_symbol", _("Implements")),
        ("tasks", _("Tasks")), ("done", _("Done")),
    ]
    emit_rows(rows, columns, fmt)


def emit_document(shown: dict[str, Any], fmt: str) -> None:
    """A document's fields and its tasks (nqtrack.app.documents.show)."""
    doc = shown["document"]
    if fmt == "table":
        out = console()
        out.print(inert(f"{doc['symbol']} — {doc['title'] or ''}"))
        out.print(inert(f"{_('Type')}: {doc['doc_type'] or ''}   {_('Issued on')}: {show_day(doc['issued_on'])}   "
                        f"{_('Issuer')}: {doc['issuer'] or ''}"))
    emit_tasks(shown["tasks"], fmt, title=_("Tasks of {symbol}", symbol=doc["symbol"]), json_data=shown)


REVIEW_STATUS = {"done": N_("fully carried out"), "in_progress": N_("being carried out"),
                 "not_started": N_("not started")}
REVIEW_CSV_KEYS = ["id", "symbol", "parent", "depth", "type", "issuer", "issued_on", "title", "total", "done_on_time",
                   "done_late", "open_in_time", "overdue", "cancelled", "percent_done", "status"]


def _count_columns() -> list[tuple[str, str]]:
    return [
        ("total", _("Tasks")), ("done_on_time", _("Done on time")), ("done_late", _("Done late")),
        ("open_in_time", _("Open, in time")), ("overdue", _("Overdue")), ("cancelled", _("Cancelled")),
    ]


def emit_review(review: dict[str, Any], fmt: str) -> None:
    """The review of documents (nqtrack.app.views.review) in a format."""
    rows = review["documents"]
    if fmt == "json":
        emit_rows(rows, [], fmt, json_data=review)
        return
    if fmt == "csv":
        emit_rows(rows, [(k, k) for k in REVIEW_CSV_KEYS], fmt)
        return
    shown = [
        {**r, "symbol": "  " * r["depth"] + ("↳ " if r["depth"] else "") + r["symbol"],
         "issued_on": show_day(r["issued_on"]), "status": _(REVIEW_STATUS[r["status"]]),
         "percent_done": percent(r["percent_done"])}
        for r in rows
    ]
    columns = [("symbol", _("Symbol")), ("type", _("Type")), ("issued_on", _("Issued on"))] + _count_columns() + [
        ("percent_done", _("Done")), ("status", _("State"))]
    emit_rows(shown, columns, fmt, title=_("Review of documents on {day}", day=show_day(review["as_of"])),
              empty_message=_("No documents."))
    if not rows:
        return
    for heading, items, key in ((_("By issuer"), review["by_issuer"], "issuer"),
                                (_("By type"), review["by_type"], "doc_type")):
        if fmt == "table":
            console().print()
        else:
            sys.stdout.write("\n")
        emit_rows([{**i, key: i[key] or "—"} for i in items],
                  [(key, _("Issuer") if key == "issuer" else _("Type")), ("documents", _("Documents"))]
                  + _count_columns(), fmt, title=heading)
