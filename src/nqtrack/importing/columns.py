"""Which column means which field: the header names of docs/design.md (section 11), per kind of import.

Headers are compared folded (case, accents, spaces) and without punctuation, so
"Số, ký hiệu", "SO KY HIEU" and "số ký hiệu" are one header.
"""

from __future__ import annotations

import re

from nqtrack.core.text import fold

KINDS = ("tasks", "units", "documents")

TASK_COLUMNS: dict[str, list[str]] = {
    "code": ["code", "Mã", "Mã nhiệm vụ", "Mã số"],
    "document": ["document", "Văn bản", "Số ký hiệu", "Số, ký hiệu", "Ký hiệu", "Số hiệu văn bản", "Văn bản giao"],
    "title": ["title", "Nội dung", "Nội dung nhiệm vụ", "Nhiệm vụ", "Tên nhiệm vụ", "Trích yếu nhiệm vụ"],
    "source": ["source", "Nguồn giao", "Cơ quan giao", "Nguồn", "Cấp giao"],
    "lead_unit": ["lead_unit", "lead unit", "Đơn vị chủ trì", "Chủ trì", "Đơn vị thực hiện"],
    "coordinating_units": ["coordinating_units", "coordinating units", "Đơn vị phối hợp", "Phối hợp"],
    "assignee": ["assignee", "Người thực hiện", "Chuyên viên", "Cán bộ thực hiện", "Chuyên viên thực hiện"],
    "assigned_on": ["assigned_on", "assigned on", "Ngày giao"],
    "deadline": ["deadline", "Thời hạn", "Hạn xử lý", "Hạn hoàn thành", "Thời hạn hoàn thành"],
    "extended_deadline": [
        "extended_deadline",
        "extended deadline",
        "Thời hạn gia hạn",
        "Gia hạn",
        "Gia hạn đến",
        "Hạn gia hạn",
    ],
    "product": ["product", "Sản phẩm", "Sản phẩm đầu ra", "Hình thức văn bản"],
    "status": ["status", "state", "Trạng thái", "Tình trạng", "Tình hình thực hiện"],
    "progress": ["progress", "Tiến độ", "% hoàn thành", "Tỷ lệ hoàn thành"],
    "completed_on": ["completed_on", "completed on", "Ngày hoàn thành"],
    "note": ["note", "Ghi chú"],
}

UNIT_COLUMNS: dict[str, list[str]] = {
    "code": ["code", "Mã đơn vị", "Mã", "Ký hiệu"],
    "name": ["name", "Tên đơn vị", "Đơn vị", "Tên"],
    "parent": ["parent", "Đơn vị cấp trên", "Cấp trên", "Trực thuộc"],
    "aliases": ["aliases", "Tên khác", "Tên gọi khác", "Tên viết tắt"],
    "email": ["email", "Thư điện tử", "E-mail"],
}

DOCUMENT_COLUMNS: dict[str, list[str]] = {
    "symbol": ["symbol", "Số ký hiệu", "Số, ký hiệu", "Ký hiệu", "Văn bản", "Số hiệu"],
    "type": ["type", "Loại văn bản", "Loại", "Hình thức"],
    "issued_on": ["issued_on", "issued on", "Ngày ban hành", "Ngày văn bản"],
    "received_on": ["received_on", "received on", "Ngày nhận", "Ngày đến"],
    "issuer": ["issuer", "Cơ quan ban hành", "Nơi ban hành"],
    "title": ["title", "Trích yếu", "Tên văn bản", "Nội dung", "Trích yếu nội dung"],
    "parent": ["parent", "implements", "Thực hiện văn bản", "Văn bản cấp trên", "Văn bản gốc"],
}

COLUMNS = {"tasks": TASK_COLUMNS, "units": UNIT_COLUMNS, "documents": DOCUMENT_COLUMNS}
REQUIRED = {"tasks": ("title",), "units": ("name",), "documents": ("symbol",)}
_PUNCTUATION = re.compile(r"[^\w%]+")


def header_key(header: str) -> str:
    return _PUNCTUATION.sub(" ", fold(header)).strip()


def _index(kind: str) -> dict[str, str]:
    return {header_key(name): field for field, names in COLUMNS[kind].items() for name in names}


def is_known_header(kind: str):
    """A predicate for the reader: does this header cell name a field of `kind`?"""
    index = _index(kind)
    return lambda header: header_key(header) in index


def map_headers(
    kind: str, headers: list[str], overrides: dict[str, str] | None = None
) -> tuple[dict[int, str], list[str]]:
    """Column index → field, and the headers nobody maps (ignored, listed once)."""
    index = _index(kind)
    fields = set(COLUMNS[kind])
    by_header = {header_key(h): f for h, f in (overrides or {}).items()}
    mapping: dict[int, str] = {}
    # --map wins over the built-in names: its columns are placed first
    for i, header in enumerate(headers):
        field = by_header.get(header_key(header))
        if field in fields and field not in mapping.values():
            mapping[i] = field
    ignored: list[str] = []
    for i, header in enumerate(headers):
        if i in mapping:
            continue
        field = index.get(header_key(header))
        if field and field not in mapping.values():
            mapping[i] = field
        elif header:
            ignored.append(header)
    return mapping, ignored


def parse_map_options(options: list[str], kind: str) -> dict[str, str]:
    """`--map 'Header=field'` options; raises ValueError naming a bad one."""
    result = {}
    for option in options:
        header, sep, field = option.rpartition("=")
        field = field.strip()
        if not sep or not header.strip() or field not in COLUMNS[kind]:
            raise ValueError(option)
        result[header.strip()] = field
    return result
