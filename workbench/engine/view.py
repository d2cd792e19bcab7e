"""A finished or running run directory, opened for reading (tables, graphs, events)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.engine.eventlog import read_events
from workbench.engine.events import Event
from workbench.engine.rundir import RUN_FILES, read_run_json
from workbench.output.tables import read_table

__all__ = ["RunView", "open_run"]


@dataclass(frozen=True, slots=True)
class RunView:
    """Read access to one run directory: its tables, graphs, embeddings and events."""

    run_dir: Path

    def path(self, name: str) -> Path:
        return self.run_dir / RUN_FILES[name]

    @property
    def info(self) -> dict[str, Any]:
        return read_run_json(self.run_dir)

    @property
    def status(self) -> str:
        return self.info["status"]

    @property
    def structures(self) -> pd.DataFrame:
        return read_table(self.path("structures"))

    @property
    def chains(self) -> pd.DataFrame:
        return read_table(self.path("chains"))

    @property
    def sequences(self) -> pd.DataFrame:
        return read_table(self.path("sequences"))

    @property
    def regions(self) -> pd.DataFrame:
        return read_table(self.path("regions"))

    def events(self, after: int = 0) -> list[tuple[int, Event]]:
        return read_events(self.path("events"), after=after)

    def graph(self, item_id: str):
        """The item's interface graph (see workbench.output.graphs.read_graph)."""
        from workbench.output.graphs import read_graph

        return read_graph(self.path("graphs"), item_id)

    def graph_tensors(self, item_id: str):
        """(x, edge_index, edge_attr, pos) tensors, PyTorch Geometric style."""
        from workbench.output.graphs import read_graph_tensors

        return read_graph_tensors(self.path("graphs"), item_id)


def open_run(run_dir: str | Path) -> RunView:
    """Open a run directory; raises FileNotFoundError when it holds no run.json."""
    view = RunView(Path(run_dir))
    read_run_json(view.run_dir)
    return view
