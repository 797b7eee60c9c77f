"""The memory model: its memory, its attention over it, the copy path, TBPTT and states."""
import random

import pytest
import torch

from engine.chat_training import TrainConfig, detach, run_turn, starting_state, train_chat
from engine.data.chat import make_turn_batch, tokenize_conversations, training_streams
from engine.decode_config import DecodeConfig
from engine.models.memory import Memory
from engine.models.memory_chat import MemoryChat
from engine.models.seq2seq import Seq2SeqConfig
from engine.tasks import chat_memory, chat_mood, chat_rerank
from engine.tasks.chat import ChatPredictor
from engine.text import Vocab

GREEDY = DecodeConfig.of(strategy="greedy")


def _name(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def _conversation(name: str) -> list[str]:
    return [f"my name is {name}", "nice to meet you", "how are you", "i am fine", "what is my name ?",
            f"your name is {name}"]


def _tiny(vocab: Vocab, memory_tokens: int = 64, seed: int = 0) -> MemoryChat:
    torch.manual_seed(seed)
    return MemoryChat(Seq2SeqConfig(vocab_size=len(vocab), embedding_size=32, hidden_size=48, attention_size=24,
                                    dropout=0.0, cutoffs=(), memory_tokens=memory_tokens))


@pytest.fixture(scope="module")
def taught():
    """A tiny memory model taught to say back a name it was told two exchanges before; every name
    is a made-up word, and the vocabulary holds the first conversation's words only, so every
    other name is outside it."""
    rng = random.Random(0)
    tokenized = tokenize_conversations([_conversation(_name(rng)) for _ in range(200)])
    vocab = Vocab.build(tokenized[0], min_count=1)
    model = _tiny(vocab)
    streams = training_streams(tokenized, vocab, 32, 32, both_sides=False, extended=True)
    train_chat(model, streams, [], vocab,
               TrainConfig(epochs=30, batch_size=32, learning_rate=1e-2, min_learning_rate=1e-3, warmup_steps=10,
                           tbptt_turns=3, valid_every=10**9, min_active_rows=0.0), torch.device("cpu"))
    return ChatPredictor(model, vocab, torch.device("cpu"), "taught")


def test_memory_keeps_the_newest_entries_in_order_within_its_bound():
    memory = Memory.empty(2, 1, 1)
    for turn in range(4):  # row 0 says 3 tokens a turn, row 1 one token (then padding)
        ids = torch.tensor([[10 * turn + 1, 10 * turn + 2, 10 * turn + 3], [10 * turn + 1, 0, 0]])
        memory = memory.append(ids.unsqueeze(-1).float(), -ids.unsqueeze(-1).float(), ids, torch.tensor([turn, turn]),
                               bound=5)
    assert memory.ids[0].tolist() == [22, 23, 31, 32, 33]  # the oldest dropped first
    assert memory.ids[1].tolist() == [0, 1, 11, 21, 31]  # left-padded, oldest first
    assert memory.turns[0].tolist() == [2, 2, 3, 3, 3]
    assert torch.equal(memory.values.squeeze(-1).long(), memory.ids)  # values and keys travel with their ids
    assert torch.equal(memory.keys.squeeze(-1).long(), -memory.ids)
    assert memory.clear_rows(torch.tensor([True, False])).real[0].sum() == 0


def test_unknown_words_get_one_extended_id_per_conversation():
    vocab = Vocab.build([["my", "name", "is"]], min_count=1)
    unknown: dict[str, int] = {}
    first = vocab.encode_extended(["my", "name", "is", "zorblax"], unknown)
    again = vocab.encode_extended(["zorblax", "and", "zorblax"], unknown)
    assert first[-1] == again[0] == again[2] == len(vocab)
    assert again[1] == len(vocab) + 1
    assert vocab.decode(again, ["zorblax", "and"]) == ["zorblax", "and", "zorblax"]


def test_attention_over_memory_sums_to_one_and_is_zero_at_empty_slots_and_padding():
    vocab = Vocab.build([["a", "b", "c", "d"]], min_count=1)
    model = _tiny(vocab, memory_tokens=6).eval()
    state = model.initial_state(2)
    exchanges = [([4, 5, 6], [7, 4]), ([4], [5])]  # row 1 says fewer tokens
    for _ in range(2):
        batch = make_turn_batch(exchanges, [False, False], vocab)
        out = run_turn(model, batch, state)
        real_steps = batch.reply_input.ne(0)
        assert torch.allclose(out.attention[real_steps].sum(-1), torch.ones(int(real_steps.sum())))
        assert torch.all(out.attention[~real_steps] == 0)  # padding positions of the reply
        state = out.state
    memory = state.memory
    assert memory.ids.size(1) == 6  # the bound
    empty = ~memory.real
    assert empty[1].any() and not empty[0].any()
    queries = torch.randn(2, 3, 48)
    _, weights = model.attend_memory(queries, memory, model.memory_keys(memory, torch.tensor([6, 6])))
    assert torch.all(weights[1][:, empty[1]] == 0)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3))


def test_rows_attending_in_groups_of_like_length_give_what_the_whole_batch_gives(monkeypatch):
    """A training batch's rows attend in groups of like reply length, each cut at its longest:
    the loss, every token's log-probability, the attention and the gradients are those of the
    whole batch attending at once (padding included)."""
    vocab = Vocab.build([["a", "b", "c", "d", "e"]], min_count=1)
    rng = random.Random(3)
    turns = [[([rng.randrange(4, 9) for _ in range(rng.randint(1, 6))],
               [rng.randrange(4, 9) for _ in range(rng.randint(1, 9))]) for _ in range(12)] for _ in range(2)]

    def run(groups: int):
        monkeypatch.setattr(MemoryChat, "LENGTH_GROUPS", groups)
        model = _tiny(vocab).eval()
        state, total, outs = model.initial_state(12), 0.0, []
        for exchanges in turns:
            out = run_turn(model, make_turn_batch(exchanges, [False] * 12, vocab), state)
            state, total = out.state, total + out.loss_sum
            outs.append(out)
        total.backward()
        return outs, [p.grad.clone() for p in model.parameters()]

    grouped, grouped_grads = run(4)
    whole, whole_grads = run(1)
    for a, b in zip(grouped, whole):
        assert torch.allclose(a.token_log_probs, b.token_log_probs, atol=1e-5)
        assert torch.allclose(a.attention, b.attention, atol=1e-6)
        assert torch.allclose(a.state.memory.values, b.state.memory.values, atol=1e-6)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(grouped_grads, whole_grads))
    assert grouped[0].attention.size(1) > 2  # the rows were of different lengths


