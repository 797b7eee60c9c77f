"""A small stand-in with the methods of ``engine.service.Engine`` that the app calls.

The app receives it through its engine factory (dependency injection), so these tests check the
app's own logic — queueing, storing, showing — quickly and deterministically, whatever state the
real models are in. Replies echo the message; attention is a clean diagonal; sentiment reads a few
keywords; captions describe the image's size; a message that is a stored pair's question is
answered with its answer (``Reply.knowledge`` set), as a lookup in place of retrieval.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional

from engine.knowledge_pairs import KnowledgeUse
from engine.results import Caption, ChatState, Reply, SentimentResult

POSITIVE = {"love", "great", "happy", "thanks", "good"}
NEGATIVE = {"hate", "awful", "sad", "bad", "terrible"}


class ModelMissing(RuntimeError):
    pass


class FakeEngine:
    def __init__(self, device: str = "auto", missing: tuple[str, ...] = (),
                 gate: Optional[threading.Event] = None, models_dir: Optional[Path] = None):
        self.device = device
        self.missing = set(missing)
        self.gate = gate  # when given, replies wait for it (to test stop and switching)
        self.problems: dict[str, str] = {k: f"no {k} model has been trained yet" for k in missing}
        base = Path(models_dir or "/nonexistent")
        self.paths = {k: base / f"{k}.safetensors" for k in ("chat", "sentiment", "caption")}
        self.calls: list[tuple[str, Any]] = []
        self.set_models: list[tuple[str, Path]] = []
        self.knowledge: tuple = ()  # the pairs last given
        self.knowledge_sets: list[tuple] = []  # every set_knowledge call, in order

    def load(self, kinds=("chat", "sentiment", "caption")) -> dict[str, bool]:
        return {kind: kind not in self.missing for kind in kinds}

    def available(self, kind: str) -> bool:
        return kind not in self.missing

    def set_model(self, kind: str, path: Path) -> None:
        self.set_models.append((kind, Path(path)))
        self.missing.discard(kind)
        self.problems.pop(kind, None)

    def _need(self, kind: str) -> None:
        if kind in self.missing:
            raise ModelMissing(self.problems[kind])

    def reply(self, text: str, state: Optional[ChatState] = None, decode: Any = None,
              should_stop=None, avoid=()) -> Reply:
        # One reply per message: ``avoid`` (a regenerate) gets the same one, as a model with no
        # other likely reply would give.
        if not text.strip():
            raise ValueError("the message is empty: there is nothing to reply to")
        self._need("chat")
        self.calls.append(("reply", text))
        if self.gate is not None:
            while not self.gate.wait(0.01):
                if should_stop is not None and should_stop():
                    break
        source = text.lower().split()[:20]
        target = ["you", "said"] + source[:3]
        weights = [[1.0 if j == min(i, len(source) - 1) else 0.0 for j in range(len(source))]
                   for i in range(len(target))]
        turns = (state.turns if state else 0) + 1
        pair = self._taught(text)
        if pair is not None:
            target = pair.answer.split()
            weights = [[1.0 / len(source)] * len(source) for _ in target]
        use = KnowledgeUse(pair.question, pair.answer, pair.source, 1.0) if pair is not None else None
        return Reply(text=" ".join(target), tokens=target, score=-0.5, source_tokens=source,
                     attention=weights, state=ChatState(tensors=None, turns=turns, model_id="fake"), knowledge=use)

    def set_knowledge(self, pairs) -> None:
        self.knowledge = tuple(pairs)
        self.knowledge_sets.append(self.knowledge)

    def _taught(self, text: str):
        """The stored pair whose question is the message (case and spaces aside), as a lookup
        stands in for the model's retrieval."""
        key = " ".join(text.casefold().split())
        return next((pair for pair in self.knowledge if " ".join(pair.question.casefold().split()) == key), None)

    def rebuild_state(self, exchanges) -> ChatState:
        self._need("chat")
        self.calls.append(("rebuild", list(exchanges)))
        return ChatState(tensors=None, turns=len(exchanges), model_id="fake")

    def sentiment(self, texts) -> list[SentimentResult]:
        self._need("sentiment")
        results = []
        for text in texts:
            words = set(text.lower().split())
            label = ("positive" if words & POSITIVE else "negative" if words & NEGATIVE
                     else "neutral")
            probabilities = {k: 0.1 for k in ("negative", "neutral", "positive")}
            probabilities[label] = 0.8
            results.append(SentimentResult(label, probabilities))
        return results

    def caption(self, image: Any, beam_size: int = 3) -> Caption:
        self._need("caption")
        self.calls.append(("caption", image))
        from PIL import Image

        with Image.open(image) as picture:
            width, height = picture.size
        words = ["a", "picture", f"{width}", "by", f"{height}"]
        maps = [[[1.0 if (r * 4 + c) == i else 0.0 for c in range(4)] for r in range(4)]
                for i in range(len(words))]
        return Caption(text=" ".join(words), words=words, score=-0.3, attention=maps)
