"""Terminal progress bars drawn from the event log (they only read; the run never waits on them)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from tqdm import tqdm

from workbench.engine.eventlog import read_events
from workbench.engine.events import ItemFailed, StageFinished, StageProgress, StageStarted

__all__ = ["watch"]


def watch(
    events_path: Path, run_thread: threading.Thread, quiet: bool = False, interval: float = 0.3
) -> None:
    """Follow ``events_path`` until ``run_thread`` ends, one bar per stage."""
    bars: dict[str, tqdm] = {}
    last = 0
    failures = 0

    def drain() -> None:
        nonlocal last, failures
        events = read_events(events_path, after=last)
        if events:
            last = events[-1][0]
        for _, event in [] if quiet else events:
            if isinstance(event, StageStarted):
                bars[event.stage] = tqdm(
                    desc=event.stage,
                    total=event.total,
                    unit="item",
                    file=sys.stderr,
                    leave=True,
                    dynamic_ncols=True,
                )
            elif isinstance(event, StageProgress) and event.stage in bars:
                bar = bars[event.stage]
                if event.total is not None and bar.total != event.total:
                    bar.total = event.total
                bar.n = event.done
                bar.refresh()
            elif isinstance(event, ItemFailed):
                failures += 1
                if event.stage in bars:
                    bars[event.stage].set_postfix(failed=failures)
            elif isinstance(event, StageFinished) and event.stage in bars:
                bars[event.stage].close()

    while run_thread.is_alive():
        run_thread.join(interval)
        drain()
    drain()
    for bar in bars.values():
        bar.close()
