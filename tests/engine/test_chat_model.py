"""The chat model, its truncated-BPTT training and clipping, on tiny sizes."""
import copy
import math

import pytest
import torch


from engine.chat_training import TrainConfig, run_turn, train_chat
from engine.checkpoint import CheckpointError
from engine.data.chat import make_turn_batch, stream_batches, tokenize_conversations, training_streams
from engine.decode_config import DecodeConfig
from engine.models import fast
from engine.models.attention import AdditiveAttention
from engine.models.fast.attention import grouped, packed_weights
from engine.models.seq2seq import Seq2Seq
from engine.tasks.chat import ChatPredictor
from engine.tasks.chat_train import tiny_config
from engine.text import Vocab, tokenize
from engine.training import clip_gradients
from tiny_chat import MEMORY, same_alternatives

CONVERSATIONS = MEMORY


def small_setup(dropout=0.0):
    vocab = Vocab.build([tokenize(t) for c in CONVERSATIONS for t in c] + [["zebra"]], min_count=1)
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(vocab, dropout=dropout))
    return vocab, model


def test_attention_sums_to_one_and_is_zero_at_padding():
    vocab, model = small_setup()
    batch = make_turn_batch([([5, 6, 7, 8], [5]), ([9], [6, 7])], [True, True], vocab)
    out = run_turn(model, batch, model.initial_state(2))
    weights = out.attention  # (2, tgt_len, src_len); reply inputs: <sos> + reply, so 2 and 3 real
    assert weights.shape == (2, 3, 4)
    real = torch.tensor([[True, True, False], [True, True, True]])
    assert torch.allclose(weights.sum(-1)[real], torch.ones(5))
    assert torch.all(weights[~real] == 0)  # a padding reply position attends nowhere
    assert torch.all(weights[1, :, 1:] == 0)  # row 1's source is one token; the rest is padding
    assert torch.all(weights[0, :2] > 0)


def test_an_idle_row_adds_no_tokens_and_no_loss():
    vocab, model = small_setup()
    model.eval()
    alone = run_turn(model, make_turn_batch([([9, 5], [6, 7])], [True], vocab), model.initial_state(1))
    with_idle = run_turn(model, make_turn_batch([([9, 5], [6, 7]), None], [True, True], vocab),
                         model.initial_state(2))
    assert alone.n_tokens == with_idle.n_tokens == 3  # the reply's two tokens and <eos>
    assert torch.allclose(alone.loss_sum, with_idle.loss_sum, atol=1e-5)


def test_packed_attention_equals_the_padded_computation():
    torch.manual_seed(3)
    attention = AdditiveAttention(6, 5, 4)
    queries, keys = torch.randn(3, 7, 6), torch.randn(3, 4, 5)
    pad_mask = torch.tensor([[False] * 4, [False, False, True, True], [False, True, True, True]])
    projected = attention.project_keys(keys)
    _, padded = attention(queries, projected, keys, pad_mask)  # (3, 7, 4)
    rows = torch.tensor([0, 0, 1, 2, 2, 2])
    steps = torch.tensor([0, 6, 3, 0, 1, 5])
    packed = packed_weights(attention, queries[rows, steps], rows, projected, pad_mask)
    assert torch.allclose(packed, padded[rows, steps], atol=1e-6)



def test_grouped_attention_equals_each_query_against_its_own_copy_of_the_source():
    torch.manual_seed(4)
    attention = AdditiveAttention(6, 5, 4)
    keys = torch.randn(3, 5, 5)
    # Padding at the end, padding inside (a source's row need not be a prefix), and none.
    pad_mask = torch.tensor([[False, False, True, True, True], [False, True, False, False, True], [False] * 5])
    projected = attention.project_keys(keys)
    groups = torch.tensor([2, 0, 1, 0, 2, 2, 1])  # not sorted, source 1 read twice, source 0 twice
    queries = torch.randn(len(groups), 6)
    context, weights = grouped(attention, queries, groups, projected, keys, pad_mask)
    expected = packed_weights(attention, queries, groups, projected, pad_mask)
    assert torch.allclose(weights, expected, atol=1e-6)
    assert torch.all(weights[pad_mask[groups]] == 0) and torch.allclose(weights.sum(1), torch.ones(len(groups)))
    assert torch.allclose(context, torch.bmm(expected.unsqueeze(1), keys[groups]).squeeze(1), atol=1e-6)
    # A source no query reads is skipped.
    _, one = grouped(attention, queries[:1], groups[:1], projected, keys, pad_mask)
    assert torch.allclose(one, expected[:1], atol=1e-6)


def test_replies_over_shared_turns_score_as_over_copies_of_them():
    vocab, model = small_setup()
    model.eval()
    turns = make_turn_batch([([5, 6, 7], []), ([8], [])], [False, False], vocab)
    with torch.no_grad():
        outputs, keys, pad_mask, state = model.encode(turns.source, turns.source_lengths, model.initial_state(2))
        replies = [[5, 9], [6], [7, 8, 9]]
        rows = torch.tensor([0, 0, 0, 1, 1, 1])
        batch = make_turn_batch([([5], reply) for reply in replies] * 2, [False] * 6, vocab)
        state = tuple(part.index_select(1, rows) for part in state)
        shared = model.decode_replies((outputs, keys, pad_mask), state, batch.reply_input, batch.reply_lengths,
                                      batch.targets, memory_rows=rows)
        copies = model.decode_replies(tuple(part.index_select(0, rows) for part in (outputs, keys, pad_mask)), state,
                                      batch.reply_input, batch.reply_lengths, batch.targets)
    assert torch.allclose(shared.token_log_probs, copies.token_log_probs, atol=1e-5)
    assert torch.allclose(shared.attention, copies.attention, atol=1e-6)
    assert torch.allclose(shared.state[0], copies.state[0])

