"""Reading and writing the dates and deadlines found in Vietnamese office files.

Dates are always read day first (`03/04/2022` is 3 April), strictly: a value that
is not clearly one date is refused, because a silently misread deadline is worse
than an import that stops and names the bad cell. Deadlines are often words
("Quý II/2026", "Thường xuyên"); `parse_deadline` keeps the text as written beside
the day it means. Standard library only: this runs at every CLI start.

Relative deadlines ("trong 10 ngày làm việc kể từ ngày nhận được văn bản") and periodic
ones ("trước ngày 20 hằng tháng") are read without a calendar: the `Deadline` carries
the rule, and `resolve_relative` turns a relative one into a day once the calendar and
the day it counts from are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from nqtrack.core.calendar import PeriodUnit, WorkCalendar
from nqtrack.core.recurrence import Recurrence, RecurrenceError, parse_recurrence
from nqtrack.core.text import fold, lazy_pattern, nfc

__all__ = [
    "DateError",
    "Deadline",
    "RelativeDeadline",
    "parse_date",
    "parse_deadline",
    "parse_iso",
    "format_date",
    "format_long_date",
    "resolve_relative",
]

MIN_YEAR = 1900
MAX_YEAR = 2199


class DateError(ValueError):
    """A value that is not a date (or not a deadline); the message names the value."""


CountedFrom = Literal["assigned", "signed", "received"]


@dataclass(frozen=True)
class RelativeDeadline:
    """`count` days, working days or months counted from the day the task was assigned
    (ngày giao, the default), the document was signed (ngày ký, ban hành) or received
    (ngày nhận). Weeks are kept as 7 days and years as 12 months."""

    count: int
    unit: PeriodUnit
    counted_from: CountedFrom = "assigned"


@dataclass(frozen=True)
class Deadline:
    """A deadline as written (`text`) and the day it means (`date`, None when none).

    A relative deadline has no date yet but a `relative` rule (see `resolve_relative`);
    a periodic one is recurring work with a `recurrence` rule, one deadline per period.
    """

    date: date | None
    text: str | None
    recurring: bool = False  # "Thường xuyên", "Hằng năm"…: recurring work, no deadline
    relative: RelativeDeadline | None = None
    recurrence: Recurrence | None = None


# --- patterns (all applied to fold()ed text: lower case, no accents, đ → d) ----------
# [0-9] and not \d: \d also matches other scripts' digits, which are not dates here.

_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?)?"
# 21/10/2022, 21-10-2022, 21.10.2022, 1/2/22, "ngày 21/10/2022", with an optional time.
_DMY = lazy_pattern(
    r"^(?:ngay\s*)?([0-9]{1,2})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]{4}|[0-9]{2})" + _TIME + r"$"
)
# 2022-10-21, 2022-10-21 00:00:00, 2022-10-21T08:30:00 (year first only with 4 digits).
_YMD = lazy_pattern(r"^([0-9]{4})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})" + _TIME + r"$")
# "Hà Nội, ngày 31 tháng 8 năm 2017": the long form, surrounding words allowed.
_LONG = lazy_pattern(
    r"(?:\bngay\s*)?(?<![0-9])([0-9]{1,2})\s*thang\s*([0-9]{1,2})\s*nam\s*([0-9]{4})(?![0-9])"
)
# "…, ngày 21/10/2022": "ngày" anchors a numeric date inside longer text.
_NGAY_DMY = lazy_pattern(
    r"\bngay\s*([0-9]{1,2})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]{4}|[0-9]{2})(?![0-9])"
)


def _in_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def _year(text: str) -> int:
    """Two-digit years are 20yy: the files are from this century."""
    return 2000 + int(text) if len(text) == 2 else int(text)


def _date_parts(folded: str) -> list[tuple[int, int, int]]:
    """The (year, month, day) triples a folded text names, not yet checked."""
    m = _DMY.match(folded)
    if m:
        return [(_year(m.group(4)), int(m.group(3)), int(m.group(1)))]
    m = _YMD.match(folded)
    if m:
        return [(int(m.group(1)), int(m.group(3)), int(m.group(4)))]
    found: list[tuple[int, int, int]] = []
    for m in _LONG.finditer(folded):
        found.append((int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _NGAY_DMY.finditer(folded):
        found.append((_year(m.group(4)), int(m.group(3)), int(m.group(1))))
    return list(dict.fromkeys(found))


def _make(parts: tuple[int, int, int]) -> date | None:
    year, month, day = parts
    if not _in_range(year):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shown(value: object) -> str:
    return nfc(value) if isinstance(value, str) else str(value)


def parse_date(value: str | date | datetime) -> date:
    """The date a cell or option means, read day first; DateError unless exactly one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise DateError(f"{value!r} is not a date")
    parts = _date_parts(fold(value))
    if len(parts) != 1:
        raise DateError(f"'{_shown(value)}' is not a date")
    result = _make(parts[0])
    if result is None:
        raise DateError(f"'{_shown(value)}' is not a date")
    return result