def test_a_window_covering_the_conversation_backpropagates_through_the_memory():
    """TBPTT over a window holding the whole conversation is full BPTT: the last exchange's loss
    reaches the first turn's words through the memory; detaching between exchanges cuts it."""
    vocab = Vocab.build([["a", "b", "c", "d", "e"]], min_count=1)
    exchanges = [([4, 5], [6]), ([7], [8]), ([7], [4])]

    def first_word_gradient(cut: bool) -> torch.Tensor:
        model = _tiny(vocab)
        state = starting_state(model, 1, torch.device("cpu"))
        embedded = []
        original = model.embedding.forward

        def recording(ids):  # keep the first call's vectors (the first turn) to differentiate
            vectors = original(ids)
            if not embedded:
                vectors.retain_grad()
                embedded.append(vectors)
            return vectors

        model.embedding.forward = recording
        for index, exchange in enumerate(exchanges):
            out = run_turn(model, make_turn_batch([exchange], [index == 0], vocab), state)
            state = detach(out.state) if cut else out.state
        out.loss_sum.backward()
        return embedded[0].grad

    assert first_word_gradient(cut=False).abs().sum() > 0
    assert first_word_gradient(cut=True) is None or first_word_gradient(cut=True).abs().sum() == 0


def test_tiny_model_says_back_a_name_outside_its_vocabulary(taught):
    state = None
    for message in ("My name is Quorbelix", "how are you"):
        state = taught.reply(message, state, GREEDY).state
    reply = taught.reply("what is my name ?", state, GREEDY)
    assert "Quorbelix" in reply.text  # as written, though the model never saw the word
    assert "<unk>" not in reply.text
    named = reply.tokens.index("Quorbelix")
    assert reply.copied[named] > 0.5
    assert len(reply.attention[named]) == len(reply.source_tokens) == len(reply.source_turns)
    told = [turn for token, turn in zip(reply.source_tokens, reply.source_turns) if token == "Quorbelix"]
    assert told == [4]  # told four turns before the question


def _converse(taught, messages):
    """(the live state, the saved exchanges) of a conversation of ``messages``, greedy."""
    live, said = None, []
    for message in messages:
        reply = taught.reply(message, live, GREEDY)
        live = reply.state
        said.append((message, reply.text))
    return live, said


def test_a_conversation_rebuilt_from_its_saved_exchanges_gives_the_same_next_reply(taught):
    live, said = _converse(taught, ("my name is Bafelotu", "how are you"))
    rebuilt = taught.rebuild_state(said)
    assert rebuilt.unknown == live.unknown
    assert taught.reply("what is my name ?", rebuilt, GREEDY).text == taught.reply("what is my name ?", live,
                                                                                   GREEDY).text
    assert "Bafelotu" in taught.reply("what is my name ?", rebuilt, GREEDY).text


def test_a_question_typed_in_haste_is_read_as_the_question_it_is_live_and_rebuilt(taught):
    live, said = _converse(taught, ("my name is Bafelotu", "hows it going"))
    hasty = taught.reply("whats my name", live, GREEDY)
    assert hasty.text == taught.reply("what's my name?", live, GREEDY).text
    assert hasty.source_tokens[-4:] == ["what's", "my", "name", "?"]
    assert taught.reply("whats my name", taught.rebuild_state(said), GREEDY).text == hasty.text


def test_a_huge_message_and_a_long_conversation_stay_within_the_memory_bound(taught):
    bound = taught.model.config.memory_tokens
    reply = taught.reply("zq " * 50_000, None, GREEDY)
    assert reply.text
    assert len(reply.source_tokens) <= taught.model.config.max_source_len
    state = reply.state
    for turn in range(300):
        state = taught.reply(f"how are you {turn}", state, GREEDY).state
    assert state.tensors.memory.ids.size(1) == bound
    assert state.turns == 301


def test_fine_tuning_a_memory_model_teaches_a_correction_and_keeps_the_copy_path(taught):
    from copy import deepcopy

    from engine.tasks.finetune import finetune
    from engine.tasks.finetune_data import FinetuneConfig, SavedExchange, prepare

    student = ChatPredictor(deepcopy(taught.model), taught.vocab, torch.device("cpu"), "student")
    saved = [[SavedExchange("how are you", "i am fine", correction="i am fine how are you")]]
    finetune(student, prepare(saved), FinetuneConfig(epochs=30, learning_rate=1e-2, replay_share=0.0, distill_weight=0.0,
                                                            batch_size=1),
             torch.device("cpu"))
    assert student.reply("how are you", None, GREEDY).text == "I am fine how are you"
    state = student.reply("my name is Wuzzleby", None, GREEDY).state
    assert "Wuzzleby" in student.reply("what is my name ?", state, GREEDY).text


def test_the_mmi_reranking_reads_the_memory_models_replies_with_their_copied_words(taught):
    state = taught.reply("my name is Trovelina", None, GREEDY).state
    reranked = taught.reply("what is my name ?", state, DecodeConfig.of(mmi_weight=0.5, n_best=3))
    assert "Trovelina" in reranked.text
    # Every alternative was scored by the reranking: the scores are in its order.
    scores = [score for _, score in reranked.alternatives]
    assert len(scores) >= 2 and scores == sorted(scores, reverse=True)