def test_padding_and_batch_mates_do_not_change_a_row():
    vocab, model = small_setup()
    model.eval()
    alone = run_turn(model, make_turn_batch([([9, 5], [6])], [True], vocab), model.initial_state(1))
    padded = run_turn(model, make_turn_batch([([9, 5], [6]), ([5, 6, 7, 8, 9], [7, 8, 9])], [True, True], vocab),
                      model.initial_state(2))
    assert torch.allclose(alone.token_log_probs, padded.token_log_probs[:2], atol=1e-6)
    assert torch.allclose(alone.state[0], padded.state[0][:, :1], atol=1e-6)


def stream_of(vocab, model, conversation):
    return training_streams([conversation], vocab, model.config.max_source_len, model.config.max_reply_len,
                            both_sides=False)


def grads(model):
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def test_window_covering_the_conversation_equals_full_bptt():
    vocab, model = small_setup()
    conversation = CONVERSATIONS[2] + ["and you ?", "me too"]
    streams = stream_of(vocab, model, conversation)
    # Reference: unroll the whole conversation, sum every reply token's loss, one backward.
    reference = copy.deepcopy(model)
    state, total, tokens = reference.initial_state(1), 0.0, 0
    for batch in stream_batches(streams, 1, vocab):
        out = run_turn(reference, batch, state)
        state, total, tokens = out.state, total + out.loss_sum, tokens + out.n_tokens
    (total / tokens).backward()
    config = TrainConfig(epochs=1, batch_size=1, tbptt_turns=len(streams[0]), clip_norm=1e9, warmup_steps=1)
    train_chat(model, streams, [], vocab, config, torch.device("cpu"))
    expected, got = grads(reference), grads(model)
    assert expected.keys() == got.keys()
    for name in expected:
        assert torch.allclose(expected[name], got[name], atol=1e-6, rtol=1e-5), name


def test_one_turn_window_sends_no_gradient_into_the_previous_turn():
    vocab, model = small_setup()
    conversation = ["zebra zebra", "ok", "how are you ?", "fine thanks"]  # "zebra" only in turn 1
    streams = stream_of(vocab, model, conversation)
    zebra = vocab.stoi["zebra"]
    config = TrainConfig(epochs=1, batch_size=1, tbptt_turns=1, clip_norm=1e9, learning_rate=0.0,
                         min_learning_rate=0.0)
    train_chat(model, streams, [], vocab, config, torch.device("cpu"))
    # The last window held turn 2 only: its loss reached nothing of turn 1.
    assert torch.count_nonzero(model.embedding.weight.grad[zebra]) == 0
    # Without the detach, turn 2's loss does reach turn 1 through the carried state.
    model.zero_grad()
    batches = list(stream_batches(streams, 1, vocab))
    first = run_turn(model, batches[0], model.initial_state(1))
    second = run_turn(model, batches[1], first.state)
    second.loss_sum.backward()
    assert torch.count_nonzero(model.embedding.weight.grad[zebra]) > 0


def test_rows_that_start_a_conversation_take_the_start_state():
    vocab = Vocab.build([["a", "b", "c"]], min_count=1)
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(vocab, dropout=0.0)).eval()
    start = (torch.randn(1, 1, 48), torch.randn(1, 1, 48))
    carried = (torch.randn(1, 2, 48), torch.randn(1, 2, 48))
    exchange = ([4, 5], [6])
    # Row 0 starts a new conversation, row 1 goes on with its carried state.
    both = run_turn(model, make_turn_batch([exchange, exchange], [True, False], vocab), carried, start)
    fresh = run_turn(model, make_turn_batch([exchange], [False], vocab), start)
    going_on = run_turn(model, make_turn_batch([exchange], [False], vocab), (carried[0][:, 1:], carried[1][:, 1:]))
    assert torch.allclose(both.state[0][:, 0], fresh.state[0][:, 0], atol=1e-6)
    assert torch.allclose(both.state[0][:, 1], going_on.state[0][:, 0], atol=1e-6)
    # Without a start state such a row starts from zeros, as before.
    zero = run_turn(model, make_turn_batch([exchange], [False], vocab), model.initial_state(1))
    reset = run_turn(model, make_turn_batch([exchange], [True], vocab), (carried[0][:, :1], carried[1][:, :1]))
    assert torch.allclose(reset.state[0], zero.state[0], atol=1e-6)
    assert not torch.allclose(fresh.state[0], zero.state[0], atol=1e-3)


def test_clipping_scales_to_the_threshold_and_keeps_direction():
    params = [torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2, 2))]
    params[0].grad = torch.tensor([3.0, 0.0, 4.0])
    params[1].grad = torch.tensor([[0.0, 12.0], [0.0, 0.0]])  # global norm 13
    before = torch.cat([p.grad.flatten() for p in params])
    norm, clipped = clip_gradients(params, 6.5)
    after = torch.cat([p.grad.flatten() for p in params])
    assert norm == pytest.approx(13.0) and clipped
    assert torch.linalg.vector_norm(after) == pytest.approx(6.5)
    assert torch.allclose(after, before * 0.5)  # same direction
    norm, clipped = clip_gradients(params, 100.0)
    assert norm == pytest.approx(6.5) and not clipped
    assert torch.equal(torch.cat([p.grad.flatten() for p in params]), after)


