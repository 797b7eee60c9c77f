"""The chat task: training, replies, the terminal chat; evaluation lives in ``chat_eval``."""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
import zlib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import torch

from engine import (MMI_BACKWARD_WEIGHT, MMI_CANDIDATES, MMI_SAMPLES, MMI_SEARCH_TOKENS, MMI_SEARCH_WEIGHT,
                    MMI_WEIGHT, TOPIC_WEIGHT, mmi_settings)
from engine.chat_training import TrainConfig, run_turn, starting_state, train_chat
from engine.checkpoint import Checkpoint, CheckpointError, load_checkpoint, load_weights, save_checkpoint
from engine.data.chat import (load_corpus, make_turn_batch, reversed_exchanges, stream_batches,
                              tokenize_conversations, training_streams)
from engine.decoding import DecodeConfig, Hypothesis, decode, length_penalty
from engine.device import pick_device
from engine.models.packed import packed_decoder
from engine.models.seq2seq import Seq2Seq, Seq2SeqConfig
from engine.results import ChatState, Reply
from engine.shipped import DEFAULT_PATHS
from engine.text import Vocab, detokenize, tokenize
from engine.topic import TopicWords
from engine.training import StopRequest, tqdm_progress

PRIOR_CONTEXTS = 16  # training turns whose mean p(reply | turn) stands for p(reply)
# The penalty counts from this prior probability up: an opening that fewer than 1 in 300 replies
# start with is not generic, and gains nothing more by being rarer (without a floor the search
# favours rare words for their rarity: "not powers." to "do you have any pets?").
PRIOR_FLOOR = 0.003
# A candidate reply that ends where the model gives its end less than this is left out of the
# reranking: replies people end there are rare (the shipped model gives the end of a finished
# reply 0.08 or more, of "i'm from south" 0.014).
END_FLOOR = 0.05
START_STATE_STREAMS = 1000  # training streams whose mean state a new conversation starts from
# A regenerated reply is one the model finds likely too: its probability, normalised for length as
# the beam ranks replies, at least 1/20 of the likeliest reply's. Past that the beam's tail is
# broken text ("hi there there" after "hi there" and "good morning" on a model taught those two),
# and saying that there is no other reply is more useful than showing it.
ALTERNATIVE_SPREAD = 20.0
ALTERNATIVE_SAMPLES = 16  # replies sampled side by side to find a sampled reply not shown yet


def sample_prior_contexts(streams: Sequence[Sequence[tuple[list[int], list[int]]]], n: int = PRIOR_CONTEXTS,
                          seed: int = 1234) -> list[list[int]]:
    """``n`` user turns drawn at random from training streams. A reply's probability averaged over
    them estimates its probability in any context, p(reply) = E_turn[p(reply | turn)]."""
    sources = [source for stream in streams for source, _ in stream]
    picked = random.Random(seed).sample(range(len(sources)), min(n, len(sources)))
    return [sources[i] for i in sorted(picked)]


@torch.inference_mode()
def mean_state(model: Seq2Seq, streams: Sequence[Sequence[tuple[list[int], list[int]]]], vocab: Vocab,
               device: torch.device, skip: int = 1, n_streams: int = START_STATE_STREAMS, seed: int = 1234,
               batch_size: int = 64) -> dict:
    """The mean LSTM state (h and c, per layer) after the exchanges past the first ``skip`` of
    ``n_streams`` streams drawn from ``streams``: the state of a conversation under way.

    The zero state means "a conversation opens" to a model trained on chitchat, whose openings
    are greetings between strangers, so a new conversation that the user opens with a topic
    ("do you like sports?") would be answered as a greeting. Starting it from the mean state of
    conversations under way answers it as a turn of a conversation. Returns JSON-ready lists."""
    was_training = model.training
    model.eval()
    picked = random.Random(seed).sample(range(len(streams)), min(n_streams, len(streams)))
    chosen = [streams[i] for i in sorted(picked)]
    totals = [torch.zeros(model.config.num_layers, model.config.hidden_size, device=device) for _ in range(2)]
    count = 0
    state = model.initial_state(batch_size, device)
    positions = torch.zeros(batch_size, dtype=torch.long)  # each row's exchange within its stream
    for batch in stream_batches(chosen, batch_size, vocab):
        state = run_turn(model, batch.to(device), state).state
        positions = torch.where(batch.reset, 0, positions + 1)
        counted = ((batch.streams >= 0) & (positions >= skip)).to(device)
        for total, part in zip(totals, state):
            total += part[:, counted].sum(1)
        count += int(counted.sum())
    model.train(was_training)
    if count == 0:
        return {}
    return {"h": (totals[0] / count).tolist(), "c": (totals[1] / count).tolist(), "exchanges": count}


def chat_decoding(**overrides) -> DecodeConfig:
    """How the app and the commands write chat replies by default: beam 5 with the topic focus
    (MMI) of ``engine.MMI_WEIGHT``, ``MMI_SEARCH_WEIGHT``, ``MMI_SEARCH_TOKENS``,
    ``MMI_BACKWARD_WEIGHT``, ``MMI_CANDIDATES`` and ``MMI_SAMPLES``, and the topic words of
    ``TOPIC_WEIGHT``."""
    return DecodeConfig(**{"mmi_weight": MMI_WEIGHT, "mmi_search_weight": MMI_SEARCH_WEIGHT,
                           "mmi_search_tokens": MMI_SEARCH_TOKENS, "mmi_backward_weight": MMI_BACKWARD_WEIGHT,
                           "mmi_candidates": MMI_CANDIDATES, "mmi_samples": MMI_SAMPLES,
                           "topic_weight": TOPIC_WEIGHT, **overrides})


