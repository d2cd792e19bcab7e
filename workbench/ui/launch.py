"""Starts a run as a subprocess of the ``workbench`` CLI and cancels it with SIGTERM.

The app never runs stages in its own process: the CLI writes the run directory and its event
log, and the app watches them like any other run, so a slow browser cannot slow the run.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from workbench.record import RunConfig, RunLayout

__all__ = ["RunProcess", "cli_argv"]


def cli_argv(config: RunConfig) -> list[str]:
    """``python -m workbench.cli run ...`` with this interpreter, from the option table."""
    return [sys.executable, "-m", "workbench.cli", "run", *config.argv()]


class RunProcess:
    """One CLI run in a subprocess; its output goes to ``<run dir>.log`` beside the run dir."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        layout = RunLayout(config.run_dir)
        layout.root.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = layout.console_log
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(
                cli_argv(config), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
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
