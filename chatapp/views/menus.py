"""The main window's menus and shortcuts, and the two Help dialogs.

Every action calls a method of the window; what the keys do is listed by Help → Keyboard
shortcuts, read from the actions themselves so the list cannot drift from the menus.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

KINDS = ("chat", "sentiment", "caption")


def build_menus(window) -> None:
    """File, Conversation, Training (with Knowledge), Lab and Help, with their shortcuts, on ``window``'s menu bar."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    window.new_action = _action(window, file_menu, "&New conversation", QKeySequence.StandardKey.New,
                                window.new_conversation)
    window.find_action = _action(window, file_menu, "&Find in messages", QKeySequence.StandardKey.Find,
                                 window.focus_search)
    file_menu.addSeparator()
    _action(window, file_menu, "&Import conversation…", None, window.import_conversation)
    _action(window, file_menu, "Export as &Markdown…", None, lambda: window.export_conversation("md"))
    _action(window, file_menu, "Export as &JSON…", None, lambda: window.export_conversation("json"))
    file_menu.addSeparator()
    window.settings_action = _action(window, file_menu, "&Settings…", None, window.open_settings)
    # Linux desktops define no Preferences key, so Ctrl+, is given as well.
    window.settings_action.setShortcuts(_keys(QKeySequence("Ctrl+,"), QKeySequence.StandardKey.Preferences))
    file_menu.addSeparator()
    _action(window, file_menu, "&Quit", QKeySequence.StandardKey.Quit, window.close)

    conversation = bar.addMenu("&Conversation")
    _action(window, conversation, "&Rename…", QKeySequence("F2"),
            lambda: window.current and window.rename_conversation(window.current))
    window.delete_action = _action(window, conversation, "&Delete…", QKeySequence.StandardKey.Delete,
                                   window.delete_selected)
    # Delete acts only while the conversation list (or this menu) has the focus: in the input box
    # and the search box the key deletes text.
    window.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    window.sidebar.list.addAction(window.delete_action)
    _action(window, conversation, "Attach &image…", None, window.choose_image)

    training = bar.addMenu("&Training")
    _action(window, training, "&Teach the bot from conversations…", QKeySequence("Ctrl+T"),
            window.open_training)
    window.knowledge_action = _action(window, training, "&Knowledge…", QKeySequence("Ctrl+K"),
                                      window.open_knowledge)
    _action(window, bar.addMenu("&Lab"), "&RNN Lab…", QKeySequence("Ctrl+L"), window.open_lab)
    help_menu = bar.addMenu("&Help")
    _action(window, help_menu, "&Keyboard shortcuts", None, window.show_shortcuts)
    _action(window, help_menu, "&About chatapp", None, window.show_about)


def shortcuts_dialog(window) -> QWidget:
    from chatapp.views.dialogs import TextDialog

    rows = [(action.text().replace("&", "").rstrip("…"),
             action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
            for action in window.findChildren(QAction)]
    text = "\n".join(f"{keys:<14} {name}" for name, keys in rows if keys)
    text += "\nEnter          send the message (Shift+Enter: a new line)"
    return TextDialog("Keyboard shortcuts", text, window)


def about_dialog(window, labels: dict[str, str]) -> QWidget:
    """Versions, and each model in one line with the version in use (``labels``: kind -> label)."""
    from chatapp.views.dialogs import AboutDialog

    controller = window.controller
    available = dict(controller.host.available) if controller is not None else {}
    return AboutDialog(labels, available, window)


def active_labels(store) -> dict[str, str]:
    """kind -> the label of the version in use (on the store's thread)."""
    versions = {kind: store.active_version(kind) for kind in KINDS}
    return {kind: version.label for kind, version in versions.items() if version is not None}


def _action(window, menu, text: str, shortcut: Any, slot) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def _keys(*keys) -> list[QKeySequence]:
    """The distinct, non-empty key sequences among ``keys`` (standard keys expanded)."""
    found: list[QKeySequence] = []
    for key in keys:
        for sequence in (QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey)
                         else [key]):
            if not sequence.isEmpty() and sequence not in found:
                found.append(sequence)
    return found
