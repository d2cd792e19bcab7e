"""Prep's compute per item with the collector paused per item / with automatic collection.

N rigidly moved copies of the DeepRank-Ab example computed one after another in this process
(no cache, voronota off: the Python part of prep, where the collector's time goes), rounds of
each way interleaved so that the machine's drift falls on both; the median round counts. Also
the time that full collections took in each way (gc.callbacks), per item.

Run: python benchmarks/prep_gc.py [N] [ROUNDS]
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_folder

import workbench.engine.prep as prep
from workbench.engine.gc_pause import paused_collector
from workbench.graph import GraphParams
from workbench.sources import iter_items
from workbench.structure import ChainSpec, parse_chain_spec


class FullCollections:
    """Seconds spent in generation-2 collections while installed."""

    def __init__(self) -> None:
        self.seconds, self._start = 0.0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start


def round_seconds(task: prep.PrepTask, items: list, spec: ChainSpec, pause) -> tuple[float, float]:
    """(wall s, full-collection s) per item of one pass over ``items``."""
    prep.paused_collector = pause
    full = FullCollections()
    gc.callbacks.append(full)
    start = time.perf_counter()
    try:
        for item in items:
            done = task.compute(item, spec)
            assert done.status == "done", done
    finally:
        gc.callbacks.remove(full)
    return (time.perf_counter() - start) / len(items), full.seconds / len(items)


def main(n: int = 20, rounds: int = 5) -> None:
    spec = parse_chain_spec(*(DEEPRANK_CHAINS[side] for side in ("heavy", "light", "antigen")))
    task = prep.PrepTask(GraphParams(voronota=False), None, False, False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_decoy_folder(Path(tmp), DEEPRANK_EXAMPLE, n)
        items = list(iter_items(sorted(folder.iterdir())))
        round_seconds(task, items[:2], spec, paused_collector)  # imports, first-call caches
        ways = {"paused": paused_collector, "automatic": contextlib.nullcontext}
        times: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
        for _ in range(rounds):
            for way, pause in ways.items():
                times[way].append(round_seconds(task, items, spec, pause))
    paused, automatic = (statistics.median(w for w, _ in times[way]) for way in ways)
    full_p, full_a = (statistics.median(f for _, f in times[way]) for way in ways)
    print(f"{n} moved copies of {DEEPRANK_EXAMPLE.name}, prep compute, voronota off, ×{rounds}")
    print(
        f"per item: paused {1000 * paused:.1f} ms (full collections {1000 * full_p:.1f} ms), "
        f"automatic {1000 * automatic:.1f} ms (full collections {1000 * full_a:.1f} ms)"
    )
    print(f"paused / automatic = {paused / automatic:.3f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
