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
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nqtrack import faults
from nqtrack.core.errors import (
    Ambiguous,
    DatabaseError,
    DatabaseLocked,
    InvalidInput,
    NotFound,
    StorageError,
    UserError,
)
from nqtrack.core.states import OPEN_STATES, Event
from nqtrack.core.symbols import parse_symbol, symbol_key
from nqtrack.core.text import fold, nfc
from nqtrack.store.base import (
    CREATION_KINDS,
    TASK_FIELDS,
    Document,
    NewTask,
    Unit,
    journal_value,
)

# How many migrations this version ships; when the database has applied this many,
# the migration machinery (and sqlite-utils) is not even imported.
SCHEMA_VERSION = 4
MIGRATION_SET = "nqtrack"
DEFAULT_BUSY_TIMEOUT = 10.0

CREATION_SQL = ", ".join(f"'{k}'" for k in CREATION_KINDS)
# The open states (core.states.OPEN_STATES), as SQL.
OPEN_SQL = ", ".join(f"'{s}'" for s in OPEN_STATES)

EVENT_COLUMNS = ("task_id", "kind", "field", "old_value", "new_value", "effective_on", "recorded_at", "recorded_by",
                 "note", "batch_id")

# The creation snapshot's keys, in the order json.dumps(sort_keys=True) would give.
_SNAPSHOT_FIELDS = tuple(sorted(TASK_FIELDS))

# The task fields insert_tasks copies as they are (the others it sets itself).
_PLAIN_FIELDS = ("code", "source", "assignee", "assigned_on", "deadline", "deadline_text", "product",
                 "completed_on", "note")

_value = journal_value


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


def _remove(*paths: str) -> None:
    for path in paths:
        with suppress(FileNotFoundError):
            os.unlink(path)


