#!/usr/bin/env python3
"""Time nqtrack's commands, each as a whole process, beside anchors measured in the same run.

Usage (any Python 3.10+; nqtrack itself is installed by the script):

    python3 benchmarks/run.py                                  # 10k, 100k and 1M tasks, 5 runs
    python3 benchmarks/run.py --sizes 10000,100000 --runs 3
    python3 benchmarks/run.py --sizes 10000,100000,1000000 --output docs/benchmarks.md
    python3 benchmarks/run.py --setup                          # install and build only
    python3 benchmarks/run.py --sizes 100000 --postgres postgresql://nqtrack_ci:nqtrack-ci@127.0.0.1:5432/postgres

Options: --sizes N,N,… (tasks), --runs R (timed runs per command, default 5, after
--warmup W untimed ones, default 1), --seed S, --data-dir DIR (default benchmarks/data),
--output FILE (write the tables into FILE: between the `<!-- benchmarks:start -->` and
`<!-- benchmarks:end -->` markers if it has them, else the whole file), --commit REV (the
commit to install and measure, default HEAD), --nqtrack PATH (measure this `nqtrack`
instead, e.g. an editable install, and install nothing), --no-taskwarrior (no
Taskwarrior rows), --no-install-taskwarrior (use `task` if it is there, never apt-get),
--taskwarrior-max N (Taskwarrior's overdue at sizes up to N tasks, default 100,000),
--timeout SECONDS per run, --no-import / --no-startup to skip those groups, --import-rows
N,N,… (the task rows imported, default 100,000; with more than one size, the time per
1,000 rows at each, to see whether the import is linear), --setup
(install Taskwarrior, build the venv, the registers and the import files, then stop).

nqtrack as installed (default): once per commit, cached in DATA_DIR/installed/COMMIT
(benchmarks/installed.py), `git archive COMMIT` is unpacked, installed with `pip install`
(not editable) into a venv of its own, and `python -m compileall` compiles its
site-packages; the interpreter's standard library has its byte code already (checked).
Every child runs without PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX and PYTHONPATH, so
it loads compiled modules as an installed system does (this workplace sets
PYTHONDONTWRITEBYTECODE, which otherwise makes every start-up compile everything again,
2–3× slower). The table names the commit. With --nqtrack PATH, children run as before:
without PYTHONDONTWRITEBYTECODE and with PYTHONPYCACHEPREFIX=DATA_DIR/pycache (byte code
written by the warm-up run), and the commit is the checkout's (or DIR/COMMIT of a
snapshot put on PYTHONPATH).

The anchors, each timed as a whole process in the same run, with the same environment:

- `python -c pass` with nqtrack's interpreter: the floor of any start-up (the floor
  scripts below also run with that interpreter, imported as modules so that their byte
  code is cached as nqtrack's is);
- the overdue floor, `python benchmarks/floor_overdue.py REGISTER --today …`: the same
  SQL as `Store.overdue_rows` over the current columns (no as-of replay), the same CSV
  columns; its output is compared with nqtrack's, byte for byte;
- the import floor, `python benchmarks/floor_import.py COPY tasks.csv …`: parses the same
  CSV with the csv module and inserts the same rows (documents, tasks, task_units, the
  journal's events, task_search, batches) into a fresh copy of the schema with the units,
  in one transaction; its rows are compared with nqtrack's;
- Taskwarrior 2.6 (Debian's `taskwarrior`, installed with apt-get when `task` is missing;
  rows skipped with a note when it cannot be): its own rc and data folder under
  DATA_DIR/taskwarrior (benchmarks/taskwarrior.py lists the rc settings and why);
  `task import tasks.json` of the same rows as JSON into an empty data folder; `task
  overdue` on the data of the same tasks, its filter pinned to the benchmark's day
  (`status:pending and due.before:TODAY+8`: open tasks due up to a week after today, the
  set nqtrack's overdue CSV lists, checked with `task export`); its data size (the
  files in TASKDATA) beside the size of nqtrack's register after the import (WAL
  checkpointed).

The commands: start-up (`nqtrack --help`; `overdue` and `info` on an empty register);
`import` of 100,000 task rows (Vietnamese headers, day-first dates, deadline texts) into a
fresh copy of a register that holds only the units; per size: `overdue --format csv`,
`overdue --unit PLDSKT`, `report --month 2026-10 --format json`, `report --year 2026
--format json`, `list --search "lý lịch" --format csv --limit 50`, `show ID` (a task with
a full journal), `review --format json`, `update ID --progress P` (on a copy, P different
each run), `check`. Every command runs with `--today 2026-11-22`.

What is measured: wall time of the whole process (start-up, imports, SQL, rendering,
output written to a file), median and range (min–max) over the timed runs, and peak
resident memory (`/usr/bin/time -f %M`; without it os.wait4's ru_maxrss, an upper bound).
A command and its anchors take turns run by run (round-robin), so that a change in the
machine's load reaches both. Each target (issue 6's absolute ones, issue 20's ratios to
the anchors) is a row of the table, with ✓/✗; the rows are keyed by command, size and
target, and nqtrack's measurement is a column group per storage engine: SQLite, and
PostgreSQL with `--postgres URL` (or $NQTRACK_BENCH_PG).

PostgreSQL (`--postgres URL`: a server whose role may create databases; `source
.ci/services.sh` starts Debian's on this machine): each register of a size is copied into a
database of its own with `nqtrack copy` (kept and reused, like the SQLite files, keyed by
size, seed, generator version and schema version; VACUUM ANALYZE after the copy, as
autovacuum would do on a working server), and the same commands run against it; `update`
runs on a clone of it (CREATE DATABASE … TEMPLATE), the `import` into a clone of a
database holding only the units. The server runs on the same machine, so its work is
counted in the wall time (the client's peak memory is nqtrack's only). The server's
settings are Debian's defaults unless you changed them.

Databases, import files (the same tasks as the register of that size) and Taskwarrior's
data folders are built once in DATA_DIR and reused, keyed by size, seed and generator
version; databases are rebuilt when nqtrack's schema (its migrations' SQL) differs. Each
run also writes DATA_DIR/results-STAMP.json (every measurement and every target row).
Standard library only, plus the modules in benchmarks/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import floor_import
import generate as gen
import installed
import taskwarrior as tw

TODAY = gen.TODAY.isoformat()
WITHIN = 7  # nqtrack overdue's default: due within a week are listed too
DUE_BEFORE = (gen.TODAY + timedelta(days=WITHIN + 1)).isoformat()  # Taskwarrior: due before this day
IMPORT_ROWS = 100_000
UNIT = "PLDSKT"
SEARCH = "lý lịch"
MB = 1024  # ru_maxrss is in KiB on Linux
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

# -- what is measured, and the targets -------------------------------------------------------

LABELS = {
    # nqtrack
    "help": "`nqtrack --help`",
    "empty_overdue": "`overdue` on an empty register",
    "empty_info": "`info` on an empty register",
    "import": "`import` of task rows into a new register (with units)",
    "size": "register size after that `import`",
    "overdue_csv": "`overdue --format csv` (all)",
    "overdue_unit": f"`overdue --unit {UNIT}`",
    "report": "`report --month 2026-10 --format json`",
    "report_fresh": "`report --month 2026-10 --format json --fresh` (every figure counted again)",
    "report_year": "`report --year 2026 --format json`",
    "report_year_fresh": "`report --year 2026 --format json --fresh` (every figure counted again)",
    "list_search": f'`list --search "{SEARCH}" --format csv --limit 50`',
    "show": "`show ID`",
    "review": "`review --format json` (every document)",
    "update": "`update ID --progress P`",
    "check": "`check`",
    # anchors
    "python_pass": "`python -c pass`",
    "floor_overdue": "overdue floor script",
    "floor_import": "import floor script",
    "tw_import": "Taskwarrior `task import`",
    "tw_overdue": "Taskwarrior `task overdue`",
    "tw_size": "Taskwarrior's data",
}
ANCHORS = ("python_pass", "floor_overdue", "floor_import", "tw_import", "tw_overdue", "tw_size")


@dataclass(frozen=True)
class Target:
    """One target of one command: an absolute time/memory, or a ratio to an anchor."""

    issue: int
    time: float | None = None  # median under this many seconds
    memory: int | None = None  # peak under this many MB
    anchor: str | None = None  # compared with this anchor's median (same size) …
    ratio: float | None = None  # … at most this many times it (None: ratio shown, no target)
    sizes: tuple[int, int | None] | None = None  # only at sizes in [low, high]
    stated: str = ""  # the size the issue states it for, when applied to others

    def applies(self, size: int | None) -> bool:
        if self.sizes is None or size is None:
            return True
        low, high = self.sizes
        return size >= low and (high is None or size <= high)

    def text(self) -> str:
        parts = []
        if self.time is not None:
            parts.append(f"< {self.time:g} s")
        if self.memory is not None:
            parts.append(f"< {self.memory} MB")
        if self.anchor:
            name = LABELS[self.anchor]
            parts.append(f"≤ {self.ratio:g}× {name}" if self.ratio is not None else f"no target: ratio to {name}")
        where = f", stated for {self.stated}" if self.stated else ""
        return ", ".join(parts) + f" (#{self.issue}{where})"


# Issue 20's targets hold on PostgreSQL within this factor ("the same targets within 2x").
POSTGRES_SLACK = 2

# Issue 6 stated its times for 1,000,000 tasks; they apply to every size.
TARGETS: dict[str, list[Target]] = {
    "help": [Target(6, time=0.25), Target(20, anchor="python_pass", ratio=4)],
    "empty_overdue": [Target(6, time=0.3), Target(20, anchor="python_pass", ratio=4)],
    "empty_info": [Target(20, anchor="python_pass", ratio=4)],
    "import": [Target(6, time=10.0, sizes=(0, IMPORT_ROWS), stated="100,000"),
               Target(20, anchor="tw_import", ratio=0.5), Target(20, anchor="floor_import")],
    "size": [Target(20, anchor="tw_size", ratio=1)],
    "overdue_csv": [Target(6, time=1.5, memory=150), Target(20, anchor="floor_overdue", ratio=2),
                    Target(20, anchor="tw_overdue", ratio=0.33)],
    "overdue_unit": [Target(6, time=0.5, memory=150)],
    "report": [Target(6, time=3.0, memory=150), Target(20, time=0.15, sizes=(0, 100_000), stated="100,000"),
               Target(20, time=1.0, sizes=(100_001, None), stated="1,000,000")],
    "report_fresh": [Target(6, time=3.0, memory=150)],
    "report_year": [Target(20, time=2.0, stated="1,000,000")],
    "report_year_fresh": [],
    "list_search": [Target(6, time=0.5, memory=150)],
    "show": [Target(6, time=0.3, memory=150)],
    "review": [Target(6, time=2.0, memory=150)],
    "update": [Target(6, time=0.3, memory=150)],
    "check": [Target(20, time=10.0, stated="1,000,000")],
}


# -- running one command -----------------------------------------------------------------


def run_once(cmd: list[str], out_path: Path, timeout: float, env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, stderr tail) of one child process.

    Peak memory comes from `/usr/bin/time -f %M` when it exists: the ru_maxrss that
    os.wait4 reports for a child of this script also counts this script's own pages
    (the child is forked from it before it execs), so it is only an upper bound;
    it is used as the fallback."""
    mem_file = Path(str(out_path) + ".mem")
    argv = [TIME, "-f", "%M", "-o", str(mem_file), *cmd] if TIME else cmd
    with open(out_path, "wb") as out, open(str(out_path) + ".err", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, 9)
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return time.perf_counter() - t0, usage.ru_maxrss / MB, -9, "timeout"
            time.sleep(0.0005)
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / MB
    if TIME:
        lines = [line for line in mem_file.read_text().split() if line.isdigit()]
        peak = int(lines[-1]) / MB if lines else float("nan")
    tail = Path(str(out_path) + ".err").read_text(encoding="utf-8", errors="replace")[-500:]
    return wall, peak, code, tail


