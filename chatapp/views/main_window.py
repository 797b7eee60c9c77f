"""The main window: conversation list on the left, the open conversation on the right.

It connects the views to the controller and opens the dialogs; it holds no engine and no
database session (it reads plain records through the controller).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QInputDialog, QLabel, QMainWindow,
                               QMessageBox, QSplitter, QWidget)

from chatapp.settings import AppSettings
from chatapp.views.chat_view import PAGE, ChatView
from chatapp.views.conversation_list import ConversationList
from chatapp.views.input_box import image_to_png
from chatapp.views.theme import THEMES, apply_theme

if TYPE_CHECKING:
    from chatapp.controller import ChatController

KIND_NAMES = {"chat": "chat", "sentiment": "sentiment", "caption": "captions"}


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.theme = THEMES[settings.theme]
        self.controller: Optional["ChatController"] = None
        self.current: Optional[int] = None
        self.dialog: Optional[QWidget] = None  # the dialog open now (non-modal to the event loop)
        self.training_panel: Optional[QWidget] = None  # made when first opened; closing only hides it
        self.setWindowTitle("chatapp")
        self.resize(1120, 760)
        self.setAcceptDrops(True)

        self.sidebar = ConversationList()
        self.chat = ChatView(self.theme)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.chat)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 850])
        splitter.setHandleWidth(1)
        self.setCentralWidget(splitter)
        self.engine_label = QLabel("Opening the data folder…")
        self.statusBar().addPermanentWidget(self.engine_label)
        self._build_menus()
        self.chat.input.setEnabled(False)  # until the store is open

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New conversation", QKeySequence.StandardKey.New,
                                       self.new_conversation)
        file_menu.addSeparator()
        self._action(file_menu, "&Import conversation…", None, self.import_conversation)
        self._action(file_menu, "Export as &Markdown…", None, lambda: self.export_conversation("md"))
        self._action(file_menu, "Export as &JSON…", None, lambda: self.export_conversation("json"))
        file_menu.addSeparator()
        self._action(file_menu, "&Settings…", QKeySequence.StandardKey.Preferences, self.open_settings)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        conversation = self.menuBar().addMenu("&Conversation")
        self._action(conversation, "&Rename…", QKeySequence("F2"),
                     lambda: self.current and self.rename_conversation(self.current))
        self._action(conversation, "&Delete…", None,
                     lambda: self.current and self.delete_conversation(self.current))
        self._action(conversation, "Attach &image…", None, self.choose_image)
        training = self.menuBar().addMenu("&Training")
        self._action(training, "&Teach the bot from conversations…", QKeySequence("Ctrl+T"),
                     self.open_training)
        self._action(self.menuBar().addMenu("&Lab"), "&RNN Lab…", QKeySequence("Ctrl+L"), self.open_lab)

    def open_lab(self) -> None:
        from chatapp.lab import open_lab  # the Lab's models load only when it is first opened

        open_lab(self)

    def _action(self, menu, text: str, shortcut: Any, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- wiring ------------------------------------------------------------------------------
    def set_controller(self, controller: "ChatController") -> None:
        self.controller = controller
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
        conversations = c.conversations()
        self.refresh_list()
        if conversations:
            self.open_conversation(conversations[0].id)
        self.chat.input.setFocus()

    # -- conversations -----------------------------------------------------------------------
    def refresh_list(self) -> None:
        if self.controller is None:
            return
        if self.sidebar.searching:
            self.sidebar.set_hits(self.controller.search(self.sidebar.search.text()), self.current)
        else:
            self.sidebar.set_conversations(self.controller.conversations(), self.current)

    def _on_touched(self, conversation_id: int) -> None:
        if not self.sidebar.searching:
            self.sidebar.move_to_top(conversation_id)

    def open_conversation(self, conversation_id: int) -> None:
        info = self.controller.store.conversation(conversation_id)
        if info is None:
            return
        self.current = conversation_id
        messages, has_more = self.controller.page(conversation_id, limit=PAGE)
        self.chat.show_conversation(conversation_id, info.title, messages, has_more, _count(info))
        self.chat.set_busy(self.controller.is_busy(conversation_id))
        self.chat.mood.set_points(self.controller.mood(conversation_id))
        self._show_engine_notice()
        if not self.sidebar.searching:
            self.sidebar.select(conversation_id)

    def _load_older(self, before_id: int) -> None:
        if self.current is not None:
            messages, has_more = self.controller.page(self.current, before_id=before_id, limit=PAGE)
            self.chat.prepend(messages, has_more)

    def new_conversation(self) -> int:
        if self.sidebar.searching:
            self.sidebar.search.clear()
        conversation_id = self.controller.new_conversation()
        self.open_conversation(conversation_id)
        self.chat.input.setFocus()
        return conversation_id

    def rename_conversation(self, conversation_id: int) -> None:
        info = self.controller.store.conversation(conversation_id)
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename conversation")
        dialog.setLabelText("Title:")
        dialog.setTextValue(info.title if info else "")
        dialog.textValueSelected.connect(lambda title: self._renamed(conversation_id, title))
        self._open(dialog)

    def _renamed(self, conversation_id: int, title: str) -> None:
        self.controller.rename(conversation_id, title)
        if conversation_id == self.current:
            self._show_header()

    def _show_header(self) -> None:
        """The open conversation's title and message count, as the store has them now."""
        info = self.controller.store.conversation(self.current) if self.current is not None else None
        if info is not None:
            self.chat.title.setText(info.title)
            self.chat.subtitle.setText(_count(info))

    def delete_conversation(self, conversation_id: int) -> None:
        info = self.controller.store.conversation(conversation_id)
        if info is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete conversation",
                          f"Delete “{info.title}” and its {info.message_count} messages? "
                          "This cannot be undone.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.finished.connect(lambda result: self._confirmed_delete(conversation_id, result))
        self._open(box)

    def _confirmed_delete(self, conversation_id: int, result: int) -> None:
        if result != QMessageBox.StandardButton.Yes:
            return
        self.controller.delete(conversation_id)
        if conversation_id == self.current:
            self.current = None
            remaining = self.controller.conversations()
            if remaining:
                self.open_conversation(remaining[0].id)
            else:
                self.chat.show_conversation(None, "No conversation", [], False,
                                            "Start one with Ctrl+N, or just type below")
                self.chat.mood.set_points([])

    # -- messages ----------------------------------------------------------------------------
    def send(self, text: str) -> None:
        if self.current is None:
            self.new_conversation()
        self.controller.send(self.current, text)

    def _on_message_added(self, message) -> None:
        if message.conversation_id == self.current:
            self.chat.append(message)
            self._show_header()  # a first message also names the conversation

    def _on_message_changed(self, message) -> None:
        if message is None or message.conversation_id != self.current:
            return
        self.chat.update_message(message)
        if message.role == "user":
            self.chat.mood.set_points(self.controller.mood(self.current))

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
            QApplication.clipboard().setText(c.store.message(message_id).text)
            self.statusBar().showMessage("Reply copied", 3000)
        elif name == "regenerate":
            c.regenerate(message_id)
        elif name == "feedback":
            c.set_feedback(message_id, value)
        elif name == "teach":
            self.teach(message_id)
        elif name == "attention":
            self.show_attention(message_id)
        elif name == "show_all":
            from chatapp.views.dialogs import TextDialog

            self._open(TextDialog("Message", c.store.message(message_id).text, self))

    def teach(self, message_id: int) -> None:
        from chatapp.views.dialogs import TeachDialog

        message = self.controller.store.message(message_id)
        before = self.controller.store.messages(message.conversation_id, before_id=message_id, limit=1)
        dialog = TeachDialog(message_id, before[0].text if before else "", message.text, self)
        dialog.taught.connect(self.controller.teach)
        self._open(dialog)

    def show_attention(self, message_id: int) -> None:
        attention = self.controller.attention(message_id)
        if not attention:
            return
        if attention.get("kind") == "caption":
            from chatapp.views.caption_view import CaptionAttentionDialog

            image = self.controller.image_path(attention.get("image_message_id", -1))
            text = self.controller.store.message(message_id).text
            self._open(CaptionAttentionDialog(image, attention, text, self.theme, self))
        else:
            from chatapp.views.attention_dialog import AttentionDialog

            self._open(AttentionDialog(attention, self.theme, self))

    # -- images ------------------------------------------------------------------------------
    def choose_image(self) -> None:
        dialog = QFileDialog(self, "Attach an image")
        dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.attach_files([path]))
        self._open(dialog)

    def attach_files(self, paths: list[str]) -> None:
        for path in paths:
            self._attach(path=Path(path))

    def _attach(self, path: Optional[Path] = None, data: Optional[bytes] = None) -> None:
        if self.controller is None:
            return
        if self.current is None:
            self.new_conversation()
        self.controller.attach_image(self.current, path=path, data=data)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if files:
            self.attach_files(files)
        elif mime.hasImage():
            self._attach(data=image_to_png(mime.imageData()))
        event.acceptProposedAction()

    # -- export, import, settings ------------------------------------------------------------
    def export_conversation(self, kind: str) -> None:
        if self.current is None:
            return
        info = self.controller.store.conversation(self.current)
        dialog = QFileDialog(self, "Export conversation")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.setNameFilter("Markdown (*.md)" if kind == "md" else "JSON (*.json)")
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in info.title).strip()
        dialog.selectFile(f"{safe or 'conversation'}.{kind}")
        conversation_id = self.current
        dialog.fileSelected.connect(lambda path: self._export(conversation_id, Path(path)))
        self._open(dialog)

    def _export(self, conversation_id: int, path: Path) -> None:
        try:
            self.controller.export(conversation_id, path)
            self.statusBar().showMessage(f"Exported to {path}", 6000)
        except OSError as error:
            self._on_notice(None, "error", f"The export failed: {error}")

    def import_conversation(self) -> None:
        dialog = QFileDialog(self, "Import a conversation")
        dialog.setNameFilter("chatapp conversation (*.json)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self._import(Path(path)))
        self._open(dialog)

    def _import(self, path: Path) -> None:
        try:
            conversation_id = self.controller.import_file(path)
        except ValueError as error:
            self._on_notice(None, "error", f"The import failed: {error}")
            return
        self.open_conversation(conversation_id)

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

            self.training_panel = TrainingPanel(self.controller.training, self)
        else:
            self.training_panel.refresh()
        self.training_panel.show()
        self.training_panel.raise_()
        return self.training_panel

    def _open(self, dialog: QWidget) -> None:
        """Open a dialog without a nested event loop, so replies keep arriving (and tests can
        reach it through ``self.dialog``)."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def closeEvent(self, event) -> None:
        if self.training_panel is not None:
            self.training_panel.close()
        if self.controller is not None:
            self.controller.shutdown()
            self.controller.store.close()
        super().closeEvent(event)


def _count(info) -> str:
    """The header's line under a conversation's title."""
    return f"{info.message_count:,} messages"


__all__ = ["MainWindow"]
