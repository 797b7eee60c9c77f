"""Looking inside: recorded activations, the interpretable-cell search, gate saturation, gradient flow."""
import json
import random

import torch

from engine.__main__ import main
from engine.char_service import save_char_model
from engine.char_training import CharTrainConfig, train_char
from engine.data.chars import CharVocab, count_characters, open_corpus
from engine.inspect import gate_saturation, gradient_flow, rank_cells, record_char_model
from engine.models.char_rnn import CharRNN, CharRNNConfig
from engine.text_features import char_features


def _model(cell="lstm", layers=2, hidden=12, vocab=20, forget_bias=1.0):
    return CharRNN(CharRNNConfig(vocab, cell=cell, embedding_size=6, hidden_size=hidden, num_layers=layers,
                                 dropout=0.0, forget_bias=forget_bias)).eval()


def test_recorded_activations_equal_the_forward_pass():
    for cell in ("lstm", "rnn"):
        model = _model(cell)
        ids = torch.randint(0, 20, (40,))
        records = record_char_model(model, ids)
        out = model(ids.unsqueeze(0))
        hidden, _ = model.rnn(model.embedding(ids.unsqueeze(0)))
        torch.testing.assert_close(records[-1].h, hidden[0])
        for layer, record in enumerate(records):
            torch.testing.assert_close(record.h[-1], out.state[0][layer, 0])
            if cell == "lstm":
                torch.testing.assert_close(record.c[-1], out.state[1][layer, 0])
                gates = record.gates
                previous = torch.cat([torch.zeros(1, 12), record.c[:-1]])
                torch.testing.assert_close(record.c, gates["forget"] * previous + gates["input"] * gates["cell"])
            else:
                assert record.c is None and record.gates is None


def _quote_text(n: int, seed: int) -> str:
    """Lower-case letters outside quotes, upper-case inside: predicting the case of the next
    letter needs to know whether a quote is open, which nothing in the last few characters says."""
    rng = random.Random(seed)
    out, inside = [], False
    while len(out) < n:
        if rng.random() < 0.04:
            inside = not inside
            out.append('"')
        else:
            out.append(rng.choice("ABCD " if inside else "abcd "))
    return "".join(out)


def test_the_search_finds_the_cell_that_tracks_quotes(tmp_path):
    path = tmp_path / "quotes.txt"
    path.write_text(_quote_text(30000, 1), encoding="utf-8")
    corpus = open_corpus(str(path))
    vocab = CharVocab.from_counts(count_characters(corpus.train))
    model = CharRNN(CharRNNConfig(len(vocab), embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0))
    train_char(model, corpus, vocab, CharTrainConfig(epochs=4, batch_size=16, window=50, learning_rate=1e-2,
                                                     warmup_steps=10, valid_every=10000), torch.device("cpu"))
    held_out = _quote_text(3000, 2)
    records = record_char_model(model.eval(), vocab.encode(held_out))
    ranked = rank_cells(records, char_features(held_out), top=3, skip=50)
    assert abs(ranked["in_quotes"][0]["r"]) >= 0.8
    # Nothing in this text has brackets: that feature is reported as constant, not as a cell.
    assert ranked["bracket_depth"] == []


def test_text_features_follow_quotes_brackets_lines_and_code():
    text = 'a = f(x, [1])  # c\n  s = "q(" + b\nROMEO:\nGo.'
    f = {name: values.tolist() for name, values in char_features(text).items()}
    at = text.index
    assert f["bracket_depth"][at("(")] == 1 and f["bracket_depth"][at("[")] == 2 and f["bracket_depth"][at("]") + 1] == 1
    assert f["in_comment"][at("#")] == 1 and f["in_comment"][at("# c") + 2] == 1 and f["in_comment"][at("\n  s")] == 0
    assert f["in_string"][at('"q')] == 1 and f["in_string"][at('q(')] == 1 and f["in_string"][at(" + b")] == 0
    assert f["bracket_depth"][at(" + b")] == 1  # a bracket inside a string counts too: the features read text, not code
    assert f["in_quotes"][at('"q')] == 1 and f["in_quotes"][at(" + b")] == 0
    assert f["line_position"][at("s =")] == 2 and f["indentation"][at("s =")] == 2
    assert f["speaker_line"][at("ROMEO")] == 1 and f["speaker_line"][at("Go")] == 0
    assert f["sentence_end"][len(text) - 1] == 1 and f["sentence_end"][at("Go")] == 0


