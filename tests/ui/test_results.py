"""ResultsView: status filter, CDRs coloured on the chosen item's chains, escaped failures."""

from __future__ import annotations

import pandas as pd

from workbench.ui import ResultsView
from workbench.ui.results import chains_html


def test_filter_by_status(recorded_run):
    view = ResultsView(recorded_run)
    table = pd.read_parquet(recorded_run / "structures.parquet")
    assert len(view._table.object) == len(table)
    view.status_filter = "failed"
    assert list(view._table.object["item_id"]) == list(table[table.status == "failed"].item_id)


def test_cdrs_are_coloured_from_the_regions(recorded_run):
    regions = pd.read_parquet(recorded_run / "regions.parquet")
    view = ResultsView(recorded_run)
    view.item = "a:0"
    page = view._chains.object
    mine = regions[regions.item_id == "a:0"]
    for region, kind in (("CDR1", "CDR1"), ("CDR3", "CDR3")):
        assert page.count(f"class='res {kind}'") == int((mine.region == region).sum())
    cdr3 = "".join(mine[(mine.chain == "H") & (mine.region == "CDR3")].aa)
    assert f"CDR3 {cdr3}" in page
    assert chains_html(mine.iloc[0:0]).startswith("<p>No region")


def test_failed_item_shows_escaped_reason(recorded_run):
    view = ResultsView(recorded_run)
    view.item = "x:0"
    assert "<img" not in view._chains.object
    assert "&lt;img src=x onerror=alert(1)&gt;.pdb: no ATOM records" in view._chains.object
    assert "events.sqlite" in view._files.object