def test_the_reranked_reply_keeps_the_number_of_alternatives_asked_for(taught):
    state = taught.reply("my name is Trovelina", None, GREEDY).state
    assert len(taught.reply("how are you", state, DecodeConfig.of(mmi_weight=0.5)).alternatives) == 1
    assert len(taught.reply("how are you", state, DecodeConfig.of(mmi_weight=0.5, n_best=2)).alternatives) == 2


def test_prepacked_reply_steps_match_the_model_and_copy_words_outside_the_vocabulary(taught):
    """The memory model's reply steps over prepacked weights (engine.models.fast.memory_decoder)
    give the model's log-probabilities within float16 rounding, over the vocabulary and the
    memory's extended ids, and the pointer-generator mixture stays a distribution."""
    from engine.models.fast.decoder import packing_works
    from engine.models.fast.memory_decoder import packed_memory_decoder

    model = taught.model.eval()
    decoder = packed_memory_decoder(model, torch.device("cpu"))
    assert (decoder is not None) == packing_works() and packed_memory_decoder(model, torch.device("cuda")) is None
    if decoder is None:
        return
    assert taught.steps is not model  # the predictor replies over them
    vocab_size = len(taught.vocab)
    source = torch.tensor([taught.vocab.encode("my name is".split()) + [vocab_size]])  # one word outside it
    with torch.inference_mode():
        state = model.initial_state(1)
        memory, encoded = model.start_reply(source, state)
        p_memory, p_encoded = decoder.start_reply(source, state)
        assert torch.equal(memory[0].ids, p_memory[0].ids)
        assert torch.allclose(memory[0].values, p_memory[0].values, atol=2e-3)
        rows = tuple(part.expand(-1, 3, -1).contiguous() for part in encoded)
        tokens = torch.tensor([taught.vocab.sos_id, 5, vocab_size])
        log_probs, weights, after = model.decode_step(tokens, rows, memory)
        p_log_probs, p_weights, p_after = decoder.decode_step(tokens, rows, memory)
    assert p_log_probs.shape == (3, vocab_size + 1)
    assert torch.allclose(torch.logsumexp(p_log_probs, dim=1), torch.zeros(3), atol=1e-4)
    assert torch.allclose(log_probs, p_log_probs, atol=5e-3)
    assert torch.allclose(weights, p_weights, atol=2e-3) and torch.allclose(after[0], p_after[0], atol=2e-3)
    assert p_log_probs[:, vocab_size].exp().min() > 0  # the word outside the vocabulary, by copying alone


def test_whole_words_lets_a_row_that_said_a_piece_go_on_only_with_the_next():
    from engine.tasks.chat_memory import _leading_on

    scores = torch.log_softmax(torch.randn(3, 10), dim=1)
    step = _leading_on(lambda tokens, state: (scores.clone(), None, state), {4: 7, 5: 12})
    out, _, _ = step(torch.tensor([4, 2, 5]), "state")
    assert out[0, 7] == scores[0, 7] and torch.isinf(out[0]).sum() == 9  # only the next piece is left
    assert torch.equal(out[1], scores[1])  # a row that said no piece is untouched
    assert torch.equal(out[2], scores[2])  # the next piece is past the scores (dropped from memory): free


def test_a_word_of_an_ampersand_is_written_as_the_user_wrote_it():
    from engine.tasks.chat_memory import _Words

    words = _Words()
    words.read("i bought the paint from B&Q, not from M & S")  # a word of an "&", not an "&" between words
    assert words.glued == ["B&Q"]
    assert words.reglue("You said you bought the paint from b & q.") == "You said you bought the paint from B&Q."


def test_the_words_a_conversation_wants_written_its_way():
    from engine.tasks.chat_memory import _Words

    words = _Words()
    vocabulary = {"i", "live", "in", "new", "york", "and", "my", "dog", "is", "you", "today"}
    words.read("I live in New Ardmoor and New York. My dog is Gizmo42, How are You Today",
               known=lambda word: word.lower() in vocabulary)
    assert words.glued == ["Gizmo42", "New Ardmoor"]  # "New York" and "You Today" are the model's words
    assert words.names == ["New Ardmoor", "New York", "You Today"]  # but are names the user wrote
    words.read("that would be good old Laura. Laura is great")  # one word written as a name, not a sentence's first
    assert words.names[-1] == "Laura" and "That" not in words.names and words.glued == ["Gizmo42", "New Ardmoor"]
    assert words.reglue("Your best friend is laura.") == "Your best friend is Laura."
    # A fact stated as one of them is written as the user wrote it, and so is any other of them but
    # one of nothing but the vocabulary's most common words ("You Today")
    common = frozenset({"you", "today", "new", "i", "in"})
    assert words.reglue("You said you live in new york.") == "You said you live in New York."
    assert words.reglue("I love new york, and you today?", common) == "I love New York, and you today?"
    assert words.reglue("I love new york, and you today?") == "I love New York, and You Today?"
    assert words.reglue("you live in new ardmoor with gizmo 42 in new york", common) == \
        "you live in New Ardmoor with Gizmo42 in New York"
    assert words.reglue("my dog laura is new", common) == "my dog Laura is new"
    ids = {"gizmo": 20, "42": 21}
    assert words.follow(lambda word: [ids[piece.lower()] for piece in word.replace("42", " 42").split()]) == {20: 21}
    # a word of a name outside the vocabulary said alone is written as the whole name
    words.append("Ardmoor")
    assert words.reglue("you live in ardmoor") == "you live in New Ardmoor"
    assert words.reglue("you live in New Ardmoor") == "you live in New Ardmoor"
    assert words.reglue("you live in new, not old") == "you live in new, not old"  # "new" is the model's word


