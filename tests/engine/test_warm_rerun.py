"""A warm rerun into a new folder starts nothing it does not need: no cluster, no ESM model."""

from __future__ import annotations

import json
from pathlib import Path

import workbench


def _info(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


def test_a_warm_rerun_starts_no_cluster_and_builds_no_model(
    complexes_dir, tmp_path, cache_dir, same_dataset
):
    files = [complexes_dir / f"{c}.pdb" for c in ("1VFB", "4Y7M")]
    options = {
        "manifest": str(complexes_dir / "cases.tsv"),
        "voronota": False,
        "cache_dir": str(cache_dir),
        "workers": 1,
        "model": "random:esm2_t6_8M_UR50D",
    }
    cold = workbench.run(files, tmp_path / "cold", **options)
    warm = workbench.run(files, tmp_path / "warm", **options)
    on_dask = workbench.run(files, tmp_path / "dask", executor="dask", **options)
    assert cold.status == warm.status == on_dask.status == "completed"
    first = _info(tmp_path / "cold")
    assert first["cluster_started"] and first["embeddings_model_built"]
    assert set(first["stages"]) == {"prep", "annotate", "embed", "assemble"}
    for run in ("warm", "dask"):  # prep on Dask too: every chunk is a cache hit
        again = _info(tmp_path / run)
        assert not again["cluster_started"] and not again["embeddings_model_built"], run
        assert again["dashboard"] is None and again["embeddings_untrained"] is True
        assert set(again["stages"]) == set(first["stages"])
        same_dataset(tmp_path / "cold", tmp_path / run)
