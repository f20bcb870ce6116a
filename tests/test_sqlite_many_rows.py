"""SQLite's rows written many to a statement (store.sqlite._Connection._insert_many, issue 20):
the same rows, in the same order, with the same types and the same errors as one statement
a row (executemany), whatever the number of rows and SQLite's limit on bound values."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.errors import UserError
from nqtrack.store.sqlite import _Connection, _piece_sizes

COLUMNS = ("a", "b", "c")
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False), st.text(max_size=20), st.binary(max_size=8),
)
ROWS = st.lists(st.tuples(VALUES, VALUES, VALUES), max_size=60)


def connection(limit: int | None = None) -> _Connection:
    conn = sqlite3.connect(":memory:", factory=_Connection, isolation_level=None)
    assert isinstance(conn, _Connection)
    if limit is not None:
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    # no declared types: each value kept as bound, so that a type changed on the way shows
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, c)")
    return conn


def stored(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT id, a, typeof(a), b, typeof(b), c, typeof(c) FROM t ORDER BY id").fetchall()


@settings(max_examples=200, deadline=None)
@given(rows=ROWS, limit=st.sampled_from([3, 4, 7, 9, 32766]))
def test_many_rows_a_statement_store_what_one_row_a_statement_stores(rows: list[tuple[object, ...]],
                                                                      limit: int) -> None:
    many, one = connection(limit), connection()
    many.insert_rows("t", COLUMNS, rows)
    one.executemany("INSERT INTO t(a, b, c) VALUES (?, ?, ?)", rows)
    assert stored(many) == stored(one)


@settings(max_examples=300, deadline=None)
@given(count=st.integers(min_value=0, max_value=100_000), most=st.integers(min_value=1, max_value=33_000))
def test_the_pieces_cover_the_rows_in_few_sizes(count: int, most: int) -> None:
    sizes = list(_piece_sizes(count, most))
    assert sum(sizes) == count and all(1 <= size <= most for size in sizes)
    # a full statement, then powers of two, each once: the prepared statements stay few
    rest = [size for size in sizes if size != most]
    assert len(rest) == len(set(rest)) and all(size & (size - 1) == 0 for size in rest)


def test_a_row_of_another_width_is_refused_as_executemany_refuses_it() -> None:
    rows = [(1, 2, 3), (1, 2), (1, 2, 3, 4)]
    many, one = connection(), connection()
    with pytest.raises(sqlite3.ProgrammingError, match="bindings"):
        many.insert_rows("t", COLUMNS, rows)
    with pytest.raises(sqlite3.ProgrammingError, match="bindings"):
        one.executemany("INSERT INTO t(a, b, c) VALUES (?, ?, ?)", rows)
    assert stored(many) == stored(one)  # outside a transaction, the rows before it (inside, none)


def test_a_number_sqlite_cannot_hold_is_the_users_error_and_nothing_is_written() -> None:
    conn = connection(limit=6)
    conn.execute("BEGIN")
    with pytest.raises(UserError):
        conn.insert_rows("t", COLUMNS, [(1, 2, 3), (4, 5, 6), (7, 2**64, 9)])
    conn.execute("ROLLBACK")
    assert stored(conn) == []
