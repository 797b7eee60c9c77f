"""Replies of the memory model (:mod:`engine.models.memory_chat`), a side of ``ChatPredictor``.

A conversation's state is then the LSTM state, the memory of what was said (bounded, the oldest
tokens dropped first), the count of exchanges, and the words outside the vocabulary that were
said in it, in the spelling they were first said with: the copy path numbers them (extended ids)
and a reply that copies one says it as it was written.

Replies come from the search settings of the ``DecodeConfig`` (strategy, beam, length penalty,
sampling), the topic words' steering (``topic_weight``) and, where it asks for them, the
reranking of the beam's replies by maximum mutual information (``mmi_weight``) and the backward
model (``mmi_backward_weight``), as for the turn-only model; to a turn about the user, a candidate
that states a fact is weighed by where the user said it (:mod:`engine.tasks.told`), and to the
user's news one that only says some of its words back loses (:func:`echoes`). The topic
words are the vocabulary's: a word of the turn outside it links none, and the words a reply copies
from outside it (extended ids) gain no bias.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Callable, Optional, Sequence

import torch

from engine.data.knowledge_data import ANSWER_TOKENS, QUESTION_TOKENS, knowledge_tensors
from engine.data.memory_facts import ABSTAIN_MARKERS, plain, says_any
from engine.decode_config import DecodeConfig
from engine.decoding import Hypothesis, decode
from engine.knowledge_index import STOP_WORDS, question_match
from engine.knowledge_pairs import KnowledgeUse
from engine.models.memory import Memory, MemoryState
from engine.results import ChatState, Reply
from engine.tasks.chat_mood import (CONGRATULATIONS, SYMPATHY, congratulates, negated, own_news, says_goodbye,
                                    sympathises, what_happened)
from engine.tasks.chat_rerank import all_name_the_bot, sayable, without_topic_bonus
from engine.tasks.told import (DECLINE, FIRST_PERSON, FIRST_PLURAL, SECOND_PERSON, as_it_was, as_sayable, asks_of_it,
                               asks_of_user, barred, decline_starts, declines_other,
                               content_words, declines, forced, ground, kinds, last_sentence, misplaced, resolved,
                               restart, spellings, stated_value, states_told, states_unasked, states_untold,
                               states_untold_number, tellings,
                               told_as_topic, told_back, told_values, told_words, topic_of, unheard_kind, unheard_name,
                               untold_decline, within)
from engine.text import detokenize, tokenize


# How the model starts a reply to an introduction, searched for where all its replies give the bot
# a name (:func:`engine.tasks.chat_rerank.names_itself`).
GREETING = "nice to meet you"

# What a reply loses (per-token units, as the reranking's scores) for saying back nothing but some
# of the words of the user's news (:func:`echoes`). Session 28, the validation split: see
# docs/experiments.md.
ECHO_LOSS = 3.0

# What the bot says to a question about the world it has no reply to but that the user never told
# it something (:meth:`MemoryReplies._undeclined`): the model scores each and the reranking chooses.
NOT_KNOWING = ("i don't know", "i'm not sure", "i have no idea")


def is_news(turn: str) -> bool:
    """Whether ``turn`` tells something rather than asks: no "?", two content words or more
    (:func:`content_words`; "hi" is a greeting)."""
    return "?" not in turn and len(content_words(turn)) >= 2


def echoes(reply: str, turn: str) -> bool:
    """Whether ``reply`` says nothing but some of the content words of ``turn``, news
    (:func:`is_news`): "Baking cookies" to "i'm baking cookies", "Sick is a cat." to "my cat is
    sick"; not "Aww, I love dogs." nor "I'm sorry to hear that."."""
    said = content_words(reply)
    return is_news(turn) and bool(said) and said <= content_words(turn)


def tails_off(reply: str, turn: str) -> bool:
    """Whether ``reply`` begins with sympathy or congratulations (:mod:`engine.tasks.chat_mood`) to
    ``turn`` and goes on, in its first sentence or a later one, with nothing but some of the turn's
    content words ("I'm sorry to hear that. Passed away with you." to "my grandmother passed away
    last week", "I'm sorry to hear that work at work." to "i'm feeling overwhelmed at work"), or
    with a question of what the user does for a living or for fun where the turn spoke of neither
    ("I'm sorry to hear that. What do you do for a living?" to "i can't sleep"); not "I'm sorry to
    hear that. What happened?". (Elsewhere the model's other replies to news are seldom better:
    "Learning to play games" beside "That's awesome! I'm learning to play the guitar.")"""
    if not (sympathises(reply) or congratulates(reply)):
        return False
    said = content_words(turn)
    sentences = re.findall(r"[^.!?]+[.!?]*", reply)
    first = plain(sentences[0])
    rest = re.sub(r"^\W*(?:i'm|i am) sorry to hear that\b", "", first)
    for sentence in ([rest] if rest != first else []) + sentences[1:]:  # "I'm sorry to hear that work at work."
        words = content_words(sentence)
        if words and words <= said or "?" in sentence and words & _SMALL_TALK and not words & said:
            return True
    return False


# What the model asks anyone, whatever they said ("What do you do for a living?", "What do you like
# to do for fun?").
_SMALL_TALK = frozenset(("living", "fun", "work", "job"))


def says_nothing_new(reply: str, turn: str) -> bool:
    """Whether ``reply`` says nothing but some of the content words of ``turn``, a question that
    asks what, which, where, when or who (:data:`_ASKING_WHAT`; not one answered yes or no), and
    says no "no": "It's dinner." to "what did you eat for dinner?", "Usually wake up." to "what
    time do you usually wake up?"; not "I don't have a favourite colour." to "what's your
    favourite colour?"."""
    said = content_words(reply)
    lead = next((word for word in last_sentence(turn) if word.isalpha() or "'" in word), "")
    return lead in _ASKING_WHAT and bool(said) and said <= content_words(turn) and not negated(plain(reply))


_ASKING_WHAT = frozenset("what what's whats which where where's when who who's whose whom".split())


