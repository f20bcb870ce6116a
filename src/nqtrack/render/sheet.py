"""A unit's own sheet as a workbook (core/sheets.py), and what importing it back recorded.

The tasks sheet: a title, how to fill it, a hidden row of machine keys (so that it is read
back in either language), the labels, then one row per task. The columns a unit fills are
unlocked and shaded; the others are locked by the worksheet's protection (no password:
the signature, not the lock, is what makes an edited sheet refused). The signature is on a
second, very hidden sheet. XlsxWriter is imported here only.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from nqtrack.core.sheets import ENTRY_COLUMNS, SHEET_COLUMNS, SIGNATURE_SHEET
from nqtrack.i18n import _
from nqtrack.render.notices import _ascii
from nqtrack.render.tables import FORMULA_START, show_day
from nqtrack.render.xlsx import date_format, safe_sheet_name

TITLE_ROW, NOTE_ROW, KEY_ROW, LABEL_ROW = 0, 1, 3, 4
WIDTHS = {"id": 8, "code": 14, "title": 48, "document": 16, "deadline": 12, "state": 14, "current_progress": 10,
          "status": 30, "progress": 10, "result": 36, "completed_on": 13, "product": 28, "extension_to": 14,
          "extension_reason": 30}
WRAPPED = {"title", "status", "result", "product", "extension_reason"}


def column_labels() -> dict[str, str]:
    return {
        "id": _("No."), "code": _("Code"), "title": _("Title"), "document": _("Document"), "deadline": _("Deadline"),
        "state": _("State"), "current_progress": _("Progress recorded (%)"), "status": _("Awaiting or sent back"),
        "progress": _("New progress (%)"), "result": _("What was done"), "completed_on": _("Day it was finished"),
        "product": _("Product"), "extension_to": _("New deadline asked for"),
        "extension_reason": _("Why the extension"),
    }


def status_text(items: list[dict[str, Any]]) -> str:
    """What awaits the secretariat on a task, and what it sent back, in words."""
    lines = []
    for item in items:
        day = show_day(item["day"]) if item.get("day") else "—"
        if item["kind"] == "proposed":
            lines.append(_("awaiting confirmation: completion on {day}", day=day))
        elif item["kind"] == "extension_requested":
            lines.append(_("awaiting approval: extension to {day}", day=day))
        elif item["kind"] == "rejected":
            lines.append(_("completion sent back: {reason}", reason=item.get("note") or "—"))
        else:
            lines.append(_("extension denied: {reason}", reason=item.get("note") or "—"))
    return "\n".join(lines)


def file_name(sheet: Any) -> str:
    """A safe ASCII file name, e.g. "phieu-cap-nhat-VP-2022-11-15.xlsx"."""
    key = _ascii(sheet.unit_code) if sheet.unit_code and sheet.unit_code.strip() else _ascii(sheet.unit).lower()
    key = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[:60].strip("-") or "unit"
    return f"phieu-cap-nhat-{key}-{sheet.issued_on.isoformat()}.xlsx"


def workbook(sheet: Any) -> bytes:
    """The unit's sheet (nqtrack.app.sheets.UnitSheet) as a protected, signed workbook."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}

    def fmt(**props: Any) -> Any:
        return book.add_format({**base, **props})

    ws = book.add_worksheet(safe_sheet_name(_("Tasks"), set()))
    ws.write_string(TITLE_ROW, 0, _("Update sheet of {unit}", unit=sheet.unit), fmt(bold=True, font_size=14))
    ws.write_string(NOTE_ROW, 0, _("Made on {day}: the open tasks {unit} leads. Fill in the shaded columns and send "
                                   "this file back; the other columns are locked.", day=show_day(sheet.issued_on),
                                   unit=sheet.unit), fmt(italic=True))
    for col, key in enumerate(SHEET_COLUMNS):
        ws.write_string(KEY_ROW, col, key)
    ws.set_row(KEY_ROW, None, None, {"hidden": True})
    header = fmt(bold=True, text_wrap=True, valign="vcenter", align="center", border=1, bg_color="#DDE5F0")
    entry_header = fmt(bold=True, text_wrap=True, valign="vcenter", align="center", border=1, bg_color="#FFE699")
    labels = column_labels()
    for col, key in enumerate(SHEET_COLUMNS):
        ws.write_string(LABEL_ROW, col, labels[key], entry_header if key in ENTRY_COLUMNS else header)
        ws.set_column(col, col, WIDTHS[key])
    ws.set_row(LABEL_ROW, 36)
    _write_rows(ws, sheet, fmt)
    first, last = LABEL_ROW + 1, LABEL_ROW + max(len(sheet.rows), 1)
    progress = SHEET_COLUMNS.index("progress")
    ws.data_validation(first, progress, last, progress, {
        "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 100,
        "error_message": _("A per cent from 0 to 100.")})
    ws.freeze_panes(first, 0)
    ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(LABEL_ROW)
    _signature_sheet(book, sheet)
    book.close()
    return buffer.getvalue()


