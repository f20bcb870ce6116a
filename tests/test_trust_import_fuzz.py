"""Issue 13, `import` through the command line against hostile files: generated (hypothesis)
and crafted (huge dimensions, huge cells, bad bytes, broken quotes, NULs, control
characters, edited JSON exports). Never a traceback, never a partial write (the register
row for row as it was, or, for an export, a register that passes `check`), and the
crafted files in a process whose memory is bounded."""

from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Cli
from tests.test_hostile_files import CORPUS, HEADER, XML_BITS, sheet_data, workbook, worksheet

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("units", "unit_keys", "documents", "tasks", "task_units", "events", "settings", "batches")


def table_rows(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """An empty register, a small one, and the small one's JSON export."""
    folder = tmp_path_factory.mktemp("templates")
    empty = Cli(folder / "empty.db")
    empty("init")
    small = Cli(folder / "small.db")
    small("init")
    small("unit", "add", "Văn phòng Bộ", "--code", "VP")
    small("unit", "add", "Vụ Pháp chế", "--code", "PC")
    small("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017")
    small("assign", "Báo cáo quý III", "--lead", "VP", "--with", "PC", "--due", "30/09/2022", "--doc", "07-NQ/ĐUK",
          "--assigned-on", "2022-07-01", today="2022-07-01")
    small("update", "1", "--state", "done", "--on", "2022-09-20", today="2022-09-25")
    small("assign", "Kế hoạch năm", "--lead", "PC", "--due", "31/12/2022", "--code", "KH-1")
    small("config", "cutoff", "15")
    small("export", str(folder / "small.json"))
    return {"empty": empty.db, "small": small.db, "export": folder / "small.json"}


def imported(template: Path, folder: Path, data: bytes, name: str, *extra: str) -> tuple[object, Path]:
    """Import `data` (saved as `name`) into a fresh copy of `template`."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "r.db"
    shutil.copy(template, db)
    source = folder / name
    source.write_bytes(data)
    result = Cli(db)("import", str(source), *extra, expect=None)
    return result, db


def assert_whole_or_nothing(result, db: Path, before: dict) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 0:
        check = Cli(db)("check", "--format", "json", expect=None)
        assert json.loads(check.stdout) == {"ok": True, "problems": []}, check.stdout
    else:
        assert result.output.lstrip().startswith("Error: "), result.output
        assert table_rows(db) == before


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10 ** 30), max_value=10 ** 30) | st.floats()
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def edited_exports(draw, export: dict) -> dict:
    """The small register's export with a few random edits: a value, a row, a table, the head."""
    data = copy.deepcopy(export)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "value", "value", "drop row", "table", "head"]))
        table = draw(st.sampled_from(["units", "documents", "tasks", "task_units", "events", "settings", "batches"]))
        rows = data.get(table)
        if kind == "head":
            data[draw(st.sampled_from(["format", "schema", "version"]))] = draw(JSON_VALUES)
        elif kind == "table" or not isinstance(rows, list) or not rows:
            data[table] = draw(JSON_VALUES)
        elif kind == "drop row":
            rows.pop(draw(st.integers(0, len(rows) - 1)))
        else:
            row = rows[draw(st.integers(0, len(rows) - 1))]
            if isinstance(row, dict) and row:
                row[draw(st.sampled_from(sorted(row)))] = draw(JSON_VALUES)
    return data


@FUZZ
@given(st.data())
def test_edited_json_exports_are_refused_whole_or_rebuild_a_register_that_passes_check(templates, tmp_path_factory,
                                                                                         data):
    export = json.loads(templates["export"].read_text(encoding="utf-8"))
    edited = data.draw(edited_exports(export))
    text = json.dumps(edited, ensure_ascii=False, allow_nan=True).encode("utf-8")
    folder = tmp_path_factory.mktemp("json")
    result, db = imported(templates["empty"], folder, text, "export.json")
    assert_whole_or_nothing(result, db, table_rows(templates["empty"]))


@FUZZ
@given(st.lists(XML_BITS, max_size=30), st.lists(st.text(max_size=15), max_size=3),
       st.sampled_from([(), ("--kind", "units"), ("--dry-run",), ("--skip-invalid", "--rejects", "REJECTS")]))
def test_scrambled_workbooks_through_import(templates, tmp_path_factory, bits, shared, options):
    xml = worksheet(sheet_data(HEADER) + "".join(bits))
    folder = tmp_path_factory.mktemp("xlsx")
    extra = [str(folder / "rejects.csv") if o == "REJECTS" else o for o in options]
    result, db = imported(templates["small"], folder, workbook({"S1": xml}, shared), "book.xlsx", *extra)
    assert_whole_or_nothing(result, db, table_rows(templates["small"]))


CELL = st.text(st.sampled_from(list('ab c,;"\n\r\x00\x1b\u202eĐệ<>/01')), max_size=14)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=1, max_size=5), max_size=6),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
       st.sampled_from([(), ("--skip-invalid", "--rejects", "REJECTS"), ("--strict-units",), ("--kind", "units")]))
