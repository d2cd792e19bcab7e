"""Antibody–antigen structure workbench.

Turns antibody–antigen complex models into ML-ready data — merged complexes and FASTA, ANARCI
regions per residue, interface graphs with physico-chemical features and ESM-2 embeddings —
cached by content, resumable, and observable live through an event log.

>>> import workbench
>>> summary = workbench.run(["models/"], out="runs/demo", heavy="H", light="L", antigen="A")
>>> view = workbench.open_run("runs/demo")
>>> view.structures.head()
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__version__ = "0.1.0"
__all__ = ["RunConfig", "RunSummary", "open_run", "run"]


def run(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    cancel: threading.Event | None = None,
    **options: Any,
):
    """Run the pipeline on ``inputs`` into the run directory ``out``.

    ``options`` are RunConfig's options by flat name (``heavy="H"``, ``antigen="A,B"``,
    ``cutoff=4.5``, ``model="random:esm2_t6_8M_UR50D"``; ``workbench run --help`` lists them).
    """
    from workbench.engine.run import execute
    from workbench.record.config import RunConfig
    from workbench.structure import split_chain_ids

    if isinstance(options.get("antigen"), str):
        options["antigen"] = split_chain_ids(options["antigen"])
    config = RunConfig.build(
        inputs=tuple(str(p) for p in inputs),
        out=str(out),
        **{k: _plain(v) for k, v in options.items()},
    )
    return execute(config, cancel)


def _plain(value: Any) -> Any:
    """Paths as strings and lists as tuples, as RunConfig stores them."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def open_run(run_dir: str | Path):
    """Open a run directory (finished or still running) for reading."""
    from workbench.record.view import open_run as _open_run

    return _open_run(run_dir)


def __getattr__(name: str):
    if name == "RunConfig":
        from workbench.record.config import RunConfig

        return RunConfig
    if name == "RunSummary":
        from workbench.engine.run import RunSummary

        return RunSummary
    raise AttributeError(name)
