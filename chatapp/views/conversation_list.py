"""The sidebar: conversations newest first, a search box across every message, and New.

Each row is drawn by :class:`RowDelegate` as two parts of fixed place: the title on one elided
line, then the time (or, for a search hit, up to two lines of the matching text with the matched
words in bold). Heights come from laying the text out, so a title whose characters come from a
taller fallback font (名前) still leaves room for its time line.
"""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette, QTextDocument, QTextLayout
from PySide6.QtWidgets import (QApplication, QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu,
                               QPushButton, QStyle, QStyledItemDelegate, QVBoxLayout, QWidget)

if TYPE_CHECKING:
    from chatapp.store import ConversationInfo, SearchHit

ID_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3  # the time, or the hit's snippet with MARKS
# Around the matched words of a search snippet: private-use characters, which typed text does not
# hold, so a message with its own brackets ("see [1]") is shown as written.
MARKS = ("\ue000", "\ue001")
PAD_X, PAD_Y, GAP, MARGIN = 10, 7, 2, 6  # inside a row; MARGIN: between a row and the list's sides
SNIPPET_LINES = 2


def _line_height(font: QFont, text: str) -> float:
    """The height of ``text`` on one line, fallback fonts included (QFontMetrics knows only
    ``font`` itself)."""
    layout = QTextLayout(text or " ", font)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(1e6)
    layout.endLayout()
    return max(line.height(), layout.boundingRect().height())


def snippet_html(snippet: str) -> str:
    """A snippet with MARKS as escaped HTML, the matched words in bold."""
    return (html.escape(snippet).replace(MARKS[0], "<b>").replace(MARKS[1], "</b>"))


def plain_snippet(snippet: str) -> str:
    return snippet.replace(MARKS[0], "").replace(MARKS[1], "")


class RowDelegate(QStyledItemDelegate):
    """Paints a conversation (title, time) or a search hit (title, snippet)."""

    def _fonts(self, option) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        return title, QFont(option.font)

    def _detail_height(self, font: QFont, detail: str, hit: bool) -> float:
        return _line_height(font, plain_snippet(detail)) * (SNIPPET_LINES if hit else 1)

    def sizeHint(self, option, index) -> QSize:
        title_font, detail_font = self._fonts(option)
        hit = index.data(MESSAGE_ROLE) is not None
        height = (PAD_Y * 2 + GAP + _line_height(title_font, index.data(TITLE_ROLE) or "")
                  + self._detail_height(detail_font, index.data(DETAIL_ROLE) or "", hit))
        return QSize(100, math.ceil(height) + 2)

    def paint(self, painter, option, index) -> None:
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        box = QRectF(option.rect).adjusted(MARGIN, 1, -MARGIN, -1)
        if selected or hovered:
            painter.setRenderHint(painter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight if selected
                                           else QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(box, 8, 8)
        title_font, detail_font = self._fonts(option)
        strong = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        soft = strong if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        title, detail = index.data(TITLE_ROLE) or "", index.data(DETAIL_ROLE) or ""
        width = box.width() - 2 * PAD_X
        title_height = _line_height(title_font, title)
        painter.setFont(title_font)
        painter.setPen(strong)
        elided = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, int(width))
        top = box.top() + PAD_Y
        painter.drawText(QRectF(box.left() + PAD_X, top, width, title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        detail_rect = QRectF(box.left() + PAD_X, top + title_height + GAP, width,
                             self._detail_height(detail_font, detail, index.data(MESSAGE_ROLE) is not None))
        painter.setFont(detail_font)
        if index.data(MESSAGE_ROLE) is None:
            painter.setPen(soft)
            painter.drawText(detail_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             painter.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight, int(width)))
        else:
            document = QTextDocument()
            document.setDefaultFont(detail_font)
            document.setDocumentMargin(0)
            document.setTextWidth(width)
            document.setDefaultStyleSheet(f"body {{ color: {soft.name()}; }} b {{ color: {strong.name()}; }}")
            document.setHtml(f"<body>{snippet_html(detail)}</body>")
            painter.translate(detail_rect.topLeft())
            painter.setClipRect(QRectF(0, 0, width, detail_rect.height()))
            document.drawContents(painter)
        painter.restore()


class ConversationList(QFrame):
    selected = Signal(int)  # conversation id
    found = Signal(int, int)  # a search hit chosen: conversation id, message id
    new_requested = Signal()
    rename_requested = Signal(int)
    delete_requested = Signal(int)
    search_changed = Signal(str)  # the query, after the user paused typing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setMinimumWidth(190)  # room for the New button's words; the chat takes the rest
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
        self.list.itemClicked.connect(self._on_clicked)
        self.list.setItemDelegate(RowDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMouseTracking(True)  # for the hover background
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
                item = QListWidgetItem(f"{title}\n{plain_snippet(detail)}")  # for accessibility
                item.setData(ID_ROLE, conversation_id)
                item.setData(MESSAGE_ROLE, message_id)
                item.setData(TITLE_ROLE, title)
                item.setData(DETAIL_ROLE, detail)
                item.setToolTip(title if message_id is None else f"{title}\n{plain_snippet(detail)}")
                self.list.addItem(item)
                # A hit is never chosen for the user: choosing it is what scrolls to the message.
                if conversation_id == current and message_id is None and self.list.currentItem() is None:
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
            if item.data(MESSAGE_ROLE) is not None:
                # A hit chosen with the mouse is opened by the click (below), which also comes
                # when the hit is already the current row; the keys open it here.
                if QApplication.mouseButtons() == Qt.MouseButton.NoButton:
                    self.found.emit(item.data(ID_ROLE), item.data(MESSAGE_ROLE))
            else:
                self.selected.emit(item.data(ID_ROLE))

    def _on_clicked(self, item: QListWidgetItem) -> None:
        """A click on a hit goes to its message, again if the user has scrolled away since."""
        if item.data(MESSAGE_ROLE) is not None:
            self.found.emit(item.data(ID_ROLE), item.data(MESSAGE_ROLE))

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
