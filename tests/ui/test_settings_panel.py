"""Profiles: secrets go to the keyring, never the config file; warnings; import/export; language."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QFileDialog, QMessageBox

from qrlogin_desktop.ui.panels.settings import SettingsPanel

SECRET = "profile-bearer-credential-0123456789"


def _new_profile(qtbot, panel: SettingsPanel, url: str) -> None:
    panel.new_button.click()
    panel.name.setText("Staging")
    panel.base_url.setText(url)
    panel.app_key.setText("staging-app")
    qtbot.keyClicks(panel.credential, SECRET)


def test_saved_profile_keeps_credential_in_keyring_only(qtbot, keyring_ctx, tmp_path):
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    _new_profile(qtbot, panel, "https://staging.example.com")
    panel.save_button.click()
    qtbot.waitUntil(lambda: keyring_ctx.profiles.path.exists(), timeout=5000)
    profile = keyring_ctx.profiles.find("Staging")
    assert profile is not None and profile.app_key == "staging-app"
    text = keyring_ctx.profiles.path.read_text(encoding="utf-8")
    assert SECRET not in text and "Staging" in text
    assert keyring_ctx.token_store.get_credential(profile.id) == SECRET

    # Export carries profiles but never the credential; import gives them new ids.
    target = tmp_path / "export.json"
    panel._editing = profile
    from unittest import mock

    with mock.patch.object(QFileDialog, "getSaveFileName", return_value=(str(target), "")):
        panel.export_button.click()
    qtbot.waitUntil(target.exists, timeout=5000)
    exported = target.read_text(encoding="utf-8")
    assert "staging-app" in exported and SECRET not in exported
    assert [p["name"] for p in json.loads(exported)["profiles"]] == ["Staging"]
    with mock.patch.object(QFileDialog, "getOpenFileName", return_value=(str(target), "")):
        panel.import_button.click()
    qtbot.waitUntil(lambda: sum(p.name == "Staging" for p in keyring_ctx.profiles.profiles) == 2, timeout=5000)
    ids = {p.id for p in keyring_ctx.profiles.profiles if p.name == "Staging"}
    assert len(ids) == 2

    # Deleting asks first and removes the credential too.
    panel._load(profile)
    with mock.patch.object(QMessageBox, "question", return_value=QMessageBox.StandardButton.Yes):
        panel.delete_button.click()
    qtbot.waitUntil(lambda: keyring_ctx.token_store.get_credential(profile.id) is None, timeout=5000)
    assert keyring_ctx.profiles.get(profile.id) is None


def test_plain_http_warning_only_for_remote_hosts(qtbot, ctx):
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    _new_profile(qtbot, panel, "http://api.example.com")
    assert panel.http_warning.isVisible()
    panel.base_url.setText("http://127.0.0.1:8000")
    assert not panel.http_warning.isVisible()
    panel.base_url.setText("https://api.example.com")
    assert not panel.http_warning.isVisible()


def test_invalid_profile_is_refused_with_field_names(qtbot, ctx):
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    _new_profile(qtbot, panel, "ftp://nowhere")
    panel.payload_template.setText("no key here")
    panel.save_button.click()
    assert panel.banner.isVisible()
    assert "base_url" in panel.banner.text and "payload_template" in panel.banner.text
    assert not ctx.profiles.path.exists()  # nothing half-saved