def parse_iso(value: str) -> date:
    """Strict YYYY-MM-DD, for command-line options where no guessing is wanted."""
    text = value.strip() if isinstance(value, str) else ""
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text)
    result = _make((int(m.group(1)), int(m.group(2)), int(m.group(3)))) if m else None
    if result is None:
        raise DateError(f"'{_shown(value)}' is not a date in the form YYYY-MM-DD")
    return result


# --- deadlines -------------------------------------------------------------------------

_NO_DEADLINE = {
    "-", "--", "---", "\u2013", "\u2014",
    "khong", "khong co", "khong thoi han", "khong co thoi han", "khong han",
    "khong xac dinh thoi han", "khong quy dinh thoi han", "chua co thoi han",
}
_RECURRING = lazy_pattern(
    r"^(?:thuong xuyen|thuong ky|hang (?:nam|quy|thang|tuan|ngay)|dinh ky|lien tuc)\b"
)
# Leading words that only say "by": "trước", "chậm nhất", "hoàn thành trước", "trong"…
_PREFIX = lazy_pattern(
    r"^(?:(?:hoan thanh|thuc hien|truoc|cham nhat(?: la)?|muon nhat(?: la)?|toi da|trong"
    r"|den|han chot|han|vao|xong|cuoi|het|ket thuc)\b[\s:,]*)+"
)
_MONTH = lazy_pattern(
    r"^(?:(?:thang|t)\s*)?([0-9]{1,2})\s*[/.-]\s*([0-9]{4})$"  # Tháng 6/2026, T6/2026, 06/2026
    r"|^thang\s*([0-9]{1,2})\s*nam\s*([0-9]{4})$"  # tháng 6 năm 2026
)
_QUARTER = lazy_pattern(
    r"^(?:quy|q)\s*(iv|i{1,3}|[1-4])(?:\s*[/.-]\s*|\s+nam\s+|\s+)([0-9]{4})$"
)
_HALF = lazy_pattern(
    r"^(?:([0-9]{1,2})|sau)\s*thang\s*(dau|cuoi)\s*(?:nam\s*)?([0-9]{4})$"
    r"|^nua\s*(dau|cuoi)\s*nam\s*([0-9]{4})$"
)
_YEAR = lazy_pattern(r"^(?:nam\s*)?([0-9]{4})$")
_YEARS = lazy_pattern(
    r"^(?:(?:giai doan|thoi ky|cac nam|nam)\s*)?(?:tu\s*)?"
    r"([0-9]{4})\s*(?:[-\u2013\u2014]|den)\s*([0-9]{4})$"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _month_end(year: int, month: int) -> date | None:
    if not (_in_range(year) and 1 <= month <= 12):
        return None
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


_NOT_A_PERIOD = object()


def _period_end(rest: str) -> object:
    """The last day of the month, quarter, half or years a text names.

    `_NOT_A_PERIOD` when the text names no period; None when it names an impossible one.
    """
    m = _MONTH.match(rest)
    if m:
        month, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return _month_end(int(year), int(month))
    m = _QUARTER.match(rest)
    if m:
        quarter = _ROMAN.get(m.group(1)) or int(m.group(1))
        return _month_end(int(m.group(2)), quarter * 3)
    m = _HALF.match(rest)
    if m:
        if m.group(4):  # "nửa đầu năm 2026"
            return _month_end(int(m.group(5)), 6 if m.group(4) == "dau" else 12)
        months = int(m.group(1)) if m.group(1) else 6
        if not 1 <= months <= 12:
            return None
        return _month_end(int(m.group(3)), months if m.group(2) == "dau" else 12)
    m = _YEAR.match(rest)
    if m:
        return _month_end(int(m.group(1)), 12)
    m = _YEARS.match(rest)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        return _month_end(last, 12) if _in_range(first) and first <= last else None
    return _NOT_A_PERIOD


# "trong 10 ngày làm việc kể từ ngày nhận được văn bản", "trong thời hạn 15 ngày kể từ ngày
# ký", "trong vòng 3 tháng", "chậm nhất sau 30 ngày", "10 ngày làm việc kể từ ngày giao".
_RELATIVE = lazy_pattern(
    r"^(?P<lead>(?:(?:hoan thanh|thuc hien|trong|vong|thoi han|thoi gian|khoang|cham nhat|muon nhat|la"
    r"|toi da|khong qua|sau)\b[\s:,]*)*)"
    r"(?P<count>[0-9]{1,3})\s*(?P<unit>ngay lam viec|ngay|tuan|thang|nam)\b(?P<tail>.*)$"
)
# Without "kể từ …", only these words make "N ngày" a period ("10 ngày" alone is refused).
_WITHIN = lazy_pattern(r"\b(?:trong|cham nhat|muon nhat|toi da|khong qua|sau)\b")
_COUNTED = lazy_pattern(r"^[\s,;(\-\u2013]*(?:ke tu|tinh tu|tu|sau khi|sau)\b(?P<event>.*)$")
# The first of these words after "kể từ" names the day; "nhân dân" is not "nhận".
_EVENT = lazy_pattern(
    r"\b(?P<received>(?:tiep )?nhan)\b(?!\s+dan\b)|\b(?P<signed>ky|ban hanh)\b|\b(?P<assigned>giao|phan cong)\b"
)
_UNITS: dict[str, tuple[PeriodUnit, int]] = {
    "ngay lam viec": ("working_days", 1),
    "ngay": ("days", 1),
    "tuan": ("days", 7),  # Điều 148.2: a week ends on the same weekday, 7 days on
    "thang": ("months", 1),
    "nam": ("months", 12),  # Điều 148.4: same day and month; 29/2 ends on 28/2 like a month
}


def _relative(text: str, folded: str) -> RelativeDeadline | None:
    """The relative rule a folded deadline states; None when it states none."""
    m = _RELATIVE.match(folded)
    if not m:
        return None
    tail = m.group("tail").strip(" .;,)")
    counted_from: CountedFrom = "assigned"
    if tail:
        counted = _COUNTED.match(tail)
        if not counted:
            return None
        event = _EVENT.search(counted.group("event"))
        if event is None:
            raise DateError(f"'{text}' is not a deadline: it counts from a day nqtrack does not know")
        counted_from = "received" if event.group("received") else "signed" if event.group("signed") else "assigned"
    elif not _WITHIN.search(m.group("lead")):
        return None
    count = int(m.group("count"))
    unit, factor = _UNITS[m.group("unit")]
    if count == 0:
        raise DateError(f"'{text}' is not a deadline: a period of length 0")
    return RelativeDeadline(count * factor, unit, counted_from)


def resolve_relative(
    deadline: Deadline,
    calendar: WorkCalendar,
    assigned_on: date | None = None,
    signed_on: date | None = None,
    received_on: date | None = None,
) -> date | None:
    """The day a deadline falls on: its date, or the last day of its relative period.

    The period counts from the day its rule names, as the Civil Code counts (see
    `WorkCalendar.period_end`). None when the deadline has neither, or when the day it
    counts from is not known (a received day nobody recorded): the caller decides.
    """
    rule = deadline.relative
    if rule is None:
        return deadline.date
    start = {"assigned": assigned_on, "signed": signed_on, "received": received_on}[rule.counted_from]
    if start is None:
        return None
    if isinstance(start, datetime):
        start = start.date()
    return calendar.period_end(start, rule.count, rule.unit)


def parse_deadline(value: str | date | datetime | None) -> Deadline:
    """The deadline a cell means, with its text as written; DateError if it means none."""
    if value is None:
        return Deadline(None, None)
    if isinstance(value, (date, datetime)):
        return Deadline(parse_date(value), None)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a spreadsheet cell holding just a year
    if not isinstance(value, str):
        raise DateError(f"{value!r} is not a deadline")
    text = nfc(value)
    if not text:
        return Deadline(None, None)
    folded = fold(text).rstrip(" .;,")
    if folded in _NO_DEADLINE or not folded.strip(" -\u2013\u2014"):
        return Deadline(None, text)
    try:
        periodic = parse_recurrence(folded)
    except RecurrenceError as error:
        raise DateError(f"'{text}' is not a deadline: {error}") from None
    if periodic is not None:
        return Deadline(None, text, recurring=True, recurrence=periodic)
    if _RECURRING.match(folded):
        return Deadline(None, text, recurring=True)
    relative = _relative(text, folded)
    if relative is not None:
        return Deadline(None, text, relative=relative)
    rest = _PREFIX.sub("", folded).strip()
    end = _period_end(rest)
    if end is None:
        raise DateError(f"'{text}' is not a deadline: no such period")
    if isinstance(end, date):
        return Deadline(end, text)
    parts = _date_parts(rest)
    if len(parts) == 1:
        day = _make(parts[0])
        if day is None:
            y, m, d = parts[0]
            raise DateError(f"'{text}' is not a deadline: {d:02d}/{m:02d}/{y} does not exist")
        return Deadline(day, text)
    raise DateError(f"'{text}' is not a deadline")


# --- formatting ------------------------------------------------------------------------

_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def _english(lang: str | None) -> bool:
    """Anything not English is shown in Vietnamese, the default language."""
    return bool(lang) and str(lang).lower().startswith("en")


def format_date(d: date | None, lang: str = "vi") -> str:
    """A date for tables: "21/10/2022" in Vietnamese, ISO "2022-10-21" in English."""
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = d.date()
    if _english(lang):
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_long_date(d: date, lang: str = "vi") -> str:
    """A date for report headings: "ngày 21 tháng 10 năm 2022" / "21 October 2022".

    Vietnamese follows Nghị định 30/2020/NĐ-CP: days below 10 and months 1 and 2 get
    a leading zero ("ngày 05 tháng 02 năm 2022").
    """
    if isinstance(d, datetime):
        d = d.date()
    if _english(lang):
        return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"
