"""Files made to hurt the reader: it returns a table or raises ReadError, nothing else,
and never takes the machine down with it (issue 13, "Trust")."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqtrack.importing import reader
from nqtrack.importing.reader import ReadError, read_table

# ---------------------------------------------------------------- workbooks written by hand
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_data(cells: Iterable[tuple[str, str]]) -> str:
    """Inline-string cells by reference, in rows."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        rows.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>')
    return "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))


def worksheet(data: str, dimension: str | None = None) -> str:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{head}<sheetData>{data}</sheetData></worksheet>'


def workbook(sheets: dict[str, str], shared: list[str] | None = None) -> bytes:
    """An XLSX package: sheet name → worksheet XML, and shared strings if any."""
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared is not None:
        rels += f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{entries}</sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE_RELS}">{rels}</Relationships>')
        for i, xml in enumerate(sheets.values(), start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared is not None:
            items = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
            zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(shared)}">{items}</sst>')
    return out.getvalue()


HEADER = [("A1", "Mã"), ("B1", "Nội dung"), ("A2", "NV1"), ("B2", "Báo cáo quý")]


def in_small_memory(path: Path, limit: int = 1 << 30) -> subprocess.CompletedProcess[str]:
    """Read `path` in a child process that may not use more than `limit` bytes of memory.

    calamine aborts the whole process when an allocation fails; in a child, that shows as
    a signal instead of taking pytest down with it.
    """
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
        from nqtrack.importing.reader import ReadError, read_table
        try:
            table = read_table({str(path)!r})
            print("rows", sum(1 for _ in table.rows))
        except ReadError as error:
            print("ReadError", error.message)
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


# ---------------------------------------------------------------- XLSX bounds
def test_cell_at_xfd1048576_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    path.write_bytes(workbook({"S1": worksheet(sheet_data([*HEADER, ("XFD1048576", "boom")]))}))
    assert path.stat().st_size < 5_000
    with pytest.raises(ReadError) as err:
        read_table(path)
    assert err.value.args_ == {
        "name": str(path), "sheet": "S1", "rows": 1_048_576, "column": "XFD",
        "cells": 1_048_576 * 16_384, "limit": reader.MAX_SHEET_CELLS,
    }
    assert "too large to read: its cells run to row 1048576 and column XFD" in str(err.value)
    child = in_small_memory(path)
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("ReadError cannot read {name!r}: sheet {sheet!r} is too large")


def test_blank_cell_far_away_is_left_out_in_bounded_memory(tmp_path: Path) -> None:
    # an empty string at GR1048576: calamine would build 200 x 1,048,576 cells (56 s, 8 GB)
    path = tmp_path / "gr.xlsx"
    path.write_bytes(workbook({"S1": worksheet(sheet_data([*HEADER, ("GR1048576", "")]))}))
    table = read_table(path)
    assert table.headers == ["Mã", "Nội dung"]
    assert list(table.rows) == [(2, ["NV1", "Báo cáo quý"])]
    child = in_small_memory(path)
    assert (child.returncode, child.stdout) == (0, "rows 1\n"), child.stderr


@pytest.mark.parametrize(
    "far",
    [
        '<c r="XFD1" t="inlineStr"><is><t>   </t></is></c>',  # spaces, on the header row
        '<c r="XFD1" t="str"><v></v></c>',
        '<c r="XFD1" t="s"><v>0</v></c>',  # the shared string "" below
        '<c r="XFD1" t="e"><v></v></c>',
    ],
)
def test_blank_cells_of_every_kind_are_left_out(far: str) -> None:
    rows = sheet_data(HEADER).replace("</row>", far + "</row>", 1)
    sheets = {"S1": worksheet(rows + '<row r="1048576"><c r="C1048576" t="s"><v>0</v></c></row>')}
    table = read_table(workbook(sheets, shared=[""]))
    assert (table.headers, list(table.rows)) == (["Mã", "Nội dung"], [(2, ["NV1", "Báo cáo quý"])])


