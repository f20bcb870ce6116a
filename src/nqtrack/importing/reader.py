"""Read the task registers offices export (CSV, TSV, Excel "Unicode text", XLSX) into rows.

Offices export in whatever their tools give: UTF-8 with or without BOM, UTF-16 from
Excel's "Unicode text", cp1258 from old Windows, or TCVN3/VNI legacy text; separators are
commas, semicolons (Excel in Vietnamese locale) or tabs; and title rows ("PHỤ LỤC",
"DANH MỤC NHIỆM VỤ ...") sit above the header.  This module hides all of that: it finds the
header row and yields the data rows with their real line numbers, so that an import
error can point at the line the user sees in the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from nqtrack.core.text import fold, nfc
from nqtrack.importing.legacy_vn import (
    convert_as,
    detect_legacy,
    has_unicode_vietnamese,
    is_vietnamese_syllable,
    to_unicode,
)

__all__ = ["ReadError", "Table", "read_table"]

HEADER_SEARCH_ROWS = 30  # title rows above the header are looked through this far
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


class ReadError(Exception):
    """A file that cannot be read as a table; the message names the file and says why."""


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


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------
class _Cells:
    """Normalises cells and converts legacy text, counting what it converted."""

    def __init__(self, forced: str | None = None) -> None:
        self.forced = forced  # the whole file is in this legacy encoding
        self.prefer: str | None = None  # most cells are in this legacy encoding
        self.converted = 0
        self._seen: dict[str, tuple[str, bool]] = {}  # raw short cell → (text, converted?)

    def text(self, raw: str, count: bool = True) -> str:
        # registers repeat short cells (units, sources, states, dates) thousands of times
        if len(raw) <= 48:
            known = self._seen.get(raw)
            if known is not None:
                if known[1] and count:
                    self.converted += 1
                return known[0]
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
        if len(raw) <= 48 and len(self._seen) < 50_000:
            self._seen[raw] = (new, changed)
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
        raise ReadError(f"cannot read {name!r}: the file has no data")
    cells.learn(rec for _, rec in head)

    previews = [[cells.header(c, count=False) for c in rec] for _, rec in head]
    index = _find_header(previews, expected_headers)
    if index is None:
        raise ReadError(
            f"cannot read {name!r}: no header row found in the first {HEADER_SEARCH_ROWS} rows"
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
    table.rows = _data_rows(table, head[index + 1 :], records, cells, len(headers))
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
) -> Iterator[tuple[int, list[object]]]:
    for line, record in _chain(buffered, rest):
        values = [cells.value(c) for c in record[:width]]
        table.converted_cells = cells.converted
        if not any(v != "" for v in values):
            continue
        if len(values) < width:
            values.extend([""] * (width - len(values)))
        yield line, values


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
            with path.open("rb") as fh:
                head = fh.read(8)
        except FileNotFoundError:
            raise ReadError(f"cannot read {label!r}: no such file") from None
        except IsADirectoryError:
            raise ReadError(f"cannot read {label!r}: it is a folder, not a file") from None
        except OSError as exc:
            raise ReadError(f"cannot read {label!r}: {exc.strerror or exc}") from None
    if not head:
        raise ReadError(f"cannot read {label!r}: the file is empty")

    magic = head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC)
    by_suffix = path is not None and path.suffix.lower() in _EXCEL_SUFFIXES
    if magic or by_suffix:
        try:
            return _read_excel(path, data, label, sheet, expected_headers)
        except _NotExcel as exc:
            if magic:
                raise ReadError(f"cannot read {label!r}: not an Excel file ({exc})") from None
            # a ".xls" that is really text (web apps often do this): read it as text
    return _read_text(path, data, label, encoding, delimiter, expected_headers)


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------
class _NotExcel(Exception):
    pass


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
        raise ReadError(f"cannot read {label!r}: reading Excel files needs python-calamine") from None
    try:
        if data is not None:
            book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        else:
            book = calamine.CalamineWorkbook.from_path(os.fspath(path))  # type: ignore[arg-type]
    except calamine.PasswordError:
        raise ReadError(f"cannot read {label!r}: the workbook is password-protected") from None
    except Exception as exc:  # calamine raises several kinds for damaged/non-Excel files
        raise _NotExcel(str(exc) or type(exc).__name__) from None

    names = list(book.sheet_names)
    if not names:
        raise ReadError(f"cannot read {label!r}: the workbook has no sheets")
    chosen = _choose_sheet(book, names, sheet)
    if chosen is None:
        raise ReadError(f"cannot read {label!r}: sheet {sheet!r} not found; sheets: {', '.join(names)}")
    try:
        # skip_empty_area=False: row i of the list is Excel row i+1, column A included
        grid = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:
        raise ReadError(f"cannot read {label!r}: sheet {chosen!r} is damaged ({exc})") from None
    finally:
        try:
            book.close()
        except Exception:  # pragma: no cover - already closed
            pass

    records = ((i, row) for i, row in enumerate(grid, start=1))
    return _build_table(
        records,
        _Cells(),
        expected_headers,
        label,
        source_format="xlsx",
        encoding=None,
        delimiter=None,
        sheet=chosen,
    )


def _choose_sheet(book: object, names: list[str], wanted: str | None) -> str | None:
    """The sheet asked for (exact, then case/accent-insensitive), else the first visible one."""
    if wanted is None:
        try:
            for meta in book.sheets_metadata:  # type: ignore[attr-defined]
                if meta.visible.name == "Visible" and meta.name in names:
                    return meta.name
        except Exception:  # pragma: no cover - metadata is optional
            pass
        return names[0]
    if wanted in names:
        return wanted
    key = fold(wanted)
    for candidate in names:
        if fold(candidate) == key:
            return candidate
    return None


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
        raise ReadError(f"cannot read {label!r}: the file has no data")
    sep_line = _sep_hint(sample_text)
    if delimiter is None:
        delimiter = sep_line or _sniff_delimiter(sample_text, utf16=enc.codec.startswith("utf-16"))
    if len(delimiter) != 1:
        raise ReadError(f"cannot read {label!r}: the separator must be one character, not {delimiter!r}")

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
    """(first line number of the record, fields), streamed from the file."""
    with open_text() as stream:
        offset = 0
        if skip_sep_line:
            stream.readline()
            offset = 1
        reader = csv.reader(stream, delimiter=delimiter, quotechar='"', doublequote=True)
        previous = 0
        try:
            for record in reader:
                yield offset + previous + 1, record
                previous = reader.line_num
        except csv.Error as exc:
            raise ReadError(f"cannot read {label!r}: line {offset + reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"cannot read {label!r}: not valid {stream.encoding} text near line "
                f"{offset + reader.line_num + 1} ({exc.reason})"
            ) from None


def _choose_encoding(
    path: Path | None, data: bytes | None, sample: bytes, label: str, encoding: str
) -> _Encoding:
    """The explicit encoding (checked), else BOM → strict UTF-8 → cp1258 or TCVN3/VNI."""
    if encoding and encoding.lower() != "auto":
        legacy = _LEGACY_NAMES.get(encoding.lower().replace("-", "").replace("_", ""))
        if legacy:
            return _Encoding("cp1252", "cp1252", "nqtrack-latin1", legacy)
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ReadError(f"cannot read {label!r}: unknown encoding {encoding!r}") from None
        if codec == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        bad = _first_decode_error(path, data, codec)
        if bad is not None:
            line, reason = bad
            raise ReadError(f"cannot read {label!r}: not valid {encoding} text (line {line}: {reason})")
        return _Encoding(codec, codec)

    if sample.startswith(codecs.BOM_UTF8):
        return _Encoding("utf-8-sig", "utf-8-sig", "replace")
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return _Encoding("utf-16", "utf-16", "replace")
    nul_guess = _utf16_without_bom(sample)
    if nul_guess:
        return _Encoding(nul_guess, nul_guess, "replace")
    if _first_decode_error(path, data, "utf-8") is None:
        return _Encoding("utf-8", "utf-8")
    legacy = _legacy_file_encoding(sample)
    if legacy:
        return _Encoding("cp1252", "cp1252", "nqtrack-latin1", legacy)
    return _Encoding("cp1258", "cp1258", "nqtrack-latin1")


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


def _first_decode_error(path: Path | None, data: bytes | None, codec: str) -> tuple[int, str] | None:
    """(line, reason) of the first byte that `codec` rejects, reading in chunks; None if clean."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    if data is not None:
        return _scan(decoder, (data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK)))
    with path.open("rb") as fh:  # type: ignore[union-attr]
        return _scan(decoder, iter(lambda: fh.read(_CHUNK), b""))


