"""The message catalogs: compiled and up to date, complete for the source and for every
help page, and used: messages and help in Vietnamese (the default) and in English."""

from __future__ import annotations

import gettext
import importlib.util
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from nqtrack import i18n
from nqtrack.cli import app
from nqtrack.cli.help import command_messages, help_messages, translate_help

ROOT = Path(__file__).resolve().parent.parent
VI_PO = ROOT / "src" / "nqtrack" / "locale" / "vi" / "LC_MESSAGES" / "nqtrack.po"

# Message ids whose Vietnamese text is rightly the same as the English one (an option
# value list, a format). Add to it only such ids, never a text that needs translating.
SAME_IN_BOTH: frozenset[str] = frozenset()


def _load_tool():
    spec = importlib.util.spec_from_file_location("compile_catalogs", ROOT / "tools" / "compile_catalogs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def vi_translations() -> dict[str, str]:
    entries = tool.parse_po(VI_PO.read_text(encoding="utf-8"))
    return {e.key: e.msgstr[0] for e in entries if e.msgid and e.translated and not e.fuzzy}


def stubs(messages) -> str:
    """Missing entries, ready to paste into the .po."""
    return "\n".join(f'{tool.po_string("msgid", m)}\nmsgstr ""\n' for m in messages)


def squash(text: str) -> str:
    """Text without any white space: help pages are wrapped to the terminal's width."""
    return "".join(text.split())


@pytest.fixture
def keep_language():
    before = i18n.language()
    yield
    i18n.set_language(before)


# -- the catalogs ------------------------------------------------------------------------------


def test_there_is_a_vietnamese_catalog_and_no_english_one():
    # English is the message id: no catalog, gettext falls back to the id.
    assert tool.catalogs() == [VI_PO]
    assert VI_PO.with_suffix(".mo").exists()


@pytest.mark.parametrize("po", tool.catalogs(), ids=lambda p: p.parent.parent.name)
def test_shipped_mo_is_compiled_from_the_po(po):
    expected = tool.compile_file(po)  # also checks the {placeholders} of each translation
    shipped = po.with_suffix(".mo").read_bytes()
    assert shipped == expected, f"{po.with_suffix('.mo')} is stale: run `python tools/compile_catalogs.py`"


def test_the_shipped_mo_loads_with_the_standard_library():
    found = gettext.translation("nqtrack", localedir=str(i18n.LOCALE_DIR), languages=["vi"], fallback=False)
    assert found.info()["content-type"] == "text/plain; charset=UTF-8"
    assert found.gettext("Task {id} created.") == "Đã tạo nhiệm vụ {id}."
    assert found.gettext("no such message id") == "no such message id"


def test_every_message_id_in_the_source_has_a_vietnamese_translation():
    found, not_literal = tool.source_messages()
    assert not not_literal, f"message ids must be plain string literals (no f-strings): {not_literal}"
    assert "Task {id} created." in found and "unknown task: '{ref}'" in found  # the scan works
    translated = vi_translations()
    missing = [m for m in found if m not in translated]
    assert not missing, (
        f"{len(missing)} message ids have no Vietnamese translation in {VI_PO.relative_to(ROOT)} "
        f"(then run tools/compile_catalogs.py):\n{stubs(missing)}"
        + "\nused at: " + "; ".join(f"{m!r}: {found[m][0]}" for m in missing)
    )


def test_every_help_text_has_a_vietnamese_translation():
    helps = tool.help_texts()
    assert len(helps) > 100
    translated = vi_translations()
    missing = [m for m in helps if m not in translated]
    assert not missing, (
        f"{len(missing)} help texts of cli.py have no Vietnamese translation in {VI_PO.relative_to(ROOT)}:\n"
        f"{stubs(missing)}\ncommands: " + "; ".join(f"{m!r}: {helps[m]}" for m in missing)
    )


def test_translations_differ_from_the_english_id():
    same = [m for m, t in vi_translations().items() if m == t and m not in SAME_IN_BOTH]
    assert not same, f"translated as the English text itself: {same}"


def test_translations_keep_to_the_placeholders_of_their_id():
    entries = tool.parse_po(VI_PO.read_text(encoding="utf-8"))
    assert tool.check_entries(entries) == []
    in_source = tool.source_messages()[0]  # read the sources once, not once per entry
    for e in entries:
        if e.msgid and "{" in e.msgid and e.msgid in in_source:
            fields = tool.format_fields(e.msgid)
            e.msgstr[0].format(**{name: "x" for name in fields})  # never a KeyError at run time


# -- the compiler --------------------------------------------------------------------------------


SAMPLE_PO = r'''# a comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=n != 1;\n"

#. an extracted comment
#: src/somewhere.py:12
msgid "Hello"
msgstr "Xin chào"

msgctxt "state"
msgid "new"
msgstr "chưa thực hiện"

msgid "new"
msgstr "mới"

msgid ""
"first line\n"
"second \"quoted\" line\twith a tab"
msgstr ""
"dòng một\n"
"dòng hai \"trích\" có\ttab \\ và \101\x42"

#, fuzzy
msgid "Fuzzy"
msgstr "Không chắc"

msgid "Untranslated"
msgstr ""

msgid "{n} file"
msgid_plural "{n} files"
msgstr[0] "{n} tệp"
msgstr[1] "{n} tệp (nhiều)"

#~ msgid "Obsolete"
#~ msgstr "Cũ"
'''


def test_compiler_reads_contexts_plurals_escapes_and_skips_fuzzy_and_empty():
    entries = tool.parse_po(SAMPLE_PO)
    catalog = gettext.GNUTranslations(io.BytesIO(tool.compile_mo(entries)))
    assert catalog.gettext("Hello") == "Xin chào"
    assert catalog.pgettext("state", "new") == "chưa thực hiện"
    assert catalog.gettext("new") == "mới"
    assert catalog.gettext('first line\nsecond "quoted" line\twith a tab') == 'dòng một\ndòng hai "trích" có\ttab \\ và AB'
    assert catalog.gettext("Fuzzy") == "Fuzzy"
    assert catalog.gettext("Untranslated") == "Untranslated"
    assert catalog.gettext("Obsolete") == "Obsolete"
    assert catalog.ngettext("{n} file", "{n} files", 1) == "{n} tệp"
    assert catalog.ngettext("{n} file", "{n} files", 2) == "{n} tệp (nhiều)"
    assert tool.compile_mo(entries) == tool.compile_mo(tool.parse_po(SAMPLE_PO))  # deterministic


@pytest.mark.parametrize(
    "bad, error",
    [
        ('msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"\n', "duplicate"),
        ('msgid "a\nmsgstr "b"\n', "quoted string"),
        ('msgid "a" \nmsgstr "\\q"\n', "unknown escape"),
        ('msgid "a"\n', "without msgstr"),
        ('"orphan"\n', "outside an entry"),
    ],
)
def test_compiler_refuses_broken_po(bad, error):
    with pytest.raises(tool.PoError, match=error):
        tool.parse_po(bad)


def test_a_translation_with_an_unknown_placeholder_is_refused(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid "Task {id} created."\nmsgstr "Đã tạo nhiệm vụ {so}."\n', encoding="utf-8")
    with pytest.raises(tool.PoError, match="so"):
        tool.compile_file(po)


def test_po_strings_written_by_the_tool_read_back():
    for text in ["plain", 'a "quoted" \\ text', "two\nlines", "\b\nExample:\n  nqtrack check", "ends\n"]:
        (entry,) = tool.parse_po(tool.po_string("msgid", text) + '\nmsgstr "x"\n')
        assert entry.msgid == text


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext not installed")
def test_compiler_writes_what_gnu_msgfmt_writes(tmp_path):
    out = tmp_path / "gnu.mo"
    subprocess.run(["msgfmt", "--check-format", "--no-hash", "-o", str(out), str(VI_PO)], check=True)
    assert out.read_bytes() == tool.compile_file(VI_PO)


# -- choosing the language, loading lazily ---------------------------------------------------------


def test_language_order_option_then_environment_then_stored_setting(monkeypatch, keep_language):
    monkeypatch.delenv("NQTRACK_LANG", raising=False)
    assert i18n.set_language(None) == "vi"
    assert i18n.set_language(None, stored="en") == "en"
    monkeypatch.setenv("NQTRACK_LANG", "vi")
    assert i18n.set_language(None, stored="en") == "vi"
    assert i18n.set_language("EN ") == "en"
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_catalog_is_read_on_first_use_not_on_import():
    code = (
        "import nqtrack.cli, nqtrack.i18n as i; before = dict(i._translations); "
        "i.set_language('vi'); text = i._('Tasks'); print(len(before), sorted(i._translations), text)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "['vi']", "Nhiệm", "vụ"]


def test_the_empty_message_is_not_the_catalog_header(keep_language):
    i18n.set_language("vi")
    assert i18n._("") == "" and i18n.translate_reason("") == ""


def test_parser_reasons_in_both_languages(keep_language):
    reasons = {
        "'31/02/2022' is not a deadline: 31/02/2022 does not exist": "'31/02/2022' không phải là thời hạn hợp lệ: không có ngày 31/02/2022",
        "'abc' is not a date": "'abc' không phải là ngày hợp lệ (ngày/tháng/năm)",
        "the same task as row 7": "trùng với nhiệm vụ ở dòng 7",
        "progress is not a number": "tiến độ không phải là số",
        "something new from a parser": "something new from a parser",
    }
    for english, vietnamese in reasons.items():
        i18n.set_language("vi")
        assert i18n.translate_reason(english) == vietnamese
        i18n.set_language("en")
        assert i18n.translate_reason(english) == english


# -- help pages ----------------------------------------------------------------------------------


def all_commands():
    """(argv path, click command) for the root and every command below it."""
    found = []

    def walk(command, path):
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, path + [name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = all_commands()
HELP_IDS = sorted({m for _path, m in help_messages(typer.main.get_command(app))})

# how the language is given: argv before the command, environment
VIETNAMESE = {
    "--lang vi": (["--lang", "vi"], {"NQTRACK_LANG": None}),
    "--lang=vi over NQTRACK_LANG=en": (["--lang=vi"], {"NQTRACK_LANG": "en"}),
    "NQTRACK_LANG=vi": ([], {"NQTRACK_LANG": "vi"}),
    "default": ([], {"NQTRACK_LANG": None}),
}
ENGLISH = {
    "--lang en": (["--lang", "en"], {"NQTRACK_LANG": None}),
    "NQTRACK_LANG=en": ([], {"NQTRACK_LANG": "en"}),
}


def help_page(path: list[str], lang_args: list[str], env: dict) -> str:
    result = CliRunner().invoke(app, lang_args + path + ["--help"], env={"COLUMNS": "80", **env})
    assert result.exit_code == 0, (path, lang_args, env, result.output, result.exception)
    return result.output


@pytest.mark.parametrize("how", list(VIETNAMESE))
@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "nqtrack" for p, _c in COMMANDS])
def test_help_in_vietnamese(path, command, how):
    lang_args, env = VIETNAMESE[how]
    page = help_page(path, lang_args, env)
    flat = squash(page)
    translated = vi_translations()
    assert page.startswith("Cách dùng: nqtrack"), page
    assert "Tùy chọn:" in page and "Hiện trợ giúp này rồi thoát." in page
    for word in ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "[default:", "[required]"):
        assert word not in page, (word, page)
    for message in command_messages(command):
        assert message in translated, f"no translation of {message!r}"
        vietnamese = translated[message]
        assert squash(vietnamese) in flat, (message, vietnamese, page)
        if message not in SAME_IN_BOTH and squash(message) not in squash(vietnamese):
            assert squash(message) not in flat, f"English left in the Vietnamese help: {message!r}"
    # nor any other English help text (e.g. in the list of commands)
    for message in HELP_IDS:
        if len(message.split()) >= 3 and message not in SAME_IN_BOTH:
            assert squash(message) not in flat, f"English left in the Vietnamese help: {message!r}"
    # examples stay as written
    for line in (command.help or "").splitlines():
        if line.strip().startswith("nqtrack "):
            assert line.strip() in page


@pytest.mark.parametrize("how", list(ENGLISH))
@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "nqtrack" for p, _c in COMMANDS])
def test_help_in_english(path, command, how):
    lang_args, env = ENGLISH[how]
    page = help_page(path, lang_args, env)
    flat = squash(page)
    assert page.startswith("Usage: nqtrack"), page
    assert "Options:" in page and "Show this message and exit." in page
    assert "Cách dùng" not in page and "Tùy chọn" not in page
    for message in command_messages(command):
        assert squash(message) in flat, (message, page)


