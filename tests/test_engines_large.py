"""Issue 18's hidden-data check at scale: a 100,000-task synthetic register
(benchmarks/generate.py), copied into PostgreSQL with `nqtrack copy`, passes `check` there
and gives byte-identical JSON and CSV on both engines for every view of
benchmarks/compare_engines.py (reports with --as-of, --known-on and --cutoff, the morning
views, review, searches, list --overdue, evaluate), each run as a whole process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TASKS = 100_000


@pytest.mark.postgresql_only
def test_a_100000_task_register_gives_the_same_views_on_both_engines(new_register, tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import compare_engines
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    register = tmp_path / "r100k.db"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--tasks", str(TASKS), "--seed", "1",
                    str(register)], check=True, capture_output=True)
    status = compare_engines.main([str(register), "--target", new_register(empty=True)])
    printed = capsys.readouterr().out
    assert "check on the copy: passed" in printed
    assert f"{len(compare_engines.VIEWS)} of {len(compare_engines.VIEWS)} views identical on both engines" in printed
    assert "DIFFERENT" not in printed and status == 0
