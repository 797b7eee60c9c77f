"""A small line of the conversation's mood: the user's sentiment, message after message."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from chatapp.views.theme import LIGHT, Theme, sentiment_color

MAX_POINTS = 60  # the most recent messages drawn


def mood_value(probabilities: dict[str, float]) -> float:
    """-1 (surely negative) .. +1 (surely positive)."""
    return float(probabilities.get("positive", 0.0)) - float(probabilities.get("negative", 0.0))


class MoodChart(QWidget):
    def __init__(self, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.points: list[tuple[str, float]] = []  # (label, mood value)
        self.unavailable = ""  # why there is no sentiment model, shown instead of the line
        self.setFixedSize(240, 46)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_points(self, labelled: list[tuple[str, dict[str, float]]]) -> None:
        self.points = [(label, mood_value(probs)) for label, probs in labelled[-MAX_POINTS:]]
        self._tooltip()
        self.update()

    def set_unavailable(self, why: str) -> None:
        self.unavailable = why
        self._tooltip()
        self.update()

    def _tooltip(self) -> None:
        if self.unavailable:
            self.setToolTip(f"The sentiment model is not available: {self.unavailable}")
        elif self.points:
            counts = {k: sum(1 for label, _ in self.points if label == k)
                      for k in ("positive", "neutral", "negative")}
            self.setToolTip("Mood of your messages — " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        else:
            self.setToolTip("Mood of your messages (none labelled yet)")

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        area = QRectF(self.rect()).adjusted(44, 6, -6, -6)
        painter.setPen(QColor(t.muted))
        font = painter.font()
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 7))
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, 42, self.height()), Qt.AlignmentFlag.AlignVCenter, "Mood")
        painter.setPen(QPen(QColor(t.border), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(area.left(), area.center().y()), QPointF(area.right(), area.center().y()))
        if self.unavailable or not self.points:
            painter.setPen(QColor(t.muted))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter,
                             "no sentiment model" if self.unavailable else "no messages yet")
            return
        n = len(self.points)
        step = area.width() / max(n - 1, 1)

        def at(i: int, value: float) -> QPointF:
            x = area.left() + (i * step if n > 1 else area.width() / 2)
            return QPointF(x, area.center().y() - value * area.height() / 2)

        path = QPainterPath(at(0, self.points[0][1]))
        for i, (_, value) in enumerate(self.points[1:], start=1):
            path.lineTo(at(i, value))
        painter.setPen(QPen(QColor(t.accent), 1.6))
        painter.drawPath(path)
        radius = 3.2 if n < 30 else 2.2
        for i, (label, value) in enumerate(self.points):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(sentiment_color(t, label)))
            painter.drawEllipse(at(i, value), radius, radius)
