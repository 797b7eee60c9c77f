"""Replies in tune with the turn's mood: what counts as bad news, sympathy and leave-taking."""
import pytest
import torch

from engine.decoding import Hypothesis
from engine.shipped import DEFAULT_PATHS
from engine.tasks.chat_mood import (MoodReplies, congratulates, own_news, says_goodbye, sympathises, tells_milestone,
                                    tells_misfortune, unnegated, what_happened)


def test_negations_are_taken_out_in_every_spelling():
    assert unnegated("no i don't") == "i do"
    assert unnegated("I can't decide what to eat") == "i can decide what to eat"
    assert unnegated("i dont like it, it isnt fair") == "i do like it, it is fair"
    assert unnegated("i won\u2019t go, nobody came") == "i will go, came"
    assert unnegated("my dog died yesterday") == "my dog died yesterday"


def test_what_happened_is_read_without_whom_it_happened_to_and_a_death_is_said_plainly():
    assert what_happened("My best friend died") == "died"
    assert what_happened("my dad has cancer") == "has cancer"
    assert what_happened("my grandfather passed away last night") == "died last night"
    assert what_happened("i lost my wallet") == "i lost my wallet"  # news of the user's own, whole
    assert what_happened("our old dog passed away") == "died"
    assert what_happened("i'll pass on the cake") == "i'll pass on the cake"


def test_a_milestone_is_read_from_what_happened_alone_and_not_where_it_is_denied_or_mixed():
    for text in ("i just got engaged!", "i passed my driving test today", "my daughter was born this morning",
                 "we adopted a kitten", "i got into medical school", "my son took his first steps"):
        assert tells_milestone(text), text
    for text in ("i passed out at the gym", "i passed the salt", "i finished dinner", "my first car was a ford",
                 "i didn't pass my exam", "i got engaged but my parents are angry", "i got into a fight",
                 "our baby was born early and is in intensive care", "i got in the car", "i was born in Lagos",
                 "i'm married with two kids"):
        assert not tells_milestone(text), text


def test_a_misfortune_the_readers_do_not_know_is_read_from_its_words():
    for text in ("is in the hospital again", "i got laid off", "are getting a divorce", "needs surgery",
                 "i was in a car crash", "has covid", "broke his leg", "my car broke down on the highway",
                 "got hit by a car", "i didn't get the job", "i got rejected from my dream school",
                 "i've been feeling anxious lately", "i'm so overwhelmed", "i'm feeling down today", "i miss her a lot",
                 "i can't sleep", "i haven't slept in days"):
        assert tells_misfortune(text), text
    for text in ("i crashed on the couch", "i do that on accident", "is a nurse at the hospital",
                 "i watched a movie about a divorce", "i broke my personal record",
                 "i'm not feeling sad anymore", "i don't feel lonely", "i'm down to earth", "i calmed down"):
        assert not tells_misfortune(text), text


def test_own_news_is_short_begins_with_the_user_and_asks_nothing():
    assert own_news("my dog died yesterday") and own_news("I'm so stressed about work")
    assert own_news("we got lost on the way home")
    assert own_news("ugh, i failed my chemistry exam") and own_news("omg we won!")  # a cry before the news
    assert own_news("work has been really stressful") and own_news("today was awful")  # the user's days
    assert not own_news("dogs are great") and not own_news("work is it fun?")
    assert not own_news("my dog died yesterday?") and not own_news("no, my dog died")
    assert not own_news("i " + "really " * 12 + "miss him") and not own_news("")


def test_sympathy_and_leave_taking_are_read_from_the_reply():
    assert sympathises("I'm sorry to hear that.") and sympathises("Oh no! What happened?")
    assert not sympathises("Sounds like fun, sorry I missed it")  # sympathy is how a reply begins
    assert not sympathises("That's great!") and not sympathises("I am fine.")
    assert says_goodbye("I'm sorry to hear that. It was nice talking to you.")
    assert says_goodbye("I have to go now.") and not says_goodbye("I'm sorry to hear that.")
    assert not says_goodbye("I see your point.")


class _Judged(MoodReplies):
    device = torch.device("cpu")


@pytest.fixture(scope="module")
def judged():
    judge = _Judged()
    judge.attach_mood(DEFAULT_PATHS["sentiment"])
    return judge


def test_bad_news_is_read_by_the_shipped_sentiment_model_and_not_from_a_negation_alone(judged):
    assert judged.bad_news("i lost my job today", 4.0)
    assert judged.bad_news("i feel really lonely", 4.0)
    assert judged.bad_news("my mom is sick", 4.0)  # the classifier is unsure (0.47); VADER is not (-0.51)
    # misfortunes neither reader knows, also where the subject tells it; not where VADER reads cheer
    assert judged.bad_news("my grandma is in the hospital", 4.0) and judged.bad_news("i got laid off", 4.0)
    assert judged.bad_news("my grandmother's funeral is tomorrow", 4.0)
    assert not judged.bad_news("i got laid off and i'm so happy", 4.0)  # VADER +0.69
    # read whole, "best friend" is cheerful to both readers, and neither knows "passed away"
    assert judged.bad_news("my best friend died", 4.0) and judged.bad_news("my grandpa passed away last night", 4.0)
    for text in ("no i don't", "i can't decide what to eat", "i got a new job!", "what is your name?",
                 "i think that it is not coincidence",  # an opinion: VADER does not read it as negative
                 "my dog died yesterday?", "that's so sad, my dog died yesterday"):  # a question; not the user's news
        assert not judged.bad_news(text, 4.0), text
    assert not judged.bad_news("i lost my job today", 0.0)  # off


def test_good_news_is_a_milestone_of_the_users_that_no_reader_finds_bad(judged):
    assert judged.good_news("i just got engaged!", 4.0) and judged.good_news("my sister had twins", 4.0)
    for text in ("i love pizza", "i got a new phone",  # an opinion; no milestone
                 "did you get engaged?", "she got engaged",  # a question; not news of the user or theirs
                 "i got promoted and then fired the same day"):  # mixed news
        assert not judged.good_news(text, 4.0), text
    assert not judged.good_news("i just got engaged!", 0.0)  # off


def test_to_good_news_congratulations_gain_and_gloom_loses(judged):
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=0.0) for i in range(3)]
    texts = ["Congratulations! That's awesome!", "I'm sorry to hear that.", "The dog is a cat."]
    weighed = judged.in_tune(hypotheses, lambda h: texts[h.tokens[0]], 4.0, good=True)
    congratulated, sorry, plain = (h.prior for h in weighed)
    assert congratulated > 0 > sorry and congratulated > plain
    assert congratulates("Congrats!") and not congratulates("I said congratulations")


def test_to_bad_news_sympathy_gains_and_cheer_loses(judged):
    hypotheses = [Hypothesis(tokens=[i], score=0.0, log_prob=0.0) for i in range(3)]
    texts = ["That's great!", "I'm sorry to hear that.", "The dog is a cat."]
    weighed = judged.in_tune(hypotheses, lambda h: texts[h.tokens[0]], 4.0)
    great, sorry, plain = (h.prior for h in weighed)
    assert sorry > plain > great
    assert sorry > 0 > great
    assert judged.in_tune(hypotheses, lambda h: texts[h.tokens[0]], 0.0) == hypotheses


def test_a_missing_sentiment_model_leaves_replies_as_they_were(tmp_path):
    judge = _Judged()
    judge.attach_mood(tmp_path / "nowhere.safetensors")
    assert not judge.bad_news("i lost my job today", 4.0)
    assert "no sentiment model" in judge.mood_note