class MemoryReplies:
    """The memory model's replies and states; mixed into ``ChatPredictor`` (which provides
    ``model``, ``steps`` (the model, or its prepacked reply steps), ``vocab``, ``device``,
    ``content_ids``, ``model_id``, ``start_state`` and the steering of ``Reranking``)."""

    @property
    def has_memory(self) -> bool:
        return self.model.config.memory_tokens > 0

    def _memory_state(self, state: Optional[ChatState]) -> tuple[MemoryState, list[str], int]:
        """(tensors, the conversation's unknown words, exchanges) of ``state``, or a new conversation's."""
        if state is None or state.tensors is None or state.model_id != self.model_id:
            return self.start_state(1), _Words(), 0
        h, c, memory, exchanges = state.tensors
        return (MemoryState(h.to(self.device), c.to(self.device), memory.to(self.device), exchanges.to(self.device)),
                _Words(state.unknown, state.glued, state.names), state.turns)

    def memory_ids(self, text: str, unknown: list[str], limit: int) -> list[int]:
        """``text``'s first ``limit`` tokens as ids, a word outside the vocabulary as its extended id
        (appended to ``unknown``, in the spelling written, when it is new)."""
        tokens = tokenize(text)[:limit]
        written = tokenize(text, lower=False)[:limit]
        if isinstance(unknown, _Words):
            unknown.read(text, lambda word: word.lower() in self.vocab.stoi)
        known = {word.lower(): index for index, word in enumerate(unknown)}
        size, ids = len(self.vocab), []
        for token, surface in zip(tokens, written):
            index = self.vocab.stoi.get(token)
            if index is None:
                if token not in known:
                    known[token] = len(unknown)
                    unknown.append(surface)
                index = size + known[token]
            ids.append(index)
        return ids

    def memory_words(self, ids: Sequence[int], unknown: Sequence[str]) -> list[str]:
        return self.vocab.decode(ids, unknown)

    def _says(self, hypothesis: Hypothesis, unknown: Sequence[str]) -> str:
        """The text of ``hypothesis``'s reply, its copied words as the conversation spelt them."""
        return detokenize(self.memory_words(hypothesis.tokens, unknown))

    @torch.inference_mode()
    def memory_rebuild(self, exchanges: Sequence[tuple[str, str]]) -> ChatState:
        """Fold saved (user, bot) exchanges into a state and memory, as if just said."""
        state, unknown, _ = self._memory_state(None)
        config = self.model.config
        for user, bot in exchanges:
            source = self.memory_ids(user, unknown, config.max_source_len) or [self.vocab.unk_id]
            memory, decoder = self.steps.start_reply(torch.tensor([source], device=self.device), state)
            reply = self.memory_ids(bot, unknown, config.max_reply_len)
            state = self.steps.read_reply(reply, decoder, self.vocab.sos_id, memory[3], state.exchanges)
        return ChatState(state, len(exchanges), self.model_id, tuple(unknown), unknown.kept_glued(),
                         unknown.kept_names())

    def _stored_pairs(self, text: str, unknown: list[str], knowledge) -> tuple[Optional[tuple], list, list]:
        """The stored pairs most like ``text`` in ``knowledge`` (anything with ``search(text, k)``
        giving hits with a ``pair``), as the model reads them (after the turn's words are numbered,
        before the reply's, as in training), the hits, and each hit's answer as the model numbers
        it (a tuple of ids); (None, [], []) without any."""
        pairs = self.model.config.knowledge_pairs
        if not pairs or knowledge is None:
            return None, [], []
        hits = pairs_read(knowledge, text, pairs)
        if not hits:
            return None, [], []
        rows, answers = [], []
        for hit in hits:
            question = self.memory_ids(hit.pair.question, unknown, QUESTION_TOKENS)
            answers.append(tuple(self.memory_ids(hit.pair.answer, unknown, ANSWER_TOKENS)))
            rows.append((question + list(answers[-1]), len(question)))
        ids, answer = knowledge_tensors([rows])
        return (ids.to(self.device), answer.to(self.device)), hits, answers

    def _with_stored_answers(self, hits: list, answers: list[tuple], decoder, memory,
                             found: Sequence[Hypothesis], text: str) -> list[Hypothesis]:
        """``found`` and the ``answers`` of the retrieved ``hits`` that match the turn well (as the
        model read them) as finished replies, those the search did not find scored by the model from
        ``decoder`` over ``memory``: log p(answer + <eos> | conversation, stored pairs),
        teacher-forced in one pass. A reply that says a stored answer has the prior
        :data:`STORED_PRIOR` times the pair's relevance, whether the search found it or not, and
        :data:`SURE_PRIOR` more where the user's pair asks what the turn (``text``) asks, or a shipped
        pair asks word for word what the turn asks of the bot (:func:`_asks_the_same`)."""
        prior: dict[tuple, float] = {}  # a well-matched answer's ids -> what saying it gains
        for hit, ids in zip(hits, answers):
            sure = _asks_the_same(hit, text)
            if ids and (sure or _matches_well(hit)):
                gain = STORED_PRIOR * hit.relevance + (SURE_PRIOR if sure else 0.0)
                prior[ids] = max(prior.get(ids, 0.0), gain)
        hypotheses = [replace(h, prior=prior[tuple(h.tokens)]) if tuple(h.tokens) in prior else h for h in found]
        seen = {tuple(h.tokens) for h in found}
        replies = [list(ids) for ids in prior if ids not in seen]
        if replies:
            total = self.model.score_replies(replies, decoder, self.vocab.sos_id, memory)
            hypotheses += [Hypothesis(tokens=reply, score=float(log_p) / (len(reply) + 1), log_prob=float(log_p),
                                      prior=prior[tuple(reply)]) for reply, log_p in zip(replies, total.tolist())]
        return hypotheses

    def _told_after(self, ids: list[int], ago: list[int]) -> dict[int, int]:
        """Word outside the vocabulary -> the word that followed it where it was last said in an
        earlier turn ("yerba" -> "mate"), for those followed by a word in the same turn (not the
        message being answered, which the reply is not to echo, nor the stored pairs, whose answers
        are offered whole); ``ids`` and ``ago``: the memory's words and their turns (``_turns_ago``)."""
        vocab, after = self.vocab, {}
        size = len(vocab)
        for i in range(len(ids) - 1):
            this, then = ids[i], ids[i + 1]
            if this >= size and then != this and ago[i] == ago[i + 1] >= 1 and (
                    then >= size or vocab.itos[then].isalpha()):
                after[this] = then
        return after

    def _grounded(self, hypotheses: list[Hypothesis], text: str, asking: bool, ids: list[int], ago: list[int],
                  unknown: list[str], step, decoder, memory, config: DecodeConfig,
                  answers: Sequence[tuple] = ()) -> list[Hypothesis]:
        """``hypotheses`` weighed by where the values they state about the user were said
        (:func:`engine.tasks.told.ground`), where ``text`` speaks of the user ("my", "i"). Told
        are the words of the user's earlier turns in the memory (``ids``, ``ago``: even turns ago
        from 2), of the stored pairs read (``ago`` < 0) and of ``text`` before its question. Where
        one states a value nobody told, or told as another kind of thing or as one the user spoke
        of nowhere, or declines something else (:func:`engine.tasks.told.declines_other`), and none
        declines what the question asks, the model's own decline, searched for from ``decoder`` with
        ``step`` (:meth:`_forced`) from the start that says whose name it was not told where it can
        (:func:`engine.tasks.told.decline_starts`: "you didn't tell me your sister's name."), joins
        them; where one declines, or
        states a wrong value, of a kind of thing the user told a value of, the model's best replies
        that start the way it states that kind ("your favourite fruit is ...") join them, where
        ``text`` asks something of the user's (``asking``: :func:`engine.tasks.told.asks_of_user`).
        Where none states a value told about what ``text`` asks and a sentence of the user's speaks of
        it (:func:`engine.tasks.told.told_back`), those sentences said back, scored by the model,
        are the replies, beside any answer the user taught or imported among them (``answers``, token
        tuples; not a shipped answer about the bot: "I think you should follow your heart." to "where
        do i want to go?" after "i'm saving up for a trip to Japan"); so too
        for a question about "we" ("what did we adopt?") or about someone the user named or spoke of
        ("who is starting school?", "who is in the hospital?" after "my dad is in the hospital"),
        where a sentence of theirs about it speaks of it. A question about "him" or "her" is asked
        as one about the someone of the user's spoken of last (:func:`engine.tasks.told.resolved`:
        "what's his name?" after "my best friend is called Tomasz" -> "what's my best friend's
        name?"); so too one beside "me" ("why did he give it to me?"). A question of how much, how long, when or
        where of "it" that no sentence of theirs answers (:func:`engine.tasks.told.asks_of_it`: "how much will it
        cost?"; so too of "the" thing they spoke of, "how old is the boiler?", or of one they named) is grounded as
        one of theirs, and the replies that state a number nobody told ("It'll cost $10 million.") give way to
        the others. The decline of such a question, or of one of theirs that no sentence answers and no reply
        states a value of as told, is said whole where it can be, the question put as theirs
        (:func:`engine.tasks.told.untold_decline`: "You didn't tell me how old the boiler is.", "... when your
        dad's birthday is."), and is the reply; where another reply declines, it joins them."""
        person, names = _person(text), unknown.name_words()
        if 1 not in person and person:  # a turn about the bot asks no fact of the user's
            return hypotheses
        words = self.memory_words(ids, unknown)
        by_turn: dict[int, list[str]] = {}
        for word, turn in zip(words, ago):
            by_turn.setdefault(turn, []).append(word)
        users = [turn for turn in sorted(by_turn, reverse=True) if turn >= 2 and turn % 2 == 0]  # oldest first
        told_in = tellings([(by_turn[turn], by_turn.get(turn + 1, [])) for turn in users], names)
        about = resolved(text, told_in, names) if 2 not in person else text
        if about != text and set(tokenize(text)) & (FIRST_PERSON | FIRST_PLURAL) and told_back(told_in, text,
                                                                                             names=names):
            about = text  # "why did he give it to me?" as of my brother, where the question as asked hears nothing
            # back; not "where did we take him?", which "i had to take him to the vet" answers as it is
        if about != text:  # "what's his name?": of the user's best friend
            text, person, asking = about, _person(about), asks_of_user(about)
        before = as_it_was(told_in, text)
        back = asking and before and self._said_back(before, text, names, hypotheses, answers, unknown, decoder, memory)
        if back:  # "where did i use to live?": what they said used to be, said back
            return back
        its = False
        if 1 not in person:  # about "we", or someone of the user's: what they said of it, if it answers it
            back = told_in and self._said_back(told_in, text, names, hypotheses, answers, unknown, decoder, memory)
            if back or not (told_in and asks_of_it(text, told_in, names)):
                return back or hypotheses
            asking = its = True  # "how much will it cost?" of a thing of theirs, told nowhere: no value made
            # up ("It'll cost $10 million."), as of theirs
        stored = [word for turn, said in by_turn.items() if turn < 0 for word in said]
        known = lambda word: word in self.vocab.stoi  # noqa: E731
        told = told_words([word for turn in users for word in by_turn[turn]] + stored, text, known)
        texts = [self._says(h, unknown) for h in hypotheses]
        starts = [next((start for start in (restart(reply, told_in, text) for reply in texts) if start), None)]
        asked = kinds(content_words(text))  # a decline of another kind of thing does not answer it
        others = [declines_other(reply, text) for reply in texts]  # "... your friend's name." to "my boss"
        wrong = any(states_untold(reply, told) or misplaced(reply, told_in, text) or unheard_kind(reply, told_in, text)
                    or its and states_untold_number(reply, told)
                    or unheard_name(reply, told_in, text, names, known) or other for reply, other in zip(texts, others))
        declining = asking and (wrong or its) and not any(
            declines(reply) and (not asked or kinds(content_words(reply)) & asked) and not other
            for reply, other in zip(texts, others))
        if declining:
            starts.append(next((start for start in decline_starts(text) if self._spelt(start)), DECLINE))
        for start in filter(None, starts):
            found = self._forced(step, decoder, config, start, 1 if start.startswith(DECLINE) else FORCED_BEAMS)
            found += self._said_as_told(start, told_values(start, told_in, text, names), unknown, decoder, memory,
                                        {tuple(h.tokens) for h in found})
            said = [self._says(h, unknown) for h in found]
            topic = topic_of(start)
            if topic:  # a value the user told of no such thing is no answer of this kind
                kept = [(h, t) for h, t in zip(found, said) if told_as_topic(t, told_in, topic)]
                found, said = [h for h, _ in kept], [t for _, t in kept]
            hypotheses, texts = hypotheses + found, texts + said
        whole = untold_decline(text, names) if asking else None
        # "you didn't tell me how old the boiler is.", said whole (the model may not spell "boiler"); scored only
        # where it joins the replies or may be the reply
        seen = {tuple(h.tokens) for h in hypotheses}
        untold = self._said([whole], unknown, decoder, memory, set()) if whole and (
            declining or any(map(declines, texts))) else []
        joins = [h for h in untold if tuple(h.tokens) not in seen]  # the model's own decline may be its very words
        hypotheses, texts = hypotheses + joins, texts + [self._says(h, unknown) for h in joins]
        stated = any(states_told(reply, told_in, text, told, names, self._common_words, known) for reply in texts)
        if asking and not stated:
            back = self._said_back(told_in, text, names, hypotheses, answers, unknown, decoder, memory)
            if back:  # the user's own words about what they ask, where no candidate states it, answer it
                return back
        taught = any(tuple(h.tokens) in answers for h in hypotheses)  # an answer the user taught or imported
        if whole and not taught and (its or not stated and (asks_of_it(text, told_in, names) or all(
                stated_value(said) is None or misplaced(said, told_in, text) or states_untold(said, told)
                for said in texts))):  # "who did i buy it from?": of a thing of theirs, which no sentence answers
            untold = untold or self._said([whole], unknown, decoder, memory, set())
            if untold:  # "how old is the boiler?", "when is my dad's birthday?": of theirs, which no sentence
                return untold  # answers and no candidate states a value of as it was told: not told (nor "where
                # is my big fat gypsy wedding filmed?", which a stored pair answers)
        if its:  # "how much will it cost?": no sum nobody told, where the model can say another reply
            kept = [(h, said) for h, said in zip(hypotheses, texts) if not states_untold_number(said, told)]
            hypotheses, texts = ([h for h, _ in kept], [said for _, said in kept]) if kept else (hypotheses, texts)
        return ground(hypotheses, texts, told, told_in, text, {word.lower() for word in stored}, names,
                      self._common_words, known)

    def _said_back(self, told_in: list, text: str, names: frozenset, hypotheses: list[Hypothesis],
                   answers: Sequence[tuple], unknown: list[str], decoder, memory) -> list[Hypothesis]:
        """The user's sentences that speak of what ``text`` asks, said back
        (:func:`engine.tasks.told.told_back`) and scored by the model, with the stored answers
        among ``hypotheses`` (``answers``, token tuples: what they taught); [] where none is."""
        sentences = told_back(told_in, text, names=names) or told_back(told_in, text, names=names, loose=True)
        back = self._said(sentences, unknown, decoder, memory, set())
        return back + [h for h in hypotheses if tuple(h.tokens) in answers] if back else []

    def _undeclined(self, hypotheses: list[Hypothesis], text: str, unknown: list[str], step, decoder, memory,
                    config: DecodeConfig, topic_bias: Optional[torch.Tensor], should_stop) -> list[Hypothesis]:
        """``hypotheses`` less those that say the user never told something (:func:`declines`),
        say back what they told ("You said ...") or state a fact of theirs that answers nothing
        asked (:func:`engine.tasks.told.states_unasked`), for a turn ``text`` that asks nothing of
        the user's: "You haven't told me your favourite season." is no answer to "what's your
        favourite season?", nor "You didn't tell me your friend's name." to "i forgot my umbrella
        and got soaked", nor "You said your name is another one." to "tell me another one", nor
        "Your favourite cook is vegetarian." to "what should i cook tonight?". Where every one does,
        the search of ``config`` again over ``step`` from ``decoder``, with none of their first words
        first (:func:`barred`), less its replies that decline or tell the user a fact of theirs (state a value,
        :func:`stated_value`, or start "your": "You said you're a soaked.", "Your plan for soaked is
        to soaked." are no better); where that leaves none, the plain replies of not knowing
        (:data:`NOT_KNOWING`) the model can say, scored by it over ``memory``: "who wrote hamlet?"
        is not answered "I don't know your friend's name, you never told me.";
        ``hypotheses`` themselves for a model that can say none of them."""
        says = lambda h: self._says(h, unknown)  # noqa: E731
        kept = [h for h, said in zip(hypotheses, map(says, hypotheses))
                if not recalls(said) and not states_unasked(said, text)]
        if kept or not hypotheses:
            return kept or hypotheses
        firsts = {h.tokens[0] for h in hypotheses if h.tokens}
        again = self._steered_search(barred(step, firsts), self.model.reorder_state, decoder, config, True,
                                     topic_bias, should_stop)
        tells = lambda said: (recalls(said) or stated_value(said) is not None  # noqa: E731
                              or said.lower().startswith("your "))
        kept = [h for h in again if not tells(says(h))]
        not_knowing = [tokenize(reply) for reply in NOT_KNOWING]
        return kept or self._said(not_knowing, unknown, decoder, memory, set()) or hypotheses

    def _scored(self, replies: list[list[int]], decoder, memory) -> list[Hypothesis]:
        """``replies`` (extended ids) as hypotheses scored by the model from ``decoder`` over
        ``memory``: log p(reply + <eos> | conversation), per token with the <eos>."""
        if not replies:
            return []
        total = self.model.score_replies(replies, decoder, self.vocab.sos_id, memory)
        return [Hypothesis(tokens=reply, score=float(log_p) / (len(reply) + 1), log_prob=float(log_p))
                for reply, log_p in zip(replies, total.tolist())]

    def _news_mood(self, text: str, config: DecodeConfig) -> Optional[str]:
        """The mood of ``text``: "bad" for bad news of the user's (:meth:`bad_news`), "good" for good
        news (:meth:`good_news`), else None (also where the reranking weighs no mood)."""
        weight = config.rerank.mood_weight
        if self.bad_news(text, weight):
            return "bad"
        return "good" if self.good_news(text, weight) else None

    def _sympathetic(self, hypotheses: list[Hypothesis], mood: Optional[str], unknown: list[str], step, decoder,
                     config: DecodeConfig, answers: Sequence[tuple]) -> list[Hypothesis]:
        """``hypotheses`` in tune with the turn's ``mood`` (:meth:`_news_mood`, :mod:`engine.tasks.chat_mood`):
        to bad news of the user's, the model's best replies that begin with sympathy (:data:`SYMPATHY`; not
        those that also take leave, or say the user never told it something: "I'm sorry, I don't
        know your name, you never said.") join them, and each one's kindness and cheer count in the
        reranking; to good news (a milestone: "i just got engaged!"), those that begin with
        :data:`CONGRATULATIONS`, and each one's congratulations and gloom count. Not for the stored
        answers among them that answer the turn (``answers``, token tuples: :func:`_answering`):
        the answer the user taught to "i'm so tired" (or the shipped "I've heard really good things
        about naps.") is meant for it, cheerful or not; the shipped "I'm your imaginary friend.",
        read for "my best friend died", is not."""
        if mood is None:
            return hypotheses
        weight, good = config.rerank.mood_weight, mood == "good"
        seen = {tuple(h.tokens) for h in hypotheses}
        says = lambda h: self._says(h, unknown)  # noqa: E731
        tuned = [h for h in self._forced(step, decoder, config, CONGRATULATIONS if good else SYMPATHY, FORCED_BEAMS)
                 if tuple(h.tokens) not in seen and not says_goodbye(says(h)) and not declines(says(h))]
        candidates = hypotheses + tuned
        weighed = self.in_tune(candidates, says, weight, good)
        return [h if tuple(h.tokens) in answers else w for h, w in zip(candidates, weighed)]

    def _unechoed(self, hypotheses: list[Hypothesis], text: str, unknown: Sequence[str],
                  answers: Sequence[tuple]) -> list[Hypothesis]:
        """``hypotheses``, where ``text`` is news rather than a question, less :data:`ECHO_LOSS` for
        each that only says back some of its words (:func:`echoes`: "my brother is moving abroad"
        -> "Moving abroad?"), and where it asks what, where, when or who, for each that says nothing
        new (:func:`says_nothing_new`: "It's dinner." to "what did you eat for dinner?"); and for
        each that tails off after its sympathy or congratulations (:func:`tails_off`); but for the
        stored answers among them (``answers``)."""
        if ECHO_LOSS == 0:
            return hypotheses
        echoing = echoes if is_news(text) else says_nothing_new
        return [replace(h, prior=h.prior - ECHO_LOSS)
                if tuple(h.tokens) not in answers and (echoing(said, text) or tails_off(said, text)) else h
                for h, said in ((h, self._says(h, unknown)) for h in hypotheses)]

    @cached_property
    def _common_words(self) -> frozenset[str]:
        """The vocabulary's :data:`COMMON_WORDS` most frequent words (it is ordered by frequency):
        "hello" of "hello there" is no name, unless the user wrote it as one."""
        return frozenset(self.vocab.itos[:COMMON_WORDS])

    def _said_as_told(self, start: str, values: list[tuple[str, ...]], unknown: list[str], decoder, memory,
                      seen: set[tuple]) -> list[Hypothesis]:
        """Replies "``start`` ``value``." for each of ``values`` (words the conversation has said,
        in the vocabulary or numbered by the copy path) that none of ``seen`` is, scored by the
        model from ``decoder`` over ``memory``: log p(reply + <eos> | conversation)."""
        begin = self._spelt(start)
        if begin is None:
            return []
        glued = [tuple(tokenize(word)) for word in unknown.kept_glued() if " " not in word]
        whole = [[*begin, *value] for value in values  # not "Gizmo" of "Gizmo42"
                 if not any(value != word and within(value, word) for word in glued)]
        return self._said(whole, unknown, decoder, memory, seen)

    def _said(self, replies: Sequence[Sequence[str]], unknown: list[str], decoder, memory,
              seen: set[tuple]) -> list[Hypothesis]:
        """``replies`` (lower-case words, in the vocabulary or of the conversation, numbered by the
        copy path; a possessive it cannot say as "her", "his" or "their": :func:`engine.tasks.told.as_sayable`)
        with a full stop, those none of ``seen`` is and that say no ``<unk>`` or markup (a turn read
        from a corpus has them), scored by the model from ``decoder`` over ``memory``
        (:meth:`_scored`)."""
        known = {word.lower(): len(self.vocab) + i for i, word in enumerate(unknown)}
        stoi = self.vocab.stoi
        end = ["."] if "." in stoi else []
        never = {None, self.vocab.unk_id, *self.markup_ids}
        out = []
        for words in replies:
            words = as_sayable(words, lambda word: word in stoi or word in known)
            ids = [stoi.get(word, known.get(word)) for word in [*words, *end]]
            if not never & set(ids) and tuple(ids) not in seen and ids not in out:
                out.append(ids)
        return self._scored(out, decoder, memory)

    def _spelt(self, start: str) -> Optional[list[str]]:
        """``start``'s words in the first spelling the vocabulary has (:func:`spellings`), or None."""
        stoi = self.vocab.stoi
        return next((words for words in map(tokenize, spellings(start)) if all(word in stoi for word in words)), None)

    def _forced(self, step, decoder, config: DecodeConfig, start: str, beams: int = 1) -> list[Hypothesis]:
        """The model's ``beams`` best replies (greedy for 1) that start with ``start``, in the first
        spelling its vocabulary has (none for a model whose vocabulary cannot say it)."""
        vocab = self.vocab
        words = self._spelt(start)
        if words is None:
            return []
        search = replace(config.search, strategy="greedy" if beams == 1 else "beam", beam_size=beams, n_best=beams)
        found = decode(forced(step, [vocab.stoi[word] for word in words]), decoder, self.model.reorder_state, search,
                       vocab.sos_id, vocab.eos_id, vocab.unk_id, vocab.pad_id, once=self.content_ids,
                       banned=self.markup_ids, device=self.device)
        return [replace(h, score=h.log_prob / (len(h.tokens) + 1), final_state=None) for h in found]

    @torch.inference_mode()
    def memory_reply(self, text: str, state: Optional[ChatState], config: DecodeConfig,
                     should_stop: Optional[Callable[[], bool]], avoid: Sequence[str],
                     choose: Callable, knowledge=None) -> Reply:
        """The reply to ``text``: the search of ``config`` over the vocabulary and the memory's
        words (and the words of the stored pairs of ``knowledge`` most like ``text``, for a model
        that reads them), then its reranking; ``choose(hypotheses, avoid, words)`` picks the one to
        say (``_first_not_in``). ``ChatPredictor.reply`` has made a greedy ``avoid`` a beam search."""
        rerank = self._reranks(config)  # the reranking or ``avoid`` chooses among the search's replies
        start, unknown, turns = self._memory_state(state)
        source_ids = self.memory_ids(text, unknown, self.model.config.max_source_len) or [self.vocab.unk_id]
        stored, hits, answers = self._stored_pairs(text, unknown, knowledge)
        memory, decoder = self.steps.start_reply(torch.tensor([source_ids], device=self.device), start, stored)
        vocab = self.vocab
        # the turn's vocabulary words' topics, unless a stored pair answers it or it is bad news,
        # which the reranking answers with sympathy (steered to "friend" and "died", "my best friend
        # died" had become "Your friend is called died?"); good news keeps them ("Congratulations on
        # your team!" to "my team won the game last night")
        mood = self._news_mood(text, config) if rerank else None
        topic_bias = (None if hits and _matches_well(hits[0]) or mood == "bad"
                      else self._topic_bias(source_ids, config))
        ids, ago = memory[0].ids[0].tolist(), _turns_ago(memory[0], memory[2], stored)
        follow = unknown.follow(lambda word: self.memory_ids(word, unknown, self.model.config.max_reply_len))
        step = _leading_on(lambda tokens, s: self.steps.decode_step(tokens, s, memory), follow)
        step = _leading_on(step, self._told_after(ids, ago), GO_ON)
        hypotheses = self._steered_search(step,
                                          self.model.reorder_state, decoder, config, rerank or bool(avoid),
                                          topic_bias, should_stop)
        if rerank:  # the reranking weighs the model's own log p(reply | turn), then adds the topic term
            asking = asks_of_user(text)
            if not asking:
                hypotheses = self._undeclined(hypotheses, text, unknown, step, decoder, memory, config, topic_bias,
                                              should_stop)
            hypotheses = without_topic_bonus(hypotheses, topic_bias)
            if hits and config.rerank.stored_answers:
                hypotheses = self._with_stored_answers(hits, answers, decoder, memory, hypotheses, text)
            taught = [ids for hit, ids in zip(hits, answers) if hit.pair.source != "shipped"]
            hypotheses = self._grounded(hypotheses, text, asking, ids, ago, unknown, step, decoder, memory, config,
                                         taught)
            hypotheses = self._sympathetic(hypotheses, mood, unknown, step, decoder, config,
                                           _answering(hits, answers, text))
            hypotheses = self._unechoed(hypotheses, text, unknown, answers)
            hypotheses = self._rerank(hypotheses, config, source_ids, topic_bias)
        words = lambda ids: self.memory_words(ids, unknown)  # noqa: E731
        names = unknown.name_words()
        if rerank and all_name_the_bot(hypotheses, words, answers, names):  # "Hi tom, my name is john."
            greetings = self._forced(step, decoder, config, GREETING, FORCED_BEAMS)
            hypotheses = sorted(greetings, key=lambda h: -h.score) + hypotheses
        heard = [word.lower() for word, turn in zip(self.memory_words(ids, unknown), ago)
                 if turn >= 0 and turn % 2 == 0]  # the user's words in the memory
        hypotheses = sayable(hypotheses, None if avoid else config.search.n_best, words, answers, names, tokenize(text),
                             heard)
        best = choose(hypotheses, avoid, words)
        new_state, attention, copied = self.steps.read_and_explain(best.tokens, decoder, vocab.sos_id, memory,
                                                                   start.exchanges)
        write = lambda ids: _owned(unknown.reglue(detokenize(words(ids)), self._common_words))  # noqa: E731
        said = answers.index(tuple(best.tokens)) if tuple(best.tokens) in answers else None
        drawn_on = _drawn_on(hits, stored, memory[0], attention, copied, said)
        # The padding of the stored pairs (each padded to the longest) is no word: left out.
        keep = [i for i, (index, turn) in enumerate(zip(ids, ago)) if turn >= 0 or index != vocab.pad_id]
        return Reply(
            text=write(best.tokens), tokens=words(best.tokens), score=best.score,
            source_tokens=self.memory_words([ids[i] for i in keep], unknown),
            attention=[[row[i] for i in keep] for row in attention],
            state=ChatState(new_state, turns + 1, self.model_id, tuple(unknown), unknown.kept_glued(),
                            unknown.kept_names()),
            alternatives=[(write(h.tokens), h.score) for h in hypotheses],
            source_turns=[ago[i] for i in keep], copied=copied, knowledge=drawn_on,
            stored_questions=[hit.pair.question for hit in hits],
        )


