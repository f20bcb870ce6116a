"""The SQLite store: the embedded register, one file. The rules and the SQL both engines
share are `store.sql.SqlStore`'s; here are the connection, the creation and opening of the
file, the migrations (in `sqlite_migrations`), backup and restore, transactions, the
file's own integrity check, the search index (FTS5) and SQLite's side of the hooks.

Reads go through the plain sqlite3 connection (so that read-only commands start
fast); migrations go through sqlite-utils, which is imported lazily. Store methods
never open a transaction: the use cases in `nqtrack.app` do, with `transaction()`,
one `BEGIN IMMEDIATE` each, so concurrent writers queue on the busy timeout instead
of failing on a lock upgrade. SQLite's errors never leave this module as such: a
locked database, a full disk or a read-only file become the typed errors of
`nqtrack.core.errors`.
"""

from __future__ import annotations

import copy
import os
import queue
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nqtrack import faults
from nqtrack.core.errors import DatabaseError, DatabaseLocked, NotFound, StorageError, UserError
from nqtrack.core.text import fold
from nqtrack.store.base import Document
from nqtrack.store.sql import OPEN_SQL, RECUR_BATCH_PREFIX, SqlStore, bad_value, fold_repeated

__all__ = ["DEFAULT_BUSY_TIMEOUT", "MIGRATIONS_TABLE", "OPEN_SQL", "RECUR_BATCH_PREFIX", "SCHEMA_VERSION",
           "SqliteStore", "beside", "open_read_only", "remove", "user_error"]

# How many migrations this version ships; when the database has applied this many,
# the migration machinery (and sqlite-utils) is not even imported.
SCHEMA_VERSION = 15
MIGRATION_SET = "nqtrack"
DEFAULT_BUSY_TIMEOUT = 10.0


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text



def user_error(exc: sqlite3.Error, path: str) -> Exception:
    """The typed error for what SQLite reports about the file or the machine (a lock, a
    full disk, a read-only file, a failing disk); the exception itself for anything
    else (a bug)."""
    text = str(exc).lower()
    if _is_locked(exc):
        return DatabaseLocked("database is locked: {path}", path=path)
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError("the disk is full: nothing was written to {path}", path=path)
    if "readonly" in text or "read-only" in text:
        return StorageError("the register is read-only: {path}", path=path)
    if "disk i/o error" in text or "unable to open database file" in text:
        return StorageError("cannot read or write {path}: {reason}", path=path, reason=str(exc))
    return exc


def file_uri(path: str, **params: str) -> str:
    """`path` as a SQLite file: URI, escaped, so that '#', '?' and '%' in a name stay part
    of the name (unescaped, 'so#1.db' would open a file named 'so')."""
    uri = "file:" + quote(os.fsencode(os.path.abspath(path)))
    return uri + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _probe(conn: sqlite3.Connection) -> None:
    """Make SQLite open the file now (it opens lazily), so that failures show here."""
    sqlite3.Connection.execute(conn, "SELECT count(*) FROM sqlite_master").fetchone()


def open_read_only(path: str, timeout: float = DEFAULT_BUSY_TIMEOUT, factory: Any = sqlite3.Connection) -> Any:
    """A read-only connection that changes nothing in the file. On read-only media a WAL
    database has no -shm file and none can be made: it is then opened immutable, which
    is safe there because no one else can be writing to it either."""
    failure: sqlite3.OperationalError | None = None
    for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        conn = sqlite3.connect(file_uri(path, **params), uri=True, timeout=timeout, factory=factory)
        try:
            _probe(conn)
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            # no -shm and no way to make one: "unable to open" (read-only media), or
            # SQLITE_READONLY_DIRECTORY (a folder this account cannot write to)
            if "unable to open" not in str(exc).lower() and "readonly" not in str(exc).lower():
                raise
            failure = exc
    assert failure is not None
    raise failure


def remove(*paths: str) -> None:
    for path in paths:
        with suppress(FileNotFoundError):
            os.unlink(path)


