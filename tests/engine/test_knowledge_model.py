"""The memory model reading stored (question, answer) pairs: it says back an answer stored under
a paraphrase, letter for letter, and leaves an unrelated stored pair alone."""
from typing import NamedTuple

import pytest
import torch

from engine.data.chat import make_turn_batch
from engine.data.knowledge_data import knowledge_tensors, pair_ids
from engine.decode_config import DecodeConfig
from engine.knowledge_pairs import KnowledgePair
from engine.tasks.chat import ChatPredictor
from engine.text import Vocab
from tiny_chat import train_knowing_model

GREEDY = DecodeConfig.of(strategy="greedy")


class _Hit(NamedTuple):
    pair: KnowledgePair
    relevance: float
    agreement: float = 0.0


class _Store:
    """Stands in for the retrieval index: gives back its pairs as they are, each matching the turn
    ``relevance`` well."""

    def __init__(self, *pairs, relevance=1.0, agreement=0.0, source="user"):
        self.pairs = [KnowledgePair(q, a, source) for q, a in pairs]
        self.relevance, self.agreement = relevance, agreement

    def search(self, text, k=3, context=()):
        return [_Hit(p, self.relevance, self.agreement) for p in self.pairs[:k]]


@pytest.fixture(scope="module")
def taught():
    model, vocab = train_knowing_model()
    return ChatPredictor(model, vocab, torch.device("cpu"), "knowing")


def test_pairs_become_tensors_with_the_answer_marked():
    vocab = Vocab.build([["the", "code", "is", "door"]], min_count=1)
    unknown: dict[str, int] = {}
    pair = pair_ids("door code", "the code is Zorp7", lambda t: vocab.encode_extended(t, unknown))
    ids, answer = knowledge_tensors([[pair], []])
    assert ids.shape == (2, 1, 7) and ids[1].eq(0).all()  # "Zorp7" is read as "zorp" and "7"
    assert answer[0, 0].tolist() == [False, False, True, True, True, True, True]
    assert ids[0, 0, -2:].tolist() == [len(vocab), len(vocab) + 1]  # words outside the vocabulary: extended ids
    batch = make_turn_batch([([5], [6], (pair,)), ([5], [6])], [True, True], vocab)
    assert batch.knowledge is not None and batch.knowledge[0].shape == (2, 1, 7)


def test_a_stored_answer_is_said_back_from_a_paraphrase_and_an_unrelated_pair_is_ignored(taught):
    store = _Store(("gate code please", "the code is Kelumo42"), ("safe code please", "the code is Vabiru7"))
    reply = taught.reply("what is the code for the safe ?", None, GREEDY, knowledge=store)
    assert "Vabiru7" in reply.text and "Kelumo42" not in reply.text  # spelt as stored
    assert reply.knowledge is not None and reply.knowledge.question == "safe code please"
    assert -1 in reply.source_turns  # the attention view sees the stored words, pair by pair
    assert reply.stored_questions == ["gate code please", "safe code please"]
    assert set(reply.source_turns[-2 * reply.source_turns.count(-2):]) == {-1, -2}
    assert "<pad>" not in reply.source_tokens and len(reply.source_tokens) == len(reply.source_turns)
    assert all(len(row) == len(reply.source_tokens) and abs(sum(row) - 1) < 1e-3 for row in reply.attention)
    other = taught.reply("what is the code for the gate ?", None, GREEDY, knowledge=store)
    assert "Kelumo42" in other.text
    talk = taught.reply("how are you ?", None, GREEDY, knowledge=_Store(("bike code please", "the code is Dosane5")))
    assert talk.text.lower().startswith("i am fine") and "Dosane5" not in talk.text and talk.knowledge is None


def test_the_conversation_memory_keeps_no_stored_words(taught):
    store = _Store(("door code please", "the code is Mipafo3"))
    reply = taught.reply("what is the code for the door ?", None, GREEDY, knowledge=store)
    memory = reply.state.tensors.memory
    assert memory.turns.min() >= 0  # only the turn and the reply were remembered
    # the same conversation rebuilt from its saved exchange gives the same state
    rebuilt = taught.rebuild_state([("what is the code for the door ?", reply.text)])
    assert torch.allclose(rebuilt.tensors.h, reply.state.tensors.h, atol=1e-5)


