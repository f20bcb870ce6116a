"""Schema migrations. Never edit one that has shipped: add a new function below.

Each migration runs in its own transaction (sqlite-utils `Migrations`).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "nqtrack"
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            code TEXT UNIQUE,
            name TEXT NOT NULL,
            parent_id INTEGER REFERENCES units(id),
            aliases TEXT,
            email TEXT
        );
        -- every folded name, alias and code of a unit, for accent-insensitive look-up
        -- columns in primary-key order: SQLite 3.40's quick_check misreports NULLs otherwise
        CREATE TABLE unit_keys (
            key TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            PRIMARY KEY (key, unit_id)
        ) WITHOUT ROWID;
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            symbol TEXT NOT NULL,
            symbol_key TEXT NOT NULL,
            style TEXT NOT NULL,
            doc_type TEXT,
            number TEXT,
            year INTEGER,
            issuer TEXT,
            issued_on TEXT,
            received_on TEXT,
            title TEXT,
            parent_id INTEGER REFERENCES documents(id)
        );
        CREATE INDEX documents_symbol_key ON documents(symbol_key);
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            code TEXT UNIQUE,
            document_id INTEGER REFERENCES documents(id),
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            source TEXT,
            lead_unit_id INTEGER REFERENCES units(id),
            assignee TEXT,
            assigned_on TEXT,
            deadline TEXT,
            original_deadline TEXT,
            deadline_text TEXT,
            product TEXT,
            state TEXT NOT NULL DEFAULT 'new'
                CHECK (state IN ('new', 'in_progress', 'done', 'paused', 'cancelled')),
            progress INTEGER CHECK (progress BETWEEN 0 AND 100),
            completed_on TEXT,
            recurring INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX tasks_state_deadline ON tasks(state, deadline);
        -- deadline last: "done, completed in the period, due before it" is read from the index alone
        CREATE INDEX tasks_state_completed ON tasks(state, completed_on, deadline);
        CREATE INDEX tasks_lead_state_deadline ON tasks(lead_unit_id, state, deadline);
        CREATE INDEX tasks_deadline ON tasks(deadline);
        CREATE INDEX tasks_assigned_on ON tasks(assigned_on);
        CREATE INDEX tasks_source ON tasks(source);
        CREATE INDEX tasks_document_title ON tasks(document_id, title_key);
        CREATE TABLE task_units (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            PRIMARY KEY (task_id, unit_id)
        ) WITHOUT ROWID;
        CREATE INDEX task_units_unit ON task_units(unit_id, task_id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            kind TEXT NOT NULL,
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            effective_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            note TEXT,
            batch_id TEXT
        );
        CREATE INDEX events_task_field ON events(task_id, field, id);
        -- covering: the as-of replay lists what changed after a day from the index alone
        CREATE INDEX events_effective ON events(effective_on, field, task_id, old_value, new_value)
            WHERE field IS NOT NULL;
        CREATE INDEX events_recorded ON events(recorded_at, field, task_id);
        -- one row per import: its events share one recorded_at, so undo --batch reads
        -- them through events_recorded (an index on batch_id would slow every import)
        CREATE TABLE batches (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT,
            note TEXT
        );
        """
    )


@migrations()
def m002_undo(db: Database) -> None:
    # an undo event names the event it reverts, so nothing is undone twice
    db.executescript(
        """
        ALTER TABLE events ADD COLUMN undoes INTEGER REFERENCES events(id);
        CREATE INDEX events_undoes ON events(undoes) WHERE undoes IS NOT NULL;
        """
    )


@migrations()
def m003_search(db: Database) -> None:
    # Full-text search over folded text (no accents, đ → d, lower case: core.text.fold),
    # so "nghi quyet 07" finds "Nghị quyết 07-NQ/ĐUK"; rowid = the task's id. The store
    # keeps it in step on every write; existing tasks are indexed here.
    from nqtrack.core.text import fold

    db.execute("CREATE VIRTUAL TABLE task_search USING fts5(body, tokenize = 'unicode61')")
    # reminders (đôn đốc) by day, for the report's "tasks urged in the period"
    db.execute("CREATE INDEX events_reminded ON events(effective_on, task_id) WHERE kind = 'reminded'")
    rows = db.execute(
        """SELECT t.id, t.code, t.title, t.note, t.product, t.assignee, d.symbol, d.doc_type, d.title
           FROM tasks t LEFT JOIN documents d ON d.id = t.document_id"""
    ).fetchall()
    db.conn.executemany(
        "INSERT INTO task_search(rowid, body) VALUES (?, ?)",
        [(row[0], fold(" ".join(str(v) for v in row[1:] if v))) for row in rows],
    )


