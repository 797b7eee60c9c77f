"""One message as a bubble: text, time, the user's sentiment, and the bot reply's actions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from chatapp.views.theme import SENTIMENT_WORDS, Theme, sentiment_color

if TYPE_CHECKING:
    from chatapp.store import MessageRecord

SHOWN_CHARS = 2000  # longer texts show their start and a "show all" button
THUMBNAIL = QSize(260, 200)
BUBBLE_MAX_WIDTH = 620


def local_time(message: "MessageRecord") -> str:
    from datetime import timezone

    return message.created_at.replace(tzinfo=timezone.utc).astimezone().strftime("%H:%M")


def knowledge_note(knowledge: "dict | None") -> str:
    """The line under a reply that drew on a stored pair (``MessageRecord.knowledge``)."""
    if not knowledge:
        return ""
    if knowledge.get("source") == "shipped":
        return "from what I know about myself"
    question = " ".join(str(knowledge.get("question", "")).split())
    return f"from what you taught me: '{question[:80] + '…' if len(question) > 80 else question}'"


class MessageBubble(QFrame):
    """Emits ``action(name, message_id, value)``: copy, regenerate, attention, teach, feedback,
    show_all, retry (a user message that has no reply: see ``set_unanswered``) and cells (which
    LSTM cells fired on the message's text, from the context menu)."""

    action = Signal(str, int, int)

    def __init__(self, message: "MessageRecord", theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = message
        self.theme = theme
        self.setObjectName("bubble_user" if message.role == "user" else "bubble_bot")
        self.setMaximumWidth(BUBBLE_MAX_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 8)
        layout.setSpacing(6)
        for attachment in message.attachments:
            layout.addWidget(self._thumbnail(attachment.path))
        self.text_label = QLabel()
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setObjectName("text")
        # Right-clicking the text opens the bubble's menu (with Copy), not the label's own.
        self.text_label.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        layout.addWidget(self.text_label)
        self.more = QPushButton("Show all")
        self.more.clicked.connect(lambda: self.action.emit("show_all", message.id, 0))
        layout.addWidget(self.more, alignment=Qt.AlignmentFlag.AlignLeft)
        self.note = QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.source_note = QLabel()  # a reply that drew on a stored pair says so
        self.source_note.setObjectName("note")
        self.source_note.setWordWrap(True)
        self.source_note.setTextFormat(Qt.TextFormat.PlainText)
        self.source_note.hide()
        layout.addWidget(self.source_note)
        self.hint = QLabel()  # what the window adds about the message (set_hint)
        self.hint.setObjectName("note")
        self.hint.setWordWrap(True)
        self.hint.hide()
        layout.addWidget(self.hint)
        footer = QHBoxLayout()
        footer.setSpacing(2)
        self.time_label = QLabel(local_time(message))
        self.time_label.setObjectName("time")
        self.time_label.setToolTip(message.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"))
        self.sentiment_label = QLabel()
        self.sentiment_label.setObjectName("sentiment")
        self.buttons: dict[str, QToolButton] = {}
        if message.role == "user":
            retry = QToolButton()
            retry.setText("↻ Retry")
            retry.setToolTip("This message has no reply: ask for one again")
            retry.setCursor(Qt.CursorShape.PointingHandCursor)
            # The theme's tool buttons are grey, which a user bubble's colour would hide.
            retry.setStyleSheet("QToolButton { color: #ffffff; font-weight: 600; "
                                "border: 1px solid rgba(255,255,255,0.6); border-radius: 6px; padding: 2px 8px; }"
                                "QToolButton:hover { background: rgba(255,255,255,0.18); }")
            retry.clicked.connect(lambda: self.action.emit("retry", self.message.id, 0))
            retry.hide()
            self.buttons["retry"] = retry
            footer.addWidget(retry)
            footer.addStretch(1)
            footer.addWidget(self.sentiment_label)
            footer.addSpacing(8)
            footer.addWidget(self.time_label)
        else:
            footer.addWidget(self.time_label)
            footer.addSpacing(8)
            for name, text, tip in (("copy", "Copy", "Copy the reply"),
                                    ("regenerate", "↻", "Regenerate this reply"),
                                    ("attention", "◧ Attention", "Show where the model looked"),
                                    ("teach", "✎ Teach", "Teach a better reply"),
                                    ("up", "▲", "A good reply"), ("down", "▼", "A bad reply")):
                button = QToolButton()
                button.setText(text)
                button.setToolTip(tip)
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.setAutoRaise(True)
                self.buttons[name] = button
                footer.addWidget(button)
            self.buttons["up"].setCheckable(True)
            self.buttons["down"].setCheckable(True)
            self.buttons["copy"].clicked.connect(lambda: self.action.emit("copy", self.message.id, 0))
            self.buttons["regenerate"].clicked.connect(
                lambda: self.action.emit("regenerate", self.message.id, 0))
            self.buttons["attention"].clicked.connect(
                lambda: self.action.emit("attention", self.message.id, 0))
            self.buttons["teach"].clicked.connect(lambda: self.action.emit("teach", self.message.id, 0))
            self.buttons["up"].clicked.connect(lambda on: self._feedback(1 if on else 0))
            self.buttons["down"].clicked.connect(lambda on: self._feedback(-1 if on else 0))
            footer.addStretch(1)
        layout.addLayout(footer)
        self.update_message(message)

    def _thumbnail(self, path) -> QLabel:
        label = QLabel()
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio)
                                 if size.width() > THUMBNAIL.width() or size.height() > THUMBNAIL.height()
                                 else size)
        image = reader.read()
        if image.isNull():
            label.setText(f"[image missing: {path.name}]")
        else:
            label.setPixmap(QPixmap.fromImage(image))
        label.setObjectName("thumbnail")
        return label

    def update_message(self, message: "MessageRecord") -> None:
        self.message = message
        text = message.text
        shown = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + " …"
        self.text_label.setText(shown)
        # A word-wrapped QLabel asks for a narrow, tall box; size it to its longest line instead,
        # up to the bubble's width, so short messages stay on one line.
        metrics = self.text_label.fontMetrics()
        longest = max((metrics.horizontalAdvance(line) for line in shown[:4000].splitlines()), default=0)
        self._text_width = longest + 4
        self.text_label.setMinimumWidth(min(self._text_width, self.maximumWidth() - 28))
        self.text_label.setVisible(bool(text))
        self.more.setVisible(len(text) > SHOWN_CHARS)
        if len(text) > SHOWN_CHARS:
            self.more.setText(f"Show all {len(text):,} characters")
        self.note.setText(f"✎ Taught: {message.correction}" if message.correction else "")
        self.note.setVisible(bool(message.correction))
        knowledge = getattr(message, "knowledge", None)
        source = knowledge_note(knowledge)
        self.source_note.setText(source)
        self.source_note.setToolTip(f"The stored answer: {knowledge.get('answer', '')}" if source else "")
        self.source_note.setVisible(bool(source))
        if message.role == "user":
            label = message.sentiment_label
            if label in SENTIMENT_WORDS:
                color = sentiment_color(self.theme, label)
                self.sentiment_label.setText(
                    f"<span style='color:{color}'>●</span> {SENTIMENT_WORDS[label]} "
                    f"{message.sentiment_confidence:.0%}")
                self.sentiment_label.setToolTip(", ".join(
                    f"{k} {v:.0%}" for k, v in sorted((message.sentiment_probabilities or {}).items())))
            else:
                self.sentiment_label.setText("")
        else:
            self.buttons["attention"].setVisible(message.has_attention)
            self.buttons["regenerate"].setVisible(message.decoding is not None)
            self.buttons["up"].setChecked(message.feedback > 0)
            self.buttons["down"].setChecked(message.feedback < 0)

    def set_unanswered(self, unanswered: bool) -> None:
        """Offer Retry (a user message only): its reply was stopped, failed or never came."""
        if "retry" in self.buttons:
            self.buttons["retry"].setVisible(unanswered)

    @property
    def unanswered(self) -> bool:
        return "retry" in self.buttons and not self.buttons["retry"].isHidden()

    def fit_width(self, width: int) -> None:
        """Never wider than ``width`` (the chat area's room): in a small window the text wraps
        instead of pushing the bubble, and the row beside it, past the visible edge."""
        self.setMaximumWidth(max(min(BUBBLE_MAX_WIDTH, width), 120))
        self.text_label.setMinimumWidth(min(self._text_width, self.maximumWidth() - 28))

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def context_menu(self) -> QMenu:
        """The right-click menu: the footer's Copy, Attention and Teach (as shown), and, on a message
        with text, "Which cells fired?" (an image alone has no words for a model to read)."""
        menu = QMenu(self)
        entries = [(name, text) for name, text in (("copy", "Copy"), ("attention", "Attention"), ("teach", "Teach…"))
                   if name in self.buttons and not self.buttons[name].isHidden()]
        if self.message.text.strip():
            entries.append(("cells", "Which cells fired?"))
        for name, text in entries:
            menu.addAction(text, lambda name=name: self.action.emit(name, self.message.id, 0))
        return menu

    def contextMenuEvent(self, event) -> None:
        menu = self.context_menu()
        if menu.actions():
            menu.exec(event.globalPos())

    def _feedback(self, value: int) -> None:
        self.buttons["up"].setChecked(value > 0)
        self.buttons["down"].setChecked(value < 0)
        self.action.emit("feedback", self.message.id, value)


class TypingBubble(QFrame):
    """The bot's placeholder while a reply is being written."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bubble_bot")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        label = QLabel("…thinking")
        label.setObjectName("note")
        layout.addWidget(label)
