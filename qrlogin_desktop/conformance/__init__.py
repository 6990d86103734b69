"""The operator's test bench: a conformance check of any server against the contract (no Qt).

The suite is derived from what the project already knows - the catalogue's rules at their boundaries
(:mod:`.boundaries`), the contract's session lifecycle table cell by cell (:mod:`.lifecycle`), the
envelope decoder, the image endpoints and the JS-SDK signature (:mod:`.suite`) - and run by
:mod:`.runner` through a :class:`~.probe.Probe` (the API client, redacted, every call bounded).
Results (:mod:`.model`) go to the terminal, JUnit XML or a self-contained HTML page (:mod:`.reports`).
``qrlogin-desktop check`` and the app's Test bench page run the same suite.
"""
