"""The main window: conversation list on the left, the open conversation on the right.

It connects the views to the controller and opens the dialogs; it holds no engine and no
database session (it reads plain records through the controller). Its conversations (list,
open, rename, delete) are ``chatapp.views.window_conversations``, its files (images, export and
import) ``chatapp.views.window_files``; the menus are built in ``chatapp.views.menus``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QSplitter, QWidget

from chatapp.settings import AppSettings
from chatapp.views.chat_view import ChatView
from chatapp.views.conversation_list import ConversationList
from chatapp.views.menus import build_menus
from chatapp.views.theme import THEMES, apply_theme
from chatapp.views.window_conversations import ConversationActions
from chatapp.views.window_files import FileActions

if TYPE_CHECKING:
    from chatapp.controller import ChatController

KIND_NAMES = {"chat": "chat", "sentiment": "sentiment", "caption": "captions"}
SHIPPED_CAPTIONER_NOTE = ("This captioner was trained on generated shapes only, so on a photo its words "
                          "mean little: train it on your photos in Training.")


class MainWindow(ConversationActions, FileActions, QMainWindow):
    first_painted = Signal()  # once, after the window's first paint (the app then loads the rest)

    def __init__(self, settings: AppSettings, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.theme = THEMES[settings.theme]
        self.controller: Optional["ChatController"] = None
        self.training: Any = None  # chatapp.training.TrainingController, given with the controller
        self.current: Optional[int] = None
        self.dialog: Optional[QWidget] = None  # the dialog open now (non-modal to the event loop)
        self.training_panel: Optional[QWidget] = None  # made when first opened; closing only hides it
        self.setWindowTitle("chatapp")
        self.resize(1120, 760)
        self.setAcceptDrops(True)

        self.sidebar = ConversationList()
        self.chat = ChatView(self.theme)
        self.chat.hint_for = self._hint_for
        self._version_kinds: dict[int, tuple[str, str]] = {}  # model version id -> (kind, source)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.chat)
        # The list takes a fifth of any change in width, so a small window leaves the chat room.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, False)
        splitter.setSizes([270, 850])
        splitter.setHandleWidth(1)
        self.setCentralWidget(splitter)
        self.engine_label = QLabel("Opening the data folder…")
        self.statusBar().addPermanentWidget(self.engine_label)
        build_menus(self)
        self.chat.input.setEnabled(False)  # until the store is open
        self._painted = False

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def open_lab(self):
        from chatapp.views.lab_window import open_lab  # the Lab loads its models only when first opened

        return open_lab(self)

    def focus_search(self) -> None:
        self.sidebar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.sidebar.search.selectAll()

    def show_shortcuts(self) -> None:
        from chatapp.views.menus import shortcuts_dialog

        self._open(shortcuts_dialog(self))

    def show_about(self) -> None:
        from chatapp.views.menus import about_dialog, active_labels

        if self.controller is None:
            self._open(about_dialog(self, {}))
        else:
            self.controller.read(active_labels, lambda labels: self._open(about_dialog(self, labels)))

    # -- wiring ------------------------------------------------------------------------------
    def set_controller(self, controller: "ChatController", training: Any = None) -> None:
        """Connect the chat controller and the training panel's (``chatapp.training``)."""
        self.controller, self.training = controller, training
        c = controller
        c.message_added.connect(self._on_message_added)
        c.message_changed.connect(self._on_message_changed)
        c.busy_changed.connect(self._on_busy)
        c.notice.connect(self._on_notice)
        c.conversations_changed.connect(self.refresh_list)
        c.conversation_touched.connect(self._on_touched)
        c.engine_status.connect(self._on_engine_status)
        c.host.load_failed.connect(lambda why: self.engine_label.setText("Engine failed to start"))
        s = self.sidebar
        s.selected.connect(self.open_conversation)
        s.found.connect(self.open_conversation)
        s.new_requested.connect(self.new_conversation)
        s.rename_requested.connect(self.rename_conversation)
        s.delete_requested.connect(self.delete_conversation)
        s.search_changed.connect(lambda _query: self.refresh_list())
        v = self.chat
        v.send_requested.connect(self.send)
        v.stop_requested.connect(lambda: self.current and c.stop(self.current))
        v.attach_requested.connect(self.choose_image)
        v.image_pasted.connect(lambda data: self._attach(data=data))
        v.files_dropped.connect(self.attach_files)
        v.older_requested.connect(self._load_older)
        v.bubble_action.connect(self._on_bubble_action)
        self.chat.input.setEnabled(True)
        self.engine_label.setText("Loading the models…" if not c.host.ready else "")
        if c.host.ready:
            self._on_engine_status(dict(c.host.available))
        c.version_changed.connect(lambda _version: self._read_versions())
        if training is not None:
            training.versions_changed.connect(self._read_versions)
        self._read_versions()  # before the first conversation is read: its captions' notes
        self.refresh_list()
        c.conversations(lambda rows: rows and self.current is None and self.open_conversation(rows[0].id))
        self.chat.input.setFocus()

    def _read_versions(self) -> None:
        """Which kind and source each model version is, for the notes under captions."""
        def read(store) -> dict[int, tuple[str, str]]:
            return {v.id: (v.kind, v.source) for kind in KIND_NAMES for v in store.model_versions(kind)}

        self.controller.read(read, self._version_kinds.update)

    # -- messages ----------------------------------------------------------------------------
    def _hint_for(self, message) -> str:
        """A caption written by the shipped captioner says what that model knows (a captioner the
        user trained gets no such note)."""
        if message.role != "bot" or message.model_version_id is None or self.controller is None:
            return ""
        kind = self._version_kinds.get(message.model_version_id)  # read from the store's thread
        return SHIPPED_CAPTIONER_NOTE if kind == ("caption", "shipped") else ""

    def send(self, text: str) -> None:
        if self.current is None:
            self.new_conversation(then=lambda conversation_id: self._send_to(conversation_id, text))
        else:
            self._send_to(self.current, text)

    def _send_to(self, conversation_id: int, text: str) -> None:
        # Only a saved message leaves the box: one the store refused stays there, with a banner.
        self.controller.send(conversation_id, text, saved=lambda _record: self.chat.sent(text))

    def _on_message_added(self, message) -> None:
        if message.conversation_id == self.current:
            self.chat.append(message)
            self._show_header()  # a first message also names the conversation

    def _on_message_changed(self, message) -> None:
        if message is None or message.conversation_id != self.current:
            return
        self.chat.update_message(message)
        if message.role == "user":
            conversation_id = self.current
            self.controller.mood(conversation_id, lambda points: conversation_id == self.current
                                 and self.chat.mood.set_points(points))

    def _on_busy(self, conversation_id: int, busy: bool) -> None:
        if conversation_id == self.current:
            self.chat.set_busy(busy)

    def _on_notice(self, conversation_id: Optional[int], level: str, text: str) -> None:
        if conversation_id is None or conversation_id == self.current:
            self.chat.show_notice(level, text)
        self.statusBar().showMessage(text, 8000)

    def _on_bubble_action(self, name: str, message_id: int, value: int) -> None:
        c = self.controller
        if name == "copy":
            self._with_message(message_id, self._copy)
        elif name == "regenerate":
            c.regenerate(message_id)
        elif name == "retry":
            c.retry(message_id)
        elif name == "feedback":
            c.set_feedback(message_id, value)
        elif name == "teach":
            self.teach(message_id)
        elif name == "attention":
            self.show_attention(message_id)
        elif name == "cells":
            self._with_message(message_id, lambda message: self.open_lab().read_message(message.text))
        elif name == "show_all":
            from chatapp.views.dialogs import TextDialog

            self._with_message(message_id, lambda message: self._open(TextDialog("Message", message.text, self)))

    def _with_message(self, message_id: int, then) -> None:
        """``then(message)`` once the message is read (nothing when it is gone)."""
        self.controller.read(lambda store: store.message(message_id),
                             lambda message: message is not None and then(message))

    def _copy(self, message) -> None:
        QApplication.clipboard().setText(message.text)
        self.statusBar().showMessage("Reply copied", 3000)

    def teach(self, message_id: int, typed: str = "") -> None:
        def read(store):
            message = store.message(message_id)
            before = store.messages(message.conversation_id, before_id=message_id, limit=1) if message else []
            return message, before[0].text if before else ""

        self.controller.read(read, lambda found: found[0] is not None and self._ask_teach(*found, typed))

    def _ask_teach(self, message, question: str, typed: str) -> None:
        from chatapp.views.dialogs import TeachDialog

        dialog = TeachDialog(message.id, question, message.text, self)
        dialog.editor.setPlainText(typed)
        dialog.taught.connect(self._taught)
        self._open(dialog)

    def _taught(self, message_id: int, text: str) -> None:
        # Not saved: the dialog comes back with what was typed.
        self.controller.teach(message_id, text, refused=lambda: self.teach(message_id, text))

    def show_attention(self, message_id: int) -> None:
        def read(store):
            attention = store.attention(message_id)
            if not attention or attention.get("kind") != "caption":
                return attention, None, ""
            image = store.message(attention.get("image_message_id", -1))
            path = image.attachments[0].path if image is not None and image.attachments else None
            return attention, path, store.message(message_id).text

        self.controller.read(read, lambda found: self._show_attention(*found))

    def _show_attention(self, attention, image, text: str) -> None:
        if not attention:
            return
        if attention.get("kind") == "caption":
            from chatapp.views.caption_view import CaptionAttentionDialog

            self._open(CaptionAttentionDialog(image, attention, text, self.theme, self))
        else:
            from chatapp.views.attention_dialog import AttentionDialog

            self._open(AttentionDialog(attention, self.theme, self))

    # -- settings ----------------------------------------------------------------------------
    def open_settings(self) -> None:
        from chatapp.views.dialogs import SettingsDialog

        dialog = SettingsDialog(self.controller.settings if self.controller else self.settings,
                                str(self.data_dir), parent=self)
        dialog.applied.connect(self.apply_settings)
        self._open(dialog)

    def apply_settings(self, settings: AppSettings) -> None:
        theme_changed = settings.theme != self.settings.theme
        self.settings = settings
        if self.controller is not None:
            self.controller.apply_settings(settings)
        if theme_changed:
            self.theme = THEMES[settings.theme]
            apply_theme(QApplication.instance(), self.theme)
            self.chat.theme = self.chat.mood.theme = self.theme
            if self.current is not None:
                self.open_conversation(self.current)

    # -- engine status -----------------------------------------------------------------------
    def _on_engine_status(self, available: dict[str, bool]) -> None:
        self._read_versions()  # the shipped versions are recorded when the models load
        parts = [f"{'✓' if available.get(kind) else '✗'} {name}" for kind, name in KIND_NAMES.items()]
        self.engine_label.setText("Models:  " + "   ".join(parts))
        problems = self.controller.engine_problems
        self.engine_label.setToolTip("\n".join(f"{kind}: {why}" for kind, why in problems.items())
                                     or "All models are loaded")
        self.chat.mood.set_unavailable("" if available.get("sentiment") else
                                       problems.get("sentiment", "not loaded"))
        self.chat.attach_button.setToolTip(
            "Attach an image to caption (or drop / paste one)" if available.get("caption") else
            "The captioner is not available yet: images are saved without a caption")
        self._show_engine_notice()
        if all(available.values()):
            self.statusBar().showMessage("Ready", 4000)

    def _show_engine_notice(self) -> None:
        c = self.controller
        if c is None or not c.host.ready:
            return
        if not c.host.available.get("chat"):
            why = c.engine_problems.get("chat", "it is not loaded")
            self.chat.show_notice("error", f"The chat model is not available ({why}). Your messages "
                                           "are saved; replies start as soon as the model appears.")
        elif self.chat.banner.isVisible() and "chat model is not available" in self.chat.banner.label.text():
            self.chat.banner.hide()

    def open_training(self) -> Optional[QWidget]:
        """Show the training panel (a run started there goes on when it is closed)."""
        if self.controller is None:
            return None
        if self.training_panel is None:
            from chatapp.views.training_panel import TrainingPanel

            self.training_panel = TrainingPanel(self.training, self)
        else:
            self.training_panel.refresh()
        self.training_panel.show()
        self.training_panel.raise_()
        return self.training_panel

    def open_knowledge(self) -> Optional[QWidget]:
        """The Knowledge view: the stored (question, answer) pairs the bot answers from."""
        if self.controller is None:
            return None
        from chatapp.views.knowledge_view import KnowledgeDialog

        dialog = KnowledgeDialog(self.controller, self)
        self._open(dialog)
        return dialog

    def _open(self, dialog: QWidget) -> None:
        """Open a dialog without a nested event loop, so replies keep arriving (and tests can
        reach it through ``self.dialog``)."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    open_dialog = _open

    def show_error(self, title: str, text: str, details: str = "") -> QMessageBox:
        """A problem the user should read now, in words, with what to do next."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        self._open(box)
        self.statusBar().showMessage(title, 8000)
        return box

    def closeEvent(self, event) -> None:
        if self.training_panel is not None:
            self.training_panel.close()
        if self.training is not None:
            self.training.shutdown()  # before the controller's file worker stops: a run's end is stored on it
        if self.controller is not None:
            self.controller.shutdown()  # the store's thread saves what is queued, then closes it
        super().closeEvent(event)

__all__ = ["MainWindow"]
