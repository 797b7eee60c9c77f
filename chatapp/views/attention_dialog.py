"""Why the bot answered so: a heatmap of reply words (rows) against the user's words (columns).

Each row is one step of the decoder's attention (Bahdanau et al. 2015) and sums to 1: the darker a
cell, the more that user word shaped that reply word.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from chatapp.views.theme import LIGHT, Theme, readable_on

CELL = 30
MAX_LABEL = 110


def mix(low: QColor, high: QColor, weight: float) -> QColor:
    w = min(max(weight, 0.0), 1.0)
    return QColor(int(low.red() + (high.red() - low.red()) * w),
                  int(low.green() + (high.green() - low.green()) * w),
                  int(low.blue() + (high.blue() - low.blue()) * w))


class AttentionHeatmap(QWidget):
    def __init__(self, source: list[str], target: list[str], weights: list[list[float]],
                 theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.source, self.target, self.weights, self.theme = source, target, weights, theme
        metrics = QFontMetrics(self.font())
        self.left = min(max([metrics.horizontalAdvance(w) for w in target] + [40]) + 14, MAX_LABEL)
        self.top = min(max([metrics.horizontalAdvance(w) for w in source] + [40]) + 14, MAX_LABEL)
        self.setMouseTracking(True)
        self.setMinimumSize(self.sizeHint())

    def sizeHint(self) -> QSize:
        return QSize(self.left + CELL * max(len(self.source), 1) + 12,
                     self.top + CELL * max(len(self.target), 1) + 12)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        column, row = int((x - self.left) // CELL), int((y - self.top) // CELL)
        if x >= self.left and y >= self.top and row < len(self.target) and column < len(self.source):
            return row, column
        return None

    def mouseMoveEvent(self, event) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is None:
            self.setToolTip("")
        else:
            row, column = cell
            self.setToolTip(f"“{self.target[row]}” ← “{self.source[column]}”: "
                            f"{self.weights[row][column]:.0%}")

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        low, high = QColor(t.heat_low), QColor(t.heat_high)
        metrics = painter.fontMetrics()
        painter.setPen(QColor(t.text))
        for row, word in enumerate(self.target):
            rect = QRectF(0, self.top + row * CELL, self.left - 8, CELL)
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(word, Qt.TextElideMode.ElideRight, self.left - 8))
        for column, word in enumerate(self.source):
            painter.save()
            painter.translate(self.left + column * CELL + CELL / 2 + 5, self.top - 6)
            painter.rotate(-60)
            painter.drawText(0, 0, metrics.elidedText(word, Qt.TextElideMode.ElideRight, self.top))
            painter.restore()
        for row, weights in enumerate(self.weights[:len(self.target)]):
            for column, weight in enumerate(weights[:len(self.source)]):
                rect = QRectF(self.left + column * CELL + 1, self.top + row * CELL + 1, CELL - 2, CELL - 2)
                painter.setPen(Qt.PenStyle.NoPen)
                cell = mix(low, high, weight ** 0.7)  # a gamma so small weights show
                painter.setBrush(cell)
                painter.drawRoundedRect(rect, 4, 4)
                if weight >= 0.2:
                    painter.setPen(QColor(readable_on(t, cell.name())))
                    font = painter.font()
                    font.setPointSizeF(max(font.pointSizeF() - 2.5, 6))
                    painter.setFont(font)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{round(weight * 100)}")
                    painter.setFont(self.font())


class AttentionDialog(QDialog):
    def __init__(self, attention: dict, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Attention — why this reply")
        layout = QVBoxLayout(self)
        hint = QLabel("Each row is a word of the reply; the darker a square, the more the model "
                      "looked at that word of your message while writing it (numbers in %).")
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.heatmap = AttentionHeatmap(attention.get("source", []), attention.get("target", []),
                                        attention.get("weights", []), theme)
        scroll = QScrollArea()
        scroll.setWidget(self.heatmap)
        scroll.setWidgetResizable(False)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        hint_size = self.heatmap.sizeHint()
        self.resize(min(max(hint_size.width() + 40, 420), 1000), min(hint_size.height() + 130, 760))
