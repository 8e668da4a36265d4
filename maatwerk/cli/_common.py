"""Shared click pieces: the root group class, parameter types, common options, JSON output."""

from __future__ import annotations

import datetime as dt
import errno
import gc
import importlib
import json
import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any, Final, TypeVar

import attrs
import click

from maatwerk.cli._extras import missing_extra
from maatwerk.core.errors import InputError, MaatwerkError, MoneyError, NoRuleForDateError
from maatwerk.core.money import LARGEST_INPUT_AMOUNT, Money, input_amount


__all__ = [
    "AMOUNT",
    "DATE",
    "DEFAULT_DATABASE_URL",
    "LazyCommand",
    "LazyGroup",
    "MaatwerkGroup",
    "OneLineError",
    "db_option",
    "emit_json",
    "json_option",
    "jsonable",
]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DATABASE_URL = "sqlite:///maatwerk.db"


class OneLineError(click.ClickException):
    """An error shown as one line ``Error: ...`` on stderr, with its own exit code."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it as a class variable

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


#: Allocations between two young-generation garbage collections (CPython's default: 700), and
#: how many collections of each generation before the next one is collected too (default 10,
#: 10). The daily run keeps hundreds of thousands of long-lived objects (the decoded event and
#: debt caches, a batch's cases) and allocates millions of short-lived values that reference
#: counting already frees; with the default thresholds the collector walks the long-lived
#: objects again and again. Measured with ``maatwerk demo`` (5,000 households x 120 days, time
#: inside ``gc.callbacks``): 6.9 s in 6,493 collections with the defaults, 0.7 s in 14 with
#: these (about a tenth of the demo's CPU); peak memory 354 MB and 359 MB.
_GC_THRESHOLDS: Final = (100_000, 50, 100)


#: The umask while a command runs: files 0600, directories 0700 (owner only).
PRIVATE_UMASK: Final = 0o077

#: What the system says of a path given on the command line that cannot be used as asked.
_BAD_PATH_ERRNOS: Final = frozenset(
    {errno.ENAMETOOLONG, errno.EISDIR, errno.ENOTDIR, errno.ENOENT, errno.EACCES, errno.EEXIST}
)
_YEAR_OUT_OF_RANGE: Final = re.compile(r"year -?\d+ is out of range")


def _configure_logging(log_format: str | None) -> None:
    from maatwerk.adapters.logging import configure_logging  # noqa: PLC0415 (lazy: structlog)

    configure_logging(log_format=log_format)


def _logging_first(command: click.Command) -> click.Command:
    """``command`` configuring logging when it is invoked, once its arguments are parsed: not
    for ``maatwerk run --help``, which shows the help while parsing (structlog and the console
    renderer it loads are a large part of a command's start-up)."""
    if getattr(command, "_maatwerk_logging", False):
        return command
    invoke = command.invoke

    def invoke_with_logging(ctx: click.Context) -> Any:
        _configure_logging(ctx.find_root().params.get("log_format"))
        return invoke(ctx)

    command.invoke = invoke_with_logging  # type: ignore[method-assign]
    command._maatwerk_logging = True  # type: ignore[attr-defined]  # noqa: SLF001
    return command


class MaatwerkGroup(click.Group):
    """Root group: configures logging (when a command runs) and the garbage collector, and
    turns usage and input errors into one-line messages."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        return name, None if command is None else _logging_first(command), rest

    def invoke(self, ctx: click.Context) -> Any:
        gc.set_threshold(*_GC_THRESHOLDS)
        # every file a command creates (the database, letters, dossiers, signals, pain.008,
        # work lists, exports) holds personal data: readable by its owner only
        umask = os.umask(PRIVATE_UMASK)
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise OneLineError(exc.format_message(), exit_code=2) from None
        except InputError as exc:
            raise OneLineError(str(exc), exit_code=2) from None
        except NoRuleForDateError as exc:
            # a date outside the rule tables is bad input for this command (--date and friends)
            raise OneLineError(f"{exc} (check --date)", exit_code=2) from None
        except OSError as exc:
            # a path from the command line the system refuses: bad input (exit 2), named;
            # anything else (a full disk) fails the command (exit 1)
            bad_path = exc.errno in _BAD_PATH_ERRNOS
            where = f"{exc.filename}: " if exc.filename else ""
            raise OneLineError(
                f"{where}{exc.strerror or exc}", exit_code=2 if bad_path else 1
            ) from None
        except OverflowError:
            raise OneLineError(
                "a date or an amount in the input is too large: a date computed from it would "
                "fall after 9999-12-31",
                exit_code=2,
            ) from None
        except (MaatwerkError, ModuleNotFoundError) as exc:  # e.g. a plugin building a channel
            _raise_missing_extra(f"{ctx.command_path} {ctx.invoked_subcommand or ''}", exc)
            if isinstance(exc, MaatwerkError):
                raise OneLineError(str(exc), exit_code=1) from None
            raise
        except ValueError as exc:  # after MaatwerkError: a MoneyError is a ValueError too
            if not _YEAR_OUT_OF_RANGE.fullmatch(str(exc)):
                raise
            raise OneLineError(
                "a date or an amount in the input is too large: a date computed from it would "
                "fall after 9999-12-31",
                exit_code=2,
            ) from None
        finally:
            os.umask(umask)


def _raise_missing_extra(command: str, exc: BaseException) -> None:
    """Exit 2 with one line when ``exc`` is a package an extra would install (see _extras)."""
    message = missing_extra(command.strip(), exc)
    if message is not None:
        raise OneLineError(message, exit_code=2) from None


@attrs.frozen(kw_only=True)
class LazyCommand:
    """A built-in command known by name and short help; its module is imported only when used.

    ``module`` is a module under ``maatwerk.cli`` and ``attribute`` the click command in it.
    ``short_help`` is what ``maatwerk --help`` lists (a test checks it against the command).
    """

    name: str
    module: str
    attribute: str
    short_help: str

    def load(self) -> click.Command:
        module = importlib.import_module(f"maatwerk.cli.{self.module}")
        command = getattr(module, self.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"maatwerk.cli.{self.module}.{self.attribute} is not a click command")
        return command


class LazyGroup(MaatwerkGroup):
    """A group whose built-in commands are imported only when run (or shown in their own help).

    ``maatwerk --help`` lists them from :class:`LazyCommand` without importing anything, so
    ``maatwerk calc bik`` loads only the calc modules (no database, no report, no matplotlib).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyCommand] = {}

    def add_lazy(self, entry: LazyCommand) -> None:
        if entry.name in self.lazy_commands or entry.name in self.commands:
            raise ValueError(f"command {entry.name!r} is registered twice")
        self.lazy_commands[entry.name] = entry

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry = self.lazy_commands.get(cmd_name)
        if entry is None:
            return None
        try:
            command = entry.load()
        except ModuleNotFoundError as exc:  # imported by the command's module
            _raise_missing_extra(f"{ctx.command_path} {cmd_name}", exc)
            raise
        if command.name != cmd_name:
            raise TypeError(f"{entry.module}.{entry.attribute} is named {command.name!r}")
        self.add_command(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max((len(n) for n in self.list_commands(ctx)), default=0)
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            entry = self.lazy_commands.get(name)
            if entry is not None and name not in self.commands:
                rows.append(
                    (name, click.Command(name, help=entry.short_help).get_short_help_str(limit))
                )
                continue
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


_AMOUNT_TEXT = re.compile(r"\d+(?:[.,]\d+)?")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


class AmountType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A non-negative amount in euros, as Decimal: ``12.34`` or ``12,34``, at most two decimals.

    Refused: thousands separators (``1,000`` is ambiguous: one thousand or one euro?), exponents
    (``1e3``), signs, more than two decimals written (``12.340``).
    """

    name = "amount"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        if isinstance(value, Decimal):
            return value
        label = "" if param is not None else "amount: "  # click names the option itself
        text = str(value).strip()
        if text.startswith("-") and _AMOUNT_TEXT.fullmatch(text[1:]):
            self.fail(f"{label}{value!r} must not be negative", param, ctx)
        if not _AMOUNT_TEXT.fullmatch(text):
            self.fail(
                f"{label}{value!r} is not an amount (write euros as 1234.56 or 1234,56, "
                "without thousands separators)",
                param,
                ctx,
            )
        whole, _, decimals = text.replace(",", ".").partition(".")
        if "," in text and len(decimals) == 3:  # 1,000: thousands or decimals?
            self.fail(
                f"{label}{value!r} is ambiguous (a thousands separator or three decimals?); "
                f"write {whole}{decimals} or {whole}.{decimals[:2]} without separators",
                param,
                ctx,
            )
        if len(decimals) > 2:
            self.fail(f"{label}{value!r} has more than two decimals", param, ctx)
        try:
            return input_amount(
                f"{whole}.{decimals}" if decimals else whole, what=label.rstrip(": ") or "amount"
            )
        except MoneyError:
            self.fail(
                f"{label}{text[:40]!r} is not an amount of at most {LARGEST_INPUT_AMOUNT}",
                param,
                ctx,
            )


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A calendar date written as YYYY-MM-DD (nothing else: not 20260420, not 2026-W17-1)."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        label = "" if param is not None else "date: "  # click names the option itself
        text = str(value).strip()
        try:
            if not _DATE_TEXT.fullmatch(text):
                raise ValueError(text)  # noqa: TRY301
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{label}{value!r} is not a date (YYYY-MM-DD)", param, ctx)


AMOUNT = AmountType()
DATE = DateType()


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)


def skip_idle_option(func: F) -> F:
    return click.option(
        "--skip-idle/--evaluate-all",
        "skip_idle",
        default=True,
        show_default=True,
        help="Leave idle cases alone until their next date, or derive every case (slower; "
        "a check of the idle shortcut).",
    )(func)


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=lambda: os.environ.get("MAATWERK_DATABASE_URL", DEFAULT_DATABASE_URL),
        show_default="MAATWERK_DATABASE_URL, else sqlite:///maatwerk.db",
        help="Database URL (SQLAlchemy form).",
    )(func)


def jsonable(value: Any) -> Any:
    """Turn domain values into JSON: Money and Decimal as strings with two decimals, dates ISO."""
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if attrs.has(type(value)):
        return jsonable(attrs.asdict(value, recurse=False))
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(jsonable(payload), ensure_ascii=False, sort_keys=False))