def test_root_help_lists_commands_in_the_chosen_language():
    vi = help_page([], [], {"NQTRACK_LANG": None})
    assert "Lệnh:" in vi and "Giao nhiệm vụ mới cho đơn vị chủ trì, hoặc giao lại một nhiệm vụ đã có." in " ".join(vi.split())
    assert "Đối số" not in vi  # the root takes no arguments
    en = help_page([], ["--lang", "en"], {})
    assert "Commands:" in en and "Give a new task to a lead unit, or re-assign an existing task." in " ".join(en.split())
    # no arguments at all: the help, in the language of the environment
    bare = CliRunner().invoke(app, [], env={"NQTRACK_LANG": "en"})
    assert bare.output.startswith("Usage: nqtrack")
    bare = CliRunner().invoke(app, [], env={"NQTRACK_LANG": None})
    assert bare.output.startswith("Cách dùng: nqtrack")


def test_arguments_and_defaults_are_labelled_in_vietnamese():
    page = help_page(["unit", "add"], [], {"NQTRACK_LANG": None})
    assert "Đối số:" in page and "[bắt buộc]" in page
    assert "[mặc định: table]" in help_page(["check"], [], {"NQTRACK_LANG": None})


def test_a_bad_language_still_shows_the_help_and_the_callback_reports_it():
    page = CliRunner().invoke(app, ["--help"], env={"NQTRACK_LANG": "fr"})
    assert page.exit_code == 0 and page.output.startswith("Cách dùng:")
    page = CliRunner().invoke(app, ["--lang", "fr", "--help"], env={"NQTRACK_LANG": "en"})
    assert page.exit_code == 0 and page.output.startswith("Usage:")


