"""Telemetry's cost (issue 16; figures: on / off wall time ≤ 1.02, ≤ 1 ms per record).

Wall time: the same prep run of perturbed decoys with telemetry on (1 s samples) and off, with
no cache so each run does the work, ``REPEATS`` pairs in alternating order; the ratio of the
fastest runs (the least disturbed by other work on the machine) and of the medians.
Per record: ``Telemetry.sample_once`` into a real event log while four child processes run,
as the run process does it (host counters, the process tree, the emitter's batched writes):
with no scan of the host's processes for new children, and with one per record, as 1 s samples
have while the tree changes (RESCAN_FIRST_S); a tree that holds still is scanned every RESCAN_S,
so a steady record costs the first figure plus a fifth of the scan.

Run: python benchmarks/telemetry.py [N_DECOYS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver

import workbench
from workbench.engine import telemetry
from workbench.engine.emitter import Emitter
from workbench.engine.telemetry import RESCAN_FIRST_S, RESCAN_S, Telemetry
from workbench.record.eventlog import EventLog, read_events

REPEATS = 5
SAMPLES = 500


def timed_run(archive: Path, out: Path, telemetry: str) -> float:
    start = time.perf_counter()
    summary = workbench.run(
        [archive],
        out,
        stages=("prep",),
        voronota=False,
        no_cache=True,
        workers=2,
        telemetry=telemetry,
        **DEEPRANK_CHAINS,
    )
    assert summary.n_failed == 0, summary
    return time.perf_counter() - start


def per_record_ms(tmp: Path, scan: bool) -> tuple[float, int]:
    """Milliseconds per telemetry record, and the processes in the sampled tree."""
    children = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])]
    children += [subprocess.Popen(["sleep", "60"]) for _ in range(3)]
    rescan = telemetry.RESCAN_FIRST_S, telemetry.RESCAN_S
    telemetry.RESCAN_FIRST_S = telemetry.RESCAN_S = 0.0 if scan else 3600.0
    try:
        with EventLog(tmp / "events.sqlite") as log:
            emitter = Emitter(log, "bench")
            with Telemetry(emitter, interval=3600.0) as sampler:
                start = time.perf_counter()
                for _ in range(SAMPLES):
                    sampler.sample_once()
                emitter.flush()
                seconds = time.perf_counter() - start
            events = [e for _, e in read_events(log.path)]
    finally:
        telemetry.RESCAN_FIRST_S, telemetry.RESCAN_S = rescan
        for child in children:
            child.kill()
            child.wait()
    return 1000 * seconds / len(events), events[-1].n_procs


def main(n: int = 60) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        archive = write_decoy_quiver(tmp / "decoys.qv", DEEPRANK_EXAMPLE, n)
        timed_run(archive, tmp / "warmup", "off")
        on, off = [], []
        for i in range(REPEATS):  # off-on, then on-off: a load that drifts favours neither
            for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
                (on if mode == "on" else off).append(timed_run(archive, tmp / f"{mode}{i}", mode))
        ms, procs = per_record_ms(tmp, scan=False)
        (tmp / "scans").mkdir()
        scanning, _ = per_record_ms(tmp / "scans", scan=True)
    print(
        f"items: {n} perturbed copies of {DEEPRANK_EXAMPLE.name}, stage prep, 2 workers, no cache"
    )
    print(f"telemetry off: {', '.join(f'{s:.2f}' for s in off)} s")
    print(f"telemetry on:  {', '.join(f'{s:.2f}' for s in on)} s")
    print(f"wall time, telemetry on / off = {min(on) / min(off):.3f} fastest runs, ", end="")
    print(f"{statistics.median(on) / statistics.median(off):.3f} medians  (target ≤ 1.02)")
    steady = ms + (scanning - ms) * RESCAN_FIRST_S / RESCAN_S
    print(
        f"cost per record = {steady:.3f} ms at 1 s samples of a steady tree ({ms:.3f} without "
        f"a scan, {scanning:.3f} with one, every {RESCAN_S:.0f} s), {procs} processes in the "
        "tree  (target ≤ 1 ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
