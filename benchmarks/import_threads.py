#!/usr/bin/env python3
"""Where an import's time goes between its threads: the importing thread's CPU and how long
it waited for the thread that writes the rows behind it (SQLite's bulk load,
store.sqlite._Connection.write_behind).

    python benchmarks/import_threads.py --db REGISTER.db [--today DAY] import tasks.csv [options…]

Runs that nqtrack command line (an import; REGISTER.db as the benchmark makes it: a copy
holding only the units) in this process and prints, on stderr, one line: the
wall time, the importing thread's CPU time (`time.thread_time`), and its waits, timed around
`queue.Queue.put` (the writer's queue full) and `_Connection.caught_up` (a read waiting for
the rows written behind). Wall time minus the importing thread's CPU and its waits is the
time it was ready to run but did not: the GIL held by the writer, or the CPU taken by the
writer and the reader process. Run it with each commit's sources on PYTHONPATH, taking
turns, to compare two commits; docs/benchmarks.md ("writer thread and importing thread")
has what it found.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from typing import Any


def main(argv: list[str]) -> int:
    if "import" not in argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    from nqtrack.store import sqlite as sqlite_store

    waits = {"put": 0.0, "caught_up": 0.0}
    importing = threading.current_thread()
    caught_up = sqlite_store._Connection.caught_up
    put = queue.Queue.put

    def timed_caught_up(self: Any) -> None:
        started = time.perf_counter()
        try:
            caught_up(self)
        finally:
            if threading.current_thread() is importing:
                waits["caught_up"] += time.perf_counter() - started

    def timed_put(self: Any, item: Any, block: bool = True, timeout: float | None = None) -> None:
        started = time.perf_counter()
        try:
            put(self, item, block, timeout)
        finally:
            if threading.current_thread() is importing:
                waits["put"] += time.perf_counter() - started

    sqlite_store._Connection.caught_up = timed_caught_up  # type: ignore[method-assign]
    queue.Queue.put = timed_put  # type: ignore[method-assign]
    from nqtrack.cli import app

    wall, cpu = time.perf_counter(), time.thread_time()
    code = app(argv[1:], standalone_mode=False, prog_name="nqtrack")
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    print(f"wall {wall:.2f} s; importing thread: CPU {cpu:.2f} s, waited {waits['put']:.2f} s for the writer's "
          f"queue and {waits['caught_up']:.2f} s for the rows written behind; not running {wall - cpu - sum(waits.values()):.2f} s",
          file=sys.stderr)
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
