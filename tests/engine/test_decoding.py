"""Decoding strategies driven by hand-made log-probabilities (no model)."""
import itertools
import math
from dataclasses import replace

import pytest
import torch

from engine.decode_config import SearchConfig
from engine.decoding import decode, length_penalty

SOS, EOS, UNK, PAD = 0, 1, 2, 3
WORDS = [4, 5, 6]
VOCAB = 7


def table_model(seed: int, max_len: int):
    """A fixed random 'model': next-token log-probs depend on the whole prefix (as a state)."""
    generator = torch.Generator().manual_seed(seed)
    cache: dict[tuple, torch.Tensor] = {}

    def dist(prefix: tuple) -> torch.Tensor:
        if prefix not in cache:
            logits = torch.randn(VOCAB, generator=generator) * 2
            cache[prefix] = torch.log_softmax(logits, dim=0)
        return cache[prefix]

    def step(tokens, state):
        prefixes = [p + (int(t),) for p, t in zip(state, tokens)]
        return torch.stack([dist(p) for p in prefixes]), None, prefixes

    def reorder(state, rows):
        return [state[int(r)] for r in rows]

    def sequence_log_prob(words: tuple) -> float:
        prefix, total = (SOS,), 0.0
        for token in words + (EOS,):
            total += float(dist(prefix)[token])
            prefix = prefix + (token,)
        return total

    return step, reorder, sequence_log_prob


def run(step, reorder, config):
    return decode(step, [()], reorder, config, SOS, EOS, UNK, PAD)


@pytest.mark.parametrize("seed", range(5))
def test_wide_beam_returns_exhaustive_argmax(seed):
    max_len = 3
    step, reorder, sequence_log_prob = table_model(seed, max_len)
    candidates = [c for n in range(1, max_len + 1) for c in itertools.product(WORDS, repeat=n)]
    best = max(candidates, key=sequence_log_prob)
    config = SearchConfig(beam_size=len(candidates), length_penalty=0.0, max_length=max_len, block_ngram=0,
                          n_best=len(candidates))
    hypotheses = run(step, reorder, config)
    assert tuple(hypotheses[0].tokens) == best
    assert hypotheses[0].log_prob == pytest.approx(sequence_log_prob(best), abs=1e-5)
    # Every sequence is found, ranked by its exact score.
    assert len(hypotheses) == len(candidates)
    scores = [h.score for h in hypotheses]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("seed", range(5))
def test_beam_one_equals_greedy(seed):
    step, reorder, _ = table_model(seed, 6)
    greedy = run(step, reorder, SearchConfig(strategy="greedy", max_length=6, length_penalty=0.0))
    beam = run(step, reorder, SearchConfig(strategy="beam", beam_size=1, max_length=6, length_penalty=0.0))
    assert greedy[0].tokens == beam[0].tokens
    assert greedy[0].log_prob == pytest.approx(beam[0].log_prob)


def constant_model(preferences: dict[int, float]):
    """Every step prefers the same tokens: the constraints must do the work."""
    row = torch.full((VOCAB,), -20.0)
    for token, value in preferences.items():
        row[token] = value
    row = torch.log_softmax(row, 0)

    def step(tokens, state):
        return row.expand(tokens.size(0), -1).clone(), None, state

    return step, (lambda state, rows: state)


@pytest.mark.parametrize("strategy", ["greedy", "beam", "sample"])
def test_never_emits_unk_pad_or_sos_and_respects_lengths(strategy):
    step, reorder = constant_model({UNK: 5.0, PAD: 4.0, SOS: 4.0, EOS: 3.0, 4: 1.0, 5: 0.9, 6: 0.8})
    config = SearchConfig(strategy=strategy, min_length=2, max_length=5, block_ngram=0, seed=1)
    hypothesis = run(step, reorder, config)[0]
    assert all(t in WORDS for t in hypothesis.tokens)
    assert 2 <= len(hypothesis.tokens) <= 5


