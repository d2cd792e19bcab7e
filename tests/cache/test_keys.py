"""Cache keys: one spelling per parameter set, a digest that tells every field apart."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import workbench
from workbench.cache import CacheKey, canonical_params

SHA = "0" * 63 + "1"
PARAMS = {"cutoff": 5.0, "chains": ("H", "L"), "scheme": {"name": "imgt", "gaps": [1, 2]}}


def key(**fields: str) -> CacheKey:
    base = CacheKey.make("graph", SHA, PARAMS, "0.1.0")
    return dataclasses.replace(base, **fields)


def test_digest_is_sha256_hex_and_repeatable() -> None:
    digest = key().digest
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert key().digest == digest


@pytest.mark.parametrize(
    "changes",
    [
        {"stage": "embed"},
        {"input_checksum": "0" * 63 + "2"},
        {"params": canonical_params({**PARAMS, "cutoff": 5.5})},
        {"code_version": "0.1.1"},
    ],
)
def test_digest_changes_with_each_field(changes: dict[str, str]) -> None:
    assert key(**changes).digest != key().digest


def test_framing_keeps_field_boundaries() -> None:
    """Moving characters from one field to the next must give another digest."""
    a = CacheKey("ab", "c", "{}", "")
    b = CacheKey("a", "bc", "{}", "")
    c = CacheKey("a", "b", "{}", "c")
    assert len({a.digest, b.digest, c.digest}) == 3


def test_params_stable_for_dict_order_and_tuples() -> None:
    shuffled = {"scheme": {"gaps": [1, 2], "name": "imgt"}, "chains": ["H", "L"], "cutoff": 5.0}
    assert CacheKey.make("graph", SHA, shuffled, "0.1.0") == key()
    assert key().params == '{"chains":["H","L"],"cutoff":5.0,"scheme":{"gaps":[1,2],"name":"imgt"}}'
    assert json.loads(key().params) == json.loads(json.dumps(PARAMS))


def test_params_tell_types_apart() -> None:
    digests = {CacheKey.make("s", SHA, {"x": v}, "1").digest for v in (1, 1.0, True, "1", [1])}
    assert len(digests) == 5


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"x": float("nan")}, ValueError, r"params\.x is nan"),
        ({"x": [1.0, float("inf")]}, ValueError, r"params\.x\[1\] is inf"),
        ({"x": {1: "a"}}, TypeError, "non-string key 1"),
        ({"x": {"a", "b"}}, TypeError, r"params\.x has type set"),
        ({"x": np.float32(1)}, TypeError, "float32"),
        ([("x", 1)], TypeError, "must be a mapping"),
    ],
)
def test_make_rejects_params_without_one_spelling(params, error, message) -> None:
    with pytest.raises(error, match=message):
        CacheKey.make("graph", SHA, params, "1")


@pytest.mark.parametrize("stage", ["", ".", "..", "../up", "a/b", ".hidden", "x" * 65, "é"])
def test_stage_must_be_a_safe_folder_name(stage: str) -> None:
    with pytest.raises(ValueError, match="invalid cache stage"):
        CacheKey.make(stage, SHA, {}, "1")


@pytest.mark.parametrize("params", ['{"b":1, "a":2}', '{"b":1,"a":2}', "[1]", "not json"])
def test_direct_construction_requires_canonical_params(params: str) -> None:
    for _ in range(2):  # the check remembers texts that passed, never one that failed
        with pytest.raises(ValueError, match=r"CacheKey\.params"):
            CacheKey("graph", SHA, params, "1")


def test_key_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        key().stage = "other"  # type: ignore[misc]


def test_digest_same_in_another_process_with_another_hash_seed() -> None:
    """Nothing in the digest may depend on str hashing or set order of the interpreter."""
    code = (
        "from workbench.cache import CacheKey; import json, sys; "
        "p = json.loads(sys.argv[1]); "
        "print(CacheKey.make('graph', sys.argv[2], p, '0.1.0').digest)"
    )
    params = {f"k{i}": i for i in range(50)}
    repo = Path(workbench.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(repo)}
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(params), SHA],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == CacheKey.make("graph", SHA, params, "0.1.0").digest
