"""The store: schema, migrations, files, transactions."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from nqtrack.store import sqlite as store_module
from nqtrack.store import sqlite_migrations
from nqtrack.store.sqlite import MIGRATIONS_TABLE, SCHEMA_VERSION
from nqtrack.store.sqlite import SqliteStore as Store


def shipped():
    """The shipped migrations, through sqlite-utils' public API: on an empty database every one is pending."""
    return sqlite_migrations.migrations.pending(Database(memory=True))


def with_one_more(monkeypatch, fn) -> None:
    """The next version: the shipped migrations and `fn`, under the same migration set name."""
    following = Migrations(store_module.MIGRATION_SET)
    for migration in shipped():
        following(name=migration.name)(migration.fn)
    following(name=fn.__name__)(fn)
    monkeypatch.setattr(sqlite_migrations, "migrations", following)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)


def test_schema_version_constant_matches_the_migrations():
    assert len(shipped()) == SCHEMA_VERSION


def test_the_store_reads_the_table_sqlite_utils_keeps_its_migrations_in():
    # the fast path reads it without importing sqlite-utils: fail loudly if the name moves
    assert Migrations.migrations_table == MIGRATIONS_TABLE


def test_new_database_is_wal_and_private(tmp_path):
    path = tmp_path / "new.db"
    s = Store(path)
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.applied_migrations() == SCHEMA_VERSION
    s.close()
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & stat.S_IROTH == 0 and mode & stat.S_IWOTH == 0


def test_indexes_on_what_overdue_and_report_filter(tmp_path):
    s = Store(tmp_path / "i.db")
    indexed = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'")}
    for name in ("tasks_state_deadline", "tasks_lead_state_deadline", "tasks_source", "tasks_assigned_on"):
        assert name in indexed


def test_a_database_of_this_version_upgrades_under_the_next(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    s = Store(path)
    with s.transaction():
        unit = s.add_unit("Văn phòng Bộ", code="VP")
        s.create_task({"title": "Việc cũ", "lead_unit_id": unit.id}, [], effective_on=date(2022, 1, 1), by="t",
                      recorded_at="2022-01-01T08:00:00+00:00")
    s.close()

    def m999_add_priority(db):
        db.execute("ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")

    with_one_more(monkeypatch, m999_add_priority)  # the next version ships one more migration
    upgraded = Store(path)
    assert upgraded.applied_migrations() == SCHEMA_VERSION + 1
    # the database as it was before the schema changed is kept beside it
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("old.db.before-schema-")]
    assert len(backups) == 1
    kept = sqlite3.connect(backups[0])
    assert kept.execute("SELECT title FROM tasks").fetchone()[0] == "Việc cũ"
    assert "priority" not in [r[1] for r in kept.execute("PRAGMA table_info(tasks)")]
    kept.close()
    row = upgraded.conn.execute("SELECT title, priority FROM tasks").fetchone()
    assert tuple(row) == ("Việc cũ", 0)
    upgraded.close()
    # opening again applies nothing twice
    again = Store(path)
    assert again.applied_migrations() == SCHEMA_VERSION + 1


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "fail.db"
    Store(path).close()

    def m998_broken(db):
        db.execute("ALTER TABLE tasks ADD COLUMN half_done INTEGER")
        raise RuntimeError("boom")

    with_one_more(monkeypatch, m998_broken)
    with pytest.raises(RuntimeError):
        Store(path)
    con = sqlite3.connect(path)
    columns = [r[1] for r in con.execute("PRAGMA table_info(tasks)")]
    assert "half_done" not in columns


def test_transaction_rolls_back_whole(new_store):
    s = new_store()
    with pytest.raises(ValueError), s.transaction():
        s.add_unit("Văn phòng Bộ")
        s.create_task({"title": "Việc", "state": "new"}, [], effective_on=date(2022, 1, 1), by="t",
                      recorded_at="2022-01-01T08:00:00.000000+00:00")
        raise ValueError("stop")
    assert s.list_units() == [] and s.list_tasks() == [] and s.is_empty()
    with s.transaction():  # and the next transaction starts clean
        s.add_unit("Văn phòng Bộ")
    assert [u.name for u in s.list_units()] == ["Văn phòng Bộ"]


