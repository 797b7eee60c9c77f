"""Greedy search, beam search and sampling, as strategies over log-probabilities.

A strategy knows nothing of the model. :func:`decode` asks the model for the next-token
log-probabilities of every live hypothesis in one batched call, hands them to the strategy,
and reorders the model's state by the rows the strategy kept. The chat model and the captioner
both decode through here, and the tests drive the strategies with hand-made log-probabilities.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import torch

from engine.decode_config import SearchConfig


@dataclass
class Hypothesis:
    tokens: list[int]  # without <sos> and <eos>
    score: float  # length-normalised log-probability (the ranking score)
    log_prob: float  # sum of the tokens' log-probabilities, <eos> included
    attention: Optional[torch.Tensor] = None  # (len(tokens), src_len): the attention behind each token
    final_state: Any = None  # the model's state after reading the last token (set by decode)
    prior: float = 0.0  # what a chat reranking adds to its score besides the model's (a stored answer's match)


@dataclass
class SpecialIds:
    sos: int
    eos: int
    unk: int = -1
    pad: int = -1
    banned: tuple[int, ...] = field(default_factory=tuple)  # never emitted (besides pad, sos, unk)
    once: frozenset[int] = frozenset()  # emitted at most once in a hypothesis


# A word named "once" may still come back where the model gives it at least half the probability:
# a reply it was taught that says a word twice ("cats, cats are great") is meant, not a loop.
SURE_REPEAT = math.log(0.5)


def length_penalty(length: int, alpha: float) -> float:
    """Wu et al. (2016), eq. 14; 1 for alpha = 0."""
    return ((5.0 + length) / 6.0) ** alpha if alpha else 1.0


def _repeating_words(history: list[int], n: int) -> list[int]:
    """The words that, said next, would repeat an n-gram of ``history``: each word that followed
    an earlier occurrence of its last n - 1 words (any word of history for n = 1)."""
    if n == 1:
        return list(history)
    prefix = history[len(history) - n + 1:]
    first, ends = prefix[0], len(history) - n + 1
    return [history[i + n - 1] for i in range(ends) if history[i] == first and history[i:i + n - 1] == prefix]


class Strategy:
    """Base: holds the live hypotheses' tokens and applies the constraints shared by all."""

    def __init__(self, config: SearchConfig, ids: SpecialIds, device: torch.device):
        self.config = config
        self.ids = ids
        self.device = device
        self.histories: list[list[int]] = [[]]  # tokens of each live row
        self.attentions: list[list[torch.Tensor]] = [[]]
        self.log_probs_sum = [0.0]
        self.last_tokens = torch.tensor([ids.sos], device=device)
        self.select = torch.zeros(1, dtype=torch.long, device=device)  # rows of the last batch kept
        self.done = False
        self.step = 0
        self.newly_finished: list[tuple[Hypothesis, int]] = []  # (hypothesis, row) of the last step
        self._banned = [i for i in (ids.pad, ids.sos) + tuple(ids.banned) if i >= 0]
        if config.forbid_unk and ids.unk >= 0:
            self._banned.append(ids.unk)
        self._once = ids.once if config.block_repeated_words else frozenset()
        self._said_once: list[set[int]] = [set()]  # the "once" words each live row has said
        # The columns masked in every row: the banned ids, and <eos> too while a reply is shorter than the minimum.
        self._masked_columns = {early: torch.tensor(self._banned + ([ids.eos] if early else []), dtype=torch.long,
                                                    device=device) for early in (False, True)}

    def constrain(self, log_probs: torch.Tensor) -> torch.Tensor:
        """Mask tokens that may not come next: banned ids, early <eos>, repeated n-grams; force
        <eos> at the maximum length. ``log_probs``: (rows, vocab)."""
        length = self.step
        early = length < min(self.config.min_length, self.config.max_length)
        # A masked copy: the caller's tensor is left as it was.
        log_probs = log_probs.float().contiguous().index_fill(1, self._masked_columns[early], -math.inf)
        if length >= self.config.max_length:
            eos_column = log_probs[:, self.ids.eos].clone()
            log_probs.fill_(-math.inf)
            log_probs[:, self.ids.eos] = torch.where(torch.isfinite(eos_column), eos_column,
                                                     torch.zeros_like(eos_column))
            return log_probs
        # Words that may not come next, each row's at row * vocab + word in the flat view, masked in
        # place by one write: the word that would repeat an n-gram always, and a "once" word said
        # before unless the model is sure of it (see SURE_REPEAT; the "once" words' log-probabilities
        # come back as one list, which costs less than comparing and selecting them on the device).
        vocab, flat_view = log_probs.size(1), log_probs.view(-1)
        masked: list[int] = []
        n = self.config.block_ngram
        if n > 0 and length >= n - 1:
            masked = [row * vocab + word for row, history in enumerate(self.histories)
                      for word in _repeating_words(history, n)]
        if self._once:
            said = [row * vocab + word for row, words in enumerate(self._said_once) for word in words]
            if said:
                said_log_probs = flat_view.index_select(0, torch.tensor(said, device=log_probs.device)).tolist()
                masked += [index for index, log_prob in zip(said, said_log_probs) if log_prob < SURE_REPEAT]
        if masked:
            flat_view.index_fill_(0, torch.tensor(masked, device=log_probs.device), -math.inf)
        return log_probs

    def _record(self, rows: list[int], tokens: list[int], token_log_probs: list[float],
                attention: Optional[torch.Tensor]) -> None:
        self.histories = [self.histories[r] + [t] for r, t in zip(rows, tokens)]
        self.log_probs_sum = [self.log_probs_sum[r] + lp for r, lp in zip(rows, token_log_probs)]
        # The kept rows and their tokens in one tensor (one copy to the device a step).
        self.select, self.last_tokens = torch.tensor([rows, tokens], dtype=torch.long, device=self.device).unbind(0)
        if attention is not None:
            picked = attention.index_select(0, self.select).unbind(0)
            self.attentions = [self.attentions[r] + [a] for r, a in zip(rows, picked)]
        else:
            self.attentions = [self.attentions[r] for r in rows]
        if self._once:
            self._said_once = [self._said_once[r] | ({t} if t in self._once else set()) for r, t in zip(rows, tokens)]

    @staticmethod
    def _stack(attention_rows: list[torch.Tensor]) -> Optional[torch.Tensor]:
        return torch.stack(attention_rows) if attention_rows else None

    def _finish(self, row: int, log_prob: float) -> Hypothesis:
        """Live row ``row`` ended with <eos>, its summed log-probability then ``log_prob``."""
        tokens = list(self.histories[row])
        return Hypothesis(tokens, log_prob / length_penalty(len(tokens), self.config.length_penalty), log_prob,
                          self._stack(self.attentions[row]))

    def advance(self, log_probs: torch.Tensor, attention: Optional[torch.Tensor]) -> None:
        raise NotImplementedError

    def results(self) -> list[Hypothesis]:
        raise NotImplementedError


