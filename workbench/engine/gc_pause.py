"""Python's cyclic collector paused while one item is computed, then only its young garbage freed.

Parsing a complex builds Biopython's tree of ~10^5 linked objects (every atom points at its
residue and back). They outlive the young collections, so the automatic collector keeps
promoting them and runs full collections, each one visiting every live object of the process
(the imported libraries, Dask's own state in a Dask worker) several times per item: measured, a
fifth of prep's compute without Voronoi areas (benchmarks/prep_gc.py). The tree is garbage once
the item is done, still in the youngest generation when the collector was paused, so a young
collection frees it without visiting the old objects.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_collector"]

YOUNG = 1  # generations 0 and 1: what the item allocated, never the long-lived objects


@contextlib.contextmanager
def paused_collector() -> Iterator[None]:
    """Automatic collection off inside, back as it was after, with the young garbage collected.

    Threads computing items at once each restore what they found, so the collector ends as it
    started; while two overlap it may run for one of them, which costs time, never correctness.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect(YOUNG)
