"""The served app answers this machine only, unless the operator opens it."""

from __future__ import annotations

import panel as pn
import pytest

from workbench.ui import is_local, local_only


@pytest.mark.parametrize(
    ("ip", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("127.8.9.10", True),
        (None, True),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("2001:db8::1", False),
        ("not an ip", False),
    ],
)
def test_loopback_addresses_are_local(ip, local):
    assert is_local(ip) is local


def test_a_remote_client_gets_a_refusal_until_allowed(monkeypatch):
    built = []

    def build():
        built.append(True)
        return pn.pane.Markdown("the app")

    monkeypatch.delenv("WORKBENCH_ALLOW_REMOTE", raising=False)
    refused = local_only(build, ip="192.168.1.20")
    assert isinstance(refused, pn.pane.Alert) and "192.168.1.20" in refused.object
    assert built == []
    assert local_only(build, ip="127.0.0.1").object == "the app"
    monkeypatch.setenv("WORKBENCH_ALLOW_REMOTE", "1")
    assert local_only(build, ip="192.168.1.20").object == "the app"
