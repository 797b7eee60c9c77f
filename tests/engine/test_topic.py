"""Topic words (engine.topic): counted from (turn, reply) pairs, stored beside the chat model, and
steering a turn-only model's reply toward the words that answer the turn's, each once (the memory
model's replies: test_topic_memory.py)."""
import math

import pytest
import torch

from engine import MAX_TOPIC_WEIGHT
from engine.checkpoint import CheckpointError
from engine.decode_config import DecodeConfig
from engine.tasks.chat import ChatPredictor
from engine.text import Vocab, tokenize
from engine.topic import TopicWords
from tiny_chat import MEMORY

# "dog" turns are answered with "puppies", "eat" turns with "pizza"; "yeah" and "ok" come with
# every topic and are among the most frequent words, which carry none.
TURNS_AND_REPLIES = ([("i love my dog", "yeah puppies are great")] * 5
                     + [("what did you eat", "ok pizza with cheese")] * 5
                     + [("my car broke", "yeah ok mechanics help")] * 5)


def encoded(vocab):
    return [(vocab.encode(tokenize(turn)), vocab.encode(tokenize(reply))) for turn, reply in TURNS_AND_REPLIES]


@pytest.fixture(scope="module")
def vocab():
    return Vocab.build([tokenize(text) for pair in TURNS_AND_REPLIES for text in pair], min_count=1)


def test_counted_topic_words_are_the_discounted_association_of_turn_and_reply_words(vocab):
    topic = TopicWords.count(encoded(vocab), vocab, discount=1.0, min_pair_count=3, stopwords=3)
    bias = topic.bias(vocab.encode(["dog"]))
    # log(N (c(s, w) - 1) / (c(s) c(w))), N = 15 pairs, each pair of words seen 5 times.
    expected = math.log(15 * 4 / (5 * 5))
    assert float(bias[vocab.stoi["puppies"]]) == pytest.approx(expected, abs=1e-6)
    assert float(bias[vocab.stoi["pizza"]]) == 0 and float(bias[vocab.stoi["yeah"]]) == 0
    # A turn's bias is each word's strongest link to any of its words; unknown and special ids add nothing.
    both = topic.bias(vocab.encode(["dog", "eat"]) + [vocab.unk_id, vocab.pad_id, 10_000])
    assert float(both[vocab.stoi["puppies"]]) == float(both[vocab.stoi["pizza"]]) == pytest.approx(expected, abs=1e-6)
    assert int((both > 0).sum()) == int((bias > 0).sum()) + int((topic.bias(vocab.encode(["eat"])) > 0).sum())
    assert not bool(topic.bias(vocab.encode(["great"])).any())  # a reply word links nothing as a turn word
    # A memory model's extended ids (words outside the vocabulary) count as <unk>, which links nothing.
    extended = [(turn + [len(vocab)], reply + [len(vocab) + 1]) for turn, reply in encoded(vocab)]
    again = TopicWords.count(extended, vocab, discount=1.0, min_pair_count=3, stopwords=3)
    assert float(again.bias(vocab.encode(["dog"]))[vocab.stoi["puppies"]]) > 0
    assert vocab.unk_id not in again.turns.tolist() + again.words.tolist()
    # Seen too rarely together, a pair links nothing.
    assert len(TopicWords.count(encoded(vocab)[:2], vocab, min_pair_count=3, stopwords=3)) == 0


def test_topic_words_round_trip_and_refuse_another_vocabulary_or_a_damaged_file(vocab, tmp_path):
    topic = TopicWords.count(encoded(vocab), vocab, stopwords=3)
    path = topic.save(tmp_path / "chat_topic.safetensors", vocab)
    again = TopicWords.load(path, vocab)
    assert len(again) == len(topic) > 0
    for word in ("dog", "eat", "car"):
        assert torch.allclose(again.bias(vocab.encode([word])), topic.bias(vocab.encode([word])), atol=1e-3)
    other = Vocab.build([["something", "else"]], min_count=1)
    with pytest.raises(CheckpointError, match="another vocabulary"):
        TopicWords.load(path, other)
    # Well-formed files with values no counting makes: ids past the vocabulary, a strength of NaN.
    for tamper in ("word", "strength"):
        broken = TopicWords.count(encoded(vocab), vocab, stopwords=3)
        if tamper == "word":
            broken.words[0] = len(vocab) + 5
        else:
            broken.strengths[0] = float("nan")
        bad = broken.save(tmp_path / f"{tamper}_topic.safetensors", vocab)
        with pytest.raises(CheckpointError, match="damaged topic words"):
            TopicWords.load(bad, vocab)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match=path.name):
        TopicWords.load(path, vocab)


@pytest.fixture(scope="module")
def predictor(memory_model):
    # Its own copy: these tests attach topic words to it.
    return ChatPredictor.load(memory_model[1], backward=None, topic=None)


def with_topic(predictor, links: dict[str, dict[str, float]]) -> ChatPredictor:
    vocab = predictor.vocab
    triples = [(vocab.stoi[s], vocab.stoi[w], x) for s, words in links.items() for w, x in words.items()]
    turns, words, strengths = (torch.tensor(column) for column in zip(*triples))
    predictor.topic_words = TopicWords(turns, words, strengths.float(), len(vocab))
    return predictor


