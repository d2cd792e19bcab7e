"""run.json: the run's configuration, versions, status and counts, rewritten atomically."""

from __future__ import annotations

import functools
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench.fs import PARTIAL_SUFFIX, write_text_atomic
from workbench.record.layout import RunLayout

__all__ = ["package_versions", "read_run_json", "run_info", "untrained_weights", "write_run_json"]

_PACKAGES = (
    "workbench",
    "numpy",
    "scipy",
    "biopython",
    "pyhmmer",
    "anarci",
    "fair-esm",
    "torch",
    "freesasa",
    "joblib",
    "dask",
    "distributed",
    "h5py",
    "pyarrow",
    "panel",
    "bokeh",
)


def package_versions() -> dict[str, str]:
    """Versions of the packages a run's results depend on."""
    return dict(_installed())


@functools.cache
def _installed() -> tuple[tuple[str, str], ...]:
    """Read once per process: run.json is rewritten at every stage, and each read parses a
    METADATA file (~1 ms a package)."""
    versions = []
    for name in _PACKAGES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return tuple(versions)


def write_run_json(run_dir: str | Path, data: dict[str, Any]) -> None:
    path = RunLayout(run_dir).run_json
    write_text_atomic(path, json.dumps(data, indent=2, default=str), suffix=PARTIAL_SUFFIX)


def read_run_json(run_dir: str | Path) -> dict[str, Any]:
    """run.json as a dict; FileNotFoundError when the folder holds no run."""
    path = RunLayout(run_dir).run_json
    if not path.exists():
        raise FileNotFoundError(f"{run_dir} is not a run directory: {path.name} is missing")
    return json.loads(path.read_text())


def run_info(run_dir: str | Path) -> dict[str, Any] | None:
    """run.json as a dict; None while a starting run has not written it yet."""
    try:
        return read_run_json(run_dir)
    except FileNotFoundError:
        return None


def untrained_weights(info: dict[str, Any] | None) -> bool:
    """Whether the run's embeddings came from random (untrained) ESM-2 weights."""
    if not info:
        return False
    if info.get("embeddings_untrained") is not None:
        return bool(info["embeddings_untrained"])
    return str(info.get("config", {}).get("embed", {}).get("model", "")).startswith("random:")
