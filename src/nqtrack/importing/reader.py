"""Read the task registers offices export (CSV, TSV, Excel "Unicode text", XLSX) into rows.

Offices export in whatever their tools give: UTF-8 with or without BOM, UTF-16 from
Excel's "Unicode text", cp1258 from old Windows, or TCVN3/VNI legacy text; separators are
commas, semicolons (Excel in Vietnamese locale) or tabs; and title rows ("PHỤ LỤC",
"DANH MỤC NHIỆM VỤ ...") sit above the header.  This module hides all of that: it finds the
header row and yields the data rows with their real line numbers, so that an import
error can point at the line the user sees in the file.

What it cannot read faithfully or safely it refuses with a ReadError that says where:
bytes not valid in the file's encoding (cp1258, TCVN3 or VNI only when no UTF-8 is in the
file and that reading is Vietnamese), a quote left open, a cell over Excel's 32,767
characters, a FIFO or a device, and an XLSX sheet too large to hold in memory (measured
from its XML before calamine, which aborts the process when an allocation fails, reads it).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import os
import re
import stat
import unicodedata
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nqtrack.core.errors import UserError
from nqtrack.core.text import fold, nfc
from nqtrack.importing.legacy_vn import (
    convert_as,
    detect_legacy,
    has_unicode_vietnamese,
    is_vietnamese_syllable,
    to_unicode,
)

__all__ = ["ReadError", "Table", "read_stdin", "read_table"]

HEADER_SEARCH_ROWS = 30  # title rows above the header are looked through this far
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
_SEEN_CHARS = 120  # cells up to this long are remembered (50,000 at most, then afresh): titles repeat too
MAX_COLUMNS = 16_384  # Excel's own limit (column XFD)
MAX_ROW_CHARS = 4 * 1024 * 1024  # characters in one row of a text file, line breaks in cells included
STDIN_LIMIT = 256 * 1024 * 1024  # bytes read from standard input, which is held in memory
_SAMPLE_BYTES = 256 * 1024  # enough to judge the encoding and the separator
_SNIFF_RECORDS = 50
_CHUNK = 1 << 20
_DELIMITERS = (",", ";", "\t", "|")
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls
_SPACES = re.compile(r"[^\S\n]+")
_LINE_SPACE = re.compile(r" ?\n ?")
_LEGACY_NAMES = {"tcvn3": "tcvn3", "abc": "tcvn3", "tcvn": "tcvn3", "vni": "vni"}


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the few bytes cp1252/cp1258 leave undefined as Latin-1 instead of failing."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("nqtrack-latin1", _latin1_fallback)


class ReadError(UserError):
    """A file that cannot be read as a table; the message names the file and says why.

    A UserError: `message` is the message id, an English template with `{named}`
    placeholders that the CLI translates, and `args_` its values; `str()` is the English
    text.  A message without arguments is shown as it is (it may hold braces).
    """

    def __str__(self) -> str:
        return self.message.format(**self.args_) if self.args_ else self.message


@dataclass
class Table:
    """A header row and a lazy stream of the data rows under it.

    `converted_cells` counts the legacy cells converted in the header row and in the rows
    read so far; it is final once `rows` is exhausted.
    """

    headers: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[object]]]
    source_format: str
    encoding: str | None
    delimiter: str | None
    converted_cells: int = 0
    legacy: str | None = None  # "tcvn3"/"vni" when the whole file was in that encoding
    sheet: str | None = None  # the sheet read, for XLSX
    blank_rows: int = 0  # empty rows between data rows (not those after the last), final once read


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------
class _Cells:
    """Normalises cells and converts legacy text, counting what it converted."""

    def __init__(self, forced: str | None = None) -> None:
        self.forced = forced  # the whole file is in this legacy encoding
        self.prefer: str | None = None  # most cells are in this legacy encoding
        self.converted = 0
        self._seen: dict[str, tuple[str, bool]] = {}  # raw cell → (text, converted?)
        # raw cell → its text, for the cells seen that converted nothing: the rows' fast path
        self.plain: dict[str, str] = {}

    def text(self, raw: str, count: bool = True) -> str:
        # registers repeat cells (units, sources, states, dates, titles) thousands of times
        if len(raw) <= _SEEN_CHARS:
            known = self._seen.get(raw)
            if known is not None:
                if known[1] and count:
                    self.converted += 1
                return known[0]
        if len(raw) > MAX_CELL_CHARS:
            raise _CellTooLong
        value = unicodedata.normalize("NFC", raw)
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        # runs of spaces become one (typing slips break matching); line breaks are kept
        if "  " in value or not value.isprintable():  # tabs, line breaks, no-break spaces…
            value = _LINE_SPACE.sub("\n", _SPACES.sub(" ", value))
        value = value.strip()
        if not value or value.isascii():
            new, changed = value, False
        elif self.forced:
            new = convert_as(value, self.forced)
            changed = new != value
        else:
            new, changed = to_unicode(value, self.prefer)
        if changed and count:
            self.converted += 1
        if len(raw) <= _SEEN_CHARS:
            if len(self._seen) >= 50_000:  # full (of unique codes, most likely): start again
                self._seen.clear()
                self.plain.clear()
            self._seen[raw] = (new, changed)
            if not changed:
                self.plain[raw] = new
        return new

    def value(self, raw: object, count: bool = True) -> object:
        """A typed XLSX value: int when integral, date for midnight datetimes, "" for empty."""
        if raw is None:
            return ""
        if isinstance(raw, str):
            return self.text(raw, count)
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, float):
            return int(raw) if raw.is_integer() else raw
        if isinstance(raw, dt.datetime):
            return raw.date() if raw.time() == dt.time() else raw
        return raw

    def header(self, raw: object, count: bool = True) -> str:
        value = self.value(raw, count)
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        return nfc(str(value))

    def learn(self, records: Iterable[list[object]]) -> None:
        """Lean towards a legacy encoding when the first rows show it and no Unicode Vietnamese."""
        if self.forced:
            return
        unicode_cells = 0
        legacy: dict[str, int] = {}
        for record in records:
            for raw in record:
                if not isinstance(raw, str) or raw.isascii():
                    continue
                value = unicodedata.normalize("NFC", raw)
                if has_unicode_vietnamese(value):
                    unicode_cells += 1
                else:
                    found = detect_legacy(value)
                    if found:
                        legacy[found] = legacy.get(found, 0) + 1
        if unicode_cells == 0 and legacy:
            best = max(legacy, key=lambda k: legacy[k])
            if legacy[best] >= 2:
                self.prefer = best
                self._seen.clear()  # cells read before now were converted without the preference
                self.plain.clear()


# --------------------------------------------------------------------------------------
# Header and rows (shared by text and XLSX)
# --------------------------------------------------------------------------------------
def _build_table(
    records: Iterator[tuple[int, list[object]]],
    cells: _Cells,
    expected_headers: Callable[[str], bool] | None,
    name: str,
    **meta: object,
) -> Table:
    head: list[tuple[int, list[object]]] = []
    for record in records:
        head.append(record)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if not any(any(_filled(c) for c in rec) for _, rec in head):
        raise ReadError("cannot read {name!r}: the file has no data", name=name)
    for line, rec in head:
        _refuse_long_cell(rec, line, name, meta.get("source_format") == "xlsx")
    cells.learn(rec for _, rec in head)

    previews = [[cells.header(c, count=False) for c in rec] for _, rec in head]
    index = _find_header(previews, expected_headers)
    if index is None:
        raise ReadError(
            "cannot read {name!r}: no header row found in the first {rows} rows", name=name, rows=HEADER_SEARCH_ROWS
        )
    header_line, header_raw = head[index]
    headers = [cells.header(c) for c in header_raw]
    table = Table(
        headers=headers,
        header_line=header_line,
        rows=iter(()),
        converted_cells=cells.converted,
        **meta,  # type: ignore[arg-type]
    )
    table.rows = _data_rows(table, head[index + 1 :], records, cells, len(headers), name)
    return table


def _filled(cell: object) -> bool:
    return not (cell is None or (isinstance(cell, str) and not cell.strip()))


def _find_header(
    rows: list[list[str]], expected_headers: Callable[[str], bool] | None
) -> int | None:
    """Index of the header: the first row with 2+ recognised headers, else a wide enough row.

    Without recognised headers, the first row with at least two filled cells and at least
    half as many as the widest of these rows, so that a two-cell title line ("BỘ TƯ PHÁP" |
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") above an eight-column header is passed over.
    """
    if expected_headers is not None:
        for i, row in enumerate(rows):
            if sum(1 for cell in row if cell and expected_headers(cell)) >= 2:
                return i
        # a one-column list ("Tên đơn vị"): the first row that is one recognised header alone
        for i, row in enumerate(rows):
            filled = [cell for cell in row if cell]
            if len(filled) == 1 and expected_headers(filled[0]):
                return i
    counts = [sum(1 for cell in row if cell) for row in rows]
    widest = max(counts, default=0)
    for i, n in enumerate(counts):
        if n >= 2 and n * 2 >= widest:
            return i
    return None


def _data_rows(
    table: Table,
    buffered: list[tuple[int, list[object]]],
    rest: Iterator[tuple[int, list[object]]],
    cells: _Cells,
    width: int,
    name: str,
) -> Iterator[tuple[int, list[object]]]:
    letters = table.source_format == "xlsx"
    blank = 0
    value, known = cells.value, cells.plain.get  # hoisted: a million cells
    for line, record in _chain(buffered, rest):
        try:
            # a cell seen before that converted nothing is its text (the same as value(c))
            values = [t if type(c) is str and (t := known(c)) is not None else value(c) for c in record[:width]]
        except _CellTooLong:
            _refuse_long_cell(record, line, name, letters)
            raise
        table.converted_cells = cells.converted
        if values.count("") == len(values):  # nothing in the row
            blank += 1
            continue
        table.blank_rows, blank = table.blank_rows + blank, 0
        if len(values) < width:
            values.extend([""] * (width - len(values)))
        yield line, values


class _CellTooLong(Exception):
    """A text over MAX_CELL_CHARS met while converting cells; the caller knows where."""


def _refuse_long_cell(record: list[object], line: int, label: str, letters: bool) -> None:
    """Stop at the first cell of `record` over MAX_CELL_CHARS (columns as letters for XLSX)."""
    for index, value in enumerate(record):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            _cell_too_long(label, line, _column_name(index) if letters else index + 1, len(value))


def _chain(
    first: list[tuple[int, list[object]]], rest: Iterator[tuple[int, list[object]]]
) -> Iterator[tuple[int, list[object]]]:
    yield from first
    yield from rest


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------
def read_table(
    source: str | Path | bytes,
    *,
    sheet: str | None = None,
    encoding: str = "auto",
    delimiter: str | None = None,
    expected_headers: Callable[[str], bool] | None = None,
    name: str | None = None,
) -> Table:
    """Open a CSV/TSV/UTF-16 text or XLSX file (path or bytes) and find its header row.

    `name` is only used in messages (defaults to the path, or "<stdin>" for bytes).
    `sheet` picks an XLSX sheet by name, ignoring case and accents; it is ignored for text.
    `encoding` "auto" guesses; any Python codec name, or "tcvn3"/"vni", forces one.
    """
    data: bytes | None
    path: Path | None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, path = bytes(source), None
        label = name or "<stdin>"
        head = data[:8]
    else:
        path = Path(source)
        data = None
        label = name or str(source)
        try:
            _require_regular_file(path, label)
            with path.open("rb") as fh:
                head = fh.read(8)
        except FileNotFoundError:
            raise ReadError("cannot read {name!r}: no such file", name=label) from None
        except IsADirectoryError:
            raise ReadError("cannot read {name!r}: it is a folder, not a file", name=label) from None
        except OSError as exc:
            raise ReadError("cannot read {name!r}: {reason}", name=label, reason=exc.strerror or str(exc)) from None
    if not head:
        raise ReadError("cannot read {name!r}: the file is empty", name=label)

    magic = head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC)
    by_suffix = path is not None and path.suffix.lower() in _EXCEL_SUFFIXES
    if magic or by_suffix:
        try:
            return _read_excel(path, data, label, sheet, expected_headers)
        except _NotExcel as exc:
            if magic:
                raise ReadError(
                    "cannot read {name!r}: not an Excel file ({reason})", name=label, reason=str(exc)
                ) from None
            # a ".xls" that is really text (web apps often do this): read it as text
    return _read_text(path, data, label, encoding, delimiter, expected_headers)


def _require_regular_file(path: Path, label: str) -> None:
    """Refuse, before opening it, what is not a regular file: opening a FIFO waits for a
    writer, and a device such as /dev/zero never ends."""
    mode = os.stat(path).st_mode  # follows symbolic links
    if stat.S_ISDIR(mode):
        raise ReadError("cannot read {name!r}: it is a folder, not a file", name=label)
    if not stat.S_ISREG(mode):
        raise ReadError(
            "cannot read {name!r}: it is not a regular file (a device, a pipe or a socket); save the table to a file",
            name=label,
        )


def read_stdin(stream: IO[bytes], limit: int = STDIN_LIMIT, name: str = "<stdin>") -> bytes:
    """All the bytes of standard input (`sys.stdin.buffer`), refusing more than `limit`.

    A file is streamed, but standard input is held in memory whole, hence the bound.
    """
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = stream.read(min(_CHUNK, limit + 1 - size))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            raise ReadError(
                "cannot read {name!r}: standard input holds more than {limit} bytes; save it to a file and import "
                "the file",
                name=name, limit=limit,
            )


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------
class _NotExcel(Exception):
    pass


class _Damaged(Exception):
    """A workbook part that cannot be parsed; the message says where."""


def _read_excel(
    path: Path | None,
    data: bytes | None,
    label: str,
    sheet: str | None,
    expected_headers: Callable[[str], bool] | None,
) -> Table:
    try:
        import python_calamine as calamine  # lazy: keeps CLI start-up fast
    except ImportError:  # pragma: no cover - it is a dependency
        raise ReadError("cannot read {name!r}: reading Excel files needs python-calamine", name=label) from None

    def open_book(content: bytes | None) -> Any:
        try:
            if content is not None:
                return calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
            return calamine.CalamineWorkbook.from_path(os.fspath(path))  # type: ignore[arg-type]
        except calamine.PasswordError:
            raise ReadError("cannot read {name!r}: the workbook is password-protected", name=label) from None
        except Exception as exc:  # calamine raises several kinds for damaged/non-Excel files
            raise _NotExcel(str(exc) or type(exc).__name__) from None

    # calamine builds the whole rectangle from A1 (or the first cell) to the farthest cell
    # in memory, 32 bytes a cell, and aborts the process when that fails: an XLSX sheet is
    # therefore measured first, from its XML, and trimmed or refused before calamine reads it.
    with _open_package(path, data, label) as package:
        book = open_book(data)
        try:
            names = list(book.sheet_names)
            if not names:
                raise ReadError("cannot read {name!r}: the workbook has no sheets", name=label)
            chosen = _choose_sheet(names, _visible_sheets(book, names), sheet)
            if chosen is None:
                raise ReadError(
                    "cannot read {name!r}: sheet {sheet!r} not found; sheets: {sheets}",
                    name=label, sheet=sheet, sheets=", ".join(names),
                )
            trimmed = _guard_sheet(package, names.index(chosen), len(names), label) if package else None
            if trimmed is not None:
                book.close()
                book = open_book(trimmed)
            grid = book.get_sheet_by_name(chosen)
        except (ReadError, _NotExcel):
            raise
        except Exception as exc:
            raise ReadError(
                "cannot read {name!r}: sheet {sheet!r} is damaged ({reason})",
                name=label, sheet=chosen, reason=str(exc),
            ) from None
        finally:
            with contextlib.suppress(Exception):  # already closed
                book.close()
    end = grid.end  # .xls, .xlsb and .ods are not measured beforehand: at least bound the rows read
    if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_SHEET_CELLS:
        _sheet_too_large(label, chosen, end[0] + 1, end[1] + 1, 0)
    return _build_table(
        _sheet_records(grid, label, chosen),
        _Cells(),
        expected_headers,
        label,
        source_format="xlsx",
        encoding=None,
        delimiter=None,
        sheet=chosen,
    )


def _sheet_records(grid: Any, label: str, sheet: str) -> Iterator[tuple[int, list[object]]]:
    """(Excel row number, cells from column A), row by row: calamine yields the rows from
    row 1 but the columns from the first one used, so the columns before it are added.
    Cells over MAX_CELL_CHARS are refused as they are converted (_Cells.text)."""
    start = grid.start
    skipped = start[1] if start else 0
    padding: list[object] = [""] * skipped
    try:
        for number, row in enumerate(grid.iter_rows(), start=1):
            yield number, padding + row if skipped else row
    except Exception as exc:  # pragma: no cover - calamine has read the sheet already
        raise ReadError(
            "cannot read {name!r}: sheet {sheet!r} is damaged ({reason})", name=label, sheet=sheet, reason=str(exc)
        ) from None


def _visible_sheets(book: object, names: list[str]) -> list[str]:
    try:
        return [m.name for m in book.sheets_metadata if m.visible.name == "Visible"]  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - metadata is optional
        return names


def _choose_sheet(names: list[str], visible: list[str], wanted: str | None) -> str | None:
    """The sheet asked for (exact, then case/accent-insensitive), else the first visible one."""
    if wanted is None:
        return next((name for name in visible if name in names), names[0] if names else None)
    if wanted in names:
        return wanted
    key = fold(wanted)
    for candidate in names:
        if fold(candidate) == key:
            return candidate
    return None


def _column_name(index: int) -> str:
    """Excel's letters for a column counted from 0: 0 → A, 26 → AA, 16383 → XFD."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_too_large(label: str, sheet: str, rows: int, columns: int, cells: int) -> None:
    raise ReadError(
        "cannot read {name!r}: sheet {sheet!r} is too large to read: its cells run to row {rows} and column "
        "{column} ({cells} cells from A1, more than {limit}); delete what lies below or to the right of the "
        "table, or copy the table to a new sheet",
        name=label, sheet=sheet, rows=rows, column=_column_name(columns - 1),
        cells=max(rows * columns, cells), limit=MAX_SHEET_CELLS,
    )


# --------------------------------------------------------------------------------------
# XLSX measured before calamine reads it
# --------------------------------------------------------------------------------------
MAX_SHEET_CELLS = 1 << 24  # cells read from A1 to the last used row and column: ~0.5 GB in calamine
_MAX_PART_BYTES = 1 << 30  # unpacked size of a workbook part that is read
_TRIM_FROM_CELLS = 1_000_000  # below this, blank cells around the table are read rather than cut out
# The parts calamine reads when it opens a workbook (it finds them ignoring ASCII case).
_WORKBOOK_PART = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_SHARED_STRINGS = "xl/sharedStrings.xml"
_NOT_XLSX = {".xls", ".xlsb", ".ods"}
_OPENED_PARTS = ("[Content_Types].xml", "_rels/.rels", _WORKBOOK_PART, _WORKBOOK_RELS, "xl/styles.xml", _SHARED_STRINGS)
_CELL_REF = re.compile(r"([A-Za-z]{0,3})([0-9]{1,7})")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")  # one character written as seven ("_x000D_")
_MAX_BLANK_STRINGS = 1_000_000  # blank shared strings remembered; past that, taken as text


@dataclass
class _SheetEntry:
    name: str
    visible: bool
    part: str  # the path calamine gives it


@dataclass
class _SharedStrings:
    """What the sheet scan needs of xl/sharedStrings.xml: which strings are blank or too long."""

    count: int = 0
    blank: set[int] = field(default_factory=set)
    long: dict[int, int] = field(default_factory=dict)  # index → length, over MAX_CELL_CHARS


class _Package:
    """An XLSX/XLSM zip: its parts looked up the way calamine looks them up."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.parts: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = info.filename.lower()
            if key in self.parts:  # calamine and this scan could read different ones
                raise _NotExcel(f"two parts are named {info.filename!r}")
            self.parts[key] = info

    def part(self, name: str) -> zipfile.ZipInfo | None:
        return self.parts.get(name.lower())

    def chunks(self, info: zipfile.ZipInfo, label: str) -> Iterator[bytes]:
        self.check_size(info, label)
        with self.archive.open(info) as stream:
            yield from iter(lambda: stream.read(_CHUNK), b"")

    def check_size(self, info: zipfile.ZipInfo, label: str) -> None:
        """Refuse a part too large to read (reading stops at the size the zip gives)."""
        if info.file_size > _MAX_PART_BYTES:
            raise ReadError(
                "cannot read {name!r}: the workbook part {part!r} unpacks to {size} bytes, more than the {limit} "
                "this reader accepts",
                name=label, part=info.filename, size=info.file_size, limit=_MAX_PART_BYTES,
            )

    def sheets(self, label: str) -> list[_SheetEntry]:
        targets: dict[str, str] = {}

        def relationship(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship":
                targets[attrs.get("Id", "")] = attrs.get("Target", "")

        entries: list[_SheetEntry] = []

        def sheet(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "sheet":
                target = targets.get(attrs.get("r:id", attrs.get("relationships:id", "")), "")
                # as calamine does: "/xl/…" and "xl/…" as they are, anything else under "xl/"
                if target.startswith("/xl/"):
                    part = target[1:]
                else:
                    part = target if target.startswith("xl/") else f"xl/{target}"
                entries.append(_SheetEntry(attrs.get("name", ""), attrs.get("state", "visible") == "visible", part))

        rels, book = self.part(_WORKBOOK_RELS), self.part(_WORKBOOK_PART)
        if rels is not None:
            _parse_xml(self.chunks(rels, label), relationship)
        if book is not None:
            _parse_xml(self.chunks(book, label), sheet)
        return entries

    def shared_strings(self, label: str) -> _SharedStrings:
        info = self.part(_SHARED_STRINGS)
        found = _SharedStrings()
        if info is None:
            return found
        state = {"in_si": False, "has_text": False, "in_t": False, "phonetic": 0, "length": 0, "filled": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "si":
                state.update(in_si=True, has_text=False, in_t=False, phonetic=0, length=0, filled=False)
            elif not state["in_si"]:
                return
            elif local == "rPh":
                state["phonetic"] += 1
            elif local == "r":
                state["has_text"] = True
            elif local == "t" and not state["phonetic"]:
                state.update(in_t=True, has_text=True)

        def end(name: str) -> None:
            local = _local(name)
            if local == "t":
                state["in_t"] = False
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "si" and state["in_si"]:
                state["in_si"] = False
                if state["has_text"]:  # calamine keeps only these, so only these are counted
                    index = found.count
                    found.count += 1
                    if not state["filled"] and len(found.blank) < _MAX_BLANK_STRINGS:
                        found.blank.add(index)
                    if state["length"] > MAX_CELL_CHARS:
                        found.long[index] = state["length"]

        def text(data: str) -> None:
            if state["in_t"] and not state["phonetic"]:
                state["length"] += _text_length(data)
                if not state["filled"] and not data.isspace():
                    state["filled"] = True

        _parse_xml(self.chunks(info, label), start, end, text)
        return found


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _text_length(data: str) -> int:
    """The length calamine gives a text: each "_xHHHH_" is one character."""
    return len(data) - 6 * len(_EXCEL_ESCAPE.findall(data)) if "_x" in data else len(data)


def _parse_xml(
    chunks: Iterable[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
    parser: xml.parsers.expat.XMLParserType | None = None,
    after_chunk: Callable[[], None] | None = None,
) -> None:
    """Stream `chunks` through expat with these handlers (no DTD: a workbook has none)."""
    parser = parser or xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text

    def no_doctype(*_: object) -> None:
        raise _Damaged("a document type declaration")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    for chunk in chunks:
        parser.Parse(chunk, False)
        if after_chunk is not None:
            after_chunk()
    parser.Parse(b"", True)


@contextlib.contextmanager
def _open_package(path: Path | None, data: bytes | None, label: str) -> Iterator[_Package | None]:
    """The workbook as an XLSX package, its parts checked for size before calamine opens
    it; None when it is not one (.xls, .xlsb, .ods, or a text file named .xls)."""
    archive: zipfile.ZipFile | None = None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)  # type: ignore[arg-type]
    except zipfile.BadZipFile as exc:
        head = data[:4] if data is not None else _read_head(path)  # type: ignore[arg-type]
        if head.startswith(_ZIP_MAGIC):  # a zip this cannot read is not given to calamine either
            raise _NotExcel(str(exc)) from None
    except (OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise _NotExcel(str(exc) or type(exc).__name__) from None
    if archive is None:
        yield None
        return
    with archive:
        package = _Package(archive)
        # calamine reads .xls, .xlsb and .ods files by their name, whatever is inside
        if package.part(_WORKBOOK_PART) is None or (path is not None and path.suffix.lower() in _NOT_XLSX):
            yield None
            return
        for name in _OPENED_PARTS:
            info = package.part(name)
            if info is not None:
                package.check_size(info, label)
        yield package


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _guard_sheet(package: _Package, index: int, count: int, label: str) -> bytes | None:
    """Measure sheet number `index` (of `count`, in workbook order) before calamine reads it.

    Refuses a sheet whose used cells reach past MAX_SHEET_CELLS from A1, and a cell over
    MAX_CELL_CHARS found on the way. When only blank cells ("" or spaces, which tools
    leave far away) make the sheet too large, returns a copy of the workbook without them
    for calamine to read; None when the workbook can be read as it is.
    """
    try:
        sheets = package.sheets(label)
        if len(sheets) != count:  # calamine and this reader would not agree on which part to read
            raise _Damaged("its list of sheets cannot be read")
        entry = sheets[index]
        part = package.part(entry.part)
        if part is None:
            return None  # calamine finds no part either and says so
        if _fits_as_it_is(package.chunks(part, label)):
            return None
        shared = package.shared_strings(label)
        scan = _SheetScan(shared, label)
        scan.run(package.chunks(part, label))
        # blank cells far from the table would make every row that long: leave them out
        # when they make the sheet several times larger than its used cells
        wasteful = scan.area > _TRIM_FROM_CELLS and scan.area > 4 * scan.used_area
        if scan.cells <= MAX_SHEET_CELLS and scan.area <= MAX_SHEET_CELLS and not wasteful:
            return None
        if scan.used_cells > MAX_SHEET_CELLS or scan.used_area > MAX_SHEET_CELLS:
            _sheet_too_large(label, entry.name, scan.used_last_row + 1, scan.used_last_column + 1, scan.used_cells)
        return _without_blank_cells(package, part, shared, label)
    except ReadError:
        raise
    except Exception as exc:  # zip and XML errors of a damaged or hostile workbook
        raise ReadError(
            "cannot read {name!r}: the workbook is damaged ({reason})",
            name=label, reason=str(exc) or type(exc).__name__,
        ) from None


# Cells as Excel, LibreOffice, openpyxl and XlsxWriter write them: <c r="B12" …>.
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_WIDE_CELL = re.compile(rb'<c r="[A-Z]{2}')  # column AA or later
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_OTHER_CELL = re.compile(rb"<c[\t\n\r/>]")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")


def _fits_as_it_is(chunks: Iterable[bytes]) -> bool:
    """A quick measure of a worksheet part, with regular expressions: True when it surely
    holds at most MAX_SHEET_CELLS cells, all within MAX_SHEET_CELLS cells from A1.

    It only knows cells written the usual way; when any cell is written otherwise (no "r",
    "r" not first, a namespace prefix), it answers False and the exact scan decides.
    """
    cells = last_row = 0
    columns: set[bytes] = set()
    narrow = False  # some cells are in columns A to Z
    tail = b""
    for piece in itertools.chain(chunks, [b""]):
        chunk = tail + piece
        # a tag the chunk boundary cuts in two waits for the rest of it (from its "<")
        cut = chunk.rfind(b"<") if piece else len(chunk)
        if cut < 0 or (cut == 0 and len(chunk) > _CHUNK):  # no tag, or one huge tag or text
            cut = len(chunk)
        chunk, tail = chunk[:cut], chunk[cut:]
        rows = _CELL_ROW.findall(chunk)
        if (
            b"\x00" in chunk  # UTF-16 XML: the patterns would see nothing
            or chunk.count(b"<c ") != len(rows)
            or _OTHER_CELL.search(chunk)
            or (b":c" in chunk and _PREFIXED_CELL.search(chunk))
        ):
            return False
        if rows:
            last_row = max(last_row, *map(int, set(rows)))
            if _WIDE_CELL.search(chunk):
                columns.update(_CELL_COLUMN.findall(chunk))
            else:
                narrow = True
        cells += len(rows)
    last_column = max((_column_number(letters.decode()) for letters in columns), default=26 if narrow else 0)
    if narrow:
        last_column = max(last_column, 26)
    return cells <= MAX_SHEET_CELLS and last_row * last_column <= MAX_SHEET_CELLS


def _column_number(letters: str) -> int:
    """1 for A, 27 for AA, 16384 for XFD."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _without_blank_cells(package: _Package, part: zipfile.ZipInfo, shared: _SharedStrings, label: str) -> bytes:
    """A copy of the parts calamine reads, the sheet without its blank cells."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in _OPENED_PARTS:
            info = package.part(name)
            if info is not None:
                with copy.open(info.filename, "w") as sink:
                    for chunk in package.chunks(info, label):
                        sink.write(chunk)
        for entry in package.sheets(label):  # the other sheets, empty: calamine only lists them
            other = package.part(entry.part)
            if other is not None and other is not part and other.filename not in copy.namelist():
                copy.writestr(other.filename, _EMPTY_SHEET)
        with copy.open(part.filename, "w") as sink:
            _SheetScan(shared, label, sink=sink).run(package.chunks(part, label))
    return out.getvalue()


_EMPTY_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


class _SheetScan:
    """One streaming pass over a worksheet part, reading its cells as calamine does.

    Counts the cells and the farthest row and column, of all cells and of those holding
    something other than blanks, and refuses a cell over MAX_CELL_CHARS. Given a `sink`,
    it also writes the part there without its blank cells (the bytes of each are cut out,
    so everything else stays exactly as it was).
    """

    def __init__(self, shared: _SharedStrings, label: str, sink: IO[bytes] | None = None) -> None:
        self.shared, self.label, self.sink = shared, label, sink
        self.cells = self.used_cells = 0
        self.last_row = self.last_column = self.used_last_row = self.used_last_column = -1
        self._parser = xml.parsers.expat.ParserCreate()
        self._in_data = self._done = False
        self._row = self._column = 0  # where a cell without "r" goes
        self._cell: tuple[int, int] | None = None
        self._type = ""
        self._in_value = self._in_inline = self._in_text = False
        self._has_value = False  # calamine keeps no cell without <v> or <is> (a cell only formatted)
        self._phonetic = 0
        self._value = ""  # the start of the <v> text (an index for shared strings)
        self._value_length = self._inline_length = 0
        self._filled = False
        # cutting blank cells out: input bytes not yet written start at _pending_at
        self._pending = b""
        self._pending_at = 0
        self._cell_at = 0  # where the cell being read starts
        self._cut_from: int | None = None  # a blank cell ended: cut from here to the next event
        self._cuts: list[tuple[int, int]] = []
        self._last_event = 0

    @property
    def area(self) -> int:
        return (self.last_row + 1) * (self.last_column + 1)

    @property
    def used_area(self) -> int:
        return (self.used_last_row + 1) * (self.used_last_column + 1)

    def run(self, chunks: Iterable[bytes]) -> None:
        if self.sink is not None:
            chunks = self._keep(chunks)
        _parse_xml(chunks, self._start, self._end, self._text, self._parser,
                   self._flush if self.sink is not None else None)
        if self.sink is not None:
            self._write_until(self._pending_at + len(self._pending))

    # -- expat handlers ------------------------------------------------------------
    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self.sink is not None:
            self._event()
        if not self._in_data:
            if _local(name) == "sheetData" and not self._done:
                self._in_data = True
            return
        local = _local(name)
        if self._cell is not None:
            if local == "v":
                self._in_value = self._has_value = True
            elif local == "is":
                self._in_inline = self._has_value = True
            elif local == "rPh":
                self._phonetic += 1
            elif local == "t" and self._in_inline:
                self._in_text = True
        elif local == "c":
            ref = attrs.get("r")
            if ref is not None:
                self._row, self._column = _cell_position(ref, with_column=True)
            self._cell = (self._row, self._column)
            self._type = attrs.get("t", "n")
            self._value, self._value_length, self._inline_length, self._filled = "", 0, 0, False
            self._in_value = self._in_inline = self._in_text = self._has_value = False
            self._phonetic = 0
            if self.sink is not None:
                self._cell_at = self._parser.CurrentByteIndex
        elif local == "row":
            ref = attrs.get("r")
            if ref is not None:
                self._row = _cell_position(ref, with_column=False)[0]

    def _end(self, name: str) -> None:
        if self.sink is not None:
            self._event()
        if not self._in_data:
            return
        local = _local(name)
        if self._cell is not None:
            if local == "c":
                self._end_cell()
            elif local == "v":
                self._in_value = False
            elif local == "is":
                self._in_inline = False
            elif local == "t":
                self._in_text = False
            elif local == "rPh":
                self._phonetic -= 1
        elif local == "row":
            self._row += 1
            self._column = 0
        elif local == "sheetData":  # calamine reads no further
            self._in_data, self._done = False, True

    def _text(self, data: str) -> None:
        if self._cell is None:
            return
        if self._in_value and self._type not in ("inlineStr", "is"):  # calamine ignores <v> there
            if len(self._value) < 24:
                self._value += data
            self._value_length += _text_length(data)
        elif self._in_inline and self._in_text and not self._phonetic:
            self._inline_length += _text_length(data)
        else:
            return
        if not self._filled and not data.isspace():
            self._filled = True

    def _end_cell(self) -> None:
        row, column = self._cell  # type: ignore[misc]
        self._cell = None
        self._column = column + 1
        if self._type == "s" and self._value_length:
            index = int(self._value) if self._value.strip().isdigit() else -1
            filled = not 0 <= index < self.shared.count or index not in self.shared.blank
            length = self.shared.long.get(index, 0)
        else:
            filled = self._filled
            length = max(self._inline_length, self._value_length)
        if length > MAX_CELL_CHARS:
            _cell_too_long(self.label, row + 1, _column_name(column), length)
        if not self._has_value:
            return
        self.cells += 1
        self.last_row, self.last_column = max(self.last_row, row), max(self.last_column, column)
        if filled:
            self.used_cells += 1
            self.used_last_row, self.used_last_column = max(self.used_last_row, row), max(self.used_last_column, column)
        elif self.sink is not None:
            self._cut_from = self._cell_at

    # -- cutting blank cells out -------------------------------------------------------
    def _keep(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._pending += chunk
            yield chunk

    def _event(self) -> None:
        at = self._parser.CurrentByteIndex
        if self._cut_from is not None:
            self._cuts.append((self._cut_from, at))
            self._cut_from = None
        self._last_event = at

    def _flush(self) -> None:
        """Write what is settled: everything before the last event, the open cell and an open cut."""
        limit = self._last_event
        if self._cell is not None:
            limit = min(limit, self._cell_at)
        if self._cut_from is not None:
            limit = min(limit, self._cut_from)
        self._write_until(limit)

    def _write_until(self, limit: int) -> None:
        sink, base = self.sink, self._pending_at
        assert sink is not None
        position = base
        view = memoryview(self._pending)
        done = 0
        for start, stop in self._cuts:
            if start >= limit:
                break
            if start > position:
                sink.write(view[position - base : start - base])
            position = max(position, min(stop, limit))
            if stop > limit:
                break
            done += 1
        del self._cuts[:done]
        if position < limit:
            sink.write(view[position - base : limit - base])
            position = limit
        view.release()
        self._pending = self._pending[position - base :]
        self._pending_at = position


def _cell_position(ref: str, with_column: bool) -> tuple[int, int]:
    """(row, column) from 0 of a reference such as "GR1048576"; the row alone from "12"."""
    match = _CELL_REF.fullmatch(ref)
    if match is None or (with_column and not match.group(1)) or int(match.group(2)) == 0:
        raise _Damaged(f"bad cell reference {ref[:20]!r}")
    return int(match.group(2)) - 1, _column_number(match.group(1)) - 1


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------
@dataclass
class _Encoding:
    codec: str  # what to decode with
    label: str  # what to report
    errors: str = "strict"
    legacy: str | None = None  # TCVN3/VNI file: convert every cell


def _read_text(
    path: Path | None,
    data: bytes | None,
    label: str,
    encoding: str,
    delimiter: str | None,
    expected_headers: Callable[[str], bool] | None,
) -> Table:
    sample = data[:_SAMPLE_BYTES] if data is not None else _read_sample(path)  # type: ignore[arg-type]
    enc = _choose_encoding(path, data, sample, label, encoding)

    def open_text() -> IO[str]:
        raw: IO[bytes] = io.BytesIO(data) if data is not None else path.open("rb")  # type: ignore[union-attr]
        return io.TextIOWrapper(raw, encoding=enc.codec, errors=enc.errors, newline="")

    sample_text = _decode_sample(sample, enc, truncated=len(sample) >= _SAMPLE_BYTES)
    if not sample_text.strip("\ufeff \t\r\n"):
        raise ReadError("cannot read {name!r}: the file has no data", name=label)
    sep_line = _sep_hint(sample_text)
    if delimiter is None:
        delimiter = sep_line or _sniff_delimiter(sample_text, utf16=enc.codec.startswith("utf-16"))
    if len(delimiter) != 1:
        raise ReadError(
            "cannot read {name!r}: the separator must be one character, not {value!r}", name=label, value=delimiter
        )
    if delimiter in '"\r\n':
        raise ReadError(
            "cannot read {name!r}: {value!r} cannot be the separator: it is a quote or a line break",
            name=label, value=delimiter,
        )

    if enc.codec.startswith("utf-16"):
        source_format = "utf16-text"
    elif delimiter == "\t":
        source_format = "tsv"
    else:
        source_format = "csv"
    records = _text_records(open_text, delimiter, bool(sep_line), label)
    return _build_table(
        records,  # type: ignore[arg-type]
        _Cells(forced=enc.legacy),
        expected_headers,
        label,
        source_format=source_format,
        encoding=enc.label,
        delimiter=delimiter,
        legacy=enc.legacy,
    )


def _read_sample(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SAMPLE_BYTES)


def _text_records(
    open_text: Callable[[], IO[str]], delimiter: str, skip_sep_line: bool, label: str
) -> Iterator[tuple[int, list[str]]]:
    """(first line number of the record, fields), streamed from the file.

    Stops with a ReadError at a quote left open at the end of the file, at a quoted cell
    that swallows line breaks and then closes in the middle of a cell, at a NUL, and at
    rows, cells or column counts beyond the bounds below.
    """
    with open_text() as stream:
        if skip_sep_line:
            stream.readline(MAX_ROW_CHARS)
        lines = _Lines(stream, label, first=2 if skip_sep_line else 1)
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)
        try:
            for record in reader:
                start, raw = lines.take()
                if len(raw) > 1 or lines.exhausted:
                    _check_quotes(raw, delimiter, start, at_end=lines.exhausted, label=label)
                if record and (len(record) > MAX_COLUMNS or max(map(len, record)) > MAX_CELL_CHARS):
                    _refuse_fields(record, start, label)
                yield start, record
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                # csv's own bound (131,072) is past Excel's: most likely a quote left open
                raise ReadError(
                    "cannot read {name!r}: line {line}: a cell is longer than {limit} characters (Excel's own "
                    "limit); if it opens with a quote, the closing quote is probably missing",
                    name=label, line=_open_quote_line(lines, delimiter), limit=MAX_CELL_CHARS,
                ) from None
            raise ReadError(
                "cannot read {name!r}: line {line}: {reason}", name=label, line=lines.record_start, reason=str(exc)
            ) from None
        except UnicodeError as exc:  # the file changed since its encoding was checked
            raise ReadError(
                "cannot read {name!r}: not valid {encoding} text near line {line} ({reason})",
                name=label, encoding=getattr(exc, "encoding", getattr(stream, "encoding", "")), line=lines.next_line,
                reason=getattr(exc, "reason", str(exc)),
            ) from None


class _Lines:
    """The lines of a text stream, for csv: numbered, bounded, kept per record, without NULs."""

    def __init__(self, stream: IO[str], label: str, first: int) -> None:
        self._stream = stream
        self._label = label
        self.next_line = first  # the number of the next line read
        self.record_start = first  # the first line of the record being read
        self.record: list[str] = []  # its lines so far
        self._record_chars = 0
        self.exhausted = False  # the end of the file was reached

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        # one more than the bound, so that a longer line is seen without reading all of it
        line = self._stream.readline(MAX_ROW_CHARS + 1)
        if not line:
            self.exhausted = True
            raise StopIteration
        if not self.record:
            self.record_start = self.next_line
        self.next_line += 1
        self.record.append(line)
        self._record_chars += len(line)
        if self._record_chars > MAX_ROW_CHARS:
            raise ReadError(
                "cannot read {name!r}: the row that starts on line {line} is longer than {limit} characters",
                name=self._label, line=self.record_start, limit=MAX_ROW_CHARS,
            )
        if "\x00" in line:
            raise ReadError(
                "cannot read {name!r}: line {line} holds a NUL character; this looks like a binary file, not a table",
                name=self._label, line=self.next_line - 1,
            )
        return line

    def take(self) -> tuple[int, list[str]]:
        """The first line number and the lines of the record just read; starts the next one."""
        taken = self.record_start, self.record
        self.record, self._record_chars = [], 0
        return taken


def _refuse_fields(record: list[str], line: int, label: str) -> None:
    """Stop at a record with too many columns or too long a cell."""
    if len(record) > MAX_COLUMNS:
        raise ReadError(
            "cannot read {name!r}: line {line} has {count} columns; a table may have at most {limit} "
            "(Excel's own limit)",
            name=label, line=line, count=len(record), limit=MAX_COLUMNS,
        )
    column = next(i for i, field in enumerate(record, start=1) if len(field) > MAX_CELL_CHARS)
    _cell_too_long(label, line, column, len(record[column - 1]))


def _cell_too_long(label: str, line: int, column: int | str, length: int) -> None:
    raise ReadError(
        "cannot read {name!r}: line {line}, column {column}: the cell holds {length} characters; "
        "a cell may hold at most {limit} (Excel's own limit)",
        name=label, line=line, column=column, length=length, limit=MAX_CELL_CHARS,
    )


# The states of csv's parser that matter for quotes (csv.reader, non-strict, doubled quotes).
_FIELD_START, _IN_FIELD, _IN_QUOTES, _QUOTE_IN_QUOTES = range(4)


def _quoted_cells(lines: list[str], delimiter: str) -> Iterator[tuple[int, int | None, bool]]:
    """For each quoted cell of a record: (line it opens on, line it closes on or None if it is
    still open at the end, whether other text follows its closing quote), lines counted from 0.

    Follows csv's own rules: a quote opens a quoted cell only at the start of a cell, a
    doubled quote inside stands for one quote, and text after the closing quote is kept.
    """
    state = _FIELD_START
    opened = 0
    for index, line in enumerate(lines):
        for char in line:
            if state == _FIELD_START:
                if char == '"':
                    state, opened = _IN_QUOTES, index
                elif char != delimiter and char not in "\r\n":
                    state = _IN_FIELD
            elif state == _IN_FIELD:
                if char == delimiter or char in "\r\n":
                    state = _FIELD_START
            elif state == _IN_QUOTES:
                if char == '"':
                    state = _QUOTE_IN_QUOTES
            elif char == '"':  # a doubled quote
                state = _IN_QUOTES
            elif char == delimiter or char in "\r\n":
                yield opened, index, False
                state = _FIELD_START
            else:
                yield opened, index, True
                state = _IN_FIELD
    if state == _IN_QUOTES:
        yield opened, None, False
    elif state == _QUOTE_IN_QUOTES:
        yield opened, len(lines) - 1, False


def _check_quotes(lines: list[str], delimiter: str, start: int, at_end: bool, label: str) -> None:
    """Refuse the two shapes a missing quote leaves: a quoted cell open at the end of the file,
    and a quoted cell that runs over line breaks and closes in the middle of a cell (its
    closing quote was the opening quote of a later cell, and the rows between vanished)."""
    for opened, closed, text_follows in _quoted_cells(lines, delimiter):
        if closed is None and at_end:
            raise ReadError(
                "cannot read {name!r}: the quote that opens on line {line} is never closed: it runs to the end "
                'of the file; close it, or double it ("") if it is part of the text',
                name=label, line=start + opened,
            )
        if closed is not None and closed > opened and text_follows:
            raise ReadError(
                "cannot read {name!r}: the quoted cell that opens on line {line} runs to line {end} and closes "
                "in the middle of a cell; a quote is probably missing: check the quotes from line {line} to "
                "line {end}",
                name=label, line=start + opened, end=start + closed,
            )


def _open_quote_line(lines: _Lines, delimiter: str) -> int:
    """The line where the quoted cell still open in the record being read began."""
    for opened, closed, _ in _quoted_cells(lines.record, delimiter):
        if closed is None:
            return lines.record_start + opened
    return lines.record_start


# Shown in the messages about encodings; any other character set Python knows is accepted too.
ACCEPTED_ENCODINGS = ("auto", "utf-8", "utf-16", "cp1258", "tcvn3", "vni", "cp1252", "latin-1")
# Codecs Python calls text encodings that are not character sets of files.
_NOT_CHARSETS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}
# Characters that only a well-formed UTF-8 sequence gives: Latin letters with marks, Vietnamese
# ones, combining marks, typographic punctuation and the đồng sign.
_UTF8_TEXT = re.compile("[\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff\u2010-\u206f\u20ab]")


@dataclass
class _BadByte:
    """The first byte a codec rejects: where it is and why."""

    offset: int  # from the start of the file
    value: int
    reason: str
    line: int = 0  # filled in by _locate

    @property
    def hex(self) -> str:
        return f"0x{self.value:02x}"


def _choose_encoding(path: Path | None, data: bytes | None, sample: bytes, label: str, encoding: str) -> _Encoding:
    """The explicit encoding (checked), else BOM → strict UTF-8 → cp1258 or TCVN3/VNI.

    A file is read in a legacy encoding only when it is not UTF-8 anywhere (no well-formed
    UTF-8 letter in the whole file) and the legacy reading is Vietnamese; a UTF-8 file with
    a few bad bytes stops at the first of them instead of being read as cp1258 throughout.
    """
    if encoding and encoding.lower() != "auto":
        return _explicit_encoding(path, data, sample, label, encoding)

    if sample.startswith(codecs.BOM_UTF8):
        _require_clean(path, data, label, "utf-8", "UTF-8")
        return _Encoding("utf-8-sig", "utf-8-sig")
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        _require_clean(path, data, label, "utf-16", "UTF-16")
        return _Encoding("utf-16", "utf-16")
    nul_guess = _utf16_without_bom(sample)
    if nul_guess:
        _require_clean(path, data, label, nul_guess, "UTF-16")
        return _Encoding(nul_guess, nul_guess)
    _refuse_nul(sample, label)
    bad = _first_bad_byte(path, data, "utf-8")
    if bad is None:
        return _Encoding("utf-8", "utf-8")
    _locate(bad, path, data, "utf-8")
    if _has_utf8_text(path, data):
        raise ReadError(
            "cannot read {name!r}: the byte {byte} at line {line} (byte offset {offset}) is not valid {encoding}; "
            "if the file is in another encoding, name it with --encoding (e.g. --encoding cp1258)",
            name=label, byte=bad.hex, line=bad.line, offset=bad.offset, encoding="UTF-8",
        )
    legacy = _legacy_reading(sample)
    if legacy is None:
        raise ReadError(
            "cannot read {name!r}: the encoding could not be recognised: the file is not UTF-8 "
            "(byte {byte} at line {line}, byte offset {offset}) and does not read as Vietnamese in cp1258, "
            "TCVN3 or VNI; name its encoding with --encoding (e.g. --encoding cp1258)",
            name=label, byte=bad.hex, line=bad.line, offset=bad.offset,
        )
    if legacy == "cp1258":
        return _Encoding("cp1258", "cp1258", "nqtrack-latin1")
    return _Encoding("cp1252", "cp1252", "nqtrack-latin1", legacy)


def _explicit_encoding(path: Path | None, data: bytes | None, sample: bytes, label: str, encoding: str) -> _Encoding:
    legacy = _LEGACY_NAMES.get(encoding.lower().replace("-", "").replace("_", ""))
    if legacy:
        return _Encoding("cp1252", "cp1252", "nqtrack-latin1", legacy)
    accepted = ", ".join(ACCEPTED_ENCODINGS)
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ReadError(
            "cannot read {name!r}: unknown encoding {value!r}; use one of {accepted}, or another character set "
            "Python knows",
            name=label, value=encoding, accepted=accepted,
        ) from None
    # rot13, hex, base64, zlib… are codecs but not text encodings: TextIOWrapper would fail
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        raise ReadError(
            "cannot read {name!r}: {value!r} is not a character encoding; use one of {accepted}, "
            "or another character set Python knows",
            name=label, value=encoding, accepted=accepted,
        )
    codec = info.name
    if codec == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    if not codec.startswith("utf-16") and not codec.startswith("utf-32"):
        _refuse_nul(sample, label)
    bad = _first_bad_byte(path, data, codec)
    if bad is not None:
        _locate(bad, path, data, codec)
        raise ReadError(
            "cannot read {name!r}: not valid {encoding} text (line {line}: {reason})",
            name=label, encoding=encoding, line=bad.line, reason=bad.reason,
        )
    return _Encoding(codec, codec)


def _require_clean(path: Path | None, data: bytes | None, label: str, codec: str, shown: str) -> None:
    """Stop at the first byte `codec` rejects: the BOM (or the zero bytes) said what the file is."""
    bad = _first_bad_byte(path, data, codec)
    if bad is not None:
        _locate(bad, path, data, codec)
        raise ReadError(
            "cannot read {name!r}: the byte {byte} at line {line} (byte offset {offset}) is not valid {encoding}; "
            "if the file is in another encoding, name it with --encoding (e.g. --encoding cp1258)",
            name=label, byte=bad.hex, line=bad.line, offset=bad.offset, encoding=shown,
        )


def _refuse_nul(sample: bytes, label: str) -> None:
    """A NUL in a file that is not UTF-16 means binary data, not a table."""
    at = sample.find(b"\x00")
    if at >= 0:
        raise ReadError(
            "cannot read {name!r}: line {line} holds a NUL character; this looks like a binary file, not a table",
            name=label, line=_count_breaks(sample[:at].decode("latin-1")) + 1,
        )


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without BOM: ASCII-heavy text then has a zero byte in every other place."""
    probe = sample[:4096]
    if len(probe) < 4 or probe.count(0) * 4 < len(probe):
        return None
    even = probe[0::2].count(0)
    odd = probe[1::2].count(0)
    if odd > even * 4:
        return "utf-16-le"
    if even > odd * 4:
        return "utf-16-be"
    return None


def _byte_chunks(path: Path | None, data: bytes | None) -> Iterator[bytes]:
    if data is not None:
        view = memoryview(data)
        for start in range(0, len(data), _CHUNK):
            yield bytes(view[start : start + _CHUNK])
        return
    with path.open("rb") as fh:  # type: ignore[union-attr]
        yield from iter(lambda: fh.read(_CHUNK), b"")


def _first_bad_byte(path: Path | None, data: bytes | None, codec: str) -> _BadByte | None:
    """The first byte that `codec` rejects, reading in chunks; None if the whole file is clean."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    fed = 0  # bytes given to the decoder before this chunk
    for chunk in _byte_chunks(path, data):
        held = len(decoder.getstate()[0])  # the tail of the last chunk it kept back
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return _bad_byte(exc, fed - held)
        except UnicodeError as exc:  # codecs such as utf-7 raise the base class
            return _BadByte(fed, chunk[0], str(exc))
        fed += len(chunk)
    held = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return _bad_byte(exc, fed - held)
    except UnicodeError as exc:
        return _BadByte(max(fed - held, 0), 0, str(exc))
    return None


def _bad_byte(exc: UnicodeDecodeError, base: int) -> _BadByte:
    start = max(exc.start, 0)
    value = exc.object[start] if start < len(exc.object) else 0
    return _BadByte(max(base + start, 0), value, exc.reason)


def _locate(bad: _BadByte, path: Path | None, data: bytes | None, codec: str) -> None:
    """Fill in the line of `bad`: the line breaks of the text before it, as csv counts them."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    left = bad.offset
    breaks = 0
    carry = ""  # a "\r" at the end of a piece may be the first half of "\r\n"
    for chunk in _byte_chunks(path, data):
        piece = chunk[:left]
        left -= len(piece)
        try:
            text = carry + decoder.decode(piece, final=left == 0)
        except UnicodeError:  # a decoder that fails even so ("UTF-16 stream does not start with BOM")
            text = carry + piece.decode("latin-1")
        carry = "\r" if text.endswith("\r") and left else ""
        breaks += _count_breaks(text[:-1] if carry else text)
        if not left:
            break
    bad.line = breaks + 1


def _count_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _has_utf8_text(path: Path | None, data: bytes | None) -> bool:
    """Does some well-formed UTF-8 sequence anywhere give a letter or mark beyond ASCII?"""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    return any(_UTF8_TEXT.search(decoder.decode(chunk)) for chunk in _byte_chunks(path, data))


def _legacy_reading(sample: bytes) -> str | None:
    """"cp1258", "tcvn3" or "vni": the reading of the bytes that is Vietnamese; None if none is.

    Each reading is scored by how many of its non-ASCII words are Vietnamese syllables; it
    is Vietnamese when at least half of them are.  cp1258 is not used to read a TCVN3 file
    even for detection: it would turn several TCVN3 letters into combining marks and lose them.
    """
    as_1252 = sample.decode("cp1252", errors="nqtrack-latin1")
    readings = {
        "cp1258": unicodedata.normalize("NFC", sample.decode("cp1258", errors="nqtrack-latin1")),
        "tcvn3": convert_as(as_1252, "tcvn3"),
        "vni": convert_as(as_1252, "vni"),
    }
    best, best_score, best_words = None, 0, 0
    for name, text in readings.items():  # cp1258 first: a legacy reading must do better
        score, words = _syllable_score(text)
        if score > best_score:
            best, best_score, best_words = name, score, words
    if best is None or best_score * 2 < best_words:
        return None
    return best


_WORD_BREAKS = re.compile(r"[\s\d,;|\"'()\[\]./:!?=+*&%<>-]+")


def _syllable_score(text: str) -> tuple[int, int]:
    """(Vietnamese syllables, all words) among the non-ASCII words of `text`."""
    words = [word for word in _WORD_BREAKS.split(text) if not word.isascii()]
    return sum(1 for word in words if is_vietnamese_syllable(word)), len(words)


def _decode_sample(sample: bytes, enc: _Encoding, truncated: bool) -> str:
    errors = "replace" if enc.errors == "strict" else enc.errors
    text = codecs.getincrementaldecoder(enc.codec)(errors=errors).decode(sample, final=not truncated)
    if truncated:  # the last line may be cut in the middle
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut > 0:
            text = text[:cut]
    return text.lstrip("\ufeff")


def _sep_hint(sample_text: str) -> str | None:
    """Excel's "sep=;" first line, which names the separator."""
    first = sample_text.split("\n", 1)[0].strip("\r\n\"")
    if len(first) == 5 and first.lower().startswith("sep="):
        return first[4]
    return None


def _sniff_delimiter(sample_text: str, utf16: bool) -> str:
    """The separator that gives the most rows with one same number (2+) of columns.

    Ties go to the larger column count, then to comma, semicolon, tab, bar in that order;
    a file where no separator gives 2+ columns is read with tab (UTF-16) or comma.
    """
    best = "\t" if utf16 else ","
    best_key = (0, 0)
    for candidate in _DELIMITERS:
        counts: dict[int, int] = {}
        reader = csv.reader(io.StringIO(sample_text, newline=""), delimiter=candidate)
        try:
            for i, record in enumerate(reader):
                if i >= _SNIFF_RECORDS:
                    break
                if any(field.strip() for field in record):
                    counts[len(record)] = counts.get(len(record), 0) + 1
        except csv.Error:
            continue
        usable = {n: c for n, c in counts.items() if n >= 2}
        if not usable:
            continue
        width, rows = max(usable.items(), key=lambda item: (item[1], item[0]))
        key = (rows, width)
        if key > best_key:
            best, best_key = candidate, key
    return best
