"""What the SQL engines share: the Python around the SQL (a change's field diffing and
journaling, undo planning, the import's bulk rows, the invariant replay of `check`, the
search text, export and load) and the SQL both engines run unchanged, the differences
behind small hooks (`_concat`, `_count_if`, `_least`, `_first_value`, `_in`, temporary
tables, the search).

`PostgresStore` derives from `SqlStore`. `SqliteStore` still carries its own copy of
this logic (it is folded onto this base once the branches that change it have landed);
the methods here keep its order and its SQL, so that the two read side by side.

SQL here is written with `?` and `:name` parameters (SQLite's); an engine that wants
another style translates it in `_execute`. Rows are read as dicts.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from nqtrack.core.errors import Ambiguous, InvalidInput, NotFound
from nqtrack.core.states import OPEN_STATES, Event
from nqtrack.core.symbols import parse_symbol, symbol_key
from nqtrack.core.text import fold, nfc
from nqtrack.store.base import (
    CREATION_KINDS,
    SEARCHED_FIELDS,
    TASK_FIELDS,
    Document,
    NewTask,
    Unit,
    journal_value,
)

CREATION_SQL = ", ".join(f"'{k}'" for k in CREATION_KINDS)
# The open states (core.states.OPEN_STATES), as SQL.
OPEN_SQL = ", ".join(f"'{s}'" for s in OPEN_STATES)

EVENT_COLUMNS = ("task_id", "kind", "field", "old_value", "new_value", "effective_on", "recorded_at", "recorded_by",
                 "note", "batch_id")

# The creation snapshot's keys, in the order json.dumps(sort_keys=True) would give.
_SNAPSHOT_FIELDS = tuple(sorted(TASK_FIELDS))

# The task fields insert_tasks copies as they are (the others it sets itself).
_PLAIN_FIELDS = ("code", "source", "assignee", "assigned_on", "deadline", "deadline_text", "product",
                 "completed_on", "note")

# The tables of a whole register, in an order that loads without breaking a reference.
EXPORT_TABLES = ("settings", "units", "documents", "tasks", "task_units", "events", "batches")

_value = journal_value


# -- search: whole words as SQLite's FTS5 cuts and ranks them ---------------------------------


def _token_char(char: str) -> bool:
    """A character FTS5's unicode61 tokenizer keeps in a word (categories L*, N*, Co)."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


_ASCII_WORD = re.compile(r"[0-9a-z]+")


def search_tokens(text: str) -> list[str]:
    """The words of a search text as FTS5's unicode61 tokenizer (remove_diacritics 1)
    cuts them: runs of letters, digits and private-use characters, lower case, without
    diacritics. The text is folded already (core.text.fold), so this is mostly a split."""
    if text.isascii():  # the common case, a hundred times faster
        return _ASCII_WORD.findall(text.lower())
    tokens: list[str] = []
    word: list[str] = []
    for char in text:
        if char.isascii():
            if char.isalnum():
                word.append(char.lower())
                continue
        elif _token_char(char):
            bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            word.append((bare or char).lower())
            continue
        if word:
            tokens.append("".join(word))
            word = []
    if word:
        tokens.append("".join(word))
    return tokens


def search_phrases(text: str) -> list[list[str]] | None:
    """What was typed as FTS5 phrases (each a list of tokens), as SqliteStore.search_query
    builds its query: every \\w run of the folded text, each a quoted phrase, all required.
    None when nothing was typed; a phrase without a token matches nothing."""
    words = [w for w in re.split(r"[^\w]+", fold(text)) if w]
    return [search_tokens(w) for w in words] or None