def test_the_retrieved_answers_join_the_reranked_replies_scored_by_the_model(taught):
    # The unrelated pair's answer is never a reply the search finds; offered to the reranking, it
    # is among the replies it orders, scored below the stored answer the question asks for.
    pairs = (("safe code please", "the code is Vabiru7"), ("bike code please", "my bike is Dosane5"))
    store = _Store(*pairs)
    rerank = DecodeConfig.of(strategy="beam", beam_size=3, mmi_weight=0.3, mmi_confident=2.0, stored_answers=True)
    text = "what is the code for the safe ?"
    offered = taught.reply(text, None, rerank, knowledge=store, avoid=["nothing like it"])
    alone = taught.reply(text, None, DecodeConfig.of(**{**rerank.flat(), "stored_answers": False}),
                         knowledge=store, avoid=["nothing like it"])
    scores = {text.lower(): score for text, score in offered.alternatives}
    found = {text.lower() for text, _ in alone.alternatives}
    assert "my bike is dosane5" in scores and "my bike is dosane5" not in found
    assert scores["my bike is dosane5"] < scores["the code is vabiru7"]
    assert set(scores) - found <= {"my bike is dosane5", "the code is vabiru7"}
    # Pairs that match the turn fairly (read, but below STORED_FOCUS) are read but their answers
    # are not offered whole.
    from engine.tasks.chat_memory import READ_FLOOR, STORED_FOCUS

    assert READ_FLOOR < STORED_FOCUS
    fair = taught.reply(text, None, rerank, knowledge=_Store(*pairs, relevance=(READ_FLOOR + STORED_FOCUS) / 2),
                        avoid=["nothing like it"])
    assert fair.stored_questions == [q for q, _ in pairs]
    assert {text.lower() for text, _ in fair.alternatives} == found


def test_a_pair_that_matches_the_turn_weakly_is_not_read(taught):
    from engine.tasks.chat_memory import READ_FLOOR

    text = "what is the code for the safe ?"
    alone = taught.reply(text, None, GREEDY)
    weak = taught.reply(text, None, GREEDY, knowledge=_Store(("safe code please", "the code is Vabiru7"),
                                                             relevance=READ_FLOOR - 0.05))
    assert weak.stored_questions == [] and weak.knowledge is None
    assert weak.text == alone.text and "Vabiru7" not in weak.text
    read = taught.reply(text, None, GREEDY, knowledge=_Store(("safe code please", "the code is Vabiru7"),
                                                             relevance=READ_FLOOR + 0.05))
    assert read.stored_questions == ["safe code please"] and "Vabiru7" in read.text


def test_a_shipped_pair_is_judged_by_its_match_before_its_weight():
    from engine.knowledge_index import SHIPPED_WEIGHT
    from engine.tasks.chat_memory import READ_FLOOR, pairs_read

    match = READ_FLOOR + 0.05
    store = _Store(("who made you", "people did"), relevance=match * SHIPPED_WEIGHT)
    store.pairs = [KnowledgePair(q, a, source="shipped") for q, a in [("who made you", "people did")]]
    assert [hit.pair.answer for hit in pairs_read(store, "who made you?", 3)] == ["people did"]
    store.pairs = [KnowledgePair("who made you", "people did", source="user")]  # the same relevance, taught
    assert pairs_read(store, "who made you?", 3) == []


def test_a_stored_answer_gains_its_match_with_the_turn_in_the_reranking(taught):
    from engine.tasks.chat_memory import STORED_PRIOR

    # The same answer stored under a question that matches the turn better scores higher by
    # STORED_PRIOR times the difference; the model's own replies score the same either way.
    pairs = (("safe code please", "the code is Vabiru7"),)
    rerank = DecodeConfig.of(strategy="beam", beam_size=3, mmi_weight=0.3, mmi_confident=2.0, stored_answers=True)
    text = "what is the code for the safe ?"
    close, fair = ({said.lower(): score for said, score in
                    taught.reply(text, None, rerank, knowledge=_Store(*pairs, relevance=relevance),
                                 avoid=["nothing like it"]).alternatives}
                   for relevance in (1.0, 0.7))
    assert close["the code is vabiru7"] - fair["the code is vabiru7"] == pytest.approx(0.3 * STORED_PRIOR, abs=1e-4)
    assert set(close) == set(fair) and len(close) > 1
    assert all(close[said] == pytest.approx(fair[said], abs=1e-4) for said in close if said != "the code is vabiru7")


