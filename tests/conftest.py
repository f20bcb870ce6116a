"""Shared fixtures: a CLI runner bound to a fresh database, with fixed dates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nqtrack.cli import app


class Cli:
    """Runs nqtrack commands in-process against one database file."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, today: str | None = "2022-11-15", lang: str = "en", expect: int | None = 0):
        argv = ["--db", str(self.db), "--lang", lang]
        if today:
            argv += ["--today", today]
        result = self.runner.invoke(app, argv + list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
        if expect is not None:
            assert result.exit_code == expect, (args, result.exit_code, result.output, result.exception)
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "register.db")


def nqtrack_executable() -> list[str]:
    """The installed console script, else `python -m nqtrack` from this interpreter."""
    exe = shutil.which("nqtrack", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return [exe] if exe else [sys.executable, "-m", "nqtrack"]


def run_nqtrack(*args: str, env: dict | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    full_env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    full_env.update(env or {})
    return subprocess.run(nqtrack_executable() + list(args), capture_output=True, env=full_env, input=input, timeout=120)
