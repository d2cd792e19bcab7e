"""Panel components of the workbench, shared by the app (apps/workbench.py) and notebooks.

Data model: a run directory (run.json, events.sqlite, Parquet tables) is the only input, read
through ``workbench.record``. The ``RunMonitor`` polls the event log by id and folds events
through ``RunFold`` (pure, no Panel) into the report's Bokeh charts (``RunCharts``): throughput in
tokens/s per device over seconds since run start, cumulative cache hits and misses per stage,
stage progress with ETA in seconds. ``RunForm`` starts runs as CLI subprocesses; its settings are
generated from ``RUN_OPTIONS`` (``settings_class``); ``AttachView`` points at a run started
elsewhere. ``ResultsView``
shows one item's chains with CDRs coloured beside its interface residues (``interface_residues``:
one row per residue with a graph node, its region and buried surface area in Å²).
``ScoresView`` ranks a scored run's items (scores.parquet, predicted DockQ and CAPRI class).

In a notebook::

    import panel as pn
    from workbench.ui import RunMonitor
    pn.extension()
    RunMonitor("runs/my-run")
"""

from workbench.ui.access import is_local, local_only
from workbench.ui.app import AttachView, WorkbenchApp
from workbench.ui.form import RunForm
from workbench.ui.interface import interface_residues
from workbench.ui.launch import RunProcess, cli_argv
from workbench.ui.monitor import RunMonitor
from workbench.ui.paths import PathRefused, confine, default_roots
from workbench.ui.results import ResultsView
from workbench.ui.scores import ScoresView
from workbench.ui.settings import settings_class, settings_values

__all__ = [
    "AttachView",
    "PathRefused",
    "ResultsView",
    "RunForm",
    "RunMonitor",
    "RunProcess",
    "ScoresView",
    "WorkbenchApp",
    "cli_argv",
    "confine",
    "default_roots",
    "interface_residues",
    "is_local",
    "local_only",
    "settings_class",
    "settings_values",
]