class _Words(list):
    """A conversation's words outside the vocabulary (a list, numbered by the copy path), and the
    words it wrote as it wants them written: words with letters and digits together, or an "&",
    which the tokenizer splits ("Gizmo42" is "Gizmo" and "42", "B&Q" is "B", "&" and "Q"), and
    names of several capitalised words ("New Ardmoor"), whose words in the vocabulary the model says
    in lower case. A reply that says such a word's parts side by side is written as it was
    ("Gizmo42", "New Ardmoor")."""

    KEEP = 200  # such words a conversation keeps (the newest)

    def __init__(self, words: Sequence[str] = (), glued: Sequence[str] = (), names: Sequence[str] = ()):
        super().__init__(words)
        self.glued = list(glued)
        self.names = list(names)  # every name the user wrote capitalised, known or not

    def read(self, text: str, known: Callable[[str], bool] = lambda word: False) -> None:
        """Keep ``text``'s split words, its names of several words with a word that is not ``known``
        (in the vocabulary: "New York" is said as the model writes it, "You Today" is no name), and
        all its names (one capitalised word that is no stop word, or several)."""
        for chunk in text.split():
            chunk = chunk.strip(".,;:!?\"'()[]{}")
            parts = tokenize(chunk, lower=False)
            if (len(parts) > 1 and all(p.isalnum() or p == "&" for p in parts) and parts[0].isalnum()
                    and parts[-1].isalnum() and chunk not in self.glued):  # "Gizmo42", "B&Q"
                self.glued.append(chunk)
        for name in _names(text, least=1):
            if " " in name and name not in self.glued and not all(known(word) for word in name.split()):
                self.glued.append(name)
            if name not in self.names and (" " in name or name.lower() not in STOP_WORDS):
                self.names.append(name)

    def follow(self, ids: Callable[[str], list[int]]) -> dict[int, int]:
        """Piece id -> the next piece's id, for the pieces of the split words (``ids`` numbers a
        word as the conversation does) that are words of three letters or more: once a reply has
        said "Gizmo" of "Gizmo42", the next piece can only be "42"."""
        follow: dict[int, int] = {}
        for word in self.kept_glued():
            if " " in word:
                continue
            pieces, numbers = tokenize(word, lower=False), ids(word)
            for piece, this, after in zip(pieces, numbers, numbers[1:]):
                if piece.isalpha() and len(piece) >= 3:
                    follow[this] = after
        return follow

    def kept_glued(self) -> tuple[str, ...]:
        return tuple(self.glued[-self.KEEP:])

    def kept_names(self) -> tuple[str, ...]:
        return tuple(self.names[-self.KEEP:])

    def name_words(self) -> frozenset[tuple[str, ...]]:
        """Every name the user wrote, as its lower-case words ("New Ardmoor" -> ("new", "ardmoor"))."""
        return frozenset(tuple(tokenize(name)) for name in self.names)

    def reglue(self, text: str, common: frozenset[str] = frozenset()) -> str:
        """``text`` with the conversation's split words and names written as it wrote them, a fact
        it states that is a name of known words written so too ("Your parrot's name is captain
        jack." -> "... Captain Jack."), and so any other name the user wrote but one of nothing but
        ``common`` words ("You said you just finished reading dune." -> "... Dune."; not "Will" in
        "i will")."""
        value = stated_value(text)
        stated = [name for name in self.kept_names() if value and tokenize(name) == tokenize(value)
                  or not set(tokenize(name)) <= common]
        for word in self.glued + stated:
            pattern = r"(?<!\w)" + r"\s".join(map(re.escape, tokenize(word, lower=False))) + r"(?!\w)"
            text = re.sub(pattern, lambda _: word, text, flags=re.IGNORECASE)
        return self._whole_names(text)

    def _whole_names(self, text: str) -> str:
        """``text`` with a word of a kept name that is outside the vocabulary, said without the rest
        of the name, written as the whole name ("Your horse is called Fluffington." -> "... Lord
        Fluffington.")."""
        outside = {word.lower() for word in self}
        for name in (name for name in self.glued if " " in name):
            parts = name.split()
            for i, part in enumerate(parts):
                if part.lower() not in outside:
                    continue
                before, after = " ".join(parts[:i] + [""]), " ".join([""] + parts[i + 1:])

                def whole(match: re.Match, before=before, after=after) -> str:
                    start, end = match.span()
                    inside = (text[max(0, start - len(before)):start].lower() == before.lower()
                              and text[end:end + len(after)].lower() == after.lower())
                    return match.group(0) if inside else name

                text = re.sub(r"(?<![\w-])" + re.escape(part) + r"(?![\w-])", whole, text, flags=re.IGNORECASE)
        return text


