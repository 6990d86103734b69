"""QR-flow load on Locust: the users an operator runs (``locustfile.py``), the run of Locust's own
headless runner with local workers (``run.py``) and the reading of its live CSV stats (``history.py``).

Locust is the optional ``load`` extra; nothing outside this package imports it, and importing
this package's ``__init__`` does not either (``qrlogin-desktop load --locustfile`` only prints a path).
"""

from __future__ import annotations

from pathlib import Path

LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