@migrations()
def m004_calendar(db: Database) -> None:
    # The office's own calendar: its days off and make-up working days, over the national
    # days that `holidays` knows (nqtrack.holidays_vn). One row per day the office named;
    # every change to it is kept in calendar_events (who, when, old and new kind, note).
    db.executescript(
        """
        CREATE TABLE calendar_days (
            day TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('off', 'working')),
            note TEXT,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL
        );
        CREATE TABLE calendar_events (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            old_kind TEXT,
            new_kind TEXT,
            note TEXT,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL
        );
        CREATE INDEX calendar_events_day ON calendar_events(day, id);
        """
    )


@migrations()
def m005_series(db: Database) -> None:
    # Periodic tasks (nhiệm vụ định kỳ): a series holds the rule and what its tasks share;
    # each period's occurrence is a task of its own (tasks.series_id, tasks.period_start),
    # opened once (the unique index) when its period opens. next_open is the first period
    # not opened yet (NULL once the series has ended before it): "anything to open by day
    # D?" is one look-up in series_next_open.
    db.executescript(
        """
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            code TEXT UNIQUE,
            document_id INTEGER REFERENCES documents(id),
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            source TEXT,
            lead_unit_id INTEGER REFERENCES units(id),
            coordinating_units TEXT,
            assignee TEXT,
            product TEXT,
            note TEXT,
            rule TEXT NOT NULL,
            rule_text TEXT,
            starts_on TEXT NOT NULL,
            ends_on TEXT,
            next_open TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX series_next_open ON series(next_open) WHERE next_open IS NOT NULL;
        CREATE INDEX series_document_title ON series(document_id, title_key);
        CREATE TABLE series_events (
            id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES series(id),
            kind TEXT NOT NULL,
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            effective_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            note TEXT,
            batch_id TEXT
        );
        CREATE INDEX series_events_series ON series_events(series_id, id);
        ALTER TABLE tasks ADD COLUMN series_id INTEGER REFERENCES series(id);
        ALTER TABLE tasks ADD COLUMN period_start TEXT;
        CREATE UNIQUE INDEX tasks_series_period ON tasks(series_id, period_start) WHERE series_id IS NOT NULL;
        """
    )


@migrations()
def m006_void(db: Database) -> None:
    # a task entered in error is voided (journaled, field 'voided'): it leaves every count,
    # list and review; `cancelled` keeps meaning "the work was called off"
    db.execute("ALTER TABLE tasks ADD COLUMN voided INTEGER NOT NULL DEFAULT 0")


@migrations()
def m007_register_journal(db: Database) -> None:
    # Units and documents are corrected and merged too: their changes have a journal of their
    # own (the task journal holds one task's fields), and a merged one is kept, pointing at
    # the one it was merged into, so that an undo can bring it back.
    db.executescript(
        """
        ALTER TABLE units ADD COLUMN merged_into INTEGER REFERENCES units(id);
        ALTER TABLE documents ADD COLUMN merged_into INTEGER REFERENCES documents(id);
        CREATE TABLE register_events (
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL CHECK (entity IN ('unit', 'document')),
            entity_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            note TEXT,
            batch_id TEXT,
            undoes INTEGER REFERENCES register_events(id),
            -- the last task event recorded before it: the order of changes across both journals
            after_event INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX register_events_entity ON register_events(entity, entity_id, field, id);
        CREATE INDEX register_events_recorded ON register_events(recorded_at);
        """
    )


@migrations()
def m008_import_provenance(db: Database) -> None:
    # What the last re-import of a row brought, per task and field (JSON: field → journal
    # text), so that a re-import applies only what the office changed in its file and never
    # undoes newer work in the register (core/reimport.py). A task no re-import has touched
    # has no row: what its creating import brought is read from the journal.
    db.executescript(
        """
        CREATE TABLE import_provenance (
            task_id INTEGER PRIMARY KEY REFERENCES tasks(id),
            batch_id TEXT,
            fields TEXT NOT NULL
        );
        """
    )


@migrations()
def m009_marks(db: Database) -> None:
    # The highest task and event numbers ever written, raised by every write transaction
    # (SqliteStore.transaction): tasks and journal events are never deleted, so `check`
    # finds one deleted outside nqtrack, even the newest.
    db.execute("CREATE TABLE register_marks (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute(
        """INSERT INTO register_marks(name, value)
           SELECT 'last_task', coalesce(max(id), 0) FROM tasks
           UNION ALL SELECT 'last_event', coalesce(max(id), 0) FROM events"""
    )


