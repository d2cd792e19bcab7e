"""embeddings.h5: round trip, attributes, the all-or-nothing publish, and clear misses."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.output.embeddings import (
    EmbeddingWriter,
    read_embedding,
    read_embedding_attrs,
    read_mean,
)


def writer(path, untrained=True):
    return EmbeddingWriter(
        path,
        model="esm2_t6_8M_UR50D",
        weights_checksum="random:x:0",
        layers=[6],
        untrained=untrained,
    )


def test_round_trip_with_attributes(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(17, 8)).astype(np.float16)
    b = rng.normal(size=(3, 8)).astype(np.float32)
    path = tmp_path / "embeddings.h5"
    with writer(path) as out:
        out.add("hashA", a)
        out.add("hashB", b)
    got = read_embedding(path, "hashA")
    assert got.dtype == np.float16 and np.array_equal(got, a)
    assert read_embedding(path, "hashB").dtype == np.float16
    np.testing.assert_allclose(read_mean(path, "hashA"), a.astype(np.float64).mean(0), rtol=1e-5)
    attrs = read_embedding_attrs(path)
    assert attrs["model"] == "esm2_t6_8M_UR50D" and attrs["layers"] == [6]
    assert attrs["untrained"] is True and attrs["weights_checksum"] == "random:x:0"
    assert [p.name for p in tmp_path.iterdir()] == ["embeddings.h5"]


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    path = tmp_path / "embeddings.h5"
    with writer(path, untrained=False) as out:
        out.add("old", np.ones((2, 4), np.float16))
    with pytest.raises(RuntimeError), writer(path) as out:
        out.add("new", np.ones((2, 4), np.float16))
        raise RuntimeError("crash mid-run")
    assert read_embedding_attrs(path)["untrained"] is False
    with pytest.raises(KeyError, match="new"):
        read_embedding(path, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["embeddings.h5"]


def test_bad_shapes_and_duplicates_are_refused(tmp_path):
    out = writer(tmp_path / "e.h5")
    with pytest.raises(ValueError, match="shape"):
        out.add("x", np.ones(5))
    out.add("x", np.ones((1, 2)))
    with pytest.raises(ValueError, match="already"):
        out.add("x", np.ones((1, 2)))
    out.abort()
    assert not list(tmp_path.iterdir())
