"""Exit codes a pipeline can trust, and usage errors found before any work or output."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.record.eventlog import read_events
from workbench.record.events import ItemDone

CHAINS = ("--heavy", "B", "--light", "A", "--antigen", "C")  # 1VFB's chains


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "workbench.cli", "run", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _prep(inputs: Path, out: Path, cache_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    return _run(
        str(inputs),
        "--out",
        str(out),
        *CHAINS,
        "--stages",
        "prep",
        "--no-voronota",
        "--workers",
        "1",
        "--cache-dir",
        str(cache_dir),
        "--quiet",
        *extra,
    )


def _status(run_dir: Path) -> str:
    return json.loads((run_dir / "run.json").read_text())["status"]


def _corpus(folder: Path, complexes_dir: Path, good: int, bad: int) -> Path:
    """``good`` copies of 1VFB (B-factors changed: each its own item), ``bad`` broken files."""
    folder.mkdir()
    lines = (complexes_dir / "1VFB.pdb").read_text().splitlines()
    for n in range(good):
        text = "\n".join(
            line[:60] + f"{n:6.2f}" + line[66:] if line.startswith("ATOM") else line
            for line in lines
        )
        (folder / f"good{n}.pdb").write_text(text + "\n")
    for n in range(bad):
        (folder / f"bad{n}.pdb").write_text("HEADER    NOTHING HERE\nEND\n")
    return folder


def test_an_input_that_does_not_exist_is_a_usage_error_before_any_output(tmp_path) -> None:
    missing = tmp_path / "no-such-models"
    result = _run(str(missing), "--out", str(tmp_path / "run"), *CHAINS)
    assert result.returncode == 2
    assert str(missing) in result.stderr and "no such file" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_manifest_that_does_not_exist_is_a_usage_error(tmp_path, complexes_dir) -> None:
    missing = tmp_path / "cases.tsv"
    result = _run(str(complexes_dir), "--out", str(tmp_path / "run"), "--manifest", str(missing))
    assert result.returncode == 2
    assert f"manifest {missing}" in result.stderr
    assert not (tmp_path / "run").exists()


def test_no_item_succeeding_is_status_failed_and_exit_4(tmp_path, complexes_dir) -> None:
    inputs = _corpus(tmp_path / "inputs", complexes_dir, good=0, bad=3)
    result = _prep(inputs, tmp_path / "run", tmp_path / "cache")
    assert result.returncode == 4, result.stderr
    assert _status(tmp_path / "run") == "failed"
    assert "run failed: 3 items, 0 done, 3 failed" in result.stdout
    assert (tmp_path / "run" / "structures.parquet").is_file()


def test_failures_over_max_failed_exit_4_and_within_it_exit_0(tmp_path, complexes_dir) -> None:
    inputs = _corpus(tmp_path / "inputs", complexes_dir, good=8, bad=2)
    over = _prep(inputs, tmp_path / "over", tmp_path / "cache", "--max-failed", "0.1")
    assert over.returncode == 4, over.stderr
    assert _status(tmp_path / "over") == "completed_with_failures"
    assert "10 items, 8 done, 2 failed" in over.stdout
    within = _prep(inputs, tmp_path / "within", tmp_path / "cache", "--max-failed", "0.2")
    assert within.returncode == 0, within.stderr
    assert _status(tmp_path / "within") == "completed"
    default = _prep(inputs, tmp_path / "default", tmp_path / "cache")
    assert default.returncode == 0 and _status(tmp_path / "default") == "completed"
    bad = _run(str(inputs), "--out", str(tmp_path / "x"), "--max-failed", "1.5")
    assert bad.returncode == 2 and "max_failed" in bad.stderr


def test_a_cancelled_run_exits_3(tmp_path, complexes_dir) -> None:
    inputs = _corpus(tmp_path / "inputs", complexes_dir, good=40, bad=0)
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "workbench.cli", "run", str(inputs), "--out", str(run_dir)]
    command += [*CHAINS, "--stages", "prep", "--no-voronota", "--workers", "1", "--quiet"]
    command += ["--cache-dir", str(tmp_path / "cache")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if any(isinstance(e, ItemDone) for _, e in read_events(run_dir / "events.sqlite")):
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be cancelled"
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 3, stdout
    assert _status(run_dir) == "cancelled"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("model", "no checkpoint file at"),
        ("output", "is not a folder"),
        ("cluster", "does not answer"),
    ],
)
def test_fail_before_work_exits_2_fast_and_writes_nothing(
    tmp_path, complexes_dir, case, expected
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(complexes_dir / "1VFB.pdb", inputs)
    out = str(tmp_path / "run")
    extra: list[str] = ["--stages", "prep,embed"]
    if case == "model":
        extra += ["--model", str(tmp_path / "weights" / "esm2.pt")]
    elif case == "output":
        (tmp_path / "a-file").write_text("not a folder\n")
        out = str(tmp_path / "a-file" / "run")
    else:
        extra += ["--cluster", f"tcp://127.0.0.1:{_closed_port()}"]
    before = sorted(tmp_path.rglob("*"))
    start = time.monotonic()
    result = _run(str(inputs), "--out", out, *CHAINS, *extra, "--cache-dir", str(tmp_path / "c"))
    seconds = time.monotonic() - start
    assert result.returncode == 2, result.stderr
    assert seconds < 10  # loosely: the checks take milliseconds, interpreter start the rest
    (line,) = result.stderr.strip().splitlines()
    assert expected in line
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.skipif(sys.platform != "linux", reason="/proc takes no new files on Linux only")
def test_an_output_folder_that_takes_no_files_is_a_usage_error(tmp_path) -> None:
    result = _run(str(tmp_path), "--out", "/proc/workbench-run", *CHAINS)
    assert result.returncode == 2
    assert "output /proc/workbench-run: /proc is not writable" in result.stderr
