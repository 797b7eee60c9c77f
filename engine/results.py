"""Plain results the engine hands to its callers (the app, the command line, tests).

Only built-in types and these dataclasses cross the engine's boundary; the one exception is the
opaque ``ChatState`` that a caller keeps per conversation and gives back with the next message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class SentimentResult:
    label: str  # one of LABELS, or "none" for a text with nothing to read
    probabilities: dict[str, float]  # label -> probability, summing to 1 (empty for "none")

    @property
    def confidence(self) -> float:
        return self.probabilities.get(self.label, 0.0)


@dataclass(frozen=True)
class Caption:
    text: str
    words: list[str]  # the caption's tokens, without <sos>/<eos>
    score: float  # length-normalised log-probability
    attention: list[list[list[float]]]  # one (grid_h x grid_w) map per word, each summing to 1


@dataclass
class ChatState:
    """The recurrent state that ends one exchange and starts the next (opaque to callers)."""

    tensors: Any = None  # (h, c) of the chat model, or None for a new conversation
    turns: int = 0  # exchanges folded into the state so far
    model_id: str = ""  # the model that produced it: a state never crosses models
    unknown: tuple[str, ...] = ()  # memory model: the conversation's words outside the vocabulary, as written
    # memory model: words written with letters and digits together ("Gizmo42"), which the
    # tokenizer splits: a reply that says their parts side by side writes them joined again
    glued: tuple[str, ...] = ()
    # memory model: runs of capitalised words the conversation wrote ("Ancient Greek", "Port Kelvane"): a
    # reply stating one of them whole is preferred to one stating a part of it
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    text: str  # detokenised reply
    tokens: list[str]  # reply tokens, without <eos>
    score: float  # length-normalised log-probability
    source_tokens: list[str]  # the user's turn as the model read it (after cutting)
    attention: list[list[float]]  # reply tokens x source tokens; each row sums to 1
    state: ChatState  # give it back with the next message
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # n-best (text, score)
    # Memory model: source_tokens and the attention's columns are the conversation's memory; for
    # each of its tokens, how many turns before this message it was said (0: this message, 1: the
    # bot's last reply, ...; -1 - i: the words of the i-th stored pair read, see ``stored_questions``);
    # and per reply token the share of its probability that was copied.
    source_turns: Optional[list[int]] = None
    copied: Optional[list[float]] = None
    # The stored (question, answer) pair the reply drew on (engine.knowledge_pairs.KnowledgeUse), if any.
    knowledge: Optional[Any] = None
    # The questions of the stored pairs the reply read, in the order their words are in the memory.
    stored_questions: list[str] = field(default_factory=list)
