"""Reading a unit's sheet sent back (core/sheets.py): its signature and its rows.

Both sheets are read by the hardened reader (`reader.read_table`), like any workbook an
office sends: the hidden signature sheet (field | value rows) and the tasks sheet, whose
header is the hidden row of machine keys above the labels, so that a sheet made in one
language is read back in the other.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nqtrack.core.sheets import SHEET_COLUMNS, SIGNATURE_SHEET
from nqtrack.importing.reader import read_table

_WORKBOOK_PART = "xl/workbook.xml"
_MAX_WORKBOOK_PART = 1 << 20  # the part naming the sheets: far smaller in any real workbook


@dataclass
class ReturnedSheet:
    """A returned sheet as read: its signature fields, and its task rows as (Excel row,
    machine key → cell)."""

    fields: dict[str, str]
    rows: list[tuple[int, dict[str, object]]]


def is_sheet(source: str | Path | bytes) -> bool:
    """Whether a file is a workbook nqtrack made as a unit's sheet (it has the signature
    sheet); read from the workbook's list of sheets, without opening the sheets."""
    try:
        if isinstance(source, bytes | bytearray):
            if bytes(source[:2]) != b"PK":
                return False
            archive = zipfile.ZipFile(io.BytesIO(bytes(source)))
        else:
            path = Path(source)
            if not path.is_file() or path.suffix.lower() != ".xlsx":
                return False
            archive = zipfile.ZipFile(path)
        with archive:
            names = {name.lower(): name for name in archive.namelist()}
            if _WORKBOOK_PART not in names:
                return False
            with archive.open(names[_WORKBOOK_PART]) as part:
                head = part.read(_MAX_WORKBOOK_PART)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False
    return f'name="{SIGNATURE_SHEET}"'.encode() in head


def read_returned(source: str | Path | bytes, name: str | None = None) -> ReturnedSheet:
    """The signature fields and the task rows of a returned sheet (ReadError when the file
    cannot be read as one)."""
    signature = read_table(source, sheet=SIGNATURE_SHEET, name=name,
                           expected_headers=lambda header: header in ("field", "value"))
    fields = {str(cells[0]): _text(cells[1]) for _line, cells in signature.rows if len(cells) >= 2 and cells[0]}
    tasks = read_table(source, name=name, expected_headers=lambda header: header in SHEET_COLUMNS)
    keys = tasks.headers
    rows = []
    for index, (line, cells) in enumerate(tasks.rows):
        if index == 0 and line == tasks.header_line + 1:
            continue  # the labels people read, under the hidden row of keys
        rows.append((line, {key: cell for key, cell in zip(keys, cells, strict=False) if key in SHEET_COLUMNS}))
    return ReturnedSheet(fields, rows)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)
