#!/usr/bin/env python3
"""The floor for `nqtrack import tasks.csv`: a bare script, standard library only.

    python benchmarks/floor_import.py REGISTER.db tasks.csv [--by NAME] [--today YYYY-MM-DD]

REGISTER.db is a fresh copy of nqtrack's schema that holds only the units (the same
copy `nqtrack import` gets in the benchmark). The script parses the CSV that
generate.py writes (csv module; Vietnamese headers in its fixed column order; day-first
dates; the deadline texts it writes: "dd/mm/yyyy", "Trước ngày d tháng m năm y",
"Tháng m/y", "Quý I–IV/y", "Năm y", "Thường xuyên", "Hằng năm", "Không thời hạn";
Vietnamese state names) and inserts the rows nqtrack's import inserts, in one
transaction: a `documents` row for each new symbol (its parts read as
`core.symbols.parse_symbol` reads the symbols generate.py writes), the `tasks` row
(title_key folded), `task_units` for the coordinating units, the journal in `events`
(the "imported" creation event with the fingerprint of the fields the task was created
with, and for a completed task its
state and completed_on events on the completion day), the folded search text in
`task_search` and the import's `batches` row.

What it leaves out, because the benchmark's file needs none of it: encoding and legacy
font detection, header mapping, checks and error reports, updates of existing tasks,
new units, extensions. benchmarks/run.py compares its database with nqtrack's
(`compare`, below) and says whether the rows are the same.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sqlite3
import sys
import unicodedata
import uuid
import zlib
from datetime import UTC, date, datetime

# -- folding (as nqtrack.core.text.fold) ------------------------------------------------------

_STRIP = {ord(k): "d" for k in "đĐÐð"}
for _start, _end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
    for _code in range(_start, _end):
        _base = "".join(c for c in unicodedata.normalize("NFD", chr(_code)) if not unicodedata.combining(c))
        if _base != chr(_code) and _code not in _STRIP:
            _STRIP[_code] = _base


def fold(text: str) -> str:
    if not text:
        return ""
    bare = unicodedata.normalize("NFC", text).translate(_STRIP)
    if not bare.isascii():
        bare = "".join(c for c in unicodedata.normalize("NFD", bare) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# -- dates and deadlines ----------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_BEFORE = re.compile(r"^truoc ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})$")
_MONTH = re.compile(r"^thang (\d{1,2})/(\d{4})$")
_QUARTER = re.compile(r"^quy (i|ii|iii|iv)/(\d{4})$")
_YEAR = re.compile(r"^nam (\d{4})$")
_RECURRING = ("thuong xuyen", "hang nam")
_NONE = ("khong thoi han",)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def day(text: str) -> str | None:
    m = _DMY.match(text)
    return f"{int(m[3]):04d}-{int(m[2]):02d}-{int(m[1]):02d}" if m else None


def month_end(y: int, m: int) -> str:
    leap = m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0))
    return f"{y:04d}-{m:02d}-{_MONTH_DAYS[m - 1] + leap:02d}"


_deadlines: dict[str, tuple[str | None, str | None, int]] = {}


def deadline(text: str) -> tuple[str | None, str | None, int]:
    """(deadline, deadline_text, recurring) of a cell."""
    found = _deadlines.get(text)
    if found is not None:
        return found
    written = nfc(text)
    folded = fold(written)
    if not written:
        found = (None, None, 0)
    elif folded in _RECURRING:
        found = (None, written, 1)
    elif folded in _NONE:
        found = (None, written, 0)
    elif m := _DMY.match(folded):
        found = (day(folded), written, 0)
    elif m := _BEFORE.match(folded):
        found = (f"{int(m[3]):04d}-{int(m[2]):02d}-{int(m[1]):02d}", written, 0)
    elif m := _MONTH.match(folded):
        found = (month_end(int(m[2]), int(m[1])), written, 0)
    elif m := _QUARTER.match(folded):
        found = (month_end(int(m[2]), 3 * ("i", "ii", "iii", "iv").index(m[1]) + 3), written, 0)
    elif m := _YEAR.match(folded):
        found = (f"{int(m[1]):04d}-12-31", written, 0)
    else:
        raise ValueError(f"not a deadline: {text!r}")
    _deadlines[text] = found
    return found


STATES = {"Chưa thực hiện": "new", "Đang thực hiện": "in_progress", "Hoàn thành": "done",
          "Tạm dừng": "paused", "Hủy": "cancelled"}

# -- document symbols (the patterns generate.py writes) ------------------------------------------

TYPE_NAMES = {"NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "KL": "Kết luận", "QC": "Quy chế",
              "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch", "PA": "Phương án",
              "ĐA": "Đề án", "BC": "Báo cáo", "TTr": "Tờ trình", "CV": "Công văn", "CĐ": "Công điện",
              "NĐ": "Nghị định", "TTLT": "Thông tư liên tịch", "PL": "Pháp lệnh", "TT": "Thông tri"}
STATE_NAMES = {"TT": "Thông tư"}
_PARTY = re.compile(r"^(\d+)-(\w+)/([\w-]+)$")  # 12-NQ/TW
_LEGAL = re.compile(r"^(\d+)/(\d{4})/(\w+)-([\w-]+)$")  # 30/2020/NĐ-CP
_STATE = re.compile(r"^(\d+)/(\w+)-([\w-]+)$")  # 345/QĐ-TTg; 7722/VPCP-KSTT (a letter)


def document_row(symbol: str) -> tuple:
    """(symbol, symbol_key, style, doc_type, number, year, issuer) of a symbol."""
    key = unicodedata.normalize("NFC", "".join(symbol.split()).casefold())
    if m := _PARTY.match(symbol):
        return symbol, key, "party", TYPE_NAMES.get(m[2]), m[1], None, m[3]
    if m := _LEGAL.match(symbol):
        return symbol, key, "state_legal", STATE_NAMES.get(m[3]) or TYPE_NAMES.get(m[3]), m[1], int(m[2]), m[4]
    if m := _STATE.match(symbol):
        if m[2] in TYPE_NAMES:
            return symbol, key, "state", STATE_NAMES.get(m[2]) or TYPE_NAMES[m[2]], m[1], None, m[3]
        return symbol, key, "letter", TYPE_NAMES["CV"], m[1], None, m[2]
    return symbol, key, "unknown", None, None, None, None


# -- the import ----------------------------------------------------------------------------

TASK_COLUMNS = ("id", "code", "document_id", "title", "title_key", "source", "lead_unit_id", "assignee",
                "assigned_on", "deadline", "original_deadline", "deadline_text", "state", "completed_on",
                "recurring", "created_at", "updated_at")
EVENT_COLUMNS = ("task_id", "kind", "field", "old_value", "new_value", "effective_on", "recorded_at",
                 "recorded_by", "batch_id")
TASK_SQL = f"INSERT INTO tasks({', '.join(TASK_COLUMNS)}) VALUES ({', '.join('?' * len(TASK_COLUMNS))})"
EVENT_SQL = f"INSERT INTO events({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"


def _fingerprint(snapshot: dict[str, object]) -> str:
    """The fingerprint of a task's first fields (as nqtrack.store.sql.creation_fingerprint):
    BLAKE2b-64 of their texts in key order, then a byte of each one's CRC-32."""
    texts = [("" if v is None or v == "" else str(v)).encode() for _, v in sorted(snapshot.items())]
    return "#" + hashlib.blake2b(b"\x1f".join(texts), digest_size=8).hexdigest() + bytes(
        zlib.crc32(t) & 0xFF for t in texts).hex()


