"""Accent-insensitive, ranked search (issue 8): FTS5 over folded text, kept in step by the store."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def office(cli):
    cli("unit", "add", "Đảng ủy Bộ", "--code", "DUB")
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017", "--type", "Nghị quyết", "--title", "Về nâng cao chất lượng sinh hoạt chi bộ")
    cli("assign", "Xây dựng kế hoạch thực hiện", "--doc", "07-NQ/ĐUK", "--lead", "VP", "--code", "A", today="2022-01-10")
    cli("assign", "Báo cáo Đảng ủy về công tác cán bộ", "--lead", "DUB", "--code", "B", "--to", "Nguyễn Thị Hoà", today="2022-01-10")
    cli("assign", "Hòa giải ở cơ sở", "--lead", "VP", "--code", "C", "--product", "Báo cáo tổng kết", today="2022-01-10")
    cli("assign", "Kiểm tra thủy lợi", "--lead", "VP", "--code", "D", today="2022-01-10")
    return cli


def search(cli, text):
    return [t["code"] for t in json.loads(cli("list", "--search", text, "--format", "json").stdout)]


@pytest.mark.parametrize(
    "text, codes",
    [
        ("nghi quyet 07", ["A"]),  # the document's type and symbol are searched too
        ("07-NQ/ĐUK", ["A"]),
        ("dang uy", ["B"]),
        ("ĐẢNG ỦY", ["B"]),
        ("hoa", ["C", "B"]),  # "Hòa giải" in a title ranks before "Hoà" in an assignee's name
        ("hoà", ["C", "B"]),
        ("thuy loi", ["D"]),
        ("thuỷ", ["D"]),  # old tone placement
        ("bao cao tong ket", ["C"]),  # the product
        ("chat luong sinh hoat", ["A"]),  # the document's title
        ("khong co gi", []),
        ("!!!", []),
    ],
)
def test_search_ignores_accents_case_and_tone_placement(office, text, codes):
    assert sorted(search(office, text)) == sorted(codes)
    if len(codes) > 1:
        assert search(office, text) == codes


def test_search_follows_changes(office):
    office("update", "D", "--note", "không đổi tiêu đề")
    office("update", "D", "--product", "Đề án đê điều")
    assert search(office, "de dieu") == ["D"]
    office("assign", "D", "--to", "Trần Văn Bảy", "--lead", "VP")
    assert search(office, "tran van bay") == ["D"]


def test_search_follows_corrections_of_titles_and_documents(office):
    """A title or a document's words corrected: the search finds the new words, not the old,
    and check finds the index as the tasks' text (on SQLite, where the index keeps no copy of
    the text, a row leaves it by the text made of the columns before they change)."""
    office("edit", "A", "--title", "Lập đề án chuyển đổi số", "--reason", "Gõ nhầm")
    office("doc", "edit", "07-NQ/ĐUK", "--title", "Về công tác kiểm tra, giám sát")
    office("edit", "C", "--doc", "07-NQ/ĐUK", "--reason", "Thiếu văn bản")
    assert search(office, "chuyen doi so") == ["A"]
    assert search(office, "xay dung ke hoach") == []
    assert sorted(search(office, "kiem tra giam sat")) == ["A", "C"]
    assert search(office, "chat luong sinh hoat") == []
    assert json.loads(office("check", "--format", "json").stdout) == {"ok": True, "problems": []}


def test_search_is_the_same_after_a_restore(office, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a server's register keeps the one it replaces
    backup = tmp_path / "sao-luu.db"
    office("backup", str(backup))
    office("edit", "D", "--title", "Kiểm tra đê điều", "--reason", "Gõ nhầm")
    office("restore", str(backup))
    assert search(office, "thuy loi") == ["D"]
    assert search(office, "de dieu") == []
    assert json.loads(office("check", "--format", "json").stdout) == {"ok": True, "problems": []}
