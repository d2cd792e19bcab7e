"""The graph record refuses feature arrays whose rows do not match its nodes or edges."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.graph import InterfaceGraph


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match=r"node_data/bsa: expected shape \(2, d\)"):
        InterfaceGraph(
            kind="atom",
            node_residue=np.zeros(2, dtype=np.int32),
            node_atom=np.array(["CA", "CB"]),
            edge_index=np.zeros((2, 0), dtype=np.int64),
            internal_edge_index=np.zeros((2, 0), dtype=np.int64),
            node_data={"bsa": np.zeros((3, 1), dtype=np.float32)},
        )