def test_a_name_with_a_small_word_inside_is_one_name():
    from engine.tasks.chat_memory import _Words

    words = _Words()
    words.read("my favourite piece is Clair de Lune, and i love Lord of the Rings", known=lambda word: word in "of the")
    assert words.names == ["Clair de Lune", "Lord of the Rings"]
    words.read("i met Tom of the band. Paris is the best")  # a name ends where the small words lead to no other
    assert words.names[-1] == "Tom"
    words.append("Lune")  # outside the vocabulary: said alone, it is written as the whole name
    assert words.reglue("Your favourite piece is lune.") == "Your favourite piece is Clair de Lune."


def test_a_told_phrase_tends_to_be_said_whole():
    from types import SimpleNamespace

    from engine.tasks.chat_memory import MemoryReplies, _leading_on

    vocab = Vocab.build([["my", "drink", "is", "mate", "."]], min_count=1)
    size = len(vocab)
    yerba, other = size, size + 1  # two words outside the vocabulary
    ids = [vocab.stoi["my"], vocab.stoi["drink"], vocab.stoi["is"], yerba, vocab.stoi["mate"], other, vocab.stoi["."],
           other, vocab.stoi["drink"], yerba, vocab.stoi["drink"]]
    ago = [2, 2, 2, 2, 2, 1, 1, 0, 0, -1, -1]
    after = MemoryReplies._told_after(SimpleNamespace(vocab=vocab), ids, ago)
    # not "other" -> "." (no word), nor what follows in the message answered or in a stored pair
    assert after == {yerba: vocab.stoi["mate"]}
    scores = torch.log_softmax(torch.randn(2, size + 2), dim=1)
    step = _leading_on(lambda tokens, state: (scores.clone(), None, state), after, 3.0)
    out, _, _ = step(torch.tensor([yerba, other]), None)
    assert out[0, vocab.stoi["mate"]] == pytest.approx(float(scores[0, vocab.stoi["mate"]]) + 3.0)
    assert torch.equal(out[0, :vocab.stoi["mate"]], scores[0, :vocab.stoi["mate"]])
    assert torch.equal(out[1], scores[1])


def test_the_history_term_favours_a_reply_that_says_back_what_was_told_and_is_nothing_at_the_first_turn(taught):
    seen = []
    history = taught._history

    def spy(hypotheses, source_ids, weight):
        terms = history(hypotheses, source_ids, weight)
        seen.append([(h.tokens, term) for h, term in zip(hypotheses, terms)])
        return terms

    taught._history = spy
    try:
        config = DecodeConfig.of(mmi_weight=0.5, history_weight=1.0, n_best=4, beam_size=4)
        first = taught.reply("my name is Trovelina", None, config)
        taught.reply("what is my name ?", first.state, config)
        off = DecodeConfig.of(mmi_weight=0.5, history_weight=0.0, n_best=4, beam_size=4)
        taught.reply("what is my name ?", first.state, off)
    finally:
        del taught._history
    at_first, asked, switched_off = seen
    # A new conversation is the turn alone: the earlier conversation adds nothing.
    assert all(abs(term) < 1e-3 for _, term in at_first)
    # Asked back, the reply that copies the told name (an id past the vocabulary) gains the most.
    says_name = [term for tokens, term in asked if any(t >= len(taught.vocab) for t in tokens)]
    others = [term for tokens, term in asked if all(t < len(taught.vocab) for t in tokens)]
    assert says_name and others and max(says_name) > max(others) and max(says_name) > 1.0
    assert all(term == 0.0 for _, term in switched_off)


def test_the_memory_reply_counts_the_users_earlier_words_as_told_and_not_the_question(taught, monkeypatch):
    seen = []
    real = chat_memory.ground

    def spy(hypotheses, texts, told, *rest):
        seen.append(told)
        return real(hypotheses, texts, told, *rest)

    monkeypatch.setattr(chat_memory, "ground", spy)
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)  # a reranking, as the default's
    first = taught.reply("my name is Trovelina", None, config)
    taught.reply("what is my name ?", first.state, config)
    assert seen and "trovelina" in seen[-1] and "what" not in seen[-1]


def test_a_decline_of_what_the_user_told_brings_the_models_replies_that_start_by_saying_it(taught, monkeypatch):
    seen = []
    real = chat_memory.ground

    def spy(hypotheses, texts, *rest):
        seen.append(list(texts))
        return real(hypotheses, texts, *rest)

    monkeypatch.setattr(chat_memory, "ground", spy)
    # Read every candidate as one not saying a kind of thing the user told, to be said "my name ...".
    monkeypatch.setattr(chat_memory, "restart", lambda reply, told, asked: "my name")
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)
    first = taught.reply("my name is Trovelina", None, config)
    taught.reply("what is my name ?", first.state, config)
    added = seen[-1][4:]
    assert len(added) == chat_memory.FORCED_BEAMS
    assert all(text.lower().startswith("my name") for text in added), added


def _grounded_pools(monkeypatch) -> list:
    """What ``chat_memory.ground`` is given from now on, call by call: (hypotheses, texts)."""
    seen = []
    real = chat_memory.ground

    def spy(hypotheses, texts, *rest):
        seen.append((list(hypotheses), list(texts)))
        return real(hypotheses, texts, *rest)

    monkeypatch.setattr(chat_memory, "ground", spy)
    return seen


def test_a_restart_also_scores_replies_that_say_the_values_the_user_told_of_that_kind(taught, monkeypatch):
    seen = _grounded_pools(monkeypatch)
    monkeypatch.setattr(chat_memory, "restart", lambda reply, told, asked: "my name")
    asked_for = []
    monkeypatch.setattr(chat_memory, "told_values",
                        lambda start, told, asked, names: asked_for.append(start) or [("trovelina",), ("nowhere42",)])
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)
    first = taught.reply("my name is Trovelina", None, config)
    taught.reply("what is my name ?", first.state, config)
    hypotheses, texts = seen[-1]
    assert asked_for and asked_for[-1] == "my name"
    # A value the conversation never said cannot be written; the told one is, as the user spelt it.
    said = [(h, text) for h, text in zip(hypotheses, texts) if text.rstrip(".") == "My name Trovelina"]
    assert len(said) == 1 and not any("nowhere" in text.lower() for text in texts)
    (h, _), = said
    assert h.log_prob < 0 and h.score == pytest.approx(h.log_prob / (len(h.tokens) + 1))


