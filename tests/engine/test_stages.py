"""Runs through every stage: regions and embeddings reach the dataset, reruns hit the cache."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import workbench
from workbench.engine import assemble
from workbench.engine.pool import TaskPool
from workbench.examples import example_manifest, example_paths
from workbench.graph import REGIONS
from workbench.output.graphs import list_items
from workbench.record import RunConfig
from workbench.record.eventlog import read_events
from workbench.record.events import BatchDone, CacheStats

FULL = {
    "model": "random:esm2_t6_8M_UR50D",
    "devices": "sim:1.0,sim:0.5",
    "workers": 2,
    "voronota": False,
}


def _cache_counts(run_dir) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for _, event in read_events(run_dir / "events.sqlite"):
        if isinstance(event, CacheStats):
            total = counts.setdefault(event.stage, [0, 0])
            total[0] += event.hits
            total[1] += event.misses
    return counts


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory):
    """The bundled examples through every stage, twice with one cache."""
    root = tmp_path_factory.mktemp("full")
    cache = str(root / "cache")
    runs = []
    for name in ("cold", "warm"):
        workbench.run(
            example_paths(), root / name, manifest=str(example_manifest()), cache_dir=cache, **FULL
        )
        runs.append(root / name)
    return runs


def test_every_stage_reaches_the_dataset(full_runs):
    run_dir = full_runs[0]
    view = workbench.open_run(run_dir)
    info = view.info
    assert info["status"] == "completed"
    assert set(info["stages"]) == {"prep", "annotate", "embed", "assemble"}
    assert info["embeddings_untrained"] is True
    assert (info["embeddings_precision"], info["embeddings_device"]) == ("fp32", "cpu")
    sequences = view.sequences
    antibody = sequences[sequences["roles"].apply(lambda r: "antigen" not in r)]
    assert antibody["chain_type"].isin(["H", "K", "L"]).all()
    assert (antibody["cdr3"].str.len() > 0).all()
    regions = view.regions
    chains = view.chains
    assert len(regions) == sum(chains["length"])
    assert pq.ParquetFile(view.layout.regions).metadata.num_row_groups == 1  # not one per item
    antigen_rows = regions.merge(chains[chains.role == "antigen"][["item_id", "chain"]])
    assert (antigen_rows["region"] == "antigen").all()
    assert {"FR1", "CDR1", "FR2", "CDR2", "FR3", "CDR3", "FR4"} <= set(regions["region"])
    devices = {
        e.device for _, e in read_events(run_dir / "events.sqlite") if isinstance(e, BatchDone)
    }
    assert devices == {"sim:1.0", "sim:0.5"}
    with h5py.File(run_dir / "embeddings.h5") as handle:
        assert bool(handle.attrs["untrained"])
        assert set(handle["per_residue"]) == set(sequences["seq_hash"])


def test_graph_nodes_carry_regions_and_embeddings(full_runs):
    view = workbench.open_run(full_runs[0])
    regions = view.regions
    for item_id in view.structures["item_id"]:
        graph = view.graph(item_id)
        with h5py.File(view.layout.graphs, "r") as handle:
            nodes = handle[item_id]["nodes"]
            keys = pd.DataFrame(
                {
                    "chain": nodes["chain"].asstr()[()],
                    "res_seq": nodes["res_seq"][()],
                    "ins_code": nodes["ins_code"].asstr()[()],
                }
            )
        expected = keys.merge(regions[regions.item_id == item_id], how="left")["region"]
        codes = graph.node_data["region"].ravel()
        assert [REGIONS[c] for c in codes] == expected.tolist()
        assert np.isfinite(graph.node_data["embedding"]).all()


def test_warm_rerun_hits_the_cache_in_every_stage(full_runs, same_dataset):
    cold, warm = (_cache_counts(r) for r in full_runs)
    for stage in ("prep", "annotate", "embed"):
        assert cold[stage][1] > 0, stage
        assert warm[stage] == [cold[stage][0] + cold[stage][1], 0], stage
    same_dataset(*full_runs)
    a, b = (workbench.open_run(r).regions for r in full_runs)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("executor", ["joblib", "dask"])
def test_assemble_in_the_workers_writes_the_same_dataset(
    executor, full_runs, tmp_path, monkeypatch, same_dataset
):
    """Past the inline budget every shard's job runs where prep ran (loky processes, or the
    LocalCluster's workers), which write the node features into the shard and send back only
    its regions rows."""
    monkeypatch.setattr(assemble, "INLINE_ITEMS", 0)
    jobs = []
    submit = TaskPool.submit

    def counted(self, function, *args):
        if function is assemble.assemble_shard:
            jobs.append(args[0])
        return submit(self, function, *args)

    monkeypatch.setattr(TaskPool, "submit", counted)
    cache = str(full_runs[0].parent / "cache")
    monkeypatch.chdir(tmp_path)
    workbench.run(
        example_paths(),
        "pooled",  # relative: the jobs name absolute paths, for workers in other directories
        manifest=str(example_manifest()),
        cache_dir=cache,
        chunk_size=1,
        executor=executor,
        **FULL,
    )
    assert len(jobs) == 3  # one per shard, none here
    assert all(len(job.numbering) <= 2 for job in jobs)  # each its own sequences' numbering
    assert all(Path(job.shard).is_absolute() and Path(job.embeddings).is_absolute() for job in jobs)
    same_dataset(full_runs[0], tmp_path / "pooled")
    a, b = (workbench.open_run(r).regions for r in (full_runs[0], tmp_path / "pooled"))
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("case", ["1VFB", "5KOV", "4Y7M", "3HMX"])
def test_roles_detected_without_a_spec(case, complexes_dir, cases, tmp_path):
    row = next(c for c in cases if c["case"] == case)
    workbench.run(
        [complexes_dir / f"{case}.pdb"],
        tmp_path / "run",
        stages=("prep",),
        voronota=False,
        no_cache=True,
        workers=1,
    )
    found = workbench.open_run(tmp_path / "run").structures.iloc[0]
    assert found["status"] == "done", found["error"]
    assert bool(found["roles_detected"])
    assert found["heavy"] == row["heavy"]
    assert (found["light"] if pd.notna(found["light"]) else "-") == row["light"]
    assert sorted(found["antigen"].split(",")) == sorted(row["antigen"])


def test_rerun_into_an_assembled_folder_rewrites_its_groups(full_runs, tmp_path, same_dataset):
    again = tmp_path / "again"
    shutil.copytree(full_runs[0], again)
    cache = workbench.open_run(full_runs[0]).info["config"]["cache_dir"]
    workbench.run(example_paths(), again, manifest=str(example_manifest()), cache_dir=cache, **FULL)
    same_dataset(full_runs[0], again)
    pd.testing.assert_frame_equal(
        workbench.open_run(full_runs[0]).regions, workbench.open_run(again).regions
    )
    workbench.run(
        example_paths(),
        again,
        manifest=str(example_manifest()),
        cache_dir=cache,
        stages=("prep",),
        voronota=False,
        workers=1,
    )
    for item_id in workbench.open_run(again).structures["item_id"]:
        graph = workbench.open_run(again).graph(item_id)
        assert "embedding" not in graph.node_data  # nothing of the earlier stages lingers
        assert not graph.node_data["region"].any()


@pytest.mark.timeout(300)
def test_a_run_on_an_existing_dask_cluster(tmp_path, full_runs):
    """--cluster: annotation and embedding go to the scheduler given, whose workers hold GPU=1."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        host="127.0.0.1",
        resources={"GPU": 1},
    ) as cluster:
        workbench.run(
            example_paths(),
            tmp_path / "run",
            manifest=str(example_manifest()),
            cluster=cluster.scheduler_address,
            no_cache=True,
            **{**FULL, "devices": "cpu"},
        )
        assert len(cluster.workers) == 2  # the run left the cluster it was given running
    view = workbench.open_run(tmp_path / "run")
    info = view.info
    assert info["status"] == "completed" and info["cluster"] == cluster.scheduler_address
    assert info["dashboard"].startswith("http://127.0.0.1:")
    reference = workbench.open_run(full_runs[0])
    pd.testing.assert_frame_equal(view.regions, reference.regions)
    with (
        h5py.File(view.layout.embeddings, "r") as got,
        h5py.File(reference.layout.embeddings, "r") as want,
    ):
        assert set(got["per_residue"]) == set(want["per_residue"])
        for key in want["per_residue"]:
            np.testing.assert_allclose(
                got["per_residue"][key][()], want["per_residue"][key][()], atol=2e-3, rtol=2e-3
            )


