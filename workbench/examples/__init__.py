"""Real complexes bundled with the package, so a new user can run the workbench at once."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DESIGNS", "EXAMPLES_DIR", "example_manifest", "example_paths"]

DEMO_DESIGNS = 160  # design models in the demo campaign (workbench.examples.campaign)

EXAMPLES_DIR = Path(__file__).resolve().parent


def example_paths() -> list[Path]:
    """The bundled PDB files, sorted."""
    return sorted(EXAMPLES_DIR.glob("*.pdb"))


def example_manifest() -> Path:
    """The chain manifest (cases.tsv) of the bundled files."""
    return EXAMPLES_DIR / "cases.tsv"
