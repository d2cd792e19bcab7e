"""The run form's settings: a param class made from the run's option table, and its values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import param

from workbench.schema import REQUIRED, OptionField, parse_text
from workbench.schema.fields import _base, _is_tuple, _optional

__all__ = ["form_fields", "settings_class", "settings_values"]


def form_fields(table: Iterable[OptionField]) -> tuple[OptionField, ...]:
    """The options the form shows, in table order."""
    return tuple(f for f in table if f.option.form)


def _text(value: Any) -> str:
    if value is None or value is REQUIRED:
        return ""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _parameter(field: OptionField) -> param.Parameter:
    """The widget-facing parameter of one option; text where its type needs parsing."""
    opt, hint, default = field.option, field.hint, field.default
    label = field.name.replace("_", " ").capitalize()
    doc = f"{opt.help} ({field.expected()})"
    common = {"doc": doc, "label": label}
    choices = field.choices()
    base = _base(hint)
    if _optional(hint) or default is REQUIRED:
        return param.String(default=_text(default), **common)
    if base is bool:
        return param.Boolean(default=default, **common)
    if choices is not None and _is_tuple(base):
        return param.ListSelector(default=list(default), objects=list(choices), **common)
    if choices is not None:
        return param.Selector(default=default, objects=list(choices), **common)
    if base in (int, float):
        kind = param.Integer if base is int else param.Number
        bounds = (opt.minimum, opt.maximum)
        inclusive = (not opt.exclusive_minimum, True)
        return kind(default=default, bounds=bounds, inclusive_bounds=inclusive, **common)
    return param.String(default=_text(default), **common)


def settings_class(table: Iterable[OptionField], name: str = "RunSettings") -> type:
    """A Parameterized class with one parameter per form option of ``table``."""
    params = {f.name: _parameter(f) for f in form_fields(table)}
    return param.parameterized_class(name, params)


def settings_values(settings: param.Parameterized, table: Iterable[OptionField]) -> dict[str, Any]:
    """Flat option values of the settings; blank text means the option's default."""
    out: dict[str, Any] = {}
    for field in form_fields(table):
        value = getattr(settings, field.name)
        if isinstance(settings.param[field.name], param.ListSelector):
            value = tuple(c for c in field.choices() if c in value)
        elif isinstance(settings.param[field.name], param.String) and _base(field.hint) is not str:
            value = parse_text(field, value)
        elif isinstance(value, str) and not value.strip():
            value = None if _optional(field.hint) else field.default
        elif isinstance(value, str):
            value = value.strip()
        out[field.name] = value
    return out
