"""``reply(avoid=...)``: the next likely reply for regenerate, and none where the model has none.

A tiny model taught two answers to "hello" ("hi there" and "good morning", equally often) and
one to each other turn: each strategy's first reply is one of the two, the reply that avoids it is
the other, and once both are avoided no likely reply is left, so one of them comes back.
"""
import pytest
import torch

from engine.decode_config import DecodeConfig

TWO_REPLIES = [["hello", "hi there"], ["hello", "good morning"], ["how are you ?", "fine thanks"],
               ["bye", "see you"]]
BOTH = {"hi there", "good morning"}


@pytest.fixture(scope="module")
def model():
    from engine.tasks.chat_train import train_small_model

    torch.set_num_threads(1)
    return train_small_model(TWO_REPLIES, epochs=60)


CONFIGS = {
    "beam": DecodeConfig.of(beam_size=3),
    "greedy": DecodeConfig.of(strategy="greedy"),
    "sample": DecodeConfig.of(strategy="sample", seed=3, temperature=0.7),
    "reranked": DecodeConfig.of(beam_size=3, mmi_weight=0.5, mmi_candidates=4),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_avoiding_a_reply_gives_the_other_likely_one_then_none(model, name):
    config = CONFIGS[name]
    first = model.reply("hello", None, config).text.lower()
    assert first in BOTH
    second = model.reply("hello", None, config, avoid=[first]).text.lower()
    assert second in BOTH - {first}
    # Both said: what is left ("hi there there", "there") is far less likely, so no new reply.
    third = model.reply("hello", None, config, avoid=[first, second.upper() + "!"]).text.lower()
    assert third in BOTH


def test_avoid_compares_words_not_case_or_punctuation(model):
    config = CONFIGS["beam"]
    first = model.reply("hello", None, config).text
    assert model.reply("hello", None, config, avoid=[f"  {first.upper()} !"]).text.lower() != first.lower()


def test_the_reply_that_avoids_carries_its_own_state_and_attention(model):
    config = CONFIGS["beam"]
    first = model.reply("hello", None, config)
    other = model.reply("hello", None, config, avoid=[first.text])
    assert other.tokens != first.tokens
    assert len(other.attention) == len(other.tokens)
    # The state after the other reply is the one that reads it: rebuilding from it gives the same.
    rebuilt = model.rebuild_state([("hello", other.text)])
    h, c = other.state.tensors
    h2, c2 = rebuilt.tensors
    assert torch.allclose(h, h2, atol=1e-4) and torch.allclose(c, c2, atol=1e-4)


def test_the_engine_passes_avoid_through(tmp_path):
    from engine.service import Engine
    from engine.tasks.chat_train import train_small_model

    path = tmp_path / "chat.safetensors"
    train_small_model(TWO_REPLIES, path, epochs=60)
    engine = Engine(paths={"chat": path}, device="cpu")
    config = CONFIGS["beam"]
    first = engine.reply("hello", None, config).text.lower()
    assert engine.reply("hello", None, config, avoid=(first,)).text.lower() in BOTH - {first}