def test_not_a_database(tmp_path):
    from nqtrack.core.errors import DatabaseError

    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DatabaseError):
        Store(path)


def test_a_bulk_write_that_fails_leaves_nothing_and_the_store_goes_on(new_store):
    """A large insert (PostgreSQL sends it by COPY from a thread of its own) refused by the
    database: the error reaches the caller, the transaction is rolled back whole."""
    from nqtrack.store.base import NewTask

    s = new_store()
    tasks = [NewTask({"title": f"Việc {i}", "document_id": 999}, [], date(2022, 1, 1)) for i in range(150)]
    with pytest.raises(Exception), s.transaction():  # noqa: B017  (each engine names it its own way)
        s.insert_tasks(tasks, by="t", recorded_at="2022-01-01T08:00:00.000000+00:00")
        s.list_units()  # the next read waits for the write, and meets its error
    assert s.list_tasks() == [] and s.is_empty()
    with s.transaction():
        good = [NewTask({"title": f"Việc {i}"}, [], date(2022, 1, 1)) for i in range(120)]
        ids = s.insert_tasks(good, by="t", recorded_at="2022-01-01T08:00:00.000000+00:00")
    assert len(ids) == 120 and len(s.list_tasks()) == 120


def test_a_search_index_with_a_copy_of_the_text_is_made_again_without_it(tmp_path):
    """m014 (issue 20): a register of schema 13, whose search index kept a copy of every
    task's text, is upgraded to the index over the view task_search_text; the searches find
    what they found, FTS5 finds the index whole, and a correction keeps it so."""
    path = tmp_path / "schema-13.db"
    s = Store(path)
    with s.transaction():
        unit = s.add_unit("Văn phòng Bộ", code="VP")
        doc = s.add_document("07-NQ/ĐUK", title="Về nâng cao chất lượng sinh hoạt chi bộ", doc_type="Nghị quyết")
        for title in ("Xây dựng kế hoạch thực hiện", "Báo cáo sơ kết", "Kiểm tra thủy lợi"):
            s.create_task({"title": title, "lead_unit_id": unit.id, "document_id": doc.id, "assignee": "Nguyễn Thị Hoà"},
                          [], effective_on=date(2022, 1, 1), by="t", recorded_at="2022-01-01T08:00:00+00:00")
    found = {text: [t["id"] for t in s.list_tasks(text=text)] for text in ("chat luong", "thuy loi", "hoa", "07-nq")}
    s.close()
    con = sqlite3.connect(path)  # the index as schema 13 kept it: FTS5 with its own copy of the text
    con.create_function("nqtrack_search_text", 9, Store.search_text, deterministic=True)
    texts = con.execute("SELECT id, body FROM task_search_text").fetchall()
    con.execute("DROP TABLE task_search")
    con.execute("DROP VIEW task_search_text")
    con.execute("CREATE VIRTUAL TABLE task_search USING fts5(body, tokenize = 'unicode61')")
    con.executemany("INSERT INTO task_search(rowid, body) VALUES (?, ?)", texts)
    con.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE name = 'm014_search_without_copy'")
    con.commit()
    assert con.execute("SELECT count(*) FROM task_search_content").fetchone() == (3,)
    con.close()

    upgraded = Store(path)
    assert upgraded.applied_migrations() == SCHEMA_VERSION
    assert upgraded.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'task_search_content'").fetchone()[0] == 0
    assert {text: [t["id"] for t in upgraded.list_tasks(text=text)] for text in found} == found
    assert sorted(found["chat luong"]) == [1, 2, 3] and found["thuy loi"] == [3]
    assert upgraded._search_index_whole()
    with upgraded.transaction():
        upgraded.change_task(3, {"title": "Kiểm tra đê điều"}, effective_on=date(2022, 2, 1), by="t",
                             recorded_at="2022-02-01T08:00:00+00:00")
    assert [t["id"] for t in upgraded.list_tasks(text="de dieu")] == [3]
    assert upgraded.list_tasks(text="thuy loi") == []
    assert upgraded._search_index_whole()
    assert upgraded.invariant_problems() == []
    upgraded.close()
