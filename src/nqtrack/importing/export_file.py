"""Reading `nqtrack export` JSON back (to rebuild a register in an empty database)."""

from __future__ import annotations

import json
from typing import Any

from nqtrack.core.errors import InvalidInput


def _head(source: str | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[:200]
    try:
        with open(source, "rb") as f:
            return f.read(200)
    except OSError:
        return b""


def is_export(source: str | bytes) -> bool:
    """Is this a JSON export of nqtrack (rather than a spreadsheet)?"""
    head = _head(source)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b"nqtrack-export" in head


def read_export(source: str | bytes) -> dict[str, Any]:
    try:
        if isinstance(source, bytes):
            raw = source
        else:
            with open(source, "rb") as f:
                raw = f.read()
        data = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("cannot import: {reason}", reason=str(exc)) from None
    if not isinstance(data, dict):
        raise InvalidInput("cannot import: {reason}", reason="not an nqtrack export")
    return data
