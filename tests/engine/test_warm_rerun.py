"""A warm rerun into a new folder starts nothing it does not need: no cluster, no ESM model, no
prep pool (joblib is not even imported), no parser (Biopython's Bio.PDB) and no numbering
(ANARCI, with its Bio.SearchIO), and, with no NVIDIA device in sight, neither torch nor fair-esm
(every embedding is a hit)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import workbench
from workbench.embed.devices import cuda_present
from workbench.engine import stages

MODULES = ("torch", "esm", "joblib", "anarci", "Bio.SearchIO", "Bio.PDB")
WARM = f"""
MODULES = {MODULES!r}
import json, sys
import workbench
files, out, options = json.loads(sys.argv[1])
result = workbench.run(files, out, **options)
print(result.status, *(name in sys.modules for name in MODULES))
"""


def _two_complexes(complexes_dir: Path, cache_dir: Path) -> tuple[list[str], dict]:
    """Two cases of the manifest, default stages, a small random ESM-2, one worker."""
    files = [str(complexes_dir / f"{c}.pdb") for c in ("1VFB", "4Y7M")]
    options = {
        "manifest": str(complexes_dir / "cases.tsv"),
        "voronota": False,
        "cache_dir": str(cache_dir),
        "workers": 1,
        "model": "random:esm2_t6_8M_UR50D",
    }
    return files, options


def _info(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


def test_a_warm_rerun_starts_no_cluster_and_builds_no_model(
    complexes_dir, tmp_path, cache_dir, same_dataset, monkeypatch
):
    files, options = _two_complexes(complexes_dir, cache_dir)
    with monkeypatch.context() as patch:  # the cold run numbers its few chains on the cluster
        patch.setattr(stages, "NUMBER_HERE_UP_TO", 0)
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


@pytest.mark.skipif(cuda_present(), reason="an NVIDIA device is visible: torch counts it")
def test_a_warm_rerun_imports_no_torch_esm_joblib_anarci_or_parser(
    complexes_dir, tmp_path, cache_dir, same_dataset
):
    files, options = _two_complexes(complexes_dir, cache_dir)
    assert workbench.run(files, tmp_path / "cold", **options).status == "completed"
    arguments = json.dumps([files, str(tmp_path / "warm"), options])
    done = subprocess.run(  # a fresh process: nothing imported yet
        [sys.executable, "-c", WARM, arguments], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    status, *imported = done.stdout.split()[-1 - len(MODULES) :]
    assert status == "completed"
    assert dict(zip(MODULES, imported, strict=True)) == dict.fromkeys(MODULES, "False")
    same_dataset(tmp_path / "cold", tmp_path / "warm")


def test_a_few_misses_are_numbered_without_a_cluster(
    complexes_dir, tmp_path, cache_dir, same_dataset, monkeypatch
):
    files, options = _two_complexes(complexes_dir, cache_dir)
    options["stages"] = ("prep", "annotate")
    here = workbench.run(files, tmp_path / "here", **options)
    assert here.status == "completed"
    info = _info(tmp_path / "here")
    assert not info["cluster_started"] and info["dashboard"] is None
    assert info["stages"]["annotate"]["done"] == 3  # 1VFB's heavy and light, 4Y7M's nanobody
    with monkeypatch.context() as patch:
        patch.setattr(stages, "NUMBER_HERE_UP_TO", 2)  # one fewer than the misses
        options["cache_dir"] = str(tmp_path / "other-cache")
        on_cluster = workbench.run(files, tmp_path / "cluster", **options)
    assert on_cluster.status == "completed" and _info(tmp_path / "cluster")["cluster_started"]
    same_dataset(tmp_path / "here", tmp_path / "cluster")
