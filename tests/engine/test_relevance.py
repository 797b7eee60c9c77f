"""The word-association judge of on-topic replies (engine.relevance)."""
import math

import pytest

from engine.relevance import WordAssociation, topic_recall

# Turns about dogs get replies about puppies, turns about food replies about pizza; "yeah" and "ok"
# come everywhere, so they are among the most frequent words and carry no topic.
PAIRS = ([(["i", "love", "my", "dog"], ["yeah", "puppies", "are", "great"])] * 5
         + [(["what", "did", "you", "eat"], ["ok", "pizza", "with", "cheese"])] * 5
         + [(["my", "car", "broke"], ["yeah", "ok", "mechanics", "help"])] * 5)


def judge():
    return WordAssociation(PAIRS, stopwords=3, min_pair_count=3)


def test_associated_words_fit_and_frequent_words_carry_no_topic():
    j = judge()
    assert j.stopwords == {"yeah", "ok", "my"}  # in 10 pairs each; every other word in 5
    assert j.fit(["dog"], ["puppies"]) > 0
    assert j.fit(["eat"], ["puppies"]) == 0
    assert j.fit(["dog"], ["pizza"]) == 0
    # log(N c(s, w) / (c(s) c(w))) with N = 15 pairs and each count 5.
    assert j.fit(["dog"], ["puppies"]) == pytest.approx(math.log(15 * 5 / (5 * 5)))
    # Two topical words add up; a word seen fewer than min_pair_count times together links nothing.
    assert j.fit(["dog", "eat"], ["puppies", "pizza"]) == pytest.approx(2 * j.fit(["dog"], ["puppies"]))
    assert j.fit(["dog"], ["yeah"]) == 0


def test_topic_recall_is_one_for_topical_replies_and_chance_for_generic_ones():
    j = judge()
    turns = [["i", "love", "my", "dog"], ["what", "did", "you", "eat"], ["my", "car", "broke"]] * 4
    groups = [0, 1, 2] * 4  # a turn's rivals come from the other two topics
    topical = [["puppies"], ["pizza"], ["mechanics"]] * 4
    assert topic_recall(j, turns, topical, groups, candidates=3) == 1.0
    wrong = [["pizza"], ["mechanics"], ["puppies"]] * 4
    assert topic_recall(j, turns, wrong, groups, candidates=3) < 1 / 3  # below chance: credit only in ties
    generic = [["yeah", "ok"]] * len(turns)  # fits every turn equally (not at all): chance
    assert topic_recall(j, turns, generic, groups, candidates=3) == pytest.approx(1 / 3)
