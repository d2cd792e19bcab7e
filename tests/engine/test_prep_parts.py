"""Paths travel, not bytes: prep chunks name input parts, and the workers read the structures."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pandas as pd

import workbench
from workbench.engine import prep, prep_stage
from workbench.engine.pool import TaskPool
from workbench.output.graphs import list_items, read_graph
from workbench.record.eventlog import read_events
from workbench.record.events import StageProgress
from workbench.sources import write_quiver

CHAINS = {"heavy": "B", "light": "A", "antigen": "C"}  # 1VFB and 1AHW of the manifest
OPTIONS = {"stages": ("prep",), "voronota": False, "workers": 2, **CHAINS}


def test_the_parent_reads_no_structure_and_sends_only_paths(
    complexes_dir, tmp_path, cache_dir, monkeypatch, same_dataset
):
    """With the pool in use from the first chunk, the parent never reads an input part: a read
    there fails the test; every chunk sent is a few hundred bytes, not the structures' text."""
    texts = [(complexes_dir / f"{case}.pdb").read_text() for case in ("1VFB", "1AHW")]
    archive = tmp_path / "models.qv"
    write_quiver(archive, [(f"m{n}", texts[n % 2], {"n": n}) for n in range(4)])
    inputs = [archive, complexes_dir / "1VFB.pdb"]
    options = {**OPTIONS, "cache_dir": str(cache_dir), "chunk_size": 1}
    workbench.run(inputs, tmp_path / "reference", **{**options, "workers": 1})

    def no_read_here(part):
        raise AssertionError(f"the parent read {part}")

    sent: list[int] = []
    submit = TaskPool.submit

    caches: set[str] = set()

    def measured(self, function, *args):
        if function is prep.prep_chunk:
            sent.append(len(pickle.dumps(args[1])))
            caches.add(args[0].cache_dir)
        return submit(self, function, *args)

    monkeypatch.setattr(prep, "read_part", no_read_here)
    monkeypatch.setattr(prep_stage, "INLINE_HITS", 0)
    monkeypatch.setattr(TaskPool, "submit", measured)
    monkeypatch.chdir(tmp_path)
    for run in ("cold", "warm"):
        cache = "fresh-cache" if run == "cold" else str(cache_dir)  # relative, then absolute
        summary = workbench.run(inputs, tmp_path / run, **{**options, "cache_dir": cache})
        assert summary.n_done == 5 and summary.n_failed == 0
        same_dataset(tmp_path / "reference", tmp_path / run)
    assert caches == {str(tmp_path / "fresh-cache"), str(cache_dir)}  # workers get absolute ones
    assert len(sent) == 10 and max(sent) < 2_000 < min(len(t) for t in texts)
    progress = [e for _, e in read_events(tmp_path / "warm" / "events.sqlite")]
    totals = {e.total for e in progress if isinstance(e, StageProgress) and e.stage == "prep"}
    assert totals == {5}  # the archive's entries counted from its index, and the file


def test_copies_under_one_name_get_unique_ids_within_and_across_chunks(
    complexes_dir, tmp_path, cache_dir, monkeypatch
):
    """The same structure under one file name in three folders: the workers name their groups
    within a chunk, the parent makes the ids unique over the run (done ones looked up among the
    index's links, failed ones held) and links each to its group. 3EOA lacks the given chains:
    its copies fail, under unique ids too."""
    monkeypatch.setattr(prep_stage, "INLINE_HITS", 0)  # every chunk to the pool
    for folder in ("a", "b", "c"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        for case in ("1VFB", "3EOA"):
            shutil.copy(complexes_dir / f"{case}.pdb", tmp_path / "in" / folder / f"{case}.pdb")
    reference = read_graph_of(tmp_path / "one", [complexes_dir / "1VFB.pdb"], cache_dir)
    for chunk_size in (1, 3, 6):  # across chunks, both, within one chunk
        run_dir = tmp_path / f"chunks-{chunk_size}"
        options = {**OPTIONS, "cache_dir": str(cache_dir), "chunk_size": chunk_size}
        workbench.run([tmp_path / "in"], run_dir, **options)
        structures = pd.read_parquet(run_dir / "structures.parquet")
        failed = sorted(structures[structures.status == "failed"].item_id)
        assert failed == [failed[0], f"{failed[0]}~2", f"{failed[0]}~3"]
        assert failed[0].startswith("3EOA-")
        structures = structures[structures.status == "done"]
        ids = sorted(structures.item_id)
        base = ids[0]
        assert ids == [base, f"{base}~2", f"{base}~3"]
        assert sorted(list_items(run_dir / "graphs.h5")) == ids
        for item_id in ids:
            graph = read_graph(run_dir / "graphs.h5", item_id)
            assert (graph.node_data["position"] == reference.node_data["position"]).all()
        sources = structures.sort_values("item_id").source
        assert [Path(s).parent.name for s in sources] == ["a", "b", "c"]


def read_graph_of(run_dir: Path, inputs: list[Path], cache_dir: Path):
    workbench.run(inputs, run_dir, **{**OPTIONS, "workers": 1, "cache_dir": str(cache_dir)})
    (item_id,) = list_items(run_dir / "graphs.h5")
    return read_graph(run_dir / "graphs.h5", item_id)
