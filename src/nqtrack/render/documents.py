"""Documents and the review of documents (rà soát) for people."""

from __future__ import annotations

import sys
from typing import Any

from nqtrack.core.text import inert
from nqtrack.i18n import N_, _
from nqtrack.render.output import Output
from nqtrack.render.report import percent
from nqtrack.render.tables import as_output, console, emit_rows, show_day
from nqtrack.render.task import emit_tasks


def emit_documents(rows: list[dict[str, Any]], out: Output | str) -> None:
    out = as_output(out)
    if out.human:
        rows = [{**row, "issued_on": show_day(row["issued_on"])} for row in rows]
    columns = [
        ("id", "#"), ("symbol", _("Symbol")), ("doc_type", _("Type")), ("issued_on", _("Issued on")),
        ("issuer", _("Issuer")), ("title", _("Title")), ("parent_symbol", _("Implements")),
        ("tasks", _("Tasks")), ("done", _("Done")),
    ]
    emit_rows(rows, columns, out, title=_("Documents") if out.fmt == "xlsx" else None)


def emit_document(shown: dict[str, Any], out: Output | str) -> None:
    """A document's fields and its tasks (nqtrack.app.documents.show)."""
    out = as_output(out)
    fmt = out.fmt
    doc = shown["document"]
    if fmt == "table":
        screen = console()
        screen.print(inert(f"{doc['symbol']} — {doc['title'] or ''}"))
        screen.print(inert(f"{_('Type')}: {doc['doc_type'] or ''}   {_('Issued on')}: {show_day(doc['issued_on'])}   "
                           f"{_('Issuer')}: {doc['issuer'] or ''}"))
    if fmt == "xlsx":  # its tasks, and the journal of its changes on a sheet of its own
        from nqtrack.render.task import people_rows, task_columns
        from nqtrack.render.xlsx import Sheet, workbook_bytes

        title = _("Tasks of {symbol}", symbol=doc["symbol"])
        sheets = [Sheet(title, task_columns(), people_rows(shown["tasks"], out), title=title)]
        if shown.get("history"):
            sheets.append(_history_sheet(shown["history"]))
        out.write_bytes(workbook_bytes(sheets, out.decimals))
        return
    emit_tasks(shown["tasks"], out, title=_("Tasks of {symbol}", symbol=doc["symbol"]), json_data=shown)
    if fmt in ("table", "markdown") and shown.get("history"):
        emit_register_history(shown["history"], out)


def register_field_labels() -> dict[str, str]:
    """The interface's label of each journaled field of a unit or a document."""
    return {
        "code": _("Code"), "name": _("Name"), "parent_id": _("Above it / implements"), "aliases": _("Aliases"),
        "email": "Email", "merged_into": _("Merged into"), "symbol": _("Symbol"), "doc_type": _("Type"),
        "issued_on": _("Issued on"), "received_on": _("Received on"), "issuer": _("Issuer"), "title": _("Title"),
    }


REGISTER_HISTORY_KEYS = ("id", "kind", "field", "old_value", "new_value", "recorded_at", "recorded_by", "note",
                         "batch_id")


def _register_history_columns() -> list[tuple[str, str]]:
    return [("recorded_at", _("Recorded")), ("recorded_by", _("By")), ("kind", _("Event")), ("field", _("Field")),
            ("old_value", _("Old")), ("new_value", _("New")), ("note", _("Note"))]


