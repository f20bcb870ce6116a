"""Issue 19: each unit's own sheet, for offices without a server — written protected and
signed, filled by the unit, imported back with the unit's rights; an edited sheet is refused
whole, and the same sheet imported twice changes nothing."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest

from nqtrack.core.sheets import ENTRY_COLUMNS, SHEET_COLUMNS, SIGNATURE_SHEET
from nqtrack.store import open_store
from tests.support import Cli
from tests.test_many_units import history, journal_size, overdue_json
from tests.test_remind_review import smtp_server  # noqa: F401  (the fixture)

FIRST_ROW = 6  # the first task's row in Excel's numbering: title, note, blank, keys (hidden), labels
COLUMN = {key: index + 1 for index, key in enumerate(SHEET_COLUMNS)}  # openpyxl's column numbers


@pytest.fixture
def office(cli):
    """VP leads A and D (open) and E (done), coordinates B; PC leads B; TC leads C."""
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("unit", "add", "Vụ Pháp chế", "--code", "PC")
    cli("unit", "add", "Thanh tra", "--code", "TC")
    new = lambda title, *args: cli("assign", title, "--assigned-on", "2022-08-01", *args, today="2022-08-01")  # noqa: E731
    new("Báo cáo sơ kết", "--lead", "VP", "--due", "31/10/2022", "--code", "A")
    new("Đề án pháp chế", "--lead", "PC", "--with", "VP", "--due", "30/11/2022", "--code", "B")
    new("Kế hoạch thanh tra", "--lead", "TC", "--due", "15/11/2022", "--code", "C")
    new("Quy chế làm việc", "--lead", "VP", "--due", "18/11/2022", "--code", "D")
    new("Việc đã xong", "--lead", "VP", "--due", "30/09/2022", "--code", "E")
    cli("update", "E", "--state", "done", "--on", "2022-09-20", today="2022-09-20")
    cli("user", "add", "lan", "--role", "unit", "--unit", "VP", today="2022-08-01")
    return cli


@pytest.fixture
def sheet(office, tmp_path):
    path = tmp_path / "phieu-VP.xlsx"
    said = office("sheet", "VP", "--output", str(path), today="2022-11-10")
    assert said.stdout == f"Sheet of Văn phòng written: {path} (2 tasks).\n"
    return path


def fill(path, out, rows: dict[int, dict[str, object]]):
    """The sheet at `path` with cells filled as a unit would (rows: 0-based task row → key → value)."""
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    for row, values in rows.items():
        for key, value in values.items():
            ws.cell(row=FIRST_ROW + row, column=COLUMN[key], value=value)
    book.save(out)
    return out


def test_the_sheet_holds_the_units_open_tasks_with_only_its_columns_unlocked(sheet):
    book = openpyxl.load_workbook(sheet)
    assert book.sheetnames == ["Tasks", SIGNATURE_SHEET]
    assert [ws.sheet_state for ws in book.worksheets] == ["visible", "veryHidden"]
    ws = book.worksheets[0]
    assert ws.protection.sheet and book[SIGNATURE_SHEET].protection.sheet
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[3] == list(SHEET_COLUMNS) and ws.row_dimensions[4].hidden  # the keys, hidden
    assert rows[4][:3] == ["No.", "Code", "Title"]
    assert [r[:3] for r in rows[5:]] == [[1, "A", "Báo cáo sơ kết"], [4, "D", "Quy chế làm việc"]]  # not B, C, E
    for key in SHEET_COLUMNS:
        assert ws.cell(row=FIRST_ROW, column=COLUMN[key]).protection.locked is (key not in ENTRY_COLUMNS), key
    fields = {r[0].value: r[1].value for r in book[SIGNATURE_SHEET].iter_rows(min_row=2)}
    assert fields["format"] == "nqtrack-sheet" and fields["unit_name"] == "Văn phòng" and len(fields["signature"]) == 64


def test_the_secret_is_kept_in_the_register_and_never_printed(office, sheet, tmp_path):
    store = open_store(str(office.db))
    secret = store.register_key("sheet_secret")
    store.close()
    assert len(secret) == 64
    exported = tmp_path / "so.json"
    office("export", str(exported))
    printed = [office("config").stdout, office("info").stdout, exported.read_text(encoding="utf-8"),
               sheet.read_bytes().decode("latin-1")]
    assert not any(secret in text for text in printed)
    assert "register_keys" not in json.loads(exported.read_text(encoding="utf-8"))


def test_a_returned_sheet_records_only_the_units_own_fields_as_its_proposals(office, sheet, tmp_path):
    filled = fill(sheet, tmp_path / "tra-lai.xlsx", {
        0: {"progress": 60, "result": "Đã trình dự thảo", "extension_to": "31/12/2022",
            "extension_reason": "Chờ số liệu quý IV",
            # a unit typing in a locked column: never read
            "deadline": datetime(2023, 6, 30), "title": "Đổi tên"},
        1: {"completed_on": datetime(2022, 11, 9), "product": "Quyết định số 12/QĐ-VP"},
    })
    size = journal_size(office)
    said = office("import", str(filled), today="2022-11-12")
    lines = said.stdout.splitlines()
    assert lines[0] == "Sheet of Văn phòng (made 2022-11-10)."
    assert lines[1:4] == [
        "  Task 1: Progress; note; extension to 2022-12-31 asked for.",
        "  Task 4: Product; completion on 2022-11-09 proposed.",
        "Awaiting the secretariat's confirmation: tasks 1, 4 (nqtrack overdue lists them).",
    ]
    assert lines[4].startswith("Batch: sheet-")
    a = json.loads(office("show", "A", "--format", "json", today="2022-11-12").stdout)["task"]
    d = json.loads(office("show", "D", "--format", "json", today="2022-11-12").stdout)["task"]
    assert (a["progress"], a["deadline"], a["title"]) == (60, "2022-10-31", "Báo cáo sơ kết")
    assert (d["state"], d["product"]) == ("new", "Quyết định số 12/QĐ-VP")  # done once confirmed
    assert [(r["code"], r["request"], r["requested_day"], r["request_note"])
            for r in overdue_json(office, today="2022-11-12")["awaiting"]] == [
        ("A", "extension", "2022-12-31", "Chờ số liệu quý IV"), ("D", "completion", "2022-11-09", None)]
    new_events = history(office, "A", "2022-11-12")[-2:] + history(office, "D", "2022-11-12")[-2:]
    assert [(e["kind"], e["field"], e["note"]) for e in new_events] == [
        ("updated", "progress", "Đã trình dự thảo"), ("extension_requested", None, "Chờ số liệu quý IV"),
        ("updated", "product", None), ("proposed", None, None)]
    assert len({e["batch_id"] for e in new_events}) == 1
    assert journal_size(office) == size + 4
    # the same sheet again changes nothing
    again = office("import", str(filled), today="2022-11-13")
    assert again.stdout == "Sheet of Văn phòng (made 2022-11-10).\nNothing new: nothing was recorded.\n"
    assert journal_size(office) == size + 4
    # once the secretariat confirmed and approved, still nothing
    office("confirm", "D", today="2022-11-14")
    office("approve", "A", today="2022-11-14")
    assert "Nothing new" in office("import", str(filled), today="2022-11-15").stdout
    assert office("check").stdout == "All checks passed.\n"


def test_a_sheet_filled_again_records_only_what_is_new(office, sheet, tmp_path):
    first = fill(sheet, tmp_path / "lan-1.xlsx", {0: {"progress": 30}})
    office("import", str(first), today="2022-11-11")
    second = fill(first, tmp_path / "lan-2.xlsx", {1: {"progress": 50, "result": "Đang lấy ý kiến"}})
    lines = office("import", str(second), today="2022-11-12").stdout.splitlines()
    assert lines[1:2] == ["  Task 4: Progress; note."] and "Task 1" not in "".join(lines)


def test_a_sheet_naming_another_units_task_is_refused_whole(office, sheet, tmp_path):
    other = fill(sheet, tmp_path / "sua.xlsx", {0: {"id": 3, "progress": 90}, 1: {"progress": 20}})
    size = journal_size(office)
    result = office("import", str(other), expect=2)
    assert result.output == ("Error: row 6 names task 3, which Văn phòng does not lead: the sheet is refused whole, "
                             "nothing was recorded\n")
    assert journal_size(office) == size
    coordinated = fill(sheet, tmp_path / "phoi-hop.xlsx", {1: {"id": 2, "progress": 20}})  # VP only helps with B
    assert "row 7 names task 2, which Văn phòng does not lead" in office("import", str(coordinated), expect=2).output
    vi = office("import", str(other), expect=2, lang="vi").output
    assert vi == "Lỗi: dòng 6 ghi nhiệm vụ 3, không do Văn phòng chủ trì: từ chối toàn bộ phiếu, không ghi nhận gì\n"


@pytest.mark.parametrize("change", ["signature", "unit", "issued_at", "a row of its own", "a row removed"])
def test_a_sheet_with_a_broken_signature_is_refused_whole(office, sheet, tmp_path, change):
    book = openpyxl.load_workbook(sheet)
    ws = book.worksheets[0]
    ws.cell(row=FIRST_ROW, column=COLUMN["progress"], value=80)
    if change in ("signature", "unit", "issued_at"):
        for row in book[SIGNATURE_SHEET].iter_rows(min_row=2):
            if row[0].value == change:
                row[1].value = {"signature": "0" * 64, "unit": "2", "issued_at": "2022-11-09T00:00:00+00:00"}[change]
    elif change == "a row of its own":
        ws.cell(row=FIRST_ROW + 1, column=COLUMN["id"], value=5)  # E: VP's, done, not in the sheet
    else:
        ws.delete_rows(FIRST_ROW + 1)
    edited = tmp_path / "sua.xlsx"
    book.save(edited)
    size = journal_size(office)
    result = office("import", str(edited), expect=2)
    assert result.output == ("Error: the sheet's signature does not match: it was changed after it was made (rows "
                             "added, removed or changed, or its signature); the sheet is refused whole, nothing was "
                             "recorded\n")
    assert journal_size(office) == size


def test_a_sheet_of_another_register_is_refused(office, sheet, tmp_path):
    other = Cli(tmp_path / "khac.db")
    other("init")
    other("unit", "add", "Văn phòng", "--code", "VP")
    result = other("import", str(sheet), expect=2)
    assert "this sheet was made by another register" in result.output
    assert "not a unit's sheet made by nqtrack" in other("import", "--sheet-return", str(_plain_workbook(tmp_path)),
                                                         expect=2).output


def _plain_workbook(tmp_path):
    path = tmp_path / "khong-phai-phieu.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["field", "value"])
    book.active.append(["format", "something else"])
    book.active.title = SIGNATURE_SHEET
    book.create_sheet("Tasks").append(["id", "code"])
    book.save(path)
    return path


def test_a_row_that_cannot_be_taken_is_refused_alone_with_its_reason(office, sheet, tmp_path):
    office("assign", "D", "--lead", "PC", today="2022-11-11")  # D re-assigned after the sheet was made
    filled = fill(sheet, tmp_path / "tra-lai.xlsx", {0: {"completed_on": "20/11/2022"}, 1: {"progress": 70}})
    size = journal_size(office)
    assert office("import", str(filled), today="2022-11-12").stdout.splitlines()[1:] == [
        "Nothing was recorded.",
        "Refused, row 6 (task 1): the change takes effect on 2022-11-20, after today (2022-11-12)",
        "Refused, row 7 (task 4): task 4 is led by Vụ Pháp chế now, not by Văn phòng: its entries were not recorded",
    ]
    assert journal_size(office) == size
    bad = fill(sheet, tmp_path / "sai.xlsx", {0: {"progress": 150, "result": "Xong phần 1"},
                                              1: {"extension_reason": "Chờ"}})
    assert office("import", str(bad), today="2022-11-12").stdout.splitlines()[1:] == [
        "Nothing was recorded.",
        "Refused, row 6 (task 1): progress must be between 0 and 100",
        "Refused, row 7 (task 4): a reason for an extension without the deadline asked for",
    ]
    assert journal_size(office) == size  # a row lands whole or not at all: not even its note


def test_with_confirmation_off_a_sheets_completion_is_a_completion(office, sheet, tmp_path):
    office("config", "confirmation", "off")
    filled = fill(sheet, tmp_path / "tra-lai.xlsx", {1: {"completed_on": datetime(2022, 11, 9)}})
    assert "Task 4: completed on 2022-11-09." in office("import", str(filled), today="2022-11-12").stdout
    assert json.loads(office("show", "D", "--format", "json").stdout)["task"]["completed_on"] == "2022-11-09"


def test_a_sheet_made_in_vietnamese_is_read_back_in_english_and_undone_by_its_batch(office, tmp_path):
    path = tmp_path / "phieu.xlsx"
    office("sheet", "VP", "--output", str(path), lang="vi", today="2022-11-10")
    assert openpyxl.load_workbook(path).sheetnames[0] == "Nhiệm vụ"
    filled = fill(path, tmp_path / "tra-lai.xlsx", {0: {"progress": "45 %"}})
    lines = office("import", str(filled), today="2022-11-12").stdout.splitlines()
    batch = lines[-1].split()[1]
    assert json.loads(office("show", "A", "--format", "json").stdout)["task"]["progress"] == 45
    office("undo", "--batch", batch, today="2022-11-12")
    assert json.loads(office("show", "A", "--format", "json").stdout)["task"]["progress"] is None


def test_remind_attach_writes_each_units_sheet_beside_its_notice(office, tmp_path):
    folder = tmp_path / "don-doc"
    dry = office("remind", "--output-dir", str(folder), "--attach", "--dry-run", today="2022-11-15").stdout
    assert f"Would write {folder / 'phieu-cap-nhat-VP-2022-11-15.xlsx'}" in dry and not folder.exists()
    office("remind", "--output-dir", str(folder), "--attach", today="2022-11-15")
    sheets = sorted(p.name for p in folder.glob("phieu-*.xlsx"))
    assert sheets == ["phieu-cap-nhat-TC-2022-11-15.xlsx", "phieu-cap-nhat-VP-2022-11-15.xlsx"]  # PC: nothing urged
    rows = list(openpyxl.load_workbook(folder / sheets[1]).worksheets[0].iter_rows(min_row=FIRST_ROW, values_only=True))
    assert [r[1] for r in rows] == ["A", "D"]
    assert "--attach needs --output-dir" in office("remind", "--attach", expect=2).output


def test_remind_send_attach_mails_each_unit_its_sheet(office, tmp_path, smtp_server):  # noqa: F811
    import email
    import email.policy

    port, received = smtp_server
    office("unit", "email", "VP", "vp@example.gov.vn")
    for key, value in (("smtp_host", "127.0.0.1"), ("smtp_port", str(port)), ("smtp_starttls", "no"),
                       ("smtp_sender", "vanphong@example.gov.vn")):
        office("config", key, value)
    office("remind", "--unit", "VP", "--output-dir", str(tmp_path / "don-doc"), "--attach", "--send",
           today="2022-11-15")
    [message] = [email.message_from_bytes(e.content, policy=email.policy.default) for e in received]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["phieu-cap-nhat-VP-2022-11-15.xlsx"]
    attached = tmp_path / "tu-thu.xlsx"
    attached.write_bytes(next(message.iter_attachments()).get_payload(decode=True))
    assert "Nothing new" in office("import", str(attached), today="2022-11-15").stdout  # a sheet of this register


def test_the_sheet_says_what_awaits_and_what_was_sent_back(office, tmp_path):
    office("--user", "lan", "update", "A", "--state", "done", "--on", "03/11/2022", today="2022-11-04")
    office("reject", "A", "--reason", "Chưa có sản phẩm", today="2022-11-05")
    office("--user", "lan", "request-extension", "D", "--to", "31/12/2022", "--reason", "Chờ số liệu",
           today="2022-11-06")
    path = tmp_path / "phieu.xlsx"
    office("sheet", "VP", "--output", str(path), today="2022-11-07")
    ws = openpyxl.load_workbook(path).worksheets[0]
    status = [ws.cell(row=FIRST_ROW + i, column=COLUMN["status"]).value for i in range(2)]
    assert status == ["completion sent back: Chưa có sản phẩm", "awaiting approval: extension to 2022-12-31"]
