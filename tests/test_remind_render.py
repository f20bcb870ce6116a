"""Issue 9: reminder notices (đôn đốc) rendered as markdown, plain text and DOCX."""

from __future__ import annotations

from datetime import date

import pytest

from nqtrack import i18n
from nqtrack.core.letterhead import Letterhead, Signer
from nqtrack.core.notices import Notice, NoticeTask
from nqtrack.i18n import language, set_language
from nqtrack.render.notices import file_name, render_markdown, render_text, subject, write_docx

# The Vietnamese of every message id a notice uses. The real catalog wins where it has an
# entry; these fill in the ones it may not have yet, so the Vietnamese notice is checked
# exactly either way (and a catalog that words them differently makes this test fail).
VI = {
    "(extended from {date})": "(gia hạn từ {date})",
    "{days} day overdue": "quá hạn {days} ngày",
    "{days} days overdue": "quá hạn {days} ngày",
    "due today": "đến hạn hôm nay",
    "due in {days} day": "còn {days} ngày",
    "due in {days} days": "còn {days} ngày",
    "Item no.": "STT",
    "Task": "Nhiệm vụ",
    "Document": "Văn bản",
    "Deadline": "Thời hạn",
    "Lead unit": "Đơn vị chủ trì",
    "Days overdue": "Số ngày quá hạn",
    "Overdue tasks": "Nhiệm vụ quá hạn",
    "Tasks due within {within} days": "Nhiệm vụ đến hạn trong {within} ngày tới",
    "Days left": "Số ngày còn lại",
    "Tasks the unit coordinates": "Nhiệm vụ đơn vị phối hợp thực hiện",
    "Status": "Tình trạng",
    "Reminder: tasks overdue and due soon": "V/v đôn đốc thực hiện nhiệm vụ",
    "{count} overdue task": "{count} nhiệm vụ quá hạn",
    "{count} overdue tasks": "{count} nhiệm vụ quá hạn",
    "{count} task due within the next {within} days": "{count} nhiệm vụ đến hạn trong {within} ngày tới",
    "{count} tasks due within the next {within} days": "{count} nhiệm vụ đến hạn trong {within} ngày tới",
    "As of {day}, {unit} has {overdue}.": "Tính đến ngày {day}, {unit} còn {overdue}.",
    "As of {day}, {unit} has {overdue} and {soon}.": "Tính đến ngày {day}, {unit} còn {overdue} và {soon}.",
    "As of {day}, {unit} has no overdue task; {soon}.":
        "Tính đến ngày {day}, {unit} không có nhiệm vụ quá hạn; có {soon}.",
    "As of {day}, {unit} has no overdue task and none due within the next {within} days.":
        "Tính đến ngày {day}, {unit} không có nhiệm vụ quá hạn và không có nhiệm vụ đến hạn trong {within} ngày tới.",
    "In addition, {unit} coordinates {count} overdue or soon-due task led by another unit.":
        "Ngoài ra, {unit} phối hợp thực hiện {count} nhiệm vụ quá hạn hoặc sắp đến hạn do đơn vị khác chủ trì.",
    "In addition, {unit} coordinates {count} overdue or soon-due tasks led by other units.":
        "Ngoài ra, {unit} phối hợp thực hiện {count} nhiệm vụ quá hạn hoặc sắp đến hạn do đơn vị khác chủ trì.",
    "{unit} is requested to carry out these tasks without delay and to report the results "
    "to {office} within 5 working days of receiving this notice.":
        "Đề nghị {unit} khẩn trương thực hiện và báo cáo kết quả về {office} trong thời hạn 05 ngày làm việc "
        "kể từ ngày nhận được văn bản này.",
    "{unit} is requested to carry out these tasks without delay and to report the results "
    "within 5 working days of receiving this notice.":
        "Đề nghị {unit} khẩn trương thực hiện và báo cáo kết quả trong thời hạn 05 ngày làm việc "
        "kể từ ngày nhận được văn bản này.",
    "{unit} is requested to complete these tasks by their deadlines.":
        "Đề nghị {unit} tập trung thực hiện, bảo đảm hoàn thành các nhiệm vụ đúng thời hạn.",
    "SOCIALIST REPUBLIC OF VIET NAM": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Independence - Freedom - Happiness": "Độc lập - Tự do - Hạnh phúc",
    "To:": "Kính gửi:",
    "Recipients:": "Nơi nhận:",
    "As above;": "Như trên;",
    "Filed: records office.": "Lưu: VT.",
    "Number:": "Số:",
}


