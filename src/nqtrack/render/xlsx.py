"""Excel workbooks (XlsxWriter): one sheet per table, typed cells, native charts.

Each sheet has a title row and the period under it, bold wrapped headers in the chosen
language, a frozen header row with filters, widths sized to the content, real Excel dates,
counts as numbers, rates as numbers with a percent format, and text that looks like a
formula marked as text (Excel's quote prefix: it stays text even when the cell is edited).

Rates are written cut, never rounded, to the chosen decimals of a per cent, because
Excel's percent format rounds what it shows and a report must not overstate progress.
XlsxWriter is imported here only: `nqtrack --help` never pays for it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from nqtrack.i18n import language
from nqtrack.render.tables import FORMULA_START, column_kind

MAX_WIDTH = {"wide": 60, "text": 40}
HEADER_ROW_WITH_TITLE = 3


@dataclass
class Placed:
    """Where a sheet's table landed: for the charts that refer to its cells."""

    sheet: str
    header_row: int
    first_row: int  # the first data row (0-based)
    last_row: int  # the last data row; < first_row when the table is empty
    columns: dict[str, int]  # machine key -> 0-based column
    width: int  # number of columns

    @property
    def empty(self) -> bool:
        return self.last_row < self.first_row

    def cells(self, key: str) -> list[Any]:
        """A column's data range as XlsxWriter takes it: [sheet, row1, col, row2, col]."""
        col = self.columns[key]
        return [self.sheet, self.first_row, col, self.last_row, col]


@dataclass
class Sheet:
    name: str
    columns: Sequence[tuple[str, str]]  # (machine key, label)
    rows: Sequence[Mapping[str, Any]]
    title: str = ""
    subtitle: str = ""
    kinds: Mapping[str, str] = field(default_factory=dict)  # a column's kind, over column_kind()
    # draws charts for the table once it is written: (workbook, worksheet, where it landed)
    charts: Callable[[Any, Any, Placed], None] | None = None


def cut(value: float, places: int) -> float:
    """Cut toward zero to `places` decimals (0.57689, 3 -> 0.576)."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN))


def percent_format(decimals: int, signed: bool = False) -> str:
    body = "0." + "0" * decimals + "%" if decimals > 0 else "0%"
    return f"+{body};-{body};{body}" if signed else body


def date_format() -> str:
    return "dd/mm/yyyy" if language() == "vi" else "yyyy-mm-dd"


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def safe_sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique regardless of case."""
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in name).strip("'").strip() or "Sheet"
    cleaned = cleaned[:31]
    candidate, n = cleaned, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


class _Formats:
    """XlsxWriter formats, made once per distinct set of properties."""

    def __init__(self, workbook: Any, decimals: int) -> None:
        self.workbook, self.decimals = workbook, decimals
        self.made: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.workbook.add_format({"font_name": "Times New Roman", "font_size": 12,
                                                       "valign": "top", **props})
        return self.made[key]

    def for_kind(self, kind: str, level: int = 0, quote: bool = False) -> Any:
        props: dict[str, Any] = {}
        if kind == "date":
            props["num_format"] = date_format()
            props["align"] = "center"
        elif kind in ("rate", "percent"):
            props["num_format"] = percent_format(self.decimals)
        elif kind == "signed":
            props["num_format"] = percent_format(self.decimals, signed=True)
        elif kind == "count":
            props["num_format"] = "#,##0"
        elif kind == "flag":
            props["align"] = "center"
        elif kind == "wide":
            props["text_wrap"] = True
        if level:
            props["indent"] = level
        if quote:
            props["quote_prefix"] = True
        return self.get(**props)