def _phrase_count(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    """How many times the phrase occurs in the tokens (FTS5's instances of a phrase)."""
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    width = len(phrase)
    return sum(1 for i in range(len(tokens) - width + 1) if list(tokens[i:i + width]) == list(phrase))


def bm25_order(rows: Iterable[tuple[int, str]], phrases: list[list[str]], hits: list[int], row_count: int,
               token_count: int) -> list[int]:
    """The ids of the rows holding every phrase, best first, by FTS5's bm25 (fts5_aux.c:
    k1 = 1.2, b = 0.75, an IDF of at least 1e-6), computed with the same operations in
    the same order, so that scores and ties are those of SQLite; ties by id.

    `rows`: (id, body) of the candidates; `hits`: how many rows hold each phrase;
    `row_count`, `token_count`: the rows and words of the whole index."""
    k1, b = 1.2, 0.75
    avgdl = float(token_count) / float(row_count) if row_count else 0.0
    idf = []
    for n_hit in hits:
        value = math.log((row_count - n_hit + 0.5) / (n_hit + 0.5))
        idf.append(value if value > 0.0 else 1e-6)
    scored: list[tuple[float, int]] = []
    for row_id, body in rows:
        tokens = search_tokens(body)
        freqs = [float(_phrase_count(tokens, p)) for p in phrases]
        if not all(freqs):
            continue
        size = float(len(tokens))
        score = 0.0
        for i, freq in enumerate(freqs):
            score += idf[i] * ((freq * (k1 + 1.0)) / (freq + k1 * (1 - b + b * size / avgdl)))
        scored.append((-1.0 * score, row_id))
    scored.sort()
    return [row_id for _, row_id in scored]


class SqlStore:
    """The engine-neutral part of a SQL store (see the module docstring). Subclasses
    provide the connection (`_execute`, `_executemany`, `transaction`), the schema and its
    migrations, backup, the bulk insert and the search index, and the hooks below."""

    engine = "sql"
    path = ""
    EXPORT_TABLES = EXPORT_TABLES

    # -- the engine's hooks ----------------------------------------------------------

    def _execute(self, sql: str, params: Any = ()) -> Any:
        """Run one statement; returns a cursor whose rows are dicts."""
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _insert_many(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows (dicts with the same keys in the same order) in bulk."""
        raise NotImplementedError

    def _reserve_task_ids(self, count: int) -> list[int]:
        """`count` new task ids, never handed out twice, even to concurrent writers."""
        raise NotImplementedError

    def _reindex(self, task_ids: Sequence[int]) -> None:
        raise NotImplementedError

    def _index_new_tasks(self, rows: list[dict[str, Any]], documents: dict[int, str]) -> None:
        raise NotImplementedError

    def _search_ids(self, text: str) -> list[int] | None:
        """The ids of the tasks a search finds, best first; None when nothing was asked."""
        raise NotImplementedError

    @staticmethod
    def _concat(expression: str, separator: str, order: str) -> str:
        """An aggregate joining the values of `expression` with `separator`, in `order`."""
        return f"group_concat({expression}, '{separator}')"

    @staticmethod
    def _count_if(term: str) -> str:
        """How many rows satisfy a boolean term."""
        return f"coalesce(sum({term}), 0)"

    FALSE = "0"

    @staticmethod
    def _least(a: str, b: str) -> str:
        return f"min({a}, {b})"

    @staticmethod
    def _first_value(latest: str, first: str) -> str:
        """The `value` column of the first row of the subquery `latest`, else of `first`,
        else NULL: a row whose value is NULL still counts as found."""
        return (f"COALESCE((SELECT json_array(value) FROM ({latest})), "
                f"(SELECT json_array(value) FROM ({first}))) ->> '$[0]'")

    @staticmethod
    def _no_index(column: str) -> str:
        """A column the planner should not pick an index for (SQLite's unary +)."""
        return f"+{column}"

    @staticmethod
    def _is(column: str) -> str:
        """`column` equal to a parameter, NULL equal to NULL."""
        return f"{column} IS ?"

    @staticmethod
    def _in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column` is one of `values`: the SQL and its parameters."""
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    @staticmethod
    def _in_query(column: str, subquery: str) -> str:
        """`column` is one of the values a subquery returns."""
        return f"{column} IN ({subquery})"

    TEMP = "temp"  # the schema of temporary tables

    def _temp_table(self, name: str, select: str, params: Any, indexes: Sequence[tuple[str, str]] = ()) -> None:
        """A temporary table made from a query, with (index name, columns) indexes."""
        self._execute(f"DROP TABLE IF EXISTS {self.TEMP}.{name}")
        self._execute(f"CREATE TEMP TABLE {name} AS {select}", params)
        for index, columns in indexes:
            self._execute(f"CREATE INDEX {self.TEMP}.{index} ON {name}({columns})")

    # -- reading helpers ----------------------------------------------------------------

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return list(self._execute(sql, params))

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        return self._execute(sql, params).fetchone()

    def _scalar(self, sql: str, params: Any = ()) -> Any:
        row = self._execute(sql, params).fetchone()
        return None if row is None else next(iter(row.values()))

    def counts(self) -> dict[str, int]:
        return {
            table: self._scalar(f"SELECT count(*) AS n FROM {table}")
            for table in ("units", "documents", "tasks", "events")
        }

    # -- settings ----------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        return self._scalar("SELECT value FROM settings WHERE key = ?", [key])

    def set_setting(self, key: str, value: str | None) -> None:
        self._execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # -- units -------------------------------------------------------------------

    def _unit_keys(self, unit: Unit) -> set[str]:
        names = [unit.name, unit.code or ""] + (unit.aliases or "").split(";")
        return {fold(n) for n in names if fold(n)}

    def _write_unit_keys(self, unit: Unit) -> None:
        self._execute("DELETE FROM unit_keys WHERE unit_id = ?", [unit.id])
        self._executemany(
            "INSERT INTO unit_keys(unit_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(unit.id, key) for key in sorted(self._unit_keys(unit))],
        )

    def add_unit(
        self,
        name: str,
        code: str | None = None,
        parent_id: int | None = None,
        aliases: Sequence[str] = (),
        email: str | None = None,
    ) -> Unit:
        """Insert a unit; call inside a transaction."""
        name = nfc(name)
        if not name:
            raise InvalidInput("a unit needs a name")
        code = nfc(code) if code else None
        alias_text = ";".join(nfc(a) for a in aliases if nfc(a)) or None
        # names and codes identify a unit; aliases may be shared ("Pháp chế"), and a
        # look-up that fits several units is then refused as ambiguous
        for candidate in (name, code):
            if candidate and any(fold(candidate) in (fold(u.name), fold(u.code)) for u in self.find_units(candidate)):
                raise InvalidInput("a unit named '{name}' already exists", name=candidate)
        unit_id = self._scalar(
            "INSERT INTO units(code, name, parent_id, aliases, email) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [code, name, parent_id, alias_text, email],
        )
        unit = Unit(int(unit_id), code, name, parent_id, alias_text, email)
        self._write_unit_keys(unit)
        return unit

    def rename_unit(self, unit: Unit, new_name: str, keep_old_as_alias: bool = True) -> Unit:
        new_name = nfc(new_name)
        others = [u for u in self.find_units(new_name) if u.id != unit.id]
        if others:
            raise InvalidInput("a unit named '{name}' already exists", name=new_name)
        aliases = [a for a in (unit.aliases or "").split(";") if a]
        if keep_old_as_alias and unit.name not in aliases:
            aliases.append(unit.name)
        unit = Unit(unit.id, unit.code, new_name, unit.parent_id, ";".join(aliases) or None, unit.email)
        self._execute("UPDATE units SET name = ?, aliases = ? WHERE id = ?", [unit.name, unit.aliases, unit.id])
        self._write_unit_keys(unit)
        return unit

    def _unit(self, row: Mapping[str, Any]) -> Unit:
        return Unit(row["id"], row["code"], row["name"], row["parent_id"], row["aliases"], row["email"])

    def find_units(self, ref: str) -> list[Unit]:
        rows = self._rows(
            "SELECT DISTINCT u.* FROM unit_keys k JOIN units u ON u.id = k.unit_id WHERE k.key = ? ORDER BY u.id",
            [fold(ref)],
        )
        return [self._unit(r) for r in rows]

    def resolve_unit(self, ref: str) -> Unit:
        """A unit by code, name or alias, accents and case ignored; one or an error."""
        found = self.find_units(ref)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound("unknown unit: '{ref}'", ref=ref)
        raise Ambiguous(
            "'{ref}' fits several units: {names}", ref=ref, names=", ".join(u.name for u in found)
        )

    def set_unit_email(self, unit_id: int, email: str | None) -> None:
        self._execute("UPDATE units SET email = ? WHERE id = ?", [email, unit_id])

    def set_unit_parent(self, unit_id: int, parent_id: int | None) -> None:
        if parent_id is not None and parent_id in self.subunit_ids(unit_id):
            raise InvalidInput("a unit cannot be placed under itself")
        self._execute("UPDATE units SET parent_id = ? WHERE id = ?", [parent_id, unit_id])

    def set_document_parent(self, doc_id: int, parent_id: int | None) -> None:
        if parent_id == doc_id:
            raise InvalidInput("a document cannot implement itself")
        self._execute("UPDATE documents SET parent_id = ? WHERE id = ?", [parent_id, doc_id])

    def unit(self, unit_id: int) -> Unit:
        row = self._one("SELECT * FROM units WHERE id = ?", [unit_id])
        if row is None:
            raise NotFound("unknown unit: '{ref}'", ref=str(unit_id))
        return self._unit(row)

    def list_units(self) -> list[Unit]:
        return [self._unit(r) for r in self._rows("SELECT * FROM units ORDER BY id")]

    def unit_names(self) -> dict[int, str]:
        return {r["id"]: r["name"] for r in self._rows("SELECT id, name FROM units")}

    def subunit_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit below it in the hierarchy."""
        rows = self._rows(
            """WITH RECURSIVE tree(id) AS (
                   SELECT CAST(? AS BIGINT) UNION SELECT u.id FROM units u JOIN tree ON u.parent_id = tree.id)
               SELECT id FROM tree""",
            [unit_id],
        )
        return [r["id"] for r in rows]

    # -- documents ---------------------------------------------------------------

    def _document(self, row: Mapping[str, Any]) -> Document:
        return Document(
            row["id"], row["symbol"], row["style"], row["doc_type"], row["number"], row["year"],
            row["issuer"], row["issued_on"], row["received_on"], row["title"], row["parent_id"],
        )

    def add_document(
        self,
        symbol: str,
        *,
        title: str | None = None,
        doc_type: str | None = None,
        issued_on: date | None = None,
        received_on: date | None = None,
        issuer: str | None = None,
        parent_id: int | None = None,
    ) -> Document:
        """Insert a document; call inside a transaction."""
        parsed = parse_symbol(symbol)
        if not parsed.text:
            raise InvalidInput("a document needs a number and symbol")
        doc_id = self._scalar(
            """INSERT INTO documents(symbol, symbol_key, style, doc_type, number, year, issuer,
                                     issued_on, received_on, title, parent_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [
                parsed.text, symbol_key(parsed.text), parsed.style,
                doc_type or parsed.type_name, parsed.number,
                parsed.year or (issued_on.year if issued_on else None),
                issuer or parsed.issuer, _value(issued_on), _value(received_on),
                nfc(title) if title else None, parent_id,
            ],
        )
        return self.document(int(doc_id))

    def document(self, doc_id: int) -> Document:
        row = self._one("SELECT * FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise NotFound("unknown document: '{ref}'", ref=str(doc_id))
        return self._document(row)

    # SQLite sorts NULLs first; the engines that do not say so here
    NULLS_FIRST = ""

    def find_documents(self, ref: str) -> list[Document]:
        rows = self._rows(
            f"SELECT * FROM documents WHERE symbol_key = ? ORDER BY issued_on{self.NULLS_FIRST}, id", [symbol_key(ref)]
        )
        return [self._document(r) for r in rows]

    def resolve_document(self, ref: str) -> Document:
        found = self.find_documents(ref)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound("unknown document: '{ref}'", ref=ref)
        raise Ambiguous(
            "'{ref}' fits several documents: {names}",
            ref=ref,
            names=", ".join(f"{d.symbol} ({d.issued_on or '?'})" for d in found),
        )

    def list_documents(self) -> list[dict[str, Any]]:
        return self._rows(
            f"""SELECT d.*, p.symbol AS parent_symbol,
                      count(t.id) AS tasks,
                      {self._count_if("t.state = 'done'")} AS done
               FROM documents d
               LEFT JOIN documents p ON p.id = d.parent_id
               LEFT JOIN tasks t ON t.document_id = d.id
               GROUP BY d.id, p.symbol ORDER BY d.issued_on{self.NULLS_FIRST}, d.id"""
        )

    # -- tasks: reading ----------------------------------------------------------

    def _task_select(self) -> str:
        names = self._concat("cu.name", "; ", "tu.unit_id")
        return f"""
        SELECT t.*, d.symbol AS document, u.name AS lead_unit,
               (SELECT {names} FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                 WHERE tu.task_id = t.id) AS coordinating_units
        FROM tasks t
        LEFT JOIN documents d ON d.id = t.document_id
        LEFT JOIN units u ON u.id = t.lead_unit_id
    """

    def task(self, task_id: int) -> dict[str, Any]:
        row = self._one(self._task_select() + " WHERE t.id = ?", [task_id])
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=str(task_id))
        return dict(row)

    def resolve_task(self, ref: str) -> dict[str, Any]:
        """A task by its number (`12` or `#12`) or its code."""
        ref = ref.strip()
        row = self._one("SELECT id FROM tasks WHERE code = ?", [ref])
        if row is None and ref.lstrip("#").isdigit() and len(ref.lstrip("#")) < 19:
            row = self._one("SELECT id FROM tasks WHERE id = ?", [int(ref.lstrip("#"))])
        if row is None:
            raise NotFound("unknown task: '{ref}'", ref=ref)
        return self.task(row["id"])

    def coordinating_unit_ids(self, task_id: int) -> list[int]:
        rows = self._rows("SELECT unit_id FROM task_units WHERE task_id = ? ORDER BY unit_id", [task_id])
        return [r["unit_id"] for r in rows]

    def task_events(self, task_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM events WHERE task_id = ? ORDER BY id", [task_id])

    def journal(self, task_id: int) -> list[Event]:
        return [
            Event(e["id"], e["field"], e["old_value"], e["new_value"], e["effective_on"], e["recorded_at"])
            for e in self.task_events(task_id)
        ]

    def list_tasks(
        self,
        *,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        states: Sequence[str] = (),
        ids: Sequence[int] | None = None,
        due_before: date | None = None,
        due_after: date | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []

        def any_of(column: str, values: Sequence[Any]) -> None:
            sql, values = self._in(column, values)
            where.append(sql)
            params.extend(values)

        if unit_ids:
            any_of("t.lead_unit_id", unit_ids)
        if sources:
            any_of("t.source", sources)
        if document_ids:
            any_of("t.document_id", document_ids)
        if states:
            any_of("t.state", states)
        if ids is not None:
            any_of("t.id", list(ids))
        if due_before:
            where.append("t.deadline <= ?")
            params.append(due_before.isoformat())
        if due_after:
            where.append("t.deadline >= ?")
            params.append(due_after.isoformat())
        ranked = self._search_ids(text) if text else None
        if text and not ranked:
            return []
        if ranked is not None:
            # the ids the filters keep, best matches first, cut to the limit; then their rows
            any_of("t.id", ranked)
            kept = {r["id"] for r in self._rows(f"SELECT t.id FROM tasks t WHERE {' AND '.join(where)}", params)}
            chosen = [task_id for task_id in ranked if task_id in kept][: int(limit) if limit else None]
            if not chosen:
                return []
            sql, values = self._in("t.id", chosen)
            place = {task_id: i for i, task_id in enumerate(chosen)}
            return sorted(self._rows(f"{self._task_select()} WHERE {sql}", values), key=lambda r: place[r["id"]])
        sql = self._task_select()
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY t.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._rows(sql, params)

    def distinct_sources(self) -> list[str]:
        # in byte order on every engine, so that a filter lists the sources it matched alike
        rows = self._rows("SELECT DISTINCT source FROM tasks WHERE source IS NOT NULL ORDER BY source")
        return [r["source"] for r in rows]

    def task_by_code(self, code: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM tasks WHERE code = ?", [code])

    def tasks_by_codes(self, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(codes), 500):
            sql, params = self._in("code", codes[start:start + 500])
            found.update((row["code"], row) for row in self._rows(f"SELECT * FROM tasks WHERE {sql}", params))
        return found

    def task_by_title(self, document_id: int | None, title: str, without_code: bool = False) -> dict[str, Any] | None:
        sql = f"SELECT * FROM tasks WHERE {self._is('document_id')} AND title_key = ?"
        if without_code:
            sql += " AND code IS NULL"
        return self._one(sql + " ORDER BY id LIMIT 1", [document_id, fold(title)])

    def has_tasks_without_code(self) -> bool:
        return self._one("SELECT 1 AS found FROM tasks WHERE code IS NULL LIMIT 1") is not None

    # -- search --------------------------------------------------------------------

    SEARCHED_FIELDS = SEARCHED_FIELDS

    def _search_documents(self, doc_ids: Iterable[int]) -> dict[int, str]:
        """The folded words of each document (symbol, type, title), for its tasks' search text."""
        ids = list(doc_ids)
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            sql, params = self._in("id", ids[start:start + 500])
            rows = self._rows(f"SELECT id, symbol, doc_type, title FROM documents WHERE {sql}", params)
            found.update(
                (row["id"], fold(" ".join(row[c] for c in ("symbol", "doc_type", "title") if row[c]))) for row in rows
            )
        return found

    @staticmethod
    def _search_body(task: Mapping[str, Any], document_words: str | None) -> str:
        """title_key is the folded title already; the document's words come folded too."""
        words = [task.get(f) for f in ("code", "note", "product", "assignee")]
        rest = fold(" ".join(str(w) for w in words if w))
        title = task.get("title_key") or fold(task.get("title"))
        return " ".join(part for part in (title, rest, document_words) if part)

    def _search_rows(self, task_ids: Sequence[int]) -> list[tuple[int, str]]:
        """(task id, search text) of these tasks, read from the register."""
        rows = []
        for start in range(0, len(task_ids), 500):
            sql, params = self._in("id", list(task_ids[start:start + 500]))
            rows += self._rows(
                f"SELECT id, code, title, title_key, note, product, assignee, document_id FROM tasks WHERE {sql}",
                params,
            )
        documents = self._search_documents({r["document_id"] for r in rows if r["document_id"]})
        return [(r["id"], self._search_body(r, documents.get(r["document_id"]))) for r in rows]

    # -- tasks: writing (call inside `transaction()`) -----------------------------

    def _event(
        self,
        task_id: int,
        kind: str,
        field: str | None,
        old: Any,
        new: Any,
        effective_on: date,
        recorded_at: str,
        by: str,
        note: str | None = None,
        batch_id: str | None = None,
        undoes: int | None = None,
    ) -> None:
        row = self._event_row(task_id, kind, field, old, new, effective_on, recorded_at, by, note, batch_id, undoes)
        self._execute(
            f"INSERT INTO events({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

    def create_task(
        self,
        values: dict[str, Any],
        coordinating_ids: Iterable[int],
        *,
        effective_on: date,
        by: str,
        kind: str = "created",
        note: str | None = None,
        batch_id: str | None = None,
        recorded_at: str,
    ) -> int:
        """Insert one task and its creation event (which holds the initial fields)."""
        task = NewTask(values, list(coordinating_ids), effective_on, note=note)
        return self.insert_tasks([task], by=by, kind=kind, batch_id=batch_id, recorded_at=recorded_at)[0]

    def _new_task_rows(
        self, tasks: Sequence[NewTask], ids: Sequence[int], *, by: str, kind: str, batch_id: str | None,
        recorded_at: str,
    ) -> tuple[list[dict[str, Any]], list[tuple[int, int]], list[tuple[Any, ...]]]:
        """The rows of tasks, task_units and events (tuples in EVENT_COLUMNS order) for new tasks."""
        task_rows: list[dict[str, Any]] = []
        unit_rows: list[tuple[int, int]] = []
        event_rows: list[tuple[Any, ...]] = []
        for task_id, task in zip(ids, tasks, strict=True):
            values = task.values
            title = nfc(values.get("title") or "")
            if not title:
                raise InvalidInput("a task needs a title")
            row: dict[str, Any] = {field: _value(values.get(field)) for field in _PLAIN_FIELDS}
            row.update(
                id=task_id,
                title=title,
                title_key=fold(title),
                state=values.get("state") or "new",
                recurring=1 if values.get("recurring") else 0,
                original_deadline=_value(values.get("deadline")),
                document_id=values.get("document_id"),
                lead_unit_id=values.get("lead_unit_id"),
                progress=values.get("progress"),
                created_at=recorded_at,
                updated_at=recorded_at,
            )
            coordinating = sorted(set(task.coordinating) - {values.get("lead_unit_id")})
            unit_rows += [(task_id, u) for u in coordinating]
            row["coordinating_units"] = ",".join(map(str, coordinating)) or None
            # keys already in sorted order: the C encoder need not sort them for every task
            snapshot = {c: row[c] for c in _SNAPSHOT_FIELDS}
            del row["coordinating_units"]
            event_rows.append(
                (task_id, kind, None, None, json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")),
                 task.effective_on.isoformat(), recorded_at, by, task.note, batch_id)
            )
            for later in task.later:
                event_rows.append(
                    (task_id, later.kind, later.field, _value(later.old), _value(later.new),
                     later.effective_on.isoformat(), recorded_at, by, later.note, batch_id)
                )
                row[later.field] = _value(later.new)
            task_rows.append(row)
        return task_rows, unit_rows, event_rows

    def insert_tasks(
        self,
        tasks: Sequence[NewTask],
        *,
        by: str,
        kind: str = "created",
        batch_id: str | None = None,
        recorded_at: str,
    ) -> list[int]:
        """Insert new tasks in bulk, each with its creation event and any later events
        (an import's completion or extension); call inside a transaction."""
        if not tasks:
            return []
        ids = self._reserve_task_ids(len(tasks))
        task_rows, unit_rows, event_rows = self._new_task_rows(
            tasks, ids, by=by, kind=kind, batch_id=batch_id, recorded_at=recorded_at)
        codes = [r["code"] for r in task_rows if r["code"]]
        if codes and (taken := sorted(self.tasks_by_codes(codes))):
            raise InvalidInput("a task with code '{code}' already exists", code=", ".join(taken))
        # every read before the writes: an engine may carry the writes on while the caller
        # goes on (PostgreSQL's COPY on a thread of its own), and a read waits for them
        documents = self._search_documents({r["document_id"] for r in task_rows if r["document_id"]})
        self._insert_many("tasks", task_rows)
        self._insert_many("task_units", [{"task_id": t, "unit_id": u} for t, u in unit_rows])
        self._insert_many("events", [dict(zip(EVENT_COLUMNS, e, strict=True)) for e in event_rows])
        # new tasks: their search text straight from the rows, without reading them back
        self._index_new_tasks(task_rows, documents)
        return ids

    @staticmethod
    def _event_row(
        task_id, kind, field, old, new, effective_on, recorded_at, by, note=None, batch_id=None, undoes=None
    ) -> dict[str, Any]:
        return {
            "task_id": task_id,
            "kind": kind,
            "field": field,
            "old_value": _value(old),
            "new_value": _value(new),
            "effective_on": effective_on.isoformat(),
            "recorded_at": recorded_at,
            "recorded_by": by,
            "note": note,
            "batch_id": batch_id,
            "undoes": undoes,
        }

    # the task's row, locked for this transaction where the engine locks rows
    LOCK_ROW = ""

    def change_task(
        self,
        task_id: int,
        changes: dict[str, Any],
        *,
        effective_on: date,
        by: str,
        kind: str = "updated",
        note: str | None = None,
        batch_id: str | None = None,
        recorded_at: str,
        undoes: dict[str, int] | None = None,
    ) -> list[str]:
        """Apply field changes, one journal event per changed field; returns the changed fields.

        A note with no change is journaled on its own (kind 'note')."""
        current = self._one(f"SELECT * FROM tasks WHERE id = ?{self.LOCK_ROW}", [task_id])
        if current is None:
            raise NotFound("unknown task: '{ref}'", ref=str(task_id))
        changed: list[str] = []
        updates: dict[str, Any] = {}
        for field, new in changes.items():
            if field == "coordinating_units":
                old_ids = self.coordinating_unit_ids(task_id)
                lead = updates.get("lead_unit_id", current["lead_unit_id"])
                new_ids = sorted(set(new) - {int(lead) if lead is not None else None})
                if new_ids == old_ids:
                    continue
                self._execute("DELETE FROM task_units WHERE task_id = ?", [task_id])
                self._executemany(
                    "INSERT INTO task_units(task_id, unit_id) VALUES (?, ?)", [(task_id, u) for u in new_ids]
                )
                old_v, new_v = ",".join(map(str, old_ids)) or None, ",".join(map(str, new_ids)) or None
            else:
                old_v, new_v = _value(current[field]), _value(new)
                if old_v == new_v:
                    continue
                updates[field] = new_v
                if field == "title":
                    updates["title_key"] = fold(new_v or "")
            self._event(task_id, kind, field, old_v, new_v, effective_on, recorded_at, by, note, batch_id,
                        (undoes or {}).get(field))
            changed.append(field)
        new_completion = updates.get("completed_on")
        if "completed_on" in changed and new_completion and "state" not in changed and current["state"] == "done":
            # a corrected completion date: restate "done" from that day, so the journal
            # says the task was done from its completion date on (see prepare_as_of)
            self._event(task_id, kind, "state", "done", "done", date.fromisoformat(new_completion), recorded_at, by,
                        note, batch_id)
        if updates:
            updates["updated_at"] = recorded_at
            sets = ", ".join(f"{c} = ?" for c in updates)
            self._execute(f"UPDATE tasks SET {sets} WHERE id = ?", [*self._typed(updates).values(), task_id])
        if not changed and note:
            self._event(task_id, "note", None, None, None, effective_on, recorded_at, by, note, batch_id)
        if any(field in self.SEARCHED_FIELDS for field in changed):
            self._reindex([task_id])
        return changed

    # Columns that hold numbers: a journal value (text) is turned back into one where the
    # engine does not convert it itself.
    _NUMBER_COLUMNS = ("document_id", "lead_unit_id", "progress", "recurring")

    def _typed(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: int(v) if k in self._NUMBER_COLUMNS and v is not None else v for k, v in values.items()}

    # -- as-of views: overdue and report -------------------------------------------
    #
    # The current columns of a task are its fields as of today, as known now. For
    # another day A (or moment K) only the tasks whose journal holds something that
    # took effect after A (or was recorded after K) can differ; their fields are
    # replayed in SQL into a temporary table, with the rule of core.states, and the
    # other tasks are read straight from their indexed columns.

    ASOF_FIELDS = ("state", "deadline", "completed_on", "lead_unit_id", "source", "assigned_on", "document_id")
    _INTEGER_FIELDS = ("lead_unit_id", "document_id")
    _FAR_FUTURE = "9999-12-31"

    def _replay_sql(self, field: str) -> str:
        """The field as of the day: replayed where the journal changed it later, else the column."""
        latest = f"""SELECT e.new_value AS value FROM events e
                      WHERE e.task_id = t.id AND e.field = '{field}' AND e.effective_on <= :as_of
                        AND e.recorded_at <= :known_at ORDER BY e.id DESC LIMIT 1"""
        first = f"""SELECT e.old_value AS value FROM events e
                     WHERE e.task_id = t.id AND e.field = '{field}' ORDER BY e.id LIMIT 1"""
        replayed = self._first_value(latest, first)
        if field in self._INTEGER_FIELDS:
            replayed = f"CAST({replayed} AS BIGINT)"
        return f"""CASE WHEN EXISTS (SELECT 1 FROM {self.TEMP}.asof_pairs p
                                      WHERE p.task_id = t.id AND p.field = '{field}')
            THEN {replayed} ELSE t.{field} END AS {field}"""

    # Changes the figures can read right from the current columns even when they take
    # effect after the day: a first completion (an open state → done, a completion date
    # where there was none), since a task counts as completed only when completed_on <=
    # the as-of day; and a move between open states, which no figure tells apart.
    _FIRST_COMPLETION = f"""(field = 'state' AND old_value IN ({OPEN_SQL})
                                AND new_value IN ('done', {OPEN_SQL}))
                           OR (field = 'completed_on' AND old_value IS NULL)"""

    def prepare_as_of(
        self, as_of: date, known_at: str | None = None, workload_until: date | None = None, figures_only: bool = False
    ) -> None:
        """Fill the temporary asof_fix with the replayed fields of the tasks that need it:
        those whose journal has a change to one of ASOF_FIELDS that took effect after the
        day or was recorded after `known_at` (and the tasks created after `known_at`, hidden).

        With `figures_only`, only the report's counts will be read, and later first
        completions are left to the columns (see _FIRST_COMPLETION). With
        `workload_until`, only the workload figures of a period ending that day will
        be read: a task whose deadline, now and at first, is after that day and never
        changed later cannot be in it, and is left out of the replay."""
        self.collect_later_changes(as_of, known_at, figures_only)
        self.build_as_of(as_of, known_at, workload_until)

    def collect_later_changes(self, since: date, known_at: str | None = None, figures_only: bool = False) -> None:
        """asof_later: the (task, field, effective day) of every change that took effect
        after `since` or was recorded after `known_at`, with the task's earliest deadline.
        Collected once, it serves every as-of day from `since` on (the months of a trend)."""
        params = {"since": since.isoformat(), "known_at": known_at or self._FAR_FUTURE}
        fields = ", ".join(f"'{f}'" for f in self.ASOF_FIELDS)
        skip = f"AND NOT ({self._FIRST_COMPLETION})" if figures_only else ""
        self._temp_table(
            "asof_later",
            f"""SELECT task_id, field, effective_on FROM events
                 WHERE effective_on > :since AND field IS NOT NULL AND field IN ({fields}) {skip}
                UNION ALL
                SELECT task_id, field, '{self._FAR_FUTURE}' FROM events
                 WHERE recorded_at > :known_at AND field IN ({fields})""",
            params,
            [("asof_later_task", "task_id, field, effective_on")],
        )
        deadline = self._least("coalesce(t.deadline, '9999')", "coalesce(t.original_deadline, '9999')")
        self._temp_table(
            "asof_first_deadline",
            f"""SELECT t.id AS task_id, {deadline} AS deadline
               FROM (SELECT DISTINCT task_id FROM {self.TEMP}.asof_later) l JOIN tasks t ON t.id = l.task_id""",
            {},
            [("asof_first_deadline_task", "task_id")],
        )

    def build_as_of(self, as_of: date, known_at: str | None = None, workload_until: date | None = None) -> None:
        """asof_pairs and asof_fix for one day, from asof_later."""
        params = {
            "as_of": as_of.isoformat(),
            "known_at": known_at or self._FAR_FUTURE,
            "until": workload_until.isoformat() if workload_until else None,
        }
        relevant = ""
        if workload_until:
            # a task whose deadline, now and at first, is after the period and never changed
            # after the day cannot be in the period's workload
            relevant = f"""AND (f.deadline <= :until OR EXISTS (SELECT 1 FROM {self.TEMP}.asof_later d
                               WHERE d.task_id = l.task_id AND d.field = 'deadline' AND d.effective_on > :as_of))"""
        self._temp_table(
            "asof_pairs",
            f"""SELECT DISTINCT l.task_id, l.field FROM {self.TEMP}.asof_later l
                JOIN {self.TEMP}.asof_first_deadline f ON f.task_id = l.task_id
                WHERE l.effective_on > :as_of {relevant}""",
            params,
            [("asof_pairs_task", "task_id, field")],
        )
        self._temp_table(
            "asof_fix",
            f"""WITH ids(task_id) AS (
                    SELECT task_id FROM {self.TEMP}.asof_pairs
                    UNION SELECT task_id FROM events WHERE recorded_at > :known_at AND field IS NULL
                            AND kind IN ({CREATION_SQL}))
                SELECT t.id AS id, t.created_at > :known_at AS hidden,
                       {", ".join(self._replay_sql(f) for f in self.ASOF_FIELDS)}
                FROM ids JOIN tasks t ON t.id = ids.task_id""",
            params,
            [("asof_fix_id", "id")],
        )

    def _as_of_relation(self, where: str) -> str:
        """Tasks as of the prepared day, filtered by `where` (over the ASOF_FIELDS and id)."""
        columns = ", ".join(("id",) + self.ASOF_FIELDS)
        return f"""
            SELECT {columns} FROM tasks
             WHERE ({where}) AND NOT EXISTS (SELECT 1 FROM {self.TEMP}.asof_fix f WHERE f.id = tasks.id)
            UNION ALL
            SELECT {columns} FROM {self.TEMP}.asof_fix WHERE NOT hidden AND ({where})"""

    @staticmethod
    def _filters(
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        role: str = "lead",
    ) -> tuple[str, dict[str, Any]]:
        """A WHERE clause over the as-of columns, with named parameters."""
        where: list[str] = []
        params: dict[str, Any] = {}

        def marks(prefix: str, values: Sequence[Any]) -> str:
            names = [f"{prefix}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            return ",".join(":" + n for n in names)

        if unit_ids:
            units = marks("unit", unit_ids)
            coordinating = f"id IN (SELECT task_id FROM task_units WHERE unit_id IN ({units}))"
            lead = f"lead_unit_id IN ({units})"
            where.append({"coordinating": coordinating, "any": f"({lead} OR {coordinating})"}.get(role, lead))
        if sources:
            where.append(f"source IN ({marks('source', sources)})")
        if document_ids:
            where.append(f"document_id IN ({marks('doc', document_ids)})")
        return " AND ".join(where) or "TRUE", params

    # Terms of core.figures.classify, one SQL expression each (see its docstring).
    _COUNT_TERMS = {
        "r_cancelled": "received AND cancelled",
        "r_total": "received AND NOT cancelled",
        "r_with_deadline": "received AND NOT cancelled AND deadline IS NOT NULL",
        "r_completed_with_deadline": "received AND NOT cancelled AND deadline IS NOT NULL AND completed",
        "r_completed_without_deadline": "received AND NOT cancelled AND deadline IS NULL AND completed",
        "r_previous_year": "NOT cancelled AND coalesce(assigned_on BETWEEN :prev_start AND :prev_end, {false})",
        "w_open_without_deadline": "deadline IS NULL AND NOT cancelled AND NOT completed "
                                   "AND (assigned_on IS NULL OR assigned_on <= :end)",
        "w_cancelled": "cancelled AND due",
        "w_due_in_period": "workload AND due",
        "w_carried_over": "workload AND carried",
        "w_extended": "NOT cancelled AND extended",
        "w_reminded": "NOT cancelled AND reminded",
        "w_completed_on_time": "workload AND completed AND completed_on <= deadline",
        "w_completed_late": "workload AND completed AND completed_on > deadline",
        "w_overdue": "workload AND NOT completed AND deadline < :as_of",
        "w_in_progress": "workload AND NOT completed AND deadline >= :as_of",
    }

    def report_counts(
        self,
        start: date,
        end: date,
        as_of: date,
        prev_start: date,
        prev_end: date,
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        prepared: bool = False,
        workload_only: bool = False,
    ) -> list[dict[str, Any]]:
        """Raw counts of core.figures per (lead unit, source), as of `as_of` known at `known_at`.

        `workload_only`: the caller reads only workload.total and completed (the trend),
        so the replay can skip tasks that cannot be in the period's workload."""
        if not prepared:
            self.prepare_as_of(as_of, known_at, workload_until=end if workload_only else None, figures_only=True)
        where, params = self._filters(unit_ids, sources, document_ids)
        params.update(
            start=start.isoformat(),
            end=end.isoformat(),
            as_of=as_of.isoformat(),
            prev_start=prev_start.isoformat(),
            prev_end=prev_end.isoformat(),
            known_at=known_at or self._FAR_FUTURE,
        )
        late_deadline = self._no_index("deadline")
        if workload_only:
            # the trend reads workload.total and completed: only tasks due by the end count
            candidates = f"""({where}) AND (
                deadline BETWEEN :start AND :end
                OR (state IN ({OPEN_SQL}) AND deadline < :start)
                OR (state = 'done' AND completed_on >= :start AND {late_deadline} < :start))"""
        else:
            extended_in_period = """SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                                       AND field = 'deadline' AND kind = 'extended'"""
            reminded_in_period = """SELECT task_id FROM events WHERE effective_on BETWEEN :start AND :end
                                       AND field IS NULL AND kind = 'reminded'"""
            candidates = f"""({where}) AND (
                assigned_on BETWEEN :start AND :end
                OR assigned_on BETWEEN :prev_start AND :prev_end
                OR deadline BETWEEN :start AND :end
                OR (state IN ({OPEN_SQL}) AND deadline < :start)
                OR (state = 'done' AND completed_on >= :start AND {late_deadline} < :start)
                OR (state IN ({OPEN_SQL}) AND deadline IS NULL)
                OR (state = 'done' AND completed_on > :as_of AND deadline IS NULL)
                OR {self._in_query("id", extended_in_period)}
                OR {self._in_query("id", reminded_in_period)})"""
        sums = ",\n".join(
            f"{self._count_if(term.format(false=self.FALSE))} AS {key}" for key, term in self._COUNT_TERMS.items()
        )
        extended = (
            self.FALSE
            if workload_only
            else """EXISTS (SELECT 1 FROM events e WHERE e.task_id = carried.id
            AND e.field = 'deadline' AND e.kind = 'extended' AND e.effective_on BETWEEN :start AND :end
            AND e.effective_on <= :as_of AND e.recorded_at <= :known_at)"""
        )
        reminded = (
            self.FALSE
            if workload_only
            else """EXISTS (SELECT 1 FROM events e WHERE e.task_id = carried.id
            AND e.field IS NULL AND e.kind = 'reminded' AND e.effective_on BETWEEN :start AND :end
            AND e.effective_on <= :as_of AND e.recorded_at <= :known_at)"""
        )
        false = self.FALSE
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)}),
            base AS (
                SELECT asof.*, state = 'cancelled' AS cancelled,
                       coalesce(state = 'done' AND completed_on <= :as_of, {false}) AS completed,
                       coalesce(assigned_on BETWEEN :start AND :end, {false}) AS received,
                       coalesce(deadline BETWEEN :start AND :end, {false}) AS due
                FROM asof),
            carried AS (
                SELECT base.*, coalesce(NOT cancelled AND deadline < :start
                                        AND NOT (completed AND completed_on < :start), {false}) AS carried
                FROM base),
            flagged AS (
                SELECT carried.*, (NOT cancelled AND (due OR carried)) AS workload,
                       {extended} AS extended, {reminded} AS reminded
                FROM carried)
            SELECT lead_unit_id, source, {sums}
            FROM flagged GROUP BY lead_unit_id, source"""
        return self._rows(sql, params)

    def trend_counts(
        self,
        months: Sequence[tuple[date, date, date]],
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
    ) -> list[list[dict[str, Any]]]:
        """Workload counts for each (start, end, as_of) month, the journal's later changes
        collected once for all of them."""
        if not months:
            return []
        self.collect_later_changes(min(m[2] for m in months), known_at, figures_only=True)
        results = []
        for start, end, as_of in months:
            self.build_as_of(as_of, known_at, workload_until=end)
            results.append(
                self.report_counts(
                    start, end, as_of, start, end, known_at=known_at, unit_ids=unit_ids, sources=sources,
                    document_ids=document_ids, prepared=True, workload_only=True,
                )
            )
        return results

    def overdue_rows(
        self,
        as_of: date,
        due_until: date,
        *,
        known_at: str | None = None,
        unit_ids: Sequence[int] = (),
        sources: Sequence[str] = (),
        document_ids: Sequence[int] = (),
        role: str = "lead",
        prepared: bool = False,
        with_coordinating: bool = True,
    ) -> list[dict[str, Any]]:
        """Open tasks (new, in progress, paused) whose deadline is before `due_until`, as of `as_of`."""
        if not prepared:
            self.prepare_as_of(as_of, known_at)
        where, params = self._filters(unit_ids, sources, document_ids, role)
        params["due_until"] = due_until.isoformat()
        candidates = f"({where}) AND state IN ({OPEN_SQL}) AND deadline <= :due_until"
        coordinating = coordinating_ids = "NULL"
        if with_coordinating:
            names = self._concat("cu.name", "; ", "tu.unit_id")
            ids = self._concat(self._text("tu.unit_id"), ",", "tu.unit_id")
            coordinating = f"""(SELECT {names} FROM task_units tu JOIN units cu ON cu.id = tu.unit_id
                               WHERE tu.task_id = a.id)"""
            coordinating_ids = f"(SELECT {ids} FROM task_units tu WHERE tu.task_id = a.id)"
        sql = f"""
            WITH asof AS ({self._as_of_relation(candidates)})
            SELECT a.id, t.code, t.title, d.symbol AS document, a.lead_unit_id, u.name AS lead_unit,
                   {coordinating} AS coordinating_units, {coordinating_ids} AS coordinating_unit_ids,
                   t.assignee, a.deadline, t.original_deadline, a.state, a.source
            FROM asof a
            JOIN tasks t ON t.id = a.id
            LEFT JOIN documents d ON d.id = a.document_id
            LEFT JOIN units u ON u.id = a.lead_unit_id
            ORDER BY a.deadline, a.id"""
        return self._rows(sql, params)

    @staticmethod
    def _text(expression: str) -> str:
        """A number as text (group_concat takes numbers as they are)."""
        return expression

    # -- check ------------------------------------------------------------------------

    def invariant_problems(self) -> list[tuple[int, str]]:
        """(task number, what is wrong) for each broken rule of the register."""
        problems: list[tuple[int, str]] = []
        sql_rules = {
            "done without a completion date": "SELECT id FROM tasks WHERE state = 'done' AND completed_on IS NULL",
            "a completion date but not done": "SELECT id FROM tasks WHERE state != 'done' AND completed_on IS NOT NULL",
            "no creation event in the journal": f"""SELECT id FROM tasks t WHERE NOT EXISTS (
                SELECT 1 FROM events e WHERE e.task_id = t.id AND e.field IS NULL AND e.kind IN ({CREATION_SQL}))""",
            "deadline before the day it was assigned, with no note": """SELECT id FROM tasks t
                WHERE deadline < assigned_on AND note IS NULL AND NOT EXISTS (
                    SELECT 1 FROM events e WHERE e.task_id = t.id AND e.note IS NOT NULL)""",
        }
        for message, sql in sql_rules.items():
            problems += [(row["id"], message) for row in self._rows(sql)]
        problems += self._replay_problems()
        return sorted(problems)

    def _stream(self, sql: str) -> Iterator[dict[str, Any]]:
        """The rows of a query, read as they come (a whole journal does not fit in memory)."""
        yield from self._execute(sql)

    def _replay_problems(self) -> list[tuple[int, str]]:
        """Each task's current fields must equal its journal replayed in order (three
        streams in task order, merged: a whole register never sits in memory)."""
        from nqtrack.core.states import replay_journal

        problems: list[tuple[int, str]] = []
        columns = [f for f in TASK_FIELDS if f != "coordinating_units"]
        tasks = self._stream(f"SELECT id, {', '.join(columns)} FROM tasks ORDER BY id")
        events = self._stream(
            "SELECT task_id, id, kind, field, old_value, new_value, effective_on, recorded_at FROM events "
            "ORDER BY task_id, id"
        )
        units = self._stream("SELECT task_id, unit_id FROM task_units ORDER BY task_id, unit_id")
        pending_event = next(events, None)
        pending_unit = next(units, None)
        for task in tasks:
            task_id = task["id"]
            journal = []
            while pending_event is not None and pending_event["task_id"] <= task_id:
                if pending_event["task_id"] == task_id:
                    journal.append(pending_event)
                pending_event = next(events, None)
            coordinating = []
            while pending_unit is not None and pending_unit["task_id"] <= task_id:
                if pending_unit["task_id"] == task_id:
                    coordinating.append(pending_unit["unit_id"])
                pending_unit = next(units, None)
            creation = next((e for e in journal if e["field"] is None and e["kind"] in CREATION_KINDS), None)
            if creation is None:
                continue  # reported above
            current = {c: _value(task[c]) for c in columns}
            current["coordinating_units"] = ",".join(map(str, coordinating)) or None
            replayed = replay_journal(
                json.loads(creation["new_value"]),
                [Event(e["id"], e["field"], e["old_value"], e["new_value"], e["effective_on"], e["recorded_at"])
                 for e in journal],
            )
            for field in TASK_FIELDS:
                if _value(replayed.get(field)) != current.get(field):
                    problems.append(
                        (task_id, f"'{field}' is {current.get(field)!r} but the journal says {replayed.get(field)!r}")
                    )
        return problems

    # -- undo -----------------------------------------------------------------------

    def last_changes(self, count: int) -> list[list[dict[str, Any]]]:
        """The latest `count` changes not yet undone (a change: the events one command
        recorded at one moment), newest first."""
        # newest by the order of recording (ids), not by clock: --today shifts the clock
        rows = self._rows(
            """WITH open_events AS (
                   SELECT * FROM events e WHERE e.kind != 'undo'
                      AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)),
               changes AS (
                   SELECT recorded_at, max(id) AS last_id FROM open_events
                   GROUP BY recorded_at ORDER BY last_id DESC LIMIT ?)
               SELECT o.* FROM open_events o JOIN changes c ON c.recorded_at = o.recorded_at
               ORDER BY c.last_id DESC, o.id DESC""",
            [count],
        )
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row["recorded_at"], []).append(row)
        return list(groups.values())

    def record_batch(self, batch_id: str, kind: str, recorded_at: str, by: str, note: str | None = None) -> None:
        self._execute(
            "INSERT INTO batches(id, kind, recorded_at, recorded_by, note) VALUES (?, ?, ?, ?, ?)",
            [batch_id, kind, recorded_at, by, note],
        )

    def batch_events(self, batch_id: str) -> list[dict[str, Any]]:
        return self._rows(
            """SELECT e.* FROM batches b JOIN events e ON e.recorded_at = b.recorded_at AND e.batch_id = b.id
               WHERE b.id = ? AND e.kind != 'undo'
                 AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = e.id)
               ORDER BY e.id DESC""",
            [batch_id],
        )

    def undo_events(self, events: list[dict[str, Any]], *, by: str, recorded_at: str, batch_id: str) -> list[int]:
        """Revert events, newest first, each by an 'undo' event effective on the same day
        (so past days are rebuilt as if it never happened); a task created by them is
        cancelled from its creation on. Refuses when a later change touched the same field."""
        touched: list[int] = []
        undone = {e["id"] for e in events}
        for event in sorted(events, key=lambda e: -e["id"]):
            task_id, field = event["task_id"], event["field"]
            day = date.fromisoformat(event["effective_on"])
            note = f"undo #{event['id']}"
            common = dict(by=by, kind="undo", note=note, batch_id=batch_id, recorded_at=recorded_at)
            if field is None:
                if event["kind"] in CREATION_KINDS:
                    self.change_task(task_id, {"state": "cancelled", "completed_on": None}, effective_on=day,
                                     undoes={"state": event["id"]}, **common)
                self._mark_undone(event, by, recorded_at, batch_id, note)
                touched.append(task_id)
                continue
            later = self._one(
                """SELECT id FROM events x WHERE task_id = ? AND field = ? AND id > ? AND kind != 'undo'
                     AND NOT EXISTS (SELECT 1 FROM events u WHERE u.undoes = x.id) ORDER BY id LIMIT 1""",
                [task_id, field, event["id"]],
            )
            if later is not None and later["id"] not in undone:
                raise InvalidInput(
                    "cannot undo: task {task}'s '{field}' was changed again since (event #{event})",
                    task=task_id,
                    field=field,
                    event=later["id"],
                )
            old = event["old_value"]
            if field == "coordinating_units":
                old = [int(u) for u in old.split(",")] if old else []
            changed = self.change_task(task_id, {field: old}, effective_on=day, undoes={field: event["id"]}, **common)
            if not changed:
                self._mark_undone(event, by, recorded_at, batch_id, note)
            touched.append(task_id)
        return sorted(set(touched))

    def _mark_undone(self, event, by, recorded_at, batch_id, note) -> None:
        """An undo event with no field change, so the event is never undone twice."""
        self._event(event["task_id"], "undo", None, None, None, date.fromisoformat(event["effective_on"]),
                    recorded_at, by, note, batch_id, event["id"])

    # -- export and import of the whole register -------------------------------------

    def export_rows(self, table: str) -> Iterator[dict[str, Any]]:
        if table not in self.EXPORT_TABLES:
            raise ValueError(table)
        order = "key" if table == "settings" else "task_id, unit_id" if table == "task_units" else "id"
        yield from self._stream(f"SELECT * FROM {table} ORDER BY {order}")

    def is_empty(self) -> bool:
        return all(self._one(f"SELECT 1 AS found FROM {t} LIMIT 1") is None for t in ("units", "documents", "tasks"))

    def _columns(self, table: str) -> list[str]:
        raise NotImplementedError

    def load_export(self, data: Mapping[str, Iterable[dict[str, Any]]]) -> dict[str, int]:
        """Rebuild a register from an export (or another register's rows, table by table,
        as they come), into an empty database; call inside a transaction."""
        counts = {}
        for table in self.EXPORT_TABLES:
            columns = self._columns(table)
            if table == "settings":
                self._execute("DELETE FROM settings")
            counts[table] = 0
            chunk: list[dict[str, Any]] = []
            for row in data.get(table) or []:
                chunk.append({c: row.get(c) for c in columns})
                if len(chunk) >= 20000:
                    self._load_rows(table, chunk)
                    counts[table] += len(chunk)
                    chunk = []
            self._load_rows(table, chunk)
            counts[table] += len(chunk)
        for unit in self.list_units():
            self._write_unit_keys(unit)
        self._after_load()
        return counts

    def _load_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Rows of an export into a table (the engine says which refused row is whose)."""
        self._insert_many(table, rows)

    def _after_load(self) -> None:
        """The search index (and what else the engine derives) for the loaded tasks."""
        self._reindex([row["id"] for row in self._rows("SELECT id FROM tasks")])

    # -- review (rà soát) ---------------------------------------------------------

    def review_counts(self, today: date) -> list[dict[str, Any]]:
        """Every document with the counts of its own tasks by how far they are, today."""
        count = self._count_if
        return self._rows(
            f"""SELECT d.id, d.symbol, d.doc_type, d.issuer, d.issued_on, d.title, d.parent_id,
                      count(t.id) AS total,
                      {count("t.state = 'done' AND (t.deadline IS NULL OR t.completed_on <= t.deadline)")}
                          AS done_on_time,
                      {count("t.state = 'done' AND t.completed_on > t.deadline")} AS done_late,
                      {count(f"t.state IN ({OPEN_SQL}) AND (t.deadline IS NULL OR t.deadline >= :today)")}
                          AS open_in_time,
                      {count(f"t.state IN ({OPEN_SQL}) AND t.deadline < :today")} AS overdue,
                      {count("t.state = 'cancelled'")} AS cancelled,
                      {count("t.state = 'new'")} AS not_begun
               FROM documents d LEFT JOIN tasks t ON t.document_id = d.id
               GROUP BY d.id ORDER BY d.id""",
            {"today": today.isoformat()},
        )

    # -- reminders (đôn đốc) --------------------------------------------------------

    def record_reminders(
        self, reminded: dict[int, str], *, day: date, by: str, recorded_at: str, batch_id: str
    ) -> None:
        """A 'reminded' journal event for each task, noting the unit urged; call in a transaction."""
        self._insert_many(
            "events",
            [
                self._event_row(task_id, "reminded", None, None, None, day, recorded_at, by, note, batch_id)
                for task_id, note in sorted(reminded.items())
            ],
        )