class _Catalog:
    """The real Vietnamese catalog, falling back on VI for message ids it lacks."""

    def __init__(self, real) -> None:
        self.real = real

    def gettext(self, message: str) -> str:
        found = self.real.gettext(message)
        return found if found != message else VI.get(message, message)


@pytest.fixture(autouse=True)
def _keep_language():
    saved = language()
    yield
    set_language(saved)


@pytest.fixture
def en():
    set_language("en")


@pytest.fixture
def vi(monkeypatch):
    monkeypatch.setitem(i18n._translations, "vi", _Catalog(i18n._translation("vi")))
    set_language("vi")


UNIT = "Vụ Pháp chế"


def task(id, code, title, document, deadline, days, lead=UNIT, original=None) -> NoticeTask:
    return NoticeTask(id=id, code=code, title=title, document=document, deadline=deadline, days_overdue=days,
                      lead_unit=lead, extended=original is not None, original_deadline=original)


@pytest.fixture
def notice() -> Notice:
    return Notice(
        unit=UNIT, unit_code="PC", email="phapche@bo.gov.vn", day=date(2022, 11, 15), within=7,
        head=Letterhead(office="Bộ Tư pháp / Văn phòng Bộ", place="Hà Nội", number="…/VP-TH",
                        signer=Signer(("KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"), "Nguyễn Văn An")),
        # given out of order: the notice sorts by days overdue, most first
        overdue=[
            task(3, "NV-03", "Rà soát văn bản quy phạm pháp luật", "1234/QĐ-BTP", date(2022, 10, 31), 15),
            task(1, "NV-01", "Xây dựng đề án chuyển đổi số", "07-NQ/ĐUK", date(2022, 9, 30), 46,
                 original=date(2022, 8, 31)),
        ],
        due_soon=[task(5, None, "Báo cáo sơ kết 6 tháng", None, date(2022, 11, 18), 0)],
        coordinating=[task(7, "NV-07", "Kế hoạch tuyên truyền pháp luật", "15-NQ/TW", date(2022, 11, 1), 14,
                           lead="Vụ Phổ biến, giáo dục pháp luật")],
    )


EXPECTED_EN = """\
BỘ TƯ PHÁP\\
**VĂN PHÒNG BỘ**\\
Number: …/VP-TH\\
Reminder: tasks overdue and due soon

**SOCIALIST REPUBLIC OF VIET NAM**\\
**Independence - Freedom - Happiness**

*Hà Nội, 15 November 2022*

To: Vụ Pháp chế

As of 2022-11-15, Vụ Pháp chế has 2 overdue tasks and 1 task due within the next 7 days. In addition, Vụ Pháp chế coordinates 1 overdue or soon-due task led by another unit.

### Overdue tasks

|   Item no. | Task                                      | Document    | Deadline                              |   Days overdue |
|-----------:|:------------------------------------------|:------------|:--------------------------------------|---------------:|
|          1 | NV-01: Xây dựng đề án chuyển đổi số       | 07-NQ/ĐUK   | 2022-09-30 (extended from 2022-08-31) |             46 |
|          2 | NV-03: Rà soát văn bản quy phạm pháp luật | 1234/QĐ-BTP | 2022-10-31                            |             15 |

### Tasks due within 7 days

|   Item no. | Task                   | Document   | Deadline   |   Days left |
|-----------:|:-----------------------|:-----------|:-----------|------------:|
|          1 | Báo cáo sơ kết 6 tháng |            | 2022-11-18 |           3 |

### Tasks the unit coordinates

|   Item no. | Task                                   | Document   | Lead unit                       | Deadline   | Status          |
|-----------:|:---------------------------------------|:-----------|:--------------------------------|:-----------|:----------------|
|          1 | NV-07: Kế hoạch tuyên truyền pháp luật | 15-NQ/TW   | Vụ Phổ biến, giáo dục pháp luật | 2022-11-01 | 14 days overdue |

Vụ Pháp chế is requested to carry out these tasks without delay and to report the results to Văn phòng Bộ within 5 working days of receiving this notice.

***Recipients:***

- As above;
- Filed: records office.

**KT. CHÁNH VĂN PHÒNG**\\
**PHÓ CHÁNH VĂN PHÒNG**


**Nguyễn Văn An**
"""