@dataclass
class Spec:
    """One thing to time: a command (or a function of the run's number), how to prepare each run."""

    key: str
    size: int | None
    cmd: object  # list[str] or callable(i) -> list[str]
    env: dict[str, str]
    prepare: object = None  # callable(i) or None
    engine: str = "sqlite"  # "anchor" for the anchors
    shown: str | None = None  # the command as the table shows it (default: argv, paths shortened)

    def argv(self, i: int) -> list[str]:
        return self.cmd(i) if callable(self.cmd) else self.cmd


def measure(specs: list[Spec], args, work: Path) -> list[dict]:
    """Warm-up runs, then timed runs, the specs taking turns; a summary of each."""
    if args.only:
        specs = [s for s in specs if s.key in args.only]
    walls: dict[int, list[float]] = {n: [] for n in range(len(specs))}
    peaks: dict[int, list[float]] = {n: [] for n in range(len(specs))}
    errors: dict[int, str] = {}
    outs = [work / f"out-{s.key}-{s.size or 0}{'-' + s.engine if s.engine == 'postgresql' else ''}.txt" for s in specs]
    for i in range(args.warmup + args.runs):
        for n, spec in enumerate(specs):
            if n in errors:
                continue
            if spec.prepare:
                spec.prepare(i)
            wall, peak, code, tail = run_once(spec.argv(i), outs[n], args.timeout, spec.env)
            if code != 0:
                errors[n] = f"exit {code}: {tail.strip()[-300:]}"
                print(f"  ! {spec.key}: {errors[n]}", file=sys.stderr)
                continue
            if i >= args.warmup:
                walls[n].append(wall)
                peaks[n].append(peak)
    results = []
    for n, spec in enumerate(specs):
        shown = spec.shown or " ".join(Path(a).name if a.startswith("/") else a for a in spec.argv(0))
        r = {"key": spec.key, "engine": spec.engine, "label": LABELS[spec.key], "size": spec.size, "unit": "s",
             "command": shown, "runs": len(walls[n]), "error": errors.get(n), "output": str(outs[n])}
        if walls[n]:
            with open(outs[n], "rb") as f:
                lines = sum(1 for _ in f)
            r.update(median=statistics.median(walls[n]), min=min(walls[n]), max=max(walls[n]),
                     peak_mb=max(peaks[n]), output_bytes=outs[n].stat().st_size, output_lines=lines)
            print(f"  {spec.key:<14} {spec.size or '':>9}  median {r['median']:7.3f} s  min {r['min']:7.3f}  "
                  f"max {r['max']:7.3f}  peak {r['peak_mb']:6.1f} MB", file=sys.stderr, flush=True)
        results.append(r)
    return results


