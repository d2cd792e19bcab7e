"""Wall time of a run watched live by a RunMonitor vs the same run headless (target ratio ≤ 1.05).

Both runs go through the CLI in a subprocess on the bundled examples, prep and embed stages
(embed emits the per-device throughput events the app charts; annotation's Dask cluster start
would only add noise), without voronota, with random ESM-2 weights on two simulated devices and
no cache (so both do the same work); the watched one is polled by a RunMonitor every 500 ms in
this process, as the app does. Prints the ratio of median times.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from workbench.examples import example_manifest, example_paths
from workbench.record import RunConfig
from workbench.ui import RunMonitor, RunProcess

REPEATS = 3
POLL_S = 0.5


def one_run(out: Path, watched: bool) -> float:
    """Seconds from launch to exit of one CLI run, optionally polled by a monitor."""
    config = RunConfig.build(
        inputs=tuple(str(p) for p in example_paths()),
        out=str(out),
        manifest=str(example_manifest()),
        stages=("prep", "embed"),
        no_cache=True,
        voronota=False,
        model="random:esm2_t6_8M_UR50D",
        devices="sim:1.0,sim:0.5",
    )
    start = time.perf_counter()
    proc = RunProcess(config)
    monitor = RunMonitor(out, live=False) if watched else None
    while proc.poll() is None:
        if monitor is not None:
            monitor.poll()
        try:
            proc.wait(timeout=POLL_S)
        except subprocess.TimeoutExpired:
            continue
    seconds = time.perf_counter() - start
    if proc.poll() != 0:
        raise RuntimeError(f"run failed: {proc.log_tail()}")
    if monitor is not None:
        monitor.poll()
        print(f"  watched run: {monitor.n_events} events, status {monitor.status}")
    return seconds


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="ui-overhead-"))
    headless, watched = [], []
    for i in range(REPEATS):  # interleaved, so drift in machine load hits both alike
        headless.append(one_run(root / f"headless-{i}", watched=False))
        watched.append(one_run(root / f"watched-{i}", watched=True))
    h, w = statistics.median(headless), statistics.median(watched)
    print(f"headless median {h:.2f} s, watched median {w:.2f} s over {REPEATS} runs each")
    print(f"watched / headless wall-time ratio: {w / h:.3f} (target ≤ 1.05)")


if __name__ == "__main__":
    main()