def beside_path(path: Path, role: str) -> Path:
    """``<stem>_<role>.safetensors`` beside the chat model at ``path``: where a file that serves it
    is kept (``role``: "backward", the backward model p(turn | reply) of ``train chat --reverse``;
    "topic", its topic words)."""
    return path.with_name(f"{path.stem}_{role}.safetensors")


def companion_path(path: Path, role: str) -> Path:
    """Where the ``role`` file of the chat model at ``path`` is: :func:`beside_path` if there is
    one, else the shipped model's (a fine-tuned model keeps the shipped vocabulary)."""
    beside = beside_path(path, role)
    return beside if beside.is_file() else beside_path(DEFAULT_PATHS["chat"], role)


def resume_path(path: Path) -> Path:
    return path.with_name(path.stem + ".resume.safetensors")


def _teacher_forced(model: Seq2Seq, pairs: Sequence[tuple[list[int], list[int]]], state, vocab: Vocab,
                    device: torch.device, ends: bool = False):
    """Summed log p(reply + <eos> | source) of each (source ids, reply ids) pair under ``model``,
    teacher-forced in one batch from ``state`` (one row per pair): (len(pairs),) on the CPU; with
    ``ends``, also each reply's log p(<eos> | reply, source)."""
    batch = make_turn_batch(list(pairs), [False] * len(pairs), vocab)
    out = model(batch.source.to(device), batch.source_lengths, batch.reply_input.to(device), batch.reply_lengths,
                state, targets=batch.targets.to(device))
    replies = [reply for _, reply in pairs]
    sums = _sum_per_reply(out.token_log_probs, replies)
    if not ends:
        return sums
    last = torch.tensor([len(reply) + 1 for reply in replies]).cumsum(0) - 1
    return sums, out.token_log_probs.float().cpu()[last]


def _sum_per_reply(token_log_probs: torch.Tensor, replies: Sequence[list[int]]) -> torch.Tensor:
    """A teacher-forced batch's token log-probabilities (each reply's tokens and <eos>, row after
    row) summed per reply: (len(replies),) on the CPU."""
    rows = torch.repeat_interleave(torch.arange(len(replies)), torch.tensor([len(reply) + 1 for reply in replies]))
    return torch.zeros(len(replies)).index_add_(0, rows, token_log_probs.float().cpu())


