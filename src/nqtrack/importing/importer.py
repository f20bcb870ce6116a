"""Bulk import of tasks, units and documents: the whole file or nothing.

One streamed pass parses, checks and writes each row inside a single transaction,
in batches; the first bad row stops the writing (the rest are only checked, to
report up to 20 problems) and the transaction is rolled back, so memory stays flat
in the file's size and the database is either the whole import or untouched.
"""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import Any

from nqtrack import faults
from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.dates import DateError, Deadline, parse_date, parse_deadline
from nqtrack.core.errors import N_, InvalidInput, UserError
from nqtrack.core.names import name_key
from nqtrack.core.recurrence import Recurrence
from nqtrack.core.reimport import groups_of, reconcile
from nqtrack.core.rules import DONE_WITHOUT_DATE, NOT_AN_ADDRESS, completion_problem, dated_deadline, email_addresses
from nqtrack.core.states import StateError, parse_status, timing_class
from nqtrack.core.symbols import find_document, parse_symbol, symbol_key
from nqtrack.core.text import fold, nfc
from nqtrack.importing.columns import COLUMNS, REQUIRED, is_known_header, looks_like_lead_unit, map_headers
from nqtrack.importing.marks import RowMarks
from nqtrack.importing.reader import Table, read_table
from nqtrack.importing.rows import source_size, worker_threshold
from nqtrack.store.base import LaterEvent, NewTask, journal_value

MAX_SHOWN_PROBLEMS = 20

# Registers repeat the same dates and deadline texts thousands of times.
_parse_date = lru_cache(maxsize=8192)(parse_date)
_parse_deadline = lru_cache(maxsize=8192)(parse_deadline)
_parse_status = lru_cache(maxsize=1024)(parse_status)


@dataclass
class Problem:
    row: int  # 1-based number of the data row
    line: int  # line (text) or row (XLSX) in the file
    column: str | None  # the header as written in the file
    value: str | None
    reason: str


@dataclass
class Summary:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    new_units: list[str] = field(default_factory=list)
    new_documents: list[str] = field(default_factory=list)
    converted_cells: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    changes: list[tuple[str, list[str]]] = field(default_factory=list)  # unit or document, fields changed
    skipped: dict[str, int] = field(default_factory=dict)  # rows that are not data: numbering, section, total, blank
    timing_disagreements: int = 0  # rows whose status label's timing ("quá hạn") the dates contradict
    read_as: list[tuple[str, str]] = field(default_factory=list)  # a unit written another way → the unit
    near_units: list[tuple[str, str]] = field(default_factory=list)  # a new unit → the one it is probably
    no_assigned_dates: bool = False  # tasks created without an assigned day: not in the received view
    # tasks left with a deadline before their assigned day and no note saying why: how many, the first few
    early_deadlines: tuple[int, list[int]] = (0, [])
    applied_fields: int = 0  # re-import: fields the file changed since the last import, taken
    kept_fields: int = 0  # re-import: fields the register changed since the last import, kept
    # re-import: fields changed in both: (task, code, field, register's value, file's value, file taken?)
    conflicts: list[tuple[int, str | None, str, str | None, str | None, bool]] = field(default_factory=list)
    voided_rows: int = 0  # rows naming tasks voided in the register: left voided
    batch_id: str | None = None
    dry_run: bool = False
    encoding: str | None = None
    source_format: str | None = None
    series: list[int] = field(default_factory=list)  # series created (periodic rows)
    opened: list[str] = field(default_factory=list)  # their tasks opened, by code


class ImportFailed(Exception):
    """The file had bad rows: nothing was written."""

    def __init__(self, summary: Summary) -> None:
        super().__init__(f"{len(summary.problems)} problems")
        self.summary = summary