def test_a_reply_read_but_not_trained_on_is_remembered_and_carried_but_not_scored():
    """An :class:`Unscored` reply (the generator's acknowledgements) adds no loss and no tokens,
    yet the memory keeps its words and the state carries on from it as from a scored one."""
    from engine.data.chat import Unscored

    vocab = Vocab.build([["a", "b", "c", "d", "e"]], min_count=1)
    model = _tiny(vocab).eval()
    source, reply = vocab.encode(["a", "b"]), vocab.encode(["c", "d", "e"])
    scored = run_turn(model, make_turn_batch([(source, reply)], [False], vocab), model.initial_state(1))
    read = run_turn(model, make_turn_batch([(source, Unscored(reply))], [False], vocab), model.initial_state(1))
    assert scored.n_tokens == 4 and read.n_tokens == 0 and float(read.loss_sum) == 0.0
    assert read.state.memory.ids.tolist() == scored.state.memory.ids.tolist()
    assert set(reply) <= set(read.state.memory.ids[0].tolist())
    assert torch.allclose(read.state.h, scored.state.h) and torch.allclose(read.state.memory.values,
                                                                            scored.state.memory.values)


class _Judge:
    """A sentiment judge that reads every text with the probabilities ``row`` (negative, neutral,
    positive)."""

    def __init__(self, row):
        self.row = list(row)

    def probabilities(self, texts):
        return [self.row for _ in texts]


BAD, GOOD = (0.9, 0.05, 0.05), (0.05, 0.05, 0.9)


def _moody(taught, monkeypatch, start: str, reads: str, row, lexicon):
    """A predictor of ``taught`` with the judge ``row`` and VADER's scores ``lexicon`` for every
    text, whose words "i am" stand for the replies the mood asks for (``start``, the name of the
    first words in chat_memory; ``reads``, the name of their reading in chat_mood): the tiny model
    cannot say "i'm sorry" or "congratulations". Returns it, a config that weighs the mood and one
    that does not."""
    monkeypatch.setattr(chat_memory, start, "i am")
    monkeypatch.setattr(chat_mood, reads, lambda text: text.lower().startswith("i am"))
    monkeypatch.setattr(chat_mood, "lexicon_scores", lambda texts: [list(lexicon) for _ in texts])
    predictor = ChatPredictor(taught.model, taught.vocab, torch.device("cpu"), "mood")
    predictor._mood = _Judge(row)
    return (predictor, DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4, mood_weight=10.0),
            DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4))


def test_to_the_users_bad_news_the_models_sympathetic_replies_are_weighed_and_chosen(taught, monkeypatch):
    predictor, kind, plain = _moody(taught, monkeypatch, "SYMPATHY", "sympathises", BAD, (0.8, 0.2, 0.0, -0.7))
    news = "my is to meet"  # a turn it was never taught a reply to: it is unsure what to say
    assert not predictor.reply(news, None, plain).text.lower().startswith("i am")
    assert predictor.reply(news, None, kind).text.lower().startswith("i am")
    # A question, or a turn that is no news of the user's, asks for no sympathy.
    for turn in ("my is to meet ?", "what is my name ?", "how are you"):
        assert predictor.reply(turn, None, kind).text == predictor.reply(turn, None, plain).text, turn
    # Sympathy that says the user never told it something is none ("I'm sorry, I don't know your name").
    monkeypatch.setattr(chat_memory, "declines", lambda reply: reply.lower().startswith("i am"))
    assert not predictor.reply(news, None, kind).text.lower().startswith("i am")


def test_to_the_users_good_news_the_models_congratulations_are_weighed_and_chosen(taught, monkeypatch):
    monkeypatch.setattr(chat_mood, "tells_milestone", lambda text: True)  # every turn a milestone
    predictor, glad, plain = _moody(taught, monkeypatch, "CONGRATULATIONS", "congratulates", GOOD,
                                    (0.0, 0.2, 0.8, 0.7))
    news = "my is to meet"
    assert not predictor.reply(news, None, plain).text.lower().startswith("i am")
    assert predictor.reply(news, None, glad).text.lower().startswith("i am")
    # no news of the user's, nor news the lexicon reads as negative
    assert predictor.reply("how are you", None, glad).text == predictor.reply("how are you", None, plain).text
    monkeypatch.setattr(chat_mood, "lexicon_scores", lambda texts: [[0.0, 0.2, 0.8, -0.1] for _ in texts])
    assert predictor.reply(news, None, glad).text == predictor.reply(news, None, plain).text


def test_to_bad_news_a_stored_answer_keeps_its_score_and_the_others_are_weighed(taught, monkeypatch):
    from engine.decoding import Hypothesis

    monkeypatch.setattr(chat_mood, "lexicon_scores", lambda texts: [[0.8, 0.2, 0.0, -0.7] for _ in texts])
    predictor = ChatPredictor(taught.model, taught.vocab, torch.device("cpu"), "mood")
    predictor._mood = _Judge(BAD)  # every text negative, p(positive) 0.05
    monkeypatch.setattr(predictor, "_forced", lambda *args, **kwargs: [])
    stoi = taught.vocab.stoi
    stored, other = ([stoi[word] for word in text.split()] for text in ("nice to meet you", "i am fine"))
    hypotheses = [Hypothesis(tokens=stored, score=0.0, log_prob=-1.0), Hypothesis(tokens=other, score=0.0, log_prob=-1.0)]
    config = DecodeConfig.of(mood_weight=4.0)
    assert predictor._news_mood("my is to meet", config) == "bad"
    weighed = predictor._sympathetic(hypotheses, "bad", chat_memory._Words(), None, None, config, [tuple(stored)])
    assert weighed[0].prior == 0.0  # the taught (or shipped) answer is meant, cheerful or not
    assert weighed[1].prior == pytest.approx(-4.0 * 0.05)
    # No bad news, nothing weighed.
    assert predictor._news_mood("what is my name ?", config) is None
    assert predictor._sympathetic(hypotheses, None, chat_memory._Words(), None, None, config, []) == hypotheses


