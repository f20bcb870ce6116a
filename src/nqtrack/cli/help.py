"""Help pages and usage errors in the chosen language.

The command line's help texts are written in English in `cli.py` (docstrings and
`help=` strings); they are message ids of the catalog, translated here when a help page
is formatted. `HelpGroup` is the `cls=` of nqtrack's Typer apps. It

- formats its own help and every sub-command's help through `_()`: the description
  paragraph by paragraph (a `\\b` block of examples, i.e. of `nqtrack ...` lines, is
  kept verbatim), each option's and argument's help, the short help in the command
  list, and the words of the help page itself (Usage, Options, [default: ...]);
- is the `cls=` of every command (`nqtrack.cli.app.command` passes it), so each help
  page is formatted the same way;
- picks the language for `nqtrack --help` (and for errors in the global options)
  before the group's callback runs: `--lang` in the arguments, else $NQTRACK_LANG,
  else Vietnamese;
- shows click's usage errors ("Missing argument 'file'.") in the chosen language.

The vendored click of typer 0.28 has no gettext hooks of its own (its words are
hard-coded), so they are formatted here rather than translated inside click. Only
Typer's public names are used: `typer.core.TyperCommand` / `TyperGroup` (the documented
`cls=` extension point) and `typer.echo`; click's usage errors are recognised by their
documented interface (`ctx`, `format_message()`, `exit_code`), not by importing the
click that typer vendors.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from nqtrack.core.text import inert
from nqtrack.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, set_language, translate_matching

# The words of a help page.
USAGE = N_("Usage:")
ARGUMENTS = N_("Arguments")
OPTIONS = N_("Options")
COMMANDS = N_("Commands")
HELP_OPTION = N_("Show this message and exit.")
REQUIRED = N_("required")
DEFAULT = N_("default: {default}")
ENV_VAR = N_("env var: {var}")
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR = N_("Error")
# The heading line of an example block: translated, its `nqtrack …` lines kept as written.
EXAMPLE_HEADINGS = (N_("Example:"), N_("Examples:"))
SHORT_HELP_LIMIT = 150  # characters of a command's first sentence in the list of commands

# Click's usage errors, as click words them.
_USAGE_ERROR_TABLE = (
    (r"Missing argument (?P<name>.+)\.", N_("Missing argument {name}.")),
    (r"Missing option (?P<name>.+)\.", N_("Missing option {name}.")),
    (r"Missing parameter (?P<name>.+)\.", N_("Missing parameter {name}.")),
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)",
        N_("No such option: {name} (Possible options: {options})"),
    ),
    (r"No such command (?P<name>'.*')\.", N_("No such command {name}.")),
    (
        r"No such command (?P<name>'.*')\. Did you mean (?P<names>.*)\?",
        N_("No such command {name}. Did you mean {names}?"),
    ),
    (r"Missing command\.", N_("Missing command.")),
    (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", N_("Got unexpected extra argument(s) ({args})")),
    (r"Option (?P<name>'.*') requires an argument\.", N_("Option {name} requires an argument.")),
    (r"Option (?P<name>'.*') does not take a value\.", N_("Option {name} does not take a value.")),
    # click names the types "integer" and "float"; typer 0.28's vendored click "int"
    (
        r"Invalid value for (?P<name>.+?): (?P<value>.*) is not a valid (?:integer|int)\.",
        N_("Invalid value for {name}: {value} is not a valid integer."),
    ),
    (
        r"Invalid value for (?P<name>.+?): (?P<value>.*) is not a valid float\.",
        N_("Invalid value for {name}: {value} is not a valid float."),
    ),
)


# -- translating help texts ---------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def is_example_block(block: str) -> bool:
    """A `\\b` block of examples: a heading line, then only `nqtrack ...` command lines."""
    lines = [line.strip() for line in block.strip("\n").splitlines()]
    commands = [line for line in lines[1:] if line]
    return bool(commands) and all(line.startswith("nqtrack") for line in commands)


def help_paragraphs(text: str) -> Iterator[tuple[str, str]]:
    """The paragraphs of a help text as (message id, kind): kind is "text" (rewrapped
    by click; its id is on one line), "block" (a `\\b` block, kept line by line) or
    "verbatim" (examples, never translated)."""
    head = inspect.cleandoc(text).partition("\f")[0]
    for paragraph in re.split(r"\n[ \t]*\n", head):
        if not paragraph.strip():
            continue
        if paragraph.startswith("\b"):
            block = paragraph[1:].strip("\n")
            yield block, ("verbatim" if is_example_block(block) else "block")
        else:
            yield _one_line(paragraph), "text"


def translate_help(text: str | None) -> str | None:
    """A command's help (docstring) in the current language, keeping click's layout marks."""
    if not text:
        return text
    out = []
    for message, kind in help_paragraphs(text):
        if kind == "verbatim":
            heading, newline, commands = message.partition("\n")
            if heading.strip() in EXAMPLE_HEADINGS:
                heading = heading.replace(heading.strip(), _(heading.strip()))
            out.append("\b\n" + heading + newline + commands)
        elif kind == "block":
            out.append("\b\n" + _(message))
        else:
            out.append(_(message))
    return "\n\n".join(out)


def translate_short(text: str | None) -> str | None:
    """A one-paragraph help text (an option's help, a short help, an epilog)."""
    return _(_one_line(text)) if text else text


def command_messages(command: Any) -> list[str]:
    """The translatable help texts of one click command (not of those below it): its
    description paragraphs, short help, epilog, and each parameter's help."""
    found = [message for message, kind in help_paragraphs(command.help or "") if kind != "verbatim"]
    found += [_one_line(text) for text in (command.short_help, command.epilog) if text]
    found += [_one_line(param.help) for param in command.params if getattr(param, "help", None)]
    return found


def help_messages(command: Any, path: str | None = None) -> Iterator[tuple[str, str]]:
    """Every translatable help text of a click command and of all the commands below
    it, as (command path, message id). For the catalog tests and tools."""
    path = path or command.name or "nqtrack"
    for message in command_messages(command):
        yield path, message
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from help_messages(sub, f"{path} {name}")


def _translate_extra(extra: str) -> str:
    """The bracket after an option's help: `[default: table; required]`."""
    parts = []
    for part in extra.split("; "):
        if part == "required":
            parts.append(_(REQUIRED))
        elif part.startswith("default: "):
            parts.append(_(DEFAULT, default=part[len("default: ") :]))
        elif part.startswith("env var: "):
            parts.append(_(ENV_VAR, var=part[len("env var: ") :]))
        else:
            parts.append(part)
    return "; ".join(parts)


def help_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """An option's or argument's line of the help page, translated."""
    local = copy.copy(param)
    local.help = translate_short(param.help)
    record = local.get_help_record(ctx)
    if record is None:
        return None
    name, text = record
    own = local.help or ""
    rest = text[len(own) :] if text.startswith(own) else ""
    match = re.fullmatch(r"(\s*)\[(.*)\]", rest)
    if match:
        text = own + match.group(1) + "[" + _translate_extra(match.group(2)) + "]"
    return name, text


# -- usage errors ---------------------------------------------------------------------------


def translate_usage_message(message: str) -> str:
    return translate_matching(message, _USAGE_ERROR_TABLE)


def is_usage_error(error: BaseException) -> bool:
    """Is this click's UsageError (or a subclass), as typer's vendored click raises it?"""
    return any(cls.__name__ == "UsageError" for cls in type(error).__mro__) and hasattr(error, "format_message")


def _shows_help(error: BaseException) -> bool:
    """click's "no arguments, so here is the help" error, which is not an error to translate."""
    return any(cls.__name__ == "NoArgsIsHelpError" for cls in type(error).__mro__)


def show_usage_error(error: Any) -> None:
    """click's usage error (usage line, hint, message), in the chosen language, on stderr."""
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _(TRY_HELP, command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
        typer.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    typer.echo(
        f"{_(ERROR)}: {inert(translate_usage_message(error.format_message()), one_line=True)}",  # it quotes args
        err=True,
        color=ctx.color if ctx is not None else None,
    )


def handle_usage_error(error: BaseException) -> None:
    """Show a usage error in the chosen language and exit with its status; anything else
    (and click's own help for a command given no arguments) goes on as it was."""
    if not is_usage_error(error) or _shows_help(error):
        raise error
    show_usage_error(error)
    raise typer.Exit(getattr(error, "exit_code", 2))


def refuse_undecodable(args: list[str]) -> None:
    """One line and exit 2 for an argument that is not UTF-8 text (Python passes its bytes
    on as lone surrogates, which no register, file name in a message or terminal takes)."""
    for number, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(arg).decode("utf-8", "backslashreplace")
            typer.echo(f"{_(ERROR)}: " + _("argument {number} is not valid UTF-8 text: {text}", number=number,
                                            text=shown), err=True)
            raise typer.Exit(2) from None


# -- the language of `nqtrack --help` -----------------------------------------------------


def language_from_args(command: Any, args: list[str]) -> str | None:
    """The value of `--lang` among the group's own options at the front of `args`."""
    takes_value = {
        opt
        for param in command.params
        if getattr(param, "param_type_name", "") == "option" and not getattr(param, "is_flag", False)
        for opt in param.opts
    }
    found = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        if arg == "--lang":
            found = args[i + 1] if i + 1 < len(args) else None
            i += 2
            continue
        if arg.startswith("--lang="):
            found = arg[len("--lang=") :]
        elif not arg.startswith("-"):
            break  # the command name: the global options end here
        elif arg in takes_value:
            i += 1
        i += 1
    return found


def choose_language(command: Any, args: list[str]) -> None:
    """Set the language before click parses the global options, so that help pages and
    usage errors shown during parsing (`nqtrack --help`) follow --lang / $NQTRACK_LANG.
    An unknown value is left for the group's callback to report."""
    wanted = language_from_args(command, args)
    if wanted and wanted.strip().lower() in LANGUAGES:
        set_language(wanted)
        return
    try:
        set_language(None)  # $NQTRACK_LANG, else the default
    except ValueError:
        set_language(DEFAULT_LANGUAGE)


# -- the command classes ----------------------------------------------------------------------


# The formatting methods that both classes share.


def _format_help(self: Any, ctx: Any, formatter: Any) -> None:
    # always the plain layout (cli.py sets rich_markup_mode=None)
    self.format_usage(ctx, formatter)
    self.format_help_text(ctx, formatter)
    self.format_options(ctx, formatter)
    self.format_epilog(ctx, formatter)


def _format_usage(self: Any, ctx: Any, formatter: Any) -> None:
    pieces = self.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_(USAGE) + " ")


def _format_help_text(self: Any, ctx: Any, formatter: Any) -> None:
    text = translate_help(self.help) or ""
    if self.deprecated:
        text = f"{text} (DEPRECATED)".strip()
    if text:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


def _format_epilog(self: Any, ctx: Any, formatter: Any) -> None:
    if self.epilog:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(translate_short(inspect.cleandoc(self.epilog)))


def _format_params(self: Any, ctx: Any, formatter: Any) -> None:
    args: list[tuple[str, str]] = []
    opts: list[tuple[str, str]] = []
    for param in self.get_params(ctx):
        record = help_record(param, ctx)
        if record is not None:
            (args if param.param_type_name == "argument" else opts).append(record)
    if args:
        with formatter.section(_(ARGUMENTS)):
            formatter.write_dl(args)
    if opts:
        with formatter.section(_(OPTIONS)):
            formatter.write_dl(opts)


def _get_short_help_str(self: Any, limit: int = 45) -> str:
    if self.short_help:
        text = translate_short(inspect.cleandoc(self.short_help)) or ""
    else:
        text = short_help(translate_help(self.help) or "", limit)
    return text.strip()


def short_help(text: str, limit: int) -> str:
    """The first sentence of the first paragraph, cut with "..." past `limit` characters
    (click's own rule for the list of commands, written out: its helper is not public)."""
    words = text.split("\n\n", 1)[0].split()
    if words and words[0] == "\b":
        words = words[1:]
    length = 0
    for i, word in enumerate(words):
        length += len(word) + (i > 0)
        if length > limit:
            break
        if word.endswith("."):
            return " ".join(words[: i + 1])
        if length == limit and i != len(words) - 1:
            break
    else:
        return " ".join(words)
    length += len("...")
    while i > 0:
        length -= len(words[i]) + (i > 0)
        if length <= limit:
            break
        i -= 1
    return " ".join(words[:i]) + "..."


class HelpCommand(TyperCommand):
    """A Typer command whose help page is translated."""

    format_help = _format_help
    format_usage = _format_usage
    format_help_text = _format_help_text
    format_epilog = _format_epilog
    get_short_help_str = _get_short_help_str
    format_options = _format_params


class HelpGroup(TyperGroup):
    """A Typer group whose help pages (its own and its commands') are translated."""

    format_help = _format_help
    format_usage = _format_usage
    format_help_text = _format_help_text
    format_epilog = _format_epilog
    get_short_help_str = _get_short_help_str

    def format_options(self, ctx: Any, formatter: Any) -> None:
        _format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if commands:
            # the whole first sentence, wrapped: cut to one line (click's way), the longer
            # Vietnamese sentences would mostly end in "..."
            with formatter.section(_(COMMANDS)):
                formatter.write_dl([(name, command.get_short_help_str(SHORT_HELP_LIMIT)) for name, command in commands])

    def make_context(self, info_name: Any, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            choose_language(self, list(args))
            refuse_undecodable(args)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as error:
            handle_usage_error(error)
            raise  # pragma: no cover - handle_usage_error always raises

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            handle_usage_error(error)
            raise  # pragma: no cover - handle_usage_error always raises