def _leading_on(step, after: dict[int, int], bonus: Optional[float] = None):
    """``step`` where a row whose last token is a key of ``after`` goes on with its value: only with
    it where ``bonus`` is None (a piece of a split word: "Gizmo42" is said whole or not at all), else
    with ``bonus`` added to it (a told phrase, "yerba mate", tends to be said whole). A value past
    the step's scores (a word the memory has dropped) is left free."""
    if not after or (bonus is not None and bonus <= 0):
        return step
    keys, values = torch.tensor(list(after)), torch.tensor(list(after.values()))

    def leading(tokens: torch.Tensor, state):
        log_probs, attention, state = step(tokens, state)
        nexts = values.to(tokens.device)
        said = (tokens.unsqueeze(1) == keys.to(tokens.device)) & (nexts < log_probs.size(1))
        rows, which = said.nonzero(as_tuple=True)
        if rows.numel():
            nexts = nexts[which]
            if bonus is None:
                kept = log_probs[rows, nexts]
                log_probs = log_probs.index_put((rows,), log_probs.new_tensor(float("-inf")))
                log_probs = log_probs.index_put((rows, nexts), kept)
            else:
                log_probs = log_probs.index_put((rows, nexts), log_probs.new_tensor(bonus), accumulate=True)
        return log_probs, attention, state
    return leading


