"""The LocalCluster a run starts has quiet Dask diagnostics; a user's cluster is left as it is."""

from __future__ import annotations

import dask
from distributed import Client, LocalCluster

from workbench.engine.cluster import QUIET_DIAGNOSTICS, dask_client


def _settings() -> dict:
    return {name: dask.config.get(name) for name in QUIET_DIAGNOSTICS}


def test_the_runs_own_cluster_quietens_its_workers_and_scheduler() -> None:
    before = _settings()
    with dask_client(None, 1) as client:
        (worker,) = client.run(_settings).values()
        assert worker == QUIET_DIAGNOSTICS
        tick = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler._tick_interval)
        assert tick == 0.5
        assert _settings() == before  # the run's own process keeps its configuration
    assert _settings() == before


def test_a_users_cluster_keeps_its_settings() -> None:
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as own,
    ):
        (theirs,) = own.run(_settings).values()
        with dask_client(cluster.scheduler_address, 1) as client:
            assert list(client.run(_settings).values()) == [theirs]
        assert theirs != QUIET_DIAGNOSTICS
