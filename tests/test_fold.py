"""fold() is the key every title, code and name is stored and looked up by: its quick way
(marks dropped as bytes, a text already spaced as the key kept) must give, text for text,
what the table's way gives, or a register folded before it no longer passes `check` and
its look-ups miss. Held to the table's way (_fold_by_table, the definition) on every
character of the Basic Multilingual Plane, each Latin letter with each mark, and texts
hypothesis makes of Vietnamese, other scripts, marks and every kind of white space."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nqtrack.core.text import _MARKS, _fold_by_table, fold


@pytest.mark.parametrize("text, key", [
    ("Đảng ủy", "dang uy"),
    ("  Hòa   bình ", "hoa binh"),
    ("hoà hòa", "hoa hoa"),  # old and new tone placement
    ("Hoa\u0300", "hoa"),  # a combining grave, not composed
    ("ÐỊA BÀN", "dia ban"),  # Icelandic eth for Đ
    ("Kế hoạch\tsố\n12/KH-VP", "ke hoach so 12/kh-vp"),
    ("Straße ǅ", "strasse ǆ"),  # casefold of what is not Vietnamese
    ("Ωμέγα 中文", "ωμεγα 中文"),  # letters outside Latin keep, marks go
    ("\u0301", ""),
    ("", ""),
    (None, ""),
])
def test_fold_gives_the_key(text, key):
    assert fold(text) == key


def test_every_character_of_the_plane_folds_as_the_table_folds_it():
    differ = [hex(code) for code in range(0x10000) if fold(chr(code)) != _fold_by_table(chr(code))]
    assert differ == []


def test_every_latin_letter_with_every_mark_folds_as_the_table_folds_it():
    letters = [chr(c) for c in (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00))]
    marks = [chr(c) for c in range(0x0300, 0x0370)]
    differ = [(letter, hex(ord(mark))) for letter in letters for mark in marks
              if fold(f"x {letter}{mark}y") != _fold_by_table(f"x {letter}{mark}y")]
    assert differ == []


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
TONES = "\u0300\u0301\u0303\u0309\u0323"
SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000"
OTHERS = "ÐðßæøſẛǅİıΩωάᾳ中文한글ﬁ\u0345\u0483\u05b0\u200b\x00\x7f"


def _pieces() -> st.SearchStrategy[str]:
    letter_and_tone = st.tuples(st.sampled_from(VIETNAMESE), st.sampled_from(TONES)).map("".join)
    return st.one_of(
        letter_and_tone.map(lambda text: unicodedata.normalize("NFC", text)),
        letter_and_tone,  # left decomposed
        st.sampled_from(list(SPACES)),
        st.sampled_from(list(OTHERS)),
        st.sampled_from(list(_MARKS)),
        st.characters(codec="utf-8"),
        st.text(alphabet="abcxyz0123/-.,", min_size=1, max_size=4),
    )


@settings(max_examples=3000, deadline=None)
@given(st.lists(_pieces(), max_size=30).map("".join))
@example("Ủy ban nhân dân tỉnh Đồng Nai")
@example(" \u00a0Hà\u2028Nội ")
@example("a\u0345")
def test_any_text_folds_as_the_table_folds_it(text):
    assert fold(text) == _fold_by_table(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=VIETNAMESE + TONES + " ", max_size=60))
def test_a_vietnamese_text_in_either_normal_form_folds_to_one_key(text):
    key = fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == key == fold(unicodedata.normalize("NFC", text))
    assert key.isascii()
