"""Exported run reports: one standalone HTML file per run, built from its events and dataset only.

``write_report(run_dir, out_html)`` reads ``run.json``, ``events.sqlite`` and the Parquet tables
of a run directory (any may be missing while a run goes on) through ``workbench.record`` and
writes one HTML file with Bokeh inlined, so it opens offline. Times are in seconds, throughput in
tokens per second, lengths in residues. ``RunCharts`` draws the run's fold in Bokeh; the app's
monitor embeds the same charts.
"""

from workbench.report.charts import RunCharts
from workbench.report.html import write_report

__all__ = ["RunCharts", "write_report"]
