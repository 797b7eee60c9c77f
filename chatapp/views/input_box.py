"""The message field: Enter sends, Shift+Enter breaks the line, pasted or dropped images attach."""
from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit


def image_to_png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


class InputBox(QPlainTextEdit):
    submitted = Signal(str)
    image_pasted = Signal(bytes)  # PNG bytes of an image from the clipboard
    files_dropped = Signal(list)  # local file paths (str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPlaceholderText("Message the bot…  (Enter sends, Shift+Enter for a new line; "
                                "drop or paste an image to caption it)")
        self.setTabChangesFocus(True)
        self.setFixedHeight(64)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            text = self.toPlainText()
            if text.strip():
                self.submitted.emit(text)
            event.accept()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = [url.toLocalFile() for url in source.urls() if url.isLocalFile()] if source.hasUrls() else []
        if files:
            self.files_dropped.emit(files)
        elif source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                self.image_pasted.emit(image_to_png(image))
        else:
            super().insertFromMimeData(source)