def _history_rows(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The journal of a unit or a document in the interface's words (fields, kinds, days)."""
    from nqtrack.render.task import local_time

    labels = register_field_labels()

    def value(field: str, text: str | None) -> str | None:
        return show_day(text) if text and field in ("issued_on", "received_on") else text

    return [{**h, "kind": _(h["kind"]), "field": labels.get(h["field"], h["field"]),
             "recorded_at": local_time(h["recorded_at"]), "old_value": value(h["field"], h["old_value"]),
             "new_value": value(h["field"], h["new_value"])} for h in history]


def _history_sheet(history: list[dict[str, Any]]) -> Any:
    from nqtrack.render.xlsx import Sheet

    return Sheet(_("History"), _register_history_columns(), _history_rows(history), title=_("History"))


def emit_register_history(history: list[dict[str, Any]], out: Output | str) -> None:
    """The journal of a unit or a document, in the interface's words, under what came before."""
    out = as_output(out)
    if out.fmt == "table":
        console().print()
    else:
        sys.stdout.write("\n")
    emit_rows(_history_rows(history), _register_history_columns(), out, title=_("History"))


def _unit_field_labels() -> list[tuple[str, str]]:
    return [("id", "#"), ("code", _("Code")), ("name", _("Name")), ("parent", _("Parent unit")),
            ("aliases", _("Aliases")), ("email", "Email"), ("tasks_led", _("Tasks it leads")),
            ("tasks_coordinated", _("Tasks it coordinates"))]


def emit_unit(shown: dict[str, Any], out: Output | str) -> None:
    """A unit's fields and the journal of its changes (nqtrack.app.units.show): JSON whole;
    CSV the journal (for people with --labels); a table, markdown or a workbook both parts."""
    from nqtrack.render.tables import json_text

    out = as_output(out)
    if out.fmt == "json":
        sys.stdout.write(json_text(shown))
        return
    if out.fmt == "csv":
        if out.labels:
            emit_rows(_history_rows(shown["history"]), _register_history_columns(), out)
        else:
            emit_rows(shown["history"], [(k, k) for k in REGISTER_HISTORY_KEYS], out)
        return
    unit = shown["unit"]
    fields = [{"field": label, "value": unit[key]} for key, label in _unit_field_labels()]
    if out.fmt == "xlsx":
        from nqtrack.render.xlsx import Sheet, workbook_bytes

        kinds = {"id": "number", "tasks_led": "count", "tasks_coordinated": "count"}
        typed = [{**row, "_kinds": {"value": kinds.get(key, "text")}}
                 for row, (key, _label) in zip(fields, _unit_field_labels(), strict=True)]
        sheets = [Sheet(unit["name"], [("field", _("Field")), ("value", _("Value"))], typed, title=unit["name"]),
                  _history_sheet(shown["history"])]
        out.write_bytes(workbook_bytes(sheets, out.decimals))
        return
    emit_rows(fields, [("field", ""), ("value", "")], out)
    if shown["history"]:
        emit_register_history(shown["history"], out)


REVIEW_STATUS = {"done": N_("fully carried out"), "in_progress": N_("being carried out"),
                 "not_started": N_("not started")}
REVIEW_CSV_KEYS = ["id", "symbol", "parent", "depth", "type", "issuer", "issued_on", "title", "total", "done_on_time",
                   "done_late", "open_in_time", "overdue", "cancelled", "percent_done", "status"]


def _count_columns() -> list[tuple[str, str]]:
    return [
        ("total", _("Tasks")), ("done_on_time", _("Done on time")), ("done_late", _("Done late")),
        ("open_in_time", _("Open, in time")), ("overdue", _("Overdue")), ("cancelled", _("Cancelled")),
    ]


def _review_columns() -> list[tuple[str, str]]:
    return [("symbol", _("Symbol")), ("type", _("Type")), ("issued_on", _("Issued on"))] + _count_columns() + [
        ("percent_done", _("Done")), ("status", _("State"))]


def _review_workbook(review: dict[str, Any], out: Output) -> None:
    from nqtrack.render.xlsx import Sheet, workbook_bytes

    title = _("Review of documents on {day}", day=show_day(review["as_of"]))
    rows = [{**r, "status": _(REVIEW_STATUS[r["status"]]), "_level": r["depth"]} for r in review["documents"]]
    sheets = [Sheet(_("Documents"), _review_columns(), rows, title=title)]
    for heading, items, key in ((_("By issuer"), review["by_issuer"], "issuer"),
                                (_("By type"), review["by_type"], "doc_type")):
        columns = [(key, _("Issuer") if key == "issuer" else _("Type")), ("documents", _("Documents"))]
        sheets.append(Sheet(heading, columns + _count_columns(), items, title=f"{title} — {heading}"))
    out.write_bytes(workbook_bytes(sheets, out.decimals))


def emit_review(review: dict[str, Any], out: Output | str) -> None:
    """The review of documents (nqtrack.app.views.review) in a format."""
    out = as_output(out)
    fmt = out.fmt
    rows = review["documents"]
    if fmt == "json":
        emit_rows(rows, [], out, json_data=review)
        return
    if fmt == "csv" and not out.labels:
        emit_rows(rows, [(k, k) for k in REVIEW_CSV_KEYS], out)
        return
    if fmt == "xlsx":
        _review_workbook(review, out)
        return
    shown = [
        {**r, "symbol": "  " * r["depth"] + ("↳ " if r["depth"] else "") + r["symbol"],
         "issued_on": show_day(r["issued_on"]), "status": _(REVIEW_STATUS[r["status"]]),
         "percent_done": percent(r["percent_done"])}
        for r in rows
    ]
    columns = _review_columns()
    emit_rows(shown, columns, out, title=_("Review of documents on {day}", day=show_day(review["as_of"])),
              empty_message=_("No documents."))
    if not rows or fmt == "csv":
        return
    for heading, items, key in ((_("By issuer"), review["by_issuer"], "issuer"),
                                (_("By type"), review["by_type"], "doc_type")):
        if fmt == "table":
            console().print()
        else:
            sys.stdout.write("\n")
        emit_rows([{**i, key: i[key] or "—"} for i in items],
                  [(key, _("Issuer") if key == "issuer" else _("Type")), ("documents", _("Documents"))]
                  + _count_columns(), out, title=heading)
