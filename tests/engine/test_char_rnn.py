"""The character model: learning, truncated BPTT, streamed data and its errors, sampling."""
import copy

import pytest
import torch

from engine.__main__ import main
from engine.char_service import CharModel, sample_chars, save_char_model
from engine.char_training import CharTrainConfig, train_char
from engine.data import chars as chars_module
from engine.data.chars import CharDataError, CharStream, CharVocab, count_characters, open_corpus
from engine.models.char_rnn import CharRNN, CharRNNConfig
from engine.training import adam


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _tiny(vocab, cell="lstm", hidden=32, layers=1):
    return CharRNN(CharRNNConfig(len(vocab), cell=cell, embedding_size=8, hidden_size=hidden, num_layers=layers,
                                 dropout=0.0))


def test_learns_a_periodic_text_and_writes_it_back(tmp_path):
    path = _write(tmp_path, "period.txt", "abcdefgh\n" * 400)
    corpus = open_corpus(str(path))
    vocab = CharVocab.from_counts(count_characters(corpus.train))
    model = _tiny(vocab)
    config = CharTrainConfig(epochs=6, batch_size=8, window=24, learning_rate=1e-2, warmup_steps=5, valid_every=1000)
    result = train_char(model, corpus, vocab, config, torch.device("cpu"))
    assert result.best_valid_loss < 0.05
    written = "".join(sample_chars(CharModel(model.eval(), vocab), "abc", 30, temperature=0.5, seed=1))
    assert written == ("defgh\nabc" * 4)[:30]


def test_a_window_covering_the_text_is_full_backpropagation(tmp_path):
    text = "the cat sat on the mat. " * 3
    path = _write(tmp_path, "t.txt", text + "x" * 20)  # the last 10 % (the x's) is validation
    corpus = open_corpus(str(path))
    vocab = CharVocab.from_counts(count_characters(corpus.train))
    length = corpus.train[0].end - 1
    start = _tiny(vocab)
    config = CharTrainConfig(epochs=1, batch_size=1, window=length, learning_rate=1e-2, warmup_steps=1,
                             clip_norm=1e9, valid_every=1000)
    looped = copy.deepcopy(start)
    train_char(looped, corpus, vocab, config, torch.device("cpu"))
    # By hand: the whole training text in one forward pass from zeros, one Adam step.
    full = copy.deepcopy(start)
    ids = vocab.encode(text + "x" * 20)[:corpus.train[0].end].unsqueeze(0)
    optimizer = adam(full.parameters(), 1e-2)
    full(ids[:, :-1], targets=ids[:, 1:]).loss.backward()
    optimizer.step()
    for a, b in zip(looped.parameters(), full.parameters()):
        torch.testing.assert_close(a, b)
    # Two windows detach the state between them, which is not the same step.
    halves = copy.deepcopy(start)
    train_char(halves, corpus, vocab, CharTrainConfig(epochs=1, batch_size=1, window=length // 2, learning_rate=1e-2,
                                                      warmup_steps=1, clip_norm=1e9, valid_every=1000),
               torch.device("cpu"))
    assert not all(torch.allclose(a, b) for a, b in zip(halves.parameters(), full.parameters()))


def test_rows_stream_the_text_in_small_chunks_across_multibyte_characters(tmp_path, monkeypatch):
    monkeypatch.setattr(chars_module, "CHUNK_BYTES", 7)  # cuts inside 2- and 3-byte characters
    text = "héllo wörld ✓ naïve café\n" * 30
    path = _write(tmp_path, "u.txt", text)
    vocab = CharVocab.from_counts(count_characters(open_corpus(str(path)).train))
    size = path.stat().st_size
    stream = CharStream([chars_module.Part(str(path), 0, size)], vocab, rows=1)
    read = [w for w in stream.windows(10, short_last=True)]
    ids = torch.cat([read[0][0]] + [w[0, 1:] for w in read[1:]])
    assert vocab.decode(ids.tolist()) == text


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    (b"caf\xe9 au lait, latin-1 " * 10, "not UTF-8"),
    (b"a" * 500, "nothing to learn"),
])
def test_bad_training_text_is_a_clear_error(tmp_path, content, message, capsys):
    path = tmp_path / "bad.bin"
    path.write_bytes(content)
    code = main(["train", "char", "--data", str(path), "--out", str(tmp_path / "m.safetensors"), "--epochs", "1"])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.safetensors").exists()


def test_a_huge_binary_file_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:  # 1 GB, sparse: checking it must not read it all
        handle.write(b"to be or not to be\n" * 100)
        handle.truncate(1 << 30)
    with pytest.raises(CharDataError, match="zero byte"):
        open_corpus(str(path))


