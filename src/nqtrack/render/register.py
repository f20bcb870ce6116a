"""The whole register written out: JSON (which `nqtrack import` rebuilds), CSV, Excel."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from nqtrack.i18n import _
from nqtrack.render.output import Output
from nqtrack.render.tables import csv_text, json_text
from nqtrack.render.task import display_task_row, task_field_labels, typed_task_row


def export_json(data: dict[str, Any]) -> str:
    return json_text(data)


def emit_task_csv(rows: list[dict[str, Any]], keys: Sequence[str], out: Output) -> None:
    """Every task: the machine CSV, or (with --labels) headers and dates as people read them."""
    if out.labels:
        labels = task_field_labels()
        sys.stdout.write(csv_text([display_task_row(r) for r in rows], keys, [labels.get(k, k) for k in keys]))
    else:
        sys.stdout.write(csv_text(rows, keys))


def task_columns() -> list[tuple[str, str]]:
    return [(key, label) for key, label in task_field_labels().items() if key != "timing"]


def register_workbook(sheets: dict[str, list[dict[str, Any]]], decimals: int = 1) -> bytes:
    """The tasks (every field), the units and the documents, one sheet each."""
    from nqtrack.render.xlsx import Sheet, workbook_bytes

    units = [("id", "#"), ("code", _("Code")), ("name", _("Name")), ("parent", _("Parent unit")),
             ("aliases", _("Aliases")), ("email", "Email")]
    documents = [("id", "#"), ("symbol", _("Symbol")), ("doc_type", _("Type")), ("issued_on", _("Issued on")),
                 ("issuer", _("Issuer")), ("title", _("Title")), ("parent_symbol", _("Implements")),
                 ("tasks", _("Tasks")), ("done", _("Done"))]
    return workbook_bytes([
        Sheet(_("Tasks"), task_columns(), [typed_task_row(t) for t in sheets["tasks"]], title=_("Tasks")),
        Sheet(_("Units"), units, sheets["units"], title=_("Units")),
        Sheet(_("Documents"), documents, sheets["documents"], title=_("Documents")),
    ], decimals)