@pytest.fixture(scope="module")
def trained(memory_model):
    return memory_model


def converse(predictor, turns, config=DecodeConfig.of(strategy="greedy")):
    state, replies = None, []
    for user in turns[::2]:
        reply = predictor.reply(user, state, config)
        state = reply.state
        replies.append(" ".join(reply.tokens))
    return replies


def test_tiny_model_reproduces_its_conversations_including_memory(trained):
    predictor, _ = trained
    for conversation in CONVERSATIONS:
        expected = [" ".join(tokenize(t)) for t in conversation[1::2]]
        assert converse(predictor, conversation) == expected
    # "what is my name ?" is answered from turn 1, which the state carries.
    assert converse(predictor, CONVERSATIONS[0])[1] == "alice"
    assert converse(predictor, CONVERSATIONS[1])[1] == "bob"


def test_rebuilt_state_continues_the_conversation(trained):
    predictor, _ = trained
    state = predictor.rebuild_state([("my name is bob", "hello bob")])
    assert predictor.reply("what is my name ?", state, DecodeConfig.of(strategy="greedy")).tokens == ["bob"]


def test_checkpoint_round_trip_gives_identical_replies(trained):
    predictor, path = trained
    loaded = ChatPredictor.load(path)
    for config in (DecodeConfig.of(strategy="greedy"), DecodeConfig.of(beam_size=4, n_best=3)):
        for conversation in CONVERSATIONS:
            assert converse(loaded, conversation, config) == converse(predictor, conversation, config)
    reply = loaded.reply("my name is alice", None)
    assert len(reply.attention) == len(reply.tokens)
    assert len(reply.attention[0]) == len(reply.source_tokens)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign", "empty"])
def test_damaged_checkpoint_gives_a_clear_error(trained, tmp_path, damage):
    _, path = trained
    broken = tmp_path / "broken.safetensors"
    data = path.read_bytes()
    if damage == "truncate":
        broken.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        broken.write_bytes(data[:8] + b"\xff" * 64 + data[72:])
    elif damage == "foreign":
        from safetensors.torch import save_file

        save_file({"w": torch.zeros(2)}, str(broken))
    else:
        broken.write_bytes(b"")
    with pytest.raises(CheckpointError) as error:
        ChatPredictor.load(broken)
    message = str(error.value)
    assert str(broken) in message and "\n" not in message


def test_bad_input_is_handled(trained):
    predictor, _ = trained
    long_reply = predictor.reply("hello " * 20_000, None)
    assert len(long_reply.source_tokens) == predictor.model.config.max_source_len
    odd = predictor.reply("qwxz \x00\x07 😀 مرحبا שלום", None)
    assert "<unk>" not in odd.tokens and "<unk>" not in odd.text


def test_engine_refuses_blank_messages_without_calling_a_model(tmp_path):
    from engine.service import Engine

    engine = Engine(paths={"chat": tmp_path / "missing.safetensors"})
    with pytest.raises(ValueError, match="empty"):
        engine.reply("   \n ")
    assert "chat" not in engine.problems  # the model was never even looked for


def test_engine_imports_neither_qt_nor_sqlalchemy():
    from imports import packages_loaded_by

    loaded = packages_loaded_by("engine", "engine.service", "engine.tasks.chat", "engine.tasks.chat_train",
                                "engine.decoding", "engine.chat_training")
    assert "torch" in loaded and not loaded & {"PySide6", "sqlalchemy", "chatapp"}


def test_stream_batches_keep_conversations_in_their_rows_and_reset_between_them():
    vocab = Vocab.build([["a", "b", "c"]], min_count=1)
    a, b, c = (vocab.stoi[w] for w in "abc")
    streams = [[([a], [a])] * 4, [([b], [b])], [([c], [c])] * 2]
    batches = list(stream_batches(streams, 2, vocab))
    rows = [[int(batch.source[r, 0]) for batch in batches] for r in range(2)]
    resets = [[bool(batch.reset[r]) for batch in batches] for r in range(2)]
    assert rows[0] == [a, a, a, a] and resets[0] == [True, False, False, False]
    assert rows[1][:3] == [b, c, c] and resets[1][:3] == [True, True, False]
    # Every real exchange is a target once; the idle row of the last step is masked out.
    assert sum(batch.n_tokens for batch in batches) == 2 * 7
    assert int(batches[-1].targets[1].count_nonzero()) == 0
    # min_active ends the epoch once the queue is empty and too few rows are busy.
    assert len(list(stream_batches(streams, 2, vocab, min_active=1.0))) == 3


def test_the_state_after_a_reply_equals_reading_the_reply(trained):
    predictor, _ = trained
    for config in (DecodeConfig.of(strategy="greedy"), DecodeConfig.of(beam_size=3)):
        reply = predictor.reply("how are you ?", None, config)
        source = torch.tensor([predictor.encode_turn("how are you ?")])
        with torch.inference_mode():
            _, state = predictor.steps.start_reply(source, predictor.model.initial_state(1))
            read = predictor.steps.read_reply(predictor.vocab.encode(reply.tokens), state, predictor.vocab.sos_id)
        assert torch.allclose(reply.state.tensors[0], read[0], atol=1e-6)
        assert torch.allclose(reply.state.tensors[1], read[1], atol=1e-6)