def test_sympathy_or_congratulations_that_tail_off_into_the_turns_words_or_small_talk_are_told_apart():
    assert chat_memory.tails_off("I'm sorry to hear that. Passed away with you.", "my grandmother passed away")
    assert chat_memory.tails_off("I'm sorry to hear that. What do you do for a living?", "i can't sleep")
    assert chat_memory.tails_off("Congratulations! What do you like to do for fun?", "i just started a new job")
    assert not chat_memory.tails_off("I'm sorry to hear that. What happened?", "i can't sleep")
    assert chat_memory.tails_off("I'm sorry to hear that work at work.", "i'm feeling overwhelmed at work")
    assert not chat_memory.tails_off("Congratulations on your new job!", "i got a new job")
    assert not chat_memory.tails_off("Oh no! How are you doing?", "oh hey its you again !")  # its own first words
    assert not chat_memory.tails_off("I'm sorry to hear that.", "my grandmother passed away")
    # small talk about what the turn spoke of is taken up, and a reply without sympathy is another rule's
    assert not chat_memory.tails_off("I'm sorry to hear that. Is work fun for you?", "no fun at all today")
    assert not chat_memory.tails_off("Passed away? What do you do for a living?", "my grandmother passed away")


def test_a_reply_that_only_says_back_words_of_the_users_news_loses_but_for_a_stored_answer(taught):
    from engine.decoding import Hypothesis

    assert chat_memory.echoes("Baking cookies", "i'm baking cookies")
    assert chat_memory.echoes("Sick is a cat.", "my cat is sick")
    assert not chat_memory.echoes("Aww, I love dogs.", "my dog keeps barking")
    assert not chat_memory.echoes("I'm sorry to hear that.", "my cat is sick")
    assert not chat_memory.echoes("Hi!", "hi")  # a greeting is answered in kind
    stoi = taught.vocab.stoi
    said = {text: [stoi[word] for word in text.split()] for text in ("fine", "nice to meet you", "your name is fine")}
    hypotheses = [Hypothesis(tokens=tokens, score=0.0, log_prob=-1.0) for tokens in said.values()]
    stored = [tuple(said["your name is fine"])]
    priors = [h.prior for h in taught._unechoed(hypotheses, "my name is fine", chat_memory._Words(), stored)]
    assert priors[0] == -chat_memory.ECHO_LOSS < 0 and priors[1:] == [0.0, 0.0]
    # a question is answered in its own words if need be
    assert taught._unechoed(hypotheses, "is my name fine ?", chat_memory._Words(), []) == hypotheses


def test_a_reply_that_says_nothing_new_to_a_question_of_what_loses_but_for_a_stored_answer(taught):
    from engine.decoding import Hypothesis

    assert chat_memory.says_nothing_new("It's dinner.", "what did you eat for dinner?")
    assert chat_memory.says_nothing_new("Usually wake up.", "ok. what time do you usually wake up?")
    # a question answered yes or no, a reply that says no, or one that says something new, is answered
    assert not chat_memory.says_nothing_new("I do like pizza.", "do you like pizza?")
    assert not chat_memory.says_nothing_new("I don't have a favourite colour.", "what's your favourite colour?")
    assert not chat_memory.says_nothing_new("My favourite colour is blue.", "what's your favourite colour?")
    stoi = taught.vocab.stoi
    said = {text: [stoi[word] for word in text.split()] for text in ("name", "nice to meet you")}
    hypotheses = [Hypothesis(tokens=tokens, score=0.0, log_prob=-1.0) for tokens in said.values()]
    priors = [h.prior for h in taught._unechoed(hypotheses, "what is my name ?", chat_memory._Words(), [])]
    assert priors == [-chat_memory.ECHO_LOSS, 0.0]
    assert [h.prior for h in taught._unechoed(hypotheses, "what is my name ?", chat_memory._Words(),
                                               [tuple(said["name"])])] == [0.0, 0.0]  # a stored answer


def test_to_bad_news_only_a_stored_answer_that_answers_the_turn_keeps_its_score():
    from engine.knowledge_index import Hit
    from engine.knowledge_pairs import KnowledgePair

    naps = Hit(0, KnowledgePair("So tired", "I've heard really good things about naps.", "shipped"), 5.0, 0.32, 0.66)
    friend = Hit(1, KnowledgePair("You are my best friend", "I'm your imaginary friend.", "shipped"), 4.0, 0.36, 0.72)
    # a pair about what happened ("tired") answers the news; one about whom it happened to does not
    assert chat_memory._answering([naps, friend], [(1, 2), (3, 4)], "i'm so tired today") == {(1, 2)}
    assert chat_memory._answering([naps, friend], [(1, 2), (3, 4)], "my best friend died") == set()
    assert chat_memory._answering([friend._replace(relevance=0.6)], [(3, 4)], "my best friend died") == {(3, 4)}
    assert chat_memory._answering([naps], [()], "i'm so tired") == set()  # an answer the model cannot say
    # words that say when or that something happened say nothing of what, and a question answers none
    haircut = Hit(2, KnowledgePair("I got a new haircut", "I see.", "shipped"), 4.6, 0.31, 0.59)
    advice = Hit(3, KnowledgePair("Should I get a new job?", "Follow your heart.", "shipped"), 4.2, 0.28, 0.57)
    assert chat_memory._answering([haircut, advice], [(5,), (6,)], "i got a new job today!") == set()
    assert chat_memory._answering([haircut], [(5,)], "i got a new haircut today!") == {(5,)}