def _beside(path: str, what: str) -> str:
    """A hidden name of its own beside `path`, for a file written and then renamed."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{uuid.uuid4().hex[:12]}.{what}")


class _Connection(sqlite3.Connection):
    """A connection whose statements raise the typed errors of `user_error`, so that no
    caller above the store ever matches SQLite's messages. A number too large for SQLite
    or text that is not UTF-8 (bytes passed through from the command line) is the user's
    error too, wherever it slipped past the checks above."""

    path = ""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None
        except (OverflowError, UnicodeEncodeError) as exc:
            raise _bad_value(exc) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as exc:
            raise user_error(exc, self.path) from None
        except (OverflowError, UnicodeEncodeError) as exc:
            raise _bad_value(exc) from None


def _bad_value(exc: Exception) -> InvalidInput:
    if isinstance(exc, UnicodeEncodeError):
        return InvalidInput("text that is not valid UTF-8 cannot be stored")
    return InvalidInput("a number is too large: {reason}", reason=str(exc))


# sqlite-utils keeps the applied migrations in the table its `Migrations.migrations_table`
# names (public API); the fast path reads it without importing sqlite-utils, and
# tests/test_store.py fails if the name ever changes.
MIGRATIONS_TABLE = "_sqlite_migrations"


class SqliteStore:
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
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self.keep_before_upgrade = keep_before_upgrade
        self._db: Any = None  # sqlite_utils.Database, made for migrations
        self.created = False  # this process made the file
        self.read_only: UserError | None = None
        self.newer_schema: int | None = None  # the schema of a register made by a newer nqtrack
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
        conn = sqlite3.connect(target, timeout=self.busy_timeout, factory=_Connection, uri=uri)
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
        building = _beside(self.path, "creating")
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
            _remove(building, building + "-wal", building + "-shm", building + "-journal")

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

    def _backup(self, source: sqlite3.Connection, target: str) -> None:
        partial = _beside(target, "partial")
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
            _remove(partial, partial + "-journal")

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
                    self._mark_high_water()
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            finally:
                self.conn.execute("DETACH DATABASE restored")
        finally:
            _remove(staged, staged + "-wal", staged + "-shm", staged + "-journal")

    def _stage(self, source: str) -> str:
        """A private copy of `source` beside the register, at this version's schema (an older
        backup is upgraded there, never in place)."""
        staged = _beside(self.path, "restoring")
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
            _remove(staged, staged + "-wal", staged + "-shm")
            raise
        except BaseException:
            _remove(staged, staged + "-wal", staged + "-shm")
            raise
        return staged

    def _replace_content(self) -> None:
        """Every table of the register emptied and filled from the attached `restored`,
        column by column (so page sizes and column order do not matter); foreign keys are
        checked at the commit, when both sides are whole."""
        tables = self.conn.execute(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall()
        virtual = {name for name, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
        # an FTS5 table keeps its index in shadow tables of its own: it refills them itself
        names = [name for name, _sql in tables if not any(name.startswith(v + "_") for v in virtual)]
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        for name in names:
            self.conn.execute(f'DELETE FROM main."{name}"')
        for name in names:
            theirs = {row[1] for row in self.conn.execute(f'PRAGMA restored.table_info("{name}")')}
            columns = [f'"{row[1]}"' for row in self.conn.execute(f'PRAGMA main.table_info("{name}")')
                       if row[1] in theirs]
            if name in virtual:
                columns.insert(0, "rowid")
            if theirs:
                listed = ", ".join(columns)
                self.conn.execute(f'INSERT INTO main."{name}"({listed}) SELECT {listed} FROM restored."{name}"')
        counters = "SELECT 1 FROM {0}.sqlite_master WHERE name = 'sqlite_sequence'"
        if self.conn.execute(counters.format("main")).fetchone() and self.conn.execute(
                counters.format("restored")).fetchone():  # AUTOINCREMENT counters, where a table keeps them
            self.conn.execute("DELETE FROM main.sqlite_sequence")
            self.conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken for the use cases of `nqtrack.app` (they own every
        transaction); rolled back whole on any error."""
        if self.read_only is not None:
            raise self.read_only
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            faults.pause("commit")
            self._mark_high_water()
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

    def _mark_high_water(self) -> None:
        """The highest task and event numbers ever written, kept with every write: tasks and
        events are never deleted, so `check` sees one deleted outside nqtrack, the newest too."""
        self.conn.execute(
            """UPDATE register_marks SET value = latest.value
               FROM (SELECT 'last_task' AS name, coalesce(max(id), 0) AS value FROM tasks
                     UNION ALL SELECT 'last_event', coalesce(max(id), 0) FROM events) AS latest
               WHERE register_marks.name = latest.name AND register_marks.value < latest.value""")

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
        # names and codes identify a unit; aliases may be shared ("Pháp chế"), and a
        # look-up that fits several units is then refused as ambiguous
        for candidate in (name, code):
            if candidate and any(fold(candidate) in (fold(u.name), fold(u.code)) for u in self.find_units(candidate)):
                raise InvalidInput("a unit named '{name}' already exists", name=candidate)
        cur = self.conn.execute(
            "INSERT INTO units(code, name, parent_id, aliases, email) VALUES (?, ?, ?, ?, ?)",
            [code, name, parent_id, alias_text, email],
        )
        unit = Unit(int(cur.lastrowid or 0), code, name, parent_id, alias_text, email)
        self._write_unit_keys(unit)
        return unit

    def rename_unit(self, unit: Unit, new_name: str, keep_old_as_alias: bool = True) -> Unit:
        new_name = nfc(new_name)
        if not new_name:
            raise InvalidInput("a unit needs a name")
        others = [u for u in self.find_units(new_name) if u.id != unit.id]
        if others:
            raise InvalidInput("a unit named '{name}' already exists", name=new_name)
        aliases = [a for a in (unit.aliases or "").split(";") if a]
        if keep_old_as_alias and unit.name not in aliases:
            aliases.append(unit.name)
        unit = Unit(unit.id, unit.code, new_name, unit.parent_id, ";".join(aliases) or None, unit.email)
        self.conn.execute("UPDATE units SET name = ?, aliases = ? WHERE id = ?", [unit.name, unit.aliases, unit.id])
        self._write_unit_keys(unit)
        return unit

    def _unit(self, row: sqlite3.Row) -> Unit:
        return Unit(row["id"], row["code"], row["name"], row["parent_id"], row["aliases"], row["email"])

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

    def set_unit_email(self, unit_id: int, email: str | None) -> None:
        self.conn.execute("UPDATE units SET email = ? WHERE id = ?", [email, unit_id])

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

    def set_unit_parent(self, unit_id: int, parent_id: int | None) -> None:
        if parent_id is not None and parent_id in self.subunit_ids(unit_id):
            raise InvalidInput("a unit cannot be placed under itself")
        self.conn.execute("UPDATE units SET parent_id = ? WHERE id = ?", [parent_id, unit_id])

    def set_document_parent(self, doc_id: int, parent_id: int | None) -> None:
        if parent_id == doc_id:
            raise InvalidInput("a document cannot implement itself")
        self.conn.execute("UPDATE documents SET parent_id = ? WHERE id = ?", [parent_id, doc_id])

    def unit(self, unit_id: int) -> Unit:
        row = self.conn.execute("SELECT * FROM units WHERE id = ?", [unit_id]).fetchone()
        if row is None:
            raise NotFound("unknown unit: '{ref}'", ref=str(unit_id))
        return self._unit(row)

    def list_units(self) -> list[Unit]:
        return [self._unit(r) for r in self.conn.execute("SELECT * FROM units ORDER BY id")]

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
            row["issuer"], row["issued_on"], row["received_on"], row["title"], row["parent_id"],
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
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE symbol_key = ? ORDER BY issued_on, id", [symbol_key(ref)]
        ).fetchall()
        return [self._document(r) for r in rows]

    def resolve_document(self, ref: str) -> Document:
        found = self.find_documents(ref)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound("unknown document: '{ref}'", ref=ref)
        raise Ambiguous(
            "'{ref}' fits several documents: {names}",
            ref=ref,
            names=", ".join(f"{d.symbol} ({d.issued_on or '?'})" for d in found),
        )

    def list_documents(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            """SELECT d.*, p.symbol AS parent_symbol,
                      count(t.id) AS tasks,
                      coalesce(sum(t.state = 'done'), 0) AS done
               FROM documents d
               LEFT JOIN documents p ON p.id = d.parent_id
               LEFT JOIN tasks t ON t.document_id = d.id
               GROUP BY d.id ORDER BY d.issued_on, d.id"""
        ).fetchall()
        return [dict(r) for r in rows]

    # -- tasks: reading ----------------------------------------------------------

    _TASK_SELECT = """
        SELECT t.*, d.symbol AS document, u.name AS lead_unit,
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
        number = ref.removeprefix("#")
        # ASCII digits only ("²" is a digit to Python), and no more than SQLite's integers hold
        if row is None and re.fullmatch(r"[0-9]{1,18}", number):
            row = self.conn.execute("SELECT id FROM tasks WHERE id = ?", [int(number)]).fetchone()
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
        return [
            Event(e["id"], e["field"], e["old_value"], e["new_value"], e["effective_on"], e["recorded_at"])
            for e in self.task_events(task_id)
        ]

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
    ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []

        def any_of(column: str, values: Sequence[Any]) -> None:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)

        if unit_ids:
            any_of("t.lead_unit_id", unit_ids)
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
        sql = "SELECT * FROM tasks WHERE document_id IS ? AND title_key = ?"
        if without_code:
            sql += " AND code IS NULL"
        row = self.conn.execute(sql + " ORDER BY id LIMIT 1", [document_id, fold(title)]).fetchone()
        return dict(row) if row else None

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
    ) -> list[str]:
        """Apply field changes, one journal event per changed field; returns the changed fields.

        A note with no change is journaled on its own (kind 'note')."""
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
        if updates:
            updates["updated_at"] = recorded_at
            sets = ", ".join(f"{c} = ?" for c in updates)
            self.conn.execute(f"UPDATE tasks SET {sets} WHERE id = ?", [*updates.values(), task_id])
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

    ASOF_FIELDS = ("state", "deadline", "completed_on", "lead_unit_id", "source", "assigned_on", "document_id")
    _INTEGER_FIELDS = ("lead_unit_id", "document_id")
    _FAR_FUTURE = "9999-12-31"

    def _replay_sql(self, field: str) -> str:
        """The field as of the day: replayed where the journal changed it later, else the column."""
        value = f"""CASE WHEN EXISTS (SELECT 1 FROM temp.asof_pairs p WHERE p.task_id = t.id AND p.field = '{field}')
            THEN COALESCE(
                (SELECT json_array(e.new_value) FROM events e
                  WHERE e.task_id = t.id AND e.field = '{field}' AND e.effective_on <= :as_of
                    AND e.recorded_at <= :known_at ORDER BY e.id DESC LIMIT 1),
                (SELECT json_array(e.old_value) FROM events e
                  WHERE e.task_id = t.id AND e.field = '{field}' ORDER BY e.id LIMIT 1)) ->> '$[0]'
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

    # Terms of core.figures.classify, one SQL expression each (see its docstring).
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
    }

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
    ) -> list[dict[str, Any]]:
        """Raw counts of core.figures per (lead unit, source), as of `as_of` known at `known_at`.

        `workload_only`: the caller reads only workload.total and completed (the trend),
        so the replay can skip tasks that cannot be in the period's workload."""
        if not prepared:
            self.prepare_as_of(as_of, known_at, workload_until=end if workload_only else None, figures_only=True)
        where, params = self._filters(unit_ids, sources, document_ids)
        params.update(
            start=start.isoformat(),
            end=end.isoformat(),
            as_of=as_of.isoformat(),
            prev_start=prev_start.isoformat(),
            prev_end=prev_end.isoformat(),
            known_at=known_at or self._FAR_FUTURE,
        )
        # Only tasks that can count anywhere, each term on an index of its own ("+deadline"
        # keeps the planner on (state, completed_on, deadline): few tasks were completed in
        # the period, most done tasks are due before it).
        if workload_only:
            # the trend reads workload.total and completed: only tasks due by the end count
            candidates = f"""({where}) AND (
                deadline BETWEEN :start AND :end
                OR (state IN ({OPEN_SQL}) AND deadline < :start)
                OR (state = 'done' AND completed_on >= :start AND +deadline < :start))"""
        else:
            candidates = f"""({where}) AND (
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
        sums = ",\n".join(f"coalesce(sum({term}), 0) AS {key}" for key, term in self._COUNT_TERMS.items())
        extended = (
            "0"
            if workload_only
            else """EXISTS (SELECT 1 FROM events e WHERE e.task_id = carried.id
            AND e.field = 'deadline' AND e.kind = 'extended' AND e.effective_on BETWEEN :start AND :end
            AND e.effective_on <= :as_of AND e.recorded_at <= :known_at)"""
        )
        reminded = (
            "0"
            if workload_only
            else """EXISTS (SELECT 1 FROM events e WHERE e.task_id = carried.id
            AND e.field IS NULL AND e.kind = 'reminded' AND e.effective_on BETWEEN :start AND :end
            AND e.effective_on <= :as_of AND e.recorded_at <= :known_at)"""
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
            flagged AS (
                SELECT carried.*, (NOT cancelled AND (due OR carried)) AS workload,
                       {extended} AS extended, {reminded} AS reminded
                FROM carried)
            SELECT lead_unit_id, source, {sums}
            FROM flagged GROUP BY lead_unit_id, source"""
        return [dict(r) for r in self.conn.execute(sql, params)]

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
        candidates = f"({where}) AND state IN ({OPEN_SQL}) AND deadline <= :due_until"
        coordinating = coordinating_ids = "NULL"
        if with_coordinating:
            coordinating = """(SELECT group_concat(cu.name, '; ') FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                               WHERE tu.task_id = a.id)"""
            coordinating_ids = "(SELECT group_concat(tu.unit_id) FROM task_units tu WHERE tu.task_id = a.id)"
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)})
            SELECT a.id, t.code, t.title, d.symbol AS document, a.lead_unit_id, u.name AS lead_unit,
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
        """What is wrong with the file and with what the register keeps beside its tasks:
        SQLite's full integrity check and foreign keys, the look-up keys of the units, and
        journal events missing from the numbering (events are never deleted)."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}" for r in self.conn.execute("PRAGMA foreign_key_check")]
        for unit in self.list_units():
            stored = {r[0] for r in self.conn.execute("SELECT key FROM unit_keys WHERE unit_id = ?", [unit.id])}
            if stored != self._unit_keys(unit):
                problems.append(f"unit {unit.id} ({unit.name}): its look-up keys do not match its name, code and "
                                "aliases")
        problems += [
            f"journal events {first}–{last} are missing (deleted outside nqtrack?)" if first != last
            else f"journal event {first} is missing (deleted outside nqtrack?)"
            for first, last in self._missing_numbers("events", "last_event")
        ]
        return problems

    def _missing_numbers(self, table: str, mark: str) -> list[tuple[int, int]]:
        """Runs (first, last) of numbers with no row, up to the highest ever written: the
        rows of `table` are never deleted, so their numbers run without a gap."""
        count, highest = self.conn.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {table}").fetchone()
        marked = self.conn.execute("SELECT value FROM register_marks WHERE name = ?", [mark]).fetchone()
        last = max(highest, marked[0] if marked else 0)
        if count == last:
            return []
        runs = [tuple(row) for row in self.conn.execute(
            f"""SELECT previous + 1, id - 1 FROM (
                    SELECT id, lag(id, 1, 0) OVER (ORDER BY id) AS previous FROM {table})
                WHERE id > previous + 1""")]
        if last > highest:
            runs.append((highest + 1, last))
        return runs

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
        problems += [
            (first, f"tasks {first}–{last} are missing (deleted outside nqtrack, with their events?)" if first != last
             else "this task is missing (deleted outside nqtrack, with its events?)")
            for first, last in self._missing_numbers("tasks", "last_task")
        ]
        problems += self._replay_problems()
        return sorted(problems)

    def _replay_problems(self) -> list[tuple[int, str]]:
        """Each task's current fields must equal its journal replayed in order, and what is
        kept beside them must be what they give: the title key, the original deadline (the
        deadline of the creation snapshot) and the task's text in the search index."""
        from nqtrack.core.states import replay_journal

        problems: list[tuple[int, str]] = []
        columns = [f for f in TASK_FIELDS if f != "coordinating_units"]
        tasks = self.conn.execute(
            f"SELECT id, title_key, original_deadline, {', '.join(columns)} FROM tasks ORDER BY id")
        events = self.conn.execute(
            "SELECT task_id, id, kind, field, old_value, new_value, effective_on, recorded_at FROM events "
            "ORDER BY task_id, id"
        )
        units = self.conn.execute(
            "SELECT task_id, group_concat(unit_id) FROM (SELECT * FROM task_units ORDER BY task_id, unit_id) "
            "GROUP BY task_id"
        )
        bodies = self.conn.execute("SELECT rowid, body FROM task_search ORDER BY rowid")
        documents = self._search_documents(row[0] for row in self.conn.execute("SELECT id FROM documents"))
        pending_event = next(events, None)
        pending_units = next(units, None)
        pending_body = next(bodies, None)
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
            body = None
            while pending_body is not None and pending_body[0] <= task_id:
                if pending_body[0] == task_id:
                    body = pending_body[1]
                else:
                    problems.append((pending_body[0], "in the search index, but there is no such task"))
                pending_body = next(bodies, None)
            fields = dict(zip(columns, task[3:], strict=True))
            problems += self._derived_problems(task_id, task[1], fields, body, documents)
            creation = next((e for e in journal if e[3] is None and e[2] in CREATION_KINDS), None)
            if creation is None:
                continue  # reported above
            try:
                snapshot = json.loads(creation[5])
                replayed = replay_journal(snapshot, [Event(e[1], e[3], e[4], e[5], e[6], e[7]) for e in journal])
            except (TypeError, ValueError, AttributeError):
                problems.append((task_id, f"its creation event #{creation[1]} cannot be read"))
                continue
            if _value(snapshot.get("deadline")) != task[2]:
                problems.append((task_id, f"the original deadline is {task[2]!r} but the task was created with "
                                          f"{_value(snapshot.get('deadline'))!r}"))
            current = {c: _value(v) for c, v in fields.items()}
            current["coordinating_units"] = ",".join(sorted(coordinating.split(","), key=int)) if coordinating else None
            for field in TASK_FIELDS:
                if _value(replayed.get(field)) != current.get(field):
                    problems.append(
                        (task_id, f"'{field}' is {current.get(field)!r} but the journal says {replayed.get(field)!r}")
                    )
        while pending_body is not None:
            problems.append((pending_body[0], "in the search index, but there is no such task"))
            pending_body = next(bodies, None)
        return problems

    def _derived_problems(self, task_id: int, title_key: str, fields: dict[str, Any], body: str | None,
                          documents: dict[int, str]) -> list[tuple[int, str]]:
        """The title key and the search text of one task against its fields (the search text
        as words: FTS matches words, and older registers indexed them in another order)."""
        problems = []
        folded = fold(fields["title"])
        if title_key != folded:
            problems.append((task_id, f"the title key {title_key!r} does not match the title"))
        expected = self._search_body({**fields, "title_key": folded}, documents.get(fields["document_id"]))
        if body is None:
            problems.append((task_id, "missing from the search index"))
        elif body != expected and sorted(str(body).split()) != sorted(expected.split()):
            problems.append((task_id, "its text in the search index does not match its fields"))
        return problems

    # -- undo -----------------------------------------------------------------------

    def last_changes(self, count: int) -> list[list[dict[str, Any]]]:
        """The latest `count` changes not yet undone (a change: the events one command
        recorded at one moment), newest first."""
        # newest by the order of recording (ids), not by clock: --today shifts the clock
        rows = self.conn.execute(
            """WITH open_events AS (
                   SELECT * FROM events e WHERE e.kind != 'undo'
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)),
               changes AS (
                   SELECT recorded_at, max(id) AS last_id FROM open_events
                   GROUP BY recorded_at ORDER BY last_id DESC LIMIT ?)
               SELECT o.* FROM open_events o JOIN changes c ON c.recorded_at = o.recorded_at
               ORDER BY c.last_id DESC, o.id DESC""",
            [count],
        ).fetchall()
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row["recorded_at"], []).append(dict(row))
        return list(groups.values())

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
        return [dict(r) for r in rows]

    def undo_events(self, events: list[dict[str, Any]], *, by: str, recorded_at: str, batch_id: str) -> list[int]:
        """Revert events, newest first, each by an 'undo' event effective on the same day
        (so past days are rebuilt as if it never happened); a task created by them is
        cancelled from its creation on. Refuses when a later change touched the same field."""
        touched: list[int] = []
        for event in sorted(events, key=lambda e: -e["id"]):
            task_id, field = event["task_id"], event["field"]
            day = date.fromisoformat(event["effective_on"])
            note = f"undo #{event['id']}"
            if field is None:
                if event["kind"] in CREATION_KINDS:
                    self.change_task(
                        task_id,
                        {"state": "cancelled", "completed_on": None},
                        effective_on=day,
                        by=by,
                        kind="undo",
                        note=note,
                        batch_id=batch_id,
                        recorded_at=recorded_at,
                        undoes={"state": event["id"]},
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
            )
            if not changed:
                self._mark_undone(event, by, recorded_at, batch_id, note)
            touched.append(task_id)
        return sorted(set(touched))

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

    EXPORT_TABLES = ("settings", "units", "documents", "tasks", "task_units", "events", "batches")

    def export_rows(self, table: str) -> Iterator[dict[str, Any]]:
        if table not in self.EXPORT_TABLES:
            raise ValueError(table)
        order = "key" if table == "settings" else "task_id, unit_id" if table == "task_units" else "id"
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
        for table in self.EXPORT_TABLES:
            rows = data.get(table) or []
            columns = [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]
            rows = [{c: row.get(c) for c in columns} for row in rows]
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
               FROM documents d LEFT JOIN tasks t ON t.document_id = d.id
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
