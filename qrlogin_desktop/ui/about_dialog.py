"""Help → About: the version, the Qt and Python it runs on, the licence, and where its data lives.

"Where does it keep my tokens?" is the question a support request starts with, so the dialog names
the configuration file and the keyring service (and, once the keyring answered, its backend, named in
the dialog's language; keyring's own description is the tooltip). Esc closes it, as any dialog.
"""

from __future__ import annotations

import platform
import sys

import PySide6
from PySide6.QtCore import QEvent, Qt, qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QMainWindow, QMenu, QVBoxLayout

from .. import __version__
from .context import AppContext
from .icon import app_icon
from .keyring_text import backend_text

LICENCE = "MIT"  # as pyproject.toml's [project] license; tests/ui/test_about_dialog.py holds them together


def versions() -> dict[str, str]:
    return {"app": __version__, "qt": qVersion(), "pyside": PySide6.__version__,
            "python": f"{platform.python_version()} ({platform.python_implementation()})"}


def frozen() -> bool:
    """True inside a packaged (PyInstaller) bundle."""
    return bool(getattr(sys, "frozen", False))


class AboutDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("aboutDialog")
        self.setWindowIcon(app_icon())
        self.icon = QLabel()
        self.icon.setPixmap(app_icon().pixmap(64, 64))
        self.title = QLabel()
        self.title.setObjectName("aboutTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.fields: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self._labels: dict[str, QLabel] = {}
        for key in ("version", "qt", "python", "licence", "config", "keyring", "backend"):
            value = QLabel()
            value.setObjectName(f"about_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            self._labels[key] = QLabel()
            self.form.addRow(self._labels[key], value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.icon, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.backend = None  # BackendFacts once the keyring answered
        self.backend_error: str | None = None
        self.retranslate()
        # The backend's facts may wait for D-Bus: ask on a worker, fill the line when it answers.
        ctx.run_blocking(ctx.token_store.backend_facts, self._backend_known)

    def _backend_known(self, outcome) -> None:
        if outcome.ok:
            self.backend = outcome.value
        else:
            self.backend_error = str(outcome.error)
        self._render_backend()

    def _render_backend(self) -> None:
        field = self.fields["backend"]
        if self.backend is not None:
            field.setText(backend_text(self.backend))
            field.setToolTip(self.backend.description)
        else:
            field.setText(self.backend_error or self.tr("asking the keyring…"))

    def retranslate(self) -> None:
        v = versions()
        self.setWindowTitle(self.tr("About qrlogin-desktop"))
        self.title.setText(self.tr("qrlogin-desktop {0}").format(v["app"]))
        labels = {"version": self.tr("Version"), "qt": self.tr("Qt"), "python": self.tr("Python"),
                  "licence": self.tr("Licence"), "config": self.tr("Configuration"),
                  "keyring": self.tr("Keyring entries"), "backend": self.tr("Keyring backend")}
        for key, text in labels.items():
            self._labels[key].setText(text)
        build = self.tr("packaged bundle") if frozen() else self.tr("Python package")
        self.fields["version"].setText(self.tr("{0} ({1})", "the version and how it is installed").format(v["app"], build))
        self.fields["qt"].setText(self.tr("Qt {0}, PySide6 {1}").format(v["qt"], v["pyside"]))
        self.fields["python"].setText(v["python"])
        self.fields["licence"].setText(LICENCE)
        self.fields["config"].setText(str(self.ctx.profiles.path))
        self.fields["keyring"].setText(self.tr("service “{0}” in the OS keyring (tokens, server credentials)")
                                       .format(self.ctx.token_store.service))
        self._render_backend()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class HelpMenu(QMenu):
    """The main window's Help menu; it retranslates itself, so the window only has to add it."""

    def __init__(self, window: QMainWindow, ctx: AppContext):
        super().__init__(window)
        self.setObjectName("helpMenu")
        self.ctx = ctx
        self.about_action = QAction(self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)  # macOS: the application menu's About
        self.about_action.triggered.connect(self.show_about)
        self.addAction(self.about_action)
        self.dialog: AboutDialog | None = None
        self.retranslate()

    def show_about(self) -> AboutDialog:
        if self.dialog is None:
            self.dialog = AboutDialog(self.ctx, self.parentWidget())
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About qrlogin-desktop"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def add_help_menu(window: QMainWindow, ctx: AppContext) -> HelpMenu:
    menu = HelpMenu(window, ctx)
    window.menuBar().addMenu(menu)
    return menu
