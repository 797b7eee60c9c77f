"""The store's tables as SQLAlchemy 2.0 typed models.

The schema itself is owned by the Alembic migrations in ``chatapp/store/migrations``; these
classes describe the newest revision and ``tests/store`` checks that the two agree. Rows never
leave ``chatapp.store``: the public API hands out the plain records of ``records.py``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    # none_as_null: a missing value is SQL NULL, not the JSON text 'null'.
    type_annotation_map = {dict[str, Any]: JSON(none_as_null=True), list[Any]: JSON(none_as_null=True)}


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # last message

    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True)


class ModelVersion(Base):
    """A checkpoint the app can use: the shipped model of a kind, or one a training run made."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "chat", "sentiment" or "caption"
    label: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)  # relative to the data folder when inside it
    source: Mapped[str] = mapped_column(String(20))  # "shipped" or "trained"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=False)  # at most one active version per kind
    training_run_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("training_runs.id", ondelete="SET NULL", use_alter=True))


class TrainingRun(Base):
    """One fine-tuning run of the training panel: its settings, outcome and curves."""

    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|done|cancelled|failed
    message: Mapped[str] = mapped_column(Text, default="")  # why it failed, or a summary
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[Optional[datetime]]
    curves: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> list of [step, value]
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)  # final measurements
    base_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL"))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))  # "user" or "bot"
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sentiment_label: Mapped[Optional[str]] = mapped_column(String(20))
    sentiment_probabilities: Mapped[Optional[dict[str, Any]]]
    # A reply: {"kind": "reply", "source": [...], "target": [...], "weights": [[...]]};
    # a caption: {"kind": "caption", "words": [...], "maps": [[[...]]]}.
    attention: Mapped[Optional[dict[str, Any]]]
    score: Mapped[Optional[float]] = mapped_column(Float)
    decoding: Mapped[Optional[dict[str, Any]]]  # the DecodeConfig fields that produced a reply
    model_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL"))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    attachments: Mapped[list["Attachment"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(Text)  # the name the user gave it
    stored_path: Mapped[str] = mapped_column(Text)  # relative to the data folder
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(50))


class Correction(Base):
    """A better reply the user taught for a bot message (a training target for the panel)."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """Thumbs up (+1) or down (-1) on a bot message; one row per message."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgePairRow(Base):
    """A (question, answer) pair the bot answers from at once: taught with Teach, added in the
    Knowledge view or imported from a file. One pair per question (``question_key``)."""

    __tablename__ = "knowledge_pairs"
    __table_args__ = (Index("ix_knowledge_pairs_question_key", "question_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)  # as the user wrote it
    question_key: Mapped[str] = mapped_column(Text)  # engine.knowledge_files.question_key(question)
    answer: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # "user" (taught or added) or "import"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # the answer's last change
