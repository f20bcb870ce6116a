"""Issue 13, output cannot attack the reader (control sequences shown inert on a terminal,
in error messages and in plain text; HTML escaped in markdown; the DOCX writer never sees
a control character), and `remind` is all or nothing per run."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import zipfile

import pytest

from tests.support import local_smtp_server, nqtrack_executable

CLEAR = "\x1b[2J"
RETITLE = "\x1b]0;pwned\x07"
TITLE = f"{RETITLE}Báo cáo{CLEAR} quý III <script>alert(1)</script> & <b>đậm</b>"
UNIT = f"Vụ{CLEAR} Pháp chế <i>x</i>"


@pytest.fixture
def hostile(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("unit", "add", UNIT, "--code", "PC")
    cli("doc", "add", "07-NQ/ĐUK", "--title", f"Nghị quyết{CLEAR}")
    cli("assign", "--lead", "PC", "--with", "VP", "--doc", "07-NQ/ĐUK", "--due", "30/09/2022", "--assigned-on",
        "2022-07-01", "--to", f"Chị{RETITLE} Lan", "--", TITLE, today="2022-07-01")
    cli("update", "1", "--note", f"ghi chú{CLEAR}\x00\x07\x9b31m", "--progress", "20", today="2022-08-01")
    return cli


def in_a_terminal(args: list[str]) -> bytes:
    """What `nqtrack ARGS` prints when its output is a terminal (a pseudo-terminal here)."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(nqtrack_executable() + args, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary,
                            env=env)
    os.close(secondary)
    chunks = []
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    proc.wait(timeout=60)
    return b"".join(chunks)


def assert_inert(output: bytes | str, shown: bool = True) -> None:
    data = output.encode("utf-8", "surrogateescape") if isinstance(output, str) else output
    for sequence in (CLEAR, RETITLE, "\x1b]0;", "\x07", "\x00", "\x9b"):
        assert sequence.encode() not in data, (sequence, data[:2000])
    if shown:  # the output shows a hostile title, name or note: as text
        assert b"\\x1b[2J" in data or b"\\x1b]0;" in data, data[:2000]


@pytest.mark.parametrize("args", [
    ["list"], ["show", "1"], ["overdue"], ["report", "--month", "2022-10"], ["doc", "show", "07-NQ/ĐUK"],
    ["unit", "list"], ["review"], ["remind", "--format", "text"], ["remind"], ["show", f"khong{CLEAR}co"],
    ["assign", "1", "--lead", f"không có{CLEAR}"], ["unit", "add", UNIT],
])
def test_control_sequences_are_shown_inert_on_a_terminal(hostile, args):
    base = ["--db", str(hostile.db), "--lang", "en", "--today", "2022-11-15"]
    output = in_a_terminal(base + args)
    assert b"Traceback" not in output
    assert_inert(output, shown=args[0] != "review")  # the review shows no titles


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
@pytest.mark.parametrize("args", [["list"], ["show", "1"], ["overdue"], ["report", "--month", "2022-10"],
                                  ["unit", "list"], ["review"], ["doc", "show", "07-NQ/ĐUK"]])
def test_control_sequences_are_inert_in_plain_text_and_files(hostile, args, fmt):
    result = hostile(*args, "--format", fmt)
    assert_inert(result.stdout, shown=args[0] != "review")


def test_error_messages_are_one_inert_line(hostile):
    result = hostile("update", f"x{CLEAR}\n{RETITLE}", "--progress", "5", expect=4)
    assert result.output == "Error: unknown task: 'x\\x1b[2J\\n\\x1b]0;pwned\\x07'\n"
    result = hostile(f"no{CLEAR}such", expect=2)
    assert result.output.strip().splitlines()[-1] == "Error: No such command 'no\\x1b[2Jsuch'."


