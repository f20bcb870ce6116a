"""Which column means which field: the header names of docs/design.md (section 11), per kind of import.

Headers are compared folded (case, accents, spaces) and without punctuation, so
"Số, ký hiệu", "SO KY HIEU" and "số ký hiệu" are one header. When two columns name one
field, the name listed first wins ("Nội dung nhiệm vụ" over "Trích yếu"). A header that
only *contains* a known name of two words or more ("Thời hạn hoàn thành theo văn bản")
takes that field when no other column claims it.
"""

from __future__ import annotations

import re

from nqtrack.core.text import fold

KINDS = ("tasks", "units", "documents")

TASK_COLUMNS: dict[str, list[str]] = {
    "code": ["code", "Mã", "Mã nhiệm vụ", "Mã số"],
    "document": ["document", "Văn bản", "Số ký hiệu", "Số, ký hiệu", "Ký hiệu", "Số hiệu văn bản", "Văn bản giao",
                 "Số, ký hiệu văn bản", "Số ký hiệu văn bản", "Văn bản giao nhiệm vụ", "Văn bản chỉ đạo"],
    "document_date": ["document_date", "Ngày ban hành", "Ngày văn bản", "Ngày ban hành văn bản", "Ngày ký"],
    "title": ["title", "Nội dung", "Nội dung nhiệm vụ", "Nhiệm vụ", "Tên nhiệm vụ", "Trích yếu nhiệm vụ",
              "Nội dung công việc", "Nhiệm vụ được giao", "Trích yếu", "Trích yếu nội dung"],
    "source": ["source", "Nguồn giao", "Cơ quan giao", "Nguồn", "Cấp giao", "Cơ quan giao nhiệm vụ"],
    "lead_unit": ["lead_unit", "lead unit", "Đơn vị chủ trì", "Chủ trì", "Đơn vị thực hiện", "Cơ quan chủ trì",
                  "Cơ quan, đơn vị chủ trì", "Cơ quan thực hiện", "Đơn vị chủ trì thực hiện"],
    "coordinating_units": ["coordinating_units", "coordinating units", "Đơn vị phối hợp", "Phối hợp",
                           "Cơ quan phối hợp", "Cơ quan, đơn vị phối hợp", "Đơn vị phối hợp thực hiện"],
    "assignee": ["assignee", "Người thực hiện", "Chuyên viên", "Cán bộ thực hiện", "Chuyên viên thực hiện"],
    "assigned_on": ["assigned_on", "assigned on", "Ngày giao"],
    "deadline": ["deadline", "Thời hạn", "Hạn xử lý", "Hạn hoàn thành", "Thời hạn hoàn thành", "Thời hạn thực hiện",
                 "Hạn thực hiện"],
    # the deadline as written, beside the date it means (a listing exported by nqtrack)
    "deadline_text": ["deadline_text", "Thời hạn (nguyên văn)"],
    "extended_deadline": [
        "extended_deadline",
        "extended deadline",
        "Thời hạn gia hạn",
        "Gia hạn",
        "Gia hạn đến",
        "Hạn gia hạn",
    ],
    "product": ["product", "Sản phẩm", "Sản phẩm đầu ra", "Hình thức văn bản"],
    "status": ["status", "state", "Trạng thái", "Tình trạng", "Tình hình thực hiện", "Tình trạng thực hiện",
               "Trạng thái thực hiện", "Kết quả thực hiện"],
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


def _index(kind: str) -> dict[str, tuple[str, int]]:
    """Folded header name → (field, rank: the place of the name in the field's list)."""
    index: dict[str, tuple[str, int]] = {}
    for field, names in COLUMNS[kind].items():
        for rank, name in enumerate(names):
            index.setdefault(header_key(name), (field, rank))
    return index


def is_known_header(kind: str):
    """A predicate for the reader: does this header cell name a field of `kind`?"""
    index = _index(kind)
    return lambda header: header_key(header) in index


def field_of(kind: str, name: str) -> str | None:
    """The field a field name or any of its headers names ("lead_unit", "Đơn vị chủ trì")."""
    if name.strip() in COLUMNS[kind]:
        return name.strip()
    found = _index(kind).get(header_key(name))
    return found[0] if found else None


def _contained(kind: str, key: str, taken: set[str]) -> str | None:
    """The field whose longest name of two words or more is inside this header, if free."""
    best: tuple[int, str] | None = None
    padded = f" {key} "
    for name, (field, _rank) in _index(kind).items():
        if field in taken or " " not in name or f" {name} " not in padded:
            continue
        if best is None or len(name) > best[0]:
            best = (len(name), field)
    return best[1] if best else None


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
    # then the known names, the name listed first for a field winning
    best: dict[str, tuple[int, int]] = {}  # field → (rank, column)
    for i, header in enumerate(headers):
        found = index.get(header_key(header))
        if i in mapping or found is None or found[0] in mapping.values():
            continue
        field, rank = found
        if field not in best or rank < best[field][0]:
            best[field] = (rank, i)
    mapping.update({i: field for field, (_rank, i) in best.items()})
    # then headers that contain a known name, for the fields still free
    for i, header in enumerate(headers):
        if i in mapping or not header or header_key(header) in index:
            continue
        field = _contained(kind, header_key(header), set(mapping.values()))
        if field:
            mapping[i] = field
    ignored = [h for i, h in enumerate(headers) if h and i not in mapping]
    return dict(sorted(mapping.items())), ignored


# Words in a header that say it is probably a column of units (for the suggested --map).
_UNIT_WORDS = ("don vi", "co quan", "chu tri")


def looks_like_lead_unit(header: str) -> bool:
    key = header_key(header)
    return any(word in key for word in _UNIT_WORDS) and "phoi hop" not in key


def parse_map_options(options: list[str], kind: str) -> dict[str, str]:
    """`--map 'Header=field'` options, the field by its name or any of its Vietnamese
    headers ('Cột 5=Đơn vị chủ trì'); also 'field=Header' ('Đơn vị chủ trì=Cơ quan làm')
    when only the left side names a field. Raises ValueError naming a bad one."""
    result = {}
    for option in options:
        left, sep, right = option.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(option)
        field = field_of(kind, right)
        header = left.strip()
        if field is None and field_of(kind, left) is not None:
            field, header = field_of(kind, left), right.strip()
        if field is None:
            raise ValueError(option)
        result[header] = field
    return result
