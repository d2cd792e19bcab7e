"""One item's interface residues, from graphs.h5: nodes become residues, listed per chain.

A residue is on the interface when at least one of its atoms is a node of the item's graph
(see ``workbench.graph``). Its region comes from the graph's ``region`` node feature (filled by
the annotation stage; "unknown" before) and its buried surface area from the ``bsa`` feature.
"""

from __future__ import annotations

import html
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from workbench.output import read_graph, read_residues
from workbench.structure import REGIONS

__all__ = ["REGION_COLOURS", "interface_html", "interface_residues", "region_kind"]

REGION_COLOURS = {"CDR1": "#f28e2b", "CDR2": "#59a14f", "CDR3": "#e15759"}
INTERFACE_COLUMNS = ["chain", "res_seq", "ins_code", "res_name", "aa", "role", "region", "bsa"]


def region_kind(region: str) -> str:
    """The CDR a region name belongs to ("CDR1".."CDR3"), else "other"."""
    for cdr in REGION_COLOURS:
        if str(region).upper().startswith(cdr):
            return cdr
    return "other"


def interface_residues(graphs_path: str | Path, item_id: str) -> pd.DataFrame:
    """Residues of ``item_id`` with at least one graph node, in node (merged residue) order.

    Returns
    -------
    pandas.DataFrame
        One row per interface residue, columns ``chain``, ``res_seq`` (int), ``ins_code``,
        ``res_name``, ``aa``, ``role`` (str), ``region`` (str, a name from the graph's region
        vocabulary) and ``bsa`` (float, Å² buried on binding).

    Raises
    ------
    KeyError
        The file holds no graph for ``item_id``.
    OSError
        The file is absent, or locked because a stage is still writing it.
    """
    graph = read_graph(graphs_path, item_id)
    with h5py.File(graphs_path, "r") as f:
        residues = read_residues(f, item_id)
    index, first = np.unique(graph.node_residue, return_index=True)
    vocabulary = graph.feature_names.get("node_data/region", REGIONS)
    codes = graph.node_data.get("region", np.zeros((graph.n_nodes, 1), dtype=np.int32))
    bsa = graph.node_data.get("bsa", np.full((graph.n_nodes, 1), np.nan, dtype=np.float32))
    return pd.DataFrame(
        {
            "chain": residues.chain[index],
            "res_seq": residues.res_seq[index].astype(int),
            "ins_code": residues.ins_code[index],
            "res_name": residues.res_name[index],
            "aa": residues.aa[index],
            "role": residues.role[index],
            "region": [vocabulary[int(c)] for c in codes[first, 0]],
            "bsa": bsa[first, 0].astype(float),
        },
        columns=INTERFACE_COLUMNS,
    )


def _cell_style(region: str) -> str:
    kind = region_kind(region)
    return f" style='background:{REGION_COLOURS[kind]}'" if kind != "other" else ""


def interface_html(residues: pd.DataFrame) -> str:
    """Interface residues per chain (residue, region, BSA in Å²), CDRs coloured, names escaped."""
    if residues.empty:
        return "<p>No interface residues for this item.</p>"
    blocks = []
    for chain, rows in residues.groupby("chain", sort=False):
        role = html.escape(str(rows["role"].iloc[0]))
        body = "".join(
            f"<tr class='iface-res'><td>{html.escape(f'{aa}{seq}{ins}'.strip())}</td>"
            f"<td{_cell_style(region)}>{html.escape(str(region))}</td><td>{area:.1f}</td></tr>"
            for aa, seq, ins, region, area in zip(
                rows["aa"],
                rows["res_seq"],
                rows["ins_code"],
                rows["region"],
                rows["bsa"],
                strict=True,
            )
        )
        blocks.append(
            f"<div class='interface-chain' data-chain='{html.escape(str(chain), quote=True)}'>"
            f"<b>Chain {html.escape(str(chain))}</b> ({role}): {len(rows)} residues, "
            f"BSA {np.nansum(rows['bsa']):.0f} Å²"
            "<table class='interface'><tr><th>residue</th><th>region</th><th>BSA (Å²)</th></tr>"
            f"{body}</table></div>"
        )
    return f"<div style='display:flex;gap:16px;align-items:flex-start'>{''.join(blocks)}</div>"