def floor(python: str, module: str, args: list[str]) -> tuple[list[str], str]:
    """(argv, shown) of a floor script, imported as a module so that its byte code is cached
    like nqtrack's (a script run as `python FILE` is compiled on every run)."""
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import {module}; sys.exit({module}.main(sys.argv))"
    shown = " ".join(Path(a).name if a.startswith("/") else a for a in [f"python benchmarks/{module}.py", *args])
    return [python, "-c", code, *args], shown


# -- data ------------------------------------------------------------------------------------


class Schema:
    """nqtrack's schema as the measured interpreter has it (asked once, in a child)."""

    def __init__(self, python: str, env: dict[str, str]) -> None:
        code = (
            "import json; from nqtrack.store.sqlite import SqliteStore as Store, SCHEMA_VERSION; s = Store(':memory:'); "
            "rows = s.conn.execute(\"SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'\"); "
            "print(json.dumps([SCHEMA_VERSION, sorted(' '.join(r[0].split()) for r in rows)]))"
        )
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
        self.version, self.sql = json.loads(out.strip().splitlines()[-1])

    def same(self, db: Path) -> bool:
        """Does `db` have exactly this schema (migrations, even edited ones)?"""
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
                return sorted(" ".join(r[0].split()) for r in rows) == self.sql
            finally:
                conn.close()
        except sqlite3.Error:
            return False


def applied_migrations(db: Path) -> int:
    """How many of nqtrack's migrations a database has (0 if none or unreadable)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'nqtrack'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def ensure_db(
    data_dir: Path, size: int, seed: int, python: str, schema: Schema, env: dict[str, str]
) -> tuple[Path, dict]:
    """The register of `size` tasks, built with generate.py unless a current one exists
    (same generator version, built under the schema this nqtrack has, not migrated since)."""
    db = data_dir / f"register-{size}-seed{seed}-v{gen.GENERATOR_VERSION}.db"
    meta_path = db.with_suffix(".json")
    if db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if (
            meta.get("version") == gen.GENERATOR_VERSION
            and meta.get("tasks") == size
            and meta.get("schema") == schema.version == applied_migrations(db)
            and schema.same(db)
        ):
            print(f"reusing {db} (built in {meta['seconds']} s)", file=sys.stderr)
            return db, meta
        print(f"{db} is out of date (generator or schema changed)", file=sys.stderr)
    print(f"building {db} ({size:,} tasks, seed {seed}) …", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [python, str(HERE / "generate.py"), "--tasks", str(size), "--seed", str(seed), "--force", "--json", str(db)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env=env,
    )
    meta = json.loads(proc.stdout.strip().splitlines()[-1])
    meta["wall_seconds"] = round(time.perf_counter() - t0, 1)
    meta_path.write_text(json.dumps(meta, indent=1))
    return db, meta


def import_files(data_dir: Path, size: int, seed: int, python: str, env: dict[str, str]) -> tuple[Path, Path]:
    """units.csv and tasks.csv of `size` tasks (the same tasks as the register of that size),
    written by generate.py with nqtrack's interpreter (the generator imports nqtrack)."""
    folder = data_dir / f"import-{size}-seed{seed}-v{gen.GENERATOR_VERSION}.{gen.CSV_VERSION}"
    units_csv, tasks_csv = folder / "units.csv", folder / "tasks.csv"
    if not tasks_csv.exists():
        subprocess.run(
            [python, str(HERE / "generate.py"), "--tasks", str(size), "--seed", str(seed), "--csv", str(folder)],
            check=True,
            env=env,
        )
    return units_csv, tasks_csv


def pick_ids(db: Path) -> tuple[int, int]:
    """A task with a full journal (for show) and an open overdue one (for update), mid-register."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = conn.execute("SELECT max(id) FROM tasks").fetchone()[0]
    show_id = conn.execute(
        "SELECT task_id FROM events WHERE task_id >= ? GROUP BY task_id HAVING count(*) >= 6 ORDER BY task_id LIMIT 1",
        [n // 2],
    ).fetchone()
    update_id = (
        conn.execute(
            "SELECT id FROM tasks WHERE id >= ? AND state = 'in_progress' AND deadline < ? ORDER BY id LIMIT 1",
            [n // 2, TODAY],
        ).fetchone()
        or conn.execute("SELECT id FROM tasks WHERE state IN ('new', 'in_progress') ORDER BY id LIMIT 1").fetchone()
    )
    conn.close()
    return (show_id or (n // 2,))[0], update_id[0]


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def copy_db(src: Path, dst: Path) -> None:
    remove_db(dst)
    shutil.copyfile(src, dst)
    if Path(str(src) + "-wal").exists() and Path(str(src) + "-wal").stat().st_size:
        shutil.copyfile(str(src) + "-wal", str(dst) + "-wal")
    # flush the copy now: else the first checkpoint's fsync (on the timed command's close)
    # writes out the whole freshly copied file (~1 s at a million tasks)
    for path in (dst, Path(str(dst) + "-wal")):
        if path.exists():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def checkpointed_size(db: Path) -> int:
    """The register's bytes with its WAL checkpointed into it (and emptied)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = Path(str(db) + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


