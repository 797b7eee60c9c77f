"""The sidebar: conversations newest first, a search box across every message, and New."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu,
                               QPushButton, QVBoxLayout, QWidget)

if TYPE_CHECKING:
    from chatapp.store import ConversationInfo, SearchHit

ID_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1


class ConversationList(QFrame):
    selected = Signal(int)  # conversation id
    new_requested = Signal()
    rename_requested = Signal(int)
    delete_requested = Signal(int)
    search_changed = Signal(str)  # the query, after the user paused typing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setMinimumWidth(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 6, 10)
        self.new_button = QPushButton("+  New conversation")
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip("New conversation (Ctrl+N)")
        self.new_button.clicked.connect(self.new_requested)
        layout.addWidget(self.new_button)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search all messages…")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(self._debounce.start)
        self.caption = QLabel("Conversations")
        self.caption.setObjectName("hint")
        layout.addWidget(self.caption)
        self.list = QListWidget()
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._on_current)
        self.list.setWordWrap(True)
        layout.addWidget(self.list, 1)
        self._quiet = False

    @property
    def searching(self) -> bool:
        return bool(self.search.text().strip())

    def set_conversations(self, conversations: list["ConversationInfo"], current: Optional[int]) -> None:
        self._fill([(c.id, None, f"{c.title}", _when(c.updated_at)) for c in conversations], current)
        self.caption.setText("Conversations" if conversations else "No conversations yet")

    def set_hits(self, hits: list["SearchHit"], current: Optional[int]) -> None:
        self._fill([(h.conversation_id, h.message_id, h.conversation_title, h.snippet) for h in hits],
                   current)
        self.caption.setText(f"{len(hits)} message{'s' if len(hits) != 1 else ''} found")

    def _fill(self, rows: list[tuple[int, Optional[int], str, str]], current: Optional[int]) -> None:
        self._quiet = True
        try:
            self.list.clear()
            for conversation_id, message_id, title, detail in rows:
                item = QListWidgetItem(f"{title}\n{detail}")
                item.setData(ID_ROLE, conversation_id)
                item.setData(MESSAGE_ROLE, message_id)
                item.setToolTip(title)
                self.list.addItem(item)
                if conversation_id == current and self.list.currentItem() is None:
                    self.list.setCurrentItem(item)
        finally:
            self._quiet = False

    def select(self, conversation_id: int) -> None:
        """Highlight a conversation without asking to open it again."""
        self._quiet = True
        try:
            for row in range(self.list.count()):
                if self.list.item(row).data(ID_ROLE) == conversation_id:
                    self.list.setCurrentRow(row)
                    return
        finally:
            self._quiet = False

    def move_to_top(self, conversation_id: int) -> None:
        """A conversation just got a message: show it first, without reading the list again."""
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == conversation_id:
                if row == 0:
                    return
                self._quiet = True
                try:
                    current = self.list.currentItem()
                    item = self.list.takeItem(row)
                    self.list.insertItem(0, item)
                    if current is item:
                        self.list.setCurrentItem(item)
                finally:
                    self._quiet = False
                return

    @staticmethod
    def id_of(item: QListWidgetItem) -> int:
        return item.data(ID_ROLE)

    def ids(self) -> list[int]:
        return [self.list.item(row).data(ID_ROLE) for row in range(self.list.count())]

    def _on_current(self, item: Optional[QListWidgetItem], _previous) -> None:
        if item is not None and not self._quiet:
            self.selected.emit(item.data(ID_ROLE))

    def _menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is None:
            return
        conversation_id = item.data(ID_ROLE)
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.rename_requested.emit(conversation_id))
        menu.addAction("Delete…", lambda: self.delete_requested.emit(conversation_id))
        menu.exec(self.list.viewport().mapToGlobal(position))


def _when(moment) -> str:
    from datetime import datetime, timezone

    local = moment.replace(tzinfo=timezone.utc).astimezone()
    now = datetime.now().astimezone()
    return local.strftime("%H:%M") if local.date() == now.date() else local.strftime("%d %b %Y")