def beside(path: str, what: str) -> str:
    """A hidden name of its own beside `path`, for a file written and then renamed."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{uuid.uuid4().hex[:12]}.{what}")


# the rows written behind may be this many statements (a few chunks of an import) ahead
WRITE_BEHIND_JOBS = 12


@lru_cache(maxsize=1)
def _fts5_compares_content() -> bool:
    """Whether this SQLite's FTS5 integrity check (rank 1) holds an index to its external
    content: 3.40 does; builds that check only the index's own structure would pass an index
    unlike its tasks. Tried once a process, in memory, on an index made unlike its content."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE TABLE content(id INTEGER PRIMARY KEY, body TEXT)")
        con.execute("CREATE VIRTUAL TABLE words USING fts5(body, content = 'content', content_rowid = 'id')")
        con.execute("INSERT INTO content VALUES (1, 'one')")
        con.execute("INSERT INTO words(rowid, body) VALUES (1, 'other')")
        try:
            con.execute("INSERT INTO words(words, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError:  # "database disk image is malformed": the difference found
            return True
        return False
    finally:
        con.close()


# Rows an INSERT statement holds at most (_insert_many). Each size of statement stays prepared
# in the connection's cache, with its last values bound: as many rows as SQLite binds values
# for (1,424 tasks) kept 36 MB more through an import of 100,000 rows, 1,024 keep 8 MB (a bound
# that does not grow with the file); fewer rows a statement take the GIL back more often (256:
# the importing thread waited 2.4 s for the writer, against 1.5 s with 1,024 and 4.5 s with one
# row a statement).
ROWS_A_STATEMENT = 1024


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    """INSERT of `rows` rows in one statement: VALUES (?, …), (?, …), …"""
    one = f"({', '.join('?' * len(columns))})"
    return f"INSERT INTO {table}({', '.join(columns)}) VALUES {', '.join([one] * rows)}"


def _piece_sizes(count: int, most: int) -> Iterator[int]:
    """`count` rows cut into statements of `most` rows, then of powers of two for the rest:
    few statements of few sizes (each size is a statement SQLite's cache keeps prepared,
    with its last values bound), whatever the counts written."""
    while count:
        size = min(most, 1 << (count.bit_length() - 1))
        yield size
        count -= size


# rows to write behind: table, columns, rows (None ends the writer's thread)
_Job = tuple[str, tuple[str, ...], Sequence[Sequence[Any]]]


class _Connection(sqlite3.Connection):
    """A connection whose statements raise the typed errors of `user_error`, so that no
    caller above the store ever matches SQLite's messages. A number too large for SQLite
    or text that is not UTF-8 (bytes passed through from the command line) is the user's
    error too, wherever it slipped past the checks above."""

    path = ""
    # rows written behind (write_behind): a thread of their own, their queue, its first error
    _behind: threading.Thread | None = None
    _jobs: queue.Queue[_Job | None] | None = None
    _behind_error: BaseException | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the search index reads a task's text through the view task_search_text (m014)
        self.create_function("nqtrack_search_text", 9, SqlStore.search_text, deterministic=True)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.caught_up()
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None
        except (OverflowError, UnicodeEncodeError) as exc:
            raise bad_value(exc) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        self.caught_up()
        return self._executemany(sql, parameters)

    def _executemany(self, sql: str, parameters: Iterable[Any]) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None
        except (OverflowError, UnicodeEncodeError) as exc:
            raise bad_value(exc) from None

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows, many in each statement (_insert_many)."""
        self.caught_up()
        self._insert_many(table, tuple(columns), rows)

    def _insert_many(self, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """The rows in statements of up to ROWS_A_STATEMENT rows (VALUES (…), (…), …), not one
        statement a row (executemany): a statement's values are bound in one call and SQLite
        writes them all without the GIL, where executemany takes the GIL back after every
        row. A thread writing behind (write_behind) then waited for the importing thread's
        Python at each row, so that the two barely overlapped (issue 20: an import of 100,000
        rows took its main thread's CPU plus the writer's). The rows, their order, their
        values' types and the errors are executemany's (the same binding); rows of another
        width go to executemany, which says which."""
        width = len(columns)
        if not rows:
            return
        if not width or set(map(len, rows)) != {width}:  # refused by executemany, as before
            self._executemany(_insert_sql(table, columns, 1), rows)
            return
        most = max(1, min(ROWS_A_STATEMENT, self.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
        start = 0
        for size in _piece_sizes(len(rows), most):
            values = list(chain.from_iterable(rows[start:start + size]))
            start += size
            try:
                super().execute(_insert_sql(table, columns, size), values)
            except sqlite3.OperationalError as exc:
                raise user_error(exc, self.path) from None
            except (OverflowError, UnicodeEncodeError) as exc:
                raise bad_value(exc) from None

    def write_behind(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows on a thread of its own and return at once: SQLite releases the GIL while
        it writes (_insert_many), so the import parses its next rows meanwhile. Every other
        use of the connection first waits for those rows (caught_up) and raises their error:
        the statements run in the order given, in the same transaction."""
        if self._jobs is None:
            # bounded: an import that parses faster than SQLite writes waits here, so its
            # memory stays flat in the file's size (unbounded, 100,000 rows took 289 MB, not 186)
            self._jobs = queue.Queue(maxsize=WRITE_BEHIND_JOBS)
            self._behind = threading.Thread(target=self._write_jobs, args=(self._jobs,), daemon=True,
                                             name="nqtrack-write-behind")
            self._behind.start()
        self._jobs.put((table, tuple(columns), rows))

    def _write_jobs(self, jobs: queue.Queue[_Job | None]) -> None:
        while (job := jobs.get()) is not None:
            try:
                if self._behind_error is None:  # after an error the transaction is lost: skip
                    self._insert_many(*job)
            except BaseException as exc:  # raised in the caller's thread by caught_up
                self._behind_error = exc
            finally:
                jobs.task_done()
        jobs.task_done()

    def caught_up(self) -> None:
        """Wait for the rows written behind; raise the first error they met."""
        if self._jobs is not None:
            self._jobs.join()
            error, self._behind_error = self._behind_error, None
            if error is not None:
                raise error

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.put(None)
            if self._behind is not None:
                self._behind.join()
            self._jobs = self._behind = None
        super().close()



# sqlite-utils keeps the applied migrations in the table its `Migrations.migrations_table`
# names (public API); the fast path reads it without importing sqlite-utils, and
# tests/test_store.py fails if the name ever changes.
MIGRATIONS_TABLE = "_sqlite_migrations"
# the indexes a bulk load into a new register keeps up as it writes (bulk_load): the import
# looks a row without a code up by its document and title
BULK_KEPT_INDEXES = ("tasks_document_title",)



class SqliteStore(SqlStore):
    """The register in one SQLite file (see the module docstring).

    `create`: make the register when the file does not exist (the command line asks for it
    only for `init`, `import --create` and `restore --create`; tests and tools default to
    it). A register this program cannot write (read-only media, or one made by a newer
    nqtrack) is opened read-only: `read_only` holds the error a write then raises."""

    engine = "sqlite"

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        create: bool = True,
        keep_before_upgrade: bool = True,
    ) -> None:
        super().__init__()
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self.keep_before_upgrade = keep_before_upgrade
        self._db: Any = None  # sqlite_utils.Database, made for migrations
        self.created = False  # this process made the file
        self.read_only: UserError | None = None
        self.newer_schema: int | None = None  # the schema of a register made by a newer nqtrack
        self._bulk = False  # inside bulk_load
        # inside bulk_load, the register held (BEGIN IMMEDIATE): the next ids counted here, and
        # the words of the documents written behind, so that no read waits for those rows
        self._next_task_id: int | None = None
        self._next_document_id: int | None = None
        self._documents_behind: dict[int, str] = {}
        if self.path == ":memory:":
            self.conn = self._connect(self.path, uri=False)
            self._configure()
            self._upgrade()
            return
        if os.path.isdir(self.path):
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path, reason="it is a folder")
        if os.path.exists(self.path) and not os.path.isfile(self.path):  # a device or a pipe: never opened
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path,
                                reason="not a regular file")
        if not os.path.exists(self.path):
            if not create:
                raise NotFound("no register at {path}; 'nqtrack init' creates one", path=self.path)
            self.created = self._create()
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError as exc:  # "file is not a database"
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path, reason=str(exc)) from None
        try:
            self._prepare(create)
        except BaseException:
            self.conn.close()
            raise

    # -- connection and schema -------------------------------------------------

    def _connect(self, target: str, *, uri: bool = True) -> _Connection:
        # used by a second thread only while bulk_load writes rows behind, one thread at a time
        conn = sqlite3.connect(target, timeout=self.busy_timeout, factory=_Connection, uri=uri,
                               check_same_thread=False)
        conn.path = self.path
        conn.row_factory = sqlite3.Row
        return conn

    def _create(self) -> bool:
        """Build the register under a name of its own beside `path`, then link it into
        place: the path never holds half a register (a process killed meanwhile leaves
        only its own hidden file), and of several processes creating it at once one links
        its register and the others open that one. Folders are never made. True when this
        process made the file."""
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise NotFound("the folder {folder} does not exist", folder=folder)
        building = beside(self.path, "creating")
        try:
            # owner and group at most, within the umask: the register is not for every account
            os.close(os.open(building, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660))
            SqliteStore(building, busy_timeout=self.busy_timeout, create=True)._built()
            try:
                os.link(building, self.path)
            except FileExistsError:
                return False  # another process linked its register first: it is whole, use it
            except OSError:  # a file system without hard links (FAT): rename, unless another was first
                if os.path.exists(self.path):
                    return False
                os.replace(building, self.path)
            return True
        except OSError as exc:
            raise StorageError("cannot create {path}: {reason}", path=self.path,
                               reason=exc.strerror or str(exc)) from None
        except UserError as exc:
            if exc.args_.get("path") == building:  # say the name the user gave
                exc.args_["path"] = self.path
            raise
        finally:
            remove(building, building + "-wal", building + "-shm", building + "-journal")

    def _built(self) -> None:
        """The end of a creation: the schema is in (the fault point for the crash tests)."""
        faults.pause("create")
        self.close()

    def _open(self) -> _Connection:
        folder = os.path.dirname(os.path.abspath(self.path))
        if os.access(self.path, os.W_OK) and os.access(folder, os.W_OK):
            conn = self._connect(file_uri(self.path, mode="rw"))
            try:
                _probe(conn)
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                if "unable to open" not in str(exc).lower() and "readonly" not in str(exc).lower():
                    raise user_error(exc, self.path) from None
        return self._open_read_only(StorageError("the register is read-only: {path}", path=self.path))

    def _open_read_only(self, why: UserError) -> _Connection:
        self.read_only = why
        try:
            conn = open_read_only(self.path, self.busy_timeout, _Connection)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None
        conn.path = self.path
        conn.row_factory = sqlite3.Row
        return conn

    def _configure(self) -> None:
        self.conn.execute("PRAGMA foreign_keys = ON")
        # WAL makes NORMAL safe (no corruption on power loss; at worst the last commit is lost)
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def _prepare(self, create: bool) -> None:
        """Check what the file holds before changing anything in it (a foreign database
        is refused as it is), then bring it to this version's schema."""
        try:
            applied = self.applied_migrations()
            foreign = applied == 0 and self._has_foreign_tables()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path, reason=str(exc)) from None
        if foreign:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=self.path,
                                reason="it holds other tables")
        if applied == 0 and not create:
            raise NotFound("{path} holds no register yet (was its creation cut short?); 'nqtrack init' makes one",
                           path=self.path)
        if applied > SCHEMA_VERSION:
            self.newer_schema = applied
            newer = DatabaseError(
                "{path} was made by a newer nqtrack (schema {found}; this one knows {known}): it is open read-only",
                path=self.path, found=applied, known=SCHEMA_VERSION)
            if self.read_only is None:
                self.conn.close()
                self.conn = self._open_read_only(newer)
            self.read_only = newer
            return
        self._configure()
        if self.read_only is None and self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        if applied < SCHEMA_VERSION:
            if self.read_only is not None:
                raise DatabaseError(
                    "{path} was made by an older nqtrack (schema {found}) and is read-only here: copy it to a "
                    "folder you can write to, and it is upgraded there", path=self.path, found=applied)
            self._upgrade()

    def close(self) -> None:
        self.conn.close()

    def user_error_of(self, exc: BaseException) -> UserError | None:
        """The register's damaged file, when SQLite could not read a page of it ("database disk
        image is malformed": the exact DatabaseError), wherever the read was (a statement, or a
        row fetched later); None for anything else (a key refused, a bug)."""
        if type(exc) is not sqlite3.DatabaseError:
            return None
        return DatabaseError("the register's file is damaged: {path} ({reason})", path=self.path, reason=str(exc))

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

    def _upgrade(self) -> None:
        """Apply the pending migrations in one exclusive transaction. Of several processes
        opening an older register at once, exactly one upgrades it, after a copy under a
        name of its own; the others wait for the lock, then find it upgraded. A creation
        is the same transaction on an empty file: all of the schema or none of it."""
        db = self.db  # made before the transaction: sqlite-utils reads the schema when it starts
        self.conn.execute("BEGIN EXCLUSIVE")
        try:
            applied = self.applied_migrations()
            if applied < SCHEMA_VERSION:
                if applied > 0 and self.keep_before_upgrade and self.path != ":memory:":
                    stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
                    self._copy_while_locked(f"{self.path}.before-schema-{SCHEMA_VERSION}-{stamp}.bak")
                faults.pause("upgrade")
                self.migrate(db=db)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _has_foreign_tables(self) -> bool:
        """Tables other than SQLite's own and the migrations table (which a creation cut
        short by an older nqtrack could leave alone)."""
        row = self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != ?",
            [MIGRATIONS_TABLE],
        ).fetchone()
        return row[0] > 0

    def migrate(self, migration_set: Any = None, db: Any = None) -> None:
        """Apply pending migrations (each a savepoint of the caller's transaction, if any)."""
        from nqtrack.store.sqlite_migrations import migrations

        (migration_set or migrations).apply(db or self.db)

    # -- backup and restore --------------------------------------------------------

    def backup_to(self, target: str) -> None:
        """A consistent copy while others write (SQLite's online backup, in one step),
        written under a name of its own and renamed, so a backup cut short never looks
        complete. Nothing is left behind when it fails (a full disk)."""
        self._backup(self.conn, target)

    def _copy_while_locked(self, target: str) -> None:
        """The safety copy taken while this connection holds the write lock: read through a
        second connection (SQLite's backup cannot read from a connection in a write
        transaction), which sees exactly what the lock keeps still."""
        reader = open_read_only(self.path, self.busy_timeout)
        try:
            self._backup(reader, target)
        finally:
            reader.close()

    @staticmethod
    def _backup(source: sqlite3.Connection, target: str) -> None:
        """SQLite's online backup of `source` into a new file `target`, in one step."""
        partial = beside(target, "partial")
        try:
            os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o660))
            copy = sqlite3.connect(file_uri(partial), uri=True)
            try:
                source.backup(copy, pages=-1, progress=lambda *_: faults.pause("backup"))
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            os.replace(partial, target)
        except sqlite3.Error as exc:
            mapped = user_error(exc, target)
            if mapped is exc:
                raise
            raise mapped from None
        except OSError as exc:
            raise StorageError("cannot write {path}: {reason}", path=target, reason=exc.strerror or str(exc)) from None
        finally:
            remove(partial, partial + "-journal")

    @staticmethod
    def check_is_nqtrack(path: str) -> int:
        """The schema version of an nqtrack database file that this version can take, after
        SQLite's full integrity check; DatabaseError for anything else. Read-only: nothing
        in the file is changed."""
        if os.path.isdir(path):
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path, reason="it is a folder")
        if not os.path.isfile(path):
            raise NotFound("no such file: {path}", path=path)
        try:
            con = open_read_only(path)
            try:
                has_table = con.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]).fetchone()
                row = con.execute(
                    f"SELECT count(*) FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [MIGRATION_SET]
                ).fetchone() if has_table else (0,)
                if row[0]:
                    con.execute("SELECT id, state, deadline FROM tasks LIMIT 1").fetchall()
                damage = [r[0] for r in con.execute("PRAGMA integrity_check(5)") if r[0] != "ok"]
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path, reason=str(exc)) from None
        if not row[0]:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path, reason="no nqtrack schema")
        if damage:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path,
                                reason="damaged: " + "; ".join(damage))
        if row[0] > SCHEMA_VERSION:
            raise DatabaseError("not an nqtrack database: {path} ({reason})", path=path,
                                reason="made by a newer nqtrack")
        return row[0]

    def restore_from(self, source: str, kept: str | None = None) -> None:
        """Replace the register's content with `source`'s (an nqtrack database of any page
        size and of this schema or an older one), in one transaction that holds the write
        lock from the safety copy (`kept`) to the replacement: every write of another
        process lands either before the copy (so in `kept`) or after the restore."""
        if self.read_only is not None:
            raise self.read_only
        staged = self._stage(source)
        try:
            self.conn.execute("ATTACH DATABASE ? AS restored", [file_uri(staged, mode="ro")])
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    if kept:
                        self._copy_while_locked(kept)
                    faults.pause("restore")
                    self._replace_content()
                    self.forget_figures()
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            finally:
                self.conn.execute("DETACH DATABASE restored")
        finally:
            remove(staged, staged + "-wal", staged + "-shm", staged + "-journal")

    def _stage(self, source: str) -> str:
        """A private copy of `source` beside the register, at this version's schema (an older
        backup is upgraded there, never in place)."""
        staged = beside(self.path, "restoring")
        try:
            reader = open_read_only(source, self.busy_timeout)
            try:
                self._backup(reader, staged)
            finally:
                reader.close()
            SqliteStore(staged, busy_timeout=self.busy_timeout, create=False, keep_before_upgrade=False).close()
        except UserError as exc:
            if exc.args_.get("path") == staged:  # say the name the user knows
                exc.args_["path"] = self.path
            remove(staged, staged + "-wal", staged + "-shm")
            raise
        except BaseException:
            remove(staged, staged + "-wal", staged + "-shm")
            raise
        return staged

    def _replace_content(self) -> None:
        """Every table of the register emptied and filled from the attached `restored`,
        column by column (so page sizes and column order do not matter); foreign keys are
        checked at the commit, when both sides are whole."""
        tables = self.conn.execute(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall()
        virtual = {name for name, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
        # the search index (FTS5, its index in shadow tables of its own) is made again from the
        # tasks restored: it keeps no copy of their text
        names = [name for name, _sql in tables if name not in virtual and not any(
            name.startswith(v + "_") for v in virtual)]
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        for name in names:
            self.conn.execute(f'DELETE FROM main."{name}"')
        for name in names:
            theirs = {row[1] for row in self.conn.execute(f'PRAGMA restored.table_info("{name}")')}
            columns = [f'"{row[1]}"' for row in self.conn.execute(f'PRAGMA main.table_info("{name}")')
                       if row[1] in theirs]
            if theirs:
                listed = ", ".join(columns)
                self.conn.execute(f'INSERT INTO main."{name}"({listed}) SELECT {listed} FROM restored."{name}"')
        counters = "SELECT 1 FROM {0}.sqlite_master WHERE name = 'sqlite_sequence'"
        if self.conn.execute(counters.format("main")).fetchone() and self.conn.execute(
                counters.format("restored")).fetchone():  # AUTOINCREMENT counters, where a table keeps them
            self.conn.execute("DELETE FROM main.sqlite_sequence")
            self.conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence")
        self._rebuild_search_index()

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[None]:
        """One write transaction, taken for the use cases of `nqtrack.app` (they own every
        transaction); rolled back whole on any error. `wait=False`: DatabaseLocked at once
        when another process writes, instead of waiting for it (work that can be skipped)."""
        if self.read_only is not None:
            raise self.read_only
        if wait:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute("PRAGMA busy_timeout = 0")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        self._written.clear()
        try:
            yield
            faults.pause("commit")
            self._raise_marks()
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._written.clear()
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
            with self._steady_reads():
                yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def document_keys_while_writing(self) -> set[str] | None:
        # the write transaction (BEGIN IMMEDIATE) keeps every other writer out until it ends
        return set(self._ids("SELECT DISTINCT symbol_key FROM documents WHERE merged_into IS NULL"))

    def use_large_cache(self) -> None:
        """A 64 MB page cache, for bulk writes that touch every index (an import)."""
        self.conn.execute("PRAGMA cache_size = -65536")

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Many new tasks written at once (an import), inside the caller's transaction. Into a
        register without tasks, the secondary indexes of tasks, task_units and events are
        dropped and built once at the end, each in one sorted pass, rather than kept up row
        by row (an import of 100,000 rows: the inserts 3.6 s → 2.3 s, the build at the end
        1.0 s); a failure rolls the transaction back, the dropped indexes with it. Kept: the
        unique indexes and the one the import reads while it writes (a task by document and
        title)."""
        self.use_large_cache()
        # the next ids, read before any row is written behind (the register is held: BEGIN IMMEDIATE)
        self._next_task_id, self._next_document_id = self.conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) + 1 FROM tasks), (SELECT coalesce(max(id), 0) + 1 FROM documents)"
        ).fetchone()
        self._bulk = True  # the rows written behind (_Connection.write_behind)
        try:
            with self._indexes_deferred():
                yield
            self.conn.caught_up()
        except BaseException:
            with suppress(BaseException):  # the rows behind done (the caller rolls them back)
                self.conn.caught_up()
            raise
        finally:
            self._bulk = False
            self._next_task_id = self._next_document_id = None
            self._documents_behind.clear()

    @contextmanager
    def _indexes_deferred(self) -> Iterator[None]:
        if self.conn.execute("SELECT EXISTS (SELECT 1 FROM tasks)").fetchone()[0]:
            yield
            return
        deferred = self.conn.execute(
            f"""SELECT name, sql FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
                  AND tbl_name IN ('tasks', 'task_units', 'events')
                  AND name NOT IN ({', '.join(f"'{n}'" for n in BULK_KEPT_INDEXES)})
                ORDER BY name""").fetchall()
        for name, _sql in deferred:
            self.conn.execute(f"DROP INDEX {name}")
        yield
        for _name, sql in deferred:
            self.conn.execute(sql)


    @staticmethod
    def peek_setting(path: str, key: str) -> str | None:
        """A stored setting read without opening the store (no migration, read-only),
        for choosing the language before a command runs; None when unreadable."""
        if not os.path.isfile(path):  # a FIFO would block the open
            return None
        try:
            con = open_read_only(path, timeout=0.5)
            try:
                row = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
            finally:
                con.close()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    # -- the register as a whole ---------------------------------------------------------

    def integrity_problems(self, full: bool = True) -> list[str]:
        """SQLite's integrity check and foreign keys, then what the register keeps beside its
        tasks (store.sql.SqlStore.integrity_problems). Not `full`: the quick check, which reads
        every page and record (a damaged page, a broken b-tree, a row out of order, a NOT NULL
        or CHECK broken) but does not look each row up in each of its table's indexes; that
        look-up was 24 of check's 65 s at a million tasks (the quick check: 2.7 s). An index
        unlike its table misleads the queries that read it until REINDEX rebuilds it; the rows
        themselves are what the quick check and the register's own checks found them. The
        full check runs once the quick one found nothing: on a page too damaged to read it
        stops with an error, where the quick check names the page."""
        problems = self._file_problems("quick_check")
        if full and not problems:
            problems = self._file_problems("integrity_check")
        try:
            with self._damage_said():
                problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}"
                             for r in self.conn.execute("PRAGMA foreign_key_check")]
                return problems + super().integrity_problems(full)
        except DatabaseError:
            if not problems:
                raise
            # the damage is named above; the rules that follow say what they could still read
            return [*problems, "what the register keeps beside its tasks could not be checked: its file is damaged"]

    def invariant_problems(self) -> list[tuple[int, str]]:
        """SqlStore.invariant_problems; a page its statements cannot read is the file's damage
        (which the quick check names), the user's to restore from a backup, not a traceback."""
        with self._damage_said():
            return super().invariant_problems()

    @contextmanager
    def _damage_said(self) -> Iterator[None]:
        """A page that `check`'s statements cannot read while they fetch rows: the file's
        damage, the user's to restore from a backup, said in one line, not a traceback."""
        try:
            yield
        except sqlite3.OperationalError as exc:  # one read while rows were fetched
            raise user_error(exc, self.path) from None
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    def _damaged(self, exc: sqlite3.DatabaseError) -> Exception:
        """The error to raise for SQLite's: the damaged file (user_error_of), else it as it is."""
        return self.user_error_of(exc) or exc

    def _file_problems(self, pragma: str) -> list[str]:
        try:
            return [r[0] for r in self.conn.execute(f"PRAGMA {pragma}") if r[0] != "ok"]
        except sqlite3.DatabaseError as exc:  # "database disk image is malformed"
            return [f"the file cannot be read whole: {exc}"]

    def _columns(self, table: str) -> dict[str, Any]:
        return {r["name"]: self.conn.execute(f"SELECT {r['dflt_value']}").fetchone()[0]
                if r["dflt_value"] is not None else None
                for r in self.conn.execute(f"PRAGMA table_info({table})")}

    def _integrity_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.IntegrityError,)

    # -- the engine's hooks ---------------------------------------------------------

    def _execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:  # a page it cannot read: any command, not only check
            raise self._damaged(exc) from None

    def _stream(self, sql: str, tuples: bool = False) -> Iterator[Any]:
        cursor = self.conn.cursor()
        if tuples:
            cursor.row_factory = None
        try:
            cursor.execute(sql)
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        yield from cursor

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Many rows a statement (_Connection._insert_many), rather than sqlite-utils'
        insert_all here: its per-value JSON check cost 2.4 s of an import of 100,000 rows
        (measured with cProfile)."""
        if rows:
            if self._bulk:
                self.conn.write_behind(table, columns, rows)
            else:
                self.conn.insert_rows(table, columns, rows)

    def _reserve_task_ids(self, count: int) -> list[int]:
        # the write transaction (BEGIN IMMEDIATE) keeps every other writer out until it ends;
        # inside bulk_load the ids go on from the last ones handed out, without a query that
        # would wait for the rows written behind (insert_tasks is the one writer of tasks)
        first = self._next_task_id if self._bulk else None
        if first is None:
            first = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tasks").fetchone()[0]
        if self._bulk:
            self._next_task_id = first + count
        return list(range(first, first + count))

    def add_document(self, symbol: str, **kwargs: Any) -> Document:
        self._next_document_id = None  # the ones written behind count on from this one's
        return super().add_document(symbol, **kwargs)

    def add_new_document(self, symbol: str, issued_on: date | None) -> int:
        """Inside bulk_load, written behind with the tasks' rows, its id counted here: the
        identity check and the query for an id would wait for those rows (4.9 s of waits in
        an import of 100,000 rows, one at each chunk's first new document)."""
        if not self._bulk:
            return super().add_new_document(symbol, issued_on)
        row = self._document_row(symbol, issued_on=issued_on)
        if self._next_document_id is None:
            self._next_document_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()[0]
        doc_id, self._next_document_id = self._next_document_id, self._next_document_id + 1
        self._insert_rows("documents", ("id", *row), [(doc_id, *row.values())])
        self._documents_behind[doc_id] = self._document_words(row)
        return doc_id

    def _search_documents(self, doc_ids: Iterable[int]) -> dict[int, str]:
        behind = self._documents_behind
        ids = list(doc_ids)
        found = {i: behind[i] for i in ids if i in behind}
        rest = [i for i in ids if i not in found]
        return {**super()._search_documents(rest), **found} if rest else found

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
    def _joined(expressions: Sequence[str], separator: str) -> str:
        # one format() rather than a || a field: SQLite copies the text at each ||, and the
        # pass over every task joined 17 fields (0.78 s at 100,000 tasks, format() 0.47 s);
        # %s writes a value as CAST AS TEXT does, and NULL as ''
        return f"format('{separator.join(['%s'] * len(expressions))}', {', '.join(expressions)})"

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
    def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    @staticmethod
    def _in_query(column: str, subquery: str) -> str:
        return f"{column} IN ({subquery})"

    @staticmethod
    def _text(expression: str) -> str:
        return expression  # || and group_concat take numbers as they are

    @staticmethod
    def _differ(a: str, b: str) -> str:
        return f"{a} IS NOT {b}"

    @contextmanager
    def _beside(self, work: Callable[[SqlStore], Any]) -> Iterator[Callable[[], Any]]:
        """`work` on a read-only connection of its own, in a thread: SQLite lets go of Python
        while a statement runs, so check's journal statement (15 s at a million tasks) runs
        while Python folds every title (8 s); two cores do both at once. In memory, or inside
        a transaction of this connection (whose writes another connection would not see), at
        once here."""
        if self.path == ":memory:" or self.conn.in_transaction:
            with super()._beside(work) as result:
                yield result
            return
        opened: list[sqlite3.Connection] = []

        def run() -> Any:
            beside = copy.copy(self)
            try:
                beside.conn = open_read_only(self.path, self.busy_timeout, _Connection)
            except sqlite3.OperationalError as exc:
                raise user_error(exc, self.path) from None
            beside.conn.path = self.path
            beside.conn.row_factory = sqlite3.Row
            opened.append(beside.conn)
            try:
                return work(beside)
            finally:
                beside.conn.close()

        def stop() -> None:
            for conn in opened:
                with suppress(sqlite3.Error):
                    conn.interrupt()

        with self._running_apart(run, stop) as result:
            yield result

    # -- search (FTS5 over folded text) --------------------------------------------------
    # The index keeps no copy of the text (m014: external content, the view task_search_text
    # makes each task's text from its columns): a row leaves the index by the text it was
    # indexed with, made again from the columns before they change.

    @contextmanager
    def _reindexing(self, task_ids: Sequence[int]) -> Iterator[None]:
        before = self._search_rows(task_ids) if task_ids else []
        yield
        if task_ids:
            self.conn.executemany("INSERT INTO task_search(task_search, rowid, body) VALUES ('delete', ?, ?)", before)
            self.conn.executemany("INSERT INTO task_search(rowid, body) VALUES (?, ?)", self._search_rows(task_ids))

    def _after_load(self) -> None:
        self._rebuild_search_index()

    def _rebuild_search_index(self) -> None:
        """The whole index made again from the view (FTS5's 'rebuild')."""
        self.conn.execute("INSERT INTO task_search(task_search) VALUES ('rebuild')")

    def _index_new_tasks(self, rows: list[dict[str, Any]], documents: dict[int, str]) -> None:
        self._insert_rows("task_search", ("rowid", "body"),
                          [(r["id"], self._search_body(r, documents.get(r["document_id"]))) for r in rows])

    def _derived_pass(self) -> list[tuple[int, str]]:
        """When FTS5's own check finds the index as the view makes every task's text, only the
        title keys are left to check: a task whose key is not its title's has the words of
        the key in the index. Otherwise every task's words, read back from the index
        (_search_index, slower), as on any engine."""
        if not self._search_index_whole():
            return super()._derived_pass()
        problems: list[tuple[int, str]] = []
        documents: dict[int, str] | None = None
        # the title and its key alone, as tuples (a million Row objects and the search
        # columns with them were a third of this pass); the rest of a task whose key differs
        for task_id, title_key, title in self._stream("SELECT id, title_key, title FROM tasks ORDER BY id",
                                                      tuples=True):
            if title_key != fold_repeated(title):  # titles repeat: a register's periodic reports
                task = self._task_as_searched(task_id)
                if documents is None:
                    documents = self._every_document_words()
                document_words = documents.get(task["document_id"])
                body = self._search_body(task, document_words)  # as the index holds it: by the key
                problems += self._derived_problems(task_id, title_key, title, task["code"], task["note"],
                                                   task["product"], task["assignee"], document_words, body, True)
        return problems

    def _search_index_whole(self) -> bool:
        """FTS5's integrity check against the text the view makes of every task (in C, but
        the text made by nqtrack_search_text). FTS5 takes it as an INSERT: it needs a writable
        connection and waits for the write lock. False where it finds a difference or cannot
        run."""
        if self.read_only is not None or not _fts5_compares_content():
            return False
        started = not self.conn.in_transaction
        try:
            sqlite3.Connection.execute(
                self.conn, "INSERT INTO task_search(task_search, rank) VALUES ('integrity-check', 1)")
            return True
        except sqlite3.Error:
            return False
        finally:
            if started and self.conn.in_transaction:
                sqlite3.Connection.execute(self.conn, "ROLLBACK")

    def _search_index(self) -> Iterator[tuple[int, str | None]]:
        """Every row of the index (its sizes table holds one a row) with its words in order,
        read back from its terms (fts5vocab): the index keeps no copy of the text."""
        self.conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.task_search_terms USING fts5vocab(main, task_search, instance)")
        terms = self.conn.execute("SELECT doc, term FROM temp.task_search_terms ORDER BY doc, offset")
        pending = terms.fetchone()
        for (row_id,) in self.conn.execute("SELECT id FROM task_search_docsize ORDER BY id").fetchall():
            words: list[str] = []
            while pending is not None and pending[0] <= row_id:
                if pending[0] == row_id:
                    words.append(pending[1])
                pending = terms.fetchone()
            yield row_id, " ".join(words)

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
