"""RunProcess: Cancel stops the CLI run cleanly (status "cancelled", exit 3) and a rerun resumes.

The input is a quiver of translated copies of one real complex (distinct bytes, so distinct
cache keys), prepped by one worker so the run is still going when the test cancels it.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.record import RunConfig, RunView, open_run, read_run_json
from workbench.record.events import ItemDone, RunFinished
from workbench.sources import write_quiver
from workbench.ui import RunProcess

pytestmark = pytest.mark.timeout(180)

N_COPIES = 24


def _translated_copies(pdb: Path, n: int):
    """(tag, PDB text, scores) of ``n`` copies shifted along x by 0.5 Å steps."""
    lines = pdb.read_text().splitlines()
    for k in range(n):
        out = []
        for line in lines:
            if line.startswith(("ATOM", "HETATM")):
                line = f"{line[:30]}{float(line[30:38]) + 0.5 * k:8.3f}{line[38:]}"
            out.append(line)
        yield f"copy_{k:03d}", "\n".join(out) + "\n", {"k": k}


def _wait_for(proc: RunProcess, condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait until ``condition()`` holds, pausing on the process (it may exit meanwhile)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"run exited ({proc.poll()}) before {what}: {proc.log_tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {timeout} s: {proc.log_tail()}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)


def _events(run_dir: Path, kind: type) -> list:
    return [e for _, e in RunView(run_dir).events() if isinstance(e, kind)]


def test_cancel_then_resume_from_cache(tmp_path, complexes_dir, annotated_case):
    quiver = tmp_path / "copies.qv"
    pdb = complexes_dir / f"{annotated_case['case']}.pdb"
    write_quiver(quiver, _translated_copies(pdb, N_COPIES))

    def request(name: str) -> RunConfig:
        return RunConfig.build(
            inputs=(str(quiver),),
            out=str(tmp_path / name),
            heavy=annotated_case["heavy"],
            light=annotated_case["light"],
            antigen=tuple(annotated_case["antigen"]),
            stages=("prep",),
            workers=1,
            cache_dir=str(tmp_path / "cache"),
            voronota=False,
        )

    first = RunProcess(request("first"))
    first_dir = Path(first.config.out)
    _wait_for(first, lambda: _events(first_dir, ItemDone), 120, "item done")
    first.cancel()
    assert first.wait(timeout=60) == 3, first.log_tail()
    assert read_run_json(first_dir)["status"] == "cancelled"
    assert [e.status for e in _events(first_dir, RunFinished)] == ["cancelled"]
    done_first = {e.item_id for e in _events(first_dir, ItemDone)}
    assert 0 < len(done_first) < N_COPIES  # stopped part-way

    second = RunProcess(request("second"))
    assert second.wait(timeout=150) == 0, second.log_tail()
    structures = open_run(second.config.out).structures
    assert len(structures) == N_COPIES and (structures.status == "done").all()
    assert set(structures.loc[structures.cached, "item_id"]) == done_first
