"""Issue 3: import of tasks, units and documents as offices export them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tests.support import nqtrack_executable, query, show_json, start_paused

HEADER = "Mã nhiệm vụ,Văn bản,Nội dung nhiệm vụ,Nguồn giao,Đơn vị chủ trì,Đơn vị phối hợp,Người thực hiện,Ngày giao,Thời hạn,Sản phẩm,Trạng thái,Ngày hoàn thành,Ghi chú"
ROWS = [
    "NV-1,07-NQ/ĐUK,Xây dựng kế hoạch thực hiện Nghị quyết,Lãnh đạo Bộ,Văn phòng Bộ,Vụ Tổ chức cán bộ; Thanh tra Bộ,Nguyễn Văn An,03/04/2022,30/06/2022,Kế hoạch,Hoàn thành,28/06/2022,",
    "NV-2,07-NQ/ĐUK,Sơ kết 5 năm thực hiện Nghị quyết,Chính phủ,Vụ Tổ chức cán bộ,,Trần Thị Bình,05/04/2022,Quý III/2022,Báo cáo,Đang thực hiện,,Đã xin ý kiến",
    "NV-3,15-NQ/TW,Rà soát văn bản quy phạm pháp luật,Thủ tướng Chính phủ,Thanh tra Bộ,Văn phòng Bộ,,10/05/2022,Thường xuyên,Báo cáo,Chưa thực hiện,,",
]


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """What a Vietnamese Windows program writes: base letters precomposed, tones combining."""
    import unicodedata

    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS)) + tones)
    return "".join(out).encode("cp1258")


def tasks_csv(rows=ROWS, header=HEADER) -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def db_state(db: Path | str):
    return {t: query(db, f"SELECT * FROM {t} ORDER BY 1, 2") for t in ("units", "unit_keys", "documents", "tasks", "task_units", "events")}


@pytest.fixture
def with_units(cli, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("Mã đơn vị,Tên đơn vị,Đơn vị cấp trên,Tên khác\nVP,Văn phòng Bộ,,Văn phòng\nTCCB,Vụ Tổ chức cán bộ,,Vụ TCCB\nTTR,Thanh tra Bộ,VP,Thanh tra\n", encoding="utf-8-sig")
    out = cli("import", str(units), "--kind", "units").stdout
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 rejected." in out
    return cli


def check_three_tasks(cli):
    data = json.loads(cli("list", "--format", "json").stdout)
    assert [(t["code"], t["lead_unit"], t["state"]) for t in data] == [
        ("NV-1", "Văn phòng Bộ", "done"), ("NV-2", "Vụ Tổ chức cán bộ", "in_progress"), ("NV-3", "Thanh tra Bộ", "new")]
    first = show_json(cli, "NV-1")["task"]
    assert first["assigned_on"] == "2022-04-03"  # 03/04/2022 is the 3rd of April
    assert (first["deadline"], first["completed_on"]) == ("2022-06-30", "2022-06-28")
    assert first["coordinating_units"] == "Vụ Tổ chức cán bộ; Thanh tra Bộ"
    second = show_json(cli, "NV-2")["task"]
    assert (second["deadline"], second["deadline_text"]) == ("2022-09-30", "Quý III/2022")
    third = show_json(cli, "NV-3")["task"]
    assert (third["deadline"], third["recurring"]) == (None, True)


@pytest.mark.parametrize(
    "name, make",
    [
        ("utf8-bom-comma.csv", lambda text: text.encode("utf-8-sig")),
        ("utf8-semicolon.csv", lambda text: "\n".join(
            ";".join(f.replace("; ", ", ") for f in line.split(",")) for line in text.split("\n")).encode("utf-8")),
        ("cp1258.csv", lambda text: cp1258_bytes(text)),
        ("unicode-text.txt", lambda text: text.replace(",", "\t").replace("; ", ";").encode("utf-16")),
    ],
)
def test_text_formats(with_units, tmp_path, name, make):
    text = tasks_csv()
    path = tmp_path / name
    path.write_bytes(make(text))
    out = with_units("import", str(path)).stdout
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 rejected." in out
    assert "New documents (2): 07-NQ/ĐUK, 15-NQ/TW" in out
    check_three_tasks(with_units)


def test_xlsx_with_title_rows_and_excel_dates(with_units, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["PHỤ LỤC"])
    ws.merge_cells("A1:M1")
    ws.append(["DANH MỤC NHIỆM VỤ NĂM 2022"])
    ws.append([])
    ws.append(HEADER.split(","))
    for row in ROWS:
        cells = row.split(",")
        for i in (7, 8, 11):
            if cells[i] and cells[i][0].isdigit():
                d, m, y = map(int, cells[i].split("/"))
                cells[i] = datetime(y, m, d)
        ws.append(cells)
    for cell in ws["H"] + ws["I"] + ws["L"]:
        cell.number_format = "dd/mm/yyyy"
    path = tmp_path / "register.xlsx"
    wb.save(path)
    out = with_units("import", str(path), "--sheet", "phu luc").stdout
    assert "3 rows: 3 created" in out
    check_three_tasks(with_units)
    assert show_json(with_units, "NV-1")["task"]["deadline_text"] is None  # a real date, no text


def test_tcvn3_cells_mixed_with_unicode(with_units, tmp_path):
    tcvn3_title = "Tæng kÕt c«ng t¸c n¨m 2022"  # "Tổng kết công tác năm 2022" typed with .VnTime
    rows = ROWS[:2] + [ROWS[2].replace("Rà soát văn bản quy phạm pháp luật", tcvn3_title)]
    path = tmp_path / "mixed.csv"
    path.write_text(tasks_csv(rows), encoding="utf-8")
    out = with_units("import", str(path)).stdout
    assert "1 cells typed in TCVN3 or VNI were converted to Unicode." in out
    assert show_json(with_units, "NV-3")["task"]["title"] == "Tổng kết công tác năm 2022"


def test_unaccented_english_and_mapped_headers(with_units, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(
        "STT,Ma nhiem vu,Noi dung nhiem vu,Don vi chu tri,Thoi han,Tinh trang,Cot la\n"
        "1,A-1,Việc một,van phong bo,15/07/2022,dang thuc hien,x\n", encoding="utf-8")
    out = with_units("import", str(path)).stdout
    assert "Columns ignored: STT, Cot la" in out
    english = tmp_path / "english.csv"
    english.write_text("code,title,lead_unit,deadline,status,Hạn chót\nA-2,Việc hai,TCCB,,new,01/08/2022\n", encoding="utf-8")
    with_units("import", str(english), "--map", "Hạn chót=deadline")
    tasks = json.loads(with_units("list", "--format", "json").stdout)
    assert [(t["code"], t["lead_unit"], t["deadline"], t["state"]) for t in tasks] == [
        ("A-1", "Văn phòng Bộ", "2022-07-15", "in_progress"), ("A-2", "Vụ Tổ chức cán bộ", "2022-08-01", "new")]


def test_a_bad_row_stops_the_import_and_changes_nothing(with_units, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(tasks_csv(ROWS[:1]), encoding="utf-8")
    with_units("import", str(good))
    before = db_state(with_units.db)
    bad_rows = ROWS[1:] + [ROWS[1].replace("NV-2", "NV-4").replace("Quý III/2022", "31/02/2022").replace("Sơ kết", "Tổng kết")]
    bad = tmp_path / "bad.csv"
    bad.write_text(tasks_csv(bad_rows), encoding="utf-8")
    result = with_units("import", str(bad), expect=2)
    assert "row 3 (line 4), column 'Thời hạn': '31/02/2022' is not a deadline: 31/02/2022 does not exist" in result.output
    assert "1 invalid rows; nothing was imported." in result.output
    assert "Traceback" not in result.output
    assert db_state(with_units.db) == before
    vi = with_units("import", str(bad), lang="vi", expect=2).output
    assert "dòng 3 (dòng 4 của tệp), cột 'Thời hạn'" in vi


def test_same_file_twice_changes_nothing(with_units, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(tasks_csv(), encoding="utf-8-sig")
    with_units("import", str(path))
    before = db_state(with_units.db)
    out = with_units("import", str(path)).stdout
    assert "3 rows: 0 created, 0 updated, 3 unchanged, 0 rejected." in out
    assert db_state(with_units.db) == before


@pytest.mark.parametrize("kept", [None, 1, 2], ids=["marks-in-memory", "every-mark-written", "runs-of-two"])
def test_a_row_the_file_repeats_is_named_with_the_row_it_repeats(with_units, tmp_path, monkeypatch, kept):
    """The same task twice in one file (the same document and title, as folded; or the same
    code): refused with the row it repeats, or left out with --skip-invalid. The import keeps
    a 16-byte mark of each row's key, not the key (importer._row_mark), in bounded memory
    (importing.marks): the same answers with the marks written to its file from the first
    row, or two at a time, as with all of them in memory."""
    if kept is not None:
        from nqtrack.importing.marks import RowMarks

        monkeypatch.setattr(RowMarks, "BUFFER", kept)
    path = tmp_path / "t.csv"
    path.write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Văn bản,Thời hạn\n"
                    ",Báo cáo quý I,Văn phòng Bộ,07-NQ/ĐUK,31/03/2024\n"
                    ",Kiểm tra,Văn phòng Bộ,,31/03/2024\n"
                    ",BÁO CÁO QUÝ I,Văn phòng Bộ,07-NQ/ĐUK,30/06/2024\n"  # the first row again
                    ",Báo cáo quý I,Văn phòng Bộ,,31/03/2024\n"  # another task: no document
                    ",Báo cáo quý I,Văn phòng Bộ,08-NQ/ĐUK,31/03/2024\n"  # another: another document
                    "NV-9,Kiểm tra,Vụ Tổ chức cán bộ,,31/03/2024\n"  # another: a code
                    "NV-9,Kiểm tra lại,Thanh tra Bộ,,31/03/2024\n", encoding="utf-8")  # that code again
    refused = with_units("import", str(path), expect=2)
    assert "row 3 (line 4): the same task as row 1" in refused.output
    assert "row 7 (line 8): the same task as row 6" in refused.output
    assert json.loads(with_units("list", "--format", "json").stdout) == []
    rejects = tmp_path / "rejects.csv"
    out = with_units("import", str(path), "--skip-invalid", "--rejects", str(rejects)).stdout
    assert "7 rows: 5 created, 0 updated, 0 unchanged, 2 rejected." in out
    assert [(t["code"], t["title"], t["document"]) for t in json.loads(with_units("list", "--format", "json").stdout)] == [
        (None, "Báo cáo quý I", "07-NQ/ĐUK"), (None, "Kiểm tra", None), (None, "Báo cáo quý I", None),
        (None, "Báo cáo quý I", "08-NQ/ĐUK"), ("NV-9", "Kiểm tra", None)]


def test_an_import_whose_scratch_file_cannot_be_written_says_so_and_writes_nothing(with_units, tmp_path,
                                                                                     monkeypatch):
    """The marks of a large file's rows go to a scratch file (importing.marks): a temporary
    folder that cannot take it is one line and exit 74, and the import writes nothing."""
    import tempfile

    from nqtrack.importing.marks import RowMarks

    monkeypatch.setattr(RowMarks, "BUFFER", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    path = tmp_path / "t.csv"
    path.write_text(tasks_csv(), encoding="utf-8-sig")
    refused = with_units("import", str(path), expect=74)
    assert refused.output == f"Error: cannot write {tmp_path / 'gone'}: No such file or directory\n"
    assert json.loads(with_units("list", "--format", "json").stdout) == []


def test_changed_rows_update_with_one_event_per_field(with_units, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(tasks_csv(), encoding="utf-8")
    with_units("import", str(path))
    changed = [ROWS[0], ROWS[1].replace("Đang thực hiện,,", "Hoàn thành,20/09/2022,").replace("Trần Thị Bình", "Lê Văn Cường"), ROWS[2]]
    path.write_text(tasks_csv(changed), encoding="utf-8")
    out = with_units("import", str(path)).stdout
    assert "3 rows: 0 created, 1 updated, 2 unchanged, 0 rejected." in out
    history = show_json(with_units, "NV-2")["history"]
    imported = [(h["field"], h["old_value"], h["new_value"], h["effective_on"]) for h in history[1:]]
    assert imported == [
        ("assignee", "Trần Thị Bình", "Lê Văn Cường", "2022-11-15"),
        ("state", "in_progress", "done", "2022-09-20"),
        ("completed_on", None, "2022-09-20", "2022-09-20"),
    ]


def test_rows_without_code_match_by_document_and_title(with_units, tmp_path):
    path = tmp_path / "nocode.csv"
    path.write_text("Văn bản,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n07-NQ/ĐUK,Báo cáo quý,VP,30/06/2022\n", encoding="utf-8")
    with_units("import", str(path))
    path.write_text("Văn bản,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n07-NQ/ĐUK,  BÁO CÁO QUÝ ,VP,30/09/2022\n", encoding="utf-8")
    out = with_units("import", str(path)).stdout
    assert "1 rows: 0 created, 1 updated" in out
    assert show_json(with_units, "1")["task"]["deadline"] == "2022-09-30"


def test_dry_run_skip_invalid_and_rejects(with_units, tmp_path):
    rows = ROWS + ["NV-5,07-NQ/ĐUK,Việc hỏng,Chính phủ,Văn phòng Bộ,,,ngày 40/1/2022,30/06/2022,,,,"]
    path = tmp_path / "t.csv"
    path.write_text(tasks_csv(rows), encoding="utf-8")
    before = db_state(with_units.db)
    dry = with_units("import", str(path), "--dry-run", "--skip-invalid", "--rejects", str(tmp_path / "r.csv")).stdout
    assert "Dry run: nothing was written." in dry and "4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected." in dry
    assert db_state(with_units.db) == before
    rejects = tmp_path / "rejects.csv"
    out = with_units("import", str(path), "--skip-invalid", "--rejects", str(rejects)).stdout
    assert "4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected." in out
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",Reason")
    assert lines[1].startswith("NV-5,07-NQ/ĐUK,Việc hỏng")
    assert "column 'Ngày giao'" in lines[1] and "ngày 40/1/2022" in lines[1]
    assert len(lines) == 2


def test_strict_units_and_new_units(with_units, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(tasks_csv([ROWS[0].replace("Văn phòng Bộ,", "Cục Mới Lập,")]), encoding="utf-8")
    strict = with_units("import", str(path), "--strict-units", expect=2)
    assert "unknown unit 'Cục Mới Lập' (--strict-units)" in strict.output
    out = with_units("import", str(path)).stdout
    assert "New units (1): Cục Mới Lập" in out


def test_units_and_documents_files(cli, tmp_path):
    units = tmp_path / "u.csv"
    units.write_text("Mã đơn vị,Tên đơn vị,Đơn vị cấp trên\nCON,Phòng Con,MEO\nMEO,Cục Mẹ,\n", encoding="utf-8")
    cli("import", str(units), "--kind", "units")
    listed = json.loads(cli("unit", "list", "--format", "json").stdout)
    assert [(u["code"], u["parent"]) for u in listed] == [("MEO", None), ("CON", "Cục Mẹ")]  # by name: Cục < Phòng
    docs = tmp_path / "d.csv"
    docs.write_text("Số ký hiệu,Ngày ban hành,Trích yếu,Thực hiện văn bản\n1234/QĐ-BTP,15/03/2022,Kế hoạch,15-NQ/TW\n15-NQ/TW,01/01/2022,Nghị quyết,\n", encoding="utf-8")
    cli("import", str(docs), "--kind", "documents")
    rows = json.loads(cli("doc", "list", "--format", "json").stdout)
    assert {(d["symbol"], d["parent_symbol"], d["issued_on"]) for d in rows} == {
        ("1234/QĐ-BTP", "15-NQ/TW", "2022-03-15"), ("15-NQ/TW", None, "2022-01-01")}


def test_read_errors_are_one_clear_line(cli, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = cli("import", str(empty), expect=2)
    assert "cannot import" in result.output and "empty" in result.output
    missing = cli("import", str(tmp_path / "nope.xlsx"), expect=2)
    assert "no such file" in missing.output
    no_title = tmp_path / "x.csv"
    no_title.write_text("Mã,Ghi chú\n1,a\n", encoding="utf-8")
    assert "no column for 'Nội dung'" in cli("import", str(no_title), expect=2).output


def test_stdin(with_units):
    result = with_units.runner.invoke(
        __import__("nqtrack.cli", fromlist=["app"]).app,
        ["--db", str(with_units.db), "--lang", "en", "--today", "2022-11-15", "import", "-"],
        input=tasks_csv().encode("utf-8"),
    )
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 created" in result.output


def test_sigkill_in_the_middle_of_a_large_import(tmp_path, register_location, engine):
    db = register_location
    env = {"PATH": os.environ.get("PATH", ""), "NQTRACK_DB": str(db), "NQTRACK_TODAY": "2022-11-15", "NQTRACK_LANG": "en"}
    exe = nqtrack_executable()
    small = tmp_path / "small.csv"
    small.write_text(tasks_csv(), encoding="utf-8")
    assert subprocess.run(exe + ["import", str(small), "--create"], env=env, capture_output=True).returncode == 0
    before = db_state(db)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for i in range(60000):
            f.write(f"K-{i},07-NQ/ĐUK,Nhiệm vụ số {i},Chính phủ,Đơn vị {i % 40},,,01/02/2022,30/06/2022,,,,\n")
    # stopped once its first batch of rows is written, inside the transaction
    proc = start_paused(["import", str(big)], "import-batch", env=env)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert db_state(db) == before
    if engine == "sqlite":  # the server keeps its own files whole
        assert query(db, "PRAGMA integrity_check")[0][0] == "ok"


def test_a_document_an_earlier_batch_wrote_is_found_again(with_units, tmp_path, monkeypatch):
    """A symbol new to the register, its document written by an earlier batch of the same
    import: a later row naming it without a date is that document, not a second one (the
    importer's list of the register's symbols, which spares the queries, is kept up to date)."""
    from nqtrack.importing.importer import Importer

    monkeypatch.setattr(Importer, "BATCH", 1)
    path = tmp_path / "docs.csv"
    path.write_text("Mã nhiệm vụ,Văn bản,Ngày ban hành,Nội dung nhiệm vụ,Đơn vị chủ trì\n"
                    "NV-1,12/KH-BTP,05/01/2022,Kế hoạch một,VP\n"
                    "NV-2,12/KH-BTP,,Kế hoạch hai,VP\n"
                    "NV-3,07-NQ/ĐUK,,Nghị quyết ba,VP\n", encoding="utf-8")
    out = with_units("import", str(path)).stdout
    assert "3 rows: 3 created" in out
    first, second, third = (show_json(with_units, code)["task"] for code in ("NV-1", "NV-2", "NV-3"))
    assert first["document"] == second["document"] == "12/KH-BTP"  # one document of that symbol
    assert third["document"] == "07-NQ/ĐUK"
    assert "(2): 12/KH-BTP@05/01/2022, 07-NQ/ĐUK" in out  # two new documents, not three