def test_a_reply_that_recalls_what_the_user_told_or_did_not_is_known_as_such():
    assert chat_memory.recalls("You said your name is another one.")
    assert chat_memory.recalls("You didn't tell me your name.")
    assert not chat_memory.recalls("Why do seagulls fly over the sea?")
    assert not chat_memory.recalls("You say that a lot.")
    assert chat_memory.recalls("Sorry, I don't know your plans for soaked.")
    assert not chat_memory.recalls("I don't know much about umbrellas.")
    assert chat_memory.recalls("I don't know what you do for a living, you never heard.")
    assert not chat_memory.recalls("I don't know, you?") and not chat_memory.recalls("I don't know what you mean")


def test_news_reads_only_the_stored_pairs_that_answer_it():
    from engine.knowledge_index import Hit
    from engine.knowledge_pairs import KnowledgePair

    class Store:  # the one pair found for any turn, matching it as well as the shipped set found it
        def search(self, text, k):
            return [Hit(0, KnowledgePair("I got a new haircut", "I see.", self.source), 4.6, 0.58, 0.59)]

        def __init__(self, source):
            self.source = source

    read = lambda text, source="shipped": [  # noqa: E731
        hit.pair.answer for hit in chat_memory.pairs_read(Store(source), text, 3)]
    assert read("i got a new haircut") == ["I see."]
    assert read("i got a new job") == []  # news of something else
    assert read("got a new job") == ["I see."]  # no news of the user's: read by its match alone
    assert read("i got a new job", "user") == ["I see."]  # a pair of the user's: read by its match alone


def test_a_question_about_someone_named_reads_no_shipped_pair_about_the_bot():
    from engine.knowledge_index import Hit
    from engine.knowledge_pairs import KnowledgePair

    class Store:
        def search(self, text, k):
            return [Hit(0, KnowledgePair("What's wrong with you?", "I'm a work in progress.", self.source),
                        4.6, 0.7, 0.7)]

        def __init__(self, source):
            self.source = source

    read = lambda text, source="shipped": [  # noqa: E731
        hit.pair.answer for hit in chat_memory.pairs_read(Store(source), text, 3)]
    assert read("what's wrong with Max?") == []
    assert read("what's wrong with you?") == ["I'm a work in progress."]
    assert read("what's wrong?") == ["I'm a work in progress."]  # about no one named: read by its match
    assert read("what's wrong with Max?", "user") == ["I'm a work in progress."]  # the user's pair: by its match


def test_a_shipped_pair_is_said_surely_only_to_the_same_question_about_the_bot():
    from engine.knowledge_index import Hit
    from engine.knowledge_pairs import KnowledgePair

    shipped = Hit(0, KnowledgePair("What's your name?", "Oh, I don't have a name.", "shipped"), 5.0, 0.5, 1.0)
    assert chat_memory._asks_the_same(shipped, "what's your name?")
    # not a statement, nor a question about the user, nor a looser match
    assert not chat_memory._asks_the_same(shipped, "your name is nice")
    assert not chat_memory._asks_the_same(shipped, "what's my name? and yours?")
    assert not chat_memory._asks_the_same(shipped._replace(agreement=0.9), "what's your name?")
    # a pair the user taught is said from a looser match, whatever the turn
    taught = shipped._replace(pair=KnowledgePair("What's your name?", "Call me Robo.", "user"), agreement=0.8)
    assert chat_memory._asks_the_same(taught, "what is your name")


def test_where_every_reply_declines_a_question_about_nothing_of_the_users_is_answered_by_not_knowing(
        taught, monkeypatch):
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)
    assert taught.reply("how are you", None, config).text != "Nice to meet you"
    # Read every reply, the searched-again ones too, as saying the user never told something.
    monkeypatch.setattr(chat_memory, "declines", lambda reply: True)
    monkeypatch.setattr(chat_memory, "NOT_KNOWING", ("nice to meet you", "no such wordz"))
    reply = taught.reply("how are you", None, config)
    assert reply.text == "Nice to meet you" and reply.score < 0  # the model's score; the unspellable one left out


def _untold(taught, monkeypatch):
    """(config, the state after "my name is Trovelina", the whole decline) where ``untold_decline`` gives that
    decline (its words "your name is trovelina", which the tiny model can say), no sentence of the user's answers
    and no reply states a value as told."""
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)
    first = taught.reply("my name is Trovelina", None, config)
    whole = ["your", "name", "is", "trovelina"]  # said whole: "you didn't tell me how old your grandma is."
    monkeypatch.setattr(chat_memory, "untold_decline", lambda text, names=frozenset(): whole)
    monkeypatch.setattr(chat_memory, "told_back", lambda *args, **kwargs: [])  # no sentence of theirs answers
    monkeypatch.setattr(chat_memory, "states_told", lambda reply, *context: False)
    return config, first, whole


def test_the_whole_decline_is_the_reply_where_the_models_own_decline_says_the_very_same_words(taught, monkeypatch):
    config, first, whole = _untold(taught, monkeypatch)
    monkeypatch.setattr(chat_memory, "states_untold", lambda reply, told: True)  # each reply makes a value up
    real = taught._grounded

    def grounded(hypotheses, text, asking, ids, ago, unknown, step, decoder, memory, config, answers=()):
        # the decline the model is led to say is the very words of the whole one
        monkeypatch.setattr(taught, "_forced", lambda *args, **kwargs: taught._said([whole], unknown, decoder,
                                                                                    memory, set()))
        return real(hypotheses, text, asking, ids, ago, unknown, step, decoder, memory, config, answers)

    monkeypatch.setattr(taught, "_grounded", grounded)
    weighed = _grounded_pools(monkeypatch)
    reply = taught.reply("what is my name ?", first.state, config)
    assert reply.text.lower().rstrip(".") == "your name is trovelina"
    assert not weighed  # the reply, not one of many weighed against the replies that make a value up


