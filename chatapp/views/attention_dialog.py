"""Why the bot answered so: a heatmap of reply words (rows) against the words it attended to
(columns): the user's message, or for a memory model the whole conversation so far.

Each row is one step of the decoder's attention (Bahdanau et al. 2015) and sums to 1: the darker a
cell, the more that word shaped that reply word. A memory view groups the columns by turn, oldest
on the left, and marks the reply words copied out of the memory (See et al. 2017's copy path).
"""
from __future__ import annotations

from bisect import bisect_right
from math import ceil
from typing import Optional

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout,
                               QWidget)

from chatapp.views.attention_layout import (COPIED, TurnGroup, copied_shares, group_share, loud_groups,
                                           memory_groups)
from chatapp.views.theme import LIGHT, Theme, readable_on

CELL = 30
MAX_LABEL = 110
MEMORY_CELL = 20  # narrower columns for a memory of up to 256 tokens
MEMORY_ROW = 26
GAP = 12  # between two turns' columns
BADGE = "copied"

PLAIN_HINT = ("Each row is a word of the reply; the darker a square, the more the model "
              "looked at that word of your message while writing it (numbers in %).")
MEMORY_HINT = ("Each row is a word of the reply; the columns are the conversation so far, one group "
               "per turn, oldest on the left and your message on the right (your turns are tinted like "
               "your messages). The darker a square, the more the model looked at that word while "
               "writing the reply word (numbers in %).")
COPIED_HINT = (" A word marked “copied” was said back from the conversation rather than chosen from "
               "the model's vocabulary; the words it was copied from are outlined, and its tooltip "
               "says how much of it was copied.")


def mix(low: QColor, high: QColor, weight: float) -> QColor:
    w = min(max(weight, 0.0), 1.0)
    return QColor(int(low.red() + (high.red() - low.red()) * w),
                  int(low.green() + (high.green() - low.green()) * w),
                  int(low.blue() + (high.blue() - low.blue()) * w))


def _small(font: QFont, smaller: float) -> QFont:
    font = QFont(font)
    font.setPointSizeF(max(font.pointSizeF() - smaller, 6))
    return font


