"""TCVN3 (ABC) and VNI legacy text → Unicode, and the detection that must not misfire."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.importing.legacy_vn import (
    TCVN3_TABLE,
    VNI_PAIRS,
    VNI_SINGLES,
    detect_legacy,
    is_vietnamese_syllable,
    tcvn3_to_unicode,
    to_unicode,
    vni_to_unicode,
)

SHY = "\u00ad"  # TCVN3 "ư" is byte 0xAD, the (invisible) soft hyphen in cp1252

TCVN3_PAIRS = [
    (f"M{SHY}êng Kh{SHY}¬ng", "Mường Khương"),
    ("§¶ng ñy", "Đảng ủy"),
    (f"Bé T{SHY} ph¸p", "Bộ Tư pháp"),
    ("Hµ Néi", "Hà Nội"),
    ("ViÖt Nam", "Việt Nam"),
    ("nghÞ quyÕt", "nghị quyết"),
    ("Uû ban nh©n d©n tØnh", "Uỷ ban nhân dân tỉnh"),
    ("§¬n vÞ chñ tr×", "Đơn vị chủ trì"),
    ("Thêi h¹n hoµn thµnh", "Thời hạn hoàn thành"),
    ("Ngµy giao", "Ngày giao"),
]

VNI_PAIRS_CASES = [
    ("Vieät Nam", "Việt Nam"),
    ("Ñaûng uûy", "Đảng ủy"),
    ("Boä Tö phaùp", "Bộ Tư pháp"),
    ("Haø Noäi", "Hà Nội"),
    ("Nghò quyeát", "Nghị quyết"),
    ("ñôn vò chuû trì", "đơn vị chủ trì"),
    ("Sôû Tö phaùp", "Sở Tư pháp"),
    ("Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
]


@pytest.mark.parametrize(("legacy", "unicode"), TCVN3_PAIRS)
def test_tcvn3_words(legacy: str, unicode: str) -> None:
    assert tcvn3_to_unicode(legacy) == unicode
    assert detect_legacy(legacy) == "tcvn3"
    assert to_unicode(legacy) == (unicode, True)


def test_tcvn3_sentence() -> None:
    legacy = (
        f"Bé T{SHY} ph¸p ban hµnh KÕ ho¹ch triÓn khai thùc hiÖn NghÞ quyÕt sè 27-NQ/TW "
        "ngµy 09/11/2022 cña Ban ChÊp hµnh Trung \u00ad¬ng."
    )
    expected = (
        "Bộ Tư pháp ban hành Kế hoạch triển khai thực hiện Nghị quyết số 27-NQ/TW "
        "ngày 09/11/2022 của Ban Chấp hành Trung ương."
    )
    assert to_unicode(legacy) == (expected, True)


def test_tcvn3_dedicated_capitals() -> None:
    assert tcvn3_to_unicode("¡ ¢ £ ¤ ¥ ¦ §") == "Ă Â Ê Ô Ơ Ư Đ"
    assert to_unicode("§¹i héi §¶ng bé") == ("Đại hội Đảng bộ", True)
    assert to_unicode("¦u tiªn ¤ng") == ("Ưu tiên Ông", True)


def test_tcvn3_all_capitals_font() -> None:
    # .VnTimeH: typed with lower-case codes, shown as capitals
    assert tcvn3_to_unicode("UBND TØNH Hµ GIANG") == "UBND TỈNH HÀ GIANG"
    assert to_unicode("DANH MôC NHIÖM Vô") == ("DANH MỤC NHIỆM VỤ", True)
    # one capital letter is not enough to switch (ordinary capitalised word)
    assert tcvn3_to_unicode("Hµ") == "Hà"


def test_tcvn3_table_covers_every_lowercase_letter() -> None:
    letters = {
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưy"
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    } - set("aeiouy")
    letters.add("đ")
    assert len(letters) == 67
    lower_codes = {v for v in TCVN3_TABLE.values() if v.islower()}
    assert lower_codes == letters
    assert sorted(v for v in TCVN3_TABLE.values() if v.isupper()) == sorted("ĂÂÊÔƠƯĐ")
    assert len(TCVN3_TABLE) == 74


@pytest.mark.parametrize(("legacy", "unicode"), VNI_PAIRS_CASES)
def test_vni_words(legacy: str, unicode: str) -> None:
    assert vni_to_unicode(legacy) == unicode
    assert detect_legacy(legacy) == "vni"
    assert to_unicode(legacy) == (unicode, True)


def test_vni_upper_case() -> None:
    legacy = "COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM"
    assert to_unicode(legacy) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True)
    assert vni_to_unicode("ÑAÛNG UÛY") == "ĐẢNG ỦY"
    assert vni_to_unicode("ÔØ ÖÙ AÊ AÉ AÂ AÁ ÎÌ") == "Ờ Ứ Ă Ắ Â Ấ ỴÌ"


def test_vni_table_covers_every_letter() -> None:
    produced = set(VNI_PAIRS.values()) | set(VNI_SINGLES.values())
    for base in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            letter = unicodedata.normalize("NFC", base + tone)
            if letter in "aeiouy":
                continue
            assert letter in produced, letter
            assert letter.upper() in produced, letter.upper()
    assert {"đ", "Đ"} <= produced


# ---------------------------------------------------------------- no false positives
UNICODE_VIETNAMESE = [
    # only Latin-1 accented letters: these are the ones a careless detector would touch
    "Cà Mau", "Tây Ninh", "Kiên Giang", "Hòa Bình", "Trà Vinh", "Gia Lai", "Yên Bái",
    "Khánh Hòa", "Thái Bình", "Tây Nguyên", "Lai Châu", "Châu Thành", "Kon Tum",
    "Lào Cai", "Phú Yên", "Thanh Hóa", "Thanh Hoá", "Ninh Bình", "Hà Giang", "Hà Nam",
    "Tân Bình", "Bình Chánh", "Tuy Hòa", "Tân Biên", "Long Khánh", "Chí Linh",
    "Phòng Hành chính", "Chánh án Tòa án", "Chi nhánh Ngân hàng", "Báo cáo tình hình",
    "Quý II/2026", "Tháng 6/2026", "Phó Chánh Thanh tra", "Hòa Vang", "Gò Công",
    "Hà Tiên", "Cái Bè", "Giá Rai", "Cao Lãnh", "Thái Nguyên", "Phú Quý", "Khoá học",
    "Thuý", "Phòng Tài chính", "ông Tô Lâm",
    # full Vietnamese
    "Ủy ban nhân dân tỉnh Quảng Ninh", "Văn phòng Chính phủ", "Bộ Tư pháp",
    "Sở Kế hoạch và Đầu tư", "Ban Thường vụ Tỉnh ủy", "Đảng ủy Khối các cơ quan Trung ương",
    "Nghị quyết số 27-NQ/TW về tiếp tục xây dựng và hoàn thiện Nhà nước pháp quyền",
    "Kết luận số 82-KL/TW của Bộ Chính trị", "Quyết định 1234/QĐ-BTP",
    "Kế hoạch triển khai thực hiện Chỉ thị số 15-CT/TU", "Thông báo ý kiến chỉ đạo",
    "Cục Kiểm tra văn bản quy phạm pháp luật", "Hội đồng nhân dân huyện Mường Khương",
    "Nguyễn Văn Ánh", "Trần Thị Bích Ngọc", "Hằng năm", "Thường xuyên", "Không thời hạn",
    "trước ngày 15 tháng 9 năm 2026", "Đắk Lắk", "Bà Rịa - Vũng Tàu", "Thừa Thiên Huế",
    "Đơn vị chủ trì", "Người thực hiện", "Ngày hoàn thành",
]

OTHER_TEXT = [
    "José", "Müller", "José García", "Müller GmbH", "naïve café", "Zoë Saldaña",
    "François Mitterrand", "Ångström", "São Paulo", "Søren Kierkegaard", "Straße 5",
    "El Niño", "Björk Guðmundsdóttir", "Renée Zellweger", "résumé", "Smørrebrød", "Malmö",
    "Crème brûlée", "Señor Peña", "© 2024 Microsoft®", "½ kg", "25 µm", "§ 12 Abs. 3",
    "« Cà Mau »", "The report is due on 15/09/2026", "Annual plan 2026", "N/A", "TOTAL",
    "15/09/2026", "2026-09-15", "31.12.2025", "1.234,56", "3,5", "12", "", "   ",
    "07-NQ/ĐUK", "30/2020/NĐ-CP",
]


@pytest.mark.parametrize("text", UNICODE_VIETNAMESE)
def test_unicode_vietnamese_left_alone(text: str) -> None:
    assert detect_legacy(text) is None
    assert to_unicode(text) == (text, False)


def test_the_lists_are_long_enough() -> None:
    assert len(UNICODE_VIETNAMESE) >= 40
    assert len(OTHER_TEXT) >= 10


@pytest.mark.parametrize("text", OTHER_TEXT)
def test_other_text_left_alone(text: str) -> None:
    assert detect_legacy(text) is None
    assert to_unicode(text) == (text, False)


def test_ambiguous_single_word_needs_a_hint() -> None:
    # "Bé" is a real word, and also TCVN3 for "Bộ": left alone unless the file is TCVN3
    assert to_unicode("Bé") == ("Bé", False)
    assert to_unicode("Bé", prefer="tcvn3") == ("Bộ", True)
    assert to_unicode("Ghi chó") == ("Ghi chó", False)
    assert to_unicode("Ghi chó", prefer="tcvn3") == ("Ghi chú", True)
    # a hint never converts text that would stop being Vietnamese
    assert to_unicode("Kiên Giang", prefer="tcvn3") == ("Kiên Giang", False)


def test_syllable_check_accepts_real_words() -> None:
    words = ["Ủy", "ban", "nhân", "dân", "tỉnh", "Quảng", "Ninh", "Văn", "phòng", "Chính", "phủ", "Sở", "Kế", "hoạch", "Đầu", "tư", "Đảng", "ủy", "Khối", "Trung", "ương", "Nghị", "quyết", "triển", "khai", "thực", "hiện", "Kết", "luận", "tiếp", "tục", "đẩy", "mạnh", "phòng", "chống", "tham", "nhũng", "lãng", "phí", "Quyết", "định", "Chương", "trình", "Báo", "cáo", "tình", "hình", "tháng", "quý", "Thủ", "tướng", "Phó", "thường", "trực", "Cục", "Kiểm", "tra", "quốc", "gia", "giao", "dịch", "bảo", "đảm", "Mường", "Khương", "Khánh", "Hòa", "Hoà", "Thanh", "Hoá", "Thuý", "Thúy", "Tuyên", "xoong", "boong", "khuya", "khuyên", "quyển", "khuỷu", "ngoằn", "ngoèo", "giặt", "gìn", "giữ", "gì", "nghiêng", "nghĩa", "ghế", "kiến", "quạt", "quyết", "quýt", "huơ", "thuở", "luật", "hoạch", "hoặc", "oái", "oăm", "ươm", "ướt", "rượu", "hươu", "người", "chuyện", "Đắk", "Lắk"]
    assert [w for w in words if not is_vietnamese_syllable(w)] == []
    assert not is_vietnamese_syllable("Müller")
    assert not is_vietnamese_syllable("hàc")  # a stop final takes only sắc or nặng


# ---------------------------------------------------------------- properties
ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh",
          "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
RHYMES = ["a", "ai", "ao", "au", "ay", "ac", "ach", "am", "an", "ang", "anh", "ap", "at", "ăc", "ăm", "ăn", "ăng", "ăp", "ăt", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec", "em", "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i", "ia", "ich", "im", "in", "inh", "ip", "it", "iu", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu", "o", "oc", "om", "on", "ong", "op", "ot", "oi", "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oap", "oat", "oay", "oăc", "oăn", "oăng", "oăt", "oe", "oen", "oet", "oeo", "oong", "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi", "ơm", "ơn", "ơp", "ơt", "u", "uc", "ui", "um", "un", "ung", "up", "ut", "ua", "uân", "uâng", "uât", "uây", "uê", "uêch", "uênh", "uy", "uych", "uyên", "uyêt", "uynh", "uyt", "uya", "uyu", "uôc", "uôi", "uôm", "uôn", "uông", "uôt", "uơ", "ư", "ưc", "ưi", "ưng", "ưt", "ưu", "ưa", "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", "y"]
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
VOWELS = set("aăâeêioôơuưy")


def _syllable(onset: str, rhyme: str, tone: str) -> str:
    if rhyme[0] in "ieêy":
        onset = {"c": "k", "g": "gh", "ng": "ngh", "gi": "g"}.get(onset, onset)
    if onset == "qu" and rhyme[0] in "uo":
        onset = "h"
    if rhyme.endswith(("c", "ch", "p", "t")) and tone not in ("", "\u0301", "\u0323"):
        tone = "\u0301"
    vowels = [i for i, ch in enumerate(rhyme) if ch in VOWELS]
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    pos = marked[-1] if marked else (vowels[-1] if rhyme[-1] not in VOWELS else vowels[max(0, len(vowels) - 2)])
    word = onset + rhyme[: pos + 1] + tone + rhyme[pos + 1 :]
    return unicodedata.normalize("NFC", word)


syllables = st.builds(_syllable, st.sampled_from(ONSETS), st.sampled_from(RHYMES), st.sampled_from(TONES))
cased = st.tuples(syllables, st.sampled_from([str.lower, str.capitalize, str.upper])).map(lambda p: p[1](p[0]))
separators = st.sampled_from([" ", ", ", " - ", "/", "\n", " (", ") ", ". "])


@st.composite
def vietnamese_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(cased, min_size=1, max_size=12))
    parts = [words[0]]
    for word in words[1:]:
        parts.append(draw(separators))
        parts.append(word)
    return "".join(parts)


LEGACY_ALPHABET = "".join(TCVN3_TABLE) + "".join(VNI_SINGLES) + "øùûõïêèéúüëâàáåãäØÙÛÕÏ abcdeghiklmnopqrstuvxyHNTV0123456789/-.,"


@given(st.text())
def test_to_unicode_never_raises(text: str) -> None:
    result, converted = to_unicode(text)
    assert isinstance(result, str)
    if not converted:
        assert result == text


@given(st.text(alphabet=LEGACY_ALPHABET, max_size=60))
def test_to_unicode_never_raises_on_legacy_like_text(text: str) -> None:
    result, converted = to_unicode(text)
    assert converted == (detect_legacy(text) is not None)
    assert result == unicodedata.normalize("NFC", result)


@settings(max_examples=400)
@given(vietnamese_text())
def test_unicode_vietnamese_text_is_a_no_op(text: str) -> None:
    assert to_unicode(text) == (text, False)
    assert detect_legacy(text) is None


@given(syllables)
def test_generated_syllables_are_accepted(word: str) -> None:
    assert is_vietnamese_syllable(word)


_TCVN3_ENCODE = {v: k for k, v in TCVN3_TABLE.items()}
_VNI_ENCODE = {v: k for k, v in VNI_SINGLES.items()}
for _code, _letter in VNI_PAIRS.items():
    # keep the canonical spelling: the mark in the case of its base
    if _code[1].islower() == _code[0].islower() or not _code[1].isalpha():
        _VNI_ENCODE.setdefault(_letter, _code)


@given(st.lists(syllables, min_size=1, max_size=10).map(" ".join))
def test_round_trip_through_legacy_encodings(text: str) -> None:
    assert tcvn3_to_unicode("".join(_TCVN3_ENCODE.get(ch, ch) for ch in text)) == text
    assert vni_to_unicode("".join(_VNI_ENCODE.get(ch, ch) for ch in text)) == text
    upper = text.upper()
    assert vni_to_unicode("".join(_VNI_ENCODE.get(ch, ch) for ch in upper)) == upper