def test_trimmed_sheet_keeps_numbers_dates_other_sheets_and_prefixes() -> None:
    data = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Mã</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>Số lượng</x:t></x:is></x:c><x:c r="XFD1" t="s"><x:v>0</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2"><x:v>12.5</x:v></x:c></x:row>'
        '<x:row r="3"><x:c t="inlineStr"><x:is><x:t>NV2</x:t></x:is></x:c><x:c><x:v>3</x:v></x:c></x:row>'
    )
    data += '<x:row r="1048576"><x:c r="A1048576" t="inlineStr"><x:is><x:t> </x:t></x:is></x:c></x:row>'
    sheet = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{data}</x:sheetData></x:worksheet>'
    book = workbook({"Khác": worksheet(sheet_data(HEADER)), "Nhiệm vụ": sheet}, shared=[" ", "NV1"])
    table = read_table(book, sheet="Nhiệm vụ")
    assert table.sheet == "Nhiệm vụ"
    assert list(table.rows) == [(2, ["NV1", 12.5]), (3, ["NV2", 3])]


def test_dimension_that_lies_changes_nothing() -> None:
    book = workbook({"S1": worksheet(sheet_data(HEADER), dimension="A1:XFD1048576")})
    assert list(read_table(book).rows) == [(2, ["NV1", "Báo cáo quý"])]


def test_real_cells_far_apart_in_a_dense_enough_sheet_are_read() -> None:
    # 1,000 rows x 30 columns is far below the bound: read as it is
    cells = [*HEADER, ("AD1000", "cuối")]
    table = read_table(workbook({"S1": worksheet(sheet_data(cells))}))
    got = list(table.rows)
    assert table.headers == ["Mã", "Nội dung"] + [""] * 28
    assert got[0] == (2, ["NV1", "Báo cáo quý"] + [""] * 28)
    assert got[-1] == (1000, [""] * 29 + ["cuối"])