def test_the_whole_decline_is_the_reply_to_a_question_of_a_thing_of_theirs_that_nothing_told_answers(
        taught, monkeypatch):
    config, first, _ = _untold(taught, monkeypatch)  # (the decline: "you didn't tell me who you bought it from.")
    monkeypatch.setattr(chat_memory, "declines", lambda reply: False)  # no reply declines ...
    monkeypatch.setattr(chat_memory, "stated_value", lambda reply: "trovelina")  # ... each states a value ...
    monkeypatch.setattr(chat_memory, "misplaced", lambda *args: False)  # ... as told, of nothing else
    monkeypatch.setattr(chat_memory, "states_untold", lambda reply, told: False)
    monkeypatch.setattr(chat_memory, "asks_of_it", lambda text, told=(), names=frozenset(): True)  # of "it"
    reply = taught.reply("who did i buy it from ?", first.state, config)
    assert reply.text.lower().rstrip(".") == "your name is trovelina"  # the whole decline, not a made-up answer


def test_a_sentence_of_the_users_that_speaks_of_what_they_ask_is_said_back_where_no_reply_states_it(
        taught, monkeypatch):
    seen = _grounded_pools(monkeypatch)
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)
    first = taught.reply("my name is Trovelina", None, config)
    asked = []
    monkeypatch.setattr(chat_memory, "told_back", lambda told, question, names, loose=False: asked.append(
        [t.words for t in told]) or [("you", "are", "trovelina")])
    monkeypatch.setattr(chat_memory, "states_told", lambda reply, *context: False)  # no reply states it
    reply = taught.reply("what is my name ?", first.state, config)
    assert asked == [[("my", "name", "is", "trovelina")]]
    assert reply.text == "You are Trovelina" and reply.score < 0  # the user's words, scored by the model
    # a sentence read from a corpus, with a word it could not read, is not said back
    monkeypatch.setattr(chat_memory, "told_back", lambda told, question, names, loose=False: [("you", "are", "<unk>")])
    reply = taught.reply("what is my name ?", first.state, config)
    assert "unk" not in reply.text.lower() and seen and not any("unk" in text.lower() for text in seen[-1][1])
    # where a reply states what was told, nothing is said back
    monkeypatch.setattr(chat_memory, "states_told", lambda reply, *context: True)
    taught.reply("what is my name ?", first.state, config)
    assert len(asked) == 1
    # a question about someone the user named (no "i", no "you") is asked back the same way
    monkeypatch.setattr(chat_memory, "told_back", lambda told, question, names, loose=False: asked.append(names) or [
        ("you", "are", "trovelina")])
    named = taught.reply("my friend is Trovelina", None, config)
    reply = taught.reply("who is Trovelina ?", named.state, config)
    assert asked[-1] == {("trovelina",)} and reply.text == "You are Trovelina"
    # and no question about the bot, nor one with nothing told before it
    taught.reply("who are you ?", named.state, config)
    taught.reply("who is he ?", None, config)
    assert len(asked) == 2
    # someone of the user's they did not name ("my dad") is asked back too
    told = taught.reply("my dad is in the hospital", None, config)
    taught.reply("who is in the hospital ?", told.state, config)
    assert len(asked) == 3 and asked[-1] == set()
    # "his" is the someone of the user's spoken of last: the question is asked as one of the user's
    questions = []
    monkeypatch.setattr(chat_memory, "told_back", lambda told, question, names, loose=False: questions.append(
        (question, loose)) or [])
    monkeypatch.setattr(chat_memory, "states_told", lambda reply, *context: False)
    taught.reply("what is his name ?", named.state, config)
    # (asked strictly, then, with nothing found, loosely: one word in common that says the kind asked)
    assert questions == [("what is my friend's name ?", False), ("what is my friend's name ?", True)]


def test_a_reply_the_bot_may_not_say_gives_way_to_the_next_best_with_one_reply_asked_for(taught, monkeypatch):
    config = DecodeConfig.of(mmi_weight=0.5, n_best=1, beam_size=4)  # one reply, as the default
    best = taught.reply("how are you", None, config)
    real = chat_rerank.without_placeholders
    seen = []

    def never_the_best(hypotheses, words, *rest):
        seen.append(len(hypotheses))
        return real([h for h in hypotheses if taught.memory_words(h.tokens, []) != best.tokens], words, *rest)

    monkeypatch.setattr(chat_rerank, "without_placeholders", never_the_best)
    other = taught.reply("how are you", None, config)
    assert seen[-1] > 1 and other.text != best.text and len(other.alternatives) == 1


def test_bad_news_is_not_steered_to_its_topic_words(taught, monkeypatch):
    steered = []
    monkeypatch.setattr(taught, "_topic_bias", lambda ids, config: steered.append(ids))
    config = DecodeConfig.of(mmi_weight=0.5, n_best=4, beam_size=4)
    monkeypatch.setattr(taught, "_news_mood", lambda text, config: "bad")
    taught.reply("my cat is sick", None, config)
    assert steered == []  # "my best friend died" had been steered to "Your friend is called died?"
    monkeypatch.setattr(taught, "_news_mood", lambda text, config: None)
    taught.reply("my cat is sick", None, config)
    assert len(steered) == 1
    monkeypatch.setattr(taught, "_news_mood", lambda text, config: "good")  # good news keeps them
    taught.reply("my cat is sick", None, config)
    assert len(steered) == 2


def test_the_models_slip_of_a_dog_name_is_written_as_a_dogs_name():
    assert chat_memory._owned("You didn't tell me your dog name.") == "You didn't tell me your dog's name."
    assert chat_memory._owned("What is your first name?") == "What is your first name?"
