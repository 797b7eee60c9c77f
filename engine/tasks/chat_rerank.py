"""The chat replies' reranking and steering: scores of whole replies (log p(reply | turn), the
prior p(reply), the backward model's p(turn | reply)), maximum mutual information in the search
and after it, sampled candidates and the topic words. ``ChatPredictor`` takes these methods from
:class:`Reranking`; the settings are ``DecodeConfig``'s ``mmi_*`` and ``topic_weight``.
"""
from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Callable, Optional, Sequence

import torch

from engine.data.chat import make_turn_batch
from engine.decode_config import DecodeConfig
from engine.decoding import Hypothesis, decode, length_penalty
from engine.models.seq2seq import Seq2Seq
from engine.text import Vocab


PRIOR_CONTEXTS = 16  # training turns whose mean p(reply | turn) stands for p(reply)
# The penalty counts from this prior probability up: an opening that fewer than 1 in 300 replies
# start with is not generic, and gains nothing more by being rarer (without a floor the search
# favours rare words for their rarity: "not powers." to "do you have any pets?").
PRIOR_FLOOR = 0.003
# A candidate reply that ends where the model gives its end less than this is left out of the
# reranking: replies people end there are rare (the shipped model gives the end of a finished
# reply 0.08 or more, of "i'm from south" 0.014).
END_FLOOR = 0.05


def sample_prior_contexts(streams: Sequence[Sequence[tuple[list[int], list[int]]]], n: int = PRIOR_CONTEXTS,
                          seed: int = 1234) -> list[list[int]]:
    """``n`` user turns drawn at random from training streams. A reply's probability averaged over
    them estimates its probability in any context, p(reply) = E_turn[p(reply | turn)]."""
    sources = [source for stream in streams for source, _ in stream]
    picked = random.Random(seed).sample(range(len(sources)), min(n, len(sources)))
    return [sources[i] for i in sorted(picked)]


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


class Reranking:
    """The scoring and reranking methods of :class:`engine.tasks.chat.ChatPredictor`, which
    provides ``model``, ``vocab``, ``device``, ``steps``, ``backward``, ``topic_words`` and
    ``content_ids``."""

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
            state = self.model.reorder_state(state, torch.zeros(len(pairs), dtype=torch.long, device=self.device))
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
        if self.model.config.memory_tokens:  # the memory model reads each pair as a new conversation
            sources = sources or self.prior_sources
            pairs = [(source, reply) for source in sources for reply in replies]
            each = _teacher_forced(self.model, pairs, self.start_state(len(pairs)), self.vocab, self.device)
            return torch.logsumexp(each.view(len(sources), len(replies)), dim=0) - math.log(len(sources))
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
        known = lambda ids: [i if i < len(self.vocab) else self.vocab.unk_id for i in ids]  # noqa: E731
        pairs = [(known(reply) or [self.vocab.unk_id], known(source_ids)) for reply in replies]
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
        topic = ([topic_bonus(topic_bias, h.tokens) for h in hypotheses] if topic_bias is not None
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

        vocab = bias.numel()

        def steered(tokens: torch.Tensor, wrapped):
            inner, unspent = wrapped
            # A word outside the vocabulary (the memory model's extended ids) carries no bias.
            said = torch.where(tokens < vocab, tokens, torch.zeros_like(tokens))
            unspent = unspent.scatter(1, said.unsqueeze(1), 0.0)
            log_probs, attention, inner = step(tokens, inner)
            if log_probs.size(1) > vocab:  # the memory model's extended ids follow the vocabulary
                log_probs = torch.cat([log_probs[:, :vocab] + unspent, log_probs[:, vocab:]], dim=1)
            else:
                log_probs = log_probs + unspent
            return log_probs, attention, (inner, unspent)

        def reorder_steered(wrapped, rows: torch.Tensor):
            inner, unspent = wrapped
            return reorder(inner, rows), unspent.index_select(0, rows)

        return steered, reorder_steered, (start, bias.unsqueeze(0)), 1

    def _with_samples(self, hypotheses: list[Hypothesis], plain_step, dec_state, config: DecodeConfig,
                      topic_bias: Optional[torch.Tensor], seed: int, should_stop) -> list[Hypothesis]:
        """``hypotheses`` and, after them, the sampled replies that are none of them."""
        found = {tuple(h.tokens) for h in hypotheses}
        step, reorder, start, steered = self._topic_steered(plain_step, Seq2Seq.reorder_state, dec_state, topic_bias)
        hypotheses = list(hypotheses)
        for h in unwrapped(self._sampled_replies(step, start, config, seed, should_stop, reorder), steered):
            if tuple(h.tokens) not in found:
                found.add(tuple(h.tokens))
                hypotheses.append(h)
        return hypotheses

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


def topic_bonus(bias: torch.Tensor, tokens: Sequence[int]) -> float:
    """What :meth:`Reranking._topic_steered` added to a reply's log-probability: each
    vocabulary word's bias, once."""
    return float(bias[sorted({t for t in tokens if t < bias.numel()})].sum())


def unwrapped(hypotheses: list[Hypothesis], wrappers: int) -> list[Hypothesis]:
    """The hypotheses with each ``final_state`` taken out of ``wrappers`` layers of wrapped states."""
    for h in hypotheses:
        for _ in range(wrappers if h.final_state is not None else 0):
            h.final_state = h.final_state[0]
    return hypotheses
