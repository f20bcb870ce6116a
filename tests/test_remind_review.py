"""Issue 9 through the command line: remind (đôn đốc) and review (rà soát)."""

from __future__ import annotations

import json

import pytest

from tests.support import local_smtp_server


@pytest.fixture
def office(cli):
    cli("config", "office", "Bộ Tư pháp / Văn phòng Bộ")
    cli("config", "place", "Hà Nội")
    cli("config", "number", "…/VP-TH")
    cli("config", "signer", "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG / Nguyễn Văn An")
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP", "--email", "vp@example.gov.vn")
    cli("unit", "add", "Vụ Pháp chế", "--code", "PC")
    cli("unit", "email", "PC", "phapche@example.gov.vn")
    cli("unit", "add", "Thanh tra Bộ", "--code", "TTR")
    cli("doc", "add", "15-NQ/TW", "--issued-on", "01/01/2022", "--type", "Nghị quyết")
    cli("doc", "add", "1234/QĐ-BTP", "--issued-on", "15/03/2022", "--implements", "15-NQ/TW")
    cli("doc", "add", "56/KH-BTP", "--issued-on", "01/04/2022", "--implements", "15-NQ/TW")
    cli("doc", "add", "82-KL/TW", "--issued-on", "01/05/2022")
    new = lambda title, *a: cli("assign", title, "--assigned-on", "2022-09-01", *a, today="2022-09-01")  # noqa: E731
    new("Báo cáo sơ kết", "--doc", "1234/QĐ-BTP", "--lead", "VP", "--with", "PC", "--due", "31/10/2022", "--code", "A")
    new("Dự thảo quy chế", "--doc", "1234/QĐ-BTP", "--lead", "PC", "--due", "18/11/2022", "--code", "B")
    new("Kế hoạch năm", "--doc", "56/KH-BTP", "--lead", "VP", "--due", "30/09/2022", "--code", "C")
    new("Hội nghị", "--doc", "15-NQ/TW", "--lead", "TTR", "--due", "20/12/2022", "--code", "D")
    new("Đã hủy", "--doc", "56/KH-BTP", "--lead", "TTR", "--due", "01/10/2022", "--code", "E")
    new("Tạm dừng chờ luật", "--doc", "15-NQ/TW", "--lead", "TTR", "--due", "30/12/2022", "--code", "F")
    cli("update", "C", "--state", "done", "--on", "2022-09-28", today="2022-09-28")
    cli("update", "D", "--state", "in_progress", today="2022-10-01")
    cli("update", "E", "--state", "cancelled", today="2022-10-01")
    cli("update", "F", "--state", "paused", today="2022-10-01")
    return cli


def test_remind_markdown_files_and_journal(office, tmp_path):
    out = office("remind", "--output-dir", str(tmp_path / "notices"), lang="vi").stdout
    files = sorted(p.name for p in (tmp_path / "notices").iterdir())
    assert files == ["don-doc-PC-2022-11-15.md", "don-doc-VP-2022-11-15.md"]
    assert "2 văn bản đôn đốc; 2 nhiệm vụ được đôn đốc, đã ghi vào nhật ký." in out
    vp = (tmp_path / "notices" / "don-doc-VP-2022-11-15.md").read_text(encoding="utf-8")
    assert "Kính gửi: Văn phòng Bộ" in vp and "V/v đôn đốc thực hiện nhiệm vụ" in vp
    assert "Hà Nội, ngày 15 tháng 11 năm 2022" in vp
    assert "A: Báo cáo sơ kết" in vp and "1234/QĐ-BTP" in vp and "31/10/2022" in vp
    pc = (tmp_path / "notices" / "don-doc-PC-2022-11-15.md").read_text(encoding="utf-8")
    assert "B: Dự thảo quy chế" in pc  # due within 7 days
    assert "A: Báo cáo sơ kết" in pc  # coordinated by Vụ Pháp chế
    history = json.loads(office("show", "A", "--format", "json").stdout)["history"]
    assert history[-1]["kind"] == "reminded" and history[-1]["note"] == "Văn phòng Bộ; Vụ Pháp chế"
    report = json.loads(office("report", "--month", "2022-11", "--format", "json").stdout)
    assert report["workload"]["reminded"] == 2
    assert "đôn đốc" in office("show", "A", lang="vi").stdout


