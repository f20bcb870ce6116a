"""Shared fixtures: a CLI runner bound to a fresh register, with fixed dates, on each engine.

The contract suite (ENGINE_MODULES) runs on both engines with the same expectations:
every test in those modules that uses `cli`, `register_location` or `new_store` (through
the `engine` fixture) runs once on SQLite and once on PostgreSQL, unless it is marked
`sqlite_only` (it looks at SQLite's own files and pragmas). The PostgreSQL runs need a
server: NQTRACK_TEST_PG names it (`.ci/services.sh` starts one and sets it); each test
gets a fresh database cloned from a template that holds the migrated schema, dropped
afterwards. Without a server they skip, saying how to run them; in CI (CI set) they fail.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nqtrack.store.sqlite import SqliteStore
from tests.support import Cli

PG_ENV = "NQTRACK_TEST_PG"
HOW_TO_RUN = (f"PostgreSQL tests: set {PG_ENV}=postgresql://USER:PASSWORD@HOST:PORT/postgres "
              "(a role with CREATEDB); `source .ci/services.sh` starts Debian's server and sets it")

# The contract suite: these modules run on both engines.
ENGINE_MODULES = {"test_store", "test_query_plans", "test_figures_sql", "test_import", "test_cli_core", "test_overdue", "test_report",
                  "test_reliability", "test_search", "test_remind_review", "test_engines",
                  # issues 14-17 where they read or write the register
                  "test_series", "test_calendar_outputs", "test_office_calendar", "test_relative_deadlines",
                  "test_corrections", "test_corrections_meet_the_rest", "test_reimport", "test_government_files",
                  "test_government_figures", "test_evaluate", "test_rates_printed", "test_office_outputs",
                  # issue 13's check of what issues 14 and 16 keep (office_register)
                  "test_trust_check", "test_upserting_imports", "test_engines_large",
                  # issue 20: the register an import makes, before and after the import was made fast
                  "test_import_equivalence", "test_import_worker",
                  # issue 19: many units, one register
                  "test_many_units", "test_unit_sheets",
                  # issue 20: the report's figures kept in the register
                  "test_kept_figures"}
ENGINES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test reads SQLite's own files or pragmas")
    config.addinivalue_line("markers", "postgresql_only: the test is about the PostgreSQL engine")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module not in ENGINE_MODULES:
        return
    engines = list(ENGINES)
    if metafunc.definition.get_closest_marker("sqlite_only"):
        engines.remove("postgresql")
    if metafunc.definition.get_closest_marker("postgresql_only"):
        engines.remove("sqlite")
    metafunc.parametrize("engine", engines, scope="module")


def _server_problem() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    url = os.environ.get(PG_ENV)
    if not url:
        return f"{PG_ENV} is not set"
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # no psycopg, no server, no rights: say which
        return f"cannot use {PG_ENV}: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}"
    return None


_skipped: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a server (outside CI) the PostgreSQL runs are left out, and the summary says
    so in one line; in CI they stay, and fail in `pg_server`."""
    on_server = [item for item in items if "[postgresql" in item.nodeid or "-postgresql" in item.nodeid]
    if not on_server or os.environ.get("CI"):
        return
    problem = _server_problem()
    if problem is None:
        return
    config.hook.pytest_deselected(items=on_server)
    items[:] = [item for item in items if item not in set(on_server)]
    _skipped.append(f"{len(on_server)} PostgreSQL tests skipped ({problem}). {HOW_TO_RUN}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in _skipped:
        terminalreporter.write_line(line)


@pytest.fixture
def engine() -> str:
    """The engine a test runs on (outside the contract suite: SQLite)."""
    return "sqlite"


class PostgresServer:
    """The test server: a template database with the schema migrated, cloned per test.

    A thread of its own clones the next databases while a test runs and drops the used
    ones after it (each takes a few tenths of a second), so that a test waits for neither."""

    READY = 2  # databases cloned ahead

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
        self.prefix = f"nqtrack_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.counter = itertools.count(1)
        self._drop_leftovers()
        self._drop(self.template)
        self.admin.execute(f"CREATE DATABASE {self.template}")
        from nqtrack.store.postgres import PostgresStore

        PostgresStore(self.location(self.template), create=True).close()  # as `init` makes it
        self.ready: queue.Queue[str] = queue.Queue()
        self.work: queue.Queue[tuple[str, str]] = queue.Queue()
        self.worker = threading.Thread(target=self._work, args=(psycopg.connect(url, autocommit=True),), daemon=True)
        self.worker.start()
        for _ in range(self.READY):
            self.work.put(("create", ""))

    def _drop_leftovers(self) -> None:
        """The databases of test runs that ended without cleaning up (killed, the server
        stopped under them): their process is gone."""
        rows = self.admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'nqtrack\\_test\\_%'").fetchall()
        for (name,) in rows:
            pid = name.split("_")[2]
            if pid.isdigit() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
                self._drop(name)

    def _work(self, conn: Any) -> None:
        while True:
            action, name = self.work.get()
            if action == "stop":
                conn.close()
                return
            if action == "drop":
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                name = f"{self.prefix}_{next(self.counter)}"
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
                self.ready.put(name)

    def location(self, name: str) -> str:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))

    def _drop(self, name: str) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def new_database(self, empty: bool = False) -> str:
        """A fresh database: the schema migrated, or (`empty`) nothing at all."""
        if empty:
            name = f"{self.prefix}_empty_{next(self.counter)}"
            self.admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
            return name
        name = self.ready.get(timeout=120)
        self.work.put(("create", ""))
        return name

    def drop(self, name: str) -> None:
        self.work.put(("drop", name))

    def close(self) -> None:
        self.work.put(("stop", ""))
        self.worker.join(timeout=120)
        rows = self.admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                  [self.prefix + "%"]).fetchall()
        for (name,) in rows:
            self._drop(name)
        self.admin.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    problem = _server_problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI needs the server ({HOW_TO_RUN})")
        pytest.skip(HOW_TO_RUN)
    server = PostgresServer(os.environ[PG_ENV])
    yield server
    server.close()