class BadRow(Exception):
    def __init__(self, column: str | None, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class Options:
    kind: str = "tasks"
    sheet: str | None = None
    encoding: str = "auto"
    delimiter: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    skip_invalid: bool = False
    strict_units: bool = False
    prefer_file: bool = False  # re-import: in a conflict, the file's value wins
    by: str = "import"
    today: date = field(default_factory=date.today)
    source_name: str | None = None
    recorded_at: str = ""  # the moment of recording (nqtrack.app.context)
    # The office's calendar of the years first to last (nqtrack.app.calendar), for the
    # relative deadlines; None: the national calendar alone.
    calendar_for: Callable[[int, int], WorkCalendar] | None = None
    # Makes a series from a periodic row: (values, coordinating unit ids, rule, text as
    # written, first day) → its id (nqtrack.app.series.create, given by the use case).
    make_series: Callable[[dict[str, Any], list[int], Recurrence, str | None, date], int] | None = None
    # a file of this many bytes or more is read by a second process while the rows are written
    # (nqtrack.importing.rows.worker_threshold: 4 MB with two cores, NQTRACK_IMPORT_WORKER_FROM)
    worker_from: int = field(default_factory=worker_threshold)


# Said in the summary (message ids, formatted there).
ALREADY_ONE_TASK = N_("row {row}: '{title}' is already one task ({task}); its periodic deadline did not make a series")


def national_calendar(first: int, last: int) -> WorkCalendar:
    from nqtrack.holidays_vn import work_calendar

    return work_calendar(range(first, last + 1))


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value  # the reader has already normalised it
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def _day_cell(record: dict[str, Any], headers: dict[str, str], name: str) -> date | None:
    """A date cell (day first, or an Excel date); BadRow naming the column when it is not one."""
    raw = record.get(name)
    if raw is None or _text(raw) == "":
        return None
    try:
        return _parse_date(raw if isinstance(raw, date) else _text(raw))
    except DateError as exc:
        raise BadRow(headers[name], _text(raw), str(exc)) from None


# The first words of a unit's name (case as written): a piece of a cell that starts with one
# starts a new unit; one that does not ("Thể thao", "giáo dục pháp luật", "Đầu tư") goes on
# the name before it. A value is the second words allowed (None: any).
_UNIT_STARTS: dict[str, frozenset[str] | None] = {
    "Bộ": None, "Sở": None, "Vụ": None, "Cục": None, "Ban": None, "Thanh": frozenset({"tra"}), "Ủy": None,
    "Uỷ": None, "Phòng": None, "Viện": None, "Hội": None, "Đảng": None, "Huyện": None, "Quận": None,
    "Phường": None, "Công": frozenset({"an", "ty"}), "Tòa": None, "Toà": None, "Trường": None, "Báo": None,
    "Đài": None, "Các": None, "Đoàn": None, "Xã": None,  # but not "Xã hội" (see starts_unit)
    "Văn": frozenset({"phòng"}), "Tổng": frozenset({"cục", "công", "liên"}), "Trung": frozenset({"tâm", "ương"}),
    "Chi": frozenset({"cục", "nhánh"}), "Tỉnh": frozenset({"ủy", "uỷ", "đoàn", "đội"}),
    "Thành": frozenset({"ủy", "uỷ", "phố", "đoàn"}), "Thị": frozenset({"xã", "ủy", "uỷ", "trấn"}),
    "Kho": frozenset({"bạc"}), "Ngân": frozenset({"hàng"}), "Tạp": frozenset({"chí"}), "Học": frozenset({"viện"}),
    "Cơ": frozenset({"quan"}), "Đơn": frozenset({"vị"}), "Liên": frozenset({"đoàn", "minh", "hiệp"}),
    "Mặt": frozenset({"trận"}), "Bảo": frozenset({"hiểm"}), "Cảng": frozenset({"vụ"}), "Kiểm": frozenset({"toán"}),
    "Đại": frozenset({"học", "sứ"}), "Bệnh": frozenset({"viện"}), "Tập": frozenset({"đoàn"}),
    "Hiệp": frozenset({"hội"}), "Quân": frozenset({"khu", "đội", "chủng"}), "Hải": frozenset({"quan"}),
}
_PIECES = re.compile(r"(,|\s+và\s+)")


def starts_unit(piece: str) -> bool:
    """Does this piece of a cell start a unit's name ("Sở Tài chính", "UBND các tỉnh")?"""
    words = piece.split()
    if not words:
        return False
    first = words[0]
    if len(first) >= 2 and first.isupper() and first.isalpha():  # UBND, HĐND, BCĐ…
        return True
    if first not in _UNIT_STARTS:
        return False
    allowed = _UNIT_STARTS[first]
    if first == "Xã" and len(words) > 1 and words[1].lower() == "hội":
        return False
    return allowed is None or (len(words) > 1 and words[1].lower() in allowed)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk load (reference counting still frees)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _split_chunk(pieces: list[str], seps: list[str], is_unit: Callable[[str], bool]) -> list[str]:
    """The names in pieces of a cell separated by `seps` (", " or " và "), see split_units."""

    def joined(i: int, j: int) -> str:
        return "".join(pieces[k] + (seps[k] if k < j else "") for k in range(i, j + 1)).strip(" ,")

    def known_from(i: int) -> int | None:
        for j in range(len(pieces) - 1, i - 1, -1):
            if pieces[i] and is_unit(joined(i, j)):
                return j
        return None

    names: list[str] = []
    i = 0
    while i < len(pieces):
        if not pieces[i]:
            i += 1
            continue
        end = known_from(i)
        if end is None:
            end = i
            while end + 1 < len(pieces) and not (starts_unit(pieces[end + 1]) or known_from(end + 1) is not None):
                end += 1
        names.append(joined(i, end))
        i = end + 1
    return names


def split_units(text: str, is_unit: Callable[[str], bool]) -> list[str]:
    """Unit names in one cell, separated by ';', line breaks, ',' or ' và ', even when a name
    holds a comma or "và" ("Bộ Văn hóa, Thể thao và Du lịch", "Vụ Phổ biến, giáo dục pháp
    luật"): the longest run of pieces that is a known unit is one name; an unknown name runs
    on until a piece that starts a unit (`starts_unit`) or a known one."""
    names: list[str] = []
    for chunk in re.split(r"[;\n]", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if ("," not in chunk and " và " not in chunk) or is_unit(chunk):  # one name: the common case
            names.append(chunk)
            continue
        parts = _PIECES.split(chunk)
        if any(p.strip() for p in parts[0::2]):
            names += _split_chunk([p.strip() for p in parts[0::2]],
                                  [", " if sep == "," else " và " for sep in parts[1::2]], is_unit)
    return [n for n in names if n]


_COLUMN_NUMBER = re.compile(r"\(?\s*([0-9]{1,2})\s*\)?(?:\s*[-+=*/x:]\s*\(?\s*[0-9]{1,2}\s*\)?)*")
_SECTION_HEAD = re.compile(r"^(?:[IVXLC]{1,6}|[A-ZĐ])\s*[.):\-–]\s*\S")
_ENUMERATOR = re.compile(r"^(?:[IVXLC]{1,6}|[A-ZĐ]|[0-9]{1,2}(?:\.[0-9]{1,2})*)[.)]?$")
_HEAD_ENUMERATOR = re.compile(r"^(?:[IVXLC]{1,6}|[A-ZĐ])[.)]?$")
_TOTAL = re.compile(r"^(?:tong cong|tong so|tong|cong)\b[\s:().+ivx0-9]*$")


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    text = _text(value).replace(",", ".").rstrip("%").strip()
    try:
        float(text)
    except ValueError:
        return False
    return True


def non_data_row(cells: list[Any], record: dict[str, Any]) -> str | None:
    """Why a row under the header is not a task (or unit, document), or None when it is one:
    "numbering" (the "(1) (2) (3)" or "1 2 3" row numbering the columns), "total" ("Tổng
    cộng" with numbers), "section" ("I. NHIỆM VỤ CHÍNH PHỦ GIAO", a heading in capitals, or
    text only in columns the import does not read), "blank" (nothing in the columns read)."""
    wordy = 0
    for value in record.values():  # a cell of words (not a number, "(3)", "II."), cheaply
        if isinstance(value, str) and len(value) > 5 and not value[0].isdigit() and value[0] != "(":
            wordy += 1
            if wordy == 2:
                return None  # the common case, decided fast: a title and a unit, a document…
    filled = [c for c in cells if _text(c)]
    if not filled:
        return "blank"
    texts = [_text(c) for c in filled]
    numbers = [_COLUMN_NUMBER.fullmatch(t) for t in texts]
    if len(filled) >= 3 and all(numbers):
        firsts = [int(m.group(1)) for m in numbers if m]
        if firsts == sorted(firsts) and len(set(firsts)) == len(firsts):
            return "numbering"
    words = [t for t in texts if not _is_number(t) and not _ENUMERATOR.fullmatch(t)]
    if len(words) == 1 and _TOTAL.match(fold(words[0])):
        return "total"
    values = [_text(v) for v in record.values() if _text(v)]
    if not values:
        return "section" if words else "blank"
    if len(values) == 1 and len(words) == 1:
        heading = words[0]
        letters = [c for c in heading if c.isalpha()]
        capitals = len(letters) >= 4 and heading == heading.upper()
        if capitals or _SECTION_HEAD.match(heading) or len(filled) == 2 and _HEAD_ENUMERATOR.fullmatch(texts[0]):
            return "section"
    return None


def _document_days(doc: Any) -> tuple[date | None, date | None]:
    """A document's date and the day it was received: what a relative deadline counts from."""
    return (date.fromisoformat(doc.issued_on) if doc.issued_on else None,
            date.fromisoformat(doc.received_on) if doc.received_on else None)


def _plain_date(text: str | None) -> bool:
    """Is this deadline text only a date ("30/09/2022", "2022-09-30"), or none at all?"""
    if text is None:
        return True
    try:
        parse_date(text)
    except DateError:
        return False
    return True


def data_records(
    table: Table, mapping: dict[int, str], skipped: dict[str, int]
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(data row number, line, {field: cell}) for each row of data of a table, in this
    process or in the one reading for an import (nqtrack.importing.rows); the rows that are
    not data (column numbers, sections, totals, blanks) are counted in `skipped`."""
    number = 0
    fields, indexes = list(mapping.values()), list(mapping)
    last = max(indexes, default=-1)
    for line, cells in table.rows:
        if len(cells) > last:  # always, the reader pads its rows: the cells in one C call
            record = dict(zip(fields, [cells[i] for i in indexes], strict=True))
        else:
            record = {f: cells[i] if i < len(cells) else None for i, f in mapping.items()}
        kind = non_data_row(cells, record)
        if kind:
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        number += 1
        yield number, line, record
    if table.blank_rows:
        skipped["blank"] = skipped.get("blank", 0) + table.blank_rows


def _row_mark(key: Any) -> bytes:
    """A row's match key as 16 bytes (BLAKE2b-128 of its repr). An import keeps one for every
    row (importing.marks, in bounded memory), to find a row the file repeats: the key itself
    (a tuple, the document as written, the folded title) took about 250 bytes a row; two
    keys alike in 128 bits are not to be met (about 1e-27 at 1,000,000 rows)."""
    return blake2b(repr(key).encode(), digest_size=16).digest()


class Importer:
    def __init__(self, store, options: Options, progress: Callable[[int], None] | None = None) -> None:
        self.store = store
        self.options = options
        self.progress = progress
        self.summary = Summary(options.kind, dry_run=options.dry_run)
        self._unit_ids: dict[str, int | None] = {}  # folded name → id (None: to create)
        self._unit_names: dict[str, str] = {}  # folded name → name as first written
        self._doc_ids: dict[Any, int | None] = {}  # (symbol key, date) → id (None: to create)
        self._doc_rows: dict[Any, dict[str, Any]] = {}
        self._doc_dates: dict[Any, tuple[date | None, date | None]] = {}  # key → (issued, received)
        self._marks = RowMarks()  # match key (_row_mark) → first data row, to catch duplicates
        self._parents: list[tuple[int, str]] = []
        self._unchanged_ids: set[int] = set()  # units or documents rows that changed nothing (yet)
        self._unit_keys: dict[str, str] = {}  # unit name as written → folded key
        self._by_code: dict[str, dict[str, Any] | None] = {}  # existing tasks of the current chunk
        self._pending: list = []
        self._doc_refs: dict[tuple[str, date | None], tuple[str, date | None]] = {}  # cells repeat
        self._split_keys: dict[str, list[str]] = {}  # a cell of coordinating units → their folded keys
        self._by_name_key: dict[str, int] | None = None  # core.names key → id, of the register's units
        self._new_name_keys: dict[str, str] = {}  # core.names key → folded key, of the file's new units
        self._file_leads: set[str] | None = None  # the lead units the file names (folded), read on demand
        self._source: str | Path | bytes | None = None
        self._assigned_rows = 0  # created tasks with an assigned day
        # the symbol keys of the register's documents, kept up to date, where no other session
        # can add one meanwhile (store.document_keys_while_writing); None: ask the register
        self._doc_keys: set[str] | None = None
        self._coded_tasks = True  # whether the register had a task with a code when the import began

    # -- reading ---------------------------------------------------------------------

    def _read_arguments(self) -> dict[str, Any]:
        """read_table's arguments for the file, but the file and its expected headers (plain
        values: a second process reads the file with them, see nqtrack.importing.rows)."""
        opts = self.options
        return dict(sheet=opts.sheet, encoding=opts.encoding, delimiter=opts.delimiter, name=opts.source_name)

    def _open(self, source: str | Path | bytes) -> tuple[Table, dict[int, str]]:
        opts = self.options
        self._source = source
        table = read_table(source, expected_headers=is_known_header(opts.kind), **self._read_arguments())
        mapping, ignored = map_headers(opts.kind, table.headers, opts.overrides)
        self._check_columns(table, mapping)
        self.summary.ignored_columns = ignored
        self.summary.encoding, self.summary.source_format = table.encoding, table.source_format
        return table, mapping

    def _check_columns(self, table: Table, mapping: dict[int, str]) -> None:
        """Stop before anything is read when a column the register needs is missing: the
        title (the name, the symbol), and the lead unit when a column looks like one.
        The message lists the headers and suggests a --map."""
        kind = self.options.kind
        free = [h for i, h in enumerate(table.headers) if h and i not in mapping]
        missing = [f for f in REQUIRED[kind] if f not in mapping.values()]
        guess = None
        if missing:
            from nqtrack.fuzzy import closest

            names = [(n, h) for h in free for n in [h]]
            found = closest(" ".join(COLUMNS[kind][missing[0]][1:]), names, limit=1, cutoff=40)
            guess = found[0] if found else (free[0] if free else None)
        elif kind == "tasks" and "lead_unit" not in mapping.values():
            looks = [h for h in free if looks_like_lead_unit(h)]
            if looks:
                missing, guess = ["lead_unit"], looks[0]
        if not missing:
            return
        headers = ", ".join(f"'{h}'" for h in table.headers if h)
        label = COLUMNS[kind][missing[0]][1]
        if guess:
            raise InvalidInput("no column for '{field}' in the header row (line {line}): {headers}; "
                               "if it is '{guess}', import again with --map '{guess}={field}'",
                               field=label, line=table.header_line, headers=headers, guess=guess)
        raise InvalidInput("no column for '{field}' in the header row (line {line}): {headers}; "
                           "name it with --map 'Header={field}'", field=label, line=table.header_line, headers=headers)

    @contextmanager
    def _records(
        self, table: Table, mapping: dict[int, str]
    ) -> Iterator[Iterator[tuple[int, int, dict[str, Any], dict[str, str]]]]:
        """(data row number, line, {field: cell}, {field: header}) for each row of data; the
        rows that are not data (column numbers, sections, totals, blanks) are counted. A file
        from Options.worker_from bytes on is read by a second process (nqtrack.importing.rows)."""
        if self._source is not None and source_size(self._source) >= self.options.worker_from:
            from nqtrack.importing.rows import records_read_apart

            with records_read_apart(table, mapping, self._source, self.options.kind, self._read_arguments(),
                                    self.summary.skipped) as records:
                yield self._numbered(table, mapping, records)
        else:
            yield self._numbered(table, mapping, data_records(table, mapping, self.summary.skipped))

    def _numbered(
        self, table: Table, mapping: dict[int, str], records: Iterator[tuple[int, int, dict[str, Any]]]
    ) -> Iterator[tuple[int, int, dict[str, Any], dict[str, str]]]:
        headers = {f: table.headers[i] for i, f in mapping.items()}
        for number, line, record in records:
            if self.progress and number % 1000 == 0:
                self.progress(1000)
            yield number, line, record, headers

    # -- units and documents named in rows ---------------------------------------------

    def _unit_key(self, name: str) -> str:
        key = self._unit_keys.get(name)
        if key is None:
            key = self._unit_keys[name] = fold(name)
        return key

    def _register_name_keys(self) -> dict[str, int]:
        """core.names keys of every name, code and alias of the register's units (built once)."""
        if self._by_name_key is None:
            self._by_name_key = {}
            for unit in self.store.list_units():
                for text in [unit.name, unit.code or "", *(unit.aliases or "").split(";")]:
                    if name_key(text):
                        self._by_name_key.setdefault(name_key(text), unit.id)
        return self._by_name_key

    def _unit_known(self, name: str, column: str | None = None) -> bool:
        """Is this a unit of the register or one the file names already? A name written
        another way ("Sở KH&ĐT" for "Sở Kế hoạch và Đầu tư") is the same unit, and said so."""
        key = self._unit_key(name)
        if key not in self._unit_ids:
            found = self.store.find_units(name)
            if len(found) > 1:
                raise BadRow(column, name, f"fits several units: {', '.join(u.name for u in found)}")
            self._unit_ids[key] = found[0].id if found else None
            if not found and name_key(name) in self._register_name_keys():
                unit_id = self._register_name_keys()[name_key(name)]
                self._unit_ids[key] = unit_id
                self.summary.read_as.append((name, self.store.unit(unit_id).name))
        return self._unit_ids[key] is not None or key in self._unit_names

    def _is_unit(self, name: str) -> bool:
        """For splitting a cell of units: a unit of the register, or a lead unit the file names.
        The file's lead units (a second read) are asked only about a run of pieces whose last
        piece is no unit of its own ("Ban Dân vận, Đoàn thể tỉnh"): never for one piece, nor
        for "Sở Tài chính, Sở Nội vụ" when the register knows them."""
        if self._unit_known(name):
            return True
        pieces = _PIECES.split(name)
        if len(pieces) == 1 or self._unit_known(pieces[-1].strip()):
            return False
        if self._file_leads is None:
            self._file_leads = self._read_file_leads()
        return name_key(name) in self._file_leads

    def _read_file_leads(self) -> set[str]:
        """The lead units the whole file names (a second read, only when a cell of
        coordinating units cannot be split with the register's units alone)."""
        leads: set[str] = set()
        if self._source is None or self.options.kind != "tasks":
            return leads
        opts = self.options
        table = read_table(self._source, sheet=opts.sheet, encoding=opts.encoding, delimiter=opts.delimiter,
                           expected_headers=is_known_header(opts.kind), name=opts.source_name)
        mapping, _ = map_headers(opts.kind, table.headers, opts.overrides)
        column = next((i for i, f in mapping.items() if f == "lead_unit"), None)
        if column is None:
            return leads
        for _line, cells in table.rows:
            if column < len(cells) and _text(cells[column]):
                leads.add(name_key(_text(cells[column])))
        return leads

    def _unit_ref(self, name: str, column: str) -> str:
        """Check a unit name (the first pass notes new ones); returns its folded key. A new
        name that is probably a known unit written another way is listed (or, with
        --strict-units, refused with its likely match)."""
        if self._unit_known(name, column):
            return self._unit_key(name)
        same = self._new_name_keys.get(name_key(name))
        if same is not None:  # the file wrote one new unit two ways
            self.summary.read_as.append((name, self._unit_names[same]))
            self._unit_keys[name] = same
            return same
        from nqtrack.fuzzy import same_unit

        known = [(u.name, u.name) for u in self.store.list_units()] + [(n, n) for n in self._unit_names.values()]
        likely = same_unit(name, known)
        if self.options.strict_units:
            if likely:
                raise BadRow(column, name, f"unknown unit '{name}' (--strict-units); did you mean '{likely}'?")
            raise BadRow(column, name, f"unknown unit '{name}' (--strict-units)")
        if likely:
            self.summary.near_units.append((name, likely))
        self._unit_names[self._unit_key(name)] = name
        self._new_name_keys[name_key(name)] = self._unit_key(name)
        return self._unit_key(name)

    def _doc_ref(self, cell: str, day: date | None = None) -> tuple[str, date | None]:
        """The (symbol key, date) of the document a cell names, checked against the register:
        "Thông báo số 123/TB-VPCP ngày 05/4/2017", a symbol (its date from `day`, the
        "Ngày ban hành" column, when given), SYMBOL@dd/mm/yyyy or #ID."""
        cached = self._doc_refs.get((cell, day))
        if cached is not None:
            return cached
        key = self._find_doc_ref(cell, day)
        self._doc_refs[(cell, day)] = key
        return key

    def _find_doc_ref(self, cell: str, day: date | None) -> tuple[str, date | None]:
        explicit = cell.startswith("#") or "@" in cell
        if explicit:
            found = self.store.find_documents(cell)
            if not found:
                raise BadRow(None, cell, f"unknown document '{cell}'")
            by_id: tuple[str, date | None] = (f"#{found[0].id}", None)
            self._doc_ids[by_id] = found[0].id
            self._doc_dates[by_id] = _document_days(found[0])
            return by_id
        symbol, written = find_document(cell)
        text = symbol.text if symbol else cell
        issued = day or written
        key = (symbol_key(text), issued)
        if key not in self._doc_ids:
            # a symbol the register has not got needs no query (which would wait for the rows
            # written behind: 49 waits, 3 s of an import of 100,000 rows)
            known = self._doc_keys
            same = self.store.find_documents(text) if known is None or key[0] in known else []
            fits = [d for d in same if issued and d.issued_on == issued.isoformat()]
            if not fits and (len(same) == 1 and (issued is None or same[0].issued_on is None)):
                fits = same  # the one document of that symbol, its date not known
            if not fits and issued is None and len(same) > 1:
                raise BadRow(None, cell, "fits several documents: "
                             + ", ".join(self.store.document_label(d) for d in same)
                             + "; write SYMBOL@dd/mm/yyyy or give the date ('Ngày ban hành')")
            self._doc_ids[key] = fits[0].id if fits else None
            self._doc_dates[key] = _document_days(fits[0]) if fits else (issued, None)
            if not fits:
                self._doc_rows[key] = {"symbol": text, "issued_on": issued}
        return key

    def _dated(self, deadline: Deadline, row: dict[str, Any], column: str) -> Deadline:
        """A relative deadline with its day counted from the day it names (the row's
        'Ngày giao', or its document's date or received day); BadRow when that day is not known."""
        if deadline.relative is None:
            return deadline
        issued, received = self._doc_dates.get(row.get("document"), (None, None))
        try:
            return dated_deadline(deadline, self.options.calendar_for or national_calendar,
                                  assigned_on=row.get("assigned_on"), signed_on=issued, received_on=received)
        except UserError as exc:
            raise BadRow(column, deadline.text, exc.message.format(**exc.args_)) from None

    # -- one task row --------------------------------------------------------------

    def parse_task(self, record: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        """A row's values, checked; raises BadRow naming the column."""
        # the cells' texts once (the reader's are texts already): a hundred thousand rows
        texts = {name: raw if type(raw) is str else _text(raw) for name, raw in record.items()}
        text_of = texts.get

        def cell(name: str) -> str:
            return text_of(name, "")

        def day(name: str) -> date | None:
            raw = record.get(name)
            if type(raw) is not str:
                return _day_cell(record, headers, name)
            if not raw:
                return None
            try:
                return _parse_date(raw)
            except DateError as exc:
                raise BadRow(headers[name], raw, str(exc)) from None

        def deadline(name: str):
            raw = record.get(name)
            try:
                return _parse_deadline(raw if isinstance(raw, date) else (cell(name) or None))
            except DateError as exc:
                raise BadRow(headers[name], cell(name), str(exc)) from None

        title = text_of("title", "")
        if not title:
            raise BadRow(headers["title"], "", "a task needs a title")
        row: dict[str, Any] = {"title": title}
        present = texts
        if "code" in present:
            row["code"] = text_of("code", "") or None
        if "document" in present:
            try:
                doc_day = day("document_date") if "document_date" in present else None
                row["document"] = self._doc_ref(text_of("document", ""), doc_day) if text_of("document", "") else None
            except BadRow as bad:
                raise BadRow(headers["document"], bad.value, bad.reason) from None
        if "source" in present:
            row["source"] = text_of("source", "") or None
        if "lead_unit" in present:
            lead = text_of("lead_unit", "")
            row["lead_unit"] = self._unit_ref(lead, headers["lead_unit"]) if lead else None
        if "coordinating_units" in present:
            text = text_of("coordinating_units", "")
            keys = self._split_keys.get(text)
            if keys is None:
                names = split_units(text, self._is_unit)
                keys = sorted({self._unit_ref(n, headers["coordinating_units"]) for n in names})
                if len(self._split_keys) < 50_000:  # checked once: the same cell gives the same units
                    self._split_keys[text] = keys
            row["coordinating_units"] = list(keys)
        if "assignee" in present:
            row["assignee"] = text_of("assignee", "") or None
        if "assigned_on" in present:
            row["assigned_on"] = day("assigned_on")
        if "deadline_text" in present and text_of("deadline_text", ""):
            # as written: "Quý III/2023", not its last day
            row["deadline"] = self._dated(deadline("deadline_text"), row, headers["deadline_text"])
        elif "deadline" in present:
            row["deadline"] = self._dated(deadline("deadline"), row, headers["deadline"])
        if "extended_deadline" in present and text_of("extended_deadline", ""):
            extended = self._dated(deadline("extended_deadline"), row, headers["extended_deadline"])
            if extended.date is None:
                raise BadRow(headers["extended_deadline"], text_of("extended_deadline", ""),
                             "an extension needs a date")
            first = row.get("deadline")
            if first is not None and first.date is not None and extended.date < first.date:
                raise BadRow(headers["extended_deadline"], text_of("extended_deadline", ""),
                             "the extended deadline is before the deadline")
            row["extended_deadline"] = extended
        if "product" in present:
            row["product"] = text_of("product", "") or None
        if "note" in present:
            row["note"] = text_of("note", "") or None
        if "progress" in present and text_of("progress", ""):
            text = text_of("progress", "").rstrip("%").strip().replace(",", ".")
            try:
                progress = float(text)
            except ValueError:
                raise BadRow(headers["progress"], text_of("progress", ""), "progress is not a number") from None
            if progress <= 1 and "%" not in text_of("progress", "") and "." in text:
                progress *= 100  # a spreadsheet fraction: 0.4 means 40 %
            if not 0 <= progress <= 100:
                raise BadRow(headers["progress"], text_of("progress", ""), "progress must be between 0 and 100")
            row["progress"] = int(round(progress))
        completed_on = day("completed_on") if "completed_on" in present else None
        state, claimed = None, None
        if "status" in present and text_of("status", ""):
            try:
                parsed, claimed = _parse_status(text_of("status", ""))
                state = parsed.value
            except StateError:
                raise BadRow(
                    headers["status"],
                    text_of("status", ""),
                    "unknown state; use Chưa thực hiện, Đang thực hiện, Hoàn thành, Tạm dừng, Hủy "
                    "(or new, in_progress, done, paused, cancelled)",
                ) from None
        if state is None and completed_on is not None:
            state = "done"
        if state is not None and state != "done" and completed_on is not None:
            raise BadRow(
                headers["completed_on"], text_of("completed_on", ""),
                f"a completion date, but the state is '{text_of('status', '')}'",
            )
        problem = completion_problem(state, completed_on, self.options.today)
        if problem == DONE_WITHOUT_DATE:
            raise BadRow(headers.get("completed_on") or headers.get("status"), text_of("status", ""), problem)
        if problem:
            raise BadRow(headers["completed_on"], text_of("completed_on", ""), problem)
        if completed_on is not None and row.get("assigned_on") and completed_on < row["assigned_on"]:
            raise BadRow(headers["completed_on"], text_of("completed_on", ""),
                         "the completion date is before the assigned day")
        if state is not None or "status" in present or "completed_on" in present:
            row["state"] = state or "new"
            row["completed_on"] = completed_on
        if claimed is not None:
            due = row.get("extended_deadline") or row.get("deadline")
            if timing_class(state or "new", due.date if due else None, completed_on, self.options.today) != claimed:
                self.summary.timing_disagreements += 1
        key = ("code", row["code"]) if row.get("code") else ("title", row.get("document"), fold(title))
        return row | {"_key": key}

    # -- one pass: check and write (inside the caller's transaction) -------------------

    def open(self, source: str | Path | bytes) -> tuple[Table, dict[int, str]]:
        """Read the file's header row and map its columns (before any transaction)."""
        table, mapping = self._open(source)
        self.summary.batch_id = uuid.uuid4().hex[:12]
        return table, mapping

    def load(self, table: Table, mapping: dict[int, str]) -> Summary:
        """Check and write every row, in one streamed pass, inside the caller's transaction
        (nqtrack.app.register owns it); raises ImportFailed when a row is bad (unless
        --skip-invalid), so that the caller rolls the whole import back."""
        parse = {"tasks": self.parse_task, "units": self.parse_unit, "documents": self.parse_document}[
            self.options.kind
        ]
        # no cyclic garbage is made here, and the collector walked every young row (4 % of an
        # import); the indexes of a new register are built once at the end (store.bulk_load)
        # (the rows' reader first: a second process is started before the writing's threads)
        with _gc_paused(), closing(self._marks), self._records(table, mapping) as records, \
                self.store.bulk_load() if self.options.kind == "tasks" else nullcontext():
            self._load(records, parse)
        self.summary.converted_cells = table.converted_cells
        self.summary.rejected = len({p.row for p in self.summary.problems})
        if self.summary.problems and not self.options.skip_invalid:
            raise ImportFailed(self.summary)
        return self.summary

    def _load(self, records: Iterator[tuple[int, int, dict[str, Any], dict[str, str]]],
              parse: Callable[..., dict[str, Any]]) -> None:
        self._codeless_tasks = self.store.has_tasks_without_code()
        if self.options.kind == "tasks":
            self._doc_keys = self.store.document_keys_while_writing()
            # a code the file repeats is refused above, so with no coded task before the import
            # no row's code can name a task: no look-up per chunk, which would wait for the rows
            # written behind (49 waits, 4.8 s of an import of 100,000 rows on PostgreSQL). A
            # task another session adds with the same code meanwhile fails the unique key.
            self._coded_tasks = self.store.has_tasks_with_code()
        chunk: list[dict[str, Any]] = []
        for number, line, record, headers in records:
            self.summary.rows += 1
            try:
                row = parse(record, headers)
                row["_at"] = (number, line)
                first = self._marks.first_row(_row_mark(row.get("_key")), number)
                if first is not None:
                    raise BadRow(None, None, f"the same task as row {first}")
            except BadRow as bad:
                self.summary.problems.append(
                    Problem(number, line, bad.column, None if bad.value is None else str(bad.value), bad.reason)
                )
                continue
            if self.summary.problems and not self.options.skip_invalid:
                continue  # the import will fail: only look for more problems
            chunk.append(row)
            if len(chunk) >= self.BATCH:
                self._write_chunk(chunk)
                chunk = []
        self._write_chunk(chunk)
        self._flush()
        self._link_parents()
        if self.options.kind == "tasks" and self.summary.created and not self._assigned_rows:
            self.summary.no_assigned_dates = True
        if self.summary.created or self.summary.updated:
            self.store.record_batch(
                self.summary.batch_id, "import", self.options.recorded_at, self.options.by, self.options.source_name
            )

    def _write_chunk(self, rows: list[dict[str, Any]]) -> None:
        """Write rows in order; the tasks their codes name are looked up in one query."""
        if self.options.kind == "tasks":
            codes = [row["code"] for row in rows if row.get("code")]
            self._by_code = dict.fromkeys(codes)
            if self._coded_tasks:
                self._by_code.update(self.store.tasks_by_codes(codes))
        write = {"tasks": self._write_task, "units": self._write_unit, "documents": self._write_document}[
            self.options.kind
        ]
        for row in rows:
            try:
                write(row)
            except BadRow as bad:  # found only against the register (a symbol fitting two documents)
                number, line = row["_at"]
                self.summary.problems.append(Problem(number, line, bad.column, bad.value, bad.reason))

    def _unit_id(self, key: str) -> int:
        """The id of a unit a row names, creating it the first time a new one is met."""
        if self._unit_ids.get(key) is None:
            name = self._unit_names[key]
            self._unit_ids[key] = self.store.add_unit(name).id
            self.summary.new_units.append(name)
        return self._unit_ids[key]  # type: ignore[return-value]  # set just above

    def _doc_id(self, key: Any) -> int:
        if self._doc_ids.get(key) is None:
            doc = self._doc_rows[key]
            known, new_key = self._doc_keys, symbol_key(parse_symbol(doc["symbol"]).text)  # as add_document keys it
            if known is not None and new_key not in known:  # no document of the register has its symbol
                self._doc_ids[key] = self.store.add_new_document(doc["symbol"], doc["issued_on"])
                known.add(new_key)
            else:
                self._doc_ids[key] = self.store.add_document(doc["symbol"], issued_on=doc["issued_on"]).id
            label = doc["symbol"] + (f"@{doc['issued_on']:%d/%m/%Y}" if doc["issued_on"] else "")
            self.summary.new_documents.append(label)
        return self._doc_ids[key]  # type: ignore[return-value]  # set just above

    def _values(self, row: dict[str, Any]) -> dict[str, Any]:
        """Row fields in the store's terms (ids, dates), only for columns the file has."""
        values: dict[str, Any] = {}
        for name in ("code", "title", "source", "assignee", "assigned_on", "product", "note", "progress"):
            if name in row:
                values[name] = row[name]
        if "document" in row:
            values["document_id"] = self._doc_id(row["document"]) if row["document"] else None
        if "lead_unit" in row:
            values["lead_unit_id"] = self._unit_id(row["lead_unit"]) if row["lead_unit"] else None
        if "coordinating_units" in row:
            values["coordinating_units"] = [self._unit_id(k) for k in row["coordinating_units"]]
        if "deadline" in row:
            d = row["extended_deadline"] if row.get("extended_deadline") else row["deadline"]
            values.update(deadline=d.date, deadline_text=d.text, recurring=d.recurring)
        if "state" in row:
            values["state"] = row["state"]
            values["completed_on"] = row["completed_on"]
        return values

    # rows per chunk: on PostgreSQL each chunk costs round trips that wait for the rows
    # written behind (task ids, new documents); 5,000 instead of 2,000 took 0.3-0.5 s off an
    # import of 100,000 rows there, and made no difference on SQLite
    BATCH = 5000

    def _write_task(self, row: dict[str, Any]) -> None:
        store, opts = self.store, self.options
        values = self._values(row)
        periodic = row.get("deadline") is not None and row["deadline"].recurrence is not None
        by_code = None
        if row.get("code"):
            by_code = self._by_code[row["code"]] if row["code"] in self._by_code else store.task_by_code(row["code"])
        if periodic and by_code is not None and by_code["series_id"] is not None:
            # a task of a series read back (a listing exported for editing): it keeps the
            # deadline of its period; the text it shares is its series' rule
            for name in ("deadline", "deadline_text", "recurring"):
                values.pop(name, None)
        elif periodic and self._write_series(row, values):
            return
        if row.get("code"):
            # a coded row is the task with its code, or a task entered without one
            existing = by_code
            if existing is None and self._codeless_tasks:
                existing = store.task_by_title(values.get("document_id"), row["title"], without_code=True)
        else:
            existing = store.task_by_title(values.get("document_id"), row["title"])
        if existing is None:
            base = dict(values)
            coordinating = base.pop("coordinating_units", [])
            later: list[LaterEvent] = []
            created_on = base.get("assigned_on") or opts.today
            self._assigned_rows += bool(base.get("assigned_on"))
            if row.get("extended_deadline") and row.get("deadline") and row["deadline"].date:
                original = row["deadline"]
                base.update(deadline=original.date, deadline_text=original.text, recurring=original.recurring)
                # granted by the original deadline at the latest (the file does not say when)
                granted = max(min(original.date, opts.today), created_on)
                later.append(LaterEvent("extended", "deadline", original.date, values["deadline"], granted))
                if original.text != values["deadline_text"]:
                    later.append(
                        LaterEvent("extended", "deadline_text", original.text, values["deadline_text"], granted)
                    )
            if base.get("state") == "done":
                # the completion is an event on its own date, so earlier reports stay right
                base["state"], base["completed_on"] = "new", None
                done_on = values["completed_on"]
                later.append(LaterEvent("imported", "state", "new", "done", done_on))
                later.append(LaterEvent("imported", "completed_on", None, done_on, done_on))
            self._pending.append(NewTask(base, coordinating, created_on, later))
            self.summary.created += 1
            if len(self._pending) >= self.BATCH:
                self._flush()
            return
        if existing["voided"]:  # entered in error: the file does not bring it back
            self.summary.voided_rows += 1
            return
        chosen = row.get("extended_deadline") or row.get("deadline")
        if chosen is not None and chosen.relative is not None and self._counted_before(existing, values):
            # counted when the task was first recorded: a calendar changed since moves nothing
            values["deadline"] = date.fromisoformat(existing["deadline"])
        changes = self._reimport(existing, values)
        if not changes:
            self.summary.unchanged += 1
            return
        common = dict(by=opts.by, batch_id=self.summary.batch_id, recorded_at=self.options.recorded_at)
        completion = {k: changes.pop(k) for k in ("state", "completed_on") if k in changes}
        if changes:
            store.change_task(existing["id"], changes, effective_on=opts.today, kind="imported", **common)
        if completion:
            effective = completion.get("completed_on") or values.get("completed_on") or opts.today
            store.change_task(existing["id"], completion, effective_on=effective, kind="imported", **common)
        self.summary.updated += 1

    @staticmethod
    def _counted_before(existing: dict[str, Any], values: dict[str, Any]) -> bool:
        """Whether the task's deadline was counted from the same text and the same day."""
        same_day = "assigned_on" not in values or (
            (values["assigned_on"].isoformat() if values["assigned_on"] else None) == existing["assigned_on"])
        return bool(existing["deadline"]) and existing["deadline_text"] == values.get("deadline_text") and same_day

    def _write_series(self, row: dict[str, Any], values: dict[str, Any]) -> bool:
        """A periodic row: its series (found, or made). False when the row names a task
        entered before as one task: it stays that task (said in the summary)."""
        store = self.store
        if row.get("code"):
            found = store.series_by_code(row["code"])
        else:
            found = store.series_by_title(values.get("document_id"), row["title"])
        if found is not None:
            self.summary.unchanged += 1
            return True
        existing = store.task_by_code(row["code"]) if row.get("code") else store.task_by_title(
            values.get("document_id"), row["title"])
        if existing is not None:
            self.summary.notes.append(
                (ALREADY_ONE_TASK, {"row": row["_at"][0], "title": row["title"],
                                    "task": existing["code"] or f"#{existing['id']}"}))
            return False
        assert self.options.make_series is not None, "the use case gives make_series"
        deadline = row["deadline"]
        starts_on = values.get("assigned_on") or self.options.today
        self.summary.series.append(self.options.make_series(
            values, values.get("coordinating_units", []), deadline.recurrence, deadline.text, starts_on))
        self.summary.created += 1
        return True

    def _brought(self, values: dict[str, Any], lead: Any) -> dict[str, str | None]:
        """The file's values as the journal writes them (coordinating units: sorted ids, less the lead)."""
        brought: dict[str, str | None] = {}
        for name, value in values.items():
            if name == "coordinating_units":
                brought[name] = ",".join(map(str, sorted(set(value) - {lead}))) or None
            elif name == "recurring":
                brought[name] = "1" if value else "0"
            else:
                brought[name] = journal_value(value)
        return brought

    def _reimport(self, existing: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The changes a matched row makes, by the three-way rule of core.reimport (what the
        file brought last time, what it brings now, what the register holds now); kept
        fields and conflicts are counted and listed; the file's values are remembered."""
        lead = values.get("lead_unit_id", existing["lead_unit_id"])
        brought = self._brought(values, lead)
        current = {name: journal_value(existing[name]) for name in brought if name != "coordinating_units"}
        current["recurring"] = "1" if existing["recurring"] else "0"
        if "coordinating_units" in brought:
            current["coordinating_units"] = ",".join(map(str, self.store.coordinating_unit_ids(existing["id"]))) or None
        if brought.get("deadline") == current.get("deadline") and _plain_date(brought.get("deadline_text")):
            # "2022-09-30" for a deadline written "Quý III/2022": the same deadline, its text kept
            brought["deadline_text"], brought["recurring"] = current["deadline_text"], current["recurring"]
        last = self.store.import_provenance(existing["id"])
        decision = reconcile(brought, last, current, prefer_file=self.options.prefer_file)
        summary = self.summary
        summary.applied_fields += len(set(decision.applied) - set(decision.conflicts))
        summary.kept_fields += len(decision.kept)
        for group in decision.conflicts:
            shown = self._shown_group(group)
            summary.conflicts.append((existing["id"], existing["code"], shown, self._shown(shown, current.get(shown)),
                                      self._shown(shown, brought.get(shown)), self.options.prefer_file))
        self.store.save_import_provenance([(existing["id"], {**(last or {}), **brought})], summary.batch_id)
        groups = groups_of(list(brought))
        return {name: values[name] for group in decision.applied for name in groups[group]}

    @staticmethod
    def _shown_group(group: str) -> str:
        return {"deadline": "deadline_text", "state": "state"}.get(group, group)

    def _shown(self, field: str, value: str | None) -> str | None:
        """A journaled value as a person reads it in a conflict: a unit's or document's name."""
        if value is None:
            return None
        if field == "lead_unit_id":
            return self.store.unit(int(value)).name
        if field == "coordinating_units":
            return "; ".join(self.store.unit(int(u)).name for u in value.split(","))
        if field == "document_id":
            return self.store.document_label(self.store.document(int(value)))
        return value

    def _flush(self) -> None:
        if self.options.kind == "tasks" and self._pending:
            self.store.insert_tasks(
                self._pending,
                by=self.options.by,
                kind="imported",
                batch_id=self.summary.batch_id,
                recorded_at=self.options.recorded_at,
                codes_checked=True,  # against each other (_marks) and the register's (_write_chunk)
            )
            faults.pause("import-batch")  # the crash tests kill an import here, its first rows written
        self._pending = []

    # -- units and documents files ---------------------------------------------------

    def parse_unit(self, record: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        name = _text(record.get("name"))
        if not name:
            raise BadRow(headers["name"], "", "a unit needs a name")
        aliases = [a.strip() for a in _text(record.get("aliases")).replace(",", ";").split(";") if a.strip()]
        try:
            email = email_addresses(_text(record.get("email")))
        except UserError:
            raise BadRow(headers.get("email"), _text(record.get("email")), NOT_AN_ADDRESS) from None
        return {
            "name": name,
            "code": _text(record.get("code")) or None,
            "parent": _text(record.get("parent")) or None,
            "aliases": aliases,
            "email": email,
            "_key": ("unit", fold(name)),
        }

    def parse_document(self, record: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        symbol = _text(record.get("symbol"))
        if not symbol:
            raise BadRow(headers["symbol"], "", "a document needs a number and symbol")

        def day(name: str) -> date | None:
            return _day_cell(record, headers, name)

        return {
            "symbol": parse_symbol(symbol).text,
            "type": _text(record.get("type")) or None,
            "issued_on": day("issued_on"),
            "received_on": day("received_on"),
            "issuer": _text(record.get("issuer")) or None,
            "title": _text(record.get("title")) or None,
            "parent": _text(record.get("parent")) or None,
            "_key": ("doc", symbol_key(symbol), day("issued_on")),
        }

    def _journal(self) -> dict[str, Any]:
        """How an import's changes to units and documents are journaled (undo --batch reverts them)."""
        return {"by": self.options.by, "recorded_at": self.options.recorded_at, "kind": "imported",
                "batch_id": self.summary.batch_id}

    def _counted(self, entity_id: int, name: str, changed: list[str], created: bool = False) -> None:
        """Count a units or documents row: created, updated (and what changed) or unchanged."""
        if created:
            self.summary.created += 1
        elif changed:
            self.summary.updated += 1
            self.summary.changes.append((name, changed))
        else:
            self.summary.unchanged += 1
            self._unchanged_ids.add(entity_id)

    def _write_unit(self, row: dict[str, Any]) -> None:
        """A unit: matched by name, else by code; an existing one takes the file's code,
        e-mail address and new aliases (empty cells change nothing)."""
        store = self.store
        found = [u for u in store.find_units(row["name"]) if fold(u.name) == fold(row["name"])]
        if not found and row["code"]:
            found = [u for u in store.find_units(row["code"]) if fold(u.code) == fold(row["code"])]
        if found:
            unit = found[0]
            changes: dict[str, Any] = {k: row[k] for k in ("code", "email") if row[k]}
            if fold(unit.name) != fold(row["name"]):  # renamed in the file: the old name stays an alias
                changes.update(name=row["name"])
                row["aliases"] = [*row["aliases"], unit.name]
            known = {fold(a) for a in (unit.aliases or "").split(";")}
            new_aliases = [a for a in row["aliases"] if fold(a) not in known and fold(a) != fold(row["name"])]
            if new_aliases:
                changes["aliases"] = [a for a in (unit.aliases or "").split(";") if a] + new_aliases
            self._counted(unit.id, unit.name, store.change_unit(unit.id, changes, **self._journal()))
            unit_id = unit.id
        else:
            unit_id = store.add_unit(row["name"], code=row["code"], aliases=row["aliases"], email=row["email"]).id
            self._counted(unit_id, row["name"], [], created=True)
        if row["parent"]:
            self._parents.append((unit_id, row["parent"]))

    def _write_document(self, row: dict[str, Any]) -> None:
        """A document: matched by symbol and date (a dated row also fits the one undated
        document of its symbol); an existing one takes the file's non-empty cells."""
        store = self.store
        issued = row["issued_on"].isoformat() if row["issued_on"] else None
        same = store.find_documents(row["symbol"])
        found = [d for d in same if d.issued_on == issued] if issued else same
        if issued and not found:
            found = [d for d in same if d.issued_on is None][:1] if len(same) == 1 else []
        if len(found) > 1:
            raise BadRow(None, row["symbol"], "fits several documents: "
                         + ", ".join(store.document_label(d) for d in found))
        if found:
            doc = found[0]
            changes = {field: row[key] for key, field in (("title", "title"), ("type", "doc_type"),
                                                           ("issued_on", "issued_on"), ("received_on", "received_on"),
                                                           ("issuer", "issuer")) if row[key]}
            self._counted(doc.id, store.document_label(doc), store.change_document(doc.id, changes,
                                                                                   **self._journal()))
            doc_id = doc.id
        else:
            doc_id = store.add_document(
                row["symbol"],
                title=row["title"],
                doc_type=row["type"],
                issued_on=row["issued_on"],
                received_on=row["received_on"],
                issuer=row["issuer"],
            ).id
            self._counted(doc_id, row["symbol"], [], created=True)
        if row["parent"]:
            self._parents.append((doc_id, row["parent"]))

    def _link_parents(self) -> None:
        """Parents are linked once every row is in, so the order of rows does not matter."""
        for child, parent in self._parents:
            if self.options.kind == "units":
                changed = self.store.change_unit(child, {"parent_id": self.store.resolve_unit(parent).id},
                                                 **self._journal())
                name = self.store.unit(child).name
            else:
                changed = self.store.change_document(child, {"parent_id": self.store.resolve_document(parent).id},
                                                     **self._journal())
                name = self.store.document_label(self.store.document(child))
            if changed and child in self._unchanged_ids:
                self._unchanged_ids.discard(child)
                self.summary.unchanged -= 1
                self.summary.updated += 1
                self.summary.changes.append((name, changed))
