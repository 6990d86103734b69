"""``qrlogin-desktop tokens``' output goes to the sys.stdout of the call, not of the import.

This module imports :mod:`qrlogin_desktop.cli.tokens` at collection, long before the capture below
starts (as tests/test_secret_scan.py does): a ``out=sys.stdout`` default bound at import time would
write to the stream of that moment and the capture would see nothing."""

from __future__ import annotations

import contextlib
import io
import uuid

import pytest
from keyring_support import delete_service_items, secret_service

from qrlogin_desktop.cli import tokens
from qrlogin_desktop.storage.keystore import TokenStore


@pytest.mark.keyring
def test_output_reaches_a_capture_that_started_after_the_import() -> None:
    service = f"qrlogin-test-{uuid.uuid4().hex}"
    store = TokenStore(backend=secret_service(), service=service, timeout=10)
    captured, captured_err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured_err):
            listed = tokens.list_tokens(store)
            shown = tokens.show_token(store, "1", reveal=False)
    finally:
        delete_service_items(service)
    assert listed == 0 and captured.getvalue() == "no stored tokens\n"
    assert shown == 1 and "no stored token matches '1'" in captured_err.getvalue()
