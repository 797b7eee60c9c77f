"""``python -m engine eval chat``: perplexity against a Kneser-Ney trigram anchor, BLEU-2,
distinct-n and recall@1 of 10, on the test split or a user's JSONL."""
from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch
from nltk.lm.api import Smoothing
from nltk.lm.models import InterpolatedLanguageModel
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu

from engine import add_mmi_arguments, mmi_settings
from engine.chat_training import evaluate_loss
from engine.data.chat import load_corpus, make_turn_batch, read_jsonl, tokenize_conversations, training_streams
from engine.decode_config import chat_decoding
from engine.device import pick_device
from engine.relevance import WordAssociation, topic_recall
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat import ChatPredictor
from engine.tasks.chat_memory import echoes, is_news
from engine.tasks.chat_rerank import sample_prior_contexts
from engine.text import UNK, Vocab, detokenize

BOS, END = "<s>", "</s>"


class IndexedKneserNey(Smoothing):
    """Interpolated Kneser-Ney (Chen & Goodman 1998) over nltk.lm's counts, with an index.

    nltk's own ``KneserNey`` finds continuation counts by scanning every higher-order context on
    each call, which takes hours on a corpus this size. The sums here are the same ones, built once
    from the same counter. The unigram level is interpolated with the uniform distribution, so no
    in-vocabulary word gets probability zero.
    """

    def __init__(self, vocabulary, counter, order: int, discount: float = 0.75, **kwargs):
        super().__init__(vocabulary, counter, **kwargs)
        self.discount = discount
        self.order = order
        self._index: dict[tuple, tuple[dict, int]] | None = None

    def _build(self) -> None:
        # For each context c of length k (k < order - 1): N1+(. c w) per word w, and their sum.
        index: dict[tuple, tuple[dict, int]] = {}
        for length in range(0, self.order - 1):
            for prefix, continuations in self.counts[length + 2].items():
                context = tuple(prefix[1:])
                per_word, total = index.get(context, ({}, 0))
                for word, count in continuations.items():
                    if count > 0:
                        per_word[word] = per_word.get(word, 0) + 1
                        total += 1
                index[context] = (per_word, total)
        self._index = index

    def _continuation(self, word, context: tuple) -> tuple[int, int]:
        if self._index is None:
            self._build()
        per_word, total = self._index.get(tuple(context), ({}, 0))
        return per_word.get(word, 0), total

    def unigram_score(self, word) -> float:
        count, total = self._continuation(word, ())
        n_types = len(self._index[()][0])
        uniform = 1.0 / len(self.vocab)
        return max(count - self.discount, 0.0) / total + self.discount * n_types / total * uniform

    def alpha_gamma(self, word, context):
        prefix_counts = self.counts[context]
        if len(context) + 1 == self.order:
            count, total = prefix_counts[word], prefix_counts.N()
            distinct = sum(1 for c in prefix_counts.values() if c > 0)
        else:
            count, total = self._continuation(word, tuple(context))
            distinct = sum(1 for c in prefix_counts.values() if c > 0)
        if total == 0:
            return 0.0, 1.0
        return max(count - self.discount, 0.0) / total, self.discount * distinct / total


class KneserNeyTrigram(InterpolatedLanguageModel):
    """nltk.lm's interpolated language model with the indexed Kneser-Ney estimator."""

    def __init__(self, order: int = 3, discount: float = 0.75, **kwargs):
        super().__init__(IndexedKneserNey, order, params={"discount": discount, "order": order}, **kwargs)