def test_topic_words_steer_the_reply_to_say_the_linked_word_once(predictor):
    vocab = predictor.vocab
    plain = predictor.reply("how are you ?", None, DecodeConfig.of(strategy="greedy"))
    assert plain.text.lower().startswith("fine thanks")
    # "music" is a word the model knows from another conversation; linked strongly to "how", it
    # comes into the reply, once, though its bonus would make it likelier than anything else again.
    with_topic(predictor, {"how": {"music": 30.0}})
    for config in (DecodeConfig.of(strategy="greedy", topic_weight=1.0),
                   DecodeConfig.of(beam_size=3, topic_weight=1.0),
                   DecodeConfig.of(strategy="sample", seed=3, topic_weight=1.0)):
        steered = predictor.reply("how are you ?", None, config)
        assert steered.tokens.count("music") == 1, (config.search.strategy, steered.text)
        # The state that ends the reply is the one after reading it, through the wrapped search state.
        memory_state = predictor.start_state(1)
        _, after_turn = predictor.steps.start_reply(torch.tensor([predictor.encode_turn("how are you ?")]),
                                                    memory_state)
        after = predictor.steps.read_reply(vocab.encode(steered.tokens), after_turn, vocab.sos_id)
        assert torch.allclose(steered.state.tensors[0], after[0], atol=1e-5)
    # Weight 0, or a turn without linked words, decodes as without topic words.
    off = DecodeConfig.of(strategy="greedy", topic_weight=0.0)
    assert predictor.reply("how are you ?", None, off).text == plain.text
    nothing = predictor.reply("hi", None, DecodeConfig.of(strategy="greedy", topic_weight=1.0))
    predictor.topic_words = None
    assert nothing.text == predictor.reply("hi", None, DecodeConfig.of(strategy="greedy")).text
    with pytest.raises(ValueError):
        DecodeConfig.of(topic_weight=-0.5)
    with pytest.raises(ValueError, match="topic words"):
        DecodeConfig.of(topic_weight=MAX_TOPIC_WEIGHT + 0.5)


def test_the_reranking_counts_the_topic_bonus_of_the_words_each_reply_says(predictor):
    vocab = predictor.vocab
    with_topic(predictor, {"music": {"jazz": 2.0, "yes": 1.0}})
    config = DecodeConfig.of(beam_size=3, n_best=6, mmi_weight=0.5, mmi_confident=2.0, topic_weight=0.5)
    try:
        reply = predictor.reply("do you like music ?", None, config)
    finally:
        predictor.topic_words = None
    source = predictor.encode_turn("do you like music ?")
    replies = [vocab.encode(tokenize(text)) for text, _ in reply.alternatives]
    true = predictor.log_likelihoods(predictor.start_state(1), [(source, r) for r in replies])
    prior = predictor.log_prior(replies)
    bonus = {vocab.stoi["jazz"]: 1.0, vocab.stoi["yes"]: 0.5}
    expected = [float((c - 0.5 * p + sum(bonus.get(t, 0.0) for t in set(r))) / (len(r) + 1))
                for c, p, r in zip(true, prior, replies)]
    assert [score for _, score in reply.alternatives] == pytest.approx(expected, abs=5e-3)
    assert any("jazz" in text for text, _ in reply.alternatives)


def test_topic_words_are_found_beside_the_chat_model_and_a_bad_file_is_only_noted(predictor, tmp_path):
    vocab = predictor.vocab
    chat = tmp_path / "mine.safetensors"
    from engine.checkpoint import Checkpoint, save_checkpoint
    from dataclasses import asdict

    save_checkpoint(chat, Checkpoint("chat", asdict(predictor.model.config), predictor.model.state_dict(), vocab.itos))
    beside = tmp_path / "mine_topic.safetensors"
    pairs = [(vocab.encode(tokenize(a)), vocab.encode(tokenize(b))) for c in MEMORY for a, b in zip(c[::2], c[1::2])]
    TopicWords.count(pairs * 3, vocab, min_pair_count=1, stopwords=5).save(beside, vocab)
    assert ChatPredictor.load(chat).topic_words is not None
    beside.write_bytes(beside.read_bytes()[:100])
    damaged = ChatPredictor.load(chat)
    assert damaged.topic_words is None and beside.name in damaged.topic_note
    assert damaged.reply("hi", None, DecodeConfig.of(topic_weight=1.0)).text
    # The shipped topic words are for the shipped vocabulary, not this one.
    beside.unlink()
    fallback = ChatPredictor.load(chat)
    assert fallback.topic_words is None and fallback.topic_note


def test_a_fine_tuned_predictor_keeps_the_topic_words(predictor):
    from engine.tasks.finetune import tuned_predictor

    with_topic(predictor, {"how": {"music": 3.0}})
    try:
        tuned = tuned_predictor(predictor, torch.device("cpu"))
    finally:
        topic, predictor.topic_words = predictor.topic_words, None
    assert tuned.topic_words is topic  # the app's replies after teaching are steered as before


def test_the_shipped_topic_words_are_for_the_shipped_chat_models_vocabulary():
    from engine.checkpoint import load_checkpoint
    from engine.shipped import DEFAULT_PATHS
    from engine.tasks.chat import beside_path

    vocab = Vocab(load_checkpoint(DEFAULT_PATHS["chat"], kind="chat").vocab)
    topic = TopicWords.load(beside_path(DEFAULT_PATHS["chat"], "topic"), vocab)
    assert len(topic) > 100_000
    # A turn about colours is answered with colours.
    bias = topic.bias(vocab.encode(["favorite", "color"]))
    strongest = [vocab.itos[i] for i in bias.topk(20).indices.tolist()]
    assert {"blue", "purple"} <= set(strongest), strongest
