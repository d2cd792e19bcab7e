"""Where a stage's chunks of work run: a Dask client's workers or local loky processes."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["TaskPool"]


class TaskPool:
    """A Dask client's workers (futures; a task whose worker dies is rescheduled by the
    scheduler), or a local loky process pool (reused across stages and runs), each started on
    first use; ``inline`` when there is one local worker and nothing to start. Results come
    back in submission order, with at most two tasks per slot in flight, so memory stays
    bounded however many tasks a stage streams in."""

    def __init__(self, connect: Callable[[], Client] | None, workers: int) -> None:
        self.connect = connect
        self.inline = connect is None and workers == 1
        self.workers = workers
        self._executor = None
        self._used = False  # a task went to the pool or the cluster
        self._in_flight: deque = deque()  # futures, oldest first

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

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        """Send ``function(*args)``; its result comes from :meth:`due` or :meth:`drain`."""
        self._used = True
        if self.connect is not None:
            future = self.connect().submit(function, *args, pure=False)
        else:
            if self._executor is None:
                from joblib.externals.loky import get_reusable_executor  # not for a run of hits

                self._executor = get_reusable_executor(max_workers=self.slots)
            future = self._executor.submit(function, *args)
        self._in_flight.append(future)

    def due(self) -> Iterator[Any]:
        """The oldest tasks' results while two tasks per slot are in flight (waits for them)."""
        while len(self._in_flight) >= 2 * self.slots:
            yield self._in_flight.popleft().result()

    def drain(self) -> Iterator[Any]:
        """Every remaining result, in submission order."""
        while self._in_flight:
            yield self._in_flight.popleft().result()
