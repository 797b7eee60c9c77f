"""``ChatController``: what happens when the user sends, stops, drops, teaches or deletes.

It sits between the views and the rest: it writes to the store on the GUI thread (each write is
a short transaction), queues model calls on the engine worker, and tells the views through
signals. The engine only ever receives strings, lists and paths. One reply at a time runs per
conversation; a reply that finishes after the user has moved to another conversation is saved
where it belongs and shown when that conversation is opened again.

Nothing the user typed is lost to a failed write: every store write goes through ``_saved``, which
turns a refused write (a full disk, a read-only folder) into a banner saying what was not saved
and why, and tells the caller, so that the view keeps the text (``send`` returns None) and an
unanswered message can be answered later (``retry``).

Three parts live in mixins of their own: the model version in use per kind
(``chatapp.model_switching``), attached images and their captions (``chatapp.image_messages``)
and regenerating a reply (``chatapp.regenerate``).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from PySide6.QtCore import QObject, Signal

from chatapp.engine_host import EngineHost
from chatapp.image_messages import ImageMessages
from chatapp.model_switching import ModelSwitching
from chatapp.ops import Op, OpContext, Worker, first_line
from chatapp.regenerate import Regenerating
from chatapp.settings import AppSettings, make_decode_config, save_settings
from chatapp.store.db import WRITE_ERRORS, write_failure

if TYPE_CHECKING:
    from chatapp.store import MessageRecord, Store

DEFAULT_TITLE = "New conversation"


class ChatController(QObject, ModelSwitching, ImageMessages, Regenerating):
    message_added = Signal(object)  # MessageRecord, in any conversation
    message_changed = Signal(object)  # MessageRecord whose sentiment, text or feedback changed
    busy_changed = Signal(int, bool)  # conversation id, whether a reply or caption is running
    notice = Signal(object, str, str)  # conversation id (or None), "info" or "error", text
    conversations_changed = Signal()  # added, renamed, deleted: the list is read again
    conversation_touched = Signal(int)  # a new message: that conversation moves to the top
    engine_status = Signal(object)  # {kind: available}; problems are in ``engine_problems``
    settings_changed = Signal(object)  # AppSettings
    version_changed = Signal(object)  # the ModelVersionRecord now active for its kind

    def __init__(self, store: "Store", host: EngineHost, settings: AppSettings,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.store = store
        self.host = host
        self.settings = settings
        self.files = Worker("files")
        self._states: dict[int, Any] = {}  # conversation id -> the engine's ChatState
        self._running: dict[int, Op] = {}  # conversation id -> the reply or caption op
        self._versions: dict[str, int] = {}  # kind -> the model version in use
        # bot message id -> the texts it has shown, which a regenerate asks the engine to avoid
        self._shown: dict[int, list[str]] = {}
        host.status.connect(self._on_engine_status)
        host.load_failed.connect(lambda why: self.notice.emit(None, "error",
                                                              f"The engine could not start: {why}"))

    # -- conversations -----------------------------------------------------------------------
    def new_conversation(self, title: str = DEFAULT_TITLE) -> Optional[int]:
        """The new conversation's id; None (and a banner) when it could not be saved."""
        ok, conversation = self._saved(None, lambda: self.store.create_conversation(title),
                                       "The new conversation was not saved")
        if not ok:
            return None
        self.conversations_changed.emit()
        return conversation.id

    def rename(self, conversation_id: int, title: str) -> bool:
        if not title.strip():
            return False
        ok, _ = self._saved(conversation_id, lambda: self.store.rename_conversation(conversation_id, title),
                            "The new title was not saved")
        if ok:
            self.conversations_changed.emit()
        return ok

    def delete(self, conversation_id: int) -> bool:
        """Delete a conversation; False (and a banner) when the store refused, and all stays."""
        ok, _ = self._saved(conversation_id, lambda: self.store.delete_conversation(conversation_id),
                            "The conversation was not deleted")
        if ok:
            self.stop(conversation_id)  # after the delete: a refused delete leaves the reply running
            self._states.pop(conversation_id, None)
            self.conversations_changed.emit()
        return ok

    def conversations(self) -> list:
        return self.store.conversations()

    def search(self, query: str) -> list:
        return self.store.search(query)

    def page(self, conversation_id: int, before_id: Optional[int] = None,
             limit: int = 40) -> tuple[list["MessageRecord"], bool]:
        """A page of messages, oldest first, and whether there are earlier ones."""
        messages = self.store.messages(conversation_id, before_id=before_id, limit=limit + 1)
        return messages[-limit:], len(messages) > limit

    def mood(self, conversation_id: int) -> list[tuple[str, dict[str, float]]]:
        return [(label, probs) for _, _, label, probs in self.store.mood(conversation_id)]

    def image_path(self, message_id: int) -> Optional[Path]:
        message = self.store.message(message_id)
        return message.attachments[0].path if message and message.attachments else None

    def is_busy(self, conversation_id: Optional[int]) -> bool:
        return conversation_id in self._running

    # -- messages ----------------------------------------------------------------------------
    def send(self, conversation_id: int, text: str) -> Optional["MessageRecord"]:
        """Save the user's message and queue its sentiment and the reply. Returns None when the
        message was not taken (a reply is running, or the store refused it): the caller keeps the
        text where the user can send it again."""
        if not text.strip():
            return None
        if self.is_busy(conversation_id):
            self.notice.emit(conversation_id, "info", "Wait for the reply in progress, or stop it.")
            return None
        state = self._states.get(conversation_id)
        history = [] if state is not None else self.store.exchanges(conversation_id)
        ok, record = self._saved(conversation_id, lambda: self.store.add_message(conversation_id, "user", text),
                                 "Your message was not saved",
                                 "It is still in the box below: send it again once it can be saved.")
        if not ok:
            return None
        retitled = self._retitle(conversation_id, text)
        self.message_added.emit(record)
        self.conversations_changed.emit() if retitled else self.conversation_touched.emit(conversation_id)
        self._queue_sentiment(record)
        self._queue_reply(conversation_id, text, state, history)
        return record

    def retry(self, message_id: int) -> bool:
        """Ask again for the reply (or caption) of an unanswered user message: the last message of
        its conversation, whose reply was stopped, failed, was not saved, or never came because the
        app was closed. False when there is nothing to retry."""
        message = self.store.message(message_id)
        if message is None or message.role != "user" or self.is_busy(message.conversation_id):
            return False
        conversation_id = message.conversation_id
        last = self.store.messages(conversation_id, limit=1)
        if not last or last[0].id != message_id:
            self.notice.emit(conversation_id, "info", "That message has been answered already.")
            return False
        if message.attachments:
            self._queue_caption(conversation_id, message)
            return True
        if not message.text.strip():
            return False
        state = self._states.get(conversation_id)  # the state before this message: it was never answered
        history = [] if state is not None else self.store.exchanges(conversation_id, before_id=message_id)
        if message.sentiment_label is None:
            self._queue_sentiment(message)
        self._queue_reply(conversation_id, message.text, state, history)
        return True

    def _queue_reply(self, conversation_id: int, text: str, state: Any,
                     history: list[tuple[str, str]]) -> None:
        decoding = self.settings.decoding()

        def reply(engine: Any, ctx: OpContext) -> Any:
            current = state
            if current is None and history:
                current = engine.rebuild_state(history)  # after a restart or a regenerate
            return engine.reply(text, current, make_decode_config(decoding), ctx.should_stop)

        op = self.host.call(reply, "reply")
        op.result.connect(lambda r: self._on_reply(conversation_id, r, decoding, None))
        self._track(conversation_id, op, "No reply")

    def _on_reply(self, conversation_id: int, reply: Any, decoding: dict[str, Any],
                  replaces: Optional[int]) -> bool:
        """Save a reply (or put it in place of ``replaces``); False when it was not saved."""
        if not self.store.has_conversation(conversation_id):
            return False  # deleted while the reply was running
        attention = {"kind": "reply", "source": list(reply.source_tokens),
                     "target": list(reply.tokens), "weights": [list(map(float, row)) for row in reply.attention]}
        if getattr(reply, "source_turns", None) is not None:  # a memory model: the conversation so far
            attention.update(turns=list(reply.source_turns), copied=[float(share) for share in reply.copied or []])
        version = self._versions.get("chat")
        if replaces is None:
            ok, record = self._saved(conversation_id, lambda: self.store.add_message(
                conversation_id, "bot", reply.text, attention=attention, score=float(reply.score),
                decoding=decoding, model_version_id=version),
                "The reply was not saved", "Press Retry on your message to ask again.")
            if ok:
                self._states[conversation_id] = reply.state
                self.message_added.emit(record)
            return ok
        ok, record = self._saved(conversation_id, lambda: self.store.replace_reply(
            replaces, reply.text, attention=attention, score=float(reply.score), decoding=decoding,
            model_version_id=version), "The new reply was not saved", "The earlier one stays.")
        if ok:
            self._states.pop(conversation_id, None)  # the history changed: rebuild next time
            self.message_changed.emit(record)
        return ok

    def _queue_sentiment(self, record: "MessageRecord") -> None:
        if self.host.ready and not self.host.available.get("sentiment"):
            return  # the mood chart says the model is missing
        text = record.text
        op = self.host.call(lambda engine, _ctx: engine.sentiment([text])[0], "sentiment")
        op.result.connect(lambda result: self._on_sentiment(record, result))

    def _on_sentiment(self, record: "MessageRecord", result: Any) -> None:
        if result.label not in ("negative", "neutral", "positive"):
            return
        ok, found = self._saved(record.conversation_id, lambda: self.store.set_sentiment(
            record.id, result.label, dict(result.probabilities)), "The mood of your message was not saved")
        if ok and found:
            self.message_changed.emit(replace(record, sentiment_label=result.label,
                                              sentiment_probabilities=dict(result.probabilities)))

    def stop(self, conversation_id: int) -> None:
        op = self._running.get(conversation_id)
        if op is not None:
            op.cancel()

    def _track(self, conversation_id: int, op: Op, what: str) -> None:
        self._running[conversation_id] = op
        self.busy_changed.emit(conversation_id, True)

        def done() -> None:
            if self._running.get(conversation_id) is op:
                del self._running[conversation_id]
            self.busy_changed.emit(conversation_id, False)

        op.failed.connect(lambda error: self.notice.emit(conversation_id, "error", f"{what}: {first_line(error)}"))
        op.cancelled.connect(lambda: self.notice.emit(conversation_id, "info", "Stopped."))
        op.finished.connect(done)

    # -- feedback and corrections ------------------------------------------------------------
    def set_feedback(self, message_id: int, value: int) -> bool:
        ok, _ = self._saved(self._conversation_of(message_id),
                            lambda: self.store.set_feedback(message_id, value), "Your rating was not saved")
        # Shown as the store has it either way: a refused rating unchecks its button again.
        self.message_changed.emit(self.store.message(message_id))
        return ok

    def teach(self, message_id: int, better_reply: str) -> bool:
        """Store the reply the bot should have given; the training panel learns from it. False
        (and a banner) when it was not saved, so the caller can give the text back."""
        ok, _ = self._saved(self._conversation_of(message_id),
                            lambda: self.store.add_correction(message_id, better_reply),
                            "Your better reply was not saved")
        if ok:
            self.message_changed.emit(self.store.message(message_id))
        return ok

    def attention(self, message_id: int) -> Optional[dict[str, Any]]:
        return self.store.attention(message_id)

    # -- export and import -------------------------------------------------------------------
    def export(self, conversation_id: int, path: Path) -> None:
        """Markdown for a ``.md`` path, JSON otherwise."""
        from chatapp.store.exchange import export_file

        export_file(self.store, conversation_id, Path(path))

    def import_file(self, path: Path) -> int:
        """Import an exported JSON conversation; raises ValueError with a reason (an unreadable
        file, or a store that refused it: then nothing of it stays)."""
        from chatapp.store.exchange import import_file

        conversation_id = import_file(self.store, Path(path))
        self.conversations_changed.emit()
        return conversation_id

    # -- settings ----------------------------------------------------------------------------
    def apply_settings(self, settings: AppSettings) -> None:
        settings = settings.checked()
        device_changed = settings.device != self.settings.device
        self.settings = settings
        try:
            save_settings(self.store.data_dir, settings)
        except OSError as error:
            self.notice.emit(None, "error", f"The settings could not be saved: {error}")
        if device_changed:
            self._states.clear()
            self._versions.clear()
            self.host.start(settings.device)
        self.settings_changed.emit(settings)

    def shutdown(self) -> None:
        """Stop what runs (a reply being written is dropped; everything saved stays saved)."""
        for op in list(self._running.values()):
            op.cancel()
        self.files.shutdown(1.0)
        self.host.shutdown(2.0)

    def _retitle(self, conversation_id: int, text: str) -> bool:
        """Name an untitled conversation after its first message; True if it was renamed."""
        if self.store.title(conversation_id) != DEFAULT_TITLE:
            return False
        words = " ".join(text.split())
        title = words[:48] + ("…" if len(words) > 48 else "")
        ok, _ = self._saved(conversation_id, lambda: self.store.rename_conversation(conversation_id, title),
                            "The conversation's title was not saved")
        return ok

    def _saved(self, conversation_id: Optional[int], write: Callable[[], Any], what: str,
               then: str = "") -> tuple[bool, Any]:
        """(True, ``write()``'s result), or (False, None) after a banner saying that ``what`` and
        why, when the store refused the write (nothing of it was saved; no traceback escapes)."""
        try:
            return True, write()
        except WRITE_ERRORS as error:
            why = write_failure(error, self.store.data_dir)
            self.notice.emit(conversation_id, "error", f"{what}: {why}." + (f" {then}" if then else ""))
            return False, None

    def _conversation_of(self, message_id: int) -> Optional[int]:
        message = self.store.message(message_id)
        return message.conversation_id if message is not None else None
