"""How replies and captions are decoded: one frozen config, read by the strategies of
:mod:`engine.decoding` and set by the app's settings and the command line (no torch here, so
the window can read its defaults)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from engine import (MAX_TOPIC_WEIGHT, MMI_BACKWARD_WEIGHT, MMI_CANDIDATES, MMI_SAMPLES, MMI_SEARCH_TOKENS,
                    MMI_SEARCH_WEIGHT, MMI_WEIGHT, TOPIC_WEIGHT)


@dataclass(frozen=True)
class DecodeConfig:
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
    # Chat replies only (the captioner ignores it): rerank the beam's hypotheses by
    # log p(reply | turn) - mmi_weight * log p(reply), per token of the reply (its words and its
    # end), the anti-language-model form of maximum mutual information (Li et al. 2016), which
    # favours replies this turn makes likely over replies any turn makes likely ("i don't know").
    # Per token, so that neither short nor long replies gain by their length. 0 turns it off.
    mmi_weight: float = 0.0
    # Chat replies only, beam search: the same penalty applied inside the search, token by token,
    # to the first ``mmi_search_tokens`` tokens: log p(y_t | y_<t, turn) - mmi_search_weight *
    # log p(y_t | y_<t). Reranking alone can only reorder what the beam found, and a beam of generic
    # openings ("hey", "i am doing well") leaves it nothing to choose; penalising the opening tokens
    # lets a reply start on the topic (Li et al. 2016 penalise the first tokens only, since later
    # ones are where an anti-language model rewards ungrammatical text). 0 turns it off.
    mmi_search_weight: float = 0.0
    mmi_search_tokens: int = 2
    # Chat replies only, with a backward model p(turn | reply) loaded: the reranking adds
    # mmi_backward_weight times the turn's mean log-probability per token given the reply, so that
    # of the beam's replies the one that best accounts for what was said wins (Li et al. 2016's
    # MMI-bidi). 0 turns it off.
    mmi_backward_weight: float = 0.0
    # Chat replies only: how many of the beam's finished replies the reranking chooses from (the
    # search goes on until none of its live hypotheses could enter that many); 0: the beam size.
    mmi_candidates: int = 0
    # Chat replies only, with reranking: this many replies sampled from the model (temperature
    # ``mmi_sample_temperature``, nucleus ``mmi_sample_top_p``, the same constraints) join the
    # beam's candidates. The beam's finished replies are mostly variations of one likely opening;
    # samples bring replies it never reaches, and the reranking chooses among all. 0: the beam's alone.
    mmi_samples: int = 0
    mmi_sample_temperature: float = 0.8
    mmi_sample_top_p: float = 0.9
    # Both leave a reply alone where the model is at least this sure of it: of its first token (the
    # search) or of its tokens on average, as a geometric mean (the reranking). Generic replies are
    # the model's hedge when it is unsure; a reply it is sure of (one the user taught it) is meant.
    # Above 1: never.
    mmi_confident: float = 0.5
    # Chat replies only, with topic words loaded (``engine.topic``): every word's log-probability
    # gains this much of its association with the turn's words, counted over the training corpus,
    # until the reply says it; the reranking counts the same bonus (a reply that is not reranked
    # keeps it in its score). 0 turns it off.
    topic_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.strategy not in ("beam", "greedy", "sample"):
            raise ValueError(f"unknown decoding strategy {self.strategy!r}")
        if self.beam_size < 1 or self.n_best < 1 or self.max_length < 1:
            raise ValueError("beam size, n-best and maximum length must be at least 1")
        if self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError("temperature must be positive and top-p in (0, 1]")
        if not 0 <= self.mmi_weight <= 1 or not 0 <= self.mmi_search_weight <= 1:
            raise ValueError("the MMI weights must be in [0, 1]")
        if self.mmi_candidates < 0:
            raise ValueError("the number of reranked candidates must not be negative")
        if self.mmi_samples < 0 or self.mmi_sample_temperature <= 0 or not 0 < self.mmi_sample_top_p <= 1:
            raise ValueError("the sampled candidates need a count of at least 0, a positive temperature "
                             "and a top-p in (0, 1]")
        if self.mmi_backward_weight < 0:
            raise ValueError("the backward model's weight must not be negative")
        if self.mmi_confident <= 0:
            raise ValueError("the MMI confidence must be positive")
        if not 0 <= self.topic_weight <= MAX_TOPIC_WEIGHT:
            raise ValueError(f"the topic words' weight must be in [0, {MAX_TOPIC_WEIGHT}]")
        if self.mmi_search_tokens < 0:
            raise ValueError("the MMI search tokens must not be negative")


def chat_decoding(**overrides) -> DecodeConfig:
    """How the app and the commands write chat replies by default: beam 5 with the topic focus
    (MMI) of ``engine.MMI_WEIGHT``, ``MMI_SEARCH_WEIGHT``, ``MMI_SEARCH_TOKENS``,
    ``MMI_BACKWARD_WEIGHT``, ``MMI_CANDIDATES`` and ``MMI_SAMPLES``, and the topic words of
    ``TOPIC_WEIGHT``."""
    return DecodeConfig(**{"mmi_weight": MMI_WEIGHT, "mmi_search_weight": MMI_SEARCH_WEIGHT,
                           "mmi_search_tokens": MMI_SEARCH_TOKENS, "mmi_backward_weight": MMI_BACKWARD_WEIGHT,
                           "mmi_candidates": MMI_CANDIDATES, "mmi_samples": MMI_SAMPLES,
                           "topic_weight": TOPIC_WEIGHT, **overrides})