# What a reply gains for going on, after a word outside the vocabulary, with the word that followed
# it where it was told (see _leading_on).
GO_ON = 3.0
# How many replies the model gives, forced to start the way it states a kind of thing the user told
# a value of, where a candidate declines or states a wrong value of it (engine.tasks.told.restart).
FORCED_BEAMS = 4


_CAPITALISED = re.compile(r"[A-Z][a-z]+")
# Small words inside a name, written in lower case ("Clair de Lune", "Leonardo da Vinci", "Game of Thrones").
_PARTICLES = frozenset("de da di du del della des van von der den la le of the y".split())
_SENTENCE_END = re.compile(r"[.!?]$")


def _names(text: str, least: int = 2) -> list[str]:
    """Runs of ``least`` or more capitalised words in ``text`` ("I live in New Ardmoor." -> "New
    Ardmoor"), with any small word of a name between two of them (:data:`_PARTICLES`: "Clair de
    Lune", "Lord of the Rings"); a sentence's first word is left out (it is capitalised as the
    sentence's), punctuation ends a run."""
    names, run, sentence_start = [], [], True

    def close():
        while run and run[-1] in _PARTICLES:
            run.pop()
        if len(run) >= least:
            names.append(" ".join(run))
        run.clear()

    for chunk in text.split():
        word = chunk.strip(".,;:!?\"'()[]{}")
        if word and not sentence_start and _CAPITALISED.fullmatch(word):
            run.append(word)
        elif word in _PARTICLES and run and chunk == word:
            run.append(word)
        else:
            close()
        if chunk != word:
            close()
        sentence_start = bool(_SENTENCE_END.search(chunk))
    close()
    return names