def test_max_length_forces_end():
    step, reorder = constant_model({4: 5.0, EOS: -5.0})
    hypothesis = run(step, reorder, SearchConfig(strategy="greedy", max_length=4, block_ngram=0))[0]
    assert hypothesis.tokens == [4, 4, 4, 4]


def test_repeated_ngrams_are_blocked():
    step, reorder = constant_model({4: 5.0, 5: 4.0, 6: 3.0, EOS: -5.0})
    hypothesis = run(step, reorder, SearchConfig(strategy="greedy", max_length=12, block_ngram=2))[0]
    bigrams = list(zip(hypothesis.tokens, hypothesis.tokens[1:]))
    assert len(bigrams) == len(set(bigrams))


@pytest.mark.parametrize("strategy", ["greedy", "beam"])
@pytest.mark.parametrize("n", [2, 3])
def test_no_hypothesis_repeats_an_ngram(strategy, n):
    step, reorder = constant_model({4: 5.0, 5: 4.0, 6: 3.0, EOS: -5.0})
    config = SearchConfig(strategy=strategy, beam_size=3, n_best=3, max_length=14, block_ngram=n,
                          length_penalty=0.0)
    hypotheses = run(step, reorder, config)
    assert len(hypotheses) == (1 if strategy == "greedy" else 3)
    for hypothesis in hypotheses:
        grams = [tuple(hypothesis.tokens[i:i + n]) for i in range(len(hypothesis.tokens) - n + 1)]
        assert len(grams) == len(set(grams))
        assert len(hypothesis.tokens) > 2 * n  # blocked, not stopped


@pytest.mark.parametrize("strategy", ["greedy", "beam"])
def test_a_sure_repeat_of_a_word_named_once_still_may_not_repeat_an_ngram(strategy):
    # p(4) is about 0.93, so "once" alone would let 4 come back; blocking 1-grams forbids it.
    step, reorder = constant_model({4: 5.0, 5: 1.9, 6: 1.8, EOS: -5.0})
    config = SearchConfig(strategy=strategy, max_length=6, block_ngram=1)
    hypothesis = decode(step, [()], reorder, config, SOS, EOS, UNK, PAD, once=frozenset({4}))[0]
    assert sorted(hypothesis.tokens) == [4, 5, 6]


def test_beam_goes_on_while_a_live_hypothesis_can_beat_the_finished_ones():
    # With a beam of 2, two short replies finish at step 2 ("6" at 0.27 and "4" at 0.21) while
    # "4 5" (0.49 so far, then certain to end) is still live: stopping there would lose the best.
    table = {(): {4: 0.7, 6: 0.3}, (4,): {EOS: 0.3, 5: 0.7}, (6,): {EOS: 0.9, 4: 0.1},
             (4, 5): {EOS: 1.0}, (6, 4): {EOS: 1.0}}

    def step(tokens, state):
        prefixes = [p + (int(t),) if int(t) != SOS else p for p, t in zip(state, tokens)]
        rows = []
        for prefix in prefixes:
            row = torch.full((VOCAB,), -1e9)
            for token, probability in table[prefix].items():
                row[token] = math.log(probability)
            rows.append(row)
        return torch.stack(rows), None, prefixes

    reorder = lambda state, rows: [state[int(r)] for r in rows]  # noqa: E731
    best = run(step, reorder, SearchConfig(beam_size=2, length_penalty=0.0, block_ngram=0))[0]
    assert best.tokens == [4, 5] and best.log_prob == pytest.approx(math.log(0.49))


