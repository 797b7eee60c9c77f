"""Training on two Gloo ranks (engine.distributed) against one process over the same rows."""
import json

import pytest
import torch

from engine import distributed
from engine.checkpoint import load_checkpoint
from engine.data.shards import ShardReport, read_shards, stream_vocab

import dist_workers


def test_two_ranks_average_and_clip_the_gradient_of_the_union_of_their_rows(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    dist_workers.clipped_step(str(one), 0.05)
    distributed.launch(dist_workers.clipped_step, 2, str(two), 0.05)
    alone, ranks = torch.load(one / "step0.pt"), [torch.load(two / f"step{r}.pt") for r in (0, 1)]
    assert alone["clipped"] and all(rank["clipped"] for rank in ranks)
    for rank in ranks:
        assert rank["norm"] == pytest.approx(alone["norm"], rel=1e-6)  # the averaged gradient's global norm
        for grad, expected in zip(rank["grads"], alone["grads"]):
            torch.testing.assert_close(grad, expected, rtol=1e-5, atol=1e-7)
        for name, value in rank["weights"].items():
            torch.testing.assert_close(value, alone["weights"][name], rtol=1e-5, atol=1e-6)


def test_two_ranks_train_chat_as_one_process_and_only_rank_0_writes(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    dist_workers.tiny_run(str(one))
    distributed.launch(dist_workers.tiny_run, 2, str(two))
    alone, together = torch.load(one / "weights0.pt"), [torch.load(two / f"weights{r}.pt") for r in (0, 1)]
    for weights in together:
        for name, value in weights.items():
            torch.testing.assert_close(value, alone[name], rtol=1e-4, atol=1e-5)
    rows_alone = json.loads((one / "progress0.json").read_text())
    rows_two = json.loads((two / "progress0.json").read_text())
    assert [r[:2] + [r[4]] for r in rows_two] == [r[:2] + [r[4]] for r in rows_alone]  # same steps, same clipping
    assert any(r[4] for r in rows_alone) and any(r[0] == "valid" for r in rows_alone)
    for got, expected in zip(rows_two, rows_alone):
        assert got[2] == pytest.approx(expected[2], rel=1e-4) and got[3] == pytest.approx(expected[3], rel=1e-4)
    assert json.loads((two / "progress1.json").read_text()) == []  # rank 1 reports nothing
    assert (two / "rank0.safetensors").is_file() and not (two / "rank1.safetensors").exists()


def test_a_rank_that_raises_ends_the_run_with_a_clear_error_and_no_half_written_file(tmp_path):
    with pytest.raises(distributed.DistributedError) as raised:
        distributed.launch(dist_workers.tiny_run, 2, str(tmp_path), 0.05, 5, timeout_s=120)
    message = str(raised.value)
    assert "rank 1: RuntimeError: rank 1 read a broken batch" in message
    assert "rank 0: DistributedError" in message and "another rank failed" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rank0.safetensors"]  # no temporary file left
    assert load_checkpoint(tmp_path / "rank0.safetensors", kind="chat").meta["resume"]["step"] >= 2


def _write_shards(folder, count):
    folder.mkdir()
    for shard in range(3):
        lines = [json.dumps([f"turn {i} of {shard}", f"reply {i}"]) for i in range(shard, count, 3)]
        (folder / f"part{shard}.jsonl").write_text("\n".join(lines) + "\n\n")


def test_the_shard_reader_yields_every_conversation_once_across_ranks(tmp_path):
    _write_shards(tmp_path / "shards", 20)
    everything = list(read_shards(tmp_path / "shards", part=(0, 1)))
    assert len(everything) == 20
    parts = [list(read_shards(str(tmp_path / "shards" / "*.jsonl"), part=(r, 3))) for r in range(3)]
    assert sorted(map(tuple, sum(parts, []))) == sorted(map(tuple, everything))
    assert all(abs(len(p) - 20 / 3) < 1 for p in parts)


def test_a_malformed_shard_line_is_named_and_counted(tmp_path):
    _write_shards(tmp_path / "shards", 6)
    with open(tmp_path / "shards" / "part1.jsonl", "a") as handle:
        handle.write('["one turn only"]\n{"not": "a list"}\n')
    vocab, report = stream_vocab(tmp_path / "shards", min_count=1)
    assert report.conversations == 6 and report.skipped == 2
    assert report.problems[0].endswith("part1.jsonl:4: fewer than two turns")
    assert "part1.jsonl:5: a conversation must be a list of strings" in report.problems[1]
    assert "reply" in vocab.stoi
    assert isinstance(ShardReport().summary()["problems"], list)


def test_more_processes_than_rows_of_a_batch_is_said_before_starting(tmp_path, monkeypatch, capsys):
    from engine.__main__ import main

    monkeypatch.setenv("WORLD_SIZE", "4")
    code = main(["train", "chat", "--batch-size", "2", "--data", str(tmp_path / "missing.jsonl"),
                 "--out", str(tmp_path / "chat.safetensors")])
    assert code == 2
    assert "4 processes, more than the 2 rows of one batch" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_a_run_stopped_on_two_ranks_resumes_in_one_process_as_if_it_had_been_one(tmp_path):
    folders = {name: tmp_path / name for name in ("one", "two", "one_resumed", "two_resumed")}
    for folder in folders.values():
        folder.mkdir()
    dist_workers.tiny_run(str(folders["one"]), 0.05, 0, 3)
    distributed.launch(dist_workers.tiny_run, 2, str(folders["two"]), 0.05, 0, 3)
    for name in ("one", "two"):
        assert load_checkpoint(folders[name] / "rank0.safetensors", kind="chat").meta["resume"]["step"] == 3
        dist_workers.tiny_run(str(folders[f"{name}_resumed"]), 0.05, 0, 0, str(folders[name] / "rank0.safetensors"))
    alone, together = (torch.load(folders[n] / "weights0.pt") for n in ("one_resumed", "two_resumed"))
    steps = json.loads((folders["one_resumed"] / "progress0.json").read_text())
    assert steps[0][1] == 4 and steps[-1][1] >= 5  # it went on from step 3 to the end of the epoch
    for name, value in together.items():
        torch.testing.assert_close(value, alone[name], rtol=1e-4, atol=1e-5)
