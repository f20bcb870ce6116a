"""Issue 13, "text is never misread", through `import` itself: a UTF-8 file with one invalid
byte on row 300 and a file with an unterminated quote each stop with one line naming where
(line, and byte offset for the byte) and what to do, exit 2, and write nothing."""

import json

import pytest

ROWS = ["Mã nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Thời hạn"] + [
    f"X{i},Báo cáo tình hình số {i},VP,15/12/2022" for i in range(1, 400)]


@pytest.fixture
def office(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "Việc đã có", "--lead", "VP", "--due", "30/11/2022")
    return cli


def register_now(cli) -> list:
    return json.loads(cli("list", "--all", "--format", "json").stdout)


def test_one_invalid_byte_on_row_300_stops_with_the_line_the_byte_and_the_encoding_hint(office, tmp_path):
    lines = "\n".join(ROWS).encode("utf-8").split(b"\n")
    lines[300] = lines[300].replace("Báo".encode(), b"B\xe1o")  # one cp1258 byte in a UTF-8 file
    bad = tmp_path / "bao-cao.csv"
    bad.write_bytes(b"\n".join(lines))
    offset = len(b"\n".join(lines[:300])) + 1 + len(lines[300].split(b"\xe1")[0])
    before = register_now(office)
    out = office("import", str(bad), expect=2).output
    assert out.strip() == (
        f"Error: cannot import: cannot read '{bad}': the byte 0xe1 at line 301 (byte offset {offset}) is not "
        "valid UTF-8; if the file is in another encoding, name it with --encoding (e.g. --encoding cp1258)")
    vi = office("import", str(bad), lang="vi", expect=2).output
    assert "0xe1" in vi and "301" in vi and "--encoding" in vi and vi.startswith("Lỗi:")
    assert register_now(office) == before


def test_an_unterminated_quote_stops_with_its_line_instead_of_swallowing_the_rows(office, tmp_path):
    rows = list(ROWS)
    rows[10] = 'X10,"Báo cáo chưa đóng ngoặc,VP,15/12/2022'
    bad = tmp_path / "ngoac.csv"
    bad.write_text("\n".join(rows), encoding="utf-8")
    before = register_now(office)
    out = office("import", str(bad), expect=2).output
    assert out.strip() == (
        f"Error: cannot import: cannot read '{bad}': the quote that opens on line 11 is never closed: it runs to "
        'the end of the file; close it, or double it ("") if it is part of the text')
    assert register_now(office) == before
