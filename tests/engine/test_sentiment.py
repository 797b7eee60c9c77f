"""The sentiment classifier: learning, padding invariance, bad input, evaluation and the command line."""
import json
import random
from dataclasses import asdict, replace

import pytest
import torch

from engine.__main__ import main
from engine.checkpoint import Checkpoint, save_checkpoint
from engine.data.sentiment import LABEL_INDEX, SentimentExample
from engine.models.sentiment import SentimentClassifier, SentimentConfig, SentimentEnsemble, pad_batch
from engine.results import LABELS
from engine.lexicon import lexicon_scores, vader_label
from engine.tasks.sentiment import SentimentPredictor, build_vocab, score
from engine.tasks.sentiment_train import SentimentTrainConfig, fit
from engine.tasks.sentiment_eval import bench, evaluate_examples
from engine.text import Vocab, tokenize

NEG, NEU, POS = LABEL_INDEX["negative"], LABEL_INDEX["neutral"], LABEL_INDEX["positive"]
WORDS = {POS: ["good", "great", "lovely", "happy"], NEG: ["bad", "awful", "sad", "broken"],
         NEU: ["table", "chair", "window", "door"]}
FILLER = ["the", "a", "is", "it", "this", "my", "was", "today"]


def toy_texts(n, seed):
    """Texts of 2-7 filler words with one class word somewhere: separable by that word alone."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 3
        words = [rng.choice(FILLER) for _ in range(rng.randint(1, 6))]
        words.insert(rng.randint(0, len(words)), rng.choice(WORDS[label]))
        rows.append((" ".join(words), label))
    return rows


def tiny_model(vocab, **overrides):
    config = SentimentConfig(vocab_size=len(vocab), embedding_size=12, hidden_size=12, **overrides)
    return SentimentClassifier(config)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny model trained on the toy set, saved as a checkpoint: (path, predictor, fit result, updates)."""
    torch.manual_seed(0)
    train_rows, valid_rows = toy_texts(240, seed=1), toy_texts(60, seed=2)
    vocab = build_vocab([tokenize(text) for text, _ in train_rows], {"lovely": 0.7, "dreadful": -0.8}, min_count=1)
    model = tiny_model(vocab)
    model.set_valence([{"lovely": 0.7, "dreadful": -0.8}.get(token, 0.0) for token in vocab.itos])
    encode = lambda text: vocab.encode(tokenize(text))  # noqa: E731
    updates = []
    result = fit(model, [(encode(t), y, 1.0) for t, y in train_rows], [(encode(t), y) for t, y in valid_rows],
                 SentimentTrainConfig(epochs=12, batch_size=16, learning_rate=1e-2, patience=12),
                 torch.device("cpu"), on_progress=updates.append)
    path = tmp_path_factory.mktemp("sentiment") / "toy.safetensors"
    save_checkpoint(path, Checkpoint("sentiment", asdict(model.config), model.state_dict(), vocab.itos,
                                     {"split": {"seed": 13, "fractions": [0.1, 0.1]}}))
    return path, SentimentPredictor.load(path, "cpu"), result, updates


def test_toy_separable_set_is_learnt(trained):
    path, predictor, result, updates = trained
    assert result.best_metric == 1.0
    train_updates = [u for u in updates if u.phase == "train"]
    assert train_updates[0].step == 1 and all(u.grad_norm > 0 for u in train_updates)
    assert [u.epoch for u in updates if u.phase == "valid"] == list(range(1, result.epochs_run + 1))
    assert train_updates[-1].loss < train_updates[0].loss / 4
    labels = [r.label for r in predictor.predict(["my table is here", "this was awful", "a great day"])]
    assert labels == ["neutral", "negative", "positive"]


