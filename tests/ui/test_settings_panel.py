"""Profiles: secrets go to the keyring, never the config file; warnings; import/export; language."""

from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QLineEdit, QMessageBox
from ui_support import in_chinese

from qrlogin_desktop.sandbox import Sandbox, SandboxConfig, SandboxThread
from qrlogin_desktop.ui.panels.settings import SettingsPanel
from qrlogin_desktop.ui.runner import Outcome

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


# --- the stored credential survives everything but "Remove credential" ------------------------------------


@pytest.fixture
def staging():
    """A real loopback sandbox that only accepts SECRET: a lost credential shows up as a 401."""
    running = SandboxThread(Sandbox(SandboxConfig(app_key="staging-app", token=SECRET))).start()
    yield running
    running.stop()


def _call_initiate(qtbot, ctx) -> Outcome:
    outcomes: list[Outcome] = []
    ctx.run(ctx.client.initiate(), outcomes.append)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=10_000)
    return outcomes[0]


def _use(qtbot, panel: SettingsPanel, profile_id: str) -> None:
    ctx = panel.ctx
    before = ctx.client
    panel.use_button.click()
    qtbot.waitUntil(lambda: ctx.client is not None and ctx.client is not before and ctx.profile.id == profile_id,
                    timeout=10_000)


def _saved_staging(qtbot, panel: SettingsPanel, url: str):
    _new_profile(qtbot, panel, url)
    panel.save_button.click()
    qtbot.waitUntil(lambda: panel.ctx.profiles.path.exists(), timeout=10_000)
    profile = panel.ctx.profiles.find("Staging")
    qtbot.waitUntil(lambda: panel.ctx.token_store.get_credential(profile.id) == SECRET, timeout=10_000)
    return profile


def test_use_this_profile_never_deletes_the_stored_credential(qtbot, keyring_ctx, staging):
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    profile = _saved_staging(qtbot, panel, staging.url)
    assert keyring_ctx.token_store.get_credential(profile.id) == SECRET

    for _ in range(3):  # once right after Save, then again and again on the saved profile
        _use(qtbot, panel, profile.id)  # returns once the new client exists: the save before it is done
        assert keyring_ctx.token_store.get_credential(profile.id) == SECRET
        outcome = _call_initiate(qtbot, keyring_ctx)
        assert outcome.ok, outcome.error  # not a 401: the client carries the stored credential


def test_stored_credential_is_shown_as_stored_not_loaded(qtbot, keyring_ctx, staging):
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    panel.show()
    profile = _saved_staging(qtbot, panel, staging.url)
    panel._load(None)
    panel._load(profile)
    qtbot.waitUntil(lambda: panel.credential_stored is True, timeout=10_000)
    assert panel.credential.text() == ""  # the secret never comes back into the form
    assert panel.credential_state.text() == "A credential is stored in the keyring."
    assert panel.replace_credential_button.isVisible() and panel.remove_credential_button.isVisible()
    assert all(SECRET not in w.text() for w in panel.findChildren(QLineEdit) + panel.findChildren(QLabel))

    # Replace: typing a new one and saving replaces it.
    panel.replace_credential_button.click()
    assert panel.credential.hasFocus()
    qtbot.keyClicks(panel.credential, "replacement-credential-0987654321")
    panel.save_button.click()
    qtbot.waitUntil(lambda: keyring_ctx.token_store.get_credential(profile.id)
                    == "replacement-credential-0987654321", timeout=10_000)
    qtbot.waitUntil(lambda: panel.credential_stored is True and panel.credential.text() == "", timeout=10_000)

    # Remove asks first; "No" keeps it.
    with mock.patch.object(QMessageBox, "question", return_value=QMessageBox.StandardButton.No) as asked:
        panel.remove_credential_button.click()
    assert asked.called
    qtbot.wait(200)
    assert keyring_ctx.token_store.get_credential(profile.id) == "replacement-credential-0987654321"
    with mock.patch.object(QMessageBox, "question", return_value=QMessageBox.StandardButton.Yes):
        panel.remove_credential_button.click()
    qtbot.waitUntil(lambda: panel.credential_stored is False, timeout=10_000)
    assert keyring_ctx.token_store.get_credential(profile.id) is None
    assert panel.credential_state.text() == "No credential is stored."
    assert not panel.remove_credential_button.isVisible()