EXPECTED_VI = """\
BỘ TƯ PHÁP\\
**VĂN PHÒNG BỘ**\\
Số: …/VP-TH\\
V/v đôn đốc thực hiện nhiệm vụ

**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\\
**Độc lập - Tự do - Hạnh phúc**

*Hà Nội, ngày 15 tháng 11 năm 2022*

Kính gửi: Vụ Pháp chế

Tính đến ngày 15/11/2022, Vụ Pháp chế còn 2 nhiệm vụ quá hạn và 1 nhiệm vụ đến hạn trong 7 ngày tới. Ngoài ra, Vụ Pháp chế phối hợp thực hiện 1 nhiệm vụ quá hạn hoặc sắp đến hạn do đơn vị khác chủ trì.

### Nhiệm vụ quá hạn

|   STT | Nhiệm vụ                                  | Văn bản     | Thời hạn                           |   Số ngày quá hạn |
|------:|:------------------------------------------|:------------|:-----------------------------------|------------------:|
|     1 | NV-01: Xây dựng đề án chuyển đổi số       | 07-NQ/ĐUK   | 30/09/2022 (gia hạn từ 31/08/2022) |                46 |
|     2 | NV-03: Rà soát văn bản quy phạm pháp luật | 1234/QĐ-BTP | 31/10/2022                         |                15 |

### Nhiệm vụ đến hạn trong 7 ngày tới

|   STT | Nhiệm vụ               | Văn bản   | Thời hạn   |   Số ngày còn lại |
|------:|:-----------------------|:----------|:-----------|------------------:|
|     1 | Báo cáo sơ kết 6 tháng |           | 18/11/2022 |                 3 |

### Nhiệm vụ đơn vị phối hợp thực hiện

|   STT | Nhiệm vụ                               | Văn bản   | Đơn vị chủ trì                  | Thời hạn   | Tình trạng      |
|------:|:---------------------------------------|:----------|:--------------------------------|:-----------|:----------------|
|     1 | NV-07: Kế hoạch tuyên truyền pháp luật | 15-NQ/TW  | Vụ Phổ biến, giáo dục pháp luật | 01/11/2022 | quá hạn 14 ngày |

Đề nghị Vụ Pháp chế khẩn trương thực hiện và báo cáo kết quả về Văn phòng Bộ trong thời hạn 05 ngày làm việc kể từ ngày nhận được văn bản này.

***Nơi nhận:***

- Như trên;
- Lưu: VT.

**KT. CHÁNH VĂN PHÒNG**\\
**PHÓ CHÁNH VĂN PHÒNG**


**Nguyễn Văn An**
"""


def test_markdown_in_english_exactly(notice, en):
    assert render_markdown(notice) == EXPECTED_EN


def test_markdown_in_vietnamese_exactly(notice, vi):
    assert render_markdown(notice) == EXPECTED_VI


def test_vietnamese_state_formulas_and_date_line(notice, vi):
    lines = render_markdown(notice).splitlines()
    assert "*Hà Nội, ngày 15 tháng 11 năm 2022*" in lines
    assert "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\\" in lines
    assert "Kính gửi: Vụ Pháp chế" in lines


def test_subject(notice, vi, monkeypatch):
    assert subject(notice) == "V/v đôn đốc thực hiện nhiệm vụ — Vụ Pháp chế"
    set_language("en")
    assert subject(notice) == "Reminder: tasks overdue and due soon — Vụ Pháp chế"


def test_nothing_overdue_but_due_soon_still_renders(notice, vi):
    notice.overdue, notice.coordinating = [], []
    notice.due_soon.append(task(9, "NV-09", "Tổng kết công tác năm", "82-KL/TW", date(2022, 11, 16), 0))
    text = render_markdown(notice)
    assert ("Tính đến ngày 15/11/2022, Vụ Pháp chế không có nhiệm vụ quá hạn; "
            "có 2 nhiệm vụ đến hạn trong 7 ngày tới.") in text
    assert "Nhiệm vụ quá hạn" not in text and "phối hợp thực hiện" not in text
    # the nearest deadline first
    assert text.index("NV-09: Tổng kết công tác năm") < text.index("Báo cáo sơ kết 6 tháng")
    assert "Đề nghị Vụ Pháp chế tập trung thực hiện, bảo đảm hoàn thành các nhiệm vụ đúng thời hạn." in text
    assert "khẩn trương" not in text


