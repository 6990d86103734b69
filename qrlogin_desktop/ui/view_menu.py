"""View → Theme: System (the default), Light or Dark, applied at once and kept in the settings file."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu

from . import icons, theme
from .context import AppContext
from .widgets.language import Retranslating


class ViewMenu(Retranslating, QMenu):
    def __init__(self, window: QMainWindow, ctx: AppContext):
        super().__init__(window)
        self.ctx = ctx
        self._window = window
        self.setObjectName("viewMenu")
        self.theme_menu = QMenu(self)
        self.theme_menu.setObjectName("themeMenu")
        icons.set_icon(self.theme_menu.menuAction(), "theme_system")
        self.addMenu(self.theme_menu)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self.theme_actions: dict[str, QAction] = {}
        current = ctx.profiles.settings.get(theme.SETTING, theme.SYSTEM)
        for choice in theme.CHOICES:
            action = QAction(self)
            action.setObjectName(f"theme_{choice}")
            action.setCheckable(True)
            action.setChecked(choice == current if current in theme.CHOICES else choice == theme.SYSTEM)
            icons.set_icon(action, f"theme_{choice}")
            action.triggered.connect(lambda _checked=False, c=choice: self.choose_theme(c))
            self._group.addAction(action)
            self.theme_menu.addAction(action)
            self.theme_actions[choice] = action
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("&View"))
        self.theme_menu.setTitle(self.tr("&Theme"))
        names = {theme.SYSTEM: self.tr("&System"), theme.LIGHT: self.tr("&Light"), theme.DARK: self.tr("&Dark")}
        for choice, action in self.theme_actions.items():
            action.setText(names[choice])

    def choose_theme(self, choice: str) -> None:
        self.theme_actions[choice].setChecked(True)
        theme.install(choice)
        if self.ctx.profiles.settings.get(theme.SETTING) == choice:
            return
        self.ctx.profiles.settings[theme.SETTING] = choice
        self.ctx.run_blocking(self.ctx.profiles.save, self._saved)

    def _saved(self, outcome) -> None:
        if not outcome.ok:  # the theme is applied all the same; say that it will not be remembered
            from .errors_text import describe_error  # its keystore errors load after the window is shown

            self._window.statusBar().showMessage(
                self.tr("Could not save the settings: {0}").format(describe_error(outcome.error)), 15000)
