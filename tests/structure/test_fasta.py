"""FASTA records: item|role|chain headers, sequences that read back through Biopython."""

from __future__ import annotations

import io

from Bio import SeqIO

from workbench.structure import fasta_records, merge, write_fasta


def test_headers_and_read_back(complexes_dir, item_of, case_specs):
    item = item_of(complexes_dir / "5HYS.pdb")
    complex = merge(item, case_specs["5HYS"])
    records = fasta_records(item.ref.item_id, complex)
    headers = [header for header, _ in records]
    prefix = item.ref.item_id
    assert headers == [
        f"{prefix}|heavy|C",
        f"{prefix}|light|D",
        f"{prefix}|antigen|J",
        f"{prefix}|antigen|K",
    ]
    assert [len(s) for _, s in records] == [c.stop - c.start for c in complex.chains]
    handle = io.StringIO()
    assert write_fasta(records, handle) == 4
    handle.seek(0)
    back = [(r.id, str(r.seq)) for r in SeqIO.parse(handle, "fasta")]
    assert back == records
    assert handle.getvalue().startswith(f">{prefix}|heavy|C\n")
