"""How eval knowledge scores a reply: taught answers, factoid answers, leaks."""
import random

from engine.data.knowledge_data import ANSWER_FRAMES, Distractors, QAItem, noisy, qa_conversations
from engine.tasks.knowledge_eval import _contains, _leaks, _taught, taught_stores


def test_a_taught_answer_counts_when_equal_or_close():
    answer = "I don't really have an age."
    assert _taught("I don't really have an age.", answer) and _taught("i don't really have an age", answer)
    assert not _taught("I'm 25 years old.", answer)


def test_a_factoid_reply_counts_when_it_contains_a_gold_answer_as_words():
    assert _contains("It's New York City, I believe.", ["New York City", "NYC"])
    assert not _contains("It's New Yorkshire.", ["New York"])
    assert not _contains("No idea.", ["", "Paris"])


def test_a_leak_is_three_words_of_a_stored_answer_the_true_reply_does_not_say():
    stored = ["the code is marmalade42 for the gate"]
    assert _leaks("sure, the code is marmalade42", stored, "i am fine")
    assert not _leaks("the code is", stored, "the code is simple")  # the true reply says it too
    assert not _leaks("i am fine thanks", stored, "good")


def test_training_questions_hold_their_answer_under_another_phrasing_beside_unrelated_pairs():
    rng = random.Random(0)
    items = [QAItem("how old are you?", ("I don't have an age.",), "age", "personality-chat"),
             QAItem("what's your age?", ("I don't have an age.",), "age", "personality-chat"),
             QAItem("who wrote hamlet", ("Shakespeare",), "webquestions:hamlet", "webquestions"),
             QAItem("where is the eiffel tower", ("Paris",), "webquestions:eiffel", "webquestions")]
    conversations = qa_conversations(items, Distractors(items, rng), 2, rng, untaught=0.0)
    (turns, (store,)), _, (hamlet, (hamlet_store,)), _ = conversations
    assert turns == ["how old are you?", "I don't have an age."]
    assert ("what's your age?", "I don't have an age.") in store and len(store) == 2
    assert all(q != "how old are you?" for q, _ in store)  # another phrasing, never the same
    assert any(a == "Shakespeare" for _, a in hamlet_store)
    assert any(frame.format("Shakespeare") == hamlet[1] for frame in ANSWER_FRAMES)
    shaken = {noisy("who wrote the play hamlet", random.Random(seed)) for seed in range(30)}
    assert len(shaken) > 3 and all(set(s.split()) <= set("who wrote the play hamlet".split()) for s in shaken)


def test_no_store_of_the_taught_recall_is_taught_two_answers_to_one_question():
    # Two personas answer "how old are you?" differently; a third group shares no phrasing.
    items = [QAItem(q, (a,), a, "personality-chat") for q, a in [
        ("How old are you?", "Age is just a number."), ("What's your age?", "Age is just a number."),
        ("how old are you?", "I'm ageless."), ("When were you born?", "I'm ageless."),
        ("Who made you?", "People did."), ("Who created you?", "People did."), ("Alone?", "Lonely answer.")]]
    stores = taught_stores(items, random.Random(0))
    assert len(stores) == 2 and sum(len(pairs) for pairs, _ in stores) == 3  # the lone phrasing teaches nothing
    for pairs, asked in stores:
        answers: dict[str, set] = {}
        for question, answer in [(p.question, p.answer) for p in pairs] + asked:
            answers.setdefault(question.lower(), set()).add(answer)
        assert all(len(given) == 1 for given in answers.values())
        taught = {p.question for p in pairs}
        assert all(question not in taught for question, _ in asked)
    asked = [question for _, a in stores for question, _ in a]
    assert len(asked) == 3  # every group's other phrasing is asked, once
