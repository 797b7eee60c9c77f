"""Topic words steering the memory model's replies: its vocabulary's words gain the bias, the words
it copies from outside the vocabulary (extended ids) gain none, and the reranking weighs the
model's own log p(reply | turn) before adding the topic term back."""
import random
from dataclasses import asdict

import pytest
import torch

from engine.chat_training import TrainConfig, train_chat
from engine.checkpoint import Checkpoint, save_checkpoint
from engine.data.chat import tokenize_conversations, training_streams
from engine.decode_config import DecodeConfig
from engine.models.memory_chat import MemoryChat
from engine.models.seq2seq import Seq2SeqConfig
from engine.tasks.chat import ChatPredictor
from engine.tasks.chat_rerank import Reranking, meets_no_one, topic_bonus
from engine.text import Vocab, tokenize
from engine.topic import TopicWords

GREEDY = DecodeConfig.of(strategy="greedy")


def _conversation(name: str) -> list[str]:
    return [f"my name is {name}", "nice to meet you", "how are you", "i am fine", "what is my name ?",
            f"your name is {name}"]


@pytest.fixture(scope="module")
def memory_chat():
    """A tiny memory model that says back a made-up name told two exchanges before; its vocabulary
    holds the first conversation's words only, so every other name is copied (an extended id)."""
    rng = random.Random(0)
    names = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(200)]
    tokenized = tokenize_conversations([_conversation(name) for name in names])
    vocab = Vocab.build(tokenized[0], min_count=1)
    torch.manual_seed(0)
    model = MemoryChat(Seq2SeqConfig(vocab_size=len(vocab), embedding_size=32, hidden_size=48, attention_size=24,
                                     dropout=0.0, cutoffs=(), memory_tokens=64))
    streams = training_streams(tokenized, vocab, 32, 32, both_sides=False, extended=True)
    train_chat(model, streams, [], vocab,
               TrainConfig(epochs=30, batch_size=32, learning_rate=1e-2, min_learning_rate=1e-3, warmup_steps=10,
                           tbptt_turns=3, valid_every=10**9, min_active_rows=0.0), torch.device("cpu"))
    return ChatPredictor(model, vocab, torch.device("cpu"), "memory-topic")


def linked(predictor: ChatPredictor, links: dict[str, dict[str, float]]) -> TopicWords:
    vocab = predictor.vocab
    triples = [(vocab.stoi[s], vocab.stoi[w], x) for s, words in links.items() for w, x in words.items()]
    turns, words, strengths = (torch.tensor(column) for column in zip(*triples))
    return TopicWords(turns, words, strengths.float(), len(vocab))


@pytest.fixture
def predictor(memory_chat):
    yield memory_chat
    memory_chat.topic_words = None


def test_topic_words_steer_a_memory_model_reply_toward_the_linked_word_once(predictor):
    plain = predictor.reply("how are you", None, GREEDY)
    assert plain.text.lower() == "i am fine"
    # "meet" is a word the model knows from another exchange; linked to "how", the reply takes it up once.
    predictor.topic_words = linked(predictor, {"how": {"meet": 30.0}})
    for config in (DecodeConfig.of(strategy="greedy", topic_weight=1.0), DecodeConfig.of(beam_size=3, topic_weight=1.0),
                   DecodeConfig.of(beam_size=3, mmi_weight=0.5, mmi_confident=2.0, topic_weight=1.0)):
        steered = predictor.reply("how are you", None, config)
        assert steered.tokens.count("meet") == 1, steered.text
        # The state after the reply is the memory model's own (the search's wrapped state unwrapped):
        # the next exchange goes on from it as from a state rebuilt from the text.
        rebuilt = predictor.rebuild_state([("how are you", steered.text)])
        assert torch.allclose(steered.state.tensors[0], rebuilt.tensors[0], atol=1e-5)
        assert torch.equal(steered.state.tensors[2].ids, rebuilt.tensors[2].ids)
    # Weight 0, or no topic words, replies as before.
    assert predictor.reply("how are you", None, DecodeConfig.of(strategy="greedy", topic_weight=0.0)).text == plain.text
    predictor.topic_words = None
    assert predictor.reply("how are you", None, DecodeConfig.of(strategy="greedy", topic_weight=1.0)).text == plain.text