# A stored pair that matches the turn at least this well (``Hit.relevance``) may answer it: its
# answer joins the reranked replies whole (a weaker match's would be said where it does not belong:
# "All those years at charm school. Wasted." to a chitchat turn, relevance 0.29), and where it is
# the best pair the topic words, a prior for open chat, keep out of the search (they steered "tell
# me the wifi password" to "Password reset option" instead of "... marmalade").
STORED_FOCUS = 0.6
# What a reply that says such a pair's answer gains in the reranking's score (per-token units), times
# the pair's relevance: the user stored the answer for a question like this one. On the validation
# sets (session 17, 0.5-0.9 by 0.1 and 0-8 swept): factoid_recall 0.455 -> 0.91 and 0.445 -> 0.85 for
# shaken questions, leak_rate 0.035 -> 0.035; 5 gave 0.94 / 0.92 but 0.05 of chitchat replies said a
# stored answer, 0 left the model's own words to choose: it scores a several-word answer it reads
# well below its own short ones.
STORED_PRIOR = 3.5


# A retrieved pair that matches the turn less well than this is not read at all (``question_match``: a
# shipped pair's before SHIPPED_WEIGHT halves it, that weight only ranks the user's pairs first).
# The network, trained to ignore unrelated pairs, still took words from weakly matched ones ("I don't
# know you personally." read beside "I have a lot of homework" gave "... but I don't know if I can do
# that."). Session 18, the validation sets, floors 0 / 0.3 / 0.45 / 0.55 / 0.65 / 0.75 with session
# 17's retrained weights: see docs/experiments.md.
READ_FLOOR = 0.55


