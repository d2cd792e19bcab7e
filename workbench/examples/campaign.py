"""The demo campaign: the bundled complexes plus a few hundred seeded design models of one of them.

Three complexes finish in seconds on one device, which shows nothing of live rebalancing or of
the cache. The campaign adds interface-designed models of 1VFB (each with its own heavy chain
sequence, so annotation and embedding have real work) in one quiver archive, and runs them on two
simulated devices of different speed with random ESM-2 weights — the UI says both plainly.
The files are made on first use, under a folder named by their recipe, and reused after.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from workbench.examples import DEMO_DESIGNS, EXAMPLES_DIR, example_manifest, example_paths
from workbench.examples.design import DesignPlan, design_models
from workbench.fs import write_text_atomic

__all__ = [
    "CAMPAIGN_SETTINGS",
    "DEMO_DESIGNS",
    "DemoCampaign",
    "campaign_values",
    "demo_campaign",
]

"""Design models in the demo campaign, beside the bundled complexes."""

_TEMPLATE = "1VFB"
_PLAN = DesignPlan(designed_chain="B", antigen_chains=("C",))
_RECIPE = 1  # bump when the recipe changes, so old folders are not reused

CAMPAIGN_SETTINGS: dict[str, object] = {
    "devices": "sim:1.0,sim:0.5",
    "model": "random:esm2_t6_8M_UR50D",
    "token_budget": 1024,
    "sim_token_seconds": 0.0012,
    "voronota": False,
}
"""Run settings of the demo: two simulated devices (one half as fast) and random weights."""


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    """The campaign's inputs and the manifest naming their chains."""

    inputs: tuple[Path, ...]
    manifest: Path
    n_designs: int


def demo_campaign(root: Path, n_designs: int = DEMO_DESIGNS, seed: int = 0) -> DemoCampaign:
    """The campaign under ``root`` (made there on first use); the same files on later calls."""
    folder = Path(root) / f"demo-campaign-r{_RECIPE}-n{n_designs}-s{seed}"
    archive = folder / f"{_TEMPLATE}_designs.qv"
    manifest = folder / "manifest.tsv"
    if not (archive.is_file() and manifest.is_file()):
        from workbench.sources import write_quiver

        folder.mkdir(parents=True, exist_ok=True)
        template = EXAMPLES_DIR / f"{_TEMPLATE}.pdb"
        designs = design_models(template, _PLAN, n_designs, seed)
        write_quiver(archive, ((tag, text, {"design": k}) for k, (tag, text) in enumerate(designs)))
        write_text_atomic(manifest, _manifest_text(archive))
    return DemoCampaign((*example_paths(), archive), manifest, n_designs)


def campaign_values(values: dict[str, object], root: Path) -> dict[str, object]:
    """Run option values for the demo: its inputs and manifest, and :data:`CAMPAIGN_SETTINGS`
    wherever ``values`` leaves an option unset or at its default."""
    from workbench.record.config import RUN_OPTIONS

    defaults = {field.name: field.default for field in RUN_OPTIONS}
    campaign = demo_campaign(root)
    out = dict(values)
    out["inputs"] = tuple(str(path) for path in campaign.inputs)
    out["manifest"] = str(campaign.manifest)
    for name, value in CAMPAIGN_SETTINGS.items():
        if out.get(name, defaults[name]) == defaults[name]:
            out[name] = value
    return out


def _manifest_text(archive: Path) -> str:
    """The bundled cases' chains, and the template's chains for the archive of its designs."""
    from workbench.structure import load_manifest

    cases = load_manifest(example_manifest())
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["path", "heavy", "light", "antigen"])
    rows = [(str(path), path) for path in example_paths()]
    rows.append((archive.name, EXAMPLES_DIR / f"{_TEMPLATE}.pdb"))
    for name, case in rows:
        spec = cases.spec_for(case)
        writer.writerow([name, spec.heavy, spec.light or "-", ",".join(spec.antigen)])
    return out.getvalue()