class ChatPredictor:
    """A loaded chat model with its vocabulary: replies, states, scores."""

    def __init__(self, model: Seq2Seq, vocab: Vocab, device: torch.device, model_id: str = "",
                 meta: Optional[dict] = None, backward: Optional[Seq2Seq] = None,
                 topic_words: Optional[TopicWords] = None):
        self.model = model.to(device).eval()
        # p(turn | reply), same vocabulary, for DecodeConfig.mmi_backward_weight (None: not used).
        self.backward = backward.to(device).eval() if backward is not None else None
        self.backward_note = ""  # why no backward model is used, where one was looked for
        self.topic_words = topic_words  # for DecodeConfig.topic_weight (None: not used)
        self.topic_note = ""  # why no topic words are used, where they were looked for
        self.vocab = vocab
        self.device = device
        # Replies on the CPU run over prepacked weights (engine.models.packed); elsewhere, the model.
        self.steps = packed_decoder(self.model, device) or self.model
        self._encoded = None  # (turns, their encoding) of the last _encoded_turns call
        self.content_ids = vocab.content_ids()  # words a reply says at most once
        self.model_id = model_id
        self.meta = meta or {}
        self._start = self._stored_start()

    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu",
             backward: str | Path | None = "auto", topic: str | Path | None = "auto") -> "ChatPredictor":
        """The chat model at ``path``, with the backward model at ``backward`` and the topic words
        at ``topic`` ("auto": :func:`companion_path`; None: none). A missing, broken or mismatched
        one only leaves the replies without it (``backward_note`` and ``topic_note`` say why)."""
        path = Path(path)
        model, vocab, meta = _load_seq2seq(path)
        if meta.get("direction") == "backward":
            raise CheckpointError(f"{path}: a backward model (it predicts the message from the reply), "
                                  "not a chat model; it reranks replies from beside one")
        device = torch.device(device)
        stat = path.stat()
        predictor = cls(model, vocab, device, f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}", meta)
        if backward is not None:
            predictor.attach_backward(companion_path(path, "backward") if backward == "auto" else Path(backward))
        if topic is not None:
            predictor.attach_topic_words(companion_path(path, "topic") if topic == "auto" else Path(topic))
        return predictor

    def attach_topic_words(self, path: Path) -> None:
        """Use the topic words at ``path`` if they are for this vocabulary."""
        if not path.is_file():
            self.topic_note = f"no topic words at {path.name}"
            return
        try:
            self.topic_words, self.topic_note = TopicWords.load(path, self.vocab), ""
        except CheckpointError as error:
            self.topic_note = str(error)

    def attach_backward(self, path: Path) -> None:
        """Use the backward model at ``path`` if it is one for this vocabulary."""
        if not path.is_file():
            self.backward_note = f"no backward model at {path.name}"
            return
        try:
            model, vocab, meta = _load_seq2seq(path)
        except CheckpointError as error:
            self.backward_note = str(error)
            return
        if meta.get("direction") != "backward" or vocab.itos != self.vocab.itos:
            self.backward_note = f"{path.name} is not a backward model for this chat model's vocabulary"
            return
        self.backward, self.backward_note = model.to(self.device).eval(), ""

    # -- state -------------------------------------------------------------------------------
    def _stored_start(self):
        """The checkpoint's start state as (h, c), each (layers, 1, hidden); None where it stores
        none, or one of another shape."""
        start = self.meta.get("start_state") or {}
        shape = (self.model.config.num_layers, self.model.config.hidden_size)
        try:
            h, c = (torch.tensor(start[part], dtype=torch.float32, device=self.device) for part in ("h", "c"))
        except (KeyError, TypeError, ValueError):
            return None
        return (h.unsqueeze(1), c.unsqueeze(1)) if h.shape == c.shape == shape else None

    def start_state(self, rows: int = 1):
        """The state a new conversation starts from: the mean state of conversations under way
        that ``train chat`` stores in the checkpoint (:func:`mean_state`), else zeros."""
        return starting_state(self.model, rows, self.device, self._start)

    def _state(self, state: Optional[ChatState]):
        if state is None or state.tensors is None or state.model_id != self.model_id:
            return self.start_state(1)
        return tuple(t.to(self.device) for t in state.tensors)

    def encode_turn(self, text: str) -> list[int]:
        ids = self.vocab.encode(tokenize(text))[: self.model.config.max_source_len]
        return ids or [self.vocab.unk_id]

    @torch.inference_mode()
    def rebuild_state(self, exchanges: Sequence[tuple[str, str]]) -> ChatState:
        """Fold saved (user, bot) exchanges into a state, as if they had just been said."""
        state = self.start_state(1)
        for user, bot in exchanges:
            source = torch.tensor([self.encode_turn(user)], device=self.device)
            _, state = self.steps.start_reply(source, state)
            reply = self.vocab.encode(tokenize(bot))[: self.model.config.max_reply_len]
            state = self.steps.read_reply(reply, state, self.vocab.sos_id)
        return ChatState(state, len(exchanges), self.model_id)

    # -- scores ------------------------------------------------------------------------------
    @property
    def prior_sources(self) -> list[list[int]]:
        """The turns that estimate p(reply): those the training command stored in the checkpoint,
        or, for a checkpoint without them, one empty turn (a cruder estimate)."""
        stored = self.meta.get("prior_contexts") or []
        return [self.vocab.encode(tokens) for tokens in stored if tokens] or [[self.vocab.unk_id]]

    @torch.inference_mode()
    def log_likelihoods(self, state, pairs: Sequence[tuple[list[int], list[int]]], ends: bool = False):
        """Summed log p(reply + <eos> | source) of each (source ids, reply ids) pair, teacher-forced
        in one batch; ``state`` has one row per pair, or one row for all. Returns (len(pairs),) on
        the CPU; with ``ends``, also each reply's log p(<eos>) where it ends."""
        if state[0].size(1) == 1 and len(pairs) > 1:
            state = tuple(part.expand(-1, len(pairs), -1).contiguous() for part in state)
        return _teacher_forced(self.model, pairs, state, self.vocab, self.device, ends)

    @torch.inference_mode()
    def _encoded_turns(self, sources: Sequence[list[int]]):
        """``sources`` each read at the start of a new conversation (from :meth:`start_state`):
        (memory, state), one row each. The last call's result is kept, so the same turns (the
        prior's) are encoded once."""
        key = tuple(map(tuple, sources))
        if self._encoded is None or self._encoded[0] != key:
            batch = make_turn_batch([(source, []) for source in sources], [False] * len(sources), self.vocab)
            state = self.start_state(len(sources))
            outputs, keys, pad_mask, state = self.model.encode(batch.source.to(self.device), batch.source_lengths,
                                                               state)
            self._encoded = (key, ((outputs, keys, pad_mask), state))
        return self._encoded[1]

    @torch.inference_mode()
    def log_prior(self, replies: Sequence[list[int]], sources: Optional[Sequence[list[int]]] = None) -> torch.Tensor:
        """log p(reply) for each reply: the log of the mean of p(reply | turn) over ``sources``
        (default: ``prior_sources``), each turn read at the start of a new conversation. Every
        (turn, reply) pair is decoded in one batch."""
        memory, state = self._encoded_turns(sources or self.prior_sources)
        n_turns, n_replies = memory[0].size(0), len(replies)
        turn_rows = torch.arange(n_turns, device=self.device).repeat_interleave(n_replies)
        state = tuple(part.index_select(1, turn_rows) for part in state)
        batch = make_turn_batch([([self.vocab.eos_id], reply) for reply in replies] * n_turns,
                                [False] * (n_turns * n_replies), self.vocab)
        out = self.model.decode_replies(memory, state, batch.reply_input.to(self.device), batch.reply_lengths,
                                        batch.targets.to(self.device), memory_rows=turn_rows)
        each = _sum_per_reply(out.token_log_probs, list(replies) * n_turns)
        return torch.logsumexp(each.view(n_turns, n_replies), dim=0) - math.log(n_turns)

    @torch.inference_mode()
    def log_backward(self, source_ids: list[int], replies: Sequence[list[int]]) -> torch.Tensor:
        """The backward model's mean log p(turn token | reply) over the turn's tokens and <eos>, for
        each reply (each read as the turn of a new conversation), in one batch: (len(replies),)."""
        pairs = [(reply or [self.vocab.unk_id], source_ids) for reply in replies]
        state = self.backward.initial_state(len(pairs), self.device)
        return _teacher_forced(self.backward, pairs, state, self.vocab, self.device) / (len(source_ids) + 1)

    def _with_log_likelihoods(self, hypotheses: list[Hypothesis], state, source_ids: list[int]) -> list[Hypothesis]:
        """The hypotheses with ``log_prob`` set to log p(reply + <eos> | turn), from ``state``,
        less those that end where the model gives the end under ``END_FLOOR`` (a sampled reply
        cut off mid-phrase: "i like to travel to"), unless that would leave none."""
        true, ends = self.log_likelihoods(state, [(source_ids, h.tokens) for h in hypotheses], ends=True)
        scored = [replace(h, log_prob=log_prob) for h, log_prob in zip(hypotheses, true.tolist())]
        ended = [h for h, end in zip(scored, ends.tolist()) if end >= math.log(END_FLOOR)]
        return ended or scored

    def _uses_backward(self, config: DecodeConfig) -> bool:
        return self.backward is not None and config.mmi_backward_weight > 0

    def _reranks(self, config: DecodeConfig) -> bool:
        return config.strategy == "beam" and config.beam_size > 1 and (
            config.mmi_weight > 0 or self._uses_backward(config))

    def _rerank(self, hypotheses: list[Hypothesis], config: DecodeConfig, source_ids: list[int],
                topic_bias: Optional[torch.Tensor] = None) -> list[Hypothesis]:
        """Order finished hypotheses by (log p(reply | turn) - mmi_weight * log p(reply) + the topic
        words' bonus for the words the reply says) per token of the reply (its words and <eos>), plus
        mmi_backward_weight times the backward model's mean log p(turn token | reply) where there is
        one; keep ``config.n_best``. Where the model is sure of a
        reply (its tokens' geometric-mean probability is ``config.mmi_confident`` or more, as for a
        reply the user taught it), they are ordered by log p(reply | turn) alone: reranking would
        only trade that reply for an unlikely one that no other turn would prompt."""
        if max(h.log_prob / (len(h.tokens) + 1) for h in hypotheses) >= math.log(config.mmi_confident):
            plain = [replace(h, score=h.log_prob / length_penalty(len(h.tokens), config.length_penalty))
                     for h in hypotheses]
            return sorted(plain, key=lambda h: h.score, reverse=True)[: config.n_best]
        replies = [h.tokens for h in hypotheses]
        prior = self.log_prior(replies).tolist() if config.mmi_weight > 0 else [0.0] * len(replies)
        backward = ((config.mmi_backward_weight * self.log_backward(source_ids, replies)).tolist()
                    if self._uses_backward(config) else [0.0] * len(replies))
        topic = ([float(topic_bias[sorted(set(h.tokens))].sum()) for h in hypotheses] if topic_bias is not None
                 else [0.0] * len(replies))
        rescored = [replace(h, score=(h.log_prob - config.mmi_weight * p + t) / (len(h.tokens) + 1) + b)
                    for h, p, t, b in zip(hypotheses, prior, topic, backward)]
        return sorted(rescored, key=lambda h: h.score, reverse=True)[: config.n_best]

    def _penalised_search(self, step, state, config: DecodeConfig):
        """``step`` (and the state and reorder function that go with it) with the first
        ``config.mmi_search_tokens`` tokens' log-probabilities lowered by ``mmi_search_weight``
        times their log-probability under the prior: the mean of p(token | prefix, turn) over the
        prior's turns, each decoding the same prefix alongside the hypotheses in the same batch.
        The penalty counts from ``PRIOR_FLOOR`` up, and a reply whose first token the model is
        ``config.mmi_confident`` of is left alone (the shipped model's likeliest first token
        usually holds 0.1 to 0.35 of the probability, so its generic openings are hedges).
        The wrapped state is (model state, prior rows' state, tokens so far); prior row r * K + j
        is hypothesis r after prior turn j, and is dropped once the penalised tokens are written."""
        (outputs, keys, pad_mask), prior_state = self._encoded_turns(self.prior_sources)
        k, weight, limit = outputs.size(0), config.mmi_search_weight, config.mmi_search_tokens

        def penalised(tokens: torch.Tensor, wrapped):
            main, prior, written = wrapped
            log_probs, attention, main = step(tokens, main)
            if written == 0 and float(log_probs.max()) >= math.log(config.mmi_confident):
                prior = None  # sure of the first token: the reply is left alone
            if prior is not None:
                n = tokens.size(0)
                memory = (outputs.repeat(n, 1, 1), keys.repeat(n, 1, 1),
                          pad_mask.repeat(n, 1) if pad_mask is not None else None)
                prior_log_probs, _, prior = self.steps.decode_step(tokens.repeat_interleave(k), prior, memory)
                log_prior = torch.logsumexp(prior_log_probs.view(n, k, -1), dim=1) - math.log(k)
                # Lowered only: a token at or below the floor keeps its log-probability, so the
                # penalised scores stay at or below the true ones (the strategies' check of how
                # sure the model is of a repeated word still holds). All hypotheses of a step are
                # lowered alike, so the ranking is Li et al.'s log p(y|x) - weight log p(y).
                excess = log_prior.clamp(min=math.log(PRIOR_FLOOR)) - math.log(PRIOR_FLOOR)
                log_probs = log_probs - weight * excess
                if written + 1 >= limit:
                    prior = None
            return log_probs, attention, (main, prior, written + 1)

        def reorder(wrapped, rows: torch.Tensor):
            main, prior, written = wrapped
            if prior is not None:
                prior_rows = (rows.unsqueeze(1) * k + torch.arange(k, device=rows.device)).reshape(-1)
                prior = Seq2Seq.reorder_state(prior, prior_rows)
            return Seq2Seq.reorder_state(main, rows), prior, written

        return penalised, reorder, (state, prior_state, 0)

    def _topic_bias(self, source_ids: list[int], config: DecodeConfig) -> Optional[torch.Tensor]:
        """(vocab,) ``config.topic_weight`` times each word's association with the turn's words;
        None where there is nothing to add."""
        if self.topic_words is None or config.topic_weight <= 0:
            return None
        bias = self.topic_words.bias(source_ids)
        return (config.topic_weight * bias).to(self.device) if bool(bias.any()) else None

    @staticmethod
    def _topic_steered(step, reorder, start, bias: Optional[torch.Tensor]):
        """``step`` with ``bias`` (vocab,) added to every row's log-probabilities, each word's share
        spent once its row has said it: a reply is steered to take a topic word up, not to repeat it,
        and the strategies' check of how sure the model is of a repeated word sees the model's own
        log-probability. The wrapped state is (inner state, each row's unspent bias). Returns (step,
        reorder, start, wrappers added): 1, or 0 with all three unchanged where ``bias`` is None."""
        if bias is None:
            return step, reorder, start, 0

        def steered(tokens: torch.Tensor, wrapped):
            inner, unspent = wrapped
            unspent = unspent.scatter(1, tokens.unsqueeze(1), 0.0)
            log_probs, attention, inner = step(tokens, inner)
            return log_probs + unspent, attention, (inner, unspent)

        def reorder_steered(wrapped, rows: torch.Tensor):
            inner, unspent = wrapped
            return reorder(inner, rows), unspent.index_select(0, rows)

        return steered, reorder_steered, (start, bias.unsqueeze(0)), 1

    def _sampled_replies(self, step, dec_state, config: DecodeConfig, seed: int,
                         should_stop: Optional[Callable[[], bool]], reorder=Seq2Seq.reorder_state) -> list[Hypothesis]:
        """``config.mmi_samples`` replies sampled side by side from ``dec_state`` (the plain model:
        no penalty on the opening words), under the same constraints as the beam. Seeded by the
        caller, so a reply to the same turn in the same state is the same each time."""
        sampling = replace(config, strategy="sample", n_best=config.mmi_samples,
                           temperature=config.mmi_sample_temperature, top_k=0, top_p=config.mmi_sample_top_p,
                           seed=config.seed if config.seed is not None else seed)
        vocab = self.vocab
        return decode(step, dec_state, reorder, sampling, vocab.sos_id, vocab.eos_id, vocab.unk_id,
                      vocab.pad_id, once=self.content_ids, device=self.device, should_stop=should_stop)

    # -- replies -----------------------------------------------------------------------------
    @torch.inference_mode()
    def reply(self, text: str, state: Optional[ChatState] = None, config: Optional[DecodeConfig] = None,
              should_stop: Optional[Callable[[], bool]] = None, avoid: Sequence[str] = ()) -> Reply:
        """The reply to ``text`` after ``state``. With ``avoid`` (replies already shown, to
        regenerate), the best reply found whose text is none of them: the search keeps its whole
        pool (the beam's n-best, the samples) and the reranking orders all of it, and where every
        likely reply found is avoided the best is returned all the same (the caller sees it is one
        it had).
        Greedy search writes one reply, so a greedy ``avoid`` looks among the beam's."""
        config = config or DecodeConfig()
        if avoid and config.strategy == "greedy":
            config = replace(config, strategy="beam")
        source_ids = self.encode_turn(text)
        source = torch.tensor([source_ids], device=self.device)
        start_state = self._state(state)
        memory, dec_state = self.steps.start_reply(source, start_state)
        vocab = self.vocab
        plain_step = lambda tokens, s: self.steps.decode_step(tokens, s, memory)  # noqa: E731
        step = plain_step
        rerank = self._reranks(config)
        search = _search_config(config, rerank, bool(avoid))
        penalise = config.strategy == "beam" and config.mmi_search_weight > 0 and config.mmi_search_tokens > 0
        topic_bias = self._topic_bias(source_ids, config)
        reorder, start = Seq2Seq.reorder_state, dec_state
        wrappers = 0  # each wrapper's state is (the state it wraps, its own)
        if penalise:
            step, reorder, start = self._penalised_search(step, dec_state, config)
            wrappers += 1
        step, reorder, start, steered = self._topic_steered(step, reorder, start, topic_bias)
        wrappers += steered
        hypotheses = _unwrapped(decode(step, start, reorder, search, vocab.sos_id, vocab.eos_id, vocab.unk_id,
                                       vocab.pad_id, once=self.content_ids, device=self.device,
                                       should_stop=should_stop), wrappers)
        sample = rerank and config.mmi_samples > 0
        if sample:
            turn = state.turns if state else 0
            seed = zlib.crc32(json.dumps([source_ids, turn]).encode())
            found = {tuple(h.tokens) for h in hypotheses}
            step, reorder, start, steered = self._topic_steered(plain_step, Seq2Seq.reorder_state, dec_state,
                                                                topic_bias)
            samples = self._sampled_replies(step, start, config, seed, should_stop, reorder)
            for h in _unwrapped(samples, steered):
                if tuple(h.tokens) not in found:
                    found.add(tuple(h.tokens))
                    hypotheses.append(h)
        if rerank:
            # The reranking weighs each whole reply's log p(reply | turn), the model's own.
            if penalise or sample or topic_bias is not None:
                hypotheses = self._with_log_likelihoods(hypotheses, start_state, source_ids)
            kept = replace(config, n_best=len(hypotheses)) if avoid else config
            hypotheses = self._rerank(hypotheses, kept, source_ids, topic_bias)
        best = _first_not_in(hypotheses, avoid, vocab, config.length_penalty)
        tokens = vocab.decode(best.tokens)
        new_state = best.final_state
        if new_state is None:  # only when every continuation was masked (see BeamSearch.results)
            new_state = self.steps.read_reply(best.tokens, dec_state, vocab.sos_id)
        attention = best.attention.tolist() if best.attention is not None else []
        return Reply(
            text=detokenize(tokens), tokens=tokens, score=best.score, source_tokens=vocab.decode(source_ids),
            attention=attention,
            state=ChatState(new_state, (state.turns if state else 0) + 1, self.model_id),
            alternatives=[(detokenize(vocab.decode(h.tokens)), h.score) for h in hypotheses],
        )


