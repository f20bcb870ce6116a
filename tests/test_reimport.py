"""Issue 14: a re-import never undoes newer work (core/reimport.py), and a listing exported
for editing imports back without changes."""

from __future__ import annotations

import json

import pytest

from nqtrack.core.reimport import reconcile
from tests.support import batch_of, query

HEADER = "Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Ngày giao,Thời hạn,Trạng thái,Ngày hoàn thành,Người thực hiện\n"
OCTOBER = HEADER + (
    "NV-1,Báo cáo quý III,Văn phòng Bộ,01/09/2022,15/10/2022,Đang thực hiện,,Chị Lan\n"
    "NV-2,Kế hoạch năm 2023,Văn phòng Bộ,05/09/2022,Quý IV/2022,Đang thực hiện,,Anh Nam\n"
    "NV-3,Tổng kết Nghị quyết,Thanh tra Bộ,10/09/2022,31/10/2022,Chưa thực hiện,,\n")


@pytest.fixture
def imported(cli, tmp_path):
    path = tmp_path / "thang-10.csv"
    path.write_text(OCTOBER, encoding="utf-8")
    cli("import", str(path), today="2022-10-01")
    return cli, path


def task(cli, code):
    return json.loads(cli("show", code, "--format", "json").stdout)["task"]


@pytest.mark.parametrize("file, last, current, applied, kept, conflicts", [
    ({"title": "a"}, {"title": "a"}, {"title": "a"}, [], [], []),
    ({"title": "a"}, {"title": "a"}, {"title": "b"}, [], ["title"], []),  # the register changed it
    ({"title": "b"}, {"title": "a"}, {"title": "a"}, ["title"], [], []),  # the file changed it
    ({"title": "b"}, {"title": "a"}, {"title": "c"}, [], [], ["title"]),  # both
    ({"title": "b"}, None, {"title": "c"}, [], [], ["title"]),  # never imported: both may be newer
    ({"deadline": "2022-12-31", "deadline_text": "Quý IV/2022"}, {"deadline": "2022-12-31", "deadline_text": "Q4"},
     {"deadline": "2022-12-31", "deadline_text": "Q4"}, ["deadline"], [], []),  # decided together
])
def test_the_three_way_rule(file, last, current, applied, kept, conflicts):
    decision = reconcile(file, last, current)
    assert (decision.applied, decision.kept, decision.conflicts) == (applied, kept, conflicts)
    assert reconcile(file, last, current, prefer_file=True).applied == applied + conflicts


