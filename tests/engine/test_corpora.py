"""The corpora read from --corpus-dir: readers on tiny files in their formats, splits, bad input."""
import hashlib
import json

import pytest

from engine.data.corpora import (load_corpora, read_personality_chat, read_synthetic_persona_chat,
                                 read_topical_chat)
from engine.data.splits import split, split_groups
from tiny_corpora import write_corpora


@pytest.fixture
def corpus_dir(tmp_path):
    return write_corpora(tmp_path / "corpora")


def test_topical_chat_joins_a_speakers_messages_and_keeps_file_order(corpus_dir):
    read = read_topical_chat(corpus_dir)
    assert read.conversations[0] == ["Do you like football?", "Yes I do. Me too!", "Who is your team?"]
    assert read.conversations[2] == ["Have you read a book lately?", "A good one, yes."]  # white space collapsed
    assert len(read.conversations) == 24 and not read.skipped
    assert len(set(read.groups)) == 24


def test_synthetic_persona_chat_reads_speaker_lines_and_reports_what_it_left_out(corpus_dir):
    read = read_synthetic_persona_chat(corpus_dir)
    assert read.conversations[0] == ["Hi!", "Hello! How are you?", "Fine, thanks."]
    assert read.conversations[1] == ["What do you cook?",
                                     "Tacos. First the onions, then the rest. Want the recipe?", "Yes please!"]
    assert len(read.conversations) == 22
    valid = str(corpus_dir / "synthetic-persona-chat" / "Synthetic-Persona-Chat_valid.csv")
    notes = [(s.path, s.line, s.dropped) for s in read.skipped]
    # the stage direction of row 2 (which starts on line 6) and the empty row 3 (line 14)
    assert notes == [(valid, 6, False), (valid, 14, True)]
    assert "fewer than 2 turns" in str(read.skipped[1]) and str(read.skipped[1]).startswith(f"{valid}:14:")


def test_personality_chat_makes_two_turn_conversations_grouped_by_question(corpus_dir):
    read = read_personality_chat(corpus_dir)
    assert ["Hug me", "Giving you a virtual hug right now."] in read.conversations
    assert all(len(c) == 2 for c in read.conversations) and len(read.conversations) == 42
    group = dict(zip((c[0] + "|" + c[1] for c in read.conversations), read.groups))
    hug = "Giving you a virtual hug right now."
    assert group[f"Hug me|{hug}"] == group[f"I need a hug|{hug}"]
    # "How old are you?" and "What's your age?" share the friend's answer, and the other personas
    # answer the same questions: all four rows are one question.
    ages = {group[k] for k in group if "age" in k.lower() or "old" in k.lower()}
    assert len(ages) == 1
    assert group["Question 1?|Answer 1 from the friend."] == group["Question 1?|Answer 1 from the comic."]
    assert group["Question 1?|Answer 1 from the friend."] != group["Question 2?|Answer 2 from the friend."]


def test_a_malformed_row_is_skipped_with_its_file_and_line(tmp_path):
    folder = write_corpora(tmp_path / "c", personality_extra="a question without an answer\r\n")
    read = read_personality_chat(folder)
    (skipped,) = read.skipped
    assert skipped.path.endswith("qna_chitchat_the_friend.tsv") and skipped.dropped
    assert skipped.line == 1 + 16 + 1  # after the header and the friend's 16 rows
    assert len(read.conversations) == 42


