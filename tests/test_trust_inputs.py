"""Issue 13, what a user types: every bad value gets one line and an exit status, never a
traceback, and changes nothing. Each example of the issue, then every command with
hostile arguments (a matrix generated from the registered commands and the types of
their parameters, so that a command added later is covered too)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from nqtrack.cli import app
from tests.support import Cli, run_nqtrack
from tests.test_cli_core import registered_commands

ROOT = Path(__file__).resolve().parent.parent


def table_rows(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("units", "unit_keys", "documents", "tasks", "task_units", "events", "settings")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def small_register(tmp_path_factory) -> Path:
    """Two units, a document and two tasks (one overdue on 2022-11-15), built once."""
    cli = Cli(tmp_path_factory.mktemp("small") / "small.db")
    cli("init")
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP", "--email", "vp@example.gov.vn")
    cli("unit", "add", "Vụ Pháp chế", "--code", "PC")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017")
    cli("assign", "Báo cáo quý III", "--lead", "VP", "--with", "PC", "--due", "30/09/2022", "--doc", "07-NQ/ĐUK",
        "--assigned-on", "2022-07-01", today="2022-07-01")
    cli("assign", "Kế hoạch năm", "--lead", "PC", "--due", "31/12/2022", "--code", "KH-1")
    return cli.db


@pytest.fixture
def small(small_register, tmp_path) -> Cli:
    shutil.copy(small_register, tmp_path / "small.db")
    return Cli(tmp_path / "small.db")


def one_line(result, code: int, message: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.strip() == message


# -- the examples of the issue ------------------------------------------------------------------

LIMIT = "--limit takes a whole number from 1 to 9223372036854775807"


@pytest.mark.parametrize("args, code, message", [
    (["overdue", "--within", "3000000"], 2, "Error: --within takes a whole number from 0 to 3660"),
    (["remind", "--within", "3000000"], 2, "Error: --within takes a whole number from 0 to 3660"),
    (["overdue", "--min-days", "-1"], 2, "Error: --min-days takes a whole number from 0 to 100000"),
    (["list", "--limit", "9999999999999999999999"], 2, f"Error: {LIMIT}"),
    (["list", "--limit", "0"], 2, f"Error: {LIMIT}"),
    (["list", "--limit", "-3"], 2, f"Error: {LIMIT}"),
    (["overdue", "--limit", "0"], 2, f"Error: {LIMIT}"),
    (["report", "--year", "0"], 2, "Error: bad period: 0 is not a year from 1900 to 2199"),
    (["report", "--year", "1"], 2, "Error: bad period: 1 is not a year from 1900 to 2199"),
    (["report", "--year", "10000"], 2, "Error: bad period: '10000' is not a year"),
    (["report", "--month", "0001-01"], 2, "Error: bad period: 1 is not a year from 1900 to 2199"),
    (["show", "12345678901234567890123"], 4, "Error: unknown task: '12345678901234567890123'"),
    (["update", "12345678901234567890123", "--progress", "5"], 4, "Error: unknown task: '12345678901234567890123'"),
    (["assign", "12345678901234567890123", "--lead", "VP"], 4, "Error: unknown task: '12345678901234567890123'"),
    (["assign", "#99", "--lead", "VP"], 4, "Error: unknown task: '#99'"),
    (["undo", "--last", "12345678901234567890123"], 2,
     "Error: --last takes a whole number from 1 to 9223372036854775807"),
    (["undo", "--last", "0"], 2, "Error: --last takes a whole number from 1 to 9223372036854775807"),
    (["show", "²"], 4, "Error: unknown task: '²'"),
    (["show", "#١٢"], 4, "Error: unknown task: '#١٢'"),  # Arabic-Indic digits are digits to Python
    (["unit", "rename", "VP", ""], 2, "Error: a unit needs a name"),
    (["unit", "rename", "VP", "   "], 2, "Error: a unit needs a name"),
    (["import", str(ROOT / "examples/tasks.csv"), "--encoding", "rot13"], 2,
     f"Error: cannot import: cannot read '{ROOT / 'examples/tasks.csv'}': 'rot13' is not a character encoding; use "
     "one of auto, utf-8, utf-16, cp1258, tcvn3, vni, cp1252, latin-1, or another character set Python knows"),
    (["--busy-timeout", "nan", "list"], 2, "Error: --busy-timeout takes seconds from 0 to 86400"),
    (["--busy-timeout", "-1", "list"], 2, "Error: --busy-timeout takes seconds from 0 to 86400"),
])
def test_bad_values_get_one_line_and_change_nothing(small, args, code, message):
    before = table_rows(small.db)
    one_line(small(*args, expect=None), code, message)
    assert table_rows(small.db) == before


def test_a_task_number_of_any_size_in_each_command_that_takes_one(small):
    before = table_rows(small.db)
    for args in (["show", "9" * 19], ["update", "9" * 40, "--note", "x"], ["assign", "#" + "9" * 25, "--lead", "PC"]):
        result = small(*args, expect=4)
        assert result.output.strip() == f"Error: unknown task: '{args[1]}'"
    assert table_rows(small.db) == before
    assert json.loads(small("show", "#000002", "--format", "json").stdout)["task"]["code"] == "KH-1"


def test_arguments_that_are_not_utf8_are_refused_in_a_real_process(small):
    before = table_rows(small.db)
    for argv, number in (([b"assign", b"T\xff", b"--lead", b"VP"], 6), ([b"unit", b"add", b"\xc3\x28"], 7),
                         ([b"list", b"--search", b"b\xe1o c\xe1o"], 7)):
        result = run_nqtrack("--db", str(small.db), "--lang", "en", *[os.fsdecode(a) for a in argv])
        assert result.returncode == 2
        shown = os.fsencode(os.fsdecode(argv[number - 5])).decode("utf-8", "backslashreplace")
        assert result.stderr.decode().strip() == f"Error: argument {number} is not valid UTF-8 text: {shown}"
        assert result.stdout == b""
    assert table_rows(small.db) == before


def test_a_json_export_whose_units_is_a_string(small, tmp_path):
    export = tmp_path / "e.json"
    small("export", str(export))
    data = json.loads(export.read_text(encoding="utf-8"))
    data["units"] = "Văn phòng Bộ"
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = Cli(tmp_path / "other.db")
    other("init")
    empty = table_rows(other.db)
    one_line(other("import", str(export), expect=None), 2, "Error: cannot import: 'units' is not a list of rows")
    assert table_rows(other.db) == empty


def edited_export(small: Cli, tmp_path: Path, edit) -> Path:
    export = tmp_path / "edited.json"
    small("export", str(export))
    data = json.loads(export.read_text(encoding="utf-8"))
    edit(data)
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return export


def set_state(data):
    data["tasks"][0]["state"] = "done"
    data["tasks"][0]["completed_on"] = "2022-09-01"


def drop_events(data):
    data["events"] = [e for e in data["events"] if e["task_id"] != 2]


def drop_last_task(data):
    data["tasks"] = data["tasks"][:-1]
    data["events"] = [e for e in data["events"] if e["task_id"] != 2]
    data["task_units"] = [r for r in data["task_units"] if r["task_id"] != 2]


def nested_value(data):
    data["tasks"][0]["title"] = {"html": "<b>x</b>"}


def huge_number(data):
    data["tasks"][0]["progress"] = 10 ** 30


@pytest.mark.parametrize("edit, message", [
    (set_state, "Error: cannot import: the register in this export fails its checks: task 1: 'completed_on' is "
                "'2022-09-01', not what its creation event #1 recorded; task 1: 'state' is 'done', not what its "
                "creation event #1 recorded"),
    (drop_events, "Error: cannot import: the register in this export fails its checks: journal event 2 is missing "
                  "(deleted outside nqtrack?); task 2: no creation event in the journal"),
    (nested_value, "Error: cannot import: row 1 of 'tasks' is not an object of plain values"),
    (huge_number, "Error: a number is too large: Python int too large to convert to SQLite INTEGER"),
])
def test_an_edited_export_is_refused_before_anything_is_written(small, tmp_path, edit, message):
    export = edited_export(small, tmp_path, edit)
    other = Cli(tmp_path / "other.db")
    other("init")
    empty = table_rows(other.db)
    result = other("import", str(export), expect=None)
    assert result.exit_code == 2 and result.output.strip().startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert table_rows(other.db) == empty


def many_fields(data):
    for task in data["tasks"]:
        task.update(state="done", completed_on="2022-09-01", progress=100, product="Báo cáo")


def test_an_export_that_fails_its_checks_is_refused_in_the_chosen_language(small, tmp_path):
    """The problems `check` would find, in the refusal's one line: each in the chosen language
    with its task, the first five, then how many more."""
    other = Cli(tmp_path / "other.db")
    other("init")
    export = edited_export(small, tmp_path, drop_events)
    one_line(other("import", str(export), lang="vi", expect=None), 2,
             "Lỗi: không nhập được: sổ theo dõi trong tệp xuất này không qua được các bước kiểm tra: thiếu sự kiện "
             "nhật ký số 2 (bị xóa ngoài nqtrack?); nhiệm vụ 2: nhật ký không có sự kiện tạo mới")
    export = edited_export(small, tmp_path, many_fields)
    result = other("import", str(export), expect=None)
    said = result.output.strip().split(": ", 3)[3].split("; ")
    assert result.exit_code == 2 and len(said) == 5 and said[-1].endswith(" (+3)"), result.output
    assert said[0] == "task 1: 'completed_on' is '2022-09-01', not what its creation event #1 recorded"
    vietnamese = other("import", str(export), lang="vi", expect=2).output.strip()
    assert vietnamese.startswith("Lỗi: không nhập được: sổ theo dõi trong tệp xuất này không qua được các bước kiểm "
                                 "tra: nhiệm vụ 1: 'completed_on' là '2022-09-01', khác với sự kiện tạo mới #1 đã ghi; ")
    assert vietnamese.endswith(" (+3)") and "not what" not in vietnamese


def test_an_export_with_its_newest_task_taken_out_is_refused_unless_its_marks_go_too(small, tmp_path):
    # the export carries the register's marks (the highest task and event numbers ever
    # written): a newest task taken out is missing, as `check` would say of the register
    export = edited_export(small, tmp_path, drop_last_task)
    other = Cli(tmp_path / "other.db")
    other("init")
    empty = table_rows(other.db)
    one_line(other("import", str(export), expect=None), 2,
             "Error: cannot import: the register in this export fails its checks: journal event 2 is missing (deleted "
             "outside nqtrack?); task 2: this task is missing (deleted outside nqtrack, with its events?)")
    assert table_rows(other.db) == empty
    # without its marks (an export made before them), what it holds is a whole register
    export = edited_export(small, tmp_path, lambda data: (drop_last_task(data), data.pop("register_marks")))
    assert other("import", str(export)).stdout.startswith("Register rebuilt: 2 units, 1 documents, 1 tasks")
    assert json.loads(other("check", "--format", "json").stdout) == {"ok": True, "problems": []}


# -- every command, hostile arguments -------------------------------------------------------------

ROOT_COMMAND = typer.main.get_command(app)

INT_VALUES = ("9999999999999999999999", "-9999999999999999999999", "0", "-1")
FLOAT_VALUES = ("nan", "-1", "1e309")
TEXT_VALUES = ("", "   ", "\udcff\udcfeT", "\x1b[2J\x1b]0;pwn\x07", "9" * 23, "²", "{db}", "{db}-wal", "{folder}",
               "{missing}", "<script>alert(1)</script>")


def command_of(path: list[str]):
    command = ROOT_COMMAND
    for name in path:
        command = command.commands[name]
    return command


def hostile_runs(path: list[str]) -> list[tuple[str, list[str]]]:
    """(what is hostile, argv) for each parameter of the command, each hostile value of its
    type; required arguments otherwise get a plain '1'."""
    command = command_of(path)
    params = [p for p in command.params if p.name != "help" and not getattr(p, "is_flag", False)]
    arguments = [p for p in params if p.param_type_name == "argument"]
    runs = []
    for param in params:
        values = {"integer": INT_VALUES, "float": FLOAT_VALUES}.get(param.type.name, TEXT_VALUES)
        for value in values:
            argv = list(path)
            for argument in arguments:
                argv.append(value if argument is param else "1")
            if param.param_type_name == "option":
                argv += [param.opts[0], value]
            elif param not in arguments[:1] and argv[-1] == value and value.startswith("-"):
                argv.insert(len(path), "--")  # a value starting with '-' after '--'
            runs.append((f"{param.name}={value!r}", argv))
    return runs


def global_runs() -> list[tuple[str, list[str]]]:
    runs = []
    for param in ROOT_COMMAND.params:
        if param.name in ("help", "version"):
            continue
        values = {"float": FLOAT_VALUES}.get(param.type.name, TEXT_VALUES)
        runs += [(f"{param.name}={value!r}", [param.opts[0], value, "info"]) for value in values]
    return runs


ALLOWED_EXITS = {0, 1, 2, 3, 4, 5, 69, 74}


def run_matrix(small_register: Path, tmp_path: Path, monkeypatch, runs, global_options: bool) -> list[str]:
    runner = CliRunner()
    failures = []
    for number, (what, argv) in enumerate(runs):
        case = tmp_path / f"case{number}"
        case.mkdir()
        monkeypatch.chdir(case)
        db = case / "r.db"
        shutil.copy(small_register, db)
        places = {"{db}": str(db), "{folder}": str(case), "{missing}": str(case / "missing" / "x")}
        argv = [places.get(a.replace("-wal", ""), a) + ("-wal" if a == "{db}-wal" else "") if "{" in a else a
                for a in argv]
        head = [] if global_options and argv[0] == "--db" else ["--db", str(db)]
        full = head + ["--lang", "en", "--today", "2022-11-15"] + argv
        result = runner.invoke(app, full, env={"NO_COLOR": "1", "COLUMNS": "200", "NQTRACK_TEST_CLOCK": "2022-11-15"})
        problem = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problem = f"traceback {type(result.exception).__name__}: {result.exception}"
        elif result.exit_code not in ALLOWED_EXITS:
            problem = f"exit {result.exit_code}"
        elif "Traceback" in result.output or "\x1b" in result.output:
            problem = "traceback or a raw control character in the output"
        elif result.exit_code not in (0, 1, 3) and not result.output.strip().splitlines()[-1].startswith(
                ("Error: ", "Lỗi: ")):  # an unusable --lang leaves the default language
            problem = "no one-line error"
        elif not db.read_bytes().startswith(b"SQLite format 3\0"):
            problem = "the register was written over"
        if problem:
            failures.append(f"{' '.join(argv)!r} ({what}): {problem}: {result.output[-300:]!r}")
    return failures


@pytest.mark.parametrize("path", [p for p in registered_commands() if p and not getattr(command_of(p), "commands", None)],
                         ids=" ".join)
def test_every_command_with_hostile_arguments_never_ends_in_a_traceback(small_register, tmp_path, monkeypatch, path):
    failures = run_matrix(small_register, tmp_path, monkeypatch, hostile_runs(path), global_options=False)
    assert not failures, "\n".join(failures)


def test_the_global_options_with_hostile_values(small_register, tmp_path, monkeypatch):
    failures = run_matrix(small_register, tmp_path, monkeypatch, global_runs(), global_options=True)
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_parameter_of_every_command():
    leaves = [p for p in registered_commands() if p and not getattr(command_of(p), "commands", None)]
    assert len(leaves) > 20
    for path in leaves:
        named = {what.split("=")[0] for what, _argv in hostile_runs(path)}
        expected = {p.name for p in command_of(path).params if p.name != "help" and not getattr(p, "is_flag", False)}
        assert named == expected, path


def test_devices_and_pipes_are_refused_without_being_opened(small, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    before = table_rows(small.db)
    not_a_table = "it is not a regular file (a device, a pipe or a socket); save the table to a file"
    for args, code, message in (
        (["import", "/dev/zero"], 2, f"Error: cannot import: cannot read '/dev/zero': {not_a_table}"),
        (["import", str(fifo)], 2, f"Error: cannot import: cannot read '{fifo}': {not_a_table}"),
        (["report", "--month", "2022-10", "--output", "/dev/null"], 2,
         "Error: /dev/null is not a regular file (a device or a pipe): give a file name"),
        (["backup", str(fifo)], 2, f"Error: {fifo} is not a regular file (a device or a pipe): give a file name"),
        (["export", "/dev/zero"], 2, "Error: /dev/zero is not a regular file (a device or a pipe): give a file name"),
    ):
        one_line(small(*args, expect=None), code, message)
    for db in ("/dev/zero", str(fifo)):
        result = CliRunner().invoke(app, ["--db", db, "--lang", "en", "list"])
        one_line(result, 5, f"Error: not an nqtrack database: {db} (not a regular file)")
    assert table_rows(small.db) == before


def test_standard_input_is_bounded(small, monkeypatch):
    from nqtrack.importing import reader

    monkeypatch.setattr(reader.read_stdin, "__defaults__", (64, "<stdin>"))  # 256 MB in use; 64 bytes here
    before = table_rows(small.db)
    result = small.runner.invoke(app, ["--db", str(small.db), "--lang", "en", "import", "-"],
                                 input=("Nội dung,Đơn vị chủ trì\n" + "Việc,VP\n" * 20).encode())
    one_line(result, 2, "Error: cannot read '<stdin>': standard input holds more than 64 bytes; save it to a file "
                        "and import the file")
    assert table_rows(small.db) == before
