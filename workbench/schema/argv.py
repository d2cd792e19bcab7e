"""Command lines from an option table: argparse arguments, their values, and argv to launch."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from typing import Any

from workbench.schema.fields import REQUIRED, OptionError, OptionField, _base, parse_text

__all__ = ["add_arguments", "help_text", "to_argv", "values_from_args"]


def help_text(field: OptionField) -> str:
    """The option's help with what it allows and its default, for --help."""
    default = field.default
    if field.option.positional:
        return field.option.help
    if _base(field.hint) is bool:
        state = "on; --no-" if default else "off; --"
        return f"{field.option.help} (default: {state}{field.name.replace('_', '-')})"
    if default is REQUIRED:
        tail = "required"
    elif isinstance(default, tuple):
        tail = f"default: {','.join(str(v) for v in default) or 'none'}"
    else:
        tail = f"default: {default}"
    return f"{field.option.help} ({field.expected()}; {tail})"


def _escaped(text: str) -> str:
    return text.replace("%", "%%")


def add_arguments(parser: argparse.ArgumentParser, table: Iterable[OptionField]) -> None:
    """One argument per command-line option; absent ones stay absent from the namespace."""
    for field in table:
        opt = field.option
        if not opt.cli:
            continue
        if opt.positional:
            parser.add_argument(
                field.name, nargs="*", default=argparse.SUPPRESS, help=_escaped(help_text(field))
            )
            continue
        flags = [field.flag, *([opt.short] if opt.short else [])]
        common = {
            "dest": field.name,
            "default": argparse.SUPPRESS,
            "help": _escaped(help_text(field)),
        }
        if _base(field.hint) is bool:
            action = "store_false" if field.default is True else "store_true"
            parser.add_argument(*flags, action=action, **common)
        else:
            metavar = field.name.upper() if field.choices() is None else None
            parser.add_argument(
                *flags, required=field.default is REQUIRED, metavar=metavar, **common
            )


def values_from_args(namespace: argparse.Namespace, table: Iterable[OptionField]) -> dict[str, Any]:
    """Flat values of the options given on the command line (text parsed by each type)."""
    out = {}
    for field in table:
        if not hasattr(namespace, field.name):
            continue
        raw = getattr(namespace, field.name)
        if field.option.positional:
            out[field.name] = tuple(raw)
        elif isinstance(raw, bool):
            out[field.name] = raw
        else:
            out[field.name] = parse_text(field, raw)
    return out


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def to_argv(values: Mapping[str, Any], table: Iterable[OptionField]) -> list[str]:
    """Arguments that make the command line parse back to ``values`` (defaults left out)."""
    args: list[str] = []
    positional: list[str] = []
    for field in table:
        if field.name not in values:
            continue
        value = values[field.name]
        if value == field.default:
            continue
        if not field.option.cli:
            raise OptionError(field.name, value, "its default (not a command-line option)")
        if field.option.positional:
            positional.extend(str(v) for v in value)
        elif _base(field.hint) is bool:
            args.append(field.flag)
        elif value is None:
            raise OptionError(field.name, value, f"{field.expected()} on the command line")
        else:
            args += [field.flag, _text(value)]
    return [*args, "--", *positional] if positional else args