def test_pmi_ranking_scores_one_batch_like_one_reply_at_a_time(trained):
    from engine.tasks.chat_eval import _candidate_scores

    predictor, _ = trained
    encode = lambda text: predictor.vocab.encode(tokenize(text))  # noqa: E731
    state = predictor.model.initial_state(1, predictor.device)
    source = encode("how are you ?")
    candidates = [encode(t) for t in ("fine thanks", "hey there", "from the sea", "alice")]
    priors = [encode(t) for t in ("hi", "where are you from ?", "nice")]
    alone = [float(predictor.log_likelihoods(state, [(source, c)])[0]) for c in candidates]
    assert _candidate_scores(predictor, state, source, candidates, "sum") == pytest.approx(alone, abs=1e-4)
    fresh = predictor.model.initial_state(1, predictor.device)
    expected = []
    for c, conditional in zip(candidates, alone):
        each = torch.tensor([float(predictor.log_likelihoods(fresh, [(p, c)])[0]) for p in priors])
        expected.append(conditional - float(torch.logsumexp(each, 0)) + float(torch.log(torch.tensor(3.0))))
    scores = _candidate_scores(predictor, state, source, candidates, "pmi", priors)
    assert scores == pytest.approx(expected, abs=1e-4)
    # The reply this context taught beats the replies other contexts taught.
    assert max(range(len(scores)), key=scores.__getitem__) == 0


def test_mmi_reranks_the_beam_by_pointwise_mutual_information(trained):
    predictor, _ = trained
    plain = DecodeConfig.of(beam_size=4, n_best=4)
    beam = predictor.reply("how are you ?", None, plain)
    state = predictor.model.initial_state(1, predictor.device)
    source = predictor.encode_turn("how are you ?")
    replies = [predictor.vocab.encode(tokenize(text)) for text, _ in beam.alternatives]
    conditional = predictor.log_likelihoods((state[0].expand(-1, 4, -1), state[1].expand(-1, 4, -1)),
                                            [(source, r) for r in replies])
    prior = predictor.log_prior(replies)
    # Per token of the reply (its words and its end), so that length neither pays nor costs.
    expected = [float((c - 0.5 * p) / (len(r) + 1)) for c, p, r in zip(conditional, prior, replies)]
    # (mmi_confident above 1: rerank even the replies the model is sure of.)
    reranked = predictor.reply("how are you ?", None,
                               DecodeConfig.of(beam_size=4, n_best=4, mmi_weight=0.5, mmi_confident=2.0))
    assert [score for _, score in reranked.alternatives] == pytest.approx(sorted(expected, reverse=True), abs=1e-3)
    assert reranked.text == beam.alternatives[max(range(4), key=expected.__getitem__)][0]
    # The reply's state is the state after the chosen reply, as without reranking.
    assert torch.allclose(reranked.state.tensors[0],
                          predictor.steps.read_reply(predictor.vocab.encode(tokenize(reranked.text)),
                                                     predictor.steps.start_reply(torch.tensor([source]), state)[1],
                                                     predictor.vocab.sos_id)[0], atol=1e-5)
    # By default a reply the model is sure of (the tiny model knows "fine thanks" by heart) keeps
    # its place: reranking would trade it for an unlikely one.
    sure = predictor.reply("how are you ?", None, DecodeConfig.of(beam_size=4, n_best=4, mmi_weight=0.5))
    assert same_alternatives(sure.alternatives, beam.alternatives) and sure.text == "Fine thanks"
    with pytest.raises(ValueError):
        DecodeConfig.of(mmi_weight=1.5)
    with pytest.raises(ValueError):
        DecodeConfig.of(mmi_confident=0.0)


@torch.inference_mode()
def test_a_step_over_turns_of_different_lengths_equals_each_turn_alone(trained):
    predictor, _ = trained
    vocab, model = predictor.vocab, predictor.model
    turns = [predictor.encode_turn(t) for t in ("how are you ?", "alice", "my name is bob")]
    batch = make_turn_batch([(t, []) for t in turns], [False] * 3, vocab)
    outputs, keys, pad_mask, state = model.encode(batch.source, batch.source_lengths, model.initial_state(3))
    tokens = torch.full((3,), vocab.sos_id)
    # The prepacked CPU decoder (float16 weights: within 5e-3, as in the test below) and the model.
    for steps in (predictor.steps, model):
        log_probs, attention, _ = steps.decode_step(tokens, state, (outputs, keys, pad_mask))
        for row, turn in enumerate(turns):
            memory, alone = model.start_reply(torch.tensor([turn]), model.initial_state(1))
            expected, expected_attention, _ = model.decode_step(tokens[:1], alone, memory)
            assert torch.allclose(log_probs[row], expected[0], atol=5e-3)
            assert torch.allclose(attention[row, :len(turn)], expected_attention[0], atol=2e-3)
            assert float(attention[row, len(turn):].sum()) == 0.0


