"""The SQLite store: every line of SQL for the embedded register, and its migrations
(in `sqlite_migrations`).

Reads go through the plain sqlite3 connection (so that read-only commands start
fast); migrations go through sqlite-utils, which is imported lazily. Store methods
never open a transaction: the use cases in `nqtrack.app` do, with `transaction()`,
one `BEGIN IMMEDIATE` each, so concurrent writers queue on the busy timeout instead
of failing on a lock upgrade. SQLite's errors never leave this module as such: a
locked database, a full disk or a read-only file become the typed errors of
`nqtrack.core.errors`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from nqtrack import faults
from nqtrack.core.errors import Ambiguous, DatabaseError, DatabaseLocked, InvalidInput, NotFound, StorageError
from nqtrack.core.periods import one_year_earlier
from nqtrack.core.states import OPEN_STATES, Event
from nqtrack.core.symbols import parse_symbol, symbol_key
from nqtrack.core.text import fold, nfc
from nqtrack.store.base import (
    CREATION_KINDS,
    REQUEST_KINDS,
    TASK_FIELDS,
    TIMELESS_KINDS,
    Document,
    NewTask,
    Unit,
    journal_value,
)

# How many migrations this version ships; when the database has applied this many,
# the migration machinery (and sqlite-utils) is not even imported.
SCHEMA_VERSION = 10
MIGRATION_SET = "nqtrack"
DEFAULT_BUSY_TIMEOUT = 10.0

CREATION_SQL = ", ".join(f"'{k}'" for k in CREATION_KINDS)
# An event that restates its field for every day (store.base.TIMELESS_KINDS), over the alias e.
TIMELESS_SQL = f"""(e.kind IN ({", ".join(f"'{k}'" for k in TIMELESS_KINDS)}) OR e.field = 'voided'
    OR (e.kind = 'undo' AND EXISTS (SELECT 1 FROM events c WHERE c.id = e.undoes
                                   AND c.kind IN ({", ".join(f"'{k}'" for k in TIMELESS_KINDS)}))))"""
# The open states (core.states.OPEN_STATES), as SQL.
OPEN_SQL = ", ".join(f"'{s}'" for s in OPEN_STATES)

EVENT_COLUMNS = ("task_id", "kind", "field", "old_value", "new_value", "effective_on", "recorded_at", "recorded_by",
                 "note", "batch_id")

# The creation snapshot's keys, in the order json.dumps(sort_keys=True) would give.
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

_value = journal_value


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def user_error(exc: sqlite3.Error, path: str) -> Exception:
    """The typed error for what SQLite reports about the file or the machine (a lock, a
    full disk, a read-only file); the exception itself for anything else (a bug)."""
    text = str(exc).lower()
    if _is_locked(exc):
        return DatabaseLocked("database is locked: {path}", path=path)
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError("the disk is full: nothing was written to {path}", path=path)
    if "readonly" in text or "read-only" in text:
        return StorageError("the register is read-only: {path}", path=path)
    return exc


class _Connection(sqlite3.Connection):
    """A connection whose statements raise the typed errors of `user_error`, so that no
    caller above the store ever matches SQLite's messages."""

    path = ""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None


# sqlite-utils keeps the applied migrations in the table its `Migrations.migrations_table`
# names (public API); the fast path reads it without importing sqlite-utils, and
# tests/test_store.py fails if the name ever changes.
MIGRATIONS_TABLE = "_sqlite_migrations"


