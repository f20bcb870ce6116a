"""Messages and labels in Vietnamese (the default) and English.

Message ids are the English texts; `_()` looks them up in the catalog of the chosen
language and fills in `{named}` arguments. Machine formats (JSON keys, CSV headers)
never go through here.
"""

from __future__ import annotations

import os
import re

LANGUAGES = ("vi", "en")
_language = "vi"

VI: dict[str, str] = {
    # errors
    "unknown task: '{ref}'": "không có nhiệm vụ '{ref}'",
    "unknown unit: '{ref}'": "không có đơn vị '{ref}'",
    "unknown document: '{ref}'": "không có văn bản '{ref}'",
    "'{ref}' fits several units: {names}": "'{ref}' khớp với nhiều đơn vị: {names}",
    "'{ref}' fits several documents: {names}": "'{ref}' khớp với nhiều văn bản: {names}",
    "database is locked: {path}": "cơ sở dữ liệu đang bị khóa: {path}",
    "not an nqtrack database: {path} ({reason})": "không phải cơ sở dữ liệu nqtrack: {path} ({reason})",
    "a unit needs a name": "đơn vị phải có tên",
    "a unit named '{name}' already exists": "đã có đơn vị tên '{name}'",
    "a document needs a number and symbol": "văn bản phải có số, ký hiệu",
    "a task needs a title": "nhiệm vụ phải có nội dung",
    "a task with code '{code}' already exists": "đã có nhiệm vụ mã '{code}'",
    "bad date for {option}: {reason}": "ngày không hợp lệ ở {option}: {reason}",
    "bad deadline: {reason}": "thời hạn không hợp lệ: {reason}",
    "unknown state '{value}'; use one of: {states}": "trạng thái '{value}' không hợp lệ; dùng một trong: {states}",
    "progress must be between 0 and 100": "tiến độ phải từ 0 đến 100",
    "--reason is required with --deadline (why the deadline changes)": "cần --reason khi đổi --deadline (lý do gia hạn)",
    "the change takes effect on {on}, after today ({today})": "ngày hiệu lực {on} sau ngày hôm nay ({today})",
    "nothing to change: give --lead or --with": "không có gì để thay đổi: cần --lead hoặc --with",
    "a new task needs a title and --lead": "nhiệm vụ mới cần nội dung và --lead",
    "unknown language '{lang}'; use vi or en": "ngôn ngữ '{lang}' không hợp lệ; dùng vi hoặc en",
    "unknown format '{value}'; use one of: {formats}": "định dạng '{value}' không hợp lệ; dùng một trong: {formats}",
    "unknown group '{value}'; use one of: {values}": "cách nhóm '{value}' không hợp lệ; dùng một trong: {values}",
    "unknown role '{value}'; use one of: {values}": "vai trò '{value}' không hợp lệ; dùng một trong: {values}",
    "--within, --min-days and --limit take positive numbers": "--within, --min-days và --limit phải là số dương",
    "unknown kind '{value}'; use one of: {values}": "loại '{value}' không hợp lệ; dùng một trong: {values}",
    "bad --map '{value}': use 'Header=field' with a field of {values}":
        "--map '{value}' không hợp lệ: dùng 'Tiêu đề=trường' với trường là một trong {values}",
    "--skip-invalid needs --rejects FILE for the rows it leaves out": "--skip-invalid cần --rejects TỆP để ghi các dòng bị loại",
    "cannot import: {reason}": "không nhập được: {reason}",
    "{rows} rows read": "đã đọc {rows} dòng",
    "row {row} (line {line})": "dòng {row} (dòng {line} của tệp)",
    "column '{column}'": "cột '{column}'",
    "{count} invalid rows; nothing was imported.": "{count} dòng không hợp lệ; chưa nhập dòng nào.",
    "… and {count} more problems.": "… và {count} lỗi khác.",
    "Reason": "Lý do",
    "Dry run: nothing was written.": "Chạy thử: không ghi gì vào cơ sở dữ liệu.",
    "{rows} rows: {created} created, {updated} updated, {unchanged} unchanged, {rejected} rejected.":
        "{rows} dòng: {created} tạo mới, {updated} cập nhật, {unchanged} không đổi, {rejected} bị loại.",
    "and {count} more": "và {count} mục khác",
    "New units ({count}): {names}": "Đơn vị mới ({count}): {names}",
    "New documents ({count}): {names}": "Văn bản mới ({count}): {names}",
    "{count} cells typed in TCVN3 or VNI were converted to Unicode.": "{count} ô gõ bằng TCVN3 hoặc VNI đã được chuyển sang Unicode.",
    "Columns ignored: {names}": "Các cột không dùng: {names}",
    "Rejected rows were written with their reasons to the --rejects file.": "Các dòng bị loại đã được ghi kèm lý do vào tệp --rejects.",
    "Import batch: {batch}": "Lô nhập: {batch}",
    "the backup cannot be the database itself": "bản sao lưu không thể là chính cơ sở dữ liệu",
    "Backup written: {path}": "Đã sao lưu: {path}",
    "Restored from {file}; the replaced database was kept as {kept}.": "Đã khôi phục từ {file}; cơ sở dữ liệu cũ được giữ tại {kept}.",
    "no such file: {path}": "không có tệp {path}",
    "Problem": "Vấn đề",
    "{count} problems found.": "Phát hiện {count} vấn đề.",
    "All checks passed.": "Mọi kiểm tra đều đạt.",
    "nothing to undo": "không có gì để hoàn tác",
    "Undone: {count} events on tasks {tasks}.": "Đã hoàn tác {count} sự kiện của các nhiệm vụ {tasks}.",
    "cannot undo: task {task}'s '{field}' was changed again since (event #{event})":
        "không hoàn tác được: trường '{field}' của nhiệm vụ {task} đã được thay đổi sau đó (sự kiện #{event})",
    "Exported to {path}.": "Đã xuất ra {path}.",
    "a unit cannot be placed under itself": "đơn vị không thể trực thuộc chính nó",
    "a document cannot implement itself": "văn bản không thể thực hiện chính nó",
    "--last takes a positive number": "--last phải là số dương",
    "a JSON export is restored into an empty database; this one already holds a register":
        "bản xuất JSON chỉ khôi phục vào cơ sở dữ liệu trống; cơ sở dữ liệu này đã có dữ liệu",
    "Register rebuilt: {units} units, {documents} documents, {tasks} tasks, {events} journal events.":
        "Đã dựng lại sổ theo dõi: {units} đơn vị, {documents} văn bản, {tasks} nhiệm vụ, {events} sự kiện nhật ký.",
    "Error": "Lỗi",
    # confirmations
    "Task {id} created.": "Đã tạo nhiệm vụ {id}.",
    "Task {id} updated: {fields}.": "Đã cập nhật nhiệm vụ {id}: {fields}.",
    "Task {id}: note recorded.": "Nhiệm vụ {id}: đã ghi chú.",
    "Task {id}: nothing changed.": "Nhiệm vụ {id}: không có thay đổi.",
    "Task {id} re-assigned.": "Đã giao lại nhiệm vụ {id}.",
    "Unit {name} added.": "Đã thêm đơn vị {name}.",
    "Unit renamed to {name}.": "Đã đổi tên đơn vị thành {name}.",
    "Document {symbol} added.": "Đã thêm văn bản {symbol}.",
    "Database ready: {path} (schema {version}).": "Cơ sở dữ liệu sẵn sàng: {path} (phiên bản {version}).",
    "No tasks.": "Không có nhiệm vụ nào.",
    # labels
    "Database": "Cơ sở dữ liệu",
    "Schema version": "Phiên bản lược đồ",
    "Units": "Đơn vị",
    "Documents": "Văn bản",
    "Tasks": "Nhiệm vụ",
    "Journal events": "Sự kiện nhật ký",
    "No.": "Số",
    "Code": "Mã",
    "Name": "Tên",
    "Parent unit": "Đơn vị cấp trên",
    "Aliases": "Tên khác",
    "Symbol": "Số, ký hiệu",
    "Type": "Loại",
    "Issued on": "Ngày ban hành",
    "Issuer": "Cơ quan ban hành",
    "Title": "Nội dung",
    "Implements": "Thực hiện văn bản",
    "Done": "Hoàn thành",
    "Document": "Văn bản",
    "Source": "Nguồn giao",
    "Lead unit": "Đơn vị chủ trì",
    "Coordinating units": "Đơn vị phối hợp",
    "Assignee": "Người thực hiện",
    "Assigned on": "Ngày giao",
    "Deadline": "Thời hạn",
    "Original deadline": "Thời hạn ban đầu",
    "Deadline as written": "Thời hạn (nguyên văn)",
    "Product": "Sản phẩm",
    "State": "Trạng thái",
    "Progress": "Tiến độ",
    "Completed on": "Ngày hoàn thành",
    "Recurring": "Thường xuyên",
    "Note": "Ghi chú",
    "Timing": "Tình hình",
    "History": "Lịch sử",
    "Effective": "Hiệu lực",
    "Recorded": "Ghi nhận lúc",
    "By": "Người ghi",
    "Event": "Sự kiện",
    "Field": "Trường",
    "Old": "Cũ",
    "New": "Mới",
    "yes": "có",
    "no": "không",
    "Tasks of {symbol}": "Nhiệm vụ của văn bản {symbol}",
    # overdue view
    "{day}: nothing is overdue and nothing falls due in the next {within} days.":
        "Ngày {day}: không có nhiệm vụ quá hạn, không có nhiệm vụ đến hạn trong {within} ngày tới.",
    "{day}: {overdue} tasks overdue, {carried} of them carried over from earlier months; {soon} due within {within} days.":
        "Ngày {day}: {overdue} nhiệm vụ quá hạn, trong đó {carried} nhiệm vụ chuyển từ các tháng trước; {soon} nhiệm vụ đến hạn trong {within} ngày tới.",
    "{paused} paused tasks are past their deadline.": "{paused} nhiệm vụ tạm dừng đã quá thời hạn.",
    "from {month}: {count}": "chuyển từ {month}: {count}",
    "Overdue by month of deadline": "Quá hạn theo tháng của thời hạn",
    "Overdue": "Quá hạn",
    "Carried over": "Chuyển tháng",
    "Due soon": "Sắp đến hạn",
    "Oldest deadline": "Thời hạn sớm nhất",
    "Days overdue": "Số ngày quá hạn",
    "Extended": "Gia hạn",
    "from {day}": "từ {day}",
    "… and {count} more overdue tasks (--limit)": "… và {count} nhiệm vụ quá hạn khác (--limit)",
    "Paused, past their deadline": "Tạm dừng, đã quá thời hạn",
    "Due within {within} days": "Đến hạn trong {within} ngày tới",
    "Overdue tasks": "Nhiệm vụ quá hạn",
    "Paused": "Tạm dừng",
    # report
    "Report on the implementation of tasks, month {label}": "Báo cáo tình hình thực hiện nhiệm vụ tháng {label}",
    "Report on the implementation of tasks, quarter {label}": "Báo cáo tình hình thực hiện nhiệm vụ quý {label}",
    "Report on the implementation of tasks, year {label}": "Báo cáo tình hình thực hiện nhiệm vụ năm {label}",
    "Report on the implementation of tasks from {start} to {end}":
        "Báo cáo tình hình thực hiện nhiệm vụ từ ngày {start} đến ngày {end}",
    "Period {start} – {end}; figures as of {as_of}.": "Kỳ báo cáo từ {start} đến {end}; số liệu tính đến {as_of}.",
    "Journal as recorded by the end of {day}.": "Theo dữ liệu ghi nhận đến hết ngày {day}.",
    "Filters: {filters}.": "Phạm vi: {filters}.",
    "Tasks received": "Số nhiệm vụ được giao",
    "with a deadline": "có thời hạn",
    "without a deadline": "không có thời hạn",
    "Completed, with a deadline": "Đã hoàn thành, có thời hạn",
    "Completed, without a deadline": "Đã hoàn thành, không có thời hạn",
    "Still being carried out": "Đang thực hiện",
    "Cancelled": "Hủy, không thực hiện",
    "Same period last year": "Cùng kỳ năm trước",
    "Change on last year": "Tăng/giảm so với cùng kỳ",
    "Tasks to carry out": "Số nhiệm vụ phải thực hiện",
    "due in the period": "đến hạn trong kỳ",
    "carried over from earlier periods": "chuyển từ các kỳ trước",
    "Completed": "Đã hoàn thành",
    "on time": "đúng hạn",
    "late": "quá hạn",
    "Overdue, not completed": "Quá hạn, chưa hoàn thành",
    "In progress, within the deadline": "Đang thực hiện, trong hạn",
    "Completion rate": "Tỷ lệ hoàn thành",
    "Deadlines extended in the period": "Được gia hạn trong kỳ",
    "Open tasks without a deadline": "Nhiệm vụ không thời hạn chưa hoàn thành",
    "Received": "Được giao",
    "To carry out": "Phải thực hiện",
    "of which late": "trong đó quá hạn",
    "In progress": "Đang thực hiện",
    "Rate": "Tỷ lệ",
    "Month": "Tháng",
    "Figure": "Chỉ tiêu",
    "Number": "Số lượng",
    "Tasks received in the period": "Nhiệm vụ được giao trong kỳ",
    "Tasks to carry out in the period": "Nhiệm vụ phải thực hiện trong kỳ",
    "By lead unit": "Theo đơn vị chủ trì",
    "By source": "Theo nguồn giao",
    "Completion rate, last 12 months": "Tỷ lệ hoàn thành 12 tháng gần nhất",
    "Overdue tasks on {day}": "Nhiệm vụ quá hạn tại ngày {day}",
    "None.": "Không có.",
    "give one period: --month, --quarter, --year, or --from with --to":
        "cần chọn một kỳ: --month, --quarter, --year, hoặc --from cùng --to",
    "bad period: {reason}": "kỳ báo cáo không hợp lệ: {reason}",
    "--cutoff takes a day from 1 to 28": "--cutoff phải là ngày từ 1 đến 28",
    "unknown setting '{value}'; use one of: {values}": "không có thiết lập '{value}'; dùng một trong: {values}",
    # states and timing classes
    "new": "chưa thực hiện",
    "in_progress": "đang thực hiện",
    "done": "hoàn thành",
    "paused": "tạm dừng",
    "cancelled": "hủy",
    "completed_on_time": "hoàn thành đúng hạn",
    "completed_late": "hoàn thành quá hạn",
    "overdue": "quá hạn",
    # event kinds
    "created": "tạo mới",
    "imported": "nhập từ tệp",
    "updated": "cập nhật",
    "extended": "gia hạn",
    "reassigned": "giao lại",
    "completed": "hoàn thành",
    "note": "ghi chú",
    "undo": "hoàn tác",
}

