"""Write reference values for the graph tests from other tools: freesasa's own PDB reader, voronota.

Run from the repository root: ``python tests/data/make_reference.py`` (needs freesasa and the
voronota program). It reads the real files in tests/data and writes ``bsa_reference.json``
and ``voronota_reference.json`` beside itself. Nothing here uses the workbench package.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import freesasa

HERE = Path(__file__).resolve().parent
DATA = HERE
# file (relative to tests/data), antibody chains, antigen chains; files without HETATM records
CASES = {
    "1VFB": ("complexes/1VFB.pdb", "AB", "C"),
    "deeprank_ab_example": ("structures-misc/deeprank_ab_example.pdb", "HL", "A"),
}
PARAMS = freesasa.Parameters(
    {"algorithm": freesasa.ShrakeRupley, "n-points": 100, "probe-radius": 1.4}
)


def _atom_lines(path: Path, chains: str) -> str:
    """ATOM records of the given chains."""
    lines = path.read_text().splitlines()
    return "\n".join(line for line in lines if line.startswith("ATOM") and line[21] in chains)


def _residue_sasa(text: str) -> dict[str, float]:
    """Total SASA per residue "chain:number" (number with insertion code) by freesasa."""
    with tempfile.NamedTemporaryFile("w", suffix=".pdb") as handle:
        handle.write(text + "\nEND\n")
        handle.flush()
        structure = freesasa.Structure(handle.name)
    areas = freesasa.calc(structure, PARAMS).residueAreas()
    return {
        f"{chain}:{number.strip()}": area.total
        for chain, residues in areas.items()
        for number, area in residues.items()
    }


def bsa_reference() -> dict[str, dict[str, float]]:
    """Per-residue BSA = SASA of the side alone − SASA in the complex."""
    out = {}
    for case, (name, antibody, antigen) in CASES.items():
        path = DATA / name
        complex_ = _residue_sasa(_atom_lines(path, antibody + antigen))
        alone = _residue_sasa(_atom_lines(path, antibody))
        alone.update(_residue_sasa(_atom_lines(path, antigen)))
        out[case] = {key: alone[key] - value for key, value in complex_.items()}
    return out


def voronota_reference() -> dict[str, list[list]]:
    """Antibody–antigen atom contact areas from voronota on the whole structure."""
    out = {}
    for case, (name, antibody, antigen) in CASES.items():
        text = _atom_lines(DATA / name, antibody + antigen) + "\nEND\n"
        balls = subprocess.run(
            ["voronota", "get-balls-from-atoms-file", "--annotated"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        contacts = subprocess.run(
            ["voronota", "calculate-contacts", "--annotated"],
            input=balls,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = []
        for line in contacts.splitlines():
            first, second, area = line.split()[:3]
            a, b = _atom_key(first), _atom_key(second)
            if a is None or b is None or (a[0] in antibody) == (b[0] in antibody):
                continue
            rows.append([*a, *b, float(area)])
        out[case] = rows
    return out


def _atom_key(annotation: str) -> list | None:
    """[chain, residue number, insertion code, atom name] from c<A>r<12>i<B>a<5>R<ALA>A<CA>."""
    if "A<" not in annotation:  # solvent contact
        return None
    fields = dict(part.split("<", 1) for part in annotation.rstrip(">").split(">"))
    return [fields["c"], int(fields["r"]), fields.get("i", ""), fields["A"]]


if __name__ == "__main__":
    (HERE / "bsa_reference.json").write_text(json.dumps(bsa_reference(), indent=1) + "\n")
    (HERE / "voronota_reference.json").write_text(json.dumps(voronota_reference()) + "\n")
