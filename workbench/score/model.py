"""DeepRank-Ab's two-branch EGNN in plain PyTorch, so their checkpoints load without torch_scatter.

The layer layout (module names and ``nn.Sequential`` indices, dropout slots included) mirrors
DeepRank-Ab's ``src/EGNN.py`` so that a checkpoint's ``state_dict`` keys map one to one. Only
inference is implemented: dropout, drop-node and drop-edge are training-time and absent here.

What the network reads, as DeepRank-Ab feeds it:

- node scalars (``atom_type``, ``polarity``, ``bsa``, ``region``, ``embedding``; float32, raw);
- absolute node coordinates ``pos`` (the model is not translation invariant: the second
  pooling level concatenates the norm of the pooled coordinates);
- interface and internal edges, each with the same scalar features (orientation as 3 scalars);
- MCL clusters: ``depth_0`` per node and ``depth_1`` per depth-0 cluster, per graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

__all__ = ["DeepRankAbEGNN", "GraphBatch", "segment_softmax"]

HIDDEN = 180
N_LAYERS = 7
N_RBF = 18
X_SCALE = 0.08
POOLED = HIDDEN + 1  # pooled scalars + the norm of the pooled coordinates


@dataclass(frozen=True, slots=True)
class GraphBatch:
    """Graphs packed into one disjoint union; node rows grouped by graph, in graph order."""

    node_features: Tensor  # float32 (n, f)
    pos: Tensor  # float32 (n, 3)
    edge_index: Tensor  # int64 (2, e), interface edges, global node indices
    edge_features: Tensor  # float32 (e, s)
    internal_edge_index: Tensor  # int64 (2, i)
    internal_edge_features: Tensor  # float32 (i, s)
    cluster0: Tensor  # int64 (n,), each graph's own depth-0 labels
    cluster1: Tensor  # int64 (k,), each graph's own depth-1 labels per depth-0 cluster
    batch: Tensor  # int64 (n,), graph of each node
    num_graphs: int

    def to(self, device: torch.device | str, non_blocking: bool = False) -> GraphBatch:
        fields = {
            name: getattr(self, name).to(device, non_blocking=non_blocking)
            for name in self.__slots__
            if name != "num_graphs"
        }
        return GraphBatch(num_graphs=self.num_graphs, **fields)


def _scatter_sum(src: Tensor, index: Tensor, size: int) -> Tensor:
    out = src.new_zeros((size, *src.shape[1:]))
    return out.index_add_(0, index, src)


def _scatter_max(src: Tensor, index: Tensor, size: int) -> Tensor:
    out = src.new_zeros((size, *src.shape[1:]))
    expanded = index.view(-1, *([1] * (src.dim() - 1))).expand_as(src)
    return out.scatter_reduce_(0, expanded, src, "amax", include_self=False)


def _scatter_mean(src: Tensor, index: Tensor, size: int) -> Tensor:
    counts = _scatter_sum(torch.ones_like(index, dtype=src.dtype), index, size).clamp_min(1)
    return _scatter_sum(src, index, size) / counts.view(-1, *([1] * (src.dim() - 1)))


def segment_softmax(src: Tensor, index: Tensor, size: int) -> Tensor:
    """Softmax within each segment, stabilised by the segment's maximum (as PyG's softmax)."""
    shifted = (src - _scatter_max(src, index, size)[index]).exp()
    return shifted / (_scatter_sum(shifted, index, size)[index] + 1e-16)


def _graph_offsets(labels: Tensor, graph: Tensor, num_graphs: int) -> Tensor:
    """Per-graph label offsets that make every graph's labels globally distinct.

    Graph g's labels are shifted by the sum of (max label + 1) over the graphs before it,
    which is what DeepRank-Ab's ``get_preloaded_cluster`` computes one graph at a time.
    """
    top = labels.new_full((num_graphs,), -1).scatter_reduce_(
        0, graph, labels, "amax", include_self=True
    )
    widths = top + 1
    return torch.cumsum(widths, 0) - widths


def _consecutive(labels: Tensor) -> tuple[Tensor, int]:
    unique, inverse = torch.unique(labels, sorted=True, return_inverse=True)
    return inverse, len(unique)


def _pooled_graph(graph: Tensor, inverse: Tensor, size: int) -> Tensor:
    return graph.new_zeros(size).scatter_(0, inverse, graph)


class GaussianRBF(nn.Module):
    """Gaussian radial basis of edge lengths; centres and width come from the checkpoint."""

    def __init__(self, n_rbf: int = N_RBF, r_min: float = 0.0, r_max: float = 30.0) -> None:
        super().__init__()
        self.centers = nn.Parameter(torch.linspace(r_min, r_max, n_rbf), requires_grad=False)
        self.widths = nn.Parameter(torch.tensor((r_max - r_min) / n_rbf), requires_grad=False)

    def forward(self, distance: Tensor) -> Tensor:
        return torch.exp(-(((distance.unsqueeze(-1) - self.centers) / (self.widths + 1e-8)) ** 2))


class EGNNBlock(nn.Module):
    """One gated E(n)-equivariant message-passing layer over one edge set."""

    def __init__(self, edge_width: int) -> None:
        super().__init__()
        self.rbf = GaussianRBF()
        self.phi_e = nn.Sequential(
            nn.Linear(2 * HIDDEN + N_RBF + edge_width, 320),
            nn.SiLU(),
            nn.Dropout(),
            nn.Linear(320, 160),
            nn.SiLU(),
            nn.Dropout(),
            nn.Linear(160, 128),
            nn.SiLU(),
        )
        self.gate = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1), nn.Sigmoid())
        self.phi_h = nn.Sequential(nn.Linear(128, HIDDEN), nn.SiLU())
        self.phi_x = nn.Sequential(nn.Linear(128, 32), nn.SiLU(), nn.Linear(32, 1))
        self.ln = nn.LayerNorm(HIDDEN)
        self.alpha = nn.Parameter(torch.tensor(0.8))

    def forward(
        self, h: Tensor, x: Tensor, edge_index: Tensor, edge_features: Tensor
    ) -> tuple[Tensor, Tensor]:
        if edge_index.numel() == 0:
            return h, x
        src, dst = edge_index
        r_ij = x[src] - x[dst]
        # phi_e's first layer on [h_src, h_dst, rbf, edge] split by columns: the node parts are
        # multiplied once per node and gathered, not once per edge (~2x fewer FLOPs per layer).
        first = self.phi_e[0]
        w_src, w_dst, w_edge = first.weight.split(
            [HIDDEN, HIDDEN, first.in_features - 2 * HIDDEN], dim=1
        )
        edge_part = torch.cat([self.rbf(r_ij.norm(dim=-1)), edge_features], dim=1)
        message = self.phi_e[1:](
            (h @ w_src.T)[src] + (h @ w_dst.T)[dst] + torch.addmm(first.bias, edge_part, w_edge.T)
        )
        message = message * self.gate(message)
        dh = _scatter_sum(self.phi_h(message), dst, h.size(0))
        dx = _scatter_sum(r_ij * (self.phi_x(message) * X_SCALE), dst, x.size(0))
        return self.ln(h + torch.sigmoid(self.alpha) * dh), x + dx


class AttentionPool(nn.Module):
    """Gated attention readout: softmax(gate) within each graph weights the transformed nodes."""

    def __init__(self) -> None:
        super().__init__()
        self.gate_nn = nn.Sequential(
            nn.Linear(POOLED, 96), nn.ReLU(), nn.Dropout(), nn.Linear(96, 1)
        )
        self.nn = nn.Sequential(nn.Linear(POOLED, 192), nn.ReLU(), nn.Dropout(), nn.Linear(192, 96))

    def forward(self, z: Tensor, graph: Tensor, num_graphs: int) -> Tensor:
        weight = segment_softmax(self.gate_nn(z), graph, num_graphs)
        return _scatter_sum(weight * self.nn(z), graph, num_graphs)


class DeepRankAbEGNN(nn.Module):
    """The two-branch (interface / internal edges) EGNN with MCL hierarchical pooling."""

    def __init__(self, node_width: int, edge_width: int) -> None:
        super().__init__()
        self.node_width = node_width
        self.edge_width = edge_width
        self.s_in = nn.Sequential(
            nn.LayerNorm(node_width),
            nn.Linear(node_width, HIDDEN // 2),
            nn.SiLU(),
            nn.Dropout(),
            nn.Linear(HIDDEN // 2, HIDDEN),
            nn.SiLU(),
        )
        self.blocks_ext = nn.ModuleList(EGNNBlock(edge_width) for _ in range(N_LAYERS))
        self.blocks_int = nn.ModuleList(EGNNBlock(edge_width) for _ in range(N_LAYERS))
        self.pool_ext = AttentionPool()
        self.pool_int = AttentionPool()
        self.fc1 = nn.Linear(2 * 96, 128)
        self.fc_res = nn.Linear(2 * 96, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 1)

    @staticmethod
    def _branch(
        blocks: nn.ModuleList, h: Tensor, x: Tensor, edge_index: Tensor, features: Tensor
    ) -> tuple[Tensor, Tensor]:
        skip = h
        for i, block in enumerate(blocks):
            h, x = block(h, x, edge_index, features)
            if i % 2 == 1:
                h = h + 0.2 * skip
                skip = h
        return h, x

    @staticmethod
    def _pool(pool: AttentionPool, h: Tensor, x: Tensor, batch: GraphBatch) -> Tensor:
        """Max-pool scalars, average coordinates per depth-0 cluster; max-pool again per depth 1."""
        labels0 = (
            batch.cluster0
            + _graph_offsets(batch.cluster0, batch.batch, batch.num_graphs)[batch.batch]
        )
        inverse0, k = _consecutive(labels0)
        h0 = _scatter_max(h, inverse0, k)
        x0 = _scatter_mean(x, inverse0, k)
        graph0 = _pooled_graph(batch.batch, inverse0, k)
        if batch.cluster1.numel() != k:
            raise ValueError(
                f"clustering/mcl/depth_1 holds {batch.cluster1.numel()} labels but depth_0 "
                f"has {k} clusters"
            )
        labels1 = batch.cluster1 + _graph_offsets(batch.cluster1, graph0, batch.num_graphs)[graph0]
        inverse1, m = _consecutive(labels1)
        z = _scatter_max(torch.cat([h0, x0.norm(dim=-1, keepdim=True)], dim=1), inverse1, m)
        return pool(z, _pooled_graph(graph0, inverse1, m), batch.num_graphs)

    def forward(self, batch: GraphBatch) -> Tensor:
        """Predicted target (DockQ for DeepRank-Ab's regression checkpoints), one per graph."""
        h = self.s_in(batch.node_features)
        h_ext, x_ext = self._branch(
            self.blocks_ext, h, batch.pos, batch.edge_index, batch.edge_features
        )
        h_int, x_int = self._branch(
            self.blocks_int, h, batch.pos, batch.internal_edge_index, batch.internal_edge_features
        )
        g = torch.cat(
            [
                self._pool(self.pool_int, h_int, x_int, batch),
                self._pool(self.pool_ext, h_ext, x_ext, batch),
            ],
            dim=1,
        )
        g = torch.relu(self.fc1(g)) + 0.3 * self.fc_res(g)
        return self.fc3(torch.relu(self.fc2(g))).reshape(-1)
