"""Model resolution: checkpoint files of any name, the hub cache, random weights, clear misses."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import torch

from workbench.embed.models import (
    ModelError,
    ModelNotFoundError,
    UntrainedModelWarning,
    load_model,
)


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    return tmp_path / "checkpoints"


def test_checkpoint_file_with_any_name_loads_the_same_weights(tiny_esm, tiny_checkpoint):
    loaded = load_model(str(tiny_checkpoint))
    assert loaded.weights_checksum == hashlib.sha256(tiny_checkpoint.read_bytes()).hexdigest()
    assert not loaded.untrained
    assert (loaded.num_layers, loaded.embed_dim) == (2, 32)
    ours = loaded.model.state_dict()
    for name, value in tiny_esm.state_dict().items():
        if not name.startswith("contact_head.regression"):
            assert torch.equal(ours[name], value), name


def test_regression_file_beside_the_checkpoint_is_used(tiny_esm, tmp_path, hub_format):
    body, regression = hub_format(tiny_esm)
    torch.save(body, tmp_path / "weights.pt")
    torch.save(regression, tmp_path / "weights-contact-regression.pt")
    loaded = load_model(str(tmp_path / "weights.pt"))
    assert torch.equal(
        loaded.model.contact_head.regression.weight, tiny_esm.contact_head.regression.weight
    )


def test_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"no checkpoint file at .*nowhere\.pt"):
        load_model(str(tmp_path / "nowhere.pt"))


def test_missing_hub_model_says_where_and_how(hub_dir):
    with pytest.raises(ModelNotFoundError) as info:
        load_model("esm2_t33_650M_UR50D")
    message = str(info.value)
    assert str(hub_dir / "esm2_t33_650M_UR50D.pt") in message
    assert "--model PATH" in message and "dl.fbaipublicfiles.com" in message


def test_unknown_name_lists_the_choices():
    with pytest.raises(ModelError, match="esm2_t6_8M_UR50D"):
        load_model("esm3_large")


def test_a_pickled_object_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"model": {}, "cfg": datetime.date(2024, 1, 1)}, path)
    with pytest.raises(ModelError, match="weights-only"):
        load_model(str(path))


def test_auto_takes_the_hub_checkpoint(hub_dir, tiny_checkpoint):
    (hub_dir / "esm2_t6_8M_UR50D.pt").write_bytes(tiny_checkpoint.read_bytes())
    loaded = load_model("auto")
    assert loaded.name == "esm2_t6_8M_UR50D" and not loaded.untrained
    assert loaded.embed_dim == 32


def test_auto_without_checkpoints_falls_back_with_a_warning(hub_dir):
    with pytest.warns(UntrainedModelWarning, match="random weights"):
        loaded = load_model("auto", seed=3)
    assert loaded.untrained and loaded.weights_checksum == "random:esm2_t6_8M_UR50D:3"
    assert (loaded.num_layers, loaded.embed_dim) == (6, 320)


def test_random_weights_follow_the_seed():
    a, b = load_model("random:custom_t2_d32_h4", 1), load_model("random:custom_t2_d32_h4", 1)
    c = load_model("random:custom_t2_d32_h4", 2)
    wa, wb, wc = (m.model.embed_tokens.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)
    assert a.untrained and a.weights_checksum == "random:custom_t2_d32_h4:1"


def test_layers_resolve_from_the_end():
    loaded = load_model("random:custom_t2_d32_h4")
    assert loaded.resolve_layers((-1, 0, 1, -3)) == (2, 0, 1, 0)
    with pytest.raises(ValueError, match="layer 3 does not exist"):
        loaded.resolve_layers((3,))


def test_the_module_is_built_on_first_use_with_the_identity_it_announced(tiny_checkpoint):
    for loaded in (load_model("random:esm2_t6_8M_UR50D"), load_model(str(tiny_checkpoint))):
        assert not loaded.built
        announced = (loaded.num_layers, loaded.embed_dim)
        module = loaded.model
        assert loaded.built and loaded.model is module
        assert (module.num_layers, module.embed_dim) == announced
        assert not module.training and not any(p.requires_grad for p in module.parameters())


def test_a_checkpoint_whose_weights_do_not_fit_fails_naming_the_file(
    tiny_esm, tmp_path, hub_format
):
    body, _ = hub_format(tiny_esm)
    body["cfg"]["model"].encoder_embed_dim = 48  # the tensors are 32 wide
    torch.save(body, tmp_path / "mislabelled.pt")
    loaded = load_model(str(tmp_path / "mislabelled.pt"))
    assert loaded.embed_dim == 48
    with pytest.raises(ModelError, match=r"mislabelled\.pt.*not a loadable ESM-2"):
        _ = loaded.model
