"""``Engine``: the small public API the app and the command line use.

It loads the shipped (or chosen) models on the best device, lazily and independently: a missing
or broken sentiment or caption model never stops the chat, and each model's absence is reported
as a message in ``Engine.problems`` rather than an exception at start.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from engine.checkpoint import CheckpointError
from engine.decode_config import chat_decoding
from engine.device import pick_device
from engine.results import Caption, ChatState, Reply, SentimentResult
from engine.shipped import DEFAULT_PATHS



class ModelUnavailable(RuntimeError):
    """The model of a kind is missing or broken; the message says which file and why."""


class Engine:
    """Hosts the chat, sentiment and caption models.

    ``paths`` overrides the shipped model of a kind (``{"chat": Path(...)}``). Loading happens on
    first use or with :meth:`load`; every method is safe to call from a worker thread (one model
    call at a time per kind).
    """

    def __init__(self, paths: Optional[dict[str, Path]] = None, device: str = "auto"):
        self.paths = dict(DEFAULT_PATHS)
        self.paths.update({k: Path(v) for k, v in (paths or {}).items()})
        self.device = pick_device(device)
        self._models: dict[str, Any] = {}
        self.problems: dict[str, str] = {}  # kind -> why it is unavailable
        self._locks = {kind: threading.RLock() for kind in DEFAULT_PATHS}
        self.knowledge: tuple = ()  # the user's pairs (set_knowledge)
        self._index = None  # their index with the shipped pairs, made when a reply needs it

    # -- loading -----------------------------------------------------------------------------
    def load(self, kinds: Sequence[str] = ("chat", "sentiment", "caption")) -> dict[str, bool]:
        """Load the given kinds now; returns which are available."""
        return {kind: self._get(kind, raise_missing=False) is not None for kind in kinds}

    def available(self, kind: str) -> bool:
        return self._get(kind, raise_missing=False) is not None

    def set_model(self, kind: str, path: Path) -> None:
        """Use another checkpoint for ``kind`` from the next call on (a new model version)."""
        with self._locks[kind]:
            model = self._load(kind, Path(path))  # raises CheckpointError before changing anything
            self.paths[kind] = Path(path)
            self._models[kind] = model
            self.problems.pop(kind, None)

    def _load(self, kind: str, path: Path) -> Any:
        if kind == "chat":
            from engine.tasks.chat import ChatPredictor as predictor
        elif kind == "sentiment":
            from engine.tasks.sentiment import SentimentPredictor as predictor
        else:
            from engine.tasks.caption import CaptionPredictor as predictor
        return predictor.load(path, self.device)

    def _get(self, kind: str, raise_missing: bool = True) -> Any:
        with self._locks[kind]:
            if kind not in self._models and kind not in self.problems:
                path = self.paths[kind]
                try:
                    if not path.is_file():
                        raise CheckpointError(f"{path}: no {kind} model has been trained yet")
                    self._models[kind] = self._load(kind, path)
                except (CheckpointError, ImportError) as error:
                    self.problems[kind] = str(error)
            if kind in self._models:
                return self._models[kind]
            if raise_missing:
                raise ModelUnavailable(self.problems[kind])
            return None

    # -- chat --------------------------------------------------------------------------------
    def reply(self, text: str, state: Optional[ChatState] = None, decode: Optional[Any] = None,
              should_stop: Optional[Callable[[], bool]] = None, avoid: Sequence[str] = ()) -> Reply:
        """The reply to ``text`` in the conversation whose state is ``state`` (None: a new one).

        ``decode`` is an ``engine.decode_config.DecodeConfig`` (None: ``chat_decoding()``, the
        default the command line and the app's settings also start from). ``avoid``: replies already shown (to
        regenerate); the best reply found that is none of them, or, where the model found no
        other, one of them again (the caller compares). Raises ``ValueError`` for a blank
        message (no model is called) and ``ModelUnavailable`` without a chat model.
        """
        if not text or not text.strip():
            raise ValueError("the message is empty: there is nothing to reply to")
        model = self._get("chat")
        with self._locks["chat"]:
            knowledge = self.knowledge_index() if model.model.config.knowledge_pairs else None
            return model.reply(text, state, decode or chat_decoding(), should_stop, avoid=tuple(avoid),
                               knowledge=knowledge)

    def set_knowledge(self, pairs: Sequence[Any]) -> None:
        """The user's stored (question, answer) pairs (``engine.knowledge_pairs.KnowledgePair``:
        taught, added or imported): from the next reply on, the chat model reads the ones most like
        each turn, beside the shipped pairs."""
        with self._locks["chat"]:
            self.knowledge = tuple(pairs)
            self._index = None  # indexed again at the next reply

    def knowledge_index(self):
        """The index of the shipped pairs and the user's (``engine.knowledge_index.KnowledgeIndex``)."""
        with self._locks["chat"]:
            if self._index is None:
                from engine.knowledge_index import KnowledgeIndex
                from engine.shipped import shipped_pairs

                self._index = KnowledgeIndex(list(shipped_pairs()) + list(self.knowledge))
            return self._index

    def rebuild_state(self, exchanges: Sequence[tuple[str, str]]) -> ChatState:
        """Run saved (user, bot) exchanges through the model to restore a conversation's state."""
        model = self._get("chat")
        with self._locks["chat"]:
            return model.rebuild_state(exchanges)

    # -- sentiment ---------------------------------------------------------------------------
    def sentiment(self, texts: Sequence[str]) -> list[SentimentResult]:
        """Label each text; blank texts get label "none" without calling the model."""
        model = self._get("sentiment")
        with self._locks["sentiment"]:
            return model.predict(list(texts))

    # -- captions ----------------------------------------------------------------------------
    def caption(self, image: Any, beam_size: int = 3) -> Caption:
        """Caption an image given as a path, bytes or an RGB array (H, W, 3) of uint8.

        Raises ``engine.images.ImageError`` (a ``ValueError``) with a one-line reason for an
        unreadable image.
        """
        model = self._get("caption")
        with self._locks["caption"]:
            return model.caption(image, beam_size=beam_size)