def test_an_extension_in_the_register_survives_the_old_file(imported):
    cli, path = imported
    cli("update", "NV-1", "--deadline", "31/10/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    cli("update", "NV-2", "--state", "done", "--on", "2022-11-02", today="2022-11-03")
    out = cli("import", str(path), today="2022-11-05").output
    assert "3 rows: 0 created, 0 updated, 3 unchanged, 0 rejected." in out
    assert "0 changed in the file and applied, 2 changed in the register since the last import and kept, " \
           "0 changed in both." in out
    assert (task(cli, "NV-1")["deadline"], task(cli, "NV-1")["original_deadline"]) == ("2022-10-31", "2022-10-15")
    assert (task(cli, "NV-2")["state"], task(cli, "NV-2")["completed_on"]) == ("done", "2022-11-02")


def test_a_field_edited_in_the_file_is_applied(imported):
    cli, path = imported
    cli("update", "NV-1", "--deadline", "31/10/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    path.write_text(OCTOBER.replace("Anh Nam", "Chị Hoa").replace("Chưa thực hiện", "Đang thực hiện"),
                    encoding="utf-8")
    out = cli("import", str(path), today="2022-11-05").output
    assert "3 rows: 0 created, 2 updated, 1 unchanged, 0 rejected." in out
    assert "2 changed in the file and applied, 1 changed in the register since the last import and kept" in out
    assert task(cli, "NV-2")["assignee"] == "Chị Hoa" and task(cli, "NV-3")["state"] == "in_progress"
    assert task(cli, "NV-1")["deadline"] == "2022-10-31"  # the extension stays


def test_a_field_changed_in_both_is_a_conflict_and_prefer_file_takes_the_file(imported):
    cli, path = imported
    cli("update", "NV-1", "--deadline", "31/10/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    path.write_text(OCTOBER.replace("15/10/2022", "20/10/2022"), encoding="utf-8")
    vi = cli("import", str(path), "--dry-run", lang="vi", today="2022-11-05").output
    assert "nhiệm vụ 1 (NV-1), Thời hạn (nguyên văn): sổ theo dõi 31/10/2022, tệp 20/10/2022" in vi
    out = cli("import", str(path), today="2022-11-05").output
    assert "0 changed in the file and applied, 0 changed in the register since the last import and kept, " \
           "1 changed in both." in out
    assert "Conflicts (the register's value kept; --prefer file takes the file's):" in out
    assert "task 1 (NV-1), Deadline as written: register 31/10/2022, file 20/10/2022" in out
    assert task(cli, "NV-1")["deadline"] == "2022-10-31"
    # once listed, the conflict is settled: the same file again keeps the register quietly
    assert "Conflicts" not in cli("import", str(path), today="2022-11-05").output
    path.write_text(OCTOBER.replace("15/10/2022", "25/10/2022"), encoding="utf-8")
    out = cli("import", str(path), "--prefer", "file", today="2022-11-05").output
    assert "Conflicts (the file's value taken, --prefer file):" in out
    assert task(cli, "NV-1")["deadline"] == "2022-10-25"
    history = json.loads(cli("show", "NV-1", "--format", "json").stdout)["history"]
    assert [(h["kind"], h["field"], h["new_value"]) for h in history[-2:]] == [
        ("imported", "deadline", "2022-10-25"), ("imported", "deadline_text", "25/10/2022")]


def test_a_listing_exported_for_editing_imports_back_without_changes(imported, tmp_path):
    cli, _path = imported
    cli("doc", "add", "2345/UBND-TH", "--issued-on", "10/03/2023")
    cli("doc", "add", "2345/UBND-TH", "--issued-on", "12/05/2024")
    cli("assign", "Việc năm 2024", "--lead", "Văn phòng Bộ", "--doc", "2345/UBND-TH@12/05/2024", "--due", "Quý III/2023")
    cli("assign", "Việc thường xuyên", "--lead", "Thanh tra Bộ", "--due", "Thường xuyên", "--with", "Văn phòng Bộ")
    cli("update", "NV-3", "--state", "done", "--on", "2022-10-20", "--progress", "100")
    listing = tmp_path / "danh-sach.csv"
    listing.write_text(cli("list", "--format", "csv").stdout, encoding="utf-8")
    assert "Quý III/2023" in listing.read_text(encoding="utf-8")
    before = cli("export", "-", "--format", "json").stdout
    out = cli("import", str(listing)).output
    assert "5 rows: 0 created, 0 updated, 5 unchanged, 0 rejected." in out
    after = cli("export", "-", "--format", "json").stdout
    events = lambda text: json.loads(text)["events"]  # noqa: E731
    assert events(after) == events(before)
    # the same listing with the Vietnamese headers an office would give it
    vietnamese = {"code": "Mã nhiệm vụ", "title": "Nội dung nhiệm vụ", "document": "Văn bản",
                  "lead_unit": "Đơn vị chủ trì", "deadline": "Thời hạn", "deadline_text": "Thời hạn (nguyên văn)",
                  "state": "Trạng thái", "progress": "Tiến độ", "completed_on": "Ngày hoàn thành", "id": "Số"}
    head, _, rest = listing.read_text(encoding="utf-8").partition("\n")
    listing.write_text(",".join(vietnamese[h] for h in head.split(",")) + "\n" + rest, encoding="utf-8")
    assert "5 rows: 0 created, 0 updated, 5 unchanged, 0 rejected." in cli("import", str(listing)).output
    assert events(cli("export", "-", "--format", "json").stdout) == events(before)


def test_what_an_import_brought_is_read_from_the_journal_until_a_reimport_writes_it(imported):
    """A task created by an import has no import_provenance row (a large import writes nothing
    more): its journal says what the import brought, the same values a re-import keeps."""
    from nqtrack.store import open_store

    cli, path = imported
    assert query(cli.db, "SELECT count(*) FROM import_provenance") == [(0,)]
    store = open_store(str(cli.db))
    from_journal = {task_id: store.import_provenance(task_id) for task_id in (1, 2, 3)}
    store.close()
    path.write_text(OCTOBER.replace("Anh Nam", "Chị Hoa").replace(",Chưa thực hiện,,", ",Hoàn thành,20/10/2022,"),
                    encoding="utf-8")
    cli("import", str(path), today="2022-11-05")
    written = {r[0]: json.loads(r[1]) for r in query(cli.db, "SELECT task_id, fields FROM import_provenance")}
    assert set(written) == {1, 2, 3}
    unchanged = {"title", "lead_unit_id", "assigned_on", "deadline", "deadline_text", "code"}
    for task_id, fields in written.items():
        assert {k: from_journal[task_id][k] for k in unchanged} == {k: fields[k] for k in unchanged}, task_id
    assert (written[2]["assignee"], from_journal[2]["assignee"]) == ("Chị Hoa", "Anh Nam")
    assert (written[3]["state"], from_journal[3]["state"]) == ("done", "new")
    assert "3 rows: 0 created, 0 updated, 3 unchanged" in cli("import", str(path), today="2022-11-05").output


def test_a_reimport_is_journaled_shown_undone_and_leaves_reports_sent_before_it(imported):
    cli, path = imported
    sent = json.loads(cli("report", "--month", "2022-10", "--format", "json", "--known-on", "2022-11-01",
                          today="2022-11-20").stdout)
    path.write_text(OCTOBER.replace("15/10/2022", "15/11/2022"), encoding="utf-8")  # the office moved it
    batch = batch_of(cli("import", str(path), today="2022-11-05").output)
    history = json.loads(cli("show", "NV-1", "--format", "json").stdout)["history"]
    assert [(h["kind"], h["field"], h["new_value"]) for h in history[-2:]] == [
        ("imported", "deadline", "2022-11-15"), ("imported", "deadline_text", "15/11/2022")]
    assert "Thời hạn" in cli("show", "NV-1", lang="vi").stdout
    again = json.loads(cli("report", "--month", "2022-10", "--format", "json", "--known-on", "2022-11-01",
                           today="2022-11-20").stdout)
    assert again == sent
    cli("undo", "--batch", batch, today="2022-11-05")
    assert task(cli, "NV-1")["deadline"] == "2022-10-15"
