"""docs/cli.md is what the commands say: regenerated and compared on every run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "tools" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_cli_reference_is_current():
    tool = _tool()
    expected = tool.reference()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `python tools/cli_reference.py`")


def test_the_reference_has_every_command_in_both_languages():
    tool = _tool()
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    paths = tool.command_paths()
    assert ["unit", "add"] in paths and ["remind"] in paths
    for path in paths:
        name = "nqtrack" + "".join(" " + p for p in path)
        assert f"### `{name}` (en)" in text and f"### `{name}` (vi)" in text
    assert "Cách dùng:" in text and "Usage:" in text
