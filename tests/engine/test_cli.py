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
    (["reply", "hi", "--mmi", "nan"], "--mmi"),
    (["chat", "--n-best", "0"], "--n-best"),
    (["caption", "x.png", "--beam-size", "-3"], "--beam-size"),
    (["train", "chat", "--epochs", "0"], "--epochs"),
    (["train", "sentiment", "--lr", "5"], "--lr"),
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
    args = build_parser(["reply", "hi"]).parse_args(["reply", "hi", "--beam-size", "20", "--mmi", "0.25"])
    assert args.beam_size == 20 and isinstance(args.beam_size, int)
    assert args.mmi == 0.25


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
