"""Prep pauses Python's cyclic collector for each item and frees the item's young garbage after."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

from Bio.PDB.Structure import Structure

from workbench.engine.gc_pause import paused_collector
from workbench.engine.prep import PrepTask
from workbench.graph import GraphParams
from workbench.sources import iter_items
from workbench.structure import parse_chain_spec


class _Node:
    """A reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_off_inside_and_as_it_was_after() -> None:
    assert gc.isenabled()
    with paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_collector():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_cycles_made_inside_are_freed_on_leaving() -> None:
    with paused_collector():
        cycle = weakref.ref(_Node())
        assert cycle() is not None  # nothing collects while paused
    assert cycle() is None


def test_overlapping_threads_leave_the_collector_on() -> None:
    inside, release = threading.Barrier(2), threading.Event()

    def item() -> None:
        with paused_collector():
            inside.wait()
            release.wait()

    first = threading.Thread(target=item)
    first.start()
    with paused_collector():
        inside.wait()
        release.set()
        first.join()
    assert gc.isenabled()


def test_an_items_parse_tree_is_freed_when_its_compute_returns(complexes_dir: Path) -> None:
    (item,) = iter_items([complexes_dir / "1VFB.pdb"])
    task = PrepTask(GraphParams(voronota=False), None, False, False)
    gc.collect()
    assert task.compute(item, parse_chain_spec("B", "A", "C")).status == "done"
    assert not [o for o in gc.get_objects() if isinstance(o, Structure)]
