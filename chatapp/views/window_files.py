"""The main window's files: an image attached by the file dialog, a drop or a paste, and a
conversation exported (Markdown or JSON) or imported (JSON).

``FileActions`` is a mixin of ``MainWindow`` (before ``QMainWindow``, so that its drag-and-drop
handlers are the window's), which gives ``controller``, ``chat``, ``current``,
``new_conversation``, ``open_conversation``, ``_open``, ``_on_notice`` and ``show_error``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

from chatapp.views.input_box import image_to_png


class FileActions:
    """Attaching images and exporting or importing conversations (mixed into ``MainWindow``)."""

    # -- images ------------------------------------------------------------------------------
    def choose_image(self) -> None:
        dialog = QFileDialog(self, "Attach an image")
        dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.attach_files([path]))
        self._open(dialog)

    def attach_files(self, paths: list[str]) -> None:
        for path in paths:
            self._attach(path=Path(path))

    def _attach(self, path: Optional[Path] = None, data: Optional[bytes] = None) -> None:
        if self.controller is None:
            return
        if self.current is None:
            self.new_conversation(then=lambda conversation_id: self.controller.attach_image(
                conversation_id, path=path, data=data))
            return
        self.controller.attach_image(self.current, path=path, data=data)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if files:
            self.attach_files(files)
        elif mime.hasImage():
            self._attach(data=image_to_png(mime.imageData()))
        event.acceptProposedAction()

    # -- export and import -------------------------------------------------------------------
    def export_conversation(self, kind: str) -> None:
        conversation_id = self.current
        if conversation_id is not None:
            self.controller.read(lambda store: store.title(conversation_id),
                                 lambda title: self._ask_export(conversation_id, title or "", kind))

    def _ask_export(self, conversation_id: int, title: str, kind: str) -> None:
        dialog = QFileDialog(self, "Export conversation")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.setNameFilter("Markdown (*.md)" if kind == "md" else "JSON (*.json)")
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in title).strip()
        dialog.selectFile(f"{safe or 'conversation'}.{kind}")
        dialog.fileSelected.connect(lambda path: self._export(conversation_id, Path(path)))
        self._open(dialog)

    def _export(self, conversation_id: int, path: Path) -> None:
        """Written on the store's thread; a failure is said in the banner."""
        self.controller.export(conversation_id, path,
                               lambda written: self.statusBar().showMessage(f"Exported to {written}", 6000))

    def import_conversation(self) -> None:
        dialog = QFileDialog(self, "Import a conversation")
        dialog.setNameFilter("chatapp conversation (*.json)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self._import(Path(path)))
        self._open(dialog)

    def _import(self, path: Path) -> None:
        self.controller.import_file(path, self._imported, lambda error: self._import_failed(path, error))

    def _import_failed(self, path: Path, error: BaseException) -> None:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        box = self.show_error("The import failed", f"“{path.name}” could not be imported: {reason}.",
                              f"File: {path}")
        box.setInformativeText("Import reads the JSON files that chatapp writes with File → Export "
                               "as JSON. Nothing was added to your conversations.")

    def _imported(self, conversation_id: int, title: str) -> None:
        from chatapp.store.exchange import IMPORTED_AGAIN

        if not title.endswith(IMPORTED_AGAIN):
            self.open_conversation(conversation_id)
            return
        note = (f"This conversation was already here, so the new copy is marked "
                f"“{IMPORTED_AGAIN.strip(' ()')}”. Delete one of the two if you do not need both.")
        self.open_conversation(conversation_id, then=lambda: self.chat.show_notice("info", note))
