"""Option fields: one declaration per option, checked when its record is constructed."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

__all__ = [
    "REQUIRED",
    "Option",
    "OptionError",
    "OptionField",
    "build",
    "check",
    "flatten",
    "option",
    "option_table",
    "parse_text",
    "record_from_dict",
]

REQUIRED: Any = dataclasses.MISSING  # an option without a default must be given
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class OptionError(ValueError):
    """A value an option does not allow: names the option, the value and what is allowed."""

    def __init__(self, name: str, value: Any, expected: str) -> None:
        super().__init__(name, value, expected)
        self.name = name
        self.value = value
        self.expected = expected

    def __str__(self) -> str:
        return f"{self.name}: {self.value!r} is not allowed; expected {self.expected}"


@dataclass(frozen=True, slots=True)
class Option:
    """What an option means and allows, beyond its type and default."""

    help: str
    choices: tuple[Any, ...] | None = None  # allowed values (items, for a tuple option)
    minimum: float | None = None  # inclusive, unless exclusive_minimum
    maximum: float | None = None  # inclusive
    exclusive_minimum: bool = False
    unit: str = ""
    name: str | None = None  # flat name (keyword and --flag); default: the field's name
    short: str | None = None  # a one-letter flag, e.g. "-o"
    positional: bool = False  # the command line takes it as positional arguments
    cli: bool = True  # settable from the command line
    form: bool = True  # shown in the app's form
    expert: bool = False  # the form shows it under "Advanced"
    placeholder: str = ""  # the form's hint in an empty text box, e.g. "blank = detect"
    parse: Callable[[str], Any] | None = None  # text → value, when the type alone cannot say


def option(default: Any = REQUIRED, *, default_factory: Any = REQUIRED, **meta: Any) -> Any:
    """A dataclass field carrying its :class:`Option` (keywords as Option's fields)."""
    extra = {"default": default} if default_factory is REQUIRED else {}
    if default_factory is not REQUIRED:
        extra["default_factory"] = default_factory
    return dataclasses.field(metadata={"option": Option(**meta)}, **extra)


@dataclass(frozen=True, slots=True)
class OptionField:
    """One option of a (nested) record, as the CLI, the form and the launcher see it."""

    name: str  # flat, unique in its table
    path: tuple[str, ...]  # attribute path inside the top record
    hint: Any  # the resolved type
    default: Any  # REQUIRED when the option must be given
    option: Option

    @property
    def group(self) -> str:
        """The nested record it belongs to ("" for the top record)."""
        return self.path[0] if len(self.path) > 1 else ""

    @property
    def flag(self) -> str:
        """Its command-line flag; a boolean that defaults to True is turned off by --no-<name>."""
        stem = self.name.replace("_", "-")
        if _base(self.hint) is bool and self.default is True:
            return f"--no-{stem}"
        return f"--{stem}"

    def choices(self) -> tuple[Any, ...] | None:
        """Allowed values (of each item, for a tuple option), from the option or a Literal."""
        return _choices(self.hint, self.option)

    def expected(self) -> str:
        """What the option allows, in words."""
        return _expected(self.hint, self.option)


def _choices(hint: Any, opt: Option) -> tuple[Any, ...] | None:
    if opt.choices is not None:
        return tuple(opt.choices)
    inner = _item(hint) if _is_tuple(hint) else _base(hint)
    if typing.get_origin(inner) is Literal:
        return typing.get_args(inner)
    return None


def _optional(hint: Any) -> bool:
    return _is_union(hint) and type(None) in typing.get_args(hint)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _base(hint: Any) -> Any:
    """The type without ``| None``."""
    if _is_union(hint):
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        return rest[0] if len(rest) == 1 else hint
    return hint


def _is_tuple(hint: Any) -> bool:
    return typing.get_origin(_base(hint)) is tuple


def _item(hint: Any) -> Any:
    return typing.get_args(_base(hint))[0]


_KINDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_PLURALS = {int: "integers", float: "numbers", str: "strings"}


def _kind(hint: Any) -> str:
    return _KINDS.get(hint, getattr(hint, "__name__", str(hint)))


def _expected(hint: Any, opt: Option) -> str:
    base = _base(hint)
    choices = _choices(hint, opt)
    unit = f" {opt.unit}" if opt.unit else ""
    if choices is not None:
        listed = ", ".join(str(c) for c in choices)
        text = f"a comma-separated list of {listed}" if _is_tuple(base) else f"one of {listed}"
    elif _is_tuple(base):
        text = f"a comma-separated list of {_PLURALS.get(_item(base), 'values')}"
    else:
        text = _kind(base)
        bounds = []
        if opt.minimum is not None:
            bounds.append(f"{'>' if opt.exclusive_minimum else '≥'} {opt.minimum:g}")
        if opt.maximum is not None:
            bounds.append(f"≤ {opt.maximum:g}")
        if bounds:
            text += " " + " and ".join(bounds)
        text += unit
    return f"{text}, or None" if _optional(hint) else text


def _scalar(name: str, value: Any, hint: Any, opt: Option, expected: str) -> Any:
    """The value checked against a non-tuple type, its choices and bounds."""
    bad = OptionError(name, value, expected)
    if typing.get_origin(hint) is Literal:
        if value not in typing.get_args(hint):
            raise bad
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise bad
    elif hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        value = float(value)
        if not math.isfinite(value):
            raise bad
    elif hint is str and not isinstance(value, str):
        raise bad
    if opt.choices is not None and value not in opt.choices:
        raise bad
    if opt.minimum is not None and (
        value < opt.minimum or (opt.exclusive_minimum and value == opt.minimum)
    ):
        raise bad
    if opt.maximum is not None and value > opt.maximum:
        raise bad
    return value


def _validate(name: str, value: Any, hint: Any, opt: Option) -> Any:
    """The value, normalised (lists as tuples, ints as floats where a float is declared)."""
    expected = _expected(hint, opt)
    if value is None:
        if _optional(hint):
            return None
        raise OptionError(name, value, expected)
    base = _base(hint)
    if not _is_tuple(base):
        return _scalar(name, value, base, opt, expected)
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise OptionError(name, value, expected)
    item_opt = dataclasses.replace(opt, choices=_choices(hint, opt))
    try:
        return tuple(_scalar(name, v, _item(base), item_opt, expected) for v in value)
    except OptionError:
        raise OptionError(name, value, expected) from None


def check(record: Any) -> None:
    """Validate and normalise every declared field of a frozen record (call in __post_init__)."""
    hints = _hints(type(record))
    for f in dataclasses.fields(record):
        opt = f.metadata.get("option")
        if opt is None:
            continue
        value = getattr(record, f.name)
        normal = _validate(opt.name or f.name, value, hints[f.name], opt)
        if normal is not value:
            object.__setattr__(record, f.name, normal)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return REQUIRED


def _walk(cls: type, prefix: tuple[str, ...], defaults: Any = None) -> list[OptionField]:
    """Options of ``cls``; a nested record's defaults are those of its default instance."""
    out = []
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        default = _default(f) if defaults is None else getattr(defaults, f.name)
        if dataclasses.is_dataclass(hint):
            out.extend(_walk(hint, (*prefix, f.name), default))
            continue
        opt = f.metadata.get("option")
        if opt is not None:
            out.append(OptionField(opt.name or f.name, (*prefix, f.name), hint, default, opt))
    return out


@cache
def option_table(cls: type) -> tuple[OptionField, ...]:
    """Every option of ``cls`` and its nested records, in declaration order."""
    table = tuple(_walk(cls, ()))
    names = [f.name for f in table]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise TypeError(f"{cls.__name__} declares these option names twice: {twice}")
    return table


def build(cls: type, values: Mapping[str, Any]) -> Any:
    """A record from flat ``{name: value}``; unknown names raise OptionError."""
    table = option_table(cls)
    known = {f.name: f for f in table}
    for name, value in values.items():
        if name not in known:
            raise OptionError(name, value, f"a known option ({', '.join(sorted(known))})")
    by_path = {known[name].path: value for name, value in values.items()}
    return _construct(cls, by_path, ())


def _construct(cls: type, by_path: Mapping[tuple[str, ...], Any], prefix: tuple[str, ...]):
    kwargs = {}
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        path = (*prefix, f.name)
        if dataclasses.is_dataclass(hints[f.name]):
            if any(p[: len(path)] == path for p in by_path):
                kwargs[f.name] = _construct(hints[f.name], by_path, path)
        elif path in by_path:
            kwargs[f.name] = by_path[path]
    return cls(**kwargs)


def flatten(record: Any) -> dict[str, Any]:
    """Flat ``{name: value}`` of every option of a record (the inverse of :func:`build`)."""
    out = {}
    for f in option_table(type(record)):
        value = record
        for part in f.path:
            value = getattr(value, part)
        out[f.name] = value
    return out


def record_from_dict(cls: type, data: Mapping[str, Any]) -> Any:
    """Rebuild a record from ``dataclasses.asdict`` output; keys it does not declare are ignored."""
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
            value = record_from_dict(hint, value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _from_text(name: str, text: str, hint: Any, opt: Option) -> Any:
    expected = _expected(hint, opt)
    if hint is bool:
        lowered = text.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise OptionError(name, text, expected)
    if hint in (int, float):
        try:
            return hint(text.strip())
        except ValueError:
            raise OptionError(name, text, expected) from None
    return text.strip()


def parse_text(field: OptionField, text: str) -> Any:
    """A value from command-line or form text, by the option's type (checked later, on build)."""
    opt = field.option
    if opt.parse is not None:
        return opt.parse(text)
    if _optional(field.hint) and text.strip() == "":
        return None
    base = _base(field.hint)
    if _is_tuple(base):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return tuple(_from_text(field.name, p, _item(base), opt) for p in parts)
    return _from_text(field.name, text, base, opt)
