"""Payload formats for cache entries: named arrays with JSON meta, or small JSON records.

Arrays are stored raw: ``MAGIC``, an 8-byte little-endian header length, a JSON header (the
meta record and, per array, its name, dtype string, shape and byte offset), then each array's
C-ordered bytes, 16-byte aligned. Decoding parses one JSON header and views the buffer with
``np.frombuffer``: no zip directory, no per-array header parsing, no pickle — on a ~190 KB
interface graph of ~40 arrays this decodes ~40x faster than NPZ, and ``decode_meta`` reads the
meta record alone without touching the arrays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MAGIC", "decode_arrays", "decode_json", "decode_meta", "encode_arrays", "encode_json"]

MAGIC = b"WBARRAY1"
_ALIGN = 16


def encode_json(obj: Any) -> bytes:
    """Strict, compact, key-sorted UTF-8 JSON, so equal records give equal bytes."""
    try:
        text = json.dumps(
            obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError as exc:
        reason = f"cannot encode as JSON ({exc}); store non-finite values in arrays"
        raise ValueError(reason) from None
    return text.encode("utf-8")


def decode_json(payload: bytes) -> Any:
    """Inverse of encode_json."""
    try:
        return json.loads(bytes(payload).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"cache payload is not UTF-8 JSON: {exc}") from None


def _check_dtype(name: str, dtype: np.dtype) -> None:
    if dtype.hasobject:
        raise TypeError(
            f"array {name!r} has dtype {dtype}: object arrays cannot be cached "
            "without pickle; convert strings with .astype(str) (fixed-width 'U')"
        )
    if dtype.fields is not None or dtype.subdtype is not None:
        raise TypeError(f"array {name!r} has structured dtype {dtype}: store its fields apart")


def encode_arrays(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> bytes:
    """Pack named arrays and a JSON meta record into one payload, refusing object arrays.

    Parameters
    ----------
    arrays : Mapping[str, ndarray]
        Any shape; numeric, bool, fixed-width unicode ('U') or bytes ('S') dtypes.
        Object dtypes (Python strings in an object array) are refused: use ``astype(str)``.
    meta : Mapping[str, Any]
        JSON-able record (finite floats only) stored beside the arrays.

    Returns
    -------
    bytes
        The payload (see the module docstring for the layout).
    """
    if not isinstance(meta, Mapping):
        raise TypeError(f"meta must be a mapping, got {type(meta).__name__}")
    entries, chunks, offset = [], [], 0
    for name, value in arrays.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"invalid array name {name!r}: a non-empty str")
        array = np.asarray(value)
        _check_dtype(name, array.dtype)
        entries.append(
            {"name": name, "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        )
        data = array.tobytes(order="C")
        padding = -len(data) % _ALIGN
        chunks.append(data + b"\0" * padding)
        offset += len(data) + padding
    header = encode_json({"meta": dict(meta), "arrays": entries})
    return b"".join([MAGIC, len(header).to_bytes(8, "little"), header, *chunks])


def _header(payload: bytes) -> tuple[dict, int]:
    """The JSON header and the offset where array bytes start."""
    if not payload.startswith(MAGIC):
        raise ValueError("cache payload is not a workbench array payload (bad magic)")
    start = len(MAGIC) + 8
    size = int.from_bytes(payload[len(MAGIC) : start], "little")
    if start + size > len(payload):
        raise ValueError("cache payload is truncated inside its header")
    header = decode_json(payload[start : start + size])
    if not isinstance(header, dict) or not isinstance(header.get("meta"), dict):
        raise ValueError("cache payload header has no meta record")
    return header, start + size


def decode_meta(payload: bytes) -> dict:
    """The meta record of an encode_arrays payload, without reading its arrays."""
    return _header(bytes(payload))[0]["meta"]


def decode_arrays(payload: bytes) -> tuple[dict[str, np.ndarray], dict]:
    """Unpack an encode_arrays payload without ever unpickling.

    Returns
    -------
    arrays : dict[str, ndarray]
        The arrays as written: same names, dtypes and shapes (writable copies).
    meta : dict
        The JSON meta record.
    """
    payload = bytes(payload)
    header, base = _header(payload)
    arrays = {}
    try:
        for entry in header["arrays"]:
            dtype = np.dtype(entry["dtype"])
            _check_dtype(entry["name"], dtype)
            shape = tuple(int(n) for n in entry["shape"])
            count = int(np.prod(shape, dtype=np.int64))
            start = base + int(entry["offset"])
            if start + count * dtype.itemsize > len(payload):
                raise ValueError(f"cache payload is truncated inside array {entry['name']!r}")
            view = np.frombuffer(payload, dtype=dtype, count=count, offset=start)
            arrays[entry["name"]] = view.reshape(shape).copy()
    except (KeyError, TypeError) as exc:
        raise ValueError(f"cache payload header is malformed: {exc}") from None
    return arrays, header["meta"]
