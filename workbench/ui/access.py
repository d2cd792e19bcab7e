"""Who may use a served app: this machine only, unless the operator opens it on purpose.

``panel serve`` listens on every interface unless given ``--address``; the app itself therefore
answers only loopback clients, and others see why, until ``WORKBENCH_ALLOW_REMOTE=1`` is set.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable

import panel as pn

__all__ = ["ALLOW_REMOTE", "client_ip", "is_local", "local_only"]

ALLOW_REMOTE = "WORKBENCH_ALLOW_REMOTE"


def is_local(ip: str | None) -> bool:
    """Whether a client address is this machine (no address: not served, e.g. a notebook)."""
    if not ip:
        return True
    try:
        return ipaddress.ip_address(ip.split("%")[0]).is_loopback
    except ValueError:
        return False


def client_ip() -> str | None:
    """The address of the client of the current Panel session, when served."""
    context = getattr(pn.state.curdoc, "session_context", None)
    request = getattr(context, "request", None)
    return getattr(request, "remote_ip", None)


def local_only(
    build: Callable[[], pn.viewable.Viewable], ip: str | None = None
) -> pn.viewable.Viewable:
    """The app for a loopback client (or any client when allowed), else a refusal."""
    ip = client_ip() if ip is None else ip
    if is_local(ip) or os.environ.get(ALLOW_REMOTE) == "1":
        return build()
    return pn.pane.Alert(
        f"This workbench answers only its own machine; {ip} is not. The operator can open it "
        f"with {ALLOW_REMOTE}=1 and panel serve --address 0.0.0.0 --allow-websocket-origin HOST.",
        alert_type="warning",
    )
