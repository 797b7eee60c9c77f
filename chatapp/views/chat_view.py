"""The open conversation: a header with its mood, the bubbles, notices and the input bar.

Only the newest page of messages is built when a conversation opens; older pages are added as
the user scrolls up, so ten thousand messages open as fast as ten.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from chatapp.views.banner import Banner
from chatapp.views.bubble import MessageBubble, TypingBubble
from chatapp.views.input_box import InputBox
from chatapp.views.mood_chart import MoodChart
from chatapp.views.theme import LIGHT, Theme

if TYPE_CHECKING:
    from chatapp.store import MessageRecord

PAGE = 16  # messages built at a time: a screenful and a little more
SHORT_HINT = "Message the bot…"  # the input's hint when the long one would be cut


class ElidedLabel(QLabel):
    """One line that ends in "…" when the room is short, instead of widening the window."""

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self.alignment()), text)


class ChatView(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()
    attach_requested = Signal()
    image_pasted = Signal(bytes)
    files_dropped = Signal(list)
    older_requested = Signal(int)  # the id of the oldest message shown
    bubble_action = Signal(str, int, int)  # name, message id, value (see MessageBubble)

    def __init__(self, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.conversation_id: Optional[int] = None
        self.bubbles: dict[int, MessageBubble] = {}
        self._oldest_id: Optional[int] = None
        self._has_more = False
        self._loading_older = False
        self._stick_to_bottom = True
        self._typing: Optional[QWidget] = None
        self._busy = False  # a reply or caption is being written for this conversation
        self._retry_id: Optional[int] = None  # the unanswered user message that offers Retry
        # The window's remark for a message, shown under its text ("" for none).
        self.hint_for: Callable[["MessageRecord"], str] = lambda _message: ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = QFrame()
        header.setObjectName("header")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(18, 8, 12, 8)
        titles = QVBoxLayout()
        self.title = ElidedLabel("No conversation")
        self.title.setObjectName("title")
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("hint")
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header_layout.addLayout(titles, 1)
        self.mood = MoodChart(theme)
        header_layout.addWidget(self.mood)
        layout.addWidget(header)

        self.banner = Banner()
        banner_box = QHBoxLayout()
        banner_box.setContentsMargins(16, 8, 16, 0)
        banner_box.addWidget(self.banner)
        layout.addLayout(banner_box)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("chatArea")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.container = QWidget()
        self.rows = QVBoxLayout(self.container)
        self.rows.setContentsMargins(18, 12, 18, 12)
        self.rows.setSpacing(10)
        self.rows.addStretch(1)  # keeps a short conversation at the bottom, near the input
        self.older_label = QPushButton("")
        self.older_label.setFlat(True)
        self.older_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.older_label.clicked.connect(self._request_older)
        self.older_label.hide()  # until a conversation with earlier pages is shown
        self.rows.insertWidget(1, self.older_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.scroll.setWidget(self.container)
        layout.addWidget(self.scroll, 1)
        bar = self.scroll.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

        input_bar = QFrame()
        input_bar.setObjectName("inputBar")
        input_layout = QHBoxLayout(input_bar)
        input_layout.setContentsMargins(14, 10, 14, 10)
        self.attach_button = QPushButton("+ Image")
        self.attach_button.setToolTip("Attach an image to caption (or drop / paste one)")
        self.attach_button.clicked.connect(self.attach_requested)
        self.input = InputBox()
        self.input.submitted.connect(self._submit)
        self.input.image_pasted.connect(self.image_pasted)
        self.input.files_dropped.connect(self.files_dropped)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(lambda: self._submit(self.input.toPlainText()))
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setObjectName("danger")
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.hide()
        input_layout.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        input_layout.addWidget(self.input, 1)
        input_layout.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        input_layout.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(input_bar)

    # -- the conversation --------------------------------------------------------------------
    def show_conversation(self, conversation_id: Optional[int], title: str,
                          messages: list["MessageRecord"], has_more: bool, subtitle: str = "") -> None:
        self.setUpdatesEnabled(False)
        try:
            self._clear()
            self.conversation_id = conversation_id
            self.title.setText(title)
            self.subtitle.setText(subtitle)
            self.banner.hide()
            for message in messages:
                self._insert(message, at_end=True)
            self._oldest_id = messages[0].id if messages else None
            self._set_has_more(has_more)
            self._stick_to_bottom = True
            self._offer_retry()
        finally:
            self.setUpdatesEnabled(True)
        self.scroll_to_bottom()

    def prepend(self, messages: list["MessageRecord"], has_more: bool) -> None:
        """Add an older page above what is shown, keeping the view where the user was."""
        bar = self.scroll.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()
        for message in reversed(messages):
            if message.id not in self.bubbles:
                self._insert(message, at_end=False)
        if messages:
            self._oldest_id = messages[0].id
        self._set_has_more(has_more)
        self.container.adjustSize()
        bar.setValue(bar.maximum() - from_bottom)
        self._loading_older = False

    def append(self, message: "MessageRecord") -> None:
        if message.conversation_id != self.conversation_id or message.id in self.bubbles:
            return
        self._insert(message, at_end=True)
        if self._oldest_id is None:
            self._oldest_id = message.id
        self._stick_to_bottom = True
        self._offer_retry()
        self.scroll_to_bottom()

    def update_message(self, message: "MessageRecord") -> None:
        bubble = self.bubbles.get(message.id)
        if bubble is not None:
            bubble.update_message(message)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._offer_retry()
        self.stop_button.setVisible(busy)
        self.send_button.setVisible(not busy)
        if busy and self._typing is None:
            self._typing = self._row(TypingBubble(), "bot")
            self.rows.addWidget(self._typing)
            self.scroll_to_bottom()
        elif not busy and self._typing is not None:
            self._typing.hide()
            self._typing.deleteLater()
            self.rows.removeWidget(self._typing)
            self._typing = None

    @property
    def oldest_id(self) -> Optional[int]:
        return self._oldest_id

    @property
    def has_more(self) -> bool:
        return self._has_more

    def show_found(self, message_id: int, query: str) -> None:
        """Scroll to a message found by search, outline it and select the first searched word."""
        bubble = self.bubbles.get(message_id)
        if bubble is None:
            return
        bubble.setProperty("found", True)
        bubble.style().unpolish(bubble)
        bubble.style().polish(bubble)
        text = bubble.text_label.text().lower()
        for word in sorted(query.lower().split(), key=len, reverse=True):
            start = text.find(word)
            if start >= 0:
                end = start + len(word)
                while end < len(text) and text[end].isalnum():  # the search matches prefixes
                    end += 1
                bubble.text_label.setSelection(start, end - start)
                break
        self._stick_to_bottom = False
        self.container.layout().activate()  # the bubble's place is known before scrolling
        self.scroll.ensureWidgetVisible(bubble, 0, self.scroll.viewport().height() // 3)

    def show_notice(self, level: str, text: str) -> None:
        self.banner.show_text(level, text)

    def scroll_to_bottom(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    # -- internals ---------------------------------------------------------------------------
    def sent(self, text: str) -> None:
        """``text`` was saved: clear the box (unless the user has typed something else since).
        The box is only cleared here, so a message the store refused stays where it was typed.
        The banner spoke of an earlier try, so it goes."""
        if self.input.toPlainText() == text:
            self.input.clear()
        self.banner.hide()

    def _on_bubble_action(self, name: str, _message_id: int, _value: int) -> None:
        if name in ("retry", "regenerate"):
            self.banner.hide()  # "Stopped." or "not saved" was about the try this one replaces

    def _submit(self, text: str) -> None:
        if text.strip() and self.send_button.isVisible():
            self.send_requested.emit(text)

    def _offer_retry(self) -> None:
        """Retry on the newest message when it is the user's and nothing is answering it: a stopped
        or failed reply, or one that never came because the app was closed."""
        newest = max(self.bubbles) if self.bubbles else None
        wanted = (newest if newest is not None and not self._busy
                  and self.bubbles[newest].message.role == "user" else None)
        if wanted == self._retry_id:
            return
        if self._retry_id in self.bubbles:
            self.bubbles[self._retry_id].set_unanswered(False)
        if wanted is not None:
            self.bubbles[wanted].set_unanswered(True)
        self._retry_id = wanted

    def _row(self, bubble: QWidget, role: str) -> QWidget:
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        if role == "user":
            row_layout.addStretch(1)
        row_layout.addWidget(bubble)
        if role != "user":
            row_layout.addStretch(1)
        return row

    def _insert(self, message: "MessageRecord", at_end: bool) -> None:
        bubble = MessageBubble(message, self.theme)
        bubble.action.connect(self._on_bubble_action)  # first: what it shows may replace the banner
        bubble.fit_width(self._bubble_room())
        bubble.set_hint(self.hint_for(message))
        bubble.action.connect(self.bubble_action)
        self.bubbles[message.id] = bubble
        row = self._row(bubble, message.role)
        if at_end:
            index = self.rows.count() - (1 if self._typing is not None else 0)
        else:
            index = 2  # after the stretch and the "earlier messages" line
        self.rows.insertWidget(index, row)

    def _clear(self) -> None:
        self._typing = None
        while self.rows.count() > 2:
            item = self.rows.takeAt(2)
            if item.widget() is not None:
                item.widget().hide()  # deletion waits for the event loop; hide it now
                item.widget().deleteLater()
        self.bubbles.clear()
        self._oldest_id = None
        self._loading_older = False  # a page still being read for the conversation shown before is dropped
        self._retry_id = None

    def _set_has_more(self, has_more: bool) -> None:
        self._has_more = has_more
        self.older_label.setText("↑ Earlier messages" if has_more else "")
        self.older_label.setVisible(has_more)

    def _on_scrolled(self, value: int) -> None:
        bar = self.scroll.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 4
        if value <= 40 and bar.maximum() > 0:
            self._request_older()

    def _request_older(self) -> None:
        if self._has_more and not self._loading_older and self._oldest_id is not None:
            self._loading_older = True
            oldest = self._oldest_id
            QTimer.singleShot(0, lambda: self.older_requested.emit(oldest))

    def _bubble_room(self) -> int:
        """The widest a bubble may be: the chat area less its margins and the scroll bar."""
        margins = self.rows.contentsMargins()
        return (self.scroll.viewport().width() - margins.left() - margins.right()
                - self.scroll.verticalScrollBar().sizeHint().width())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        room = self._bubble_room()
        for bubble in self.bubbles.values():
            bubble.fit_width(room)
        self._fit_placeholder()

    def _fit_placeholder(self) -> None:
        """The input's long hint where it fits, a short one in a narrow window (never cut)."""
        box = self.input
        if not hasattr(self, "_long_hint"):
            self._long_hint = box.placeholderText()
        metrics = box.fontMetrics()
        width = max(box.viewport().width() - 12, 1)
        lines = max(box.viewport().height() // max(metrics.lineSpacing(), 1), 1)
        # Words wrap whole, so a line holds a little less than its width: count 80 % of it.
        needed = metrics.horizontalAdvance(self._long_hint) / (0.8 * width)
        box.setPlaceholderText(self._long_hint if needed <= lines else SHORT_HINT)

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.scroll.verticalScrollBar().setValue(maximum)
