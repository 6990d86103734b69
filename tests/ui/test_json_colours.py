"""JSON syntax colours come from the theme, follow a scheme switch while an answer is shown, and read
at 4.5:1 (WCAG AA) on the editor's background in both schemes."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from test_endpoint_console import _colours
from test_endpoint_panels import TIMEOUT_MS, make_panel, send_and_wait
from test_theme import contrast

from qrlogin_desktop.ui import theme
from qrlogin_desktop.ui.app import create_app
from qrlogin_desktop.ui.widgets.json_highlight import KINDS, kind_color_name
from qrlogin_desktop.ui.widgets.json_view import HIGHLIGHT_LIMIT, JsonView

SWITCHES = [(theme.LIGHT, theme.DARK), (theme.DARK, theme.LIGHT)]


@pytest.fixture(autouse=True)
def _back_to_light():
    create_app([])
    yield
    theme.install(theme.LIGHT)


def _kind_colours(scheme: theme.Scheme) -> dict[str, str]:
    return {kind: theme.color(kind_color_name(kind), scheme).name() for kind in KINDS}


def _answer_and_body(qtbot, ctx):
    """A body page (its editor coloured) after a real call on the sandbox (its answer coloured)."""
    panel = make_panel(qtbot, ctx, "MsgSecCheck")
    send_and_wait(qtbot, panel)
    return panel, (panel.response.json_view, panel.editor.edit)


@pytest.mark.parametrize(("first", "then"), SWITCHES)
def test_a_scheme_switch_colours_the_shown_answer_and_the_body_again(qtbot, ctx, first, then):
    theme.install(first)
    _panel, edits = _answer_and_body(qtbot, ctx)
    before = _kind_colours(theme.current())
    theme.install(then)
    after = _kind_colours(theme.current())
    for edit in edits:
        qtbot.waitUntil(lambda edit=edit: not set(before.values()) & _colours(edit), timeout=TIMEOUT_MS)
        shown = _colours(edit)
        assert {after["key"], after["string"], after["number"]} <= shown, (edit.objectName(), shown)


@pytest.mark.parametrize(("first", "then"), SWITCHES)
def test_the_colours_shown_read_at_4_5_to_1_on_the_editors_background(qtbot, ctx, first, then):
    theme.install(first)
    panel, edits = _answer_and_body(qtbot, ctx)
    theme.install(then)
    background = theme.palette(theme.current()).color(QPalette.ColorRole.Base)
    qtbot.waitUntil(lambda: panel.response.json_view.settled and not panel.editor.highlighter.recolouring,
                    timeout=TIMEOUT_MS)
    for edit in edits:
        qtbot.waitUntil(lambda edit=edit: edit.palette().color(QPalette.ColorRole.Base) == background)
        shown = _colours(edit)
        assert len(shown) >= 3, shown
        ratios = {name: round(contrast(QColor(name), background), 2) for name in shown}
        assert all(ratio >= 4.5 for ratio in ratios.values()), (edit.objectName(), background.name(), ratios)
    for scheme in theme.Scheme:  # the whole table, shown or not
        base = theme.palette(scheme).color(QPalette.ColorRole.Base)
        for kind, name in _kind_colours(scheme).items():
            assert contrast(QColor(name), base) >= 4.5, (scheme, kind, name)


def test_a_big_answer_is_coloured_again_in_slices_to_its_last_line(qtbot, ctx):
    theme.install(theme.LIGHT)
    view = JsonView(ctx.run)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    value = {"items": [{"id": i, "name": f"item {i}", "ok": True} for i in range(4000)]}
    view.show_value(value)
    qtbot.waitUntil(lambda: view.settled, timeout=TIMEOUT_MS)
    assert len(view.toPlainText()) <= HIGHLIGHT_LIMIT  # coloured at all
    theme.install(theme.DARK)
    assert not view.settled  # the switch did a first slice and left the rest to later turns
    qtbot.waitUntil(lambda: view.settled, timeout=30_000)
    dark = _kind_colours(theme.Scheme.DARK)
    last_item = view.document().lastBlock()
    while '"ok"' not in last_item.text():
        last_item = last_item.previous()
    assert {dark["key"], dark["literal"]} <= {fmt.format.foreground().color().name()
                                              for fmt in last_item.layout().formats()}
