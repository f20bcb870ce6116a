"""The rows of a large import read in a second process, while this one checks and writes.

Reading a file's cells (decoding, splitting, normalising, leaving out the rows that are not
data) is a third of an import's Python, and needs nothing of the register; a second process
does it on the other core and sends the records in chunks through a pipe, whose bounded
buffer keeps memory flat (it waits while this process writes). Everything that reads or
writes the register, every rule of a row and the transaction stay in this process, which
receives the same records, in the same order, as it would read itself
(importer.data_records, the same code): the result is the same, row for row.

The process is started before any thread of this one (the store writes its rows on a thread
once the writing starts): forked then, which costs a few milliseconds; spawned when another
thread already runs (forking a process with threads can copy a held lock). It ignores
Ctrl-C, which is this process's to handle: this one stops it, whatever ends the import.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from nqtrack.importing.reader import ReadError, Table, read_table

CHUNK = 1000  # records per message: ~120 KB pickled of the benchmark's rows
# the reader yields a busy core to the importing process's threads (it is chunks ahead)
NICENESS = 10
PIPE_BYTES = 1024 * 1024  # the pipe's buffer (Linux's default bound): the reader ~8 chunks ahead at most
# Files from this size on are read apart, when a second core can run the reader
# (NQTRACK_IMPORT_WORKER_FROM, in bytes, sets another size: the tests force it with 0).
# Measured on this 2-core machine, idle (2026-12-01), the benchmark's rows (280 bytes each):
# 100,000 rows 8.9 -> 7.9 s; 10,000 rows (2.8 MB) 1.10 s both ways (medians of 5, taking turns).
# With the other core busy (other sessions' tests and benchmark, load 2-4) the reader gains
# nothing (9.57 -> 9.75 s): it takes 1.1 s of CPU off the importing thread, which then waits
# for the rows written behind (the store's writer thread) instead. PostgreSQL, idle: 9.45 ->
# 9.38 s (the server's COPY keeps the second core busy already): neither gain nor loss.
WORKER_FROM_BYTES = 4 * 1024 * 1024
NEVER = sys.maxsize


def worker_threshold() -> int:
    setting = os.environ.get("NQTRACK_IMPORT_WORKER_FROM")
    if setting and setting.isdigit():
        return int(setting)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return WORKER_FROM_BYTES if cores >= 2 else NEVER


def source_size(source: str | Path | bytes | None) -> int:
    """The file's size in bytes (0 when it cannot be known: the reader then says why)."""
    if source is None:
        return 0
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    try:
        return os.stat(source).st_size
    except OSError:
        return 0


def _widen(connection: Any) -> None:
    """A pipe that holds several chunks (Linux: 1 MB rather than 64 KB), so that the reader
    sends a chunk at once, not in pieces each waiting for this process to read the last."""
    with suppress(ImportError, OSError, AttributeError):  # elsewhere, or above the system's bound: as it is
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _start_method() -> str:
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def read_rows(sender: Any, receiver: Any, source: str | Path | bytes, kind: str, read: dict[str, Any],
              mapping: dict[int, str]) -> None:
    """The second process: the records of the file's data rows, sent in chunks, then
    ("end", rows skipped by kind, cells converted), or ("error", the exception)."""
    # the importing process's end, which a fork copies here: kept open, a send into a full
    # pipe would wait forever once the importing process is killed, not fail
    receiver.close()
    from nqtrack.importing.columns import is_known_header
    from nqtrack.importing.importer import data_records

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the importing process stops this one
    with suppress(OSError, AttributeError):
        os.nice(NICENESS)
    gc.disable()  # records hold no cycles
    try:
        table = read_table(source, expected_headers=is_known_header(kind), **read)
        skipped: dict[str, int] = {}
        chunk: list[tuple[int, int, list[Any]]] = []
        for number, line, record in data_records(table, mapping, skipped):
            chunk.append((number, line, list(record.values())))  # the fields' names once, there
            if len(chunk) >= CHUNK:
                sender.send(("rows", chunk))
                chunk = []
        sender.send(("rows", chunk))
        sender.send(("end", skipped, table.converted_cells))
    except (BrokenPipeError, EOFError):  # the importing process has gone: nothing to tell
        return
    except BaseException as exc:  # noqa: BLE001  # every error goes to the importing process
        try:
            sender.send(("error", exc))
        except Exception:  # noqa: BLE001  # an exception that does not pickle: its text
            sender.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        sender.close()


@contextmanager
def records_read_apart(
    table: Table, mapping: dict[int, str], source: str | Path | bytes, kind: str, read: dict[str, Any],
    skipped: dict[str, int],
) -> Iterator[Iterator[tuple[int, int, dict[str, Any]]]]:
    """importer.data_records(table, mapping, skipped), read by a second process from
    `source` opened again as `table` was (the headers of `kind`, read_table's arguments
    `read`). The process is stopped when the block ends, however it ends."""
    import multiprocessing

    context: Any = multiprocessing.get_context(_start_method())
    receiver, sender = context.Pipe(duplex=False)
    _widen(sender)
    process = context.Process(target=read_rows, args=(sender, receiver, source, kind, read, mapping), daemon=True,
                              name="nqtrack-import-reader")
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice by a fork
        stream.flush()
    process.start()
    sender.close()  # the process holds its end: the pipe ends when it does
    try:
        yield _received(receiver, process, table, list(mapping.values()), skipped, read.get("name") or str(source))
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()


def _received(receiver: Any, process: Any, table: Table, fields: list[str], skipped: dict[str, int],
              name: str) -> Iterator[tuple[int, int, dict[str, Any]]]:
    while True:
        try:
            message = receiver.recv()
        except EOFError:  # the process ended without a word: killed, or out of memory
            process.join()
            raise ReadError("cannot read {name!r}: the process reading it stopped (exit code {code})",
                            name=name, code=process.exitcode) from None
        if message[0] == "rows":
            # keyed by this process's own names of the fields: the rules look them up by
            # identity first (unpickled names are other strings: parse_task took 0.4 s more)
            for number, line, values in message[1]:
                yield number, line, dict(zip(fields, values, strict=True))
        elif message[0] == "end":
            for kind, count in message[1].items():
                skipped[kind] = skipped.get(kind, 0) + count
            table.converted_cells = message[2]
            return
        else:
            raise message[1]
