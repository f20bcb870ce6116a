"""Issue 20: a large import reads its rows in a second process (nqtrack.importing.rows) while
this one checks and writes them; the register, the problems and the failures are the ones the
import in one process gives. NQTRACK_IMPORT_WORKER_FROM (bytes) forces the second process on
the small files here ("0") or keeps it off (a size no file has)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from nqtrack.importing import rows
from nqtrack.importing.importer import data_records
from nqtrack.importing.reader import read_table
from tests.support import Cli, query, start_paused
from tests.test_import_equivalence import HERE, TODAY, register_rows, with_fingerprints

ONE_PROCESS = str(10**15)
SKIPPED = "Rows that are not data, skipped: blank 1, column numbering 1, section headings 1, totals 1"
HEADER = "Mã nhiệm vụ,Văn bản,Nội dung nhiệm vụ,Đơn vị chủ trì,Ngày giao,Thời hạn,Trạng thái,Ngày hoàn thành"


@pytest.fixture
def worker_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the import started its second process (spied in this one)."""
    started: list[int] = []
    real = rows.records_read_apart

    def spied(*args: Any, **kwargs: Any) -> Any:
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rows, "records_read_apart", spied)
    return started


def _many_tasks(path: Path, count: int, bad: dict[int, str] | None = None, encoding: str = "utf-8") -> Path:
    lines = [HEADER]
    for n in range(1, count + 1):
        assigned = (bad or {}).get(n, f"{n % 28 + 1:02d}/{n % 12 + 1:02d}/2022")
        lines.append(f"NV-{n},{n % 7 + 1}/KH-BTP,Nhiệm vụ số {n} về chuyển đổi số,Văn phòng Bộ,{assigned},"
                     f"Quý {n % 4 + 1}/2023,Đang thực hiện,")
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _task_count(cli: Cli) -> int:
    return query(cli.db, "SELECT count(*) FROM tasks")[0][0]


def _imported_both_ways(cli: Cli, monkeypatch: pytest.MonkeyPatch, source: Path, *options: str) -> list[Any]:
    """The same import of `source` in one process, then with the reader apart."""
    results = []
    for threshold in (ONE_PROCESS, "0"):
        monkeypatch.setenv("NQTRACK_IMPORT_WORKER_FROM", threshold)
        results.append(cli("import", str(source), *options, expect=None))
    return results


def test_the_second_process_writes_the_register_one_process_writes(
        cli: Cli, tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch, worker_starts: list[int]) -> None:
    # expected.json is the register of the import in one process (test_import_equivalence)
    monkeypatch.setenv("NQTRACK_IMPORT_WORKER_FROM", "0")
    cli("import", str(HERE / "units.csv"), "--kind", "units", "--by", "bench", today=TODAY)
    out = cli("import", str(HERE / "tasks.csv"), "--by", "bench", today=TODAY).stdout
    assert len(worker_starts) == 2  # the units' file too
    import json

    expected = with_fingerprints(json.loads((HERE / "expected.json").read_text(encoding="utf-8")))
    got = register_rows(cli, tmp_path)
    for table in expected:
        assert got[table]["columns"] == expected[table]["columns"], table
        assert got[table]["rows"] == expected[table]["rows"], table
    assert "250 rows: 250 created" in out
    assert multiprocessing.active_children() == []


def test_the_summary_and_the_rows_skipped_are_the_same(cli: Cli, tmp_path: Path, engine: str,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       worker_starts: list[int]) -> None:
    # a file with rows that are not data (numbering, section, total, blank)
    source = tmp_path / "tasks.csv"
    source.write_text(
        "BỘ TƯ PHÁP\n" + HEADER + "\n(1),(2),(3),(4),(5),(6),(7),(8)\nI. NHIỆM VỤ CHÍNH PHỦ GIAO,,,,,,,\n"
        "NV-1,1/KH-BTP,Nhiệm vụ một về chuyển đổi số,Văn phòng Bộ,01/02/2022,Quý 1/2023,Hoàn thành,03/03/2022\n"
        ",,,,,,,\n"
        "NV-2,1/KH-BTP,Nhiệm vụ hai về chuyển đổi số,Văn phòng Bộ,01/02/2022,30/06/2023,Đang thực hiện,\n"
        "Tổng cộng,2,,,,,,\n", encoding="utf-8")
    single, apart = _imported_both_ways(cli, monkeypatch, source, "--dry-run")
    assert len(worker_starts) == 1
    assert single.exit_code == apart.exit_code == 0
    assert apart.stdout == single.stdout
    assert "2 rows: 2 created" in single.stdout
    assert SKIPPED in single.stdout


def test_a_bad_row_deep_in_a_large_file_gives_the_same_problems_and_writes_nothing(
        cli: Cli, tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch, worker_starts: list[int]) -> None:
    source = _many_tasks(tmp_path / "tasks.csv", 3000, bad={2500: "31/02/2022", 2900: "hôm qua"})
    single, apart = _imported_both_ways(cli, monkeypatch, source)
    assert len(worker_starts) == 1
    assert apart.exit_code == single.exit_code != 0
    assert apart.output == single.output
    assert "row 2500" in single.output and "row 2900" in single.output
    assert _task_count(cli) == 0
    assert multiprocessing.active_children() == []