@pytest.fixture
def new_register(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., str]:
    """Makes a new, empty register on the test's engine (a file, or a fresh database) and
    returns its location; `empty=True`: nothing there yet (no file, a database without even
    the schema), for `init` and `--create` to make."""
    counter = itertools.count(1)
    if engine == "sqlite":
        def made(empty: bool = False) -> str:
            path = str(tmp_path / f"register-{next(counter)}.db")
            if not empty:  # as `init` makes it
                SqliteStore(path, create=True).close()
            return path

        return made
    server: PostgresServer = request.getfixturevalue("pg_server")
    made: list[str] = []

    def make(empty: bool = False) -> str:
        name = server.new_database(empty)
        made.append(name)
        return server.location(name)

    def drop_all() -> None:
        for name in made:
            server.drop(name)

    request.addfinalizer(drop_all)
    return make


@pytest.fixture(scope="module")
def module_register(engine: str, tmp_path_factory: pytest.TempPathFactory,
                    request: pytest.FixtureRequest) -> Callable[[], str]:
    """`new_register` for a module's shared register (built once, read by many tests)."""
    if engine == "sqlite":
        def made() -> str:
            path = str(tmp_path_factory.mktemp("register") / "register.db")
            SqliteStore(path, create=True).close()
            return path

        return made
    server: PostgresServer = request.getfixturevalue("pg_server")

    def make() -> str:
        name = server.new_database()
        request.addfinalizer(lambda: server.drop(name))
        return server.location(name)

    return make


@pytest.fixture
def register_location(new_register: Callable[..., str]) -> str:
    return new_register()


@pytest.fixture
def new_store(new_register: Callable[..., str], request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Opens a store on a new register of the test's engine (closed after the test)."""
    from nqtrack.store import open_store

    def make() -> Any:
        store = open_store(new_register())
        request.addfinalizer(store.close)
        return store

    return make


@pytest.fixture
def cli(register_location: str) -> Cli:
    """A CLI bound to a new register (made as `init` makes it: no other command creates one).
    A SQLite register as a Path, as the tests written for SQLite alone take it."""
    is_file = not register_location.startswith(("postgresql://", "postgres://"))
    return Cli(Path(register_location) if is_file else register_location)