def _owned(reply: str) -> str:
    """``reply`` with the model's slip of "your dog name" written "your dog's name" (its vocabulary has
    no "dog's"); not "your first name", "your full name" ... ."""
    return _NAME_SLIP.sub(lambda match: f"{match.group(1)}{match.group(2)}'s name", reply)


_NAME_SLIP = re.compile(r"\b((?i:your|my|his|her) )(?!(?:first|last|full|middle|maiden|user|screen|stage|brand|code"
                        r"|family|real|given|nick|pen|sur|pet|own|new|old|birth|married|legal|display|team|band"
                        r"|company|business|shop|baby|favourite|favorite|money)\b)([a-z]+) name\b")


def _not_knowing_theirs(reply: str) -> bool:
    """Whether ``reply`` says the bot does not know something of the user's ("Sorry, I don't know
    your plans for soaked.", "I don't know what you do for a living, you never heard."); not "I
    don't know, you?" nor "I don't know what you mean"."""
    said = f" {' '.join(tokenize(reply))} "
    return says_any(plain(reply), ABSTAIN_MARKERS) and any(of_theirs in said for of_theirs in _OF_THEIRS)


_OF_THEIRS = (" your ", " what you do ", " where you live ", " where you work ", " who you are ", " how old you ")


def recalls(reply: str) -> bool:
    """Whether ``reply`` says the user never told something (:func:`engine.tasks.told.declines`),
    that the bot does not know something of theirs (:func:`_not_knowing_theirs`) or says back what
    they told ("You said ...")."""
    return declines(reply) or _not_knowing_theirs(reply) or plain(reply).startswith("you said ")


def pairs_read(knowledge, text: str, k: int) -> list:
    """The stored pairs a reply to ``text`` reads: of the ``k`` in ``knowledge`` most like it (a
    question that says just what it says among them, :func:`_exact_first`), those that match it at
    least :data:`READ_FLOOR` and ask about the same person, best first; to news of the user's
    (:func:`engine.tasks.chat_mood.own_news`), only the shipped ones that answer it
    (:func:`_answers_news`): "I got a new haircut" -> "I see." is not read for "i got a new
    job!". (The user's own pairs are read by their match alone: a question they imported, shaken
    or without its "?", may read as news.)"""
    person, news = _person(text), own_news(text)
    named = not person and bool(_names(text, least=1))  # "what's wrong with Max?" asks of Max
    return [hit for hit in _exact_first(knowledge.search(text, k=k + EXACT_LOOK))[:k]
            if question_match(hit) >= READ_FLOOR
            and not _other_person(person, _person(hit.pair.question), hit.pair.source == "shipped", named)
            and (not news or hit.pair.source != "shipped" or _answers_news(hit, text))]


# How many pairs past the k best a question that says just what the turn says is looked for among.
EXACT_LOOK = 4


