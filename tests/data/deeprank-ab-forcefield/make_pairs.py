"""Writes pairs.json: DeepRank-Ab's own compute_nonbonded on real atoms of 1VFB (see README.md).

Usage: ``python make_pairs.py DEEPRANK_AB_REPO PDB > pairs.json``, with DEEPRANK_AB_REPO a
checkout of evalkov/DeepRank-Ab at e6fd5c19 and PDB ``tests/data/complexes/1VFB.pdb``.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np

ANTIGEN = "C"
RESIDUES = range(124, 130)  # antigen C 124-129: ILE ARG GLY CYS ARG LEU, LEU 129 holds OXT
CONTACT = 6.0  # Å: antibody residues with an atom this close to those residues join the set


def atoms(pdb: Path) -> list[dict]:
    """Atoms of the antigen's last residues and the antibody residues near them, first altloc."""
    rows = []
    for line in pdb.read_text().splitlines():
        if line.startswith("ATOM") and line[16] in " A":
            xyz = [float(line[k : k + 8]) for k in (30, 38, 46)]
            rows.append({"chain": line[21], "res_seq": int(line[22:26]), "res_name": line[17:20],
                         "atom_name": line[12:16].strip(), "pos": xyz})  # fmt: skip
    core = [r for r in rows if r["chain"] == ANTIGEN and r["res_seq"] in RESIDUES]
    core_xyz = np.array([r["pos"] for r in core])
    near = {
        (r["chain"], r["res_seq"])
        for r in rows
        if r["chain"] != ANTIGEN and np.linalg.norm(core_xyz - r["pos"], axis=1).min() < CONTACT
    }
    return core + [r for r in rows if (r["chain"], r["res_seq"]) in near]


def main(repo: str, pdb: str) -> None:
    """Print the atoms and, for every pair closer than 6 Å, their distance, elec and vdw."""
    sys.path.insert(0, str(Path(repo) / "src"))
    contacts = importlib.import_module("tools.contacts_dr2")
    chosen = atoms(Path(pdb))
    names = {}
    for a in chosen:
        names.setdefault((a["chain"], a["res_seq"]), []).append(a["atom_name"])
    records = [
        contacts.Atom(a["chain"], a["res_name"], str(a["res_seq"]), a["atom_name"],
                      names[(a["chain"], a["res_seq"])], np.array(a["pos"]))
        for a in chosen
    ]  # fmt: skip
    ff = contacts.AtomicForcefield(contacts.FF_DIR)
    dist, elec, vdw = contacts.compute_nonbonded(records, ff)
    i, j = np.nonzero(np.triu(dist < CONTACT, 1))
    for a in chosen:
        a["c_terminal"] = "OXT" in names[(a["chain"], a["res_seq"])]
    out = {
        "atoms": chosen,
        "pairs": {"i": i.tolist(), "j": j.tolist(), "distance": dist[i, j].tolist(),
                  "elec": elec[i, j].tolist(), "vdw": vdw[i, j].tolist()},
    }  # fmt: skip
    json.dump(out, sys.stdout, indent=None)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