def test_a_turn_a_stored_pair_answers_well_is_not_steered_by_the_topic_words(taught):
    from engine.topic import TopicWords

    vocab = taught.vocab
    # "code" linked strongly to "sunny": steering turns a code reply into talk of the weather.
    taught.topic_words = TopicWords(torch.tensor([vocab.stoi["code"]]), torch.tensor([vocab.stoi["sunny"]]),
                                    torch.tensor([40.0]), len(vocab))
    try:
        steer = DecodeConfig.of(strategy="greedy", topic_weight=1.0)
        pairs = (("safe code please", "the code is Vabiru7"),)
        close = taught.reply("what is the code for the safe ?", None, steer, knowledge=_Store(*pairs, relevance=0.8))
        loose = taught.reply("what is the code for the safe ?", None, steer, knowledge=_Store(*pairs, relevance=0.2))
    finally:
        taught.topic_words = None
    assert "Vabiru7" in close.text and "sunny" not in close.text.lower()
    assert "sunny" in loose.text.lower()


def test_the_padding_of_shorter_stored_pairs_is_left_out_of_the_attention(taught):
    store = _Store(("safe code please", "the code is Vabiru7"), ("gate code", "Kelumo42"))
    reply = taught.reply("what is the code for the safe ?", None, GREEDY, knowledge=store)
    assert "<pad>" not in reply.source_tokens and len(reply.source_tokens) == len(reply.source_turns)
    assert reply.source_turns.count(-1) == 8 and reply.source_turns.count(-2) == 4  # "gate code kelumo 42"
    assert all(len(row) == len(reply.source_tokens) and abs(sum(row) - 1) < 1e-3 for row in reply.attention)


@torch.no_grad()
def test_the_stored_answers_are_scored_in_one_pass_as_the_search_scores_them_word_by_word(taught):
    model, vocab = taught.model, taught.vocab
    unknown: list[str] = []
    store = _Store(("safe code please", "the code is Vabiru7"), ("gate code", "Kelumo42"))
    text = "what is the code for the safe ?"
    source = taught.memory_ids(text, unknown, 32)
    stored, hits, _ = taught._stored_pairs(text, unknown, store)
    memory, decoder = model.start_reply(torch.tensor([source]), taught.start_state(1), stored)
    replies = [taught.memory_ids(hit.pair.answer, unknown, 32) for hit in hits] + [vocab.encode(["i", "am", "fine"])]
    together = model.score_replies(replies, decoder, vocab.sos_id, memory)
    # (the gate's code is all but impossible here: the two ways of scoring floor it differently)
    for reply, score in zip(replies[::2], together[::2].tolist()):
        state, total, token = decoder, 0.0, vocab.sos_id
        for wanted in reply + [vocab.eos_id]:
            log_probs, _, state = model.decode_step(torch.tensor([token]), state, memory)
            total += float(log_probs[0, wanted])
            token = wanted
        assert score == pytest.approx(total, abs=1e-3)
    assert together[0] > together[2] > together[1]  # the safe's code, asked for, is the likelier answer


def test_a_taught_pair_that_asks_what_the_turn_asks_is_answered_with_its_answer(taught):
    from engine.tasks.chat_memory import SURE_MATCH

    # An answer the model would not choose over its own (the bike's code, to a question about the
    # safe): taught under a question of nearly the turn's words, it is the reply, spelt as taught;
    # a shipped pair, or a taught one that shares fewer of the turn's words, is left to the network.
    rerank = DecodeConfig.of(strategy="beam", beam_size=3, mmi_weight=0.3, mmi_confident=2.0, stored_answers=True)
    text = "what is the code for the safe ?"
    pair = ("what is the code for the safe", "my bike is Dosane5")
    replies = {(agreement, source): taught.reply(text, None, rerank, knowledge=_Store(
        pair, relevance=0.7, agreement=agreement, source=source))
        for agreement, source in ((SURE_MATCH - 0.05, "user"), (SURE_MATCH, "user"), (SURE_MATCH, "import"),
                                  (1.0, "shipped"))}
    said = {key: reply.text for key, reply in replies.items()}
    assert said[SURE_MATCH, "user"] == said[SURE_MATCH, "import"] == "My bike is Dosane5"
    assert replies[SURE_MATCH, "user"].knowledge.question == pair[0]  # the window says where it came from
    assert said[SURE_MATCH - 0.05, "user"] != "My bike is Dosane5"  # the network still copies the code
    assert said[1.0, "shipped"] != "My bike is Dosane5"
