"""Payload codecs: arrays (strings included) and meta come back exactly; pickle never runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from workbench.cache import decode_arrays, decode_json, decode_meta, encode_arrays, encode_json


def atom_arrays(pdb: Path) -> dict[str, np.ndarray]:
    """Columns of the ATOM records of a real PDB file, read by fixed columns."""
    lines = [ln for ln in pdb.read_text().splitlines() if ln.startswith("ATOM")]
    return {
        "coord": np.array(
            [[float(ln[30:38]), float(ln[38:46]), float(ln[46:54])] for ln in lines],
            dtype=np.float32,
        ),
        "atom_name": np.array([ln[12:16].strip() for ln in lines]),
        "res_name": np.array([ln[17:20] for ln in lines]),
        "chain": np.array([ln[21] for ln in lines]),
        "res_seq": np.array([int(ln[22:26]) for ln in lines], dtype=np.int32),
    }


def assert_same(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert got.keys() == want.keys()
    for name, array in want.items():
        assert got[name].dtype == array.dtype, name
        assert got[name].shape == array.shape, name
        np.testing.assert_array_equal(got[name], array, err_msg=name)


def test_real_structure_columns_round_trip(complexes_dir: Path) -> None:
    arrays = atom_arrays(complexes_dir / "1AHW.pdb")
    assert arrays["res_name"].dtype == np.dtype("<U3")
    meta = {"source": "1AHW.pdb", "chains": ["A", "B", "C"], "note": "Å, résidus"}
    got, got_meta = decode_arrays(encode_arrays(arrays, meta))
    assert_same(got, arrays)
    assert got_meta == meta


def test_unusual_arrays_round_trip() -> None:
    arrays = {
        "scalar": np.array(3.5),
        "empty": np.zeros((0, 3), dtype=np.float64),
        "mask": np.array([True, False, True]),
        "fortran": np.asfortranarray(np.arange(12, dtype=np.int16).reshape(3, 4)),
        "raw": np.array([b"\x00\xff", b"ab"]),
        "unicode": np.array([["α", ""], ["CDR3", "FR1"]]),
        "complex": np.array([1 + 2j], dtype=np.complex64),
        "from_list": ["H", "L"],  # lists become 'U' arrays, not objects
    }
    got, meta = decode_arrays(encode_arrays(arrays, {}))
    assert_same(got, {name: np.asarray(value) for name, value in arrays.items()})
    assert got["from_list"].dtype.kind == "U"
    assert meta == {}


def test_object_arrays_are_refused_by_name() -> None:
    names = np.array(["ALA", "GLY"], dtype=object)
    with pytest.raises(TypeError, match=r"'res_name'.*astype\(str\)"):
        encode_arrays({"res_name": names}, {})
    record = np.zeros(2, dtype=[("x", "f4"), ("label", "O")])
    with pytest.raises(TypeError, match="'rec'"):
        encode_arrays({"rec": record}, {})


@pytest.mark.parametrize(
    ("arrays", "meta", "message"),
    [
        ({"": np.zeros(1)}, {}, "invalid array name"),
        ({"x": np.zeros(1)}, {"score": float("nan")}, "non-finite"),
        ({"x": np.zeros(1)}, [1, 2], "meta must be a mapping"),
    ],
)
def test_bad_input_is_refused(arrays, meta, message) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        encode_arrays(arrays, meta)


def test_npz_and_pickles_are_not_loaded() -> None:
    """Only our own layout is read: an NPZ (even one holding a pickle) or a pickle is refused."""
    buffer = io.BytesIO()
    np.savez(buffer, x=np.array([{"a": 1}], dtype=object))
    for payload in (buffer.getvalue(), b"\x80\x04K\x01."):
        with pytest.raises(ValueError, match="bad magic"):
            decode_arrays(payload)


def test_truncated_or_forged_payloads_are_refused() -> None:
    whole = encode_arrays({"x": np.arange(100)}, {"a": 1})
    with pytest.raises(ValueError, match="truncated"):
        decode_arrays(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match="truncated"):
        decode_arrays(whole[:20])
    forged = whole.replace(b'"<i8"', b'"|O8"')
    with pytest.raises(ValueError, match="object arrays"):
        decode_arrays(forged)


def test_meta_reads_alone() -> None:
    payload = encode_arrays({"x": np.arange(10)}, {"status": "done", "n": 3})
    assert decode_meta(payload) == {"status": "done", "n": 3}


def test_json_round_trip_and_one_spelling() -> None:
    record = {"b": [1, 2.5, None, True], "a": {"name": "Fab ε"}}
    payload = encode_json(record)
    assert decode_json(payload) == record
    assert payload == encode_json(dict(reversed(record.items())))
    assert json.loads(payload) == record  # plain JSON, readable by any tool


def test_json_refuses_nan_and_garbage() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        encode_json({"x": float("inf")})
    with pytest.raises(ValueError, match="not UTF-8 JSON"):
        decode_json(b"\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8 JSON"):
        decode_json(b'{"a": ')
