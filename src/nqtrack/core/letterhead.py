"""What an official letter or report says about its issuer (Nghị định 30/2020/NĐ-CP, Phụ lục I):
the office, the place, the number's pattern and the signature block; read from the stored
settings, checked when they are set.

- office: the issuing office written as a name ("Văn phòng Bộ Tư pháp"), optionally after the
  body it belongs to ("Bộ Tư pháp / Văn phòng Bộ"). The heading prints each part in capitals
  (the body above, not bold; the office, bold); the letter's text names the office as written.
- place: the place of issue ("Hà Nội"), written before the date.
- number: the pattern of the number and symbol, with "…" where the records office (văn thư)
  writes the number when it registers the letter: "…/VP-TH" (a letter, công văn), "…/BC-VP"
  (a report), or in the party's style "…-CV/VPĐU".
- signer: the authority lines and the name, separated by " / ":
  "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG / Nguyễn Văn A".
"""

from __future__ import annotations

from dataclasses import dataclass

from nqtrack.core.errors import InvalidInput

SEPARATOR = "/"
NUMBER_MARK = "…"
MAX_LENGTH = 200


@dataclass(frozen=True)
class Signer:
    authority: tuple[str, ...]  # "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG" (printed in capitals)
    name: str  # "Nguyễn Văn A"


@dataclass(frozen=True)
class Letterhead:
    office: str = ""
    place: str = ""
    number: str = ""
    signer: Signer | None = None

    @property
    def office_parts(self) -> tuple[str, ...]:
        return split_parts(self.office)

    @property
    def office_name(self) -> str:
        """The issuing office as a name, for the text of the letter ("Văn phòng Bộ")."""
        parts = self.office_parts
        return parts[-1] if parts else ""

    @property
    def heading_lines(self) -> tuple[str, ...]:
        """The office as the heading prints it: each part in capitals, the issuing office last."""
        return tuple(part.upper() for part in self.office_parts)


def split_parts(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(SEPARATOR) if part.strip())


def _is_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def check_office(value: str) -> str:
    parts = split_parts(value)
    if not parts or len(parts) > 2 or len(value) > MAX_LENGTH or any(_is_capitals(p) for p in parts):
        raise InvalidInput(
            "write the office as a name, not in capitals, optionally after the body it belongs to: "
            "'Văn phòng Bộ Tư pháp' or 'Bộ Tư pháp / Văn phòng Bộ' (the heading prints it in capitals)")
    return " / ".join(parts)


def check_number(value: str) -> str:
    text = value.strip().replace("...", NUMBER_MARK)
    if text.count(NUMBER_MARK) != 1 or SEPARATOR not in text or any(c.isspace() for c in text) or len(text) > 40:
        raise InvalidInput(
            "a number pattern has '…' where the records office writes the number, then its symbol: "
            "'…/VP-TH' (a letter), '…/BC-VP' (a report), '…-CV/VPĐU'")
    return text


def parse_signer(value: str | None) -> Signer | None:
    parts = split_parts(value)
    if len(parts) < 2:
        return None
    return Signer(tuple(part.upper() for part in parts[:-1]), parts[-1])


def check_signer(value: str) -> str:
    parts = split_parts(value)
    if len(parts) < 2 or len(parts) > 4 or len(value) > MAX_LENGTH or _is_capitals(parts[-1]):
        raise InvalidInput(
            "the signer is the authority lines, then the name written as a name, separated by ' / ': "
            "'KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG / Nguyễn Văn A'")
    return " / ".join(parts)


def check_place(value: str) -> str:
    text = " ".join(value.split())
    if not text or len(text) > 80 or not text[0].isupper():
        raise InvalidInput("the place is the name of the province or city, capitalised: 'Hà Nội'")
    return text


def missing(head: Letterhead, number_setting: str = "number") -> list[str]:
    """The settings a letter needs that are not set, by the names `nqtrack config` knows."""
    found = []
    if not head.office:
        found.append("office")
    if not head.place:
        found.append("place")
    if not head.number:
        found.append(number_setting)
    if head.signer is None:
        found.append("signer")
    return found
