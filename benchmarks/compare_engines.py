#!/usr/bin/env python3
"""The hidden-data check of issue 18 on a large register: a SQLite register copied into
PostgreSQL with `nqtrack copy` gives byte-identical JSON (and CSV) on both engines.

Usage:

    python benchmarks/compare_engines.py benchmarks/data/r100k.db \\
        --server postgresql://nqtrack_ci:nqtrack-ci@127.0.0.1:5432/postgres

    python benchmarks/generate.py --tasks 100000 --seed 1 /tmp/r100k.db   # a register to compare

With --server (a role that may CREATE DATABASE), a database named after the file is
made (replaced with --fresh, else reused when it already holds the copy); with --target
URL, that (empty) database is used. Then `nqtrack copy SQLITE URL` runs (timed), `nqtrack
check` on the copy, and each view below on both engines, as whole processes of the
`nqtrack` beside this interpreter, each run's output compared byte for byte. Prints one
line per view (equal or not, the time on each engine) and exits 1 when any differs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

TODAY = "2026-11-22"

VIEWS = [
    ["report", "--month", "2026-10", "--format", "json"],
    ["report", "--year", "2026", "--format", "json"],
    ["report", "--year", "2025", "--cutoff", "15", "--format", "json"],
    ["report", "--month", "2026-06", "--known-on", "2026-07-01", "--format", "json"],
    ["report", "--quarter", "2026-Q3", "--as-of", "2026-08-15", "--format", "json"],
    ["overdue", "--format", "json"],
    ["overdue", "--format", "csv"],
    ["overdue", "--within", "30", "--role", "any", "--format", "json"],
    ["review", "--format", "json"],
    ["list", "--search", "lý lịch", "--format", "json"],
    ["list", "--search", "bao cao", "--format", "json", "--limit", "200"],
    ["list", "--search", "nghi quyet tw", "--format", "json"],
    ["list", "--search", "ke hoach thuc hien", "--format", "csv", "--limit", "50"],
    ["list", "--overdue", "--format", "json"],
    ["evaluate", "--year", "2026", "--format", "json"],
    ["evaluate", "--quarter", "2026-Q3", "--as-of", "2026-08-15", "--format", "json"],
]


def nqtrack() -> list[str]:
    exe = shutil.which("nqtrack", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "nqtrack"]


def run(args: list[str], check: bool = True) -> tuple[bytes, float]:
    start = time.perf_counter()
    done = subprocess.run(nqtrack() + args, capture_output=True, check=False)
    took = time.perf_counter() - start
    if check and done.returncode != 0:
        sys.exit(f"nqtrack {' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-1000:]}")
    return done.stdout, took


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def prepare_target(args: argparse.Namespace) -> tuple[str, bool]:
    """The target URL, and whether it still needs the copy."""
    if args.target:
        return args.target, True
    import psycopg

    name = "nqtrack_compare_" + re.sub(r"\W", "_", Path(args.sqlite).stem.lower())
    with psycopg.connect(args.server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and args.fresh:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        if not exists or args.fresh:
            admin.execute(f"CREATE DATABASE {name}")
            return with_database(args.server, name), True
    return with_database(args.server, name), False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sqlite", help="the SQLite register (e.g. benchmarks/data/r100k.db)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--server", help="a PostgreSQL URL whose role may create databases")
    where.add_argument("--target", help="an empty PostgreSQL database to copy into")
    parser.add_argument("--fresh", action="store_true", help="with --server: drop and copy again")
    args = parser.parse_args(argv)
    target, needs_copy = prepare_target(args)
    shown = re.sub(r":[^:@/]*@", "@", target)
    if needs_copy:
        out, took = run(["copy", args.sqlite, target])
        print(f"copy: {took:.1f} s  {out.decode().strip()}")
        _, took = run(["--db", target, "--lang", "en", "check"])
        print(f"check on the copy: passed in {took:.1f} s")
    else:
        print(f"{shown} holds the copy already (--fresh copies again)")
    differ = 0
    for view in VIEWS:
        common = ["--today", TODAY, "--lang", "en"]
        on_sqlite, t_sqlite = run(["--db", args.sqlite, *common, *view])
        on_server, t_server = run(["--db", target, *common, *view])
        same = on_sqlite == on_server
        differ += not same
        print(f"{'equal' if same else 'DIFFERENT':9}  sqlite {t_sqlite:6.2f} s  postgresql {t_server:6.2f} s  "
              f"{len(on_sqlite):>9,} bytes  nqtrack {' '.join(view)}")
    print(f"{len(VIEWS) - differ} of {len(VIEWS)} views identical on both engines")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