def test_a_file_that_cannot_be_read_half_way_gives_one_line_and_writes_nothing(
        cli: Cli, tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch, worker_starts: list[int]) -> None:
    source = _many_tasks(tmp_path / "tasks.csv", 3000)
    data = source.read_bytes()
    # a NUL past the sample the reader looks at first (256 KB): found only while the rows are
    # read (an encoding error there is found before: the reader checks the whole file's bytes)
    cut = data.index(b"\n", 300_000) + 1
    source.write_bytes(data[:cut] + b"NV-x,1/KH-BTP,Nhi\x00m,V,,,,\n" + data[cut:])
    single, apart = _imported_both_ways(cli, monkeypatch, source)
    assert len(worker_starts) == 1
    assert apart.exit_code == single.exit_code == 2
    assert apart.output == single.output
    assert apart.output == f"Error: cannot import: cannot read '{source}': line 2381 holds a NUL character; " \
                           "this looks like a binary file, not a table\n"
    assert _task_count(cli) == 0
    assert multiprocessing.active_children() == []


def _dies(sender: Any, *args: Any) -> None:
    os._exit(3)


def test_a_reader_that_dies_gives_one_line_and_writes_nothing(
        cli: Cli, tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _many_tasks(tmp_path / "tasks.csv", 50)
    monkeypatch.setenv("NQTRACK_IMPORT_WORKER_FROM", "0")
    monkeypatch.setattr(rows, "read_rows", _dies)
    monkeypatch.setattr(rows, "_start_method", lambda: "fork")  # the process runs this test's _dies
    result = cli("import", str(source), expect=2)
    assert result.output == (f"Error: cannot import: cannot read '{source}': the process reading it stopped "
                             "(exit code 3)\n")
    assert _task_count(cli) == 0
    assert multiprocessing.active_children() == []


def test_the_reader_is_stopped_when_the_import_stops(tmp_path: Path) -> None:
    # Ctrl-C (or any error) while the rows are received: the second process does not outlive the block
    source = _many_tasks(tmp_path / "tasks.csv", 5000)
    table = read_table(source)
    mapping = {i: f"f{i}" for i in range(len(table.headers))}
    with pytest.raises(KeyboardInterrupt), rows.records_read_apart(table, mapping, source, "tasks", {}, {}) as records:
        assert next(records)[:2] == (1, 2)
        (process,) = multiprocessing.active_children()
        raise KeyboardInterrupt
    assert not process.is_alive()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("method", ["fork", "spawn"])  # spawned when a thread already runs here
def test_the_second_process_reads_what_this_one_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      method: str) -> None:
    monkeypatch.setattr(rows, "_start_method", lambda: method)
    source = _many_tasks(tmp_path / "tasks.csv", 2500)
    table = read_table(source)
    mapping = {i: f"f{i}" for i in range(len(table.headers))}
    skipped_here: dict[str, int] = {}
    here = list(data_records(table, mapping, skipped_here))
    again = read_table(source)
    skipped_apart: dict[str, int] = {}
    with rows.records_read_apart(again, mapping, source, "tasks", {}, skipped_apart) as records:
        apart = list(records)
    assert apart == here and len(here) == 2500
    assert skipped_apart == skipped_here


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """The process is there and has not ended (a zombie has: its parent has yet to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_import_leaves_no_reader_behind(cli: Cli, tmp_path: Path) -> None:
    """SIGKILL, which gives the importing process no time to stop its reader: the reader,
    its pipe full, finds the pipe closed and ends (it held the importing process's end too,
    and waited forever)."""
    source = _many_tasks(tmp_path / "tasks.csv", 60000)  # megabytes more than the pipe holds
    proc = start_paused(["--db", str(cli.db), "--today", "2022-11-15", "import", str(source)], "import-batch",
                        env={"NQTRACK_IMPORT_WORKER_FROM": "0"})
    try:
        (reader,) = _children(proc.pid)
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while _running(reader) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _running(reader)
    if left:
        os.kill(reader, signal.SIGKILL)
    assert not left
    assert _task_count(cli) == 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_leaves_no_process_behind_and_nothing_written(cli: Cli, tmp_path: Path, engine: str) -> None:
    source = _many_tasks(tmp_path / "tasks.csv", 7000)
    # stopped after its first batch of 5,000 rows is written, the reader still running
    proc = start_paused(["--db", str(cli.db), "--today", "2022-11-15", "import", str(source)], "import-batch",
                        env={"NQTRACK_IMPORT_WORKER_FROM": "0"})
    try:
        (reader,) = _children(proc.pid)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert not Path(f"/proc/{reader}").exists()  # stopped and reaped by the import, not left to init
    assert _task_count(cli) == 0


def test_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NQTRACK_IMPORT_WORKER_FROM", "1234")
    assert rows.worker_threshold() == 1234
    monkeypatch.delenv("NQTRACK_IMPORT_WORKER_FROM")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert rows.worker_threshold() == rows.WORKER_FROM_BYTES == 4 * 1024 * 1024
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})  # one core: nothing to run the reader on
    assert rows.worker_threshold() == rows.NEVER