def test_a_broken_topical_chat_conversation_is_skipped_and_bad_json_is_an_error(corpus_dir):
    path = corpus_dir / "topical-chat" / "test_freq.json"
    path.write_text('{\n "t_4": {"content": "nothing"},\n "t_9": {"content": []}\n}', encoding="utf-8")
    read = read_topical_chat(corpus_dir)
    where = [(s.line, s.reason.split(":")[0]) for s in read.skipped]
    assert where == [(2, "conversation t_4"), (3, "conversation t_9")]
    path.write_text('{\n "t_4": {"content": [}\n}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"test_freq\.json:2: not JSON"):
        read_topical_chat(corpus_dir)


@pytest.mark.parametrize("missing", ["topical-chat/valid_rare.json",
                                     "synthetic-persona-chat/Synthetic-Persona-Chat_test.csv",
                                     "personality-chat/qna_chitchat_the_comic.tsv"])
def test_a_missing_file_is_named(corpus_dir, missing):
    (corpus_dir / missing).unlink()
    with pytest.raises(FileNotFoundError, match=missing.split("/")[1].replace(".", r"\.")):
        load_corpora(corpus_dir)


def test_splits_are_deterministic_disjoint_and_complete(corpus_dir):
    first, again = load_corpora(corpus_dir, seed=7), load_corpora(corpus_dir, seed=7)
    other = load_corpora(corpus_dir, seed=8)
    for name, loaded in first.items():
        parts = [loaded.splits.train, loaded.splits.valid, loaded.splits.test]
        assert parts == [again[name].splits.train, again[name].splits.valid, again[name].splits.test]
        assert all(parts)
        train, valid, test = ({json.dumps(c) for c in part} for part in parts)
        assert not (train & valid or train & test or valid & test)  # no conversation in two splits
        reader = {"topical-chat": read_topical_chat, "personality-chat": read_personality_chat,
                  "synthetic-persona-chat": read_synthetic_persona_chat}[name]
        every = [json.dumps(c) for c in reader(corpus_dir).conversations]
        assert sorted(json.dumps(c) for part in parts for c in part) == sorted(every)
    assert first["topical-chat"].splits.test != other["topical-chat"].splits.test


def test_personality_chat_keeps_every_phrasing_of_a_question_in_one_split(corpus_dir):
    for seed in range(10):
        splits = load_corpora(corpus_dir, ["personality-chat"], seed=seed)["personality-chat"].splits
        where = {}
        for part in ("train", "valid", "test"):
            for question, answer in getattr(splits, part):
                for key in (question.lower(), answer):
                    assert where.setdefault(key, part) == part


def test_split_groups_with_one_group_a_conversation_is_split():
    conversations = [[f"turn {i}", "reply"] for i in range(50)]
    grouped = split_groups(conversations, list(range(50)), seed=3)
    plain = split(conversations, seed=3)
    assert (grouped.train, grouped.valid, grouped.test) == (plain.train, plain.valid, plain.test)


def test_the_chitchat_split_is_unchanged():
    from engine.data.chat import read_chitchat

    splits = split(read_chitchat(), 1234)
    assert splits.sizes() == {"train": 3695, "valid": 161, "test": 161}
    digest = lambda part: hashlib.sha256(json.dumps(part).encode()).hexdigest()[:16]  # noqa: E731
    # taken from the split as it was before the new corpora came (commit 5c54ec9)
    assert digest(splits.valid) == "3a1af8f3ecb3184b"
    assert digest(splits.test) == "e4d11f6dbc3af69f"
    assert digest(splits.train) == "7d82ca7314ca41f2"


def test_the_readers_and_the_generator_do_not_import_torch():
    from imports import packages_loaded_by

    loaded = packages_loaded_by("engine.data.corpora", "engine.data.memory_sets", "engine.tasks.data",
                                "engine.__main__")
    assert not loaded & {"torch", "PySide6", "sqlalchemy"}


def test_data_stats_prints_counts_and_skipped_rows(corpus_dir, capsys):
    from engine.__main__ import main

    assert main(["data", "stats", "--corpus-dir", str(corpus_dir), "--corpus", "synthetic-persona-chat",
                 "--corpus", "personality-chat", "--json"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out.strip().splitlines()[-1])
    assert set(result) == {"synthetic-persona-chat", "personality-chat"}
    persona = result["synthetic-persona-chat"]
    assert persona["all"] == {"conversations": 22, "turns": 6 + 40, "words": 23 + 80}
    assert persona["skipped_rows"] == 1 and persona["rows_with_lines_left_out"] == 1
    assert sum(persona[p]["conversations"] for p in ("train", "valid", "test")) == 22
    assert "Synthetic-Persona-Chat_valid.csv:14: fewer than 2 turns" in err


def test_data_stats_with_a_missing_folder_is_one_error_line(tmp_path, capsys):
    from engine.__main__ import main

    assert main(["data", "stats", "--corpus-dir", str(tmp_path / "nowhere"), "--corpus", "topical-chat"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "nowhere" in lines[0]


def test_a_training_runs_seed_does_not_move_the_split(corpus_dir, tmp_path, monkeypatch):
    """What `train chat --seed N` trains on holds no conversation of the fixed split's valid or test
    parts, for the user's data and for the corpora alike (a run's seed once drew its own split)."""
    from engine.__main__ import build_parser
    from engine.data.chat import load_corpus
    from engine.tasks import chat_train

    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps([f"hello number {i}", f"hi {i}", f"bye {i}"]) + "\n"
                            for i in range(60)))
    held_out = load_corpus(str(data)).valid + load_corpus(str(data)).test
    for corpus in load_corpora(corpus_dir).values():
        held_out += corpus.splits.valid + corpus.splits.test
    assert held_out

    class Read(Exception):
        pass

    def caught(conversations):
        seen.extend(conversations)
        raise Read

    monkeypatch.setattr(chat_train, "tokenize_conversations", caught)
    for seed in ("5", "77"):
        seen: list = []
        argv = ["train", "chat", "--data", str(data), "--corpus-dir", str(corpus_dir), "--seed", seed,
                "--out", str(tmp_path / "out.safetensors")]
        args = build_parser(argv).parse_args(argv)
        with pytest.raises(Read):
            chat_train.train(args)
        assert seen and not [turns for turns in seen if turns in held_out]