def test_remind_to_stdout_dry_run_and_one_unit(office, tmp_path):
    out = office("remind", "--unit", "PC", "--format", "text").stdout
    assert "Vụ Pháp chế" in out and "Văn phòng Bộ" not in out.split("\n")[0]
    dry = office("remind", "--output-dir", str(tmp_path / "n"), "--dry-run").stdout
    assert "Would write" in dry and not (tmp_path / "n").exists()
    events = json.loads(office("show", "B", "--format", "json").stdout)["history"]
    assert [e["kind"] for e in events].count("reminded") == 1  # only the text run recorded one
    assert "a DOCX notice needs --output-dir" in office("remind", "--format", "docx", expect=2).output


def test_remind_docx(office, tmp_path):
    docx = pytest.importorskip("docx")
    office("remind", "--unit", "VP", "--format", "docx", "--output-dir", str(tmp_path))
    document = docx.Document(str(tmp_path / "don-doc-VP-2022-11-15.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kính gửi: Văn phòng Bộ" in text or "To: Văn phòng Bộ" in text
    cells = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert any("Báo cáo sơ kết" in cell for row in cells for cell in row)


@pytest.fixture
def smtp_server():
    pytest.importorskip("aiosmtpd.controller")
    with local_smtp_server() as server:
        yield server


def test_remind_send_through_a_local_smtp_server(office, smtp_server):
    port, received = smtp_server
    for key, value in (("smtp_host", "127.0.0.1"), ("smtp_port", str(port)), ("smtp_starttls", "no"),
                       ("smtp_sender", "vanphong@example.gov.vn")):
        office("config", key, value)
    dry = office("remind", "--send", "--dry-run").stdout
    assert "Would send: vp@example.gov.vn" in dry and "phapche@example.gov.vn" in dry
    assert received == []
    out = office("remind", "--send", lang="vi").stdout
    assert len(received) == 2
    assert sorted(tuple(e.rcpt_tos) for e in received) == [("phapche@example.gov.vn",), ("vp@example.gov.vn",)]
    import email
    from email.header import decode_header, make_header

    subjects = sorted(str(make_header(decode_header(email.message_from_bytes(e.content)["Subject"]))) for e in received)
    assert subjects == ["V/v đôn đốc thực hiện nhiệm vụ — Văn phòng Bộ", "V/v đôn đốc thực hiện nhiệm vụ — Vụ Pháp chế"]
    assert "Đã gửi: " in out


def review_json(cli, *args):
    return json.loads(cli("review", "--format", "json", *args).stdout)


def test_review_figures_with_roll_up(office):
    data = review_json(office)
    docs = {d["symbol"]: d for d in data["documents"]}
    assert [(d["symbol"], d["depth"]) for d in data["documents"]] == [
        ("15-NQ/TW", 0), ("1234/QĐ-BTP", 1), ("56/KH-BTP", 1), ("82-KL/TW", 0)]
    parent = docs["15-NQ/TW"]  # its own tasks D (in progress) and F (paused), and A, B, C, E of the two plans
    assert {k: parent[k] for k in ("total", "done_on_time", "done_late", "open_in_time", "overdue", "cancelled")} == {
        "total": 6, "done_on_time": 1, "done_late": 0, "open_in_time": 3, "overdue": 1, "cancelled": 1}
    assert (parent["percent_done"], parent["status"]) == (20.0, "in_progress")
    assert (docs["56/KH-BTP"]["status"], docs["56/KH-BTP"]["percent_done"]) == ("done", 100.0)
    assert (docs["82-KL/TW"]["status"], docs["82-KL/TW"]["total"]) == ("not_started", 0)
    assert [(t["issuer"], t["documents"], t["total"]) for t in data["by_issuer"]] == [("BTP", 2, 4), ("TW", 2, 2)]
    only_tw = review_json(office, "--issuer", "tw")
    assert [d["symbol"] for d in only_tw["documents"]] == ["15-NQ/TW", "82-KL/TW"]
    assert only_tw["documents"][0]["total"] == 2  # its plans are filtered out, so nothing rolls up
    table = office("review", lang="vi").stdout
    assert "↳ 1234/QĐ-BTP" in table and "chưa triển khai" in table and "20,0 %" in table


def test_review_csv_header(office):
    lines = office("review", "--format", "csv").stdout.splitlines()
    assert lines[0] == "id,symbol,parent,depth,type,issuer,issued_on,title,total,done_on_time,done_late,open_in_time,overdue,cancelled,percent_done,status"
    assert lines[1].startswith("1,15-NQ/TW,,0,Nghị quyết,TW,2022-01-01,")
