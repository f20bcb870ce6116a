"""The marks an import keeps of the rows it has read, to find a row the file repeats, in
memory that does not grow with the file (issue 20: a mark a row kept in a dict was 125 MB
of an import of 1,000,000 rows, the only part of its memory that kept growing).

The newest marks are kept in a dict, as before; when it holds `BUFFER` of them they go to
a scratch file as one sorted run, and a Bloom filter of fixed size remembers which marks
the runs may hold. A mark the filter has never seen is new without a look at the file:
only a repeated row, or one of the filter's rare false alarms, is looked up in the runs
(a binary search in each). An import of fewer rows than `BUFFER` never writes the file
nor makes the filter: it runs exactly as a dict alone.
"""

from __future__ import annotations

import os
import tempfile
from typing import IO

from nqtrack.core.errors import StorageError

_MARK = 16  # bytes of a mark (importer._row_mark: BLAKE2b-128)
_ROW = 4  # bytes of a row number in the runs (a file of fewer than 4 billion rows)
_RECORD = _MARK + _ROW
_FILTER_BITS = 1 << 27  # the Bloom filter: 16 MB, three bits a mark
_SLICE = _FILTER_BITS - 1


def _bits_of(mark: bytes) -> tuple[int, int, int]:
    """A mark's three bits in the filter: three 27-bit slices of its own bits, which are a
    hash already."""
    whole = int.from_bytes(mark, "little")
    return whole & _SLICE, (whole >> 32) & _SLICE, (whole >> 64) & _SLICE


def _scratch_error(exc: OSError) -> StorageError:
    return StorageError("cannot write {path}: {reason}", path=tempfile.gettempdir(), reason=exc.strerror or str(exc))


class RowMarks:
    """Each mark's first row. `first_row(mark, row)`: the row that had `mark` first, or
    None when no row had it (then `row` is kept as its first)."""

    BUFFER = 1 << 17  # marks kept in the dict (about 16 MB) before they go to the file

    def __init__(self) -> None:
        self._recent: dict[bytes, int] = {}
        self._filter: bytearray | None = None  # made at the first run written
        self._file: IO[bytes] | None = None
        self._runs: list[tuple[int, int]] = []  # (offset, marks) of each sorted run in the file
        self._written = 0

    def first_row(self, mark: bytes, row: int) -> int | None:
        recent = self._recent
        first = recent.get(mark)
        if first is not None:
            return first
        bits = self._filter
        if bits is not None:
            a, b, c = _bits_of(mark)
            if bits[a >> 3] >> (a & 7) & bits[b >> 3] >> (b & 7) & bits[c >> 3] >> (c & 7) & 1:
                try:
                    first = self._written_row(mark)
                except OSError as exc:
                    raise _scratch_error(exc) from None
                if first is not None:
                    return first
        recent[mark] = row
        if len(recent) >= self.BUFFER:
            self._write_run()
        return None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _write_run(self) -> None:
        """The dict's marks to the file, sorted (one run), and into the filter. A file that
        cannot be written or read back (a full disk, a temporary folder missing) is the
        user's error: one line, and the import, which is one transaction, writes nothing."""
        try:
            self._write_sorted_run()
        except OSError as exc:
            raise _scratch_error(exc) from None

    def _write_sorted_run(self) -> None:
        if self._file is None:
            # open until close(): the runs are read back while later rows come
            self._file = tempfile.TemporaryFile(prefix="nqtrack-marks-")  # noqa: SIM115
            self._filter = bytearray(_FILTER_BITS >> 3)
        bits = self._filter
        assert bits is not None
        # records of equal width sort by their mark, which leads them (marks are unique)
        records = sorted([mark + row.to_bytes(_ROW, "little") for mark, row in self._recent.items()])
        for mark in self._recent:
            a, b, c = _bits_of(mark)
            bits[a >> 3] |= 1 << (a & 7)
            bits[b >> 3] |= 1 << (b & 7)
            bits[c >> 3] |= 1 << (c & 7)
        self._file.seek(self._written)
        self._file.write(b"".join(records))
        self._file.flush()
        self._runs.append((self._written, len(records)))
        self._written += len(records) * _RECORD
        self._recent = {}

    def _written_row(self, mark: bytes) -> int | None:
        """The row of `mark` in the runs, by a binary search of each."""
        assert self._file is not None
        descriptor = self._file.fileno()
        for offset, count in self._runs:
            low, high = 0, count
            while low < high:
                middle = (low + high) // 2
                record = os.pread(descriptor, _RECORD, offset + middle * _RECORD)
                found = record[:_MARK]
                if found == mark:
                    return int.from_bytes(record[_MARK:], "little")
                if found < mark:
                    low = middle + 1
                else:
                    high = middle
        return None
