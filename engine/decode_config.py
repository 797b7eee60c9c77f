"""How replies and captions are decoded: the search settings (shared by chat and the captioner,
read by the strategies of :mod:`engine.decoding`) and the chat replies' reranking settings, set by
the app's settings and the command line (no torch here, so the window can read its defaults)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping, Optional

from engine import (HISTORY_WEIGHT, MAX_HISTORY_WEIGHT, MAX_MOOD_WEIGHT, MAX_TOPIC_WEIGHT, MMI_BACKWARD_WEIGHT,
                    MMI_CANDIDATES, MMI_WEIGHT, MOOD_WEIGHT, TOPIC_WEIGHT)


@dataclass(frozen=True)
class SearchConfig:
    strategy: str = "beam"  # "beam", "greedy" or "sample"
    beam_size: int = 5  # live hypotheses kept (beam only)
    length_penalty: float = 0.6  # alpha of Wu et al. (2016): score = log p / ((5 + len) / 6) ** alpha
    n_best: int = 1  # finished hypotheses returned (beam only)
    min_length: int = 1  # tokens before <eos> may be chosen
    max_length: int = 30  # tokens at most; <eos> is forced after them
    block_ngram: int = 2  # never repeat an n-gram of this size inside a hypothesis (0: off); 2 keeps
    # a chat reply from saying the same word pair twice ("i play piano and play piano")
    temperature: float = 1.0  # sampling: divide the logits by this
    top_k: int = 0  # sampling: keep the k likeliest tokens (0: all)
    top_p: float = 1.0  # sampling: keep the smallest set with this much probability (nucleus)
    seed: Optional[int] = None  # sampling: a fixed seed makes replies repeatable
    forbid_unk: bool = True  # never emit <unk>
    # A word the caller names in ``decode``'s ``once`` (the chat model names its content words; the
    # captioner none, as "a red circle and a blue circle" is right) appears at most once in a reply
    # unless the model is sure of it (``SURE_REPEAT``), which keeps "i play piano and piano" out
    # where n-gram blocking lets it through.
    block_repeated_words: bool = True

    def __post_init__(self) -> None:
        if self.strategy not in ("beam", "greedy", "sample"):
            raise ValueError(f"unknown decoding strategy {self.strategy!r}")
        if self.beam_size < 1 or self.n_best < 1 or self.max_length < 1:
            raise ValueError("beam size, n-best and maximum length must be at least 1")
        if self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError("temperature must be positive and top-p in (0, 1]")


@dataclass(frozen=True)
class RerankConfig:
    """How a chat reply is chosen among the beam's finished replies (beam search with a beam of 2
    or more), and the topic words that steer every chat reply's search and count in that choice
    (the captioner has none of this)."""
    # Rerank the beam's hypotheses by log p(reply | turn) - mmi_weight * log p(reply), per token of
    # the reply (its words and its end), the anti-language-model form of maximum mutual information
    # (Li et al. 2016), which favours replies this turn makes likely over replies any turn makes
    # likely ("i don't know"). Per token, so that neither short nor long replies gain by their
    # length. 0 turns it off.
    mmi_weight: float = 0.0
    # With a backward model p(turn | reply) loaded: the reranking adds mmi_backward_weight times the
    # turn's mean log-probability per token given the reply, so that of the beam's replies the one
    # that best accounts for what was said wins (Li et al. 2016's MMI-bidi). 0 turns it off.
    mmi_backward_weight: float = 0.0
    # How many of the beam's finished replies the reranking chooses from (the search goes on until
    # none of its live hypotheses could enter that many); 0: the beam size.
    mmi_candidates: int = 0
    # A reply the model is at least this sure of (its tokens' geometric-mean probability) is left
    # alone. Generic replies are the model's hedge when it is unsure; a reply it is sure of (one the
    # user taught it) is meant. Above 1: never.
    mmi_confident: float = 0.5
    # With topic words loaded (``engine.topic``): every word's log-probability gains this much of
    # its association with the turn's words, counted over the training corpus, until the reply says
    # it (every strategy, and the memory model's words outside the vocabulary gain nothing); the
    # reranking weighs the model's own log p(reply | turn) and adds the same bonus back (a reply
    # that is not reranked keeps it in its score). 0 turns it off.
    topic_weight: float = 0.0
    # Memory models: the reranking adds this much of each reply's per-token log p(reply |
    # conversation) - log p(reply | the turn alone, read as a new conversation): what the earlier
    # conversation adds to the reply, as MMI weighs what the turn adds. A told fact said back
    # gains; a word of the question said as the fact, or a generic reply, gains little. 0 turns it off.
    history_weight: float = 0.0
    # For a model that reads stored (question, answer) pairs: the answers of the pairs retrieved for
    # the turn join the beam's replies as candidates, as written, each scored by the model itself
    # (log p(answer | conversation, stored pairs)) and reranked like the rest, a reply that says one
    # gaining in proportion to how well its pair matches the turn (``engine.tasks.chat_memory``'s
    # STORED_FOCUS and STORED_PRIOR). The search alone often drifts off a taught answer after a
    # word or two; the whole answer is there to be chosen where the match and the model agree.
    stored_answers: bool = False
    # Memory models, to a turn that is bad news of the user's (``engine.tasks.chat_mood``): the model's
    # replies that begin with sympathy join the candidates, and each reply gains this much times
    # (1 where it begins with sympathy, less p(reply positive)) in the reranking: kindness gains,
    # cheer loses. 0 turns it off.
    mood_weight: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.mmi_weight <= 1:
            raise ValueError("the MMI weight must be in [0, 1]")
        if self.mmi_candidates < 0:
            raise ValueError("the number of reranked candidates must not be negative")
        if self.mmi_backward_weight < 0:
            raise ValueError("the backward model's weight must not be negative")
        if self.mmi_confident <= 0:
            raise ValueError("the MMI confidence must be positive")
        if not 0 <= self.topic_weight <= MAX_TOPIC_WEIGHT:
            raise ValueError(f"the topic words' weight must be in [0, {MAX_TOPIC_WEIGHT}]")
        if not 0 <= self.history_weight <= MAX_HISTORY_WEIGHT:
            raise ValueError(f"the earlier conversation's weight must be in [0, {MAX_HISTORY_WEIGHT}]")
        if not 0 <= self.mood_weight <= MAX_MOOD_WEIGHT:
            raise ValueError(f"the mood's weight must be in [0, {MAX_MOOD_WEIGHT}]")


SEARCH_FIELDS = tuple(f.name for f in fields(SearchConfig))
RERANK_FIELDS = tuple(f.name for f in fields(RerankConfig))


@dataclass(frozen=True)
class DecodeConfig:
    """How a chat reply is written: the search, then the reranking of what it found."""
    search: SearchConfig = field(default_factory=SearchConfig)
    rerank: RerankConfig = field(default_factory=RerankConfig)  # the default: none

    @classmethod
    def of(cls, **settings: Any) -> "DecodeConfig":
        """The config of ``settings`` named as ``SearchConfig``'s and ``RerankConfig``'s fields (the
        flat form the app stores with each reply); the rest keep their defaults. An unknown name
        raises ``TypeError``, a value out of range ``ValueError``."""
        unknown = set(settings) - set(SEARCH_FIELDS) - set(RERANK_FIELDS)
        if unknown:
            raise TypeError(f"unknown decoding settings: {', '.join(sorted(unknown))}")
        return cls(SearchConfig(**{k: v for k, v in settings.items() if k in SEARCH_FIELDS}),
                   RerankConfig(**{k: v for k, v in settings.items() if k in RERANK_FIELDS}))

    def flat(self) -> dict[str, Any]:
        """Every setting by its field's name: what :meth:`of` reads back."""
        return {**asdict(self.search), **asdict(self.rerank)}


def known_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` without the names no config takes (a setting of an older version, say)."""
    return {k: v for k, v in settings.items() if k in SEARCH_FIELDS or k in RERANK_FIELDS}


def chat_decoding(**overrides: Any) -> DecodeConfig:
    """How the app and the commands write chat replies by default: beam 5 steered by the topic
    words (``engine.TOPIC_WEIGHT``), the beam's ``MMI_CANDIDATES`` best reranked by MMI
    (``MMI_WEIGHT``), the backward model (``MMI_BACKWARD_WEIGHT``) and, for a memory model, what
    the earlier conversation adds (``HISTORY_WEIGHT``) and kindness to bad news (``MOOD_WEIGHT``),
    with the retrieved pairs' answers among them (``stored_answers``). ``overrides``: settings by field name, as for
    :meth:`DecodeConfig.of`."""
    return DecodeConfig.of(**{"mmi_weight": MMI_WEIGHT, "mmi_backward_weight": MMI_BACKWARD_WEIGHT,
                              "mmi_candidates": MMI_CANDIDATES, "topic_weight": TOPIC_WEIGHT,
                              "history_weight": HISTORY_WEIGHT, "mood_weight": MOOD_WEIGHT,
                              "stored_answers": True, **overrides})