def _scan(decoder: codecs.IncrementalDecoder, chunks: Iterable[bytes]) -> tuple[int, str] | None:
    lines = 1
    for chunk in chunks:
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return lines + chunk[: max(exc.start, 0)].count(b"\n"), exc.reason
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return lines, exc.reason
    return None


def _legacy_file_encoding(sample: bytes) -> str | None:
    """"tcvn3"/"vni" when the bytes read better as that than as cp1258, else None.

    Each reading is scored by how many of its non-ASCII words are Vietnamese syllables.
    cp1258 is not used to read a TCVN3 file even for detection: it would turn several
    TCVN3 letters into combining marks and lose them.
    """
    as_1258 = unicodedata.normalize("NFC", sample.decode("cp1258", errors="nqtrack-latin1"))
    as_1252 = sample.decode("cp1252", errors="nqtrack-latin1")
    best, best_score = None, _syllable_score(as_1258)
    for legacy in ("tcvn3", "vni"):
        score = _syllable_score(convert_as(as_1252, legacy))
        if score > best_score:
            best, best_score = legacy, score
    return best


_WORD_BREAKS = re.compile(r"[\s\d,;|\"'()\[\]./:!?=+*&%<>-]+")


def _syllable_score(text: str) -> int:
    """How many non-ASCII words of `text` are Vietnamese syllables."""
    return sum(
        1 for word in _WORD_BREAKS.split(text) if not word.isascii() and is_vietnamese_syllable(word)
    )


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
