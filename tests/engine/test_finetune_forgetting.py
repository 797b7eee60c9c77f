"""Keeping the base model while fine-tuning: train_chat's optional distillation toward a frozen
teacher (Learning without Forgetting) and its pull toward the teacher's weights (L2-SP), on a
tiny real model."""
import copy

import pytest
import torch

from engine.chat_training import TrainConfig, distillation_sum, evaluate_loss, run_turn, train_chat
from engine.data.chat import stream_batches, tokenize_conversations, training_streams
from engine.tasks.chat import ChatPredictor

from tiny_chat import BASE, train_tiny_model

# New replies to the base prompts: learning them costs the base conversations their likelihood.
NEW = [["hello there", "go away please", "i am fine thanks", "whatever you say"],
       ["do you like music?", "only loud drums", "what else?", "nothing at all"]]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return ChatPredictor.load(train_tiny_model(tmp_path_factory.mktemp("model")))


def streams(predictor, conversations):
    config = predictor.model.config
    return training_streams(tokenize_conversations(conversations), predictor.vocab, config.max_source_len,
                            config.max_reply_len, both_sides=False)


def fine_tuned(base, **weights):
    """A copy of the base model trained on NEW only (no replay), and what it now costs on BASE."""
    model = copy.deepcopy(base.model)
    teacher = copy.deepcopy(base.model).requires_grad_(False)
    config = TrainConfig(epochs=25, batch_size=2, learning_rate=1e-2, min_learning_rate=1e-2, warmup_steps=0,
                         tbptt_turns=2, seed=3, valid_every=10**9, min_active_rows=0.0, **weights)
    train_chat(model, streams(base, NEW), [], base.vocab, config, torch.device("cpu"), teacher=teacher)
    base_loss, _ = evaluate_loss(model, streams(base, BASE), base.vocab, torch.device("cpu"), batch_size=4)
    new_loss, _ = evaluate_loss(model, streams(base, NEW), base.vocab, torch.device("cpu"), batch_size=2)
    return model, base_loss, new_loss


def test_the_distillation_term_is_zero_against_itself_and_positive_against_another_model(base):
    model = base.model.eval()
    batch = next(stream_batches(streams(base, BASE), 4, base.vocab))
    with torch.no_grad():
        out = run_turn(model, batch, model.initial_state(4))
    assert float(distillation_sum(model, out, model, out, batch)) == pytest.approx(0.0, abs=1e-4)
    other = copy.deepcopy(model)
    with torch.no_grad():
        other.combine.weight.mul_(0.5)
        other_out = run_turn(other, batch, other.initial_state(4))
    assert float(distillation_sum(model, out, other, other_out, batch)) > 0.01


def test_distillation_counts_only_the_rows_it_is_given(base):
    model = base.model.eval()
    batch = next(stream_batches(streams(base, BASE), 4, base.vocab))
    assert batch.streams.tolist() == [0, 1, 2, 3]  # which stream each row reads
    other = copy.deepcopy(model)
    with torch.no_grad():
        other.combine.weight.mul_(0.5)
        out = run_turn(model, batch, model.initial_state(4))
        other_out = run_turn(other, batch, other.initial_state(4))
    every = float(distillation_sum(model, out, other, other_out, batch))
    per_row = [float(distillation_sum(model, out, other, other_out, batch, torch.arange(4) == row))
               for row in range(4)]
    assert min(per_row) > 0 and sum(per_row) == pytest.approx(every, rel=1e-4)
    none = distillation_sum(model, out, other, other_out, batch, torch.zeros(4, dtype=torch.bool))
    assert float(none) == 0.0


def test_with_the_weights_at_zero_a_teacher_changes_nothing(base):
    plain = copy.deepcopy(base.model)
    config = TrainConfig(epochs=3, batch_size=2, learning_rate=1e-2, warmup_steps=0, tbptt_turns=2, seed=3,
                         valid_every=10**9, min_active_rows=0.0)
    losses = {"plain": [], "teacher": []}
    train_chat(plain, streams(base, NEW), [], base.vocab, config, torch.device("cpu"),
               on_progress=lambda u: losses["plain"].append(u.loss))
    model = copy.deepcopy(base.model)
    train_chat(model, streams(base, NEW), [], base.vocab, config, torch.device("cpu"),
               on_progress=lambda u: losses["teacher"].append(u.loss),
               teacher=copy.deepcopy(base.model).requires_grad_(False))
    assert losses["plain"] and losses["plain"] == losses["teacher"]
    for a, b in zip(plain.parameters(), model.parameters()):
        assert torch.equal(a, b)


def test_distillation_and_the_anchor_keep_the_base_conversations(base):
    before, _ = evaluate_loss(base.model, streams(base, BASE), base.vocab, torch.device("cpu"), batch_size=4)
    _, forgot, learnt = fine_tuned(base)
    _, distilled, distilled_learnt = fine_tuned(base, distill_weight=1.0)
    _, anchored, anchored_learnt = fine_tuned(base, anchor_weight=20.0)
    assert forgot > before + 1.0  # plain fine-tuning on NEW forgets BASE
    assert distilled < forgot / 2 and anchored < forgot / 2
    # ... and both still learn the new replies far beyond where the base model stood.
    new_before, _ = evaluate_loss(base.model, streams(base, NEW), base.vocab, torch.device("cpu"), batch_size=2)
    for loss in (learnt, distilled_learnt, anchored_learnt):
        assert loss < new_before / 2
