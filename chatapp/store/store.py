"""``Store``: everything the app keeps, behind methods that take and return plain values.

Every write runs in its own transaction (``with self._write() as s:``); one the database refuses
(a full disk, a read-only folder) is rolled back and raised as ``StoreWriteError``. The store
knows nothing of Qt; the app calls it from the GUI thread (each call is a few milliseconds) and the
training panel may call it from a worker, since every method opens its own session.
"""
from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, defer, sessionmaker

from chatapp.store.db import StoreWriteError, integrity_check, open_database, write_failure, write_session
from chatapp.store.models import (Attachment, Conversation, Correction, Feedback, Message,
                                  ModelVersion, TrainingRun, utcnow)
from chatapp.store.records import (AttachmentRecord, ConversationInfo, MessageRecord,
                                   ModelVersionRecord, SearchHit, TrainingConversation,
                                   TrainingExchange, TrainingRunRecord)

ATTACHMENTS_DIR = "attachments"
MAX_TITLE = 200


class Store:
    """The data folder: the SQLite database and the copies of attached images."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._engine = open_database(self.data_dir)  # raises StoreError with a clear message
        self._session = sessionmaker(self._engine, expire_on_commit=False)

    def _write(self):
        """``with self._write() as s:`` — one transaction; a refused write raises StoreWriteError."""
        return write_session(self._session, self.data_dir)

    def close(self) -> None:
        self._engine.dispose()

    def integrity_check(self) -> str:
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

    def training_exchanges(self, conversation_ids: Iterable[int]) -> list[TrainingExchange]:
        """The exchanges of the chosen conversations with their corrections and feedback."""
        result = []
        for conversation_id in conversation_ids:
            pending = None
            for message in self.messages(conversation_id):
                if message.role == "user":
                    pending = message.text if message.text.strip() else None
                elif pending is not None:
                    result.append(TrainingExchange(conversation_id, pending, message.text,
                                                   message.correction, message.feedback))
                    pending = None
        return result

    def training_overview(self) -> list[TrainingConversation]:
        """Every conversation with its numbers of turns, corrections and thumbs-down replies,
        newest first (one query each, whatever the number of conversations)."""
        turns = (select(Message.conversation_id, func.count().label("n"))
                 .where(Message.text != "").group_by(Message.conversation_id).subquery())
        corrected = (select(Message.conversation_id,
                            func.count(func.distinct(Correction.message_id)).label("n"))
                     .join(Correction, Correction.message_id == Message.id)
                     .group_by(Message.conversation_id).subquery())
        down = (select(Message.conversation_id, func.count().label("n"))
                .join(Feedback, Feedback.message_id == Message.id).where(Feedback.value < 0)
                .group_by(Message.conversation_id).subquery())
        query = (select(Conversation.id, Conversation.title, Conversation.updated_at,
                        func.coalesce(turns.c.n, 0), func.coalesce(corrected.c.n, 0),
                        func.coalesce(down.c.n, 0))
                 .outerjoin(turns, turns.c.conversation_id == Conversation.id)
                 .outerjoin(corrected, corrected.c.conversation_id == Conversation.id)
                 .outerjoin(down, down.c.conversation_id == Conversation.id)
                 .order_by(Conversation.updated_at.desc(), Conversation.id.desc()))
        with self._session() as s:
            return [TrainingConversation(*row) for row in s.execute(query).all()]

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

    # -- model versions and training runs ----------------------------------------------------
    def ensure_shipped_version(self, kind: str, path: Path) -> int:
        """The version row of the shipped model of ``kind``; made (and activated if no other
        version is) the first time."""
        with self._write() as s:
            row = s.scalar(select(ModelVersion).where(ModelVersion.kind == kind,
                                                      ModelVersion.source == "shipped"))
            if row is None:
                any_active = s.scalar(select(ModelVersion.id).where(
                    ModelVersion.kind == kind, ModelVersion.active.is_(True)))
                row = ModelVersion(kind=kind, label=f"shipped {kind} model", path=str(path),
                                   source="shipped", active=any_active is None)
                s.add(row)
            elif row.path != str(path):
                row.path = str(path)
            s.flush()
            return row.id

    def add_model_version(self, kind: str, label: str, path: Path, *, source: str = "trained",
                          training_run_id: Optional[int] = None, activate: bool = False) -> int:
        with self._write() as s:
            row = ModelVersion(kind=kind, label=label, path=self._relative(path), source=source,
                               training_run_id=training_run_id, active=False)
            s.add(row)
            s.flush()
            version_id = row.id
        if activate:
            self.activate_version(version_id)
        return version_id

    def activate_version(self, version_id: int) -> ModelVersionRecord:
        """Make this version the active one of its kind (activating an older one rolls back)."""
        with self._write() as s:
            row = s.get(ModelVersion, version_id)
            if row is None:
                raise KeyError(f"no model version {version_id}")
            s.execute(update(ModelVersion).where(ModelVersion.kind == row.kind)
                      .values(active=ModelVersion.id == version_id))
        return self.model_version(version_id)

    def active_version(self, kind: str) -> Optional[ModelVersionRecord]:
        with self._session() as s:
            row = s.scalar(select(ModelVersion).where(ModelVersion.kind == kind,
                                                      ModelVersion.active.is_(True)))
            return self._version(row) if row else None

    def model_version(self, version_id: int) -> Optional[ModelVersionRecord]:
        with self._session() as s:
            row = s.get(ModelVersion, version_id)
            return self._version(row) if row else None

    def model_versions(self, kind: str) -> list[ModelVersionRecord]:
        with self._session() as s:
            return [self._version(row) for row in s.scalars(
                select(ModelVersion).where(ModelVersion.kind == kind).order_by(ModelVersion.id))]

    def start_training_run(self, kind: str, settings: dict[str, Any],
                           base_version_id: Optional[int] = None) -> int:
        with self._write() as s:
            row = TrainingRun(kind=kind, settings=dict(settings), status="running", message="",
                              curves={}, figures={}, base_version_id=base_version_id)
            s.add(row)
            s.flush()
            return row.id

    def finish_training_run(self, run_id: int, status: str, message: str = "", *,
                            curves: Optional[dict[str, Any]] = None,
                            figures: Optional[dict[str, Any]] = None) -> None:
        if status not in ("done", "cancelled", "failed"):
            raise ValueError(f"unknown final status {status!r}")
        values: dict[str, Any] = {"status": status, "message": message, "ended_at": utcnow()}
        if curves is not None:
            values["curves"] = curves
        if figures is not None:
            values["figures"] = figures
        with self._write() as s:
            s.execute(update(TrainingRun).where(TrainingRun.id == run_id).values(**values))

    def training_runs(self, kind: Optional[str] = None, *, curves: bool = True) -> list[TrainingRunRecord]:
        """The runs, oldest first; ``curves=False`` leaves the curves out (a list to show reads
        every run, and each run's curves are thousands of numbers)."""
        query = select(TrainingRun).order_by(TrainingRun.id)
        if kind:
            query = query.where(TrainingRun.kind == kind)
        if not curves:
            query = query.options(defer(TrainingRun.curves))
        with self._session() as s:
            return [_run(r, curves) for r in s.scalars(query)]

    def training_run(self, run_id: int) -> Optional[TrainingRunRecord]:
        with self._session() as s:
            row = s.get(TrainingRun, run_id)
            return _run(row) if row else None

    # -- helpers -----------------------------------------------------------------------------
    def _messages(self, condition, limit: Optional[int] = None) -> list[MessageRecord]:
        columns = (Message.id, Message.conversation_id, Message.role, Message.text,
                   Message.created_at, Message.sentiment_label, Message.sentiment_probabilities,
                   Message.attention.is_not(None), Message.score, Message.decoding,
                   Message.model_version_id)
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
                              model_version_id=r[10],
                              attachments=tuple(attachments.get(r[0], ())),
                              correction=corrections.get(r[0]), feedback=feedback.get(r[0], 0))
                for r in rows]

    def _attachment(self, row: Attachment) -> AttachmentRecord:
        return AttachmentRecord(row.id, row.file_name, self.data_dir / row.stored_path, row.sha256,
                                row.size, row.mime_type)

    def _version(self, row: ModelVersion) -> ModelVersionRecord:
        path = Path(row.path)
        return ModelVersionRecord(row.id, row.kind, row.label,
                                  path if path.is_absolute() else self.data_dir / path, row.source,
                                  row.created_at, row.active, row.training_run_id)

    def _relative(self, path: Path) -> str:
        """Paths inside the data folder are kept relative, so the folder can be moved."""
        try:
            return Path(path).resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path)

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
                         correction=correction, feedback=feedback)


def _run(row: TrainingRun, curves: bool = True) -> TrainingRunRecord:
    return TrainingRunRecord(row.id, row.kind, row.settings, row.status, row.message, row.started_at,
                             row.ended_at, row.curves if curves else {}, row.figures, row.base_version_id)


def _parse_time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
