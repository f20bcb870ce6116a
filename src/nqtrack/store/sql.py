"""What the SQL engines share: every rule of the register written once — the Python around
the SQL (a change's field diffing and journaling, undo planning, the import's bulk rows,
the journals of units, documents and series, the invariant replay of `check`, export and
load) and the SQL both engines run unchanged (the as-of replay, the report's counts, the
evaluation's, the overdue view, review) — with the differences behind small hooks:
`_concat`, `_count_if`, `FALSE`, `_least`, `_array`/`_first`, `_days_between`, `_is`,
`_in`, `_id_set`, `_in_query`, `_no_index`, `_text`, `NULLS_FIRST`, `LOCK_ROW`, temporary
tables, bulk inserts, task ids, the search index and its look-up.

`SqliteStore` and `PostgresStore` derive from `SqlStore`; each keeps only its connection,
its migrations, backup and restore, its transactions and snapshot, `peek_setting`, its
integrity check and its hooks.

SQL here is written with `?` and `:name` parameters (SQLite's); an engine that wants
another style translates it in `_execute`. A row of `_execute` is read by column name
(`row["id"]`); `_rows` and `_one` give dicts.
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from nqtrack.core.errors import Ambiguous, InvalidInput, NotFound
from nqtrack.core.states import OPEN_STATES, Event
from nqtrack.core.text import fold, nfc
from nqtrack.store.base import (
    CREATION_KINDS,
    REQUEST_KINDS,
    SEARCHED_FIELDS,
    TASK_FIELDS,
    TIMELESS_KINDS,
    Document,
    NewTask,
    Unit,
    journal_value,
)

CREATION_SQL = ", ".join(f"'{k}'" for k in CREATION_KINDS)
# A task's creation event, over the alias e (an import's later change of a field has a kind
# of CREATION_KINDS too, and its field)
CREATED_SQL = f"(e.kind IN ({CREATION_SQL}) AND e.field IS NULL)"
_TIMELESS_KINDS_SQL = ", ".join(f"'{k}'" for k in TIMELESS_KINDS)
# An event that restates its field for every day (store.base.TIMELESS_KINDS), over the alias e.
TIMELESS_SQL = f"""(e.kind IN ({_TIMELESS_KINDS_SQL}) OR e.field = 'voided'
    OR (e.kind = 'undo' AND EXISTS (SELECT 1 FROM events c WHERE c.id = e.undoes
                                   AND c.kind IN ({_TIMELESS_KINDS_SQL}))))"""
# An event that changes the figures of every day, over e and its task t: one that restates
# its field for every day, or a task created without the day it was assigned (it is in
# every period's workload)
FIGURES_EVERY_DAY_SQL = f"({TIMELESS_SQL} OR ({CREATED_SQL} AND t.assigned_on IS NULL))"
# The open states (core.states.OPEN_STATES), as SQL.
OPEN_SQL = ", ".join(f"'{s}'" for s in OPEN_STATES)

EVENT_COLUMNS = ("task_id", "kind", "field", "old_value", "new_value", "effective_on", "recorded_at", "recorded_by",
                 "note", "batch_id")

# A task's fields as its creation fingerprint takes them (and an older register's JSON
# snapshot holds them), in sorted order.
_SNAPSHOT_FIELDS = tuple(sorted(TASK_FIELDS))

# The task fields insert_tasks copies as they are (the others it sets itself).
_PLAIN_FIELDS = ("code", "source", "assignee", "assigned_on", "deadline", "deadline_text", "product",
                 "completed_on", "note", "period_start")

# A series' columns as its creation event keeps them (the snapshot), in sorted order.
SERIES_FIELDS = ("assignee", "code", "coordinating_units", "document_id", "lead_unit_id", "note", "product", "rule",
                 "rule_text", "source", "starts_on", "title")

# Occurrences opened by a reading command or `recur` carry a batch id with this prefix:
# `undo --last` leaves them alone (a view must not become the change undone next).
RECUR_BATCH_PREFIX = "recur-"

# The tables of a whole register, in an order that loads without breaking a reference
# (series before the tasks of them); a unit's or a document's reference to another of its
# table (parent, merged into) is set once the whole table is in (see load_export).
EXPORT_TABLES = ("settings", "units", "documents", "series", "series_events", "tasks", "task_units", "events",
                 "batches", "calendar_days", "calendar_events", "register_events", "import_provenance",
                 "register_marks", "users", "user_events")
# (register_keys is left out: the secret that signs the units' sheets never leaves the register)
_EXPORT_ORDER = {"settings": "key", "task_units": "task_id, unit_id", "calendar_days": "day",
                 "import_provenance": "task_id", "register_marks": "name"}
_SELF_REFERENCES = {"units": ("parent_id", "merged_into"), "documents": ("parent_id", "merged_into")}

# The tables nqtrack never deletes from, by the name of their mark in register_marks: how
# many rows were ever written to each, raised by every write transaction (the engines'
# `transaction()` call `_raise_marks`), so that `check` sees a row deleted outside nqtrack,
# the newest too. On SQLite, whose numbers run without a gap, that is also the highest
# number ever written; PostgreSQL's sequences leave the numbers of a rolled-back write
# unused, so the count, not the number, is what a mark holds.
MARKED = {"last_task": "tasks", "last_event": "events", "last_register_event": "register_events",
          "last_series": "series", "last_series_event": "series_events", "last_calendar_event": "calendar_events"}
# what `check` calls a row of each marked table but tasks (which it names by number)
_MISSING = {"events": ("journal event", "journal events"),
            "register_events": ("event of the units' and documents' journal",
                                "events of the units' and documents' journal"),
            "series": ("series", "series"),
            "series_events": ("event of the series' journal", "events of the series' journal"),
            "calendar_events": ("event of the calendar's journal", "events of the calendar's journal")}

_value = journal_value

# check's rule on a task t: a deadline before the day it was assigned stands with a note saying
# why (the task's, or one in its journal)
_EARLY_DEADLINE_UNEXPLAINED = """t.deadline < t.assigned_on AND t.note IS NULL AND NOT EXISTS (
    SELECT 1 FROM events e WHERE e.task_id = t.id AND e.note IS NOT NULL)"""

# The journals whose events can change a report's figures (see "the figures kept").
_FIGURE_JOURNALS = ("events", "register_events", "calendar_events")


# tasks_document_title holds a title key's first characters, not the whole key (m015)
TITLE_PREFIX = 20

# Registers repeat titles, assignees, products and notes thousands of times (bounded caches).
@lru_cache(maxsize=16384)
def _title_and_key(raw: str) -> tuple[str, str]:
    """A task's title as stored (nfc) and its folded key."""
    title = nfc(raw)
    return title, fold(title)


# fold() of a text a register repeats (a title, a note, an assignee), from a bounded cache
fold_repeated = lru_cache(maxsize=16384)(fold)


def _text_of(title_key: str | None, title: str | None, code: Any, note: Any, product: Any, assignee: Any,
             document_words: str | None) -> str:
    """A task's search text: title_key is the folded title already; the document's words come
    folded too."""
    # fold() of the words joined, word by word: a space breaks nothing fold does (NFC
    # composes nothing across it), and the repeated words come from a cache
    parts = [title_key or fold(title), fold(str(code)) if code else ""]
    for word in (note, product, assignee):
        if word:
            parts.append(fold_repeated(word) if type(word) is str else fold(str(word)))
    parts.append(document_words or "")
    return " ".join(filter(None, parts))  # the empty parts left out


@lru_cache(maxsize=4096)
def _words_of_document(symbol: str | None, doc_type: str | None, title: str | None) -> str:
    """A document's folded words (symbol, type, title) in its tasks' search text; a register
    has few documents, each with many tasks."""
    return fold(" ".join(part for part in (symbol, doc_type, title) if part))

# A creation event keeps a fingerprint of the fields the task was created with, not the fields
# themselves: they are derivable (creation_fields), and the copy was 40 % of the journal.
FINGERPRINT_PREFIX = "#"


_SNAPSHOT_INDEX = {f: i for i, f in enumerate(_SNAPSHOT_FIELDS)}
_DEADLINE_PLACE = _SNAPSHOT_INDEX["deadline"]


def creation_fingerprint(fields: Mapping[str, Any]) -> str:
    """The fingerprint of a task's fields as created (their journal texts, in the snapshot's
    order): a 64-bit BLAKE2b of them all, by which `check` holds each field no event changed,
    then one byte of each field's CRC-32, by which it names the field that differs."""
    texts = _journal_texts([fields.get(f) for f in _SNAPSHOT_FIELDS])
    return FINGERPRINT_PREFIX + _whole_print(texts) + _field_prints(texts)


def _journal_texts(values: list[Any]) -> list[str]:
    """Values as the journal writes them (journal_value), an empty text for none."""
    return ["" if v is None else v if type(v) is str else (_value(v) or "") for v in values]


def _first_texts(current: Mapping[str, Any], firsts: Mapping[str, Any]) -> list[str]:
    """The journal texts of a task's fields as created, in the snapshot's order: each field's
    value before the first event that changed it (`firsts`, field → that event's old value),
    else its value now (`current`). A million of them in `check`: kept lean."""
    values = [current[f] for f in _SNAPSHOT_FIELDS]
    for field, old in firsts.items():
        index = _SNAPSHOT_INDEX.get(field)
        if index is not None:
            values[index] = old
    return _journal_texts(values)


@lru_cache(maxsize=1)
def _blake2b() -> Callable[..., Any]:
    from hashlib import blake2b  # only what fingerprints (check and the writes), not every start

    return blake2b


_PRINT_SEPARATOR = "\x1f"
# how check's pass over every task reads a task's field events in one text: field, old value
_PART, _CHANGE = "\x1e", "\x1d"
# the columns of a task its search text is made of (with its document's words)
_SEARCHED_COLUMNS = ("title", "document_id", "code", "note", "product", "assignee")


def _whole_print(texts: list[str]) -> str:
    """The BLAKE2b-64 of the fields' texts joined: one encoding, one hash."""
    return _joined_print(_PRINT_SEPARATOR.join(texts))


