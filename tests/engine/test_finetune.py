"""Fine-tuning: which replies become targets, the replay share, the control file, and the
child process's command line end to end on a tiny model."""
import json
import threading
import time

import pytest

from engine.tasks.finetune_data import (FinetuneConfig, SavedExchange, prepare, read_saved, replay_exchanges,
                                        sample_conversations, training_turns, write_saved)
from engine.training import Control

from tiny_chat import BASE, train_tiny_model


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return train_tiny_model(tmp_path_factory.mktemp("model"))


def test_a_correction_replaces_the_reply_and_a_thumbs_down_one_is_left_out():
    exchanges = [SavedExchange("hello there", "hi! how are you?"),
                 SavedExchange("what is your name?", "a silly reply", feedback=-1),
                 SavedExchange("do you like music?", "yes i love jazz", correction="no i prefer silence",
                               feedback=-1),
                 SavedExchange("is it quiet there?", "no i prefer silence", feedback=1)]
    turns, checks, left_out = training_turns(exchanges)
    assert turns == ["hello there", "hi! how are you?", "do you like music?", "no i prefer silence",
                     "is it quiet there?", "no i prefer silence"]
    assert left_out == 1
    assert len(checks) == 1 and checks[0].prompt == "do you like music?"
    assert checks[0].correction == "no i prefer silence"
    assert checks[0].history == (("hello there", "hi! how are you?"),)
    data = prepare([exchanges, [SavedExchange("bad", "worse", feedback=-1)]])
    assert data.summary()["exchanges"] == 3 and data.corrections == 1 and data.left_out == 2
    assert len(data.conversations) == 1  # a conversation with nothing left adds no stream
    with pytest.raises(ValueError, match="no exchange to learn from"):
        prepare([[SavedExchange("bad", "worse", feedback=-1)]])