CATALOGS = {"vi": VI, "en": {}}

# Reasons that come from the parsers with a value inside them.
_REASON_PATTERNS_VI = [
    (re.compile(r"^'(.*)' is not a date$"), "'{0}' không phải là ngày hợp lệ (ngày/tháng/năm)"),
    (re.compile(r"^'(.*)' is not a deadline$"), "'{0}' không phải là thời hạn hợp lệ"),
    (re.compile(r"^a task needs a title$"), "nhiệm vụ phải có nội dung"),
    (re.compile(r"^a completed task needs its completion date \('Ngày hoàn thành'\)$"),
     "nhiệm vụ đã hoàn thành phải có 'Ngày hoàn thành'"),
    (re.compile(r"^the completion date is after today$"), "ngày hoàn thành sau ngày hôm nay"),
    (re.compile(r"^the same task as row (\d+)$"), "trùng với nhiệm vụ ở dòng {0}"),
    (re.compile(r"^unknown unit '(.*)' \(--strict-units\)$"), "không có đơn vị '{0}' (--strict-units)"),
    (re.compile(r"^unknown state; .*$"), "trạng thái không hợp lệ; dùng Chưa thực hiện, Đang thực hiện, Hoàn thành, Tạm dừng, Hủy"),
    (re.compile(r"^progress must be between 0 and 100$"), "tiến độ phải từ 0 đến 100"),
    (re.compile(r"^progress is not a number$"), "tiến độ không phải là số"),
]


def translate_reason(reason: str) -> str:
    """A parser's English reason in the chosen language."""
    if _language == "vi":
        for pattern, text in _REASON_PATTERNS_VI:
            match = pattern.match(reason)
            if match:
                return text.format(*match.groups())
    return reason


def set_language(lang: str | None) -> str:
    global _language
    lang = (lang or os.environ.get("NQTRACK_LANG") or "vi").strip().lower()
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _language = lang
    return lang


def language() -> str:
    return _language


def _(message: str, **args: object) -> str:
    text = CATALOGS[_language].get(message, message)
    return text.format(**args) if args else text
