"""The captioner's command line as the training panel drives it: ``--progress jsonl`` (one JSON
object a line, as ``train finetune`` prints) and ``--control FILE`` (pause, resume, stop)."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.__main__ import main
from engine.tasks.caption import CaptionPredictor

from tiny_coco import TINY_CAPTIONER, write_coco_set

ROOT = Path(__file__).resolve().parents[2]


def arguments(captions, images, out, *more):
    return ["train", "caption", "--threads", "1", "--device", "cpu", "--data", str(captions), "--images", str(images),
            "--out", str(out), "--progress", "jsonl", "--batch-size", "4", *TINY_CAPTIONER, *more]


def test_jsonl_progress_reports_every_step_the_validations_and_the_result(tmp_path, capsys):
    captions, images = write_coco_set(tmp_path)
    out = tmp_path / "mine.safetensors"
    assert main(arguments(captions, images, out, "--steps", "12", "--valid-every", "5")) == 0
    lines = capsys.readouterr().out.splitlines()
    messages = [json.loads(line) for line in lines]  # every line is one JSON object
    events = [m["event"] for m in messages if "event" in m]
    assert events == ["loading", "prepared", "checkpoint"]
    prepared = next(m for m in messages if m.get("event") == "prepared")
    assert prepared["images"] == 6 and prepared["train_images"] + prepared["valid_images"] == 6
    assert prepared["valid_images"] >= 1 and prepared["skipped"] == 0
    rows = [m["progress"] for m in messages if "progress" in m]
    train = [r for r in rows if r["phase"] == "train"]
    valid = [r for r in rows if r["phase"] == "valid"]
    assert [r["step"] for r in train] == list(range(1, 13))
    assert all(r["total_steps"] == 12 and r["loss"] > 0 and r["grad_norm"] >= 0 for r in train)
    assert [r["step"] for r in valid] == [5, 10, 12]  # every --valid-every steps and at the end
    assert all(r["valid_loss"] is None and 0 <= r["metric"] <= 1 for r in valid)  # BLEU-4, no NaN
    result = messages[-1]["result"]
    assert result["status"] == "done" and result["steps"] == 12 and result["out"] == str(out)
    assert result["best_bleu4"] == pytest.approx(max(r["metric"] for r in valid), abs=1e-4)
    predictor = CaptionPredictor.load(out)
    assert predictor.model.config.image_size == 16 and "square" in predictor.vocab.itos


def test_bad_inputs_end_with_a_clear_error(tmp_path, capsys):
    captions, images = write_coco_set(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(arguments(bad, images, tmp_path / "x.safetensors", "--steps", "2")) == 2
    assert "not a JSON file" in capsys.readouterr().err
    assert main(arguments(captions, tmp_path / "nowhere", tmp_path / "x.safetensors", "--steps", "2")) == 2
    assert "no such image folder" in capsys.readouterr().err
    assert not (tmp_path / "x.safetensors").exists()


def test_the_control_file_pauses_resumes_and_stops_a_run(tmp_path):
    captions, images = write_coco_set(tmp_path)
    control = tmp_path / "run.control"
    control.write_text("run")
    out = tmp_path / "stopped.safetensors"
    child = subprocess.Popen([sys.executable, "-m", "engine", *arguments(captions, images, out, "--steps", "100000",
                                                                         "--control", str(control))],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        def next_message():
            line = child.stdout.readline()
            assert line, "the child ended early"
            return json.loads(line)

        while "progress" not in next_message():
            pass
        control.write_text("pause")
        while next_message().get("event") != "paused":
            pass
        time.sleep(0.5)  # paused: nothing is printed until it resumes
        control.write_text("run")
        resumed = next_message()
        assert resumed["event"] == "resumed" and resumed["paused_s"] >= 0.4
        first = next_message()["progress"]
        assert first["tokens_per_s"] is None  # that step's time includes the pause
        assert next_message()["progress"]["tokens_per_s"] > 0
        control.write_text("stop")
        stopped_at = time.perf_counter()
        messages = [next_message()]
        while "result" not in messages[-1]:
            messages.append(next_message())
        assert time.perf_counter() - stopped_at < 2.0  # stopped, saved and said so
        assert child.wait(timeout=10) == 0
    finally:
        child.kill()
    result = messages[-1]["result"]
    assert result["status"] == "cancelled" and first["step"] < result["steps"] < 100000
    assert any(m.get("event") == "checkpoint" for m in messages) and out.is_file()