def _full_argv(run_dir, cache) -> list[str]:
    """``workbench run`` of the bundled examples through every stage, in a fresh process."""
    config = RunConfig.build(
        inputs=tuple(str(p) for p in example_paths()),
        out=str(run_dir),
        manifest=str(example_manifest()),
        cache_dir=cache,
        **FULL,
    )
    return [sys.executable, "-m", "workbench.cli", "run", "--quiet", *config.argv()]


def test_identical_reruns_into_one_folder_rewrite_no_shard(full_runs, tmp_path, same_dataset):
    cache = workbench.open_run(full_runs[0]).info["config"]["cache_dir"]
    run_dir = tmp_path / "run"
    sizes, shards = [], []
    for _ in range(4):
        workbench.run(
            example_paths(), run_dir, manifest=str(example_manifest()), cache_dir=cache, **FULL
        )
        files = workbench.open_run(run_dir).layout.file_sizes()
        sizes.append((files["graphs.h5"], files["graphs/"]))
        shards.append(
            {
                p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in (run_dir / "graphs").iterdir()
            }
        )
    # after a full run (prep, annotate, embed) the same command writes no shard: prep finds each
    # chunk's shard holding its graphs, assemble finds every feature already there
    assert sizes == [sizes[0]] * 4
    assert shards == [shards[0]] * 4
    same_dataset(full_runs[0], run_dir)
    assert not list(run_dir.glob("*.partial"))