def _exact_first(hits: list) -> list:
    """``hits`` (best first) with each whose question says just the turn's words (agreement 1)
    moved up past those that do not, of the shipped ones, or of any where it is the user's own:
    "hello" reads the shipped "Hello" before "Hello Siri", whose answer ("That's not me, but hello
    nonetheless!") says "hello" again and so scores higher; a pair the user taught still comes
    before a shipped one that asks the turn word for word."""
    ordered = list(hits)
    for hit in [hit for hit in hits if hit.agreement >= 1.0]:
        i = ordered.index(hit)
        while i > 0 and ordered[i - 1].agreement < 1.0 and (
                ordered[i - 1].pair.source == "shipped" or hit.pair.source != "shipped"):
            ordered[i - 1], ordered[i] = ordered[i], ordered[i - 1]
            i -= 1
    return ordered




def _person(text: str) -> frozenset[int]:
    """Whom ``text`` speaks of: 1 (the speaker: "i", "my"), 2 (the one spoken to: "you", "your")."""
    words = set(tokenize(text))
    return frozenset(n for n, said in ((1, words & FIRST_PERSON), (2, words & SECOND_PERSON)) if said)


def _other_person(turn: frozenset[int], question: frozenset[int], shipped: bool = False,
                  named: bool = False) -> bool:
    """Whether a turn about the user alone and a stored question about the bot alone (or the other
    way round) ask about different people: "where do i live?" is not "Where do you live?" (its
    shipped answer, "I'm digital, so I'm always just... Here.", was said to a user who had not said
    where they live, and read beside one who had); and a turn about the bot alone and a
    ``shipped`` question about the user and the bot: "do you like music?" is not "Do you like
    me?" (whose answer, "I like you lots!", it was given), nor "what do you think about cats?"
    "What do you think about me?". (A pair of the user's is theirs to match loosely: an imported
    "who sings I Only Want to Be with You?" is still read for the question without its "i".) Nor
    is a turn about someone ``named`` and neither of them a ``shipped`` question about the bot:
    "what's wrong with Max?" is not "What's wrong with you?" ("I'm a work in progress.")."""
    return (len(turn) == len(question) == 1 and turn != question
            or shipped and turn == {2} and question == {1, 2}
            or shipped and named and not turn and 2 in question)


# Words this frequent in the vocabulary are no one's name (rank 300: "hope" is 302, "hello" 210; "john" 1,820).
COMMON_WORDS = 300

# A pair the user taught or imported whose question says nearly the words of the turn
# (``Hit.agreement`` at least this) is answered with its answer: the user taught the bot what to say
# to this question, and the network, trained to weigh a stored answer against its own words, still
# preferred its own ("Not funny." with "That's not funny." -> "Sometimes humor is tricky for a bot."
# taught, agreement 0.93: "Aw, I'm blushing."). Shipped pairs are left to the network but for the
# word-for-word questions below. Session 19, the validation sets: see docs/experiments.md.
SURE_MATCH = 0.75
SURE_PRIOR = 10.0  # per-token units: more than any reply of the model's own gains over another
# A shipped pair is said as surely where it asks word for word (``Hit.agreement`` at least this) what
# a question about the bot alone asks: "what's your name?" gets the bot's own "Oh, I don't have a
# name." after a greeting too, not the network's "My name is sarah.". Session 28.
SHIPPED_SURE_MATCH = 0.95


def _answering(hits: list, answers: list[tuple], text: str) -> set[tuple]:
    """The answers (``answers``, the model's ids of each of ``hits``' answers) of the retrieved
    pairs that answer the news ``text`` (:func:`_answers_news`)."""
    return {ids for hit, ids in zip(hits, answers) if ids and _answers_news(hit, text)}


def _answers_news(hit, text: str) -> bool:
    """Whether the retrieved pair of ``hit`` answers the news ``text``: it matches it well
    (:func:`_matches_well`) or its question, no question itself, speaks of what happened
    (:func:`engine.tasks.chat_mood.what_happened`): "So tired" of "i'm so tired today", not "You
    are my best friend" of "my best friend died", nor "I got a new haircut" of "i got a new job"
    (light words, :data:`_LIGHT`, say nothing of what happened), nor "Should I get a new job?"."""
    happened = set(tokenize(what_happened(text))) - STOP_WORDS - _LIGHT
    return _matches_well(hit) or (bool(happened & set(tokenize(hit.pair.question.lower())))
                                  and "?" not in hit.pair.question)


# Words of news that say when or that something happened, not what: "got", "new", "today".
_LIGHT = frozenset("got get gets getting had has have new just finally today yesterday tonight now week "
                   "first last really".split())


def _matches_well(hit) -> bool:
    return hit.relevance >= STORED_FOCUS


def _asks_the_same(hit, text: str) -> bool:
    if hit.pair.source != "shipped":
        return hit.agreement >= SURE_MATCH
    return hit.agreement >= SHIPPED_SURE_MATCH and "?" in text and _person(text) == {2}


def _turns_ago(memory: Memory, turn: torch.Tensor, stored: Optional[tuple] = None) -> list[int]:
    """For each memory entry (batch 1): how many turns before the current message it was said
    (0: this message, 1: the bot's last reply, 2: the user's message before, ...); -1 - i for the
    words of the i-th stored pair read (``stored``: its tensors; the pairs' entries come last,
    ``width`` apiece)."""
    ago = torch.where(memory.turns < 0, -1, turn.view(-1, 1) - memory.turns)[0].tolist()
    if stored is not None:
        width = stored[0].size(2)
        first = len(ago) - stored[0].size(1) * width
        ago[first:] = [-1 - (i - first) // width for i in range(first, len(ago))]
    return ago


# A reply drew on a stored pair when at least this share of its words were copied (copied share >=
# 1/2) with their attention mostly on that pair's words.
DRAWN_ON = 0.3


def _drawn_on(hits: list, stored: Optional[tuple], memory: Memory, attention: list[list[float]],
              copied: list[float], said: Optional[int] = None) -> Optional[KnowledgeUse]:
    """The stored pair the reply took its words from (see ``DRAWN_ON``), or the pair ``said``
    (an index into ``hits``) whose answer the reply is, word for word; or None."""
    if not hits or not copied:
        return None
    width = stored[0].size(2)  # each pair's entries follow the conversation's, ``width`` apiece
    first = len(memory) - len(hits) * width
    counts = [0] * len(hits)
    for row, share in zip(attention, copied):
        entry = max(range(len(row)), key=row.__getitem__)
        if share >= 0.5 and entry >= first:
            counts[(entry - first) // width] += 1
    best = max(range(len(hits)), key=counts.__getitem__) if said is None else said
    share = counts[best] / len(copied)
    if share < DRAWN_ON and said is None:
        return None
    pair = hits[best].pair
    return KnowledgeUse(pair.question, pair.answer, pair.source, round(share, 3))
