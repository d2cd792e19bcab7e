"""``workbench export``: a run's data in another tool's format (DeepRank-Ab's graph file)."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.output.shards import copy_graphs
from workbench.record.layout import RunLayout

__all__ = ["ExportError", "export_deeprank"]


class ExportError(ValueError):
    """The run cannot be exported as asked; the message names the run and the reason."""


def export_deeprank(run_dir: str | Path, out: str | Path) -> tuple[int, bool]:
    """Copy the run's deeprank-ab graphs (one group per item id) into ``out``, atomically.

    Returns (groups written, whether their ``embedding`` holds ESM scalars: False when the
    run had no embed stage, so the feature is 0 and a checkpoint's scores would mean little).
    """
    layout = RunLayout(Path(run_dir))
    if not layout.deeprank.is_file():
        raise ExportError(
            f"{run_dir}: no deeprank-ab graphs ({layout.deeprank.name}); "
            "run with --features deeprank-ab (or --scorer)"
        )
    info = json.loads(layout.run_json.read_text()) if layout.run_json.is_file() else {}
    return copy_graphs(layout.deeprank, out), "deeprank-ab" in info.get("stages", {})
