"""Chat training from JSONL shards as a stream (engine.data.stream_batches)."""
import gc
import json
import random
import tracemalloc

import torch

from engine import distributed
from engine.checkpoint import load_checkpoint
from engine.data.chat import stream_batches
from engine.data.stream_batches import ShardStream, buffered_shuffle, held_out, row_batches, scan_shards
from engine.text import SPECIALS, Vocab

import dist_workers


def _write_shards(folder, shards, per_shard, turns=(2, 6)):
    """Conversations whose first turn names them ("cN first ..."), ``per_shard`` in each shard."""
    folder.mkdir()
    rng = random.Random(0)
    for shard in range(shards):
        lines = []
        for i in range(per_shard):
            name = f"c{shard * per_shard + i}"
            words = [f"{name} first"] + [" ".join(rng.choice("ab cd ef gh ij".split()) for _ in range(4))
                                         for _ in range(rng.randint(*turns) - 1)]
            lines.append(json.dumps(words))
        (folder / f"part{shard:03d}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _training_names(folder, seed):
    """The names of the conversations that held_out leaves to training."""
    names = set()
    for path in sorted(folder.iterdir()):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if held_out(path, number, seed) is None:
                names.add(json.loads(line)[0].split()[0])
    return names


def _started(batches, vocab):
    return [vocab.decode(b.source[row].tolist())[0] for b in batches for row in range(len(b.reset))
            if b.reset[row] and b.streams[row] >= 0]  # idle rows read as reset too


def test_row_batches_over_a_list_are_the_stream_batches_of_that_list():
    rng = random.Random(1)
    vocab = Vocab(list(SPECIALS) + [f"w{i}" for i in range(20)])
    streams = [[([rng.randint(4, 23) for _ in range(rng.randint(1, 5))], [rng.randint(4, 23)])
                for _ in range(rng.randint(1, 6))] for _ in range(23)]
    for min_active in (0.0, 0.5):
        expected = list(stream_batches(streams, 4, vocab, None, min_active))
        got = list(row_batches(iter(streams), 4, vocab, min_active))
        assert len(got) == len(expected) > 10
        for a, b in zip(got, expected):
            for name in ("source", "reply_input", "targets", "reset", "streams"):
                assert torch.equal(getattr(a, name), getattr(b, name)), name


def test_an_epoch_reads_every_training_conversation_once_shuffled_and_across_ranks(tmp_path):
    folder = _write_shards(tmp_path / "shards", 3, 40)
    scan = scan_shards(folder, seed=5, part=(0, 1))
    vocab = scan.vocab(1000, 1)
    expected = _training_names(folder, 5)
    assert scan.train == len(expected) and scan.valid_total + scan.test_total == 120 - len(expected) > 0
    source = ShardStream(folder, vocab, scan, 20, 20, both_sides=False, seed=5, buffer=8)
    first = _started(row_batches(source.streams(11), 3, vocab), vocab)
    assert sorted(first) == sorted(expected)  # each once, the held-out ones never
    assert first != _started(row_batches(source.streams(12), 3, vocab), vocab)  # another order each epoch
    ranks = [_started(row_batches(source.streams(11, part=(r, 3)), 1, vocab), vocab) for r in range(3)]
    assert sorted(sum(ranks, [])) == sorted(expected) and all(ranks)


def test_two_ranks_stream_their_own_conversations_and_take_the_same_steps(tmp_path):
    folder = _write_shards(tmp_path / "shards", 2, 15)
    distributed.launch(dist_workers.streamed_epoch, 2, str(folder), str(tmp_path))
    ranks = [json.loads((tmp_path / f"epoch{r}.json").read_text()) for r in (0, 1)]
    started = [name for rank in ranks for name in rank["started"]]
    assert sorted(started) == sorted(_training_names(folder, 1)) and len(started) == ranks[0]["train"]
    assert all(rank["started"] for rank in ranks)
    # every rank runs the same batches (the ended one on idle rows) and optimiser steps
    assert ranks[0]["batches"] == ranks[1]["batches"] and ranks[0]["batches"] % 3 == 0
    assert ranks[0]["steps"] == ranks[1]["steps"] > 0


def test_the_shuffle_buffer_never_holds_more_than_its_bound_however_many_shards():
    seen = {}
    out = list(buffered_shuffle(range(100), 7, random.Random(0), seen))
    assert sorted(out) == list(range(100)) and out != list(range(100)) and seen["largest"] == 7


def _epoch_peak(folder):
    scan = scan_shards(folder, seed=1, part=(0, 1))
    vocab = scan.vocab(1000, 1)
    source = ShardStream(folder, vocab, scan, 20, 20, seed=1, buffer=50)
    gc.collect()  # garbage left by earlier tests is not the epoch's
    tracemalloc.start()
    batches = sum(1 for _ in source.epoch_batches(3, 8, 4))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, batches, source.seen["largest"]


def test_an_epochs_memory_does_not_grow_with_the_number_of_shards(tmp_path):
    small, small_batches, small_buffer = _epoch_peak(_write_shards(tmp_path / "small", 2, 150))
    large, large_batches, large_buffer = _epoch_peak(_write_shards(tmp_path / "large", 20, 150))
    assert large_batches > 8 * small_batches  # ten times the data was read...
    assert small_buffer == large_buffer == 50
    # ...in about the same memory: a peak that grew with the data would be about ten times; the
    # margin is for the cyclic garbage a collection has not yet freed when the peak is taken
    assert large < 2 * small


def test_train_chat_on_shards_names_and_counts_a_malformed_line_and_its_checkpoint_loads(tmp_path, capsys):
    from engine.__main__ import main

    folder = _write_shards(tmp_path / "shards", 2, 30)
    with open(folder / "part001.jsonl", "a") as handle:
        handle.write('["one turn only"]\n{"not": "a list"}\n')
    out = tmp_path / "chat.safetensors"
    code = main(["train", "chat", "--data", str(folder), "--out", str(out), "--epochs", "1", "--batch-size", "4",
                 "--hidden-size", "16", "--embedding-size", "16", "--attention-size", "8", "--min-count", "1",
                 "--max-vocab", "200", "--progress", "jsonl", "--shuffle-buffer", "5"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "skipped 2 malformed line(s)" in captured.err
    assert "part001.jsonl:31: fewer than two turns" in captured.err
    assert "part001.jsonl:32: a conversation must be a list of strings" in captured.err
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["skipped_lines"] == 2 and summary["steps"] > 0 and summary["largest_shuffle_buffer"] == 5
    stored = load_checkpoint(out, kind="chat")
    assert stored.meta["streamed"] and stored.meta["splits"]["skipped_lines"] == 2 and "c0" in stored.vocab
    # The topic words are counted over a sample of the streams, beside it, for its vocabulary.
    from engine.text import Vocab
    from engine.topic import TopicWords

    assert TopicWords.load(tmp_path / "chat_topic.safetensors", Vocab(stored.vocab)).vocab_size == len(stored.vocab)


def test_train_char_on_two_ranks_reports_and_writes_on_rank_0_only(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("the cat sat on the mat and the dog sat on the log\n" * 20)
    distributed.launch(dist_workers.char_command, 2, str(text), str(tmp_path))
    events = [json.loads(line).get("event") for line in (tmp_path / "stdout0.txt").read_text().splitlines()]
    assert events[0] == "start" and events[-1] == "done" and events.count("done") == 1 and "checkpoint" in events
    assert (tmp_path / "stdout1.txt").read_text() == ""
    assert sorted(p.name for p in tmp_path.glob("*.safetensors")) == ["char.resume.safetensors", "char.safetensors"]
