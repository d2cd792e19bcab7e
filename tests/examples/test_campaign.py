"""The demo campaign: seeded design models of a real complex, made once, read like any input."""

from __future__ import annotations

import numpy as np

from workbench.cli import build_parser, config_from_args
from workbench.examples import EXAMPLES_DIR, example_paths
from workbench.examples.campaign import CAMPAIGN_SETTINGS, campaign_values, demo_campaign
from workbench.examples.design import DesignPlan, design_models
from workbench.sources import iter_quiver
from workbench.structure import load_manifest

TEMPLATE = EXAMPLES_DIR / "1VFB.pdb"
PLAN = DesignPlan(designed_chain="B", antigen_chains=("C",))


def _atoms(text: str) -> dict[tuple[str, str, str], np.ndarray]:
    out = {}
    for line in text.splitlines():
        if line.startswith(("ATOM", "HETATM")):
            key = (line[21], line[22:27], line[12:16].strip())
            out[key] = np.array([float(line[c : c + 8]) for c in (30, 38, 46)])
    return out


def _residue_names(text: str, chain: str) -> dict[str, str]:
    return {line[22:27]: line[17:20] for line in text.splitlines() if line[21:22] == chain}


def test_designs_mutate_the_interface_and_move_the_antigen_rigidly():
    template = TEMPLATE.read_text()
    before = _atoms(template)
    names = _residue_names(template, "B")
    models = list(design_models(TEMPLATE, PLAN, 6, seed=3))
    assert [tag for tag, _ in models] == [f"design_{k:06d}" for k in range(6)]
    assert models == list(design_models(TEMPLATE, PLAN, 6, seed=3))  # seeded
    heavy_sequences = set()
    for _, text in models:
        after = _atoms(text)
        antigen = [k for k in before if k[0] == "C"]
        old = np.array([before[k] for k in antigen])
        new = np.array([after[k] for k in antigen])
        assert not np.allclose(old, new, atol=1e-3)  # the antigen moved ...
        spread_old = np.linalg.norm(old - old[0], axis=1)
        spread_new = np.linalg.norm(new - new[0], axis=1)
        np.testing.assert_allclose(spread_new, spread_old, atol=2e-3)  # ... as one body
        light = [k for k in before if k[0] == "A"]
        assert all(np.array_equal(before[k], after[k]) for k in light)
        mutated = {r for r, name in _residue_names(text, "B").items() if name != names[r]}
        assert 1 <= len(mutated) <= PLAN.mutations
        for residue in mutated:  # a backbone model of the new residue
            kept = {k[2] for k in after if k[:2] == ("B", residue)}
            assert kept <= {"N", "CA", "C", "O", "CB"} and {"N", "CA", "C"} <= kept
        heavy_sequences.add(tuple(sorted(_residue_names(text, "B").items())))
    assert len(heavy_sequences) == len(models)


def test_campaign_is_made_once_and_names_its_chains(tmp_path):
    first = demo_campaign(tmp_path, n_designs=5)
    archive = first.inputs[-1]
    stamp = archive.stat().st_mtime_ns
    again = demo_campaign(tmp_path, n_designs=5)
    assert again == first and archive.stat().st_mtime_ns == stamp
    assert first.inputs[:-1] == tuple(example_paths())
    assert len(list(iter_quiver(archive))) == 5
    manifest = load_manifest(first.manifest)
    assert manifest.spec_for(archive).heavy == "B"
    assert manifest.spec_for(EXAMPLES_DIR / "4Y7M.pdb").light is None


def test_campaign_settings_fill_only_what_the_user_left_at_default(tmp_path):
    values = campaign_values({"devices": "cpu", "token_budget": None}, tmp_path)
    assert values["devices"] == "cpu"  # the user's choice stands
    assert values["model"] == CAMPAIGN_SETTINGS["model"]
    assert values["token_budget"] == CAMPAIGN_SETTINGS["token_budget"]
    assert len(values["inputs"]) == 4


def test_cli_demo_campaign_builds_its_config(tmp_path):
    args = build_parser().parse_args(
        ["run", "--demo", "campaign", "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path)]
    )
    config = config_from_args(args)
    assert config.embed.devices == "sim:1.0,sim:0.5" and config.embed.sim_token_seconds
    assert config.inputs[-1].endswith(".qv") and config.manifest.endswith("manifest.tsv")
    plain = config_from_args(build_parser().parse_args(["run", "--demo", "--out", "o"]))
    assert plain.inputs == tuple(str(p) for p in example_paths())