def test_training_command_stores_the_turns_that_estimate_p_reply(tmp_path):
    import json

    from engine.__main__ import main

    data = tmp_path / "conversations.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in CONVERSATIONS * 8))
    out = tmp_path / "chat.safetensors"
    assert main(["train", "chat", "--threads", "1", "--data", str(data), "--out", str(out), "--epochs", "1",
                 "--embedding-size", "16", "--hidden-size", "16", "--attention-size", "8", "--min-count", "1",
                 "--progress", "jsonl"]) == 0
    predictor = ChatPredictor.load(out)
    stored = predictor.meta["prior_contexts"]
    user_turns = {tuple(tokenize(t)) for c in CONVERSATIONS for t in c}
    assert 1 <= len(stored) <= 16 and all(tuple(turn) in user_turns for turn in stored)
    assert predictor.prior_sources == [predictor.vocab.encode(turn) for turn in stored]
    # It also stores the state a new conversation starts from, which replies then start from.
    start = predictor.start_state(1)
    assert start[0].shape == (1, 1, 16) and float(start[0].abs().sum()) > 0
    assert predictor.meta["start_state"]["exchanges"] > 0
    assert torch.equal(predictor.rebuild_state([]).tensors[0], start[0])
    # --start-state-only stores it in a checkpoint without one, and leaves the weights alone.
    from engine.checkpoint import load_checkpoint, save_checkpoint

    before = load_checkpoint(out)
    del before.meta["start_state"]
    save_checkpoint(out, before)
    assert not ChatPredictor.load(out).meta.get("start_state")
    assert main(["train", "chat", "--threads", "1", "--data", str(data), "--out", str(out), "--start-state-only"]) == 0
    after = load_checkpoint(out)
    assert all(torch.equal(after.weights[k], before.weights[k]) for k in before.weights)
    assert after.meta["start_state"] == predictor.meta["start_state"] and after.meta["prior_contexts"] == stored
    # The topic words are counted beside it, for its vocabulary, and --topic-words-only counts them again.
    topic = out.with_name("chat_topic.safetensors")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.resume.safetensors", "chat.safetensors",
                                                          "chat_topic.safetensors", "conversations.jsonl"]
    assert predictor.topic_words is not None and predictor.topic_note == ""
    topic.unlink()
    assert ChatPredictor.load(out).topic_words is None
    assert main(["train", "chat", "--threads", "1", "--data", str(data), "--out", str(out), "--topic-words-only"]) == 0
    assert ChatPredictor.load(out).topic_words is not None


def test_a_new_model_can_take_the_vocabulary_of_another(tmp_path):
    """--vocab-from: a new (here larger) model keeps the words of an existing one, so companions
    made for that vocabulary, such as the backward model, still fit it."""
    import json

    from engine.__main__ import main
    from engine.checkpoint import load_checkpoint

    data = tmp_path / "conversations.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in CONVERSATIONS * 8))
    small, large = tmp_path / "small.safetensors", tmp_path / "large.safetensors"
    common = ["--threads", "1", "--data", str(data), "--epochs", "1", "--embedding-size", "16", "--attention-size", "8",
              "--progress", "jsonl"]
    assert main(["train", "chat", *common, "--out", str(small), "--hidden-size", "16", "--min-count", "9"]) == 0
    # Built afresh, the vocabulary of min-count 1 has more words than that of min-count 9 (each turn comes 8 times) ...
    assert main(["train", "chat", *common, "--out", str(large), "--hidden-size", "24", "--min-count", "1"]) == 0
    assert len(load_checkpoint(large).vocab) > len(load_checkpoint(small).vocab)
    # ... but taken from the small model, it is the small model's, word for word.
    assert main(["train", "chat", *common, "--out", str(large), "--hidden-size", "24", "--min-count", "1",
                 "--vocab-from", str(small)]) == 0
    taken = load_checkpoint(large)
    assert taken.vocab == load_checkpoint(small).vocab and taken.config["hidden_size"] == 24
    assert ChatPredictor.load(large).reply("do you like music ?").text.strip()


@torch.inference_mode()
def test_new_conversations_start_from_the_mean_state_of_conversations_under_way(trained):
    from engine.data.chat import tokenize_conversations
    from engine.results import ChatState
    from engine.tasks.chat_train import mean_state

    base, _ = trained
    vocab, model = base.vocab, base.model
    streams = training_streams(tokenize_conversations(CONVERSATIONS), vocab, 32, 32, both_sides=True)
    computed = mean_state(model, streams, vocab, torch.device("cpu"), skip=1, batch_size=3)
    # The same mean, one stream and one exchange at a time (the batches hold streams of unequal length).
    states = []
    for stream in streams:
        state = model.initial_state(1)
        for k, (source, reply) in enumerate(stream):
            _, state = model.start_reply(torch.tensor([source]), state)
            state = model.read_reply(reply, state, vocab.sos_id)
            if k >= 1:
                states.append(state)
    assert computed["exchanges"] == len(states)
    for part in (0, 1):
        expected = torch.stack([s[part][:, 0] for s in states]).mean(0)
        assert torch.allclose(torch.tensor(computed["hc"[part]]), expected, atol=1e-5)
    predictor = ChatPredictor(model, vocab, torch.device("cpu"), "small", {"start_state": computed})
    start = predictor.start_state(1)
    config = DecodeConfig.of(beam_size=3, n_best=3)
    # A new conversation (no state) is the same as one given that state.
    assert predictor.reply("nice", None, config).alternatives == \
        predictor.reply("nice", ChatState(start, 0, "small"), config).alternatives
    zero = ChatPredictor(model, vocab, torch.device("cpu"), "zero").reply("nice", None, config)
    assert zero.alternatives != predictor.reply("nice", None, config).alternatives
    # A stored state of the wrong shape (another model's) is not used.
    wrong = ChatPredictor(model, vocab, torch.device("cpu"), "x", {"start_state": {"h": [[0.5] * 7], "c": [[0.5] * 7]}})
    assert float(wrong.start_state(2)[0].abs().sum()) == 0.0


