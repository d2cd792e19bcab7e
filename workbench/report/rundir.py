"""Reads a run directory's metadata and tables, tolerating files a live run has not written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["DATASET_FILES", "TABLES", "dataset_paths", "read_run_json", "read_table"]

TABLES = ("structures", "sequences", "regions")
DATASET_FILES = (
    "run.json",
    "events.sqlite",
    "structures.parquet",
    "sequences.parquet",
    "regions.parquet",
    "complexes.fasta",
    "graphs.h5",
    "embeddings.h5",
)


def read_run_json(run_dir: str | Path) -> dict[str, Any] | None:
    """run.json as a dict; None while it is absent or being replaced."""
    path = Path(run_dir) / "run.json"
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def read_table(run_dir: str | Path, name: str) -> pd.DataFrame | None:
    """One of the run's Parquet tables (``TABLES``); None when the stage did not write it."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; expected one of {TABLES}")
    path = Path(run_dir) / f"{name}.parquet"
    if not path.exists():
        return None
    return pd.read_parquet(path)


def dataset_paths(run_dir: str | Path) -> dict[str, int]:
    """Size in bytes of each dataset file present in the run directory, by file name."""
    run_dir = Path(run_dir)
    return {
        name: (run_dir / name).stat().st_size
        for name in DATASET_FILES
        if (run_dir / name).is_file()
    }
