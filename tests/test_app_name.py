"""The application's name is declared once (``qrlogin_desktop.APP_NAME``) and used wherever it means
the application: folders, keyring service, desktop names, User-Agent, HAR creator, ``prog``."""

from __future__ import annotations

import ast
from pathlib import Path

from qrlogin_desktop import APP_NAME
from qrlogin_desktop.api.client import USER_AGENT
from qrlogin_desktop.flow.session import KEYRING_SERVICE_ENV, keyring_service
from qrlogin_desktop.storage import profiles, request_history
from qrlogin_desktop.storage.keystore import DEFAULT_SERVICE
from qrlogin_desktop.storage.keystore.service_lock import lock_path

PACKAGE = Path(__file__).resolve().parent.parent / "qrlogin_desktop"


def test_the_name_is_written_once_in_the_package():
    written = [f"{path.relative_to(PACKAGE)}:{node.lineno}"
               for path in sorted(PACKAGE.rglob("*.py"))
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and node.value == APP_NAME]
    assert written == ["__init__.py:9"]


def test_folders_and_keyring_service_are_named_after_it(monkeypatch, tmp_path):
    for env in ("QRLOGIN_CONFIG_DIR", "QRLOGIN_DATA_DIR", KEYRING_SERVICE_ENV):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert profiles.config_dir() == tmp_path / "config" / APP_NAME
    assert request_history.data_dir() == tmp_path / "data" / APP_NAME
    assert lock_path("x").is_relative_to(tmp_path / "cache" / APP_NAME)
    assert keyring_service() == DEFAULT_SERVICE == APP_NAME
    assert USER_AGENT == APP_NAME
