"""The command line refuses wrong input in one line with exit status 2, before any model loads."""
import argparse

import pytest
import torch

from engine.__main__ import KINDS, build_parser, main
from engine.options import Bounded

COMMANDS = ([["train", kind, "--help"] for kind in KINDS + ("finetune",)]
            + [["eval", kind, "--help"] for kind in KINDS + ("finetune",)]
            + [["reply", "hi"], ["chat"], ["sentiment", "hi"], ["caption", "x.png"], ["bench"]])


def _numeric_actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _numeric_actions(sub)
        elif action.type in (int, float) or isinstance(action.type, Bounded):
            yield parser.prog, action


def _one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_every_numeric_option_has_a_range(argv):
    actions = list(_numeric_actions(build_parser(argv)))
    assert actions
    open_ended = [f"{prog} {action.option_strings}" for prog, action in actions if not isinstance(action.type, Bounded)]
    assert not open_ended


@pytest.mark.parametrize("argv, option", [
    (["reply", "hi", "--beam-size", "100000"], "--beam-size"),
    (["reply", "hi", "--mmi-weight", "nan"], "--mmi-weight"),
    (["chat", "--n-best", "0"], "--n-best"),
    (["caption", "x.png", "--beam-size", "-3"], "--beam-size"),
    (["train", "chat", "--epochs", "0"], "--epochs"),
    (["train", "sentiment", "--learning-rate", "5"], "--learning-rate"),
    (["eval", "chat", "--max-exchanges", "-1"], "--max-exchanges"),
    (["bench", "--threads", "0"], "--threads"),
])
def test_a_number_out_of_range_is_refused_in_one_line(capsys, argv, option):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    line = _one_error_line(capsys)
    assert option in line and "is not in" in line


def test_numbers_in_range_are_read_as_numbers():
    args = build_parser(["reply", "hi"]).parse_args(["reply", "hi", "--beam-size", "20", "--mmi-weight", "0.25"])
    assert args.beam_size == 20 and isinstance(args.beam_size, int)
    assert args.mmi_weight == 0.25


@pytest.mark.parametrize("argv", [["reply", "  "], ["sentiment", ""]])
def test_no_text_is_the_same_error_for_every_command(capsys, tmp_path, argv):
    # The model path does not exist: the empty text must be refused before any model is read.
    assert main(argv + ["--model", str(tmp_path / "missing.safetensors")]) == 2
    assert "empty" in _one_error_line(capsys)


def test_a_folder_given_as_the_model_is_called_a_folder(capsys, tmp_path):
    assert main(["reply", "hello", "--model", str(tmp_path)]) == 2
    assert "a folder, not a checkpoint file" in _one_error_line(capsys)


def test_a_missing_gpu_is_said_before_any_model_is_read(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["sentiment", "hi", "--device", "cuda", "--model", str(tmp_path / "missing.safetensors")]) == 2
    assert "CUDA" in _one_error_line(capsys)


def test_the_apps_child_command_line_reads_back_as_the_same_settings():
    # The training panel writes a run's settings with config_argv; the child parses them with the
    # options derived from the same config: nothing renamed, rounded or dropped on the way.
    from engine.options import config_argv
    from engine.tasks.finetune_data import OPTION_FIELDS, FinetuneConfig

    wanted = FinetuneConfig(epochs=7, learning_rate=1 / 3 * 1e-3, tbptt_turns=3, clip_norm=2.5, batch_size=5,
                            replay_share=0.35, distill_weight=0.0, anchor_weight=1e-4, seed=99)
    argv = ["train", "finetune", "--data", "d.json", "--out", "o.safetensors", *config_argv(wanted, OPTION_FIELDS)]
    args = build_parser(argv).parse_args(argv)
    assert FinetuneConfig(**{name: getattr(args, name) for name in OPTION_FIELDS}) == wanted
    assert "--learning-rate" in argv and "--lr" not in argv


def test_options_made_from_a_config_take_its_names_defaults_and_comments():
    from engine.chat_training import TrainConfig

    parser = build_parser(["train", "chat", "--help"])
    chat = parser._subparsers._group_actions[0].choices["train"]._subparsers._group_actions[0].choices["chat"]
    options = {action.dest: action for action in chat._actions}
    assert options["tbptt_turns"].option_strings == ["--tbptt-turns"]
    assert options["tbptt_turns"].default == TrainConfig().tbptt_turns
    assert "truncated BPTT" in options["tbptt_turns"].help
    assert options["hidden_size"].default == 384 and options["clip_norm"].default == TrainConfig().clip_norm
    args = parser.parse_args(["train", "chat", "--max-minutes", "2.5"])
    assert args.max_minutes == 2.5 and args.learning_rate == TrainConfig().learning_rate
    # A bool field is a pair of switches, its default the config's.
    sentiment = build_parser(["train", "sentiment", "--help"])
    assert sentiment.parse_args(["train", "sentiment"]).balance is True
    assert sentiment.parse_args(["train", "sentiment", "--no-balance"]).balance is False


def test_a_bad_knowledge_file_stops_reply_with_its_line_before_any_reply(capsys, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("what is the wifi password?\tmarmalade42\nwho feeds the cat?\t\n", encoding="utf-8")
    assert main(["reply", "what is the wifi password?", "--knowledge", str(pairs), "--threads", "1"]) == 2
    line = _one_error_line(capsys)
    assert "pairs.tsv" in line and "line 2" in line
    assert build_parser(["chat"]).parse_args(["chat", "--knowledge", "x.tsv"]).knowledge == "x.tsv"
