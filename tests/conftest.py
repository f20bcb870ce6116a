"""Shared fixtures: a CLI runner bound to a fresh database, with fixed dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A CLI bound to a new register (made by `init`: no other command creates one)."""
    runner = Cli(tmp_path / "register.db")
    runner("init")
    return runner