def test_html_in_markdown_output_is_escaped(hostile):
    for args in (["list"], ["overdue"], ["report", "--month", "2022-10", "--unit", "PC"], ["show", "1"],
                 ["remind"]):
        text = hostile(*args, *(["--format", "markdown"] if args[0] != "remind" else [])).stdout
        assert "<script>" not in text and "<b>" not in text and "<i>" not in text, (args, text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text or "&lt;i&gt;x&lt;/i&gt;" in text, (args, text)


def test_control_characters_never_crash_the_docx_writer(hostile, tmp_path):
    docx = pytest.importorskip("docx")
    hostile("config", "office", "Bộ Tư pháp / Văn phòng Bộ")
    hostile("remind", "--format", "docx", "--output-dir", str(tmp_path / "notices"))
    files = sorted((tmp_path / "notices").iterdir())
    assert [p.name for p in files] == ["don-doc-PC-2022-11-15.docx", "don-doc-VP-2022-11-15.docx"]
    document = docx.Document(str(files[0]))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Vụ\\x1b[2J Pháp chế" in text and "\\x1b]0;pwned\\x07Báo cáo\\x1b[2J quý III" in text
    with zipfile.ZipFile(files[0]) as package:
        assert b"\x1b" not in package.read("word/document.xml")


@pytest.mark.parametrize("args", [["list"], ["show", "1"], ["overdue"], ["report", "--month", "2022-10"],
                                  ["unit", "show", "PC"], ["doc", "show", "07-NQ/ĐUK"], ["unit", "list"],
                                  ["evaluate", "--month", "2022-10"], ["export"]])
def test_a_workbook_carries_no_control_character(hostile, tmp_path, args):
    """A control character is no valid XML: a workbook's cells, titles and sheet names show it
    (as \x1b), so that Excel opens the file whole."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "so.xlsx"
    hostile(*args, str(out)) if args == ["export"] else hostile(*args, "--output", str(out))
    with zipfile.ZipFile(out) as package:
        for name in package.namelist():
            assert b"\x1b" not in package.read(name) and b"\x07" not in package.read(name), name
    book = openpyxl.load_workbook(out)
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    shown = "\n".join(cells + [sheet.title for sheet in book.worksheets])
    assert "\x1b" not in shown
    if args[0] not in ("report", "evaluate"):  # the report and the evaluation show no titles
        assert "\\x1b[2J" in shown, shown[:2000]


def test_the_word_report_and_letters_show_control_characters_as_text(hostile, tmp_path):
    docx = pytest.importorskip("docx")
    hostile("config", "office", "Bộ Tư pháp / Văn phòng Bộ")
    hostile("config", "signer", "CHÁNH VĂN PHÒNG / Nguyễn Văn A")  # a control character is refused there
    out = tmp_path / "bao-cao.docx"
    hostile("report", "--month", "2022-10", "--unit", "PC", "--output", str(out))
    hostile("remind", "--format", "docx", "--output-dir", str(tmp_path / "letters"))
    for path in [out, *sorted((tmp_path / "letters").iterdir())]:
        with zipfile.ZipFile(path) as package:
            assert b"\x1b" not in package.read("word/document.xml"), path
        document = docx.Document(str(path))
        text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
            c.text for t in document.tables for row in t.rows for c in row.cells)
        assert "\x1b" not in text, path


def test_a_signer_with_a_control_character_is_refused_when_set(hostile):
    result = hostile("config", "signer", f"CHÁNH VĂN PHÒNG / Nguyễn{CLEAR}\nVăn A", expect=2)
    assert result.output.strip() == "Error: a setting is one line of text, without control characters"


def test_the_dashboard_escapes_what_users_typed(hostile, tmp_path):
    out = tmp_path / "bang-dieu-khien.html"
    hostile("dashboard", "--month", "2022-10", "--output", str(out))
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "<i>x</i>" not in page and "<b>đậm</b>" not in page
    assert "Vụ\\x1b[2J Pháp chế &lt;i&gt;x&lt;/i&gt;" in page  # the unit, in the backlog per unit
    assert "\x1b" not in page and "\x07" not in page
    html = hostile("report", "--month", "2022-10", "--format", "html").stdout
    assert "<script>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html


# -- remind: all or nothing ----------------------------------------------------------------------


@pytest.fixture
def alike(cli):
    """Four units whose notices would share file names: codes V.P and V-P, and two names
    alike in their first 60 letters (no code)."""
    long = "Ban Chỉ đạo thực hiện Nghị quyết về đẩy mạnh công tác phòng, chống tham nhũng"
    for name, code in (("Văn phòng Bộ", "V.P"), ("Văn phòng Tổng cục", "V-P"), (long + " của Bộ", None),
                       (long + " của Tổng cục", None)):
        cli("unit", "add", name, *(["--code", code] if code else []))
    for number, lead in enumerate(("V.P", "V-P", long + " của Bộ", long + " của Tổng cục"), start=1):
        cli("assign", f"Việc {number}", "--lead", lead, "--due", "30/10/2022", "--assigned-on", "2022-10-01",
            today="2022-10-01")
    return cli


def reminded(cli) -> dict[int, list[str]]:
    events = json.loads(cli("export", "-").stdout)["events"]
    found: dict[int, list[str]] = {}
    for event in events:
        if event["kind"] == "reminded":
            found.setdefault(event["task_id"], []).append(event["note"])
    return found


def test_two_units_never_get_the_same_file_name(alike, tmp_path):
    out = tmp_path / "notices"
    alike("remind", "--output-dir", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["don-doc-V-P-1-2022-11-15.md", "don-doc-V-P-2-2022-11-15.md",
                     "don-doc-ban-chi-dao-thuc-hien-nghi-quyet-ve-day-manh-cong-tac-phong-3-2022-11-15.md",
                     "don-doc-ban-chi-dao-thuc-hien-nghi-quyet-ve-day-manh-cong-tac-phong-4-2022-11-15.md"]
    bodies = [p.read_text(encoding="utf-8") for p in sorted(out.iterdir())]
    assert all(sum(f"Việc {n}" in body for n in range(1, 5)) == 1 for body in bodies)  # each its own unit's
    assert reminded(alike) == {1: ["Văn phòng Bộ"], 2: ["Văn phòng Tổng cục"],
                               3: ["Ban Chỉ đạo thực hiện Nghị quyết về đẩy mạnh công tác phòng, chống tham nhũng "
                                   "của Bộ"],
                               4: ["Ban Chỉ đạo thực hiện Nghị quyết về đẩy mạnh công tác phòng, chống tham nhũng "
                                   "của Tổng cục"]}


def test_a_notice_that_cannot_be_written_leaves_no_file_and_no_journal(alike, tmp_path):
    out = tmp_path / "notices"
    out.mkdir()
    (out / "don-doc-V-P-2-2022-11-15.md").mkdir()  # one of the four cannot be written: a folder holds its name
    result = alike("remind", "--output-dir", str(out), expect=None)
    assert result.exit_code == 2 and result.output.strip().splitlines()[-1] == (
        f"Error: {out / 'don-doc-V-P-2-2022-11-15.md'} is a folder: give a file name")
    assert sorted(p.name for p in out.iterdir()) == ["don-doc-V-P-2-2022-11-15.md"]
    assert reminded(alike) == {}


@pytest.fixture
def refusing_smtp_server():
    """A local SMTP server that refuses mail to refused@example.gov.vn."""
    pytest.importorskip("aiosmtpd.controller")
    with local_smtp_server(refused=("refused@example.gov.vn",)) as server:
        yield server


def test_only_the_notices_sent_are_journaled_when_sending_stops(alike, refusing_smtp_server):
    port, received = refusing_smtp_server
    for key, value in (("smtp_host", "127.0.0.1"), ("smtp_port", str(port)), ("smtp_starttls", "no"),
                       ("smtp_sender", "vanphong@example.gov.vn")):
        alike("config", key, value)
    alike("unit", "email", "V.P", "vp@example.gov.vn")
    alike("unit", "email", "V-P", "refused@example.gov.vn")
    alike("unit", "email", "Ban Chỉ đạo thực hiện Nghị quyết về đẩy mạnh công tác phòng, chống tham nhũng của Bộ",
          "bcd@example.gov.vn")
    result = alike("remind", "--send", expect=None)
    assert result.exit_code == 69
    assert result.output.strip().splitlines()[-1] == (
        "Error: The mail server refused the recipient refused@example.gov.vn. 2 of 3 messages had been sent.")
    assert [e.rcpt_tos for e in received] == [["bcd@example.gov.vn"], ["vp@example.gov.vn"]]
    # in Vietnamese name order: Ban Chỉ đạo … của Bộ and Văn phòng Bộ went, Văn phòng Tổng cục was refused
    assert reminded(alike) == {1: ["Văn phòng Bộ"],
                               3: ["Ban Chỉ đạo thực hiện Nghị quyết về đẩy mạnh công tác phòng, chống tham nhũng "
                                   "của Bộ"]}
