"""What the knowledge memory holds: (question, answer) pairs, plain data (no SQL, no torch).

The app keeps the user's pairs in its database and hands them to the engine
(:meth:`engine.service.Engine.set_knowledge`); files of pairs are read by
:mod:`engine.knowledge_files`; :mod:`engine.knowledge_index` finds the pairs most like a turn;
the chat model reads the ones found beside the conversation's memory, and a reply that drew on one
says so (:class:`KnowledgeUse`).
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_QUESTION_CHARS = 300  # a longer question is refused (files, the Knowledge view, Teach)
MAX_ANSWER_CHARS = 1000  # a longer answer is refused
SOURCES = ("user", "import", "shipped")  # taught or added in the window, imported from a file, shipped


@dataclass(frozen=True)
class KnowledgePair:
    question: str
    answer: str
    source: str = "user"  # one of SOURCES


@dataclass(frozen=True)
class KnowledgeUse:
    """The stored pair a reply drew on: its question and answer, and the share of the reply's
    words that were copied from that answer."""

    question: str
    answer: str
    source: str
    copied_share: float
