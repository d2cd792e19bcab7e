"""Helpers for run-level tests: compare two run datasets field by field."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

VOLATILE = ("seconds", "cached")


def table(run_dir: Path, name: str) -> pd.DataFrame:
    frame = pd.read_parquet(run_dir / name)
    frame = frame.drop(columns=[c for c in VOLATILE if c in frame.columns])
    key = [c for c in ("item_id", "seq_hash", "chain", "res_seq", "ins_code") if c in frame]
    return frame.sort_values(key).reset_index(drop=True)


def h5_contents(path: Path) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda name, obj: (
                out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None
            )
        )
    return out


def assert_same_dataset(a: Path, b: Path) -> None:
    """Same tables, FASTA and graphs (timings and cache flags aside)."""
    for name in ("structures.parquet", "chains.parquet"):
        pd.testing.assert_frame_equal(table(a, name), table(b, name))
    seq_a, seq_b = table(a, "sequences.parquet"), table(b, "sequences.parquet")
    assert seq_a[["seq_hash", "sequence", "n_items"]].equals(
        seq_b[["seq_hash", "sequence", "n_items"]]
    )
    assert sorted((a / "complexes.fasta").read_text().split(">")) == sorted(
        (b / "complexes.fasta").read_text().split(">")
    )
    ga, gb = h5_contents(a / "graphs.h5"), h5_contents(b / "graphs.h5")
    assert ga.keys() == gb.keys()
    for key in ga:
        np.testing.assert_array_equal(ga[key], gb[key], err_msg=key)


@pytest.fixture
def same_dataset():
    """The dataset comparison, as a fixture so test modules need no relative import."""
    return assert_same_dataset


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"