@pytest.mark.parametrize("strategy", ["greedy", "beam"])
def test_words_named_once_appear_at_most_once_unless_the_model_is_sure(strategy):
    step, reorder = constant_model({4: 2.0, 5: 1.9, 6: 1.8, EOS: -5.0})  # p(4) is about 0.36
    config = SearchConfig(strategy=strategy, max_length=6, block_ngram=0)
    hypothesis = decode(step, [()], reorder, config, SOS, EOS, UNK, PAD, once=frozenset({4, 5}))[0]
    assert sorted(hypothesis.tokens) == [4, 5, 6, 6, 6, 6]  # 6 fills the rest (the beam may order them otherwise)
    # The config turns it off.
    off = decode(step, [()], reorder, replace(config, block_repeated_words=False), SOS, EOS, UNK, PAD,
                 once=frozenset({4, 5}))[0]
    assert off.tokens == [4] * 6
    # A word the model gives more than half the probability may come back.
    step, reorder = constant_model({4: 5.0, 5: 1.9, 6: 1.8, EOS: -5.0})  # p(4) is about 0.93
    sure = decode(step, [()], reorder, config, SOS, EOS, UNK, PAD, once=frozenset({4, 5}))[0]
    assert sure.tokens == [4] * 6


def test_sampling_follows_top_k_and_is_repeatable_with_a_seed():
    step, reorder = constant_model({4: 1.0, 5: 0.9, 6: 0.8, EOS: -1.0})
    config = SearchConfig(strategy="sample", top_k=2, max_length=30, block_ngram=0, seed=7, forbid_unk=True)
    first = run(step, reorder, config)[0].tokens
    assert first == run(step, reorder, config)[0].tokens
    assert set(first) == {4, 5}  # 6 and <eos> are outside the top 2
    single = run(step, reorder, SearchConfig(strategy="sample", top_k=1, max_length=5, block_ngram=0, seed=3))[0]
    assert single.tokens == [4] * 5


def test_top_p_keeps_the_nucleus():
    step, reorder = constant_model({4: 4.0, 5: 0.0, EOS: -10.0})
    config = SearchConfig(strategy="sample", top_p=0.5, max_length=6, block_ngram=0, seed=0)
    assert set(run(step, reorder, config)[0].tokens) == {4}


def test_length_penalty_follows_wu_et_al():
    assert length_penalty(1, 0.0) == 1.0
    assert length_penalty(7, 1.0) == pytest.approx(2.0)
    assert length_penalty(10, 0.6) == pytest.approx((15 / 6) ** 0.6)


def test_bad_configs_are_refused():
    with pytest.raises(ValueError):
        SearchConfig(strategy="nucleus")
    with pytest.raises(ValueError):
        SearchConfig(temperature=0)
    assert math.isfinite(SearchConfig().length_penalty)


def test_sampling_draws_n_best_replies_side_by_side_each_scored_by_the_model():
    step, reorder, sequence_log_prob = table_model(3, 6)
    config = SearchConfig(strategy="sample", n_best=64, max_length=6, block_ngram=0, seed=5)
    hypotheses = run(step, reorder, config)
    assert len(hypotheses) == 64
    assert len({tuple(h.tokens) for h in hypotheses}) > 8  # each row draws its own tokens
    for h in hypotheses:  # the model's log-probability, not the filtered distribution's
        assert h.log_prob == pytest.approx(sequence_log_prob(tuple(h.tokens)), abs=1e-5)
        assert h.score == pytest.approx(h.log_prob / length_penalty(len(h.tokens), config.length_penalty))
    assert [h.tokens for h in run(step, reorder, config)] == [h.tokens for h in hypotheses]  # seeded


def test_side_by_side_samples_follow_the_models_distribution():
    # p(4), p(5), p(6), p(<eos>) once the banned ids are masked: 0.5, 0.3, 0.15, 0.05.
    step, reorder = constant_model({4: math.log(0.5), 5: math.log(0.3), 6: math.log(0.15), EOS: math.log(0.05)})
    config = SearchConfig(strategy="sample", n_best=4000, min_length=0, max_length=1, block_ngram=0, seed=11)
    first = [h.tokens[0] if h.tokens else EOS for h in run(step, reorder, config)]
    for token, probability in ((4, 0.5), (5, 0.3), (6, 0.15), (EOS, 0.05)):
        assert first.count(token) / len(first) == pytest.approx(probability, abs=0.03)
    # The nucleus and top-k hold for every row.
    nucleus = run(step, reorder, replace(config, n_best=50, max_length=4, top_p=0.5))
    assert {t for h in nucleus for t in h.tokens} == {4}
    top2 = run(step, reorder, replace(config, n_best=50, max_length=4, top_k=2))
    assert {t for h in top2 for t in h.tokens} == {4, 5}