def _joined_print(joined: str) -> str:
    return _blake2b()(joined.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _field_prints(texts: list[str]) -> str:
    from zlib import crc32

    return bytes([crc32(t.encode("utf-8", "surrogatepass")) & 0xFF for t in texts]).hex()


def _holds_print(recorded: str, joined: str) -> bool:
    """Whether the fields' texts, joined, are those the fingerprint `recorded` was made of."""
    return _joined_print(joined) == recorded[len(FINGERPRINT_PREFIX):len(FINGERPRINT_PREFIX) + 16]


def creation_fields(current: Mapping[str, Any], firsts: Mapping[str, Any]) -> dict[str, str | None]:
    """A task's fields as created, derived from what the register holds (_first_texts)."""
    return {f: t or None for f, t in zip(_SNAPSHOT_FIELDS, _first_texts(current, firsts), strict=True)}


def created_with(recorded: str | None, current: Mapping[str, Any],
                 firsts: Mapping[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    """The fields a task was created with, from its creation event's value `recorded`, and
    the fields that are not what the event recorded (None when all are; an empty list when
    the fingerprint differs but names no field). A fingerprint: the fields derived and held
    to it; a whole snapshot (JSON, written before fingerprints): the fields as it has them,
    not voided when it is older than voids, held to nothing here. Raises ValueError where
    the value is neither."""
    if recorded is not None and recorded.startswith(FINGERPRINT_PREFIX):
        texts = _first_texts(current, firsts)
        fields = {f: t or None for f, t in zip(_SNAPSHOT_FIELDS, texts, strict=True)}
        if _holds_print(recorded, _PRINT_SEPARATOR.join(texts)):
            return fields, None
        found, start = _field_prints(texts), len(FINGERPRINT_PREFIX) + 16
        return fields, [f for i, f in enumerate(_SNAPSHOT_FIELDS)
                        if found[2 * i:2 * i + 2] != recorded[start + 2 * i:start + 2 * i + 2]]
    return _snapshot_of(recorded), None


def _snapshot_of(recorded: str | None) -> dict[str, Any]:
    """The fields a creation event of a register written before fingerprints holds whole
    (JSON); one older than voids not voided. Raises ValueError where it holds none."""
    snapshot = json.loads(recorded) if recorded is not None else None
    if not isinstance(snapshot, dict):
        raise ValueError("not a creation snapshot")
    return {"voided": "0", **snapshot}


@contextmanager
def _in_a_process(run: Callable[[], Any]) -> Iterator[Callable[[], Any]]:
    """`run` in a forked process (it opens its own connection: nothing of this one's is used
    there), its result or its error sent back through a pipe; the process ended however
    the block ends."""
    import multiprocessing

    context: Any = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's: it ends this process
        try:
            outcome: tuple[str, Any] = ("done", run())
        except BaseException as exc:  # noqa: BLE001  # every error goes back to the caller
            outcome = ("failed", exc)
        try:
            sender.send(outcome)
        except Exception:  # noqa: BLE001  # an error that does not pickle: its text
            sender.send(("failed", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
        sender.close()

    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice by the fork
        stream.flush()
    process = context.Process(target=child, daemon=True, name="nqtrack-beside")
    process.start()
    sender.close()

    def result() -> Any:
        try:
            kind, value = receiver.recv()
        except EOFError:  # ended without a word: killed, or out of memory
            process.join()
            raise RuntimeError(f"the process reading beside stopped (exit code {process.exitcode})") from None
        if kind == "failed":
            raise value
        return value

    try:
        yield result
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()


def bad_value(exc: Exception) -> InvalidInput:
    """A value the engine cannot store, the user's error (bytes passed through from the
    command line, a number too large), wherever it slipped past the checks above."""
    if isinstance(exc, UnicodeEncodeError):
        return InvalidInput("text that is not valid UTF-8 cannot be stored")
    return InvalidInput("a number is too large: {reason}", reason=str(exc).strip().splitlines()[0])


def _original_deadline(created: str | None, journal: Sequence[Mapping[str, Any]]) -> str | None:
    """The original deadline the journal gives: the deadline the task was created with,
    unless a correction (or the undo of one) set the deadline of a task never extended,
    which was typed wrong from the start."""
    original = deadline = created
    kinds = {e["id"]: e["kind"] for e in journal}
    for event in journal:
        if event["field"] != "deadline":
            continue
        correction = event["kind"] == "corrected" or (event["kind"] == "undo"
                                                      and kinds.get(event["undoes"]) == "corrected")
        if correction and original == deadline:
            original = event["new_value"]
        deadline = event["new_value"]
    return original
# -- search: whole words as SQLite's FTS5 cuts and ranks them ---------------------------------


def _token_char(char: str) -> bool:
    """A character FTS5's unicode61 tokenizer keeps in a word (categories L*, N*, Co)."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


# every ASCII character but a digit or a letter to a space: split() then gives the runs of
# [0-9a-z] that re.findall did, in 4 us a task's text rather than 11
_ASCII_WORDS_APART = str.maketrans({code: " " for code in range(128) if not chr(code).isalnum()})


def search_tokens(text: str) -> list[str]:
    """The words of a search text as FTS5's unicode61 tokenizer (remove_diacritics 1)
    cuts them: runs of letters, digits and private-use characters, lower case, without
    diacritics. The text is folded already (core.text.fold), so this is mostly a split."""
    if text.isascii():  # the common case, a hundred times faster
        return text.lower().translate(_ASCII_WORDS_APART).split()
    tokens: list[str] = []
    word: list[str] = []
    for char in text:
        if char.isascii():
            if char.isalnum():
                word.append(char.lower())
                continue
        elif _token_char(char):
            bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            word.append((bare or char).lower())
            continue
        if word:
            tokens.append("".join(word))
            word = []
    if word:
        tokens.append("".join(word))
    return tokens


def search_phrases(text: str) -> list[list[str]] | None:
    """What was typed as FTS5 phrases (each a list of tokens), as SqliteStore.search_query
    builds its query: every \\w run of the folded text, each a quoted phrase, all required.
    None when nothing was typed; a phrase without a token matches nothing."""
    words = [w for w in re.split(r"[^\w]+", fold(text)) if w]
    return [search_tokens(w) for w in words] or None


def _phrase_count(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    """How many times the phrase occurs in the tokens (FTS5's instances of a phrase)."""
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    width = len(phrase)
    return sum(1 for i in range(len(tokens) - width + 1) if list(tokens[i:i + width]) == list(phrase))


def bm25_order(rows: Iterable[tuple[int, str]], phrases: list[list[str]], hits: list[int], row_count: int,
               token_count: int) -> list[int]:
    """The ids of the rows holding every phrase, best first, by FTS5's bm25 (fts5_aux.c:
    k1 = 1.2, b = 0.75, an IDF of at least 1e-6), computed with the same operations in
    the same order, so that scores and ties are those of SQLite; ties by id.

    `rows`: (id, body) of the candidates; `hits`: how many rows hold each phrase;
    `row_count`, `token_count`: the rows and words of the whole index."""
    k1, b = 1.2, 0.75
    avgdl = float(token_count) / float(row_count) if row_count else 0.0
    idf = []
    for n_hit in hits:
        value = math.log((row_count - n_hit + 0.5) / (n_hit + 0.5))
        idf.append(value if value > 0.0 else 1e-6)
    scored: list[tuple[float, int]] = []
    for row_id, body in rows:
        tokens = search_tokens(body)
        freqs = [float(_phrase_count(tokens, p)) for p in phrases]
        if not all(freqs):
            continue
        size = float(len(tokens))
        score = 0.0
        for i, freq in enumerate(freqs):
            score += idf[i] * ((freq * (k1 + 1.0)) / (freq + k1 * (1 - b + b * size / avgdl)))
        scored.append((-1.0 * score, row_id))
    scored.sort()
    return [row_id for _, row_id in scored]



class SqlStore:
    """The engine-neutral part of a SQL store (see the module docstring). Subclasses
    provide the connection (`_execute`, `_executemany`, `transaction`, `snapshot`), the
    schema and its migrations, backup, the bulk insert, task ids, the search index and
    the hooks below."""

    engine = "sql"
    path = ""
    # whether the server numbers the figures' changes itself (a trigger), or _raise_marks does
    FIGURE_CHANGES_BY_SERVER = False
    EXPORT_TABLES = EXPORT_TABLES
    created = False  # this opening made the register
    read_only: Any = None  # the UserError a write raises (read-only media, a newer schema), or None
    newer_schema: int | None = None  # the schema of a register made by a newer nqtrack
    # the result of check's pass over the journal, started beside (checking), or None
    _journal_found: Callable[[], list[int]] | None = None

    def __init__(self) -> None:
        self._written: Counter[str] = Counter()  # rows this transaction wrote, per marked table
        # inside snapshot() the register cannot change, so the journal's later changes
        # collected for one as-of day serve every later day (collect_later_changes)
        self._steady = False
        self._collected: tuple[date, str | None, bool] | None = None

    @contextmanager
    def _steady_reads(self) -> Iterator[None]:
        """Marks the reads of an engine's snapshot() as seeing one unchanging register."""
        self._steady, self._collected = True, None
        try:
            yield
        finally:
            self._steady, self._collected = False, None

    def _wrote(self, table: str, rows: int = 1) -> None:
        self._written[table] += rows

    def _raise_marks(self) -> None:
        """At the end of a write transaction: each mark raised by the rows it wrote (a mark
        the register does not hold yet, one added after its schema, is made from the rows
        the table holds, this transaction's included); and the change numbered for the
        figures kept, where the engine does not number it itself."""
        if not self.FIGURE_CHANGES_BY_SERVER and any(self._written[t] for t in _FIGURE_JOURNALS):
            self._number_figure_change()
        start = "coalesce(max(id), 0)" if self.GAPLESS else "count(*)"
        for mark, table in MARKED.items():
            if self._written[table]:
                self._execute(
                    f"""INSERT INTO register_marks(name, value) SELECT ?, {start} FROM {table} WHERE true
                        ON CONFLICT(name) DO UPDATE SET value = register_marks.value + ?""",
                    [mark, self._written[table]])
        self._written.clear()

    # -- the figures kept ----------------------------------------------------------------
    # A report's counts of a day change only when the register gets an event effective on
    # that day or earlier (or one that restates its field for every day: TIMELESS_SQL), or
    # a unit, document or calendar change. Every write transaction that writes such events
    # is numbered in figure_changes with the earliest day it can change (NULL: every day);
    # a count kept with the number of the last change its snapshot saw stays good while no
    # later change reaches back to its day. So a closed month's figures are read, not
    # counted again, until a late entry reaches back into that month.

    def _number_figure_change(self) -> None:
        """The change this transaction makes, numbered next (SQLite: one writer at a time,
        and its events are the newest rows; PostgreSQL numbers them in a trigger)."""
        if self._written["register_events"] or self._written["calendar_events"]:
            from_day = None
        else:
            from_day = self._scalar(
                f"""SELECT CASE WHEN max(CASE WHEN {FIGURES_EVERY_DAY_SQL} THEN 1 ELSE 0 END) = 1 THEN NULL
                                ELSE min({self._figures_from_day()}) END AS from_day
                    FROM events e LEFT JOIN tasks t ON t.id = e.task_id
                    WHERE e.id > (SELECT max(id) FROM events) - ?""", [self._written["events"]])
        self._execute("INSERT INTO figure_changes(id, from_day) SELECT coalesce(max(id), 0) + 1, ? FROM figure_changes",
                      [from_day])

    def _figures_from_day(self) -> str:
        """The first day whose figures an event e of task t can change: its effective day; for
        a creation, the earliest of that and the task's days (a task entered late counts from
        the day it was assigned, and in the workload of its deadline's month)."""
        days = "e.effective_on"
        for column in ("t.assigned_on", "t.deadline", "t.original_deadline", "t.completed_on"):
            days = self._least(days, f"coalesce({column}, e.effective_on)")
        return f"CASE WHEN {CREATED_SQL} THEN {days} ELSE e.effective_on END"

    def may_read_figures(self) -> bool:
        """Whether this session reads the figures kept (it sees every row of the register)."""
        return True

    def may_keep_figures(self) -> bool:
        """Whether this session may keep the figures it counts."""
        return self.read_only is None

    def figures_seen(self) -> int:
        """The number of the last change to the register this view sees (inside snapshot())."""
        return int(self._scalar("SELECT coalesce(max(id), 0) AS n FROM figure_changes"))

    def kept_figures(self, keys: Sequence[str]) -> dict[str, str]:
        """The figures kept under these keys (JSON text) that no later change reaches back to."""
        if not keys:
            return {}
        where, params = self._in("f.key", list(keys))
        return {r["key"]: r["figures"] for r in self._rows(
            f"""SELECT f.key, f.figures FROM figure_cache f
                WHERE {where} AND NOT EXISTS (
                    SELECT 1 FROM figure_changes c
                    WHERE c.id > f.changes_seen AND (c.from_day IS NULL OR c.from_day <= f.changed_by))""", params)}

    def keep_figures(self, entries: Sequence[tuple[str, date, str]], seen: int, kept_at: str) -> None:
        """Keep (key, the last day a change can be effective on and change them, JSON figures)
        counted in a view that saw change `seen` (call inside a transaction). The figures no
        longer good are dropped, and the changes every figure kept has seen (the newest one
        is kept: it numbers the next)."""
        if not entries:
            return
        self._executemany(
            """INSERT INTO figure_cache(key, changed_by, changes_seen, figures, kept_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(key) DO UPDATE SET changed_by = excluded.changed_by, changes_seen = excluded.changes_seen,
                                              figures = excluded.figures, kept_at = excluded.kept_at""",
            [[key, changed_by.isoformat(), seen, figures, kept_at] for key, changed_by, figures in entries])
        self._execute(
            """DELETE FROM figure_cache WHERE EXISTS (
                   SELECT 1 FROM figure_changes c WHERE c.id > figure_cache.changes_seen
                   AND (c.from_day IS NULL OR c.from_day <= figure_cache.changed_by))""")
        self._execute(
            """DELETE FROM figure_changes
               WHERE id < (SELECT coalesce(min(changes_seen), 0) FROM figure_cache)
                 AND id < (SELECT max(id) FROM figure_changes)""")

    def forget_figures(self) -> None:
        """Drop every figure kept (the register's content was replaced: call inside the
        transaction that replaced it)."""
        self._execute("DELETE FROM figure_cache")

    # -- the engine's hooks ----------------------------------------------------------

    def _execute(self, sql: str, params: Any = ()) -> Any:
        """Run one statement; returns a cursor whose rows are read by column name."""
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows (values in `columns` order) in bulk."""
        raise NotImplementedError

    def _reserve_task_ids(self, count: int) -> list[int]:
        """`count` new task ids, never handed out twice, even to concurrent writers."""
        raise NotImplementedError

    def _reindexing(self, task_ids: Sequence[int]) -> AbstractContextManager[None]:
        """Around a change to what these tasks' search text is made of (inside the write's
        transaction): their text in the search index rewritten after it. An engine whose
        index keeps no copy of the text takes the old text out with what it was made of."""
        raise NotImplementedError

    def _index_new_tasks(self, rows: list[dict[str, Any]], documents: dict[int, str]) -> None:
        """The search text of tasks just inserted, straight from their rows."""
        raise NotImplementedError

    def _found_tasks(self, text: str, where: list[str], params: list[Any], limit: int | None
                     ) -> list[dict[str, Any]]:
        """The tasks a search finds among those `where` keeps, best first, cut to `limit`."""
        raise NotImplementedError

    def _id_set(self, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
        """`column` is one of `ids`, a set decided elsewhere that may be large."""
        raise NotImplementedError

    def _temp_table(self, name: str, select: str, params: Any,
                    indexes: Sequence[tuple[str, str, bool]] = ()) -> None:
        """A temporary table made from a query, with (index name, columns, unique) indexes."""
        raise NotImplementedError

    def _columns(self, table: str) -> dict[str, Any]:
        """A table's columns, each with the value it takes when a row leaves it out."""
        raise NotImplementedError

    def _integrity_errors(self) -> tuple[type[BaseException], ...]:
        """The engine's errors for a row the schema refuses (a reference, a unique key)."""
        raise NotImplementedError

    def _after_load(self) -> None:
        """What the engine derives from loaded rows: the search index (and its counters)."""
        raise NotImplementedError

    def _stream(self, sql: str, tuples: bool = False) -> Iterator[Any]:
        """The rows of a query, read as they come (a whole journal does not fit in memory);
        `tuples`: as tuples, not rows by name (check's passes read a million rows each)."""
        raise NotImplementedError

    def _search_index(self) -> Iterator[tuple[int, str | None]]:
        """(task id, its text in the search index) for every row of the index, by task; the
        text None where the index's other columns do not follow from it."""
        raise NotImplementedError

    GAPLESS = True  # a row's number is the highest before it + 1: a gap in the numbers is a row deleted
    TEMP = "temp"  # the schema of temporary tables
    FALSE = "0"  # false, as a value of the engine's boolean expressions
    NULLS_FIRST = ""  # after an ascending ORDER BY term: NULLs first, as SQLite sorts them
    LOCK_ROW = ""  # after a SELECT of a task's row: locked for the transaction (where rows are)

    @staticmethod
    def _concat(expression: str, separator: str, order: str) -> str:
        """An aggregate joining the values of `expression` with `separator`, in `order`."""
        raise NotImplementedError

    @staticmethod
    def _joined(expressions: Sequence[str], separator: str) -> str:
        """The texts of `expressions` (CAST AS TEXT, '' for NULL) joined by `separator`."""
        return f" || '{separator}' || ".join(f"coalesce(CAST({e} AS TEXT), '')" for e in expressions)

    @staticmethod
    def _count_if(term: str) -> str:
        """How many rows satisfy a boolean term."""
        raise NotImplementedError

    @staticmethod
    def _least(a: str, b: str) -> str:
        raise NotImplementedError

    @staticmethod
    def _array(expression: str) -> str:
        """A one-value array of `expression`, so that a NULL value is told from no row."""
        raise NotImplementedError

    @staticmethod
    def _first(array: str) -> str:
        """The value of an `_array` (NULL when there is none)."""
        raise NotImplementedError

    @staticmethod
    def _days_between(later: str, earlier: str) -> str:
        """The whole days from one ISO date to another, as an integer."""
        raise NotImplementedError

    @staticmethod
    def _no_index(column: str) -> str:
        """A column the planner should not pick an index for."""
        raise NotImplementedError

    @staticmethod
    def _matches(column: str, value: Any) -> tuple[str, list[Any]]:
        """`column` equal to `value`, NULL to NULL: `=` or IS NULL, which both engines' indexes
        serve (PostgreSQL's IS NOT DISTINCT FROM serves none: the look-up of every imported
        row by its title read the whole index), and its parameters."""
        return (f"{column} IS NULL", []) if value is None else (f"{column} = ?", [value])

    @staticmethod
    def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column` is one of a few `values`: the SQL and its parameters."""
        raise NotImplementedError

    @staticmethod
    def _in_query(column: str, subquery: str) -> str:
        """`column` is one of the values a subquery returns."""
        raise NotImplementedError

    @staticmethod
    def _differ(a: str, b: str) -> str:
        """`a` and `b` are not the same value, NULL the same as NULL."""
        raise NotImplementedError

    @staticmethod
    def _text(expression: str) -> str:
        """A number as text."""
        raise NotImplementedError

    # -- reading helpers ----------------------------------------------------------------

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self._execute(sql, params)]

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        row = self._execute(sql, params).fetchone()
        return None if row is None else dict(row)

    def _scalar(self, sql: str, params: Any = ()) -> Any:
        """The first column of the first row (every row read: a write's RETURNING is done)."""
        rows = self._execute(sql, params).fetchall()
        return next(iter(dict(rows[0]).values())) if rows else None

    def _ids(self, sql: str, params: Any = ()) -> list[Any]:
        """The first column of every row."""
        return [next(iter(dict(r).values())) for r in self._execute(sql, params)]

    def _insert_many(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows (dicts with the same keys in the same order) in bulk."""
        if rows:
            columns = list(rows[0])
            self._insert_rows(table, columns, [[row[c] for c in columns] for row in rows])

    def counts(self) -> dict[str, int]:
        return {table: self._scalar(f"SELECT count(*) AS n FROM {table}")
                for table in ("units", "documents", "tasks", "events")}

    # -- settings ----------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        return self._scalar("SELECT value FROM settings WHERE key = ?", [key])

    def set_setting(self, key: str, value: str | None) -> None:
        self._execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # -- the office's calendar (call the writers inside a transaction) ------------------

    def calendar_days(self, first: date | None = None, last: date | None = None) -> list[dict[str, Any]]:
        """The days the office named (its days off and make-up working days), in order."""
        return self._rows(
            "SELECT day, kind, note, recorded_at, recorded_by FROM calendar_days "
            "WHERE day BETWEEN ? AND ? ORDER BY day",
            [_value(first) or "0000-01-01", _value(last) or self._FAR_FUTURE],
        )

    def set_calendar_day(self, day: date, kind: str | None, *, note: str | None, by: str,
                         recorded_at: str) -> str | None:
        """Name a day off or working (`kind` 'off' or 'working'), or forget the office's
        entry for it (None); journaled in calendar_events. Returns the kind it had."""
        old = self._scalar("SELECT kind FROM calendar_days WHERE day = ?", [day.isoformat()])
        if kind is None:
            self._execute("DELETE FROM calendar_days WHERE day = ?", [day.isoformat()])
        else:
            self._execute(
                """INSERT INTO calendar_days(day, kind, note, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, note = excluded.note,
                       recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by""",
                [day.isoformat(), kind, note, recorded_at, by],
            )
        self._execute(
            "INSERT INTO calendar_events(day, old_kind, new_kind, note, recorded_at, recorded_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [day.isoformat(), old, kind, note, recorded_at, by],
        )
        self._wrote("calendar_events")
        return old

    def calendar_history(self, first: date, last: date) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM calendar_events WHERE day BETWEEN ? AND ? ORDER BY day, id",
                          [first.isoformat(), last.isoformat()])

    # -- series (nhiệm vụ định kỳ) --------------------------------------------------------

    # A series names the units and document it was given; a unit or document merged since
    # (`unit merge`, `doc merge`) is read as the one it went into, so that the periods opened
    # afterwards take the one kept, and an undone merge gives the series its own back.
    _SERIES_SELECT = """
        SELECT s.*, d.symbol AS document, u.name AS lead_unit
        FROM series s
        LEFT JOIN documents d ON d.id = s.document_id
        LEFT JOIN units u ON u.id = s.lead_unit_id
    """

    def merged_target(self, entity: str, entity_id: int | None) -> int | None:
        """The unit (or document) in use that `entity_id` is, following merges; itself when
        it was never merged."""
        table = "units" if entity == "unit" else "documents"
        seen: set[int] = set()
        while entity_id is not None and entity_id not in seen:
            seen.add(entity_id)
            row = self._one(f"SELECT merged_into FROM {table} WHERE id = ?", [entity_id])
            if row is None or row["merged_into"] is None:
                return entity_id
            entity_id = row["merged_into"]
        return entity_id

    def _live_series(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A series as its units and documents are now (see _SERIES_SELECT)."""
        series = dict(row)
        lead = self.merged_target("unit", series["lead_unit_id"])
        if lead != series["lead_unit_id"]:
            series["lead_unit_id"], series["lead_unit"] = lead, self.unit(lead).name  # type: ignore[arg-type]
        if series["coordinating_units"]:
            given = [int(u) for u in series["coordinating_units"].split(",")]
            now = sorted({self.merged_target("unit", u) for u in given} - {lead})  # type: ignore[type-var]
            series["coordinating_units"] = ",".join(map(str, now)) or None
        document = self.merged_target("document", series["document_id"])
        if document != series["document_id"]:
            series["document_id"], series["document"] = document, self.document(document).symbol  # type: ignore[arg-type]
        return series

    def add_series(self, values: dict[str, Any], *, next_open: date | None, by: str, recorded_at: str,
                   effective_on: date, batch_id: str | None = None) -> int:
        """Insert a series and its creation event (a snapshot of its fields, like a task's)."""
        title = nfc(values.get("title") or "")
        if not title:
            raise InvalidInput("a task needs a title")
        row = {name: _value(values.get(name)) for name in SERIES_FIELDS}
        row["title"] = title
        if row["code"] and self._one("SELECT id FROM series WHERE code = ?", [row["code"]]):
            raise InvalidInput("a task with code '{code}' already exists", code=row["code"])
        columns = {**self._typed(row), "title_key": fold(title), "next_open": _value(next_open),
                   "created_at": recorded_at}
        series_id = int(self._scalar(
            f"INSERT INTO series({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
            list(columns.values()),
        ))
        self._wrote("series")
        self._series_event(series_id, "created", None, None, json.dumps(row, ensure_ascii=False, sort_keys=True),
                           effective_on, recorded_at, by, batch_id=batch_id)
        return series_id

    def _series_event(self, series_id: int, kind: str, field: str | None, old: Any, new: Any, effective_on: date,
                      recorded_at: str, by: str, note: str | None = None, batch_id: str | None = None) -> None:
        self._execute(
            """INSERT INTO series_events(series_id, kind, field, old_value, new_value, effective_on, recorded_at,
                                         recorded_by, note, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [series_id, kind, field, _value(old), _value(new), effective_on.isoformat(), recorded_at, by, note,
             batch_id],
        )
        self._wrote("series_events")

    def series(self, series_id: int) -> dict[str, Any]:
        row = self._one(self._SERIES_SELECT + " WHERE s.id = ?", [series_id])
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=f"S{series_id}")
        return self._live_series(row)

    def find_series(self, ref: str) -> dict[str, Any] | None:
        """A series by its code, or by its number written S12 (s12, #S12)."""
        ref = ref.strip()
        found = self._scalar("SELECT id FROM series WHERE code = ?", [ref])
        number = ref.lstrip("#")
        if found is None and number[:1] in ("S", "s") and number[1:].isdigit() and len(number) < 20:
            found = self._scalar("SELECT id FROM series WHERE id = ?", [int(number[1:])])
        return self.series(found) if found is not None else None

    def series_by_code(self, code: str) -> dict[str, Any] | None:
        found = self._scalar("SELECT id FROM series WHERE code = ?", [code])
        return self.series(found) if found is not None else None

    def series_by_title(self, document_id: int | None, title: str) -> dict[str, Any] | None:
        """A series of this document (or of one merged into it) and folded title."""
        same_document, document_params = self._matches("document_id", document_id)
        found = self._scalar(
            f"""WITH RECURSIVE merged(id) AS (
                   SELECT CAST(? AS BIGINT) UNION SELECT d.id FROM documents d JOIN merged m ON d.merged_into = m.id)
               SELECT id FROM series WHERE ({same_document} OR document_id IN (SELECT id FROM merged))
                 AND title_key = ? ORDER BY id LIMIT 1""",
            [document_id, *document_params, fold(title)],
        )
        return self.series(found) if found is not None else None

    def has_series_to_open(self, day: date) -> bool:
        """Whether a series has a period opening on or before `day` not opened yet (one
        look-up in an index that holds only the series still running)."""
        return self._one("SELECT 1 AS found FROM series WHERE next_open IS NOT NULL AND next_open <= ? LIMIT 1",
                         [day.isoformat()]) is not None

    def series_to_open(self, day: date) -> list[dict[str, Any]]:
        rows = self._rows(self._SERIES_SELECT + " WHERE s.next_open IS NOT NULL AND s.next_open <= ? ORDER BY s.id",
                          [day.isoformat()])
        return [self._live_series(r) for r in rows]

    def set_series_next_open(self, series_id: int, next_open: date | None) -> None:
        self._execute("UPDATE series SET next_open = ? WHERE id = ?", [_value(next_open), series_id])

    def end_series(self, series_id: int, ends_on: date, *, next_open: date | None, by: str, recorded_at: str,
                   note: str | None = None, batch_id: str | None = None) -> None:
        """The series' last day: no period starting after it is opened; journaled."""
        old = self._scalar("SELECT ends_on FROM series WHERE id = ?", [series_id])
        self._execute("UPDATE series SET ends_on = ?, next_open = ? WHERE id = ?",
                      [ends_on.isoformat(), _value(next_open), series_id])
        self._series_event(series_id, "ended", "ends_on", old, ends_on, ends_on, recorded_at, by, note, batch_id)

    def series_occurrences(self, series_id: int) -> list[dict[str, Any]]:
        return self._rows(self._task_select() + " WHERE t.series_id = ? ORDER BY t.period_start", [series_id])

    def series_events(self, series_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM series_events WHERE series_id = ? ORDER BY id", [series_id])

    def series_created_at(self, recorded_at: Sequence[str]) -> list[int]:
        """The series created by the changes recorded at these moments (for undo)."""
        found: list[int] = []
        for moment in sorted(set(recorded_at)):
            found += self._ids("SELECT series_id FROM series_events WHERE recorded_at = ? AND kind = 'created'",
                               [moment])
        return sorted(found)

    # -- units -------------------------------------------------------------------

    def _unit_keys(self, unit: Unit) -> set[str]:
        names = [unit.name, unit.code or ""] + (unit.aliases or "").split(";")
        return {fold(n) for n in names if fold(n)}

    def _write_unit_keys(self, unit: Unit) -> None:
        self._execute("DELETE FROM unit_keys WHERE unit_id = ?", [unit.id])
        self._executemany(
            "INSERT INTO unit_keys(unit_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(unit.id, key) for key in sorted(self._unit_keys(unit))],
        )

    def add_unit(
        self,
        name: str,
        code: str | None = None,
        parent_id: int | None = None,
        aliases: Sequence[str] = (),
        email: str | None = None,
    ) -> Unit:
        """Insert a unit; call inside a transaction."""
        name = nfc(name)
        if not name:
            raise InvalidInput("a unit needs a name")
        code = nfc(code) if code else None
        alias_text = ";".join(nfc(a) for a in aliases if nfc(a)) or None
        # a name, a code or an alias names one unit only
        self._check_unit_names(0, name, code, alias_text)
        unit_id = self._scalar(
            "INSERT INTO units(code, name, parent_id, aliases, email) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [code, name, parent_id, alias_text, email],
        )
        unit = Unit(int(unit_id), code, name, parent_id, alias_text, email)
        self._write_unit_keys(unit)
        return unit

    def _check_unit_names(self, unit_id: int, name: str, code: str | None, aliases: str | None) -> None:
        """A name, code or alias (folded) may name one unit only: refuse one that names another."""
        for text, is_alias in [(name, False), (code, False)] + [(a, True) for a in (aliases or "").split(";")]:
            if not text or not fold(text):
                continue
            other = self._scalar(
                "SELECT u.name FROM unit_keys k JOIN units u ON u.id = k.unit_id WHERE k.key = ? AND u.id != ? LIMIT 1",
                [fold(text), unit_id],
            )
            if other is None:
                continue
            if is_alias:
                raise InvalidInput("'{alias}' already names the unit {unit}: one alias cannot name two units",
                                   alias=text, unit=other)
            raise InvalidInput("a unit named '{name}' already exists ({unit}); to make them one unit use "
                               "'nqtrack unit merge'", name=text, unit=other)

    def _unit(self, row: Mapping[str, Any]) -> Unit:
        return Unit(row["id"], row["code"], row["name"], row["parent_id"], row["aliases"], row["email"],
                    row["merged_into"])

    def find_units(self, ref: str) -> list[Unit]:
        rows = self._rows(
            "SELECT DISTINCT u.* FROM unit_keys k JOIN units u ON u.id = k.unit_id WHERE k.key = ? ORDER BY u.id",
            [fold(ref)],
        )
        return [self._unit(r) for r in rows]

    def resolve_unit(self, ref: str) -> Unit:
        """A unit by code, name or alias, accents and case ignored; one or an error."""
        found = self.find_units(ref)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound("unknown unit: '{ref}'", ref=ref)
        raise Ambiguous(
            "'{ref}' fits several units: {names}", ref=ref, names=", ".join(u.name for u in found)
        )

    def unit(self, unit_id: int) -> Unit:
        row = self._one("SELECT * FROM units WHERE id = ?", [unit_id])
        if row is None:
            raise NotFound("unknown unit: '{ref}'", ref=str(unit_id))
        return self._unit(row)

    def list_units(self) -> list[Unit]:
        """The units in use (not those merged into another)."""
        return [self._unit(r) for r in self._rows("SELECT * FROM units WHERE merged_into IS NULL ORDER BY id")]

    def unit_names(self) -> dict[int, str]:
        return {r["id"]: r["name"] for r in self._execute("SELECT id, name FROM units")}

    def subunit_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit below it in the hierarchy."""
        return self._ids(
            """WITH RECURSIVE tree(id) AS (
                   SELECT CAST(? AS BIGINT) UNION SELECT u.id FROM units u JOIN tree ON u.parent_id = tree.id)
               SELECT id FROM tree""",
            [unit_id],
        )

    # -- documents ---------------------------------------------------------------

    def _document(self, row: Mapping[str, Any]) -> Document:
        return Document(
            row["id"], row["symbol"], row["style"], row["doc_type"], row["number"], row["year"],
            row["issuer"], row["issued_on"], row["received_on"], row["title"], row["parent_id"], row["merged_into"],
        )

    def add_document(
        self,
        symbol: str,
        *,
        title: str | None = None,
        doc_type: str | None = None,
        issued_on: date | None = None,
        received_on: date | None = None,
        issuer: str | None = None,
        parent_id: int | None = None,
    ) -> Document:
        """Insert a document; call inside a transaction."""
        row = self._document_row(symbol, title=title, doc_type=doc_type, issued_on=issued_on,
                                 received_on=received_on, issuer=issuer, parent_id=parent_id)
        self._check_document_identity(0, row["symbol"], row["issued_on"])
        doc_id = self._scalar(
            f"INSERT INTO documents({', '.join(row)}) VALUES ({', '.join('?' * len(row))}) RETURNING id",
            list(row.values()),
        )
        return self.document(int(doc_id))

    def add_new_document(self, symbol: str, issued_on: date | None) -> int:
        """A document whose symbol the register has not got, added by an import that holds
        the register and read its symbols when it began (document_keys_while_writing), so
        no other document can share its symbol and date: its id. Here as add_document; an
        engine that writes an import's rows behind may write this one with them."""
        return self.add_document(symbol, issued_on=issued_on).id

    @staticmethod
    def _document_row(symbol: str, *, title: str | None = None, doc_type: str | None = None,
                      issued_on: date | None = None, received_on: date | None = None, issuer: str | None = None,
                      parent_id: int | None = None) -> dict[str, Any]:
        """A new document's columns, from its symbol as written (its parts read from it)."""
        from nqtrack.core.symbols import parse_symbol, symbol_key  # the documents' alone, not the views'

        parsed = parse_symbol(symbol)
        if not parsed.text:
            raise InvalidInput("a document needs a number and symbol")
        return {
            "symbol": parsed.text, "symbol_key": symbol_key(parsed.text), "style": parsed.style,
            "doc_type": doc_type or parsed.type_name, "number": parsed.number,
            "year": parsed.year or (issued_on.year if issued_on else None),
            "issuer": issuer or parsed.issuer, "issued_on": _value(issued_on), "received_on": _value(received_on),
            "title": nfc(title) if title else None, "parent_id": parent_id,
        }

    def document(self, doc_id: int) -> Document:
        row = self._one("SELECT * FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise NotFound("unknown document: '{ref}'", ref=str(doc_id))
        return self._document(row)

    def find_documents(self, ref: str) -> list[Document]:
        """Documents in use named by `ref`: a symbol (any spelling), `SYMBOL@dd/mm/yyyy` (a
        symbol and its date: numbers restart every year or term) or `#ID`."""
        from nqtrack.core.symbols import symbol_key

        text = nfc(ref) if isinstance(ref, str) else ""
        number = re.fullmatch(r"#\s*([0-9]{1,18})", text)
        if number:
            doc_id: int | None = int(number[1])
            seen = set()
            while doc_id is not None and doc_id not in seen:  # a merged document: the one it went into
                seen.add(doc_id)
                row = self._one("SELECT * FROM documents WHERE id = ?", [doc_id])
                if row is None:
                    return []
                if row["merged_into"] is None:
                    return [self._document(row)]
                doc_id = row["merged_into"]
            return []
        symbol, at, day = text.rpartition("@") if "@" in text else (text, "", "")
        sql, params = "SELECT * FROM documents WHERE symbol_key = ? AND merged_into IS NULL", [symbol_key(symbol)]
        if at:
            from nqtrack.core.dates import DateError, parse_date

            try:
                sql, params = sql + " AND issued_on = ?", params + [parse_date(day).isoformat()]
            except DateError:
                return []
        rows = self._rows(sql + f" ORDER BY issued_on{self.NULLS_FIRST}, id", params)
        return [self._document(r) for r in rows]

    @staticmethod
    def document_label(doc: Document) -> str:
        """How a user names one of several documents with one symbol: SYMBOL@dd/mm/yyyy, else #ID."""
        if doc.issued_on:
            return f"{doc.symbol}@{date.fromisoformat(doc.issued_on):%d/%m/%Y}"
        return f"#{doc.id}"

    def resolve_document(self, ref: str) -> Document:
        found = self.find_documents(ref)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound("unknown document: '{ref}'", ref=ref)
        raise Ambiguous(
            "'{ref}' fits several documents: {names}; name one as SYMBOL@dd/mm/yyyy or #ID",
            ref=ref,
            names=", ".join(f"{self.document_label(d)} (#{d.id})" for d in found),
        )

    def _check_document_identity(self, doc_id: int, symbol: str, issued_on: str | None) -> None:
        """A symbol and a date name one document: refuse a second one."""
        from nqtrack.core.symbols import symbol_key

        same_day, day_params = self._matches("issued_on", issued_on)
        row = self._one(
            f"SELECT * FROM documents WHERE symbol_key = ? AND {same_day} AND id != ? AND merged_into IS NULL",
            [symbol_key(symbol), *day_params, doc_id],
        )
        if row is not None:
            existing = self._document(row)
            raise InvalidInput("the document {ref} already exists (#{id}): a symbol and a date name one document",
                               ref=f"{existing.symbol}@{date.fromisoformat(issued_on):%d/%m/%Y}" if issued_on
                               else existing.symbol, id=existing.id)

    def list_documents(self) -> list[dict[str, Any]]:
        return self._rows(
            f"""SELECT d.*, p.symbol AS parent_symbol,
                      count(t.id) AS tasks,
                      {self._count_if("t.state = 'done'")} AS done
               FROM documents d
               LEFT JOIN documents p ON p.id = d.parent_id
               LEFT JOIN tasks t ON t.document_id = d.id AND t.voided = 0
               WHERE d.merged_into IS NULL
               GROUP BY d.id, p.symbol ORDER BY d.issued_on{self.NULLS_FIRST}, d.id"""
        )

    # -- the journal of units and documents ----------------------------------------------
    #
    # A unit's or a document's change (a correction, a merge, an import's update) is one
    # register_events row per field, like the task journal; undo reverts them.

    UNIT_FIELDS = ("code", "name", "parent_id", "aliases", "email", "merged_into")
    DOCUMENT_FIELDS = ("symbol", "doc_type", "issued_on", "received_on", "issuer", "title", "parent_id",
                       "merged_into")

    def _register_event(self, entity: str, entity_id: int, kind: str, field: str, old: Any, new: Any, *,
                        by: str, recorded_at: str, note: str | None = None, batch_id: str | None = None,
                        undoes: int | None = None) -> None:
        self._execute(
            """INSERT INTO register_events(entity, entity_id, kind, field, old_value, new_value, recorded_at,
                                           recorded_by, note, batch_id, undoes, after_event)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM events))""",
            [entity, entity_id, kind, field, _value(old), _value(new), recorded_at, by, note, batch_id, undoes],
        )
        self._wrote("register_events")

    def change_unit(self, unit_id: int, changes: Mapping[str, Any], *, by: str, recorded_at: str,
                    kind: str = "corrected", note: str | None = None, batch_id: str | None = None,
                    undoes: Mapping[str, int] | None = None) -> list[str]:
        """Change a unit's fields (UNIT_FIELDS), one journal row per changed field; returns them.
        A name, code or alias naming another unit is refused; a merged unit names nothing."""
        current = self.unit(unit_id)
        values = {f: getattr(current, f) for f in self.UNIT_FIELDS}
        new = dict(values)
        for field, value in changes.items():
            if field in ("name", "code", "email"):
                value = nfc(value) if value else None
            elif field == "aliases":
                names = value.split(";") if isinstance(value, str) else list(value or [])
                value = ";".join(dict.fromkeys(nfc(a) for a in names if nfc(a))) or None
            new[field] = value
        if not new["name"]:
            raise InvalidInput("a unit needs a name")
        if new["parent_id"] is not None and new["parent_id"] != values["parent_id"] and (
                new["parent_id"] in self.subunit_ids(unit_id)):
            raise InvalidInput("a unit cannot be placed under itself")
        changed = [f for f in self.UNIT_FIELDS if _value(new[f]) != _value(values[f])]
        if not changed:
            return []
        if new["merged_into"] is None:
            self._check_unit_names(unit_id, new["name"], new["code"], new["aliases"])
        for field in changed:
            self._register_event("unit", unit_id, kind, field, values[field], new[field], by=by,
                                 recorded_at=recorded_at, note=note, batch_id=batch_id,
                                 undoes=(undoes or {}).get(field))
        self._execute(f"UPDATE units SET {', '.join(f'{f} = ?' for f in changed)} WHERE id = ?",
                      [new[f] for f in changed] + [unit_id])
        unit = self.unit(unit_id)
        if unit.merged_into is None:
            self._write_unit_keys(unit)
        else:
            self._execute("DELETE FROM unit_keys WHERE unit_id = ?", [unit_id])
        return changed

    def change_document(self, doc_id: int, changes: Mapping[str, Any], *, by: str, recorded_at: str,
                        kind: str = "corrected", note: str | None = None, batch_id: str | None = None,
                        undoes: Mapping[str, int] | None = None) -> list[str]:
        """Change a document's fields (DOCUMENT_FIELDS), one journal row per changed field."""
        from nqtrack.core.symbols import parse_symbol, symbol_key

        current = self.document(doc_id)
        values = {f: getattr(current, f) for f in self.DOCUMENT_FIELDS}
        new = dict(values)
        for field, value in changes.items():
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, str):
                value = nfc(value) or None
            new[field] = value
        if not new["symbol"]:
            raise InvalidInput("a document needs a number and symbol")
        if new["parent_id"] is not None and new["parent_id"] == doc_id:
            raise InvalidInput("a document cannot implement itself")
        changed = [f for f in self.DOCUMENT_FIELDS if _value(new[f]) != _value(values[f])]
        if not changed:
            return []
        if new["merged_into"] is None:
            self._check_document_identity(doc_id, new["symbol"], new["issued_on"])
        for field in changed:
            self._register_event("document", doc_id, kind, field, values[field], new[field], by=by,
                                 recorded_at=recorded_at, note=note, batch_id=batch_id,
                                 undoes=(undoes or {}).get(field))
        columns = {f: new[f] for f in changed}
        if "symbol" in changed:
            parsed = parse_symbol(new["symbol"])
            columns.update(symbol=parsed.text, symbol_key=symbol_key(parsed.text), style=parsed.style,
                           number=parsed.number)
        if "issued_on" in changed and current.style != "state_legal" and new["issued_on"]:
            columns["year"] = int(new["issued_on"][:4])
        searched = self.document_task_ids(doc_id) if {"symbol", "doc_type", "title"} & set(changed) else []
        with self._reindexing(searched):
            self._execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                          [*columns.values(), doc_id])
        return changed

    def unit_task_ids(self, unit_id: int) -> tuple[list[int], list[int]]:
        """The tasks a unit leads and those it coordinates (voided ones too: a merge moves all)."""
        lead = self._ids("SELECT id FROM tasks WHERE lead_unit_id = ? ORDER BY id", [unit_id])
        helping = self._ids("SELECT task_id FROM task_units WHERE unit_id = ? ORDER BY task_id", [unit_id])
        return lead, helping

    def child_ids(self, entity: str, entity_id: int) -> list[int]:
        """The units placed under a unit, or the documents implementing a document."""
        table = "units" if entity == "unit" else "documents"
        return self._ids(f"SELECT id FROM {table} WHERE parent_id = ? ORDER BY id", [entity_id])

    def document_task_ids(self, doc_id: int) -> list[int]:
        return self._ids("SELECT id FROM tasks WHERE document_id = ? ORDER BY id", [doc_id])

    def register_history(self, entity: str, entity_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM register_events WHERE entity = ? AND entity_id = ? ORDER BY id",
                          [entity, entity_id])

    # -- tasks: reading ----------------------------------------------------------

    def _document_label(self) -> str:
        """A document's name in listings (over the alias d): its symbol, with its date
        (dd/mm/yyyy, cut from the ISO day) or its number when another document in use has
        the same symbol."""
        day = "substr(d.issued_on, 9, 2) || '/' || substr(d.issued_on, 6, 2) || '/' || substr(d.issued_on, 1, 4)"
        return f"""CASE WHEN d.id IS NULL THEN NULL
            WHEN EXISTS (SELECT 1 FROM documents o WHERE o.symbol_key = d.symbol_key AND o.id != d.id
                         AND o.merged_into IS NULL)
            THEN CASE WHEN d.issued_on IS NULL THEN '#' || {self._text("d.id")}
                      ELSE d.symbol || '@' || {day} END
            ELSE d.symbol END"""

    def _task_select(self) -> str:
        names = self._concat("cu.name", "; ", "tu.unit_id")
        return f"""
        SELECT t.*, {self._document_label()} AS document, u.name AS lead_unit,
               (SELECT {names} FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                 WHERE tu.task_id = t.id) AS coordinating_units
        FROM tasks t
        LEFT JOIN documents d ON d.id = t.document_id
        LEFT JOIN units u ON u.id = t.lead_unit_id
    """

    def task(self, task_id: int) -> dict[str, Any]:
        row = self._one(self._task_select() + " WHERE t.id = ?", [task_id])
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=str(task_id))
        return row

    def resolve_task(self, ref: str) -> dict[str, Any]:
        """A task by its number (`12` or `#12`) or its code."""
        ref = ref.strip()
        found = self._scalar("SELECT id FROM tasks WHERE code = ?", [ref])
        number = ref.removeprefix("#")
        # ASCII digits only ("²" is a digit to Python), and no more than a 64-bit integer holds
        if found is None and re.fullmatch(r"[0-9]{1,18}", number):
            found = self._scalar("SELECT id FROM tasks WHERE id = ?", [int(number)])
        if found is None:
            raise NotFound("unknown task: '{ref}'", ref=ref)
        return self.task(found)

    def coordinating_unit_ids(self, task_id: int) -> list[int]:
        return self._ids("SELECT unit_id FROM task_units WHERE task_id = ? ORDER BY unit_id", [task_id])

    def task_events(self, task_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM events WHERE task_id = ? ORDER BY id", [task_id])

    def journal(self, task_id: int) -> list[Event]:
        events = self.task_events(task_id)
        kinds = {e["id"]: e["kind"] for e in events}
        return [
            Event(e["id"], e["field"], e["old_value"], e["new_value"], e["effective_on"], e["recorded_at"],
                  self._is_timeless(e, kinds))
            for e in events
        ]

    @staticmethod
    def _is_timeless(event: Mapping[str, Any], kinds: Mapping[int, str]) -> bool:
        """The Python side of TIMELESS_SQL."""
        if event["kind"] in TIMELESS_KINDS or event["field"] == "voided":
            return True
        return event["kind"] == "undo" and kinds.get(event["undoes"]) in TIMELESS_KINDS

    def list_tasks(
        self,
        *,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        states: Sequence[str] = (),
        ids: Sequence[int] | None = None,
        due_before: date | None = None,
        due_after: date | None = None,
        text: str | None = None,
        limit: int | None = None,
        include_voided: bool = False,
        role: str = "lead",
    ) -> list[dict[str, Any]]:
        """Tasks, filtered; `unit_ids` are the units leading them (`role` 'lead'), helping
        ('coordinating'), or either ('any')."""
        where: list[str] = [] if include_voided else ["t.voided = 0"]
        params: list[Any] = []

        def any_of(sql: str, values: list[Any]) -> None:
            where.append(sql)
            params.extend(values)

        if unit_ids:
            lead, lead_params = self._in("t.lead_unit_id", unit_ids)
            units, unit_params = self._in("unit_id", unit_ids)
            helping = f"t.id IN (SELECT task_id FROM task_units WHERE {units})"
            if role == "lead":
                any_of(lead, lead_params)
            elif role == "coordinating":
                any_of(helping, unit_params)
            else:
                any_of(f"({lead} OR {helping})", [*lead_params, *unit_params])
        if sources:
            any_of(*self._in("t.source", sources))
        if document_ids:
            any_of(*self._in("t.document_id", document_ids))
        if states:
            any_of(*self._in("t.state", states))
        if ids is not None:
            any_of(*self._id_set("t.id", ids))
        if due_before:
            any_of("t.deadline <= ?", [due_before.isoformat()])
        if due_after:
            any_of("t.deadline >= ?", [due_after.isoformat()])
        if text:
            return self._found_tasks(text, where, params, limit)
        sql = self._task_select()
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY t.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._rows(sql, params)

    def distinct_sources(self) -> list[str]:
        # in byte order on every engine, so that a filter lists the sources it matched alike
        return self._ids("SELECT DISTINCT source FROM tasks WHERE source IS NOT NULL ORDER BY source")

    def task_by_code(self, code: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM tasks WHERE code = ?", [code])

    def tasks_by_codes(self, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(codes), 500):
            sql, params = self._in("code", codes[start:start + 500])
            found.update((row["code"], row) for row in self._rows(f"SELECT * FROM tasks WHERE {sql}", params))
        return found

    @staticmethod
    def _title_is(title: str) -> tuple[str, list[str]]:
        """A task's title key is `title`'s, read through tasks_document_title, which holds the
        key's first TITLE_PREFIX characters (m015): the SQL and its parameters."""
        key = fold(title)
        # the whole key compared as an expression: SQLite puts a column's constant into the
        # other terms (title_key = ? into substr(title_key, …)), which then match no index
        return f"substr(title_key, 1, {TITLE_PREFIX}) = ? AND title_key || '' = ?", [key[:TITLE_PREFIX], key]

    def task_by_title(self, document_id: int | None, title: str, without_code: bool = False) -> dict[str, Any] | None:
        # a series' occurrences share its title: a row names the series, never one of them;
        # a voided task is named by no row
        same_document, document_params = self._matches("document_id", document_id)
        same_title, title_params = self._title_is(title)
        sql = f"SELECT * FROM tasks WHERE {same_document} AND {same_title} AND series_id IS NULL AND voided = 0"
        if without_code:
            sql += " AND code IS NULL"
        return self._one(sql + " ORDER BY id LIMIT 1", [*document_params, *title_params])

    def task_codes(self) -> list[str]:
        return self._ids("SELECT code FROM tasks WHERE code IS NOT NULL AND voided = 0")

    def document_keys_while_writing(self) -> set[str] | None:
        return None  # an engine whose other sessions may add documents meanwhile

    def has_tasks_without_code(self) -> bool:
        return self._one("SELECT 1 AS found FROM tasks WHERE code IS NULL LIMIT 1") is not None

    def has_tasks_with_code(self) -> bool:
        return self._one("SELECT 1 AS found FROM tasks WHERE code IS NOT NULL LIMIT 1") is not None

    # -- search --------------------------------------------------------------------

    SEARCHED_FIELDS = SEARCHED_FIELDS

    def _search_documents(self, doc_ids: Iterable[int]) -> dict[int, str]:
        """The folded words of each document (symbol, type, title), for its tasks' search text."""
        ids = list(doc_ids)
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            sql, params = self._in("id", ids[start:start + 500])
            rows = self._execute(f"SELECT id, symbol, doc_type, title FROM documents WHERE {sql}", params)
            found.update((row["id"], self._document_words(row)) for row in rows)
        return found

    @staticmethod
    def _document_words(document: Mapping[str, Any]) -> str:
        """A document's folded words (symbol, type, title) in its tasks' search text."""
        return _words_of_document(document["symbol"], document["doc_type"], document["title"])

    @staticmethod
    def search_text(title_key: str | None, title: str | None, code: Any, note: Any, product: Any,
                    assignee: Any, symbol: str | None, doc_type: str | None, doc_title: str | None) -> str:
        """A task's search text from its columns and its document's (SQLite's search index
        reads it through the view task_search_text, as SQL function nqtrack_search_text)."""
        return _text_of(title_key, title, code, note, product, assignee,
                        _words_of_document(symbol, doc_type, doc_title))

    @staticmethod
    def _search_body(task: Mapping[str, Any], document_words: str | None) -> str:
        """title_key is the folded title already; the document's words come folded too."""
        get = task.get
        return _text_of(get("title_key"), get("title"), get("code"), get("note"), get("product"), get("assignee"),
                        document_words)

    def _search_rows(self, task_ids: Sequence[int]) -> list[tuple[int, str]]:
        """(task id, search text) of these tasks, read from the register."""
        rows: list[dict[str, Any]] = []
        for start in range(0, len(task_ids), 500):
            sql, params = self._in("id", list(task_ids[start:start + 500]))
            rows += self._rows(
                f"SELECT id, code, title, title_key, note, product, assignee, document_id FROM tasks WHERE {sql}",
                params,
            )
        documents = self._search_documents({r["document_id"] for r in rows if r["document_id"]})
        return [(r["id"], self._search_body(r, documents.get(r["document_id"]))) for r in rows]

    # -- tasks: writing (call inside `transaction()`) -----------------------------

    def _event(
        self,
        task_id: int,
        kind: str,
        field: str | None,
        old: Any,
        new: Any,
        effective_on: date,
        recorded_at: str,
        by: str,
        note: str | None = None,
        batch_id: str | None = None,
        undoes: int | None = None,
    ) -> None:
        row = self._event_row(task_id, kind, field, old, new, effective_on, recorded_at, by, note, batch_id, undoes)
        self._execute(
            f"INSERT INTO events({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
        self._wrote("events")

    def create_task(
        self,
        values: dict[str, Any],
        coordinating_ids: Iterable[int],
        *,
        effective_on: date,
        by: str,
        kind: str = "created",
        note: str | None = None,
        batch_id: str | None = None,
        recorded_at: str,
    ) -> int:
        """Insert one task and its creation event (which holds the initial fields)."""
        task = NewTask(values, list(coordinating_ids), effective_on, note=note)
        return self.insert_tasks([task], by=by, kind=kind, batch_id=batch_id, recorded_at=recorded_at)[0]

    def _new_task_rows(
        self, tasks: Sequence[NewTask], ids: Sequence[int], *, by: str, kind: str, batch_id: str | None,
        recorded_at: str,
    ) -> tuple[list[dict[str, Any]], list[tuple[int, int]], list[tuple[Any, ...]]]:
        """The rows of tasks, task_units and events (tuples in EVENT_COLUMNS order: an import
        writes hundreds of thousands) for new tasks."""
        task_rows: list[dict[str, Any]] = []
        unit_rows: list[tuple[int, int]] = []
        event_rows: list[tuple[Any, ...]] = []
        days: dict[date, str] = {}  # an import repeats its days thousands of times

        def value(v: Any) -> str | None:  # journal_value, with the days' texts reused
            if type(v) is str:
                return v or None
            if v is None:
                return None
            if type(v) is date:
                text = days.get(v)
                if text is None:
                    text = days[v] = v.isoformat()
                return text
            return _value(v)

        for task_id, task in zip(ids, tasks, strict=True):
            values = task.values
            get = values.get
            title, title_key = _title_and_key(get("title") or "")
            if not title:
                raise InvalidInput("a task needs a title")
            lead_unit_id = get("lead_unit_id")
            # value(), without its call for the texts and the empty fields
            row: dict[str, Any] = {field: (v or None) if (v := get(field)) is None or type(v) is str else value(v)
                                   for field in _PLAIN_FIELDS}
            deadline = row["deadline"]
            row.update(
                id=task_id,
                title=title,
                title_key=title_key,
                state=get("state") or "new",
                recurring=1 if get("recurring") else 0,
                original_deadline=deadline,
                document_id=get("document_id"),
                lead_unit_id=lead_unit_id,
                progress=get("progress"),
                series_id=get("series_id"),
                voided=0,
                created_at=recorded_at,
                updated_at=recorded_at,
            )
            coordinating = sorted(set(task.coordinating) - {lead_unit_id})
            if coordinating:
                unit_rows += [(task_id, u) for u in coordinating]
            row["coordinating_units"] = ",".join(map(str, coordinating)) or None
            fingerprint = creation_fingerprint(row)
            del row["coordinating_units"]
            event_rows.append(
                (task_id, kind, None, None, fingerprint, value(task.effective_on), recorded_at, by, task.note, batch_id)
            )
            for later in task.later:
                new = value(later.new)
                event_rows.append(
                    (task_id, later.kind, later.field, value(later.old), new, value(later.effective_on), recorded_at,
                     by, later.note, batch_id)
                )
                row[later.field] = new
            task_rows.append(row)
        return task_rows, unit_rows, event_rows

    def insert_tasks(
        self,
        tasks: Sequence[NewTask],
        *,
        by: str,
        kind: str = "created",
        batch_id: str | None = None,
        recorded_at: str,
        codes_checked: bool = False,
    ) -> list[int]:
        """Insert new tasks in bulk, each with its creation event and any later events
        (an import's completion or extension); call inside a transaction. `codes_checked`:
        the caller has made sure that no task holds their codes (an import checks its rows'
        codes against each other and the register's), and the query here would only wait
        for the rows written behind; the unique key stays."""
        if not tasks:
            return []
        ids = self._reserve_task_ids(len(tasks))
        task_rows, unit_rows, event_rows = self._new_task_rows(
            tasks, ids, by=by, kind=kind, batch_id=batch_id, recorded_at=recorded_at)
        codes = [] if codes_checked else [r["code"] for r in task_rows if r["code"]]
        if codes:
            twice = {code for code, n in Counter(codes).items() if n > 1}
            if taken := sorted(twice | set(self.tasks_by_codes(codes))):
                raise InvalidInput("a task with code '{code}' already exists", code=", ".join(taken))
        # every read before the writes: an engine may carry the writes on while the caller
        # goes on (PostgreSQL's COPY on a thread of its own), and a read waits for them
        documents = self._search_documents({r["document_id"] for r in task_rows if r["document_id"]})
        columns = list(task_rows[0])
        self._insert_rows("tasks", columns, [tuple(r.values()) for r in task_rows])  # keys in one order
        self._insert_rows("task_units", ("task_id", "unit_id"), unit_rows)
        self._insert_rows("events", EVENT_COLUMNS, event_rows)
        self._wrote("tasks", len(task_rows))
        self._wrote("events", len(event_rows))
        # new tasks: their search text straight from the rows, without reading them back
        self._index_new_tasks(task_rows, documents)
        return ids

    @staticmethod
    def _event_row(
        task_id, kind, field, old, new, effective_on, recorded_at, by, note=None, batch_id=None, undoes=None
    ) -> dict[str, Any]:
        return {
            "task_id": task_id,
            "kind": kind,
            "field": field,
            "old_value": _value(old),
            "new_value": _value(new),
            "effective_on": effective_on.isoformat(),
            "recorded_at": recorded_at,
            "recorded_by": by,
            "note": note,
            "batch_id": batch_id,
            "undoes": undoes,
        }

    def change_task(
        self,
        task_id: int,
        changes: dict[str, Any],
        *,
        effective_on: date,
        by: str,
        kind: str = "updated",
        note: str | None = None,
        batch_id: str | None = None,
        recorded_at: str,
        undoes: dict[str, int] | None = None,
        correction: bool = False,
    ) -> list[str]:
        """Apply field changes, one journal event per changed field; returns the changed fields.

        A note with no change is journaled on its own (kind 'note'). A correction (kind
        'corrected', or the undo of one: `correction`) of the deadline of a task never
        extended corrects its original deadline too: it was typed wrong from the start."""
        correction = correction or kind == "corrected"
        current = self._one(f"SELECT * FROM tasks WHERE id = ?{self.LOCK_ROW}", [task_id])
        if current is None:
            raise NotFound("unknown task: '{ref}'", ref=str(task_id))
        changed: list[str] = []
        updates: dict[str, Any] = {}
        for field, new in changes.items():
            if field == "coordinating_units":
                old_ids = self.coordinating_unit_ids(task_id)
                lead = updates.get("lead_unit_id", current["lead_unit_id"])
                new_ids = sorted(set(new) - {int(lead) if lead is not None else None})
                if new_ids == old_ids:
                    continue
                self._execute("DELETE FROM task_units WHERE task_id = ?", [task_id])
                self._executemany(
                    "INSERT INTO task_units(task_id, unit_id) VALUES (?, ?)", [(task_id, u) for u in new_ids]
                )
                old_v, new_v = ",".join(map(str, old_ids)) or None, ",".join(map(str, new_ids)) or None
            else:
                old_v, new_v = _value(current[field]), _value(new)
                if old_v == new_v:
                    continue
                updates[field] = new_v
                if field == "title":
                    updates["title_key"] = fold(new_v or "")
            self._event(task_id, kind, field, old_v, new_v, effective_on, recorded_at, by, note, batch_id,
                        (undoes or {}).get(field))
            changed.append(field)
        new_completion = updates.get("completed_on")
        if "completed_on" in changed and new_completion and "state" not in changed and current["state"] == "done":
            # a corrected completion date: restate "done" from that day, so the journal
            # says the task was done from its completion date on (see prepare_as_of)
            self._event(task_id, kind, "state", "done", "done", date.fromisoformat(new_completion), recorded_at, by,
                        note, batch_id)
        if correction and "deadline" in updates and current["original_deadline"] == current["deadline"]:
            updates["original_deadline"] = updates["deadline"]
        if updates.get("code"):
            other = self._scalar("SELECT id FROM tasks WHERE code = ? AND id != ?", [updates["code"], task_id])
            if other is not None:
                raise InvalidInput("a task with code '{code}' already exists", code=updates["code"])
        if updates:
            updates["updated_at"] = recorded_at
            sets = ", ".join(f"{c} = ?" for c in updates)
            with self._reindexing([task_id] if any(field in self.SEARCHED_FIELDS for field in changed) else []):
                self._execute(f"UPDATE tasks SET {sets} WHERE id = ?", [*self._typed(updates).values(), task_id])
        if not changed and note:
            self._event(task_id, "note", None, None, None, effective_on, recorded_at, by, note, batch_id)
        return changed

    # Columns that hold numbers: a journal value (text) is turned back into one, for the
    # engines that do not convert it themselves.
    _NUMBER_COLUMNS = ("document_id", "lead_unit_id", "progress", "recurring", "voided")

    def _typed(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: int(v) if k in self._NUMBER_COLUMNS and v is not None else v for k, v in values.items()}

    # -- as-of views: overdue and report -------------------------------------------
    #
    # The current columns of a task are its fields as of today, as known now. For
    # another day A (or moment K) only the tasks whose journal holds something that
    # took effect after A (or was recorded after K) can differ; their fields are
    # replayed in SQL into a temporary table, with the rule of core.states, and the
    # other tasks are read straight from their indexed columns.

    ASOF_FIELDS = ("state", "deadline", "completed_on", "lead_unit_id", "source", "assigned_on", "document_id",
                   "voided")
    _INTEGER_FIELDS = ("lead_unit_id", "document_id", "voided")
    _FAR_FUTURE = "9999-12-31"

    def _journal_value(self, field: str, task: str, day: str = ":as_of", otherwise: str = "") -> str:
        """The replay rule of core.states in SQL: the field of task `task` (an SQL
        expression) on day `day` as known at :known_at: the new value of the latest-recorded
        event that took effect by then, else the old value of the first event, else
        `otherwise` (an SQL expression, e.g. the column). A one-value array tells a NULL
        value from no event at all."""
        fallback = f", {self._array(otherwise)}" if otherwise else ""
        return self._first(f"""COALESCE(
                (SELECT {self._array("e.new_value")} FROM events e
                  WHERE e.task_id = {task} AND e.field = '{field}' AND (e.effective_on <= {day} OR {TIMELESS_SQL})
                    AND e.recorded_at <= :known_at ORDER BY e.id DESC LIMIT 1),
                (SELECT {self._array("e.old_value")} FROM events e
                  WHERE e.task_id = {task} AND e.field = '{field}' ORDER BY e.id LIMIT 1){fallback})""")

    def _replay_sql(self, field: str) -> str:
        """The field as of the day: replayed where the journal changed it later, else the column."""
        replayed = self._journal_value(field, "t.id")
        if field in self._INTEGER_FIELDS:
            replayed = f"CAST({replayed} AS BIGINT)"
        return f"""CASE WHEN EXISTS (SELECT 1 FROM {self.TEMP}.asof_pairs p
                                      WHERE p.task_id = t.id AND p.field = '{field}')
            THEN {replayed} ELSE t.{field} END AS {field}"""

    # Changes the figures can read right from the current columns even when they take
    # effect after the day: a first completion (an open state → done, a completion date
    # where there was none), since a task counts as completed only when completed_on <=
    # the as-of day; and a move between open states, which no figure tells apart.
    _FIRST_COMPLETION = f"""(field = 'state' AND old_value IN ({OPEN_SQL})
                                AND new_value IN ('done', {OPEN_SQL}))
                           OR (field = 'completed_on' AND old_value IS NULL)"""

    def prepare_as_of(
        self, as_of: date, known_at: str | None = None, due_by: date | None = None, figures_only: bool = False
    ) -> None:
        """Fill the temporary asof_fix with the replayed fields of the tasks that need it:
        those whose journal has a change to one of ASOF_FIELDS that took effect after the
        day or was recorded after `known_at` (and the tasks created after `known_at`, hidden).

        With `figures_only`, only the report's counts will be read, and later first
        completions are left to the columns (see _FIRST_COMPLETION). With `due_by`,
        only tasks whose deadline on the day is at most `due_by` will be read (the
        workload of a period ending that day, the overdue and due-soon lists): a task
        every deadline of which (now, at first, and each one its journal gave or took) is
        after it cannot be among them, and is left out of the replay."""
        self.collect_later_changes(as_of, known_at, figures_only)
        self.build_as_of(as_of, known_at, due_by)

    def collect_later_changes(self, since: date, known_at: str | None = None, figures_only: bool = False) -> None:
        """asof_later: the (task, field, effective day) of every change that took effect
        after `since` or was recorded after `known_at`, with the earliest deadline each
        of their tasks ever had.
        Collected once, it serves every as-of day from `since` on (the months of a trend;
        inside snapshot(), the report's own day too)."""
        collected = self._collected
        if (self._steady and collected is not None and collected[0] <= since
                and collected[1:] == (known_at, figures_only)):
            return
        self._collected = (since, known_at, figures_only) if self._steady else None
        params = {"since": since.isoformat(), "known_at": known_at or self._FAR_FUTURE}
        fields = ", ".join(f"'{f}'" for f in self.ASOF_FIELDS)
        skip = f"AND NOT ({self._FIRST_COMPLETION})" if figures_only else ""
        self._temp_table(
            "asof_later",
            f"""SELECT task_id, field, effective_on FROM events
                 WHERE effective_on > :since AND field IS NOT NULL AND field IN ({fields}) {skip}
                UNION ALL
                SELECT task_id, field, '{self._FAR_FUTURE}' FROM events
                 WHERE recorded_at > :known_at AND field IN ({fields})""",
            params,
            [("asof_later_task", "task_id, field, effective_on", False)],
        )
        # the earliest deadline the task ever had: its deadline on any day is one of these
        ever = f"""coalesce((SELECT min({self._least("coalesce(e.old_value, '9999')", "coalesce(e.new_value, '9999')")})
                              FROM events e WHERE e.task_id = t.id AND e.field = 'deadline'), '9999')"""
        deadline = self._least(self._least("coalesce(t.deadline, '9999')", "coalesce(t.original_deadline, '9999')"),
                               ever)
        self._temp_table(
            "asof_first_deadline",
            f"""SELECT t.id AS task_id, {deadline} AS deadline
               FROM (SELECT DISTINCT task_id FROM {self.TEMP}.asof_later) l JOIN tasks t ON t.id = l.task_id""",
            {},
            [("asof_first_deadline_task", "task_id", True)],
        )

    def build_as_of(self, as_of: date, known_at: str | None = None, due_by: date | None = None) -> None:
        """asof_pairs and asof_fix for one day, from asof_later (`due_by`: see prepare_as_of)."""
        params = {
            "as_of": as_of.isoformat(),
            "known_at": known_at or self._FAR_FUTURE,
            "until": due_by.isoformat() if due_by else None,
        }
        relevant = ""
        if due_by:
            # a task whose every deadline (now, at first, and each the journal gave or took)
            # is after due_by cannot have a deadline by then on the day
            relevant = "AND f.deadline <= :until"
        self._temp_table(
            "asof_pairs",
            f"""SELECT DISTINCT l.task_id, l.field FROM {self.TEMP}.asof_later l
                JOIN {self.TEMP}.asof_first_deadline f ON f.task_id = l.task_id
                WHERE l.effective_on > :as_of {relevant}""",
            params,
            [("asof_pairs_task", "task_id, field", False)],
        )
        self._temp_table(
            "asof_fix",
            f"""WITH ids(task_id) AS (
                    SELECT task_id FROM {self.TEMP}.asof_pairs
                    UNION SELECT task_id FROM events WHERE recorded_at > :known_at AND field IS NULL
                            AND kind IN ({CREATION_SQL}))
                SELECT t.id AS id, t.created_at > :known_at AS hidden,
                       {", ".join(self._replay_sql(f) for f in self.ASOF_FIELDS)}
                FROM ids JOIN tasks t ON t.id = ids.task_id""",
            params,
            [("asof_fix_id", "id", False)],
        )

    def _as_of_relation(self, where: str) -> str:
        """Tasks as of the prepared day, filtered by `where` (over the ASOF_FIELDS and id)."""
        columns = ", ".join(("id",) + self.ASOF_FIELDS)
        return f"""
            SELECT {columns} FROM tasks
             WHERE ({where}) AND NOT EXISTS (SELECT 1 FROM {self.TEMP}.asof_fix f WHERE f.id = tasks.id)
            UNION ALL
            SELECT {columns} FROM {self.TEMP}.asof_fix WHERE NOT hidden AND ({where})"""

    @staticmethod
    def _filters(
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        role: str = "lead",
    ) -> tuple[str, dict[str, Any]]:
        """A WHERE clause over the as-of columns, with named parameters."""
        where: list[str] = []
        params: dict[str, Any] = {}

        def marks(prefix: str, values: Sequence[Any]) -> str:
            names = [f"{prefix}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            return ",".join(":" + n for n in names)

        if unit_ids:
            units = marks("unit", unit_ids)
            coordinating = f"id IN (SELECT task_id FROM task_units WHERE unit_id IN ({units}))"
            lead = f"lead_unit_id IN ({units})"
            where.append({"coordinating": coordinating, "any": f"({lead} OR {coordinating})"}.get(role, lead))
        if sources:
            where.append(f"source IN ({marks('source', sources)})")
        if document_ids:
            where.append(f"document_id IN ({marks('doc', document_ids)})")
        return " AND ".join(where) or "TRUE", params

    # Terms of core.figures.classify, one SQL expression each (see its docstring), `{false}`
    # the engine's false. A voided task counts nowhere (TaskAsOf.voided): the candidates of
    # report_counts, _previous_year_states and unit_evaluation_counts leave it out.
    _COUNT_TERMS = {
        "r_cancelled": "received AND cancelled",
        "r_total": "received AND NOT cancelled",
        "r_with_deadline": "received AND NOT cancelled AND deadline IS NOT NULL",
        "r_completed_with_deadline": "received AND NOT cancelled AND deadline IS NOT NULL AND completed",
        "r_completed_without_deadline": "received AND NOT cancelled AND deadline IS NULL AND completed",
        "r_previous_year": "NOT cancelled AND coalesce(assigned_on BETWEEN :prev_start AND :prev_end, {false})",
        "w_open_without_deadline": "deadline IS NULL AND NOT cancelled AND NOT completed "
                                   "AND (assigned_on IS NULL OR assigned_on <= :end)",
        "w_cancelled": "cancelled AND due",
        "w_due_in_period": "workload AND due",
        "w_carried_over": "workload AND carried",
        "w_extended": "NOT cancelled AND extended",
        "w_reminded": "NOT cancelled AND reminded",
        "w_completed_on_time": "workload AND completed AND completed_on <= deadline",
        "w_completed_late": "workload AND completed AND completed_on > deadline",
        "w_overdue": "workload AND NOT completed AND deadline < :as_of",
        "w_in_progress": "workload AND NOT completed AND deadline >= :as_of",
        # the four states of the tasks received, and of the tasks due in the period
        "r_completed_on_time": "received AND NOT cancelled AND completed "
                               "AND (deadline IS NULL OR completed_on <= deadline)",
        "r_completed_late": "received AND NOT cancelled AND completed AND completed_on > deadline",
        "r_in_progress": "received AND NOT cancelled AND NOT completed AND (deadline IS NULL OR deadline >= :as_of)",
        "r_overdue": "received AND NOT cancelled AND NOT completed AND deadline < :as_of",
        "w_due_completed_on_time": "workload AND due AND completed AND completed_on <= deadline",
        "w_due_completed_late": "workload AND due AND completed AND completed_on > deadline",
        "w_due_in_progress": "workload AND due AND NOT completed AND deadline >= :as_of",
        "w_due_overdue": "workload AND due AND NOT completed AND deadline < :as_of",
        # r_previous_year_completed and r_previous_year_overdue: _previous_year_states
    }

    # An extension or a reminder undone (as known at the moment) is not counted.
    _NOT_UNDONE = "NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id AND u.recorded_at <= :known_at)"

    def _in_a_workload(self, start: str, end: str) -> str:
        """The terms that find the tasks that can be in the workload of the period from `start`
        to `end` (SQL parameters): due in it, or due before it and not completed before it,
        each on an index of its own (deadline kept off the index on SQLite: few tasks were
        completed in the period, most done tasks are due before it, and (state, completed_on,
        deadline) answers that)."""
        late_deadline = self._no_index("deadline")
        return f"""deadline BETWEEN {start} AND {end}
                OR (state IN ({OPEN_SQL}) AND deadline < {start})
                OR (state = 'done' AND completed_on >= {start} AND {late_deadline} < {start})"""

    def _marked_in_period(self) -> tuple[str, str]:
        """The candidate terms of the tasks extended, and of those reminded, in the period."""
        extended = """SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                        AND field = 'deadline' AND kind = 'extended'"""
        reminded = """SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                        AND field IS NULL AND kind = 'reminded'"""
        return self._in_query("id", extended), self._in_query("id", reminded)

    def report_counts(
        self,
        start: date,
        end: date,
        as_of: date,
        prev_start: date,
        prev_end: date,
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        prepared: bool = False,
        workload_only: bool = False,
        previous_as_of: date | None = None,
        among_later: bool = False,
    ) -> list[dict[str, Any]]:
        """Raw counts of core.figures per (lead unit, source), as of `as_of` known at `known_at`.

        `previous_as_of` is the day the previous year's states are taken on (default: the
        same day one year earlier). `workload_only`: the caller reads only workload.total
        and completed (the trend), so the replay can skip tasks that cannot be in the
        period's workload, and the previous year's states are not counted. `among_later`:
        only the tasks of asof_later_ids (see trend_counts)."""
        from nqtrack.core.periods import one_year_earlier

        if not prepared:
            self.prepare_as_of(as_of, known_at, due_by=end if workload_only else None, figures_only=True)
        where, params = self._filters(unit_ids, sources, document_ids)
        if among_later:
            where = f"{where} AND id IN (SELECT task_id FROM {self.TEMP}.asof_later_ids)"
        params.update(
            start=start.isoformat(),
            end=end.isoformat(),
            as_of=as_of.isoformat(),
            prev_start=prev_start.isoformat(),
            prev_end=prev_end.isoformat(),
            previous_as_of=(previous_as_of or one_year_earlier(as_of)).isoformat(),
            known_at=known_at or self._FAR_FUTURE,
        )
        # Only tasks that can count anywhere, each term on an index of its own. A voided task
        # (entered in error) counts nowhere.
        in_a_workload = self._in_a_workload(":start", ":end")
        if workload_only:
            # the trend reads workload.total and completed: only tasks due by the end count
            candidates = f"({where}) AND voided = 0 AND ({in_a_workload})"
        else:
            extended_in_period, reminded_in_period = self._marked_in_period()
            candidates = f"""({where}) AND voided = 0 AND (
                assigned_on BETWEEN :start AND :end
                OR assigned_on BETWEEN :prev_start AND :prev_end
                OR {in_a_workload}
                OR (state IN ({OPEN_SQL}) AND deadline IS NULL)
                OR (state = 'done' AND completed_on > :as_of AND deadline IS NULL)
                OR {extended_in_period}
                OR {reminded_in_period})"""
        false = self.FALSE
        sums = ",\n".join(
            f"{self._count_if(term.format(false=false))} AS {key}" for key, term in self._COUNT_TERMS.items()
        )
        # the tasks extended and reminded in the period: one indexed read of each kind of
        # event for the whole period (not a subquery per task), joined to the tasks once
        marked = "" if workload_only else f"""
            marked AS MATERIALIZED (
                SELECT task_id, max(extended) AS extended, max(reminded) AS reminded FROM (
                    SELECT e.task_id, 1 AS extended, 0 AS reminded FROM events e
                    WHERE e.effective_on BETWEEN :start AND :end AND e.field = 'deadline' AND e.kind = 'extended'
                      AND e.effective_on <= :as_of AND e.recorded_at <= :known_at AND {self._NOT_UNDONE}
                    UNION ALL
                    SELECT e.task_id, 0, 1 FROM events e
                    WHERE e.effective_on BETWEEN :start AND :end AND e.kind = 'reminded' AND e.field IS NULL
                      AND e.effective_on <= :as_of AND e.recorded_at <= :known_at AND {self._NOT_UNDONE}) m
                GROUP BY task_id),"""
        extended, reminded, join = (
            (false, false, "")
            if workload_only
            else (f"coalesce(m.extended = 1, {false})", f"coalesce(m.reminded = 1, {false})",
                  "LEFT JOIN marked m ON m.task_id = carried.id")
        )
        # flagged is MATERIALIZED: each task's flags are computed once, not once in every term
        # that reads them (the planner would otherwise copy each flag's expression into them)
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)}),
            base AS (
                SELECT asof.*, state = 'cancelled' AS cancelled,
                       coalesce(state = 'done' AND completed_on <= :as_of, {false}) AS completed,
                       coalesce(assigned_on BETWEEN :start AND :end, {false}) AS received,
                       coalesce(deadline BETWEEN :start AND :end, {false}) AS due
                FROM asof),
            carried AS (
                SELECT base.*, coalesce(NOT cancelled AND deadline < :start
                                        AND NOT (completed AND completed_on < :start), {false}) AS carried
                FROM base),{marked}
            flagged AS MATERIALIZED (
                SELECT carried.*, (NOT cancelled AND (due OR carried)) AS workload,
                       {extended} AS extended, {reminded} AS reminded
                FROM carried {join})
            SELECT lead_unit_id, source, {sums}
            FROM flagged GROUP BY lead_unit_id, source"""
        groups = {(r["lead_unit_id"], r["source"]): r for r in self._rows(sql, params)}
        previous = {} if workload_only else self._previous_year_states(where, params)
        for (lead_unit_id, source), states in previous.items():
            groups.setdefault((lead_unit_id, source), {"lead_unit_id": lead_unit_id, "source": source}).update(states)
        for group in groups.values():
            for key in self._COUNT_TERMS:
                group.setdefault(key, 0)
            group.setdefault("r_previous_year_completed", 0)
            group.setdefault("r_previous_year_overdue", 0)
        return list(groups.values())

    def _previous_year_states(self, where: str, params: dict[str, Any]) -> dict[tuple[Any, Any], dict[str, int]]:
        """r_previous_year_completed and r_previous_year_overdue of core.figures.classify per
        (lead unit, source): the tasks received in the previous period (assigned_on, lead
        unit, source and state as of the as-of day, like r_previous_year), taken in their
        state, deadline and completion day as they stood on :previous_as_of, known at
        :known_at. Only these tasks are replayed for that day, each field from its own
        events (index events_task_field), the column when it has none: no second full
        replay of the register."""
        state, completed_on, deadline = (
            self._journal_value(field, "a.id", ":previous_as_of", f"(SELECT t.{field} FROM tasks t WHERE t.id = a.id)")
            for field in ("state", "completed_on", "deadline"))
        candidates = (f"({where}) AND voided = 0 AND assigned_on BETWEEN :prev_start AND :prev_end "
                      "AND state <> 'cancelled'")
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)}),
            before AS MATERIALIZED (
                SELECT a.lead_unit_id, a.source,
                       CASE WHEN {state} = 'done' AND {completed_on} <= :previous_as_of THEN 'completed'
                            WHEN {deadline} < :previous_as_of THEN 'overdue' END AS timing
                FROM asof a)
            SELECT lead_unit_id, source, {self._count_if("timing = 'completed'")} AS r_previous_year_completed,
                   {self._count_if("timing = 'overdue'")} AS r_previous_year_overdue
            FROM before GROUP BY lead_unit_id, source"""
        return {(r["lead_unit_id"], r["source"]): {"r_previous_year_completed": r["r_previous_year_completed"],
                                                   "r_previous_year_overdue": r["r_previous_year_overdue"]}
                for r in self._execute(sql, params)}

    def unit_evaluation_counts(
        self,
        start: date,
        end: date,
        as_of: date,
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        prepared: bool = False,
    ) -> list[dict[str, Any]]:
        """Per lead unit (as of `as_of`, known at `known_at`), what core.evaluation takes
        beside the four states of its workload: its overdue tasks of the period's workload
        (not cancelled, not completed by `as_of`, deadline before `as_of` and not after
        `end`: w_overdue of core.figures) with their days overdue (sum and most), and the
        extensions granted and reminders received in the period: `extended` events on the
        deadline and `reminded` events effective in the period and by `as_of`, recorded by
        `known_at` and not undone by then, each event once (a task extended twice counts
        twice), on tasks not cancelled nor voided."""
        if not prepared:
            self.prepare_as_of(as_of, known_at, figures_only=True)
        where, params = self._filters(unit_ids, sources, document_ids)
        params.update(start=start.isoformat(), end=end.isoformat(), as_of=as_of.isoformat(),
                      known_at=known_at or self._FAR_FUTURE)
        # as report_counts: a first completion after the day is read from the columns (state
        # done, completed_on after the day), so such a task is "not completed" here too
        late_deadline = self._no_index("deadline")
        extended_in_period, reminded_in_period = self._marked_in_period()
        candidates = f"""({where}) AND voided = 0 AND state <> 'cancelled' AND (
                (state IN ({OPEN_SQL}) AND deadline < :as_of AND deadline <= :end)
                OR (state = 'done' AND completed_on > :as_of AND {late_deadline} < :as_of
                    AND {late_deadline} <= :end)
                OR {extended_in_period}
                OR {reminded_in_period})"""
        sql = f"""
            WITH asof AS MATERIALIZED ({self._as_of_relation(candidates)}),
            overdue AS (
                SELECT lead_unit_id, {self._days_between(":as_of", "deadline")} AS days FROM asof
                WHERE deadline < :as_of AND deadline <= :end
                  AND NOT coalesce(state = 'done' AND completed_on <= :as_of, {self.FALSE})),
            marks AS (
                SELECT a.lead_unit_id, e.kind FROM asof a JOIN events e ON e.task_id = a.id
                WHERE e.effective_on BETWEEN :start AND :end AND e.effective_on <= :as_of
                  AND e.recorded_at <= :known_at AND {self._NOT_UNDONE}
                  AND ((e.kind = 'extended' AND e.field = 'deadline') OR (e.kind = 'reminded' AND e.field IS NULL)))
            SELECT lead_unit_id, count(*) AS overdue, sum(days) AS overdue_days_total,
                   max(days) AS overdue_days_max, 0 AS extensions, 0 AS reminders
            FROM overdue GROUP BY lead_unit_id
            UNION ALL
            SELECT lead_unit_id, 0, 0, 0, {self._count_if("kind = 'extended'")}, {self._count_if("kind = 'reminded'")}
            FROM marks GROUP BY lead_unit_id"""
        units: dict[Any, dict[str, Any]] = {}
        for row in self._execute(sql, params):
            unit = units.setdefault(row["lead_unit_id"], {"lead_unit_id": row["lead_unit_id"], "overdue": 0,
                                                          "overdue_days_total": 0, "overdue_days_max": 0,
                                                          "extensions": 0, "reminders": 0})
            for key in ("overdue", "overdue_days_total", "extensions", "reminders"):
                unit[key] += int(row[key])
            unit["overdue_days_max"] = max(unit["overdue_days_max"], int(row["overdue_days_max"]))
        return list(units.values())

    def trend_counts(
        self,
        months: Sequence[tuple[date, date, date]],
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
    ) -> list[list[dict[str, Any]]]:
        """Workload counts for each (start, end, as_of) month, the journal's later changes
        collected once for all of them.

        Consecutive months whose as-of days are their last days (the last month's may be
        earlier) are counted in one pass: the tasks the journal changed after the first
        month's as-of day (asof_later_ids) are replayed month by month as before, and every
        other task, whose columns are its fields on each of those days, is read once,
        grouped by the months its deadline and its completion fall in, and spread over the
        months by core.figures.trend_workload (where the twelve passes read the register's
        carried-over tasks twelve times)."""
        from nqtrack.core.figures import trend_workload

        if not months:
            return []
        self.collect_later_changes(min(m[2] for m in months), known_at, figures_only=True)
        filters: dict[str, Any] = {"known_at": known_at, "unit_ids": unit_ids, "sources": sources,
                                   "document_ids": document_ids}
        one_pass = all(later[0] == earlier[1] + timedelta(days=1) and earlier[2] == earlier[1]
                       for earlier, later in pairwise(months)) and months[-1][2] <= months[-1][1]
        if one_pass:
            # with them the tasks done without a completion day, which the month-by-month
            # counts keep in their due month's workload only (a state the rules never make)
            self._temp_table("asof_later_ids", f"""SELECT task_id FROM {self.TEMP}.asof_later
                                                   UNION SELECT id FROM tasks
                                                   WHERE state = 'done' AND completed_on IS NULL""", {},
                             [("asof_later_ids_task", "task_id", True)])
            spread = trend_workload(self._grouped_by_month(months, **filters), len(months))
        results = []
        for index, (start, end, as_of) in enumerate(months):
            self.build_as_of(as_of, known_at, due_by=end)
            counts = self.report_counts(start, end, as_of, start, end, prepared=True, workload_only=True,
                                        among_later=one_pass, **filters)
            results.append(counts + [spread[index]] if one_pass else counts)
        return results

    def _grouped_by_month(
        self,
        months: Sequence[tuple[date, date, date]],
        *,
        known_at: str | None,
        unit_ids: Sequence[int],
        sources: Sequence[str],
        document_ids: Sequence[int],
    ) -> list[dict[str, Any]]:
        """The rows core.figures.trend_workload takes: the tasks not in asof_later_ids that
        can be in a month's workload (not voided, not cancelled, with a deadline by the last
        month's end, not completed before the first month), grouped by the month their
        deadline falls in (-1: before the first) and the month they were completed in (NULL:
        not done; -1: before the first; len(months): after the last)."""
        where, params = self._filters(unit_ids, sources, document_ids)
        params.update(first=months[0][0].isoformat(), last_end=months[-1][1].isoformat(),
                      last_as_of=months[-1][2].isoformat(), known_at=known_at or self._FAR_FUTURE)

        def month_of(column: str) -> str:
            branches = []
            for index, (_start, end, _as_of) in enumerate(months):
                params[f"month_end{index}"] = end.isoformat()
                branches.append(f"WHEN {column} <= :month_end{index} THEN {index}")
            return f"CASE WHEN {column} < :first THEN -1 {' '.join(branches)} ELSE {len(months)} END"

        done = "state = 'done' AND completed_on IS NOT NULL"
        sql = f"""
            SELECT due, done, count(*) AS tasks, {self._count_if("on_time")} AS on_time,
                   {self._count_if("by_last")} AS by_last, {self._count_if("by_last AND on_time")} AS by_last_on_time
            FROM (SELECT {month_of("deadline")} AS due,
                         CASE WHEN {done} THEN {month_of("completed_on")} END AS done,
                         coalesce({done} AND completed_on <= deadline, {self.FALSE}) AS on_time,
                         coalesce({done} AND completed_on <= :last_as_of, {self.FALSE}) AS by_last
                  FROM tasks
                  WHERE ({where}) AND voided = 0 AND state <> 'cancelled' AND created_at <= :known_at
                    AND id NOT IN (SELECT task_id FROM {self.TEMP}.asof_later_ids)
                    AND ({self._in_a_workload(":first", ":last_end")})) t
            GROUP BY due, done"""
        return self._rows(sql, params)

    def overdue_rows(
        self,
        as_of: date,
        due_until: date,
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        role: str = "lead",
        prepared: bool = False,
        with_coordinating: bool = True,
    ) -> list[dict[str, Any]]:
        """Open tasks (new, in progress, paused) whose deadline is before `due_until`, as of `as_of`."""
        if not prepared:
            self.prepare_as_of(as_of, known_at, due_by=due_until)
        where, params = self._filters(unit_ids, sources, document_ids, role)
        params["due_until"] = due_until.isoformat()
        candidates = f"({where}) AND voided = 0 AND state IN ({OPEN_SQL}) AND deadline <= :due_until"
        coordinating = coordinating_ids = "NULL"
        if with_coordinating:
            names = self._concat("cu.name", "; ", "tu.unit_id")
            ids = self._concat(self._text("tu.unit_id"), ",", "tu.unit_id")
            coordinating = f"""(SELECT {names} FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                               WHERE tu.task_id = a.id)"""
            coordinating_ids = f"(SELECT {ids} FROM task_units tu WHERE tu.task_id = a.id)"
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)})
            SELECT a.id, t.code, t.title, {self._document_label()} AS document, a.lead_unit_id, u.name AS lead_unit,
                   {coordinating} AS coordinating_units, {coordinating_ids} AS coordinating_unit_ids,
                   t.assignee, a.deadline, t.original_deadline, a.state, a.source
            FROM asof a
            JOIN tasks t ON t.id = a.id
            LEFT JOIN documents d ON d.id = a.document_id
            LEFT JOIN units u ON u.id = a.lead_unit_id
            ORDER BY a.deadline, a.id"""
        return self._rows(sql, params)

    # -- check ------------------------------------------------------------------------

    def integrity_problems(self, full: bool = True) -> list[str]:
        """What is wrong with what the register keeps beside its tasks (an engine adds the
        integrity of its files first; `full`: every index against its table too): the
        look-up keys of the units, rows missing from the tables nqtrack never deletes from
        (MARKED), units and documents unlike their journal, calendar days unlike theirs, series
        unlike what they were created with and their journal."""
        problems = []
        for unit in self.list_units():
            stored = set(self._ids("SELECT key FROM unit_keys WHERE unit_id = ?", [unit.id]))
            if stored != self._unit_keys(unit):
                problems.append(f"unit {unit.id} ({unit.name}): its look-up keys do not match its name, code and "
                                "aliases")
        for mark, table in MARKED.items():
            if table == "tasks":
                continue  # by task number, with the tasks' rules
            one, several = _MISSING[table]
            for first, last in self._missing_numbers(table, mark):
                if first is None:
                    problems.append(f"{last} {several if last > 1 else one} {'are' if last > 1 else 'is'} missing "
                                    "(deleted outside nqtrack?)")
                elif first != last:
                    problems.append(f"{several} {first}–{last} are missing (deleted outside nqtrack?)")
                else:
                    problems.append(f"{one} {first} is missing (deleted outside nqtrack?)")
        return problems + self._register_journal_problems() + self._calendar_problems() + self._series_problems()

    def _register_journal_problems(self) -> list[str]:
        """Each journaled field of a unit or a document holds what its latest journal event
        (a correction, a merge, an undo) gave it."""
        from nqtrack.core.symbols import parse_symbol

        problems = []
        latest = self._rows(
            """SELECT entity, entity_id, field, new_value FROM register_events
               WHERE id IN (SELECT max(id) FROM register_events GROUP BY entity, entity_id, field)
               ORDER BY entity, entity_id, field""")
        for event in latest:
            entity, entity_id, field, journaled = (event[k] for k in ("entity", "entity_id", "field", "new_value"))
            table, fields = ("units", self.UNIT_FIELDS) if entity == "unit" else ("documents", self.DOCUMENT_FIELDS)
            if field not in fields:
                problems.append(f"{entity} {entity_id}: its journal names a field '{field}' it does not have")
                continue
            row = self._one(f"SELECT {field} AS value FROM {table} WHERE id = ?", [entity_id])
            if row is None:
                problems.append(f"{entity} {entity_id} is in its journal, but there is no such {entity}")
                continue
            expected = parse_symbol(journaled).text if field == "symbol" and journaled else journaled
            if _value(row["value"]) != expected:
                problems.append(f"{entity} {entity_id}: '{field}' is {_value(row['value'])!r} but its journal says "
                                f"{expected!r}")
        return problems

    def _calendar_problems(self) -> list[str]:
        """Each day the office named is what the latest event of the calendar's journal made it."""
        rows = self._rows(
            f"""WITH latest AS (SELECT day, new_kind, note FROM calendar_events
                                WHERE id IN (SELECT max(id) FROM calendar_events GROUP BY day))
                SELECT d.day, d.kind, l.new_kind FROM calendar_days d LEFT JOIN latest l ON l.day = d.day
                WHERE {self._differ("l.new_kind", "d.kind")} OR {self._differ("l.note", "d.note")}
                UNION ALL
                SELECT l.day, NULL, l.new_kind FROM latest l
                WHERE l.new_kind IS NOT NULL AND NOT EXISTS (SELECT 1 FROM calendar_days d WHERE d.day = l.day)
                ORDER BY 1""")
        return [f"calendar day {r['day']}: it is {r['kind']!r} but its journal says {r['new_kind']!r}" for r in rows]

    def _series_problems(self) -> list[str]:
        """Each series as it was created (its creation event's snapshot; it never changes but
        for its end), its title key, and its end as its journal's last 'ended' event says."""
        problems = []
        for row in self._rows("SELECT * FROM series ORDER BY id"):
            series_id = row["id"]
            events = self._rows("SELECT kind, field, new_value FROM series_events WHERE series_id = ? ORDER BY id",
                                [series_id])
            created = next((e for e in events if e["kind"] == "created" and e["field"] is None), None)
            if row["title_key"] != fold(row["title"]):
                problems.append(f"series S{series_id}: the title key {row['title_key']!r} does not match the title")
            if created is None:
                problems.append(f"series S{series_id}: no creation event in its journal")
                continue
            try:
                snapshot = json.loads(created["new_value"])
                changed = [f for f in SERIES_FIELDS if _value(row[f]) != snapshot.get(f)]
            except (TypeError, ValueError, AttributeError):
                problems.append(f"series S{series_id}: its creation event cannot be read")
                continue
            problems += [f"series S{series_id}: '{f}' is {_value(row[f])!r} but it was created with "
                         f"{snapshot.get(f)!r}" for f in changed]
            ended = [e["new_value"] for e in events if e["kind"] == "ended" and e["field"] == "ends_on"]
            if _value(row["ends_on"]) != (ended[-1] if ended else None):
                problems.append(f"series S{series_id}: it ends on {row['ends_on']!r} but its journal says "
                                f"{ended[-1] if ended else None!r}")
        return problems

    def _missing_numbers(self, table: str, mark: str) -> list[tuple[int | None, int]]:
        """The rows of `table` its mark says were written and it no longer holds, as runs
        (first, last) of missing numbers; or (None, how many) when the numbers cannot tell
        which (PostgreSQL leaves the numbers of a rolled-back write unused)."""
        totals = self._one(f"SELECT count(*) AS n, coalesce(max(id), 0) AS highest FROM {table}")
        assert totals is not None
        count, highest = totals["n"], totals["highest"]
        written = self._scalar("SELECT value FROM register_marks WHERE name = ?", [mark])
        if written is None:  # no mark yet: the numbers say it where they run without a gap
            written = highest if self.GAPLESS else count
        missing = written - count
        if missing <= 0:
            return []
        gaps: list[tuple[int, int]] = [
            (r["first"], r["last"]) for r in self._rows(
                f"""SELECT previous + 1 AS first, id - 1 AS last FROM (
                        SELECT id, lag(id, 1, 0) OVER (ORDER BY id) AS previous FROM {table}) numbered
                    WHERE id > previous + 1 ORDER BY id""")]
        newest = missing - sum(last - first + 1 for first, last in gaps)
        if newest < 0:  # unused numbers among them: how many, not which
            return [(None, missing)]
        runs: list[tuple[int | None, int]] = list(gaps)
        if newest:
            runs.append((highest + 1, highest + newest))
        return runs

    def early_deadlines_unexplained(self, recorded_at: str, shown: int = 20) -> tuple[int, list[int]]:
        """How many tasks a write recorded at this moment (an assignment, an import) left with a
        deadline before the day they were assigned and no note saying why (check's rule, for the
        write to say so at once), and the first `shown` of them: an import of a million such
        rows counts them without holding their numbers."""
        found = f"""FROM tasks t WHERE t.id IN (SELECT task_id FROM events WHERE recorded_at = ?)
                    AND {_EARLY_DEADLINE_UNEXPLAINED}"""
        first = self._ids(f"SELECT id {found} ORDER BY id LIMIT ?", [recorded_at, shown])
        if len(first) < shown:
            return len(first), first
        return self._scalar(f"SELECT count(*) AS n {found}", [recorded_at]), first

    def invariant_problems(self) -> list[tuple[int, str]]:
        """(task number, what is wrong) for each broken rule of the register (a task without
        its creation event: with the journal's replay, _replay_problems)."""
        problems: list[tuple[int, str]] = []
        sql_rules = {
            "done without a completion date": "SELECT id FROM tasks WHERE state = 'done' AND completed_on IS NULL",
            "a completion date but not done": "SELECT id FROM tasks WHERE state != 'done' AND completed_on IS NOT NULL",
            "deadline before the day it was assigned, with no note":
                f"SELECT id FROM tasks t WHERE {_EARLY_DEADLINE_UNEXPLAINED}",
        }
        for message, sql in sql_rules.items():
            problems += [(task_id, message) for task_id in self._ids(sql)]
        for first, last in self._missing_numbers("tasks", "last_task"):
            if first is None:  # which ones cannot be told: under the number after the highest
                highest = self._scalar("SELECT coalesce(max(id), 0) AS n FROM tasks")
                problems.append((highest + 1, f"{last} task{'s are' if last > 1 else ' is'} missing (deleted outside "
                                              "nqtrack, with their events?)"))
            elif first != last:
                problems.append((first, f"tasks {first}–{last} are missing (deleted outside nqtrack, with their "
                                        "events?)"))
            else:
                problems.append((first, "this task is missing (deleted outside nqtrack, with its events?)"))
        problems += self._replay_problems()
        return sorted(problems)

    # -- check: the journal against the columns ---------------------------------------------

    def _coordinating_sql(self) -> str:
        """The coordinating units of task t as the journal writes them (ids, ascending, by commas)."""
        return (f"(SELECT {self._concat('CAST(tu.unit_id AS TEXT)', ',', 'tu.unit_id')} FROM task_units tu "
                "WHERE tu.task_id = t.id)")

    def _by_task(self, sql: str, task_ids: list[int] | None, column: str = "task_id") -> Iterator[Any]:
        """The rows of `sql` (… ORDER BY task_id, …, with a `{where}` slot on `column`) of
        these tasks (all when None), in task order, a few hundred tasks at a time."""
        if task_ids is None:
            yield from self._stream(sql.format(where="TRUE"))
            return
        for start in range(0, len(task_ids), 500):
            where, params = self._in(column, task_ids[start:start + 500])
            yield from self._execute(sql.format(where=where), params)

    @staticmethod
    @contextmanager
    def _running_apart(run: Callable[[], Any], stop: Callable[[], None]) -> Iterator[Callable[[], Any]]:
        """`run` beside the caller; yields what waits for its result. In a process of its own
        where this one can fork without a thread running (Linux; the parent holds no lock of
        the register then, and the child opens its own connection): check's two passes are
        both Python's at a million rows each, and on threads they took turns at the GIL (at
        100,000 tasks 2.9 s side by side, 2.7 s one after the other). Elsewhere on a thread,
        where SQLite and the server let go of Python while a statement runs. When the caller
        fails meanwhile, the process is ended, or `stop` ends the thread's statement."""
        import threading

        if sys.platform.startswith("linux") and threading.active_count() == 1:
            with _in_a_process(run) as result:
                yield result
            return
        from concurrent.futures import ThreadPoolExecutor  # check's alone: 3 ms of every start

        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(run)
            try:
                yield future.result
            except BaseException:
                stop()
                raise

    @contextmanager
    def _beside(self, work: Callable[[SqlStore], Any]) -> Iterator[Callable[[], Any]]:
        """`work` (a function of a store) run while the caller goes on, and a function that
        gives its result (or raises its error). Here at once, on this store; an engine that
        can read the register on a second connection runs it there, in a thread."""
        result = work(self)
        yield lambda: result

    @contextmanager
    def checking(self) -> Iterator[None]:
        """check's pass over the journal (_journal_pass) started at once beside what `check`
        reads first (the file's integrity, the register beside the tasks), where it would
        otherwise wait for it: the pass is the longer of check's two and the only one off
        this process. invariant_problems inside the block takes its result."""
        with self._beside(lambda store: store._journal_pass()) as found:
            self._journal_found = found
            try:
                yield
            finally:
                self._journal_found = None

    def _replay_problems(self) -> list[tuple[int, str]]:
        """Each task's current fields must equal its journal replayed in order, and what is
        kept beside them must be what they give: the title key, the original deadline (the
        deadline it was created with) and the task's text in the search index. Every task is
        held to its journal's latest values and to its creation event (_journal_pass),
        beside the pass over every task's title key and search text, which is Python's;
        only the tasks they name are replayed here. Streams in task order, merged: a whole
        register never sits in memory."""
        found = self._journal_found
        if found is None:
            with self.checking():
                return self._replay_problems()
        problems = self._derived_pass()
        return problems + self._replayed(found())

    def _journal_pass(self) -> list[int]:
        """The tasks to replay (a superset: each task named is replayed in Python, which
        words the problem): a field unlike its journal's latest event of it, a task not as
        its creation event recorded it (_not_as_created: held to its fingerprint by the
        fields it was created with), a deadline corrected (its original deadline only a
        replay gives). One pass over the tasks and one over the field events, merged by task
        (beside the pass over titles and search texts: most of it is the engine's); a value
        written otherwise than the engine writes it, or that holds a separator, only adds a
        task to replay."""
        named: list[int] = []
        coordinating = self._coordinating_sql()
        # the fields now as the journal writes them, joined as the fingerprint joins them, in
        # SQL (the engine's C, not a million Python conversions)
        now = self._joined([coordinating if f == "coordinating_units" else f"t.{f}" for f in _SNAPSHOT_FIELDS],
                           _PRINT_SEPARATOR)
        tasks = self._stream(
            f"""SELECT t.id, {now} AS fields_now, t.original_deadline,
                       (SELECT e.new_value FROM events e WHERE e.task_id = t.id AND e.field IS NULL
                          AND e.kind IN ({CREATION_SQL}) ORDER BY e.id LIMIT 1) AS created
                FROM tasks t ORDER BY t.id""", tuples=True)
        # every field event of each task, by field and in recorded order, in one text a task
        # (field, old value, new value): the first of each field holds the value the task was
        # created with, the last the value it has now; a corrected deadline has a fourth part
        corrected = f"CASE WHEN e.field = 'deadline' AND e.kind IN ('corrected', 'undo') THEN '{_PART}' ELSE '' END"
        change = (f"e.field || '{_PART}' || coalesce(e.old_value, '') || '{_PART}' || coalesce(e.new_value, '') "
                  f"|| {corrected}")
        changes = self._stream(f"""SELECT e.task_id, {self._concat(change, _CHANGE, "e.field, e.id")} AS changes
                                   FROM events e WHERE e.field IS NOT NULL GROUP BY e.task_id ORDER BY e.task_id""",
                               tuples=True)
        # fields by their place in the fingerprint: a million tasks' worth of look-ups by name saved
        place_of, width = _SNAPSHOT_INDEX.get, len(_SNAPSHOT_FIELDS)
        pending = next(changes, None)
        for task_id, fields_now, original_deadline, created in tasks:
            now = fields_now.split(_PRINT_SEPARATOR)
            firsts: dict[int, str] = {}
            latest: dict[int, str] = {}
            unlike = len(now) != width
            while pending is not None and pending[0] <= task_id:
                if pending[0] == task_id and not unlike:
                    for one in pending[1].split(_CHANGE):
                        parts = one.split(_PART)
                        if len(parts) != 3:  # a corrected deadline, or a separator in a value
                            unlike = True
                            break
                        place = place_of(parts[0])
                        if place is not None:
                            if place not in firsts:
                                firsts[place] = parts[1]
                            latest[place] = parts[2]
                pending = next(changes, None)
            if not unlike:
                for place, new in latest.items():
                    if now[place] != new:
                        unlike = True
                        break
            if unlike or self._not_as_created(created, original_deadline, now, firsts):
                named.append(task_id)
        return named

    def _task_as_searched(self, task_id: int) -> dict[str, Any]:
        """One task's title key and the columns its search text is made of."""
        task = self._one(f"SELECT id, title_key, {', '.join(_SEARCHED_COLUMNS)} FROM tasks WHERE id = ?", [task_id])
        assert task is not None  # read in the same snapshot as the id
        return task

    def _every_document_words(self) -> dict[int, str]:
        return self._search_documents(self._ids("SELECT id FROM documents"))

    def _derived_pass(self) -> list[tuple[int, str]]:
        """The title key and the search text of every task (_derived_problems), and the rows
        of the search index that name no task."""
        problems: list[tuple[int, str]] = []
        # each task's title key and the columns its search text is made of, as tuples (the
        # engine's rows by name, and a mapping a task, cost more than the check of most tasks)
        names = ("id", "title_key", "title", "document_id", "code", "note", "product", "assignee")  # as unpacked
        tasks = self._stream(f"SELECT {', '.join(names)} FROM tasks ORDER BY id", tuples=True)
        bodies = self._search_index()
        documents = self._every_document_words()
        pending_body = next(bodies, None)
        for row in tasks:
            task_id, title_key, title, document_id, code, note, product, assignee = row
            body: str | None = None
            indexed = False
            while pending_body is not None and pending_body[0] <= task_id:
                if pending_body[0] == task_id:
                    body, indexed = pending_body[1], True
                else:
                    problems.append((pending_body[0], "in the search index, but there is no such task"))
                pending_body = next(bodies, None)
            problems += self._derived_problems(task_id, title_key, title, code, note, product, assignee,
                                               documents.get(document_id), body, indexed)
        while pending_body is not None:
            problems.append((pending_body[0], "in the search index, but there is no such task"))
            pending_body = next(bodies, None)
        return problems

    @staticmethod
    def _not_as_created(recorded: str | None, original_deadline: str | None, now: list[str],
                        firsts: Mapping[int, str]) -> bool:
        """Whether a task's row may not be what its creation event recorded (to be replayed):
        no such event or one that cannot be read, a field no event changed that is not as
        created, or an original deadline that is not the deadline it was created with. The
        lean path of every task (_first_texts over the texts SQL joined, `firsts` the journal
        texts of the old values by the field's place, '' for none): a value that holds a
        separator, or is stored otherwise than written, only adds a task to replay, which
        holds it exactly."""
        texts = now.copy()
        for place, old in firsts.items():
            texts[place] = old
        if recorded is not None and recorded.startswith(FINGERPRINT_PREFIX):
            created = texts
            if not _holds_print(recorded, _PRINT_SEPARATOR.join(texts)):
                return True
        else:
            try:
                snapshot = _snapshot_of(recorded)
            except (TypeError, ValueError):
                return True
            created = _journal_texts([snapshot.get(f) for f in _SNAPSHOT_FIELDS])
            if any(created[i] != now[i] for i in range(len(now)) if i not in firsts):
                return True  # a whole snapshot: each field no event changed held to it
        return (created[_DEADLINE_PLACE] or None) != original_deadline

    def _replayed(self, candidates: list[int] | None) -> list[tuple[int, str]]:
        """The journal of each of these tasks (all when None) replayed against its fields."""
        from nqtrack.core.states import replay_journal

        problems: list[tuple[int, str]] = []
        columns = [f for f in TASK_FIELDS if f != "coordinating_units"]
        tasks = self._by_task(f"SELECT id AS task_id, original_deadline, {', '.join(columns)} FROM tasks "
                              "WHERE {where} ORDER BY id", candidates, "id")
        events = self._by_task(
            "SELECT task_id, id, kind, field, old_value, new_value, effective_on, recorded_at, undoes FROM events "
            "WHERE {where} ORDER BY task_id, id", candidates)
        units = self._by_task("SELECT task_id, unit_id FROM task_units WHERE {where} ORDER BY task_id, unit_id",
                              candidates)
        pending_event = next(events, None)
        pending_unit = next(units, None)
        for task in tasks:
            task_id = task["task_id"]
            journal = []
            while pending_event is not None and pending_event["task_id"] <= task_id:
                if pending_event["task_id"] == task_id:
                    journal.append(pending_event)
                pending_event = next(events, None)
            coordinating = []
            while pending_unit is not None and pending_unit["task_id"] <= task_id:
                if pending_unit["task_id"] == task_id:
                    coordinating.append(pending_unit["unit_id"])
                pending_unit = next(units, None)
            current = {c: _value(task[c]) for c in columns}
            current["coordinating_units"] = ",".join(map(str, coordinating)) or None
            creation = next((e for e in journal if e["field"] is None and e["kind"] in CREATION_KINDS), None)
            if creation is None:  # every such task is a candidate
                problems.append((task_id, "no creation event in the journal"))
                continue
            firsts: dict[str, Any] = {}
            for e in journal:
                if e["field"] is not None and e["field"] not in firsts:
                    firsts[e["field"]] = e["old_value"]
            try:
                snapshot, unlike = created_with(creation["new_value"], current, firsts)
                replayed = replay_journal(
                    snapshot,
                    [Event(e["id"], e["field"], e["old_value"], e["new_value"], e["effective_on"], e["recorded_at"])
                     for e in journal])
            except (TypeError, ValueError, AttributeError):
                problems.append((task_id, f"its creation event #{creation['id']} cannot be read"))
                continue
            recorded = f"what its creation event #{creation['id']} recorded"
            for field in unlike or ():
                if field in firsts:
                    problems.append((task_id, f"'{field}' was {firsts[field]!r} before its first change, not "
                                              f"{recorded}"))
                else:
                    problems.append((task_id, f"'{field}' is {current.get(field)!r}, not {recorded}"))
            if unlike == []:
                problems.append((task_id, f"its fields are not {recorded}"))
            original = _original_deadline(_value(snapshot.get("deadline")), journal)
            if original != task["original_deadline"]:
                problems.append((task_id, f"the original deadline is {task['original_deadline']!r} but the journal "
                                          f"says {original!r}"))
            for field in TASK_FIELDS:
                if _value(replayed.get(field)) != current.get(field):
                    problems.append(
                        (task_id, f"'{field}' is {current.get(field)!r} but the journal says {replayed.get(field)!r}")
                    )
        return problems

    @staticmethod
    def _derived_problems(task_id: int, title_key: str, title: str, code: Any, note: Any, product: Any,
                          assignee: Any, document_words: str | None, body: str | None,
                          indexed: bool) -> list[tuple[int, str]]:
        """The title key and the search text of one task against its fields (the search text
        as words, as the search cuts them: it matches words, older registers indexed them in
        another order, and an index without a copy of the text gives back only its words).
        The fields come as values, not a mapping: check runs this for every task."""
        folded = fold_repeated(title)
        expected = _text_of(folded, title, code, note, product, assignee, document_words)
        if indexed and title_key == folded and body == expected:
            return []  # most tasks
        problems = []
        if title_key != folded:
            problems.append((task_id, f"the title key {title_key!r} does not match the title"))
        if not indexed:
            problems.append((task_id, "missing from the search index"))
        elif body is None or (body != expected and sorted(search_tokens(body)) != sorted(search_tokens(expected))):
            problems.append((task_id, "its text in the search index does not match its fields"))
        return problems

    # -- undo -----------------------------------------------------------------------

    def last_changes(self, count: int) -> list[list[dict[str, Any]]]:
        """The latest `count` changes not yet undone (a change: the events one command
        recorded at one moment), newest first."""
        # newest by the order of recording (ids), not by clock: --today shifts the clock
        rows = self._rows(
            """WITH open_events AS (
                   SELECT * FROM events e WHERE e.kind != 'undo'
                      AND coalesce(e.batch_id, '') NOT LIKE :recur
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)),
               changes AS (
                   SELECT recorded_at, max(id) AS last_id FROM open_events
                   GROUP BY recorded_at ORDER BY last_id DESC LIMIT :count)
               SELECT o.* FROM open_events o JOIN changes c ON c.recorded_at = o.recorded_at
               ORDER BY c.last_id DESC, o.id DESC""",
            {"count": count, "recur": RECUR_BATCH_PREFIX + "%"},
        )
        groups: dict[str, list[dict[str, Any]]] = {}
        order: dict[str, float] = {}  # a change's place in the order of recording
        for row in rows:
            groups.setdefault(row["recorded_at"], []).append(row)
            order[row["recorded_at"]] = max(order.get(row["recorded_at"], 0), row["id"])
        register = self._rows(
            """WITH open_events AS (
                   SELECT * FROM register_events r WHERE r.kind != 'undo'
                      AND NOT EXISTS (SELECT 1 FROM register_events u WHERE u.undoes = r.id)),
               changes AS (SELECT recorded_at, max(after_event) AS after FROM open_events
                           GROUP BY recorded_at ORDER BY after DESC, max(id) DESC LIMIT ?)
               SELECT o.* FROM open_events o JOIN changes c ON c.recorded_at = o.recorded_at
               ORDER BY o.id DESC""",
            [count],
        )
        if not register:
            return list(groups.values())
        for row in register:  # a change to units or documents (and the tasks it moved, at one moment)
            groups.setdefault(row["recorded_at"], []).append(row)
            # recorded after task event `after_event`, before the next one
            order[row["recorded_at"]] = max(order.get(row["recorded_at"], 0), row["after_event"] + 0.5)
        return [groups[moment] for moment in sorted(groups, key=lambda m: order[m], reverse=True)[:count]]

    def last_task_change(self, task_id: int) -> list[dict[str, Any]]:
        """The events of the latest change to one task not yet undone, newest first."""
        return self._rows(
            """WITH open_events AS (
                   SELECT * FROM events e WHERE e.task_id = ? AND e.kind != 'undo'
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id))
               SELECT * FROM open_events WHERE recorded_at = (
                   SELECT recorded_at FROM open_events ORDER BY id DESC LIMIT 1)
               ORDER BY id DESC""",
            [task_id],
        )

    def open_task_like(self, document_id: int | None, title: str, lead_unit_id: int | None) -> int | None:
        """An open task (not voided) of the same document, folded title and lead unit, if any."""
        same_document, document_params = self._matches("document_id", document_id)
        same_title, title_params = self._title_is(title)
        same_lead, lead_params = self._matches("lead_unit_id", lead_unit_id)
        return self._scalar(
            f"""SELECT id FROM tasks WHERE {same_document} AND {same_title} AND {same_lead}
                 AND state IN ({OPEN_SQL}) AND voided = 0 ORDER BY id LIMIT 1""",
            [*document_params, *title_params, *lead_params],
        )

    def import_provenance(self, task_id: int) -> dict[str, str | None] | None:
        """What the last import of this task's row brought (field → journal text), or None when
        no import ever brought it. A re-import writes it; until then it is read from the
        journal (the fields the creating import gave, then each later imported change), so that
        creating tasks by the hundred thousand writes nothing more."""
        fields = self._scalar("SELECT fields FROM import_provenance WHERE task_id = ?", [task_id])
        if fields:
            return json.loads(fields)
        events = self.task_events(task_id)
        if not any(e["kind"] == "imported" and e["field"] is None for e in events):
            return None
        firsts: dict[str, Any] = {}
        for e in events:
            if e["field"] is not None:
                firsts.setdefault(e["field"], e["old_value"])
        brought: dict[str, str | None] | None = None
        for event in events:
            if event["kind"] != "imported":
                continue
            if event["field"] is None:
                created, _ = created_with(event["new_value"], self._journal_fields(task_id), firsts)
                brought = {k: None if v is None else str(v) for k, v in created.items()}
            elif brought is not None:
                brought[event["field"]] = event["new_value"]
        return brought

    def _journal_fields(self, task_id: int) -> dict[str, Any]:
        """A task's fields now (TASK_FIELDS), its coordinating units as the journal writes them."""
        row = self._one(f"SELECT {', '.join(f for f in TASK_FIELDS if f != 'coordinating_units')} FROM tasks "
                        "WHERE id = ?", [task_id])
        units = self.coordinating_unit_ids(task_id)
        return {**(row or {}), "coordinating_units": ",".join(map(str, units)) or None}

    def save_import_provenance(self, rows: Sequence[tuple[int, Mapping[str, str | None]]],
                               batch_id: str | None) -> None:
        self._executemany(
            """INSERT INTO import_provenance(task_id, batch_id, fields) VALUES (?, ?, ?)
               ON CONFLICT(task_id) DO UPDATE SET batch_id = excluded.batch_id, fields = excluded.fields""",
            [(task_id, batch_id, json.dumps(fields, ensure_ascii=False, separators=(",", ":")))
             for task_id, fields in rows],
        )

    def record_batch(self, batch_id: str, kind: str, recorded_at: str, by: str, note: str | None = None) -> None:
        self._execute(
            "INSERT INTO batches(id, kind, recorded_at, recorded_by, note) VALUES (?, ?, ?, ?, ?)",
            [batch_id, kind, recorded_at, by, note],
        )

    def batch_events(self, batch_id: str) -> list[dict[str, Any]]:
        events = self._rows(
            """SELECT e.* FROM batches b JOIN events e ON e.recorded_at = b.recorded_at AND e.batch_id = b.id
               WHERE b.id = ? AND e.kind != 'undo'
                 AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)
               ORDER BY e.id DESC""",
            [batch_id],
        )
        register = self._rows(
            """SELECT r.* FROM batches b JOIN register_events r ON r.recorded_at = b.recorded_at AND r.batch_id = b.id
               WHERE b.id = ? AND r.kind != 'undo'
                 AND NOT EXISTS (SELECT 1 FROM register_events u WHERE u.undoes = r.id)
               ORDER BY r.id DESC""",
            [batch_id],
        )
        return events + register

    def undo_events(self, events: list[dict[str, Any]], *, by: str, recorded_at: str, batch_id: str) -> list[int]:
        """Revert events, newest first, each by an 'undo' event effective on the same day
        (so past days are rebuilt as if it never happened); a task created by them is
        voided (entered in error). Refuses when a later change touched the same field."""
        touched: list[int] = []
        register = [e for e in events if "entity" in e]
        events = [e for e in events if "entity" not in e]
        undone = {e["id"] for e in events}
        for event in sorted(events, key=lambda e: -e["id"]):
            task_id, field = event["task_id"], event["field"]
            day = date.fromisoformat(event["effective_on"])
            note = f"undo #{event['id']}"
            common: dict[str, Any] = dict(by=by, kind="undo", note=note, batch_id=batch_id, recorded_at=recorded_at)
            if field is None:
                if event["kind"] in CREATION_KINDS:
                    self.change_task(task_id, {"voided": 1}, effective_on=day, undoes={"voided": event["id"]},
                                     **common)
                self._mark_undone(event, by, recorded_at, batch_id, note)
                touched.append(task_id)
                continue
            later = self._scalar(
                """SELECT id FROM events x WHERE task_id = ? AND field = ? AND id > ? AND kind != 'undo'
                     AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = x.id) ORDER BY id LIMIT 1""",
                [task_id, field, event["id"]],
            )
            if later is not None and later not in undone:
                raise InvalidInput(
                    "cannot undo: task {task}'s '{field}' was changed again since (event #{event})",
                    task=task_id,
                    field=field,
                    event=later,
                )
            old = event["old_value"]
            if field == "coordinating_units":
                old = [int(u) for u in old.split(",")] if old else []
            changed = self.change_task(task_id, {field: old}, effective_on=day, undoes={field: event["id"]},
                                       correction=event["kind"] == "corrected", **common)
            if not changed:
                self._mark_undone(event, by, recorded_at, batch_id, note)
            touched.append(task_id)
        self._undo_register_events(register, by=by, recorded_at=recorded_at, batch_id=batch_id)
        return sorted(set(touched))

    def _undo_register_events(self, events: list[dict[str, Any]], *, by: str, recorded_at: str,
                              batch_id: str) -> None:
        """Revert changes to units and documents, newest first (a merge's alias before its merge)."""
        ids = {e["id"] for e in events}
        for event in sorted(events, key=lambda e: -e["id"]):
            entity, entity_id, field = event["entity"], event["entity_id"], event["field"]
            later = self._scalar(
                """SELECT id FROM register_events x WHERE entity = ? AND entity_id = ? AND field = ? AND id > ?
                     AND kind != 'undo' AND NOT EXISTS (SELECT 1 FROM register_events u WHERE u.undoes = x.id)
                   ORDER BY id LIMIT 1""",
                [entity, entity_id, field, event["id"]],
            )
            if later is not None and later not in ids:
                if entity == "unit":
                    raise InvalidInput("cannot undo: unit #{id}'s '{field}' was changed again since",
                                       id=entity_id, field=field)
                raise InvalidInput("cannot undo: document #{id}'s '{field}' was changed again since",
                                   id=entity_id, field=field)
            old: Any = event["old_value"]
            if field in ("parent_id", "merged_into") and old is not None:
                old = int(old)
            change = self.change_unit if entity == "unit" else self.change_document
            note = f"undo #{event['id']}"
            if not change(entity_id, {field: old}, by=by, recorded_at=recorded_at, kind="undo", note=note,
                          batch_id=batch_id, undoes={field: event["id"]}):
                self._register_event(entity, entity_id, "undo", field, old, old, by=by, recorded_at=recorded_at,
                                     note=note, batch_id=batch_id, undoes=event["id"])

    def _mark_undone(self, event, by, recorded_at, batch_id, note) -> None:
        """An undo event with no field change, so the event is never undone twice."""
        self._event(event["task_id"], "undo", None, None, None, date.fromisoformat(event["effective_on"]),
                    recorded_at, by, note, batch_id, event["id"])

    # -- export and import of the whole register -------------------------------------

    def export_rows(self, table: str) -> Iterator[dict[str, Any]]:
        if table not in self.EXPORT_TABLES:
            raise ValueError(table)
        for row in self._stream(f"SELECT * FROM {table} ORDER BY {_EXPORT_ORDER.get(table, 'id')}"):
            yield dict(row)

    def is_empty(self) -> bool:
        return all(self._one(f"SELECT 1 AS found FROM {t} LIMIT 1") is None for t in ("units", "documents", "tasks"))

    def load_export(self, data: Mapping[str, Iterable[dict[str, Any]]]) -> dict[str, int]:
        """Rebuild a register from an export (or another register's rows, table by table,
        as they come), into an empty database; call inside a transaction. A column an older
        export does not have takes its default (tasks.voided: 0), a table it does not have
        stays empty; a row the schema refuses is one error, nothing loaded."""
        try:
            return self._load(data)
        except self._integrity_errors() as exc:
            raise InvalidInput("cannot import: {reason}", reason=str(exc).strip().splitlines()[0]) from None

    def _load(self, data: Mapping[str, Iterable[dict[str, Any]]]) -> dict[str, int]:
        counts = {}
        later: list[tuple[str, list[Any]]] = []  # references within units and documents, set afterwards
        for table in self.EXPORT_TABLES:
            defaults = self._columns(table)
            columns = list(defaults)
            own = _SELF_REFERENCES.get(table, ())
            if table in ("settings", "register_marks"):  # an empty register holds its own
                self._execute(f"DELETE FROM {table}")
            counts[table] = 0
            chunk: list[list[Any]] = []
            for row in data.get(table) or []:
                values = {c: row.get(c, defaults[c]) for c in columns}
                if any(values[c] is not None for c in own):
                    later.append((table, [values[c] for c in own] + [values["id"]]))
                    values.update((c, None) for c in own)
                chunk.append([values[c] for c in columns])
                if len(chunk) >= 20000:
                    self._insert_rows(table, columns, chunk)
                    counts[table] += len(chunk)
                    chunk = []
            self._insert_rows(table, columns, chunk)
            counts[table] += len(chunk)
        for table, references in later:
            sets = ", ".join(f"{c} = ?" for c in _SELF_REFERENCES[table])
            self._execute(f"UPDATE {table} SET {sets} WHERE id = ?", references)
        for unit in self.list_units():
            self._write_unit_keys(unit)
        self._after_load()
        return counts

    # -- review (rà soát) ---------------------------------------------------------

    def review_counts(self, today: date) -> list[dict[str, Any]]:
        """Every document with the counts of its own tasks by how far they are, today."""
        count = self._count_if
        return self._rows(
            f"""SELECT d.id, d.symbol, d.doc_type, d.issuer, d.issued_on, d.title, d.parent_id,
                      count(t.id) AS total,
                      {count("t.state = 'done' AND (t.deadline IS NULL OR t.completed_on <= t.deadline)")}
                          AS done_on_time,
                      {count("t.state = 'done' AND t.completed_on > t.deadline")} AS done_late,
                      {count(f"t.state IN ({OPEN_SQL}) AND (t.deadline IS NULL OR t.deadline >= :today)")}
                          AS open_in_time,
                      {count(f"t.state IN ({OPEN_SQL}) AND t.deadline < :today")} AS overdue,
                      {count("t.state = 'cancelled'")} AS cancelled,
                      {count("t.state = 'new'")} AS not_begun
               FROM documents d LEFT JOIN tasks t ON t.document_id = d.id AND t.voided = 0
               WHERE d.merged_into IS NULL
               GROUP BY d.id ORDER BY d.id""",
            {"today": today.isoformat()},
        )

    # -- reminders (đôn đốc) --------------------------------------------------------

    def record_reminders(
        self, reminded: dict[int, str], *, day: date, by: str, recorded_at: str, batch_id: str
    ) -> None:
        """A 'reminded' journal event for each task, noting the unit urged; call in a transaction."""
        self._insert_many(
            "events",
            [
                self._event_row(task_id, "reminded", None, None, None, day, recorded_at, by, note, batch_id)
                for task_id, note in sorted(reminded.items())
            ],
        )
        self._wrote("events", len(reminded))

    # -- many units, one register (issue 19): users, requests, the sheets' key ----------------
    #
    # Requests are task events without a field (kinds REQUEST_KINDS); one is pending while no
    # later event of its task settles it (SETTLED_SQL) and it is not undone. On PostgreSQL a
    # user is also a login role (PostgresStore.add_user), and the server's policies decide
    # what each may read and write (m012_rights).

    _USER_SELECT = """
        SELECT us.id, us.login, us.role, us.unit_id, un.name AS unit, us.name, us.added_at, us.added_by,
               us.removed_at
        FROM users us LEFT JOIN units un ON un.id = us.unit_id"""

    def _live_user(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A user with its unit as it is now (a merged unit is read as the unit it went into)."""
        user = dict(row)
        unit = self.merged_target("unit", user["unit_id"])
        if unit is not None and unit != user["unit_id"]:
            user["unit_id"], user["unit"] = unit, self.unit(unit).name
        return user

    def user(self, login: str) -> dict[str, Any] | None:
        """The user of this login (a removed one too: its removed_at is set), or None."""
        row = self._one(self._USER_SELECT + " WHERE us.login = ?", [login])
        return self._live_user(row) if row else None

    def users(self, include_removed: bool = False) -> list[dict[str, Any]]:
        where = "" if include_removed else " WHERE us.removed_at IS NULL"
        return [self._live_user(r) for r in self._rows(self._USER_SELECT + where + " ORDER BY us.login")]

    def add_user(self, login: str, role: str, unit_id: int | None, name: str | None, *, by: str,
                 recorded_at: str) -> None:
        """A new user, or a removed one given back its login; journaled in user_events."""
        row = self._one("SELECT removed_at FROM users WHERE login = ?" + self.LOCK_ROW, [login])
        if row is not None and row["removed_at"] is None:
            raise InvalidInput("user '{login}' already exists; to change it: nqtrack user remove {login}, then "
                               "nqtrack user add", login=login)
        if row is None:
            self._execute(
                "INSERT INTO users(login, role, unit_id, name, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)",
                [login, role, unit_id, name, recorded_at, by])
        else:
            self._execute(
                "UPDATE users SET role = ?, unit_id = ?, name = ?, added_at = ?, added_by = ?, removed_at = NULL "
                "WHERE login = ?", [role, unit_id, name, recorded_at, by, login])
        self._user_event(login, "added", role, unit_id, name, by=by, recorded_at=recorded_at)

    def remove_user(self, login: str, *, by: str, recorded_at: str, note: str | None = None) -> dict[str, Any]:
        """Mark a user removed (its row stays: the journal names it); journaled. Returns it."""
        user = self.user(login)
        if user is None or user["removed_at"] is not None:
            raise NotFound("unknown user: '{login}'", login=login)
        self._execute("UPDATE users SET removed_at = ? WHERE login = ?", [recorded_at, login])
        self._user_event(login, "removed", user["role"], user["unit_id"], user["name"], by=by,
                         recorded_at=recorded_at, note=note)
        return user

    def _user_event(self, login: str, kind: str, role: str, unit_id: int | None, name: str | None, *, by: str,
                    recorded_at: str, note: str | None = None) -> None:
        self._execute(
            "INSERT INTO user_events(login, kind, role, unit_id, name, recorded_at, recorded_by, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [login, kind, role, unit_id, name, recorded_at, by, note])

    def user_events(self) -> list[dict[str, Any]]:
        return self._rows(
            """SELECT e.*, un.name AS unit FROM user_events e LEFT JOIN units un ON un.id = e.unit_id
               ORDER BY e.id""")

    def has_unit_users(self) -> bool:
        return self._one("SELECT 1 AS found FROM users WHERE role = 'unit' AND removed_at IS NULL LIMIT 1") is not None

    def register_key(self, name: str) -> str | None:
        return self._scalar("SELECT value FROM register_keys WHERE name = ?", [name])

    def add_register_key(self, name: str, value: str, created_at: str) -> None:
        self._execute("INSERT INTO register_keys(name, value, created_at) VALUES (?, ?, ?)",
                      [name, value, created_at])

    def record_task_event(self, task_id: int, kind: str, *, old: Any = None, new: Any = None, effective_on: date,
                          by: str, recorded_at: str, note: str | None = None, batch_id: str | None = None) -> None:
        """A journal event that changes no field: a request, or the secretariat's answer to one."""
        self._event(task_id, kind, None, old, new, effective_on, recorded_at, by, note, batch_id)

    # What settles a request recorded before it (event `later`, request `p`): a newer request
    # of the same kind; for a proposed completion, its rejection or the task leaving the open
    # states (confirmed, completed, cancelled); for an extension request, its denial or any
    # change of the deadline (approved, or decided otherwise). Undone events settle nothing.
    SETTLED_SQL = f"""EXISTS (
        SELECT 1 FROM events later
        WHERE later.task_id = p.task_id AND later.id > p.id AND later.kind <> 'undo'
          AND (later.kind = p.kind
               OR (p.kind = 'proposed' AND (later.kind = 'rejected'
                                            OR (later.field = 'state' AND later.new_value NOT IN ({OPEN_SQL}))))
               OR (p.kind = 'extension_requested' AND (later.kind = 'denied' OR later.field = 'deadline')))
          AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = later.id))"""

    def pending_requests(self, *, kinds: Sequence[str] = REQUEST_KINDS, task_ids: Sequence[int] | None = None,
                         until: date | None = None, unit_ids: Sequence[int] = (), sources: Sequence[str] = (),
                         document_ids: Sequence[int] = (), role: str = "lead") -> list[dict[str, Any]]:
        """The requests awaiting the secretariat (proposed completions, extension requests) on
        open tasks not voided, oldest first, with their tasks as they are now; those made by `until`.

        The requests are read first, through their partial index (CROSS JOIN keeps that order
        on SQLite: there are few of them, and many open tasks), then their tasks."""
        where, params = self._filters(unit_ids, sources, document_ids, role)
        chosen = "" if where == "TRUE" else f"AND p.task_id IN (SELECT id FROM tasks WHERE {where})"
        if task_ids is not None:
            marks = [f"task{i}" for i in range(len(task_ids))]
            params.update(zip(marks, task_ids, strict=True))
            chosen += f" AND p.task_id IN ({', '.join(':' + m for m in marks) or 'NULL'})"
        kind_marks = [f"kind{i}" for i in range(len(kinds))]
        params.update(zip(kind_marks, kinds, strict=True))
        params["until"] = _value(until) or self._FAR_FUTURE
        sql = f"""
            SELECT p.id AS event_id, p.task_id, p.kind, p.old_value, p.new_value, p.note, p.effective_on,
                   p.recorded_at, p.recorded_by, p.batch_id, t.code, t.title, {self._document_label()} AS document,
                   t.document_id, t.lead_unit_id, u.name AS lead_unit, t.deadline, t.original_deadline, t.state,
                   t.assigned_on
            FROM events p
            CROSS JOIN tasks t
            LEFT JOIN documents d ON d.id = t.document_id
            LEFT JOIN units u ON u.id = t.lead_unit_id
            WHERE p.kind IN ('proposed', 'extension_requested')
              AND p.kind IN ({', '.join(':' + m for m in kind_marks) or 'NULL'})
              AND t.id = p.task_id AND t.voided = 0 AND t.state IN ({OPEN_SQL})
              AND p.effective_on <= :until {chosen}
              AND NOT EXISTS (SELECT 1 FROM events x WHERE x.undoes = p.id)
              AND NOT {self.SETTLED_SQL}
            ORDER BY p.id"""
        return self._rows(sql, params)

    def returned_requests(self, task_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Each task's latest request sent back (rejected or denied), when the unit has not
        asked again since: task → the answer (kind, note, effective_on, recorded_at)."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(task_ids), 500):
            part = list(task_ids[start:start + 500])
            rows = self._rows(
                f"""SELECT r.task_id, r.kind, r.note, r.effective_on, r.recorded_at FROM events r
                    WHERE r.task_id IN ({', '.join('?' * len(part))}) AND r.kind IN ('rejected', 'denied')
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = r.id)
                      AND NOT EXISTS (
                          SELECT 1 FROM events later WHERE later.task_id = r.task_id AND later.id > r.id
                            AND later.kind = CASE r.kind WHEN 'rejected' THEN 'proposed' ELSE 'extension_requested' END
                            AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = later.id))
                    ORDER BY r.id""", part)
            found.update((r["task_id"], r) for r in rows)
        return found

    def sheet_events(self, sheet_id: str) -> list[dict[str, Any]]:
        """The journal events earlier imports of this returned sheet recorded (batches of kind
        'sheet' whose note is the sheet's id), not undone."""
        return self._rows(
            """SELECT e.* FROM batches b JOIN events e ON e.recorded_at = b.recorded_at AND e.batch_id = b.id
               WHERE b.kind = 'sheet' AND b.note = ?
                 AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)
               ORDER BY e.id""", [sheet_id])