def test_padding_does_not_change_probabilities():
    vocab = Vocab(list(Vocab.build([["x"]], min_count=1).itos) + [f"w{i}" for i in range(40)])
    model = tiny_model(vocab, num_layers=2).eval()
    model.set_valence(torch.linspace(-1, 1, len(vocab)).tolist())
    rng = random.Random(3)
    texts = [[rng.randrange(6, len(vocab)) for _ in range(length)] for length in (1, 7, 3, 12, 5)]
    with torch.no_grad():
        ids, lengths = pad_batch(texts)
        batched = torch.softmax(model(ids, lengths)[0], -1)
        for row, text in enumerate(texts):
            alone = torch.softmax(model(*pad_batch([text]))[0], -1)[0]
            torch.testing.assert_close(batched[row], alone, atol=1e-6, rtol=1e-5)


def test_loss_is_weighted_per_example_and_per_class():
    vocab = Vocab.build([["a", "b"]], min_count=1)
    model = tiny_model(vocab).eval()
    ids, lengths = pad_batch([[6], [7]])
    targets = torch.tensor([POS, NEG])
    logits, loss = model(ids, lengths, targets)
    each = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    torch.testing.assert_close(loss, each.mean())
    _, weighted = model(ids, lengths, targets, weights=torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(weighted, each[0])
    _, by_class = model(ids, lengths, targets, class_weights=torch.tensor([3.0, 1.0, 1.0]))
    torch.testing.assert_close(by_class, (each[0] + 3 * each[1]) / 4)


def test_subject_dropout_reads_subject_words_as_unknown_in_training_only():
    rows = toy_texts(60, seed=5)
    vocab = build_vocab([tokenize(text) for text, _ in rows], {}, min_count=1)
    encode = lambda text: vocab.encode(tokenize(text))  # noqa: E731
    subject = vocab.stoi["table"]
    model = tiny_model(vocab)
    seen = {"train": set(), "valid": set()}
    forward = model.forward

    def watching(ids, lengths, *args, **kwargs):
        seen["train" if model.training else "valid"].update(ids.flatten().tolist())
        return forward(ids, lengths, *args, **kwargs)

    model.forward = watching
    mask = torch.zeros(len(vocab), dtype=torch.bool)
    mask[subject] = True
    train_rows = [(encode(t), y, 1.0) for t, y in rows]
    config = SentimentTrainConfig(epochs=2, batch_size=16, patience=5, subject_dropout=1.0)
    fit(model, train_rows, [(encode(t), y) for t, y in rows], config, torch.device("cpu"), subject_mask=mask)
    assert subject not in seen["train"] and Vocab.unk_id in seen["train"]
    assert subject in seen["valid"]  # evaluation reads every word
    seen["train"].clear()
    fit(model, train_rows, [(encode(t), y) for t, y in rows], replace(config, subject_dropout=0.0),
        torch.device("cpu"), subject_mask=mask)
    assert subject in seen["train"]


def test_a_lexicon_expert_is_mixed_into_the_probabilities_and_trained_on_its_own_loss():
    vocab = Vocab(list(Vocab.build([["x"]], min_count=1).itos) + [f"w{i}" for i in range(40)])
    with pytest.raises(ValueError, match="lexicon scores"):
        tiny_model(vocab, lexicon_expert=0.5)
    model = tiny_model(vocab, lexicon_scores=4, lexicon_expert=0.25).eval()
    ids, lengths = pad_batch([[7, 9, 11], [8], [12, 13, 14, 15, 16]])
    scores, targets = torch.rand(3, 4), torch.tensor([NEG, NEU, POS])
    with torch.no_grad():
        logits, loss = model(ids, lengths, targets, scores=scores)
        lstm = model.head  # the LSTM's own head, seen through a hook on its output
        outputs = {}
        handle = lstm.register_forward_hook(lambda module, inputs, output: outputs.update(lstm=output))
        model(ids, lengths, scores=scores)
        handle.remove()
        expert = model.lexicon_head(scores)
        mixed = 0.75 * torch.softmax(outputs["lstm"], -1) + 0.25 * torch.softmax(expert, -1)
        torch.testing.assert_close(torch.softmax(logits, -1), mixed)
        each = (torch.nn.functional.cross_entropy(outputs["lstm"], targets, reduction="none")
                + torch.nn.functional.cross_entropy(expert, targets, reduction="none"))
        torch.testing.assert_close(loss, each.mean())
        alone = torch.softmax(model(*pad_batch([[8]]), scores=scores[1:2])[0], -1)[0]
        torch.testing.assert_close(torch.softmax(logits, -1)[1], alone, atol=1e-6, rtol=1e-5)
    # Without the expert the same classifier has no lexicon head: older checkpoints keep loading.
    assert not hasattr(tiny_model(vocab, lexicon_scores=4), "lexicon_head")


def test_command_line_trains_a_lexicon_expert(tmp_path, capsys):
    data = tmp_path / "mine.tsv"
    data.write_text("".join(f"{LABELS[y]}\t{t}\n" for t, y in toy_texts(60, seed=4)), encoding="utf-8")
    out = tmp_path / "expert.safetensors"
    assert main(["train", "sentiment", "--data", str(data), "--out", str(out), "--epochs", "1", "--quiet",
                 "--lexicon-scores", "--lexicon-expert", "0.5", "--embedding-size", "8", "--hidden-size", "8",
                 "--min-count", "1", "--threads", "1"]) == 0
    capsys.readouterr()
    predictor = SentimentPredictor.load(out)
    assert predictor.model.config.lexicon_expert == 0.5 and "lexicon_head.weight" in predictor.model.state_dict()
    result = predictor.predict(["a great day", "a dreadful day"])
    assert all(sum(r.probabilities.values()) == pytest.approx(1.0, abs=1e-5) for r in result)


def test_an_ensemble_averages_its_members_probabilities():
    vocab = Vocab(list(Vocab.build([["x"]], min_count=1).itos) + [f"w{i}" for i in range(40)])
    ensemble = SentimentEnsemble(SentimentConfig(vocab_size=len(vocab), embedding_size=12, hidden_size=12,
                                                 lexicon_scores=4), members=3).eval()
    texts = [[7, 9, 11], [8], [12, 13, 14, 15, 16]]
    ids, lengths = pad_batch(texts)
    scores = torch.rand(3, 4)
    with torch.no_grad():
        logits, loss = ensemble(ids, lengths, scores=scores)
        each = [torch.softmax(member(ids, lengths, scores=scores)[0], -1) for member in ensemble.members]
        torch.testing.assert_close(torch.softmax(logits, -1), torch.stack(each).mean(0))
        assert loss is None
        alone = torch.softmax(ensemble(*pad_batch([texts[1]]), scores=scores[1:2])[0], -1)[0]
        torch.testing.assert_close(torch.softmax(logits, -1)[1], alone, atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match="one at a time"):
        ensemble(ids, lengths, torch.tensor([0, 1, 2]), scores=scores)


def test_command_line_trains_an_ensemble_whose_members_are_single_runs(tmp_path, capsys):
    data = tmp_path / "mine.tsv"
    data.write_text("".join(f"{LABELS[y]}\t{t}\n" for t, y in toy_texts(90, seed=9)), encoding="utf-8")
    common = ["train", "sentiment", "--data", str(data), "--epochs", "2", "--quiet", "--embedding-size", "8",
              "--hidden-size", "8", "--min-count", "1", "--threads", "1", "--lexicon-scores", "--split-seed", "13"]
    assert main(common + ["--seed", "4", "--ensemble", "2", "--out", str(tmp_path / "two.safetensors")]) == 0
    assert main(common + ["--seed", "5", "--out", str(tmp_path / "five.safetensors")]) == 0
    assert "ensemble of 2" in capsys.readouterr().out
    two = SentimentPredictor.load(tmp_path / "two.safetensors")
    five = SentimentPredictor.load(tmp_path / "five.safetensors")
    assert isinstance(two.model, SentimentEnsemble) and len(two.model.members) == 2
    assert two.meta["split"]["seed"] == five.meta["split"]["seed"] == 13
    assert [member["train"]["seed"] for member in two.meta["members"]] == [4, 5]
    assert two.vocab.itos == five.vocab.itos  # one split, one vocabulary
    # The second member is the run with --seed 5, weight for weight (both stored as float16).
    for name, tensor in five.model.state_dict().items():
        torch.testing.assert_close(two.model.members[1].state_dict()[name], tensor)
    results = two.predict(["a lovely chair", "", "awful"])
    assert results[0].label in LABELS and results[1].label == "none"
    assert sum(results[2].probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_a_checkpoint_written_before_experts_and_ensembles_still_loads(trained, tmp_path):
    path, predictor, _, _ = trained
    config = asdict(predictor.model.config)
    del config["lexicon_expert"]  # older checkpoints have no such key, and no "members" either
    old = tmp_path / "old.safetensors"
    save_checkpoint(old, Checkpoint("sentiment", config, predictor.model.state_dict(), predictor.vocab.itos, {}))
    loaded = SentimentPredictor.load(old)
    assert isinstance(loaded.model, SentimentClassifier) and loaded.model.config.lexicon_expert == 0.0
    assert loaded.predict(["a great day"])[0].probabilities == pytest.approx(
        predictor.predict(["a great day"])[0].probabilities)


def test_bad_input_always_gets_an_answer(trained):
    _, predictor, _, _ = trained
    texts = ["", "   \n\t", "\u0000\u0007", "😀🎉🔥", "great " * 20000, "1" * 100_000, "http://example.com/x?y=1",
             "@someone @other_user", "www.example.org is lovely"]
    results = predictor.predict(texts)
    assert [r.label for r in results[:3]] == ["none", "none", "none"]
    assert all(r.probabilities == {} for r in results[:3])
    for result in results[3:]:
        assert result.label in LABELS
        assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert result.confidence == max(result.probabilities.values())
    assert predictor.predict([]) == []


def test_score_by_hand():
    figures = score([NEG, NEG, NEU, POS], [NEG, POS, NEU, POS], [NEG, NEU, POS])
    assert figures["accuracy"] == 0.75
    assert figures["confusion"] == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert figures["per_class_f1"] == pytest.approx({"negative": 2 / 3, "neutral": 1.0, "positive": 2 / 3})
    assert figures["macro_recall"] == pytest.approx((0.5 + 1 + 1) / 3)


def test_vader_anchor():
    assert vader_label("I love this, it is wonderful") == POS
    assert vader_label("I hate this, it is terrible") == NEG
    assert vader_label("The chair is next to the table") == NEU
    assert vader_label("The chair is next to the table", two_class=True) in (NEG, POS)


def test_eval_has_model_and_vader_sides(trained):
    _, predictor, _, _ = trained
    three = [SentimentExample(t, y) for t, y in toy_texts(30, seed=5)]
    result = evaluate_examples(predictor, three)
    assert result["n"] == 30 and result["classes"] == ["negative", "neutral", "positive"]
    for side in ("model", "vader"):
        assert set(result[side]) == {"accuracy", "macro_f1", "macro_recall", "per_class_f1", "confusion"}
        assert sum(map(sum, result[side]["confusion"])) == 30
    assert result["model"]["macro_f1"] == 1.0
    two = [e for e in three if e.label != NEU]
    result = evaluate_examples(predictor, two)
    assert result["classes"] == ["negative", "positive"] and len(result["model"]["confusion"]) == 2
    assert result["model"]["accuracy"] == 1.0


def test_command_line_eval_and_label(trained, tmp_path, capsys):
    path = trained[0]
    data = tmp_path / "gold.tsv"
    data.write_text("".join(f"{LABELS[y]}\t{t}\n" for t, y in toy_texts(12, seed=7)), encoding="utf-8")
    assert main(["eval", "sentiment", "--model", str(path), "--data", str(data), "--json", "--threads", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert set(result) >= {"model", "vader", "n"} and result["n"] == 12
    assert main(["sentiment", "what an awful door", "--model", str(path)]) == 0
    assert capsys.readouterr().out.startswith("negative")
    # No text is refused as `reply ""` is (tests/engine/test_cli.py).
    assert main(["sentiment", "", "--model", str(path)]) == 2
    assert "empty" in capsys.readouterr().err


def test_command_line_train_on_a_tsv(tmp_path, capsys):
    data = tmp_path / "mine.tsv"
    data.write_text("".join(f"{LABELS[y]}\t{t}\n" for t, y in toy_texts(90, seed=9)), encoding="utf-8")
    out = tmp_path / "mine.safetensors"
    code = main(["train", "sentiment", "--data", str(data), "--out", str(out), "--epochs", "2", "--quiet",
                 "--embedding-size", "8", "--hidden-size", "8", "--min-count", "1", "--threads", "1"])
    assert code == 0 and out.is_file()
    printed = capsys.readouterr().out
    assert "split: train 72, valid 9, test 9" in printed
    predictor = SentimentPredictor.load(out)
    assert predictor.meta["split"]["train"] == 72 and len(predictor.meta["history"]) >= 1
    assert predictor.predict(["a lovely chair"])[0].label in LABELS


def test_a_classifier_can_read_vaders_whole_text_scores(tmp_path, capsys):
    data = tmp_path / "mine.tsv"
    data.write_text("".join(f"{LABELS[y]}\t{t}\n" for t, y in toy_texts(60, seed=4)), encoding="utf-8")
    out = tmp_path / "lexicon.safetensors"
    code = main(["train", "sentiment", "--data", str(data), "--out", str(out), "--epochs", "1", "--quiet",
                 "--lexicon-scores", "--embedding-size", "8", "--hidden-size", "8", "--min-count", "1",
                 "--threads", "1"])
    assert code == 0
    capsys.readouterr()
    predictor = SentimentPredictor.load(out)
    assert predictor.model.config.lexicon_scores == 4
    ids, lengths = pad_batch([predictor.encode(["a great day"])[0]] * 2)
    with pytest.raises(ValueError, match="lexicon scores"):
        predictor.model(ids, lengths)
    scores = torch.tensor(lexicon_scores(["a great day", "a dreadful day"]))
    assert scores[0, 3] > 0.05 > -0.05 > scores[1, 3]  # compound: positive, then negative
    logits, _ = predictor.model(ids, lengths, scores=scores)
    assert not torch.allclose(logits[0], logits[1])  # same tokens, other scores: the head reads them
    result = predictor.predict(["a great day", ""])
    assert result[0].label in LABELS and result[1].label == "none"


def test_a_tweet_set_held_out_of_training_is_scored_alone(tmp_path, capsys):
    out = tmp_path / "without-claritin.safetensors"
    code = main(["train", "sentiment", "--hold-out", "claritin", "--drop-set", "apple", "--limit", "300",
                 "--epochs", "1", "--quiet", "--out", str(out), "--embedding-size", "8", "--hidden-size", "8",
                 "--threads", "1"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "dropped: the apple tweets, 3101 texts; 34053 left" in printed
    assert "held out: the claritin tweets, 1670 texts; 32383 left" in printed
    assert "split: train 25905, valid 3239, test 3239" in printed
    meta = SentimentPredictor.load(out).meta
    assert meta["held_out_set"] == "claritin" and meta["dropped_sets"] == ["apple"]
    for tweet_set, n in (("claritin", 1670), ("apple", 3101)):
        assert main(["eval", "sentiment", "--model", str(out), "--tweet-set", tweet_set, "--json",
                     "--threads", "1"]) == 0
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert result["n"] == n and "never seen in training" in result["data"]
        assert result["vader"]["macro_recall"] > 0
    # The default test split is the one the model was trained beside: without either set.
    assert main(["eval", "sentiment", "--model", str(out), "--json", "--threads", "1"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == 3239 and "without the apple, claritin tweets" in result["data"]


def test_bench_reports_both_figures(trained):
    figures = bench("cpu", repeats=3, model=trained[0])
    assert set(figures) == {"sentiment_ms_p50", "sentiment_texts_per_s"}
    assert figures["sentiment_ms_p50"] > 0 and figures["sentiment_texts_per_s"] > 0