@migrations()
def m010_users(db: Database) -> None:
    # Who is who (issue 19): each user a login (on PostgreSQL, a login role of that name in
    # the group role nqtrack_<role>), a role, and for a unit user its unit (the row-level
    # policies key on session_user → users.unit_id). A removed user keeps its row, marked,
    # so that the journal's recorded_by still names a person; every addition and removal is
    # kept in user_events (who added or removed whom, when).
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            login TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('secretariat', 'leader', 'unit')),
            unit_id INTEGER REFERENCES units(id),
            name TEXT,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL,
            removed_at TEXT,
            CHECK (role <> 'unit' OR unit_id IS NOT NULL)
        );
        CREATE INDEX users_unit ON users(unit_id);
        CREATE TABLE user_events (
            id INTEGER PRIMARY KEY,
            login TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('added', 'removed')),
            role TEXT,
            unit_id INTEGER REFERENCES units(id),
            name TEXT,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX user_events_login ON user_events(login, id);
        """
    )


@migrations()
def m011_requests(db: Database) -> None:
    # Proposed completions and extension requests are journal events of the task (kinds
    # 'proposed' and 'extension_requested', no field); what awaits the secretariat is read
    # through this index. register_keys holds the secret that signs each unit's sheet (and
    # the register's id): never printed, never exported, readable by the secretariat only.
    db.executescript(
        """
        CREATE INDEX events_requests ON events(kind, task_id, id) WHERE kind IN ('proposed', 'extension_requested');
        CREATE TABLE register_keys (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m012_rights(db: Database) -> None:
    # Rights need a server (issue 19): on SQLite whoever can open the file can write it, so
    # there is nothing to enforce; nqtrack itself refuses what a role may not do. Kept so
    # that both engines number their schema alike.
    db.execute("SELECT 1")


@migrations()
def m013_figure_cache(db: Database) -> None:
    # The report's figures of a day, kept once counted (issue 20): figure_cache holds each
    # count (its key names what was counted) with the number of the last change to the
    # register it saw and the last day a change can be effective on and change it
    # (changed_by); figure_changes numbers every write transaction that wrote journal
    # events (from_day: the earliest day whose figures it can change, NULL for every day).
    # An entry is good while no later change reaches back to its changed_by (store.sql:
    # "the figures kept"). Neither table is exported: both are derived from the register.
    db.executescript(
        """
        CREATE TABLE figure_changes (
            id INTEGER PRIMARY KEY,
            from_day TEXT
        );
        CREATE TABLE figure_cache (
            key TEXT PRIMARY KEY,
            changed_by TEXT NOT NULL,
            changes_seen INTEGER NOT NULL,
            figures TEXT NOT NULL,
            kept_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m014_search_without_copy(db: Database) -> None:
    # The search index keeps no copy of the text it indexes (issue 20: the copy was 13.5 of
    # the 155 MB of a register of 100,000 tasks). FTS5 over external content: the view
    # task_search_text makes each task's text from its columns and its document's, with the
    # SQL function nqtrack_search_text (SqlStore.search_text, on every connection nqtrack
    # opens; another tool reads the view, or deletes from the index, only with it). FTS5
    # reads the view to rebuild and to check the index, never to search; nqtrack takes a
    # row out of it by the text made from the columns before they change. Made again here.
    db.execute(
        """CREATE VIEW task_search_text(id, body) AS
               SELECT t.id, nqtrack_search_text(t.title_key, t.title, t.code, t.note, t.product, t.assignee,
                                                d.symbol, d.doc_type, d.title)
               FROM tasks t LEFT JOIN documents d ON d.id = t.document_id""")
    db.execute("DROP TABLE task_search")
    db.execute("CREATE VIRTUAL TABLE task_search USING fts5(body, tokenize = 'unicode61', "
               "content = 'task_search_text', content_rowid = 'id')")
    db.execute("INSERT INTO task_search(task_search) VALUES ('rebuild')")


@migrations()
def m015_lean_indexes(db: Database) -> None:
    # Two indexes that held long keys whole (issue 20, a register of 100,000 imported tasks):
    # tasks_document_title held every folded title (9.8 MB): its first 20 characters find the
    # few tasks of a document that share them, and the title key is compared in the row
    # (store.sql TITLE_PREFIX; 2.8 MB). events_recorded held field and task beside the
    # 32-character moment (15.1 MB): the reads by moment (a report known on a day, undo,
    # the last changes) look the rest up in the rows (12.1 MB).
    db.execute("DROP INDEX tasks_document_title")
    db.execute("CREATE INDEX tasks_document_title ON tasks(document_id, substr(title_key, 1, 20))")
    db.execute("DROP INDEX events_recorded")
    db.execute("CREATE INDEX events_recorded ON events(recorded_at)")