class AttentionHeatmap(QWidget):
    """Without ``groups`` the plain view of old messages: 30-pixel cells, one column per word.
    With ``groups`` (:func:`memory_groups`) narrower columns, grouped by turn under a label band;
    ``copied`` (per reply word) marks the copied rows. The row labels stay at the left edge of
    the visible part (:meth:`set_view_left`) so that a long memory can scroll under them."""

    def __init__(self, source: list[str], target: list[str], weights: list[list[float]],
                 theme: Theme = LIGHT, parent: QWidget | None = None, *,
                 groups: Optional[list[TurnGroup]] = None, copied: Optional[list[float]] = None):
        super().__init__(parent)
        self.source, self.target, self.weights, self.theme = source, target, weights, theme
        self.groups, self.copied = groups, copied
        self.memory = groups is not None
        self.view_left = 0
        metrics = QFontMetrics(self.font())
        self.badge_font = _small(self.font(), 1.5)
        self.badge_width = QFontMetrics(self.badge_font).horizontalAdvance(BADGE) + 10
        self.left = min(max([metrics.horizontalAdvance(w) for w in target] + [40]) + 14, MAX_LABEL)
        if any(self.is_copied(row) for row in range(len(target))):
            self.left += self.badge_width + 6
        self.top = min(max([metrics.horizontalAdvance(w) for w in source] + [40]) + 14, MAX_LABEL)
        self.band = 2 * metrics.height() + 12 if self.memory else 0
        self.row_height = MEMORY_ROW if self.memory else CELL
        self.show_groups(groups)
        self.setMouseTracking(True)

    # -- geometry ------------------------------------------------------------------------------
    @property
    def grid_top(self) -> int:
        return self.band + self.top

    def show_groups(self, groups: Optional[list[TurnGroup]]) -> None:
        """Lay out the columns of ``groups`` (all of them, or those left after hiding quiet turns);
        each group is at least as wide as its label, with a gap before the next."""
        self.columns: list[int] = []
        self.xs: list[float] = []
        self.widths: list[float] = []
        self.spans: list[tuple[TurnGroup, float, float]] = []
        x = float(self.left)
        runs = [(None, range(len(self.source)), CELL)] if groups is None else [
            (g, g.columns, max(MEMORY_CELL, ceil((self._label_width(g) + 10) / len(g.columns))))
            for g in groups]
        for index, (group, columns, width) in enumerate(runs):
            x += GAP if index else 0
            start = x
            for column in columns:
                self.columns.append(column)
                self.xs.append(x)
                self.widths.append(width)
                x += width
            if group is not None:
                self.spans.append((group, start, x))
        self.grid_right = x
        self.setMinimumSize(self.sizeHint())
        self.resize(self.sizeHint())
        self.update()

    def _label_width(self, group: TurnGroup) -> int:
        bold = QFont(self.font())
        bold.setBold(True)
        return max(QFontMetrics(bold).horizontalAdvance(group.speaker),
                   QFontMetrics(self.font()).horizontalAdvance(group.when))

    def sizeHint(self) -> QSize:
        if not self.memory:
            return QSize(self.left + CELL * max(len(self.source), 1) + 12,
                         self.top + CELL * max(len(self.target), 1) + 12)
        return QSize(int(self.grid_right) + 12, self.grid_top + self.row_height * max(len(self.target), 1) + 12)

    def set_view_left(self, x: int) -> None:
        """The scrolled-to left edge: the row labels are drawn from there."""
        self.view_left = x
        self.update()

    def is_copied(self, row: int) -> bool:
        return self.copied is not None and row < len(self.copied) and self.copied[row] >= COPIED

    def weight(self, row: int, column: int) -> float:
        """The attention of reply word ``row`` on source word ``column`` (0 where none was saved)."""
        weights = self.weights[row] if row < len(self.weights) else []
        return weights[column] if column < len(weights) else 0.0

    def group_of(self, column: int) -> Optional[TurnGroup]:
        return next((g for g in self.groups or [] if column in g.columns), None)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, source column) under the point, or None outside the cells (or in a gap)."""
        row = int((y - self.grid_top) // self.row_height)
        slot = bisect_right(self.xs, x) - 1
        if (x >= self.view_left + self.left and y >= self.grid_top and row < len(self.target)
                and slot >= 0 and x < self.xs[slot] + self.widths[slot]):
            return row, self.columns[slot]
        return None

    # -- tooltips ------------------------------------------------------------------------------
    def tooltip_at(self, x: float, y: float) -> str:
        cell = self.cell_at(x, y)
        if cell is not None:
            row, column = cell
            group = self.group_of(column)
            where = f" ({group.label})" if group else ""
            text = f"“{self.target[row]}” ← “{self.source[column]}”{where}: {self.weight(row, column):.0%}"
            return text + (f" · copied ({self.copied[row]:.0%})" if self.is_copied(row) else "")
        row = int((y - self.grid_top) // self.row_height)
        if x < self.view_left + self.left and 0 <= row < len(self.target) and y >= self.grid_top:
            if self.copied is not None and row < len(self.copied):
                share = self.copied[row]
                verb = "copied from the conversation" if self.is_copied(row) else "chosen from the vocabulary"
                return f"“{self.target[row]}”: {verb} ({share:.0%} of it was copied)"
        for group, start, end in self.spans:
            if start <= x < end and y < self.band:
                share = group_share(self.weights, group)
                return f"{group.label}: {len(group.columns)} words, {share:.0%} of the attention"
        return ""

    def mouseMoveEvent(self, event) -> None:
        self.setToolTip(self.tooltip_at(event.position().x(), event.position().y()))

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        exposed = event.rect()
        self._paint_bands(painter)
        self._paint_cells(painter, exposed.left(), exposed.right())
        self._paint_row_labels(painter)

    def _paint_bands(self, painter: QPainter) -> None:
        t = self.theme
        line = painter.fontMetrics().height()
        bold = QFont(self.font())
        bold.setBold(True)
        for index, (group, start, end) in enumerate(self.spans):
            fill, ink = (t.user_bubble, t.user_text) if group.user else (t.bot_bubble, t.bot_text)
            rect = QRectF(start, 2, end - start, self.band - 6)
            painter.setPen(QPen(QColor(t.border), 1))
            painter.setBrush(QColor(fill))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setPen(QColor(ink))
            painter.setFont(bold)
            painter.drawText(rect.adjusted(5, 4, -3, 0), Qt.AlignmentFlag.AlignLeft, group.speaker)
            painter.setFont(self.font())
            painter.drawText(rect.adjusted(5, 4 + line, -3, 0), Qt.AlignmentFlag.AlignLeft, group.when)
            if index:  # a line down the middle of the gap before this turn
                painter.setPen(QPen(QColor(t.muted), 1, Qt.PenStyle.DashLine))
                painter.drawLine(int(start - GAP / 2), self.band, int(start - GAP / 2), self.height() - 8)

    def _paint_cells(self, painter: QPainter, x_from: int, x_to: int) -> None:
        t = self.theme
        low, high = QColor(t.heat_low), QColor(t.heat_high)
        metrics = painter.fontMetrics()
        small = _small(self.font(), 2.5)
        numbers = QFontMetrics(small)
        painter.setPen(QColor(t.text))
        for slot, column in enumerate(self.columns):
            x, width = self.xs[slot], self.widths[slot]
            if x + width + self.top < x_from or x > x_to:
                continue  # neither the cell nor its slanted label is in the exposed part
            painter.save()
            painter.translate(x + width / 2 + 5, self.grid_top - 6)
            painter.rotate(-60)
            painter.setPen(QColor(t.text))
            painter.drawText(0, 0, metrics.elidedText(self.source[column], Qt.TextElideMode.ElideRight, self.top))
            painter.restore()
            for row in range(min(len(self.target), len(self.weights))):
                weights = self.weights[row]
                if column >= len(weights):
                    continue
                weight = weights[column]
                rect = QRectF(x + 1, self.grid_top + row * self.row_height + 1, width - 2, self.row_height - 2)
                cell = mix(low, high, weight ** 0.7)  # a gamma so small weights show
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(cell)
                painter.drawRoundedRect(rect, 4, 4)
                if self.is_copied(row) and self.source[column].lower() == self.target[row].lower():
                    painter.setPen(QPen(QColor(t.highlight), 2))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
                number = f"{round(weight * 100)}"
                if weight >= 0.2 and numbers.horizontalAdvance(number) + 2 <= width - 2:
                    painter.setPen(QColor(readable_on(t, cell.name())))
                    painter.setFont(small)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, number)
                    painter.setFont(self.font())

    def _paint_row_labels(self, painter: QPainter) -> None:
        t = self.theme
        metrics = painter.fontMetrics()
        x0 = self.view_left
        if x0:  # scrolled: the labels cover the columns that went under them
            painter.fillRect(QRectF(x0, 0, self.left, self.height()), QColor(t.window))
        painter.setPen(QColor(t.text))
        for row, word in enumerate(self.target):
            top = self.grid_top + row * self.row_height
            space = self.left - 8 - (self.badge_width + 6 if self.is_copied(row) else 0)
            text = metrics.elidedText(word, Qt.TextElideMode.ElideRight, space)
            painter.drawText(QRectF(x0, top, self.left - 8, self.row_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
            if self.is_copied(row):
                right = x0 + self.left - 8 - metrics.horizontalAdvance(text) - 6
                badge = QRectF(right - self.badge_width, top + 4, self.badge_width, self.row_height - 8)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(t.highlight))
                painter.drawRoundedRect(badge, 5, 5)
                painter.setPen(QColor(t.on_highlight))
                painter.setFont(self.badge_font)
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, BADGE)
                painter.setFont(self.font())
                painter.setPen(QColor(t.text))


class AttentionDialog(QDialog):
    def __init__(self, attention: dict, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Attention — why this reply")
        layout = QVBoxLayout(self)
        groups, copied = memory_groups(attention), copied_shares(attention)
        self.weights = attention.get("weights", [])
        hint = QLabel((MEMORY_HINT if groups else PLAIN_HINT) + (COPIED_HINT if copied else ""))
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        self.hint = hint
        layout.addWidget(hint)
        self.heatmap = AttentionHeatmap(attention.get("source", []), attention.get("target", []),
                                        self.weights, theme, groups=groups, copied=copied)
        self.quiet = QCheckBox("Hide the turns it looked at less than 1 %")
        self.quiet.setToolTip("A long conversation has many columns: this leaves the turns that shaped "
                              "the reply (your message is always shown).")
        self.quiet.setVisible(groups is not None and len(groups) > 1)
        self.quiet.toggled.connect(self.hide_quiet)
        layout.addWidget(self.quiet)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.heatmap)
        self.scroll.setWidgetResizable(False)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.horizontalScrollBar().valueChanged.connect(self.heatmap.set_view_left)
        layout.addWidget(self.scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        hint_size = self.heatmap.sizeHint()
        extra = 40 if groups else 0  # the hide-quiet-turns box
        self.resize(min(max(hint_size.width() + 40, 420), 1000), min(hint_size.height() + 130 + extra, 760))

    def hide_quiet(self, hide: bool) -> None:
        groups = self.heatmap.groups
        self.heatmap.show_groups(loud_groups(groups, self.weights) if hide else groups)
        self.show_now()

    def show_now(self) -> None:
        """Scroll to the right end, where the message being answered is."""
        bar = self.scroll.horizontalScrollBar()
        bar.setValue(bar.maximum())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.heatmap.memory:
            QTimer.singleShot(0, self.show_now)  # once the scroll area knows its width
