"""The one tolerant read of a run directory shared by the app and the report.

A watched run may not have written run.json yet; tables and file names come from the engine
(``RunView``, ``RUN_FILES``), whose table readers already read an absent table as empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.engine import RUN_FILES, read_run_json

__all__ = ["dataset_paths", "run_info"]


def run_info(run_dir: str | Path) -> dict[str, Any] | None:
    """run.json as a dict; None while a starting run has not written it yet."""
    try:
        return read_run_json(run_dir)
    except FileNotFoundError:
        return None


def dataset_paths(run_dir: str | Path) -> dict[str, int]:
    """Size in bytes of each dataset file present in the run directory, by file name."""
    run_dir = Path(run_dir)
    return {
        name: (run_dir / name).stat().st_size
        for name in RUN_FILES.values()
        if (run_dir / name).is_file()
    }
