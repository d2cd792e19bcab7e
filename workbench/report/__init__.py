"""Exported run reports: one standalone HTML file per run, built from its events and dataset only.

``write_report(run_dir, out_html)`` reads ``run.json``, ``events.sqlite`` and the Parquet tables
of a run directory (any may be missing while a run goes on) and writes one HTML file with Bokeh
inlined, so it opens offline. Times are in seconds, throughput in tokens per second, lengths in
residues. ``rundir`` holds the tolerant reads of run.json and the event log (either may not be
written yet while a run starts), shared with the app; tables are read through
``workbench.engine.RunView``.
"""

from workbench.report.html import write_report
from workbench.report.rundir import dataset_paths, run_events, run_info, untrained_weights

__all__ = ["dataset_paths", "run_events", "run_info", "untrained_weights", "write_report"]
