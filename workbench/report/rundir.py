"""The tolerant reads of a run directory shared by the app and the report.

A watched run may not have written run.json yet, and its event log may exist before the writer
has created its table; tables and file names come from the engine (``RunView``, ``RUN_FILES``),
whose table readers already read an absent table as empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.engine import RUN_FILES, Event, read_run_json
from workbench.engine.eventlog import read_events

__all__ = ["dataset_paths", "run_events", "run_info", "untrained_weights"]


def run_info(run_dir: str | Path) -> dict[str, Any] | None:
    """run.json as a dict; None while a starting run has not written it yet."""
    try:
        return read_run_json(run_dir)
    except FileNotFoundError:
        return None


def run_events(run_dir: str | Path, after: int = 0) -> list[tuple[int, Event]]:
    """Events of the run directory's log with id > ``after``."""
    return read_events(Path(run_dir) / RUN_FILES["events"], after=after)


def untrained_weights(meta: dict[str, Any] | None) -> bool:
    """Whether the run's embeddings came from random (untrained) ESM-2 weights."""
    if not meta:
        return False
    if meta.get("embeddings_untrained") is not None:
        return bool(meta["embeddings_untrained"])
    return str(meta.get("config", {}).get("model", "")).startswith("random:")


def dataset_paths(run_dir: str | Path) -> dict[str, int]:
    """Size in bytes of each dataset file present in the run directory, by file name."""
    run_dir = Path(run_dir)
    return {
        name: (run_dir / name).stat().st_size
        for name in RUN_FILES.values()
        if (run_dir / name).is_file()
    }
