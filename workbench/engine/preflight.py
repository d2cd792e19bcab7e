"""Checks a run's configuration against the world before any work: inputs, output, model, cluster.

Each problem is one line naming the path or address and the reason; the command line turns it
into exit 2 within a second or two, before any input is read or any folder is written.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

from workbench.fs import AtomicFile
from workbench.record.config import RunConfig

__all__ = ["CLUSTER_TIMEOUT_S", "PreflightError", "preflight"]

CLUSTER_TIMEOUT_S = 2.0


class PreflightError(ValueError):
    """A run that cannot start; the message names the path or address and why."""


def preflight(config: RunConfig) -> None:
    """Raise PreflightError for the first input, output, model or cluster that cannot work."""
    for path in config.inputs:
        _readable(Path(path), "input")
    if config.manifest:
        _readable(Path(config.manifest), "manifest")
    _writable(config.run_dir)
    if "embed" in config.stages:
        _model(config.embed.model)
    if config.scorer is not None:
        _scorer(config.scorer)
    if config.graph.features == "deeprank-ab" and shutil.which("voronota") is None:
        raise PreflightError("--features deeprank-ab: needs voronota on PATH (make system-deps)")
    if config.cluster:
        _answers(config.cluster)


def _readable(path: Path, what: str) -> None:
    try:
        is_dir = path.is_dir()
        path.stat()
    except OSError as exc:
        reason = "no such file or folder" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise PreflightError(f"{what} {path}: {reason}") from None
    if not os.access(path, os.R_OK | (os.X_OK if is_dir else 0)):
        raise PreflightError(f"{what} {path}: not readable (permission denied)")


def _writable(run_dir: Path) -> None:
    """The run folder, or the nearest folder above it that exists, must take new files."""
    folder = run_dir
    while not folder.exists():
        if folder.parent == folder:
            break
        folder = folder.parent
    if not folder.is_dir():
        raise PreflightError(f"output {run_dir}: {folder} is not a folder")
    try:  # a probe, not os.access: root, ACLs, read-only mounts and NFS squashing all differ
        probe = AtomicFile(folder / ".workbench-preflight")
    except OSError as exc:
        raise PreflightError(
            f"output {run_dir}: {folder} is not writable ({exc.strerror or exc})"
        ) from None
    probe.discard()


def _model(spec: str) -> None:
    from workbench.embed.spec import ModelError, check_model_spec

    try:
        check_model_spec(spec)
    except ModelError as exc:
        raise PreflightError(f"--model: {exc}") from None


def _scorer(spec: str) -> None:
    from workbench.score import resolve_scorer

    try:
        resolve_scorer(spec)
    except ValueError as exc:
        raise PreflightError(f"--scorer: {exc}") from None


def _answers(address: str) -> None:
    """A Dask scheduler at tcp://host:port (or tls://, or host:port) accepts a connection."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls"):
        return  # other transports (inproc, ucx) are left to Dask
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise PreflightError(f"--cluster {address}: expected tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=CLUSTER_TIMEOUT_S).close()
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise PreflightError(
            f"--cluster {address}: the scheduler does not answer ({reason}) "
            f"within {CLUSTER_TIMEOUT_S:.0f} s"
        ) from None