def test_saving_with_an_empty_field_keeps_the_stored_credential(qtbot, keyring_ctx, staging):
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    profile = _saved_staging(qtbot, panel, staging.url)
    panel._load(profile)
    qtbot.waitUntil(lambda: panel.credential_stored is True, timeout=10_000)
    panel.timeout.setValue(7)
    saved = keyring_ctx.profiles.path.stat().st_mtime_ns
    panel.save_button.click()
    qtbot.waitUntil(lambda: keyring_ctx.profiles.path.stat().st_mtime_ns != saved, timeout=10_000)
    assert keyring_ctx.profiles.get(profile.id).timeout == 7
    assert keyring_ctx.token_store.get_credential(profile.id) == SECRET


def test_a_damaged_profiles_file_is_reported_once(qtbot, tmp_path, memory_store):
    from qrlogin_desktop.storage.profiles import ProfileStore
    from qrlogin_desktop.ui.context import AppContext
    from qrlogin_desktop.ui.main_window import MainWindow

    path = tmp_path / "config" / "profiles.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"profiles": [{"name": "Staging", "base_url": "https://s.example.com", "app_key": "k", '
                    '"timeout": "10"}], "active": null}', encoding="utf-8")
    ctx = AppContext(ProfileStore(path).load(), token_store=memory_store)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.profile_warning is not None and window.profile_warning.isVisible(),
                        timeout=5000)
        assert ".corrupt-" in window.profile_warning.informativeText()
        assert "timeout: must be a number" in window.profile_warning.detailedText()
        assert ctx.profiles.find("Staging") is not None  # what was valid is there
        window.profile_warning.close()
        again = MainWindow(ctx)
        qtbot.addWidget(again)
        again.show()
        qtbot.wait(100)
        assert again.profile_warning is None  # once
    finally:
        ctx.shutdown()


# --- texts in the UI's language, re-rendered on a switch ---------------------------------------------------


def _action_combos(panel: SettingsPanel) -> dict[str, QComboBox]:
    table = panel.code_table
    return {table.item(row, 0).text(): table.cellWidget(row, 1) for row in range(table.rowCount())}


def test_code_table_actions_are_words_in_both_languages(qtbot, ctx):
    from qrlogin_desktop.flow.policy import Action

    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    raw = {a.value for a in Action}
    combos = _action_combos(panel)
    assert combos["408"].currentText() == "Keep waiting"
    assert combos["500"].currentText() == "Retry with backoff"
    shown = {combo.itemText(i) for combo in combos.values() for i in range(combo.count())}
    assert not shown & raw, shown & raw  # never "retry", "rate_limited"…
    combos["500"].setCurrentIndex(combos["500"].findData(Action.STOP.value))
    assert panel.code_table.table() == {"500": "stop"}  # the stored value is still the Action's own
    with in_chinese():
        assert combos["408"].currentText() == "继续等待"
        assert combos["500"].currentText() == "停止并报错"
        assert combos["500"].accessibleName() == "业务码 500 的轮询处理方式"
    assert combos["500"].currentText() == "Stop with the error"
    assert panel.code_table.table() == {"500": "stop"}


@pytest.mark.keyring
def test_keyring_backend_is_named_in_the_ui_language(qtbot, keyring_ctx):
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.keyring_label.text() == "System keyring (Secret Service)", timeout=10_000)
    assert "SecretService" in panel.keyring_label.toolTip()  # keyring's own words stay, for support
    with in_chinese():
        assert panel.keyring_label.text() == "系统密钥环 (Secret Service)"


def test_a_shown_error_is_rendered_again_in_the_new_language(qtbot, ctx):
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    _new_profile(qtbot, panel, "ftp://nowhere")
    panel.save_button.click()
    english = panel.banner.text
    assert "base_url" in english and "URL" in english
    with in_chinese():
        assert "base_url" in panel.banner.text and "网址" in panel.banner.text
    assert panel.banner.text == english


# --- the embedded sandbox's real address; the stored credential on demand ---------------------------------


def _sandbox_profile(ctx):
    return next(p for p in ctx.profiles.profiles if p.embedded_sandbox)


