"""Sharded graphs.h5: shards written apart, an index of external links that readers follow."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

from workbench.graph import GraphParams, build_graph
from workbench.output.graphs import (
    GraphWriter,
    graph_image,
    list_items,
    read_graph,
    read_graph_tensors,
    read_residues,
)
from workbench.output.shards import ShardedGraphs, shard_name, write_shard
from workbench.sources import iter_items
from workbench.structure import load_manifest, merge


@pytest.fixture(scope="module")
def images(complexes_dir):
    """Graph images of 2I25 (atom graph) and 1VFB (residue graph), with their graphs."""
    manifest = load_manifest(complexes_dir / "cases.tsv")
    out = {}
    for case, params in (("2I25", GraphParams()), ("1VFB", GraphParams(kind="residue"))):
        (item,) = iter_items([complexes_dir / f"{case}.pdb"])
        complex_ = merge(item, manifest.spec_for(complexes_dir / f"{case}.pdb"))
        graph = build_graph(complex_, params)
        out[case] = (graph_image(graph, complex_.residues, complex_.source), graph)
    return out


def _run(run_dir, images, groups: dict[str, list[str]]) -> ShardedGraphs:
    """One run's worth: each shard (a list of items: which image each gets) linked into the
    index; returns the committed ShardedGraphs."""
    dataset = ShardedGraphs(run_dir / "graphs.h5", run_dir / "graphs")
    with dataset:
        for cases in groups.values():
            shard = dataset.next_shard()
            ids = [f"{case}-{n}" for n, case in enumerate(cases)]
            write_shard(
                dataset.folder / shard,
                [(i, images[c][0], f"key-{i}") for i, c in zip(ids, cases, strict=True)],
            )
            for item_id in ids:
                dataset.add(item_id, shard)
    return dataset


def test_readers_follow_the_index_into_the_shards_from_any_directory(tmp_path, images, monkeypatch):
    run_dir = tmp_path / "run"
    _run(run_dir, images, {"a": ["2I25", "1VFB"], "b": ["1VFB"]})
    monkeypatch.chdir(tmp_path)  # links are relative to the index's folder, not the cwd
    graphs = run_dir / "graphs.h5"
    assert list_items(graphs) == ["1VFB-0", "1VFB-1", "2I25-0"]
    assert sorted(p.name for p in (run_dir / "graphs").iterdir()) == [
        shard_name(0),
        shard_name(1),
    ]
    for item_id, case in (("2I25-0", "2I25"), ("1VFB-1", "1VFB"), ("1VFB-0", "1VFB")):
        graph = images[case][1]
        np.testing.assert_array_equal(read_graph(graphs, item_id).edge_index, graph.edge_index)
        x, edge_index, _, pos = read_graph_tensors(graphs, item_id)
        assert x.shape[0] == pos.shape[0] == graph.n_nodes
        assert edge_index.shape == graph.edge_index.shape
    with h5py.File(graphs, "r") as f:
        assert len(read_residues(f, "2I25-0")) > 0
        assert f["1VFB-0"].file.filename == str(run_dir / "graphs" / shard_name(1))
        assert f["2I25-0"].attrs["key"] == "key-2I25-0"
    with pytest.raises(KeyError, match="no item"):
        read_graph(graphs, "missing")


def test_assemble_style_amends_reach_readers_through_the_index(tmp_path, images):
    run_dir = tmp_path / "run"
    dataset = ShardedGraphs(run_dir / "graphs.h5", run_dir / "graphs").open()
    shards = [dataset.next_shard() for _ in range(3)]
    for item_id, shard in (("a", shards[0]), ("b", shards[2])):  # shards[1]: all items failed
        write_shard(dataset.folder / shard, [(item_id, images["2I25"][0], "k")])
        dataset.add(item_id, shard)
    dataset.add("b~2", shards[0], "a")  # a run-unique id for a group the worker named "a"
    assert dataset.shard_of("a") == (run_dir / "graphs" / shards[0], "a")
    assert dataset.shard_of("b~2") == (run_dir / "graphs" / shards[0], "a")
    assert list(dataset.shard_paths()) == [run_dir / "graphs" / shards[n] for n in (0, 2)]
    with pytest.raises(KeyError, match="no item 'c'"):
        dataset.shard_of("c")
    k = images["2I25"][1].n_nodes
    for shard in dataset.shard_paths():
        with GraphWriter(shard) as writer:
            for item_id in writer.file:
                writer.set_node_feature(item_id, "embedding", np.ones((k, 3), dtype=np.float32))
    dataset.close()
    for item_id in ("a", "b", "b~2"):
        embedding = read_graph(run_dir / "graphs.h5", item_id).node_data["embedding"]
        assert embedding.shape == (k, 3)


def test_reruns_write_new_shards_keep_the_replaced_ones_one_run_and_never_grow(tmp_path, images):
    run_dir = tmp_path / "run"
    folder = run_dir / "graphs"
    _run(run_dir, images, {"a": ["2I25"], "b": ["1VFB"]})
    first = sorted(os.listdir(folder))
    with h5py.File(run_dir / "graphs.h5", "r") as reader:  # a reader holding the first index
        _run(run_dir, images, {"a": ["2I25"], "b": ["1VFB"]})
        assert set(first) < set(os.listdir(folder))  # its shards are still there
        np.testing.assert_array_equal(reader["2I25-0/edge_index"][()], images["2I25"][1].edge_index)
    sizes = []
    for _ in range(3):
        (folder / ".part-99999.h5.1.ab.partial").write_bytes(b"left by a killed writer")
        _run(run_dir, images, {"a": ["2I25"], "b": ["1VFB"]})
        names = sorted(os.listdir(folder))
        assert len(names) == 4 and not set(first) & set(names)  # this run's and the last one's
        sizes.append(sum((folder / n).stat().st_size for n in names))
    assert sizes == [sizes[0]] * 3
    assert list_items(run_dir / "graphs.h5") == ["1VFB-0", "2I25-0"]


def test_a_killed_run_leaves_the_previous_index_and_its_shards_whole(tmp_path, images):
    run_dir = tmp_path / "run"
    _run(run_dir, images, {"a": ["2I25"]})
    with (
        pytest.raises(RuntimeError, match="stage failed"),
        ShardedGraphs(run_dir / "graphs.h5", run_dir / "graphs") as dataset,
    ):
        shard = dataset.next_shard()
        assert shard == shard_name(1)  # a new name: never a file a reader may hold
        write_shard(dataset.folder / shard, [("1VFB-0", images["1VFB"][0], "k")])
        dataset.add("1VFB-0", shard)
        raise RuntimeError("stage failed")
    assert list_items(run_dir / "graphs.h5") == ["2I25-0"]
    assert [p.name for p in run_dir.iterdir() if p.name.startswith(".")] == []
    _run(run_dir, images, {"a": ["1VFB"]})  # the next clean run collects the orphan
    assert sorted(os.listdir(run_dir / "graphs")) == [shard_name(0), shard_name(2)]


def test_a_shard_whose_writer_fails_is_not_left_behind(tmp_path, images):
    def broken():
        yield "a", images["2I25"][0], "k"
        raise RuntimeError("worker failed")

    with pytest.raises(RuntimeError, match="worker failed"):
        write_shard(tmp_path / shard_name(0), broken())
    assert list(tmp_path.iterdir()) == []


def test_shards_must_lie_beside_their_index(tmp_path):
    with pytest.raises(ValueError, match="beside their index"):
        ShardedGraphs(tmp_path / "graphs.h5", tmp_path / "elsewhere" / "graphs")
    with pytest.raises(RuntimeError, match="outside its with-block"):
        ShardedGraphs(tmp_path / "graphs.h5", tmp_path / "graphs").next_shard()
    dataset = ShardedGraphs(tmp_path / "graphs.h5", tmp_path / "graphs").open()
    with pytest.raises(ValueError, match="not a shard name"):
        dataset.add("a", "elsewhere.h5")
    assert "a" not in dataset.file
    dataset.close()
