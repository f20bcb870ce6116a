"""Taskwarrior 2.6 as an anchor: install it, give it its own rc and data folder, feed it
the same tasks as nqtrack.

- `ensure_taskwarrior()` finds `task`, or installs Debian's `taskwarrior` package with
  `apt-get install -y taskwarrior` (as root, or through `sudo -n`), and checks that it is
  2.6.x; it returns (path, version, note), path None with the reason in `note`.
- `write_taskrc(folder)` writes `folder/taskrc` and makes `folder/data` (TASKRC and
  TASKDATA of every run): the rc settings are in `RC_SETTINGS` below, each with why.
- `write_import_json(tasks_csv, units_csv, path)` turns the rows `nqtrack import` reads
  (generate.py's tasks.csv: Vietnamese headers, day-first dates, deadline texts) into
  Taskwarrior's import JSON, one task object per line.
- `data_size(folder)` is the bytes of the files in TASKDATA.

Standard library only.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

PACKAGE = "taskwarrior"
WANTED = "2.6."

# The rc of every Taskwarrior run: (setting, value, why).
RC_SETTINGS = (
    ("data.location", None, "the data folder inside the benchmark's data dir (TASKDATA says the same)"),
    ("confirmation", "off", "no questions: nothing reads a terminal"),
    ("hooks", "off", "no hook scripts run"),
    ("gc", "on", ("the default, stated: `task import` already files completed and deleted tasks in "
                  "completed.data, so gc moves and rewrites nothing (checked: no file changes after a report); "
                  "gc=off made `task overdue` slower (1.18 s against 0.79 s at 100,000 tasks)")),
    ("recurrence", "off", "no recurring instances are generated (no task has `recur` anyway)"),
    ("news.version", "2.6.2", "no 'run task news' notice after each command"),
    ("verbose", "nothing", "only the report's table: no header, footnote or 'Imported N tasks' lines"),
    ("color", "off", "plain text (output goes to a file anyway)"),
    ("defaultwidth", "0", "no word-wrapping: one line per task, like a CSV"),
    ("detection", "off", "use defaultwidth, do not ask the terminal"),
    ("search.case.sensitive", "yes", "the default, stated"),
    ("uda.nqcode.type", "string", "the task's code (Mã nhiệm vụ)"),
    ("uda.document.type", "string", "the document's number and symbol (Văn bản)"),
    ("uda.assignee.type", "string", "the person (Người thực hiện)"),
    ("uda.coordinating.type", "string", "codes of the coordinating units (Đơn vị phối hợp)"),
    ("uda.deadlinetext.type", "string", "the deadline as written, when it is not a plain date (Thời hạn)"),
    ("uda.source.type", "string", "the source as written (Nguồn giao); a tag holds it too"),
)

# The source as a tag (Taskwarrior tags hold no spaces).
SOURCE_TAGS = {"Chính phủ": "chinhphu", "Thủ tướng Chính phủ": "thutuong", "Lãnh đạo Bộ": "lanhdaobo",
               "Ban Thường vụ Đảng ủy": "danguy"}
# nqtrack's states (as the CSV writes them) → Taskwarrior status and, where it has none, a tag.
STATES = {"Chưa thực hiện": ("pending", None), "Đang thực hiện": ("pending", "inprogress"),
          "Tạm dừng": ("pending", "paused"), "Hoàn thành": ("completed", None), "Hủy": ("deleted", None)}


def find_task() -> str | None:
    return shutil.which("task")


def task_version(task: str) -> str:
    try:
        out = subprocess.run([task, "--version"], check=False, capture_output=True, text=True, timeout=30,
                             env=clean_env(None)).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.splitlines()[0].strip() if out else ""


def ensure_taskwarrior(install: bool = True) -> tuple[str | None, str, str]:
    """(path of `task`, its version, a note); installs Debian's package when missing.

    Path None when it is missing and cannot be installed, or is not 2.6.x: the note says why."""
    task = find_task()
    note = ""
    if task is None:
        if not install:
            return None, "", "`task` not found (and --no-install-taskwarrior)"
        apt = shutil.which("apt-get")
        if apt is None:
            return None, "", "`task` not found and there is no apt-get to install Debian's taskwarrior"
        prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
        if prefix is None:
            return None, "", "`task` not found; installing taskwarrior needs root (or sudo)"
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        print("installing Debian's taskwarrior (apt-get install -y taskwarrior) …", flush=True, file=sys.stderr)
        proc = subprocess.run(
            prefix + [apt, "install", "-y", "-q", PACKAGE], capture_output=True, text=True, env=env, check=False
        )
        if proc.returncode != 0:  # the package lists may be missing or old: update once, then retry
            subprocess.run(prefix + [apt, "update", "-q"], capture_output=True, text=True, env=env, check=False)
            proc = subprocess.run(
                prefix + [apt, "install", "-y", "-q", PACKAGE], capture_output=True, text=True, env=env, check=False
            )
        task = find_task()
        if task is None:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, "", f"`apt-get install -y taskwarrior` failed (exit {proc.returncode}): {tail[0][:200]}"
        note = "installed with apt-get by this run"
    version = task_version(task)
    if not version.startswith(WANTED):
        return None, version, f"`{task}` is Taskwarrior {version or '?'}, not 2.6.x"
    return task, version, note


def write_taskrc(folder: Path, overdue_filter: str | None = None) -> tuple[Path, Path]:
    """folder/taskrc and an empty-or-existing folder/data; returns (rc, data).

    `overdue_filter` replaces the `overdue` report's filter (`status:pending and +OVERDUE`,
    which compares with the clock) by one pinned to a day."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    rc = folder / "taskrc"
    lines = ["# written by benchmarks/taskwarrior.py: the anchor's own settings"]
    for key, value, why in RC_SETTINGS:
        lines.append(f"# {why}")
        lines.append(f"{key}={data if value is None else value}")
    if overdue_filter:
        lines.append("# the overdue report, pinned to the benchmark's day instead of the clock")
        lines.append(f"report.overdue.filter={overdue_filter}")
    rc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rc, data


