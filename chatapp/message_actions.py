"""``MessageActions``: rating a reply, teaching a better one, and exporting or importing a
conversation. A mixin of ``ChatController``, which gives the store's owner, ``read``,
``_write``, ``_failed`` and the signals; each step runs on the store's thread and its answer
comes back on the GUI thread.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from chatapp.store.db import WRITE_ERRORS


class MessageActions:
    """Feedback, corrections, export and import (mixed into ``ChatController``)."""

    # -- feedback and corrections ------------------------------------------------------------
    def set_feedback(self, message_id: int, value: int) -> None:
        def rate(store: Any) -> tuple:
            try:
                store.set_feedback(message_id, value)
                refused = None
            except WRITE_ERRORS as error:
                refused = error
            return store.message(message_id), refused

        def rated(found: tuple) -> None:
            message, refused = found
            if refused is not None:
                self._failed(message.conversation_id if message else None, "Your rating was not saved", refused)
            # Shown as the store has it either way: a refused rating unchecks its button again.
            self.message_changed.emit(message)

        self.read(rate, rated)

    def teach(self, message_id: int, better_reply: str, refused: Optional[Callable[[], None]] = None) -> None:
        """Store the reply the bot should have given: a correction the training panel learns from,
        and the pair (the user's message before it -> the reply) that the bot answers from at
        once (``chatapp.knowledge``), in one transaction. When it is not saved, a banner, then
        ``refused()`` so the caller can give the text back."""
        def add(store: Any) -> tuple:
            taught = store.teach(message_id, better_reply)
            pairs = store.knowledge_for_engine() if taught.question is not None else []
            return store.message(message_id), taught, pairs

        def added(found: tuple) -> None:
            message, taught, pairs = found
            self.message_changed.emit(message)
            self.after_teach(message.conversation_id if message else None, taught, pairs)

        self._write(None, add, "Your better reply was not saved", done=added, refused=refused)

    # -- export and import -------------------------------------------------------------------
    def export(self, conversation_id: int, path: Path, done: Optional[Callable[[Path], None]] = None) -> None:
        """Markdown for a ``.md`` path, JSON otherwise; ``done(path)`` once it is written."""
        from chatapp.store.exchange import export_file

        path = Path(path)
        self.owner.run(lambda store: export_file(store, conversation_id, path),
                       lambda _: done(path) if done is not None else None,
                       lambda error: self.notice.emit(None, "error", f"The export failed: {error}"))

    def import_file(self, path: Path, done: Callable[[int, str], None],
                    failed: Callable[[BaseException], None]) -> None:
        """Import an exported JSON conversation: ``done(id, title)``, or ``failed(error)`` with a
        reason (a ValueError for an unreadable file, or a store that refused it: then nothing of
        it stays)."""
        from chatapp.store.exchange import import_file

        def work(store: Any) -> tuple[int, str]:
            conversation_id = import_file(store, Path(path))
            return conversation_id, store.title(conversation_id) or ""

        def imported(found: tuple[int, str]) -> None:
            self.conversations_changed.emit()
            done(*found)

        self.owner.run(work, imported, failed)