def _search_config(config: DecodeConfig, rerank: bool, avoiding: bool) -> DecodeConfig:
    """What the search runs with: ``config``, or, where the reranking or ``avoid`` will choose
    among its replies, the whole pool of them (a beam's n-best; for sampling, enough samples that
    one differs from the replies to avoid even where the model prefers one of them)."""
    pool = max(config.n_best, config.beam_size, config.mmi_candidates)
    if avoiding and config.strategy == "sample":
        pool = max(pool, ALTERNATIVE_SAMPLES)
    return replace(config, n_best=pool) if rerank or avoiding else config


def _first_not_in(hypotheses: list[Hypothesis], avoid: Sequence[str], vocab: Vocab,
                  alpha: float) -> Hypothesis:
    """The first hypothesis whose words (case and punctuation aside) are none of ``avoid``'s and
    that the model finds likely (see ``ALTERNATIVE_SPREAD``; ``alpha``: the length penalty's);
    the first of all where there is none."""
    said = {_words(text) for text in avoid}
    if not said:
        return hypotheses[0]
    # The model's own scores: the reranked ones add MMI and topic terms, not probabilities.
    plain = [h.log_prob / length_penalty(len(h.tokens), alpha) for h in hypotheses]
    floor = max(plain) - math.log(ALTERNATIVE_SPREAD)
    return next((h for h, score in zip(hypotheses, plain)
                 if score >= floor and _words(detokenize(vocab.decode(h.tokens))) not in said),
                hypotheses[0])


