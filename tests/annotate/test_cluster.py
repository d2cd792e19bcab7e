"""annotate_unique on a real LocalCluster with two worker processes: cache, dedupe, lost worker."""

from __future__ import annotations

import os
import signal
import time

import pytest
from distributed import Client, LocalCluster

from workbench.annotate import annotate_unique, cache_key, number_sequences
from workbench.annotate.options import AnnotateOptions
from workbench.cache import CacheStore, DisabledCache

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _wait_for(condition, timeout: float = 60.0) -> None:
    """Poll a condition until it holds or the timeout passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


def test_cluster_matches_in_process_and_uses_the_cache(client, all_chains, tmp_path):
    sequences = {f"s{i}": seq for i, (_, seq) in enumerate(all_chains)}
    sequences["dup"] = all_chains[0][1]  # two names, one sequence
    cache = CacheStore(tmp_path)
    progress = []
    options = AnnotateOptions()
    got = annotate_unique(
        sequences,
        options,
        client,
        cache,
        batch_size=16,
        on_progress=lambda d, t: progress.append((d, t)),
    )
    expected = number_sequences(list(sequences.values()), options)
    assert list(got) == list(sequences)
    assert list(got.values()) == expected
    assert progress[0] == (0, len(sequences)) and progress[-1] == (len(sequences),) * 2
    key = cache_key(all_chains[0][1], options)
    assert cache.get(key) is not None
    again = []
    assert (
        annotate_unique(sequences, options, client, cache, on_progress=lambda d, t: again.append(d))
        == got
    )
    assert again == [len(sequences)]  # everything came from the cache


def test_a_few_misses_are_numbered_here_without_calling_the_client(all_chains, tmp_path):
    sequences = {f"s{i}": seq for i, (_, seq) in enumerate(all_chains)}
    unique = len(set(sequences.values()))
    options = AnnotateOptions()

    def no_cluster():
        raise AssertionError("the client was called for misses numbered here")

    cache = CacheStore(tmp_path)
    got = annotate_unique(sequences, options, no_cluster, cache, here_up_to=unique)
    assert list(got.values()) == number_sequences(list(sequences.values()), options)
    assert cache.get(cache_key(all_chains[0][1], options)) is not None
    with pytest.raises(AssertionError, match="client was called"):
        annotate_unique(sequences, options, no_cluster, DisabledCache(), here_up_to=unique - 1)


def test_killing_a_worker_mid_run_still_completes(client, mutants):
    sequences = {name: seq for name, seq in mutants[:120]}
    pids = client.run(os.getpid)
    victim = next(iter(pids.values()))
    killed = []

    def kill_once(done: int, total: int) -> None:
        if not killed and 0 < done < total:
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    got = annotate_unique(
        sequences, AnnotateOptions(), client, DisabledCache(), batch_size=4, on_progress=kill_once
    )
    assert killed, "the run finished before a worker could be killed"
    _wait_for(lambda: victim not in client.run(os.getpid).values())
    assert list(got.values()) == number_sequences(list(sequences.values()))
