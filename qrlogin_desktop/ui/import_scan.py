"""PySide6's source scan of every import, switched off for this app.

Once PySide6.QtCore is loaded it wraps ``__import__`` and, after each new module, reads that module's
whole source (``inspect.getsource``) for the text "PySide6", to learn which modules may opt into its
``from __feature__ import snake_case, true_property`` switches (``shibokensupport/feature.py``,
PYSIDE-2029; napari#8584 measured the same tax). The desktop app imports its server and HTTP stacks
after Qt, some 400 modules, and the scan alone cost 80-100 ms of the time to a usable QR Login page.
Neither the app nor its dependencies use ``__feature__``, so every module now gets, without a file
read, the answer the scan gives a module that does not use PySide: "ignored by feature switching",
which changes nothing while no module selects a feature.

Private API: when a PySide6 release moves it, :func:`skip_feature_scan` does nothing and says so.
"""

from __future__ import annotations

import sys

FEATURE_MODULE = "shibokensupport.feature"


def _no_feature_use(_module: object) -> bool:
    return False


def skip_feature_scan() -> bool:
    """Answer PySide's per-import question without reading the module's source. True when applied."""
    import PySide6.QtCore  # noqa: F401  # installs the import hook and the module it calls

    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _no_feature_use
    return True