def test_a_copied_word_outside_the_vocabulary_carries_no_bias_and_is_still_said(predictor):
    vocab = predictor.vocab
    state = predictor.reply("my name is Trovelina", None, GREEDY).state
    plain = predictor.reply("what is my name ?", state, GREEDY)
    assert plain.text == "Your name is Trovelina"  # "Trovelina" is copied: an extended id
    # Every vocabulary word linked to the turn's words: the steering pads its bias past the
    # vocabulary (the step scores the vocabulary and the extended ids), so the copied name keeps
    # the model's own probability and is still said.
    predictor.topic_words = linked(predictor, {"name": {w: 0.5 for w in vocab.itos[4:]}})
    config = DecodeConfig.of(strategy="greedy", topic_weight=1.0)
    steered = predictor.reply("what is my name ?", state, config)
    assert steered.text == "Your name is Trovelina"
    # A turn that is all words outside the vocabulary (extended ids in the source) links nothing.
    assert predictor._topic_bias(predictor.memory_ids("Zorblax Quentavio", [], 32), config) is None
    assert predictor.reply("Zorblax Quentavio", state, config).text


def test_the_steering_leaves_extended_ids_alone_and_saying_one_spends_nothing():
    vocab_size, extended = 5, 3
    bias = torch.tensor([0.0, 0.0, 1.0, 2.0, 0.5])
    model_log_probs = torch.log_softmax(torch.arange(vocab_size + extended, dtype=torch.float), 0)

    def step(tokens, state):
        return model_log_probs.expand(tokens.size(0), -1).clone(), None, state + 1

    steered, reorder, start, wrappers = Reranking._topic_steered(step, lambda s, rows: s, 0, bias)
    assert wrappers == 1
    out, _, state = steered(torch.tensor([0]), start)
    assert torch.equal(out[0, :vocab_size], model_log_probs[:vocab_size] + bias)
    assert torch.equal(out[0, vocab_size:], model_log_probs[vocab_size:])  # the extended ids: as the model has them
    out, _, state = steered(torch.tensor([vocab_size + 1]), state)  # a copied word said: the bias is all unspent
    assert torch.equal(out[0, :vocab_size], model_log_probs[:vocab_size] + bias)
    out, _, _ = steered(torch.tensor([3]), state)  # word 3 said: its bias is spent, the others' kept
    assert float(out[0, 3]) == float(model_log_probs[3]) and float(out[0, 2]) == float(model_log_probs[2] + 1.0)
    # What the reranking takes out of a reply's log-probability: each vocabulary word's bias once.
    assert topic_bonus(bias, [3, vocab_size + 1, 3, 4, vocab_size]) == pytest.approx(2.5)


def test_the_reranking_weighs_the_models_own_log_probability_and_adds_the_topic_term(predictor, monkeypatch):
    vocab = predictor.vocab
    state = predictor.reply("my name is Trovelina", None, GREEDY).state
    predictor.topic_words = linked(predictor, {"name": {"nice": 2.0, "your": 1.0}})
    weighed = []
    rerank = predictor._rerank
    monkeypatch.setattr(predictor, "_rerank", lambda hypotheses, *args: weighed.append(hypotheses) or
                        rerank(hypotheses, *args))
    config = DecodeConfig.of(beam_size=3, n_best=6, mmi_weight=0.5, mmi_confident=2.0, topic_weight=0.5)
    reply = predictor.reply("what is my name ?", state, config)
    (hypotheses,) = weighed
    start, unknown, _ = predictor._memory_state(state)
    source = predictor.memory_ids("what is my name ?", unknown, 32)
    bias = {vocab.stoi["nice"]: 1.0, vocab.stoi["your"]: 0.5}
    expected = []
    for h in hypotheses:
        # The log-probability the reranking weighs is the unsteered model's, read token by token.
        assert h.log_prob == pytest.approx(_own_log_prob(predictor, source, start, h.tokens), abs=1e-3)
        prior = float(predictor.log_prior([h.tokens])[0])
        # plus the prior the grounding gave it (a reply that says the name told gains)
        expected.append((h.log_prob - 0.5 * prior + sum(bias.get(t, 0.0) for t in set(h.tokens))) / (len(h.tokens) + 1)
                        + h.prior)
    # less those the bot may not say: "nice to meet you" to a turn that greets no one (`meets_no_one`)
    said = [predictor.memory_words(h.tokens, unknown) for h in hypotheses]
    dropped = [meets_no_one(words, frozenset(), tokenize("what is my name ?")) for words in said]
    assert not all(dropped)
    expected = [score for score, drop in zip(expected, dropped) if not drop]
    assert [score for _, score in reply.alternatives] == pytest.approx(sorted(expected, reverse=True)[:6], abs=5e-3)
    assert any(len(vocab) in h.tokens for h in hypotheses)  # candidates that copy the name were weighed too