def _words(text: str) -> str:
    """A reply as compared for "the same reply": "Hey whats up!" is "hey whats up"."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _unwrapped(hypotheses: list[Hypothesis], wrappers: int) -> list[Hypothesis]:
    """The hypotheses with each ``final_state`` taken out of ``wrappers`` layers of wrapped states."""
    for h in hypotheses:
        for _ in range(wrappers if h.final_state is not None else 0):
            h.final_state = h.final_state[0]
    return hypotheses


def _load_seq2seq(path: Path) -> tuple[Seq2Seq, Vocab, dict]:
    checkpoint = load_checkpoint(path, kind="chat")
    model = Seq2Seq(Seq2SeqConfig(**checkpoint.config))
    load_weights(model, checkpoint, path)
    return model, Vocab(checkpoint.vocab), checkpoint.meta


# -- command line ----------------------------------------------------------------------------
def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    d, m = TrainConfig(), Seq2SeqConfig(vocab_size=8000)
    parser.add_argument("--data", default=None, help="JSONL, one conversation a line (default: chitchat + chatterbot)")
    parser.add_argument("--out", default=str(DEFAULT_PATHS["chat"]), help="checkpoint to write")
    parser.add_argument("--resume", action="store_true", help="continue from OUT's resume file")
    parser.add_argument("--init", default=None, help="start from this chat checkpoint (fine-tuning)")
    parser.add_argument("--epochs", type=int, default=d.epochs)
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--lr", type=float, default=d.learning_rate)
    parser.add_argument("--tbptt", type=int, default=d.tbptt_turns, help="exchanges per backward window")
    parser.add_argument("--clip", type=float, default=d.clip_norm, help="gradient-norm threshold")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after this long")
    parser.add_argument("--valid-every", type=int, default=d.valid_every)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--vocab-from", default=None,
                        help="a new model takes this checkpoint's vocabulary instead of building one (so the "
                             "backward model trained with it still reranks the new model's replies)")
    parser.add_argument("--embedding", type=int, default=m.embedding_size)
    parser.add_argument("--hidden", type=int, default=m.hidden_size)
    parser.add_argument("--layers", type=int, default=m.num_layers)
    parser.add_argument("--attention", type=int, default=m.attention_size)
    parser.add_argument("--dropout", type=float, default=m.dropout)
    parser.add_argument("--one-side", action="store_true", help="train each conversation from turn 0 only")
    parser.add_argument("--reverse", action="store_true",
                        help="train the backward model p(turn | reply) on the same exchanges turned around, "
                             "one exchange at a time (it ranks replies by how well they answer the turn)")
    parser.add_argument("--start-state-only", action="store_true",
                        help="train nothing: store in OUT the state a new conversation starts from (the mean "
                             "state of training conversations under way; training stores it at its end)")
    parser.add_argument("--topic-words-only", action="store_true",
                        help="train nothing: count the topic words of OUT's vocabulary over the training split and "
                             "write them beside OUT as <stem>_topic.safetensors (training writes them at its end)")
    parser.add_argument("--half", action="store_true",
                        help="store OUT's weights as float16 (shipping size; the resume file keeps float32)")
    parser.add_argument("--progress", choices=("bar", "jsonl"), default="bar",
                        help="bar: tqdm on stderr; jsonl: one JSON progress object a line on stdout")


def _jsonl_progress(update) -> None:
    print(json.dumps({"progress": asdict(update)}), flush=True)


def store_start_state(path: Path, streams: Sequence[Sequence[tuple[list[int], list[int]]]],
                      device: torch.device, seed: int = 1234) -> dict:
    """Compute :func:`mean_state` of the chat model at ``path`` over ``streams`` (encoded with its
    vocabulary) and store it in the checkpoint's metadata, its weights as they were (float16 ones
    stay float16)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as stored:
        half = any(stored.get_slice(name).get_dtype() == "F16" for name in stored.keys())
    checkpoint = load_checkpoint(path, kind="chat")
    model = Seq2Seq(Seq2SeqConfig(**checkpoint.config))
    load_weights(model, checkpoint, path)
    start = mean_state(model.to(device), streams, Vocab(checkpoint.vocab), device, seed=seed)
    checkpoint.meta["start_state"] = start
    save_checkpoint(path, checkpoint, half=half)
    return start


