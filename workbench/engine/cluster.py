"""The Dask client a run uses: the scheduler the user named, or a LocalCluster for this run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["QUIET_DIAGNOSTICS", "LazyClient", "dask_client"]

# Dask's diagnostics, made less frequent on the LocalCluster a run starts (a user's own cluster
# keeps its settings). By default a worker's event loop wakes ~70 times a second (a 20 ms tick,
# a 100 ms memory monitor, a 500 ms system monitor, a 10 ms profiler) and takes the GIL from the
# task thread each time: measured on 2 cores with 2 workers, 10^4 voluntary context switches per
# 300 prep items and ~15 % more CPU per item than a loky process; with these, 1.5k and none.
# The cost: memory limits act within 1 s, and the dashboard has no profile page.
QUIET_DIAGNOSTICS = {
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.profile.enabled": False,
}


@contextlib.contextmanager
def dask_client(address: str | None, workers: int) -> Iterator[Client]:
    """Connect to ``address``, or start (and afterwards stop) a local cluster of processes with
    Dask's diagnostics quietened (:data:`QUIET_DIAGNOSTICS`)."""
    import dask
    from distributed import Client, LocalCluster

    if address:
        with Client(address, timeout="30s") as client:
            yield client
        return
    with dask.config.set(QUIET_DIAGNOSTICS):  # read when the servers and workers start
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
        )
    with cluster, Client(cluster) as client:
        yield client


class LazyClient:
    """The run's Dask client, connected (its LocalCluster started) when a stage first calls it:
    a run whose stages find everything in the cache starts no cluster. Leaving the ``with``
    block closes what was started; ``on_connect(client)`` gives a context entered alongside."""

    def __init__(
        self,
        address: str | None,
        workers: int,
        on_connect: Callable[[Client], contextlib.AbstractContextManager] | None = None,
    ) -> None:
        self.address = address
        self.workers = workers
        self._on_connect = on_connect
        self._client: Client | None = None
        self.started = False  # whether a stage needed the cluster (run.json's cluster_started)
        self._lock = threading.Lock()
        self._stack = contextlib.ExitStack()

    def __call__(self) -> Client:
        with self._lock:
            if self._client is None:
                client = self._stack.enter_context(dask_client(self.address, self.workers))
                if self._on_connect is not None:
                    self._stack.enter_context(self._on_connect(client))
                self._client = client
                self.started = True
            return self._client

    def __enter__(self) -> LazyClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()
        self._client = None
