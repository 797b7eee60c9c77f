"""The fast CPU paths (engine.models.fast) against the reference model they stand in for, and the switch."""
import pytest
import torch

from engine.chat_training import run_turn
from engine.data.chat import make_turn_batch
from engine.decode_config import DecodeConfig
from engine.models import fast
from engine.models.memory import MemoryState
from engine.models.memory_chat import MemoryChat
from engine.models.seq2seq import Seq2Seq, Seq2SeqConfig
from engine.tasks.chat import ChatPredictor
from engine.text import Vocab, tokenize
from tiny_chat import MEMORY

VOCAB = Vocab.build([tokenize(t) for c in MEMORY for t in c], min_count=1)
EXCHANGES = [[([5, 6, 7, 8], [5]), ([9], [6, 7, 8]), ([10, 11, 12], [13, 14]), None],
             [([7], [9, 5, 6]), ([6, 5], [8]), ([14, 13, 12, 11, 10], [9]), ([8, 9], [10, 11, 12, 13])]]


def tiny(cls=Seq2Seq, **overrides):
    """A small model; the two paths differ by float32 rounding only."""
    config = dict(vocab_size=len(VOCAB), embedding_size=16, hidden_size=20, attention_size=12, dropout=0.0,
                  cutoffs=(), memory_tokens=0)
    torch.manual_seed(0)
    return cls(Seq2SeqConfig(**{**config, **overrides}))


def start(model, rows: int, shift: float = 0.0):
    """The model's initial state for ``rows`` rows, moved by ``shift``."""
    state = model.initial_state(rows)
    if isinstance(state, MemoryState):
        return state._replace(h=state.h + shift, c=state.c - shift)
    return state[0] + shift, state[1] - shift


def two_turns(model):
    """Loss, token log-probs, gradients and final state of two teacher-forced turns of 4 streams."""
    model.zero_grad()
    state = start(model, 4, shift=0.1)
    total, log_probs = 0.0, []
    for exchanges in EXCHANGES:
        out = run_turn(model, make_turn_batch(exchanges, [False] * 4, VOCAB), state)
        state, total = out.state, total + out.loss_sum
        log_probs.append(out.token_log_probs)
    total.backward()
    grads = {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}
    return total.detach(), torch.cat(log_probs).detach(), grads, (state[0].detach(), out.features.detach())


def assert_same_turns(model):
    fast_run = two_turns(model)
    with fast.use_reference():
        reference = two_turns(model)
    torch.testing.assert_close(fast_run[0], reference[0], rtol=1e-6, atol=1e-5)
    torch.testing.assert_close(fast_run[1], reference[1], rtol=1e-6, atol=1e-5)
    assert fast_run[2].keys() == reference[2].keys() and len(fast_run[2]) > 5
    for name in fast_run[2]:
        torch.testing.assert_close(fast_run[2][name], reference[2][name], rtol=1e-4, atol=1e-6, msg=name)
    for a, b in zip(fast_run[3], reference[3]):  # the state, and the features (0 at padding in both)
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layers", [1, 2])
def test_seq2seq_loss_and_gradients_equal_the_reference(layers):
    assert_same_turns(tiny(num_layers=layers))


def test_memory_chat_loss_and_gradients_equal_the_reference():
    assert_same_turns(tiny(MemoryChat, memory_tokens=16))


