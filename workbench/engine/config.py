"""The run's configuration: one declared record, documented field by field."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["STAGES", "RunConfig"]

STAGES = ("prep", "annotate", "embed")


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a run depends on; saved in run.json and used in cache keys."""

    inputs: tuple[str, ...]  # files or folders of structures (pdb, cif, gz, qv)
    out: str  # the run directory
    heavy: str | None = None  # heavy chain id; None = detect roles by numbering
    light: str | None = None  # light chain id; None or "-" = no light chain (nanobody)
    antigen: tuple[str, ...] = ()  # antigen chain ids
    manifest: str | None = None  # TSV/CSV with path, heavy, light, antigen per file
    stages: tuple[str, ...] = STAGES  # which stages run; prep always runs
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # prep processes
    cache_dir: str | None = None  # None = $WORKBENCH_CACHE or ~/.cache/workbench
    no_cache: bool = False  # compute everything, store nothing
    graph: str = "atom"  # "atom" or "residue" interface graph
    cutoff: float = 5.0  # Å, interface distance cutoff
    voronota: bool = True  # use voronota contact areas when the program is on PATH
    write_merged: bool = False  # also write merged PDBs under RUN_DIR/merged/
    scheme: str = "imgt"  # numbering scheme: imgt, kabat, chothia, martin, aho
    germline: bool = False  # assign germlines during numbering
    model: str = "auto"  # ESM-2: auto, a name, a checkpoint path, or random:<name>
    devices: str = "auto"  # auto, cpu, cuda:0,cuda:1, or sim:1.0,sim:0.5
    precision: str = "fp32"  # fp32, bf16 or fp16 (autocast on CUDA)
    token_budget: int | None = None  # tokens per embedding batch; None = device default
    graph_embedding: str = "mean"  # per-residue embedding on graph nodes: mean or full
    cluster: str | None = None  # Dask scheduler address; None = a LocalCluster per run
    chunk_size: int = 0  # items per prep task sent to a worker; 0 = the default (4)

    def __post_init__(self) -> None:
        unknown = set(self.stages) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown stage(s) {sorted(unknown)}; choose from {list(STAGES)}")
        if "prep" not in self.stages:
            object.__setattr__(self, "stages", ("prep", *self.stages))
        if self.graph not in ("atom", "residue"):
            raise ValueError(f"graph must be 'atom' or 'residue', got {self.graph!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.cutoff <= 0:
            raise ValueError(f"cutoff must be positive, got {self.cutoff}")
        if self.light == "-":
            object.__setattr__(self, "light", None)
        if self.heavy is None and (self.light or self.antigen):
            raise ValueError(
                "--light/--antigen need --heavy too (or leave all out to detect roles)"
            )
        if self.heavy is not None and not self.antigen:
            raise ValueError("a heavy chain needs at least one antigen chain")
        if not self.inputs:
            raise ValueError("no input given")

    @property
    def run_dir(self) -> Path:
        return Path(self.out)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("inputs", "antigen", "stages"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)
