"""Whole runs on real complexes: every case, bad inputs, warm reruns, crash and resume."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import h5py
import pandas as pd
import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

import workbench
from workbench.cache import CacheCorruptionWarning, CacheStore
from workbench.record.eventlog import read_events
from workbench.record.events import ItemDone, ItemFailed, RunFinished, RunStarted
from workbench.record.fold import RunFold
from workbench.report import write_report

PREP = ("prep",)


def cached_prep(complexes_dir: Path, cache_dir: Path) -> tuple[list[Path], dict]:
    """Three complexes of the manifest, prep only, through ``cache_dir``, in one process."""
    files = [complexes_dir / f"{c}.pdb" for c in ("1VFB", "4Y7M", "5JMO")]
    options = {
        "manifest": str(complexes_dir / "cases.tsv"),
        "stages": PREP,
        "voronota": False,
        "cache_dir": str(cache_dir),
        "workers": 1,
    }
    return files, options


def test_every_case_of_the_manifest(complexes_dir, cases, tmp_path, cache_dir):
    summary = workbench.run(
        [complexes_dir],
        tmp_path / "run",
        manifest=str(complexes_dir / "cases.tsv"),
        stages=PREP,
        cache_dir=str(cache_dir),
        workers=2,
    )
    assert summary.status == "completed"
    view = workbench.open_run(tmp_path / "run")
    structures = view.structures.set_index("source")
    assert len(structures) == len(cases)
    assert (structures["status"] == "done").all(), structures["error"].dropna().tolist()
    for case in cases:
        row = structures.loc[str(complexes_dir / f"{case['case']}.pdb")]
        assert row["heavy"] == case["heavy"]
        light = row["light"] if pd.notna(row["light"]) else "-"
        assert light == case["light"]
        assert row["antigen"] == ",".join(case["antigen"])
        assert row["n_nodes"] > 0 and row["n_edges"] > 0
    fasta = (tmp_path / "run" / "complexes.fasta").read_text()
    chains = view.chains
    assert fasta.count(">") == len(chains)
    headers = {line[1:] for line in fasta.splitlines() if line.startswith(">")}
    assert {f"{r.item_id}|{r.role}|{r.chain}" for r in chains.itertuples()} == headers
    sequences = view.sequences
    assert sequences["seq_hash"].is_unique
    assert set(sequences["seq_hash"]) == set(chains["seq_hash"])
    info = view.info
    assert info["counts"] == {"items": len(cases), "done": len(cases), "failed": 0}
    assert info["versions"]["biopython"] != "not installed"


def _bad_inputs(folder: Path, complexes_dir: Path) -> dict[str, str]:
    """A corpus of broken files next to one good one; maps file name to a word of its reason."""
    good = (complexes_dir / "1VFB.pdb").read_text()
    atoms = [line for line in good.splitlines() if line.startswith(("ATOM", "HETATM"))]
    folder.mkdir()
    (folder / "good.pdb").write_text(good)
    (folder / "empty.pdb").write_text("")
    (folder / "garbage.pdb").write_bytes(os.urandom(4096))
    (folder / "no_atoms.pdb").write_text("HEADER    NOTHING HERE\nREMARK 1\nEND\n")
    (folder / "truncated_lines.pdb").write_text("\n".join(line[:20] for line in atoms) + "\n")
    (folder / "missing_chain.pdb").write_text(
        "\n".join(line for line in atoms if line[21] != "C") + "\nEND\n"
    )
    only_het = [line for line in atoms if line[21] != "C"] + [
        "HETATM 9001  O   HOH C 501      10.000  10.000  10.000  1.00 20.00           O"
    ]
    (folder / "hetatm_antigen.pdb").write_text("\n".join(only_het) + "\nEND\n")
    (folder / "corrupt.pdb.gz").write_bytes(gzip.compress(good.encode())[:300])
    return {
        "empty.pdb": "empty",
        "garbage.pdb": "",
        "no_atoms.pdb": "atom",
        "truncated_lines.pdb": "",
        "missing_chain.pdb": "chain C",
        "hetatm_antigen.pdb": "chain C",
        "corrupt.pdb.gz": "",
    }


def test_bad_inputs_fail_with_reasons_and_the_run_completes(complexes_dir, tmp_path, cache_dir):
    folder = tmp_path / "inputs"
    expected = _bad_inputs(folder, complexes_dir)
    summary = workbench.run(
        [folder],
        tmp_path / "run",
        heavy="B",
        light="A",
        antigen="C",
        stages=PREP,
        voronota=False,
        cache_dir=str(cache_dir),
        workers=1,
    )
    assert summary.status == "completed"
    frame = workbench.open_run(tmp_path / "run").structures
    by_name = {Path(row.source).name: row for row in frame.itertuples()}
    assert by_name["good.pdb"].status == "done"
    for name, word in expected.items():
        row = by_name[name]
        assert row.status == "failed", name
        assert name in row.error, row.error
        assert word.lower() in row.error.lower(), row.error
    failed = [
        e for _, e in read_events(tmp_path / "run" / "events.sqlite") if isinstance(e, ItemFailed)
    ]
    assert len(failed) == len(expected)


def test_warm_rerun_takes_everything_from_the_cache(
    complexes_dir, tmp_path, cache_dir, same_dataset
):
    files, options = cached_prep(complexes_dir, cache_dir)
    first = workbench.run(files, tmp_path / "a", **options)
    second = workbench.run(files, tmp_path / "b", **options)
    assert first.n_done == second.n_done == 3
    assert workbench.open_run(tmp_path / "b").structures["cached"].all()
    assert not workbench.open_run(tmp_path / "a").structures["cached"].any()
    same_dataset(tmp_path / "a", tmp_path / "b")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "workbench.cli", "run", *args]


def _cases_args(complexes_dir: Path, cache_dir: Path) -> list[str]:
    """CLI arguments of a one-worker prep run over every case of the manifest."""
    return [
        str(complexes_dir),
        "--manifest",
        str(complexes_dir / "cases.tsv"),
        "--stages",
        "prep",
        "--no-voronota",
        "--workers",
        "1",
        "--cache-dir",
        str(cache_dir),
        "--quiet",
    ]


def test_killed_run_resumes_from_the_cache(complexes_dir, tmp_path, cache_dir, same_dataset):
    manifest = str(complexes_dir / "cases.tsv")
    args = _cases_args(complexes_dir, cache_dir)
    run_dir = tmp_path / "killed"
    process = subprocess.Popen(_cli(*args, "--out", str(run_dir)))
    events = run_dir / "events.sqlite"
    deadline = time.monotonic() + 120
    done = 0
    while done < 3 and process.poll() is None and time.monotonic() < deadline:
        done = sum(isinstance(e, ItemDone) for _, e in read_events(events))
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert not any(isinstance(e, RunFinished) for _, e in read_events(events))

    assert subprocess.run(_cli(*args, "--out", str(run_dir)), timeout=300).returncode == 0
    resumed = workbench.open_run(run_dir)
    assert resumed.status == "completed"
    assert resumed.structures["cached"].sum() >= done
    log = [e for _, e in read_events(events)]
    starts = [e.run_id for e in log if isinstance(e, RunStarted)]
    assert len(starts) == 2 and starts[0] != starts[1]
    assert [e.run_id for e in log if isinstance(e, RunFinished)] == [starts[1]]
    assert sum(isinstance(e, ItemDone) and e.run_id == starts[0] for e in log) >= done
    assert resumed.info["run_id"] == starts[1]
    fold = RunFold()
    fold.feed(read_events(events))
    assert fold.attempt == 2 and fold.attempts[0].run_id == starts[0]
    assert fold.attempts[0].status is None and fold.attempts[0].stage == "prep"
    report = write_report(run_dir, tmp_path / "report.html").read_text()
    assert f"resumed (attempt 2): attempt 1 ({starts[0]}) was interrupted in prep" in report
    _only_linked_whole_shards(run_dir)
    fresh = tmp_path / "fresh"
    workbench.run(
        [complexes_dir],
        fresh,
        manifest=manifest,
        stages=PREP,
        voronota=False,
        cache_dir=str(tmp_path / "cold"),
        workers=1,
    )
    same_dataset(run_dir, fresh)


def test_two_runs_sharing_a_cache_leave_no_corrupt_entry(
    complexes_dir, tmp_path, cache_dir, same_dataset
):
    manifest = str(complexes_dir / "cases.tsv")
    base = _cases_args(complexes_dir, cache_dir)
    runs = [subprocess.Popen(_cli(*base, "--out", str(tmp_path / f"r{i}"))) for i in range(2)]
    assert [p.wait(timeout=300) for p in runs] == [0, 0]
    store = CacheStore(cache_dir)
    entries = list(cache_dir.rglob("*.entry"))
    assert entries
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        third = workbench.run(
            [complexes_dir],
            tmp_path / "r3",
            manifest=manifest,
            stages=PREP,
            voronota=False,
            cache_dir=str(cache_dir),
            workers=1,
        )
    assert not [w for w in caught if issubclass(w.category, CacheCorruptionWarning)]
    assert third.n_done == len(pd.read_csv(manifest, sep="\t"))
    assert workbench.open_run(tmp_path / "r3").structures["cached"].all()
    assert store.stats().entries == len(entries)
    same_dataset(tmp_path / "r0", tmp_path / "r1")


def test_usage_errors_exit_non_zero(tmp_path):
    result = subprocess.run(_cli("--out", str(tmp_path / "x")), capture_output=True, text=True)
    assert result.returncode == 2
    assert "no input" in result.stderr
    result = subprocess.run(
        _cli(str(tmp_path), "--out", str(tmp_path / "y"), "--light", "L"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2


def test_two_workers_write_the_same_dataset_as_one(complexes_dir, tmp_path, same_dataset):
    manifest = str(complexes_dir / "cases.tsv")
    for workers in (1, 2):
        workbench.run(
            [complexes_dir],
            tmp_path / f"w{workers}",
            manifest=manifest,
            stages=PREP,
            voronota=False,
            no_cache=True,
            workers=workers,
            chunk_size=2,
        )
    same_dataset(tmp_path / "w1", tmp_path / "w2")


def test_sides_apart_fail_the_item_with_no_interface(complexes_dir, tmp_path):
    lines = (complexes_dir / "1VFB.pdb").read_text().splitlines()
    moved = []
    for line in lines:
        if line.startswith(("ATOM", "HETATM")) and line[21] == "C":
            line = f"{line[:30]}{float(line[30:38]) + 500:8.3f}{line[38:]}"
        moved.append(line)
    (tmp_path / "apart.pdb").write_text("\n".join(moved) + "\n")
    summary = workbench.run(
        [tmp_path / "apart.pdb"],
        tmp_path / "run",
        heavy="B",
        light="A",
        antigen="C",
        stages=PREP,
        voronota=False,
        no_cache=True,
        workers=1,
    )
    assert summary.status == "failed" and summary.n_failed == 1  # its one item failed
    error = workbench.open_run(tmp_path / "run").structures["error"].iloc[0]
    assert "apart.pdb" in error and "interface graph" in error and "within 5.0 Å" in error


def test_cli_summary_merged_pdbs_and_cache_commands(complexes_dir, tmp_path):
    cache = str(tmp_path / "cache")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.pdb").write_text("")
    result = subprocess.run(
        _cli(
            str(complexes_dir / "1VFB.pdb"),
            str(tmp_path / "in"),
            "--out",
            str(tmp_path / "r"),
            "--heavy",
            "B",
            "--light",
            "A",
            "--antigen",
            "C",
            "--stages",
            "prep",
            "--workers",
            "1",
            "--cache-dir",
            cache,
            "--write-merged",
            "--quiet",
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "2 items, 1 done, 1 failed" in result.stdout
    assert "failed: " in result.stdout and "empty.pdb" in result.stdout
    merged = list((tmp_path / "r" / "merged").glob("*.pdb"))
    assert len(merged) == 1
    chains = {line[21] for line in merged[0].read_text().splitlines() if line.startswith("ATOM")}
    assert chains == {"H", "L", "C"} or chains == {"H", "L", "A"}
    stats = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "cache", "stats", "--cache-dir", cache],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "prep" in stats.stdout
    cleared = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "cache", "clear", "--cache-dir", cache],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "removed 1 entries" in cleared.stdout  # the empty file never reached the cache


def test_workers_write_the_shards_and_reruns_into_the_same_folder_reuse_them(
    complexes_dir, tmp_path, cache_dir, same_dataset, monkeypatch
):
    from workbench.engine import prep_stage
    from workbench.output.graphs import GraphWriter, list_items

    files, options = cached_prep(complexes_dir, cache_dir)
    options = {**options, "workers": 2, "chunk_size": 1}  # three chunks: the pool is used
    workbench.run(files, tmp_path / "fresh", **options)
    copies = []
    original = GraphWriter.write_image
    monkeypatch.setattr(
        GraphWriter,
        "write_image",
        lambda self, *a, **k: (copies.append(a[0]), original(self, *a, **k)),
    )
    run_dir = tmp_path / "run"

    def shards() -> dict[str, int]:
        return {p.name: p.stat().st_ino for p in sorted((run_dir / "graphs").iterdir())}

    workbench.run(files, run_dir, **options)  # all cache hits: written here, no pool started
    assert sorted(copies) == sorted(list_items(run_dir / "graphs.h5"))
    same_dataset(run_dir, tmp_path / "fresh")
    first = shards()
    assert list(first) == [f"part-{n:05d}.h5" for n in range(3)]
    copies.clear()
    monkeypatch.setattr(prep_stage, "INLINE_HITS", 0)  # as at scale, past the inline budget
    workbench.run(files, run_dir, **options)  # the same command again: every shard reused
    same_dataset(run_dir, tmp_path / "fresh")
    assert copies == [] and shards() == first  # no shard written, none replaced

    workbench.run(files[:2], run_dir, **options)
    assert len(list_items(run_dir / "graphs.h5")) == 2  # the dropped input's item goes
    assert shards() == first  # its shard stays one run, for readers of the replaced index
    (run_dir / "graphs.h5").write_bytes(b"left half-written by a killed run")
    workbench.run(files, run_dir, **options)  # nothing to reuse: the workers write every shard
    same_dataset(run_dir, tmp_path / "fresh")
    assert copies == []  # the parent copied no graph bytes
    assert list(shards()) == [
        f"part-{n:05d}.h5" for n in (3, 4, 5)
    ]  # an unreadable index keeps none


def _only_linked_whole_shards(run_dir: Path) -> None:
    """The shard folder holds exactly the shards graphs.h5 links to, each a readable file."""
    with h5py.File(run_dir / "graphs.h5", "r") as index:
        linked = {Path(index.get(name, getlink=True).filename).name for name in index}
    assert sorted(p.name for p in (run_dir / "graphs").iterdir()) == sorted(linked)
    for name in linked:
        with h5py.File(run_dir / "graphs" / name, "r") as shard:
            assert len(shard) > 0


class _FinishedChunks(SchedulerPlugin):
    """Records the worker of every prep chunk the scheduler saw finish."""

    def __init__(self) -> None:
        self.workers: list[str] = []

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if finish == "memory" and str(key).startswith("prep_chunk"):
            self.workers.append(kwargs.get("worker"))


@pytest.mark.timeout(300)
def test_prep_on_a_dask_cluster_writes_the_same_dataset_as_joblib(
    complexes_dir, tmp_path, same_dataset
):
    """--cluster: prep chunks run on the scheduler's worker processes through the same PrepTask;
    --executor dask alone: on a LocalCluster the run starts."""
    from distributed import LocalCluster

    options = {
        "manifest": str(complexes_dir / "cases.tsv"),
        "stages": PREP,
        "voronota": False,
        "no_cache": True,  # every item computed where its chunk ran
        "workers": 2,
        "chunk_size": 2,
    }
    workbench.run([complexes_dir], tmp_path / "joblib", **options)
    finished = _FinishedChunks()
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        host="127.0.0.1",
    ) as cluster:
        cluster.scheduler.add_plugin(finished)
        summary = workbench.run(
            [complexes_dir], tmp_path / "dask", cluster=cluster.scheduler_address, **options
        )
        workers = set(cluster.scheduler.workers)
    assert summary.status == "completed" and summary.n_done == 14
    assert len(finished.workers) == 7  # 14 items in chunks of 2, every chunk on the cluster
    assert set(finished.workers) == workers  # spread over both worker processes
    assert workbench.open_run(tmp_path / "dask").info["cluster"] == cluster.scheduler_address
    same_dataset(tmp_path / "joblib", tmp_path / "dask")
    workbench.run([complexes_dir], tmp_path / "local", executor="dask", **options)
    info = workbench.open_run(tmp_path / "local").info
    assert info["config"]["executor"] == "dask" and info["dashboard"].startswith(
        "http://127.0.0.1:"
    )
    same_dataset(tmp_path / "joblib", tmp_path / "local")


@pytest.mark.timeout(300)
def test_a_dask_worker_killed_mid_prep_loses_no_item(complexes_dir, tmp_path, same_dataset):
    """The scheduler reruns the chunks of a SIGKILLed worker elsewhere: every item once."""
    import threading

    from distributed import Client, LocalCluster

    options = {
        "manifest": str(complexes_dir / "cases.tsv"),
        "stages": PREP,
        "voronota": False,
        "no_cache": True,
        "workers": 2,
        "chunk_size": 1,
    }
    workbench.run([complexes_dir], tmp_path / "joblib", **options)
    events = tmp_path / "dask" / "events.sqlite"
    finished = _FinishedChunks()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        cluster.scheduler.add_plugin(finished)
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_one_once_items_land() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if sum(isinstance(e, ItemDone) for _, e in read_events(events)) >= 2:
                    busy = [a for a, ws in cluster.scheduler.workers.items() if ws.processing]
                    if busy:
                        os.kill(pids[busy[0]], signal.SIGKILL)
                        killed.append(pids[busy[0]])
                        return
                time.sleep(0.02)

        killer = threading.Thread(target=kill_one_once_items_land)
        killer.start()
        summary = workbench.run(
            [complexes_dir], tmp_path / "dask", cluster=cluster.scheduler_address, **options
        )
        killer.join()
    assert killed, "no worker was busy to kill"
    assert summary.status == "completed" and summary.n_done == 14
    assert len(finished.workers) >= 14  # every chunk finished somewhere (a rerun ones twice)
    structures = workbench.open_run(tmp_path / "dask").structures
    assert structures["item_id"].is_unique and len(structures) == 14
    same_dataset(tmp_path / "joblib", tmp_path / "dask")
    _only_linked_whole_shards(tmp_path / "dask")  # the killed worker's half shard is gone


def test_chunks_grow_with_the_run_so_shards_stay_few():
    from workbench.engine.prep_stage import MAX_CHUNK, chunk_length

    assert [chunk_length(4, before) for before in (0, 100, 255, 640)] == [4, 4, 4, 10]
    assert chunk_length(4, 10**6) == MAX_CHUNK and chunk_length(100, 10**6) == 100
    items = chunks = 0
    while items < 10**6:
        items += chunk_length(4, items)
        chunks += 1
    assert chunks < 20_000  # not 250,000 shard files