# -- PostgreSQL -----------------------------------------------------------------------------------


# The scratch databases of one run (a clone to update, an import's target): named after the
# run's process, so that two runs on one server (two engineers) never take each other's.
SCRATCH_IMPORT = f"nqtrack_bench_import_{os.getpid()}"
SCRATCH_UPDATE = f"nqtrack_bench_update_{os.getpid()}"


class Postgres:
    """The benchmark's databases on a PostgreSQL server, handled with `psql` (standard library
    here; nqtrack itself speaks to the server with psycopg)."""

    def __init__(self, url: str, nq: str, env: dict[str, str], schema_version: int) -> None:
        self.url, self.nq, self.env, self.schema_version = url, nq, env, schema_version
        self.version = self.psql("SHOW server_version").strip()

    def location(self, name: str) -> str:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))

    def psql(self, sql: str, database: str | None = None) -> str:
        target = self.location(database) if database else self.url
        done = subprocess.run(["psql", target, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql: {sql[:80]}: {done.stderr.strip()[-500:]}")
        return done.stdout

    def exists(self, name: str) -> bool:
        return bool(self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip())

    def drop(self, name: str) -> None:
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def clone(self, template: str, name: str) -> str:
        self.drop(name)
        self.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.location(name)

    def holds(self, name: str, tasks: int) -> bool:
        """Does the database hold a finished copy of a register of `tasks` tasks, this schema?"""
        if not self.exists(name):
            return False
        try:
            found = self.psql("SELECT (SELECT count(*) FROM tasks) || ' ' || (SELECT count(*) FROM nqtrack_migrations)",
                              name).split()
        except RuntimeError:
            return False
        return found == [str(tasks), str(self.schema_version)]

    def register(self, db: Path, size: int, seed: int) -> str:
        """The copy of the SQLite register `db` (made with `nqtrack copy`, kept for later runs)."""
        name = f"nqtrack_bench_{size}_s{seed}_v{gen.GENERATOR_VERSION}"
        if self.holds(name, size):
            print(f"reusing PostgreSQL database {name}", file=sys.stderr)
            return self.location(name)
        self.drop(name)
        self.psql(f"CREATE DATABASE {name}")
        print(f"copying {db.name} into PostgreSQL database {name} …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        subprocess.run([self.nq, "copy", str(db), self.location(name)], check=True, env=self.env,
                       stdout=subprocess.DEVNULL)
        self.psql("VACUUM ANALYZE", name)
        print(f"  copied in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return self.location(name)

    def units_template(self, units_csv: Path) -> str:
        name = f"nqtrack_bench_units_v{gen.GENERATOR_VERSION}"
        try:
            ready = self.exists(name) and self.psql("SELECT count(*) FROM nqtrack_migrations", name).strip() == str(
                self.schema_version)
        except RuntimeError:  # a database left without the schema by a run cut short
            ready = False
        if not ready:
            self.drop(name)
            self.psql(f"CREATE DATABASE {name}")
            subprocess.run([self.nq, "--db", self.location(name), "import", str(units_csv), "--kind", "units",
                            "--create"], check=True, stdout=subprocess.DEVNULL, env=self.env)
            self.psql("VACUUM ANALYZE", name)
        return name

    def size_mb(self, name: str) -> float:
        return int(self.psql(f"SELECT pg_database_size('{name}')").strip()) / 1e6


# -- Taskwarrior --------------------------------------------------------------------------------


class Taskwarrior:
    """Debian's Taskwarrior 2.6 with its own rc and data folders under DATA_DIR/taskwarrior."""

    def __init__(self, data_dir: Path, install: bool) -> None:
        self.root = data_dir / "taskwarrior"
        self.task, self.version, self.note = tw.ensure_taskwarrior(install)

    def folder(self, name: str) -> tuple[Path, Path, dict[str, str]]:
        """(rc, data, env) of a folder of its own; the rc pins `overdue` to the benchmark's day."""
        rc, data = tw.write_taskrc(self.root / name, overdue_filter=f"status:pending and due.before:{DUE_BEFORE}")
        return rc, data, tw.clean_env(rc, data)

    def json_of(self, units_csv: Path, tasks_csv: Path) -> tuple[Path, dict[str, int]]:
        path = tasks_csv.with_name("tasks.json")
        counts_path = tasks_csv.with_name("tasks.json.counts")
        if not (path.exists() and counts_path.exists()):
            counts_path.write_text(json.dumps(tw.write_import_json(tasks_csv, units_csv, path)))
        return path, json.loads(counts_path.read_text())

    def data_for(self, size: int, seed: int, units_csv: Path, tasks_csv: Path) -> tuple[Path, dict[str, str]]:
        """A data folder holding `size` tasks, imported once (untimed) and reused."""
        name = f"tasks-{size}-seed{seed}-v{gen.GENERATOR_VERSION}.{gen.CSV_VERSION}"
        _rc, data, env = self.folder(name)
        ready = self.root / name / "READY"
        if not ready.exists() or ready.read_text() != self.version:
            shutil.rmtree(data)
            data.mkdir()
            path, _ = self.json_of(units_csv, tasks_csv)
            print(f"Taskwarrior: importing {size:,} tasks into {data} …", file=sys.stderr, flush=True)
            subprocess.run([self.task, "import", str(path)], env=env, check=True, stdout=subprocess.DEVNULL)
            ready.write_text(self.version)
        return data, env

    def same_overdue(self, env: dict[str, str], nqtrack_csv: Path) -> str:
        """Does `task overdue` list the tasks nqtrack's overdue CSV lists? (by their codes)"""
        proc = subprocess.run(
            [self.task, "status:pending", f"due.before:{DUE_BEFORE}", "export"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            return f"`task export` failed: {proc.stderr.strip()[-200:]}"
        theirs = {t.get("nqcode") for t in json.loads(proc.stdout or "[]")}
        with open(nqtrack_csv, encoding="utf-8", newline="") as f:
            ours = {row["code"] for row in csv.DictReader(f)}
        if theirs == ours:
            return f"lists the same {len(ours):,} tasks as nqtrack ✓"
        return f"lists {len(theirs):,} tasks, nqtrack {len(ours):,}; {len(theirs ^ ours):,} differ ✗"


# -- the machine --------------------------------------------------------------------------


def interpreter_of(script: str) -> str:
    """The Python that runs a console script (its #! line)."""
    try:
        first = Path(script).read_text(errors="replace").splitlines()[0]
        if first.startswith("#!") and "python" in first:
            return first[2:].strip().split()[0]
    except (OSError, IndexError):
        pass
    return sys.executable


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": date.today().isoformat(),
    }


def probe_nqtrack(nqtrack: str, env: dict[str, str]) -> dict:
    """Versions and the commit of the nqtrack given with --nqtrack (a checkout or a snapshot)."""
    python = interpreter_of(nqtrack)
    probe = subprocess.run(
        [
            python,
            "-c",
            (
                "import sys, sqlite3, platform; import nqtrack; print(platform.python_version()); "
                "print(sqlite3.sqlite_version); print(nqtrack.__version__); print(nqtrack.__file__)"
            ),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    py_version, sqlite_version, version, package = (probe.stdout.split("\n") + ["?"] * 4)[:4]
    package_root = Path(package).resolve().parent.parent.parent  # …/src/nqtrack/__init__.py → checkout
    if package_root == REPO:
        git = ["git", "-C", str(REPO)]
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=False
        ).stdout.strip()
        commit = (commit or "?") + (" (src/ modified)" if dirty else "")
    else:  # a snapshot on PYTHONPATH, e.g. `git archive HEAD | tar -x -C DIR; git rev-parse HEAD > DIR/COMMIT`
        stamp = package_root / "COMMIT"
        commit = (stamp.read_text().strip()[:7] if stamp.exists() else "?") + f", source {package_root}"
    return {
        "python": py_version,
        "sqlite": sqlite_version,
        "nqtrack": version,
        "commit": commit,
        "how": f"`{nqtrack}` as given (--nqtrack); children without PYTHONDONTWRITEBYTECODE, byte code "
        f"in PYTHONPYCACHEPREFIX (written by the warm-up run)",
    }


# -- the report -----------------------------------------------------------------------------


def fmt_value(r: dict | None) -> str:
    """ "8.539 s (8.315–8.597)", "205 MB", or why there is none."""
    if r is None:
        return "–"
    if r.get("error"):
        return f"error: {r['error'][:60]}"
    if "median" not in r:
        return r.get("note") or "–"
    if r["unit"] == "MB":
        return f"{r['median']:,.1f} MB"
    if r["runs"] == 1 or r["min"] == r["max"]:
        return f"{r['median']:.3f} s"
    return f"{r['median']:.3f} s ({r['min']:.3f}–{r['max']:.3f})"


def evaluate(results: list[dict], notes: dict[str, str]) -> list[dict]:
    """One row per (command, size, target), with nqtrack's value per engine, the anchor and ✓/✗."""
    by_key = {(r["key"], r["size"], r["engine"]): r for r in results}
    engines = sorted({r["engine"] for r in results if r["engine"] != "anchor"}, key=lambda e: e != "sqlite")
    rows = []
    seen = []
    for r in results:
        if r["engine"] == "anchor" or (r["key"], r["size"]) in seen:
            continue
        seen.append((r["key"], r["size"]))
        for target in [t for t in TARGETS.get(r["key"], []) if t.applies(r["size"])] or [None]:
            anchor = None
            if target and target.anchor:
                anchor = (
                    by_key.get((target.anchor, r["size"], "anchor"))
                    or by_key.get((target.anchor, None, "anchor"))
                    or {"note": notes.get(target.anchor, "not measured")}
                )
            row = {
                "key": r["key"],
                "size": r["size"],
                "label": r["label"],
                "target": target.text() if target else "–",
                "anchor": anchor,
                "engines": {},
            }
            for engine in engines:
                mine = by_key.get((r["key"], r["size"], engine))
                ratio = ok = None
                if mine and "median" in mine and not mine.get("error"):
                    if anchor and "median" in anchor:
                        ratio = mine["median"] / anchor["median"]
                    if target:
                        # issue 20: "the same targets within 2x on PostgreSQL"
                        slack = POSTGRES_SLACK if engine == "postgresql" and target.issue == 20 else 1
                        checks = []
                        if target.time is not None:
                            checks.append(mine["median"] < target.time * slack)
                        if target.memory is not None:
                            checks.append(mine.get("peak_mb", 0) < target.memory)
                        if target.anchor and target.ratio is not None:
                            checks.append(None if ratio is None else ratio <= target.ratio * slack)
                        ok = None if not checks or None in checks else all(checks)
                elif mine is not None and target:
                    ok = False
                row["engines"][engine] = {"result": mine, "ratio": ratio, "ok": ok}
            rows.append(row)
    return rows


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def markdown(results: list[dict], rows: list[dict], builds: list[dict], info: dict, args) -> str:
    engines = list(rows[0]["engines"]) if rows else ["sqlite"]
    lines = [
        (
            f"Measured on {info['date']}: {info['cpu']}, {info['cores']} cores, {info['memory'] or '? GB'} RAM, "
            f"{info['os']}; Python {info['python']}, SQLite {info['sqlite']}"
            f"{', PostgreSQL ' + info['postgres'] + ' on the same machine' if info.get('postgres') else ''}; "
            f"nqtrack {info['nqtrack']}, "
            f"commit {info['commit']}: {info['how']}. Anchors: {info['taskwarrior']}. "
            f"Load average at the start {info['load']}, at the end {info.get('load_end', '?')}. "
            f"{args.runs} timed run(s) per command after {args.warmup} warm-up run(s), a command and its anchors "
            f"taking turns; wall time of the whole process, median (min–max); peak memory is the child's maximum "
            f"resident set size ({'/usr/bin/time -f %M' if TIME else 'os.wait4 ru_maxrss, an upper bound'}). "
            f"`--today {TODAY}`. Ratio = nqtrack's median / the anchor's median. On PostgreSQL an issue-20 "
            f"target is met within {POSTGRES_SLACK}× (the issue: \"the same targets within 2× on PostgreSQL\")."
        ),
        "",
    ]
    head = ["Command", "Tasks", "Target", "Anchor"]
    for engine in engines:
        name = ENGINE_NAMES.get(engine, engine)
        head += [f"nqtrack, {name}", f"Peak MB, {name}", f"Ratio, {name}", f"✓/✗, {name}"]
    lines += [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---", "---:", "---", "---"] + ["---", "---:", "---:", ":---:"] * len(engines)) + "|",
    ]
    for row in rows:
        size = f"{row['size']:,}" if row["size"] else "–"
        anchor = row["anchor"]
        anchor_text = (
            "–"
            if anchor is None
            else (f"{LABELS[anchor['key']]}: {fmt_value(anchor)}" if "key" in anchor else fmt_value(anchor))
        )
        cells = [row["label"], size, row["target"], anchor_text]
        for engine in engines:
            e = row["engines"][engine]
            r = e["result"]
            peak = f"{r['peak_mb']:.0f}" if r and r.get("peak_mb") is not None and "median" in r else "–"
            ratio = "–" if e["ratio"] is None else f"{e['ratio']:.2f}×"
            ok = "–" if e["ok"] is None else ("✓" if e["ok"] else "✗")
            cells += [fmt_value(r), peak, ratio, ok]
        lines.append("| " + " | ".join(cells) + " |")

    anchors = [r for r in results if r["engine"] == "anchor"]
    if anchors:
        lines += [
            "",
            "The anchors, as run (same environment as nqtrack's commands):",
            "",
            "| Anchor | Tasks | Command | Median (min–max) | Peak MB | Same work as nqtrack's |",
            "|---|---:|---|---|---:|---|",
        ]
        for r in anchors:
            size = f"{r['size']:,}" if r["size"] else "–"
            peak = f"{r['peak_mb']:.0f}" if r.get("peak_mb") is not None else "–"
            command = f"`{r['command']}`" if r["command"] else "the files in TASKDATA after `task import`"
            if r["key"].startswith("floor_"):
                command += " (imported as a module: byte code cached, as nqtrack's is)"
            lines.append(f"| {r['label']} | {size} | {command} | {fmt_value(r)} | {peak} | {r.get('same', '–')} |")
    skipped = [f"{LABELS[k]}: {v}" for k, v in info.get("notes", {}).items()]
    if skipped:
        lines += ["", "Not measured: " + "; ".join(skipped) + "."]
    if info.get("sizes"):
        lines += ["", "Data sizes: " + "; ".join(info["sizes"]) + "."]
    outputs = [
        f"{r['key']} @ {r['size']:,}: {r['output_lines']:,} lines"
        for r in results
        if r["size"]
        and r.get("output_lines") is not None
        and r["engine"] != "anchor"
        and r["key"] in ("overdue_csv", "overdue_unit", "list_search")
    ]
    if outputs:
        lines += ["", "Output sizes: " + "; ".join(outputs) + "."]
    if builds:
        lines += [
            "",
            (
                f"Synthetic registers (`benchmarks/generate.py`, seed {args.seed}; generated rows = tasks + "
                "coordinating links + events):"
            ),
            "",
            "| Tasks | Events | Coordinating links | Documents | Units | Database (MB) | Generation (s) | Rows/s while inserting |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for b in builds:
            lines.append(
                f"| {b['tasks']:,} | {b['events']:,} | {b['task_units']:,} | {b['documents']:,} | {b['units']} | "
                f"{b['size_bytes'] / 1e6:,.0f} | {b['seconds']:.1f} | {b['rows_per_second']:,} |"
            )
    return "\n".join(lines) + "\n"


DOC_HEADER = """# Benchmarks

How fast nqtrack's commands are on registers of 10,000 to 1,000,000 tasks, beside anchors
measured in the same run, with `benchmarks/run.py` on synthetic data from
`benchmarks/generate.py` (see the docstrings of both scripts for what they build and measure).

    python3 benchmarks/run.py --sizes 10000,100000,1000000 --runs 5 --output docs/benchmarks.md

"""


def write_output(path: Path, table: str) -> None:
    start, end = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
    block = f"{start}\n{table}{end}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if start in text and end in text:
            before, rest = text.split(start, 1)
            after = rest.split(end, 1)[1].lstrip("\n")
            path.write_text(before + block + ("\n" + after if after else ""), encoding="utf-8")
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DOC_HEADER + block, encoding="utf-8")


# -- main ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="task counts, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default=str(HERE / "data"))
    parser.add_argument("--output", help="write the markdown tables into this file too")
    parser.add_argument("--commit", default="HEAD", help="the commit to install and measure (default HEAD)")
    parser.add_argument("--nqtrack", help="measure this nqtrack executable instead of installing --commit")
    parser.add_argument("--no-taskwarrior", action="store_true", help="no Taskwarrior rows")
    parser.add_argument("--no-install-taskwarrior", action="store_true", help="never run apt-get for Taskwarrior")
    parser.add_argument(
        "--taskwarrior-max",
        type=int,
        default=IMPORT_ROWS,
        help=f"Taskwarrior's overdue at sizes up to this (default {IMPORT_ROWS:,})",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a run is killed")
    parser.add_argument("--no-import", action="store_true", help="skip the import benchmark")
    parser.add_argument("--import-rows", default=str(IMPORT_ROWS),
                        help=f"task rows imported, comma separated (default {IMPORT_ROWS:,}); with more than one, "
                             "the time per row at each (linear or not)")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up benchmarks")
    parser.add_argument("--only", type=lambda text: set(text.split(",")), default=None, metavar="KEYS",
                        help="measure only these commands (keys of the results, comma separated, e.g. "
                             "report,report_year,overdue_csv)")
    parser.add_argument("--setup", action="store_true", help="install and build what the run needs, then stop")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("NQTRACK_BENCH_PG"),
                        help="also measure nqtrack on this PostgreSQL server (a role that may create databases)")
    args = parser.parse_args(argv)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    import_rows = [int(s.replace("_", "")) for s in args.import_rows.split(",") if s.strip()]
    data = Path(args.data_dir).resolve()
    work = data / "work"
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    notes: dict[str, str] = {}

    # nqtrack: installed from a commit (default), or as given
    if args.nqtrack:
        nq = args.nqtrack
        if not os.path.exists(nq):
            nq = shutil.which(nq) or sys.exit(f"nqtrack not found: {args.nqtrack}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NQTRACK_") and k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(data / "pycache")
        info.update(probe_nqtrack(nq, env))
    else:
        built = installed.build(REPO, data, args.commit)
        nq, env = built["nqtrack"], installed.child_env()
        info.update(
            python=built["python_version"],
            sqlite=built["sqlite_version"],
            nqtrack=built["version"],
            commit=built["short"],
            how=(
                f"installed with `pip install` (not editable) from `git archive {built['short']}` into a venv "
                f"of its own, site-packages compiled with `compileall`"
                f"{', standard library compiled' if built['stdlib_compiled'] else ' (standard library NOT compiled)'}"
                f"; children run without PYTHONDONTWRITEBYTECODE"
            ),
        )
    python = interpreter_of(nq)
    schema = Schema(python, env)
    pg = Postgres(args.postgres, nq, env, schema.version) if args.postgres else None
    if pg:
        info["postgres"] = pg.version

    taskwarrior = None
    if args.no_taskwarrior:
        info["taskwarrior"] = "Taskwarrior not run (--no-taskwarrior)"
        for key in ("tw_import", "tw_overdue", "tw_size"):
            notes[key] = "--no-taskwarrior"
    else:
        taskwarrior = Taskwarrior(data, install=not args.no_install_taskwarrior)
        if taskwarrior.task is None:
            info["taskwarrior"] = f"Taskwarrior rows skipped: {taskwarrior.note}"
            for key in ("tw_import", "tw_overdue", "tw_size"):
                notes[key] = taskwarrior.note
            taskwarrior = None
        else:
            info["taskwarrior"] = (
                f"Taskwarrior {taskwarrior.version} (Debian's `taskwarrior`"
                f"{', ' + taskwarrior.note if taskwarrior.note else ''}), its own TASKRC and "
                f"TASKDATA in the data dir, TZ=UTC, rc {tw.rc_text()}, `report.overdue.filter="
                f"status:pending and due.before:{DUE_BEFORE}`, UDAs for code, document, assignee, "
                f"coordinating units, deadline text and source"
            )
    info["taskwarrior"] = info["taskwarrior"] + "; floor scripts and `python -c pass` run by nqtrack's interpreter"

    results: list[dict] = []
    builds: list[dict] = []
    info["sizes"] = []
    py = [python]

    if args.setup:
        for size in sizes:
            db, _ = ensure_db(data, size, args.seed, python, schema, env)
            if pg:
                pg.register(db, size, args.seed)
            if taskwarrior and size <= args.taskwarrior_max:
                taskwarrior.data_for(size, args.seed, *import_files(data, size, args.seed, python, env))
        for rows in import_rows:
            import_files(data, rows, args.seed, python, env)
        print("setup done", file=sys.stderr)
        return 0

    if not args.no_startup:
        print("start-up", file=sys.stderr)
        empty = work / "empty.db"
        remove_db(empty)
        subprocess.run([nq, "--db", str(empty), "init"], check=True, stdout=subprocess.DEVNULL, env=env)
        results += measure(
            [
                Spec("python_pass", None, py + ["-c", "pass"], env, engine="anchor"),
                Spec("help", None, [nq, "--help"], env),
                Spec("empty_overdue", None, [nq, "--db", str(empty), "--today", TODAY, "overdue"], env),
                Spec("empty_info", None, [nq, "--db", str(empty), "--today", TODAY, "info"], env),
            ],
            args,
            work,
        )

    def import_round(rows: int) -> None:
        """The import of `rows` task rows, its anchors and the sizes after it."""
        print(f"import of {rows:,} rows", file=sys.stderr)
        units_csv, tasks_csv = import_files(data, rows, args.seed, python, env)
        units_db = tasks_csv.with_name("units.db")
        if units_db.exists() and not schema.same(units_db):
            remove_db(units_db)
        if not units_db.exists():
            subprocess.run(
                [nq, "--db", str(units_db), "import", str(units_csv), "--kind", "units", "--create"],
                check=True,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        fresh, floor_db = work / "import.db", work / "import-floor.db"
        floor_import_cmd = floor(
            python, "floor_import", [str(floor_db), str(tasks_csv), "--by", "bench", "--today", TODAY]
        )
        specs = [
            Spec(
                "import",
                rows,
                [nq, "--db", str(fresh), "--today", TODAY, "import", str(tasks_csv), "--by", "bench"],
                env,
                prepare=lambda i: copy_db(units_db, fresh),
            ),
            Spec(
                "floor_import",
                rows,
                floor_import_cmd[0],
                env,
                prepare=lambda i: copy_db(units_db, floor_db),
                engine="anchor",
                shown=floor_import_cmd[1],
            ),
        ]
        if taskwarrior:
            tw_json, counts = taskwarrior.json_of(units_csv, tasks_csv)
            _, tw_data, tw_env = taskwarrior.folder("import")

            def empty_data(i, folder=tw_data):
                shutil.rmtree(folder)
                folder.mkdir()

            specs.append(
                Spec(
                    "tw_import",
                    rows,
                    [taskwarrior.task, "import", str(tw_json)],
                    tw_env,
                    prepare=empty_data,
                    engine="anchor",
                )
            )
        if pg:
            units_template = pg.units_template(units_csv)
            pg_import = pg.location(SCRATCH_IMPORT)
            specs.append(
                Spec(
                    "import",
                    rows,
                    [nq, "--db", pg_import, "--today", TODAY, "import", str(tasks_csv), "--by", "bench"],
                    env,
                    prepare=lambda i: pg.clone(units_template, SCRATCH_IMPORT),
                    engine="postgresql",
                )
            )
        group = measure(specs, args, work)
        results.extend(group)
        pg_group = [r for r in group if r["engine"] == "postgresql" and not r.get("error")]
        if pg and pg_group:
            mb = pg.size_mb(SCRATCH_IMPORT)
            results.append({"key": "size", "engine": "postgresql", "label": LABELS["size"], "size": rows,
                            "unit": "MB", "command": "", "runs": 1, "error": None, "median": mb, "min": mb, "max": mb})
            info["sizes"].append(f"the PostgreSQL database after the same import of {rows:,} rows: {mb:,.1f} MB "
                                  "(pg_database_size)")
            pg.drop(SCRATCH_IMPORT)
        if not group[0].get("error"):
            out = Path(group[0]["output"]).read_text(encoding="utf-8", errors="replace").strip()
            print("  " + (out.splitlines()[0] if out else "(no output)"), file=sys.stderr)
            if not group[1].get("error"):
                problems = floor_import.compare(str(fresh), str(floor_db))
                group[1]["same"] = (
                    "the same rows as nqtrack's import ✓"
                    if not problems
                    else "rows differ ✗: " + "; ".join(problems)[:300]
                )
            size = checkpointed_size(fresh)
            results.append(
                {
                    "key": "size",
                    "engine": "sqlite",
                    "label": LABELS["size"],
                    "size": rows,
                    "unit": "MB",
                    "command": "",
                    "runs": 1,
                    "error": None,
                    "median": size / 1e6,
                    "min": size / 1e6,
                    "max": size / 1e6,
                }
            )
            info["sizes"].append(
                f"nqtrack's register after the import of {rows:,} rows, WAL checkpointed: {size / 1e6:,.1f} MB"
            )
        if taskwarrior and not group[2].get("error"):
            files = tw.data_files(tw_data)
            total = sum(files.values())
            with open(group[2]["output"], encoding="utf-8", errors="replace") as f:
                added = sum(1 for line in f if line.startswith(" add "))
            group[2]["same"] = (
                f"{added:,} tasks added {'✓' if added == rows else '✗'} ("
                + ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items()))
                + ")"
            )
            results.append(
                {
                    "key": "tw_size",
                    "engine": "anchor",
                    "label": LABELS["tw_size"],
                    "size": rows,
                    "unit": "MB",
                    "command": "",
                    "runs": 1,
                    "error": None,
                    "median": total / 1e6,
                    "min": total / 1e6,
                    "max": total / 1e6,
                    "same": "the same tasks as the import",
                }
            )
            info["sizes"].append(
                "Taskwarrior's data after `task import` of the same rows: "
                f"{total / 1e6:,.1f} MB (" + ", ".join(f"{n} {b / 1e6:,.1f}" for n, b in files.items()) + ")"
            )
        remove_db(fresh)
        remove_db(floor_db)

    if not args.no_import:
        for rows in import_rows:
            import_round(rows)
        per_row = [(r["size"], r["engine"], r["median"], r.get("peak_mb")) for r in results
                   if r["key"] == "import" and not r.get("error")]
        if len({size for size, *_ in per_row}) > 1:
            info["sizes"].append("`import` time per 1,000 rows (linear when equal) and peak memory: " + ", ".join(
                f"{engine} {size:,} rows {median / size * 1000:.3f} s, {peak:.0f} MB" if peak else
                f"{engine} {size:,} rows {median / size * 1000:.3f} s"
                for size, engine, median, peak in per_row))

    for size in sizes:
        db, meta = ensure_db(data, size, args.seed, python, schema, env)
        builds.append(meta)
        show_id, update_id = pick_ids(db)
        base = [nq, "--db", str(db), "--today", TODAY]
        pg_url = pg.register(db, size, args.seed) if pg else None

        def on_both(key: str, argv: list[str], size: int = size, base: list[str] = base,
                    pg_url: str | None = pg_url) -> list[Spec]:
            """The command on SQLite, and on PostgreSQL when measured, taking turns."""
            both = [Spec(key, size, base + argv, env)]
            if pg_url:
                both.append(Spec(key, size, [nq, "--db", pg_url, "--today", TODAY, *argv], env, engine="postgresql"))
            return both

        print(f"{size:,} tasks (show {show_id}, update {update_id})", file=sys.stderr)
        floor_overdue_cmd = floor(python, "floor_overdue", [str(db), "--today", TODAY, "--within", str(WITHIN)])
        specs = [
            Spec("overdue_csv", size, base + ["overdue", "--format", "csv"], env),
            Spec("floor_overdue", size, floor_overdue_cmd[0], env, engine="anchor", shown=floor_overdue_cmd[1]),
        ]
        tw_env = None
        if taskwarrior and size <= args.taskwarrior_max:
            _, tw_env = taskwarrior.data_for(size, args.seed, *import_files(data, size, args.seed, python, env))
            specs.append(Spec("tw_overdue", size, [taskwarrior.task, "overdue"], tw_env, engine="anchor"))
        elif taskwarrior:
            notes["tw_overdue"] = f"Taskwarrior's overdue only up to {args.taskwarrior_max:,} tasks (--taskwarrior-max)"
        if pg_url:
            specs += on_both("overdue_csv", ["overdue", "--format", "csv"])[1:]
        group = measure(specs, args, work)
        results += group
        if len(group) == len(specs) and not group[0].get("error"):
            ours = Path(group[0]["output"]).read_bytes()
            for r in group[3 if tw_env is not None else 2:]:
                if not r.get("error") and Path(r["output"]).read_bytes() != ours:
                    print("  ! overdue CSV on PostgreSQL differs from SQLite's", file=sys.stderr)
            if not group[1].get("error"):
                group[1]["same"] = (
                    "output identical to nqtrack's ✓"
                    if Path(group[1]["output"]).read_bytes() == ours
                    else "output differs from nqtrack's ✗"
                )
            if tw_env is not None and not group[2].get("error"):
                group[2]["same"] = taskwarrior.same_overdue(tw_env, Path(group[0]["output"]))
        results += measure(on_both("overdue_unit", ["overdue", "--unit", UNIT]), args, work)
        # the report counted again (--fresh, which keeps what it counts), then as it runs once
        # its figures are kept: a closed month read, not counted (app.views.KeptFigures).
        # --fresh goes first in each round, so the figures the plain report reads are this
        # commit's, even in a register an older commit's runs kept figures in
        for key, period in (("report", ["--month", "2026-10"]), ("report_year", ["--year", "2026"])):
            argv = ["report", *period, "--format", "json"]
            results += measure(on_both(f"{key}_fresh", [*argv, "--fresh"]) + on_both(key, argv), args, work)
        results += measure(
            on_both("list_search", ["list", "--search", SEARCH, "--format", "csv", "--limit", "50"]), args, work
        )
        results += measure(on_both("show", ["show", str(show_id)]), args, work)
        results += measure(on_both("review", ["review", "--format", "json"]), args, work)
        copy = work / "update.db"
        copy_db(db, copy)
        update = ["--today", TODAY, "update", str(update_id), "--by", "bench"]
        upd = [nq, "--db", str(copy), *update]
        update_specs = [Spec("update", size, lambda i, upd=upd: [*upd, "--progress", str(10 + 3 * i)], env)]
        if pg and pg_url:
            pg_copy = pg.clone(pg_url.rsplit("/", 1)[1], SCRATCH_UPDATE)
            pupd = [nq, "--db", pg_copy, *update]
            update_specs.append(Spec("update", size, lambda i, pupd=pupd: [*pupd, "--progress", str(10 + 3 * i)], env,
                                     engine="postgresql"))
        results += measure(update_specs, args, work)
        remove_db(copy)
        if pg and pg_url:
            pg.drop(SCRATCH_UPDATE)
        results += measure(on_both("check", ["check"]), args, work)

    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    info["notes"] = dict(notes)
    rows = evaluate(results, notes)
    table = markdown(results, rows, builds, info, args)
    print(table)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (data / f"results-{stamp}.json").write_text(
        json.dumps({"machine": info, "results": results, "rows": rows, "builds": builds}, indent=1, default=str)
    )
    if args.output:
        write_output(Path(args.output), table)
        print(f"wrote {args.output}", file=sys.stderr)
    failed = any(e["ok"] is False for row in rows for e in row["engines"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