def test_overdue_only_and_no_office(notice, en):
    notice.due_soon, notice.coordinating = [], []
    notice.head = Letterhead(place="Hà Nội")
    text = render_markdown(notice)
    # no office and no number pattern: the number's blank for the records office, then the subject
    assert text.startswith("Number:      /\\\nReminder: tasks overdue and due soon\n\n**SOCIALIST REPUBLIC OF VIET NAM**")
    assert text.endswith("- Filed: records office.\n")  # no signer: no signature block
    assert "As of 2022-11-15, Vụ Pháp chế has 2 overdue tasks.\n" in text
    assert ("Vụ Pháp chế is requested to carry out these tasks without delay and to report the results "
            "within 5 working days of receiving this notice.") in text


def test_text_lines(notice, vi):
    text = render_text(notice)
    lines = text.splitlines()
    assert lines[:14] == [
        "BỘ TƯ PHÁP",
        "VĂN PHÒNG BỘ",
        "Số: …/VP-TH",
        "V/v đôn đốc thực hiện nhiệm vụ",
        "",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "Hà Nội, ngày 15 tháng 11 năm 2022",
        "",
        "Kính gửi: Vụ Pháp chế",
        "",
        "Tính đến ngày 15/11/2022, Vụ Pháp chế còn 2 nhiệm vụ quá hạn và 1 nhiệm vụ đến hạn trong 7 ngày tới. "
        "Ngoài ra, Vụ Pháp chế phối hợp thực hiện 1 nhiệm vụ quá hạn hoặc sắp đến hạn do đơn vị khác chủ trì.",
        "",
    ]
    start = lines.index("NHIỆM VỤ QUÁ HẠN")
    assert lines[start:start + 6] == [
        "NHIỆM VỤ QUÁ HẠN",
        "",
        "1. NV-01: Xây dựng đề án chuyển đổi số",
        "   Văn bản: 07-NQ/ĐUK; Thời hạn: 30/09/2022 (gia hạn từ 31/08/2022); Số ngày quá hạn: 46",
        "2. NV-03: Rà soát văn bản quy phạm pháp luật",
        "   Văn bản: 1234/QĐ-BTP; Thời hạn: 31/10/2022; Số ngày quá hạn: 15",
    ]
    assert "   Thời hạn: 18/11/2022; Số ngày còn lại: 3" in lines
    assert ("   Văn bản: 15-NQ/TW; Đơn vị chủ trì: Vụ Phổ biến, giáo dục pháp luật; Thời hạn: 01/11/2022; "
            "Tình trạng: quá hạn 14 ngày") in lines
    assert lines[-9:] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT.", "", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
                          "", "", "Nguyễn Văn An"]
    # the office in the text is its name, not the heading's capitals
    assert "báo cáo kết quả về Văn phòng Bộ trong thời hạn" in text
    # plain text: no markdown syntax
    assert not any(mark in text for mark in ("**", "|", "###", "\\"))


def test_status_words(notice, en):
    notice.overdue, notice.due_soon = [], []
    notice.coordinating = [
        task(1, "A", "Một", None, date(2022, 11, 14), 1, lead="Vụ Tổ chức cán bộ"),
        task(2, "B", "Hai", None, date(2022, 11, 15), 0, lead="Vụ Tổ chức cán bộ"),
        task(3, "C", "Ba", None, date(2022, 11, 16), 0, lead="Vụ Tổ chức cán bộ"),
        task(4, "D", "Bốn", None, date(2022, 11, 20), 0, lead="Vụ Tổ chức cán bộ"),
    ]
    text = render_text(notice)
    for expected in ("Status: 1 day overdue", "Status: due today", "Status: due in 1 day", "Status: due in 5 days"):
        assert expected in text
    assert "has no overdue task and none due within the next 7 days." in text
    assert "coordinates 4 overdue or soon-due tasks led by other units." in text


def test_file_name(notice):
    assert file_name(notice, "md") == "don-doc-PC-2022-11-15.md"
    assert file_name(notice, ".docx") == "don-doc-PC-2022-11-15.docx"
    notice.unit_code = None
    assert file_name(notice, "txt") == "don-doc-vu-phap-che-2022-11-15.txt"
    notice.unit, notice.unit_code = "Đảng ủy Khối / Văn phòng", "VPĐU"
    assert file_name(notice, "md") == "don-doc-VPDU-2022-11-15.md"
    notice.unit_code = ""
    assert file_name(notice, "md") == "don-doc-dang-uy-khoi-van-phong-2022-11-15.md"


def _docx(notice, tmp_path):
    docx = pytest.importorskip("docx")
    path = tmp_path / file_name(notice, "docx")
    write_docx(notice, path)
    return docx.Document(str(path))


