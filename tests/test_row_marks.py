"""importing.marks.RowMarks: the first row of each mark an import has read, in bounded
memory (issue 20). It must answer as a dict of every mark would, whatever the sizes: the
marks kept in memory, those written to the file in sorted runs, and the Bloom filter's
false alarms (forced here by a filter of 8 bits, which then says "maybe" to every mark)."""

from __future__ import annotations

from hashlib import blake2b

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.importing import marks as marks_module
from nqtrack.importing.marks import RowMarks


def mark(key: int) -> bytes:
    return blake2b(str(key).encode(), digest_size=16).digest()


def as_a_dict(keys: list[int]) -> list[int | None]:
    """What a dict of every mark answers, row by row (rows numbered from 1)."""
    first: dict[bytes, int] = {}
    answers: list[int | None] = []
    for row, key in enumerate(keys, 1):
        answers.append(first.get(mark(key)))
        first.setdefault(mark(key), row)
    return answers


def answers(marks: RowMarks, keys: list[int]) -> list[int | None]:
    try:
        return [marks.first_row(mark(key), row) for row, key in enumerate(keys, 1)]
    finally:
        marks.close()


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.integers(0, 40), max_size=120), kept=st.sampled_from([1, 2, 3, 7, 1 << 17]),
       every_mark_may_be_written=st.booleans())
def test_answers_as_a_dict_of_every_mark_would(keys, kept, every_mark_may_be_written):
    marks = RowMarks()
    marks.BUFFER = kept
    slice_before = marks_module._SLICE
    if every_mark_may_be_written:
        marks_module._SLICE = 7  # a filter of one byte: its bits are soon all set
    try:
        assert answers(marks, keys) == as_a_dict(keys)
    finally:
        marks_module._SLICE = slice_before


def test_memory_is_bounded_and_a_small_import_writes_no_file():
    small = RowMarks()
    small.BUFFER = 100
    assert answers(small, list(range(99))) == [None] * 99
    assert small._file is None and small._filter is None and len(small._recent) == 99

    large = RowMarks()
    large.BUFFER = 100
    keys = list(range(1000)) + [0, 555, 999]  # each seen again: in the first run, a middle one, the dict
    found = [large.first_row(mark(key), row) for row, key in enumerate(keys, 1)]
    try:
        assert found[:1000] == [None] * 1000 and found[1000:] == [1, 556, 1000]
        assert len(large._recent) == 0 and len(large._runs) == 10  # 1000 marks in 10 runs of 100
        assert large._filter is not None and len(large._filter) == (1 << 27) >> 3  # the same at any size
    finally:
        large.close()
    assert large._file is None


@pytest.mark.parametrize("kept", [1, 2, 1 << 17])
def test_a_mark_written_is_found_in_whichever_run_holds_it(kept):
    marks = RowMarks()
    marks.BUFFER = kept
    keys = list(range(50))
    try:
        assert [marks.first_row(mark(k), row) for row, k in enumerate(keys, 1)] == [None] * 50
        # every mark again, in another order: each names its own first row
        assert [marks.first_row(mark(k), 1000 + k) for k in reversed(keys)] == [k + 1 for k in reversed(keys)]
    finally:
        marks.close()


def test_a_scratch_file_that_cannot_be_written_is_the_users_error(tmp_path, monkeypatch):
    import tempfile

    from nqtrack.core.errors import StorageError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # $TMPDIR naming no folder
    marks = RowMarks()
    marks.BUFFER = 1
    with pytest.raises(StorageError) as refused:
        marks.first_row(mark(1), 1)
    assert refused.value.args_ == {"path": str(tmp_path / "gone"), "reason": "No such file or directory"}
    marks.close()


def test_a_scratch_file_that_cannot_be_read_back_is_the_users_error(monkeypatch):
    import errno
    import os

    from nqtrack.core.errors import StorageError

    marks = RowMarks()
    marks.BUFFER = 1
    assert marks.first_row(mark(1), 1) is None  # written to the file

    def failing_read(*args):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "pread", failing_read)
    with pytest.raises(StorageError) as refused:
        marks.first_row(mark(1), 2)
    assert refused.value.args_["reason"] == "Input/output error"
    marks.close()