def store_topic_words(path: Path, streams: Sequence[Sequence[tuple[list[int], list[int]]]], vocab: Vocab,
                      data: str) -> dict:
    """Count the topic words over the (turn, reply) pairs of ``streams`` and write them beside the
    chat model at ``path``; returns what was written, JSON-ready."""
    topic = TopicWords.count([pair for stream in streams for pair in stream], vocab)
    written = topic.save(beside_path(path, "topic"), vocab, {"data": data})
    return {"topic_words": len(topic), "out": str(written)}


def _data_name(args: argparse.Namespace) -> str:
    return args.data or "chitchat-dataset + chatterbot-corpus (english)"


def train(args: argparse.Namespace) -> int:
    device = pick_device(args.device)
    started = time.time()
    splits = load_corpus(args.data, seed=args.seed)
    print(f"conversations: {json.dumps(splits.sizes())}", file=sys.stderr)
    train_tokens = tokenize_conversations(splits.train)
    out = Path(args.out)
    if args.start_state_only or args.topic_words_only:  # OUT's model as it is, over the training split
        checkpoint = load_checkpoint(out, kind="chat")
        vocab, config = Vocab(checkpoint.vocab), Seq2SeqConfig(**checkpoint.config)
        streams = training_streams(train_tokens, vocab, config.max_source_len, config.max_reply_len, True)
        if args.start_state_only:
            start = store_start_state(out, streams, device, args.seed)
            print(json.dumps({"start_state_exchanges": start.get("exchanges", 0), "out": str(out)}))
        if args.topic_words_only:
            print(json.dumps(store_topic_words(out, streams, vocab, _data_name(args))))
        return 0
    resume_meta, optimizer_state = None, None
    if args.resume and resume_path(out).is_file():
        checkpoint = load_checkpoint(resume_path(out), kind="chat")
        config, vocab = Seq2SeqConfig(**checkpoint.config), Vocab(checkpoint.vocab)
        model = Seq2Seq(config)
        load_weights(model, checkpoint, resume_path(out))
        resume_meta, optimizer_state = checkpoint.meta["resume"], checkpoint.optimizer
        print(f"resuming at epoch {resume_meta['epoch']}, step {resume_meta['step']}", file=sys.stderr)
    elif args.init:
        base = ChatPredictor.load(args.init)
        model, vocab, config = base.model, base.vocab, base.model.config
    else:
        # --vocab-from: the same words as that model, so its companions (the backward model) still fit.
        vocab = (Vocab(load_checkpoint(args.vocab_from, kind="chat").vocab) if args.vocab_from
                 else Vocab.build((t for conv in train_tokens for t in conv), args.vocab_size, args.min_count))
        config = Seq2SeqConfig(vocab_size=len(vocab), embedding_size=args.embedding, hidden_size=args.hidden,
                               num_layers=args.layers, attention_size=args.attention, dropout=args.dropout)
        torch.manual_seed(args.seed)
        model = Seq2Seq(config)
    both = not args.one_side
    train_streams = training_streams(train_tokens, vocab, config.max_source_len, config.max_reply_len, both)
    if args.reverse:  # validated like it trains: every exchange of both speakers, turned around
        valid_streams = reversed_exchanges(training_streams(splits.valid, vocab, config.max_source_len,
                                                            config.max_reply_len, True))
        train_streams = reversed_exchanges(train_streams)
    else:
        valid_streams = training_streams(splits.valid, vocab, config.max_source_len, config.max_reply_len, False)
    train_config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                               min_learning_rate=args.lr / 10, tbptt_turns=args.tbptt, clip_norm=args.clip,
                               seed=args.seed, max_minutes=args.max_minutes, valid_every=args.valid_every)
    base_meta = {
        "data": _data_name(args),
        "splits": splits.sizes(), "train_config": asdict(train_config),
        "command": "python -m engine train chat " + " ".join(sys.argv[3:]) if len(sys.argv) > 3 else "",
        "direction": "backward" if args.reverse else "forward",
    }
    if not args.reverse:
        base_meta["prior_contexts"] = [vocab.decode(source)
                                       for source in sample_prior_contexts(train_streams, seed=args.seed)]

    def save(optimizer, meta: dict) -> None:
        info = dict(base_meta, resume=meta, valid_loss=meta.get("valid_loss"),
                    best_valid_loss=meta.get("best_valid_loss"), trained_s=round(time.time() - started, 1))
        weights = model.state_dict()
        save_checkpoint(resume_path(out), Checkpoint("chat", asdict(config), weights, vocab.itos, info,
                                                     optimizer.state_dict()))
        # OUT holds the weights that validated best (the latest ones until the first validation),
        # so that a run which goes on past its best epoch does not ship the overfitted end.
        valid, best = meta.get("valid_loss"), meta.get("best_valid_loss")
        if best is None or (valid is not None and valid <= best):
            save_checkpoint(out, Checkpoint("chat", asdict(config), weights, vocab.itos, info), half=args.half)

    progress = _jsonl_progress if args.progress == "jsonl" else tqdm_progress(unit="tok")
    with StopRequest() as stop:
        result = train_chat(model, train_streams, valid_streams, vocab, train_config, device, progress, stop,
                            save, resume_meta, optimizer_state)
    if not args.reverse and out.is_file():  # the weights that validated best, as OUT holds them
        store_start_state(out, train_streams, device, args.seed)
        store_topic_words(out, train_streams, vocab, base_meta["data"])
    summary = {"steps": result.steps, "epochs": round(result.epochs_done, 3), "stopped": result.stopped_early,
               "best_valid_loss": result.best_valid_loss, "seconds": round(result.elapsed_s, 1),
               "tokens_per_s": round(result.tokens / max(result.elapsed_s, 1e-9), 1), "out": str(out)}
    print(json.dumps(summary))
    return 0