def test_translate_help_keeps_example_blocks_and_translates_other_blocks(keep_language):
    i18n.set_language("vi")
    check = dict((" ".join(p), c) for p, c in COMMANDS)["check"]
    text = translate_help(check.help)
    assert "\b\nVí dụ:\n  nqtrack check" in text  # the heading translated, the commands as written
    assert "\b\nNội dung kiểm tra:" in text


# -- messages in both languages ------------------------------------------------------------------


@pytest.fixture
def registers(tmp_path):
    """The same small register twice, one for each language (commands change it)."""
    from tests.support import Cli

    made = {}
    for lang in ("vi", "en"):
        cli = Cli(tmp_path / f"{lang}.db")
        cli("init")
        cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
        cli("assign", "Báo cáo quý III", "--lead", "VP", "--due", "30/09/2022", "--assigned-on", "2022-07-01")
        made[lang] = cli
    return made


@pytest.mark.parametrize(
    "args, expect, vietnamese, english",
    [
        (["show", "7"], 4, "Lỗi: không có nhiệm vụ '7'", "Error: unknown task: '7'"),
        (["update", "1", "--progress", "140"], 2, "Lỗi: tiến độ phải từ 0 đến 100", "Error: progress must be between 0 and 100"),
        (["update", "1", "--deadline", "31/12/2022"], 2, "Lỗi: cần --reason khi đổi --deadline", "Error: --reason is required with --deadline"),
        (["report"], 2, "Lỗi: cần chọn một kỳ", "Error: give one period"),
        (["unit", "add", "Phòng mới", "--code", "PM"], 0, "Đã thêm đơn vị Phòng mới.", "Unit Phòng mới added."),
        (["update", "1", "--progress", "50"], 0, "Đã cập nhật nhiệm vụ 1: Tiến độ.", "Task 1 updated: Progress."),
        (["update", "1", "--note", "Đã nhắc"], 0, "Nhiệm vụ 1: đã ghi chú.", "Task 1: note recorded."),
        (["assign", "Việc mới", "--lead", "VP"], 0, "Đã tạo nhiệm vụ 2.", "Task 2 created."),
        (["overdue"], 0, "1 nhiệm vụ quá hạn, trong đó 1 nhiệm vụ chuyển từ các tháng trước",
         "1 tasks overdue, 1 of them carried over from earlier months"),
        (["report", "--month", "2022-10"], 0, "Báo cáo tình hình thực hiện nhiệm vụ tháng", "Report on the implementation of tasks, month"),
        (["report", "--month", "2022-10"], 0, "Tỷ lệ hoàn thành", "Completion rate"),
    ],
)
def test_messages_in_both_languages(registers, args, expect, vietnamese, english):
    vi = registers["vi"](*args, lang="vi", expect=expect).output
    assert vietnamese in " ".join(vi.split()), vi
    en = registers["en"](*args, lang="en", expect=expect).output
    assert english in " ".join(en.split()), en


