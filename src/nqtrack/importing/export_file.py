"""Reading `nqtrack export` JSON back (to rebuild a register in an empty database)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from nqtrack.core.errors import InvalidInput

FORMAT = "nqtrack-export"
_SCALARS = (str, int, float, bool, type(None))


def _head(source: str | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[:200]
    if not os.path.isfile(source):  # a FIFO would block the open: the reader refuses it
        return b""
    try:
        with open(source, "rb") as f:
            return f.read(200)
    except OSError:
        return b""


def is_export(source: str | bytes) -> bool:
    """Is this a JSON export of nqtrack (rather than a spreadsheet)?"""
    head = _head(source)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and FORMAT.encode() in head


def read_export(source: str | bytes) -> dict[str, Any]:
    try:
        if isinstance(source, bytes):
            raw = source
        else:
            with open(source, "rb") as f:
                raw = f.read()
        data = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidInput("cannot import: {reason}", reason=str(exc) or type(exc).__name__) from None
    if not isinstance(data, dict):
        raise InvalidInput("cannot import: {reason}", reason="not an nqtrack export")
    return data


def check_export(data: dict[str, Any], tables: Sequence[str]) -> None:
    """The shape of an export, before anything is written: its format and schema, and for
    each table a list of rows, each an object of plain values (text, numbers, null)."""
    if data.get("format") != FORMAT:
        raise InvalidInput("cannot import: {reason}", reason="not an nqtrack export")
    schema = data.get("schema")
    if type(schema) is not int or schema < 1:
        raise InvalidInput("cannot import: {reason}", reason="'schema' is not a schema version")
    for table in tables:
        rows = data.get(table)
        if rows is None:
            continue
        if not isinstance(rows, list):
            raise InvalidInput("cannot import: '{table}' is not a list of rows", table=table)
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or not all(
                    isinstance(key, str) and isinstance(value, _SCALARS) for key, value in row.items()):
                raise InvalidInput("cannot import: row {number} of '{table}' is not an object of plain values",
                                   number=number, table=table)
