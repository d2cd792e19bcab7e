"""graphs.h5: write, read back, add node features later, tensors, no half-written groups."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import torch

from workbench.graph import REGIONS, GraphParams, build_graph
from workbench.output.graphs import (
    GraphWriter,
    graph_image,
    list_items,
    read_graph,
    read_graph_tensors,
)
from workbench.sources import iter_items
from workbench.structure import load_manifest, merge


@pytest.fixture(scope="module")
def written(tmp_path_factory, complexes_dir):
    """graphs.h5 with an atom graph of 2I25 and a residue graph of 1VFB."""
    manifest = load_manifest(complexes_dir / "cases.tsv")
    merged = {}
    for case in ("2I25", "1VFB"):
        (item,) = iter_items([complexes_dir / f"{case}.pdb"])
        merged[case] = merge(item, manifest.spec_for(complexes_dir / f"{case}.pdb"))
    path = tmp_path_factory.mktemp("run") / "graphs.h5"
    items = {
        "2I25-atom": (merged["2I25"], GraphParams()),
        "1VFB-res": (merged["1VFB"], GraphParams(kind="residue")),
    }
    graphs = {}
    with GraphWriter(path) as writer:
        for item_id, (complex_, params) in items.items():
            graphs[item_id] = build_graph(complex_, params)
            image = graph_image(graphs[item_id], complex_.residues, complex_.source)
            writer.write_image(item_id, image)
    return path, items, graphs


def test_round_trip(written):
    path, items, graphs = written
    assert list_items(path) == sorted(items)
    for item_id, graph in graphs.items():
        again = read_graph(path, item_id)
        assert again.kind == graph.kind and again.feature_names == graph.feature_names
        np.testing.assert_array_equal(again.node_residue, graph.node_residue)
        np.testing.assert_array_equal(again.node_atom, graph.node_atom)
        np.testing.assert_array_equal(again.edge_index, graph.edge_index)
        np.testing.assert_array_equal(again.internal_edge_index, graph.internal_edge_index)
        for group in ("node_data", "edge_data", "internal_edge_data"):
            assert list(getattr(again, group)) == list(getattr(graph, group))
            for name, values in getattr(graph, group).items():
                np.testing.assert_array_equal(getattr(again, group)[name], values)


def test_nodes_and_residue_map_name_the_original_residues(written):
    path, items, graphs = written
    complex_, _ = items["2I25-atom"]
    graph = graphs["2I25-atom"]
    with h5py.File(path, "r") as f:
        group = f["2I25-atom"]
        chain = group["nodes/chain"].asstr()[()]
        res_seq = group["nodes/res_seq"][()]
        atom = group["nodes/atom_name"].asstr()[()]
        assert list(group["residues/role"].asstr()[()]) == list(complex_.residues.role)
        assert group.attrs["n_nodes"] == graph.n_nodes
        assert list(group["node_data/residue_type"].attrs["columns"]) == list(
            "ACDEFGHIKLMNPQRSTVWY"
        )
    for n in (0, graph.n_nodes - 1):
        residue = graph.node_residue[n]
        assert complex_.residues.key(residue)[:2] == (chain[n], res_seq[n])
        mine = np.flatnonzero(
            (complex_.atoms.residue == residue) & (complex_.atoms.name == atom[n])
        )
        np.testing.assert_allclose(
            complex_.atoms.coord[mine[0]], graph.node_data["position"][n], atol=1e-4
        )


def test_set_node_feature_replaces_region_and_adds_embedding(tmp_path, written):
    _, items, graphs = written
    complex_, _ = items["2I25-atom"]
    graph = graphs["2I25-atom"]
    path = tmp_path / "graphs.h5"
    k = graph.n_nodes
    regions = (np.arange(k) % len(REGIONS)).astype(np.int32)
    with GraphWriter(path) as writer:
        writer.write_image("a", graph_image(graph, complex_.residues, complex_.source))
        writer.set_node_feature("a", "region", regions)
        writer.set_node_feature("a", "embedding", np.ones((k, 4), dtype=np.float32))
        with pytest.raises(ValueError, match=r"needs shape \(\d+, d\)"):
            writer.set_node_feature("a", "embedding", np.ones((k + 1, 4)))
    again = read_graph(path, "a")
    np.testing.assert_array_equal(again.node_data["region"][:, 0], regions)
    assert again.feature_names["node_data/region"] == REGIONS
    assert again.feature_names["node_data/embedding"] == tuple(f"embedding_{i}" for i in range(4))
    x, edge_index, edge_attr, pos = read_graph_tensors(path, "a")
    widths = [
        len(again.feature_names[f"node_data/{name}"])
        for name in again.node_data
        if name != "position"
    ]
    assert x.shape == (k, sum(widths))
    # region one-hot sits before the 4 embedding columns
    np.testing.assert_array_equal(x[:, -4 - len(REGIONS) : -4].argmax(dim=1).numpy(), regions)
    assert torch.all(x[:, -4:] == 1.0)
    assert edge_index.dtype == torch.int64 and edge_index.shape == graph.edge_index.shape
    assert edge_attr.shape == (graph.edge_index.shape[1], 1 + 1 + 3 + 1 + 1)
    np.testing.assert_allclose(pos.numpy(), graph.node_data["position"])


def test_half_written_group_is_not_listed_and_is_replaced(tmp_path, written):
    _, items, graphs = written
    complex_, _ = items["2I25-atom"]
    path = tmp_path / "graphs.h5"
    with h5py.File(path, "w") as f:
        f.create_group(".tmp-a").create_dataset("edge_index", data=np.zeros((2, 1)))
    assert list_items(path) == []
    with pytest.raises(KeyError, match=r"no item '\.tmp-a'"):
        read_graph(path, ".tmp-a")
    with GraphWriter(path) as writer:
        image = graph_image(graphs["2I25-atom"], complex_.residues, complex_.source)
        writer.write_image("a", image)
        writer.write_image("a", image)  # rewriting replaces
    assert list_items(path) == ["a"]
    with h5py.File(path, "r") as f:
        assert list(f) == ["a"]


def test_writer_outside_with_block_says_so(tmp_path):
    writer = GraphWriter(tmp_path / "graphs.h5")
    with pytest.raises(RuntimeError, match="outside its with-block"):
        writer.set_node_feature("a", "region", np.zeros(1))


def _image(written, item_id: str = "2I25-atom") -> bytes:
    _, items, graphs = written
    complex_, _ = items[item_id]
    return graph_image(graphs[item_id], complex_.residues, complex_.source)


def test_a_fresh_file_replaces_the_old_one_and_never_grows(tmp_path, written):
    path = tmp_path / "graphs.h5"
    sizes = []
    for key in ("k1", "k2", "k3"):
        with GraphWriter(path, fresh=True) as writer:
            writer.write_image("a", _image(written), key)
            writer.write_image("b", _image(written, "1VFB-res"), key)
        sizes.append(path.stat().st_size)
    assert sizes == [sizes[0]] * 3
    assert list_items(path) == ["a", "b"]
    with h5py.File(path, "r") as f:
        assert (f["a"].attrs["key"], f["b"].attrs["key"]) == ("k3", "k3")
    np.testing.assert_array_equal(
        read_graph(path, "a").edge_index, written[2]["2I25-atom"].edge_index
    )


def test_a_killed_fresh_write_leaves_the_previous_file_whole(tmp_path, written):
    path = tmp_path / "graphs.h5"
    with GraphWriter(path, fresh=True) as writer:
        writer.write_image("a", _image(written), "k1")
    with pytest.raises(RuntimeError, match="stage failed"), GraphWriter(path, fresh=True) as writer:
        writer.write_image("b", _image(written), "k2")
        raise RuntimeError("stage failed")
    assert list_items(path) == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["graphs.h5"]  # no temporary file left
    path.write_bytes(b"left half-written by a killed run")
    with GraphWriter(path, fresh=True) as writer:  # an unreadable file is simply replaced
        writer.write_image("a", _image(written), "k1")
    assert list_items(path) == ["a"]


AMEND = """
import sys
import numpy as np
from workbench.output.graphs import GraphWriter
with GraphWriter(sys.argv[1]) as writer:
    k = int(writer.file["a"].attrs["n_nodes"])
    writer.set_node_feature("a", "embedding", np.ones((k, 4), dtype=np.float32))