def test_a_rerun_with_other_embeddings_rewrites_only_their_feature(
    full_runs, tmp_path, same_dataset
):
    cache = workbench.open_run(full_runs[0]).info["config"]["cache_dir"]
    run_dir = tmp_path / "run"
    options = {"manifest": str(example_manifest()), "cache_dir": cache, **FULL}
    workbench.run(example_paths(), run_dir, **options)
    workbench.run(example_paths(), run_dir, **{**options, "graph_embedding": "full"})
    workbench.run(example_paths(), tmp_path / "fresh", **{**options, "graph_embedding": "full"})
    same_dataset(tmp_path / "fresh", run_dir)  # a reused shard holds what a fresh one would
    workbench.run(example_paths(), run_dir, stages=("prep",), **options)
    workbench.run(example_paths(), tmp_path / "prep", stages=("prep",), **options)
    same_dataset(tmp_path / "prep", run_dir)  # no stale region or embedding from earlier runs


@pytest.mark.timeout(300)
def test_a_reader_holding_graphs_h5_keeps_reading_during_a_rerun(full_runs, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(full_runs[0], run_dir)
    cache = workbench.open_run(full_runs[0]).info["config"]["cache_dir"]
    graphs = run_dir / "graphs.h5"
    items = list_items(graphs)
    with h5py.File(graphs, "r") as reader:  # as the app or a notebook holds it
        before = {item: reader[item]["node_data/embedding"][()] for item in items}
        process = subprocess.Popen(_full_argv(run_dir, cache))
        reads = 0
        while process.poll() is None or reads == 0:
            for item in items:
                np.testing.assert_array_equal(reader[item]["node_data/embedding"][()], before[item])
            assert list_items(graphs) == items  # by name: always a whole file, never locked
            reads += 1
        assert process.wait(timeout=300) == 0
    view = workbench.open_run(run_dir)
    assert view.status == "completed"
    assert list_items(graphs) == items
    for item in items:
        np.testing.assert_array_equal(view.graph(item).node_data["embedding"], before[item])
    assert [p.name for p in run_dir.iterdir() if p.name.startswith(".")] == []