@pytest.mark.parametrize("cutoffs,layers", [((), 1), ((8, 20), 2)])
def test_packed_decoder_steps_like_the_model(cutoffs, layers):
    import platform

    from engine.models.fast.decoder import packed_decoder, packing_works

    vocab = Vocab.build([tokenize(t) for c in CONVERSATIONS for t in c] + [["zebra"]], min_count=1)
    torch.manual_seed(0)
    model = Seq2Seq(tiny_config(vocab, cutoffs=cutoffs, num_layers=layers)).eval()
    if platform.machine().lower() in ("x86_64", "amd64"):
        assert packing_works()  # fbgemm ships with x86 builds of torch
    decoder = packed_decoder(model, torch.device("cpu"))
    assert (decoder is not None) == packing_works()
    assert packed_decoder(model, torch.device("cuda")) is None
    if decoder is None:
        return
    source = torch.tensor([vocab.encode(tokenize("do you like music ?"))])
    with torch.inference_mode():
        state = (torch.randn(layers, 1, 48) * 0.5, torch.randn(layers, 1, 48) * 0.5)
        (outputs, keys, _), encoded = model.start_reply(source, state)
        (p_outputs, p_keys, _), p_encoded = decoder.start_reply(source, state)
        assert torch.allclose(outputs, p_outputs, atol=2e-3) and torch.allclose(encoded[1], p_encoded[1], atol=2e-3)
        rows = (encoded[0].expand(-1, 3, -1).contiguous(), encoded[1].expand(-1, 3, -1).contiguous())
        tokens = torch.tensor([vocab.sos_id, 5, 6])
        log_probs, weights, after = model.decode_step(tokens, rows, (outputs, keys, None))
        p_log_probs, p_weights, p_after = decoder.decode_step(tokens, rows, (outputs, keys, None))
        assert p_log_probs.shape == (3, len(vocab))
        assert torch.allclose(torch.logsumexp(p_log_probs, dim=1), torch.zeros(3), atol=1e-4)
        assert torch.allclose(log_probs, p_log_probs, atol=5e-3)
        assert torch.allclose(weights, p_weights, atol=2e-3) and torch.allclose(after[0], p_after[0], atol=2e-3)
        read = model.read_reply([5, 6, 7], encoded, vocab.sos_id)
        p_read = decoder.read_reply([5, 6, 7], encoded, vocab.sos_id)
        assert torch.allclose(read[1], p_read[1], atol=2e-3)


def test_bench_reports_the_chat_figures(trained):
    from engine.bench import bench_chat_decoding, bench_chat_training
    from engine.models.fast.decoder import packing_works

    predictor, _ = trained
    decoding = bench_chat_decoding(predictor, repeats=2, length=6)
    for name in ("greedy", "beam5", "beam5_mmi", "reply"):
        assert 0 < decoding[f"{name}_ms_p50"] <= decoding[f"{name}_ms_p95"]
    assert math.isfinite(decoding["beam_over_greedy"]) and decoding["beam_over_greedy"] > 0
    assert decoding["reply_weights"] == ("packed-fp16" if packing_works() else "model")
    before = [p.detach().clone() for p in predictor.model.parameters()]
    copied = ChatPredictor(copy.deepcopy(predictor.model), predictor.vocab, torch.device("cpu"))  # it trains
    training = bench_chat_training(copied, torch.device("cpu"), batch_size=4, window=2, repeats=1)
    assert training["train_tokens_per_s"] > 0 and training["raw_lstm_tokens_per_s"] > 0
    assert math.isfinite(training["train_ratio"]) and training["train_ratio"] > 0
    assert (training["train_batch"], training["train_window"]) == (4, 2)
    # The benchmark trains its own copy: the predictor that answers is as it was.
    assert all(torch.equal(a, b) for a, b in zip(before, predictor.model.parameters()))


def test_training_gradients_equal_those_through_nn_lstm():
    """On the CPU the model trains on its fast paths (the hand-written LSTM layer, attention over
    real positions); two turns of a stream give the gradients of the reference model through
    nn.LSTM (float32 here; the layer test compares in double)."""
    vocab, model = small_setup()
    batches = [make_turn_batch([([5, 6, 7, 8], [5]), ([9], [6, 7, 8])], [True, True], vocab),
               make_turn_batch([([7], [9, 5, 6]), ([6, 5], [8])], [False, False], vocab)]

    def gradients():
        model.zero_grad()
        state = model.initial_state(2)
        total = 0.0
        for batch in batches:
            out = run_turn(model, batch, state)
            state, total = out.state, total + out.loss_sum
        total.backward()
        return {name: p.grad.clone() for name, p in model.named_parameters()}

    own = gradients()
    with fast.use_reference():
        reference = gradients()
    assert own.keys() == reference.keys()
    for name in own:
        torch.testing.assert_close(own[name], reference[name], rtol=1e-4, atol=1e-6, msg=name)


