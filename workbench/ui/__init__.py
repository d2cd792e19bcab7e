"""Panel components of the workbench, shared by the app (apps/workbench.py) and notebooks.

Data model: a run directory (run.json, events.sqlite, Parquet tables) is the only input. The
``RunMonitor`` polls the event log by id and folds events through ``RunAggregate`` (pure, no
Panel) into Bokeh sources: throughput in tokens/s per device over seconds since run start,
cumulative cache hits and misses per stage, stage progress with ETA in seconds. ``RunForm``
starts runs as CLI subprocesses; ``AttachView`` points at a run started elsewhere. ``ResultsView``
shows one item's chains with CDRs coloured beside its interface residues (``interface_residues``:
one row per residue with a graph node, its region and buried surface area in Å²).

In a notebook::

    import panel as pn
    from workbench.ui import RunMonitor
    pn.extension()
    RunMonitor("runs/my-run")
"""

from workbench.ui.access import is_local, local_only
from workbench.ui.aggregate import (
    CachePoint,
    Failure,
    RunAggregate,
    StageStatus,
    ThroughputPoint,
    Update,
)
from workbench.ui.app import AttachView, WorkbenchApp
from workbench.ui.charts import RunCharts
from workbench.ui.form import RunForm
from workbench.ui.interface import interface_residues
from workbench.ui.launch import RunProcess, RunRequest
from workbench.ui.monitor import RunMonitor
from workbench.ui.paths import PathRefused, confine, default_roots
from workbench.ui.results import ResultsView

__all__ = [
    "AttachView",
    "CachePoint",
    "Failure",
    "PathRefused",
    "ResultsView",
    "RunAggregate",
    "RunCharts",
    "RunForm",
    "RunMonitor",
    "RunProcess",
    "RunRequest",
    "StageStatus",
    "ThroughputPoint",
    "Update",
    "WorkbenchApp",
    "confine",
    "default_roots",
    "interface_residues",
    "is_local",
    "local_only",
]