def kn_perplexity(train_replies: Sequence[list[str]], test_replies: Sequence[list[str]], vocab: Vocab,
                  order: int = 3) -> float:
    """Perplexity per token (the end of the reply included) of an interpolated KN n-gram model."""
    known = lambda tokens: [t if t in vocab.stoi else UNK for t in tokens]  # noqa: E731
    from nltk.lm.preprocessing import padded_everygram_pipeline

    train = [known(r) for r in train_replies]
    ngrams, words = padded_everygram_pipeline(order, train)
    model = KneserNeyTrigram(order)
    model.fit(ngrams, words)
    total, count = 0.0, 0
    for reply in test_replies:
        tokens = [BOS] * (order - 1) + known(reply) + [END]
        for i in range(order - 1, len(tokens)):
            probability = model.score(tokens[i], tokens[i - order + 1:i])
            total += math.log(probability)
            count += 1
    return math.exp(-total / count)


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="chat checkpoint (default: the shipped model)")
    parser.add_argument("--data", default=None, help="JSONL conversations (default: the corpus's test split)")
    parser.add_argument("--split", choices=("test", "valid"), default="test")
    parser.add_argument("--corpus", default=None,
                        help="with --corpus-dir: that corpus's split instead of chitchat's (topical-chat, "
                             "synthetic-persona-chat, personality-chat)")
    parser.add_argument("--corpus-dir", default=None, help="the folder of the corpora (see --corpus)")
    parser.add_argument("--max-exchanges", type=int, default=600,
                        help="exchanges used for the generation and ranking figures (perplexity uses all)")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--strategy", choices=("beam", "greedy", "sample"), default="beam")
    add_mmi_arguments(parser)  # the generated replies are written as the app writes them
    parser.add_argument("--rank-score", choices=("mean", "sum", "pmi", "pmi-null"), default="pmi",
                        help="recall@1 of 10: mean or summed log p(reply | context); pointwise mutual "
                             "information log p(reply | context) - log p(reply), with p(reply) the mean "
                             "of p(reply | c) over --prior-contexts turns of the training split (pmi) "
                             "or p(reply | an empty turn of a new conversation) (pmi-null)")
    parser.add_argument("--prior-contexts", type=int, default=16,
                        help="training turns whose mean estimates p(reply) for --rank-score pmi")
    parser.add_argument("--seed", type=int, default=1234)


@torch.inference_mode()
def _candidate_scores(predictor: ChatPredictor, state, source_ids: list[int], candidates: list[list[int]],
                      how: str, prior_sources: Sequence[list[int]] = ()) -> list[float]:
    """Score each candidate reply to ``source_ids`` from ``state`` (batch 1).

    ``pmi`` subtracts log p(reply), the log of the mean p(reply | turn) over ``prior_sources``
    (turns of other conversations), so a reply scores by how much this context, rather than any
    context, makes it likely; ``pmi-null`` uses one empty turn as the only context."""
    conditional = predictor.log_likelihoods(state, [(source_ids, c) for c in candidates])
    if how == "sum":
        return conditional.tolist()
    if how == "mean":
        return (conditional / torch.tensor([len(c) + 1 for c in candidates])).tolist()
    sources = list(prior_sources) if how == "pmi" else [[predictor.vocab.unk_id]]
    if not sources:
        raise ValueError("pmi ranking needs at least one prior context")
    return (conditional - predictor.log_prior(candidates, sources)).tolist()


