"""mmCIF text reader: find the ``_atom_site`` loop and split it by model number."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .refs import Item, ItemRef, SourceError, SourceFailure, checksum_bytes

__all__ = ["split_mmcif"]

# CIF tokens: ;-text fields, quoted strings (closing quote before a blank), comments, words.
_TOKEN = re.compile(
    r"(?m)^;.*?^;(?=\s|\Z)|'[^\n]*?'(?=\s|\Z)|\"[^\n]*?\"(?=\s|\Z)|#[^\n]*|\S+", re.S
)
_RESERVED = ("loop_", "data_", "save_", "global_", "stop_")
_MODEL_FIELD = "_atom_site.pdbx_pdb_model_num"


@dataclass(frozen=True, slots=True)
class _Loop:
    """The ``_atom_site`` loop: per row, the span of its values and its model number."""

    rows: tuple[tuple[int, int], ...]  # (start, stop) character offsets of each row's values
    models: tuple[str, ...]  # model number of each row ("" when the field is absent)


def _tokens(text: str) -> Iterator[re.Match[str]]:
    return (m for m in _TOKEN.finditer(text) if not m.group().startswith("#"))


def _is_terminator(token: str) -> bool:
    return token.startswith("_") or token.lower().startswith(_RESERVED)


def _atom_site_loop(text: str, source: str) -> _Loop | None:
    """Locate the ``_atom_site`` loop and group its values into rows; None if there is none."""
    tokens = _tokens(text)
    previous = ""
    for match in tokens:
        token = match.group()
        if previous.lower() == "loop_" and token.lower().startswith("_atom_site."):
            return _read_loop(match, tokens, source)
        previous = token
    return None


def _read_loop(first: re.Match[str], tokens: Iterator[re.Match[str]], source: str) -> _Loop:
    """Field names, then the values streamed: only each row's span and model number are kept
    (a multi-model file has millions of values; holding them all cost ~35x the text)."""
    fields = [first.group().lower()]
    value: re.Match[str] | None = None
    for value in tokens:
        if not value.group().lower().startswith("_atom_site."):
            break
        fields.append(value.group().lower())
    else:
        value = None
    width = len(fields)
    model_col = fields.index(_MODEL_FIELD) if _MODEL_FIELD in fields else None
    rows: list[tuple[int, int]] = []
    models: list[str] = []
    column, start, model = 0, 0, ""
    for match in itertools.chain(() if value is None else (value,), tokens):
        token = match.group()
        if _is_terminator(token):
            break
        if column == 0:
            start = match.start()
        if column == model_col:
            model = token
        column += 1
        if column == width:
            rows.append((start, match.end()))
            models.append(model)
            column = 0
    if column:
        count = len(rows) * width + column
        raise SourceError(source, f"_atom_site loop cut short: {count} values for {width} fields")
    return _Loop(tuple(rows), tuple(models))


def _item(source: str, member: str, text: str) -> Item:
    return Item(ItemRef(source, member, checksum_bytes(text.encode("utf-8")), "mmcif"), text)


def split_mmcif(text: str, source: str) -> Iterator[Item | SourceFailure]:
    """Items of one mmCIF text: the whole text if it has one model, else one per model.

    A multi-model member ``model_<n>`` keeps everything outside the ``_atom_site`` loop and
    only that model's rows inside it, one row per line.
    """
    if not text.strip():
        yield SourceFailure(source, "", "empty file")
        return
    loop = _atom_site_loop(text, source)
    if loop is None:
        yield SourceFailure(source, "", "no _atom_site loop: not an mmCIF structure")
        return
    if not loop.rows:
        yield SourceFailure(source, "", "_atom_site loop has no rows")
        return
    by_model: dict[str, list[tuple[int, int]]] = {}  # one pass over the rows, not one per model
    for span, number in zip(loop.rows, loop.models, strict=True):
        by_model.setdefault(number, []).append(span)
    if len(by_model) == 1:
        yield _item(source, "", text)
        return
    head, tail = text[: loop.rows[0][0]], text[loop.rows[-1][1] :]
    for number, spans in by_model.items():
        rows = "\n".join(text[a:b] for a, b in spans)
        yield _item(source, f"model_{number}", head + rows + tail)