def _cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_docx_in_vietnamese(notice, vi, tmp_path):
    document = _docx(notice, tmp_path)
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == ["Kính gửi: Vụ Pháp chế",
                         "Tính đến ngày 15/11/2022, Vụ Pháp chế còn 2 nhiệm vụ quá hạn và 1 nhiệm vụ đến hạn trong "
                         "7 ngày tới. Ngoài ra, Vụ Pháp chế phối hợp thực hiện 1 nhiệm vụ quá hạn hoặc sắp đến hạn do "
                         "đơn vị khác chủ trì."]
    assert "Đề nghị Vụ Pháp chế khẩn trương thực hiện và báo cáo kết quả về Văn phòng Bộ" in "\n".join(texts)

    header, overdue, due_soon, coordinating, closing = document.tables
    # the office, the number and V/v on the left; the national name, the motto, place and date on the right
    assert _cells(header) == [["BỘ TƯ PHÁP\nVĂN PHÒNG BỘ\n\nSố: …/VP-TH\nV/v đôn đốc thực hiện nhiệm vụ",
                               "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                               "Hà Nội, ngày 15 tháng 11 năm 2022"]]
    left, right = header.rows[0].cells
    assert [r.bold for r in left.paragraphs[0].runs] == [False] and left.paragraphs[1].runs[0].bold
    assert right.paragraphs[3].runs[0].italic
    assert _cells(overdue) == [
        ["STT", "Nhiệm vụ", "Văn bản", "Thời hạn", "Số ngày quá hạn"],
        ["1", "NV-01: Xây dựng đề án chuyển đổi số", "07-NQ/ĐUK", "30/09/2022 (gia hạn từ 31/08/2022)", "46"],
        ["2", "NV-03: Rà soát văn bản quy phạm pháp luật", "1234/QĐ-BTP", "31/10/2022", "15"],
    ]
    assert _cells(due_soon) == [
        ["STT", "Nhiệm vụ", "Văn bản", "Thời hạn", "Số ngày còn lại"],
        ["1", "Báo cáo sơ kết 6 tháng", "", "18/11/2022", "3"],
    ]
    assert _cells(coordinating) == [
        ["STT", "Nhiệm vụ", "Văn bản", "Đơn vị chủ trì", "Thời hạn", "Tình trạng"],
        ["1", "NV-07: Kế hoạch tuyên truyền pháp luật", "15-NQ/TW", "Vụ Phổ biến, giáo dục pháp luật", "01/11/2022",
         "quá hạn 14 ngày"],
    ]
    # Nơi nhận beside the signature block: authority, room to sign, the name
    assert _cells(closing) == [["Nơi nhận:\n- Như trên;\n- Lưu: VT.",
                                "KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG\n\n\n\n\nNguyễn Văn An"]]
    signature = closing.rows[0].cells[1].paragraphs
    assert signature[0].runs[0].bold and signature[-1].runs[0].bold
    # section titles precede their tables
    assert "Nhiệm vụ quá hạn" in texts and "Nhiệm vụ đến hạn trong 7 ngày tới" in texts


def test_docx_page_layout_follows_decree_30(notice, vi, tmp_path):
    from docx.shared import Pt

    document = _docx(notice, tmp_path)
    section = document.sections[0]
    mm = lambda length: round(length.mm)  # noqa: E731  (Word stores twips)
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(m) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [
        20, 20, 30, 15]
    assert section.different_first_page_header_footer  # page numbers from page 2
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size == Pt(14)


def test_docx_in_english(notice, en, tmp_path):
    document = _docx(notice, tmp_path)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "To: Vụ Pháp chế"
    assert _cells(document.tables[0])[0][1].endswith("Hà Nội, 15 November 2022")
    assert _cells(document.tables[1]) == [
        ["Item no.", "Task", "Document", "Deadline", "Days overdue"],
        ["1", "NV-01: Xây dựng đề án chuyển đổi số", "07-NQ/ĐUK", "2022-09-30 (extended from 2022-08-31)", "46"],
        ["2", "NV-03: Rà soát văn bản quy phạm pháp luật", "1234/QĐ-BTP", "2022-10-31", "15"],
    ]


def test_docx_header_table_has_no_borders(notice, en, tmp_path):
    from docx.oxml.ns import qn

    header = _docx(notice, tmp_path).tables[0]
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {child.get(qn("w:val")) for child in borders} == {"nil"}
