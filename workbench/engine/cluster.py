"""The Dask client a run uses: the scheduler the user named, or a LocalCluster for this run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from distributed import Client, LocalCluster

__all__ = ["dask_client"]


@contextlib.contextmanager
def dask_client(address: str | None, workers: int) -> Iterator[Client]:
    """Connect to ``address``, or start (and afterwards stop) a local cluster of processes."""
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