def _decode_config(args: argparse.Namespace) -> DecodeConfig:
    return DecodeConfig(strategy=args.strategy, beam_size=args.beam_size, n_best=args.n_best, **mmi_settings(args))


def run_reply(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise ValueError("the message is empty: there is nothing to reply to")
    predictor = ChatPredictor.load(args.model or DEFAULT_PATHS["chat"], pick_device(args.device))
    reply = predictor.reply(args.text, None, _decode_config(args))
    for text, score in reply.alternatives:
        print(text if args.n_best == 1 else f"{score:8.3f}  {text}")
    return 0


def run_chat(args: argparse.Namespace) -> int:
    predictor = ChatPredictor.load(args.model or DEFAULT_PATHS["chat"], pick_device(args.device))
    config = _decode_config(args)
    state = None
    print("Type a message and press Enter; an empty line or Ctrl-D ends the conversation.")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text.strip():
            return 0
        reply = predictor.reply(text, state, config)
        state = reply.state
        print(f"bot> {reply.text}")


def tiny_config(vocab: Vocab, **overrides) -> Seq2SeqConfig:
    """A small model for tests and quick experiments."""
    return replace(Seq2SeqConfig(vocab_size=len(vocab), embedding_size=32, hidden_size=48, attention_size=24,
                                 dropout=0.0, cutoffs=()), **overrides)


def train_small_model(conversations: Sequence[Sequence[str]], out: str | Path | None = None, epochs: int = 150,
                      seed: int = 0, **overrides) -> ChatPredictor:
    """Train a tiny chat model on a few conversations until it knows them (tests, demos).

    Returns the predictor; with ``out`` the checkpoint is also written there.
    """
    from engine.data.chat import tokenize_conversations

    tokenized = tokenize_conversations([list(c) for c in conversations])
    vocab = Vocab.build((t for conv in tokenized for t in conv), max_size=2000, min_count=1)
    config = tiny_config(vocab, **overrides)
    torch.manual_seed(seed)
    model = Seq2Seq(config)
    streams = training_streams(tokenized, vocab, config.max_source_len, config.max_reply_len, both_sides=False)
    longest = max(len(s) for s in streams)
    train_chat(model, streams, [], vocab,
               TrainConfig(epochs=epochs, batch_size=len(streams), learning_rate=1e-2, min_learning_rate=1e-3,
                           warmup_steps=10, tbptt_turns=longest, seed=seed, valid_every=10**9,
                           min_active_rows=0.0),
               torch.device("cpu"))
    if out is not None:
        save_checkpoint(out, Checkpoint("chat", asdict(config), model.state_dict(), vocab.itos,
                                        {"data": "small test conversations"}))
    return ChatPredictor(model, vocab, torch.device("cpu"), model_id=f"small:{seed}")