def write_cell(ws: Any, row: int, col: int, value: Any, kind: str, formats: _Formats, level: int = 0) -> None:
    """One cell, typed by its kind; a text that Excel would read as a formula stays text."""
    if value is None or value == "":
        if level or kind not in ("text", "wide"):
            ws.write_blank(row, col, None, formats.for_kind(kind, level))
        return
    if kind == "date" and (day := _as_date(value)) is not None:
        ws.write_datetime(row, col, datetime(day.year, day.month, day.day), formats.for_kind(kind, level))
    elif kind == "rate" and isinstance(value, int | float):
        ws.write_number(row, col, cut(value, formats.decimals + 2), formats.for_kind(kind, level))
    elif kind in ("percent", "signed") and isinstance(value, int | float):
        ws.write_number(row, col, cut(value / 100, formats.decimals + 2), formats.for_kind(kind, level))
    elif kind == "flag" and isinstance(value, bool):
        ws.write_string(row, col, "✓" if value else "", formats.for_kind(kind, level))
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), formats.for_kind("text", level))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(row, col, value, formats.for_kind(kind, level))
    else:
        text = str(value)
        quote = text.startswith(FORMULA_START)
        ws.write_string(row, col, text, formats.for_kind("wide" if kind == "wide" else "text", level, quote))


def _width(label: str, kind: str, values: list[Any]) -> float:
    longest_word = max((len(word) for word in label.split()), default=4)
    if kind == "date":
        content = 11
    elif kind in ("rate", "percent", "signed"):
        content = 8
    elif kind == "flag":
        content = 3
    else:
        content = max((len(str(v)) for v in values if v is not None), default=0)
        content = min(content, MAX_WIDTH.get(kind, 14))
    return max(longest_word, content, 6) + 2


def write_sheet(workbook: Any, ws: Any, sheet: Sheet, formats: _Formats) -> Placed:
    keys = [key for key, _ in sheet.columns]
    kinds = {key: sheet.kinds.get(key) or column_kind(key, [r.get(key) for r in sheet.rows]) for key in keys}
    header_row = 0
    if sheet.title:
        ws.write_string(0, 0, sheet.title, formats.get(bold=True, font_size=14, valign="vcenter"))
        if sheet.subtitle:
            ws.write_string(1, 0, sheet.subtitle, formats.get(italic=True))
        header_row = HEADER_ROW_WITH_TITLE
    header = formats.get(bold=True, text_wrap=True, valign="vcenter", align="center", border=1, bg_color="#DDE5F0")
    widths = []
    for col, (key, label) in enumerate(sheet.columns):
        ws.write_string(header_row, col, label, header)
        width = _width(label, kinds[key], [r.get(key) for r in sheet.rows])
        widths.append(width)
        ws.set_column(col, col, width)
    # enough height for the longest header to wrap onto its lines
    lines = max((len(label) // max(int(w) - 2, 1) + 1 for (_, label), w in zip(sheet.columns, widths, strict=True)),
                default=1)
    ws.set_row(header_row, 16 * min(lines, 4) + 4)
    first = header_row + 1
    for i, row in enumerate(sheet.rows):
        overrides = row.get("_kinds") or {}
        level = int(row.get("_level") or 0)
        for col, key in enumerate(keys):
            kind = overrides.get(key, kinds[key])
            write_cell(ws, first + i, col, row.get(key), kind, formats, level if col == 0 else 0)
    last = first + len(sheet.rows) - 1
    ws.freeze_panes(first, 0)
    if sheet.rows:
        ws.autofilter(header_row, 0, last, len(keys) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    return Placed(ws.name, header_row, first, last, {key: i for i, key in enumerate(keys)}, len(keys))


def workbook_bytes(sheets: Sequence[Sheet], decimals: int = 1) -> bytes:
    """The workbook of these sheets, in memory."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    formats = _Formats(workbook, decimals)
    taken: set[str] = set()
    for sheet in sheets:
        ws = workbook.add_worksheet(safe_sheet_name(sheet.name, taken))
        placed = write_sheet(workbook, ws, sheet, formats)
        if sheet.charts is not None:
            sheet.charts(workbook, ws, placed)
    workbook.close()
    return buffer.getvalue()
