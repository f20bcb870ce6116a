"""Helpers the tests share: a CLI runner bound to a database, the installed command in a
real process, and a process stopped at a fault-injection point (nqtrack.faults)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nqtrack.cli import app


class Cli:
    """Runs nqtrack commands in-process against one register (a SQLite file or a PostgreSQL URL)."""

    def __init__(self, db: Path | str) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, today: str | None = "2022-11-15", lang: str = "en", expect: int | None = 0):
        argv = ["--db", str(self.db), "--lang", lang]
        env = {"NO_COLOR": "1", "COLUMNS": "200"}
        if today:
            # the business day, and the test's own clock on the same day (--today never sets the clock)
            argv += ["--today", today]
            env["NQTRACK_TEST_CLOCK"] = today
        result = self.runner.invoke(app, argv + list(args), env=env)
        if expect is not None:
            assert result.exit_code == expect, (args, result.exit_code, result.output, result.exception)
        return result


def nqtrack_executable() -> list[str]:
    """The installed console script, else `python -m nqtrack` from this interpreter."""
    exe = shutil.which("nqtrack", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return [exe] if exe else [sys.executable, "-m", "nqtrack"]


def run_nqtrack(*args: str, env: dict | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    full_env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    full_env.update(env or {})
    return subprocess.run(nqtrack_executable() + list(args), capture_output=True, env=full_env, input=input, timeout=120)


def _ctrl_c_at_its_default() -> None:
    """In the child before exec: SIGINT at its default, as a terminal starts a command. An
    ignored signal stays ignored across exec, and a shell ignores SIGINT in what it starts in
    the background (a CI run started with `&`): the test of Ctrl-C then waited a minute."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_paused(args: list[str], point: str, env: dict | None = None, timeout: float = 60,
                 resume_fd: int | None = None) -> subprocess.Popen:
    """Start `nqtrack ARGS` and return once it has stopped at the fault-injection `point`:
    it says so on a pipe, so nothing here polls or sleeps. With `resume_fd` (the read end
    of a pipe) it goes on when the test writes to that pipe or closes it."""
    read_end, write_end = os.pipe()
    full_env = {**os.environ, **(env or {}), "NQTRACK_TEST_PAUSE": f"{point}:{timeout}",
                "NQTRACK_TEST_PAUSE_FD": str(write_end)}
    passed = (write_end,)
    if resume_fd is not None:
        full_env["NQTRACK_TEST_RESUME_FD"] = str(resume_fd)
        passed += (resume_fd,)
    proc = subprocess.Popen(nqtrack_executable() + args, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, pass_fds=passed, preexec_fn=_ctrl_c_at_its_default)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        said = os.read(read_end, 16) if ready else b""
    finally:
        os.close(read_end)
    if not said.startswith(b"paused"):
        proc.kill()
        raise AssertionError(f"nqtrack never reached '{point}': {proc.communicate()[1].decode()}")
    return proc


def with_search_text(con: Any) -> Any:
    """A plain SQLite connection given the function through which the search index reads
    each task's text (m014): a tool that reads the index's text or deletes from it needs it."""
    from nqtrack.store.sql import SqlStore

    con.create_function("nqtrack_search_text", 9, SqlStore.search_text, deterministic=True)
    return con


def query(location: str | Path, sql: str) -> list[tuple]:
    """Rows of a plain statement on a register of either engine (committed), for tests that
    look inside or break a rule behind nqtrack's back."""
    if str(location).startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(str(location), autocommit=True) as con:
            cur = con.execute(sql)
            return [tuple(row) for row in cur.fetchall()] if cur.description else []
    import sqlite3

    con = with_search_text(sqlite3.connect(location))
    try:
        rows = con.execute(sql).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def show_json(cli: Cli, task: str = "1", **kw) -> dict:
    """`show TASK --format json`, read."""
    return json.loads(cli("show", task, "--format", "json", **kw).stdout)


def batch_of(import_output: str) -> str:
    """The batch an import names on its last line ("Import batch: 3f2a9c1b7d4e")."""
    return import_output.strip().splitlines()[-1].split()[-1]


@contextlib.contextmanager
def local_smtp_server(refused: tuple[str, ...] = ()) -> Iterator[tuple[int, list]]:
    """A mail server on loopback (aiosmtpd): yields its port and the list of the messages it
    received; mail to an address in `refused` is refused (550)."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in refused:
                return "550 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()