def test_generated_text_tables_through_import(templates, tmp_path_factory, rows, encoding, options):
    header = "Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn,Trạng thái,Ngày hoàn thành"
    if options == ("--kind", "units"):
        header = "Mã đơn vị,Tên đơn vị,Email"
    text = header + "\n" + "\n".join(",".join(row) for row in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    folder = tmp_path_factory.mktemp("csv")
    extra = [str(folder / "rejects.csv") if o == "REJECTS" else o for o in options]
    result, db = imported(templates["small"], folder, data, "table.csv", *extra)
    assert_whole_or_nothing(result, db, table_rows(templates["small"]))


def crafted_exports(export: dict) -> dict[str, bytes]:
    """Exports edited as someone might by hand, or made to hurt the reader."""

    def edit(change) -> bytes:
        data = copy.deepcopy(export)
        change(data)
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    return {
        "units is a string": edit(lambda d: d.update(units="Văn phòng Bộ")),
        "task state edited": edit(lambda d: d["tasks"][1].update(state="done", completed_on="2022-10-01")),
        "events removed": edit(lambda d: d.update(events=[e for e in d["events"] if e["kind"] != "completed"])),
        "title key edited": edit(lambda d: d["tasks"][0].update(title_key="khac")),
        "unusable setting": edit(lambda d: d["settings"].append({"key": "smtp_port", "value": "abc"})),
        "address with a line break": edit(lambda d: d["units"][0].update(email="a@b.vn\nBcc: x@y.vn")),
        "a task with a dict for its title": edit(lambda d: d["tasks"][0].update(title={"x": 1})),
        "schema from the future": edit(lambda d: d.update(schema=999)),
        "deeply nested": b'{"format": "nqtrack-export", "units": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "not UTF-8": b'{"format": "nqtrack-export", "units": [{"name": "V\xff"}]}',
        "cut short": edit(lambda d: None)[:300],
    }


MEMORY_LIMIT = 1 << 30  # 1 GiB of address space for the whole process

CHILD = textwrap.dedent("""
    import contextlib, io, json, resource, sqlite3, sys, traceback
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from nqtrack.cli import app
    template, cases = sys.argv[1], json.loads(sys.argv[2])

    def rows(db):
        con = sqlite3.connect(db)
        try:
            return {{t: con.execute(f"SELECT * FROM {{t}} ORDER BY 1").fetchall() for t in {tables!r}}}
        finally:
            con.close()

    results = {{}}
    for name, (path, db, extra) in cases.items():
        before = rows(db)
        out, err = io.StringIO(), io.StringIO()
        crashed = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = app(["--db", db, "--lang", "en", "import", path, *extra], standalone_mode=False,
                           prog_name="nqtrack")
            except SystemExit as exc:
                code = exc.code
            except BaseException:
                code, crashed = -1, traceback.format_exc()
        results[name] = {{"code": code or 0, "err": err.getvalue(), "crashed": crashed,
                         "unchanged": rows(db) == before}}
    results["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(results))
""")


def test_crafted_files_through_import_in_bounded_memory(templates, tmp_path):
    """Every crafted file of test_hostile_files and the crafted exports, imported in one
    process limited to 1 GiB of memory: none crashes it or takes more."""
    export = json.loads(templates["export"].read_text(encoding="utf-8"))
    files = {f"sheet: {name}": (data, "xlsx" if data[:2] == b"PK" else "csv") for name, (data, _m) in CORPUS.items()}
    files |= {f"export: {name}": (data, "json") for name, data in crafted_exports(export).items()}
    cases = {}
    for number, (name, (data, suffix)) in enumerate(files.items()):
        source = tmp_path / f"f{number}.{suffix}"
        source.write_bytes(data)
        template = templates["empty" if suffix == "json" else "small"]
        db = tmp_path / f"r{number}.db"
        shutil.copy(template, db)
        extra = [] if suffix == "json" else ["--skip-invalid", "--rejects", str(tmp_path / f"rejects{number}.csv")]
        cases[name] = (str(source), str(db), extra)
    script = CHILD.format(limit=MEMORY_LIMIT, tables=TABLES)
    child = subprocess.run([sys.executable, "-c", script, str(templates["small"]), json.dumps(cases)],
                           capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert child.returncode == 0, child.stderr[-3000:]
    results = json.loads(child.stdout)
    assert results.pop("maxrss_kb") * 1024 < MEMORY_LIMIT
    for name, outcome in results.items():
        assert outcome["crashed"] is None, (name, outcome["crashed"])
        assert outcome["code"] in (0, 2), (name, outcome)
        if outcome["code"] == 2:
            assert outcome["err"].startswith("Error: ") and "Traceback" not in outcome["err"], (name, outcome)
            assert outcome["unchanged"], name
        else:
            check = Cli(Path(cases[name][1]))("check", "--format", "json", expect=None)
            assert json.loads(check.stdout) == {"ok": True, "problems": []}, (name, check.stdout)
    refused = {name for name, outcome in results.items() if outcome["code"] == 2}
    assert {f"export: {name}" for name in crafted_exports(export)} <= refused
    assert "sheet: cell at XFD1048576" in refused and "sheet: 8 million characters in a cell" in refused
