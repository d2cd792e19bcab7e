"""Antibody-antigen structure workbench."""
