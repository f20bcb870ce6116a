#!/usr/bin/env python3
"""Time nqtrack's commands, each as a whole process, on synthetic registers of several sizes.

Usage (with the interpreter that has nqtrack installed):

    python benchmarks/run.py                                   # 10k, 100k and 1M tasks, 5 runs
    python benchmarks/run.py --sizes 10000,100000 --runs 3
    python benchmarks/run.py --sizes 1000000 --output docs/benchmarks.md

Options: --sizes N,N,… (tasks), --runs R (timed runs per command, after --warmup W
untimed ones, default 1), --seed S, --data-dir DIR (default benchmarks/data: databases
and import files are built there once and reused, keyed by size, seed and generator
version, and rebuilt when nqtrack's schema (its migrations' SQL) differs from the one a
database was built with), --output FILE (write the tables into FILE: between the
`<!-- benchmarks:start -->` and `<!-- benchmarks:end -->` markers if it has them,
else the whole file), --nqtrack PATH (default: the `nqtrack` next to this Python),
--timeout SECONDS per run, --no-import / --no-startup to skip those parts.

To measure a fixed commit while src/ is being edited, run from a snapshot:
`git archive HEAD | tar -x -C /tmp/nq; git rev-parse HEAD > /tmp/nq/COMMIT;
PYTHONPATH=/tmp/nq/src python benchmarks/run.py …` (children inherit PYTHONPATH; the
table then names that commit).

What is measured: wall time of the whole `nqtrack …` process (start-up, imports, SQL,
rendering, output written to a file), median / min / max over the runs, and its peak
resident memory (`/usr/bin/time -f %M`, i.e. the child's own ru_maxrss; without
/usr/bin/time, os.wait4's ru_maxrss, an upper bound that includes this script's pages). Children run with
PYTHONPYCACHEPREFIX=DATA_DIR/pycache (and without PYTHONDONTWRITEBYTECODE), so byte code
is compiled by the warm-up run and reused, as on an installed system. Every command runs with
`--today 2026-11-22`, so results do not move with the calendar:

- start-up: `nqtrack --help`; `nqtrack overdue` on an empty (initialised) database;
- import: `nqtrack import tasks.csv` of 100,000 rows (Vietnamese headers) into a fresh
  copy of a database that holds only the units (imported first from units.csv);
- per size: `overdue --format csv`, `overdue --unit PLDSKT`, `report --month 2026-10
  --format json`, `list --search "lý lịch" --format csv --limit 50`, `show ID` (a task
  with a full journal), `update ID --progress P` (an open task, on a copy of the
  database, P different each run so that every run writes).

The issue's targets are shown beside each measurement with ✓/✗ (time, and peak memory
where a memory target applies); the time targets for overdue, report, show and update
are stated for 1,000,000 tasks and are applied to the smaller sizes as well.
Standard library only, plus benchmarks/generate.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate as gen  # noqa: E402

TODAY = gen.TODAY.isoformat()
IMPORT_ROWS = 100_000
UNIT = "PLDSKT"
SEARCH = "lý lịch"
MB = 1024  # ru_maxrss is in KiB on Linux
PYCACHE = str(HERE / "data" / "pycache")

# key: (label, time target in seconds or None, memory target in MB or None)
TARGETS = {
    "help": ("`nqtrack --help`", 0.25, None),
    "empty_overdue": ("`overdue` on an empty database", 0.3, None),
    "import": (f"`import` of {IMPORT_ROWS:,} rows (fresh database with units)", 10.0, None),
    "overdue_csv": ("`overdue --format csv` (all)", 1.5, 150),
    "overdue_unit": (f"`overdue --unit {UNIT}`", 0.5, 150),
    "report": ("`report --month 2026-10 --format json`", 3.0, 150),
    "list_search": (f'`list --search "{SEARCH}" --format csv --limit 50`', 0.5, 150),
    "review": ("`review --format json` (every document)", 2.0, 150),
    "show": ("`show ID`", 0.3, 150),
    "update": ("`update ID --progress P`", 0.3, 150),
}


# -- running one command -----------------------------------------------------------------


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(cmd: list[str], out_path: Path, timeout: float) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, stderr tail) of one child process.

    Peak memory comes from `/usr/bin/time -f %M` when it exists: the ru_maxrss that
    os.wait4 reports for a child of this script also counts this script's own pages
    (the child is forked from it before it execs nqtrack), so it is only an upper bound;
    it is used as the fallback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NQTRACK_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = PYCACHE  # compiled once (warm-up run), outside src/
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
            time.sleep(0.001)
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / MB
    if TIME:
        lines = [line for line in mem_file.read_text().split() if line.isdigit()]
        peak = int(lines[-1]) / MB if lines else float("nan")
    tail = Path(str(out_path) + ".err").read_text(encoding="utf-8", errors="replace")[-500:]
    return wall, peak, code, tail


def measure(key: str, size: int | None, cmd: list[str], args, work: Path, prepare=None) -> dict:
    """Warm-up runs, then timed runs; the summary of the timed ones."""
    label, t_target, m_target = TARGETS[key]
    walls, peaks = [], []
    out = work / f"out-{key}-{size or 0}.txt"
    shown = " ".join((cmd(0) if callable(cmd) else cmd)[1:])
    error = None
    for i in range(args.warmup + args.runs):
        if prepare:
            prepare(i)
        wall, peak, code, tail = run_once(cmd if not callable(cmd) else cmd(i), out, args.timeout)
        if code != 0:
            error = f"exit {code}: {tail.strip()[-300:]}"
            print(f"  ! {key}: {error}", file=sys.stderr)
            break
        if i >= args.warmup:
            walls.append(wall)
            peaks.append(peak)
    result = dict(key=key, label=label, size=size, command=shown, runs=len(walls), error=error,
                  time_target=t_target, memory_target_mb=m_target)
    if walls:
        result.update(median=statistics.median(walls), min=min(walls), max=max(walls), peak_mb=max(peaks),
                      output_bytes=out.stat().st_size,
                      output_lines=sum(1 for _ in open(out, "rb")))
        ok_time = t_target is None or result["median"] < t_target
        ok_mem = m_target is None or result["peak_mb"] < m_target
        result["ok"] = None if t_target is None and m_target is None else (ok_time and ok_mem)
        print(f"  {key:<13} {size or '':>9}  median {result['median']:7.3f} s  min {result['min']:7.3f}  "
              f"max {result['max']:7.3f}  peak {result['peak_mb']:6.1f} MB  "
              f"{'' if result['ok'] is None else ('ok' if result['ok'] else 'FAIL')}", file=sys.stderr, flush=True)
    else:
        result["ok"] = False
    return result


# -- data ------------------------------------------------------------------------------------


def applied_migrations(db: Path) -> int:
    """How many of nqtrack's migrations a database has (0 if none or unreadable)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'nqtrack'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def schema_version() -> int:
    from nqtrack.store import SCHEMA_VERSION

    return SCHEMA_VERSION


