"""The Dask client a run uses: the scheduler the user named, or a LocalCluster for this run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["LazyClient", "dask_client"]


@contextlib.contextmanager
def dask_client(address: str | None, workers: int) -> Iterator[Client]:
    """Connect to ``address``, or start (and afterwards stop) a local cluster of processes."""
    from distributed import Client, LocalCluster

    if address:
        with Client(address, timeout="30s") as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
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
