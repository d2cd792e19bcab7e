"""Starts a run as a subprocess of the ``workbench`` CLI and cancels it with SIGTERM.

The app never runs stages in its own process: the CLI writes the run directory and its event
log, and the app watches them like any other run, so a slow browser cannot slow the run.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from workbench.engine.config import RunConfig

__all__ = ["RunProcess", "RunRequest"]


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What the run form asks for; ``argv`` is the CLI call that does it."""

    inputs: tuple[str, ...]
    out: str
    heavy: str | None = None
    light: str | None = None  # None or "-": no light chain
    antigen: tuple[str, ...] = ()
    manifest: str | None = None
    stages: tuple[str, ...] = ("prep", "annotate", "embed")
    workers: int | None = None  # None: the CLI's default
    cache_dir: str | None = None
    no_cache: bool = False
    model: str = "auto"
    devices: str = "auto"
    cluster: str | None = None
    voronota: bool = True  # False: skip Voronoi contact areas (about 1 s per complex)

    def __post_init__(self) -> None:
        """Refuse what the run itself would refuse, with the same words (RunConfig's checks)."""
        RunConfig(
            inputs=self.inputs,
            out=self.out,
            heavy=self.heavy,
            light=self.light,
            antigen=self.antigen,
            stages=self.stages,
        )

    def argv(self) -> list[str]:
        """``python -m workbench.cli run ...`` with this interpreter."""
        args = [sys.executable, "-m", "workbench.cli", "run", *self.inputs, "--out", self.out]
        if self.heavy:
            args += ["--heavy", self.heavy, "--light", self.light or "-"]
            args += ["--antigen", ",".join(self.antigen)]
        if self.manifest:
            args += ["--manifest", self.manifest]
        args += ["--stages", ",".join(self.stages), "--model", self.model]
        args += ["--devices", self.devices]
        if self.workers:
            args += ["--workers", str(self.workers)]
        if self.cache_dir:
            args += ["--cache-dir", self.cache_dir]
        if self.no_cache:
            args.append("--no-cache")
        if self.cluster:
            args += ["--cluster", self.cluster]
        if not self.voronota:
            args.append("--no-voronota")
        return args


class RunProcess:
    """One CLI run in a subprocess; its output goes to ``<run dir>.log`` beside the run dir."""

    def __init__(self, request: RunRequest) -> None:
        self.request = request
        out = Path(request.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = out.parent / f"{out.name}.log"
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(
                request.argv(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    @property
    def pid(self) -> int:
        return self._proc.pid

    def poll(self) -> int | None:
        """Exit code, or None while the run goes on."""
        return self._proc.poll()

    def cancel(self) -> None:
        """Ask the CLI to stop cleanly (it records status 'cancelled'; the cache keeps its work)."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float | None = None) -> int:
        return self._proc.wait(timeout)

    def log_tail(self, n_bytes: int = 4000) -> str:
        """The end of the CLI's output, for error messages."""
        try:
            data = self.log_path.read_bytes()
        except FileNotFoundError:
            return ""
        return data[-n_bytes:].decode("utf-8", errors="replace")