def test_scoring_without_gradients_and_over_shared_turns_equals_the_reference():
    model = tiny().eval()
    turns = make_turn_batch([([5, 6, 7], []), ([8], [])], [False, False], VOCAB)
    replies = make_turn_batch([([5], reply) for reply in ([5, 9], [6], [7, 8, 9])] * 2, [False] * 6, VOCAB)
    rows = torch.tensor([0, 0, 0, 1, 1, 1])

    def score():
        with torch.no_grad():
            outputs, keys, pad_mask, state = model.encode(turns.source, turns.source_lengths, start(model, 2, 0.1))
            state = tuple(part.index_select(1, rows) for part in state)
            return model.decode_replies((outputs, keys, pad_mask), state, replies.reply_input, replies.reply_lengths,
                                        replies.targets, memory_rows=rows)

    fast_out = score()
    with fast.use_reference():
        reference = score()
    torch.testing.assert_close(fast_out.token_log_probs, reference.token_log_probs, rtol=1e-6, atol=1e-5)
    torch.testing.assert_close(fast_out.attention, reference.attention, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,layers", [(Seq2Seq, 1), (Seq2Seq, 2), (MemoryChat, 1)])
def test_decoding_steps_equal_the_reference(cls, layers):
    model = tiny(cls, num_layers=layers, memory_tokens=16 if cls is MemoryChat else 0).eval()
    source = torch.tensor([VOCAB.encode(tokenize("do you like music ?"))])

    def steps():
        with torch.inference_mode():
            state = start(model, 1, shift=0.1)
            memory, decoder_state = model.start_reply(source, state)
            rows = tuple(part.expand(-1, 3, -1).contiguous() for part in decoder_state)
            log_probs, weights, (h, c) = model.decode_step(torch.tensor([VOCAB.sos_id, 5, 6]), rows, memory)
            if cls is MemoryChat:
                read = model.read_reply([5, 6, 7], decoder_state, VOCAB.sos_id, memory[0], state.exchanges)
            else:
                read = model.read_reply([5, 6, 7], decoder_state, VOCAB.sos_id)
            return log_probs, weights, h, c, read[0], read[1]

    fast_steps = steps()
    with fast.use_reference():
        reference = steps()
    for a, b in zip(fast_steps, reference):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def counting(monkeypatch, target: str) -> list:
    """Replace the function at ``target`` by one that records its calls and calls it."""
    module_name, name = target.rsplit(".", 1)
    module = __import__(module_name, fromlist=[name])
    original, calls = getattr(module, name), []

    def counted(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_switch_chooses_the_code_that_runs(monkeypatch):
    from engine.models.fast.lstm import _PackedLSTMLayer

    layer_calls = counting(monkeypatch, "engine.models.fast.chat.lstm_forward")
    layer = []
    monkeypatch.setattr(_PackedLSTMLayer, "apply", lambda *args, original=_PackedLSTMLayer.apply:
                        layer.append(1) or original(*args))
    cell_calls = counting(monkeypatch, "engine.models.fast.chat.cell_step")
    model = tiny()
    batch = make_turn_batch(EXCHANGES[0], [False] * 4, VOCAB)
    with fast.use_reference():
        assert not fast.enabled()
        run_turn(model, batch, model.initial_state(4)).loss_sum.backward()
        model.decode_step(torch.tensor([VOCAB.sos_id]), model.initial_state(1),
                          model.start_reply(torch.tensor([[5, 6]]), model.initial_state(1))[0])
        assert ChatPredictor(model, VOCAB, torch.device("cpu")).steps is model  # not the prepacked decoder
    assert layer_calls == layer == cell_calls == []
    assert fast.enabled()  # the block restores it
    run_turn(model, batch, model.initial_state(4)).loss_sum.backward()
    model.decode_step(torch.tensor([VOCAB.sos_id]), model.initial_state(1),
                      model.start_reply(torch.tensor([[5, 6]]), model.initial_state(1))[0])
    assert layer_calls == ["lstm_forward"] * 2 and len(layer) == 2  # encoder and decoder
    assert len(cell_calls) == 3  # two tokens read, one step
    # The environment variable turns it off too (each call reads it).
    monkeypatch.setenv(fast.ENVIRONMENT_VARIABLE, "1")
    assert not fast.enabled()
    monkeypatch.setenv(fast.ENVIRONMENT_VARIABLE, "0")
    assert fast.enabled()


def test_replies_with_the_switch_off_are_the_reference_models():
    """The same greedy reply, with log-probabilities within float16 rounding of the weights
    (the fast replies run on the prepacked decoder where fbgemm is there)."""
    model = tiny().eval()
    predictor = ChatPredictor(model, VOCAB, torch.device("cpu"))
    config = DecodeConfig.of(strategy="greedy", min_length=4, max_length=4)
    fast_reply = predictor.reply("do you like music ?", None, config)
    with fast.use_reference():
        reference = ChatPredictor(model, VOCAB, torch.device("cpu")).reply("do you like music ?", None, config)
    assert fast_reply.text == reference.text and len(fast_reply.tokens) == 4
    assert fast_reply.score == pytest.approx(reference.score, abs=2e-2)
