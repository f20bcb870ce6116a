"""Issue 14: messages wholly in the chosen language. Every message a user can trigger has a
Vietnamese translation (tests/test_i18n.py holds the catalog complete); here, no English
fragment is left in the Vietnamese output — neither in the catalog's translations nor in the
messages put together at run time (a parser's reason, a file's problem, a date) — and days
in Vietnamese messages are written dd/mm/yyyy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import Cli

# English words no Vietnamese message has (whole words, any case).
ENGLISH = re.compile(
    r"\b(cannot|no such|not an?|is not|unknown|examples?:|did you mean|already|must|needs?|error|warning|"
    r"nothing to|invalid|usage|missing|row|column|fits|before|after|because|only|give|use one of|"
    r"the|and|or|of|with|for)\b",
    re.IGNORECASE,
)
ISO_DAY = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")

ROOT = Path(__file__).resolve().parent.parent
VI_PO = ROOT / "src" / "nqtrack" / "locale" / "vi" / "LC_MESSAGES" / "nqtrack.po"


def english_in(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English words of `text`, leaving out what the user typed or the interface names
    (options, values, commands, file names) given in `allowed`."""
    for word in allowed:
        text = text.replace(word, " ")
    text = re.sub(r"--[a-z-]+|'[^']*'|\"[^\"]*\"|\bnqtrack [a-z ]+", " ", text)  # options, quoted values, commands
    return ENGLISH.findall(text)


def test_no_vietnamese_translation_holds_an_english_word():
    from tests.test_i18n import tool

    entries = tool.parse_po(VI_PO.read_text(encoding="utf-8"))
    found = {}
    for entry in entries:
        if entry.msgid and entry.translated:
            text = re.sub(r"\{[a-z_]+\}", " ", entry.msgstr[0])  # placeholders
            words = english_in(text, ("YYYY-MM", "YYYY-Qn", "this", "last", "table, markdown, csv", "json",
                                      "markdown", "text", "docx", "register", "file", "Email", "lead",
                                      "coordinating", "any", "unit", "month", "document", "none", "new",
                                      "in_progress", "done", "paused", "cancelled", "tasks", "units", "documents",
                                      "auto", "utf-8", "utf-16", "cp1258", "tcvn3", "vni", "SMTP", "CSV", "TSV",
                                      "Excel", "XLSX", "Unicode text", "OS", "DOCX", "ID", "SYMBOL"))
            if words:
                found[entry.msgid] = words
    assert not found, found


@pytest.fixture
def office(tmp_path):
    cli = Cli(tmp_path / "so-theo-doi.db")
    cli("init")
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP", "--alias", "Văn phòng")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    cli("doc", "add", "2345/UBND-TH", "--issued-on", "10/03/2023")
    cli("doc", "add", "2345/UBND-TH", "--issued-on", "12/05/2024")
    cli("assign", "Báo cáo quý III", "--lead", "VP", "--due", "15/10/2022", "--assigned-on", "2022-09-01",
        "--code", "NV-2022-0001", today="2022-09-01")
    return cli


def files(tmp_path: Path) -> dict[str, str]:
    """Files that cannot be imported, each for its own reason."""
    made = {
        "khong-co.csv": None,
        "rong.csv": b"",
        "gia-excel.xlsx": b"PK\x03\x04 day khong phai la tep nen",
        "thieu-cot.csv": "Cột một,Cột hai\nmột,hai\n".encode(),
        "dong-loi.csv": ("Nội dung,Đơn vị chủ trì,Thời hạn,Trạng thái,Ngày hoàn thành,Thời hạn gia hạn,Ngày giao\n"
                         "Việc một,Văn phòng Bộ,32/13/2022,,,,\n"
                         "Việc hai,Văn phòng Bộ,Quý V/2022,Không biết,,,\n"
                         "Việc ba,Văn phòng Bộ,30/09/2022,Đang thực hiện,20/09/2022,,\n"
                         "Việc bốn,Văn phòng Bộ,30/09/2022,Hoàn thành,,,\n"
                         "Việc năm,Văn phòng Bộ,30/09/2022,,,01/09/2022,\n"
                         "Việc sáu,Văn phòng Bộ,30/09/2022,Hoàn thành,01/08/2022,,05/08/2022\n"
                         "Việc bảy,2345/UBND-TH,30/09/2022,,,,\n"
                         "Việc một,Văn phòng Bộ,30/09/2022,,,,\n").encode(),
        "van-ban-trung.csv": "Văn bản,Nội dung,Đơn vị chủ trì\n2345/UBND-TH,Việc tám,Văn phòng Bộ\n".encode(),
        "don-vi-la.csv": "Nội dung,Đơn vị chủ trì\nViệc chín,Sở Tài nguyên Môi trường\n".encode(),
    }
    for name, data in made.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
    (tmp_path / "thu-muc").mkdir()
    return {name: str(tmp_path / name) for name in [*made, "thu-muc"]}


