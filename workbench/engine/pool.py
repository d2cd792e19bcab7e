"""Where a stage's chunks of work run: a Dask client's workers or local loky processes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["TaskPool"]


class TaskPool:
    """A Dask client's workers (futures; a task whose worker dies is rescheduled by the
    scheduler), or a local loky process pool (reused across stages and runs), each started on
    first use; ``inline`` when there is one local worker and nothing to start."""

    def __init__(self, connect: Callable[[], Client] | None, workers: int) -> None:
        self.connect = connect
        self.inline = connect is None and workers == 1
        self.workers = workers
        self._executor = None
        self._used = False  # a task went to the pool or the cluster

    @functools.cached_property
    def slots(self) -> int:
        """Tasks that run at once (asked of the cluster once a task went to it)."""
        if self.connect is None:
            return self.workers
        return max(1, sum(self.connect().nthreads().values()))

    @property
    def idle(self) -> bool:
        """No task sent anywhere yet: no pool started, no cluster connected."""
        return not self._used

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        """A future of ``function(*args)`` (``.result()`` waits)."""
        self._used = True
        if self.connect is not None:
            return self.connect().submit(function, *args, pure=False)
        if self._executor is None:
            from joblib.externals.loky import get_reusable_executor  # not for a run of hits

            self._executor = get_reusable_executor(max_workers=self.slots)
        return self._executor.submit(function, *args)
