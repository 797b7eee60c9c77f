"""The user's settings, kept as JSON in the data folder (a broken file falls back to defaults)."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from engine import (HISTORY_WEIGHT, MAX_HISTORY_WEIGHT, MAX_MOOD_WEIGHT, MAX_TOPIC_WEIGHT, MMI_BACKWARD_WEIGHT,
                    MMI_CANDIDATES, MMI_WEIGHT, MOOD_WEIGHT, TOPIC_WEIGHT)

SETTINGS_NAME = "settings.json"
STRATEGIES = ("beam", "greedy", "sample")
DEVICES = ("auto", "cpu", "cuda")
THEMES = ("light", "dark")
MAX_BACKWARD_WEIGHT = 5.0


@dataclass(frozen=True)
class AppSettings:
    # The search (engine.decode_config.SearchConfig)
    strategy: str = "beam"  # how replies are decoded: beam, greedy or sample
    beam_size: int = 5  # hypotheses kept by beam search
    length_penalty: float = 0.6  # Wu et al. 2016 alpha; 0 leaves scores unnormalised
    temperature: float = 0.8  # sampling only: below 1 sharper, above 1 flatter
    top_k: int = 40  # sampling only: keep the k most likely words (0: all)
    max_length: int = 30  # longest reply, in tokens
    # The reranking of the beam's replies and the topic words (engine.decode_config.RerankConfig)
    mmi_weight: float = MMI_WEIGHT  # beam only: rerank by log p(reply | turn) - w log p(reply)
    mmi_backward_weight: float = MMI_BACKWARD_WEIGHT  # beam only: rerank by how well a reply explains your message
    topic_weight: float = TOPIC_WEIGHT  # every strategy: steer replies toward words that answer yours
    history_weight: float = HISTORY_WEIGHT  # beam only: prefer replies that draw on what you said earlier
    mood_weight: float = MOOD_WEIGHT  # beam only: to bad news, prefer kind replies over cheerful ones
    # beam only: what you taught (the stored answers that match well) is among the replies weighed, favoured by the match
    stored_answers: bool = True
    # The application
    device: str = "auto"  # auto, cpu or cuda
    theme: str = "light"  # light or dark

    def decoding(self) -> dict[str, Any]:
        """The search and reranking settings by the engine's field names (``DecodeConfig.of`` reads
        them); stored with every reply they produced."""
        return {"strategy": self.strategy, "beam_size": self.beam_size, "length_penalty": self.length_penalty,
                "temperature": self.temperature, "top_k": self.top_k, "max_length": self.max_length,
                "mmi_weight": self.mmi_weight, "mmi_backward_weight": self.mmi_backward_weight,
                "mmi_candidates": MMI_CANDIDATES, "topic_weight": self.topic_weight,
                "history_weight": self.history_weight, "mood_weight": self.mood_weight,
                "stored_answers": self.stored_answers}

    def checked(self) -> "AppSettings":
        """The same settings with every value brought into its allowed range."""
        return replace(
            self,
            strategy=self.strategy if self.strategy in STRATEGIES else "beam",
            beam_size=min(max(int(self.beam_size), 1), 20),
            length_penalty=min(max(float(self.length_penalty), 0.0), 2.0),
            mmi_weight=min(max(float(self.mmi_weight), 0.0), 1.0),
            mmi_backward_weight=min(max(float(self.mmi_backward_weight), 0.0), MAX_BACKWARD_WEIGHT),
            topic_weight=min(max(float(self.topic_weight), 0.0), MAX_TOPIC_WEIGHT),
            history_weight=min(max(float(self.history_weight), 0.0), MAX_HISTORY_WEIGHT),
            mood_weight=min(max(float(self.mood_weight), 0.0), MAX_MOOD_WEIGHT),
            stored_answers=self.stored_answers if isinstance(self.stored_answers, bool) else True,
            temperature=min(max(float(self.temperature), 0.05), 5.0),
            top_k=min(max(int(self.top_k), 0), 1000),
            max_length=min(max(int(self.max_length), 1), 200),
            device=self.device if self.device in DEVICES else "auto",
            theme=self.theme if self.theme in THEMES else "light")


def load_settings(data_dir: Path) -> AppSettings:
    """The settings saved in ``data_dir``; a setting this version does not have (one an older
    version saved) is ignored, one the file lacks (a file of a version without it) keeps its
    default, and a missing or broken file gives the defaults."""
    try:
        raw = json.loads((Path(data_dir) / SETTINGS_NAME).read_text(encoding="utf-8"))
        known = {f.name for f in fields(AppSettings)}
        return AppSettings(**{k: v for k, v in raw.items() if k in known}).checked()
    except (OSError, ValueError, TypeError):
        return AppSettings()


def save_settings(data_dir: Path, settings: AppSettings) -> None:
    path = Path(data_dir) / SETTINGS_NAME
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    os.replace(partial, path)


def make_decode_config(decoding: dict[str, Any]) -> Any:
    """An ``engine.decode_config.DecodeConfig`` from the settings of :meth:`AppSettings.decoding`
    (worker thread only), those an older version stored with a reply included: a setting the engine
    no longer has is left out. None if the engine has no such class, in which case the model uses
    its own defaults."""
    try:
        from engine.decode_config import DecodeConfig, known_settings
    except ImportError:
        return None
    return DecodeConfig.of(**known_settings(decoding))
