"""The run's configuration: one declared record of nested option records, checked when built.

Every field is declared once (``workbench.schema.option``); the command line (``workbench run
--help``), the app's form and the app's launch arguments are made from ``RUN_OPTIONS``, the flat
table of this record and its nested ``graph``, ``annotate`` and ``embed`` records.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from workbench.annotate import AnnotateOptions
from workbench.embed import EmbedOptions
from workbench.graph import GraphParams
from workbench.schema import (
    REQUIRED,
    OptionError,
    OptionField,
    build,
    check,
    flatten,
    option,
    option_table,
    record_from_dict,
    to_argv,
)
from workbench.structure import split_chain_ids

__all__ = ["RUN_OPTIONS", "STAGES", "Executor", "RunConfig", "Stage", "cores_available"]

Stage = Literal["prep", "annotate", "embed"]
STAGES: tuple[Stage, ...] = get_args(Stage)
Executor = Literal["joblib", "dask"]


def cores_available() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a run depends on; saved in run.json and used in cache keys."""

    inputs: tuple[str, ...] = option(
        REQUIRED,
        positional=True,
        form=False,
        help="files or folders of structures (pdb, ent, cif, mmcif, each optionally .gz; qv)",
    )
    out: str = option(REQUIRED, short="-o", form=False, help="the run directory to write")
    heavy: str | None = option(
        None,
        placeholder="blank = detect chain roles",
        help="heavy chain id; leave out (blank) to detect chain roles by numbering",
    )
    light: str | None = option(
        None, placeholder="blank = none", help="light chain id; - or blank for none (nanobody)"
    )
    antigen: tuple[str, ...] = option(
        (),
        parse=split_chain_ids,
        placeholder="A, A,B or ABC",
        help="antigen chain ids: A, A,B or ABC (one id per letter)",
    )
    manifest: str | None = option(
        None,
        placeholder="optional TSV/CSV",
        help="TSV/CSV with path (or case), heavy, light, antigen per file",
    )
    stages: tuple[Stage, ...] = option(STAGES, help="stages to run; prep always runs")
    workers: int = option(
        default_factory=cores_available,
        minimum=1,
        expert=True,
        help="prep processes (default: all cores)",
    )
    chunk_size: int = option(
        4,
        minimum=1,
        unit="items",
        expert=True,
        help="items per prep task sent to a worker (and per graph shard); past a few hundred "
        "items chunks grow, up to 64",
    )
    cache_dir: str | None = option(
        None,
        expert=True,
        placeholder="blank = <runs>/cache",
        help="cache folder; None = $WORKBENCH_CACHE or ~/.cache/workbench",
    )
    no_cache: bool = option(False, expert=True, help="compute everything, store nothing")
    write_merged: bool = option(False, expert=True, help="also write merged PDBs under merged/")
    max_failed: float = option(
        1.0,
        minimum=0.0,
        maximum=1.0,
        expert=True,
        help="fraction of items allowed to fail before the run exits 4, status "
        "completed_with_failures (a run where no item succeeded is always failed, exit 4)",
    )
    cluster: str | None = option(
        None,
        expert=True,
        placeholder="tcp://host:8786",
        help="Dask scheduler address (tcp://host:8786); None = a local cluster",
    )
    executor: Executor = option(
        "joblib",
        expert=True,
        help="where prep runs: joblib processes here, or dask (the --cluster scheduler's "
        "workers; without --cluster a LocalCluster of --workers processes); --cluster implies dask",
    )
    telemetry: Literal["on", "off"] = option(
        "on",
        expert=True,
        help="sample CPU, memory, disk, network and CUDA devices into the event log",
    )
    telemetry_interval: float = option(
        1.0,
        minimum=0.05,
        unit="s",
        expert=True,
        help="seconds between telemetry samples",
    )
    scorer: str | None = option(
        None,
        placeholder="deeprank-ab:PATH or random:deeprank-ab",
        help="score every model: deeprank-ab:PATH (a DeepRank-Ab checkpoint) or "
        "random:deeprank-ab[:SEED] (untrained, for demos); needs the embed stage, implies "
        "--features deeprank-ab; writes scores.parquet",
    )
    graph: GraphParams = field(default_factory=lambda: GraphParams(voronota=True))
    annotate: AnnotateOptions = field(default_factory=AnnotateOptions)
    embed: EmbedOptions = field(default_factory=EmbedOptions)

    def __post_init__(self) -> None:
        check(self)
        if self.light == "-":
            object.__setattr__(self, "light", None)
        if "prep" not in self.stages:
            object.__setattr__(self, "stages", ("prep", *self.stages))
        if not self.inputs:
            raise OptionError("inputs", self.inputs, "at least one file or folder")
        if self.heavy is None and (self.light or self.antigen):
            raise OptionError(
                "heavy", None, "a heavy chain with light/antigen (or none of them: detect roles)"
            )
        if self.scorer is not None:
            if "embed" not in self.stages:
                raise OptionError(
                    "stages", self.stages, "the embed stage with --scorer (ESM is a node feature)"
                )
            if self.graph.features != "deeprank-ab":
                graph = dataclasses.replace(self.graph, features="deeprank-ab")
                object.__setattr__(self, "graph", graph)
        if self.heavy is not None and not self.antigen:
            raise OptionError("antigen", self.antigen, "at least one chain with a heavy chain")

    @classmethod
    def build(cls, **values: Any) -> RunConfig:
        """A configuration from flat option names (``cutoff=4.5``, ``model="random:..."``)."""
        return build(cls, values)

    @property
    def prep_on_dask(self) -> bool:
        """Whether prep chunks go to Dask workers rather than local joblib processes."""
        return self.executor == "dask" or self.cluster is not None

    @property
    def run_dir(self) -> Path:
        return Path(self.out)

    def flat(self) -> dict[str, Any]:
        """Every option by its flat name."""
        return flatten(self)

    def argv(self, table: tuple[OptionField, ...] | None = None) -> list[str]:
        """``workbench run`` arguments that rebuild this configuration."""
        return to_argv(self.flat(), RUN_OPTIONS if table is None else table)

    def to_dict(self) -> dict[str, Any]:
        """Nested JSON-able values, for run.json and the RunStarted event."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        """Inverse of to_dict; keys this version does not know are ignored."""
        return record_from_dict(cls, data)


RUN_OPTIONS: tuple[OptionField, ...] = option_table(RunConfig)
