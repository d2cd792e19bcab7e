"""Exported run reports: one standalone HTML file per run, built from its events and dataset only.

``write_report(run_dir, out_html)`` reads ``run.json``, ``events.sqlite`` and the Parquet tables
of a run directory (any may be missing while a run goes on) and writes one HTML file with Bokeh
inlined, so it opens offline. Times are in seconds, throughput in tokens per second, lengths in
residues. ``rundir`` holds the tolerant readers the app shares.
"""

from workbench.report.html import untrained_weights, write_report
from workbench.report.rundir import (
    DATASET_FILES,
    TABLES,
    dataset_paths,
    read_run_json,
    read_table,
)

__all__ = [
    "DATASET_FILES",
    "TABLES",
    "dataset_paths",
    "read_run_json",
    "read_table",
    "untrained_weights",
    "write_report",
]
