"""``ImageMessages``: an image the user attaches, and its caption.

The file is read and checked on the file worker, a copy is kept in the data folder as a user
message, and the caption is asked of the engine like a reply. A mixin of ``ChatController``,
which gives the store's owner, the host, the file worker, ``_write``, ``_said_retitle``, ``_track`` and the signals.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from chatapp.image_files import read_image
from chatapp.ops import Op, first_line
from chatapp.store.tasks import retitle

if TYPE_CHECKING:
    from chatapp.store import MessageRecord


class ImageMessages:
    """Attaching an image and captioning it (mixed into ``ChatController``)."""

    def attach_image(self, conversation_id: int, path: Optional[Path] = None,
                     data: Optional[bytes] = None, name: str = "pasted image.png") -> Op:
        """Check the image off the GUI thread, keep a copy, and queue its caption."""
        if path is not None:
            name = Path(path).name
        op = self.files.run(lambda _ctx: read_image(name, data, Path(path) if path else None),
                            "read image")
        op.result.connect(lambda found: self._on_image(conversation_id, *found))
        op.failed.connect(lambda error: self.notice.emit(conversation_id, "error", first_line(error)))
        return op

    def _on_image(self, conversation_id: int, name: str, data: bytes, mime: str) -> None:
        def save(store: Any) -> Any:
            if not store.has_conversation(conversation_id):
                return None
            record = store.add_image_message(conversation_id, name, data, mime)
            return record, retitle(store, conversation_id, f"Image: {name}")

        def saved(found: Any) -> None:
            if found is None:
                return
            record, retitled = found
            self._said_retitle(conversation_id, retitled)
            self.message_added.emit(record)
            self.conversations_changed.emit()
            self._queue_caption(conversation_id, record)

        self._write(conversation_id, save, f"The image {name} was not saved", "Attach it again once it can be saved.",
                    saved)

    def _queue_caption(self, conversation_id: int, record: "MessageRecord") -> None:
        if self.host.ready and not self.host.available.get("caption"):
            self.notice.emit(conversation_id, "info",
                             "The image is saved; the captioner is not available yet, so it has no caption.")
            return
        image_path = record.attachments[0].path
        beam = self.settings.beam_size
        op = self.host.call(lambda engine, _ctx: engine.caption(image_path, beam_size=beam), "caption")
        op.result.connect(lambda caption: self._on_caption(conversation_id, record.id, caption))
        self._track(conversation_id, op, "No caption")

    def _on_caption(self, conversation_id: int, image_message_id: int, caption: Any) -> None:
        attention = {"kind": "caption", "image_message_id": image_message_id,
                     "words": list(caption.words), "maps": caption.attention}
        version = self._versions.get("caption")

        def save(store: Any) -> Any:
            if not store.has_conversation(conversation_id):
                return None  # deleted while the caption was written
            return store.add_message(conversation_id, "bot", caption.text, attention=attention,
                                     score=float(caption.score), model_version_id=version)

        self._write(conversation_id, save, "The caption was not saved", "Press Retry on the image to ask again.",
                    lambda record: record is not None and self.message_added.emit(record))