def test_training_command_keeps_the_best_validated_weights_and_can_store_them_half(tmp_path, capsys):
    import json

    from safetensors import safe_open

    from engine.__main__ import main
    from engine.tasks.chat import resume_path

    data = tmp_path / "conversations.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in CONVERSATIONS * 8))
    out = tmp_path / "chat.safetensors"
    # A learning rate far too high makes validation worse after its best point.
    assert main(["train", "chat", "--threads", "1", "--data", str(data), "--out", str(out), "--epochs", "6",
                 "--embedding-size", "16", "--hidden-size", "16", "--attention-size", "8", "--min-count", "1", "--learning-rate", "0.3",
                 "--batch-size", "4", "--tbptt-turns", "1", "--valid-every", "2", "--half", "--progress", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"progress"')]
    valid = [row["progress"]["valid_loss"] for row in rows if row["progress"]["phase"] == "valid"]
    assert len(valid) >= 3 and valid[-1] > min(valid)  # the run went on past its best point
    kept = ChatPredictor.load(out)
    assert kept.meta["valid_loss"] == pytest.approx(min(valid))
    last = ChatPredictor.load(resume_path(out))
    assert last.meta["valid_loss"] == pytest.approx(valid[-1])
    with safe_open(str(out), "pt") as stored, safe_open(str(resume_path(out)), "pt") as resume:
        assert {stored.get_slice(k).get_dtype() for k in stored.keys()} == {"F16"}
        assert resume.get_slice("embedding.weight").get_dtype() == "F32"
    assert kept.reply("what is my name ?").text


@pytest.mark.parametrize("tbptt, min_active", [(1, 0.0), (2, 0.0), (3, 0.5)])
def test_the_planned_steps_are_the_steps_taken(tbptt, min_active):
    """The total every progress row carries (the panel's bar) is the number of optimiser steps the
    run makes: epochs of uneven conversations, a shorter last window, rows idle at the end."""
    tokenized = tokenize_conversations([list(c) for c in CONVERSATIONS + [["a", "b"] * 5, ["c", "d"]]])
    vocab = Vocab.build((t for c in tokenized for t in c), min_count=1)
    config = tiny_config(vocab)
    streams = training_streams(tokenized, vocab, config.max_source_len, config.max_reply_len, both_sides=True)
    rows = []
    train_chat(Seq2Seq(config), streams, [], vocab,
               TrainConfig(epochs=3, batch_size=3, tbptt_turns=tbptt, valid_every=10**9, min_active_rows=min_active),
               torch.device("cpu"), on_progress=lambda update: rows.append(update))
    steps = [row for row in rows if row.phase == "train"]
    assert steps and {row.total_steps for row in rows} == {len(steps)}
    assert [row.step for row in steps] == list(range(1, len(steps) + 1))


def test_the_echo_rate_counts_replies_to_news_that_only_say_its_words_back():
    from engine.tasks.chat_eval import _echoing

    turns = [tokenize(t) for t in ("i'm baking cookies", "my cat is sick", "do you like baking cookies ?", "hi")]
    replies = [tokenize(t) for t in ("baking cookies", "i'm sorry to hear that .", "baking cookies", "hi !")]
    # the question and the greeting are no news of two words or more: of the other two, one echoes
    assert _echoing(turns, replies) == 0.5
    assert _echoing(turns[1:], replies[1:]) == 0.0
    assert _echoing([], []) == 0.0


def test_a_reply_never_says_the_corpora_markup_or_a_speaker_placeholder():
    from engine.decoding import Hypothesis
    from engine.tasks.chat_rerank import without_placeholders

    vocab = Vocab.build([["my", "name", "is", "[", "user", "2", "]", "<url>", "{", "ok"]], min_count=1)
    banned = {vocab.itos[i] for i in vocab.markup_ids()}
    assert banned == {"[", "]", "<url>", "<user>", "{"}  # the stand-ins are in every vocabulary
    said = [["hi", ",", "i'm", "(", "user", "2", "'s", "name", ")"], ["nice", "to", "meet", "you"]]
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=-1.0) for i in range(2)]
    words = lambda ids: said[ids[0]]  # noqa: E731
    assert without_placeholders(hypotheses, words) == hypotheses[1:]
    assert without_placeholders(hypotheses[:1], words) == hypotheses[:1]  # all do: all kept


def test_a_reply_that_gives_the_bot_a_name_is_dropped_unless_it_was_taught():
    from engine.decoding import Hypothesis
    from engine.tasks.chat_rerank import all_name_the_bot, names_itself, without_placeholders

    assert names_itself(["hi", "tom", ",", "my", "name", "is", "john", "."])
    assert not names_itself(["your", "name", "is", "tom", "."])
    # nor is the bot the user: "i'm sam" after "hi, i'm Sam", but "i'm sorry" is no name
    assert names_itself(["hi", ",", "i'm", "sam", "."], frozenset({("sam",)}))
    assert not names_itself(["i'm", "sorry", "."], frozenset({("sam",)}))
    assert not names_itself(["hi", "sam", "!"], frozenset({("sam",)}))
    said = [["hi", "tom", ",", "my", "name", "is", "john"], ["nice", "to", "meet", "you", ",", "tom"]]
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=-1.0) for i in range(2)]
    words = lambda ids: said[ids[0]]  # noqa: E731
    assert without_placeholders(hypotheses, words) == hypotheses[1:]
    # an answer the user taught ("what's your name?" -> "my name is robo") is meant
    assert without_placeholders(hypotheses, words, [(0,)]) == hypotheses
    # where every reply names the bot another is looked for, but not past a name taught
    assert all_name_the_bot(hypotheses[:1], words) and not all_name_the_bot(hypotheses, words)
    assert not all_name_the_bot(hypotheses[:1], words, [(0,)])