def test_sandbox_profile_shows_its_real_address_read_only(qtbot, ctx):
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    sandbox = _sandbox_profile(ctx)
    panel._load(sandbox)
    url = ctx.connection.base_url
    assert panel.base_url.text() == url
    assert panel.base_url.text().startswith("http://127.0.0.1:")
    assert panel.app_key.text() == ctx.connection.app_key
    assert panel.base_url.isReadOnly() and panel.app_key.isReadOnly() and panel.base_url.isEnabled()
    panel.save_button.click()  # saving keeps the profile's own (empty) URL: the port changes every launch
    qtbot.waitUntil(lambda: ctx.profiles.path.exists(), timeout=10_000)
    assert ctx.profiles.get(sandbox.id).base_url == ""
    assert url not in ctx.profiles.path.read_text(encoding="utf-8")


def test_sandbox_credential_is_masked_until_revealed_and_can_be_copied(qtbot, ctx, caplog):
    from PySide6.QtGui import QGuiApplication

    caplog.set_level(logging.DEBUG)
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel._load(_sandbox_profile(ctx))
    token = ctx.connection.token
    assert token and panel.stored_credential.text() != token and token not in panel.stored_credential.text()
    assert panel.reveal_credential_button.isEnabled()
    panel.reveal_credential_button.click()
    assert panel.stored_credential.text() == token
    panel.reveal_credential_button.click()  # Hide
    assert token not in panel.stored_credential.text()
    QGuiApplication.clipboard().clear()
    panel.copy_credential_button.click()
    assert QGuiApplication.clipboard().text() == token
    assert panel.status_label.text() == "Credential copied to the clipboard."
    QGuiApplication.clipboard().clear()
    with in_chinese():
        assert panel.status_label.text() == "凭据已复制到剪贴板。"  # the confirmation follows the switch
    assert token not in caplog.text


@pytest.mark.keyring
def test_stored_credential_is_read_from_the_keyring_only_on_demand(qtbot, keyring_ctx, staging, caplog):
    from PySide6.QtGui import QGuiApplication

    caplog.set_level(logging.DEBUG)
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    panel.show()
    profile = _saved_staging(qtbot, panel, staging.url)
    panel._load(profile)
    qtbot.waitUntil(lambda: panel.credential_stored is True, timeout=10_000)
    assert SECRET not in panel.stored_credential.text()
    assert all(SECRET not in w.text() for w in panel.findChildren(QLineEdit) + panel.findChildren(QLabel))
    panel.reveal_credential_button.click()
    qtbot.waitUntil(lambda: panel.stored_credential.text() == SECRET, timeout=10_000)

    # Another profile: what was revealed is hidden again (and not re-read for it).
    panel._load(_sandbox_profile(keyring_ctx))
    panel._load(profile)
    assert not panel.reveal_credential_button.isChecked() and SECRET not in panel.stored_credential.text()

    QGuiApplication.clipboard().clear()
    qtbot.waitUntil(panel.copy_credential_button.isEnabled, timeout=10_000)
    panel.copy_credential_button.click()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == SECRET, timeout=10_000)
    QGuiApplication.clipboard().clear()
    assert SECRET not in caplog.text


def test_no_credential_means_nothing_to_reveal(qtbot, keyring_ctx):
    panel = SettingsPanel(keyring_ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.new_button.click()
    qtbot.waitUntil(lambda: panel.credential_stored is False, timeout=10_000)
    assert not panel.reveal_credential_button.isEnabled() and not panel.copy_credential_button.isEnabled()
    assert panel.stored_credential.text() == ""


# --- keyboard -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "payload_template", "timeout"])
def test_enter_in_a_form_field_saves_the_profile(qtbot, ctx, field):
    panel = SettingsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.new_button.click()  # no credential typed: this context's keyring is memory-only, which Save refuses
    panel.name.setText("Staging")
    panel.base_url.setText("https://staging.example.com")
    panel.app_key.setText("staging-app")
    panel.timeout.setValue(17)
    widget = getattr(panel, field)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctx.profiles.path.exists() and ctx.profiles.find("Staging") is not None
                    and "staging.example.com" in ctx.profiles.path.read_text(encoding="utf-8"), timeout=10_000)
    assert json.loads(ctx.profiles.path.read_text(encoding="utf-8"))["profiles"][-1]["timeout"] == 17
