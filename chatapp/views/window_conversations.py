"""The main window's conversations: the list (or the search hits) on the left, opening one on
the right, paging back through a long one, and new, rename and delete with their dialogs.

``ConversationActions`` is a mixin of ``MainWindow``, which gives ``controller``, ``sidebar``,
``chat``, ``current``, ``_open`` and ``_show_engine_notice``.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QInputDialog, QMessageBox

from chatapp.views.chat_view import PAGE
from chatapp.views.conversation_list import MARKS


class ConversationActions:
    """Listing, opening, naming and deleting conversations (mixed into ``MainWindow``)."""

    def refresh_list(self) -> None:
        if self.controller is None:
            return
        if self.sidebar.searching:
            self.sidebar.set_hits(self.controller.store.search(self.sidebar.search.text(), marks=MARKS),
                                  self.current)
        else:
            self.sidebar.set_conversations(self.controller.conversations(), self.current)

    def _on_touched(self, conversation_id: int) -> None:
        if not self.sidebar.searching:
            self.sidebar.move_to_top(conversation_id)

    def open_conversation(self, conversation_id: int, message_id: Optional[int] = None) -> None:
        """Show a conversation; with ``message_id`` (a search hit), scrolled to that message,
        which is outlined and has the searched words selected."""
        info = self.controller.store.conversation(conversation_id)
        if info is None:
            return
        self.current = conversation_id
        messages, has_more = self.controller.page(conversation_id, limit=PAGE)
        self.chat.show_conversation(conversation_id, info.title, messages, has_more, _count(info))
        if message_id is not None:
            self._load_until(message_id)
            self.chat.show_found(message_id, self.sidebar.search.text())
        self.chat.set_busy(self.controller.is_busy(conversation_id))
        self.chat.mood.set_points(self.controller.mood(conversation_id))
        self._show_engine_notice()
        if not self.sidebar.searching:
            self.sidebar.select(conversation_id)

    def _load_until(self, message_id: int) -> None:
        """Add older pages until ``message_id`` is shown (a hit deep in a long conversation)."""
        while message_id not in self.chat.bubbles and self.chat.has_more:
            messages, has_more = self.controller.page(self.current, before_id=self.chat.oldest_id,
                                                      limit=4 * PAGE)
            if not messages:
                break
            self.chat.prepend(messages, has_more)

    def _load_older(self, before_id: int) -> None:
        if self.current is not None:
            messages, has_more = self.controller.page(self.current, before_id=before_id, limit=PAGE)
            self.chat.prepend(messages, has_more)

    def new_conversation(self) -> Optional[int]:
        if self.sidebar.searching:
            self.sidebar.search.clear()
        conversation_id = self.controller.new_conversation()
        if conversation_id is None:
            return None  # not saved: the banner says why
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
        if result != QMessageBox.StandardButton.Yes or not self.controller.delete(conversation_id):
            return
        if conversation_id == self.current:
            self.current = None
            remaining = self.controller.conversations()
            if remaining:
                self.open_conversation(remaining[0].id)
            else:
                self.chat.show_conversation(None, "No conversation", [], False,
                                            "Start one with Ctrl+N, or just type below")
                self.chat.mood.set_points([])

    def delete_selected(self) -> None:
        """Delete the conversation selected in the list (after the confirmation)."""
        item = self.sidebar.list.currentItem()
        conversation_id = self.sidebar.id_of(item) if item is not None else self.current
        if conversation_id is not None and self.controller is not None:
            self.delete_conversation(conversation_id)


def _count(info) -> str:
    """The header's line under a conversation's title."""
    return f"{info.message_count:,} messages"
