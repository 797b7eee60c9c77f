"""Plain records the store hands out: no session, no lazy loading, safe to keep anywhere."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Optional


@dataclass(frozen=True)
class ConversationInfo:
    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int = 0


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    file_name: str
    path: Path  # absolute path of the copy inside the data folder
    sha256: str
    size: int
    mime_type: str


@dataclass(frozen=True)
class MessageRecord:
    id: int
    conversation_id: int
    role: str  # "user" or "bot"
    text: str
    created_at: datetime
    sentiment_label: Optional[str] = None
    sentiment_probabilities: Optional[dict[str, float]] = None
    has_attention: bool = False  # the attention itself is read with Store.attention(id)
    score: Optional[float] = None
    decoding: Optional[dict[str, Any]] = None
    model_version_id: Optional[int] = None
    attachments: tuple[AttachmentRecord, ...] = ()
    correction: Optional[str] = None  # the newest correction taught for this message
    feedback: int = 0  # +1 thumbs up, -1 thumbs down, 0 none
    # The stored pair a reply drew on, kept in its attention record: question, answer, source,
    # copied_share (engine.knowledge_pairs.KnowledgeUse as a dict); None for most replies.
    knowledge: Optional[dict[str, Any]] = None

    @property
    def sentiment_confidence(self) -> float:
        if not self.sentiment_label or not self.sentiment_probabilities:
            return 0.0
        return float(self.sentiment_probabilities.get(self.sentiment_label, 0.0))


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    conversation_title: str
    message_id: int
    snippet: str  # the matching words are wrapped in the marks asked for ([ and ] by default)
    created_at: datetime


@dataclass(frozen=True)
class ModelVersionRecord:
    id: int
    kind: str
    label: str
    path: Path
    source: str  # "shipped" or "trained"
    created_at: datetime
    active: bool
    training_run_id: Optional[int] = None


@dataclass(frozen=True)
class TrainingRunRecord:
    id: int
    kind: str
    settings: dict[str, Any]
    status: str
    message: str
    started_at: datetime
    ended_at: Optional[datetime]
    curves: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    base_version_id: Optional[int] = None


@dataclass(frozen=True)
class TrainingExchange:
    """One (user, bot) exchange as the training panel reads it."""

    conversation_id: int
    user: str
    bot: str
    correction: Optional[str]  # replaces ``bot`` as the target when present
    feedback: int  # a thumbs-down reply without a correction is left out of the targets


@dataclass(frozen=True)
class TrainingConversation:
    """A saved conversation as the training panel lists it."""

    id: int
    title: str
    updated_at: datetime
    turns: int  # text messages, the user's and the bot's
    corrections: int  # bot replies with a taught correction
    thumbs_down: int  # bot replies marked bad (left out unless corrected)


@dataclass(frozen=True)
class KnowledgeRecord:
    """A stored (question, answer) pair as the Knowledge view lists it."""

    id: int
    question: str
    answer: str
    source: str  # "user" (taught or added in the window) or "import"
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Taught:
    """What teaching a better reply stored besides the correction."""

    question: Optional[str]  # the pair's question (the user's message), None when no pair was stored
    replaced: bool  # a pair with that question was there: its answer is now the taught reply
    skipped: str = ""  # why no pair was stored ("" when one was)
