"""A unit's own sheet (phiếu cập nhật), for offices without a server: its columns, and the
signature that lets the register recognise a sheet it made and refuse an edited one.

The sheet lists the open tasks a unit leads. The columns `ENTRY_COLUMNS` are the unit's to
fill; the others are locked. The sheet carries a signature: an HMAC-SHA256, with a secret
the register keeps and never prints, of the register, the sheet, the unit, the moment it was
made and the task numbers in the order of its rows. A returned sheet whose rows name other
tasks, or whose signature was changed, does not verify and is refused whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

FORMAT = "nqtrack-sheet"
VERSION = 1
# The workbook's hidden sheet that carries the signature (field | value rows).
SIGNATURE_SHEET = "nqtrack-signature"
SIGNATURE_FIELDS = ("format", "version", "register", "sheet", "unit", "issued_at", "signature")

# The columns of the tasks sheet, by machine key (the sheet carries these keys in a hidden
# row above the labels, so that it is read back whatever the language it was made in).
SHEET_COLUMNS = ("id", "code", "title", "document", "deadline", "state", "current_progress", "status",
                 "progress", "result", "completed_on", "product", "extension_to", "extension_reason")
# What a unit fills: a new progress, what it did, the day it finished and its product (a
# proposed completion), a new deadline it asks for and why (an extension request).
ENTRY_COLUMNS = ("progress", "result", "completed_on", "product", "extension_to", "extension_reason")


def new_secret() -> str:
    return secrets.token_hex(32)


def new_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Signed:
    """What a sheet's signature covers."""

    register: str
    sheet: str
    unit: int
    issued_at: str
    tasks: tuple[int, ...]

    def message(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, "register": self.register, "sheet": self.sheet,
                           "unit": self.unit, "issued_at": self.issued_at, "tasks": list(self.tasks)},
                          separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, signed: Signed) -> str:
    return hmac.new(bytes.fromhex(secret), signed.message(), hashlib.sha256).hexdigest()


def verifies(secret: str, signed: Signed, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, signed), signature or "")


def task_numbers(cells: Sequence[object]) -> list[int] | None:
    """The task numbers of the rows as read (whole numbers); None when one is not."""
    numbers = []
    for cell in cells:
        if isinstance(cell, bool) or not isinstance(cell, int | str):
            return None
        text = str(cell).strip().lstrip("#")
        if not text.isdigit():
            return None
        numbers.append(int(text))
    return numbers