@pytest.mark.parametrize(
    "args, vietnamese, english",
    [
        (["import"], ["Cách dùng: nqtrack import", "Xem hướng dẫn bằng lệnh 'nqtrack import --help'.", "Lỗi: Thiếu đối số 'file'."],
         ["Usage: nqtrack import", "Try 'nqtrack import --help' for help.", "Error: Missing argument 'file'."]),
        (["list", "--bogus"], ["Lỗi: Không có tùy chọn --bogus"], ["Error: No such option: --bogus"]),
        (["unit", "renam"], ["Lỗi: Không có lệnh 'renam'. Có phải là 'rename'?"], ["Error: No such command 'renam'. Did you mean 'rename'?"]),
        (["overdue", "--within", "many"], ["Lỗi: Giá trị không hợp lệ ở '--within': 'many' không phải là số nguyên."],
         ["Error: Invalid value for '--within': 'many' is not a valid int"]),
    ],
)
def test_usage_errors_in_both_languages(tmp_path, args, vietnamese, english):
    runner = CliRunner()
    db = ["--db", str(tmp_path / "u.db")]
    vi = runner.invoke(app, db + args, env={"NQTRACK_LANG": None})
    en = runner.invoke(app, db + ["--lang", "en"] + args)
    assert vi.exit_code == en.exit_code == 2
    for text in vietnamese:
        assert text in vi.output, vi.output
    for text in english:
        assert text in en.output, en.output


