"""Terminal progress bars: one view of the run's fold (they only read; the run never waits)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from tqdm import tqdm

from workbench.record.eventlog import event_pages
from workbench.record.fold import RunFold, StageStatus

__all__ = ["TerminalBars", "watch"]


class TerminalBars:
    """One tqdm bar per stage, redrawn from the fold's stage status."""

    def __init__(self) -> None:
        self._bars: dict[str, tqdm] = {}

    def draw(self, stages: list[StageStatus]) -> None:
        for stage in stages:
            bar = self._bars.get(stage.stage)
            if bar is None:
                bar = tqdm(
                    desc=stage.stage,
                    total=stage.total,
                    unit="item",
                    file=sys.stderr,
                    leave=True,
                    dynamic_ncols=True,
                )
                self._bars[stage.stage] = bar
            if bar.disable:  # closed once the stage finished
                continue
            if stage.total is not None and bar.total != stage.total:
                bar.total = stage.total
            bar.n = stage.done
            if stage.failed:
                bar.set_postfix(failed=stage.failed, refresh=False)
            bar.refresh()
            if not stage.running:
                bar.close()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


def watch(
    events_path: Path, run_thread: threading.Thread, quiet: bool = False, interval: float = 0.3
) -> RunFold:
    """Follow ``events_path`` until ``run_thread`` ends; returns the run's fold."""
    fold = RunFold()
    bars = None if quiet else TerminalBars()

    def drain() -> None:
        nonlocal bars
        for page in event_pages(events_path, after=fold.last_id):
            update = fold.feed(page)
            if bars is not None and update.new_attempt:  # resumed: the old attempt's bars go
                bars.close()
                bars = TerminalBars()
        if bars is not None:
            bars.draw(fold.stage_status())

    while run_thread.is_alive():
        run_thread.join(interval)
        drain()
    drain()
    if bars is not None:
        bars.close()
    return fold
