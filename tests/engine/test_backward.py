"""The backward model p(turn | reply) and the reranking that uses it (MMI-bidi)."""
import json

import pytest

from engine.checkpoint import CheckpointError
from engine.data.chat import reversed_exchanges
from engine.decode_config import DecodeConfig
from engine.tasks.chat import ChatPredictor
from engine.tasks.chat_train import train_small_model
from engine.text import tokenize
from tiny_chat import MEMORY, same_alternatives

CONVERSATIONS = MEMORY


@pytest.fixture(scope="module")
def models(tmp_path_factory, memory_model):
    """A tiny chat model and the backward model that the training command makes from it."""
    from engine.__main__ import main

    folder = tmp_path_factory.mktemp("backward")
    _, forward = memory_model
    data = folder / "conversations.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in CONVERSATIONS * 8))
    backward = folder / "reverse.safetensors"
    assert main(["train", "chat", "--threads", "1", "--data", str(data), "--init", str(forward), "--reverse",
                 "--out", str(backward), "--epochs", "30", "--learning-rate", "0.01", "--batch-size", "8", "--tbptt-turns", "1",
                 "--valid-every", "1000000", "--progress", "jsonl"]) == 0
    assert not (folder / "reverse_topic.safetensors").exists()  # topic words serve a forward model only
    return forward, backward


def test_reversed_exchanges_turn_every_exchange_around_one_per_stream():
    streams = [[([1, 2], [3]), ([4], [5, 6])], [([7], [])]]
    assert reversed_exchanges(streams) == [[([3], [1, 2])], [([5, 6], [4])]]


def test_backward_model_learns_which_turn_a_reply_answers(models):
    forward, backward = models
    predictor = ChatPredictor.load(forward, backward=backward)
    assert predictor.backward is not None and predictor.backward_note == ""
    with pytest.raises(CheckpointError, match="backward model"):  # it cannot stand in for the chat model
        ChatPredictor.load(backward)
    encode = lambda text: predictor.vocab.encode(tokenize(text))  # noqa: E731
    # Each true turn opens its conversation, so only the turned-around data has it as a target; the
    # wrong ones are turns that a model trained the forward way learns to write.
    for reply, right, wrong in (("hello alice", "my name is alice", "what is my name ?"),
                                ("fine thanks", "how are you ?", "do you like music ?"),
                                ("hey there", "hi", "nice")):
        assert float(predictor.log_backward(encode(right), [encode(reply)])) > \
            float(predictor.log_backward(encode(wrong), [encode(reply)]))


def test_reranking_adds_the_backward_models_mean_log_probability_of_the_turn(models):
    forward, backward = models
    predictor = ChatPredictor.load(forward, backward=backward)
    plain = DecodeConfig.of(beam_size=4, n_best=4)
    beam = predictor.reply("how are you ?", None, plain)
    source = predictor.encode_turn("how are you ?")
    replies = [predictor.vocab.encode(tokenize(text)) for text, _ in beam.alternatives]
    state = predictor.model.initial_state(1, predictor.device)
    conditional = predictor.log_likelihoods(state, [(source, r) for r in replies])
    # Each reply's backward score, computed alone.
    back = [float(predictor.log_backward(source, [r])) for r in replies]
    expected = [float(c / (len(r) + 1)) + 0.7 * b for c, b, r in zip(conditional, back, replies)]
    reranked = predictor.reply("how are you ?", None, DecodeConfig.of(beam_size=4, n_best=4, mmi_backward_weight=0.7,
                                                                   mmi_confident=2.0))
    assert [score for _, score in reranked.alternatives] == pytest.approx(sorted(expected, reverse=True), abs=1e-3)
    assert reranked.text == beam.alternatives[max(range(4), key=expected.__getitem__)][0]
    # Without a backward model the weight changes nothing.
    alone = ChatPredictor.load(forward, backward=None)
    unweighed = alone.reply("how are you ?", None, DecodeConfig.of(beam_size=4, n_best=4, mmi_backward_weight=0.7,
                                                                mmi_confident=2.0))
    assert same_alternatives(unweighed.alternatives, beam.alternatives)
    with pytest.raises(ValueError):
        DecodeConfig.of(mmi_backward_weight=-0.1)


def test_backward_model_is_found_beside_the_chat_model_and_a_bad_one_is_only_noted(models, tmp_path):
    forward, backward = models
    chat = tmp_path / "mine.safetensors"
    chat.write_bytes(forward.read_bytes())
    beside = tmp_path / "mine_backward.safetensors"
    beside.write_bytes(backward.read_bytes())
    assert ChatPredictor.load(chat).backward is not None
    # A forward model where the backward one should be, and a damaged file: replies go on without it.
    beside.write_bytes(forward.read_bytes())
    wrong = ChatPredictor.load(chat)
    assert wrong.backward is None and "not a backward model" in wrong.backward_note
    beside.write_bytes(backward.read_bytes()[:1000])
    damaged = ChatPredictor.load(chat)
    assert damaged.backward is None and beside.name in damaged.backward_note
    assert damaged.reply("hi", None, DecodeConfig.of(mmi_backward_weight=1.0)).text
    other = train_small_model([["completely", "different words"]], epochs=1)
    other.attach_backward(backward)
    assert other.backward is None and "vocabulary" in other.backward_note


def test_reranking_chooses_among_as_many_finished_replies_as_asked(models, monkeypatch):
    import engine.tasks.chat_rerank as searching  # where the replies' search runs

    forward, backward = models
    predictor = ChatPredictor.load(forward, backward=backward)
    asked = []
    search = searching.decode
    monkeypatch.setattr(searching, "decode", lambda *args, **kwargs: asked.append(args[3].n_best) or search(*args, **kwargs))
    settings = dict(beam_size=2, mmi_backward_weight=0.7, mmi_confident=2.0)
    for text in ("how are you ?", "where are you from ?", "nice"):
        wide = predictor.reply(text, None, DecodeConfig.of(n_best=8, **settings))
        assert len(wide.alternatives) > 2  # the search went on past the beam's width
        assert predictor.reply(text, None, DecodeConfig.of(mmi_candidates=8, **settings)).text == wide.text
    assert asked == [8, 8] * 3
    predictor.reply("nice", None, DecodeConfig.of(**settings))
    assert asked[-1] == 2  # by default, as many as the beam is wide