def clean_env(rc: Path | None, data: Path | None = None) -> dict[str, str]:
    """The environment of a Taskwarrior child: its own TASKRC/TASKDATA, UTC, no locale surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASK")}
    if rc is not None:
        env["TASKRC"] = str(rc)
    if data is not None:
        env["TASKDATA"] = str(data)
    env["TZ"] = "UTC"
    return env


def rc_text() -> str:
    """The settings, for the report."""
    return ", ".join(f"`{k}={v}`" for k, v, _ in RC_SETTINGS if v is not None and not k.startswith("uda."))


# -- the same tasks as JSON ----------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH = re.compile(r"^tháng (\d{1,2})/(\d{4})$", re.IGNORECASE)
_QUARTER = re.compile(r"^quý (I|II|III|IV)/(\d{4})$", re.IGNORECASE)
_YEAR = re.compile(r"^năm (\d{4})$", re.IGNORECASE)
_BEFORE = re.compile(r"^trước ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})$", re.IGNORECASE)
_NO_DATE = {"", "thường xuyên", "hằng năm", "không thời hạn"}


def _month_end(y: int, m: int) -> date:
    return date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def deadline_day(text: str) -> date | None:
    """The day a deadline cell of generate.py's tasks.csv means (None: no deadline)."""
    t = " ".join(text.split())
    if t.lower() in _NO_DATE:
        return None
    for pattern, make in (
        (_DMY, lambda g: date(int(g[2]), int(g[1]), int(g[0]))),
        (_BEFORE, lambda g: date(int(g[2]), int(g[1]), int(g[0]))),
        (_MONTH, lambda g: _month_end(int(g[1]), int(g[0]))),
        (_QUARTER, lambda g: _month_end(int(g[1]), 3 * ("I", "II", "III", "IV").index(g[0].upper()) + 3)),
        (_YEAR, lambda g: date(int(g[0]), 12, 31)),
    ):
        m = pattern.match(t)
        if m:
            return make(m.groups())
    raise ValueError(f"not a deadline: {text!r}")


def _dmy(text: str) -> date | None:
    m = _DMY.match(text.strip())
    return date(int(m[3]), int(m[2]), int(m[1])) if m else None


def _tw(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}T000000Z"


def write_import_json(tasks_csv: Path, units_csv: Path, path: Path) -> dict[str, int]:
    """Taskwarrior import JSON (one object per line) for the rows of tasks.csv; counts by status.

    description = title; entry = the day assigned; due = the deadline (a deadline text
    such as "Quý III/2025" as the day it means, the text itself in `deadlinetext`);
    status pending (new, in progress, paused: the last two also as tags), completed (with
    `end` = the completion day) or deleted (cancelled; `end` = the day assigned, the file
    has no cancellation day); project = the lead unit's code; tags: the source; UDAs
    nqcode, document, assignee, coordinating (unit codes), deadlinetext, source; uuid
    derived from the task's code, so the data is the same in every run."""
    with open(units_csv, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        code_of = {name: code for code, name in rows}
    counts: dict[str, int] = {}
    namespace = uuid.UUID("6f1c2b1e-4a57-4c59-9d0e-6e7174726b20")
    with open(tasks_csv, encoding="utf-8-sig", newline="") as f, open(path, "w", encoding="utf-8") as out:
        rows = csv.reader(f)
        next(rows)
        for code, document, title, source, lead, coordinating, assignee, assigned, deadline, state, completed in rows:
            status, tag = STATES[state]
            entry = _dmy(assigned)
            task: dict[str, object] = {
                "uuid": str(uuid.uuid5(namespace, code)),
                "description": title,
                "status": status,
                "entry": _tw(entry),
                "modified": _tw(entry),
            }
            due = deadline_day(deadline)
            if due:
                task["due"] = _tw(due)
            if deadline and _dmy(deadline) is None:
                task["deadlinetext"] = deadline
            if status == "completed":
                task["end"] = task["modified"] = _tw(_dmy(completed))
            elif status == "deleted":
                task["end"] = _tw(entry)
            if lead:
                task["project"] = code_of[lead]
            tags = [SOURCE_TAGS[source]] if source in SOURCE_TAGS else []
            if tag:
                tags.append(tag)
            if tags:
                task["tags"] = tags
            task["nqcode"] = code
            if document:
                task["document"] = document
            if assignee:
                task["assignee"] = assignee
            if coordinating:
                task["coordinating"] = ",".join(code_of[n.strip()] for n in coordinating.split(";"))
            if source:
                task["source"] = source
            out.write(json.dumps(task, ensure_ascii=False, separators=(",", ":")) + "\n")
            counts[status] = counts.get(status, 0) + 1
    return counts


def data_size(data: Path) -> int:
    """Bytes of the files in a TASKDATA folder (pending, completed, undo, backlog)."""
    return sum(p.stat().st_size for p in data.iterdir() if p.is_file())


def data_files(data: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(data.iterdir()) if p.is_file()}
