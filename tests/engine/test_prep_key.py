"""The prep cache key covers the numbering that detects or checks chain roles."""

from __future__ import annotations

from pathlib import Path

import workbench.annotate.hmm as hmm
from workbench.engine.prep import PrepTask
from workbench.graph import GraphParams
from workbench.sources import iter_items
from workbench.structure import parse_chain_spec


def test_an_anarci_or_hmm_change_changes_the_prep_key(complexes_dir: Path, monkeypatch) -> None:
    (item,) = iter_items([complexes_dir / "1VFB.pdb"])
    task = PrepTask(GraphParams(voronota=False), None, True, False)
    declared = parse_chain_spec("B", "A", "C")
    keys = {spec: task.key(item, spec).digest for spec in (None, declared)}
    assert keys == {spec: task.key(item, spec).digest for spec in (None, declared)}
    monkeypatch.setattr(hmm, "NUMBERING_SOFTWARE", "anarci-9.9/pyhmmer-9.9")
    upgraded = {spec: task.key(item, spec).digest for spec in (None, declared)}
    monkeypatch.setattr(hmm, "_CHECKSUM", "0" * 64)
    new_hmms = {spec: task.key(item, spec).digest for spec in (None, declared)}
    for spec in (None, declared):
        assert len({keys[spec], upgraded[spec], new_hmms[spec]}) == 3