def test_usage_error_before_the_command_follows_the_environment():
    result = CliRunner().invoke(app, ["--bogus"], env={"NQTRACK_LANG": "vi"})
    assert result.exit_code == 2
    assert "Lỗi: Không có tùy chọn --bogus" in result.output
    assert re.search(r"^Cách dùng: nqtrack", result.output, re.M)


@pytest.mark.parametrize("day", ["2026-13-40", "2026-02-30", "0000-00-00"])
def test_a_day_shaped_text_that_is_no_day_is_named_as_written(keep_language, tmp_path: Path, day: str) -> None:
    # the reason names the text it refuses; writing it as the language writes days read it as
    # a day, and a secretary's mistyped --today became a traceback
    i18n.set_language("vi")
    assert i18n.translate_reason(f"'{day}' is not a date") == f"'{day}' không phải là ngày hợp lệ (ngày/tháng/năm)"
    db = tmp_path / "register.db"
    subprocess.run([sys.executable, "-m", "nqtrack", "--db", str(db), "init"], capture_output=True, check=True)
    done = subprocess.run([sys.executable, "-m", "nqtrack", "--lang", "vi", "--db", str(db), "--today", day, "overdue"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == f"Lỗi: ngày không hợp lệ ở --today: '{day}' không phải là ngày hợp lệ (ngày/tháng/năm)\n"
    assert done.stdout == ""
