"""A 3D view of one item: the complex as cartoon with its CDRs coloured by region and its
interface residues as sticks; hovering an atom names its chain, residue, region and BSA.

Drawn by 3Dmol.js, bundled in workbench/ui/static (see its README) and inlined into an iframe's
``srcdoc``: the page loads nothing from the network, so the view works offline. The structure is
the item's merged PDB when the run wrote one (``--write-merged``), else its member re-read from
the source file (checked against the recorded checksum).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from workbench.record import RunLayout
from workbench.sources import Item, read_input
from workbench.ui.interface import REGION_COLOURS, region_kind

__all__ = ["StructureText", "item_structure", "residue_key", "viewer_html"]

ANTIBODY_COLOUR = "#a9bfd9"
ANTIGEN_COLOUR = "#d8c99b"
_HEIGHT = 420
_SCRIPT = """
const data = JSON.parse(document.getElementById('wb-data').textContent);
const key = a => a.chain + ':' + a.resi + (a.icode || '').trim();
const colour = a => data.colours[data.regions[key(a)]]
  || (data.antigen.includes(a.chain) ? data.antigenColour : data.antibodyColour);
const viewer = $3Dmol.createViewer(document.getElementById('viewer'), {backgroundColor: 'white'});
viewer.addModel(data.text, data.fmt);
viewer.setStyle({}, {cartoon: {colorfunc: colour}});
viewer.setStyle({resn: ['HOH', 'WAT']}, {});
viewer.addStyle({predicate: a => key(a) in data.iface},
  {stick: {radius: 0.2, colorscheme: 'default'}});
viewer.setHoverable({}, true, (atom, v) => {
  if (atom.label) return;
  const k = key(atom), info = data.iface[k];
  const text = 'chain ' + atom.chain + ' ' + atom.resn + ' ' + atom.resi + (atom.icode || '').trim()
    + ' · ' + (data.regions[k] || data.names[k] || 'framework/other')
    + (info == null ? '' : ' · BSA ' + info.toFixed(1) + ' Å²');
  atom.label = v.addLabel(text, {position: atom, backgroundColor: '#333', fontSize: 12});
}, (atom, v) => { if (atom.label) { v.removeLabel(atom.label); delete atom.label; } });
viewer.zoomTo();
viewer.render();
document.body.dataset.drawn = 'yes';
"""


@dataclass(frozen=True, slots=True)
class StructureText:
    """One structure's coordinates as text and their format ("pdb" or "mmcif")."""

    text: str
    fmt: str


def residue_key(chain: str, res_seq: int, ins_code: str | None) -> str:
    """The key the viewer gives an atom's residue: chain, number and insertion code."""
    return f"{chain}:{int(res_seq)}{(ins_code or '').strip()}"


@cache
def _library() -> str:
    return resources.files("workbench.ui").joinpath("static/3Dmol-min.js").read_text("utf-8")


def item_structure(run_dir: str | Path, row: pd.Series) -> StructureText | None:
    """The item's structure (``row`` from structures.parquet), or None when its source is gone
    or no longer holds that member with that checksum."""
    merged = RunLayout(Path(run_dir)).merged_pdb(str(row["item_id"]))
    if merged.is_file():
        return StructureText(merged.read_text(), "pdb")
    member = str(row.get("member") or "")
    for item in read_input(str(row["source"])):
        if isinstance(item, Item) and item.ref.member == member:
            if item.ref.checksum != row.get("checksum", item.ref.checksum):
                return None
            return StructureText(item.text, item.ref.fmt)
    return None


def viewer_html(
    structure: StructureText,
    regions: pd.DataFrame,
    interface: pd.DataFrame | None,
    antigen: str = "",
) -> str:
    """An iframe drawing ``structure`` with 3Dmol.js inlined: CDRs from the item's rows of
    regions.parquet coloured, ``interface`` residues (see ``interface_residues``) as sticks,
    the comma-separated ``antigen`` chains in their own colour."""
    cdrs, names = {}, {}
    for chain, seq, ins, region in zip(
        regions.get("chain", []),
        regions.get("res_seq", []),
        regions.get("ins_code", []),
        regions.get("region", []),
        strict=True,
    ):
        kind = region_kind(region)
        if kind != "other":
            cdrs[residue_key(chain, seq, ins)] = kind
        names[residue_key(chain, seq, ins)] = str(region)
    iface = {}
    if interface is not None:
        for chain, seq, ins, area in zip(
            interface["chain"],
            interface["res_seq"],
            interface["ins_code"],
            interface["bsa"],
            strict=True,
        ):
            iface[residue_key(chain, seq, ins)] = None if pd.isna(area) else float(area)
    data = {
        "text": structure.text,
        "fmt": "cif" if structure.fmt == "mmcif" else "pdb",
        "regions": cdrs,
        "names": names,
        "iface": iface,
        "colours": REGION_COLOURS,
        "antigen": [c for c in str(antigen or "").split(",") if c],
        "antigenColour": ANTIGEN_COLOUR,
        "antibodyColour": ANTIBODY_COLOUR,
    }
    payload = json.dumps(data).replace("</", "<\\/")
    library = _library().replace("</script", "<\\/script")
    document = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        "<body style='margin:0'>"
        f"<div id='viewer' style='position:relative;width:100%;height:{_HEIGHT}px'></div>"
        f"<script type='application/json' id='wb-data'>{payload}</script>"
        f"<script>{library}</script><script>{_SCRIPT}</script></body></html>"
    )
    return (
        f"<iframe class='structure-3d' title='3D view' srcdoc=\"{html.escape(document)}\" "
        f"style='width:100%;height:{_HEIGHT + 8}px;border:1px solid #ddd'></iframe>"
    )
