"""The embedded reference server implementing the whole API on loopback."""

from .app import Sandbox, SandboxConfig
from .faults import Faults
from .server import SandboxThread

__all__ = ["Faults", "Sandbox", "SandboxConfig", "SandboxThread"]
