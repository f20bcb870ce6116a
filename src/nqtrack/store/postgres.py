"""The PostgreSQL store: a register on a database server that many offices share
(`--db postgresql://user@host:port/dbname`), with psycopg 3 (`pip install 'nqtrack[postgres]'`).

The Python around the SQL, and the SQL both engines run, are `store.sql.SqlStore`'s;
here are the connection, the schema's migrations, the engine's hooks, the bulk writes
(COPY), the search index, backup and restore.

Transactions. No global write lock: a use case's `transaction()` is one short READ
COMMITTED transaction; a task being changed is locked by its row (`SELECT … FOR UPDATE`),
so that two offices updating one task queue and its journal keeps the order of
recording. Reads outside a transaction share one REPEATABLE READ snapshot until the
next write, so a report's queries all see the same register. `busy_timeout` is the
server's `lock_timeout`: past it a command says the register is locked (exit 75).
The server's errors never leave this module as such: `user_error` makes them the typed
errors of `nqtrack.core.errors`.
"""

from __future__ import annotations

import copy
import os
import queue
import re
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from nqtrack import faults
from nqtrack.core.errors import (
    DatabaseError,
    DatabaseLocked,
    Forbidden,
    InvalidInput,
    NotFound,
    StorageError,
    UserError,
)
from nqtrack.store.postgres_migrations import GROUP_ROLES, MIGRATION_SET, MIGRATIONS, MIGRATIONS_TABLE
from nqtrack.store.sql import EXPORT_TABLES, SqlStore, bad_value, bm25_order, search_phrases, search_tokens

# The tables whose ids the database hands out (identity columns): after a load of rows with
# their ids, the next new ones come after them.
_SEARCH_COLUMNS = ("task_id", "body", "tokens", "words")
_IDENTITY_TABLES = ("units", "documents", "series", "series_events", "tasks", "events", "calendar_events",
                    "register_events")

SCHEMA_VERSION = len(MIGRATIONS)
# the tables an import fills, and the indexes it keeps up as it writes (bulk_load): the
# import looks a row without a code up by its document and title; the search words' GIN
# index, kept up by the server while the importer reads the next rows (its pending list
# merged 4 MB at a time), instead of a 1.0 s build at the end that nothing overlaps
BULK_TABLES = ("tasks", "task_units", "events", "task_search")
BULK_KEPT_INDEXES = ("tasks_document_title", "task_search_words")
DEFAULT_BUSY_TIMEOUT = 10.0

# The advisory lock that one migration run holds (any number: nqtrack's, in this database).
_MIGRATION_LOCK = 0x6E71_7472  # "nqtr"

_PARAMETERS = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)|\?|%")

# While a store's writer thread runs, the interpreter hands the GIL over within 0.2 ms
# (not the default 5 ms): the writer sends COPY data a socket buffer at a time, and at each
# wake-up waited for the importer's thread to let go of the GIL, ~5 ms a time (1.7 s of
# waits for the writer in an import of 100,000 rows). An idle writer asks for nothing.
_QUICK_SWITCH = 0.0002
_switching = threading.Lock()
_switch = {"writers": 0, "before": 0.0}  # the stores whose writer runs; the interval before the first


def _quick_switch(on: bool) -> None:
    with _switching:
        if on:
            if _switch["writers"] == 0:
                _switch["before"] = sys.getswitchinterval()
                sys.setswitchinterval(min(_QUICK_SWITCH, _switch["before"]))
            _switch["writers"] += 1
        elif _switch["writers"] > 0:
            _switch["writers"] -= 1
            if _switch["writers"] == 0:
                sys.setswitchinterval(_switch["before"])


