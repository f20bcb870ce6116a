"""The register's storage: one interface (`base.Store`), an engine behind it.

Every line of SQL lives in the engine modules; nothing above them knows which engine
runs. `open_store` picks the engine from the location the user gave.
"""

from __future__ import annotations

from typing import Any


def open_store(location: str, *, busy_timeout: float = 10.0, create: bool = False) -> Any:
    """The store of the register at `location` (a SQLite file path). A register that does
    not exist is made only with `create` (in a folder that exists); else NotFound."""
    from nqtrack.store.sqlite import SqliteStore

    return SqliteStore(location, busy_timeout=busy_timeout, create=create)


def peek_setting(location: str, key: str) -> str | None:
    """A stored setting read without opening the register (no migration, read-only), for
    choosing the language before a command runs; None when it cannot be read."""
    import os

    if not os.path.exists(location):
        return None
    from nqtrack.store.sqlite import SqliteStore

    return SqliteStore.peek_setting(location, key)


def check_backup(location: str) -> int:
    """The schema version of a backup that `restore` can take; DatabaseError for anything else."""
    from nqtrack.store.sqlite import SqliteStore

    return SqliteStore.check_is_nqtrack(location)
