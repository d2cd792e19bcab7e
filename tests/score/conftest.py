"""Fixtures: DeepRank-Ab's own reference graphs, checkpoints and predictions (tests/data)."""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import pytest

REFERENCE = Path(__file__).parents[1] / "data" / "deeprank-ab"
GRAPHS = REFERENCE / "graphs.h5"
CHECKPOINTS = {kind: REFERENCE / f"checkpoint_{kind}.pth.tar" for kind in ("plain", "ema")}


def _predictions(kind: str) -> dict[str, float]:
    with (REFERENCE / f"predictions_{kind}.tsv").open() as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["group"]: float(row["prediction"]) for row in rows}


@pytest.fixture(scope="session")
def reference_graphs() -> Path:
    """Their graphs.h5: seven complexes with a documented stand-in embedding."""
    return GRAPHS


@pytest.fixture(scope="session")
def checkpoints() -> dict[str, Path]:
    """Their seeded random-weight checkpoints, saved by their save_model: plain and EMA."""
    return CHECKPOINTS


@pytest.fixture(scope="session")
def reference_predictions():
    """Their NeuralNet.predict outputs on graphs.h5 by group, per checkpoint kind."""
    return _predictions


@pytest.fixture(scope="session")
def many_graphs(tmp_path_factory) -> Path:
    """The seven reference graphs copied four times each under new group names (28 graphs)."""
    path = tmp_path_factory.mktemp("graphs") / "many.h5"
    with h5py.File(GRAPHS, "r") as source, h5py.File(path, "w") as target:
        for copy in range(4):
            for name in source:
                source.copy(source[name], target, name=f"{name}_c{copy}")
    return path
