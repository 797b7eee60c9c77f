"""The main window's conversations: the list (or the search hits) on the left, opening one on
the right, paging back through a long one, and new, rename and delete with their dialogs. Each
reads or writes through the controller, whose answers come back later from the store's thread:
what is shown is drawn in the callbacks, and an answer for a conversation no longer open is dropped.

``ConversationActions`` is a mixin of ``MainWindow``, which gives ``controller``, ``sidebar``,
``chat``, ``current``, ``_open`` and ``_show_engine_notice``.
"""
from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtWidgets import QInputDialog, QMessageBox

from chatapp.views.chat_view import PAGE
from chatapp.views.conversation_list import MARKS


class ConversationActions:
    """Listing, opening, naming and deleting conversations (mixed into ``MainWindow``)."""

    def refresh_list(self) -> None:
        """Read the list (or the search hits) again; only the newest answer is shown."""
        if self.controller is None:
            return
        self._list_asked = asked = getattr(self, "_list_asked", 0) + 1

        def show(rows: list, searching: bool) -> None:
            if asked != self._list_asked:
                return  # a later refresh is on its way
            if searching:
                self.sidebar.set_hits(rows, self.current)
            else:
                self.sidebar.set_conversations(rows, self.current)

        if self.sidebar.searching:
            self.controller.search(self.sidebar.search.text(), lambda hits: show(hits, True), marks=MARKS)
        else:
            self.controller.conversations(lambda rows: show(rows, False))

    def _on_touched(self, conversation_id: int) -> None:
        if not self.sidebar.searching:
            self.sidebar.move_to_top(conversation_id)

    def open_conversation(self, conversation_id: int, message_id: Optional[int] = None,
                          then: Optional[Callable[[], None]] = None) -> None:
        """Show a conversation once its last page is read; with ``message_id`` (a search hit),
        scrolled to that message, which is outlined and has the searched words selected;
        ``then()`` once it is shown."""
        self.current = conversation_id  # a message sent meanwhile goes here
        self._opening = conversation_id

        def show(info, messages: list, has_more: bool, mood: list) -> None:
            if self._opening != conversation_id or self.current != conversation_id:
                return  # another conversation was opened meanwhile
            if info is None:
                return
            self.chat.show_conversation(conversation_id, info.title, messages, has_more, _count(info))
            self.chat.set_busy(self.controller.is_busy(conversation_id))
            self.chat.mood.set_points(mood)
            self._show_engine_notice()
            if not self.sidebar.searching:
                self.sidebar.select(conversation_id)
            if message_id is not None:
                self._load_until(conversation_id, message_id)
            if then is not None:
                then()

        self.controller.load(conversation_id, PAGE, show)

    def _load_until(self, conversation_id: int, message_id: int) -> None:
        """Add older pages until ``message_id`` is shown (a hit deep in a long conversation)."""
        if conversation_id != self.current:
            return
        if message_id in self.chat.bubbles or not self.chat.has_more:
            self.chat.show_found(message_id, self.sidebar.search.text())
            return

        def add(messages: list, has_more: bool) -> None:
            if conversation_id != self.current:
                return
            if not messages:
                self.chat.show_found(message_id, self.sidebar.search.text())
                return
            self.chat.prepend(messages, has_more)
            self._load_until(conversation_id, message_id)

        self.controller.page(conversation_id, add, before_id=self.chat.oldest_id, limit=4 * PAGE)

    def _load_older(self, before_id: int) -> None:
        conversation_id = self.current
        if conversation_id is not None:
            self.controller.page(conversation_id, lambda messages, has_more: conversation_id == self.current
                                 and self.chat.prepend(messages, has_more), before_id=before_id, limit=PAGE)

    def new_conversation(self, then=None) -> None:
        """Create a conversation and open it; ``then(id)`` once it is saved (a banner when not)."""
        if self.sidebar.searching:
            self.sidebar.search.clear()

        def created(conversation_id: int) -> None:
            self.open_conversation(conversation_id)
            self.chat.input.setFocus()
            if then is not None:
                then(conversation_id)

        self.controller.new_conversation(then=created)

    def rename_conversation(self, conversation_id: int) -> None:
        self.controller.read(lambda store: store.title(conversation_id),
                             lambda title: self._ask_title(conversation_id, title or ""))

    def _ask_title(self, conversation_id: int, title: str) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename conversation")
        dialog.setLabelText("Title:")
        dialog.setTextValue(title)
        dialog.textValueSelected.connect(lambda title: self._renamed(conversation_id, title))
        self._open(dialog)

    def _renamed(self, conversation_id: int, title: str) -> None:
        self.controller.rename(conversation_id, title,
                               then=lambda: conversation_id == self.current and self._show_header())

    def _show_header(self) -> None:
        """The open conversation's title and message count, as the store has them now."""
        conversation_id = self.current
        if conversation_id is None:
            return

        def show(info) -> None:
            if info is not None and conversation_id == self.current:
                self.chat.title.setText(info.title)
                self.chat.subtitle.setText(_count(info))

        self.controller.read(lambda store: store.conversation(conversation_id), show)

    def delete_conversation(self, conversation_id: int) -> None:
        self.controller.read(lambda store: store.conversation(conversation_id), self._ask_delete)

    def _ask_delete(self, info) -> None:
        if info is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete conversation",
                          f"Delete “{info.title}” and its {info.message_count} messages? "
                          "This cannot be undone.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.finished.connect(lambda result: self._confirmed_delete(info.id, result))
        self._open(box)

    def _confirmed_delete(self, conversation_id: int, result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            self.controller.delete(conversation_id, then=lambda: self._deleted(conversation_id))

    def _deleted(self, conversation_id: int) -> None:
        if conversation_id != self.current:
            return
        self.current = None

        def open_first(remaining: list) -> None:
            if self.current is not None:
                return  # the user opened or started one meanwhile
            if remaining:
                self.open_conversation(remaining[0].id)
            else:
                self.chat.show_conversation(None, "No conversation", [], False,
                                            "Start one with Ctrl+N, or just type below")
                self.chat.mood.set_points([])

        self.controller.conversations(open_first)

    def delete_selected(self) -> None:
        """Delete the conversation selected in the list (after the confirmation)."""
        item = self.sidebar.list.currentItem()
        conversation_id = self.sidebar.id_of(item) if item is not None else self.current
        if conversation_id is not None and self.controller is not None:
            self.delete_conversation(conversation_id)


def _count(info) -> str:
    """The header's line under a conversation's title."""
    return f"{info.message_count:,} messages"
