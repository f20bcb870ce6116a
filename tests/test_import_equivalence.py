"""Import equivalence (issue 20): the register an import of a fixed file makes is the same,
table by table and row by row, as the one the import made before the import was made fast
(expected.json, recorded with the code of main at 5bd4cae), on both engines; and the same as
the rows benchmarks/floor_import.py (the bare floor script) writes.

Only what differs between any two runs is left out: the moment (created_at, updated_at,
recorded_at), the import's random batch id, and the schema version.

To record expected.json again (only when the import is meant to change what it writes):
    NQTRACK_RECORD_EQUIVALENCE=1 .venv/bin/python -m pytest tests/test_import_equivalence.py -k sqlite
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from nqtrack.store.base import CREATION_KINDS
from nqtrack.store.sql import creation_fingerprint
from tests.support import Cli, query

HERE = Path(__file__).parent / "data" / "import_equivalence"
EXPECTED = HERE / "expected.json"
TODAY = "2026-11-22"  # the benchmark's business day (benchmarks/generate.py)
VOLATILE = {"created_at", "updated_at", "recorded_at", "batch_id"}


def _import_fixed_file(cli: Cli) -> None:
    cli("import", str(HERE / "units.csv"), "--kind", "units", "--by", "bench", today=TODAY)
    cli("import", str(HERE / "tasks.csv"), "--by", "bench", today=TODAY)


def register_rows(cli: Cli, tmp_path: Path) -> dict[str, Any]:
    """Every table of the register as `export` writes it (the engines' shared form), the
    volatile columns left out."""
    out = tmp_path / "register.json"
    cli("export", str(out), today=TODAY)
    exported = json.loads(out.read_text(encoding="utf-8"))
    tables: dict[str, Any] = {}
    for name, rows in exported.items():
        if not isinstance(rows, list):
            continue
        kept = [[v for k, v in row.items() if k not in VOLATILE and not (name == "batches" and k == "id")]
                for row in rows]
        if name == "batches":  # by what they hold (their ids are random), the file by its name
            kept = sorted([*row[:-1], Path(row[-1]).name] for row in kept)
        tables[name] = {"columns": [k for k in (rows[0] if rows else {}) if k not in VOLATILE
                                    and not (name == "batches" and k == "id")], "rows": kept}
    return tables


def with_fingerprints(tables: dict[str, Any]) -> dict[str, Any]:
    """The rows recorded before creation events kept a fingerprint of the task's first fields
    instead of the fields (issue 20): each creation snapshot replaced by its fingerprint."""
    columns = tables["events"]["columns"]
    field, kind, new = columns.index("field"), columns.index("kind"), columns.index("new_value")
    for row in tables["events"]["rows"]:
        if row[field] is None and row[kind] in CREATION_KINDS and str(row[new]).startswith("{"):
            row[new] = creation_fingerprint(json.loads(row[new]))
    return tables


def test_an_import_writes_the_rows_it_wrote_before(cli: Cli, tmp_path: Path, engine: str) -> None:
    _import_fixed_file(cli)
    got = register_rows(cli, tmp_path)
    if os.environ.get("NQTRACK_RECORD_EQUIVALENCE") and engine == "sqlite":
        EXPECTED.write_text(json.dumps(got, ensure_ascii=False, separators=(",", ":")).replace("]],", "]],\n"),
                            encoding="utf-8")
    _assert_as_recorded(got)


def _assert_as_recorded(got: dict[str, Any]) -> None:
    """The register `got` holds exactly the rows recorded in expected.json."""
    expected = with_fingerprints(json.loads(EXPECTED.read_text(encoding="utf-8")))
    assert set(expected) <= set(got)
    # a table added since (issue 19's users and their journal) holds nothing after an import
    assert {table: got[table]["rows"] for table in set(got) - set(expected)} == {
        table: [] for table in set(got) - set(expected)}
    for table in expected:
        assert got[table]["columns"] == expected[table]["columns"], table
        assert len(got[table]["rows"]) == len(expected[table]["rows"]), table
        for number, (row, before) in enumerate(zip(got[table]["rows"], expected[table]["rows"], strict=True)):
            assert row == before, (table, number)
    assert len(expected["tasks"]["rows"]) == 250 and len(expected["events"]["rows"]) > 500  # the file was read


@pytest.mark.sqlite_only
def test_an_import_in_chunks_waits_for_the_rows_written_behind_only_at_its_end(
        cli: Cli, tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # each chunk's new documents, task ids and codes are known without reading the register
    # (SqliteStore.add_new_document, _reserve_task_ids, insert_tasks' codes_checked): no read
    # waits for the rows written behind, and the register is the one recorded, row for row
    from nqtrack.importing.importer import Importer
    from nqtrack.store import sqlite as sqlite_store

    monkeypatch.setattr(Importer, "BATCH", 40)  # the 250 rows in seven chunks
    waited_in: list[set[str]] = []  # the functions under each read that waited
    real = sqlite_store._Connection.caught_up

    def counted(self: Any) -> None:
        if self._jobs is not None and self._jobs.unfinished_tasks:
            waited_in.append({frame.name for frame in traceback.extract_stack()})
        real(self)

    monkeypatch.setattr(sqlite_store._Connection, "caught_up", counted)
    _import_fixed_file(cli)
    # the file names units the register has not got (each looked up once) and the batch is
    # recorded at the end: those waits are the only ones
    assert waited_in and all({"find_units", "record_batch"} & names for names in waited_in)
    _assert_as_recorded(register_rows(cli, tmp_path))
    assert cli("check", today=TODAY).output.strip() == "All checks passed."


@pytest.mark.sqlite_only
def test_an_import_writes_the_rows_the_floor_script_writes(cli: Cli, tmp_path: Path, engine: str) -> None:
    cli("import", str(HERE / "units.csv"), "--kind", "units", "--by", "bench", today=TODAY)
    floor_db = tmp_path / "floor.db"
    shutil.copy(cli.db, floor_db)
    cli("import", str(HERE / "tasks.csv"), "--by", "bench", today=TODAY)
    benchmarks = str(Path(__file__).parent.parent / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        import floor_import  # type: ignore[import-not-found]  # a script beside the benchmark, not a module

        assert floor_import.run(str(floor_db), str(HERE / "tasks.csv"), "bench",
                                date.fromisoformat(TODAY)) == 0
        assert floor_import.compare(str(cli.db), str(floor_db)) == []
    finally:
        sys.path.remove(benchmarks)
    with sqlite3.connect(floor_db) as conn:
        assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (250,)


def _indexes(location: str | Path) -> list[tuple[Any, ...]]:
    """The register's indexes, and on PostgreSQL its foreign keys too, with their definitions."""
    if str(location).startswith(("postgresql://", "postgres://")):
        return query(location, """SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
                                  UNION ALL
                                  SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                                  WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
                                  UNION ALL
                                  SELECT tgname, CAST(tgenabled AS text) FROM pg_trigger WHERE NOT tgisinternal
                                  ORDER BY 1, 2""")
    return query(location, "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")


def test_a_bulk_load_into_a_new_register_leaves_every_index_as_it_was(cli: Cli, tmp_path: Path) -> None:
    # the import drops the secondary indexes (and on PostgreSQL the foreign keys, and turns
    # off the who-recorded triggers that would change nothing) of a register without tasks
    # and makes them again at the end (Store.bulk_load): a failed import rolls the drop
    # back, a good one makes them again as they were
    before = _indexes(cli.db)
    assert any(name == "events_effective" for name, _ in before)
    if str(cli.db).startswith("postgresql://"):
        assert ("events_recorded_by", "O") in before
    cli("import", str(HERE / "units.csv"), "--kind", "units", "--by", "bench", today=TODAY)
    with open(HERE / "tasks.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    untitled = [f"{rows[1][0]}-B", *rows[1][1:]]
    untitled[2] = ""  # a task needs a title: the whole import is refused
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([*rows, untitled])
    failed = cli("import", str(bad), "--by", "bench", today=TODAY, expect=None)
    assert failed.exit_code != 0
    assert query(cli.db, "SELECT count(*) FROM tasks") == [(0,)] and _indexes(cli.db) == before
    cli("import", str(HERE / "tasks.csv"), "--by", "bench", today=TODAY)
    assert query(cli.db, "SELECT count(*) FROM tasks") == [(250,)] and _indexes(cli.db) == before
    assert cli("check", today=TODAY).output.strip() == "All checks passed."


@pytest.mark.sqlite_only
def test_the_rows_written_behind_are_a_bounded_number_of_statements_ahead(tmp_path: Path, engine: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # an import that parses faster than SQLite writes waits for the writer instead of
    # piling its rows up in memory (memory flat in the file's size)
    import threading

    from nqtrack.store import sqlite as sqlite_store

    store = sqlite_store.SqliteStore(str(tmp_path / "register.db"), create=True)
    release = threading.Event()
    real = sqlite_store._Connection._insert_many

    def held(self: Any, table: str, columns: Any, rows: Any) -> Any:
        release.wait(30)
        return real(self, table, columns, rows)

    monkeypatch.setattr(sqlite_store._Connection, "_insert_many", held)
    handed: list[int] = []

    def parse_ahead() -> None:
        for n in range(sqlite_store.WRITE_BEHIND_JOBS + 5):
            store.conn.write_behind("settings", ("key", "value"), [(f"k{n}", "v")])
            handed.append(n)

    with store.transaction():
        producer = threading.Thread(target=parse_ahead)
        producer.start()
        producer.join(1.0)
        assert producer.is_alive()  # it waits for the writer …
        assert len(handed) <= sqlite_store.WRITE_BEHIND_JOBS + 1  # … a bounded number of statements ahead
        release.set()
        producer.join(30)
        assert not producer.is_alive() and len(handed) == sqlite_store.WRITE_BEHIND_JOBS + 5
        store.conn.caught_up()
    assert query(store.path, "SELECT count(*) FROM settings WHERE key LIKE 'k%'") == [(sqlite_store.WRITE_BEHIND_JOBS + 5,)]
    store.close()


@pytest.mark.sqlite_only
def test_an_error_in_the_rows_written_behind_rolls_the_whole_load_back(tmp_path: Path, engine: str) -> None:
    # bulk_load writes rows on a second thread (_Connection.write_behind): the error they meet
    # (here a number SQLite cannot hold) is raised in the caller's thread, and nothing is kept
    from nqtrack.core.errors import InvalidInput
    from nqtrack.store.base import NewTask
    from nqtrack.store.sqlite import SqliteStore

    store = SqliteStore(str(tmp_path / "register.db"), create=True)
    before = _indexes(store.path)
    good = [NewTask({"title": f"task {n}"}, [], date(2026, 1, 5)) for n in range(300)]
    bad = NewTask({"title": "too large", "progress": 2**70}, [], date(2026, 1, 5))
    with pytest.raises(InvalidInput), store.transaction(), store.bulk_load():
        store.insert_tasks(good, by="t", recorded_at="2026-01-05T08:00:00+00:00")
        store.insert_tasks([bad, *good], by="t", recorded_at="2026-01-05T08:00:00+00:00")
    with store.transaction(), store.bulk_load():
        store.insert_tasks(good, by="t", recorded_at="2026-01-05T08:00:00+00:00")
    store.close()
    assert query(store.path, "SELECT count(*), min(id) FROM tasks") == [(300, 1)]
    assert query(store.path, "SELECT count(*) FROM events") == [(300,)]
    assert _indexes(store.path) == before


@pytest.mark.postgresql_only
def test_the_writer_thread_hands_the_gil_over_quickly_while_it_runs(new_store: Any, engine: str) -> None:
    # the COPY writer waits for the socket at every 1 MB it sends: while it runs the
    # interpreter switches threads every 0.2 ms, and as before once the store is closed
    from nqtrack.store.base import NewTask

    before = sys.getswitchinterval()
    store = new_store()
    with store.transaction():
        store.insert_tasks([NewTask({"title": f"task {n}"}, [], date(2026, 1, 5)) for n in range(300)],
                           by="t", recorded_at="2026-01-05T08:00:00+00:00")
        assert sys.getswitchinterval() == pytest.approx(min(0.0002, before))
    assert store.counts()["tasks"] == 300
    store.close()
    assert sys.getswitchinterval() == before
