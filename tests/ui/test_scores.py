"""ScoresView: the ranked table of a scored run, untrained weights said plainly, the histogram."""

from __future__ import annotations

import pandas as pd

from workbench.record import FILES
from workbench.report.scores import SCORE_COLUMNS, scores_display
from workbench.ui import ScoresView


def test_ranked_table_flags_and_histogram(scored_run):
    scores = pd.read_parquet(scored_run / FILES["scores"])
    view = ScoresView(scored_run)
    table = view._table.value
    assert list(table.columns) == SCORE_COLUMNS
    assert list(table["item_id"]) == list(scores.sort_values("rank")["item_id"])
    assert list(table["rank"]) == sorted(table["rank"]) and table["rank"].iloc[0] == 1
    assert set(table["capri"]) <= {"incorrect", "acceptable", "medium", "high"}
    assert (table["source"] == "graphs.h5").all()
    nanobody = scores.loc[scores["outside_training"], "item_id"]
    assert len(nanobody)  # 4Y7M is a nanobody in the test graphs
    for item, flags in zip(table["item_id"], table["flags"], strict=True):
        assert "untrained weights" in flags
        assert ("nanobody: outside training" in flags) == (item in set(nanobody))
    assert "Untrained weights" in view._note.object
    assert f"{len(scores)} items scored by random:deeprank-ab:0" in view._note.object
    assert view._table.visible and view._histogram.visible
    quads = view._histogram.object.renderers[0].data_source.data
    assert sum(quads["top"]) == len(scores)
    assert min(quads["left"]) == 0.0 and max(quads["right"]) == 1.0


def test_unscored_run_says_how_to_score(recorded_run, scored_run):
    view = ScoresView(recorded_run)
    assert "Not scored" in view._note.object and "workbench score" in view._note.object
    assert not view._table.visible and not view._histogram.visible
    view.run_dir = str(scored_run)
    assert view._table.visible and len(view._table.value) == 7


def test_top_rows_and_blank_members(scored_run):
    scores = pd.read_parquet(scored_run / FILES["scores"])
    top = scores_display(scores, top=3)
    assert list(top["rank"]) == [1, 2, 3]
    assert not top.isna().any().any()
    assert scores_display(scores.iloc[0:0]).columns.tolist() == SCORE_COLUMNS


def test_a_clicked_row_chooses_its_item_and_an_item_chosen_elsewhere_is_marked(scored_run):
    view = ScoresView(scored_run)
    table = view._table.value
    view._table.selection = [2]
    assert view.item == table["item_id"].iloc[2]
    view.item = table["item_id"].iloc[4]  # as the app does when Results shows another item
    assert view._table.selection == [4]
    view.item = "not-scored"
    assert view._table.selection == []
