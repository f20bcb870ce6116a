"""Excel workbooks (XlsxWriter): one sheet per table, typed cells, native charts.

Each sheet has a title row and the period under it, bold wrapped headers in the chosen
language, a frozen header row with filters, widths sized to the content, real Excel dates,
counts as numbers, rates as numbers with a percent format, and text that looks like a
formula marked as text (Excel's quote prefix: it stays text even when the cell is edited).

Rates are written cut, never rounded, to the chosen decimals of a per cent, because
Excel's percent format rounds what it shows and a report must not overstate progress;
a score (kind "decimal") is cut the same way, a change on last year keeps its one decimal.
A sheet may hold several tables, one under another (a section of the report): the first
has the frozen header and the filters, each further one its caption.
XlsxWriter is imported here only: `nqtrack --help` never pays for it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from nqtrack.core.text import inert
from nqtrack.i18n import language
from nqtrack.render.tables import FORMULA_START, column_kind

MAX_WIDTH = {"wide": 60, "text": 40}
HEADER_ROW_WITH_TITLE = 3
CHANGE_DECIMALS = 1  # a change on last year is computed to one decimal (core.figures.change_pct)


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
class Part:
    """A further table of a sheet, written under the one before it, a blank row between."""

    columns: Sequence[tuple[str, str]]
    rows: Sequence[Mapping[str, Any]]
    caption: str = ""
    kinds: Mapping[str, str] = field(default_factory=dict)
    charts: Callable[[Any, Any, Placed], None] | None = None


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
    lead: str = ""  # a paragraph under the title rows (the Government's sentence)
    caption: str = ""  # the first table's own heading, when the sheet has several
    parts: Sequence[Part] = ()  # the tables under the first


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
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in inert(name, one_line=True)).strip("'").strip() or "Sheet"
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
            props["num_format"] = percent_format(CHANGE_DECIMALS, signed=True)
        elif kind == "decimal":
            props["num_format"] = "0." + "0" * self.decimals if self.decimals else "0"
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
    elif kind == "percent" and isinstance(value, int | float):
        ws.write_number(row, col, cut(value / 100, formats.decimals + 2), formats.for_kind(kind, level))
    elif kind == "signed" and isinstance(value, int | float):
        ws.write_number(row, col, cut(value / 100, CHANGE_DECIMALS + 2), formats.for_kind(kind, level))
    elif kind == "decimal" and isinstance(value, int | float):
        ws.write_number(row, col, cut(value, formats.decimals), formats.for_kind(kind, level))
    elif kind == "flag" and isinstance(value, bool):
        ws.write_string(row, col, "✓" if value else "", formats.for_kind(kind, level))
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), formats.for_kind("text", level))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(row, col, value, formats.for_kind(kind, level))
    else:
        text = inert(str(value))  # a control character is no valid XML: shown, so the file stays whole
        quote = text.startswith(FORMULA_START)
        ws.write_string(row, col, text, formats.for_kind("wide" if kind == "wide" else "text", level, quote))


def _width(label: str, kind: str, values: list[Any]) -> float:
    longest_word = max((len(word) for word in label.split()), default=4)
    if kind == "date":
        content = 11
    elif kind in ("rate", "percent", "signed", "decimal"):
        content = 8
    elif kind == "flag":
        content = 3
    else:
        content = max((len(str(v)) for v in values if v is not None), default=0)
        content = min(content, MAX_WIDTH.get(kind, 14))
    return max(longest_word, content, 6) + 2


def write_table(ws: Any, header_row: int, columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]],
                given_kinds: Mapping[str, str], formats: _Formats, widths: dict[int, float]) -> Placed:
    """A table with its header on `header_row`; `widths` (column -> width) grows to fit it."""
    keys = [key for key, _ in columns]
    kinds = {key: given_kinds.get(key) or column_kind(key, [r.get(key) for r in rows]) for key in keys}
    header = formats.get(bold=True, text_wrap=True, valign="vcenter", align="center", border=1, bg_color="#DDE5F0")
    lines = 1
    for col, (key, label) in enumerate(columns):
        ws.write_string(header_row, col, inert(label), header)
        width = max(_width(label, kinds[key], [r.get(key) for r in rows]), widths.get(col, 0))
        widths[col] = width
        ws.set_column(col, col, width)
        lines = max(lines, len(label) // max(int(width) - 2, 1) + 1)
    # enough height for the longest header to wrap onto its lines
    ws.set_row(header_row, 16 * min(lines, 4) + 4)
    first = header_row + 1
    for i, row in enumerate(rows):
        overrides = row.get("_kinds") or {}
        level = int(row.get("_level") or 0)
        for col, key in enumerate(keys):
            kind = overrides.get(key, kinds[key])
            write_cell(ws, first + i, col, row.get(key), kind, formats, level if col == 0 else 0)
    return Placed(ws.name, header_row, first, first + len(rows) - 1, {key: i for i, key in enumerate(keys)},
                  len(keys))


def _lead(ws: Any, row: int, text: str, across: int, widths: Sequence[float], formats: _Formats) -> None:
    """A paragraph over the first `across` columns, wrapped, its row as tall as its lines."""
    style = formats.get(text_wrap=True, valign="top")
    text = inert(text)
    if across > 1:
        ws.merge_range(row, 0, row, across - 1, text, style)
    else:
        ws.write_string(row, 0, text, style)
    room = max(sum(widths[:across]), 20)
    ws.set_row(row, 16 * (int(len(text) * 1.1 // room) + 1) + 2)


def write_sheet(workbook: Any, ws: Any, sheet: Sheet, formats: _Formats) -> Placed:
    """The sheet's tables, the first under the title rows; returns where the first landed."""
    header_row = 0
    if sheet.title:
        ws.write_string(0, 0, inert(sheet.title), formats.get(bold=True, font_size=14, valign="vcenter"))
        if sheet.subtitle:
            ws.write_string(1, 0, inert(sheet.subtitle), formats.get(italic=True))
        header_row = HEADER_ROW_WITH_TITLE
    lead_row = header_row - 1  # the blank row under the title rows
    if sheet.lead and sheet.title:
        header_row += 1  # the lead there, then a blank row
    caption = formats.get(bold=True, italic=True)
    if sheet.caption:
        ws.write_string(header_row, 0, inert(sheet.caption), caption)
        header_row += 1
    widths: dict[int, float] = {}
    placed = write_table(ws, header_row, sheet.columns, sheet.rows, sheet.kinds, formats, widths)
    ws.freeze_panes(placed.first_row, 0)
    if sheet.rows:
        ws.autofilter(header_row, 0, placed.last_row, placed.width - 1)
    next_row = max(placed.last_row, header_row) + 2
    for part in sheet.parts:
        if part.caption:
            ws.write_string(next_row, 0, inert(part.caption), caption)
            next_row += 1
        part_placed = write_table(ws, next_row, part.columns, part.rows, part.kinds, formats, widths)
        if part.charts is not None:
            part.charts(workbook, ws, part_placed)
        next_row = max(part_placed.last_row, part_placed.header_row) + 2
    if sheet.lead and sheet.title:
        across = max([len(sheet.columns)] + [len(part.columns) for part in sheet.parts])
        _lead(ws, lead_row, sheet.lead, across, [widths[c] for c in sorted(widths)], formats)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(placed.header_row)
    return placed


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
