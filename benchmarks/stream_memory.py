"""Peak memory of a run vs its item count (figure: 10× more items ≤ 1.2× peak memory).

Each run is a fresh `workbench run` process; the peak is the largest sampled sum of resident
memory over the process and its workers.

Run: python benchmarks/stream_memory.py [N_SMALL]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from decoys import DEEPRANK_CHAINS, DEEPRANK_EXAMPLE, write_decoy_quiver


def peak_rss(command: list[str]) -> int:
    process = psutil.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    assert process.returncode == 0, command
    return peak


def main(n_small: int = 100) -> None:
    chains = [f"--{role}={chain}" for role, chain in DEEPRANK_CHAINS.items()]
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in (n_small, 10 * n_small):
            archive = write_decoy_quiver(tmp / f"decoys{n}.qv", DEEPRANK_EXAMPLE, n)
            command = [
                sys.executable,
                "-m",
                "workbench.cli",
                "run",
                str(archive),
                "--out",
                str(tmp / f"run{n}"),
                "--stages",
                "prep",
                "--no-cache",
                "--workers",
                "2",
                "--quiet",
                "--no-voronota",
                *chains,
            ]
            peaks[n] = peak_rss(command)
            print(f"{n:6d} items: peak resident memory {peaks[n] / 2**20:.0f} MiB")
    ratio = peaks[10 * n_small] / peaks[n_small]
    print(f"peak({10 * n_small}) / peak({n_small}) = {ratio:.3f}  (target ≤ 1.2)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