def schema_of(conn) -> list[str]:
    """The schema's SQL (tables, indexes), white space normalised: what a database was built with."""
    rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
    return sorted(" ".join(r[0].split()) for r in rows)


_EXPECTED: list[str] | None = None


def same_schema(db: Path) -> bool:
    """Does `db` have exactly the schema this nqtrack creates (migrations, even edited ones)?"""
    import sqlite3

    global _EXPECTED
    if _EXPECTED is None:
        from nqtrack.store import Store

        fresh = Store(":memory:")
        _EXPECTED = schema_of(fresh.conn)
        fresh.close()
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return schema_of(conn) == _EXPECTED
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def ensure_db(data_dir: Path, size: int, seed: int, python: str) -> tuple[Path, dict]:
    """The register of `size` tasks, built with generate.py unless a current one exists
    (same generator version, built under the schema this nqtrack has, not migrated since)."""
    db = data_dir / f"register-{size}-seed{seed}-v{gen.GENERATOR_VERSION}.db"
    meta_path = db.with_suffix(".json")
    if db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if (meta.get("version") == gen.GENERATOR_VERSION and meta.get("tasks") == size
                and meta.get("schema") == schema_version() == applied_migrations(db) and same_schema(db)):
            print(f"reusing {db} (built in {meta['seconds']} s)", file=sys.stderr)
            return db, meta
        print(f"{db} is out of date (generator or schema changed)", file=sys.stderr)
    print(f"building {db} ({size:,} tasks, seed {seed}) …", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([python, str(HERE / "generate.py"), "--tasks", str(size), "--seed", str(seed),
                           "--force", "--json", str(db)], stdout=subprocess.PIPE, text=True, check=True)
    meta = json.loads(proc.stdout.strip().splitlines()[-1])
    meta["wall_seconds"] = round(time.perf_counter() - t0, 1)
    meta_path.write_text(json.dumps(meta, indent=1))
    return db, meta


def pick_ids(db: Path) -> tuple[int, int]:
    """A task with a full journal (for show) and an open overdue one (for update), mid-register."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = conn.execute("SELECT max(id) FROM tasks").fetchone()[0]
    show_id = conn.execute(
        "SELECT task_id FROM events WHERE task_id >= ? GROUP BY task_id HAVING count(*) >= 6 ORDER BY task_id LIMIT 1",
        [n // 2]).fetchone()
    update_id = conn.execute(
        "SELECT id FROM tasks WHERE id >= ? AND state = 'in_progress' AND deadline < ? ORDER BY id LIMIT 1",
        [n // 2, TODAY]).fetchone() or conn.execute(
        "SELECT id FROM tasks WHERE state IN ('new', 'in_progress') ORDER BY id LIMIT 1").fetchone()
    conn.close()
    return (show_id or (n // 2,))[0], update_id[0]


def copy_db(src: Path, dst: Path) -> None:
    for suffix in ("-wal", "-shm"):
        p = Path(str(dst) + suffix)
        if p.exists():
            p.unlink()
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


# -- the machine --------------------------------------------------------------------------


def interpreter_of(script: str) -> str:
    """The Python that runs the nqtrack console script (its #! line)."""
    try:
        first = Path(script).read_text(errors="replace").splitlines()[0]
        if first.startswith("#!") and "python" in first:
            return first[2:].strip().split()[0]
    except (OSError, IndexError):
        pass
    return sys.executable


def machine(nqtrack: str) -> dict:
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
    python = interpreter_of(nqtrack)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    probe = subprocess.run(
        [python, "-c", "import sys, sqlite3, platform; import nqtrack; print(platform.python_version()); "
                       "print(sqlite3.sqlite_version); print(nqtrack.__version__); print(nqtrack.__file__)"],
        capture_output=True, text=True, env=env)
    py_version, sqlite_version, version, package = (probe.stdout.split("\n") + ["?"] * 4)[:4]
    package_root = Path(package).resolve().parent.parent.parent  # …/src/nqtrack/__init__.py → checkout
    if package_root == REPO:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip()
    else:  # a snapshot on PYTHONPATH, e.g. `git archive HEAD | tar -x -C DIR; git rev-parse HEAD > DIR/COMMIT`
        stamp = package_root / "COMMIT"
        commit = (stamp.read_text().strip()[:7] if stamp.exists() else "?") + f", source {package_root}"
        dirty = ""
    return dict(cpu=cpu, cores=os.cpu_count(), memory=memory, load=" ".join(f"{x:.2f}" for x in os.getloadavg()), os=f"{platform.system()} {platform.release()}",
                python=py_version, sqlite=sqlite_version, nqtrack=version,
                commit=(commit + (" (src/ modified)" if dirty else "")) or "?", date=date.today().isoformat(),
                interpreter=python)


# -- the report -----------------------------------------------------------------------------


def fmt_s(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def target_text(r: dict) -> str:
    parts = []
    if r["time_target"] is not None:
        parts.append(f"< {r['time_target']:g} s")
    if r["memory_target_mb"] is not None:
        parts.append(f"< {r['memory_target_mb']} MB")
    return ", ".join(parts) or "–"


def markdown(results: list[dict], builds: list[dict], info: dict, args) -> str:
    lines = [
        f"Measured on {info['date']}: {info['cpu']}, {info['cores']} cores, {info['memory'] or '? GB'} RAM, "
        f"{info['os']}; Python {info['python']}, SQLite {info['sqlite']}; nqtrack {info['nqtrack']} "
        f"(commit {info['commit']}); load average at the start {info['load']}, at the end {info.get('load_end', '?')}. "
        f"{args.runs} timed runs per command after {args.warmup} warm-up "
        f"run(s); wall time of the whole process; peak memory is the child's maximum resident set size "
        f"({'/usr/bin/time -f %M' if TIME else 'os.wait4 ru_maxrss, an upper bound'}). "
        f"`--today {TODAY}`.",
        "",
        "| Command | Tasks | Target | Median (s) | Min (s) | Max (s) | Peak memory (MB) | ✓/✗ |",
        "|---|---:|---|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        status = "–" if r["ok"] is None else ("✓" if r["ok"] else "✗")
        size = f"{r['size']:,}" if r["size"] else "–"
        if r.get("error"):
            lines.append(f"| {r['label']} | {size} | {target_text(r)} | error: {r['error'][:80]} | | | | ✗ |")
            continue
        lines.append(f"| {r['label']} | {size} | {target_text(r)} | {fmt_s(r['median'])} | {fmt_s(r['min'])} | "
                     f"{fmt_s(r['max'])} | {r['peak_mb']:.0f} | {status} |")
    lines += ["", "Output sizes: " + "; ".join(
        f"{r['key']} @ {r['size']:,}: {r['output_lines']:,} lines" for r in results
        if r["size"] and r.get("output_lines") is not None and r["key"] in ("overdue_csv", "overdue_unit", "list_search")) + "."]
    if builds:
        lines += ["", "Synthetic registers (`benchmarks/generate.py`, seed "
                  f"{args.seed}; generated rows = tasks + coordinating links + events):", "",
                  "| Tasks | Events | Coordinating links | Documents | Units | Database (MB) | Generation (s) | Rows/s while inserting |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for b in builds:
            lines.append(f"| {b['tasks']:,} | {b['events']:,} | {b['task_units']:,} | {b['documents']:,} | {b['units']} | "
                         f"{b['size_bytes'] / 1e6:,.0f} | {b['seconds']:.1f} | {b['rows_per_second']:,} |")
    return "\n".join(lines) + "\n"


DOC_HEADER = """# Benchmarks

How fast nqtrack's commands are on registers of 10,000 to 1,000,000 tasks, measured with
`benchmarks/run.py` on synthetic data from `benchmarks/generate.py` (see the docstrings of
both scripts for what they build and measure).

    python benchmarks/run.py --sizes 10000,100000,1000000 --runs 5 --output docs/benchmarks.md

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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="task counts, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default=str(HERE / "data"))
    parser.add_argument("--output", help="write the markdown tables into this file too")
    parser.add_argument("--nqtrack", help="the nqtrack executable (default: next to this Python, else on PATH)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a run is killed")
    parser.add_argument("--no-import", action="store_true", help="skip the import benchmark")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up benchmarks")
    args = parser.parse_args(argv)

    nq = args.nqtrack or str(Path(sys.executable).parent / "nqtrack")
    if not os.path.exists(nq):
        nq = shutil.which("nqtrack") or sys.exit("nqtrack not found: give --nqtrack PATH")
    python = interpreter_of(nq)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    data = Path(args.data_dir).resolve()
    global PYCACHE
    PYCACHE = str(data / "pycache")
    work = data / "work"
    work.mkdir(parents=True, exist_ok=True)
    info = machine(nq)
    results: list[dict] = []
    builds: list[dict] = []

    if not args.no_startup:
        print("start-up", file=sys.stderr)
        results.append(measure("help", None, [nq, "--help"], args, work))
        empty = work / "empty.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(empty) + suffix).unlink(missing_ok=True)
        subprocess.run([nq, "--db", str(empty), "init"], check=True, stdout=subprocess.DEVNULL)
        results.append(measure("empty_overdue", None, [nq, "--db", str(empty), "--today", TODAY, "overdue"], args, work))

    if not args.no_import:
        print("import", file=sys.stderr)
        folder = data / f"import-{IMPORT_ROWS}-seed{args.seed}-v{gen.GENERATOR_VERSION}"
        units_csv, tasks_csv = folder / "units.csv", folder / "tasks.csv"
        if not tasks_csv.exists():
            gen.write_import_files(folder, IMPORT_ROWS, args.seed)
        units_db = folder / "units.db"
        if units_db.exists() and not same_schema(units_db):
            for suffix in ("", "-wal", "-shm"):
                Path(str(units_db) + suffix).unlink(missing_ok=True)
        if not units_db.exists():
            subprocess.run([nq, "--db", str(units_db), "import", str(units_csv), "--kind", "units"],
                           check=True, stdout=subprocess.DEVNULL)
        fresh = work / "import.db"
        cmd = [nq, "--db", str(fresh), "--today", TODAY, "import", str(tasks_csv), "--by", "bench"]
        results.append(measure("import", None, cmd, args, work, prepare=lambda i: copy_db(units_db, fresh)))
        out = (work / "out-import-0.txt").read_text(encoding="utf-8", errors="replace")
        print("  " + out.strip().splitlines()[0] if out.strip() else "  (no output)", file=sys.stderr)
        for suffix in ("", "-wal", "-shm"):
            Path(str(fresh) + suffix).unlink(missing_ok=True)

    for size in sizes:
        db, meta = ensure_db(data, size, args.seed, python)
        builds.append(meta)
        show_id, update_id = pick_ids(db)
        base = [nq, "--db", str(db), "--today", TODAY]
        print(f"{size:,} tasks (show {show_id}, update {update_id})", file=sys.stderr)
        results.append(measure("overdue_csv", size, base + ["overdue", "--format", "csv"], args, work))
        results.append(measure("overdue_unit", size, base + ["overdue", "--unit", UNIT], args, work))
        results.append(measure("report", size, base + ["report", "--month", "2026-10", "--format", "json"], args, work))
        results.append(measure("list_search", size, base + ["list", "--search", SEARCH, "--format", "csv", "--limit", "50"],
                               args, work))
        results.append(measure("show", size, base + ["show", str(show_id)], args, work))
        results.append(measure("review", size, base + ["review", "--format", "json"], args, work))
        copy = work / "update.db"
        copy_db(db, copy)
        upd = [nq, "--db", str(copy), "--today", TODAY, "update", str(update_id), "--by", "bench"]
        results.append(measure("update", size, lambda i: upd + ["--progress", str(10 + 3 * i)], args, work))
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)

    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = markdown(results, builds, info, args)
    print(table)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (data / f"results-{stamp}.json").write_text(json.dumps(dict(machine=info, results=results, builds=builds),
                                                           indent=1, default=str))
    if args.output:
        write_output(Path(args.output), table)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(r["ok"] is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