def test_replay_is_the_asked_share_of_the_exchanges():
    assert replay_exchanges(30, 0.0) == 0
    assert replay_exchanges(30, 0.5) == 30
    assert replay_exchanges(30, 0.75) == 90
    corpus = [[f"q{i}.{j}" if j % 2 == 0 else f"a{i}.{j}" for j in range(12)] for i in range(50)]
    chosen = sample_conversations(corpus, 30, seed=1, max_exchanges=4)
    assert sum(len(c) // 2 for c in chosen) >= 30
    assert all(len(c) == 8 for c in chosen)  # cut to their first four exchanges
    assert all(c[0].endswith(".0") for c in chosen)  # from the start: the state starts fresh
    with pytest.raises(ValueError):
        FinetuneConfig(replay_share=1.0).checked()


def test_data_file_round_trip_and_a_clear_error(tmp_path):
    saved = [[SavedExchange("hi", "hello", "hey there", -1)]]
    assert read_saved(write_saved(tmp_path / "data.json", saved)) == saved
    (tmp_path / "bad.json").write_text('{"conversations": [[{"bot": "no user"}]]}')
    with pytest.raises(ValueError, match="not a fine-tuning data file"):
        read_saved(tmp_path / "bad.json")


def test_control_file_pauses_resumes_and_stops(tmp_path):
    path = tmp_path / "control"
    events = []
    control = Control(str(path), lambda: False, events.append)
    assert control() is False  # no file yet: run
    path.write_text("pause")
    threading.Timer(0.3, lambda: path.write_text("run")).start()
    started = time.perf_counter()
    assert control() is False
    assert time.perf_counter() - started >= 0.25 and control.paused_s >= 0.25
    assert [e["event"] for e in events] == ["paused", "resumed"]
    path.write_text("stop")
    assert control() is True


def run_cli(capsys, *arguments):
    from engine.__main__ import main

    code = main(["train", "finetune", "--threads", "1", *arguments])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return code, lines


def test_command_line_learns_the_correction_and_reports_jsonl(tiny_model, tmp_path, capsys):
    from engine.decode_config import DecodeConfig
    from engine.tasks.chat import ChatPredictor

    greedy = DecodeConfig.of(strategy="greedy")
    assert ChatPredictor.load(tiny_model).reply("do you like music?", None, greedy).text == "Yes I love jazz"
    data = write_saved(tmp_path / "data.json", [
        [SavedExchange("hello there", "hi! how are you?"), SavedExchange("i am fine thanks", "good to hear")],
        [SavedExchange("do you like music?", "yes i love jazz", correction="no i prefer silence")],
        [SavedExchange("what is your name?", "i am a little bot")]])
    replay = tmp_path / "replay.jsonl"
    replay.write_text("\n".join(json.dumps(c) for c in BASE * 6))
    out = tmp_path / "tuned.safetensors"
    code, lines = run_cli(capsys, "--init", str(tiny_model), "--data", str(data), "--out", str(out),
                          "--progress", "jsonl", "--epochs", "40", "--learning-rate", "0.01", "--replay-share", "0.25",
                          "--replay-data", str(replay), "--valid-conversations", "2")
    assert code == 0
    steps = [line["progress"] for line in lines if "progress" in line and line["progress"]["phase"] == "train"]
    valid = [line["progress"] for line in lines if "progress" in line and line["progress"]["phase"] == "valid"]
    assert steps and valid
    assert all(s["grad_norm"] > 0 and s["tokens_per_s"] > 0 for s in steps)
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    prepared = next(line for line in lines if line.get("event") == "prepared")
    assert prepared["corrections"] == 1 and prepared["replay_exchanges"] >= 1
    result = lines[-1]["result"]
    assert result["status"] == "done" and result["corrections_reproduced"] == 1.0
    tuned = ChatPredictor.load(out)
    assert tuned.reply("do you like music?", None, greedy).text == "No I prefer silence"


def test_command_line_stops_when_told_and_reports_bad_data(tiny_model, tmp_path, capsys):
    data = write_saved(tmp_path / "data.json", [[SavedExchange("do you like music?", "yes i love jazz",
                                                                correction="no i prefer silence")]])
    control = tmp_path / "control"
    control.write_text("stop")
    out = tmp_path / "tuned.safetensors"
    code, lines = run_cli(capsys, "--init", str(tiny_model), "--data", str(data), "--out", str(out),
                          "--progress", "jsonl", "--replay-share", "0", "--valid-conversations", "0",
                          "--control", str(control))
    assert code == 0 and lines[-1]["result"]["status"] == "cancelled" and lines[-1]["result"]["steps"] == 0
    assert not out.exists()  # stopped before the first step: there is nothing to keep
    (tmp_path / "broken.json").write_text("[[{}]]")
    from engine.__main__ import main

    assert main(["train", "finetune", "--init", str(tiny_model), "--data", str(tmp_path / "broken.json"),
                 "--out", str(out)]) == 2
    assert "not a fine-tuning data file" in capsys.readouterr().err


def test_fine_tuning_starts_its_streams_from_the_models_start_state(tiny_model, tmp_path, capsys, monkeypatch):
    import torch

    import engine.tasks.finetune as finetune_task
    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.data.chat import tokenize_conversations, training_streams
    from engine.decode_config import DecodeConfig
    from engine.tasks.chat import ChatPredictor
    from engine.tasks.chat_train import mean_state

    # The tiny model with a start state stored, as train chat stores one.
    base = ChatPredictor.load(tiny_model)
    streams = training_streams(tokenize_conversations(BASE), base.vocab, 32, 32)
    checkpoint = load_checkpoint(tiny_model)
    checkpoint.meta["start_state"] = mean_state(base.model, streams, base.vocab, torch.device("cpu"))
    model = save_checkpoint(tmp_path / "chat.safetensors", checkpoint)
    start = ChatPredictor.load(model).start_state(1)
    seen = []
    train = finetune_task.train_chat
    monkeypatch.setattr(finetune_task, "train_chat", lambda *a, **k: seen.append(k["start_state"]) or train(*a, **k))
    data = write_saved(tmp_path / "data.json", [
        [SavedExchange("do you like music?", "yes i love jazz", correction="no i prefer silence")]])
    replay = tmp_path / "replay.jsonl"
    replay.write_text("\n".join(json.dumps(c) for c in BASE * 6))
    out = tmp_path / "tuned.safetensors"
    code, lines = run_cli(capsys, "--init", str(model), "--data", str(data), "--out", str(out), "--progress",
                          "jsonl", "--epochs", "40", "--learning-rate", "0.01", "--replay-share", "0.25", "--replay-data",
                          str(replay), "--valid-conversations", "0")
    assert code == 0 and lines[-1]["result"]["corrections_reproduced"] == 1.0
    assert len(seen) == 1 and all(torch.equal(a, b) for a, b in zip(seen[0], start))
    tuned = ChatPredictor.load(out)  # the tuned version keeps the start state, and the taught reply
    assert tuned.meta["start_state"] == checkpoint.meta["start_state"]
    assert tuned.reply("do you like music?", None, DecodeConfig.of(strategy="greedy")).text == "No I prefer silence"


def test_the_panels_settings_and_data_file_load_without_torch():
    # The window reads FinetuneConfig's defaults and writes the data file on its GUI thread, where
    # importing torch would freeze it for seconds; it reads the children's progress rows there too.
    from imports import packages_loaded_by

    assert "torch" not in packages_loaded_by("engine.tasks.finetune_data", "engine.progress", "engine.options",
                                             "engine.decode_config")
