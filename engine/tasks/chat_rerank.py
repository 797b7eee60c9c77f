"""The chat replies' reranking and steering: scores of whole replies (log p(reply | turn), the
prior p(reply), the backward model's p(turn | reply)), the reranking of the beam's finished replies
by maximum mutual information, and the topic words' steering of the search (:mod:`engine.topic`).
``ChatPredictor`` takes these methods from :class:`Reranking`; the settings are ``RerankConfig``'s.
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import replace
from typing import Optional, Sequence

import torch

from engine.data.chat import make_turn_batch
from engine.decode_config import DecodeConfig, SearchConfig
from engine.decoding import Hypothesis, decode, length_penalty
from engine.models.seq2seq import Seq2Seq
from engine.knowledge_index import STOP_WORDS
from engine.tasks.told import INTRODUCING, NAME_LEADS, NUMBER_WORDS, within, words_after
from engine.text import Vocab


PRIOR_CONTEXTS = 16  # training turns whose mean p(reply | turn) stands for p(reply)
ALTERNATIVE_SAMPLES = 16  # replies sampled side by side to find a sampled reply not shown yet


def sample_prior_contexts(streams: Sequence[Sequence[tuple[list[int], list[int]]]], n: int = PRIOR_CONTEXTS,
                          seed: int = 1234) -> list[list[int]]:
    """``n`` user turns drawn at random from training streams. A reply's probability averaged over
    them estimates its probability in any context, p(reply) = E_turn[p(reply | turn)]."""
    sources = [exchange[0] for stream in streams for exchange in stream]
    picked = random.Random(seed).sample(range(len(sources)), min(n, len(sources)))
    return [sources[i] for i in sorted(picked)]


def _teacher_forced(model: Seq2Seq, pairs: Sequence[tuple[list[int], list[int]]], state, vocab: Vocab,
                    device: torch.device) -> torch.Tensor:
    """Summed log p(reply + <eos> | source) of each (source ids, reply ids) pair under ``model``,
    teacher-forced in one batch from ``state`` (one row per pair): (len(pairs),) on the CPU."""
    batch = make_turn_batch(list(pairs), [False] * len(pairs), vocab)
    out = model(batch.source.to(device), batch.source_lengths, batch.reply_input.to(device), batch.reply_lengths,
                state, targets=batch.targets.to(device))
    return _sum_per_reply(out.token_log_probs, [reply for _, reply in pairs])


def _sum_per_reply(token_log_probs: torch.Tensor, replies: Sequence[list[int]]) -> torch.Tensor:
    """A teacher-forced batch's token log-probabilities (each reply's tokens and <eos>, row after
    row) summed per reply: (len(replies),) on the CPU."""
    rows = torch.repeat_interleave(torch.arange(len(replies)), torch.tensor([len(reply) + 1 for reply in replies]))
    return torch.zeros(len(replies)).index_add_(0, rows, token_log_probs.float().cpu())


def search_pool(config: DecodeConfig, choosing: bool) -> SearchConfig:
    """What the search runs with: ``config.search``, or, where the reranking or ``avoid`` will
    choose among its replies (``choosing``), the whole pool of them (a beam's n-best and the
    reranking's candidates; for sampling, enough samples that one differs from the replies to avoid
    even where the model prefers one of them)."""
    search = config.search
    if not choosing:
        return search
    pool = max(search.n_best, search.beam_size, config.rerank.mmi_candidates)
    if search.strategy == "sample":
        pool = max(pool, ALTERNATIVE_SAMPLES)
    return replace(search, n_best=pool)


class Reranking:
    """The scoring, reranking and steering methods of :class:`engine.tasks.chat.ChatPredictor`,
    which provides ``model``, ``vocab``, ``device``, ``backward``, ``topic_words``, ``meta`` and
    ``start_state``."""

    # -- scores ------------------------------------------------------------------------------
    @property
    def prior_sources(self) -> list[list[int]]:
        """The turns that estimate p(reply): those the training command stored in the checkpoint,
        or, for a checkpoint without them, one empty turn (a cruder estimate)."""
        stored = self.meta.get("prior_contexts") or []
        return [self.vocab.encode(tokens) for tokens in stored if tokens] or [[self.vocab.unk_id]]

    @torch.inference_mode()
    def log_likelihoods(self, state, pairs: Sequence[tuple[list[int], list[int]]]) -> torch.Tensor:
        """Summed log p(reply + <eos> | source) of each (source ids, reply ids) pair, teacher-forced
        in one batch; ``state`` has one row per pair, or one row for all. Returns (len(pairs),) on
        the CPU."""
        if state[0].size(1) == 1 and len(pairs) > 1:
            state = self.model.reorder_state(state, torch.zeros(len(pairs), dtype=torch.long, device=self.device))
        return _teacher_forced(self.model, pairs, state, self.vocab, self.device)

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

    def _uses_backward(self, config: DecodeConfig) -> bool:
        return self.backward is not None and config.rerank.mmi_backward_weight > 0

    def _reranks(self, config: DecodeConfig) -> bool:
        search = config.search
        return search.strategy == "beam" and search.beam_size > 1 and (
            config.rerank.mmi_weight > 0 or self._uses_backward(config))

    def _rerank(self, hypotheses: list[Hypothesis], config: DecodeConfig, source_ids: list[int],
                topic_bias: Optional[torch.Tensor] = None) -> list[Hypothesis]:
        """Order finished hypotheses by (log p(reply | turn) - mmi_weight * log p(reply) + the topic
        words' bonus for the vocabulary words the reply says) per token of the reply (its words and
        <eos>), plus mmi_backward_weight times the backward model's mean log p(turn token | reply)
        where there is one, best first (:func:`sayable` cuts them to the replies wanted). ``log_prob``
        is the model's own (the caller has taken the steering's bonus out: :func:`topic_bonus`).
        Where the model is sure of a reply (its tokens' geometric-mean probability is
        ``mmi_confident`` or more, as for a reply the user taught it), they are ordered by log
        p(reply | turn) alone, length-normalised as the search ranks them: reranking would only
        trade that reply for an unlikely one that no other turn would prompt. Either way each
        hypothesis's ``prior`` is added (a stored answer's match with the turn) and, for a memory
        model, ``history_weight`` times what the earlier conversation adds per token
        (:meth:`_history`): the model is often sure of a fact it makes up."""
        rerank, alpha = config.rerank, config.search.length_penalty
        replies = [h.tokens for h in hypotheses]
        history = self._history(hypotheses, source_ids, rerank.history_weight)
        if max(h.log_prob / (len(h.tokens) + 1) for h in hypotheses) >= math.log(rerank.mmi_confident):
            plain = [replace(h, score=h.log_prob / length_penalty(len(h.tokens), alpha) + h.prior + c)
                     for h, c in zip(hypotheses, history)]
            return sorted(plain, key=lambda h: h.score, reverse=True)
        prior = self.log_prior(replies).tolist() if rerank.mmi_weight > 0 else [0.0] * len(replies)
        backward = ((rerank.mmi_backward_weight * self.log_backward(source_ids, replies)).tolist()
                    if self._uses_backward(config) else [0.0] * len(replies))
        topic = ([topic_bonus(topic_bias, h.tokens) for h in hypotheses] if topic_bias is not None
                 else [0.0] * len(replies))
        rescored = [replace(h, score=(h.log_prob - rerank.mmi_weight * p + t) / (len(h.tokens) + 1) + b + h.prior + c)
                    for h, p, t, b, c in zip(hypotheses, prior, topic, backward, history)]
        return sorted(rescored, key=lambda h: h.score, reverse=True)

    def _history(self, hypotheses: list[Hypothesis], source_ids: list[int], weight: float) -> list[float]:
        """``weight`` times each reply's (log p(reply | conversation) - log p(reply | the turn alone,
        read as a new conversation)) per token: what the earlier conversation adds to it, as MMI
        weighs what the turn adds. A fact told earlier and said back gains; a word of the question
        said as the fact, or a reply that would come as readily without the conversation, gains
        little. Memory models only (0 for the others, or where ``weight`` is 0)."""
        if weight <= 0 or not self.model.config.memory_tokens:
            return [0.0] * len(hypotheses)
        alone = self.log_prior([h.tokens for h in hypotheses], sources=[source_ids]).tolist()
        return [weight * (h.log_prob - a) / (len(h.tokens) + 1) for h, a in zip(hypotheses, alone)]

    # -- topic words -------------------------------------------------------------------------
    def _topic_bias(self, source_ids: Sequence[int], config: DecodeConfig) -> Optional[torch.Tensor]:
        """(vocab,) ``config.rerank.topic_weight`` times each word's association with the turn's
        words (``source_ids`` in the vocabulary; a memory model's extended ids link nothing); None
        where there is nothing to add."""
        weight = config.rerank.topic_weight
        if self.topic_words is None or weight <= 0:
            return None
        bias = self.topic_words.bias([i for i in source_ids if i < len(self.vocab)])
        return (weight * bias).to(self.device) if bool(bias.any()) else None

    def _steered_search(self, step, reorder, start, config: DecodeConfig, choosing: bool,
                        topic_bias: Optional[torch.Tensor], should_stop) -> list[Hypothesis]:
        """The search of ``config`` over ``step`` from ``start`` (its whole pool where the reranking
        or ``avoid`` is ``choosing``), steered by ``topic_bias``: finished hypotheses whose
        ``log_prob`` keeps the steering's bonus and whose ``final_state`` is the model's own."""
        step, reorder, start, wrappers = self._topic_steered(step, reorder, start, topic_bias)
        vocab = self.vocab
        return unwrapped(decode(step, start, reorder, search_pool(config, choosing), vocab.sos_id, vocab.eos_id,
                                vocab.unk_id, vocab.pad_id, once=self.content_ids, banned=self.markup_ids,
                                device=self.device, should_stop=should_stop), wrappers)

    @staticmethod
    def _topic_steered(step, reorder, start, bias: Optional[torch.Tensor]):
        """``step`` with ``bias`` (vocab,) added to every row's log-probabilities, each word's share
        spent once its row has said it: a reply is steered to take a topic word up, not to repeat it,
        and the strategies' check of how sure the model is of a repeated word sees the model's own
        log-probability. A step that scores more words than the vocabulary (the memory model's extended
        ids, which follow it) leaves those alone, and saying one spends nothing. The wrapped state is
        (inner state, each row's unspent bias). Returns (step, reorder, start, wrappers added): 1, or 0
        with all three unchanged where ``bias`` is None."""
        if bias is None:
            return step, reorder, start, 0
        vocab = bias.numel()

        def steered(tokens: torch.Tensor, wrapped):
            inner, unspent = wrapped
            said = torch.where(tokens < vocab, tokens, torch.zeros_like(tokens))  # id 0 (<pad>) carries none
            unspent = unspent.scatter(1, said.unsqueeze(1), 0.0)
            log_probs, attention, inner = step(tokens, inner)
            if log_probs.size(1) > vocab:
                log_probs = torch.cat([log_probs[:, :vocab] + unspent, log_probs[:, vocab:]], dim=1)
            else:
                log_probs = log_probs + unspent
            return log_probs, attention, (inner, unspent)

        def reorder_steered(wrapped, rows: torch.Tensor):
            inner, unspent = wrapped
            return reorder(inner, rows), unspent.index_select(0, rows)

        return steered, reorder_steered, (start, bias.unsqueeze(0)), 1


def topic_bonus(bias: torch.Tensor, tokens: Sequence[int]) -> float:
    """What :meth:`Reranking._topic_steered` added to a reply's log-probability: each vocabulary word's bias,
    once (an extended id's: none)."""
    return float(bias[sorted({t for t in tokens if t < bias.numel()})].sum())


def without_topic_bonus(hypotheses: list[Hypothesis], bias: Optional[torch.Tensor]) -> list[Hypothesis]:
    """The hypotheses with ``log_prob`` the model's own log p(reply | turn): the steering's bonus
    taken out (what the reranking weighs; it adds the bonus back in its own term)."""
    if bias is None:
        return hypotheses
    return [replace(h, log_prob=h.log_prob - topic_bonus(bias, h.tokens)) for h in hypotheses]


def sayable(hypotheses: list[Hypothesis], keep: Optional[int], words, meant: Sequence[tuple] = (),
            names: frozenset = frozenset(), turn: Sequence[str] = (), heard: Sequence[str] = ()) -> list[Hypothesis]:
    """The first ``keep`` (all for None) of ``hypotheses`` that the bot may say
    (:func:`without_placeholders`, whose arguments the rest are): cut after they are dropped, so that
    a best reply dropped gives way to the next where one reply is wanted."""
    kept = without_placeholders(hypotheses, words, meant, names, turn, heard)
    return kept if keep is None else kept[:keep]


def without_placeholders(hypotheses: list[Hypothesis], words, meant: Sequence[tuple] = (),
                         names: frozenset = frozenset(), turn: Sequence[str] = (),
                         heard: Sequence[str] = ()) -> list[Hypothesis]:
    """``hypotheses`` less those that say a corpus's placeholder for a speaker's name ("My name is
    (user 2 's name)."; Synthetic-Persona-Chat writes "[user 2's name]"), give the bot a name
    (:func:`names_itself`: "Hi tom, my name is john."; the bot has none, as its shipped answers
    say; nor is it the user, one of whose ``names`` it may not take: "Hi, I'm sam."), or greet the
    user by words of their ``turn`` (lower-case tokens) that are no name of theirs
    (:func:`greets_by_other_name`: "Nice to meet you, vacation!"), or join a word of doing or a name
    to "to" where a verb must follow (:func:`misjoined`: "I've always wanted to learn how to building
    a table."), or give someone a name the user said nowhere in ``turn`` and ``heard`` (their earlier
    words, lower case; :func:`names_unnamed`: "Her name is john." to "her name is Mila"), or are
    pleased to meet a user who neither greeted nor introduced themselves (:func:`meets_no_one`:
    "Nice to meet you!" to "i'm cooking dinner for my in-laws tonight"), or cite nothing
    (:func:`cites_nothing`: "You said?"), or make a favourite of no thing (:func:`favours_no_thing`:
    "You didn't tell me your favourite where."), unless all do; ``meant``
    (token-id tuples: stored answers, which the user may have taught a name in) are kept.
    ``words``: a hypothesis's ids as tokens."""
    def placeholder(tokens: Sequence[str]) -> bool:
        return any(a.lower() == "user" and b.isdigit() for a, b in zip(tokens, tokens[1:]))
    def unsayable(tokens: Sequence[str]) -> bool:
        return (placeholder(tokens) or names_itself(tokens, names) or greets_by_other_name(tokens, names, turn)
                or misjoined(tokens, names) or names_unnamed(tokens, names, [*turn, *heard])
                or meets_no_one(tokens, names, turn) or cites_nothing(tokens) or favours_no_thing(tokens))
    kept = [h for h in hypotheses if tuple(h.tokens) in meant or not unsayable(words(h.tokens))]
    return kept or hypotheses


def cites_nothing(tokens: Sequence[str]) -> bool:
    """Whether a reply's ``tokens`` say that the user said something and nothing of what ("You
    said?", "You told me.")."""
    words = [token.lower() for token in tokens if any(ch.isalnum() for ch in token)]
    return words in (["you", "said"], ["you", "said", "that"], ["you", "told", "me"], ["you", "told", "me", "that"])


def favours_no_thing(tokens: Sequence[str]) -> bool:
    """Whether a reply's ``tokens`` say "favourite" before a word of asking or doing, which names no
    thing ("your favourite where", "your favourite do")."""
    lowered = [token.lower() for token in tokens]
    return any(word in ("favourite", "favorite") and after in _NO_THING for word, after in zip(lowered, lowered[1:]))


_NO_THING = frozenset("what where when who why how which do does did is are was were be".split())


# Words before "to" that a verb must follow ("learn how to play"), and words ending "-ing" that are verbs.
_WANTING_TO = frozenset("how want wants wanted love like learn learned tried try".split())
_ING_VERBS = frozenset("bring sing ring string spring swing sting cling fling sling wring".split())


def misjoined(tokens: Sequence[str], names: frozenset = frozenset()) -> bool:
    """Whether a reply's ``tokens`` join to "to", after a word a verb must follow
    (:data:`_WANTING_TO`), a word of doing ("learn how to building a table", "wanted to studying")
    or a name the user wrote (``names``, tuples of lower-case words: "learn how to Madrid")."""
    lowered = [token.lower() for token in tokens]
    first_names = {name[0] for name in names}
    for before, to, word in zip(lowered, lowered[1:], lowered[2:]):
        if before in _WANTING_TO and to == "to" and (
                word.endswith("ing") and len(word) > 4 and word not in _ING_VERBS or word in first_names):
            return True
    return False


_NAMING_SOMEONE = (("his", "name", "is"), ("her", "name", "is"), ("its", "name", "is"), ("their", "name", "is"),
                   ("your", "name", "is"), ("he's", "called"), ("she's", "called"), ("it's", "called"),
                   ("he", "is", "called"), ("she", "is", "called"), ("it", "is", "called"))


def names_unnamed(tokens: Sequence[str], names: frozenset = frozenset(), turn: Sequence[str] = ()) -> bool:
    """Whether a reply's ``tokens`` name someone ("her name is john", "he's called rex", "your
    name is sam") by a word that is neither a name the user wrote (``names``, tuples of lower-case
    words) nor a word of theirs (``turn``, lower-case tokens) that could be one: the bot knows no
    name it was not told, and a number, a stop word or a word of doing is no name ("Her name is
    married" to "my best friend Priya is getting married", "Your name is ninety" to "my grandfather
    is turning ninety"), unless they named someone so ("my name is Ted")."""
    written = {word for name in names for word in name} | set(words_after(NAME_LEADS, list(turn)))
    said = written | {word for word in turn if _could_name(word)}
    return any(any(ch.isalpha() for ch in word) and word not in said
               for word in words_after(_NAMING_SOMEONE, [token.lower() for token in tokens]))


def _could_name(word: str) -> bool:
    """Whether a lower-case word the user wrote could be a name: not a stop word, a number or a word
    of doing ("-ing", "-ed")."""
    return (word not in STOP_WORDS and word not in NUMBER_WORDS
            and not (len(word) > 4 and word.endswith(("ing", "ed"))))


_MEETING = ("nice", "to", "meet", "you")
_GREETINGS = frozenset("hi hello hey hiya howdy greetings morning evening afternoon yo sup".split())
_ASKING_AFTER = (("what's", "up"), ("whats", "up"), ("how", "are", "you"), ("how", "are", "u"), ("how's", "it"),
                 ("how", "is", "it", "going"), ("how", "have", "you", "been"))  # greetings too
_GREETS = re.compile(r"^(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening))\b")


def meets_no_one(tokens: Sequence[str], names: frozenset = frozenset(), turn: Sequence[str] = ()) -> bool:
    """Whether a reply's ``tokens`` greet (begin "hi", "hello", "good evening" ...) a ``turn``
    (lower-case tokens) that greets no one, or say "nice to meet you" to one that neither greets
    nor introduces anyone: no greeting word, and no "i'm", "my name is", "call me" ... followed by a
    name the user wrote (``names``), "a" or a word that could be a name (:func:`_could_name`: "i'm
    Sam", "i'm a nurse"; not "i'm cooking dinner", "i'm moving house on saturday", "i'm so tired",
    "i'm seven"). Without a turn, none."""
    lowered = [token.lower() for token in tokens]
    if not turn or set(turn) & _GREETINGS or any(within(asking, turn) for asking in _ASKING_AFTER):
        return False
    if _GREETS.match(" ".join(lowered)):
        return True
    if not within(_MEETING, lowered):
        return False
    name_words = {word for name in names for word in name}
    return not any(word in name_words or word in ("a", "an")
                   or word.isalpha() and _could_name(word) for word in words_after(_INTRODUCED_AS, turn))


_GREETING_BY_NAME = ("meet", "you", ",")
_INTRODUCED_AS = INTRODUCING + (("name", "is"), ("name's",))


def greets_by_other_name(tokens: Sequence[str], names: frozenset = frozenset(), turn: Sequence[str] = ()) -> bool:
    """Whether a reply's ``tokens`` greet the user by words ("nice to meet you, on birthday") that
    their ``turn`` (lower-case tokens) says but not as their name: none of their ``names`` (tuples
    of lower-case words written capitalised) nor introduced ("i'm sam", "my name is sam", "call me
    sam"). "Nice to meet you, too!" and "Nice to meet you, Sam!" after "hi i'm sam" are greetings."""
    lowered = [token.lower() for token in tokens]
    for i in range(len(lowered) - len(_GREETING_BY_NAME) + 1):
        if tuple(lowered[i:i + len(_GREETING_BY_NAME)]) != _GREETING_BY_NAME:
            continue
        run: list[str] = []
        for token in lowered[i + len(_GREETING_BY_NAME):]:
            if not any(ch.isalnum() for ch in token):
                break
            run.append(token)
        said = bool(set(run) & set(turn))
        if said and tuple(run) not in names and not any(within((*lead, *run), turn) for lead in _INTRODUCED_AS):
            return True
    return False


def all_name_the_bot(hypotheses: list[Hypothesis], words, meant: Sequence[tuple] = (),
                     names: frozenset = frozenset()) -> bool:
    """Whether every one of ``hypotheses`` gives the bot a name (:func:`names_itself`) and none is
    ``meant`` (a stored answer: a name the user taught the bot is its name)."""
    return all(names_itself(words(h.tokens), names) and tuple(h.tokens) not in meant for h in hypotheses)


_NAMING_ITSELF = (("my", "name", "is"), ("my", "name's"), ("my", "names"))


def names_itself(tokens: Sequence[str], names: frozenset = frozenset()) -> bool:
    """Whether a reply's ``tokens`` give the bot a name ("my name is john"), or one of the user's
    ``names`` (tuples of lower-case words) after "i'm" or "i am" ("hi, i'm sam")."""
    lowered = [token.lower() for token in tokens]
    leads = _NAMING_ITSELF + tuple(lead + name for lead in (("i'm",), ("i", "am")) for name in names)
    return any(within(lead, lowered) for lead in leads)


def unwrapped(hypotheses: list[Hypothesis], wrappers: int) -> list[Hypothesis]:
    """The hypotheses with each ``final_state`` taken out of ``wrappers`` layers of wrapped states."""
    for h in hypotheses:
        for _ in range(wrappers if h.final_state is not None else 0):
            h.final_state = h.final_state[0]
    return hypotheses
