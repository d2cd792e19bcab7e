"""The EGNN against DeepRank-Ab's own predict: same outputs, alone and in batches."""

from __future__ import annotations

import h5py
import pytest
import torch

from workbench.score.checkpoint import EDGE_FEATURE_WIDTHS, load_checkpoint, random_checkpoint
from workbench.score.graphs import collate, graph_names, read_graph


@pytest.fixture(scope="module")
def read_all(reference_graphs):
    def read(checkpoint):
        widths = [EDGE_FEATURE_WIDTHS[name] for name in checkpoint.edge_features]
        with h5py.File(reference_graphs, "r") as handle:
            return [
                read_graph(handle[name], checkpoint.node_features, checkpoint.edge_features, widths)
                for name in graph_names(reference_graphs)
            ]

    return read


def _score(checkpoint, graphs) -> list[float]:
    with torch.inference_mode():
        return checkpoint.model(collate(graphs)).tolist()


@pytest.fixture(scope="module")
def scored(checkpoints, read_all):
    """Per checkpoint kind: its graphs, and each graph scored alone (one graph per batch)."""
    found = {}
    for kind in ("plain", "ema"):
        checkpoint = load_checkpoint(checkpoints[kind])
        graphs = read_all(checkpoint)
        found[kind] = checkpoint, graphs, {g.name: _score(checkpoint, [g])[0] for g in graphs}
    return found


@pytest.mark.parametrize("kind", ["plain", "ema"])
def test_reference_checkpoints_give_reference_predictions(kind, scored, reference_predictions):
    checkpoint, graphs, alone = scored[kind]
    expected = reference_predictions(kind)
    assert sorted(g.name for g in graphs) == sorted(expected)
    for graph, in_batch in zip(graphs, _score(checkpoint, graphs), strict=True):
        assert in_batch == pytest.approx(expected[graph.name], abs=1e-5)
        assert alone[graph.name] == pytest.approx(expected[graph.name], abs=1e-5)


def test_ema_checkpoint_scores_its_ema_weights_not_the_raw_ones(scored, reference_predictions):
    checkpoint, _, alone = scored["ema"]
    assert checkpoint.ema
    raw = reference_predictions("ema_raw_weights")
    assert all(abs(score - raw[name]) > 1e-3 for name, score in alone.items())


@pytest.mark.parametrize("size", [2, 7, 64])
def test_scores_do_not_depend_on_batch_composition(size, scored):
    checkpoint, graphs, alone = scored["plain"]
    batch = [graphs[(i * 3) % len(graphs)] for i in range(size)]
    for graph, score in zip(batch, _score(checkpoint, batch), strict=True):
        assert abs(score - alone[graph.name]) <= 1e-6


def test_random_weights_are_seeded_and_marked_untrained(read_all):
    first, again, other = random_checkpoint(3), random_checkpoint(3), random_checkpoint(4)
    graphs = read_all(first)[:2]
    assert first.untrained and first.checksum == "random:3"
    assert _score(first, graphs) == _score(again, graphs)
    assert _score(first, graphs) != _score(other, graphs)
