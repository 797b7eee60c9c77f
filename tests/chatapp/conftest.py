import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from chatapp.app import build_window
from fakes import FakeEngine


class App:
    """A window on a data folder, with the fake engine it was given."""

    def __init__(self, qtbot, data_dir: Path, engine: FakeEngine):
        self.qtbot, self.data_dir, self.engine = qtbot, data_dir, engine
        self.window, self.controller = build_window(data_dir, lambda device: engine, poll_ms=100)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitUntil(lambda: self.controller.host.ready, timeout=5000)
        self.wait_stored()  # the list and the last conversation, read on the store's thread

    @property
    def store(self):
        """The store as a test reads it: each call is queued to the store's owner thread and
        waited for (so it comes after every write the app queued before it)."""
        return self.controller.store

    def type_and_send(self, text: str) -> None:
        """Type and press Enter, then wait until the store's thread has saved it (or refused)."""
        box = self.window.chat.input
        box.setFocus()
        box.setPlainText(text)
        self.qtbot.keyClick(box, Qt.Key.Key_Return)
        self.wait_stored()

    def new_conversation(self):
        """Ctrl+N's action, waited for: the new conversation's id (None when it was not saved)."""
        before = self.window.current
        self.window.new_conversation()
        self.wait_stored()
        return self.window.current if self.window.current != before else None

    def wait_stored(self, timeout: int = 5000) -> None:
        """Until every store task queued so far has run and its answer reached the window."""
        self.qtbot.waitUntil(lambda: _settled(lambda: not self.controller.owner.busy), timeout=timeout)

    def wait_idle(self, timeout: int = 5000) -> None:
        self.qtbot.waitUntil(lambda: _settled(lambda: not self.controller.host.worker.busy
                                              and not self.controller.files.busy
                                              and not self.controller.owner.busy
                                              and not self.controller._running), timeout=timeout)

    def drop_files(self, paths) -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        target = self.window.chat.scroll.viewport()
        point = QPointF(target.width() / 2, target.height() / 2)
        for event_type in ("enter", "drop"):
            from PySide6.QtCore import QEvent
            from PySide6.QtGui import QDragEnterEvent

            if event_type == "enter":
                # A drag-enter event takes an integer point (QPointF only converts on some PySide6 builds).
                event = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime,
                                        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
            else:
                event = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                   Qt.KeyboardModifier.NoModifier, QEvent.Type.Drop)
            QApplication.sendEvent(target, event)

    def close(self) -> None:
        self.window.close()


def _settled(idle) -> bool:
    """Idle, and still idle once the answers already on their way to the GUI thread are handled
    (a worker's result may queue a store task, whose answer may queue a model call)."""
    if not idle():
        return False
    QApplication.processEvents()
    return idle()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def make_app(qtbot, data_dir):
    apps = []

    def make(engine: FakeEngine | None = None, folder: Path | None = None) -> App:
        app = App(qtbot, folder or data_dir, engine or FakeEngine())
        apps.append(app)
        return app

    yield make
    for app in apps:
        if app.window.isVisible():
            app.close()


@pytest.fixture
def tmp_png(tmp_path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 48), "white")
    ImageDraw.Draw(image).ellipse((8, 8, 40, 40), fill="red")
    path = tmp_path / "shapes.png"
    image.save(path)
    return path


@pytest.fixture
def gate():
    event = threading.Event()
    yield event
    event.set()