def test_a_reply_that_greets_the_user_by_words_of_theirs_that_are_no_name_is_dropped():
    from engine.decoding import Hypothesis
    from engine.tasks.chat_rerank import greets_by_other_name, without_placeholders

    turn = "i just got back from vacation".split()
    assert greets_by_other_name("nice to meet you , vacation !".split(), frozenset(), turn)
    assert greets_by_other_name("nice to meet you , on birthday".split(), frozenset(),
                                "nobody called me on my birthday".split())
    # a name the user wrote or introduced is theirs; "too" is no name
    assert not greets_by_other_name("nice to meet you , priya !".split(), frozenset({("priya",)}),
                                    "i'm priya , i just moved to leeds".split())
    assert not greets_by_other_name("nice to meet you , sam !".split(), frozenset(), "hi i'm sam".split())
    assert not greets_by_other_name("nice to meet you , sam !".split(), frozenset(), "call me sam".split())
    assert not greets_by_other_name("nice to meet you , too !".split(), frozenset(), turn)
    said = [["nice", "to", "meet", "you", ",", "vacation"], ["welcome", "back"]]
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=-1.0) for i in range(2)]
    words = lambda ids: said[ids[0]]  # noqa: E731
    assert without_placeholders(hypotheses, words, turn=turn) == hypotheses[1:]
    assert without_placeholders(hypotheses[:1], words, turn=turn) == hypotheses[:1]  # all do: all kept


def test_a_reply_that_joins_a_word_of_doing_or_a_name_to_a_verbs_to_is_dropped():
    from engine.decoding import Hypothesis
    from engine.tasks.chat_rerank import misjoined, without_placeholders

    assert misjoined("i've always wanted to learn how to building a table .".split())
    assert misjoined("i've always wanted to studying driving test .".split())
    assert misjoined("i've always wanted to learn how to madrid .".split(), frozenset({("madrid",)}))
    for fine in ("i'd love to sing", "i'd like to bring it", "i'm looking forward to seeing you",
                 "i want to go swimming", "i've always wanted to learn how to play ."):
        assert not misjoined(fine.split(), frozenset({("madrid",)})), fine
    said = [["i've", "always", "wanted", "to", "learn", "how", "to", "building", "a", "table"], ["nice", "!"]]
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=-1.0) for i in range(2)]
    assert without_placeholders(hypotheses, lambda ids: said[ids[0]]) == hypotheses[1:]



def test_a_reply_that_names_someone_by_a_word_the_user_never_said_is_dropped():
    from engine.tasks.chat_rerank import names_unnamed

    turn = "her name is mila".split()
    assert names_unnamed("her name is john .".split(), frozenset(), turn)
    assert not names_unnamed("her name is mila .".split(), frozenset(), turn)
    assert not names_unnamed("that's a cute name . what is her name ?".split(), frozenset(), turn)
    assert not names_unnamed("she's called pumpkin .".split(), frozenset({("pumpkin",)}), "what's my cat called ?".split())
    assert names_unnamed("he's called rex .".split(), frozenset(), "my dog is called max".split())
    # a number, a stop word or a word of doing the user said is no name, unless they named someone by it
    turn = "my best friend priya is getting married".split()
    assert names_unnamed("her name is married".split(), frozenset({("priya",)}), turn)
    assert not names_unnamed("her name is priya".split(), frozenset({("priya",)}), turn)
    assert names_unnamed("your name is ninety .".split(), frozenset(), "my grandfather is turning ninety".split())
    assert not names_unnamed("your name is sterling .".split(), frozenset(), "my name is sterling".split())


def test_a_greeting_to_a_turn_that_greets_no_one_is_dropped():
    from engine.tasks.chat_rerank import meets_no_one

    assert meets_no_one("nice to meet you !".split(), frozenset(), "i'm cooking dinner for my in-laws tonight".split())
    assert meets_no_one("good evening !".split(), frozenset(), "i'm making lasagne for dinner".split())
    assert meets_no_one("nice to meet you !".split(), frozenset(), "i'm so tired".split())
    assert meets_no_one("nice to meet you !".split(), frozenset(), "i'm seven".split())  # a number is no name
    assert not meets_no_one("nice to meet you !".split(), frozenset(), "i'm ted".split())  # a short name in "-ed"
    for turn in ("hi i'm sam", "i'm a nurse", "my name is alice", "hello", "what's up ?", "how are you ?"):
        assert not meets_no_one("nice to meet you !".split(), frozenset(), turn.split()), turn
    assert not meets_no_one("hi !".split(), frozenset(), "hey there".split())
    assert not meets_no_one("nice to meet you , noor !".split(), frozenset({("noor",)}), "i'm noor , a nurse".split())


def test_a_reply_that_cites_nothing_or_makes_a_favourite_of_no_thing_is_dropped_unless_all_do():
    from engine.decoding import Hypothesis
    from engine.tasks.chat_rerank import cites_nothing, favours_no_thing, without_placeholders

    assert cites_nothing("You said ?".split()) and cites_nothing("you told me .".split())
    assert not cites_nothing("You said the food was terrible .".split())
    assert favours_no_thing("You didn't tell me your favourite where .".split())
    assert not favours_no_thing("You didn't tell me your favourite food .".split())
    said = ["You said ?", "You didn't tell me your favourite do .", "You said you bake bread ."]
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=-1.0) for i in range(3)]
    assert without_placeholders(hypotheses, lambda ids: said[ids[0]].split()) == hypotheses[2:]
    assert without_placeholders(hypotheses[:2], lambda ids: said[ids[0]].split()) == hypotheses[:2]