"""


def test_amending_a_file_another_process_holds_leaves_the_reader_its_file(tmp_path, written):
    import os
    import subprocess
    import sys

    path = tmp_path / "graphs.h5"
    with GraphWriter(path) as writer:
        writer.write_image("a", _image(written), "k1")
    edges = written[2]["2I25-atom"].edge_index
    with h5py.File(path, "r") as reader:  # holds HDF5's file lock, as the app or a notebook does
        inode = os.stat(path).st_ino
        subprocess.run([sys.executable, "-c", AMEND, str(path)], check=True, timeout=120)
        assert "embedding" not in reader["a/node_data"]  # the reader's file is untouched
        np.testing.assert_array_equal(reader["a/edge_index"][()], edges)
    assert os.stat(path).st_ino != inode  # the amended copy was renamed over it
    again = read_graph(path, "a")
    assert again.node_data["embedding"].shape == (len(again.node_residue), 4)
    np.testing.assert_array_equal(again.edge_index, edges)
    assert [p.name for p in tmp_path.iterdir()] == ["graphs.h5"]
    with open(path, "wb") as handle:
        handle.write(b"not HDF5")
    with pytest.raises(OSError):  # an unreadable file is an error when amending, not a lock
        GraphWriter(path).open()


KILLED_AMEND = """
import os, signal, sys
import numpy as np
from workbench.output.graphs import GraphWriter
writer = GraphWriter(sys.argv[1]).open()
k = int(writer.file["a"].attrs["n_nodes"])
writer.set_node_feature("a", "embedding", np.ones((k, 4), dtype=np.float32))
writer.file.flush()
os.kill(os.getpid(), signal.SIGKILL)  # mid-amendment: the copy is written, never renamed
"""


def test_a_writer_killed_mid_amendment_leaves_the_file_whole(tmp_path, written):
    import subprocess
    import sys

    path = tmp_path / "graphs.h5"
    with GraphWriter(path) as writer:
        writer.write_image("a", _image(written), "k1")
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-c", KILLED_AMEND, str(path)], timeout=120)
    assert done.returncode == -9
    assert path.read_bytes() == before  # the file itself was never written
    assert "embedding" not in read_graph(path, "a").node_data
