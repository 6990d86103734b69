"""httpx and httpcore, loaded without the optional extras they probe for.

Both import more when it happens to be installed: httpx its command-line client (click, rich,
pygments), httpcore trio's event loop support - together 150-250 ms, on the path to the GUI's first
usable page, in a developer's environment (selenium pulls trio in). Our client runs on asyncio
and never uses httpx's command line, so those imports are refused while the two load: start-up
costs the same whatever else is installed, as in the packaged app, which leaves them out.
"""

from __future__ import annotations

import sys

# Modules httpx/httpcore import inside ``try: ... except ImportError`` only.
OPTIONAL_EXTRAS = ("trio", "httpx._main")


def _load() -> None:
    if "httpx" in sys.modules and "httpcore" in sys.modules:
        return
    blocked = [name for name in OPTIONAL_EXTRAS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        import httpcore  # noqa: F401  # httpx would import it on its first client
        import httpx  # noqa: F401
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]  # someone who wants trio later can still import it


_load()

import httpx  # noqa: E402  # loaded above; this only binds the name

__all__ = ["httpx"]
