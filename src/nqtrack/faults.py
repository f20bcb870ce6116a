"""Fault injection for the crash tests, and nothing else.

With NQTRACK_TEST_PAUSE=point:seconds a process stops at that point (inside the
transaction before its commit, in the middle of a backup, after an import's first
batch of rows, once a new register's schema is in but before it is linked into
place, inside the lock of a schema upgrade or of a restore), after writing "paused"
to the file descriptor NQTRACK_TEST_PAUSE_FD, so that a test blocked on the other end
of that pipe knows when to kill it: no polling. With NQTRACK_TEST_RESUME_FD it waits on
that descriptor instead of sleeping, and goes on when the test writes to it or closes it.
"""

from __future__ import annotations

import os

POINTS = ("commit", "backup", "import-batch", "create", "upgrade", "restore")


def pause(point: str) -> None:
    setting = os.environ.get("NQTRACK_TEST_PAUSE")
    if not setting or not setting.startswith(point + ":"):
        return
    notify = os.environ.get("NQTRACK_TEST_PAUSE_FD")
    if notify:
        os.write(int(notify), b"paused\n")
    resume = os.environ.get("NQTRACK_TEST_RESUME_FD")
    if resume:
        os.read(int(resume), 1)
        return
    import time

    time.sleep(float(setting.split(":", 1)[1]))