def test_eight_million_character_inline_cell(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    path.write_bytes(workbook({"S1": worksheet(sheet_data([*HEADER, ("B3", "x" * 8_000_000)]))}))
    assert path.stat().st_size < 100_000
    with pytest.raises(ReadError) as err:
        read_table(path)
    assert err.value.args_ == {
        "name": str(path), "line": 3, "column": "B", "length": 8_000_000, "limit": reader.MAX_CELL_CHARS,
    }


def test_long_shared_string_names_the_cell_that_uses_it() -> None:
    data = sheet_data(HEADER) + '<row r="7"><c r="C7" t="s"><v>1</v></c></row>'
    book = workbook({"S1": worksheet(data)}, shared=["ngắn", "y" * 40_000])
    with pytest.raises(ReadError) as err:
        read_table(book, name="nv.xlsx")
    assert err.value.args_ == {"name": "nv.xlsx", "line": 7, "column": "C", "length": 40_000, "limit": 32_767}


def test_long_shared_string_no_cell_uses_is_harmless() -> None:
    book = workbook({"S1": worksheet(sheet_data(HEADER))}, shared=["y" * 40_000])
    assert list(read_table(book).rows) == [(2, ["NV1", "Báo cáo quý"])]


def test_long_cell_is_named_when_the_sheet_is_measured_exactly() -> None:
    # a far blank cell makes the exact scan run; it meets the long shared string on the way
    data = sheet_data(HEADER) + '<row r="7"><c r="C7" t="s"><v>1</v></c><c r="XFD7" t="s"><v>0</v></c></row>'
    data += '<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row>'
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": worksheet(data)}, shared=["", "y" * 40_000]), name="nv.xlsx")
    assert err.value.args_ == {"name": "nv.xlsx", "line": 7, "column": "C", "length": 40_000, "limit": 32_767}


def test_cell_at_the_limit_is_read_and_escapes_count_as_one_character() -> None:
    exact = "z" * 32_767
    escaped = "_x000D_" * 32_767  # 229,369 characters in the file, 32,767 in the cell
    cells = [*HEADER, ("A3", "NV2"), ("B3", exact), ("A4", "NV3"), ("B4", escaped)]
    got = list(read_table(workbook({"S1": worksheet(sheet_data(cells))})).rows)
    assert got[1] == (3, ["NV2", exact])
    assert got[2][1][1] == "\r" * 32_767 or len(got[2][1][1]) <= 32_767


def test_openpyxl_workbook_with_a_far_empty_styled_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã", "Nội dung"])
    ws.append(["NV1", "Báo cáo"])
    ws["XFD1048576"].number_format = "0.00"  # formatted, no value: calamine skips it
    ws["GR1048575"] = ""  # openpyxl writes no cell for ""
    path = tmp_path / "styled.xlsx"
    wb.save(path)
    assert list(read_table(path).rows) == [(2, ["NV1", "Báo cáo"])]


@pytest.mark.parametrize(
    ("sheet", "reason"),
    [
        # "t" before "r": not the usual way, so the exact scan reads the sheet
        (worksheet('<row r="1"><c t="inlineStr" r="A0"><is><t>x</t></is></c></row>'), "bad cell reference 'A0'"),
        (worksheet('<row r="1"><c t="n" r="1A"><v>1</v></c></row>'), "bad cell reference '1A'"),
        (worksheet('<row r="x"><c t="n"><v>1</v></c></row>'), "bad cell reference 'x'"),
        ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet><c/></worksheet>',
         "a document type declaration"),
        (worksheet('<row r="1"><c t="n" r="A1"><v>1</v>'), "mismatched tag"),
        (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="n" r="A1"/>', "no element found"),
    ],
)
def test_damaged_sheet_xml_found_by_the_exact_scan(sheet: str, reason: str) -> None:
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": sheet}), name="d.xlsx")
    assert err.value.message == "cannot read {name!r}: the workbook is damaged ({reason})"
    assert err.value.args_["reason"].startswith(reason)


@pytest.mark.parametrize(
    "sheet",
    [
        worksheet('<row r="1"><c r="A0" t="inlineStr"><is><t>x</t></is></c></row>'),
        worksheet('<row r="1"><c r="A1"><v>1</v>'),
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">',
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet/>',
    ],
)
def test_damaged_sheet_xml_found_by_calamine(sheet: str) -> None:
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": sheet}), name="d.xlsx")
    assert err.value.message in {
        "cannot read {name!r}: sheet {sheet!r} is damaged ({reason})",
        "cannot read {name!r}: the file has no data",
    }


def test_two_parts_with_one_name() -> None:
    book = io.BytesIO(workbook({"S1": worksheet(sheet_data(HEADER))}))
    with zipfile.ZipFile(book, "a") as zf:
        zf.writestr("XL/Worksheets/Sheet1.xml", worksheet(sheet_data([("XFD1048576", "x")])))
    with pytest.raises(ReadError, match=r"not an Excel file \(two parts are named"):
        read_table(book.getvalue())


def test_part_that_unpacks_past_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_MAX_PART_BYTES", 1_000)
    book = workbook({"S1": worksheet(sheet_data([*HEADER, ("A3", "x" * 2_000)]))})
    with pytest.raises(ReadError) as err:
        read_table(book, name="b.xlsx")
    assert err.value.args_["part"] == "xl/worksheets/sheet1.xml"
    assert err.value.args_["limit"] == 1_000


def test_quick_measure_is_not_fooled_by_where_the_chunks_end() -> None:
    xml = worksheet(sheet_data([*HEADER, ("XFD1048576", "boom")])).encode()
    far = xml.index(b'<c r="XFD')
    for cut in range(far - 3, far + 20):
        for size in (1, 7, cut or 1):
            pieces = [xml[:cut], *(xml[i : i + size] for i in range(cut, len(xml), size))]
            assert not reader._fits_as_it_is(pieces), (cut, size)
    assert reader._fits_as_it_is([xml.replace(b"XFD1048576", b"C3")])


def test_cells_without_references_are_placed_as_calamine_places_them() -> None:
    data = (
        '<row><c t="inlineStr"><is><t>Mã</t></is></c><c t="inlineStr"><is><t>Nội dung</t></is></c></row>'
        '<row><c t="inlineStr"><is><t>NV1</t></is></c><c t="inlineStr"><is><t>Một</t></is></c></row>'
        '<row r="5"><c t="inlineStr"><is><t>NV5</t></is></c><c r="D5" t="s"><v>0</v></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>'
    )
    table = read_table(workbook({"S1": worksheet(data)}, shared=[""]))
    assert list(table.rows) == [(2, ["NV1", "Một"]), (5, ["NV5", ""])]


def test_trimmed_copy_keeps_styles_dates_and_shared_strings(tmp_path: Path) -> None:
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["Mã", "Nội dung", "Thời hạn"])
    ws.append(["NV1", "Báo cáo", dt.datetime(2026, 9, 15)])
    ws["C2"].number_format = "dd/mm/yyyy"
    wb.create_sheet("Khác")["A1"] = "x"
    plain = io.BytesIO()
    wb.save(plain)
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t></t></is></c></row></sheetData>'
    hostile = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", far)
            dst.writestr(info, content)
    expected = [(2, ["NV1", "Báo cáo", dt.date(2026, 9, 15)])]
    assert list(read_table(plain.getvalue()).rows) == expected
    table = read_table(hostile.getvalue())
    assert (table.sheet, table.headers, list(table.rows)) == ("Phụ lục", ["Mã", "Nội dung", "Thời hạn"], expected)
