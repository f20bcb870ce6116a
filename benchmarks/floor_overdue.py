#!/usr/bin/env python3
"""The floor for `nqtrack overdue --format csv`: a bare script, standard library only.

    python benchmarks/floor_overdue.py REGISTER.db --today 2026-11-22 [--within 7] > out.csv

It opens the same SQLite register, runs the query nqtrack's `Store.overdue_rows` runs
(open tasks, i.e. new, in progress or paused, with a deadline up to today + within
days, with their document, lead unit and coordinating units), sorts them into the
sections of the morning view (overdue, paused, due soon) and writes the same CSV
columns as `nqtrack overdue --format csv`.

Simplified: it reads the tasks' current columns, without nqtrack's as-of replay of
changes that take effect after today (`prepare_as_of`); for today, on a register
without such changes, the rows are the same (benchmarks/run.py compares the two outputs
and says whether they are identical). Units are ordered by a short Vietnamese alphabet
key (base letters, ă â đ ê ô ơ ư as letters of their own, tones ignored), not
nqtrack's full TCVN collation. A document shares its symbol with another in use: its
symbol with its date (or its number), as nqtrack's listings name it. The working days
overdue stay empty: the benchmark's registers have no calendar of working days.
"""

from __future__ import annotations

import csv
import sqlite3
import sys
import unicodedata
from datetime import date, timedelta

COLUMNS = ("section", "id", "code", "title", "document", "lead_unit", "coordinating_units", "assignee",
           "deadline", "original_deadline", "days_overdue", "carried_over", "extended", "state", "working_days_overdue",
           # issue 19: a unit's pending request on the task (none in the benchmark's registers)
           "request", "requested_day", "request_note", "requested_on", "requested_by")

SQL = """
SELECT t.id, t.code, t.title,
       CASE WHEN d.id IS NULL THEN NULL
            WHEN EXISTS (SELECT 1 FROM documents o WHERE o.symbol_key = d.symbol_key AND o.id != d.id
                         AND o.merged_into IS NULL)
            THEN CASE WHEN d.issued_on IS NULL THEN '#' || d.id
                      ELSE d.symbol || '@' || substr(d.issued_on, 9, 2) || '/' || substr(d.issued_on, 6, 2)
                           || '/' || substr(d.issued_on, 1, 4) END
            ELSE d.symbol END,
       u.name,
       (SELECT group_concat(cu.name, '; ') FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
         WHERE tu.task_id = t.id),
       t.assignee, t.deadline, t.original_deadline, t.state
FROM tasks t
LEFT JOIN documents d ON d.id = t.document_id
LEFT JOIN units u ON u.id = t.lead_unit_id
WHERE t.state IN ('new', 'in_progress', 'paused') AND t.deadline <= ?
ORDER BY t.deadline, t.id
"""

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTERS = {c: chr(0x21 + i) for i, c in enumerate(_ALPHABET)}
_MAKE = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
         ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


def unit_key(name: str | None) -> str:
    """Letters in the Vietnamese alphabet's order, tones ignored; spaces first."""
    if not name:
        return ""
    out: list[str] = []
    for c in unicodedata.normalize("NFD", name.casefold()):
        if unicodedata.combining(c):
            if out and (out[-1], c) in _MAKE:  # breve, circumflex, horn make a letter
                out[-1] = _MAKE[(out[-1], c)]
            continue
        out.append(c)
    return "".join("\x01" if c.isspace() else _LETTERS.get(c, c) for c in out)


def neutral(value: str) -> str:
    """As nqtrack's CSV: a text that a spreadsheet would take as a formula gets a quote."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def main(argv: list[str]) -> int:
    args = argv[1:]
    today, within = date.today(), 7
    db = None
    while args:
        a = args.pop(0)
        if a == "--today":
            today = date.fromisoformat(args.pop(0))
        elif a == "--within":
            within = int(args.pop(0))
        else:
            db = a
    if db is None:
        print(__doc__, file=sys.stderr)
        return 2
    conn = sqlite3.connect(db)
    rows = conn.execute(SQL, [(today + timedelta(days=within)).isoformat()]).fetchall()
    conn.close()
    first_of_month = today.replace(day=1)
    overdue, paused, soon = [], [], []
    for id_, code, title, document, lead, coordinating, assignee, deadline, original, state in rows:
        due = date.fromisoformat(deadline)
        days = max(0, (today - due).days)
        row = [id_, code, title, document, lead, coordinating, assignee, deadline, original, days,
               int(due < first_of_month), int(original is not None and original != deadline), state, None, None, None, None, None, None]
        if due >= today:
            soon.append(("due_soon", row))
        elif state == "paused":
            paused.append(("paused", row))
        else:
            overdue.append(("overdue", row))
    overdue.sort(key=lambda s: (unit_key(s[1][4]), s[1][4] or "", -s[1][9], s[1][0]))
    paused.sort(key=lambda s: (-s[1][9], s[1][0]))  # soon: already by deadline, id
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for section, row in overdue + paused + soon:
        out.writerow([section] + [neutral("" if v is None else str(v)) for v in row])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
