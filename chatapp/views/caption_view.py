"""Where the captioner looked: the image with the attention map of one caption word over it.

Hover a word (or move the slider) to see its map; each map is a (grid_h x grid_w) distribution
over image regions (Xu et al. 2015), stretched smoothly over the picture.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout,
                               QWidget)

from chatapp.views.theme import LIGHT, Theme

VIEW_SIZE = 420


def attention_image(grid: list[list[float]], color: QColor) -> QImage:
    """A small ARGB "spotlight" mask: transparent where the attention peaks, ``color`` (mostly
    opaque) where the model did not look."""
    height, width = len(grid), len(grid[0]) if grid else 0
    image = QImage(max(width, 1), max(height, 1), QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    peak = max((max(row) for row in grid if row), default=0.0) or 1.0
    for y, row in enumerate(grid):
        for x, weight in enumerate(row):
            c = QColor(color)
            c.setAlphaF((1.0 - min(max(weight / peak, 0.0), 1.0)) * 0.78)
            image.setPixelColor(x, y, c)
    return image


class AttentionImage(QWidget):
    def __init__(self, image_path, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        reader = QImageReader(str(image_path))
        reader.setAutoTransform(True)
        image = reader.read()
        self.pixmap = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        self.overlay: QImage | None = None
        self.theme = theme
        self.setMinimumSize(VIEW_SIZE, VIEW_SIZE)

    def set_map(self, grid: list[list[float]] | None) -> None:
        self.overlay = attention_image(grid, QColor(8, 10, 20)) if grid else None
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.pixmap.isNull():
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "The image is missing")
            return
        size = self.pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                        size.width(), size.height())
        painter.drawPixmap(target, self.pixmap, QRectF(self.pixmap.rect()))
        if self.overlay is not None:
            # Smooth upscaling of the coarse grid gives a soft heat map rather than blocks.
            painter.drawImage(target, self.overlay.scaled(
                int(target.width()), int(target.height()), Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation))


class WordLabel(QLabel):
    hovered = Signal(int)

    def __init__(self, index: int, word: str):
        super().__init__(word)
        self.index = index
        self.setMargin(4)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def enterEvent(self, event) -> None:
        self.hovered.emit(self.index)
        super().enterEvent(event)


class CaptionAttentionView(QWidget):
    word_shown = Signal(int)

    def __init__(self, image_path, words: list[str], maps: list[list[list[float]]],
                 theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.words, self.maps, self.theme = words, maps, theme
        layout = QVBoxLayout(self)
        self.image = AttentionImage(image_path, theme)
        layout.addWidget(self.image, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.labels = []
        for index, word in enumerate(words):
            label = WordLabel(index, word)
            label.hovered.connect(self.show_word)
            self.labels.append(label)
            row.addWidget(label)
        row.addStretch(1)
        layout.addLayout(row)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(len(words) - 1, 0))
        self.slider.valueChanged.connect(self.show_word)
        layout.addWidget(self.slider)
        if words:
            self.show_word(0)

    def show_word(self, index: int) -> None:
        if not 0 <= index < len(self.words):
            return
        if self.slider.value() != index:
            self.slider.setValue(index)
        self.image.set_map(self.maps[index] if index < len(self.maps) else None)
        for i, label in enumerate(self.labels):
            label.setStyleSheet(
                f"background: {self.theme.accent}; color: {self.theme.on_accent}; border-radius: 6px;" if i == index
                else "")
        self.word_shown.emit(index)


class CaptionAttentionDialog(QDialog):
    def __init__(self, image_path, attention: dict, caption: str, theme: Theme = LIGHT,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Where the captioner looked")
        layout = QVBoxLayout(self)
        title = QLabel(caption)
        title.setObjectName("title")
        title.setWordWrap(True)
        layout.addWidget(title)
        hint = QLabel("Hover a word, or move the slider: the bright area is where the model looked "
                      "while writing that word.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.view = CaptionAttentionView(image_path, attention.get("words", []),
                                         attention.get("maps", []), theme)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 620)


__all__ = ["CaptionAttentionDialog", "CaptionAttentionView", "attention_image"]