@pytest.mark.parametrize("top_k", [0, 100])
def test_nucleus_is_the_one_a_full_sort_gives_also_past_the_first_words(top_k):
    # Rows from peaked (the nucleus is a few words) to flat (it reaches past NUCLEUS_WIDTHS[-1]
    # words, so the row is sorted whole), one with its likeliest words masked.
    from engine.decoding import NUCLEUS_WIDTHS, Sampling, SpecialIds

    generator = torch.Generator().manual_seed(0)
    vocab = 2 * NUCLEUS_WIDTHS[-1]
    log_probs = torch.log_softmax(torch.randn(7, vocab, generator=generator)
                                  * torch.tensor([6.0, 3.0, 1.5, 1.0, 0.3, 0.05, 4.0]).unsqueeze(1), dim=1)
    log_probs[6, log_probs[6].topk(3).indices] = -math.inf
    config = SearchConfig(strategy="sample", top_p=0.9, top_k=top_k, temperature=0.8)
    logits, ids = Sampling(config, SpecialIds(sos=SOS, eos=EOS), torch.device("cpu")).candidates(log_probs)
    sizes = []
    for row in range(log_probs.size(0)):
        scaled = log_probs[row] / 0.8
        if top_k:
            scaled = scaled.masked_fill(scaled < scaled.topk(top_k).values[-1], -math.inf)
        ordered, order = scaled.sort(descending=True)
        probs = torch.softmax(ordered, 0)
        expected = {int(i) for i in order[probs.cumsum(0) - probs < 0.9]}
        allowed = ids[row][logits[row] > -math.inf]
        assert {int(i) for i in allowed} == expected
        assert torch.allclose(logits[row][logits[row] > -math.inf], scaled[allowed])
        sizes.append(len(expected))
    if top_k:
        assert min(sizes) < 10 and max(sizes) > top_k * 0.8
    else:  # every stage is taken: the first words, the wider look, the whole sort
        assert min(sizes) < NUCLEUS_WIDTHS[0] < sorted(sizes)[3] <= NUCLEUS_WIDTHS[1] < max(sizes)


@pytest.mark.parametrize("strategy", ["greedy", "beam", "sample"])
def test_constraints_leave_the_models_tensor_alone_and_take_any_layout(strategy):
    # The constraints mask in place on their own copy: a step that hands over a strided view (here
    # a transposed one) gets the same reply as one that hands over a plain tensor, and its own
    # tensor is left as it was.
    plain_step, reorder = constant_model({4: 2.0, 5: 1.9, 6: 1.8, EOS: -5.0})
    handed = []

    def strided_step(tokens, state):
        log_probs, attention, state = plain_step(tokens, state)
        view = log_probs.t().contiguous().t()  # the same values, column-major
        assert not view.is_contiguous() or view.size(0) == 1
        handed.append((view, view.clone()))
        return view, attention, state

    config = SearchConfig(strategy=strategy, n_best=3 if strategy == "sample" else 1, max_length=6, seed=7)
    once = frozenset({4, 5})
    plain = decode(plain_step, [()], reorder, config, SOS, EOS, UNK, PAD, once=once)
    strided = decode(strided_step, [()], reorder, config, SOS, EOS, UNK, PAD, once=once)
    assert [h.tokens for h in strided] == [h.tokens for h in plain]
    assert all(torch.equal(view, copy) for view, copy in handed)