CHUNK = 5000  # tasks per executemany: memory stays flat


def run(db: str, path: str, by: str, today: date) -> int:
    # the real clock, as nqtrack's recorded_at (--today sets the business day, never the clock)
    recorded_at = datetime.now(UTC).isoformat(timespec="microseconds")
    batch = uuid.uuid4().hex[:12]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("BEGIN IMMEDIATE")
    units = dict(conn.execute("SELECT key, unit_id FROM unit_keys"))
    unit_keys: dict[str, int] = {}  # the name as written → id
    documents = {row[0]: (row[1], row[2]) for row in conn.execute(
        "SELECT symbol_key, id, symbol, doc_type, title FROM documents")}
    doc_ids: dict[str, tuple[int, str]] = {}  # the cell as written → (id, folded words)
    next_task = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tasks").fetchone()[0]
    tasks, links, events, search = [], [], [], []
    count = [0, 0, 0]

    def flush() -> None:
        conn.executemany(TASK_SQL, tasks)
        conn.executemany("INSERT INTO task_units(task_id, unit_id) VALUES (?, ?)", links)
        conn.executemany(EVENT_SQL, events)
        conn.executemany("INSERT INTO task_search(rowid, body) VALUES (?, ?)", search)
        count[0] += len(tasks)
        count[1] += len(events)
        count[2] += len(links)
        for rows in (tasks, links, events, search):
            rows.clear()

    def unit(name: str) -> int:
        found = unit_keys.get(name)
        if found is None:
            found = unit_keys[name] = units[fold(name)]
        return found

    def document(cell: str) -> tuple[int, str]:
        found = doc_ids.get(cell)
        if found is None:
            row = document_row(nfc(cell))
            if row[1] in documents:
                doc_id = documents[row[1]][0]
            else:
                doc_id = conn.execute(
                    "INSERT INTO documents(symbol, symbol_key, style, doc_type, number, year, issuer) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", row).lastrowid
                documents[row[1]] = (doc_id, row[0])
            found = doc_ids[cell] = (doc_id, fold(" ".join(v for v in (row[0], row[3]) if v)))
        return found

    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for task_id, (code, doc, title, source, lead, coordinating, assignee, assigned, due, state,
                      completed) in enumerate(reader, next_task):
            title, code = nfc(title), nfc(code) or None
            assignee, source = nfc(assignee) or None, nfc(source) or None
            doc_id, doc_words = document(doc) if doc else (None, "")
            lead_id = unit(nfc(lead)) if lead else None
            others = sorted({unit(nfc(n)) for n in coordinating.split(";") if n.strip()} - {lead_id})
            links += [(task_id, u) for u in others]
            assigned_on = day(assigned.strip())
            deadline_on, deadline_text, recurring = deadline(due)
            state = STATES[nfc(state)] if state.strip() else "new"
            completed_on = day(completed.strip()) if completed.strip() else None
            title_key = fold(title)
            snapshot = {"assigned_on": assigned_on, "assignee": assignee, "code": code, "completed_on": None,
                        "coordinating_units": ",".join(map(str, others)) or None, "deadline": deadline_on,
                        "deadline_text": deadline_text, "document_id": doc_id, "lead_unit_id": lead_id,
                        "note": None, "product": None, "progress": None, "recurring": recurring,
                        "source": source, "state": "new" if state == "done" else state, "title": title,
                        "voided": 0}
            events.append((task_id, "imported", None, None,
                           _fingerprint(snapshot),
                           assigned_on or today.isoformat(), recorded_at, by, batch))
            if state == "done":
                events.append((task_id, "imported", "state", "new", "done", completed_on, recorded_at, by, batch))
                events.append((task_id, "imported", "completed_on", None, completed_on, completed_on, recorded_at,
                               by, batch))
            tasks.append((task_id, code, doc_id, title, title_key, source, lead_id, assignee, assigned_on,
                          deadline_on, deadline_on, deadline_text, state, completed_on, recurring,
                          recorded_at, recorded_at))
            rest = fold(" ".join(w for w in (code, assignee) if w))
            search.append((task_id, " ".join(p for p in (title_key, rest, doc_words) if p)))
            if len(tasks) >= CHUNK:
                flush()
        flush()
    conn.execute("INSERT INTO batches(id, kind, recorded_at, recorded_by, note) VALUES (?, 'import', ?, ?, ?)",
                 [batch, recorded_at, by, path])
    conn.execute("COMMIT")
    conn.close()
    print(f"{count[0]} tasks, {count[1]} events, {count[2]} coordinating links; batch {batch}")
    return 0


