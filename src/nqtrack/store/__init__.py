"""The register's storage: one interface (`base.Store`), two engines behind it: SQLite
(`sqlite.py`, a file: the embedded default) and PostgreSQL (`postgres.py`, a server that
many offices share), with what they share in `sql.py`.

Every line of SQL lives in the engine modules; nothing above them knows which engine
runs. `open_store` picks the engine from the location the user gave: a `postgresql://`
(or `postgres://`) URL is a server, anything else a SQLite file.
"""

from __future__ import annotations

import os
from typing import Any

URL_SCHEMES = ("postgresql://", "postgres://")


def is_server(location: str) -> bool:
    """Whether `location` names a register on a database server (a URL), not a file."""
    return location.startswith(URL_SCHEMES)


def open_store(location: str, *, busy_timeout: float = 10.0, create: bool = False) -> Any:
    """The store of the register at `location` (a SQLite file path or a PostgreSQL URL). A
    register is made only with `create`: a SQLite file in a folder that exists, or the schema
    in an empty PostgreSQL database that exists (nqtrack never creates a database on a
    server); else NotFound."""
    if is_server(location):
        from nqtrack.store.postgres import PostgresStore

        return PostgresStore(location, busy_timeout=busy_timeout, create=create)
    from nqtrack.store.sqlite import SqliteStore

    return SqliteStore(location, busy_timeout=busy_timeout, create=create)


def peek_setting(location: str, key: str) -> str | None:
    """A stored setting read without opening the register (no migration, read-only), for
    choosing the language before a command runs; None when it cannot be read."""
    if is_server(location):
        from nqtrack.store.postgres import PostgresStore

        return PostgresStore.peek_setting(location, key)
    if not os.path.exists(location):
        return None
    from nqtrack.store.sqlite import SqliteStore

    return SqliteStore.peek_setting(location, key)


def check_backup(location: str) -> int:
    """The schema version of a backup (or register) that `restore` and `copy` can take;
    DatabaseError for anything else."""
    if is_server(location):
        from nqtrack.store.postgres import PostgresStore

        return PostgresStore.check_is_nqtrack(location)
    from nqtrack.store.sqlite import SqliteStore

    return SqliteStore.check_is_nqtrack(location)


def backup_stem(location: str) -> str:
    """Where files about a register go, as a path prefix: beside a SQLite file (the file's
    own path), in the current folder for a server's register (named after its database)."""
    if is_server(location):
        from urllib.parse import urlsplit

        name = urlsplit(location).path.lstrip("/") or "postgres"
        return os.path.join(os.getcwd(), f"nqtrack-{name}")
    return os.path.abspath(location)
