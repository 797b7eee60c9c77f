"""``Store``: everything the app keeps, behind methods that take and return plain values.

Every write runs in its own transaction (``with self._write() as s:``); one the database refuses
(a full disk, a read-only folder) is rolled back and raised as ``StoreWriteError``. The store
knows nothing of Qt. The app uses it from one thread only, the owner thread of
``chatapp.store.owner.StoreOwner``, to which the chat window and the training panel queue their
store operations; once ``bind_thread`` has been called, a call from any other thread raises.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Sequence

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from chatapp.store.db import StoreWriteError, integrity_check, open_database, write_failure, write_session
from chatapp.store.models import Attachment, Conversation, Correction, Feedback, Message, utcnow
from chatapp.store.records import AttachmentRecord, ConversationInfo, MessageRecord, SearchHit
from chatapp.store.knowledge_queries import KnowledgeQueries
from chatapp.store.training_queries import TrainingQueries

ATTACHMENTS_DIR = "attachments"
MAX_TITLE = 200


class Store(TrainingQueries, KnowledgeQueries):
    """The data folder: the SQLite database and the copies of attached images. Conversations,
    messages, corrections and search are here; training's tables are in ``TrainingQueries``, the
    knowledge pairs in ``KnowledgeQueries``."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._engine = open_database(self.data_dir)  # raises StoreError with a clear message
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._thread: Optional[int] = None  # the one thread allowed in, once bound

    def bind_thread(self) -> None:
        """From now on only the calling thread (the store's owner) may use the database."""
        self._thread = threading.get_ident()

    def _session(self) -> Session:
        self._check_thread()
        return self._sessions()

    def _check_thread(self) -> None:
        if self._thread is not None and threading.get_ident() != self._thread:
            raise RuntimeError(f"the store is used from thread {threading.current_thread().name}, "
                               "not its owner: queue the call to chatapp.store.owner.StoreOwner")

    def _write(self):
        """``with self._write() as s:`` — one transaction; a refused write raises StoreWriteError."""
        return write_session(self._session, self.data_dir)

    def close(self) -> None:
        self._check_thread()
        self._engine.dispose()

    def integrity_check(self) -> str:
        self._check_thread()
        return integrity_check(self._engine)

    # -- conversations -----------------------------------------------------------------------
    def create_conversation(self, title: str = "New conversation") -> ConversationInfo:
        with self._write() as s:
            row = Conversation(title=_title(title))
            s.add(row)
            s.flush()
            return _conversation(row, 0)

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        with self._write() as s:
            s.execute(update(Conversation).where(Conversation.id == conversation_id)
                      .values(title=_title(title)))

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete the conversation, its messages and the image copies no other message uses."""
        with self._write() as s:
            paths = s.execute(
                select(Attachment.stored_path, Attachment.sha256)
                .join(Message, Attachment.message_id == Message.id)
                .where(Message.conversation_id == conversation_id)).all()
            s.execute(delete(Conversation).where(Conversation.id == conversation_id))
            s.flush()
            still_used = set(s.scalars(select(Attachment.sha256).where(
                Attachment.sha256.in_([sha for _, sha in paths]))))
        for stored_path, sha in paths:
            if sha not in still_used:
                (self.data_dir / stored_path).unlink(missing_ok=True)

    def conversations(self) -> list[ConversationInfo]:
        """All conversations, the most recently active first."""
        counts = (select(Message.conversation_id, func.count().label("n"))
                  .group_by(Message.conversation_id).subquery())
        with self._session() as s:
            rows = s.execute(select(Conversation, func.coalesce(counts.c.n, 0))
                             .outerjoin(counts, counts.c.conversation_id == Conversation.id)
                             .order_by(Conversation.updated_at.desc(), Conversation.id.desc())).all()
            return [_conversation(row, n) for row, n in rows]

    def has_conversation(self, conversation_id: int) -> bool:
        return self.title(conversation_id) is not None

    def title(self, conversation_id: int) -> Optional[str]:
        with self._session() as s:
            return s.scalar(select(Conversation.title).where(Conversation.id == conversation_id))

    def conversation(self, conversation_id: int) -> Optional[ConversationInfo]:
        with self._session() as s:
            row = s.get(Conversation, conversation_id)
            if row is None:
                return None
            return _conversation(row, self.message_count(conversation_id))

    # -- messages ----------------------------------------------------------------------------
    def add_message(self, conversation_id: int, role: str, text: str, *,
                    sentiment: Optional[tuple[str, dict[str, float]]] = None,
                    attention: Optional[dict[str, Any]] = None, score: Optional[float] = None,
                    decoding: Optional[dict[str, Any]] = None,
                    model_version_id: Optional[int] = None,
                    created_at: Optional[datetime] = None) -> MessageRecord:
        if role not in ("user", "bot"):
            raise ValueError(f"unknown role {role!r}")
        with self._write() as s:
            row = Message(conversation_id=conversation_id, role=role, text=text,
                          created_at=created_at or utcnow(), attention=attention, score=score,
                          decoding=decoding, model_version_id=model_version_id)
            if sentiment is not None:
                row.sentiment_label, row.sentiment_probabilities = sentiment
            s.add(row)
            self._touch(s, conversation_id, row.created_at)
            s.flush()
            return _message(row, (), None, 0, attention is not None)

    def add_image_message(self, conversation_id: int, file_name: str, data: bytes,
                          mime_type: str = "image/png", text: str = "",
                          created_at: Optional[datetime] = None) -> MessageRecord:
        """A user message carrying an image; the bytes are copied into the data folder.

        Copies are named by their SHA-256, so the same image attached twice is stored once.
        """
        sha = hashlib.sha256(data).hexdigest()
        suffix = Path(file_name).suffix.lower() or ".png"
        stored = Path(ATTACHMENTS_DIR) / sha[:2] / f"{sha}{suffix}"
        target = self.data_dir / stored
        created = not target.exists()
        if created:
            partial = target.with_suffix(target.suffix + ".part")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(data)
                os.replace(partial, target)  # never a half-written copy under the final name
            except OSError as error:
                partial.unlink(missing_ok=True)  # a full disk keeps no half copy either
                raise StoreWriteError(write_failure(error, self.data_dir)) from error
        try:
            with self._write() as s:
                row = Message(conversation_id=conversation_id, role="user", text=text,
                              created_at=created_at or utcnow())
                s.add(row)
                s.flush()
                attachment = Attachment(message_id=row.id, file_name=Path(file_name).name,
                                        stored_path=stored.as_posix(), sha256=sha, size=len(data),
                                        mime_type=mime_type)
                s.add(attachment)
                self._touch(s, conversation_id, row.created_at)
                s.flush()
                return _message(row, (self._attachment(attachment),), None, 0, False)
        except Exception:
            if created:
                target.unlink(missing_ok=True)
            raise

    def set_sentiment(self, message_id: int, label: str, probabilities: dict[str, float]) -> bool:
        """Label a message; False when it no longer exists."""
        with self._write() as s:
            result = s.execute(update(Message).where(Message.id == message_id).values(
                sentiment_label=label, sentiment_probabilities=dict(probabilities)))
            return result.rowcount > 0

    def replace_reply(self, message_id: int, text: str, *, attention: Optional[dict[str, Any]],
                      score: Optional[float], decoding: Optional[dict[str, Any]],
                      model_version_id: Optional[int]) -> MessageRecord:
        """Put a regenerated reply in place of a bot message (its feedback no longer applies)."""
        with self._write() as s:
            s.execute(update(Message).where(Message.id == message_id).values(
                text=text, attention=attention, score=score, decoding=decoding,
                model_version_id=model_version_id))
            s.execute(delete(Feedback).where(Feedback.message_id == message_id))
        return self.message(message_id)

    def message(self, message_id: int) -> Optional[MessageRecord]:
        found = self._messages(Message.id == message_id)
        return found[0] if found else None

    def messages(self, conversation_id: int, *, before_id: Optional[int] = None,
                 limit: Optional[int] = None) -> list[MessageRecord]:
        """Messages in time order; with ``limit``, the newest ``limit`` before ``before_id``.

        The chat view asks for the last screenful first and earlier pages as the user scrolls
        up, so a long conversation opens as fast as a short one.
        """
        condition = Message.conversation_id == conversation_id
        if before_id is not None:
            condition = condition & (Message.id < before_id)
        return self._messages(condition, limit=limit)

    def message_count(self, conversation_id: int) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(Message)
                            .where(Message.conversation_id == conversation_id)) or 0

    def attention(self, message_id: int) -> Optional[dict[str, Any]]:
        with self._session() as s:
            return s.scalar(select(Message.attention).where(Message.id == message_id))

    def exchanges(self, conversation_id: int,
                  before_id: Optional[int] = None) -> list[tuple[str, str]]:
        """The (user, bot) text pairs of a conversation, to rebuild the chat state from."""
        condition = (Message.conversation_id == conversation_id)
        if before_id is not None:
            condition = condition & (Message.id < before_id)
        with self._session() as s:
            rows = s.execute(select(Message.role, Message.text).where(condition)
                             .order_by(Message.id)).all()
        pairs, pending = [], None
        for role, body in rows:
            if role == "user":
                pending = body if body.strip() else None
            elif pending is not None:
                pairs.append((pending, body))
                pending = None
        return pairs

    def mood(self, conversation_id: int) -> list[tuple[int, datetime, str, dict[str, float]]]:
        """(message id, time, label, probabilities) of the user's labelled messages, in order."""
        with self._session() as s:
            rows = s.execute(select(Message.id, Message.created_at, Message.sentiment_label,
                                    Message.sentiment_probabilities)
                             .where(Message.conversation_id == conversation_id,
                                    Message.role == "user",
                                    Message.sentiment_label.in_(("negative", "neutral", "positive")))
                             .order_by(Message.id)).all()
        return [(i, t, label, probs or {}) for i, t, label, probs in rows]

    # -- corrections and feedback ------------------------------------------------------------
    def add_correction(self, message_id: int, text: str) -> None:
        if not text.strip():
            raise ValueError("a correction needs some text")
        with self._write() as s:
            role = s.scalar(select(Message.role).where(Message.id == message_id))
            if role != "bot":
                raise ValueError("only a bot message can be corrected")
            s.add(Correction(message_id=message_id, text=text.strip()))

    def corrections(self, message_id: int) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(Correction.text).where(Correction.message_id == message_id)
                                  .order_by(Correction.id)))

    def set_feedback(self, message_id: int, value: int) -> None:
        """+1 or -1; 0 removes the feedback."""
        if value not in (-1, 0, 1):
            raise ValueError("feedback is -1, 0 or +1")
        with self._write() as s:
            s.execute(delete(Feedback).where(Feedback.message_id == message_id))
            if value:
                s.add(Feedback(message_id=message_id, value=value))

    # -- search ------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 100, marks: tuple[str, str] = ("[", "]")) -> list[SearchHit]:
        """Messages that contain every word of ``query`` (the last one as a prefix), newest first;
        the matching words of each snippet are wrapped in ``marks``."""
        words = re.findall(r"\w+", query, flags=re.UNICODE)
        if not words:
            return []
        match = " ".join(f'"{word}"' for word in words[:-1]) + f' "{words[-1]}"*'
        sql = text(
            "SELECT m.conversation_id, c.title, m.id, "
            "snippet(messages_fts, 0, :open, :close, '…', 12), m.created_at "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE messages_fts MATCH :match ORDER BY m.id DESC LIMIT :limit")
        with self._session() as s:
            rows = s.execute(sql, {"match": match.strip(), "limit": limit,
                                   "open": marks[0], "close": marks[1]}).all()
        return [SearchHit(cid, title, mid, snippet, _parse_time(created))
                for cid, title, mid, snippet, created in rows]

    # -- helpers -----------------------------------------------------------------------------
    def _messages(self, condition, limit: Optional[int] = None) -> list[MessageRecord]:
        columns = (Message.id, Message.conversation_id, Message.role, Message.text,
                   Message.created_at, Message.sentiment_label, Message.sentiment_probabilities,
                   Message.attention.is_not(None), Message.score, Message.decoding,
                   Message.model_version_id, Message.attention["knowledge"])
        query = select(*columns).where(condition).order_by(Message.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._session() as s:
            rows = list(reversed(s.execute(query).all()))
            ids = [row[0] for row in rows]
            attachments: dict[int, list[AttachmentRecord]] = {}
            corrections: dict[int, str] = {}
            feedback: dict[int, int] = {}
            if ids:
                for row in s.scalars(select(Attachment).where(Attachment.message_id.in_(ids))
                                     .order_by(Attachment.id)):
                    attachments.setdefault(row.message_id, []).append(self._attachment(row))
                for message_id, body in s.execute(select(Correction.message_id, Correction.text)
                                                  .where(Correction.message_id.in_(ids))
                                                  .order_by(Correction.id)):
                    corrections[message_id] = body
                feedback = dict(s.execute(select(Feedback.message_id, Feedback.value)
                                          .where(Feedback.message_id.in_(ids))).all())
        return [MessageRecord(id=r[0], conversation_id=r[1], role=r[2], text=r[3], created_at=r[4],
                              sentiment_label=r[5], sentiment_probabilities=r[6],
                              has_attention=bool(r[7]), score=r[8], decoding=r[9],
                              model_version_id=r[10], knowledge=r[11],
                              attachments=tuple(attachments.get(r[0], ())),
                              correction=corrections.get(r[0]), feedback=feedback.get(r[0], 0))
                for r in rows]

    def _attachment(self, row: Attachment) -> AttachmentRecord:
        return AttachmentRecord(row.id, row.file_name, self.data_dir / row.stored_path, row.sha256,
                                row.size, row.mime_type)

    @staticmethod
    def _touch(s: Session, conversation_id: int, when: datetime) -> None:
        s.execute(update(Conversation).where(Conversation.id == conversation_id)
                  .values(updated_at=when))


def _title(title: str) -> str:
    title = " ".join(title.split())
    return (title[:MAX_TITLE - 1] + "…") if len(title) > MAX_TITLE else (title or "Untitled")


def _conversation(row: Conversation, count: int) -> ConversationInfo:
    return ConversationInfo(row.id, row.title, row.created_at, row.updated_at, count)


def _message(row: Message, attachments: Sequence[AttachmentRecord], correction: Optional[str],
             feedback: int, has_attention: bool) -> MessageRecord:
    return MessageRecord(id=row.id, conversation_id=row.conversation_id, role=row.role,
                         text=row.text, created_at=row.created_at,
                         sentiment_label=row.sentiment_label,
                         sentiment_probabilities=row.sentiment_probabilities,
                         has_attention=has_attention, score=row.score, decoding=row.decoding,
                         model_version_id=row.model_version_id, attachments=tuple(attachments),
                         correction=correction, feedback=feedback,
                         knowledge=(row.attention or {}).get("knowledge"))



def _parse_time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