def redacted(url: str) -> str:
    """The URL without its password, for messages and `info`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise DatabaseError(
            "a PostgreSQL register needs the postgres extra: pip install 'nqtrack[postgres]'") from None
    return psycopg


def user_error(exc: Exception, path: str) -> Exception:
    """The typed error for what the server reports about locks, space, rights or the
    connection; the exception itself for anything else (a bug)."""
    psycopg = _psycopg()
    errors = psycopg.errors
    if isinstance(exc, errors.LockNotAvailable | errors.DeadlockDetected | errors.SerializationFailure):
        return DatabaseLocked("database is locked: {path}", path=path)
    if isinstance(exc, errors.DiskFull | errors.OutOfMemory):
        return StorageError("the disk is full: nothing was written to {path}", path=path)
    if isinstance(exc, errors.InsufficientPrivilege):  # 42501: a grant missing, or a row-level policy
        return Forbidden("the database server refused this: your role may not do it (nothing was written)")
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return StorageError("the register is read-only: {path}", path=path)
    if isinstance(exc, errors.NumericValueOutOfRange | UnicodeEncodeError):  # a value given, not the server
        return bad_value(exc)
    if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, psycopg.errors.QueryCanceled):
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        return DatabaseError("cannot reach the register: {path} ({reason})", path=path, reason=reason)
    return exc


# The connection peek_setting opened, handed to the store that opens the same register next
# (a command reads its language, then opens the register: one connection, not two).
_SPARE: dict[str, Any] = {}


def _connect(url: str, busy_timeout: float) -> Any:
    psycopg = _psycopg()
    from psycopg.rows import dict_row

    try:
        conn = _SPARE.pop(url, None)
        if conn is None or conn.closed:
            conn = psycopg.connect(url, autocommit=True, row_factory=dict_row,
                                   connect_timeout=max(int(busy_timeout), 2), application_name="nqtrack")
        # lock_timeout in milliseconds (0 would mean "wait for ever"); JIT off: the views are
        # short queries, and compiling them cost seconds and saved nothing; random_page_cost:
        # a register lives in memory (or on SSD), where a page read at random costs about what
        # a sequential one does, so the planner looks tasks up by id instead of scanning them
        conn.execute(f"SET lock_timeout = {max(int(busy_timeout * 1000), 1)}; SET jit = off; "
                     "SET random_page_cost = 1.1")
    except psycopg.Error as exc:
        raise user_error(exc, redacted(url)) from None
    return conn


def _array_text(words: list[str]) -> str:
    """Words as PostgreSQL writes a text[] out (array_out) and reads it in: in braces, by
    commas, an element in quotes only where it needs them. A text's words (search_tokens:
    letters and digits, lower case, never empty) need them only to be told from a NULL: "null"."""
    if "null" in words:  # rare: the others are joined as they are, in C
        words = ['"null"' if word == "null" else word for word in words]
    return "{" + ",".join(words) + "}"


class PostgresStore(SqlStore):
    """The register in a PostgreSQL database (see the module docstring)."""

    engine = "postgresql"
    FIGURE_CHANGES_BY_SERVER = True  # m013's trigger: a unit's own INSERT into events is numbered too

    def __init__(self, url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, create: bool = False) -> None:
        super().__init__()
        self.url = url
        self.path = redacted(url)
        self.busy_timeout = busy_timeout
        self._psycopg = _psycopg()
        self._conn = _connect(url, busy_timeout)
        self._writing = False
        self._figure_rights_seen: tuple[bool, bool] | None = None
        # bulk writes (COPY) of a long write run on a thread of their own, so that the server
        # maintains its indexes while the importer reads the next rows (see _insert_rows)
        self._jobs: queue.Queue[tuple[str, Sequence[str], Sequence[Sequence[Any]]] | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._writer_error: BaseException | None = None
        self._sql: dict[str, str] = {}
        self._cannot_write: bool | None = None
        self._ctes: dict[str, tuple[str, Any]] = {}  # the replay's tables, on a read-only session
        self._analyzed: dict[str, int] = {}  # the rows of each temporary table when last analysed
        self._secured: dict[str, bool] = {}  # tables whose row-level policies hold for this session
        try:
            self._prepare(create)
        except BaseException:
            self.close()
            raise

    # -- connection and schema -------------------------------------------------

    @property
    def conn(self) -> Any:
        """The connection, once the bulk writes handed to the writer thread are done (the
        error of one, if any, is raised here)."""
        self._drain()
        return self._conn

    def _drain(self) -> None:
        if self._writer is None:
            return
        self._jobs.join()
        error, self._writer_error = self._writer_error, None
        if error is not None:
            raise error

    def user_error_of(self, exc: BaseException) -> UserError | None:
        # the server reports a page it cannot read as its own error (XX001, XX002), not one
        # the user can put right from here; nqtrack's errors are raised where they are met
        return None

    def close(self) -> None:
        with suppress(Exception):
            self._drain()
        if self._writer is not None:
            self._jobs.put(None)
            self._writer.join()
            self._writer = None
            _quick_switch(False)
        if not self._conn.closed:
            if self._status() != "idle":
                self._conn.execute("ROLLBACK")
            self._conn.close()

    def _status(self) -> str:
        status = self._conn.info.transaction_status
        tx = self._psycopg.pq.TransactionStatus
        return {tx.IDLE: "idle", tx.INTRANS: "open", tx.INERROR: "failed"}.get(status, "other")

    def _translate(self, sql: str) -> str:
        """`?` and `:name` (SqlStore's style) as psycopg's `%s` and `%(name)s`."""
        done = self._sql.get(sql)
        if done is None:
            def swap(match: re.Match[str]) -> str:
                if match.group(1):
                    return f"%({match.group(1)})s"
                return "%s" if match.group(0) == "?" else "%%"

            done = self._sql[sql] = _PARAMETERS.sub(swap, sql)
        return done

    def _begin_read(self) -> None:
        """Reads outside a write share one snapshot (REPEATABLE READ) until the next write."""
        if not self._writing and self._status() == "idle":
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")

    def _end_read(self) -> None:
        if not self._writing and self._status() != "idle":
            self.conn.execute("ROLLBACK")
            self._collected = None  # what the next reads see may have changed

    def _execute(self, sql: str, params: Any = ()) -> Any:
        if self._ctes and "pg_temp." in sql:
            sql, params = self._with_replay(sql, params)
        self._begin_read()
        try:
            return self.conn.execute(self._translate(sql), params or None)
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            self._after_error()
            raise user_error(exc, self.path) from None

    def _after_error(self) -> None:
        # a failed read ends its snapshot; a failed write is rolled back by transaction()
        if not self._writing and not self.conn.closed and self._status() == "failed":
            self.conn.execute("ROLLBACK")

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        self._begin_read()
        try:
            with self.conn.cursor() as cur:
                cur.executemany(self._translate(sql), rows)
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            self._after_error()
            raise user_error(exc, self.path) from None

    def _stream(self, sql: str, tuples: bool = False) -> Iterator[Any]:
        """Rows read through a server-side cursor, a few thousand at a time."""
        from psycopg.rows import dict_row, tuple_row

        self._begin_read()
        name = f"nqtrack_stream_{id(sql) & 0xFFFFFF}_{os.urandom(3).hex()}"
        try:
            with self.conn.cursor(name=name, row_factory=tuple_row if tuples else dict_row) as cur:
                cur.itersize = 5000
                cur.execute(self._translate(sql))
                yield from cur
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            self._after_error()
            raise user_error(exc, self.path) from None

    def applied_migrations(self) -> int:
        return len(self._applied_names())

    def _applied_names(self) -> set[str]:
        if not self._scalar(f"SELECT to_regclass('{MIGRATIONS_TABLE}') IS NOT NULL AS found"):
            return set()
        rows = self._rows(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [MIGRATION_SET])
        return {r["name"] for r in rows}

    def _prepare(self, create: bool) -> None:
        """What "only init creates a register" means on a server: nqtrack never creates the
        database (its administrator does, with the rights they choose); `init` (and `import
        --create`, `restore --create`, the target of `copy`) applies the migrations to an
        empty one, and every other command refuses a database without the schema. A
        register of an older schema is upgraded by any command, as on SQLite; one made by
        a newer nqtrack is read, never written."""
        applied = self.applied_migrations()
        if applied == 0:
            if self._has_foreign_tables():
                raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path,
                                    reason="it holds other tables")
            if not create:
                raise NotFound("no register at {path}; 'nqtrack init' creates one", path=self.path)
        if applied > SCHEMA_VERSION:
            self.newer_schema = applied
            self.read_only = DatabaseError(
                "{path} was made by a newer nqtrack (schema {found}; this one knows {known}): it is open read-only",
                path=self.path, found=applied, known=SCHEMA_VERSION)
        elif applied < SCHEMA_VERSION:
            self.created = "m001_initial" in self.migrate()

    def migrate(self, migrations: Sequence[tuple[str, Any]] = ()) -> list[str]:
        """Apply pending migrations, each in its own transaction, one process at a time
        (an advisory lock: the others wait, then find nothing left to do). Returns the
        names of those this process applied."""
        migrations = migrations or MIGRATIONS
        self._end_read()
        self._execute("SELECT pg_advisory_lock(?)", [_MIGRATION_LOCK])
        self._end_read()
        try:
            applied = self._applied_names()
            self._end_read()
            if not applied and self._has_foreign_tables():
                raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path,
                                    reason="it holds other tables")
            self._end_read()
            done = []
            for name, fn in migrations:
                if name in applied:
                    continue
                done.append(name)
                with self._write():
                    self.conn.execute(
                        f"""CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
                                migration_set text NOT NULL, name text NOT NULL, applied_at text NOT NULL,
                                PRIMARY KEY (migration_set, name))""")
                    fn(self.conn)
                    self.conn.execute(
                        f"INSERT INTO {MIGRATIONS_TABLE}(migration_set, name, applied_at) "
                        "VALUES (%s, %s, to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.US'))",
                        [MIGRATION_SET, name])
            return done
        finally:
            self._end_read()
            if not self.conn.closed:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATION_LOCK])

    def _has_foreign_tables(self) -> bool:
        return bool(self._scalar(
            "SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename != ?",
            [MIGRATIONS_TABLE]))

    @staticmethod
    def check_is_nqtrack(url: str) -> int:
        """The schema version of the register at `url`; DatabaseError for anything else."""
        conn = _connect(url, DEFAULT_BUSY_TIMEOUT)
        try:
            found = conn.execute(f"SELECT to_regclass('{MIGRATIONS_TABLE}') IS NOT NULL AS found").fetchone()
            if not found["found"]:
                raise DatabaseError("not an nqtrack database: {path} ({reason})", path=redacted(url),
                                    reason="no nqtrack schema")
            version = conn.execute(f"SELECT count(*) AS n FROM {MIGRATIONS_TABLE} WHERE migration_set = %s",
                                   [MIGRATION_SET]).fetchone()["n"]
        finally:
            conn.close()
        if version > SCHEMA_VERSION:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=redacted(url),
                                reason="made by a newer nqtrack")
        return version

    @staticmethod
    def peek_setting(url: str, key: str) -> str | None:
        """A stored setting read without migrating; None when it cannot be read."""
        try:
            conn = _connect(url, 2)
            row = conn.execute("SELECT value FROM settings WHERE key = %s", [key]).fetchone()
        except Exception:
            return None
        _SPARE[url] = conn
        return row["value"] if row else None

    # -- transactions ------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One READ COMMITTED transaction (an open read snapshot ends first)."""
        self._end_read()
        try:
            self.conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            raise user_error(exc, self.path) from None
        self._writing = True
        self._written.clear()
        try:
            yield
            faults.pause("commit")
            self._raise_marks()
            self.conn.execute("COMMIT")
        except BaseException as exc:
            with suppress(Exception):
                self._drain()  # the writer's error, if any, is lost with the transaction
            if not self._conn.closed and self._status() != "idle":
                self._conn.execute("ROLLBACK")
            if isinstance(exc, self._psycopg.Error):
                raise user_error(exc, self.path) from None
            raise
        finally:
            self._writing = False
            self._written.clear()

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[None]:
        """One short write transaction, taken for the use cases of `nqtrack.app` (they own
        every transaction); rolled back whole on any error. `wait=False`: an error soon
        when another session holds a row or lock it needs (work that can be skipped)."""
        if self.read_only is not None:
            raise self.read_only
        with self._write():
            if not wait:
                self._execute("SET LOCAL lock_timeout = '200ms'")
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One consistent view of the whole register for the reads inside (a copy, a backup,
        a report)."""
        self._begin_read()
        try:
            with self._steady_reads():
                yield
        finally:
            self._end_read()

    def _figure_rights(self) -> tuple[bool, bool]:
        """Whether this session's role may read and write the figures kept (m013: the roles
        that see every row read them; the secretariat writes them)."""
        if self._figure_rights_seen is None:
            row = self._one("""SELECT has_table_privilege('figure_cache', 'SELECT') AS reads,
                                      has_table_privilege('figure_cache', 'INSERT') AS writes""")
            self._figure_rights_seen = (bool(row and row["reads"]), bool(row and row["writes"]))
        return self._figure_rights_seen

    def may_read_figures(self) -> bool:
        return self._figure_rights()[0]

    def may_keep_figures(self) -> bool:
        return self.read_only is None and self._figure_rights()[1]

    def document_keys_while_writing(self) -> set[str] | None:
        """The symbol keys of the documents in use, once this transaction holds the lock that
        keeps other sessions from adding, changing or merging a document until it ends (SHARE
        ROW EXCLUSIVE: readers, and writers of tasks that cite a document, go on). Without it
        every new symbol of an import asked the server, and each question waited for the rows
        written behind: 49 waits, 4.9 s of an import of 100,000 rows. None for a role that
        may not change documents (it could not take the lock)."""
        if not self._scalar("SELECT has_table_privilege('documents', 'UPDATE') AS allowed"):
            return None
        self._execute("LOCK TABLE documents IN SHARE ROW EXCLUSIVE MODE")
        return set(self._ids("SELECT DISTINCT symbol_key FROM documents WHERE merged_into IS NULL"))

    def use_large_cache(self) -> None:
        """Nothing to do: the server's shared buffers are the cache."""

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Many new tasks written at once (an import), inside the caller's transaction. Into a
        register without tasks, whose tables this role owns, the secondary indexes of the
        tables an import fills and their foreign keys are dropped and made again at the end:
        each index built in one sorted pass, each key checked in one join, where the server
        otherwise checked every row's keys one by one (~4 s of an import of 100,000 rows).
        A failure rolls the transaction back, the dropped indexes and keys with it. Kept: the
        primary and unique keys and the index the import reads while it writes."""
        tables = ", ".join(f"'{t}'" for t in BULK_TABLES)
        if self._scalar("SELECT EXISTS (SELECT 1 FROM tasks)") or not self._scalar(
                f"""SELECT bool_and(pg_has_role(tableowner, 'USAGE')) FROM pg_tables
                    WHERE schemaname = current_schema() AND tablename IN ({tables})"""):
            yield
            return
        indexes = [(r["indexname"], r["indexdef"]) for r in self._rows(
            f"""SELECT indexname, indexdef FROM pg_indexes
                WHERE schemaname = current_schema() AND tablename IN ({tables})
                  AND indexdef NOT LIKE 'CREATE UNIQUE %' AND indexname NOT IN ({", ".join(
                      f"'{n}'" for n in BULK_KEPT_INDEXES)})
                ORDER BY indexname""")]
        keys = [(r["relname"], r["conname"], r["definition"]) for r in self._rows(
            f"""SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) AS definition
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace
                  AND c.relname IN ({tables})
                ORDER BY c.relname, k.conname""")]
        idle = self._idle_triggers(tables)
        for table, name, _definition in keys:
            self._execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            self._execute(f'DROP INDEX "{name}"')
        for table, name in idle:
            self._execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        yield
        for table, name in idle:
            self._execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        for _name, definition in indexes:
            self._execute(definition)
        for table, name, definition in keys:
            self._execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def _idle_triggers(self, tables: str) -> list[tuple[str, str]]:
        """The who-recorded triggers (m012_rights) of the tables an import fills, when they
        would change nothing in this session: its user is no member of nqtrack's group roles
        (the owner, an administrator), so every row keeps the recorded_by it is given. Each
        one ran a catalog query per row, 7 of the 8 s the server spent on the 292,000 events
        of 100,000 tasks. They are off only inside the load's transaction, which holds the
        tables' locks (bulk_load dropped their indexes): no other session writes meanwhile,
        or ever sees them off."""
        groups, names = self._in("g.rolname", GROUP_ROLES)
        if self._scalar(
                f"""SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                   JOIN pg_roles r ON r.oid = m.member
                                   WHERE r.rolname = session_user AND {groups})""", names):
            return []
        return [(r["relname"], r["tgname"]) for r in self._rows(
            f"""SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgfoid = to_regproc('nqtrack_recorded_by')
                  AND c.relnamespace = current_schema()::regnamespace AND c.relname IN ({tables})
                ORDER BY c.relname, t.tgname""")]

    # -- backup and restore --------------------------------------------------------

    def backup_to(self, target: str) -> None:
        """A consistent copy of the register (one snapshot) as an nqtrack SQLite file, which
        `restore` (or `copy`) takes back and which opens on a laptop as it is."""
        with self.snapshot():
            self._write_backup(target)

    def _write_backup(self, target: str) -> None:
        """The register as this connection sees it, into a SQLite file written under a name
        of its own beside `target` and renamed, so a backup cut short never looks complete."""
        from nqtrack.store.sqlite import SqliteStore, beside, remove

        partial = beside(target, "partial")
        try:
            copy = SqliteStore(partial, create=True)
            try:
                copy.conn.execute("BEGIN IMMEDIATE")
                copy.load_export({table: self.export_rows(table) for table in EXPORT_TABLES})
                faults.pause("backup")
                copy.conn.execute("COMMIT")
                copy.conn.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            os.replace(partial, target)
        except OSError as exc:
            raise StorageError("cannot write {path}: {reason}", path=target, reason=exc.strerror or str(exc)) from None
        finally:
            remove(partial, partial + "-wal", partial + "-shm", partial + "-journal")

    # every table of the register, in an order a writer takes them too (see restore_from)
    _ALL_TABLES = (*EXPORT_TABLES, "unit_keys", "task_search")

    def restore_from(self, source: str, kept: str | None = None) -> None:
        """Replace the register's content with `source`'s (a backup file or another
        register, of this schema or an older one), in one transaction that other
        connections see whole. It holds the register's write lock (every table locked
        EXCLUSIVE: readers go on, writers wait) from the safety copy (`kept`) to the
        replacement, so every write of another session lands either before the copy, and
        so in `kept`, or after the restore."""
        if self.read_only is not None:
            raise self.read_only
        origin, staged = self._open_source(source)
        try:
            with origin.snapshot(), self._write():
                self.conn.execute(f"LOCK TABLE {', '.join(self._ALL_TABLES)} IN EXCLUSIVE MODE")
                if kept:
                    self._write_backup(kept)
                faults.pause("restore")
                for table in reversed(self._ALL_TABLES):  # DELETE, not TRUNCATE: readers are not stopped
                    self.conn.execute(f"DELETE FROM {table}")
                self.load_export({table: origin.export_rows(table) for table in EXPORT_TABLES})
                self.forget_figures()
        finally:
            origin.close()
            if staged:
                from nqtrack.store.sqlite import remove

                remove(staged, staged + "-wal", staged + "-shm", staged + "-journal")

    @staticmethod
    def _open_source(source: str) -> tuple[Any, str | None]:
        """The register a restore reads: a server's as it is; a SQLite backup through a
        private copy in the temporary folder, brought to this version's schema there (an
        older backup is never upgraded in place)."""
        from nqtrack.store import is_server, open_store

        if is_server(source):
            return open_store(source), None
        import tempfile

        from nqtrack.store.sqlite import SqliteStore, beside, open_read_only

        staged = beside(os.path.join(tempfile.gettempdir(), os.path.basename(source)), "restoring")
        reader = open_read_only(source)
        try:
            SqliteStore._backup(reader, staged)
        finally:
            reader.close()
        return SqliteStore(staged, create=False, keep_before_upgrade=False), staged

    # -- the register as a whole ---------------------------------------------------------

    # the server keeps its files whole and every reference checked: `check` looks at what
    # the register keeps beside its tasks (SqlStore.integrity_problems) and the tasks' rules

    def _columns(self, table: str) -> dict[str, Any]:
        rows = self._rows(
            "SELECT column_name, column_default FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", [table])
        return {r["column_name"]: self._scalar(f"SELECT {r['column_default']} AS value")
                if r["column_default"] is not None else None for r in rows}

    def _integrity_errors(self) -> tuple[type[BaseException], ...]:
        return (self._psycopg.errors.IntegrityError,)

    def _after_load(self) -> None:
        for table in _IDENTITY_TABLES:
            self._execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) AS n "
                f"FROM {table}")
        self._reindex([row["id"] for row in self._rows("SELECT id FROM tasks")])
        # the planner's statistics now, not when autovacuum next passes
        for table in (*EXPORT_TABLES, "unit_keys", "task_search"):
            self._execute(f"ANALYZE {table}")

    # -- the engine's hooks ---------------------------------------------------------

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """COPY: the rows of a bulk write in one stream. Inside a write, a large one goes to
        the writer thread and this returns at once: the next use of the connection waits for
        it (and raises its error), and the rows are the transaction's all the same."""
        if not rows:
            return
        if self._writing and len(rows) >= 100:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_jobs, name="nqtrack-copy", daemon=True)
                self._writer.start()
                _quick_switch(True)
            self._jobs.put((table, columns, rows))
            return
        self._begin_read()
        self._copy(table, columns, rows)

    def _write_jobs(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._writer_error is None:  # after an error, the transaction is lost anyway
                    self._copy(*job)
            except BaseException as exc:
                self._writer_error = exc
            finally:
                self._jobs.task_done()

    def _copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if self._row_security(table):  # the server takes no COPY FROM into a table whose policies hold
            self._insert_each(table, columns, rows)
            return
        try:
            with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except self._psycopg.errors.UniqueViolation as exc:
            if table == "tasks" and "code" in columns and "(code)" in str(exc):
                # another writer took the code since insert_tasks looked (the look-up saw none)
                at = list(columns).index("code")
                raise InvalidInput("a task with code '{code}' already exists",
                                   code=", ".join(r[at] for r in rows if r[at])) from None
            raise user_error(exc, self.path) from None
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            raise user_error(exc, self.path) from None

    # -- users are the server's login roles (m012_rights) -------------------------------------

    def session_user(self) -> str:
        """Who the server says is connected: on PostgreSQL the acting user, never --user."""
        return str(self._scalar("SELECT session_user AS login"))

    def add_user(self, login: str, role: str, unit_id: int | None, name: str | None, *, by: str,
                 recorded_at: str) -> None:
        """The users row, and its login role in the group of its role (made, or given its
        LOGIN back): the secretariat user needs CREATEROLE and ADMIN OPTION on the groups."""
        super().add_user(login, role, unit_id, name, by=by, recorded_at=recorded_at)
        group = f"nqtrack_{role}"
        if self._scalar("SELECT count(*) AS n FROM pg_roles WHERE rolname = ?", [login]):
            self._execute(f'ALTER ROLE "{login}" LOGIN')
        else:
            self._execute(f'CREATE ROLE "{login}" LOGIN')
        for other in GROUP_ROLES:
            if other != group and self._scalar("SELECT pg_has_role(?, ?, 'MEMBER') AS m", [login, other]):
                self._execute(f'REVOKE {other} FROM "{login}"')
        self._execute(f'GRANT {group} TO "{login}"')

    def remove_user(self, login: str, *, by: str, recorded_at: str, note: str | None = None) -> dict[str, Any]:
        """The user marked removed, and its login role can log in no more (the role stays:
        the journal and the server's own records name it)."""
        user = super().remove_user(login, by=by, recorded_at=recorded_at, note=note)
        if self._scalar("SELECT count(*) AS n FROM pg_roles WHERE rolname = ?", [login]):
            self._execute(f'ALTER ROLE "{login}" NOLOGIN')
        return user

    def _row_security(self, table: str) -> bool:
        """Whether row-level policies hold for this session on `table` (m012_rights): every
        role but a superuser or one that bypasses them."""
        if table not in self._secured:
            row = self._conn.execute("SELECT row_security_active(to_regclass(%s)) AS active", [table]).fetchone()
            self._secured[table] = bool(row and row["active"])
        return self._secured[table]

    def _insert_each(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                f"({', '.join(['%s'] * len(columns))})", rows)
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            raise user_error(exc, self.path) from None

    def _reserve_task_ids(self, count: int) -> list[int]:
        rows = self._rows("SELECT nextval(pg_get_serial_sequence('tasks', 'id')) AS id FROM generate_series(1, ?)",
                          [count])
        return [r["id"] for r in rows]

    GAPLESS = False  # a sequence hands out numbers a rolled-back write leaves unused
    LOCK_ROW = " FOR UPDATE"
    FALSE = "false"
    NULLS_FIRST = " NULLS FIRST"
    TEMP = "pg_temp"

    @staticmethod
    def _concat(expression: str, separator: str, order: str) -> str:
        return f"string_agg({expression}, '{separator}' ORDER BY {order})"

    @staticmethod
    def _count_if(term: str) -> str:
        return f"count(*) FILTER (WHERE {term})"

    @staticmethod
    def _least(a: str, b: str) -> str:
        return f"LEAST({a}, {b})"

    @staticmethod
    def _array(expression: str) -> str:
        return f"ARRAY[{expression}]"

    @staticmethod
    def _first(array: str) -> str:
        return f"({array})[1]"

    @staticmethod
    def _days_between(later: str, earlier: str) -> str:
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"

    def _id_set(self, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
        return self._in(column, ids)  # one array parameter, however many

    @staticmethod
    def _no_index(column: str) -> str:
        return column

    @staticmethod
    def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(values)]

    @staticmethod
    def _in_query(column: str, subquery: str) -> str:
        # an array, not a semi-join: the planner can then OR it with the other terms' indexes
        return f"{column} = ANY(ARRAY({subquery}))"

    @staticmethod
    def _text(expression: str) -> str:
        return f"CAST({expression} AS text)"

    @staticmethod
    def _differ(a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}"

    @contextmanager
    def _beside(self, work: Callable[[SqlStore], Any]) -> Iterator[Callable[[], Any]]:
        """`work` on a second connection of its own, in a thread, reading the snapshot of this
        session's reads (pg_export_snapshot, SET TRANSACTION SNAPSHOT): what both see is one
        register. The server runs the statement while Python goes on (psycopg lets go of the
        GIL while it waits). Inside a write, or where the snapshot cannot be exported (a
        standby may refuse it), at once here."""
        snapshot = None
        if not self._writing:
            with suppress(self._psycopg.Error, UserError):
                snapshot = self._scalar("SELECT pg_export_snapshot() AS snapshot")
        if not isinstance(snapshot, str) or not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot):
            with super()._beside(work) as result:
                yield result
            return
        opened: list[Any] = []

        def run() -> Any:
            beside = copy.copy(self)
            beside._conn = _connect(self.url, self.busy_timeout)
            opened.append(beside._conn)
            beside._writer = None
            try:
                beside._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                beside._conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                return work(beside)
            except self._psycopg.Error as exc:
                raise user_error(exc, self.path) from None
            finally:
                with suppress(self._psycopg.Error):
                    beside._conn.close()

        def stop() -> None:
            for conn in opened:
                with suppress(Exception):
                    conn.cancel_safe()

        with self._running_apart(run, stop) as result:
            yield result

    def _read_only(self) -> bool:
        """Whether this session cannot write even temporary tables (a hot standby, a register
        set read-only): the as-of replay then goes into the views' queries instead."""
        if self._cannot_write is None:
            self._cannot_write = self._scalar("SHOW transaction_read_only") == "on"
        return self._cannot_write

    def _with_replay(self, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A view's query with the replay's tables as materialized common table expressions,
        for a session that cannot write them (see _read_only)."""
        merged: dict[str, Any] = {}
        parts = []
        for name, (select, values) in self._ctes.items():
            parts.append(f"{name} AS MATERIALIZED ({select.replace('pg_temp.', '')})")
            merged.update(values or {})
        body = sql.replace("pg_temp.", "").lstrip()
        if body.startswith("WITH "):
            body = body[len("WITH "):]
        else:
            body = f"nqtrack_view AS ({body}) SELECT * FROM nqtrack_view"
        return "WITH " + ", ".join(parts) + ", " + body, {**merged, **params}

    def _temp_table(self, name: str, select: str, params: Any,
                    indexes: Sequence[tuple[str, str, bool]] = ()) -> None:
        """Made once per session (its columns from the query, bound on the client: the
        server binds no parameters in CREATE TABLE AS), then emptied and filled again, so
        that the report's thirteen as-of days cost no catalog changes; analysed after each
        fill, since autovacuum never looks at temporary tables."""
        if self._read_only():
            self._ctes[name] = (select, params)
            return
        self._begin_read()
        try:
            exists = self.conn.execute("SELECT to_regclass(%s) IS NOT NULL AS found", [f"pg_temp.{name}"]).fetchone()
            if not exists["found"]:
                with self._psycopg.ClientCursor(self.conn) as cur:
                    cur.execute(f"CREATE TEMP TABLE {name} AS {self._translate(select)} WITH NO DATA", params or None)
                for index, columns, unique in indexes:
                    self.conn.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX {index} ON pg_temp.{name}({columns})")
            else:
                self.conn.execute(f"DELETE FROM pg_temp.{name}")
            rows = self.conn.execute(f"INSERT INTO pg_temp.{name} {self._translate(select)}", params or None).rowcount
            known = self._analyzed.get(name)
            if not exists["found"] or known is None or not known / 2 <= rows <= known * 2 + 100:
                # statistics again only when the size changed much: a trend's months are alike
                self.conn.execute(f"ANALYZE pg_temp.{name}")
                self._analyzed[name] = rows
        except (self._psycopg.Error, UnicodeEncodeError) as exc:
            self._after_error()
            raise user_error(exc, self.path) from None

    # -- units and documents: one writer at a time may create them --------------------

    def _lock(self, what: str) -> None:
        """A transaction-level advisory lock on `what`, so that two offices importing at
        once do not both create the unit (or document) neither saw."""
        key = zlib.crc32(what.encode()) - 2**31  # the two-int form: a key of its own beside the migrations'
        self._execute("SELECT pg_advisory_xact_lock(?, ?) AS locked", [_MIGRATION_LOCK, key])

    def add_unit(self, name: str, code: str | None = None, parent_id: int | None = None,
                 aliases: Sequence[str] = (), email: str | None = None) -> Any:
        self._lock("units")
        return super().add_unit(name, code, parent_id, aliases, email)

    def add_document(self, symbol: str, **kwargs: Any) -> Any:
        from nqtrack.core.symbols import symbol_key

        self._lock(f"document {symbol_key(symbol)}")
        return super().add_document(symbol, **kwargs)

    # -- search ------------------------------------------------------------------------

    def _search_index(self) -> Iterator[tuple[int, str | None]]:
        # the words a search matches, and their count, must be the text's. The words are
        # compared as the server writes the array out (turned into a list of strings they were
        # a third of this pass): the same text is the same one-dimensional array
        for task_id, body, count, words in self._stream(
                "SELECT task_id, body, tokens, words::text FROM task_search ORDER BY task_id", tuples=True):
            tokens = search_tokens(body)
            same = count == len(tokens) and words == _array_text(sorted(set(tokens)))
            yield task_id, body if same else None

    def _search_row(self, task_id: int, body: str) -> list[Any]:
        tokens = search_tokens(body)
        # the array as text, as PostgreSQL writes it out and reads it in: COPY takes it as
        # text, a list would be dumped element by element, at 5 s per 100,000 tasks
        return [task_id, body, len(tokens), _array_text(sorted(set(tokens)))]

    @contextmanager
    def _reindexing(self, task_ids: Sequence[int]) -> Iterator[None]:
        yield
        self._reindex(task_ids)

    def _reindex(self, task_ids: Sequence[int]) -> None:
        """Rewrite the search text of these tasks (inside the write's transaction)."""
        if not task_ids:
            return
        rows = self._search_rows(task_ids)
        self._execute("DELETE FROM task_search WHERE task_id = ANY(?)", [list(task_ids)])
        self._insert_rows("task_search", _SEARCH_COLUMNS, [self._search_row(i, body) for i, body in rows])

    def _index_new_tasks(self, rows: list[dict[str, Any]], documents: dict[int, str]) -> None:
        self._insert_rows("task_search", _SEARCH_COLUMNS, [
            self._search_row(r["id"], self._search_body(r, documents.get(r["document_id"]))) for r in rows])

    def _found_tasks(self, text: str, where: list[str], params: list[Any], limit: int | None
                     ) -> list[dict[str, Any]]:
        ranked = self._search_ids(text)
        if not ranked:
            return []
        # the ids the filters keep, best matches first, cut to the limit; then their rows
        sql, values = self._in("t.id", ranked)
        kept = set(self._ids(f"SELECT t.id FROM tasks t WHERE {' AND '.join([*where, sql])}", [*params, *values]))
        chosen = [task_id for task_id in ranked if task_id in kept][: int(limit) if limit else None]
        if not chosen:
            return []
        sql, values = self._in("t.id", chosen)
        place = {task_id: i for i, task_id in enumerate(chosen)}
        return sorted(self._rows(f"{self._task_select()} WHERE {sql}", values), key=lambda r: place[r["id"]])

    def _search_ids(self, text: str) -> list[int] | None:
        """Whole words, accents optional, every word required, best first: the tasks and the
        order SQLite's FTS5 gives (bm25 over the same words; see store.sql.bm25_order)."""
        phrases = search_phrases(text)
        if not phrases:
            return None
        if not all(phrases):
            return []  # a word FTS5 reads as no token matches nothing
        totals = self._one("SELECT count(*) AS n, coalesce(sum(tokens), 0) AS size FROM task_search")
        assert totals is not None
        hits = []
        for phrase in phrases:
            if len(phrase) == 1:
                hits.append(self._scalar("SELECT count(*) AS n FROM task_search WHERE words @> ?", [phrase]))
            else:
                rows = self._rows("SELECT task_id, body FROM task_search WHERE words @> ?", [sorted(set(phrase))])
                hits.append(len(bm25_order([(r["task_id"], r["body"]) for r in rows], [phrase], [1], 1, 1)))
        words = sorted({token for phrase in phrases for token in phrase})
        candidates = self._rows("SELECT task_id, body FROM task_search WHERE words @> ?", [words])
        return bm25_order([(r["task_id"], r["body"]) for r in candidates], phrases, hits, totals["n"],
                          totals["size"])


if TYPE_CHECKING:  # mypy holds the engine to the interface the use cases call
    from nqtrack.store.base import Store

    def _satisfies(store: PostgresStore) -> Store:
        return store
