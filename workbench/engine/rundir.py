"""run.json: the run's configuration, versions, status and counts, rewritten atomically."""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["RUN_FILES", "package_versions", "read_run_json", "write_run_json"]

RUN_FILES = {
    "run": "run.json",
    "events": "events.sqlite",
    "structures": "structures.parquet",
    "chains": "chains.parquet",
    "sequences": "sequences.parquet",
    "regions": "regions.parquet",
    "fasta": "complexes.fasta",
    "graphs": "graphs.h5",
    "embeddings": "embeddings.h5",
}

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
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_run_json(run_dir: Path, data: dict[str, Any]) -> None:
    path = Path(run_dir) / RUN_FILES["run"]
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, default=str))
    os.replace(partial, path)


def read_run_json(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / RUN_FILES["run"]
    if not path.exists():
        raise FileNotFoundError(f"{run_dir} is not a run directory: {path.name} is missing")
    return json.loads(path.read_text())
