"""Where the shipped models and knowledge are: the one place the engine, its tasks and the app look them up.

The models (and the pairs about the bot, ``resources/knowledge/``) are package data of the
top-level package ``resources`` (the repository's ``resources/`` folder), so an editable install,
an installed wheel and a PyInstaller folder all find them through ``importlib.resources`` instead
of a path relative to the source tree.
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path

from engine.knowledge_pairs import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, KnowledgePair


def models_dir() -> Path:
    """The folder of the shipped ``.safetensors`` files (it may lack a model not trained yet)."""
    # The package is a plain folder on disk in every way the app is installed (pip never zips
    # it), so its traversable is a real path that safetensors can open.
    return Path(str(importlib.resources.files("resources"))) / "models"


MODELS_DIR = models_dir()
# kind -> the shipped checkpoint; ``Engine(paths=...)`` and ``--model`` override it per use.
DEFAULT_PATHS: dict[str, Path] = {
    "chat": MODELS_DIR / "chat.safetensors",
    "sentiment": MODELS_DIR / "sentiment.safetensors",
    "caption": MODELS_DIR / "caption.safetensors",
}

# The shipped (question, answer) pairs about the bot (engine.tasks.knowledge_build writes them).
SHIPPED_KNOWLEDGE = Path(str(importlib.resources.files("resources"))) / "knowledge" / "about_bot.tsv"


def shipped_pairs(path: str | Path | None = None) -> list[KnowledgePair]:
    """The pairs about the bot, source "shipped": ``question<TAB>answer`` lines of ``path``
    (default :data:`SHIPPED_KNOWLEDGE`), ``#`` lines being comments. A missing or unreadable file
    gives no pairs (the bot then knows nothing about itself, and says nothing wrong); a line
    without both fields, or longer than a stored pair may be, is left out."""
    try:
        text = Path(path or SHIPPED_KNOWLEDGE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    pairs = []
    for line in text.splitlines():
        question, _, answer = line.partition("\t")
        question, answer = question.strip(), answer.strip()
        if (line.startswith("#") or not question or not answer or len(question) > MAX_QUESTION_CHARS
                or len(answer) > MAX_ANSWER_CHARS):
            continue
        pairs.append(KnowledgePair(question, answer, "shipped"))
    return pairs
