"""A finished or running run directory, opened for reading (tables, graphs, events).

Every read is tolerant of a run that is still starting: an absent table reads as empty, an
absent run.json as ``info`` None, an event log without its table yet as no events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.output.tables import read_table
from workbench.record.eventlog import PAGE_EVENTS, event_pages, read_events
from workbench.record.events import Event
from workbench.record.layout import RunLayout
from workbench.record.runinfo import read_run_json, run_info

__all__ = ["RunView", "open_run"]


@dataclass(frozen=True, slots=True)
class RunView:
    """Read access to one run directory: its tables, graphs, embeddings and events."""

    run_dir: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_dir", Path(self.run_dir))

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.run_dir)

    @property
    def info(self) -> dict[str, Any] | None:
        """run.json, or None while a starting run has not written it."""
        return run_info(self.run_dir)

    @property
    def status(self) -> str | None:
        info = self.info
        return None if info is None else info["status"]

    @property
    def structures(self) -> pd.DataFrame:
        return read_table(self.layout.structures)

    @property
    def chains(self) -> pd.DataFrame:
        return read_table(self.layout.chains)

    @property
    def sequences(self) -> pd.DataFrame:
        return read_table(self.layout.sequences)

    @property
    def regions(self) -> pd.DataFrame:
        return read_table(self.layout.regions)

    @property
    def scores(self) -> pd.DataFrame:
        """scores.parquet (see workbench.score.table), best first; empty when not scored."""
        return read_table(self.layout.scores)

    def events(self, after: int = 0, limit: int | None = None) -> list[tuple[int, Event]]:
        """(id, event) with id > ``after``, in order, at most ``limit`` (None: all)."""
        return read_events(self.layout.events, after=after, limit=limit)

    def event_pages(
        self, after: int = 0, page: int = PAGE_EVENTS
    ) -> Iterator[list[tuple[int, Event]]]:
        """The events after ``after`` in pages of at most ``page``: memory bounded by a page."""
        return event_pages(self.layout.events, after=after, page=page)

    def graph(self, item_id: str):
        """The item's interface graph (see workbench.output.graphs.read_graph)."""
        from workbench.output.graphs import read_graph

        return read_graph(self.layout.graphs, item_id)

    def graph_tensors(self, item_id: str):
        """(x, edge_index, edge_attr, pos) tensors, PyTorch Geometric style."""
        from workbench.output.graphs import read_graph_tensors

        return read_graph_tensors(self.layout.graphs, item_id)


def open_run(run_dir: str | Path) -> RunView:
    """Open a run directory; raises FileNotFoundError when it holds no run.json."""
    view = RunView(Path(run_dir))
    read_run_json(view.run_dir)
    return view
