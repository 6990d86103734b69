"""The embedded reference server implementing the whole API on loopback.

The names below load on first use (PEP 562): the command line reads the defaults of the sandbox's
flags from its light submodules on every start, the desktop app included, and must not pay for
Starlette, uvicorn and cryptography until a sandbox really runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Sandbox, SandboxConfig
    from .faults import Faults
    from .server import SandboxThread

__all__ = ["Faults", "Sandbox", "SandboxConfig", "SandboxThread"]

_HOMES = {"Sandbox": ".app", "SandboxConfig": ".app", "Faults": ".faults", "SandboxThread": ".server"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value
