"""The window's shortcuts, Help → About, and the Settings dialog's explanations and reset."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QMessageBox

from chatapp.settings import AppSettings
from chatapp.views.dialogs import AboutDialog, SettingsDialog


def _activate(app) -> None:
    app.window.activateWindow()
    app.qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=3000)


def test_ctrl_f_focuses_the_search_box(make_app):
    app = make_app()
    _activate(app)
    app.window.chat.input.setFocus()
    app.qtbot.keyClick(app.window.chat.input, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert app.window.sidebar.search.hasFocus()


def test_ctrl_comma_opens_the_settings(make_app):
    app = make_app()
    _activate(app)
    app.qtbot.keyClick(app.window.chat.input, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(app.window.dialog, SettingsDialog) and app.window.dialog.isVisible()


def test_delete_in_the_list_asks_then_deletes_the_selected_conversation(make_app):
    app = make_app()
    _activate(app)
    keep = app.controller.new_conversation("keep me")
    doomed = app.controller.new_conversation("delete me")
    app.window.refresh_list()
    app.window.sidebar.select(doomed)
    app.window.sidebar.list.setFocus()
    app.qtbot.keyClick(app.window.sidebar.list, Qt.Key.Key_Delete)
    box = app.window.dialog
    assert isinstance(box, QMessageBox) and "delete me" in box.text()
    assert app.store.has_conversation(doomed)  # nothing happens before the answer
    box.button(QMessageBox.StandardButton.Yes).click()
    assert not app.store.has_conversation(doomed) and app.store.has_conversation(keep)


def test_delete_in_the_input_box_deletes_text_not_the_conversation(make_app):
    app = make_app()
    _activate(app)
    conversation = app.window.new_conversation()
    box = app.window.chat.input
    box.setPlainText("abc")
    box.setFocus()
    cursor = box.textCursor()
    cursor.setPosition(0)
    box.setTextCursor(cursor)
    app.qtbot.keyClick(box, Qt.Key.Key_Delete)
    assert box.toPlainText() == "bc"
    assert not isinstance(app.window.dialog, QMessageBox)
    assert app.store.has_conversation(conversation)


def test_about_names_the_versions_and_what_each_model_is(make_app):
    app = make_app()
    app.wait_idle()
    about = next(a for a in app.window.findChildren(type(app.window.new_action)) if "About" in a.text())
    about.trigger()
    dialog = app.window.dialog
    assert isinstance(dialog, AboutDialog)
    text = dialog.text.text()
    for needle in ("chatapp 0.1.0", "PySide6", "torch", "Qt", "LSTM", "negative, neutral or positive",
                   "generated pictures", "shipped chat model"):
        assert needle in text, needle


def test_every_setting_is_explained_and_reset_restores_the_defaults(qtbot, tmp_path):
    changed = AppSettings(strategy="sample", beam_size=9, temperature=2.0, top_k=5, theme="dark",
                          mmi_backward_weight=0.0, max_length=80)
    dialog = SettingsDialog(changed, str(tmp_path))
    qtbot.addWidget(dialog)
    rows = 0
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            assert len(field.toolTip().split()) >= 8, label.text()  # a sentence, not a word
            assert label.toolTip() == field.toolTip()
            rows += 1
    assert rows == 14  # eleven reply options, device, theme, data folder
    assert "backward" not in dialog.mmi_backward_weight.toolTip().lower()
    dialog.reset_button.click()
    assert dialog.chosen() == AppSettings()