FAILING = [
    ["show", "99"],
    ["show", "NV-2022-001"],
    ["assign", "Việc", "--lead", "Vụ Tổ chức"],
    ["assign", "Việc", "--lead", "VP", "--doc", "99/QĐ-XYZ"],
    ["assign", "Việc", "--lead", "VP", "--doc", "2345/UBND-TH"],
    ["assign", "Báo cáo quý III", "--lead", "VP"],
    ["assign", "Việc"],
    ["update", "1", "--progress", "140%"],
    ["update", "1", "--progress", "một nửa"],
    ["update", "1", "--state", "đang làm dở"],
    ["update", "1", "--deadline", "01/10/2022", "--reason", "Lùi"],
    ["update", "1", "--deadline", "31/12/2022"],
    ["update", "1", "--deadline", "Quý V/2022", "--reason", "Lùi"],
    ["update", "1", "--state", "done", "--on", "01/01/2030"],
    ["update", "1", "--state", "done", "--on", "01/08/2022"],
    ["update", "1", "--on", "32/13/2022", "--progress", "5"],
    ["void", "1"],
    ["edit", "1"],
    ["edit", "1", "--title", " "],
    ["edit", "1", "--assigned-on", "ngày mai"],
    ["report"],
    ["report", "--month", "2022-13"],
    ["report", "--quarter", "5/2022"],
    ["report", "--year", "năm nay"],
    ["report", "--from", "10/10/2022", "--to", "01/10/2022"],
    ["report", "--month", "10/2022", "--cutoff", "40"],
    ["report", "--month", "10/2022", "--unit", "Phòng Không Có"],
    ["overdue", "--group", "nhom"],
    ["overdue", "--within", "-1"],
    ["list", "--state", "đang làm dở"],
    ["list", "--format", "bang"],
    ["unit", "add", "Văn phòng Bộ"],
    ["unit", "add", "Văn phòng Chính phủ", "--alias", "Văn phòng"],
    ["unit", "rename", "TCCB", "Văn phòng Bộ"],
    ["unit", "merge", "VP", "VP"],
    ["unit", "edit", "VP"],
    ["unit", "show", "Phòng Không Có"],
    ["doc", "add", "2345/UBND-TH", "--issued-on", "10/03/2023"],
    ["doc", "show", "2345/UBND-TH"],
    ["doc", "merge", "#1", "#1"],
    ["doc", "edit", "#1"],
    ["config", "ngay-chot", "15"],
    ["config", "cutoff", "99"],
    ["config", "lang", "fr"],
    ["export", "ra.xml", "--format", "xml"],
    ["restore", "khong-co.db"],
    ["import", "{khong-co.csv}"],
    ["import", "{rong.csv}"],
    ["import", "{gia-excel.xlsx}"],
    ["import", "{thu-muc}"],
    ["import", "{thieu-cot.csv}"],
    ["import", "{dong-loi.csv}"],
    ["import", "{van-ban-trung.csv}"],
    ["import", "{don-vi-la.csv}", "--strict-units"],
    ["import", "{don-vi-la.csv}", "--kind", "nhiem-vu"],
    ["import", "{don-vi-la.csv}", "--map", "Cột ba"],
    ["import", "{don-vi-la.csv}", "--prefer", "tep"],
    ["import", "{don-vi-la.csv}", "--skip-invalid"],
    ["import"],
    ["list", "--bogus"],
    ["undo", "--batch", "khong-co"],
    # issue 13: bad values, files written where they must not be, settings and addresses
    ["overdue", "--within", "3000000"],
    ["remind", "--within", "3000000"],
    ["list", "--limit", "0"],
    ["undo", "--last", "0"],
    ["show", "12345678901234567890123"],
    ["unit", "rename", "VP", " "],
    ["unit", "email", "VP", "khong-phai-dia-chi"],
    ["config", "smtp_port", "cong"],
    ["config", "smtp_starttls", "co-le"],
    ["config", "smtp_sender", "Văn phòng\nBcc: x@y.vn"],
    ["list", "--output", "{so-theo-doi.db}"],
    ["report", "--month", "10/2022", "--output", "{thu-muc}"],
    ["export", "{thu-muc}/khong-co/ra.json"],
    ["import", "{dong-loi.csv}", "--skip-invalid", "--rejects", "{dong-loi.csv}"],
    ["import", "{dong-loi.csv}", "--conflicts", "{so-theo-doi.db}"],
    ["remind", "--output-dir", "{thu-muc}/khong-co/thu"],
    ["backup", "{so-theo-doi.db}"],
    ["backup", "/dev/null"],
    ["restore", "{thu-muc}"],
    ["restore", "{rong.csv}"],
    ["--busy-timeout", "-1", "list"],
    ["--db", "{khong-co.db}", "list"],
    ["--db", "{thu-muc}", "list"],
    ["--db", "/dev/null", "list"],
]


@pytest.mark.parametrize("args", FAILING, ids=lambda a: " ".join(a)[:60])
def test_every_failing_command_speaks_vietnamese(office, tmp_path, args):
    paths = {**files(tmp_path), "so-theo-doi.db": str(office.db), "khong-co.db": str(tmp_path / "khong-co.db")}
    args = [re.sub(r"\{([^}]+)\}", lambda m: paths[m.group(1)], a) for a in args]
    result = office(*args, lang="vi", today="2022-11-15", expect=None)
    output = result.output
    assert result.exit_code != 0, output
    assert "Lỗi" in output, output
    shown = [a for a in args if not a.startswith("-")] + [str(tmp_path)]
    assert not english_in(output, tuple(shown)), output
    assert not ISO_DAY.findall(output), output


def test_an_unknown_global_day_and_a_bad_database_speak_vietnamese(tmp_path):
    cli = Cli(tmp_path / "so.db")
    out = cli("--today", "32/13/2022", "list", today=None, lang="vi", expect=2).output
    assert out.startswith("Lỗi:") and not english_in(out, ("32/13/2022",)), out
    junk = tmp_path / "hong.db"
    junk.write_bytes(b"day khong phai co so du lieu" * 200)
    out = Cli(junk)("list", lang="vi", expect=5).output
    assert out.startswith("Lỗi:") and not english_in(out, (str(junk),)), out


def test_help_examples_are_headed_in_vietnamese(office):
    for command in (["update"], ["import"], ["unit", "merge"], ["check"]):
        page = office(*command, "--help", lang="vi").output
        assert "Ví dụ:" in page and "Example" not in page, page
