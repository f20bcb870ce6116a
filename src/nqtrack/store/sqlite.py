"""The SQLite store: the embedded register, one file. The rules and the SQL both engines
share are `store.sql.SqlStore`'s; here are the connection, the migrations (in
`sqlite_migrations`), backup and restore, transactions, the integrity check, the search
index (FTS5) and SQLite's side of the hooks.

Reads go through the plain sqlite3 connection (so that read-only commands start
fast); migrations go through sqlite-utils, which is imported lazily. Store methods
never open a transaction: the use cases in `nqtrack.app` do, with `transaction()`,
one `BEGIN IMMEDIATE` each, so concurrent writers queue on the busy timeout instead
of failing on a lock upgrade. SQLite's errors never leave this module as such: a
locked database, a full disk or a read-only file become the typed errors of
`nqtrack.core.errors`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nqtrack import faults
from nqtrack.core.errors import DatabaseError, DatabaseLocked, NotFound, StorageError
from nqtrack.core.text import fold
from nqtrack.store.sql import OPEN_SQL, RECUR_BATCH_PREFIX, SqlStore

__all__ = ["DEFAULT_BUSY_TIMEOUT", "MIGRATIONS_TABLE", "OPEN_SQL", "RECUR_BATCH_PREFIX", "SCHEMA_VERSION",
           "SqliteStore", "user_error"]

# How many migrations this version ships; when the database has applied this many,
# the migration machinery (and sqlite-utils) is not even imported.
SCHEMA_VERSION = 8
MIGRATION_SET = "nqtrack"
DEFAULT_BUSY_TIMEOUT = 10.0


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


class SqliteStore(SqlStore):
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

    # -- transactions ------------------------------------------------------------------

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

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One consistent view of the whole register for the reads inside (a copy to another
        engine): a read transaction, so writers go on (WAL) and are not seen."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def use_large_cache(self) -> None:
        """A 64 MB page cache, for bulk writes that touch every index (an import)."""
        self.conn.execute("PRAGMA cache_size = -65536")

    # -- the register as a whole ---------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}" for r in self.conn.execute("PRAGMA foreign_key_check")]
        return problems

    def _columns(self, table: str) -> dict[str, Any]:
        return {r["name"]: self.conn.execute(f"SELECT {r['dflt_value']}").fetchone()[0]
                if r["dflt_value"] is not None else None
                for r in self.conn.execute(f"PRAGMA table_info({table})")}

    def _integrity_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.IntegrityError,)

    # -- the engine's hooks ---------------------------------------------------------

    def _execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """executemany rather than sqlite-utils' insert_all here: its per-value JSON
        check cost 2.4 s of an import of 100,000 rows (measured with cProfile)."""
        if rows:
            self.conn.executemany(
                f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)

    def _reserve_task_ids(self, count: int) -> list[int]:
        # the write transaction (BEGIN IMMEDIATE) keeps every other writer out until it ends
        first = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tasks").fetchone()[0]
        return list(range(first, first + count))

    def _id_set(self, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
        # read through a temporary table: the set may hold more ids than SQL parameters allow
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen_ids(id INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM temp.chosen_ids")
        self.conn.executemany("INSERT OR IGNORE INTO temp.chosen_ids(id) VALUES (?)", [(i,) for i in ids])
        return f"{column} IN (SELECT id FROM temp.chosen_ids)", []

    def _temp_table(self, name: str, select: str, params: Any,
                    indexes: Sequence[tuple[str, str, bool]] = ()) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        self.conn.execute(f"CREATE TEMP TABLE {name} AS {select}", params)
        for index, columns, unique in indexes:
            self.conn.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX temp.{index} ON {name}({columns})")

    @staticmethod
    def _concat(expression: str, separator: str, order: str) -> str:
        # in the order the rows come: task_units by its key (task, unit)
        return f"group_concat({expression}, '{separator}')"

    @staticmethod
    def _count_if(term: str) -> str:
        return f"coalesce(sum({term}), 0)"

    @staticmethod
    def _least(a: str, b: str) -> str:
        return f"min({a}, {b})"

    @staticmethod
    def _array(expression: str) -> str:
        return f"json_array({expression})"

    @staticmethod
    def _first(array: str) -> str:
        return f"{array} ->> '$[0]'"

    @staticmethod
    def _days_between(later: str, earlier: str) -> str:
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    @staticmethod
    def _no_index(column: str) -> str:
        return f"+{column}"  # SQLite's unary plus: the planner takes no index for it

    @staticmethod
    def _is(column: str) -> str:
        return f"{column} IS ?"

    @staticmethod
    def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    @staticmethod
    def _in_query(column: str, subquery: str) -> str:
        return f"{column} IN ({subquery})"

    @staticmethod
    def _text(expression: str) -> str:
        return expression  # || and group_concat take numbers as they are

    # -- search (FTS5 over folded text) --------------------------------------------------

    def _reindex(self, task_ids: Sequence[int]) -> None:
        for start in range(0, len(task_ids), 500):
            part = list(task_ids[start:start + 500])
            rows = self._search_rows(part)
            self.conn.execute(f"DELETE FROM task_search WHERE rowid IN ({','.join('?' * len(part))})", part)
            self.conn.executemany("INSERT INTO task_search(rowid, body) VALUES (?, ?)", rows)

    def _index_new_tasks(self, rows: list[dict[str, Any]], documents: dict[int, str]) -> None:
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

    def _found_tasks(self, text: str, where: list[str], params: list[Any], limit: int | None
                     ) -> list[dict[str, Any]]:
        query = self.search_query(text)
        if query is None:
            return []
        # ranked by bm25: the best matches first
        sql = self._task_select() + " JOIN task_search s ON s.rowid = t.id WHERE " + " AND ".join(
            [*where, "task_search MATCH ?"]) + " ORDER BY bm25(task_search), t.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._rows(sql, [*params, query])


if TYPE_CHECKING:  # mypy holds the engine to the interface the use cases call
    from nqtrack.store.base import Store

    def _satisfies(store: SqliteStore) -> Store:
        return store