# -- comparing two registers (used by run.py, not timed) ----------------------------------------

# Columns that differ between any two imports: the moment, the batch (and events' ids are not compared).
_VOLATILE = {"created_at", "updated_at", "recorded_at", "batch_id"}
_TABLES = {"tasks": "id", "task_units": "task_id, unit_id", "events": "task_id, id", "documents": "id",
           "units": "id", "unit_keys": "key, unit_id"}


def compare(a: str, b: str) -> list[str]:
    """Differences between the rows of two registers, the moment and batch of the import aside."""
    problems: list[str] = []
    ca, cb = sqlite3.connect(a), sqlite3.connect(b)
    for table, order in _TABLES.items():
        skip = _VOLATILE | ({"id"} if table == "events" else set())
        keep = [r[1] for r in ca.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
        sql = f"SELECT {', '.join(keep)} FROM {table} ORDER BY {order}"
        ra, rb = ca.execute(sql).fetchall(), cb.execute(sql).fetchall()
        if len(ra) != len(rb):
            problems.append(f"{table}: {len(ra)} rows against {len(rb)}")
        diff = [(x, y) for x, y in zip(ra, rb, strict=False) if x != y]  # lengths compared above
        if diff:
            problems.append(f"{table}: {len(diff)} rows differ, first {diff[0][0]} against {diff[0][1]}")
    # the index's words, each where it stands (fts5vocab): the index keeps no copy of the text
    for con in (ca, cb):
        con.execute("CREATE VIRTUAL TABLE temp.search_terms USING fts5vocab(main, task_search, instance)")
    sql = "SELECT doc, offset, term FROM temp.search_terms ORDER BY doc, offset"
    if ca.execute(sql).fetchall() != cb.execute(sql).fetchall():
        problems.append("task_search differs")
    sql = "SELECT kind, recorded_by, note FROM batches WHERE kind = 'import' ORDER BY recorded_at DESC LIMIT 1"
    if ca.execute(sql).fetchall() != cb.execute(sql).fetchall():
        problems.append(f"batches: {ca.execute(sql).fetchall()} against {cb.execute(sql).fetchall()}")
    ca.close()
    cb.close()
    return problems


def main(argv: list[str]) -> int:
    args = argv[1:]
    by, today, positional = "import", date.today(), []
    while args:
        a = args.pop(0)
        if a == "--by":
            by = args.pop(0)
        elif a == "--today":
            today = date.fromisoformat(args.pop(0))
        else:
            positional.append(a)
    if len(positional) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    return run(positional[0], positional[1], by, today)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