def _write_rows(ws: Any, sheet: Any, fmt: Any) -> None:
    locked = {key: fmt(text_wrap=key in WRAPPED, border=1) for key in SHEET_COLUMNS}
    locked["deadline"] = fmt(num_format=date_format(), align="center", border=1)
    entry = {key: fmt(locked=False, bg_color="#FFF2CC", border=1, text_wrap=key in WRAPPED) for key in ENTRY_COLUMNS}
    entry["completed_on"] = fmt(locked=False, bg_color="#FFF2CC", border=1, num_format=date_format(), align="center")
    for index, row in enumerate(sheet.rows):
        line = LABEL_ROW + 1 + index
        values = {**row, "state": _(row["state"]), "status": status_text(row["status"])}
        for col, key in enumerate(SHEET_COLUMNS):
            if key in ENTRY_COLUMNS:
                ws.write_blank(line, col, None, entry[key])
                continue
            value = values.get(key)
            if isinstance(value, date):
                ws.write_datetime(line, col, datetime(value.year, value.month, value.day), locked[key])
            elif isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(line, col, value, locked[key])
            elif value in (None, ""):
                ws.write_blank(line, col, None, locked[key])
            else:
                text = str(value)
                ws.write_string(line, col, text, locked[key] if not text.startswith(FORMULA_START)
                                else fmt(border=1, quote_prefix=True))


def _signature_sheet(book: Any, sheet: Any) -> None:
    """The very hidden sheet the register reads back: field | value."""
    ws = book.add_worksheet(SIGNATURE_SHEET)
    fields = {"format": "nqtrack-sheet", "version": "1", "register": sheet.register, "sheet": sheet.sheet,
              "unit": str(sheet.unit_id), "issued_at": sheet.issued_at, "signature": sheet.signature,
              "unit_name": sheet.unit}
    ws.write_string(0, 0, "field")
    ws.write_string(0, 1, "value")
    for row, (key, value) in enumerate(fields.items(), start=1):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, value)
    ws.protect()
    ws.very_hidden()


# -- importing it back ----------------------------------------------------------------------------


def imported_lines(done: Any, message: Any) -> list[str]:
    """What importing a returned sheet recorded, what needs confirmation and what was refused;
    `message` gives a refusal's reason in the chosen language."""
    made = datetime.fromisoformat(done.issued_at).astimezone().date()
    lines = [_("Sheet of {unit} (made {day}).", unit=done.unit, day=show_day(made))]
    if not done.recorded:
        lines.append(_("Nothing was recorded.") if done.refused else _("Nothing new: nothing was recorded."))
    for item in done.recorded:
        lines.append("  " + _recorded_text(item))
    waiting = [str(item.task) for item in done.recorded if item.proposed or item.extension]
    if waiting:
        lines.append(_("Awaiting the secretariat's confirmation: tasks {tasks} (nqtrack overdue lists them).",
                       tasks=", ".join(waiting)))
    for refused in done.refused:
        lines.append(_("Refused, row {row} (task {task}): {reason}", row=refused.line, task=refused.task,
                       reason=message(refused.reason)))
    if done.batch_id:
        lines.append(_("Batch: {batch} (undo --batch {batch} reverts it).", batch=done.batch_id))
    return lines


def _recorded_text(item: Any) -> str:
    from nqtrack.render.task import field_names

    parts = []
    if item.fields:
        parts.append(field_names(item.fields))
    if item.noted:
        parts.append(_("note"))
    if item.proposed:
        parts.append(_("completion on {day} proposed", day=show_day(item.proposed)))
    if item.completed:
        parts.append(_("completed on {day}", day=show_day(item.completed)))
    if item.extension:
        parts.append(_("extension to {day} asked for", day=show_day(item.extension)))
    return _("Task {id}: {what}.", id=item.task, what="; ".join(parts))
