"""Cache keys: what was computed (stage), from what (input checksum), how (params, code version)."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["CacheKey", "canonical_params", "check_stage"]

_STAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DOMAIN = b"workbench-cache-key/1"
_SCALARS = frozenset({type(None), bool, int, str})  # plain as they are (exact types, no floats)
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)  # built once: json.dumps builds one per call when given options


def check_stage(stage: str) -> str:
    """Stage names become folder names, so only a safe, short set of characters is allowed."""
    if not isinstance(stage, str) or not _STAGE.fullmatch(stage):
        raise ValueError(
            f"invalid cache stage {stage!r}: expected 1-64 characters from "
            "[A-Za-z0-9_.-], starting with a letter or digit"
        )
    return stage


def _plain(value: Any, path: str) -> Any:
    """Reduce parameters to plain JSON values, refusing anything with two spellings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cache parameter {path} is {value!r}: only finite floats are allowed")
        return value
    if isinstance(value, list | tuple):
        return [
            item if type(item) in _SCALARS else _plain(item, f"{path}[{i}]")
            for i, item in enumerate(value)
        ]
    if isinstance(value, Mapping):
        out = {}
        for name, item in value.items():
            if not isinstance(name, str):
                raise TypeError(f"cache parameter {path} has a non-string key {name!r}")
            out[name] = item if type(item) in _SCALARS else _plain(item, f"{path}.{name}")
        return out
    raise TypeError(
        f"cache parameter {path} has type {type(value).__name__}: only None, bool, int, "
        "float, str, list, tuple and str-keyed mappings are allowed"
    )


def canonical_params(params: Mapping[str, Any]) -> str:
    """One spelling per parameter set: sorted keys, no whitespace, tuples as lists, no NaN."""
    if not isinstance(params, Mapping):
        raise TypeError(f"cache parameters must be a mapping, got {type(params).__name__}")
    return _ENCODER.encode(_plain(params, "params"))


@functools.lru_cache(maxsize=1024)
def _check_canonical(params: str) -> None:
    """Raise unless ``params`` is canonical JSON of a mapping; remembered, as a stage makes one
    key per item with the same few parameter texts (a failure is not remembered)."""
    try:
        decoded = json.loads(params)
    except json.JSONDecodeError as exc:
        raise ValueError(f"CacheKey.params is not JSON: {exc}") from None
    if not isinstance(decoded, dict) or canonical_params(decoded) != params:
        raise ValueError(f"CacheKey.params {params!r} is not canonical; use CacheKey.make")


@dataclass(frozen=True, slots=True)
class CacheKey:
    """Address of one cached value; equal keys mean the value can be reused as is."""

    stage: str  # folder the entry lives under, e.g. "prep"; no meaning to the cache
    input_checksum: str  # checksum of the input bytes (sha256 hex, as sources compute it)
    params: str  # canonical JSON of every parameter (see canonical_params)
    code_version: str  # version of the code that produced the value

    def __post_init__(self) -> None:
        check_stage(self.stage)
        for name in ("input_checksum", "code_version"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"CacheKey.{name} must be a str")
        if not isinstance(self.params, str):
            raise TypeError("CacheKey.params must be canonical JSON text; use CacheKey.make")
        _check_canonical(self.params)

    @classmethod
    def make(
        cls, stage: str, input_checksum: str, params: Mapping[str, Any], code_version: str
    ) -> CacheKey:
        """Build a key from a parameter mapping, canonicalising it."""
        return cls(stage, input_checksum, canonical_params(params), code_version)

    @property
    def digest(self) -> str:
        """sha256 hex over all four fields, each framed by its byte length."""
        h = hashlib.sha256(_DOMAIN)
        for field in fields(self):
            data = getattr(self, field.name).encode("utf-8")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
        return h.hexdigest()
