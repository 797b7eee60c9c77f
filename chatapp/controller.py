"""``ChatController``: what happens when the user sends, stops, drops, teaches or deletes.

It sits between the views and the rest: it queues every store read and write to the store's
owner thread (``chatapp.store.owner``), each step a task whose result comes back on the GUI
thread, so the GUI never waits on SQLite; it queues model calls on the engine worker, and tells
the views through signals. The engine only ever receives strings, lists and paths. One reply at a time runs per
conversation; a reply that finishes after the user has moved to another conversation is saved
where it belongs and shown when that conversation is opened again.

Nothing the user typed is lost to a failed write: every store write goes through ``_write``, which
turns a refused write (a full disk, a read-only folder) into a banner saying what was not saved
and why, and tells the caller, so that the view keeps the text (``send`` clears the box only from
its ``saved`` callback) and an unanswered message can be answered later (``retry``). A message is
saved before its reply is asked for, and the store's thread runs tasks in the order they came.

Five parts live in mixins of their own: the model version in use per kind
(``chatapp.model_switching``), attached images and their captions (``chatapp.image_messages``),
regenerating a reply (``chatapp.regenerate``), ratings, corrections, export and import
(``chatapp.message_actions``), and the knowledge pairs (``chatapp.knowledge``).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Optional

from PySide6.QtCore import QObject, Signal

from chatapp.engine_host import EngineHost
from chatapp.image_messages import ImageMessages
from chatapp.knowledge import KnowledgeActions
from chatapp.message_actions import MessageActions
from chatapp.model_switching import ModelSwitching
from chatapp.ops import Op, OpContext, Worker, first_line
from chatapp.regenerate import Regenerating
from chatapp.settings import AppSettings, make_decode_config, save_settings
from chatapp.store.db import WRITE_ERRORS, write_failure
from chatapp.store.tasks import DEFAULT_TITLE, mood_points, page, retitle

if TYPE_CHECKING:
    from chatapp.store import MessageRecord
    from chatapp.store.owner import StoreOwner



class ChatController(QObject, ModelSwitching, ImageMessages, Regenerating, MessageActions, KnowledgeActions):
    message_added = Signal(object)  # MessageRecord, in any conversation
    message_changed = Signal(object)  # MessageRecord whose sentiment, text or feedback changed
    busy_changed = Signal(int, bool)  # conversation id, whether a reply or caption is running
    notice = Signal(object, str, str)  # conversation id (or None), "info" or "error", text
    conversations_changed = Signal()  # added, renamed, deleted: the list is read again
    conversation_touched = Signal(int)  # a new message: that conversation moves to the top
    engine_status = Signal(object)  # {kind: available}; problems are in ``engine_problems``
    settings_changed = Signal(object)  # AppSettings
    version_changed = Signal(object)  # the ModelVersionRecord now active for its kind
    knowledge_changed = Signal(int)  # the stored pairs changed (and went to the engine): how many now

    def __init__(self, owner: "StoreOwner", host: EngineHost, settings: AppSettings,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.owner = owner
        self.data_dir = owner.data_dir
        self.host = host
        self.settings = settings
        self.files = Worker("files")
        self._states: dict[int, Any] = {}  # conversation id -> the engine's ChatState
        self._running: dict[int, Op] = {}  # conversation id -> the reply or caption op
        self._saving: set[int] = set()  # conversations whose sent message is being saved
        self._versions: dict[str, int] = {}  # kind -> the model version in use
        # bot message id -> the texts it has shown, which a regenerate asks the engine to avoid
        self._shown: dict[int, list[str]] = {}
        host.status.connect(self._on_engine_status)
        host.load_failed.connect(lambda why: self.notice.emit(None, "error",
                                                              f"The engine could not start: {why}"))

    @property
    def store(self) -> Any:
        """The store for tests, the benchmark and scripts: each call waits for the owner thread.
        The app's own code queues its work instead (``read``, ``_write``)."""
        return self.owner.blocking

    # -- the store, through its owner thread -------------------------------------------------
    def read(self, work: Callable[[Any], Any], done: Callable[[Any], None],
             conversation_id: Optional[int] = None) -> None:
        """``work(store)`` on the store's thread, then ``done(result)`` on the GUI thread."""
        self.owner.run(work, done, lambda error: self._failed(conversation_id, "The data folder could not be read",
                                                              error))

    def _write(self, conversation_id: Optional[int], work: Callable[[Any], Any], what: str, then: str = "",
               done: Optional[Callable[[Any], None]] = None, refused: Optional[Callable[[], None]] = None) -> None:
        """``work(store)`` on the store's thread, then ``done(result)``; when the store refuses
        (a full disk, a read-only folder: nothing of it was saved) a banner says that ``what``
        was not saved and why, then ``refused()`` lets the caller give back what was typed."""
        def failed(error: BaseException) -> None:
            self._failed(conversation_id, what, error, then)
            if refused is not None:
                refused()

        self.owner.run(work, done, failed)

    def _failed(self, conversation_id: Optional[int], what: str, error: BaseException, then: str = "") -> None:
        why = write_failure(error, self.data_dir) if isinstance(error, WRITE_ERRORS) else first_line(error)
        self.notice.emit(conversation_id, "error", f"{what}: {why}." + (f" {then}" if then else ""))

    # -- conversations -----------------------------------------------------------------------
    def new_conversation(self, title: str = DEFAULT_TITLE, then: Optional[Callable[[int], None]] = None) -> None:
        """Create a conversation; ``then(id)`` once it is saved (a banner when it could not be)."""
        def created(conversation: Any) -> None:
            self.conversations_changed.emit()
            if then is not None:
                then(conversation.id)

        self._write(None, lambda store: store.create_conversation(title), "The new conversation was not saved",
                    done=created)

    def rename(self, conversation_id: int, title: str, then: Optional[Callable[[], None]] = None) -> bool:
        """Queue the new title; False when it is empty."""
        if not title.strip():
            return False

        def renamed(_: Any) -> None:
            self.conversations_changed.emit()
            if then is not None:
                then()

        self._write(conversation_id, lambda store: store.rename_conversation(conversation_id, title),
                    "The new title was not saved", done=renamed)
        return True

    def delete(self, conversation_id: int, then: Optional[Callable[[], None]] = None) -> None:
        """Delete a conversation; a banner when the store refused, and all stays."""
        def deleted(_: Any) -> None:
            self.stop(conversation_id)  # after the delete: a refused delete leaves the reply running
            self._states.pop(conversation_id, None)
            self.conversations_changed.emit()
            if then is not None:
                then()

        self._write(conversation_id, lambda store: store.delete_conversation(conversation_id),
                    "The conversation was not deleted", done=deleted)

    def conversations(self, done: Callable[[list], None]) -> None:
        self.read(lambda store: store.conversations(), done)

    def search(self, query: str, done: Callable[[list], None], marks: tuple[str, str] = ("[", "]")) -> None:
        self.read(lambda store: store.search(query, marks=marks), done)

    def page(self, conversation_id: int, done: Callable[[list, bool], None], before_id: Optional[int] = None,
             limit: int = 40) -> None:
        """``done(messages, has_more)``: a page of messages, oldest first, and whether there are
        earlier ones."""
        self.read(lambda store: page(store, conversation_id, before_id, limit), lambda found: done(*found),
                  conversation_id)

    def load(self, conversation_id: int, limit: int, done: Callable[..., None]) -> None:
        """``done(info, messages, has_more, mood)`` for opening a conversation (info None: gone)."""
        def work(store: Any) -> tuple:
            info = store.conversation(conversation_id)
            if info is None:
                return None, [], False, []
            return (info, *page(store, conversation_id, None, limit), mood_points(store, conversation_id))

        self.read(work, lambda found: done(*found), conversation_id)

    def mood(self, conversation_id: int, done: Callable[[list], None]) -> None:
        self.read(lambda store: mood_points(store, conversation_id), done, conversation_id)

    def is_busy(self, conversation_id: Optional[int]) -> bool:
        return conversation_id in self._running

    # -- messages ----------------------------------------------------------------------------
    def send(self, conversation_id: int, text: str,
             saved: Optional[Callable[["MessageRecord"], None]] = None) -> bool:
        """Save the user's message on the store's thread; once it is saved ``saved(record)`` runs
        (the view clears the box) and its sentiment and the reply are queued. False when the
        message was not taken (empty, a reply is running, or the last one is being saved); a
        refused write is said in a banner and ``saved`` never runs: the text stays in the box."""
        if not text.strip() or conversation_id in self._saving:
            return False
        if self.is_busy(conversation_id):
            self.notice.emit(conversation_id, "info", "Wait for the reply in progress, or stop it.")
            return False
        state = self._states.get(conversation_id)
        self._saving.add(conversation_id)

        def save(store: Any) -> tuple:
            history = [] if state is not None else store.exchanges(conversation_id)
            record = store.add_message(conversation_id, "user", text)
            return record, history, retitle(store, conversation_id, text)

        def done(result: tuple) -> None:
            self._saving.discard(conversation_id)
            record, history, retitled = result
            self._said_retitle(conversation_id, retitled)
            self.message_added.emit(record)
            if saved is not None:
                saved(record)
            self.conversations_changed.emit() if retitled is True else self.conversation_touched.emit(conversation_id)
            self._queue_sentiment(record)
            self._queue_reply(conversation_id, text, state, history)

        self._write(conversation_id, save, "Your message was not saved",
                    "It is still in the box below: send it again once it can be saved.", done,
                    refused=lambda: self._saving.discard(conversation_id))
        return True

    def retry(self, message_id: int) -> None:
        """Ask again for the reply (or caption) of an unanswered user message: the last message of
        its conversation, whose reply was stopped, failed, was not saved, or never came because the
        app was closed. Nothing happens when there is nothing to retry."""
        def look(store: Any) -> Any:
            message = store.message(message_id)
            if message is None or message.role != "user":
                return None
            last = store.messages(message.conversation_id, limit=1)
            return (message, bool(last) and last[0].id == message_id,
                    store.exchanges(message.conversation_id, before_id=message_id))

        self.read(look, lambda found: found is not None and self._retry(*found))

    def _retry(self, message: "MessageRecord", is_last: bool, history: list[tuple[str, str]]) -> None:
        conversation_id = message.conversation_id
        if self.is_busy(conversation_id):
            return
        if not is_last:
            self.notice.emit(conversation_id, "info", "That message has been answered already.")
            return
        if message.attachments:
            self._queue_caption(conversation_id, message)
            return
        if not message.text.strip():
            return
        state = self._states.get(conversation_id)  # the state before this message: it was never answered
        if message.sentiment_label is None:
            self._queue_sentiment(message)
        self._queue_reply(conversation_id, message.text, state, [] if state is not None else history)

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
                  replaces: Optional[int], then: Optional[Callable[[], None]] = None) -> None:
        """Save a reply (or put it in place of ``replaces``); ``then()`` once it is saved."""
        attention = {"kind": "reply", "source": list(reply.source_tokens),
                     "target": list(reply.tokens), "weights": [list(map(float, row)) for row in reply.attention]}
        if getattr(reply, "source_turns", None) is not None:  # a memory model: the conversation so far
            attention.update(turns=list(reply.source_turns), copied=[float(share) for share in reply.copied or []])
            if getattr(reply, "stored_questions", None):  # the stored pairs it read, named in the view
                attention["pairs"] = list(reply.stored_questions)
        if getattr(reply, "knowledge", None) is not None:  # the stored pair it drew on (a KnowledgeUse)
            use = reply.knowledge
            attention["knowledge"] = {"question": use.question, "answer": use.answer, "source": use.source,
                                      "copied_share": float(use.copied_share)}
        fields = dict(attention=attention, score=float(reply.score), decoding=decoding,
                      model_version_id=self._versions.get("chat"))

        def save(store: Any) -> Any:
            if not store.has_conversation(conversation_id):
                return None  # deleted while the reply was running
            if replaces is None:
                return store.add_message(conversation_id, "bot", reply.text, **fields)
            return store.replace_reply(replaces, reply.text, **fields)

        def saved(record: Any) -> None:
            if record is None:
                return
            if replaces is None:
                self._states[conversation_id] = reply.state
                self.message_added.emit(record)
            else:
                self._states.pop(conversation_id, None)  # the history changed: rebuild next time
                self.message_changed.emit(record)
            if then is not None:
                then()

        if replaces is None:
            self._write(conversation_id, save, "The reply was not saved", "Press Retry on your message to ask again.",
                        saved)
        else:
            self._write(conversation_id, save, "The new reply was not saved", "The earlier one stays.", saved)

    def _queue_sentiment(self, record: "MessageRecord") -> None:
        if self.host.ready and not self.host.available.get("sentiment"):
            return  # the mood chart says the model is missing
        text = record.text
        op = self.host.call(lambda engine, _ctx: engine.sentiment([text])[0], "sentiment")
        op.result.connect(lambda result: self._on_sentiment(record, result))

    def _on_sentiment(self, record: "MessageRecord", result: Any) -> None:
        if result.label not in ("negative", "neutral", "positive"):
            return
        probabilities = dict(result.probabilities)

        def labelled(found: bool) -> None:
            if found:
                self.message_changed.emit(replace(record, sentiment_label=result.label,
                                                  sentiment_probabilities=probabilities))

        self._write(record.conversation_id, lambda store: store.set_sentiment(record.id, result.label, probabilities),
                    "The mood of your message was not saved", done=labelled)

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

    # -- settings ----------------------------------------------------------------------------
    def apply_settings(self, settings: AppSettings) -> None:
        settings = settings.checked()
        device_changed = settings.device != self.settings.device
        self.settings = settings
        try:
            save_settings(self.data_dir, settings)
        except OSError as error:
            self.notice.emit(None, "error", f"The settings could not be saved: {error}")
        if device_changed:
            self._states.clear()
            self._versions.clear()
            self.host.start(settings.device)
        self.settings_changed.emit(settings)

    def shutdown(self) -> None:
        """Stop what runs (a reply being written is dropped; everything saved stays saved), then
        let the store's thread finish what is queued to it (nothing typed is lost) and close it."""
        for op in list(self._running.values()):
            op.cancel()
        self.files.shutdown(1.0)
        self.host.shutdown(2.0)
        self.owner.close()

    def _said_retitle(self, conversation_id: int, retitled: Any) -> None:
        if isinstance(retitled, BaseException):
            self._failed(conversation_id, "The conversation's title was not saved", retitled)