class GreedySearch(Strategy):
    """One hypothesis, the likeliest token each step."""

    def __init__(self, config: SearchConfig, ids: SpecialIds, device: torch.device):
        super().__init__(config, ids, device)
        self.finished: Optional[Hypothesis] = None

    def advance(self, log_probs: torch.Tensor, attention: Optional[torch.Tensor]) -> None:
        log_probs = self.constrain(log_probs)
        self.newly_finished = []
        token = int(log_probs[0].argmax())
        token_log_prob = float(log_probs[0, token])
        if token == self.ids.eos:
            self.finished = self._finish(0, self.log_probs_sum[0] + token_log_prob)
            self.newly_finished = [(self.finished, 0)]
            self.done = True
        else:
            self._record([0], [token], [token_log_prob], attention)
        self.step += 1

    def results(self) -> list[Hypothesis]:
        assert self.finished is not None, "decoding has not finished"
        return [self.finished]


# How many of a row's likeliest words Sampling looks through for the nucleus, in turn, before it
# sorts the row whole (see Sampling.candidates). With the shipped chat model at temperature 0.8 and
# top-p 0.9, 74% of the sampled rows' nuclei lie within their first 64 words, 99.7% within 1,024.
NUCLEUS_WIDTHS = (64, 1024)


def _likeliest(logits: torch.Tensor, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's ``width`` largest logits and their columns, largest first."""
    if width >= logits.size(1):
        return torch.sort(logits, dim=1, descending=True)
    return logits.topk(width, dim=1)


class Sampling(Strategy):
    """``n_best`` replies sampled side by side, each row drawing its own tokens with temperature,
    then top-k, then nucleus (top-p) filtering; a row that draws <eos> leaves the batch. The
    hypotheses' log-probabilities are the model's (after the constraints), not the filtered ones."""

    def __init__(self, config: SearchConfig, ids: SpecialIds, device: torch.device):
        super().__init__(config, ids, device)
        self.finished: list[Hypothesis] = []
        self.generator = torch.Generator(device="cpu")
        if config.seed is not None:
            self.generator.manual_seed(config.seed)
        else:
            self.generator.seed()

    def candidates(self, log_probs: torch.Tensor) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
        """The words each row may draw, likeliest first, after temperature, top-k and nucleus
        (top-p) filtering: (logits (rows, K), ids (rows, K)), a logit -inf where its word may not
        be drawn; ids None where K is the whole vocabulary in its own order.

        Sorting every row (32 samples x 8,000 words) took longer than the model's step, so the
        nucleus is looked for among each row's likeliest ``NUCLEUS_WIDTHS[0]`` words first, then
        among the next width's for the rows whose words so far hold less than top_p, and a row is
        sorted whole only past the last width. The words kept are the same."""
        logits = log_probs / self.config.temperature
        vocab, top_k, top_p = logits.size(1), self.config.top_k, self.config.top_p
        if top_k <= 0 and top_p >= 1.0:
            return logits, None
        if top_k > 0:  # the nucleus is then taken within the top k, normalised over them
            values, ids = logits.topk(min(top_k, vocab), dim=1)
            if top_p >= 1.0:
                return values, ids
            log_total = torch.logsumexp(values, dim=1, keepdim=True)
            widths = []
        else:
            log_total = torch.logsumexp(logits, dim=1, keepdim=True)
            widths = [width for width in NUCLEUS_WIDTHS if width < vocab] + [vocab]
            values, ids = _likeliest(logits, widths.pop(0))
        live = values[:, :1] > -math.inf  # a row with every word masked ends (see advance)
        log_total = log_total.masked_fill(~live, 0.0)
        short = live.squeeze(1) & ((values - log_total).exp().sum(dim=1) < top_p) if widths else None
        for width in widths:
            if not bool(short.any()):
                break
            rows = short.nonzero().squeeze(1)
            wider_values, wider_ids = _likeliest(logits.index_select(0, rows), width)
            pad = values.new_full((values.size(0), width - values.size(1)), -math.inf)
            values, ids = torch.cat([values, pad], dim=1), torch.cat([ids, pad.long().zero_()], dim=1)
            values[rows], ids[rows] = wider_values, wider_ids
            short = torch.zeros_like(short).index_put_(
                (rows,), (wider_values - log_total[rows]).exp().sum(dim=1) < top_p)
        probs = (values - log_total).exp()
        # Drop a word once the ones before it already hold top_p (to within float rounding: the
        # probabilities are sums of exponentials); the first always stays.
        drop = probs.cumsum(dim=1) - probs >= top_p - 1e-6
        return values.masked_fill(drop, -math.inf), ids

    def _draw(self, logits: torch.Tensor, count: int) -> torch.Tensor:
        """``count`` columns drawn from each row's softmax of ``logits`` (rows, K), by inverting the
        cumulative distribution (a zero-probability column is never drawn): (rows, count)."""
        probs = torch.softmax(logits, dim=1)
        cumulative = probs.cumsum(dim=1)
        uniform = torch.rand(logits.size(0), count, generator=self.generator) * cumulative[:, -1:]
        return torch.searchsorted(cumulative, uniform, right=True).clamp_(max=logits.size(1) - 1)

    def advance(self, log_probs: torch.Tensor, attention: Optional[torch.Tensor]) -> None:
        log_probs = self.constrain(log_probs).cpu()  # one copy from the device a step, not one a row
        self.newly_finished = []
        logits, ids = self.candidates(log_probs)
        stuck = logits.max(dim=1).values == -math.inf if ids is None else logits[:, 0] == -math.inf
        if bool(stuck.any()):  # every word masked: the row ends here
            if ids is None:
                logits[stuck, self.ids.eos] = 0.0
            else:
                logits[stuck, 0] = 0.0
                ids[stuck, 0] = self.ids.eos
        if self.step == 0:  # one <sos> row: the samples part from it
            columns = self._draw(logits[:1], self.config.n_best).squeeze(0)
            from_rows = [0] * self.config.n_best
        else:
            columns = self._draw(logits, 1).squeeze(1)
            from_rows = list(range(logits.size(0)))
        drawn = columns if ids is None else ids[from_rows, columns]
        # Each drawn token's log-probability in one gather (a stuck row's forced end counts 0).
        drawn_lps = log_probs[from_rows, drawn].masked_fill(stuck[from_rows], 0.0).tolist()
        rows, tokens, token_lps = [], [], []
        for row, token, token_log_prob in zip(from_rows, drawn.tolist(), drawn_lps):
            if token == self.ids.eos:
                self.finished.append(self._finish(row, self.log_probs_sum[row] + token_log_prob))
                self.newly_finished.append((self.finished[-1], row))
            else:
                rows.append(row)
                tokens.append(token)
                token_lps.append(token_log_prob)
        self.step += 1
        if not rows:
            self.done = True
            return
        self._record(rows, tokens, token_lps, attention)

    def results(self) -> list[Hypothesis]:
        assert self.done, "decoding has not finished"
        return sorted(self.finished, key=lambda h: h.score, reverse=True)


class BeamSearch(Strategy):
    """Beam search: keeps ``beam_size`` live hypotheses; a finished one leaves the batch.

    It stops when no live hypothesis can still beat the ``n_best``-th finished one (exact when
    ``length_penalty`` is 0, since log-probs only fall as a hypothesis grows), or at the maximum
    length.
    """

    def __init__(self, config: SearchConfig, ids: SpecialIds, device: torch.device):
        super().__init__(config, ids, device)
        self.finished: list[Hypothesis] = []

    def advance(self, log_probs: torch.Tensor, attention: Optional[torch.Tensor]) -> None:
        config = self.config
        log_probs = self.constrain(log_probs)
        self.newly_finished = []
        vocab = log_probs.size(1)
        # The best 2 * beam continuations of all rows are among each row's own best 2 * beam, so
        # each row is cut to those first (a top-k over a few thousand words a row, then one over
        # a few dozen, costs less than one over rows x vocabulary).
        k = min(vocab, 2 * config.beam_size)
        row_best, row_tokens = log_probs.topk(k, dim=1)
        # The few dozen (row, word) left are ranked here rather than by a second top-k on the
        # device: the two lists cost less than the tensors and the copies back would. A stable
        # sort, so that equal scores keep the order of the rows and of each row's top-k.
        sums = self.log_probs_sum
        candidates = sorted(((sums[row] + log_prob, row, token)
                             for row, (best, words) in enumerate(zip(row_best.tolist(), row_tokens.tolist()))
                             for log_prob, token in zip(best, words)), key=lambda c: c[0], reverse=True)
        rows, tokens, token_lps = [], [], []
        for score, row, token in candidates[:2 * config.beam_size]:
            if score == -math.inf:
                break
            if token == self.ids.eos:
                self.finished.append(self._finish(row, score))
                self.newly_finished.append((self.finished[-1], row))
            else:
                rows.append(row)
                tokens.append(token)
                token_lps.append(score - sums[row])
                if len(rows) == config.beam_size:
                    break
        self.step += 1
        if not rows:
            self.done = True
            return
        self._record(rows, tokens, token_lps, attention)
        # Enough finished hypotheses alone is no reason to stop: short ones finish first, and a
        # live one may still beat them all ("hey there!" against "hey there! how's it going?").
        if len(self.finished) >= config.n_best:
            worst_kept = sorted(h.score for h in self.finished)[-config.n_best]
            best_live = max(self.log_probs_sum) / length_penalty(self.step, config.length_penalty)
            self.done = best_live <= worst_kept

    def results(self) -> list[Hypothesis]:
        if not self.finished:  # only if every continuation was masked; return the live ones
            self.finished = [Hypothesis(h, s, s, self._stack(a))
                             for h, s, a in zip(self.histories, self.log_probs_sum, self.attentions)]
        return sorted(self.finished, key=lambda h: h.score, reverse=True)[: self.config.n_best]


def make_strategy(config: SearchConfig, ids: SpecialIds, device: torch.device) -> Strategy:
    if config.strategy == "greedy":
        return GreedySearch(config, ids, device)
    if config.strategy == "sample":
        return Sampling(config, ids, device)
    return BeamSearch(config, ids, device)


StepFn = Callable[[torch.Tensor, Any], tuple[torch.Tensor, Optional[torch.Tensor], Any]]
ReorderFn = Callable[[Any, torch.Tensor], Any]


@torch.inference_mode()
def decode(step_fn: StepFn, state: Any, reorder_fn: ReorderFn, config: SearchConfig, sos_id: int, eos_id: int,
           unk_id: int = -1, pad_id: int = -1, *, banned: tuple[int, ...] = (), once: frozenset[int] = frozenset(),
           device: torch.device = torch.device("cpu"),
           should_stop: Optional[Callable[[], bool]] = None) -> list[Hypothesis]:
    """Run a strategy to the end.

    ``step_fn(tokens (N,), state) -> (log_probs (N, V), attention (N, S) or None, state)`` advances
    every live hypothesis by one token in one batched call; ``reorder_fn(state, rows)`` keeps and
    reorders the state's rows. Each finished hypothesis carries ``final_state``, the state after
    its last token. Decoding starts from one row fed ``<sos>``; ``banned`` ids are never
    emitted (nor are ``<pad>``, ``<sos>`` and, with ``forbid_unk``, ``<unk>``); ``once`` ids at most
    once per hypothesis. ``should_stop`` is
    polled each step; when it turns true, decoding ends with ``InterruptedError``.
    """
    ids = SpecialIds(sos=sos_id, eos=eos_id, unk=unk_id, pad=pad_id, banned=tuple(banned), once=frozenset(once))
    strategy = make_strategy(config, ids, device)
    while not strategy.done:
        log_probs, attention, state = step_fn(strategy.last_tokens, state)
        strategy.advance(log_probs, attention)
        for hypothesis, row in strategy.newly_finished:
            # The state this step returned for that row has read the hypothesis's last token:
            # it is the state that ends the reply, so no second pass over the reply is needed.
            hypothesis.final_state = reorder_fn(state, torch.tensor([row], device=device))
        if should_stop is not None and should_stop():
            raise InterruptedError("decoding was cancelled")
        if not strategy.done:
            state = reorder_fn(state, strategy.select)
    return strategy.results()