def evaluate(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    device = pick_device(args.device)
    model_path = Path(args.model or DEFAULT_PATHS["chat"])
    predictor = ChatPredictor.load(model_path, device)
    vocab, config = predictor.vocab, predictor.model.config
    splits = load_corpus(None)
    if args.data:
        conversations = read_jsonl(args.data)
    elif args.corpus:
        from engine.data.corpora import load_corpora

        if not args.corpus_dir:
            raise ValueError("--corpus needs --corpus-dir, the folder that holds it")
        chosen = load_corpora(args.corpus_dir, [args.corpus], seed=1234)[args.corpus].splits
        conversations = chosen.test if args.split == "test" else chosen.valid
    else:
        conversations = splits.test if args.split == "test" else splits.valid
    test_tokens = tokenize_conversations(conversations)
    streams = training_streams(test_tokens, vocab, config.max_source_len, config.max_reply_len, both_sides=False)
    # The memory model is scored with its copy path: words outside the vocabulary keep their ids.
    scored = (training_streams(test_tokens, vocab, config.max_source_len, config.max_reply_len, False, True)
              if config.memory_tokens else streams)
    nll, n_tokens = evaluate_loss(predictor.model, scored, vocab, device)

    # The anchor sees the same replies (cut the same way) and the same vocabulary.
    train_streams = training_streams(tokenize_conversations(splits.train), vocab, config.max_source_len,
                                     config.max_reply_len, both_sides=True)
    train_replies = [vocab.decode(reply) for stream in train_streams for _, reply in stream]
    test_replies = [vocab.decode(reply) for stream in streams for _, reply in stream]
    kn = kn_perplexity(train_replies, test_replies, vocab)
    answered = _answer_and_rank(predictor, streams, train_streams, args)
    judge = WordAssociation((vocab.decode(source), vocab.decode(reply))
                            for stream in train_streams for source, reply in stream)
    return {
        "perplexity": math.exp(nll),
        "kn_trigram_perplexity": kn,
        "ppl_ratio": math.exp(nll) / kn,
        **_reply_figures(answered, judge, args.seed),
        **mmi_settings(args),
        "topic_words": "used" if predictor.topic_words is not None else predictor.topic_note,
        "backward_model": "used" if predictor.backward is not None else predictor.backward_note,
        "rank_score": args.rank_score,
        "prior_contexts": args.prior_contexts if args.rank_score == "pmi" else None,
        "n_conversations": len(streams),
        "n_reply_tokens": n_tokens,
        "start_state": "stored" if predictor.meta.get("start_state") else "zeros",
        "model": model_path.name,
        "data": args.data or f"{args.corpus or 'chitchat'} {args.split} split",
        "seconds": round(time.perf_counter() - started, 1),
    }


@dataclass
class _Answered:
    """The first ``--max-exchanges`` exchanges of the test streams, answered and ranked."""
    references: list = field(default_factory=list)  # per exchange [the true reply's words]
    hypotheses: list = field(default_factory=list)  # the reply generated from the true history's state
    openers: list = field(default_factory=list)  # the reply to the same turn opening a new conversation
    turns: list = field(default_factory=list)  # the turn's words
    groups: list = field(default_factory=list)  # the exchange's conversation
    hits: int = 0  # exchanges whose true reply ranked first of ten
    ranked: int = 0


def _answer_and_rank(predictor: ChatPredictor, streams, train_streams, args: argparse.Namespace) -> _Answered:
    """Generation and ranking on the first exchanges, each from the state of the true history."""
    vocab, device = predictor.vocab, predictor.device
    rng = random.Random(args.seed)
    prior_sources = sample_prior_contexts(train_streams, args.prior_contexts, args.seed)
    all_replies = [(i, reply) for i, stream in enumerate(streams) for _, reply in stream]
    decode_config = chat_decoding(strategy=args.strategy, beam_size=args.beam_size, **mmi_settings(args))
    done = _Answered()
    for index, stream in enumerate(streams):
        state = predictor.model.initial_state(1, device)
        for source, reply in stream:
            if done.ranked >= args.max_exchanges:
                break
            text_source = " ".join(vocab.decode(source))
            done.references.append([vocab.decode(reply)])
            done.hypotheses.append(predictor.reply(text_source, _state(predictor, state), decode_config).tokens)
            done.openers.append(predictor.reply(text_source, None, decode_config).tokens)
            done.turns.append(vocab.decode(source))
            done.groups.append(index)
            negatives = []
            while len(negatives) < 9:
                other, candidate = rng.choice(all_replies)
                if other != index:
                    negatives.append(candidate)
            scores = _candidate_scores(predictor, state, source, [reply] + negatives, args.rank_score, prior_sources)
            done.hits += int(scores[0] > max(scores[1:]))
            done.ranked += 1
            state = _after_exchange(predictor, state, source, reply)
    return done


@torch.inference_mode()
def _after_exchange(predictor: ChatPredictor, state, source: list[int], reply: list[int]):
    """The model's state (batch 1) after it has read ``source`` and ``reply``."""
    model, device = predictor.model, predictor.device
    if model.config.memory_tokens:  # its memory needs the whole exchange, as in training
        batch = make_turn_batch([(source, reply)], [False], predictor.vocab)
        return model(batch.source.to(device), batch.source_lengths, batch.reply_input.to(device),
                     batch.reply_lengths, state, targets=batch.targets.to(device)).state
    _, state = model.start_reply(torch.tensor([source], device=device), state)
    return model.read_reply(reply, state, predictor.vocab.sos_id)


def _reply_figures(done: _Answered, judge: WordAssociation, seed: int) -> dict:
    hypotheses, openers, truths = done.hypotheses, done.openers, [r[0] for r in done.references]
    unigrams = [t for h in hypotheses for t in h]
    bigrams = [b for h in hypotheses for b in zip(h, h[1:])]
    return {
        "bleu2": corpus_bleu(done.references, hypotheses, weights=(0.5, 0.5),
                             smoothing_function=SmoothingFunction().method1),
        "distinct1": len(set(unigrams)) / max(1, len(unigrams)),
        "distinct2": len(set(bigrams)) / max(1, len(bigrams)),
        "recall_at_1_of_10": done.hits / max(1, done.ranked),
        "topic_recall_at_1_of_10": topic_recall(judge, done.turns, hypotheses, done.groups, seed=seed),
        "topic_recall_of_true_replies": topic_recall(judge, done.turns, truths, done.groups, seed=seed),
        # As the app answers a message that opens a new conversation (from the stored start state).
        "topic_recall_new_conversation": topic_recall(judge, done.turns, openers, done.groups, seed=seed),
        "mean_reply_tokens_new_conversation": sum(map(len, openers)) / max(1, len(openers)),
        # A check that does not count word association (which the judge counts): the share of
        # generated replies that say a content word the true reply says.
        "shares_word_with_true_reply": _sharing(judge, hypotheses, truths),
        "shares_word_with_true_reply_new_conversation": _sharing(judge, openers, truths),
        # The share of replies to news (a turn of two content words or more without a question
        # mark) that say nothing but some of its words ("Baking cookies" to "i'm baking cookies"; :func:`echoes`).
        "echo_rate": _echoing(done.turns, hypotheses),
        "echo_rate_new_conversation": _echoing(done.turns, openers),
        "echo_rate_of_true_replies": _echoing(done.turns, truths),
        "mean_reply_tokens": len(unigrams) / max(1, len(hypotheses)),
        "n_generated": len(hypotheses),
        "unk_in_replies": sum(t == UNK for t in unigrams) + sum(t == UNK for h in openers for t in h),
    }


def _sharing(judge: WordAssociation, replies: Sequence[Sequence[str]], references: Sequence[Sequence[str]]) -> float:
    """The share of ``replies`` with a content word (as the judge reads them) that their reference says."""
    shared = sum(bool(judge.content(reply) & judge.content(reference)) for reply, reference in zip(replies, references))
    return shared / max(1, len(replies))


def _echoing(turns: Sequence[Sequence[str]], replies: Sequence[Sequence[str]]) -> float:
    """The share of ``replies`` to news (:func:`is_news`) that echo it (:func:`echoes`)."""
    said = [(detokenize(turn), detokenize(reply)) for turn, reply in zip(turns, replies)]
    news = [(turn, reply) for turn, reply in said if is_news(turn)]
    return sum(echoes(reply, turn) for turn, reply in news) / max(1, len(news))


def _state(predictor: ChatPredictor, tensors):
    from engine.results import ChatState

    return ChatState(tensors, 0, predictor.model_id)