def test_a_folder_without_matching_files_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["train", "char", "--data", str(tmp_path), "--glob", "*.py", "--epochs", "1",
                 "--out", str(tmp_path / "m.safetensors")]) == 2
    assert "no files match '*.py'" in capsys.readouterr().err


def test_a_folder_is_split_by_file_and_skips_files_that_are_not_text(tmp_path):
    for i in range(40):
        (tmp_path / f"m{i}.py").write_text(f"def f{i}(x):\n    return x + {i}\n")
    (tmp_path / "bad.py").write_bytes(b"x = '\xff'\n")
    corpus = open_corpus(str(tmp_path), "*.py")
    train = {p.path for p in corpus.train}
    valid = {p.path for p in corpus.valid}
    assert train and valid and not train & valid
    assert corpus.skipped == ("bad.py",)


def test_priming_with_unknown_characters_is_said(tmp_path, capsys):
    vocab = CharVocab(["<unk>", "a", "b", "\n"])
    path = save_char_model(tmp_path / "m.safetensors", _tiny(vocab), vocab, {})
    assert main(["sample", "char", "--model", str(path), "--prime", "abé✓", "--length", "20", "--seed", "3"]) == 0
    captured = capsys.readouterr()
    assert "outside the model's alphabet" in captured.err and "é✓" in captured.err
    written = captured.out[len("abé✓"):-1]  # the command ends the text with one newline
    assert len(written) == 20 and set(written) <= {"a", "b", "\n"}


def test_stop_and_resume_continue_where_training_stopped(tmp_path):
    path = _write(tmp_path, "t.txt", "to be or not to be, that is the question\n" * 60)
    out = tmp_path / "m.safetensors"
    args = ["train", "char", "--data", str(path), "--out", str(out), "--hidden-size", "16", "--num-layers", "1",
            "--embedding-size", "8", "--batch-size", "4", "--window", "20", "--epochs", "2", "--progress", "jsonl"]
    control = tmp_path / "control"
    control.write_text("stop")  # stops after the first step
    assert main(args + ["--control", str(control)]) == 0
    resume = out.with_name("m.resume.safetensors")
    from engine.checkpoint import load_checkpoint
    assert load_checkpoint(resume).meta["resume"]["step"] == 1
    control.write_text("run")
    assert main(args + ["--control", str(control), "--resume"]) == 0
    meta = load_checkpoint(resume).meta["resume"]
    assert meta["epoch"] == 3 and meta["step"] > 1


def test_one_step_at_a_time_equals_the_whole_forward_pass():
    for cell in ("lstm", "rnn"):
        model = CharRNN(CharRNNConfig(12, cell=cell, embedding_size=5, hidden_size=9, num_layers=2)).eval()
        ids = torch.randint(0, 12, (3, 7))
        out = model(ids)
        state = model.initial_state(3)
        for t in range(7):
            log_probs, state = model.step(ids[:, t], state)
            # float16-packed weights where fbgemm is there: equal to rounding
            torch.testing.assert_close(log_probs, torch.log_softmax(out.logits[:, t], dim=-1), atol=3e-3, rtol=0)
        for part, expected in zip(state, out.state):
            torch.testing.assert_close(part, expected, atol=3e-3, rtol=0)


def test_a_large_text_is_streamed_in_chunks(tmp_path, monkeypatch):
    path = _write(tmp_path, "big.txt", "".join(f"line {i}: to be or not to be\n" for i in range(20000)))
    corpus = open_corpus(str(path))
    reads = []
    real_open = open

    def counting_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "b" in mode:
            read = handle.read
            handle.read = lambda n=-1: reads.append(n) or read(n)
        return handle

    monkeypatch.setattr("builtins.open", counting_open)
    vocab = CharVocab.from_counts(count_characters(corpus.train, limit=1 << 16))
    windows = sum(1 for _ in CharStream(corpus.train, vocab, 8).windows(100))
    assert windows > 500
    assert reads and all(0 < n <= chars_module.CHUNK_BYTES * 16 for n in reads)  # never a whole-file read


def test_sampling_first_reads_the_checkpoints_warm_up_text(tmp_path):
    from engine.char_service import prime, warmup_text

    path = _write(tmp_path, "play.txt", "ROMEO:\nIt is the east.\n\nJULIET:\nAy me!\n" * 30)
    corpus = open_corpus(str(path))
    warm = warmup_text(corpus.train, chars=40)
    assert warm.endswith("\n") and len(warm) <= 40 and warm.split("\n")[0] in path.read_text().split("\n")
    vocab = CharVocab.from_counts(count_characters(corpus.train))
    model = _tiny(vocab).eval()
    log_probs, _ = prime(CharModel(model, vocab, {"warmup_text": warm}), "JULIET:")
    expected = torch.log_softmax(model(vocab.encode(warm + "JULIET:").unsqueeze(0)).logits[0, -1], dim=-1)
    torch.testing.assert_close(log_probs, expected)