def test_gate_saturation_counts_open_gates():
    model = _model(forget_bias=20.0)  # forget gates pushed fully open
    records = record_char_model(model, torch.randint(0, 20, (50,)))
    table = gate_saturation(records)
    assert len(table) == 2
    assert all(share == 1.0 for share in table[0]["forget"]["right"])
    assert all(share == 0.0 for share in table[0]["forget"]["left"])
    assert gate_saturation(record_char_model(_model("rnn"), torch.randint(0, 20, (50,)))) == []


def test_the_plain_rnn_forgets_faster_than_the_lstm_at_init():
    ids = torch.randint(0, 20, (400,))
    torch.manual_seed(3)
    lstm = gradient_flow(_model("lstm", layers=1, hidden=64), ids, distance=40, ends=8)
    torch.manual_seed(3)
    rnn = gradient_flow(_model("rnn", layers=1, hidden=64), ids, distance=40, ends=8)
    lstm_fall = lstm["grad_h"][40] / lstm["grad_h"][1]
    rnn_fall = rnn["grad_h"][40] / rnn["grad_h"][1]
    assert rnn_fall < lstm_fall * 1e-3
    assert lstm["forget_product"][0] == 1.0 and lstm["forget_product"][40] < lstm["forget_product"][1] < 1.0
    assert "forget_product" not in rnn


def test_cells_command_prints_ranked_cells_saturation_and_flow(tmp_path, capsys):
    vocab = CharVocab(["<unk>"] + list('abc "()\n'))
    model_path = save_char_model(tmp_path / "m.safetensors", _model(vocab=len(vocab)), vocab, {})
    other_path = save_char_model(tmp_path / "r.safetensors", _model("rnn", vocab=len(vocab)), vocab, {})
    text = tmp_path / "t.txt"
    text.write_text('ab "ca (b) c" a\n' * 30)
    assert main(["cells", "--model", str(model_path), "--compare", str(other_path), "--text", str(text),
                 "--distance", "30", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result["ranked"]) >= {"in_quotes", "bracket_depth", "line_position"}
    assert len(result["ranked"]["in_quotes"]) == 5 and len(result["saturation"]) == 2
    assert len(result["gradient_flow"]["grad_h"]) == 31 and result["compare"]["cell"] == "rnn"


def test_message_features_mark_negation_scope_and_sentiment_words():
    from engine.message_cells import token_features

    tokens = ["i", "do", "not", "like", "it", ",", "but", "it", "is", "good", "."]
    features = token_features(tokens, [0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0.6, 0])
    assert features["negation_scope"].tolist() == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert features["sentiment_word"][9] == torch.tensor(0.6)


def test_a_bidirectional_lstm_is_recorded_in_both_directions():
    from engine.message_cells import record_bidirectional

    lstm = torch.nn.LSTM(5, 7, bidirectional=True, batch_first=True)
    inputs = torch.randn(9, 5)
    ahead, behind = record_bidirectional(lstm, inputs)
    with torch.no_grad():
        outputs, _ = lstm(inputs.unsqueeze(0))
    torch.testing.assert_close(ahead.h, outputs[0, :, :7])
    torch.testing.assert_close(behind.h, outputs[0, :, 7:])


def test_the_lab_engine_modules_import_neither_qt_nor_sqlalchemy():
    import subprocess
    import sys

    code = ("import sys, engine.lab, engine.inspect, engine.message_cells, engine.tasks.char, engine.tasks.cells,"
            " engine.tasks.char_eval;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'chatapp')];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