@torch.inference_mode()
def _own_log_prob(predictor: ChatPredictor, source: list[int], start, tokens: list[int]) -> float:
    memory, state = predictor.steps.start_reply(torch.tensor([source]), start)
    total, previous = 0.0, predictor.vocab.sos_id
    for token in tokens + [predictor.vocab.eos_id]:
        log_probs, _, state = predictor.steps.decode_step(torch.tensor([previous]), state, memory)
        total, previous = total + float(log_probs[0, token]), token
    return total


def test_missing_or_mismatched_topic_words_leave_the_replies_and_say_why(memory_chat, tmp_path):
    vocab = memory_chat.vocab
    chat = tmp_path / "mine.safetensors"
    save_checkpoint(chat, Checkpoint("chat", asdict(memory_chat.model.config), memory_chat.model.state_dict(),
                                     vocab.itos))
    # None beside it: the shipped topic words are looked for, and they are for another vocabulary.
    fallback = ChatPredictor.load(chat)
    assert fallback.topic_words is None and "another vocabulary" in fallback.topic_note
    # Named but missing, or damaged: noted by name.
    missing = ChatPredictor.load(chat, topic=tmp_path / "nowhere_topic.safetensors")
    assert missing.topic_words is None and missing.topic_note == "no topic words at nowhere_topic.safetensors"
    beside = tmp_path / "mine_topic.safetensors"
    pairs = [(vocab.encode(tokenize(a)), vocab.encode(tokenize(b)))
             for a, b in zip(_conversation("x")[::2], _conversation("x")[1::2])] * 3
    TopicWords.count(pairs, vocab, min_pair_count=1, stopwords=2).save(beside, vocab)
    assert ChatPredictor.load(chat).topic_words is not None
    beside.write_bytes(beside.read_bytes()[:100])
    damaged = ChatPredictor.load(chat)
    assert damaged.topic_words is None and beside.name in damaged.topic_note
    # Every way, the default replies (topic words asked for) go on, and say the same.
    texts = set()
    for predictor in (fallback, missing, damaged):
        state = predictor.reply("my name is Trovelina", None).state
        texts.add(predictor.reply("what is my name ?", state).text)
    assert texts == {"Your name is Trovelina"}


def test_training_a_memory_model_counts_its_topic_words_and_topic_words_only_counts_them_again(tmp_path):
    import json

    from engine.__main__ import main

    # 150 filler words fill the 100 most frequent places, which carry no topic; "dog" turns are
    # answered with "puppies" (8 times); every name is said once, outside the vocabulary.
    rng = random.Random(1)
    fillers = [a + b + c for a in "bdfk" for b in ("ao", "ei", "ou", "ia", "ue") for c in ("l", "n", "m", "rt", "sk",
                                                                                          "p", "st", "nd")][:150]
    say = lambda: " ".join(rng.choice(fillers) for _ in range(6))  # noqa: E731
    conversations = [[f"my name is {rng.choice('bcdfg')}{rng.randrange(10**6)}x", "nice to meet you",
                      "i have a dog" if i < 8 else say(), "puppies are lovely" if i < 8 else say()]
                     for i in range(200)]
    data = tmp_path / "conversations.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in conversations))
    out = tmp_path / "chat.safetensors"
    common = ["--threads", "1", "--data", str(data), "--out", str(out)]
    assert main(["train", "chat", *common, "--epochs", "1", "--memory-tokens", "32", "--memory-share", "0",
                 "--embedding-size", "16", "--hidden-size", "16", "--attention-size", "8", "--min-count", "2",
                 "--progress", "jsonl"]) == 0
    topic = out.with_name("chat_topic.safetensors")
    predictor = ChatPredictor.load(out)
    assert predictor.has_memory and predictor.topic_words is not None and predictor.topic_note == ""
    assert len(predictor.topic_words) > 0
    # The names (extended ids in the training streams) link nothing; the replies' topics do.
    dog = predictor.topic_words.bias(predictor.vocab.encode(["dog"]))
    assert float(dog[predictor.vocab.stoi["puppies"]]) > 0
    assert predictor.reply("i have a dog", None).text  # the default replies are steered by them
    topic.unlink()
    assert ChatPredictor.load(out).topic_words is None
    assert main(["train", "chat", *common, "--topic-words-only"]) == 0
    assert TopicWords.load(topic, predictor.vocab).bias(predictor.vocab.encode(["dog"])).equal(dog)