class SqliteStore:
    """The register in one SQLite file (see the module docstring)."""

    engine = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self._db: Any = None  # sqlite_utils.Database, made for migrations
        new_file = self.path != ":memory:" and not os.path.exists(self.path)
        if new_file:
            parent = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(parent, exist_ok=True)
            # owner and group only: the register is not for every account on the machine
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o660)
            os.close(fd)
            os.chmod(self.path, 0o660)
        try:
            self.conn: _Connection = sqlite3.connect(self.path, timeout=busy_timeout, factory=_Connection)
            self.conn.path = self.path
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            # WAL makes NORMAL safe (no corruption on power loss; at worst the last commit
            # is lost)
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate_if_needed()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path, reason=str(exc)) from None

    # -- connection and schema -------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    @property
    def db(self) -> Any:
        """The sqlite-utils view of the same connection, for the migrations."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False, recursive_triggers=False)
        return self._db

    def applied_migrations(self) -> int:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]).fetchone()
        if not exists:
            return 0
        return self.conn.execute(
            f"SELECT count(*) FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [MIGRATION_SET]).fetchone()[0]

    def _migrate_if_needed(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        applied = self.applied_migrations()
        if applied >= SCHEMA_VERSION:
            return
        if applied == 0 and self._has_foreign_tables():
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path,
                                reason="it holds other tables")
        if applied > 0 and self.path != ":memory:":
            # the schema is about to change: keep the database as it was first
            self.backup_to(f"{self.path}.before-schema-{SCHEMA_VERSION}-{date.today():%Y%m%d}.bak")
        self.migrate()

    def _has_foreign_tables(self) -> bool:
        row = self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
        return row[0] > 0

    def migrate(self, migration_set=None) -> None:
        """Apply pending migrations, each in its own transaction."""
        from nqtrack.store.sqlite_migrations import migrations

        (migration_set or migrations).apply(self.db)

    # -- backup and restore --------------------------------------------------------

    def backup_to(self, target: str) -> None:
        """A consistent copy while others write (SQLite's online backup), written to a
        temporary file and renamed, so a backup cut short never looks complete."""
        folder = os.path.dirname(os.path.abspath(target))
        os.makedirs(folder, exist_ok=True)
        partial = f"{target}.partial"
        if os.path.exists(partial):
            os.unlink(partial)
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY, 0o660)
        os.close(fd)
        copy = sqlite3.connect(partial)
        try:
            self.conn.backup(copy, pages=256, progress=lambda *_: faults.pause("backup"))
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        os.replace(partial, target)

    @staticmethod
    def check_is_nqtrack(path: str) -> int:
        """The schema version of an nqtrack database file; DatabaseError for anything else."""
        if not os.path.isfile(path):
            raise NotFound("no such file: {path}", path=path)
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                row = con.execute(
                    f"SELECT count(*) FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [MIGRATION_SET]
                ).fetchone()
                con.execute("SELECT id, state, deadline FROM tasks LIMIT 1").fetchall()
                ok = con.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path, reason=str(exc)) from None
        if not row[0]:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path, reason="no nqtrack schema")
        if ok != "ok":
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path, reason=f"damaged: {ok}")
        if row[0] > SCHEMA_VERSION:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path,
                                reason="made by a newer nqtrack")
        return row[0]

    def restore_from(self, source: str) -> None:
        """Replace this database's content with `source`'s, in one step that other
        connections see whole (the backup API copies into a locked destination)."""
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            src.backup(self.conn)
        finally:
            src.close()
        self._migrate_if_needed()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken for the use cases of `nqtrack.app` (they own every
        transaction); rolled back whole on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            faults.pause("commit")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def use_large_cache(self) -> None:
        """A 64 MB page cache, for bulk writes that touch every index (an import)."""
        self.conn.execute("PRAGMA cache_size = -65536")

    def counts(self) -> dict[str, int]:
        return {
            table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("units", "documents", "tasks", "events")
        }

    # -- settings ----------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str | None) -> None:
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # -- the office's calendar (call the writers inside a transaction) ------------------

    def calendar_days(self, first: date | None = None, last: date | None = None) -> list[dict[str, Any]]:
        """The days the office named (its days off and make-up working days), in order."""
        rows = self.conn.execute(
            "SELECT day, kind, note, recorded_at, recorded_by FROM calendar_days "
            "WHERE day BETWEEN ? AND ? ORDER BY day",
            [_value(first) or "0000-01-01", _value(last) or self._FAR_FUTURE],
        )
        return [dict(r) for r in rows]

    def set_calendar_day(self, day: date, kind: str | None, *, note: str | None, by: str,
                         recorded_at: str) -> str | None:
        """Name a day off or working (`kind` 'off' or 'working'), or forget the office's
        entry for it (None); journaled in calendar_events. Returns the kind it had."""
        row = self.conn.execute("SELECT kind FROM calendar_days WHERE day = ?", [day.isoformat()]).fetchone()
        old = row[0] if row else None
        if kind is None:
            self.conn.execute("DELETE FROM calendar_days WHERE day = ?", [day.isoformat()])
        else:
            self.conn.execute(
                """INSERT INTO calendar_days(day, kind, note, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, note = excluded.note,
                       recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by""",
                [day.isoformat(), kind, note, recorded_at, by],
            )
        self.conn.execute(
            "INSERT INTO calendar_events(day, old_kind, new_kind, note, recorded_at, recorded_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [day.isoformat(), old, kind, note, recorded_at, by],
        )
        return old

    def calendar_history(self, first: date, last: date) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM calendar_events WHERE day BETWEEN ? AND ? ORDER BY day, id",
            [first.isoformat(), last.isoformat()],
        )
        return [dict(r) for r in rows]

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
            row = self.conn.execute(f"SELECT merged_into FROM {table} WHERE id = ?", [entity_id]).fetchone()
            if row is None or row[0] is None:
                return entity_id
            entity_id = row[0]
        return entity_id

    def _live_series(self, row: sqlite3.Row) -> dict[str, Any]:
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
        try:
            cur = self.conn.execute(
                f"""INSERT INTO series({", ".join(row)}, title_key, next_open, created_at)
                    VALUES ({", ".join("?" * len(row))}, ?, ?, ?)""",
                [*row.values(), fold(title), _value(next_open), recorded_at],
            )
        except sqlite3.IntegrityError as exc:
            if "series.code" in str(exc):
                raise InvalidInput("a task with code '{code}' already exists", code=row["code"]) from None
            raise
        series_id = int(cur.lastrowid or 0)
        self._series_event(series_id, "created", None, None, json.dumps(row, ensure_ascii=False, sort_keys=True),
                           effective_on, recorded_at, by, batch_id=batch_id)
        return series_id

    def _series_event(self, series_id: int, kind: str, field: str | None, old: Any, new: Any, effective_on: date,
                      recorded_at: str, by: str, note: str | None = None, batch_id: str | None = None) -> None:
        self.conn.execute(
            """INSERT INTO series_events(series_id, kind, field, old_value, new_value, effective_on, recorded_at,
                                         recorded_by, note, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [series_id, kind, field, _value(old), _value(new), effective_on.isoformat(), recorded_at, by, note,
             batch_id],
        )

    def series(self, series_id: int) -> dict[str, Any]:
        row = self.conn.execute(self._SERIES_SELECT + " WHERE s.id = ?", [series_id]).fetchone()
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=f"S{series_id}")
        return self._live_series(row)

    def find_series(self, ref: str) -> dict[str, Any] | None:
        """A series by its code, or by its number written S12 (s12, #S12)."""
        ref = ref.strip()
        row = self.conn.execute("SELECT id FROM series WHERE code = ?", [ref]).fetchone()
        number = ref.lstrip("#")
        if row is None and number[:1] in ("S", "s") and number[1:].isdigit():
            row = self.conn.execute("SELECT id FROM series WHERE id = ?", [int(number[1:])]).fetchone()
        return self.series(row[0]) if row else None

    def series_by_code(self, code: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT id FROM series WHERE code = ?", [code]).fetchone()
        return self.series(row[0]) if row else None

    def series_by_title(self, document_id: int | None, title: str) -> dict[str, Any] | None:
        """A series of this document (or of one merged into it) and folded title."""
        row = self.conn.execute(
            """WITH RECURSIVE merged(id) AS (
                   SELECT ? UNION SELECT d.id FROM documents d JOIN merged m ON d.merged_into = m.id)
               SELECT id FROM series WHERE (document_id IS ? OR document_id IN (SELECT id FROM merged))
                 AND title_key = ? ORDER BY id LIMIT 1""",
            [document_id, document_id, fold(title)],
        ).fetchone()
        return self.series(row[0]) if row else None

    def has_series_to_open(self, day: date) -> bool:
        """Whether a series has a period opening on or before `day` not opened yet (one
        look-up in an index that holds only the series still running)."""
        row = self.conn.execute(
            "SELECT 1 FROM series WHERE next_open IS NOT NULL AND next_open <= ? LIMIT 1", [day.isoformat()]
        ).fetchone()
        return row is not None

    def series_to_open(self, day: date) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            self._SERIES_SELECT + " WHERE s.next_open IS NOT NULL AND s.next_open <= ? ORDER BY s.id",
            [day.isoformat()],
        )
        return [self._live_series(r) for r in rows]

    def set_series_next_open(self, series_id: int, next_open: date | None) -> None:
        self.conn.execute("UPDATE series SET next_open = ? WHERE id = ?", [_value(next_open), series_id])

    def end_series(self, series_id: int, ends_on: date, *, next_open: date | None, by: str, recorded_at: str,
                   note: str | None = None, batch_id: str | None = None) -> None:
        """The series' last day: no period starting after it is opened; journaled."""
        old = self.conn.execute("SELECT ends_on FROM series WHERE id = ?", [series_id]).fetchone()[0]
        self.conn.execute("UPDATE series SET ends_on = ?, next_open = ? WHERE id = ?",
                          [ends_on.isoformat(), _value(next_open), series_id])
        self._series_event(series_id, "ended", "ends_on", old, ends_on, ends_on, recorded_at, by, note, batch_id)

    def series_occurrences(self, series_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            self._TASK_SELECT + " WHERE t.series_id = ? ORDER BY t.period_start", [series_id]
        )
        return [dict(r) for r in rows]

    def series_events(self, series_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM series_events WHERE series_id = ? ORDER BY id", [series_id])
        return [dict(r) for r in rows]

    def series_created_at(self, recorded_at: Sequence[str]) -> list[int]:
        """The series created by the changes recorded at these moments (for undo)."""
        found: list[int] = []
        for moment in sorted(set(recorded_at)):
            found += [r[0] for r in self.conn.execute(
                "SELECT series_id FROM series_events WHERE recorded_at = ? AND kind = 'created'", [moment])]
        return sorted(found)

    # -- units -------------------------------------------------------------------

    def _unit_keys(self, unit: Unit) -> set[str]:
        names = [unit.name, unit.code or ""] + (unit.aliases or "").split(";")
        return {fold(n) for n in names if fold(n)}

    def _write_unit_keys(self, unit: Unit) -> None:
        self.conn.execute("DELETE FROM unit_keys WHERE unit_id = ?", [unit.id])
        self.conn.executemany(
            "INSERT OR IGNORE INTO unit_keys(unit_id, key) VALUES (?, ?)",
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
        cur = self.conn.execute(
            "INSERT INTO units(code, name, parent_id, aliases, email) VALUES (?, ?, ?, ?, ?)",
            [code, name, parent_id, alias_text, email],
        )
        unit = Unit(int(cur.lastrowid or 0), code, name, parent_id, alias_text, email)
        self._write_unit_keys(unit)
        return unit

    def _check_unit_names(self, unit_id: int, name: str, code: str | None, aliases: str | None) -> None:
        """A name, code or alias (folded) may name one unit only: refuse one that names another."""
        for text, is_alias in [(name, False), (code, False)] + [(a, True) for a in (aliases or "").split(";")]:
            if not text or not fold(text):
                continue
            row = self.conn.execute(
                "SELECT u.name FROM unit_keys k JOIN units u ON u.id = k.unit_id WHERE k.key = ? AND u.id != ? LIMIT 1",
                [fold(text), unit_id],
            ).fetchone()
            if row is None:
                continue
            if is_alias:
                raise InvalidInput("'{alias}' already names the unit {unit}: one alias cannot name two units",
                                   alias=text, unit=row[0])
            raise InvalidInput("a unit named '{name}' already exists ({unit}); to make them one unit use "
                               "'nqtrack unit merge'", name=text, unit=row[0])

    def _unit(self, row: sqlite3.Row) -> Unit:
        return Unit(row["id"], row["code"], row["name"], row["parent_id"], row["aliases"], row["email"],
                    row["merged_into"])

    def find_units(self, ref: str) -> list[Unit]:
        rows = self.conn.execute(
            "SELECT DISTINCT u.* FROM unit_keys k JOIN units u ON u.id = k.unit_id WHERE k.key = ? ORDER BY u.id",
            [fold(ref)],
        ).fetchall()
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


    @staticmethod
    def peek_setting(path: str, key: str) -> str | None:
        """A stored setting read without opening the store (no migration, read-only),
        for choosing the language before a command runs; None when unreadable."""
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                row = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
            finally:
                con.close()
        except sqlite3.Error:
            return None
        return row[0] if row else None


    def unit(self, unit_id: int) -> Unit:
        row = self.conn.execute("SELECT * FROM units WHERE id = ?", [unit_id]).fetchone()
        if row is None:
            raise NotFound("unknown unit: '{ref}'", ref=str(unit_id))
        return self._unit(row)

    def list_units(self) -> list[Unit]:
        """The units in use (not those merged into another)."""
        return [self._unit(r) for r in self.conn.execute("SELECT * FROM units WHERE merged_into IS NULL ORDER BY id")]

    def unit_names(self) -> dict[int, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, name FROM units")}

    def subunit_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit below it in the hierarchy."""
        rows = self.conn.execute(
            """WITH RECURSIVE tree(id) AS (
                   SELECT ? UNION SELECT u.id FROM units u JOIN tree ON u.parent_id = tree.id)
               SELECT id FROM tree""",
            [unit_id],
        ).fetchall()
        return [r[0] for r in rows]

    # -- documents ---------------------------------------------------------------

    def _document(self, row: sqlite3.Row) -> Document:
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
        parsed = parse_symbol(symbol)
        if not parsed.text:
            raise InvalidInput("a document needs a number and symbol")
        self._check_document_identity(0, parsed.text, _value(issued_on))
        cur = self.conn.execute(
            """INSERT INTO documents(symbol, symbol_key, style, doc_type, number, year, issuer,
                                     issued_on, received_on, title, parent_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                parsed.text, symbol_key(parsed.text), parsed.style,
                doc_type or parsed.type_name, parsed.number,
                parsed.year or (issued_on.year if issued_on else None),
                issuer or parsed.issuer, _value(issued_on), _value(received_on),
                nfc(title) if title else None, parent_id,
            ],
        )
        return self.document(int(cur.lastrowid or 0))

    def document(self, doc_id: int) -> Document:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFound("unknown document: '{ref}'", ref=str(doc_id))
        return self._document(row)

    def find_documents(self, ref: str) -> list[Document]:
        """Documents in use named by `ref`: a symbol (any spelling), `SYMBOL@dd/mm/yyyy` (a
        symbol and its date: numbers restart every year or term) or `#ID`."""
        text = nfc(ref) if isinstance(ref, str) else ""
        number = re.fullmatch(r"#\s*([0-9]+)", text)
        if number:
            doc_id: int | None = int(number[1])
            seen = set()
            while doc_id is not None and doc_id not in seen:  # a merged document: the one it went into
                seen.add(doc_id)
                row = self.conn.execute("SELECT * FROM documents WHERE id = ?", [doc_id]).fetchone()
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
        rows = self.conn.execute(sql + " ORDER BY issued_on, id", params).fetchall()
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
        row = self.conn.execute(
            "SELECT * FROM documents WHERE symbol_key = ? AND issued_on IS ? AND id != ? AND merged_into IS NULL",
            [symbol_key(symbol), issued_on, doc_id],
        ).fetchone()
        if row is not None:
            existing = self._document(row)
            raise InvalidInput("the document {ref} already exists (#{id}): a symbol and a date name one document",
                               ref=f"{existing.symbol}@{date.fromisoformat(issued_on):%d/%m/%Y}" if issued_on
                               else existing.symbol, id=existing.id)

    def list_documents(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            """SELECT d.*, p.symbol AS parent_symbol,
                      count(t.id) AS tasks,
                      coalesce(sum(t.state = 'done'), 0) AS done
               FROM documents d
               LEFT JOIN documents p ON p.id = d.parent_id
               LEFT JOIN tasks t ON t.document_id = d.id AND NOT t.voided
               WHERE d.merged_into IS NULL
               GROUP BY d.id ORDER BY d.issued_on, d.id"""
        ).fetchall()
        return [dict(r) for r in rows]

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
        self.conn.execute(
            """INSERT INTO register_events(entity, entity_id, kind, field, old_value, new_value, recorded_at,
                                           recorded_by, note, batch_id, undoes, after_event)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM events))""",
            [entity, entity_id, kind, field, _value(old), _value(new), recorded_at, by, note, batch_id, undoes],
        )

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
        self.conn.execute(f"UPDATE units SET {', '.join(f'{f} = ?' for f in changed)} WHERE id = ?",
                          [new[f] for f in changed] + [unit_id])
        unit = self.unit(unit_id)
        if unit.merged_into is None:
            self._write_unit_keys(unit)
        else:
            self.conn.execute("DELETE FROM unit_keys WHERE unit_id = ?", [unit_id])
        return changed

    def change_document(self, doc_id: int, changes: Mapping[str, Any], *, by: str, recorded_at: str,
                        kind: str = "corrected", note: str | None = None, batch_id: str | None = None,
                        undoes: Mapping[str, int] | None = None) -> list[str]:
        """Change a document's fields (DOCUMENT_FIELDS), one journal row per changed field."""
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
        self.conn.execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                          [*columns.values(), doc_id])
        if {"symbol", "doc_type", "title"} & set(changed):
            self._reindex([r[0] for r in self.conn.execute("SELECT id FROM tasks WHERE document_id = ?", [doc_id])])
        return changed

    def unit_task_ids(self, unit_id: int) -> tuple[list[int], list[int]]:
        """The tasks a unit leads and those it coordinates (voided ones too: a merge moves all)."""
        lead = [r[0] for r in self.conn.execute("SELECT id FROM tasks WHERE lead_unit_id = ? ORDER BY id", [unit_id])]
        helping = [r[0] for r in self.conn.execute(
            "SELECT task_id FROM task_units WHERE unit_id = ? ORDER BY task_id", [unit_id])]
        return lead, helping

    def child_ids(self, entity: str, entity_id: int) -> list[int]:
        """The units placed under a unit, or the documents implementing a document."""
        table = "units" if entity == "unit" else "documents"
        return [r[0] for r in self.conn.execute(f"SELECT id FROM {table} WHERE parent_id = ? ORDER BY id", [entity_id])]

    def document_task_ids(self, doc_id: int) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM tasks WHERE document_id = ? ORDER BY id", [doc_id])]

    def register_history(self, entity: str, entity_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM register_events WHERE entity = ? AND entity_id = ? ORDER BY id", [entity, entity_id])
        return [dict(r) for r in rows]

    # -- tasks: reading ----------------------------------------------------------

    # A document's name in listings: its symbol, with its date (or number) when another
    # document in use has the same symbol.
    _DOCUMENT_LABEL = """CASE WHEN d.id IS NULL THEN NULL
        WHEN EXISTS (SELECT 1 FROM documents o WHERE o.symbol_key = d.symbol_key AND o.id != d.id
                     AND o.merged_into IS NULL)
        THEN CASE WHEN d.issued_on IS NULL THEN '#' || d.id
                  ELSE d.symbol || '@' || strftime('%d/%m/%Y', d.issued_on) END
        ELSE d.symbol END"""

    _TASK_SELECT = f"""
        SELECT t.*, {_DOCUMENT_LABEL} AS document, u.name AS lead_unit,
               (SELECT group_concat(cu.name, '; ') FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                 WHERE tu.task_id = t.id) AS coordinating_units
        FROM tasks t
        LEFT JOIN documents d ON d.id = t.document_id
        LEFT JOIN units u ON u.id = t.lead_unit_id
    """

    def task(self, task_id: int) -> dict[str, Any]:
        row = self.conn.execute(self._TASK_SELECT + " WHERE t.id = ?", [task_id]).fetchone()
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=str(task_id))
        return dict(row)

    def resolve_task(self, ref: str) -> dict[str, Any]:
        """A task by its number (`12` or `#12`) or its code."""
        ref = ref.strip()
        row = self.conn.execute("SELECT id FROM tasks WHERE code = ?", [ref]).fetchone()
        if row is None and ref.lstrip("#").isdigit():
            row = self.conn.execute("SELECT id FROM tasks WHERE id = ?", [int(ref.lstrip("#"))]).fetchone()
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=ref)
        return self.task(row[0])

    def coordinating_unit_ids(self, task_id: int) -> list[int]:
        rows = self.conn.execute(
            "SELECT unit_id FROM task_units WHERE task_id = ? ORDER BY unit_id", [task_id]
        ).fetchall()
        return [r[0] for r in rows]

    def task_events(self, task_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM events WHERE task_id = ? ORDER BY id", [task_id]
        ).fetchall()
        return [dict(r) for r in rows]

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
        where: list[str] = [] if include_voided else ["NOT t.voided"]
        params: list[Any] = []

        def any_of(column: str, values: Sequence[Any]) -> None:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)

        if unit_ids:
            lead = f"t.lead_unit_id IN ({','.join('?' * len(unit_ids))})"
            helping = f"t.id IN (SELECT task_id FROM task_units WHERE unit_id IN ({','.join('?' * len(unit_ids))}))"
            if role == "lead":
                where.append(lead)
                params.extend(unit_ids)
            else:
                where.append(helping if role == "coordinating" else f"({lead} OR {helping})")
                params.extend(unit_ids if role == "coordinating" else [*unit_ids, *unit_ids])
        if sources:
            any_of("t.source", sources)
        if document_ids:
            any_of("t.document_id", document_ids)
        if states:
            any_of("t.state", states)
        if ids is not None:
            # a set decided elsewhere (the tasks overdue as of a day): read through a
            # temporary table, since it may hold more ids than SQL parameters allow
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen_ids(id INTEGER PRIMARY KEY)")
            self.conn.execute("DELETE FROM temp.chosen_ids")
            self.conn.executemany("INSERT OR IGNORE INTO temp.chosen_ids(id) VALUES (?)", [(i,) for i in ids])
            where.append("t.id IN (SELECT id FROM temp.chosen_ids)")
        if due_before:
            where.append("t.deadline <= ?")
            params.append(due_before.isoformat())
        if due_after:
            where.append("t.deadline >= ?")
            params.append(due_after.isoformat())
        order = "t.id"
        sql = self._TASK_SELECT
        query = self.search_query(text) if text else None
        if text and query is None:
            return []
        if query:
            # ranked by bm25: the best matches first
            sql += " JOIN task_search s ON s.rowid = t.id"
            where.append("task_search MATCH ?")
            params.append(query)
            order = "bm25(task_search), t.id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [dict(r) for r in self.conn.execute(sql, params)]

    def distinct_sources(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT source FROM tasks WHERE source IS NOT NULL")]

    def task_by_code(self, code: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM tasks WHERE code = ?", [code]).fetchone()
        return dict(row) if row else None

    def tasks_by_codes(self, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(codes), 500):
            part = codes[start:start + 500]
            rows = self.conn.execute(f"SELECT * FROM tasks WHERE code IN ({','.join('?' * len(part))})", part)
            found.update((row["code"], dict(row)) for row in rows)
        return found

    def task_by_title(self, document_id: int | None, title: str, without_code: bool = False) -> dict[str, Any] | None:
        # a series' occurrences share its title: a row names the series, never one of them;
        # a voided task is named by no row
        sql = "SELECT * FROM tasks WHERE document_id IS ? AND title_key = ? AND series_id IS NULL AND NOT voided"
        if without_code:
            sql += " AND code IS NULL"
        row = self.conn.execute(sql + " ORDER BY id LIMIT 1", [document_id, fold(title)]).fetchone()
        return dict(row) if row else None

    def task_codes(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT code FROM tasks WHERE code IS NOT NULL AND NOT voided")]

    def has_tasks_without_code(self) -> bool:
        return self.conn.execute("SELECT 1 FROM tasks WHERE code IS NULL LIMIT 1").fetchone() is not None

    # -- search --------------------------------------------------------------------

    # What a search looks through: the task's own words and its document's.
    SEARCHED_FIELDS = ("code", "title", "note", "product", "assignee", "document_id")

    def _search_documents(self, doc_ids: Iterable[int]) -> dict[int, str]:
        """The folded words of each document (symbol, type, title), for its tasks' search text."""
        ids = list(doc_ids)
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = self.conn.execute(
                f"SELECT id, symbol, doc_type, title FROM documents WHERE id IN ({','.join('?' * len(part))})", part)
            found.update((row[0], fold(" ".join(v for v in row[1:] if v))) for row in rows)
        return found

    @staticmethod
    def _search_body(task: Mapping[str, Any], document_words: str | None) -> str:
        """title_key is the folded title already; the document's words come folded too."""
        words = [task.get(f) for f in ("code", "note", "product", "assignee")]
        rest = fold(" ".join(str(w) for w in words if w))
        title = task.get("title_key") or fold(task.get("title"))
        return " ".join(part for part in (title, rest, document_words) if part)

    def _reindex(self, task_ids: Sequence[int]) -> None:
        """Rewrite the folded search text of these tasks (inside the write's transaction)."""
        for start in range(0, len(task_ids), 500):
            part = list(task_ids[start:start + 500])
            marks = ",".join("?" * len(part))
            rows = [
                dict(r)
                for r in self.conn.execute(
                    "SELECT id, code, title, title_key, note, product, assignee, document_id FROM tasks "
                    f"WHERE id IN ({marks})",
                    part,
                )
            ]
            documents = self._search_documents({r["document_id"] for r in rows if r["document_id"]})
            self.conn.execute(f"DELETE FROM task_search WHERE rowid IN ({marks})", part)
            self.conn.executemany(
                "INSERT INTO task_search(rowid, body) VALUES (?, ?)",
                [(r["id"], self._search_body(r, documents.get(r["document_id"]))) for r in rows],
            )

    @staticmethod
    def search_query(text: str) -> str | None:
        """An FTS5 query from what was typed: every word, accents optional (whole words:
        as prefixes, "hoa" would also find every "hoạch")."""
        words = [w for w in re.split(r"[^\w]+", fold(text)) if w]
        return " AND ".join(f'"{w}"' for w in words) or None

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
        self.conn.execute(
            f"INSERT INTO events({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

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

    def insert_tasks(
        self,
        tasks: Sequence[NewTask],
        *,
        by: str,
        kind: str = "created",
        batch_id: str | None = None,
        recorded_at: str,
    ) -> list[int]:
        """Insert new tasks in bulk, each with its creation event and any later events
        (an import's completion or extension); call inside a transaction."""
        next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tasks").fetchone()[0]
        task_rows: list[dict[str, Any]] = []
        unit_rows: list[tuple[int, int]] = []
        event_rows: list[tuple[Any, ...]] = []
        ids: list[int] = []
        for offset, task in enumerate(tasks):
            task_id = next_id + offset
            values = task.values
            title = nfc(values.get("title") or "")
            if not title:
                raise InvalidInput("a task needs a title")
            row: dict[str, Any] = {field: _value(values.get(field)) for field in _PLAIN_FIELDS}
            row.update(
                id=task_id,
                title=title,
                title_key=fold(title),
                state=values.get("state") or "new",
                recurring=1 if values.get("recurring") else 0,
                original_deadline=_value(values.get("deadline")),
                document_id=values.get("document_id"),
                lead_unit_id=values.get("lead_unit_id"),
                progress=values.get("progress"),
                series_id=values.get("series_id"),
                voided=0,
                created_at=recorded_at,
                updated_at=recorded_at,
            )
            coordinating = sorted(set(task.coordinating) - {values.get("lead_unit_id")})
            unit_rows += [(task_id, u) for u in coordinating]
            row["coordinating_units"] = ",".join(map(str, coordinating)) or None
            # keys already in sorted order: the C encoder need not sort them for every task
            snapshot = {c: row[c] for c in _SNAPSHOT_FIELDS}
            del row["coordinating_units"]
            # events as tuples in EVENT_COLUMNS order: an import writes hundreds of thousands
            event_rows.append(
                (
                    task_id,
                    kind,
                    None,
                    None,
                    json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")),
                    task.effective_on.isoformat(),
                    recorded_at,
                    by,
                    task.note,
                    batch_id,
                )
            )
            for later in task.later:
                event_rows.append(
                    (
                        task_id,
                        later.kind,
                        later.field,
                        _value(later.old),
                        _value(later.new),
                        later.effective_on.isoformat(),
                        recorded_at,
                        by,
                        later.note,
                        batch_id,
                    )
                )
                row[later.field] = _value(later.new)
            task_rows.append(row)
            ids.append(task_id)
        try:
            columns = list(task_rows[0]) if task_rows else []
            self.conn.executemany(
                f"INSERT INTO tasks({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple(r.values()) for r in task_rows],  # every row has its keys in the same order
            )
        except sqlite3.IntegrityError as exc:
            if "tasks.code" in str(exc):
                raise InvalidInput(
                    "a task with code '{code}' already exists",
                    code=", ".join(r["code"] for r in task_rows if r["code"]),
                ) from None
            raise
        self.conn.executemany("INSERT INTO task_units(task_id, unit_id) VALUES (?, ?)", unit_rows)
        self.conn.executemany(
            f"INSERT INTO events({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", event_rows
        )
        # new tasks: their search text straight from the rows, without reading them back
        documents = self._search_documents({r["document_id"] for r in task_rows if r["document_id"]})
        self.conn.executemany(
            "INSERT INTO task_search(rowid, body) VALUES (?, ?)",
            [(r["id"], self._search_body(r, documents.get(r["document_id"]))) for r in task_rows],
        )
        return ids

    def _insert_many(self, table: str, rows: list[dict[str, Any]]) -> None:
        """executemany rather than sqlite-utils' insert_all here: its per-value JSON
        check cost 2.4 s of an import of 100,000 rows (measured with cProfile)."""
        if rows:
            columns = list(rows[0])
            self.conn.executemany(
                f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [[row[c] for c in columns] for row in rows],
            )

    @staticmethod
    def _event_row(
        task_id, kind, field, old, new, effective_on, recorded_at, by, note=None, batch_id=None, undoes=None
    ):
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
        current = self.conn.execute("SELECT * FROM tasks WHERE id = ?", [task_id]).fetchone()
        if current is None:
            raise NotFound("unknown task: '{ref}'", ref=str(task_id))
        changed: list[str] = []
        updates: dict[str, Any] = {}
        for field, new in changes.items():
            if field == "coordinating_units":
                old_ids = self.coordinating_unit_ids(task_id)
                lead = updates.get("lead_unit_id", current["lead_unit_id"])
                new_ids = sorted(set(new) - {lead})
                if new_ids == old_ids:
                    continue
                self.conn.execute("DELETE FROM task_units WHERE task_id = ?", [task_id])
                self.conn.executemany(
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
            self._event(
                task_id,
                kind,
                field,
                old_v,
                new_v,
                effective_on,
                recorded_at,
                by,
                note,
                batch_id,
                (undoes or {}).get(field),
            )
            changed.append(field)
        new_completion = updates.get("completed_on")
        if "completed_on" in changed and new_completion and "state" not in changed and current["state"] == "done":
            # a corrected completion date: restate "done" from that day, so the journal
            # says the task was done from its completion date on (see prepare_as_of)
            self._event(
                task_id,
                kind,
                "state",
                "done",
                "done",
                date.fromisoformat(new_completion),
                recorded_at,
                by,
                note,
                batch_id,
            )
        if correction and "deadline" in updates and current["original_deadline"] == current["deadline"]:
            updates["original_deadline"] = updates["deadline"]
        if updates:
            updates["updated_at"] = recorded_at
            sets = ", ".join(f"{c} = ?" for c in updates)
            try:
                self.conn.execute(f"UPDATE tasks SET {sets} WHERE id = ?", [*updates.values(), task_id])
            except sqlite3.IntegrityError as exc:
                if "tasks.code" in str(exc):
                    raise InvalidInput("a task with code '{code}' already exists", code=updates.get("code")) from None
                raise
        if not changed and note:
            self._event(task_id, "note", None, None, None, effective_on, recorded_at, by, note, batch_id)
        if any(field in self.SEARCHED_FIELDS for field in changed):
            self._reindex([task_id])
        return changed

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

    @staticmethod
    def _journal_value(field: str, task: str, day: str = ":as_of", otherwise: str = "") -> str:
        """The replay rule of core.states in SQL: the field of task `task` (an SQL
        expression) on day `day` as known at :known_at: the new value of the latest-recorded
        event that took effect by then, else the old value of the first event, else
        `otherwise` (an SQL expression, e.g. the column). json_array tells a NULL value
        from no event at all."""
        fallback = f", json_array({otherwise})" if otherwise else ""
        return f"""COALESCE(
                (SELECT json_array(e.new_value) FROM events e
                  WHERE e.task_id = {task} AND e.field = '{field}' AND (e.effective_on <= {day} OR {TIMELESS_SQL})
                    AND e.recorded_at <= :known_at ORDER BY e.id DESC LIMIT 1),
                (SELECT json_array(e.old_value) FROM events e
                  WHERE e.task_id = {task} AND e.field = '{field}' ORDER BY e.id LIMIT 1){fallback}) ->> '$[0]'"""

    def _replay_sql(self, field: str) -> str:
        """The field as of the day: replayed where the journal changed it later, else the column."""
        value = f"""CASE WHEN EXISTS (SELECT 1 FROM temp.asof_pairs p WHERE p.task_id = t.id AND p.field = '{field}')
            THEN {self._journal_value(field, "t.id")}
            ELSE t.{field} END"""
        if field in self._INTEGER_FIELDS:
            value = f"CAST({value} AS INTEGER)"
        return f"{value} AS {field}"

    # Changes the figures can read right from the current columns even when they take
    # effect after the day: a first completion (an open state → done, a completion date
    # where there was none), since a task counts as completed only when completed_on <=
    # the as-of day; and a move between open states, which no figure tells apart.
    _FIRST_COMPLETION = f"""(field = 'state' AND old_value IN ({OPEN_SQL})
                                AND new_value IN ('done', {OPEN_SQL}))
                           OR (field = 'completed_on' AND old_value IS NULL)"""

    def prepare_as_of(
        self, as_of: date, known_at: str | None = None, workload_until: date | None = None, figures_only: bool = False
    ) -> None:
        """Fill temp.asof_fix with the replayed fields of the tasks that need it: those
        whose journal has a change to one of ASOF_FIELDS that took effect after the day
        or was recorded after `known_at` (and the tasks created after `known_at`, hidden).

        With `figures_only`, only the report's counts will be read, and later first
        completions are left to the columns (see _FIRST_COMPLETION). With
        `workload_until`, only the workload figures of a period ending that day will
        be read: a task whose deadline, now and at first, is after that day and never
        changed later cannot be in it, and is left out of the replay."""
        self.collect_later_changes(as_of, known_at, figures_only)
        self.build_as_of(as_of, known_at, workload_until)

    def collect_later_changes(self, since: date, known_at: str | None = None, figures_only: bool = False) -> None:
        """temp.asof_later: the (task, field, effective day) of every change that took effect
        after `since` or was recorded after `known_at`, with the task's earliest deadline.
        Collected once, it serves every as-of day from `since` on (the months of a trend)."""
        params = {"since": since.isoformat(), "known_at": known_at or self._FAR_FUTURE}
        fields = ", ".join(f"'{f}'" for f in self.ASOF_FIELDS)
        skip = f"AND NOT ({self._FIRST_COMPLETION})" if figures_only else ""
        self.conn.execute("DROP TABLE IF EXISTS temp.asof_later")
        self.conn.execute(
            f"""CREATE TEMP TABLE asof_later AS
                SELECT task_id, field, effective_on FROM events
                 WHERE effective_on > :since AND field IS NOT NULL AND field IN ({fields}) {skip}
                UNION ALL
                SELECT task_id, field, '{self._FAR_FUTURE}' FROM events
                 WHERE recorded_at > :known_at AND field IN ({fields})""",
            params,
        )
        self.conn.execute("CREATE INDEX temp.asof_later_task ON asof_later(task_id, field, effective_on)")
        self.conn.execute("DROP TABLE IF EXISTS temp.asof_first_deadline")
        self.conn.execute(
            """CREATE TEMP TABLE asof_first_deadline AS
               SELECT t.id AS task_id,
                      min(coalesce(t.deadline, '9999'), coalesce(t.original_deadline, '9999')) AS deadline
               FROM (SELECT DISTINCT task_id FROM temp.asof_later) l JOIN tasks t ON t.id = l.task_id"""
        )
        self.conn.execute("CREATE UNIQUE INDEX temp.asof_first_deadline_task ON asof_first_deadline(task_id)")

    def build_as_of(self, as_of: date, known_at: str | None = None, workload_until: date | None = None) -> None:
        """temp.asof_pairs and temp.asof_fix for one day, from temp.asof_later."""
        params = {
            "as_of": as_of.isoformat(),
            "known_at": known_at or self._FAR_FUTURE,
            "until": workload_until.isoformat() if workload_until else None,
        }
        relevant = ""
        if workload_until:
            # a task whose deadline, now and at first, is after the period and never changed
            # after the day cannot be in the period's workload
            relevant = """AND (f.deadline <= :until OR EXISTS (SELECT 1 FROM temp.asof_later d
                               WHERE d.task_id = l.task_id AND d.field = 'deadline' AND d.effective_on > :as_of))"""
        self.conn.execute("DROP TABLE IF EXISTS temp.asof_pairs")
        self.conn.execute("DROP TABLE IF EXISTS temp.asof_fix")
        self.conn.execute(
            f"""CREATE TEMP TABLE asof_pairs AS
                SELECT DISTINCT l.task_id, l.field FROM temp.asof_later l
                JOIN temp.asof_first_deadline f ON f.task_id = l.task_id
                WHERE l.effective_on > :as_of {relevant}""",
            params,
        )
        self.conn.execute("CREATE INDEX temp.asof_pairs_task ON asof_pairs(task_id, field)")
        self.conn.execute(
            f"""CREATE TEMP TABLE asof_fix AS
                WITH ids(task_id) AS (
                    SELECT task_id FROM temp.asof_pairs
                    UNION SELECT task_id FROM events WHERE recorded_at > :known_at AND field IS NULL
                            AND kind IN ({CREATION_SQL}))
                SELECT t.id AS id, t.created_at > :known_at AS hidden,
                       {", ".join(self._replay_sql(f) for f in self.ASOF_FIELDS)}
                FROM ids JOIN tasks t ON t.id = ids.task_id""",
            params,
        )
        self.conn.execute("CREATE INDEX temp.asof_fix_id ON asof_fix(id)")

    def _as_of_relation(self, where: str) -> str:
        """Tasks as of the prepared day, filtered by `where` (over the ASOF_FIELDS and id)."""
        columns = ", ".join(("id",) + self.ASOF_FIELDS)
        return f"""
            SELECT {columns} FROM tasks
             WHERE ({where}) AND NOT EXISTS (SELECT 1 FROM temp.asof_fix f WHERE f.id = tasks.id)
            UNION ALL
            SELECT {columns} FROM temp.asof_fix WHERE NOT hidden AND ({where})"""

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
        return " AND ".join(where) or "1", params

    # Terms of core.figures.classify, one SQL expression each (see its docstring). A voided
    # task counts nowhere (TaskAsOf.voided): once tasks carry the mark (issue 14), the
    # candidates of report_counts, _previous_year_states and unit_evaluation_counts leave it out.
    _COUNT_TERMS = {
        "r_cancelled": "received AND cancelled",
        "r_total": "received AND NOT cancelled",
        "r_with_deadline": "received AND NOT cancelled AND deadline IS NOT NULL",
        "r_completed_with_deadline": "received AND NOT cancelled AND deadline IS NOT NULL AND completed",
        "r_completed_without_deadline": "received AND NOT cancelled AND deadline IS NULL AND completed",
        "r_previous_year": "NOT cancelled AND coalesce(assigned_on BETWEEN :prev_start AND :prev_end, 0)",
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
    ) -> list[dict[str, Any]]:
        """Raw counts of core.figures per (lead unit, source), as of `as_of` known at `known_at`.

        `previous_as_of` is the day the previous year's states are taken on (default: the
        same day one year earlier). `workload_only`: the caller reads only workload.total
        and completed (the trend), so the replay can skip tasks that cannot be in the
        period's workload, and the previous year's states are not counted."""
        if not prepared:
            self.prepare_as_of(as_of, known_at, workload_until=end if workload_only else None, figures_only=True)
        where, params = self._filters(unit_ids, sources, document_ids)
        params.update(
            start=start.isoformat(),
            end=end.isoformat(),
            as_of=as_of.isoformat(),
            prev_start=prev_start.isoformat(),
            prev_end=prev_end.isoformat(),
            previous_as_of=(previous_as_of or one_year_earlier(as_of)).isoformat(),
            known_at=known_at or self._FAR_FUTURE,
        )
        # Only tasks that can count anywhere, each term on an index of its own ("+deadline"
        # keeps the planner on (state, completed_on, deadline): few tasks were completed in
        # the period, most done tasks are due before it).
        # a voided task (entered in error) counts nowhere
        if workload_only:
            # the trend reads workload.total and completed: only tasks due by the end count
            candidates = f"""({where}) AND NOT voided AND (
                deadline BETWEEN :start AND :end
                OR (state IN ({OPEN_SQL}) AND deadline < :start)
                OR (state = 'done' AND completed_on >= :start AND +deadline < :start))"""
        else:
            candidates = f"""({where}) AND NOT voided AND (
                assigned_on BETWEEN :start AND :end
                OR assigned_on BETWEEN :prev_start AND :prev_end
                OR deadline BETWEEN :start AND :end
                OR (state IN ({OPEN_SQL}) AND deadline < :start)
                OR (state = 'done' AND completed_on >= :start AND +deadline < :start)
                OR (state IN ({OPEN_SQL}) AND deadline IS NULL)
                OR (state = 'done' AND completed_on > :as_of AND deadline IS NULL)
                OR id IN (SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                            AND field = 'deadline' AND kind = 'extended')
                OR id IN (SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                            AND field IS NULL AND kind = 'reminded'))"""
        # flagged is MATERIALIZED: each task's flags are computed once, not once in every term
        # that reads them (the planner would otherwise copy each flag's expression into them)
        sums = ",\n".join(f"coalesce(sum({term}), 0) AS {key}" for key, term in self._COUNT_TERMS.items())
        extended = (
            "0"
            if workload_only
            else f"""EXISTS (SELECT 1 FROM events e WHERE e.task_id = carried.id
            AND e.field = 'deadline' AND e.kind = 'extended' AND e.effective_on BETWEEN :start AND :end
            AND e.effective_on <= :as_of AND e.recorded_at <= :known_at AND {self._NOT_UNDONE})"""
        )
        reminded = (
            "0"
            if workload_only
            else f"""EXISTS (SELECT 1 FROM events e WHERE e.task_id = carried.id
            AND e.field IS NULL AND e.kind = 'reminded' AND e.effective_on BETWEEN :start AND :end
            AND e.effective_on <= :as_of AND e.recorded_at <= :known_at AND {self._NOT_UNDONE})"""
        )
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)}),
            base AS (
                SELECT asof.*, state = 'cancelled' AS cancelled,
                       coalesce(state = 'done' AND completed_on <= :as_of, 0) AS completed,
                       coalesce(assigned_on BETWEEN :start AND :end, 0) AS received,
                       coalesce(deadline BETWEEN :start AND :end, 0) AS due
                FROM asof),
            carried AS (
                SELECT base.*, coalesce(NOT cancelled AND deadline < :start
                                        AND NOT (completed AND completed_on < :start), 0) AS carried
                FROM base),
            flagged AS MATERIALIZED (
                SELECT carried.*, (NOT cancelled AND (due OR carried)) AS workload,
                       {extended} AS extended, {reminded} AS reminded
                FROM carried)
            SELECT lead_unit_id, source, {sums}
            FROM flagged GROUP BY lead_unit_id, source"""
        groups = {(r["lead_unit_id"], r["source"]): dict(r) for r in self.conn.execute(sql, params)}
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
        candidates = (f"({where}) AND NOT voided AND assigned_on BETWEEN :prev_start AND :prev_end "
                      "AND state <> 'cancelled'")
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)}),
            before AS MATERIALIZED (
                SELECT a.lead_unit_id, a.source,
                       CASE WHEN {state} = 'done' AND {completed_on} <= :previous_as_of THEN 'completed'
                            WHEN {deadline} < :previous_as_of THEN 'overdue' END AS timing
                FROM asof a)
            SELECT lead_unit_id, source, coalesce(sum(timing = 'completed'), 0) AS r_previous_year_completed,
                   coalesce(sum(timing = 'overdue'), 0) AS r_previous_year_overdue
            FROM before GROUP BY lead_unit_id, source"""
        return {(r["lead_unit_id"], r["source"]): {"r_previous_year_completed": r[2], "r_previous_year_overdue": r[3]}
                for r in self.conn.execute(sql, params)}

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
        candidates = f"""({where}) AND NOT voided AND state <> 'cancelled' AND (
                (state IN ({OPEN_SQL}) AND deadline < :as_of AND deadline <= :end)
                OR (state = 'done' AND completed_on > :as_of AND +deadline < :as_of AND +deadline <= :end)
                OR id IN (SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                            AND field = 'deadline' AND kind = 'extended')
                OR id IN (SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                            AND field IS NULL AND kind = 'reminded'))"""
        sql = f"""
            WITH asof AS MATERIALIZED ({self._as_of_relation(candidates)}),
            overdue AS (
                SELECT lead_unit_id, CAST(julianday(:as_of) - julianday(deadline) AS INTEGER) AS days FROM asof
                WHERE deadline < :as_of AND deadline <= :end
                  AND NOT coalesce(state = 'done' AND completed_on <= :as_of, 0)),
            marks AS (
                SELECT a.lead_unit_id, e.kind FROM asof a JOIN events e ON e.task_id = a.id
                WHERE e.effective_on BETWEEN :start AND :end AND e.effective_on <= :as_of
                  AND e.recorded_at <= :known_at AND {self._NOT_UNDONE}
                  AND ((e.kind = 'extended' AND e.field = 'deadline') OR (e.kind = 'reminded' AND e.field IS NULL)))
            SELECT lead_unit_id, count(*) AS overdue, sum(days) AS overdue_days_total,
                   max(days) AS overdue_days_max, 0 AS extensions, 0 AS reminders
            FROM overdue GROUP BY lead_unit_id
            UNION ALL
            SELECT lead_unit_id, 0, 0, 0, sum(kind = 'extended'), sum(kind = 'reminded')
            FROM marks GROUP BY lead_unit_id"""
        units: dict[Any, dict[str, Any]] = {}
        for row in self.conn.execute(sql, params):
            unit = units.setdefault(row["lead_unit_id"], {"lead_unit_id": row["lead_unit_id"], "overdue": 0,
                                                          "overdue_days_total": 0, "overdue_days_max": 0,
                                                          "extensions": 0, "reminders": 0})
            for key in ("overdue", "overdue_days_total", "extensions", "reminders"):
                unit[key] += row[key]
            unit["overdue_days_max"] = max(unit["overdue_days_max"], row["overdue_days_max"])
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
        collected once for all of them."""
        if not months:
            return []
        self.collect_later_changes(min(m[2] for m in months), known_at, figures_only=True)
        results = []
        for start, end, as_of in months:
            self.build_as_of(as_of, known_at, workload_until=end)
            results.append(
                self.report_counts(
                    start,
                    end,
                    as_of,
                    start,
                    end,
                    known_at=known_at,
                    unit_ids=unit_ids,
                    sources=sources,
                    document_ids=document_ids,
                    prepared=True,
                    workload_only=True,
                )
            )
        return results

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
            self.prepare_as_of(as_of, known_at)
        where, params = self._filters(unit_ids, sources, document_ids, role)
        params["due_until"] = due_until.isoformat()
        candidates = f"({where}) AND NOT voided AND state IN ({OPEN_SQL}) AND deadline <= :due_until"
        coordinating = coordinating_ids = "NULL"
        if with_coordinating:
            coordinating = """(SELECT group_concat(cu.name, '; ') FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                               WHERE tu.task_id = a.id)"""
            coordinating_ids = "(SELECT group_concat(tu.unit_id) FROM task_units tu WHERE tu.task_id = a.id)"
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)})
            SELECT a.id, t.code, t.title, {self._DOCUMENT_LABEL} AS document, a.lead_unit_id, u.name AS lead_unit,
                   {coordinating} AS coordinating_units, {coordinating_ids} AS coordinating_unit_ids,
                   t.assignee, a.deadline, t.original_deadline, a.state, a.source
            FROM asof a
            JOIN tasks t ON t.id = a.id
            LEFT JOIN documents d ON d.id = a.document_id
            LEFT JOIN units u ON u.id = a.lead_unit_id
            ORDER BY a.deadline, a.id"""
        return [dict(r) for r in self.conn.execute(sql, params)]

    # -- check ------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}" for r in self.conn.execute("PRAGMA foreign_key_check")]
        return problems

    def invariant_problems(self) -> list[tuple[int, str]]:
        """(task number, what is wrong) for each broken rule of the register."""
        problems: list[tuple[int, str]] = []
        sql_rules = {
            "done without a completion date": "SELECT id FROM tasks WHERE state = 'done' AND completed_on IS NULL",
            "a completion date but not done": "SELECT id FROM tasks WHERE state != 'done' AND completed_on IS NOT NULL",
            "no creation event in the journal": f"""SELECT id FROM tasks t WHERE NOT EXISTS (
                SELECT 1 FROM events e WHERE e.task_id = t.id AND e.field IS NULL AND e.kind IN ({CREATION_SQL}))""",
            "deadline before the day it was assigned, with no note": """SELECT id FROM tasks t
                WHERE deadline < assigned_on AND note IS NULL AND NOT EXISTS (
                    SELECT 1 FROM events e WHERE e.task_id = t.id AND e.note IS NOT NULL)""",
        }
        for message, sql in sql_rules.items():
            problems += [(row[0], message) for row in self.conn.execute(sql)]
        problems += self._replay_problems()
        return sorted(problems)

    def _replay_problems(self) -> list[tuple[int, str]]:
        """Each task's current fields must equal its journal replayed in order."""
        from nqtrack.core.states import replay_journal

        problems: list[tuple[int, str]] = []
        columns = [f for f in TASK_FIELDS if f != "coordinating_units"]
        tasks = self.conn.execute(f"SELECT id, {', '.join(columns)} FROM tasks ORDER BY id")
        events = self.conn.execute(
            "SELECT task_id, id, kind, field, old_value, new_value, effective_on, recorded_at FROM events "
            "ORDER BY task_id, id"
        )
        units = self.conn.execute(
            "SELECT task_id, group_concat(unit_id) FROM (SELECT * FROM task_units ORDER BY task_id, unit_id) "
            "GROUP BY task_id"
        )
        pending_event = next(events, None)
        pending_units = next(units, None)
        for task in tasks:
            task_id = task[0]
            journal = []
            while pending_event is not None and pending_event[0] <= task_id:
                if pending_event[0] == task_id:
                    journal.append(pending_event)
                pending_event = next(events, None)
            coordinating = None
            while pending_units is not None and pending_units[0] <= task_id:
                if pending_units[0] == task_id:
                    coordinating = pending_units[1]
                pending_units = next(units, None)
            creation = next((e for e in journal if e[3] is None and e[2] in CREATION_KINDS), None)
            if creation is None:
                continue  # reported above
            current = {c: _value(v) for c, v in zip(columns, task[1:], strict=True)}
            current["coordinating_units"] = ",".join(sorted(coordinating.split(","), key=int)) if coordinating else None
            # tasks created before voids existed have no 'voided' in their snapshot
            replayed = replay_journal(
                {"voided": "0", **json.loads(creation[5])}, [Event(e[1], e[3], e[4], e[5], e[6], e[7]) for e in journal]
            )
            for field in TASK_FIELDS:
                if _value(replayed.get(field)) != current.get(field):
                    problems.append(
                        (task_id, f"'{field}' is {current.get(field)!r} but the journal says {replayed.get(field)!r}")
                    )
        return problems

    # -- undo -----------------------------------------------------------------------

    def last_changes(self, count: int) -> list[list[dict[str, Any]]]:
        """The latest `count` changes not yet undone (a change: the events one command
        recorded at one moment), newest first."""
        # newest by the order of recording (ids), not by clock: --today shifts the clock
        rows = self.conn.execute(
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
        ).fetchall()
        groups: dict[str, list[dict[str, Any]]] = {}
        order: dict[str, float] = {}  # a change's place in the order of recording
        for row in rows:
            groups.setdefault(row["recorded_at"], []).append(dict(row))
            order[row["recorded_at"]] = max(order.get(row["recorded_at"], 0), row["id"])
        register = self.conn.execute(
            """WITH open_events AS (
                   SELECT * FROM register_events r WHERE r.kind != 'undo'
                      AND NOT EXISTS (SELECT 1 FROM register_events u WHERE u.undoes = r.id)),
               changes AS (SELECT recorded_at, max(after_event) AS after FROM open_events
                           GROUP BY recorded_at ORDER BY after DESC, max(id) DESC LIMIT ?)
               SELECT o.* FROM open_events o JOIN changes c ON c.recorded_at = o.recorded_at
               ORDER BY o.id DESC""",
            [count],
        ).fetchall()
        if not register:
            return list(groups.values())
        for row in register:  # a change to units or documents (and the tasks it moved, at one moment)
            groups.setdefault(row["recorded_at"], []).append(dict(row))
            # recorded after task event `after_event`, before the next one
            order[row["recorded_at"]] = max(order.get(row["recorded_at"], 0), row["after_event"] + 0.5)
        return [groups[moment] for moment in sorted(groups, key=lambda m: order[m], reverse=True)[:count]]

    def last_task_change(self, task_id: int) -> list[dict[str, Any]]:
        """The events of the latest change to one task not yet undone, newest first."""
        rows = self.conn.execute(
            """WITH open_events AS (
                   SELECT * FROM events e WHERE e.task_id = ? AND e.kind != 'undo'
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id))
               SELECT * FROM open_events WHERE recorded_at = (
                   SELECT recorded_at FROM open_events ORDER BY id DESC LIMIT 1)
               ORDER BY id DESC""",
            [task_id],
        ).fetchall()
        return [dict(r) for r in rows]

    def open_task_like(self, document_id: int | None, title: str, lead_unit_id: int | None) -> int | None:
        """An open task (not voided) of the same document, folded title and lead unit, if any."""
        row = self.conn.execute(
            f"""SELECT id FROM tasks WHERE document_id IS ? AND title_key = ? AND lead_unit_id IS ?
                 AND state IN ({OPEN_SQL}) AND NOT voided ORDER BY id LIMIT 1""",
            [document_id, fold(title), lead_unit_id],
        ).fetchone()
        return row[0] if row else None

    def import_provenance(self, task_id: int) -> dict[str, str | None] | None:
        """What the last import of this task's row brought (field → journal text), or None when
        no import ever brought it. A re-import writes it; until then it is read from the
        journal (the imported creation snapshot, then each later imported change), so that
        creating tasks by the hundred thousand writes nothing more."""
        row = self.conn.execute("SELECT fields FROM import_provenance WHERE task_id = ?", [task_id]).fetchone()
        if row:
            return json.loads(row[0])
        brought: dict[str, str | None] | None = None
        for field, value in self.conn.execute(
                "SELECT field, new_value FROM events WHERE task_id = ? AND kind = 'imported' ORDER BY id", [task_id]):
            if field is None:
                brought = {k: None if v is None else str(v) for k, v in json.loads(value).items()}
            elif brought is not None:
                brought[field] = value
        return brought

    def save_import_provenance(self, rows: Sequence[tuple[int, Mapping[str, str | None]]],
                               batch_id: str | None) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO import_provenance(task_id, batch_id, fields) VALUES (?, ?, ?)",
            [(task_id, batch_id, json.dumps(fields, ensure_ascii=False, separators=(",", ":")))
             for task_id, fields in rows],
        )

    def record_batch(self, batch_id: str, kind: str, recorded_at: str, by: str, note: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO batches(id, kind, recorded_at, recorded_by, note) VALUES (?, ?, ?, ?, ?)",
            [batch_id, kind, recorded_at, by, note],
        )

    def batch_events(self, batch_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            """SELECT e.* FROM batches b JOIN events e ON e.recorded_at = b.recorded_at AND e.batch_id = b.id
               WHERE b.id = ? AND e.kind != 'undo'
                 AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)
               ORDER BY e.id DESC""",
            [batch_id],
        ).fetchall()
        register = self.conn.execute(
            """SELECT r.* FROM batches b JOIN register_events r ON r.recorded_at = b.recorded_at AND r.batch_id = b.id
               WHERE b.id = ? AND r.kind != 'undo'
                 AND NOT EXISTS (SELECT 1 FROM register_events u WHERE u.undoes = r.id)
               ORDER BY r.id DESC""",
            [batch_id],
        ).fetchall()
        return [dict(r) for r in rows] + [dict(r) for r in register]

    def undo_events(self, events: list[dict[str, Any]], *, by: str, recorded_at: str, batch_id: str) -> list[int]:
        """Revert events, newest first, each by an 'undo' event effective on the same day
        (so past days are rebuilt as if it never happened); a task created by them is
        voided (entered in error). Refuses when a later change touched the same field."""
        touched: list[int] = []
        register = [e for e in events if "entity" in e]
        events = [e for e in events if "entity" not in e]
        for event in sorted(events, key=lambda e: -e["id"]):
            task_id, field = event["task_id"], event["field"]
            day = date.fromisoformat(event["effective_on"])
            note = f"undo #{event['id']}"
            if field is None:
                if event["kind"] in CREATION_KINDS:
                    self.change_task(
                        task_id,
                        {"voided": 1},
                        effective_on=day,
                        by=by,
                        kind="undo",
                        note=note,
                        batch_id=batch_id,
                        recorded_at=recorded_at,
                        undoes={"voided": event["id"]},
                    )
                    self._mark_undone(event, by, recorded_at, batch_id, note)
                else:
                    self._mark_undone(event, by, recorded_at, batch_id, note)
                touched.append(task_id)
                continue
            later = self.conn.execute(
                """SELECT id FROM events x WHERE task_id = ? AND field = ? AND id > ? AND kind != 'undo'
                     AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = x.id) LIMIT 1""",
                [task_id, field, event["id"]],
            ).fetchone()
            if later is not None and later[0] not in {e["id"] for e in events}:
                raise InvalidInput(
                    "cannot undo: task {task}'s '{field}' was changed again since (event #{event})",
                    task=task_id,
                    field=field,
                    event=later[0],
                )
            old = event["old_value"]
            if field == "coordinating_units":
                old = [int(u) for u in old.split(",")] if old else []
            changed = self.change_task(
                task_id,
                {field: old},
                effective_on=day,
                by=by,
                kind="undo",
                note=note,
                batch_id=batch_id,
                recorded_at=recorded_at,
                undoes={field: event["id"]},
                correction=event["kind"] == "corrected",
            )
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
            later = self.conn.execute(
                """SELECT id FROM register_events x WHERE entity = ? AND entity_id = ? AND field = ? AND id > ?
                     AND kind != 'undo' AND NOT EXISTS (SELECT 1 FROM register_events u WHERE u.undoes = x.id)
                   LIMIT 1""",
                [entity, entity_id, field, event["id"]],
            ).fetchone()
            if later is not None and later[0] not in ids:
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
        self._event(
            event["task_id"],
            "undo",
            None,
            None,
            None,
            date.fromisoformat(event["effective_on"]),
            recorded_at,
            by,
            note,
            batch_id,
            event["id"],
        )

    # -- export and import of the whole register -------------------------------------

    # in an order that keeps the foreign keys when loaded (series before the tasks of them)
    # (register_keys is left out: the secret that signs the units' sheets never leaves the register)
    EXPORT_TABLES = ("settings", "units", "documents", "series", "series_events", "tasks", "task_units", "events",
                     "batches", "calendar_days", "calendar_events", "register_events", "import_provenance", "users",
                     "user_events")
    _EXPORT_ORDER = {"settings": "key", "task_units": "task_id, unit_id", "calendar_days": "day",
                     "import_provenance": "task_id"}

    def export_rows(self, table: str) -> Iterator[dict[str, Any]]:
        if table not in self.EXPORT_TABLES:
            raise ValueError(table)
        order = self._EXPORT_ORDER.get(table, "id")
        for row in self.conn.execute(f"SELECT * FROM {table} ORDER BY {order}"):
            yield dict(row)

    def is_empty(self) -> bool:
        return all(
            self.conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
            for t in ("units", "documents", "tasks")
        )

    def load_export(self, data: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
        """Rebuild a register from an export, into an empty database; call inside a transaction."""
        counts = {}
        # rows point at later rows (a unit merged into one made after it): check at the commit
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        for table in self.EXPORT_TABLES:
            rows = data.get(table) or []
            info = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
            # a column an older export does not have takes its default (tasks.voided: 0)
            defaults = {r[1]: self.conn.execute(f"SELECT {r[4]}").fetchone()[0] if r[4] is not None else None
                        for r in info}
            rows = [{c: row.get(c, defaults[c]) for c in defaults} for row in rows]
            if table == "settings":
                self.conn.execute("DELETE FROM settings")
            try:
                self._insert_many(table, rows)
            except sqlite3.IntegrityError as exc:
                raise InvalidInput("cannot import: {reason}", reason=str(exc)) from None
            counts[table] = len(rows)
        for unit in self.list_units():
            self._write_unit_keys(unit)
        self._reindex([row[0] for row in self.conn.execute("SELECT id FROM tasks")])
        return counts

    # -- review (rà soát) ---------------------------------------------------------

    def review_counts(self, today: date) -> list[dict[str, Any]]:
        """Every document with the counts of its own tasks by how far they are, today."""
        rows = self.conn.execute(
            f"""SELECT d.id, d.symbol, d.doc_type, d.issuer, d.issued_on, d.title, d.parent_id,
                      count(t.id) AS total,
                      coalesce(sum(t.state = 'done' AND (t.deadline IS NULL OR t.completed_on <= t.deadline)), 0)
                          AS done_on_time,
                      coalesce(sum(t.state = 'done' AND t.completed_on > t.deadline), 0) AS done_late,
                      coalesce(sum(t.state IN ({OPEN_SQL})
                                   AND (t.deadline IS NULL OR t.deadline >= :today)), 0) AS open_in_time,
                      coalesce(sum(t.state IN ({OPEN_SQL}) AND t.deadline < :today), 0) AS overdue,
                      coalesce(sum(t.state = 'cancelled'), 0) AS cancelled,
                      coalesce(sum(t.state = 'new'), 0) AS not_begun
               FROM documents d LEFT JOIN tasks t ON t.document_id = d.id AND NOT t.voided
               WHERE d.merged_into IS NULL
               GROUP BY d.id ORDER BY d.id""",
            {"today": today.isoformat()},
        )
        return [dict(r) for r in rows]

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

    # -- many units, one register (issue 19): users, requests, the sheets' key ----------------
    #
    # Standard SQL only (no SQLite-only syntax): this section moves to the engines' shared
    # base as it is. Requests are task events without a field (kinds REQUEST_KINDS); one is
    # pending while no later event of its task settles it (SETTLED_SQL) and it is not undone.

    _USER_SELECT = """
        SELECT us.id, us.login, us.role, us.unit_id, un.name AS unit, us.name, us.added_at, us.added_by,
               us.removed_at
        FROM users us LEFT JOIN units un ON un.id = us.unit_id"""

    def _live_user(self, row: sqlite3.Row) -> dict[str, Any]:
        """A user with its unit as it is now (a merged unit is read as the unit it went into)."""
        user = dict(row)
        unit = self.merged_target("unit", user["unit_id"])
        if unit is not None and unit != user["unit_id"]:
            user["unit_id"], user["unit"] = unit, self.unit(unit).name
        return user

    def user(self, login: str) -> dict[str, Any] | None:
        """The user of this login (a removed one too: its removed_at is set), or None."""
        row = self.conn.execute(self._USER_SELECT + " WHERE us.login = ?", [login]).fetchone()
        return self._live_user(row) if row else None

    def users(self, include_removed: bool = False) -> list[dict[str, Any]]:
        where = "" if include_removed else " WHERE us.removed_at IS NULL"
        return [self._live_user(r) for r in self.conn.execute(self._USER_SELECT + where + " ORDER BY us.login")]

    def add_user(self, login: str, role: str, unit_id: int | None, name: str | None, *, by: str,
                 recorded_at: str) -> None:
        """A new user, or a removed one given back its login; journaled in user_events."""
        row = self.conn.execute("SELECT removed_at FROM users WHERE login = ?", [login]).fetchone()
        if row is not None and row[0] is None:
            raise InvalidInput("user '{login}' already exists; to change it: nqtrack user remove {login}, then "
                               "nqtrack user add", login=login)
        if row is None:
            self.conn.execute(
                "INSERT INTO users(login, role, unit_id, name, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)",
                [login, role, unit_id, name, recorded_at, by])
        else:
            self.conn.execute(
                "UPDATE users SET role = ?, unit_id = ?, name = ?, added_at = ?, added_by = ?, removed_at = NULL "
                "WHERE login = ?", [role, unit_id, name, recorded_at, by, login])
        self._user_event(login, "added", role, unit_id, name, by=by, recorded_at=recorded_at)

    def remove_user(self, login: str, *, by: str, recorded_at: str, note: str | None = None) -> dict[str, Any]:
        """Mark a user removed (its row stays: the journal names it); journaled. Returns it."""
        user = self.user(login)
        if user is None or user["removed_at"] is not None:
            raise NotFound("unknown user: '{login}'", login=login)
        self.conn.execute("UPDATE users SET removed_at = ? WHERE login = ?", [recorded_at, login])
        self._user_event(login, "removed", user["role"], user["unit_id"], user["name"], by=by,
                         recorded_at=recorded_at, note=note)
        return user

    def _user_event(self, login: str, kind: str, role: str, unit_id: int | None, name: str | None, *, by: str,
                    recorded_at: str, note: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO user_events(login, kind, role, unit_id, name, recorded_at, recorded_by, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [login, kind, role, unit_id, name, recorded_at, by, note])

    def user_events(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            """SELECT e.*, un.name AS unit FROM user_events e LEFT JOIN units un ON un.id = e.unit_id
               ORDER BY e.id""")
        return [dict(r) for r in rows]

    def has_unit_users(self) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM users WHERE role = 'unit' AND removed_at IS NULL LIMIT 1").fetchone() is not None

    def register_key(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM register_keys WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def add_register_key(self, name: str, value: str, created_at: str) -> None:
        self.conn.execute("INSERT INTO register_keys(name, value, created_at) VALUES (?, ?, ?)",
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

        The requests are read first, through their partial index (CROSS JOIN keeps that order:
        there are few of them, and many open tasks), then their tasks."""
        where, params = self._filters(unit_ids, sources, document_ids, role)
        chosen = "" if where == "1" else f"AND p.task_id IN (SELECT id FROM tasks WHERE {where})"
        if task_ids is not None:
            marks = [f"task{i}" for i in range(len(task_ids))]
            params.update(zip(marks, task_ids, strict=True))
            chosen += f" AND p.task_id IN ({', '.join(':' + m for m in marks) or 'NULL'})"
        kind_marks = [f"kind{i}" for i in range(len(kinds))]
        params.update(zip(kind_marks, kinds, strict=True))
        params["until"] = _value(until) or self._FAR_FUTURE
        sql = f"""
            SELECT p.id AS event_id, p.task_id, p.kind, p.old_value, p.new_value, p.note, p.effective_on,
                   p.recorded_at, p.recorded_by, p.batch_id, t.code, t.title, {self._DOCUMENT_LABEL} AS document,
                   t.document_id, t.lead_unit_id, u.name AS lead_unit, t.deadline, t.original_deadline, t.state,
                   t.assigned_on
            FROM events p
            CROSS JOIN tasks t
            LEFT JOIN documents d ON d.id = t.document_id
            LEFT JOIN units u ON u.id = t.lead_unit_id
            WHERE p.kind IN ('proposed', 'extension_requested')
              AND p.kind IN ({', '.join(':' + m for m in kind_marks) or 'NULL'})
              AND t.id = p.task_id AND NOT t.voided AND t.state IN ({OPEN_SQL})
              AND p.effective_on <= :until {chosen}
              AND NOT EXISTS (SELECT 1 FROM events x WHERE x.undoes = p.id)
              AND NOT {self.SETTLED_SQL}
            ORDER BY p.id"""
        return [dict(r) for r in self.conn.execute(sql, params)]

    def returned_requests(self, task_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Each task's latest request sent back (rejected or denied), when the unit has not
        asked again since: task → the answer (kind, note, effective_on, recorded_at)."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(task_ids), 500):
            part = list(task_ids[start:start + 500])
            rows = self.conn.execute(
                f"""SELECT r.task_id, r.kind, r.note, r.effective_on, r.recorded_at FROM events r
                    WHERE r.task_id IN ({', '.join('?' * len(part))}) AND r.kind IN ('rejected', 'denied')
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = r.id)
                      AND NOT EXISTS (
                          SELECT 1 FROM events later WHERE later.task_id = r.task_id AND later.id > r.id
                            AND later.kind = CASE r.kind WHEN 'rejected' THEN 'proposed' ELSE 'extension_requested' END
                            AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = later.id))
                    ORDER BY r.id""", part)
            found.update((r["task_id"], dict(r)) for r in rows)
        return found

    def sheet_events(self, sheet_id: str) -> list[dict[str, Any]]:
        """The journal events earlier imports of this returned sheet recorded (batches of kind
        'sheet' whose note is the sheet's id), not undone."""
        rows = self.conn.execute(
            """SELECT e.* FROM batches b JOIN events e ON e.recorded_at = b.recorded_at AND e.batch_id = b.id
               WHERE b.kind = 'sheet' AND b.note = ?
                 AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)
               ORDER BY e.id""", [sheet_id])
        return [dict(r) for r in rows]
