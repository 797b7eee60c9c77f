"""A reply that states a fact about the user nobody told loses to the model's own "you didn't tell me"."""
import pytest
import torch

from engine.data.memory_facts import SLOTS, UNTOLD
from engine.decode_config import SearchConfig
from engine.decoding import Hypothesis, decode
from engine.tasks.told import (ABOUT_VALUE, DECLINE, DECLINE_TOLD, ELSEWHERE_VALUE, NAME_VALUE, UNTOLD_VALUE,
                               WHOLE_VALUE, as_it_was, as_sayable, asks_of_it, asks_of_user, barred, cut_short,
                               decline_starts, declines, declines_other, doing_cut, ends_astray, forced, resolved,
                               ground, headless, hollow, misplaced, padded, restart, spellings,
                               stated_value, states_told, states_unasked, states_untold_number, taken_back, tellings,
                               told_as_topic, told_kinds, told_topics, told_values, told_back, told_words, topics, unheard_kind,
                               unheard_name, untold_decline)
from engine.text import tokenize


@pytest.mark.parametrize("slot", SLOTS, ids=lambda slot: slot.name)
def test_every_frame_the_model_was_trained_to_state_a_fact_in_gives_back_the_value(slot):
    for template in slot.state:
        reply = template.format(v="Zorblat Quee", q=slot.qualifiers[0] or "dog", a="a").capitalize()
        assert stated_value(reply) == "zorblat quee", reply
        assert stated_value("Oh nice! " + reply) == "zorblat quee"
        assert not declines(reply)


def test_declining_and_chitchat_state_no_value_and_an_empty_frame_states_nothing():
    for template in UNTOLD:
        reply = template.format(t="your dog's name")
        assert declines(reply) and stated_value(reply) is None
    for reply in ("I like food too.", "That sounds like fun!", "How was your day?"):
        assert stated_value(reply) is None
    assert stated_value("Your horse is called?") == stated_value("You named your horse.") == ""
    assert stated_value("You said you live in?") == ""
    # A frame chitchat says too is no fact left empty.
    assert stated_value("You are?") is None and stated_value("It's?") is None
    assert stated_value("Your favorite drink is all.") == "all"
    assert stated_value("It's 7UP, your list.") == "7up"
    # Slips of the model's that still state a value.
    assert stated_value("Your hamster name is tiny.") == "tiny"
    assert stated_value("You named your rabbit's fluffy.") == "fluffy"


def test_told_words_are_the_earlier_turns_and_the_message_before_its_question():
    known = {"what", "is", "my", "name", "i", "live", "in", "lisbon", "where", "do", "tops", "list"}.__contains__
    told = told_words(["my", "dog", "is", "rex"], "I live in Lisbon. where do i live?", known)
    assert {"rex", "lisbon"} <= told and "where" not in told
    # In the question itself only a word outside the vocabulary, or written as a name, counts as told.
    told = told_words([], "is my name Priya? which drink tops my list?", known)
    assert "priya" in told and "tops" not in told
    assert told_words([], "is my name Zuzanna?", known) >= {"zuzanna"}


def _pool(*texts):
    return [Hypothesis(tokens=[i], score=-1.0, log_prob=-2.0) for i in range(len(texts))], list(texts)


def _told(*user_turns, names=frozenset()):
    """(told words, tellings) of user turns (each a text, or a (bot question, user text) pair), with
    ``names`` the names the user wrote capitalised."""
    turns = [(tokenize(turn[1]), tokenize(turn[0])) if isinstance(turn, tuple) else (tokenize(turn), [])
             for turn in user_turns]
    return {word for user, _ in turns for word in user}, tellings(turns, names)


def test_a_value_nobody_told_loses_only_where_the_model_offers_to_decline():
    told, told_in = _told("my favourite drink is kvass")
    hypotheses, texts = _pool("Your favourite drink is all.", "You didn't tell me your favourite drink.",
                              "Your favourite drink is kvass.", "Your horse is called?")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "which drink tops my list?")]
    # the decline says what is not so: a drink was told, and a candidate states it
    assert priors == [-UNTOLD_VALUE, -DECLINE_TOLD, ABOUT_VALUE, -UNTOLD_VALUE]
    # Without a reply that declines, a value nobody told keeps its place ("You're welcome!" in chitchat).
    hypotheses, texts = _pool("You're welcome!", "Your favourite drink is all.")
    assert [h.prior for h in ground(hypotheses, texts, told, told_in, "thank you for my drink")] == [0.0, 0.0]


def test_a_value_told_about_what_is_asked_gains_and_one_told_about_something_else_loses_beside_a_decline():
    told, told_in = _told("my favourite drink is kvass", ("Which sport do you like best?", "hurling, easily"),
                          "i have a cat called Miso. sorry, i meant Mochi, not Miso", "i went to Lisbon with Tom")
    asked_sport = "which sport tops my list?"
    hypotheses, texts = _pool("Your favourite sport is Lisbon.", "Your favourite sport is hurling.",
                              "I'm not sure, you haven't told me your favourite sport.", "Your favourite sport is kvass.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, asked_sport)]
    # the bot's question said what "hurling" was; kvass was told as a drink and Lisbon as no sport
    # where a sport was told (:func:`misplaced`)
    assert priors == [-UNTOLD_VALUE, ABOUT_VALUE, -DECLINE_TOLD, -UNTOLD_VALUE]
    # Told about something else, where nothing of the kind asked was told, it loses less.
    city = _pool("Your favourite city is Lisbon.", "You didn't tell me your favourite city.")
    assert ground(*city, told, told_in, "which city do i love most?")[0].prior == -ELSEWHERE_VALUE
    # Without a decline among them nothing loses; a question of frame words and asking-back words
    # alone ("do you remember my name? just checking.") judges nothing.
    assert [h.prior for h in ground(*_pool(texts[0]), told, told_in, asked_sport)] == [0.0]
    for asked in ("do you remember it?", "do you remember it? just checking."):
        assert [h.prior for h in ground(*_pool("Your name is kvass.", texts[2]), told, told_in, asked)] == [0.0, 0.0]
    # Asked a name (a topic), a favourite drink is no answer.
    for asked in ("what's my name?", "do you remember my name? just checking."):
        assert ground(*_pool("Your name is kvass.", texts[2]), told, told_in, asked)[0].prior == -UNTOLD_VALUE
    # A correction speaks of what the sentence it corrects spoke of; a possessive of its noun.
    hypotheses, texts = _pool("Your cat is called Mochi.", "You didn't tell me.")
    assert ground(hypotheses, texts, told, told_in, "what's my cat's name?")[0].prior == ABOUT_VALUE
    # A value a stored pair holds is left to the stored-answer prior.
    hypotheses, texts = _pool("It's marmalade42.", "You didn't tell me.")
    stored = set(tokenize("What's the wifi password? It's marmalade42."))
    assert ground(hypotheses, texts, told | stored, told_in, "what's my wifi password?", stored)[0].prior == 0.0


def test_a_value_stated_as_another_kind_of_thing_than_it_was_told_as_is_misplaced():
    _, told_in = _told("my cat is called Miso", "on monday i'm going to go hiking", "my favourite colour is teal",
                       ("What's your favourite drink?", "kvass, for sure"), "i have two dogs. one is called Rex",
                       "my favourite drink is tea and my favourite sport is tea too", "i'm from Lisbon")
    # the cat's name is not the user's (told as something's name, never introducing them)
    for reply in ("Your dog is called Miso.", "You're going to go hiking on friday.", "Your favourite food is teal.",
                  "Your favourite sport is kvass.", "Your name is Miso."):
        assert misplaced(reply, told_in), reply
    for reply in ("You named your cat Miso.", "You're going to go hiking on monday.", "You love teal.",
                  "It's kvass, your favourite drink.", "Your dog is called Rex.", "Your favourite sport is tea.",
                  "Your favourite city is Lisbon.", "You didn't tell me your dog's name."):
        assert not misplaced(reply, told_in), reply
    # A reply that names no kind is read as stating the kind the question names.
    assert misplaced("You love teal.", told_in, "what food do i like?")
    assert not misplaced("You love teal.", told_in, "what colour do i like?")
    # Where a value of the kind asked was told, one told with no kind is no answer of that kind;
    # a correction tells the kind of what it corrects.
    _, told_in = _told("i read a lot of Stephen King", "no food beats tacos in my book",
                       "i love tea", "my favourite drink is kvass", "sorry, i meant mate, not kvass")
    assert misplaced("It's Stephen King.", told_in, "which food tops my list?")
    assert not misplaced("It's tacos.", told_in, "which food tops my list?")
    assert not misplaced("You love tea.", told_in, "what colour do i like?")  # no colour was told: it may be
    assert not misplaced("Your favourite drink is mate.", told_in, "what's my favourite drink?")
    # A favourite thing is no answer to a question about a topic (a home, a job).
    _, told_in = _told(("What's your favourite colour?", "without a shadow of doubt yellow"),
                       "i live in Lisbon with my cat")
    assert misplaced("You said you're a shadow.", told_in, "in which town do i reside?")
    assert not misplaced("You live in Lisbon.", told_in, "where do i live?")
    # A reply that states a value and declines too is no decline.
    assert not declines("You said you would go hiking on friday. You never told me.")


def test_a_value_stated_as_a_kind_of_thing_the_user_spoke_of_nowhere_is_unheard():
    told, told_in = _told("i'm 97", "i love teal", "my favourite drink is kvass", "hi, i'm Ulvik", "my name is Tom")
    assert unheard_kind("Your cat is called Tom.", told_in, "what's my cat called?")  # the user's own name
    assert unheard_kind("Your snake is called 97.", told_in, "how is my snake named?")
    assert unheard_kind("Your list is called Ulvik.", told_in, "which subject tops my list?")  # the question's kind
    assert not unheard_kind("Your favourite drink is kvass.", told_in, "what's my favourite drink?")  # told
    # Told as a favourite of a kind not said, it may be the one asked about; a question and reply of no kind judge nothing.
    assert not unheard_kind("You love teal.", told_in, "what's my favourite colour?")
    assert not unheard_kind("You're 97.", told_in, "how old am i?")
    assert not unheard_kind("You didn't tell me your snake's name.", told_in, "how is my snake named?")
    # Beside a decline it loses as a value nobody said.
    hypotheses, texts = _pool("Your snake is called 97.", "You didn't tell me your snake's name.")
    assert [h.prior for h in ground(hypotheses, texts, told, told_in, "how is my snake named?")] == [-UNTOLD_VALUE, 0.0]


def test_a_plan_stated_without_its_day_is_still_a_plan():
    assert stated_value("You said you would repaint the gazebo.") == "repaint the gazebo"


def test_a_reply_that_does_not_say_a_kind_of_thing_the_user_told_a_value_of_is_restarted_to_say_it():
    _, told_in = _told("no fruit beats peaches in my book", ("What's your favourite drink?", "kvass, for sure"),
                       "i don't have a favourite colour", "i adopted a lizard and gave it the name Pepper")
    kinds_told = told_kinds(told_in)
    assert kinds_told >= {"fruit", "drink", "lizard"} and "colour" not in kinds_told  # no colour was said
    for reply, asked, start in (
            ("I'm not sure, you haven't told me your favourite fruit.", "which fruit tops my list?",
             "your favourite fruit is"),
            ("You didn't tell me your favorite drink.", "name the drink i like best", "your favourite drink is"),
            ("Sorry, I don't know, you never said.", "how is my lizard named?", "your lizard is called"),
            ("Your lizard is called lizard.", "how is my lizard named?", "your lizard is called"),
            ("You said others is your favourite fruit.", "name the fruit i prefer above all others",
             "your favourite fruit is")):
        assert restart(reply, told_in, asked) == start, reply
    # Not restarted: a value told about what is asked, a kind nobody gave a value of, a reply that
    # names no kind to a question that names none, chitchat.
    for reply, asked in (("Your favourite fruit is peaches.", "which fruit tops my list?"),
                         ("You didn't tell me your favourite colour.", "what's my favourite colour?"),
                         ("You didn't tell me your favourite sport.", "which sport tops my list?"),
                         ("You didn't tell me your name.", "what's my name?"),
                         ("I like fruit too.", "do you like fruit?")):
        assert restart(reply, told_in, asked) is None, reply
    # A start is tried in the other spelling too, for a vocabulary that has only that one.
    assert spellings("your favourite colour is") == ["your favourite colour is", "your favorite color is"]
    assert spellings("your dog is called") == ["your dog is called"]


def test_a_question_about_a_friend_a_name_an_age_a_job_or_a_home_is_restarted_to_say_what_was_told():
    _, told_in = _told("i've known my buddy Ivan since kindergarten", "i have been alive for 94 years",
                       ("What's your name?", "the one and only Bea"))
    assert told_topics(told_in) >= {"friend", "age", "name"} and not told_topics(told_in) & {"job", "home"}
    assert topics(["pal", "name"]) == {"friend"} and topics(["cat", "name"]) == set()  # a friend's, a cat's
    for reply, asked, start in (
            ("You didn't tell me your favourite pal.", "which pal did i mention?", "your best friend is"),
            ("Their name is buddy.", "the buddy i spoke of, what's their name?", "your best friend is"),
            ("I'm not sure, you haven't told me your name.", "which name did i give you?", "your name is"),
            ("I'm not sure yet.", "how many years have i lived?", "you are")):
        assert restart(reply, told_in, asked) == start, reply
    # Nothing told of the topic asked: no restart; a forced reply must state a value told of the topic.
    assert restart("You didn't tell me your job.", told_in, "which line of work am i in?") is None
    assert told_as_topic("Your best friend is Ivan.", told_in, "friend")
    assert not told_as_topic("Your best friend is Bea.", told_in, "friend")
    # A value stated as another topic than the question asks about is misplaced.
    assert misplaced("You said you live in farrier.", told_in, "which line of work am i in?")
    assert misplaced("You're 61 years old.", told_in, "how do i earn my money?")
    assert not misplaced("You said you're 94.", told_in, "how many years have i lived?")
    # A name is no number; the user's name is not a friend's.
    assert misplaced("You mentioned your friend 94.", told_in, "what's my friend called?")
    assert misplaced("You are Ivan.", told_in, "what's my name?")


def test_a_value_of_nothing_but_the_questions_words_or_an_age_without_a_number_is_no_value_told():
    told, told_in = _told("i adopted a hamster and gave it the name Simba", "i have been alive for 38 years",
                          "that would be good old Laura")
    assert hollow("hamster", "how is my hamster named?") and hollow("buddy", "which pal did i mention?")
    assert hollow("the one", "by what name do i go?") and not hollow("Simba", "how is my hamster named?")
    hypotheses, texts = _pool("Your hamster is called hamster.", "Your hamster is called Simba.",
                              "You didn't tell me your hamster's name.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "how is my hamster named?")]
    assert priors[0] == -UNTOLD_VALUE and priors[1] >= ABOUT_VALUE
    hypotheses, texts = _pool("You said you're alive.", "You are 38.", "You didn't tell me how old you are.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what age am i, did i mention it?")]
    assert priors[:2] == [-UNTOLD_VALUE, ABOUT_VALUE]


def test_a_name_the_user_wrote_capitalised_gains_where_a_name_is_asked():
    told, told_in = _told(("Who is your best friend?", "that would be good old Laura"))
    names = {("laura",)}
    hypotheses, texts = _pool("Your best friend is good.", "Your best friend is Laura.", "You said you're good.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "which pal did i mention?", names=names)]
    assert priors == [ABOUT_VALUE, ABOUT_VALUE + NAME_VALUE, 0.0]  # (the user's own, asked of a pal, is misplaced)
    # "Name the ..." asks to name a thing, not a name; a name written as a part of the value counts.
    told, told_in = _told("if i had to pick one single sport it would be Belfinbri 937")
    hypotheses, texts = _pool("Your favourite sport is Belfinbri.", "Your favourite sport is Belfinbri 937.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "Name the sport I prefer above all others",
                                      names={("belfinbri",)})]
    assert priors == [ABOUT_VALUE, ABOUT_VALUE]
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what's my sport called?",
                                      names={("belfinbri",)})]
    assert priors == [ABOUT_VALUE + NAME_VALUE] * 2


def test_the_values_a_restarted_reply_is_scored_with_come_from_sentences_of_that_kind_or_topic():
    _, told_in = _told("the snake that lives with me answers to Oreo", "my friend Anouk is visiting",
                       "i have been alive for 38 years", "no food beats fish and chips in my book",
                       "no colour beats zelzel in my book")
    names = {("oreo",), ("anouk",)}
    assert told_values("your snake is called", told_in, "how is my snake named?", names)[0] == ("oreo",)
    assert told_values("your best friend is", told_in, "which pal did i mention?", names) == [("anouk",)]
    assert told_values("you are", told_in, "how many years have i lived?", names) == [("38",)]
    food = told_values("your favourite food is", told_in, "which food tops my list?", names)
    assert ("fish", "and", "chips") in food and ("zelzel",) not in food and ("food",) not in food
    assert ("book",) in food  # the model weighs each; "in my book" is its to turn down
    # No values of a kind nobody told, nor from a start of no kind or topic; a value taken back is none.
    assert told_values("your dog is called", told_in, "what's my dog called?", names) == []
    assert told_values("you didn't tell me", told_in, "what's my name?", names) == []
    _, told_in = _told(("What's your name?", "the one and only Bea"), "not Bea, Zephyrine!")
    assert told_values("your name is", told_in, "which name did i give you?", {("bea",), ("zephyrine",)}) == \
        [("zephyrine",)]


def test_a_common_word_is_no_persons_name_unless_the_user_wrote_it_as_one():
    told, told_in = _told("hello there", ("Who is your best friend?", "that would be good old Hope"))
    common = {"hello", "there", "good", "old", "hope"}
    hypotheses, texts = _pool("You said your name is hello.", "You didn't tell me your name.")
    assert ground(hypotheses, texts, told, told_in, "what's my name?", common=common)[0].prior == -UNTOLD_VALUE
    hypotheses, texts = _pool("You said you're good.", "Your best friend is Hope.", "You didn't tell me.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "which pal did i mention?",
                                      names={("hope",)}, common=common)]
    assert priors[0] == -UNTOLD_VALUE and priors[1] == ABOUT_VALUE + NAME_VALUE


def test_a_name_written_after_an_introduction_tells_the_users_name():
    turns = [(tokenize("hi, i'm Sam"), []), (tokenize("my best friend is called Priya"), []),
             (tokenize("i'm tired"), [])]
    told_in = tellings(turns, {("sam",), ("priya",)})
    assert [t.topics for t in told_in] == [{"name"}, {"friend"}, set()]
    assert restart("You didn't tell me your name.", told_in, "what's my name?") == "your name is"
    assert told_values("your name is", told_in, "what's my name?", {("sam",), ("priya",)}) == [("sam",)]
    # Not a name the user did not write as one.
    assert tellings(turns[:1])[0].topics == set()


def test_a_value_the_user_took_back_loses_to_the_one_they_meant():
    told, told_in = _told("no animal beats quokkas in my book", "not quokkas, pangolins!",
                          "i said Zephyrine but i meant Anouk.", "i have a cat called Miso. sorry, i meant Mochi, not Miso")
    for reply in ("Your favourite animal is quokkas.", "Your name is Zephyrine.", "Your cat is called Miso."):
        assert taken_back(reply, told_in), reply
    for reply in ("Your favourite animal is pangolins.", "Your name is Anouk.", "Your cat is called Mochi."):
        assert not taken_back(reply, told_in), reply
    # Said again after it was taken back, it stands.
    assert not taken_back("Your favourite animal is quokkas.", _told("not quokkas, pangolins!", "i love quokkas")[1])
    hypotheses, texts = _pool("Your favourite animal is quokkas.", "Your favourite animal is pangolins.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "which animal tops my list?")]
    assert priors == [-UNTOLD_VALUE, ABOUT_VALUE]


def test_a_name_said_whole_gains_over_a_part_of_it():
    told, told_in = _told(("Which subject do you like best?", "Probably Ancient Greek"),
                          "without a shadow of doubt tea")
    names = {("ancient", "greek")}
    hypotheses, texts = _pool("You said greek is your favourite subject.", "Your favourite subject is ancient greek.",
                              "You didn't tell me your favourite subject.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what's my favourite subject?", names=names)]
    assert priors == [ABOUT_VALUE, ABOUT_VALUE + WHOLE_VALUE, -DECLINE_TOLD]
    # Alone, the whole name gains nothing more; words the user did not write as a name are no name.
    assert ground(*_pool(texts[1]), told, told_in, "what's my favourite subject?", names=names)[0].prior == ABOUT_VALUE
    hypotheses, texts = _pool("Your favourite drink is a shadow.", "Your favourite drink is without a shadow.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what's my favourite drink?", names=names)]
    assert priors[0] == priors[1]


def test_a_forced_start_is_said_with_the_models_own_log_probabilities_and_the_model_goes_on():
    # A "model" over 6 tokens (0 <sos>, 1 <eos>) whose likeliest token is always 5, then <eos> after 5.
    def step(tokens, state):
        rows = []
        for token in tokens.tolist():
            logits = torch.tensor([-9.0, 3.0 if token == 5 else -9.0, 0.0, 0.5, 1.0, 2.0])
            rows.append(torch.log_softmax(logits, dim=0))
        return torch.stack(rows), None, state

    reorder = lambda state, rows: state  # noqa: E731
    greedy = SearchConfig(strategy="greedy", block_ngram=0, max_length=6)
    free = decode(step, None, reorder, greedy, 0, 1)[0]
    assert free.tokens == [5]
    said = decode(forced(step, [3, 2]), None, reorder, greedy, 0, 1)[0]
    assert said.tokens == [3, 2, 5]
    start = torch.log_softmax(torch.tensor([-9.0, -9.0, 0.0, 0.5, 1.0, 2.0]), dim=0)
    after_five = torch.log_softmax(torch.tensor([-9.0, 3.0, 0.0, 0.5, 1.0, 2.0]), dim=0)
    expected = float(start[3] + start[2] + start[5] + after_five[1])
    assert said.log_prob == pytest.approx(expected, abs=1e-5)


def test_a_barred_first_word_is_not_said_first_but_may_be_said_later():
    # A "model" over 6 tokens (0 <sos>, 1 <eos>) whose likeliest token is 5 until 5 was said twice.
    def step(tokens, state):
        said = state + (tokens == 5).long()
        rows = [torch.log_softmax(torch.tensor([-9.0, 3.0 if n >= 1 else -9.0, 0.0, 0.5, 1.0, 2.0]), dim=0)
                for n in said.tolist()]
        return torch.stack(rows), None, said

    reorder = lambda state, rows: state[rows]  # noqa: E731
    greedy = SearchConfig(strategy="greedy", block_ngram=0, max_length=6)
    assert decode(step, torch.zeros(1, dtype=torch.long), reorder, greedy, 0, 1)[0].tokens == [5]
    again = decode(barred(step, [5]), torch.zeros(1, dtype=torch.long), reorder, greedy, 0, 1)[0]
    assert again.tokens == [4, 5]


def test_only_a_question_or_request_about_the_user_asks_something_of_theirs():
    assert asks_of_user("what's my name?") and asks_of_user("name the colour i like best")
    assert not asks_of_user("what should i cook tonight?") and not asks_of_user("what should i do?")  # advice
    assert asks_of_user("do you remember what i said i should bring?")  # recalling, not advice
    assert not asks_of_user("tell me another one") and not asks_of_user("tell me a joke")  # asks the bot for one
    assert asks_of_user("tell me my name") and asks_of_user("tell me what i study")
    assert not asks_of_user("what's your favourite season?")  # about the bot
    assert not asks_of_user("i forgot my umbrella and got soaked")  # tells, asks nothing


def test_a_name_the_user_never_told_is_no_word_they_said_of_something_else():
    known = {"leg", "broke", "yesterday", "alice", "sam"}.__contains__
    told, told_in = _told("hi", "i broke my leg yesterday")
    assert unheard_name("You are leg.", told_in, "what is my name?", known=known)
    assert unheard_name("Your best friend is leg.", told_in, "what's my best friend's name?", known=known)
    assert not unheard_name("You are leg.", told_in, "what did i break?", known=known)  # asks no name
    # A word outside the vocabulary, or one the user wrote capitalised, may be a name told some other way.
    assert not unheard_name("You are Zelphine.", told_in, "what is my name?", known=known)
    assert not unheard_name("You are sam.", told_in, "what is my name?", {("sam",)}, known)
    # Where a name was told, the other rules judge.
    told, told_in = _told("my name is alice", "i broke my leg yesterday")
    assert not unheard_name("You are leg.", told_in, "what is my name?", known=known)
    # A pet's name: never told where no sentence about the pet named it.
    knows_sick = {"sick", "cat"}.__contains__
    told, told_in = _told("my cat is sick today")
    assert unheard_name("Your cat is called sick.", told_in, "what's my cat's name?", known=knows_sick)
    for telling in ("my cat is called sick", ("what's your cat's name?", "sick")):
        told, told_in = _told(telling)
        assert not unheard_name("Your cat is called sick.", told_in, "what's my cat's name?", known=knows_sick), telling
    # In the weighing: with the model's own decline beside it, "You are leg." loses.
    told, told_in = _told("hi", "i broke my leg yesterday")
    hypotheses, texts = _pool("You are leg.", "You didn't tell me your name.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what is my name?", known=known)]
    assert priors == [-UNTOLD_VALUE, 0.0]


def test_two_clauses_joined_by_and_are_two_tellings_each_of_its_own_topic():
    told, told_in = _told("my name is Marco and i live in Rome")
    assert [t.words for t in told_in] == [("my", "name", "is", "marco"), ("i", "live", "in", "rome")]
    assert [t.topics for t in told_in] == [{"name"}, {"home"}]
    asked = "where do i live?"
    hypotheses, texts = _pool("You said you live in Marco.", "You said you live in Rome.",
                              "You didn't tell me where you live.")
    # the name is no home: it counts as told by nobody, beside a decline; the city gains
    assert [h.prior for h in ground(hypotheses, texts, told, told_in, asked)][:2] == [-UNTOLD_VALUE, ABOUT_VALUE]
    assert misplaced(texts[0], told_in, asked) and not misplaced(texts[1], told_in, asked)
    # "and" before anything but a clause about the user joins no clauses; "but" leaves a correction whole
    assert len(_told("i love fish and chips")[1]) == 1
    assert [t.denied for t in _told("i said Zephyrine but i meant Anouk")[1]] == [{"zephyrine"}]


def test_an_age_told_as_people_do_is_of_the_age_topic_and_no_home():
    for said in ("i'm 34", "i am 34 years old", "i'm 34 and i work as a nurse"):
        told_in = _told(said)[1]
        assert told_in[0].topics == {"age"}, said
        assert restart("You're a nurse.", told_in, "how old am i?") == "you are", said
        assert misplaced("You said you live in 34.", told_in, "where do i live?"), said
    assert _told("i'm 34 and i work as a nurse")[1][1].topics == {"job"}
    # a reply that names no topic is read as stating the topic the question asks
    assert misplaced("In 34.", _told("i'm 34")[1], "where do i live?")
    assert not misplaced("In Leeds.", _told("i live in Leeds")[1], "where do i live?")
    # "for years" names an age by the way: a city told so may still be a home
    told_in = _told("i've been living in Tromsø for years")[1]
    assert not misplaced("You live in Tromsø.", told_in, "where's my home?")
    assert _told("i'm 34 minutes away")[1][0].topics == set()


def test_a_value_cut_short_or_joined_from_two_tellings_loses_even_where_none_declines():
    told, told_in = _told("my name is Ravi and my dog is called Max")
    hypotheses, texts = _pool("Your dog is called Ravi and max.", "Your dog is called Max.")
    assert [h.prior for h in ground(hypotheses, texts, told, told_in, "what's my dog called?")] == [
        -UNTOLD_VALUE, ABOUT_VALUE]
    told, told_in = _told("i live in Oslo and i work as a plumber")
    hypotheses, texts = _pool("Your home is in Oslo and.", "You said you live in Oslo.")
    assert [h.prior for h in ground(hypotheses, texts, told, told_in, "where do i live?")] == [
        -UNTOLD_VALUE, ABOUT_VALUE]
    # a value of several words told together keeps its gain
    told, told_in = _told("my favourite food is fish and chips")
    hypotheses, texts = _pool("Your favourite food is fish and chips.")
    assert ground(hypotheses, texts, told, told_in, "what's my favourite food?")[0].prior == ABOUT_VALUE


def test_things_of_two_kinds_joined_by_and_are_two_tellings():
    told_in = _told("i have a dog called Biscuit and a cat called Luna")[1]
    assert [t.kinds for t in told_in] == [{"dog"}, {"cat"}]
    assert misplaced("Your cat's name is Biscuit.", told_in, "what's my cat's name?")
    assert not misplaced("Your cat's name is Luna.", told_in, "what's my cat's name?")
    assert len(_told("my favourite meal is fish and a salad")[1]) == 1


def test_a_place_the_user_is_from_is_their_home_and_asking_where_they_are_from_asks_it():
    told_in = tellings([(tokenize("i'm Lena, i'm a nurse from Berlin"), [])], {("lena",), ("berlin",)})
    assert [telling.topics for telling in told_in] == [{"name"}, {"home"}]  # two clauses, by the comma
    assert restart("You didn't tell me where you live.", told_in, "where am i from?") == "you live in"
    assert restart("You didn't tell me where you live.", told_in, "do you remember where i'm from?") == "you live in"
    # a place no name follows is none ("i'm tired from work"), nor a question that asks no "where"
    assert "home" not in tellings([(tokenize("i'm tired from work"), [])])[0].topics
    assert restart("You didn't tell me where you live.", told_in, "what did i bring from work?") is None


def test_a_short_correction_takes_the_last_value_back_and_tells_the_new_one_as_the_same_kind():
    told, told_in = _told("my favourite colour is blue", ("I like blue too.", "no wait, it's green"))
    assert taken_back("Your favourite colour is blue.", told_in)
    assert not taken_back("Your favourite colour is green.", told_in)
    hypotheses, texts = _pool("Your favourite colour is blue.", "Your favourite colour is green.")
    assert [h.prior for h in ground(hypotheses, texts, told, told_in, "what's my favourite colour?")] == [
        -UNTOLD_VALUE, ABOUT_VALUE]
    # in part: "actually, York" after "i live in Leeds" takes back "york Leeds" too
    told_in = _told("i live in Leeds", "actually, York")[1]
    assert taken_back("You live in york Leeds.", told_in) and not taken_back("You live in York.", told_in)
    # what is no correction leaves the value alone
    for said in ("no worries", "no i don't", "wait i don't get it", "wait i need to hear this spiritual experience"):
        assert not taken_back("Your favourite colour is blue.", _told("my favourite colour is blue", said)[1]), said
    # nor does a correction two turns on, which puts right something else
    assert not taken_back("Your favourite colour is blue.",
                          _told("my favourite colour is blue", "i had pasta", "actually, pizza")[1])


def test_a_question_of_no_topic_or_kind_hears_back_the_users_sentence_that_speaks_of_it():
    told_in = _told("i'm 19 and i study biology")[1]
    assert told_back(told_in, "what do i study?") == [("you", "said", "you", "study", "biology")]
    # words that differ only in their ending speak of one thing; "i" is said back as "you", "my" as "your"
    told_in = _told("i just finished reading Dune", "my sister's name is Olga and she's a pilot")[1]
    assert told_back(told_in, "what book did i just read?") == [
        ("you", "said", "you", "just", "finished", "reading", "dune")]
    assert told_back(told_in, "what does my sister do?") == [("you", "said", "your", "sister", "is", "a", "pilot")]
    # not to a question of a topic or kind (the frames the model was trained on answer those), nor
    # one asking advice, nor from a sentence that asks, speaks to the bot or shares no word
    assert told_back(_told("i live in Leeds")[1], "what's my home town?") == []  # ("what city do i live in?" asks where)
    # but a topic of someone else's is for no frame: "where does my brother live?"
    assert told_back(_told("my brother lives in Toronto")[1], "where does my brother live?") == [
        ("you", "said", "your", "brother", "lives", "in", "toronto")]
    assert told_back(_told("my dog is called Rex")[1], "what's my dog called?") == []
    assert told_back(_told("i had pasta for dinner")[1], "what should i cook for dinner?") == []
    assert told_back(_told("i have an exam tomorrow")[1], "how do i prepare for an exam?") == []
    assert told_back(_told("do you like biology?")[1], "what do i study?") == []
    assert told_back(_told("i love your biology jokes")[1], "what do i study?") == []
    assert told_back(_told("i study biology")[1], "what do i eat?") == []
    # a turn whose question is of the bot's is not asking back, one that asks the bot to recall is
    told_in = _told("i enjoy the slides in Provo")[1]
    assert told_back(told_in, "i enjoy the slides too. have you been?") == []
    # nor one whose last sentence is no question, and talk such as "haha" is no word in common
    assert told_back(told_in, "do you ski? i enjoy the slides a lot") == []
    assert told_back(_told("yeah haha still here")[1], "what did i say haha?") == []
    assert told_back(_told("i think that's healthy")[1], "i think byu has dances?") == []
    assert told_back(_told("that is kinda a good reason")[1], "oooh good i think byu has good dances?") == []
    assert told_back(_told("i study biology")[1], "oh and what do i study?") != []
    assert told_back(_told("i am ready")[1], "for sure i am ready for do you have plans?") == []
    assert told_back(_told("yeah i study biology")[1], "what do i study?") == [("you", "said", "you", "study",
                                                                                 "biology")]
    assert told_back(told_in, "do you remember what i enjoy?") == [("you", "said", "you", "enjoy", "the", "slides",
                                                                     "in", "provo")]


def test_a_question_of_a_kind_never_told_or_in_another_tense_hears_back_what_was_said_of_it():
    # "passed" and "pass" speak of one thing (a stem is not cut inside a double "s")
    assert told_back(_told("i passed my driving test today!")[1], "what did i pass?") == [
        ("you", "said", "you", "passed", "your", "driving", "test", "today")]
    # a kind the user told no value of is for no frame: "game" (the favourite game) was never told
    told_in = _told("i love playing chess")[1]
    assert told_back(told_in, "what game do i play?") == [("you", "said", "you", "love", "playing", "chess")]
    # a kind told a value of is for the frames, and a vague word such as "others" says nothing
    assert told_back(_told("my favourite game is chess", "i play a lot")[1], "what game do i play?") == []
    assert told_back(_told("yeah but don't tell the others")[1], "which drink do i prefer above all others?") == []


def test_a_question_about_someone_the_user_named_hears_back_what_they_said_of_them():
    told_in = _told("i have two kids, Mia and Leo", "Mia is starting school tomorrow")[1]
    names = {("mia",), ("leo",)}
    assert told_back(told_in, "who is starting school?", names=names) == [
        ("you", "said", "mia", "is", "starting", "school", "tomorrow")]
    assert told_back(_told("my coworker Raj just had a baby")[1], "who had a baby?", names={("raj",)}) == [
        ("you", "said", "your", "coworker", "raj", "just", "had", "a", "baby")]
    # without a name the user wrote, only a sentence with two words in common; not from a sentence
    # about the user, nor to a question to the bot
    assert told_back(told_in, "who is starting?") == []
    assert told_back(told_in, "who is starting school?") == [("you", "said", "mia", "is", "starting", "school", "tomorrow")]
    assert told_back(_told("my phone number changed yesterday")[1], "what changed yesterday?") == [
        ("you", "said", "your", "phone", "number", "changed", "yesterday")]
    assert told_back(_told("i watched the game with Tom")[1], "who won the game?", names={("tom",)}) == []
    assert told_back(_told("Tom is coming over tonight")[1], "what are you doing tonight?", names={("tom",)}) == []
    assert told_back(told_in, "Mia is starting school tomorrow", names=names) == []  # no question


def test_we_is_the_user_with_others_asked_back_and_said_back_as_you():
    told_in = _told("we adopted a kitten called Pepper", "how is the weather today?")[1]
    assert told_back(told_in, "what did we adopt?") == [
        ("you", "said", "you", "adopted", "a", "kitten", "called", "pepper")]
    assert told_back(told_in, "what should we adopt?") == []  # advice


def test_words_of_one_stem_and_a_topic_asked_with_two_words_in_common_hear_back_what_was_said():
    # a silent "e", a doubled consonant, "-ied" and a common irregular past are one stem with the present
    assert told_back(_told("i just moved to Lisbon last week", "it's so sunny here")[1], "where did i move?") == [
        ("you", "said", "you", "just", "moved", "to", "lisbon", "last", "week")]
    assert told_back(_told("we finally bought our first house!")[1], "what did we buy?") == [
        ("you", "said", "you", "finally", "bought", "your", "first", "house")]
    assert told_back(_told("i went shopping for shoes")[1], "where did i shop?") == [
        ("you", "said", "you", "went", "shopping", "for", "shoes")]
    told_in = _told("my sister Hannah is getting married in june")[1]
    assert told_back(told_in, "when is the wedding?", names={("hannah",)}) == [
        ("you", "said", "your", "sister", "hannah", "is", "getting", "married", "in", "june")]
    # a question of a topic the frames answer hears back a sentence that shares two of its words
    # ("work" and "home" of "what day do i work from home?"), not one ("live" of "where do i live?")
    told_in = _told("i work from home on fridays")[1]
    assert told_back(told_in, "what day do i work from home?") == [
        ("you", "said", "you", "work", "from", "home", "on", "fridays")]
    assert told_back(_told("i love living alone")[1], "where do i live?") == []
    # unless the sentence says where, as asked
    assert told_back(_told("i love living near the sea")[1], "where do i live?") == [
        ("you", "said", "you", "love", "living", "near", "the", "sea")]
    # what happened to something of a kind the user told is no favourite of that kind asked
    told_in = _told("my car broke down on the highway", "i had to wait two hours for a tow truck")[1]
    assert told_back(told_in, "what happened to my car?") == [
        ("you", "said", "your", "car", "broke", "down", "on", "the", "highway")]


def test_he_or_she_is_the_someone_of_the_users_that_the_sentence_before_began_with():
    told_in = _told("my best friend is called Tomasz", "he lives in Krakow")[1]
    names = {("tomasz",), ("krakow",)}
    assert told_back(told_in, "where does my friend live?", names=names) == [
        ("you", "said", "your", "best", "friend", "lives", "in", "krakow")]
    assert resolved("what's his name?", told_in, names) == "what's my best friend's name ?"
    assert resolved("where does she live?", _told("my sister Ana is a vet")[1], {("ana",)}) == (
        "where does my sister ana live ?")
    # "it" is the one thing of a kind the user's sentence before spoke of
    told, told_in = _told("i ordered a new laptop", "it arrives on friday")
    assert told_back(told_in, "when does my laptop arrive?") == [
        ("you", "said", "your", "laptop", "arrives", "on", "friday")]
    assert ("you", "said", "your", "laptop", "arrives", "on", "friday") not in told_back(
        _told("i like laptops and phones", "it arrives on friday")[1], "when does my laptop arrive?")  # not one thing
    # to what happened to it, a sentence that speaks of it by "it" alone is said back too
    told_in = _told("i bought a bike last week", "it was stolen yesterday")[1]
    stolen = ("you", "said", "your", "bike", "was", "stolen", "yesterday")
    assert stolen in told_back(told_in, "what happened to my bike?")
    # the sentences that share the most words with the question are said back, not the others
    told_in = _told("my friend Leila is visiting next week", "she's coming from Cairo")[1]
    assert told_back(told_in, "where is Leila coming from?", names={("leila",), ("cairo",)}) == [
        ("you", "said", "your", "friend", "leila", "is", "coming", "from", "cairo")]
    # a question of nothing but an asking word asks what was done ("forgot" is "forget")
    assert told_back(_told("i forgot my keys at the office")[1], "what did i forget?") == [
        ("you", "said", "you", "forgot", "your", "keys", "at", "the", "office")]
    # and a topic that neither the question of a kind nor the telling spoke of is made up
    assert not states_told("You said you live in friday.", told_in, "when does my laptop arrive?", told)
    # a number speaks of an age asked about
    told_in = _told("my grandmother lives in Dublin", "she turned ninety last week")[1]
    assert told_back(told_in, "how old is my grandmother?", names={("dublin",)}) == [
        ("you", "said", "your", "grandmother", "turned", "ninety", "last", "week")]
    # a question about the user or the bot, or with no one told of, is asked as it is
    for asked, told in (("what's your name?", told_in), ("what's his name?", _told("i like tea")[1]),
                        ("what's my name?", told_in)):
        assert resolved(asked, told, names) == asked
    # a friend's name is no answer to where the friend lives
    told, told_in = _told("my best friend is called Tomasz", "he lives in Krakow")
    assert not states_told("Your friend is called Tomasz.", told_in, "where does my friend live?", told, names)
    assert states_told("Your best friend is Tomasz.", told_in, "what's my best friend's name?", told, names)


def test_a_value_answers_only_as_told_whole_and_of_what_was_asked():
    told, told_in = _told("my dog is called Rex")
    assert states_told("Your dog is called Rex.", told_in, "what's my dog called?", told)
    assert not states_told("Your dog is called Rex Rex.", told_in, "what's my dog called?", told)  # not as told
    assert not states_told("Your dog is called Rex.", told_in, "what do i eat?", told)  # not what was asked
    assert not states_told("Sounds fun!", told_in, "what's my dog called?", told)
    # a topic neither the question nor the telling spoke of, a value cut short or not as told
    told, told_in = _told("i'm going to Norway next month")
    for reply in ("You said you live in Norway.", "You said you would Norway next.",
                  "You said you would Norway to Norway.", "You said you would Norway next time."):
        assert not states_told(reply, told_in, "where am i going?", told), reply
    # what the frames would weigh as never told: the kind of thing named as its value, "old" read as an age
    told, told_in = _told("i'm allergic to cats")
    assert not states_told("Your cat is called cats.", told_in, "what am i allergic to?", told)
    told, told_in = _told("i collect old coins")
    assert not states_told("You said you're old.", told_in, "what do i collect?", told)
    # of a kind the user spoke of nowhere ("colour")
    told, told_in = _told("i painted my bedroom green yesterday")
    assert not states_told("It's green, your bedroom.", told_in, "what colour did i paint my bedroom?", told)


def test_a_value_of_another_topic_or_of_someone_elses_is_no_answer_about_the_user():
    told_in = _told("i'm 19 and i study biology")[1]
    # "19" was told as an age, and another sentence speaks of what is asked
    assert misplaced("You said you're 19.", told_in, "what do i study?")
    assert not misplaced("You said you're 19.", told_in, "how old am i?")
    assert not misplaced("You said you're 19.", _told("i'm 19")[1], "what do i study?")
    # the user's sister is not the user
    told_in = _told("my sister's name is Olga and she's a pilot")[1]
    assert misplaced("You said you're Olga.", told_in, "what does my sister do?")
    assert misplaced("You work as a pilot.", told_in, "what does my sister do for a living?")
    assert not misplaced("Your sister's name is Olga.", told_in, "what's my sister's name?")
    assert not misplaced("It's Olga.", told_in, "what's my sister's name?")


def test_a_question_of_where_or_when_counts_a_place_or_a_time_told_as_a_word_in_common():
    told_in = _told("i just started a new job at a bakery", "i start at 5 am every day")[1]
    # "job" and "work" are one thing; "at a bakery" says where: two words in common with a job question
    assert told_back(told_in, "where do i work?") == [
        ("you", "said", "you", "just", "started", "a", "new", "job", "at", "a", "bakery")]
    # "at 5 am" says when; "am" after a number stays "am"
    assert told_back(told_in, "what time do i start?") == [
        ("you", "said", "you", "start", "at", "5", "am", "every", "day")]
    # without a place, one word in common with a job question is not enough
    assert told_back(_told("i just started a new job")[1], "where do i work?") == []
    # a question about no one hears back a sentence of the user's that says where it is
    told_in = _told("my son Mateo turns seven on saturday", "we're having a party at the park")[1]
    assert told_back(told_in, "where is the party?") == [
        ("you", "said", "you're", "having", "a", "party", "at", "the", "park")]
    assert told_back(_told("we're having a party")[1], "where is the party?") == []


def test_a_question_of_a_pet_hears_back_the_sentence_that_told_of_an_animal_of_the_users():
    told_in = _told("i adopted a rabbit named Pepper", "i love carrots")[1]
    assert told_back(told_in, "what kind of pet do i have?") == [
        ("you", "said", "you", "adopted", "a", "rabbit", "named", "pepper")]
    assert told_back(_told("i love carrots")[1], "what kind of pet do i have?") == []


def test_a_move_takes_back_the_home_told_before_it():
    told_in = _told("i live in Leeds", "actually i moved to York last month")[1]
    assert taken_back("You live in Leeds.", told_in)
    assert not taken_back("You live in York.", told_in)
    assert "home" in told_in[-1].topics
    # living somewhere now, or again with a correction's lead, is a move too
    assert taken_back("You live in Leeds.", _told("i live in Leeds", "i live in York now")[1])
    # working from home is no move, and a home told after another is no correction of a job
    assert not taken_back("You live in Leeds.", _told("i live in Leeds", "i work from home now")[1])
    assert not taken_back("You live in Leeds.", _told("i live in Leeds", "my brother moved to York")[1])
    # nor is a move still to come
    assert not taken_back("You live in Leeds.", _told("i live in Leeds", "we're moving to York next month")[1])


def test_a_value_that_goes_on_with_words_nobody_said_is_padded():
    told_in = _told("actually i moved to York last month")[1]
    assert padded("York last year", told_in)
    assert padded("York month", told_in)
    assert not padded("York last month", told_in)
    assert not padded("York", told_in)
    assert not padded("Paris in spring", told_in)  # begins with no word told: another rule's
    assert not padded("a great way to meet people", _told("i moved to a new city")[1])  # nor with a stop word
    # the user's "my" is the reply's "your"
    assert not padded("visit your mom", _told("on friday i will visit my mom")[1])


def test_a_workplace_is_not_stated_as_what_the_user_works_as():
    told_in = _told("i'm a nurse at the children's hospital")[1]
    assert misplaced("You work as a children's hospital.", told_in, "what do i do for work?")
    assert not misplaced("You work as a nurse.", told_in, "what do i do for work?")
    assert misplaced("You work as a bakery.", _told("i just started a new job at a bakery")[1], "where do i work?")
    # a value told both as where and as what is left to the other rules
    told_in = _told("i'm a baker", "i work at the baker down the road")[1]
    assert not misplaced("You're a baker.", told_in, "what do i do?")


def test_a_value_that_says_no_time_does_not_answer_a_question_of_when():
    told_in = _told("i have a job interview tomorrow at 10")[1]
    assert misplaced("You are 10.", told_in, "when is my interview?")
    assert not misplaced("You are 10.", _told("i'm 10")[1], "how old am i?")
    told_in = _told("i'm going to the zoo on friday")[1]
    assert not misplaced("You're going to the zoo on friday.", told_in, "when am i going to the zoo?")


def test_what_the_user_said_they_work_as_is_a_value_of_their_job():
    told_in = _told("i'm a software developer", "i work at a startup in Berlin")[1]
    assert ("a", "software", "developer") in told_values("you work as", told_in, "what's my job?", {("berlin",)})
    assert told_as_topic("You work as a software developer.", told_in, "job")
    assert not told_as_topic("You work as a pizza developer.", _told("i'm a software developer", "i love pizza")[1],
                             "job")
    # what they are besides is no job unless said as one ("i'm a nurse at the hospital": a nurse)
    assert told_values("you work as", _told("i'm a big fan of jazz music")[1], "what's my job?", set()) == []
    told_in = _told("i'm a nurse at the children's hospital")[1]
    assert ("a", "nurse") in told_values("you work as", told_in, "what do i do for work?", set())


def test_an_it_is_the_first_thing_of_theirs_the_sentence_before_spoke_of():
    told_in = _told("i'm training for a marathon", "it's in october")[1]
    assert told_back(told_in, "when is the marathon?") == [("you", "said", "your", "marathon", "is", "in", "october")]
    told_in = _told("i broke my arm skiing", "it's in a cast")[1]
    assert told_back(told_in, "what is my arm in?") == [("you", "said", "your", "arm", "is", "in", "a", "cast")]
    assert told_back(told_in, "how long is my arm in a cast?") == []  # no time told, which how long asks
    # a sentence that begins with "the" and a thing speaks of that thing ("the new place": "it" has a garden) ...
    assert told_back(_told("the race is long", "it's in october")[1], "when is the marathon?") == [
        ("you", "said", "the", "race", "is", "in", "october")]
    told_in = _told("we're moving house next saturday", "the new place is in Harrogate", "it has a big garden")[1]
    assert told_back(told_in, "what does it have?") == [("you", "said", "the", "new", "place", "has", "a", "big",
                                                         "garden")]
    # ... one that begins otherwise speaks of no thing of theirs
    assert told_back(_told("that was a long race", "it's in october")[1], "when is the marathon?") == []


def test_a_pet_the_user_named_is_someone_of_theirs_and_where_asks_back_what_said_where():
    told_in = _told("my cat Luna knocked over my coffee this morning")[1]
    assert told_back(told_in, "what did Luna do?", names={("luna",)}) == [
        ("you", "said", "your", "cat", "luna", "knocked", "over", "your", "coffee", "this", "morning")]
    # a question of where with no word of its own hears back the newest sentence that says where
    told_in = _told("i just got back from the dentist", "i had two fillings")[1]
    assert told_back(told_in, "where was i?") == [("you", "said", "you", "just", "got", "back", "from", "the", "dentist")]
    assert told_back(_told("i had two fillings")[1], "where was i?") == []
    assert told_back(told_in, "who was i?") == []


def test_a_sentence_whose_value_was_taken_back_is_not_said_back():
    told_in = _told("i live in Leeds", "actually i moved to York last month")[1]
    assert told_back(told_in, "where do i live?") == []
    assert told_back(_told("i live in Leeds")[1], "where do i live?") == [("you", "said", "you", "live", "in", "leeds")]


def test_what_happened_hears_back_the_newest_sentence_that_told_of_something_happening():
    told_in = _told("i hurt my back at the gym", "it's really sore")[1]
    assert told_back(told_in, "what happened?") == [("you", "said", "you", "hurt", "your", "back", "at", "the", "gym")]
    assert told_back(_told("i love the gym")[1], "what happened?") == []


def test_it_in_a_question_of_what_where_when_or_how_is_a_thing_of_the_users():
    told_in = _told("i just signed up for a salsa class", "it's on wednesday evenings")[1]
    assert told_back(told_in, "what kind of class is it?") == [
        ("you", "said", "you", "just", "signed", "up", "for", "a", "salsa", "class")]
    told_in = _told("i ran my first half marathon today!", "it took me two hours")[1]
    assert told_back(told_in, "how long did it take?") == [
        ("you", "said", "your", "first", "half", "marathon", "took", "you", "two", "hours")]
    told_in = _told("i got a tattoo last weekend", "it's a small rose on my wrist")[1]
    assert told_back(told_in, "where is it?") == [
        ("you", "said", "your", "tattoo", "is", "a", "small", "rose", "on", "your", "wrist")]
    # not a question answered yes or no ("is it fun?"): that asks the bot's view
    assert told_back(_told("i just signed up for a salsa class", "it's so much fun")[1], "is it fun?") == []


def test_who_asks_back_someone_of_the_users_and_where_a_job_said_with_a_place():
    told_in = _told("i have a meeting with my boss at 4")[1]
    assert told_back(told_in, "who is it with?") == [
        ("you", "said", "you", "have", "a", "meeting", "with", "your", "boss", "at", "4")]
    told_in = _told("i'm a chef at an italian restaurant")[1]
    assert told_back(told_in, "where do i work?") == [
        ("you", "said", "you're", "a", "chef", "at", "an", "italian", "restaurant")]
    assert told_back(_told("i'm a chef")[1], "where do i work?") == []


def test_a_colour_kin_and_a_future_when_are_asked_back_and_a_name_is_no_answer_to_when():
    told_in = _told("i bought a new guitar yesterday", "it's a blue Fender")[1]
    assert told_back(told_in, "what colour is it?") == [("you", "said", "your", "guitar", "is", "a", "blue", "fender")]
    told_in = _told("my grandad is in hospital with pneumonia")[1]
    assert told_back(told_in, "who is in hospital?") == [
        ("you", "said", "your", "grandad", "is", "in", "hospital", "with", "pneumonia")]
    told_in = _told("we're renovating our kitchen", "it should be done by march")[1]
    assert told_back(told_in, "when will it be done?") == [
        ("you", "said", "your", "kitchen", "should", "be", "done", "by", "march")]
    assert told_back(told_in, "what should i cook?") == []  # still advice
    told_in = _told("i've got a job interview on thursday")[1]
    assert misplaced("Your interview is called thursday.", told_in, "when is my interview?")

    told_in = _told("i have a cat called Pumpkin", "she's orange")[1]
    assert told_back(told_in, "what colour is my cat?") == [("you", "said", "your", "cat", "is", "orange")]


def test_a_doing_said_as_a_plan_and_a_trip_said_as_a_home_are_not_what_was_told():
    told_in = _told("i'm going skiing in Colorado next week")[1]
    assert misplaced("You said you live in Colorado.", told_in, "where am i going skiing?")
    assert not misplaced("You said you live in Colorado.", _told("i live in Colorado")[1], "where am i going?")
    # a sentence that tells no topic says nothing against a home ("i've been living in Tromsø for years")
    assert not misplaced("You said you live in Tromsø.", _told("i've been living in Tromsø for years")[1],
                         "where am i living?")
    assert ground([Hypothesis(tokens=[1], score=0.0, log_prob=-1.0)], ["You said you would skiing in colorado."],
                  {"skiing", "colorado"}, told_in, "where am i going skiing?")[0].prior == -UNTOLD_VALUE


def test_a_trip_a_verdict_a_kind_a_feeling_and_a_doing_answer_questions_that_do_not_say_their_words():
    told_in = _told("i just got back from a trip to Lisbon", "the food was amazing")[1]
    assert told_back(told_in, "where did i go?") == [("you", "said", "you", "just", "got", "back", "from", "a", "trip",
                                                       "to", "lisbon")]
    assert told_back(told_in, "what did i think of the food?") == [("you", "said", "the", "food", "was", "amazing")]
    # a trip is no home, though the user came back "from" it
    assert misplaced("You live in Lisbon.", told_in, "where did i go?")
    told_in = _told("my car is a red Volvo")[1]
    assert told_back(told_in, "what kind of car do i drive?") == [("you", "said", "your", "car", "is", "a", "red",
                                                                    "volvo")]
    assert misplaced("You said you live in a red.", told_in, "what kind of car do i drive?")
    # "kind" alone is no word in common: the sentence must speak of what kind of thing is asked
    assert told_back(_told("i write a small food blog")[1], "what kind of boats do i like?") == []
    assert misplaced("You said you're a Volvo.", told_in, "what kind of car do i drive?")
    assert misplaced("It's Volvo, your car.", told_in, "what colour is my car?")
    assert not misplaced("It's red, your car.", told_in, "what colour is my car?")
    told_in = _told("i've got a job interview on tuesday", "i'm a bit nervous")[1]
    assert told_back(told_in, "how am i feeling?") == [("you", "said", "you're", "a", "bit", "nervous")]
    told_in = _told("my grandfather turns ninety next week", "we're throwing him a party")[1]
    assert told_back(told_in, "what are we doing for him?") == [("you", "said", "you're", "throwing", "your",
                                                                 "grandfather", "a", "party")]
    assert told_back(_told("i'm making lasagne for dinner")[1], "what am i cooking?") == [
        ("you", "said", "you're", "making", "lasagne", "for", "dinner")]


def test_a_question_of_where_when_how_many_or_what_someone_does_hears_the_sentence_that_says_it():
    told_in = _told("i work night shifts at a warehouse", "i'm so tired all the time")[1]
    assert told_back(told_in, "when do i work?") == [("you", "said", "you", "work", "night", "shifts", "at", "a",
                                                      "warehouse")]
    # a feeling is no place, nor a number where the user lives
    assert misplaced("You said you're tired.", told_in, "where do i work?")
    assert misplaced("You said you live in 6.", _told("my flight to Rome leaves at 6 am")[1], "where am i flying?")
    told_in = _told("i work from home on mondays and fridays")[1]
    assert told_back(told_in, "which days do i work from home?") == [
        ("you", "said", "you", "work", "from", "home", "on", "mondays", "and", "fridays")]
    assert misplaced("You work as a mondays.", told_in, "which days do i work from home?")
    told_in = _told("i have a parrot called Kiwi", "he can say ten words")[1]
    assert told_back(told_in, "how many words can my parrot say?") == [
        ("you", "said", "your", "parrot", "can", "say", "ten", "words")]
    assert misplaced("Your parrot is called Kiwi.", told_in, "how many words can my parrot say?")
    told_in = _told("my sister lives in Dublin", "she's a lawyer")[1]
    assert told_back(told_in, "what does my sister do?") == [("you", "said", "your", "sister", "is", "a", "lawyer")]
    told_in = _told("i finally finished my thesis today", "it's about coral reefs")[1]
    assert told_back(told_in, "what is my thesis about?") == [("you", "said", "your", "thesis", "is", "about", "coral",
                                                               "reefs")]
    told_in = _told("i'm studying for my driving test", "it's on friday")[1]
    assert told_back(told_in, "when is my test?") == [("you", "said", "your", "driving", "test", "is", "on", "friday")]
    told_in = _told("my flight to Rome leaves at 6 am", "i still have to pack")[1]
    assert told_back(told_in, "what do i still have to do?") == [("you", "said", "you", "still", "have", "to", "pack")]
    # "to" and a doing is no place ("i want to see the cherry blossoms")
    told_in = _told("i'm saving up for a trip to Japan", "i want to see the cherry blossoms")[1]
    assert told_back(told_in, "where do i want to go?") == [
        ("you", "said", "you're", "saving", "up", "for", "a", "trip", "to", "japan")]


def test_a_pet_named_after_it_was_spoken_of_is_a_name_of_its_kind_and_a_value_cut_short_is_spoilt():
    told_in = _told("i just adopted a dog from the shelter", "her name is Bella")[1]
    assert "dog" in told_kinds(told_in)
    assert ("bella",) in told_values("your dog is called", told_in, "what's my dog's name?", {("bella",)})
    assert told_back(told_in, "where did i get her?") == [
        ("you", "said", "you", "just", "adopted", "a", "dog", "from", "the", "shelter")]
    told, told_in = _told("i want to see the cherry blossoms", "i live in Paris now")
    hypotheses, texts = _pool("You said you would see the cherry.", "You said you would see the cherry blossoms.",
                              "You live in Paris.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what do i want to see?")]
    assert priors[0] == -UNTOLD_VALUE and priors[1] > priors[0] and priors[2] > -UNTOLD_VALUE


def test_a_value_that_ends_a_name_is_cut_short_only_of_the_rest_of_the_name():
    from engine.tasks.told import cut_short
    told_in = _told("my daughter Anya starts school tomorrow", "i live in New York City now")[1]
    names = {("anya",), ("new", "york", "city")}
    assert not cut_short("anya", told_in, names) and not cut_short("new york city", told_in, names)
    assert cut_short("new york", told_in, names)
    assert not cut_short("6", _told("6 candles were on my last birthday cake")[1])


def test_a_role_a_liking_a_things_name_and_what_was_found_are_asked_back_and_a_birthplace_is_no_home():
    told_in = _told("i got promoted last week", "i'm now the head of marketing")[1]
    assert told_back(told_in, "what is my new role?") == [("you", "said", "you're", "now", "the", "head", "of",
                                                           "marketing")]
    assert told_back(_told("i like science fiction")[1], "what genre do i like?") == [
        ("you", "said", "you", "like", "science", "fiction")]
    told_in = _told("i bought a boat last summer", "it's called Seabird")[1]
    assert told_back(told_in, "what's the boat called?") == [("you", "said", "your", "boat", "is", "called", "seabird")]
    told_in = _told("i lost my keys this morning", "i found them in the fridge")[1]
    assert told_back(told_in, "where were my keys?") == [("you", "said", "you", "found", "your", "keys", "in", "the",
                                                          "fridge")]
    told_in = _told("i'm from Harare but i live in London now")[1]
    assert misplaced("You live in Harare.", told_in, "where do i live?")
    assert misplaced("In Harare.", told_in, "where do i live?")
    assert not misplaced("Your home is in Harare.", told_in, "where am i from?")
    assert not misplaced("You live in London.", told_in, "where do i live?")


def test_a_she_who_cannot_be_the_someone_before_is_the_girl_spoken_of_after_them():
    told_in = _told("my best friend Tom just had a baby girl", "she's called Rosie")[1]
    assert told_back(told_in, "what's the baby called?") == [("you", "said", "the", "baby", "girl", "is", "called",
                                                              "rosie")]
    told_in = _told("my sister lives in Dublin", "she's a lawyer")[1]
    assert told_back(told_in, "what does my sister do?") == [("you", "said", "your", "sister", "is", "a", "lawyer")]
    told_in = _told("i've just started a pottery class", "it's every tuesday evening")[1]
    assert told_back(told_in, "when is my class?") == [("you", "said", "your", "pottery", "class", "is", "every",
                                                        "tuesday", "evening")]


def test_a_youngest_a_puppy_a_student_and_a_job_to_come_are_asked_back_and_a_name_of_another_is_not_the_users():
    told_in = _told("i've got three kids", "the youngest is called Sam", "how many kids do i have?")[1]
    assert told_back(told_in, "what's my youngest called?") == [("you", "said", "the", "youngest", "is", "called",
                                                                 "sam")]
    assert misplaced("Your name is Sam.", told_in, "what's my youngest called?")
    assert not misplaced("Your name is Sam.", _told("hi, i'm Sam")[1], "what's my name?")
    assert not misplaced("Your name is Drugan.", _told("they named me Drugan")[1], "tell me what i'm called")
    # a question of the user's tells no value ("kids" is not the youngest's name)
    assert not states_told("Your youngest is called kids.", told_in, "what's my youngest called?", {"kids", "sam"})
    told_in = _told("i'm training my puppy", "he's called Biscuit", "he keeps chewing my shoes")[1]
    assert told_back(told_in, "what does my puppy keep chewing?") == [("you", "said", "your", "puppy", "keeps",
                                                                       "chewing", "your", "shoes")]
    told_in = _told("i'm a student at Leeds university", "i study history")[1]
    assert told_back(told_in, "where do i study?") == [("you", "said", "you're", "a", "student", "at", "leeds",
                                                        "university")]
    told_in = _told("i start a new job on monday", "i'll be working as a chef")[1]
    assert told_back(told_in, "what will i be working as?")[0] == ("you", "said", "you'll", "be", "working", "as", "a",
                                                                   "chef")


def test_who_hears_back_friends_counted_and_not_only_those_called_mine():
    told_in = _told("i've just moved to Glasgow", "i'm living with two friends")[1]
    assert told_back(told_in, "who do i live with?") == [("you", "said", "you're", "living", "with", "two", "friends")]


def test_a_he_she_his_her_or_him_is_the_someone_named_or_spoken_of_just_before():
    # the name the sentence before gave them counts as a word in common: the age, not the name, answers
    names = {("ingrid",)}
    told_in = _told("my daughter is called Ingrid", "she's seven", names=names)[1]
    assert told_back(told_in, "how old is ingrid?", names=names) == [("you", "said", "your", "daughter", "is", "seven")]
    # "his" of the pet of someone's the sentence before began with, or of the someone of his gender it spoke of
    names = {("bruno",)}
    told_in = _told("my neighbour's dog keeps barking all night", "his name is Bruno", names=names)[1]
    assert told_back(told_in, "what's the dog called?", names=names) == [
        ("you", "said", "your", "neighbour's", "dog's", "name", "is", "bruno")]
    names = {("omar",)}
    told_in = _told("my sister has a new boyfriend", "his name is Omar", names=names)[1]
    assert told_back(told_in, "what's her boyfriend called?", names=names) == [
        ("you", "said", "the", "new", "boyfriend's", "name", "is", "omar")]
    told_in = _told("my best friend moved to Australia", "i miss her a lot")[1]
    assert told_back(told_in, "who do i miss?") == [("you", "said", "you", "miss", "your", "best", "friend", "a",
                                                     "lot")]


def test_a_job_a_diet_how_often_why_where_from_and_a_feeling_are_asked_back_but_not_a_greeting():
    told_in = _told("i'm a teacher at a primary school", "i teach year two")[1]
    assert told_back(told_in, "what do i do for a living?") == [("you", "said", "you're", "a", "teacher", "at", "a",
                                                                  "primary", "school")]
    told_in = _told("i'm a software developer", "i work at a startup in Berlin")[1]  # where: the workplace
    assert told_back(told_in, "where do i work?") == [("you", "said", "you", "work", "at", "a", "startup", "in",
                                                       "berlin")]
    assert told_back(_told("i'm vegetarian")[1], "do i eat meat?") == [("you", "said", "you're", "vegetarian")]
    told_in = _told("i swim twice a week", "i go to the gym on mondays")[1]
    assert told_back(told_in, "how often do i swim?") == [("you", "said", "you", "swim", "twice", "a", "week")]
    told_in = _told("i'm flying to Montreal tomorrow for a conference", "i'm giving a talk on friday")[1]
    assert told_back(told_in, "why am i going?") == [("you", "said", "you're", "flying", "to", "montreal", "tomorrow",
                                                      "for", "a", "conference")]
    told_in = _told("i'm running a half marathon on sunday", "my goal is under two hours")[1]
    assert told_back(told_in, "when is my race?") == [("you", "said", "you're", "running", "a", "half", "marathon",
                                                       "on", "sunday")]
    names = {("tomasz",), ("gdansk",)}
    told_in = _told("my name is Tomasz and i'm from Gdansk", names=names)[1]
    assert told_back(told_in, "where am i from?", names=names) == [("you", "said", "you're", "from", "gdansk")]
    told_in = _told("i'm a bit scared of the dentist")[1]
    assert told_back(told_in, "how do i feel about the dentist?") == [("you", "said", "you're", "a", "bit", "scared",
                                                                       "of", "the", "dentist")]
    assert told_back(_told("i'm going to Paris next week", "how's it going?")[1], "how is it going?") == []


def test_loosely_one_word_in_common_that_says_the_kind_asked_is_enough():
    told_in = _told("If I had to pick one single colour it would be pink!")[1]
    assert told_back(told_in, "Which colour tops my list?") == []  # the model's frames answer it first
    assert told_back(told_in, "Which colour tops my list?", loose=True) == [
        ("you", "said", "if", "you", "had", "to", "pick", "one", "single", "colour", "it", "would", "be", "pink")]
    # a "no" that says none of something is kept; a number is no kind of thing said
    assert told_back(_told("no colour beats pink in my book")[1], "which colour tops my list?", loose=True) == [
        ("you", "said", "no", "colour", "beats", "pink", "in", "your", "book")]
    told_in = _told("Interesting, agent for one of the players?", "i turned 103 last month.")[1]
    assert told_back(told_in, "what's my age?", loose=True) == []


def test_a_number_is_no_name_and_a_fact_of_the_users_is_no_advice():
    assert misplaced("Your rabbit is called two.", _told("i have a cat and two rabbits")[1],
                     "how many rabbits do i have?")
    assert not misplaced("Your rabbit is called Thumper.", _told("my rabbit is called Thumper")[1],
                         "what's my rabbit called?")
    assert states_unasked("Your favourite cook is vegetarian.", "what should i cook tonight?")
    assert states_unasked("Your name is ninety.", "who is the party for?")
    assert not states_unasked("Your puppy is called Biscuit.", "what's our puppy called?")
    assert not states_unasked("I'd make a curry.", "what should i cook tonight?")
    assert not states_unasked("Your plan for Friday is to watch Blorptastic.", "what's happening on Friday?")


def test_a_correction_of_a_thing_of_theirs_is_said_back_alone():
    told_in = _told("my exam is on thursday", "actually no, it's on friday")[1]
    assert told_back(told_in, "when is my exam?") == [("you", "said", "your", "exam", "is", "on", "friday")]
    told_in = _told("my car is a red volvo", "it's really fast")[1]  # "it" is the thing the sentence began with
    assert told_back(told_in, "how fast is my car?") == [("you", "said", "your", "car", "is", "really", "fast")]


def test_a_friends_name_as_who_the_user_is_a_thing_as_a_doing_and_my_in_a_value_are_misplaced():
    told_in = _told("i'm meeting my friend Aisha for coffee at 11")[1]
    assert misplaced("You said you're Aisha.", told_in, "who am i meeting?")
    assert misplaced("You said you would coffee.", told_in, "who am i meeting?")
    assert not misplaced("You said you're Sam.", _told("i'm Sam")[1], "who am i?")
    assert not misplaced("You said you would see the lights.", _told("i want to see the lights")[1],
                         "what do i want to do?")
    told_in = _told("i live in Bristol with my partner")[1]
    assert misplaced("Your home is in Bristol with my partner.", told_in, "where do i live?")
    assert not misplaced("Your home is in Bristol.", told_in, "where do i live?")
    assert misplaced("You are Google.", _told("i've got a job offer from Google")[1], "who offered me a job?")
    # "her" after a pet: the pet, whose name a question of "her name" asks
    names = {("clover",)}
    told_in = _told("i adopted a rabbit last month", "her name is Clover", names=names)[1]
    assert resolved("what's her name?", told_in, names) == "what's my rabbit's name ?"
    assert told_back(told_in, "what's my rabbit's name ?", names=names, loose=True) == [
        ("you", "said", "your", "rabbit's", "name", "is", "clover")]


def test_a_value_that_used_to_be_is_taken_back_and_a_wedding_is_a_thing_of_theirs():
    told_in = _told("my favourite colour used to be blue", "now it's green")[1]
    assert taken_back("Your favourite colour is blue.", told_in)
    assert told_back(told_in, "what's my favourite colour?", loose=True) == [
        ("you", "said", "your", "favourite", "colour", "is", "green")]
    assert not states_told("Your favorite color is used.", told_in, "what's my favourite colour?",
                           {"favourite", "colour", "used", "blue", "green"})
    told_in = _told("i'm going to a wedding on saturday", "it's my cousin's", "i have to give a speech")[1]
    assert told_back(told_in, "whose wedding is it?") == [("you", "said", "the", "wedding", "is", "your", "cousin's")]


def test_what_used_to_be_is_said_back_to_a_question_of_what_used_to_be():
    told_in = _told("i used to live in Dublin but now i live in Leeds")[1]
    assert as_it_was(told_in, "where do i live?") == []
    before = as_it_was(told_in, "where did i use to live?")
    assert told_back(before, "where did i use to live?")[0][:7] == ("you", "said", "you", "used", "to", "live", "in")
    told_in = _told("i used to be a teacher. now i'm a chef")[1]
    assert told_back(as_it_was(told_in, "what did i use to do?"), "what did i use to do?") == [
        ("you", "said", "you", "used", "to", "be", "a", "teacher")]


def test_a_place_a_doing_or_a_thing_is_no_name():
    told_in = _told("my brother Kofi is moving to Berlin in march")[1]
    assert misplaced("Your brother's name is Berlin.", told_in, "what's my brother's name?")
    assert not misplaced("Your brother's name is Kofi.", _told("my brother's name is Kofi")[1],
                         "what's my brother's name?")
    assert not misplaced("Your rabbit is called Rex.", _told("the rabbit that lives with me answers to Rex")[1],
                         "how is my rabbit named?")
    told_in = _told("my cat Luna keeps scratching the sofa")[1]
    assert misplaced("Your cat's name is scratching.", told_in, "what's my cat's name?")
    assert misplaced("Your cat is called sofa.", told_in, "what's my cat's name?")
    assert not misplaced("Your cat is called Luna.", told_in, "what's my cat's name?")
    assert not misplaced("Your cat is called Sterling.", _told("my cat is called Sterling")[1], "what's my cat called?")


def test_a_liking_a_car_a_happening_and_an_opinion_are_asked_back():
    told_in = _told("i just finished reading dune", "it was amazing")[1]
    assert told_back(told_in, "did i like it?") == [("you", "said", "it", "was", "amazing")]
    assert told_back(_told("i drive a blue toyota corolla")[1], "what colour is my car?") == [
        ("you", "said", "you", "drive", "a", "blue", "toyota", "corolla")]
    told_in = _told("my son broke his arm playing rugby", "he has to wear a cast for six weeks")[1]
    assert told_back(told_in, "what happened to my son?") == [
        ("you", "said", "your", "son", "broke", "his", "arm", "playing", "rugby")]
    told_in = _told("i'm reading a book about rome", "it's really long but interesting")[1]
    assert told_back(told_in, "what do i think of the book?") == [
        ("you", "said", "your", "book", "is", "really", "long", "but", "interesting")]
    # of two sentences that share as much with it, the one that says its word as written
    told_in = _told("i'm a student at the university", "i study history")[1]
    assert told_back(told_in, "what do i study?") == [("you", "said", "you", "study", "history")]


def test_where_the_user_grew_up_is_no_home_and_no_move_takes_it_back():
    told_in = _told("i grew up in a small town in Wales", "then i moved to Bristol for university")[1]
    assert told_back(told_in, "where did i grow up?") == [
        ("you", "said", "you", "grew", "up", "in", "a", "small", "town", "in", "wales")]
    assert told_back(told_in, "why did i move to bristol?") == [
        ("you", "said", "you", "moved", "to", "bristol", "for", "university")]
    assert misplaced("You said you live in a small town.", told_in, "where do i live?")
    assert not misplaced("You said you live in Bristol.", told_in, "where do i live?")
    told_in = _told("i've been learning spanish", "i want to move to Valencia one day")[1]
    assert misplaced("You said you live in Valencia.", told_in, "where do i want to move?")


def test_a_possessive_the_bot_cannot_say_is_said_as_her_or_his():
    sayable = {"your", "brother's", "concert", "is"}.__contains__
    assert as_sayable(["your", "daughter's", "concert", "is"], sayable) == ["her", "concert", "is"]
    assert as_sayable(["your", "brother's", "concert"], sayable) == ["your", "brother's", "concert"]
    assert as_sayable(["your", "puppy's", "name"], sayable) == ["your", "puppy's", "name"]  # dropped as unsayable
    # a name told after "called" is no favourite to a question of what it is called
    told_in = _told("my goldfish is called Bubbles")[1]
    assert misplaced("It's Bubbles, your favourite called.", told_in, "what's my goldfish called?")
    assert not misplaced("Your favourite sport is Belfinbri.",
                         _told("if i had to pick one single sport it would be Belfinbri")[1], "what's my sport called?")


def test_a_seeing_a_trip_asked_by_where_a_breed_a_naming_and_a_having_are_asked_back():
    told_in = _told("i just got back from Iceland", "we saw the northern lights")[1]
    assert told_back(told_in, "what did we see?") == [("you", "said", "you", "saw", "the", "northern", "lights")]
    assert misplaced("Your home is in Iceland.", told_in, "where did i just get back from?")
    told_in = _told("i'm planning a trip to Peru in may", "i want to hike to Machu Picchu")[1]
    assert told_back(told_in, "where am i going in may?") == [
        ("you", "said", "you're", "planning", "a", "trip", "to", "peru", "in", "may")]
    names = {("bruno",)}
    told_in = _told("i'm allergic to cats", "we have a labrador called Bruno", names=names)[1]
    assert told_back(told_in, "what kind of dog is bruno?", names=names) == [
        ("you", "said", "you", "have", "a", "labrador", "called", "bruno")]
    told_in = _told("we're having a baby girl in august", "we're going to call her Maya")[1]
    assert told_back(told_in, "what will we call her?", loose=True) == [
        ("you", "said", "you're", "going", "to", "call", "her", "maya")]
    assert told_back(told_in, "what will we do?", loose=True) == []  # advice
    told_in = _told("my dad had surgery on his knee", "he's recovering at home")[1]
    assert told_back(told_in, "what happened to my dad?") == [
        ("you", "said", "your", "dad", "had", "surgery", "on", "his", "knee")]


def test_a_grandson_is_kin_a_she_outlasts_a_sentence_about_no_one_and_the_thing_asked_of_is_said_back():
    told_in = _told("my grandson Theo is visiting this weekend", "he's eight")[1]
    assert told_back(told_in, "who is visiting?") == [
        ("you", "said", "your", "grandson", "theo", "is", "visiting", "this", "weekend")]
    names = {("nia",)}
    told_in = _told(
        "my girlfriend is called Nia", "we've been together for two years", "she's studying law", names=names)[1]
    assert told_back(told_in, "what is nia studying?", names=names) == [
        ("you", "said", "your", "girlfriend", "is", "studying", "law")]
    # not a "she" for a brother
    told_in = _told("my brother is called Tom", "i'm going to the shops", "she's lovely")[1]
    assert told_back(told_in, "who is lovely?") != [("you", "said", "your", "brother", "is", "lovely")]
    told_in = _told("i broke my phone last night", "the screen is totally smashed")[1]
    assert told_back(told_in, "what's wrong with the screen?") == [
        ("you", "said", "the", "screen", "is", "totally", "smashed")]


def test_how_often_asks_for_a_how_often_and_what_did_a_thing_asks_what_did_it():
    told_in = _told("my favourite drink is iced coffee", "i have one every afternoon")[1]
    assert told_back(told_in, "how often do i have one?") == [("you", "said", "you", "have", "one", "every", "afternoon")]
    told_in = _told("our kitchen flooded last night", "a pipe burst under the sink")[1]
    assert told_back(told_in, "what burst?") == [("you", "said", "a", "pipe", "burst", "under", "the", "sink")]
    assert told_back(told_in, "what broke?") == []  # no word in common


def test_an_age_is_a_number_of_years_and_a_dog_is_no_husband():
    names = {("ava",), ("noah",), ("isla",)}
    told_in = _told("i have three kids: Ava, Noah and Isla", "Ava is the oldest, she's twelve", names=names)[1]
    assert told_back(told_in, "how old is ava?", names=names) == [
        ("you", "said", "ava", "is", "the", "oldest", ",", "she's", "twelve")]
    assert misplaced("You are old.", _told("he's twelve")[1], "how old is my dog?")
    assert not misplaced("Your dog is twelve.", _told("my dog is twelve")[1], "how old is my dog?")
    told_in = _told("my husband and i just adopted a rescue dog", "he's a beagle called Max")[1]
    assert told_back(told_in, "what breed is max?", names={("max",)}, loose=True) == [  # "my husband and i": we
        ("you", "said", "your", "rescue", "dog", "is", "a", "beagle", "called", "max")]


def test_it_is_carla_here_tells_a_name_and_a_thing_of_theirs_is_not_who_they_are():
    names = {("carla",), ("lisbon",)}
    told_in = _told(
        "hey, it's Carla here", "i run a small bakery in Lisbon", "my speciality is custard tarts", names=names)[1]
    assert told_in[0].topics == {"name"}
    assert misplaced("You are custard tarts.", told_in, "what's my name?")
    assert misplaced("It's custard tarts.", told_in, "what's my name?")  # told, but not as the name
    assert not misplaced("Your name is Carla.", told_in, "what's my name?")
    assert not misplaced("You are 36.", _told("my age is 36")[1], "what's my age?")
    assert not misplaced("You said your speciality is custard tarts.", told_in, "what's my speciality?")
    assert tellings([(tokenize("it's Monday"), [])], {("monday",)})[0].topics != {"name"}


def test_a_breed_a_fear_a_might_and_what_someone_loves_are_asked_back():
    names = {("skye",)}
    told_in = _told(
        "i'm training my puppy to sit", "she's a border collie", "her name is Skye", names=names)[1]
    assert told_back(told_in, resolved("what breed is she?", told_in, names), names=names) == [
        ("you", "said", "your", "puppy", "is", "a", "border", "collie")]
    assert told_back(_told("i'm terrified of spiders")[1], "what am i scared of?") == [
        ("you", "said", "you're", "terrified", "of", "spiders")]
    told_in = _told("my landlord is putting the rent up", "i might have to move out")[1]
    assert told_back(told_in, "what might i have to do?") == [("you", "said", "you", "might", "have", "to", "move", "out")]
    assert told_back(told_in, "what should i do?") == []  # advice
    names = {("elif",)}
    told_in = _told(
        "my niece Elif is coming to stay", "she's fifteen", "she loves horse riding", names=names)[1]
    assert told_back(told_in, "what does elif love?", names=names) == [
        ("you", "said", "your", "niece", "elif", "loves", "horse", "riding")]


def test_a_masters_is_study_a_move_to_come_is_no_home_and_what_a_named_pet_can_do_is_asked_back():
    assert told_back(_told("i'm doing a masters in psychology")[1], "what am i studying?") == [
        ("you", "said", "you're", "doing", "a", "masters", "in", "psychology")]
    told_in = _told("i live in York", "i'm moving to Leeds next month")[1]
    assert misplaced("You live in Leeds.", told_in, "where do i live?")
    assert not misplaced("You live in York.", told_in, "where do i live?")
    names = {("rio",)}
    told_in = _told("i have a parrot named Rio", "he can say hello and goodbye", names=names)[1]
    assert told_back(told_in, "what can rio say?", names=names) == [
        ("you", "said", "your", "parrot", "can", "say", "hello", "and", "goodbye")]
    names = {("lily",)}  # but not a sentence of her that does not do what is asked
    told_in = _told("my daughter Lily has chickenpox", "she's home from school", names=names)[1]
    assert told_back(told_in, "what does Lily have?", names=names) == [
        ("you", "said", "your", "daughter", "lily", "has", "chickenpox")]


def test_what_a_user_told_by_the_way_at_work_is_not_what_they_are_nor_a_home_whom_they_live_with():
    told_in = _told("i hurt my back lifting boxes at work")[1]
    assert misplaced("You said you're a boxes.", told_in, "what happened to my back?")
    assert told_back(told_in, "what happened to my back?") == [
        ("you", "said", "you", "hurt", "your", "back", "lifting", "boxes", "at", "work")]
    assert not misplaced("You said you're a nurse.", _told("i'm a nurse at work")[1], "what do i do?")
    assert not misplaced("You said you're a nurse.", _told("i work as a nurse")[1], "what do i do?")
    told_in = _told("i live with my partner Sam in Manchester")[1]
    assert misplaced("Your home is in Manchester.", told_in, "who do i live with?")
    assert not misplaced("Your home is in Manchester.", told_in, "where do i live?")
    told_in = _told("i volunteer at an animal shelter on sundays", "i mostly walk the dogs")[1]
    assert misplaced("You work as a shelter.", told_in, "what do i do there?")
    assert told_back(told_in, "what do i do there?") == [("you", "said", "you", "mostly", "walk", "the", "dogs")]


def test_a_yes_or_no_question_of_am_i_and_they_of_many_things_are_asked_back():
    told_in = _told("i'm vegetarian but my husband eats meat", "we usually cook separate dinners")[1]
    assert told_back(told_in, "am i vegetarian?") == [
        ("you", "said", "you're", "vegetarian", "but", "your", "husband", "eats", "meat")]
    told_in = _told("i just adopted two rabbits", "they're called Biscuit and Pepper", "Biscuit is the brown one")[1]
    assert told_back(told_in, "what are my rabbits called?", loose=True) == [
        ("you", "said", "your", "rabbits", "are", "called", "biscuit", "and", "pepper")]
    # a rabbit is not called "two": how many asks a number, not a name
    assert misplaced("Your rabbit is called adopted two.", told_in, "how many rabbits do i have?")
    assert told_back(told_in, "how many rabbits do i have?") == [
        ("you", "said", "you", "just", "adopted", "two", "rabbits")]
    assert told_back(_told("i lost my glasses", "they're on the table")[1], "where are my glasses?") == [
        ("you", "said", "your", "glasses", "are", "on", "the", "table")]
    # one thing is not "they"
    assert told_back(_told("i bought a new dress", "they're all so expensive")[1], "what is expensive?") == [
        ("you", "said", "they're", "all", "so", "expensive")]


def test_how_long_and_how_many_ask_a_time_and_a_number_not_a_year_nor_a_favourite_one():
    told_in = _told("i'm trying to quit smoking", "it's been nine days since my last cigarette")[1]
    assert told_back(told_in, "how long has it been?") == [
        ("you", "said", "it's", "been", "nine", "days", "since", "your", "last", "cigarette")]
    told_in = _told("i collect vintage postcards", "i have over 300 of them", "my favourite one is from Venice in 1920")[1]
    assert told_back(told_in, "how many do i have?") == [("you", "said", "you", "have", "over", "300", "of", "them")]
    # a month is no place: where is the wedding, not when
    told_in = _told("my partner and i are getting married in june", "the wedding is at a castle in Scotland")[1]
    assert told_back(told_in, "where is the wedding?") == [
        ("you", "said", "the", "wedding", "is", "at", "a", "castle", "in", "scotland")]
    assert told_back(told_in, "when is the wedding?") == [  # "my partner and i": one subject
        ("you", "said", "your", "partner", "and", "you", "are", "getting", "married", "in", "june")]


def test_a_goal_a_favourite_an_ailment_and_a_thing_done_again_are_asked_back():
    told_in = _told("i've been training for a half marathon", "my goal is under two hours")[1]
    assert told_back(told_in, "what's my target time?") == [("you", "said", "your", "goal", "is", "under", "two", "hours")]
    names = {("leo",)}
    told_in = _told(
        "my son Leo is obsessed with dinosaurs", "his favourite is the triceratops", names=names)[1]
    asked = resolved("what's his favourite dinosaur?", told_in, names)
    assert told_back(told_in, asked, names=names) == [
        ("you", "said", "your", "son", "leo's", "favourite", "is", "the", "triceratops")]
    assert as_sayable(["your", "son", "leo's", "favourite"], lambda word: word not in ("leo's", "son's")) == [
        "his", "favourite"]
    assert as_sayable(["your", "best", "friend", "omar's", "fiancee"], lambda word: word != "omar's") == [
        "your", "best", "friend's", "fiancee"]
    names = {("pixel",)}
    told_in = _told(
        "my cat Pixel is fourteen years old", "she's deaf but very happy", names=names)[1]
    asked = resolved("what's wrong with her?", told_in, names)
    assert told_back(told_in, asked, names=names) == [
        ("you", "said", "your", "cat", "pixel", "is", "deaf", "but", "very", "happy")]
    told_in = _told("i failed my driving test again today", "it was my third try")[1]
    assert told_back(told_in, "how many times have i tried?") == [
        ("you", "said", "your", "driving", "test", "was", "your", "third", "try")]


def test_what_someone_of_theirs_is_and_loves_whom_they_live_with_and_since_when_are_asked_back():
    told_in = _told("my husband Neil is a firefighter", "he works four days on and four days off")[1]
    assert told_back(told_in, "what's my husband's job?") == [
        ("you", "said", "your", "husband", "neil", "is", "a", "firefighter")]
    told_in = _told("our dog Hazel had puppies last night", "there are six of them")[1]
    assert told_back(told_in, "who had puppies?") == [
        ("you", "said", "your", "dog", "hazel", "had", "puppies", "last", "night")]
    names = {("isla",)}
    told_in = _told(
        "my granddaughter Isla is coming to stay this weekend", "she's seven and loves drawing", names=names)[1]
    assert told_back(told_in, resolved("what does she love?", told_in, names), names=names) == [
        ("you", "said", "your", "granddaughter", "isla", "is", "seven", "and", "loves", "drawing")]
    told_in = _told("my flat is on the fourth floor and there's no lift", "i live there with my two cats")[1]
    assert told_back(told_in, "who do i live with?") == [
        ("you", "said", "you", "live", "there", "with", "your", "two", "cats")]
    told_in = _told("my mum is in hospital with pneumonia", "she's been there since tuesday")[1]
    assert told_back(told_in, "since when?") == [
        ("you", "said", "your", "mum", "has", "been", "there", "since", "tuesday")]
    told_in = _told("i grew up on a farm in Devon", "we had sheep and chickens")[1]
    assert told_back(told_in, "what animals did we have?") == [("you", "said", "you", "had", "sheep", "and", "chickens")]
    # a day is no thing of theirs that "it" can be
    told_in = _told("i ran my first 10k on sunday", "it took me 58 minutes")[1]
    assert told_back(told_in, "how long did it take?") == [
        ("you", "said", "your", "first", "10k", "took", "you", "58", "minutes")]


def test_a_value_of_another_someone_or_not_what_the_user_is_called_is_misplaced():
    told_in = _told("my best friend Omar just got engaged", "his fiancee is called Leila")[1]
    assert misplaced("Your best friend is Omar.", told_in, "what's my best friend omar's fiancee called?")
    assert not misplaced("Your best friend is Omar.", told_in, "who is my best pal?")
    told_in = _told("hi there! i'm Rosalind, but everyone calls me Ros")[1]
    assert misplaced("Your name is Rosalind.", told_in, "what do people call me?")
    assert not misplaced("Your name is Ros.", told_in, "what do people call me?")
    assert not misplaced("Your name is Rosalind.", told_in, "what's my name?")


def test_how_the_user_feels_what_they_told_someone_and_what_happened_to_a_thing_are_asked_back():
    told_in = _told("hiya, i'm Gemma and i work in a call centre", "i hate my job to be honest")[1]
    assert told_back(told_in, "how do i feel about my job?") == [
        ("you", "said", "you", "hate", "your", "job", "to", "be", "honest")]
    assert told_back(told_in, "where do i work?") == [("you", "said", "you", "work", "in", "a", "call", "centre")]
    assert misplaced("You work as an honest.", told_in, "what's my job?")
    assert misplaced("You work as a call centre.", told_in, "what's my job?")
    told_in = _told("i lost my phone on the bus this morning", "luckily someone handed it in")[1]
    assert told_back(told_in, "what happened to it?") == [("you", "said", "luckily", "someone", "handed", "it", "in")]
    told_in = _told("my teenage daughter wants a tattoo", "i told her she has to wait until she's eighteen")[1]
    assert told_back(told_in, "what did i tell her?") == [
        ("you", "said", "you", "told", "your", "teenage", "daughter", "she", "has", "to", "wait", "until", "she's",
         "eighteen")]
    told_in = _told("i make candles as a side hustle", "they smell like lavender and vanilla")[1]
    assert told_back(told_in, "what do they smell like?") == [
        ("you", "said", "they", "smell", "like", "lavender", "and", "vanilla")]


def test_a_trait_a_cut_off_value_or_a_name_to_a_question_of_yes_or_no_is_no_name():
    told_in = _told("i'm allergic to cats, which is sad because i love them", "what am i allergic to?")[1]
    assert misplaced("Your cat is called allergic.", told_in, "what's my cat called?")
    assert misplaced("Your cat is called sad because.", told_in, "what's my cat called?")
    assert misplaced("Your cat is called sad.", told_in, "do i love cats?")
    assert not misplaced("Your cat is called Luna.", _told("my cat is called Luna")[1], "do you remember it?")
    assert told_back(told_in, "do i love cats?", loose=True) == [
        ("you", "said", "you're", "allergic", "to", "cats", ",", "which", "is", "sad", "because", "you", "love", "them")]


def test_what_is_wrong_hears_an_ailment_before_what_happened():
    told_in = _told("i've got a sore throat and a fever", "i think i caught it from my nephew")[1]
    assert told_back(told_in, "what's wrong with me?") == [
        ("you", "said", "you've", "got", "a", "sore", "throat", "and", "a", "fever")]
    assert told_back(told_in, "what happened?") == [
        ("you", "said", "you", "think", "you", "caught", "it", "from", "your", "nephew")]


def test_how_far_for_how_long_what_a_pet_does_and_what_will_be_are_asked_back():
    told_in = _told("i've started running again after my knee operation", "i can do 5k now without stopping")[1]
    assert told_back(told_in, "how far can i run?") == [("you", "said", "you", "can", "do", "5k", "now", "without",
                                                         "stopping")]
    names = {("freya",)}
    told_in = _told("my daughter Freya has her first piano recital on saturday", "she's been practising for months",
                    names=names)[1]
    assert told_back(told_in, resolved("how long has she been practising?", told_in, names), names=names) == [
        ("you", "said", "your", "daughter", "freya", "has", "been", "practising", "for", "months")]
    told_in = _told("i just got a puppy, a golden retriever called Bramble", "she chews everything")[1]
    assert told_back(told_in, "what's the puppy called?") == [
        ("you", "said", "you", "just", "got", "a", "puppy", ",", "a", "golden", "retriever", "called", "bramble")]
    assert told_back(told_in, "what does my puppy do?")[0] == ("you", "said", "your", "puppy", "chews", "everything")
    told_in = _told("i got into Oxford to study medicine", "i start in october")[1]
    assert told_back(told_in, "what will i study?") == [
        ("you", "said", "you", "got", "into", "oxford", "to", "study", "medicine")]
    assert told_back(_told("i have a date tonight")[1], "what will i wear?") == []  # advice


def test_a_name_given_before_a_comma_is_a_clause_of_its_own_and_a_trade_is_a_job():
    told_in = _told("hey! name's Callum, i'm a plumber from Glasgow")[1]
    assert told_back(told_in, "what's my name?", loose=True) == [("you", "said", "your", "name's", "callum")]
    assert told_back(told_in, "what's my trade?") == [("you", "said", "you're", "a", "plumber", "from", "glasgow")]
    names = {("callum",), ("glasgow",)}
    told_in = _told("hey! name's Callum, i'm a plumber from Glasgow", names=names)[1]
    assert told_back(told_in, "where am i from?", names=names) == [
        ("you", "said", "you're", "a", "plumber", "from", "glasgow")]


def test_how_someone_is_what_was_caught_when_in_a_season_and_a_feeling_not_a_best_friend_are_asked_back():
    told_in = _told("my grandad is teaching me to fish", "we go to the river every saturday", "last week i caught a trout")[1]
    assert told_back(told_in, "what did i catch?") == [("you", "said", "last", "week", "you", "caught", "a", "trout")]
    assert misplaced("You said you live in fish.", told_in, "what did i catch?")
    assert not misplaced("You said you live in York.", _told("my home town is York")[1], "where do i live?")
    told_in = _told("we're having twins in the spring", "a boy and a girl")[1]
    assert told_back(told_in, "when are the twins due?") == [
        ("you", "said", "you're", "having", "twins", "in", "the", "spring")]
    told_in = _told("my best friend Hannah is moving to Australia", "i'm going to miss her so much")[1]
    assert told_back(told_in, "how do i feel?") == [("you", "said", "you're", "going", "to", "miss", "her", "so", "much")]
    told_in = _told("evening! i'm Marcus, i drive a taxi in Newcastle")[1]
    assert misplaced("You work as a taxi.", told_in, "what do i do for a living?")
    assert not misplaced("You work as a nurse.", _told("i work as a nurse")[1], "what do i do for a living?")
    assert not misplaced("You work as a nurse.", _told("i'm a nurse")[1], "what do i do for a living?")
    told_in = _told("my dog Rufus ate a whole chocolate cake", "he's fine now thank goodness")[1]
    assert misplaced("Your dog is called Rufus.", told_in, "how is my dog now?")
    assert not misplaced("Your dog is called Rufus.", told_in, "how is my dog called?")


def test_a_baby_is_a_child_a_tear_is_told_as_tore_and_what_is_wrong_with_a_thing_of_theirs_is_asked_back():
    told_in = _told("my wife is expecting our third child in november", "we already have two girls")[1]
    assert told_back(told_in, "when is the baby due?") == [
        ("you", "said", "your", "wife", "is", "expecting", "your", "third", "child", "in", "november")]
    told_in = _told("i tore a ligament in my ankle playing netball")[1]
    assert told_back(told_in, "what did i tear?") == [
        ("you", "said", "you", "tore", "a", "ligament", "in", "your", "ankle", "playing", "netball")]
    told_in = _told("our boiler is making a weird banging noise", "the engineer is coming on wednesday")[1]
    assert told_back(told_in, "what's wrong with the boiler?") == [
        ("you", "said", "your", "boiler", "is", "making", "a", "weird", "banging", "noise")]
    assert told_back(told_in, "what's wrong with the car?") == []


def test_an_instrument_a_price_a_race_time_and_a_goal_are_asked_back():
    told_in = _told("i've been learning the cello for three years", "my teacher is called Mr Hughes")[1]
    cello = ("you", "said", "you've", "been", "learning", "the", "cello", "for", "three", "years")
    assert told_back(told_in, "what instrument do i play?") == [cello]
    assert told_back(told_in, "how long have i been playing?") == [cello]
    assert told_back(told_in, "what sport do i play?") == []  # a cello is no sport
    told_in = _told("i just bought a second hand bike for 80 quid", "it's a blue Raleigh")[1]
    assert told_back(told_in, "how much did it cost?") == [
        ("you", "said", "you", "just", "bought", "a", "second", "hand", "bike", "for", "80", "quid")]
    told_in = _told("i ran my first 5k today in 31 minutes", "i want to get under 30 next time")[1]
    assert told_back(told_in, "what was my time?") == [
        ("you", "said", "you", "ran", "your", "first", "5k", "today", "in", "31", "minutes")]
    assert told_back(told_in, "what's my goal?") == [("you", "said", "you", "want", "to", "get", "under", "30",
                                                      "next", "time")]


def test_a_living_twins_a_home_before_a_thought_and_what_went_wrong_are_asked_back():
    told_in = _told("i drive a bus for a living", "the route goes through the city centre")[1]
    bus = [("you", "said", "you", "drive", "a", "bus", "for", "a", "living")]
    assert told_back(told_in, "what do i do for work?") == told_back(told_in, "what's my job?") == bus
    assert misplaced("You're a bus.", told_in, "what do i do for work?")
    assert not misplaced("You're a nurse.", _told("i'm a nurse")[1], "what do i do for work?")
    told_in = _told("my brother lives in Toronto with his wife Jess", "they have twin boys")[1]
    assert told_back(told_in, "how many kids do they have?") == [("you", "said", "they", "have", "twin", "boys")]
    told_in = _told("i've lived in Berlin for six years", "before that i was in Madrid")[1]
    assert told_back(told_in, "where did i live before?") == [("you", "said", "before", "that", "you", "were", "in",
                                                                "madrid")]
    told_in = _told("i have a meeting with my boss at 2", "i think i'm getting promoted")[1]
    assert told_back(told_in, "what do i think is happening?") == [
        ("you", "said", "you", "think", "you're", "getting", "promoted")]
    told_in = _told("i failed my driving test again", "i hit the kerb on the parallel park", "what did i fail?")[1]
    assert told_back(told_in, "what went wrong?") == [("you", "said", "you", "hit", "the", "kerb", "on", "the",
                                                       "parallel", "park")]
    told_in = _told("i just got back from a week in Crete", "the beaches were amazing")[1]
    assert told_back(told_in, "where did i go?") == [
        ("you", "said", "you", "just", "got", "back", "from", "a", "week", "in", "crete")]
    # What happened is of the last few sentences that tell, not of the questions asked since.
    told_in = _told("my car is a red Honda Civic", "it failed its MOT yesterday", "what car do i have?",
                    "what colour is it?")[1]
    assert told_back(told_in, "what happened to it?") == [("you", "said", "your", "car", "failed", "its", "mot",
                                                           "yesterday")]
    # Where a thing is, is not where the user goes to it.
    told_in = _told("i'm going to a concert on saturday", "it's Taylor Swift at Wembley")[1]
    assert told_back(told_in, "where is the concert?") == [("you", "said", "your", "concert", "is", "taylor",
                                                            "swift", "at", "wembley")]


def test_a_name_for_a_breed_a_doing_or_someone_elses_a_doing_cut_off_or_no_plan_is_misplaced():
    told_in = _told("i got a puppy last week, a beagle named Rolo", "he chews everything")[1]
    assert misplaced("Your puppy is called Rolo.", told_in, "what breed is my puppy?")
    assert not misplaced("Your puppy is called Rolo.", told_in, "what's my puppy called?")
    assert misplaced("Your name is Rolo.", told_in, "what's my puppy's name?")
    assert misplaced("It's Hannah, your name.", _told("my girlfriend is called Hannah")[1],
                     "what's my girlfriend's name?")
    assert not misplaced("Your name is Sam.", _told("my name is Sam")[1], "what's my name?")
    told_in = _told("my neighbour's dog barks all night")[1]
    assert misplaced("Your dog is called barks.", told_in, "what does my neighbour's dog do?")
    assert misplaced("You said you would Spanish.", _told("i'm learning Spanish on Duolingo")[1],
                     "what language am i learning?")
    assert not misplaced("You said you would meet Sam for lunch.", _told("on tuesday i'll meet Sam for lunch")[1],
                         "what do i plan for tuesday?")
    # A doing goes on with where or with whom; a sport does not.
    told_in = _told("i've got a cold and a sore throat", "i'm staying in bed today")[1]
    assert doing_cut("You said you're staying.", "staying", told_in)
    assert not doing_cut("You said you're staying in bed.", "staying in bed", told_in)
    assert not doing_cut("Your favourite sport is skiing.", "skiing", _told("no sport beats skiing in my book")[1])
    assert not cut_short("skiing", _told("no sport beats skiing in my book")[1])


def test_a_role_a_clock_time_since_when_a_breed_plural_and_what_someone_has_are_asked_back():
    told_in = _told("my sister's wedding is next saturday", "i'm her maid of honour", "when is my sister's wedding?")[1]
    assert told_back(told_in, "what am i at the wedding?") == [("you", "said", "you're", "her", "maid", "of", "honour")]
    assert told_back(told_in, "what am i in the play?") == []  # no play was spoken of
    told_in = _told("i'm nervous about my driving test tomorrow", "it's at 9am")[1]
    assert told_back(told_in, "what time is it?") == [("you", "said", "your", "driving", "test", "is", "at", "9am")]
    told_in = _told("i've been sleeping badly since the clocks changed", "i keep waking up at 4am")[1]
    assert told_back(told_in, "since when?") == [("you", "said", "you've", "been", "sleeping", "badly", "since", "the",
                                                  "clocks", "changed")]
    names = {("luna",), ("bear",)}
    told_in = _told("i've got two rescue greyhounds, Luna and Bear", "Bear is scared of the hoover", names=names)[1]
    dogs = [("you", "said", "you've", "got", "two", "rescue", "greyhounds", ",", "luna", "and", "bear")]
    assert told_back(told_in, "what are my dogs called?", names=names) == dogs
    assert told_back(told_in, "what kind of dogs are they?", names=names) == dogs
    told_in = _told("my mum lives in a care home now", "she has dementia")[1]
    assert told_back(told_in, resolved("what does she have?", told_in, set())) == [
        ("you", "said", "your", "mum", "has", "dementia")]
    told_in = _told("i'm saving up for a car", "i've got about 3000 so far")[1]
    assert told_back(told_in, "how much have i saved?") == [("you", "said", "you've", "got", "about", "3000", "so",
                                                             "far")]


def test_who_does_a_thing_of_theirs_a_job_on_a_ward_and_a_longer_booking_are_asked_back():
    told_in = _told("my team at work is moving to a new office in Leeds", "it's a 40 minute commute for me")[1]
    assert told_back(told_in, "who is moving?") == [("you", "said", "your", "team", "at", "work", "is", "moving", "to",
                                                     "a", "new", "office", "in", "leeds")]
    # "it" is not "my team at work"
    assert told_back(told_in, "how long is my commute?") == [("you", "said", "it's", "a", "40", "minute", "commute",
                                                              "for", "you")]
    told_in = _told("i'm a night shift nurse on a children's ward")[1]
    assert told_back(told_in, "what's my job?") == [("you", "said", "you're", "a", "night", "shift", "nurse", "on",
                                                     "a", "children's", "ward")]
    assert misplaced("You work as a children's ward.", told_in, "what's my job?")
    told_in = _told("i've just booked a cottage in the Lake District for october half term", "it sleeps eight")[1]
    booked = [("you", "said", "you've", "just", "booked", "a", "cottage", "in", "the", "lake", "district", "for",
               "october", "half", "term")]
    assert told_back(told_in, "where is the cottage?") == told_back(told_in, "when are we going?") == booked


def test_a_value_cut_from_its_first_word_is_not_told_and_our_pet_is_someone_of_theirs():
    told_in = _told("my favourite drink is a flat white")[1]
    assert headless("white", told_in) and not headless("flat white", told_in)
    assert not headless("civic", _told("my car is a red Civic")[1])
    assert not headless("banana", _told("my favourite fruit is a banana")[1])
    told, told_in = _told("my favourite sport is ice hockey")
    assert not states_told("Your favourite sport is hockey.", told_in, "what's my favourite sport?", told)
    assert states_told("Your favourite sport is ice hockey.", told_in, "what's my favourite sport?", told)
    told_in = _told("our cat went missing three days ago", "she's called Tabitha and she's ginger")[1]
    assert resolved("what colour is she?", told_in, set()) == "what colour is our cat ?"
    assert told_back(told_in, resolved("what colour is she?", told_in, set())) == [
        ("you", "said", "your", "cat", "is", "ginger")]
    told_in = _told("my grandma taught me to knit when i was eight", "i'm making a scarf for my boyfriend")[1]
    assert told_back(told_in, "how old was i?") == [
        ("you", "said", "your", "grandma", "taught", "you", "to", "knit", "when", "you", "were", "eight")]
    names = {("lily",)}
    told_in = _told("my daughter Lily has chickenpox", "she's been off school all week", names=names)[1]
    assert told_back(told_in, "what does lily have?", names=names) == [
        ("you", "said", "your", "daughter", "lily", "has", "chickenpox")]


def test_a_kind_a_promotion_a_feeling_half_past_someone_coming_and_a_fan_are_asked_back():
    told_in = _told("we're getting a new puppy next week", "it's a cockapoo", "we're going to call him Biscuit")[1]
    assert told_back(told_in, "what kind of puppy are we getting?") == [
        ("you", "said", "your", "new", "puppy", "is", "a", "cockapoo")]
    told_in = _told("i've been promoted to head of sales", "i start the new role on monday")[1]
    assert told_back(told_in, "what's my new role?") == [("you", "said", "you've", "been", "promoted", "to", "head",
                                                          "of", "sales")]
    assert told_back(told_in, "when do i start?") == [("you", "said", "you", "start", "the", "new", "role", "on",
                                                       "monday")]
    # a job said is no answer to a question that asks more of it
    told_in = _told("i'm a teaching assistant at a primary school in Hull", "i work with year two")[1]
    assert told_back(told_in, "which year do i work with?") == [("you", "said", "you", "work", "with", "year", "two")]
    told_in = _told("i've got a dentist appointment at half 3", "i'm dreading it")[1]
    assert told_back(told_in, "what time is it?") == [("you", "said", "you've", "got", "a", "dentist", "appointment",
                                                       "at", "half", "3")]
    assert told_back(told_in, "how do i feel about it?") == [("you", "said", "you're", "dreading", "it")]
    told_in = _told("my mum is visiting from Poland next week", "she's staying for a month")[1]
    assert told_back(told_in, resolved("when is she coming?", told_in, set())) == [
        ("you", "said", "your", "mum", "is", "visiting", "from", "poland", "next", "week")]
    told_in = _told("i'm a firefighter in Bristol", "i've been doing it for eleven years")[1]
    assert told_back(told_in, "how long have i been a firefighter?") == [
        ("you", "said", "you've", "been", "doing", "it", "for", "eleven", "years")]
    told_in = _told("i'm a big fan of Liverpool", "i've had a season ticket for ten years")[1]
    assert told_back(told_in, "which team do i support?") == [("you", "said", "you're", "a", "big", "fan", "of",
                                                               "liverpool")]
    told_in = _told("i'm off to Rome for my birthday", "my boyfriend booked it as a surprise")[1]
    assert told_back(told_in, "where am i going?") == [("you", "said", "you're", "off", "to", "rome", "for", "your",
                                                        "birthday")]
    told_in = _told("i hurt my ankle playing netball", "it's really swollen")[1]
    assert told_back(told_in, "what's it like?") == [("you", "said", "your", "ankle", "is", "really", "swollen")]
    # A possessive of someone of no gender it cannot say is "their".
    sayable = {"you", "said", "your", "their", "favourite", "dish", "is", "a", "curry"}.__contains__
    assert as_sayable(["your", "partner's", "favourite", "dish"], sayable) == ["their", "favourite", "dish"]


def test_what_was_just_done_seen_loved_named_and_where_one_of_them_is_are_asked_back():
    told_in = _told("i've just moved into a new flat", "it's on the top floor and has a view of the river")[1]
    assert told_back(told_in, "what did i just do?") == [("you", "said", "you've", "just", "moved", "into", "a",
                                                          "new", "flat")]
    assert told_back(told_in, "what can i see from it?") == [
        ("you", "said", "your", "new", "flat", "is", "on", "the", "top", "floor", "and", "has", "a", "view", "of",
         "the", "river")]
    assert told_back(told_in, "what can i cook?") == []  # advice, not what was told
    assert misplaced("You work as a new flat.", told_in, "what did i just do?")
    names = {("biscuit",)}
    told_in = _told("my cat Biscuit is sixteen and deaf", "she still loves chasing string", names=names)[1]
    asked = resolved("what does she love?", told_in, names)
    assert misplaced("Your cat is called sixteen and deaf.", told_in, asked)
    assert told_back(told_in, asked, names=names) == [("you", "said", "your", "cat", "biscuit", "still", "loves",
                                                       "chasing", "string")]
    told_in = _told("my daughter wants a hamster for christmas", "she's already named it Nibbles")[1]
    assert told_back(told_in, resolved("what has she named it?", told_in, set())) == [
        ("you", "said", "your", "daughter", "has", "already", "named", "it", "nibbles")]
    told_in = _told("my grandparents have been married for sixty years", "their anniversary is in june")[1]
    assert told_back(told_in, "how long have my grandparents been married?") == [
        ("you", "said", "your", "grandparents", "have", "been", "married", "for", "sixty", "years")]
    told_in = _told("i'm scared of spiders", "there's a huge one in the bath")[1]
    assert told_back(told_in, "where is the spider?") == [("you", "said", "there's", "a", "huge", "one", "in", "the",
                                                           "bath")]
    told_in = _told("i'm the captain of my rugby team", "we play on sunday mornings")[1]
    assert told_back(told_in, "what am i?") == [("you", "said", "you're", "the", "captain", "of", "your", "rugby",
                                                 "team")]
    names = {("marco",), ("italian",)}
    told_in = _told("my husband is called Marco and he's Italian", names=names)[1]
    assert told_back(told_in, resolved("where is he from?", told_in, names), names=names) == [
        ("you", "said", "your", "husband", "is", "italian")]


def test_a_reason_a_first_time_a_deed_a_thing_leaking_and_what_a_thing_is_are_asked_back():
    names = {("leo",)}
    told_in = _told("my son Leo is scared of dogs", "he got bitten when he was three", names=names)[1]
    assert told_back(told_in, resolved("why is he scared?", told_in, names), names=names) == [
        ("you", "said", "your", "son", "leo", "got", "bitten", "when", "he", "was", "three")]
    told_in = _told("i'm going skiing in Austria in february", "it's my first time skiing")[1]
    assert told_back(told_in, "have i been skiing before?") == [("you", "said", "it's", "your", "first", "time",
                                                                 "skiing")]
    told_in = _told("my favourite holiday was Thailand in 2019", "we went island hopping")[1]
    assert told_back(told_in, "what did we do?") == [("you", "said", "you", "went", "island", "hopping")]
    told_in = _told("i've been learning to paint with watercolours", "i did a painting of my dog last week")[1]
    assert told_back(told_in, "what did i paint?") == [("you", "said", "you", "did", "a", "painting", "of", "your",
                                                        "dog", "last", "week")]
    told_in = _told("i broke up with my girlfriend last week", "we'd been together three years")[1]
    assert told_back(told_in, "how long were we together?") == [("you", "said", "you'd", "been", "together", "three",
                                                                 "years")]
    told_in = _told("my kitchen tap is leaking", "the plumber is coming tomorrow at 10")[1]
    assert told_back(told_in, "what's leaking?") == [("you", "said", "your", "kitchen", "tap", "is", "leaking")]
    told_in = _told("i've got a job interview on thursday", "it's for a nursing position", "when is my interview?")[1]
    assert told_back(told_in, "what's the job?") == [("you", "said", "your", "job", "interview", "is", "for", "a",
                                                      "nursing", "position")]
    told_in = _told("i got a new phone for my birthday", "it's an iphone 15")[1]
    assert told_back(told_in, "what phone is it?") == [("you", "said", "your", "phone", "is", "an", "iphone", "15")]
    told_in = _told("i'm in a choir", "we're singing at the cathedral next month")[1]
    assert misplaced("You said you live in a choir.", told_in, "what am i in?")
    assert told_back(told_in, "what am i in?") == [("you", "said", "you're", "in", "a", "choir")]
    assert headless("dinner", _told("my favourite food is my nan's roast dinner")[1])
    told_in = _told("we're having a baby girl in july", "we're going to call her Isla")[1]
    assert told_back(told_in, "is it a boy or a girl?") == [("you", "said", "you're", "having", "a", "baby", "girl",
                                                             "in", "july")]
    # the end of a name the user wrote capitalised is written back whole
    assert not headless("fluffington", _told(("what's your turtle called?", "Lord Fluffington!"))[1],
                        {("lord", "fluffington")})


def test_which_floor_when_a_race_is_and_a_home_moved_into_are_asked_back():
    told_in = _told("i've just moved into a flat on the fourth floor",
                    "the lift is always broken so i take the stairs")[1]
    # a value without the number by which the user told which floor says no floor
    assert misplaced("You said you live in a flat.", told_in, "which floor do i live on?")
    assert not misplaced("You said you live on the fourth floor.", told_in, "which floor do i live on?")
    # a home moved into speaks of where they live
    assert told_back(told_in, "which floor do i live on?") == [
        ("you", "said", "you've", "just", "moved", "into", "a", "flat", "on", "the", "fourth", "floor")]
    told_in = _told("i'm training for a half marathon in april", "i run three times a week")[1]
    # when one thing is asks a time, not how often
    assert told_back(told_in, "when is the race?") == [
        ("you", "said", "you're", "training", "for", "a", "half", "marathon", "in", "april")]
    assert told_back(told_in, "when do i run?") == [("you", "said", "you", "run", "three", "times", "a", "week")]


def test_what_comes_next_who_a_thing_is_by_and_a_title_cut_to_its_maker_are_read():
    told_in = _told("i just finished reading The Hobbit", "i'm starting Lord of the Rings next")[1]
    assert told_back(told_in, "what am i reading next?") == [("you", "said", "you're", "starting", "lord", "of",
                                                              "the", "rings", "next")]
    told_in = _told("i collect vinyl records", "my favourite album is Rumours by Fleetwood Mac")[1]
    assert told_back(told_in, "who is it by?") == [("you", "said", "your", "favourite", "album", "is", "rumours",
                                                    "by", "fleetwood", "mac")]
    # the maker alone is no album
    assert headless("fleetwood mac", told_in, {("rumours",), ("fleetwood", "mac")})
    assert not headless("rumours by fleetwood mac", told_in, {("rumours",), ("fleetwood", "mac")})


def test_who_someone_belonged_to_who_wrote_it_an_appointment_a_stay_and_for_how_long_are_asked_back():
    names = {("sheldon",)}
    told_in = _told("i have a tortoise called Sheldon", "he used to belong to my grandad", names=names)[1]
    # what used to be answers a question of what was
    assert as_it_was(told_in, "who did my tortoise belong to?") and not as_it_was(told_in, "what did i say?")
    assert told_back(as_it_was(told_in, "who did my tortoise belong to?"), "who did my tortoise belong to?") == [
        ("you", "said", "he", "used", "to", "belong", "to", "your", "grandad")]
    told_in = _told("i'm reading a book about the Roman empire", "it's by Mary Beard")[1]
    assert told_back(told_in, "who wrote it?") == [("you", "said", "your", "book", "is", "by", "mary", "beard")]
    told_in = _told("i'm off to the dentist at 11", "i've got a filling that needs replacing")[1]
    assert told_back(told_in, "what time is my appointment?") == [("you", "said", "you're", "off", "to", "the",
                                                                   "dentist", "at", "11")]
    told_in = _told("i'm going to Japan in the spring", "i've booked a ryokan in Kyoto")[1]
    assert told_back(told_in, "where am i staying?") == [("you", "said", "you've", "booked", "a", "ryokan", "in",
                                                          "kyoto")]
    told_in = _told("i sprained my ankle playing netball", "i have to wear a brace for two weeks")[1]
    assert told_back(told_in, "for how long?") == [("you", "said", "you", "have", "to", "wear", "a", "brace", "for",
                                                    "two", "weeks")]


def test_what_a_thing_is_what_was_thought_what_they_lack_and_all_of_several_names_are_asked_back():
    told_in = _told("i'm getting a tattoo next month", "it's going to be a swallow on my wrist")[1]
    assert told_back(told_in, "what's the tattoo of?") == [("you", "said", "your", "tattoo", "is", "going", "to",
                                                            "be", "a", "swallow", "on", "your", "wrist")]
    told_in = _told("i had a job interview today at a law firm", "it was for a paralegal role")[1]
    assert told_back(told_in, "what was the job?") == [("you", "said", "your", "job", "interview", "was", "for", "a",
                                                        "paralegal", "role")]
    told_in = _told("i watched Oppenheimer last night", "i thought it was too long")[1]
    assert told_back(told_in, "what did i think of it?") == [("you", "said", "you", "thought", "it", "was", "too",
                                                              "long")]
    told_in = _told("the engineer is coming on thursday", "we have no hot water")[1]
    assert told_back(told_in, "what don't we have?") == [("you", "said", "you", "have", "no", "hot", "water")]
    told_in = _told("my kids are called Ruby and Alfie", "ruby is nine and alfie is six")[1]
    assert misplaced("Your kids is called Alfie.", told_in, "what are my kids called?")
    assert not misplaced("Your kids are called Ruby and Alfie.", told_in, "what are my kids called?")
    assert not misplaced("You said Ruby is nine.", told_in, "how old is ruby?")


def test_what_is_sore_a_band_named_by_we_a_time_this_summer_and_how_long_since_the_last_are_asked_back():
    told_in = _told("i've got a cold", "my throat is really sore")[1]
    assert told_back(told_in, "what's sore?") == [("you", "said", "your", "throat", "is", "really", "sore")]
    told_in = _told("i play the drums in a band", "we're called The Loud Neighbours")[1]
    assert told_back(told_in, "what's my band called?", loose=True) == [
        ("you", "said", "your", "band", "is", "called", "the", "loud", "neighbours")]
    told_in = _told("my nephew Kai is doing his GCSEs this summer", "he wants to study engineering")[1]
    assert told_back(told_in, "when are they?") == [("you", "said", "your", "nephew", "kai", "is", "doing", "his",
                                                     "gcses", "this", "summer")]
    told_in = _told("i'm trying to quit smoking", "i haven't had one for nine days", "i'm using nicotine patches")[1]
    assert told_back(told_in, "how long since my last one?") == [("you", "said", "you", "haven't", "had", "one",
                                                                  "for", "nine", "days")]


def test_two_girls_are_daughters_a_value_from_its_and_is_cut_a_going_to_is_no_plan_and_why_reads_what_it_is_for():
    told_in = _told("my wife is expecting our third child in november",
                    "we already have two girls, Lucia and Martina")[1]
    assert told_back(told_in, "what are my daughters called?") == [
        ("you", "said", "you", "already", "have", "two", "girls", ",", "lucia", "and", "martina")]
    told_in = _told("i have two cats called Salt and Pepper", "they're sisters")[1]
    assert headless("and pepper", told_in, {("salt",), ("pepper",)})
    told_in = _told("i'm going to Paris next weekend", "it's for my birthday")[1]
    assert misplaced("You said you would Paris.", told_in, "why am i going?")
    assert not misplaced("You said you would visit Rome.", _told("i want to visit Rome")[1], "what do i want to do?")
    assert told_back(told_in, "why am i going?") == [("you", "said", "it's", "for", "your", "birthday")]
    # "appointment" is any time the user has to be somewhere only to a question of when
    told_in = _told("i've got a dentist appointment at half 3", "i'm dreading it")[1]
    assert told_back(told_in, "what appointment do i have?") == [("you", "said", "you've", "got", "a", "dentist",
                                                                  "appointment", "at", "half", "3")]


def test_a_correction_of_several_leads_puts_a_value_right_and_what_they_said_they_can_do_is_asked_back():
    told, told_in = _told("my favourite colour is teal", "actually no, it's orange")
    assert taken_back("Your favourite colour is teal.", told_in)
    assert not misplaced("Your favourite colour is orange.", told_in, "what's my favourite colour?")
    told_in = _told("i've been learning guitar for six months", "i can play Wonderwall now")[1]
    assert told_back(told_in, "what can i play?") == [("you", "said", "you", "can", "play", "wonderwall", "now")]
    # what they could play, where they said nothing of it, asks advice
    assert told_back(told_in[:1], "what can i play?") == []


def test_her_after_my_wife_is_my_wife_a_question_to_the_bot_keeps_who_he_is_and_a_date_or_christmas_says_when():
    told_in = _told("i need to buy a birthday present for my wife", "she likes gardening and jigsaws",
                    "her birthday is on the 22nd", "what should i get her", "maybe a new trowel")[1]
    assert resolved("what does she like?", told_in, set()) == "what does my wife like ?"
    assert told_back(told_in, "what does my wife like?") == [("you", "said", "your", "wife", "likes", "gardening",
                                                              "and", "jigsaws")]
    assert told_back(told_in, "when is my wife's birthday?") == [("you", "said", "your", "wife's", "birthday", "is",
                                                                  "on", "the", "22nd")]
    names = {("luca",)}
    told_in = _told("my brother Luca is a chef in Milan", "do you like italian food?",
                    "he's coming to visit at christmas", names=names)[1]
    assert told_back(told_in, resolved("when is he visiting?", told_in, names), names=names) == [
        ("you", "said", "your", "brother", "luca", "is", "coming", "to", "visit", "at", "christmas")]
    told_in = _told("i've got a big exam on monday", "it's my chemistry a level", "i'm really stressed")[1]
    assert told_back(told_in, "what subject is it?") == [("you", "said", "your", "big", "exam", "is", "your",
                                                          "chemistry", "a", "level")]


def test_what_we_did_for_a_day_who_did_a_thing_what_i_have_and_which_ward_are_asked_back():
    told_in = _told("my mum turned 70 yesterday", "we took her out for afternoon tea", "she loved it",
                    "i prefer coffee to be honest")[1]
    assert told_back(told_in, "what did we do for her birthday?") == [("you", "said", "you", "took", "her", "out",
                                                                       "for", "afternoon", "tea")]
    told_in = _told("my son's football team won the cup", "he scored the winning goal", "the final was 2-1")[1]
    assert told_back(told_in, "who scored the winning goal?") == [("you", "said", "your", "son", "scored", "the",
                                                                   "winning", "goal")]
    told_in = _told("i have an allotment", "i grow potatoes and runner beans")[1]
    assert told_back(told_in, "what do i have?") == [("you", "said", "you", "have", "an", "allotment")]
    told_in = _told("i'm a nurse on a cardiac ward", "i've been doing twelve hour shifts")[1]
    assert misplaced("You said you're a nurse.", told_in, "what ward do i work on?")
    assert told_back(told_in, "what ward do i work on?") == [("you", "said", "you're", "a", "nurse", "on", "a",
                                                              "cardiac", "ward")]


def test_where_from_is_no_home_a_move_takes_back_me_and_my_partner_is_one_and_it_after_my_son_is_the_school():
    told_in = _told("hi, i'm Marta and i'm a dentist from Seville", "i moved to Bristol five years ago")[1]
    assert told_back(told_in, "where am i originally from?") == [("you", "said", "you're", "a", "dentist", "from",
                                                                  "seville")]
    assert told_back(_told("i'm just back from work")[1], "where am i from?") == []
    told_in = _told("me and my partner are going to Rome for our anniversary", "we've been together ten years")[1]
    assert told_back(told_in, "where are we going?") == [("you", "said", "you", "and", "your", "partner", "are",
                                                          "going", "to", "rome", "for", "your", "anniversary")]
    assert told_back(told_in, "what's the occasion?") == told_back(told_in, "where are we going?")
    names = {("noah",), ("oakfield", "primary")}
    told_in = _told("my son Noah is starting at a new school on monday", "it's called Oakfield Primary",
                    "he's a bit nervous", names=names)[1]
    assert told_back(told_in, "what's the name of noah's new school?", names=names) == [
        ("you", "said", "your", "son", "noah's", "new", "school", "is", "called", "oakfield", "primary")]  # his
    told_in = _told("so my cat Pickle has been sick", "she's on antibiotics for a week", names={("pickle",)})[1]
    assert misplaced("Your cat is called sick.", told_in, "what's my cat called?")
    told_in = _told("i ordered grey and they sent blue")[1]
    assert told_back(told_in, "what colour did they send?") == [("you", "said", "you", "ordered", "grey", "and",
                                                                 "they", "sent", "blue")]


def test_what_it_is_her_own_thing_named_and_one_of_two_pets_called_are_read_as_told():
    told_in = _told("i got a new tattoo last week", "it's a compass on my forearm")[1]
    assert told_back(told_in, "what is it?") == [("you", "said", "your", "new", "tattoo", "is", "a", "compass", "on",
                                                  "your", "forearm")]
    names = {("amy",), ("shear", "genius")}
    told_in = _told("my girlfriend Amy is a hairdresser", "she's got her own salon in town",
                    "it's called Shear Genius", names=names)[1]
    # the salon is named, not the girlfriend
    assert told_back(told_in, "what's my girlfriend's name?", names=names) == [
        ("you", "said", "your", "girlfriend", "amy", "is", "a", "hairdresser")]
    assert told_back(told_in, resolved("what's her salon called?", told_in, names), names=names) == [
        ("you", "said", "your", "girlfriend", "amy's", "own", "salon", "is", "called", "shear", "genius")]
    told_in = _told("i've got two dogs, a pug called Waffles and a labrador called Bear")[1]
    assert misplaced("Your dog is called Bear.", told_in, "what are my dogs called?")
    assert headless("is waffles", told_in)


def test_what_went_wrong_with_a_thing_of_theirs_is_what_it_did_not_do():
    told_in = _told("i've been learning to bake bread", "my first loaf was a disaster", "it didn't rise at all")[1]
    assert told_back(told_in, "what went wrong?") == [("you", "said", "your", "first", "loaf", "didn't", "rise",
                                                       "at", "all")]


def test_what_make_a_thing_that_keeps_crashing_is_who_a_thing_is_for_and_how_they_get_there_are_asked_back():
    told_in = _told("my laptop keeps crashing", "it's a five year old Dell")[1]
    assert told_back(told_in, "what make is it?") == [("you", "said", "your", "laptop", "is", "a", "five", "year",
                                                       "old", "dell")]
    told_in = _told("i'm doing a charity skydive in june", "it's for Cancer Research", "my mum thinks i'm mad")[1]
    assert told_back(told_in, "who is it for?") == [("you", "said", "your", "charity", "skydive", "is", "for",
                                                     "cancer", "research")]
    told_in = _told("i'm scared of flying", "i'm going to Spain in august", "i'm taking the train instead")[1]
    assert told_back(told_in, "how am i getting there?") == [("you", "said", "you're", "taking", "the", "train",
                                                              "instead")]


def test_where_someone_was_taken_bedrooms_a_new_title_and_a_name_picked_are_asked_back():
    told_in = _told("my dog Toby ate a sock yesterday", "we had to rush him to the emergency vet")[1]
    assert told_back(told_in, "where did we take him?") == [("you", "said", "you", "had", "to", "rush", "him", "to",
                                                             "the", "emergency", "vet")]
    told_in = _told("my husband and i just bought our first house", "it's a three bed semi in Swindon")[1]
    assert told_back(told_in, "how many bedrooms does it have?") == [("you", "said", "your", "first", "house", "is",
                                                                      "a", "three", "bed", "semi", "in", "swindon")]
    told_in = _told("i got a promotion today", "i'm now head of marketing")[1]
    assert told_back(told_in, "what's my new title?") == [("you", "said", "you're", "now", "head", "of", "marketing")]
    assert told_back(_told("i'm head over heels")[1], "what's my job?") == []
    told_in = _told("we're having a baby in march", "we've picked Rowan as a name because it works for both")[1]
    assert told_back(told_in, "what name have we picked?", loose=True) == [
        ("you", "said", "you've", "picked", "rowan", "as", "a", "name", "because", "it", "works", "for", "both")]


def test_what_the_role_is_is_what_it_was_said_to_be_for():
    told_in = _told("i've got an interview at Google next week", "it's for a software engineer role",
                    "i'm really nervous")[1]
    assert told_back(told_in, "what's the role?") == [("you", "said", "your", "interview", "is", "for", "a",
                                                       "software", "engineer", "role")]


def test_why_they_feel_so_a_pet_dragon_and_a_thing_they_have_is_not_what_they_are():
    told_in = _told("i'm a bit sad today", "my best friend moved to Canada", "she left on tuesday")[1]
    assert told_back(told_in, "why am i sad?") == [("you", "said", "your", "best", "friend", "moved", "to", "canada")]
    told_in = _told("i have a bearded dragon called Spike", "he eats crickets")[1]
    assert misplaced("You said you're a bearded dragon.", told_in, "what pet do i have?")
    assert not misplaced("You said you're a nurse.", _told("i'm a nurse")[1], "what's my job?")
    assert told_back(told_in, "what pet do i have?") == [("you", "said", "you", "have", "a", "bearded", "dragon",
                                                          "called", "spike")]


def test_a_place_to_go_to_a_duty_a_past_event_how_they_are_a_favourite_dog_and_the_restaurant_named_are_read():
    told_in = _told("i'm going to a job fair tomorrow", "it's at the town hall", "i need to print my CV")[1]
    # of "it", the sentence that spoke of it; "going to" a place is still where
    assert told_back(told_in, "where is it?") == [("you", "said", "your", "job", "fair", "is", "at", "the", "town",
                                                   "hall")]
    assert told_back(_told("i'm going to Japan in the spring")[1], "where am i going?") == [
        ("you", "said", "you're", "going", "to", "japan", "in", "the", "spring")]
    told_in = _told("my dad had a heart attack last month", "he's recovering well", "he's had to give up smoking")[1]
    assert told_back(told_in, "what happened to my dad?") == [("you", "said", "your", "dad", "had", "a", "heart",
                                                               "attack", "last", "month")]
    assert told_back(told_in, "how is my dad doing?") == [("you", "said", "your", "dad", "is", "recovering", "well")]
    told_in = _told("i run a dog walking business", "my favourite is a husky called Blue")[1]
    assert told_back(told_in, "which dog is my favourite?") == [("you", "said", "your", "favourite", "is", "a",
                                                                 "husky", "called", "blue")]
    told_in = _told("we're going to the restaurant where we had our first date", "it's called The Ivy")[1]
    assert told_back(told_in, "what's the restaurant called?", loose=True) == [
        ("you", "said", "the", "restaurant", "is", "called", "the", "ivy")]
    told_in = _told("i lost my job last week", "the company went bust")[1]
    assert told_back(told_in, "why did i lose my job?") == [("you", "said", "the", "company", "went", "bust")]


def test_who_they_are_seeing_is_a_name_they_wrote_not_a_place_and_round_a_place_says_where():
    names = {("taylor", "swift"), ("wembley",)}
    told_in = _told("i'm going to a concert on saturday", "it's Taylor Swift at Wembley", names=names)[1]
    assert told_back(told_in, "who am i seeing?", names=names) == [("you", "said", "your", "concert", "is", "taylor",
                                                                    "swift", "at", "wembley")]
    names = {("lisbon",)}
    told_in = _told("i just got engaged", "the wedding will be in Lisbon", names=names)[1]
    assert ("you", "said", "the", "wedding", "will", "be", "in", "lisbon") not in told_back(
        told_in, "who did i get engaged to?", names=names)
    told_in = _told("i bought a camper van last summer", "we took it round Scotland in august")[1]
    assert told_back(told_in, "where did we take it?") == [("you", "said", "you", "took", "your", "camper", "van",
                                                           "round", "scotland", "in", "august")]


def test_who_they_go_with_is_someone_of_theirs_not_whom_they_see():
    names = {("coldplay",), ("zara",)}
    told_in = _told("i'm going to see Coldplay in concert on saturday", "i'm going with my friend Zara",
                    names=names)[1]
    assert told_back(told_in, "who am i going with?", names=names) == [("you", "said", "you're", "going", "with",
                                                                        "your", "friend", "zara")]


def test_a_thing_run_or_done_is_no_name_and_no_thing_the_user_is():
    told_in = _told("i run a dog walking business", "my favourite is a husky called Blue")[1]
    assert misplaced("Your dog is called business.", told_in, "which dog is my favourite?")
    assert misplaced("Your dog is called run.", told_in, "which dog is my favourite?")
    told_in = _told("i go before work at 6am", "i'm doing a couch to 5k too")[1]
    assert misplaced("You said you're a couch.", told_in, "what else am i doing?")
    assert not misplaced("You said you're doing a couch to 5k too.", told_in, "what else am i doing?")


def test_the_rules_narrowed_in_session_38_keep_what_they_had_said_right():
    # a word before a favourite kind is no "which one"; "what is ..." asks no "which"
    told_in = _told("if i had to pick one single drink it would be limifin")[1]
    assert not misplaced("Your favourite drink is limifin.", told_in, "which drink tops my list?")
    told_in = _told("my closest friend is Quillon")[1]
    assert not misplaced("Your friend is called Quillon.", told_in, "what is my friend's name?")
    # "what time is it?" asks a time, not what "it" is
    told_in = _told("i've got a job interview on monday at 11", "it's for a receptionist job at a hotel")[1]
    assert told_back(told_in, "what time is it?") == [("you", "said", "you've", "got", "a", "job", "interview", "on",
                                                       "monday", "at", "11")]
    told_in = _told("i bought a camper van last summer", "we named it Bertha")[1]
    assert told_back(told_in, "what's it called?", loose=True) == [("you", "said", "you", "named", "your", "camper",
                                                                    "van", "bertha")]
    assert told_back(_told("we're having twins in the spring", "a boy and a girl")[1], "are they boys or girls?") == [
        ("you", "said", "a", "boy", "and", "a", "girl")]
    told_in = _told("i'm going to see Coldplay in concert on saturday")[1]
    assert not misplaced("You said you would see Coldplay.", told_in, "who am i going to see?")


def test_a_price_in_words_the_hardest_one_why_and_how_a_thing_broke_are_asked_back():
    told_in = _told("i need to fix my bike", "i bought a new chain from Halfords for twelve pounds")[1]
    assert told_back(told_in, "how much did it cost?") == [("you", "said", "you", "bought", "a", "new", "chain", "from",
                                                            "halfords", "for", "twelve", "pounds")]
    told_in = _told("i've got exams next month", "chemistry is the hardest one, biology is the easiest")[1]
    hardest = [("you", "said", "chemistry", "is", "the", "hardest", "one", ",", "biology", "is", "the", "easiest")]
    assert told_back(told_in, "which exam is the hardest?") == told_back(told_in, "which one is easiest?") == hardest
    told_in = _told("i'm moving to canada in the spring", "my company is sending me to the toronto office")[1]
    assert told_back(told_in, "why am i moving?") == [("you", "said", "your", "company", "is", "sending", "you", "to",
                                                       "the", "toronto", "office")]
    told_in = _told("my laptop screen cracked", "i dropped it on the stairs")[1]
    assert told_back(told_in, "how did it break?") == [("you", "said", "you", "dropped", "it", "on", "the", "stairs")]
    assert told_back(told_in, "how did it go?") == []  # a verdict, which nobody told
    told_in = _told("i'm going with my friend Siobhan from uni")[1]
    assert told_back(told_in, "how do i know her?") == [("you", "said", "you're", "going", "with", "your", "friend",
                                                         "siobhan", "from", "uni")]


def test_a_team_named_by_we_a_school_a_year_a_curry_and_a_restated_job_are_asked_back():
    told_in = _told("i play in a five a side team on sundays", "we're called the Dynamo Donkeys")[1]
    assert told_back(told_in, "what's our team called?", loose=True) == [
        ("you", "said", "your", "team", "is", "called", "the", "dynamo", "donkeys")]
    told_in = _told("i'm a second year at leeds uni", "studying civil engineering")[1]
    at_uni = [("you", "said", "you're", "a", "second", "year", "at", "leeds", "uni")]
    assert told_back(told_in, "where do i study?") == told_back(told_in, "what year am i in?") == at_uni
    # a sentence that opens with a doing is the user's doing, said back so
    assert told_back(told_in, "what do i study?") == [("you", "said", "you're", "studying", "civil", "engineering")]
    assert cut_short("second", told_in)  # of "second year"
    told_in = _told("i'm cooking a curry tonight for six people", "it's a lamb rogan josh")[1]
    assert told_back(told_in, "what kind of curry is it?") == [("you", "said", "your", "curry", "is", "a", "lamb",
                                                                "rogan", "josh")]
    told_in = _told("i'm a vet", "sorry, i mean i'm a vet nurse")[1]
    assert told_back(told_in, "what's my job?") == [("you", "said", "you're", "a", "vet", "nurse")]


def test_a_books_name_a_ward_a_sons_friend_and_where_they_grew_up_are_not_stated_as_other_things():
    told_in = _told("i'm reading a book called The Overstory by Richard Powers")[1]
    assert misplaced("You said you're an Overstory.", told_in, "what am i reading?")
    assert not misplaced("You're Hattie.", _told("i'm called Hattie")[1], "what am i called?")
    assert misplaced("You said you're a nurse.", _told("i work as a nurse on a children's ward")[1],
                     "which ward do i work on?")
    told_in = _told("my son just turned six", "his best friend is called Alfie")[1]
    assert misplaced("Your best friend is Alfie.", told_in, "who is my son's best friend?")
    assert not misplaced("Your son's best friend is Alfie.", told_in, "who is my son's best friend?")
    told_in = _told("i live in Bristol but i grew up in Cornwall")[1]
    assert misplaced("You said you live in Bristol.", told_in, "where did i grow up?")
    assert not misplaced("You said you live in Bristol.", told_in, "where do i live?")


def test_the_users_own_name_is_no_pets_and_a_decline_says_whose_name_was_not_told():
    told_in = _told("my name is Harriet", "everyone calls me Hattie")[1]
    assert misplaced("Your dog is called Hattie.", told_in, "what's my dog called?")
    assert misplaced("It's Hattie, your dog.", told_in, "what's my dog called?")
    assert told_back(told_in, "what's my dog called?", loose=True) == []
    assert told_back(told_in, "what's my sister called?") == []
    assert told_back(told_in, "what's my name?", loose=True) == [("you", "said", "your", "name", "is", "harriet")]
    assert decline_starts("what's my dog called?")[:2] == ["you didn't tell me your dog's name.",
                                                           "you didn't tell me your dog"]
    assert decline_starts("where do i live?") == [DECLINE]
    # of the one possessed: "my sister's boyfriend" is his name, not hers
    assert decline_starts("what's my sister's boyfriend called?")[0] == "you didn't tell me your sister's boyfriend's name."
    # a decline of a favourite, of another someone or of the user's own name does not decline what is asked
    assert declines_other("You didn't tell me your favourite dog.", "what's my dog called?")
    assert declines_other("I don't know your friend's name, you never told me.", "what's my sister called?")
    assert declines_other("You didn't tell me your name.", "what's my boss called?")
    assert not declines_other("You didn't tell me your sister's name.", "what's my sister called?")
    assert not declines_other("You didn't tell me your name.", "what's my name?")
    assert declines_other("Sorry, I don't know your friend's name, you never said.", "what app do i use?")
    hypotheses, texts = _pool("I don't know your friend's name, you never told me.",
                              "You didn't tell me your sister's name.")
    priors = [h.prior for h in ground(hypotheses, texts, set(), told_in, "what's my sister called?")]
    assert priors == [-UNTOLD_VALUE, 0.0]


def test_the_names_of_two_kids_a_corrected_month_and_what_we_are_trying_for_are_said_back_as_told():
    told_in = _told("ive got two kids", "my son is called Arlo and he's 8", "my daughter is called Wren and she's 5")[1]
    assert misplaced("Your daughter's name is Arlo.", told_in, "what's my daughter's name?")
    assert not misplaced("Your daughter's name is Wren.", told_in, "what's my daughter's name?")
    assert misplaced("You said your son is called Arlo.", told_in, "what are my kids called?")
    # a question that names him ("how old is arlo?") tells nothing of whose name it is
    asked_in = _told("my son is called Arlo and he's 8", "how old is arlo?")[1]
    assert misplaced("Your daughter's name is Arlo.", asked_in, "what's my daughter's name?")
    assert told_back(told_in, "what are my kids called?") == [("you", "said", "your", "son", "is", "called", "arlo",
                                                                "and", "your", "daughter", "is", "called", "wren")]
    told_in = _told("i'm going to Iceland in february", "actually it's march, not february",
                    "we're hoping to see the northern lights")[1]
    assert told_back(told_in, "when am i going to iceland?") == [("you", "said", "you're", "going", "to", "iceland",
                                                                   "in", "march")]
    assert told_back(told_in, "who am i going with?") == []  # nobody was named
    # only the newest sentence that said the month is put right
    told_in = _told("my birthday is in february", "i'm going to Iceland in february",
                    "actually it's march, not february")[1]
    assert told_back(told_in, "when am i going to iceland?") == [("you", "said", "you're", "going", "to", "iceland",
                                                                   "in", "march")]
    assert told_back(told_in, "when is my birthday?") != [("you", "said", "your", "birthday", "is", "in", "march")]
    told_in = _told("my partner and i are trying for a baby", "we've been trying for about a year")[1]
    assert told_back(told_in, "what are we trying for?") == [("you", "said", "your", "partner", "and", "you", "are",
                                                               "trying", "for", "a", "baby")]
    told_in = _told("i'm starting a new diet today", "no sugar for a month")[1]
    assert told_back(told_in, "how long is the diet for?") == told_back(told_in, "what can't i have?") == [
        ("you", "said", "no", "sugar", "for", "a", "month")]


def test_who_does_a_thing_to_her_how_she_looks_which_cars_and_where_things_are_kept_are_asked_back():
    told_in = _told("my grandma turns 100 next week", "the king is sending her a card")[1]
    asked = resolved("who is sending her a card?", told_in, set())
    assert asked == "who is sending my grandma a card ?"  # her, not hers
    assert told_back(told_in, asked) == [("you", "said", "the", "king", "is", "sending", "her", "a", "card")]
    told_in = _told("my cat Luna went missing on tuesday", "she's a grey tabby with a white chest")[1]
    assert told_back(told_in, "what does she look like?") == [("you", "said", "your", "cat", "is", "a", "grey",
                                                                "tabby", "with", "a", "white", "chest")]
    told_in = _told("i'm thinking of buying an electric car", "i'm looking at a Kia Niro or a Tesla Model 3")[1]
    assert told_back(told_in, "which cars am i looking at?") == [("you", "said", "you're", "looking", "at", "a", "kia",
                                                                  "niro", "or", "a", "tesla", "model", "3")]
    told_in = _told("i collect vinyl records", "my rarest one is a first pressing of Abbey Road",
                    "i keep them in my spare room")[1]
    assert told_back(told_in, "where do i keep them?") == [("you", "said", "you", "keep", "them", "in", "your",
                                                            "spare", "room")]  # them, not my rarest one
    told_in = _told("my neighbour's tree fell on my shed in the storm", "the shed roof is completely smashed")[1]
    assert told_back(told_in, "what happened to the shed roof?") == [("you", "said", "the", "shed", "roof", "is",
                                                                      "completely", "smashed")]
    told_in = _told("im doing a charity bike ride from london to paris in june")[1]
    assert told_back(told_in, "where am i cycling to?") == [("you", "said", "you're", "doing", "a", "charity", "bike",
                                                             "ride", "from", "london", "to", "paris", "in", "june")]
    told_in = _told("i've just started a new job as a data analyst", "it's at an insurance company in Norwich")[1]
    assert told_back(told_in, "where is it?") == [("you", "said", "your", "new", "job", "is", "at", "an", "insurance",
                                                   "company", "in", "norwich")]


def test_a_favourites_deed_a_dish_and_a_job_to_a_kind_of_restaurant_are_not_what_was_asked():
    told_in = _told("my favourite bakery does gluten free brownies though")[1]
    assert misplaced("You said brownies is your favourite bakery.", told_in, "what does my favourite bakery do?")
    told_in = _told("im a chef at an italian restaurant in glasgow", "my signature dish is a truffle risotto")[1]
    assert misplaced("You work as a truffle risotto.", told_in, "what kind of restaurant do i work at?")
    assert misplaced("You work as a chef.", told_in, "what kind of restaurant do i work at?")
    assert not misplaced("You work as a chef.", told_in, "what do i do?")


def test_with_whom_a_thing_looked_for_and_the_thing_after_my_husband_and_i_are_read_as_told():
    told_in = _told("i'm going hiking in the Alps next month", "with my brother")[1]
    assert told_back(told_in, "who am i going with?") == [("you", "said", "with", "your", "brother")]
    told_in = _told("i lost my job last week", "i'm looking for something new in sales")[1]
    assert told_back(told_in, "what kind of job am i looking for?") == [("you", "said", "you're", "looking", "for",
                                                                         "something", "new", "in", "sales")]
    told_in = _told("my husband and i are renovating an old farmhouse", "it's in Cornwall, near the sea")[1]
    assert told_back(told_in, "where is it?") == [("you", "said", "your", "old", "farmhouse", "is", "in", "cornwall",
                                                   ",", "near", "the", "sea")]
    # "and i have" after a clause of the user's is a clause of its own
    told_in = _told("i'm a vet in Porto and i have three cats")[1]
    assert told_back(told_in, "how many cats do i have?") == [("you", "said", "you", "have", "three", "cats")]


def test_a_thing_just_bought_a_trip_back_a_name_told_of_someone_and_a_dog_remembered_are_asked_back():
    told_in = _told("my brother Kofi is a pilot", "he's just bought a flat in Brighton", names={("kofi",)})[1]
    assert told_back(told_in, "where has kofi bought a flat?", names={("kofi",)}) == [
        ("you", "said", "your", "brother", "kofi", "has", "just", "bought", "a", "flat", "in", "brighton")]
    told_in = _told("i've just got back from a week in crete", "we stayed in a villa with a pool")[1]
    assert told_back(told_in, "where have i been?") == [("you", "said", "you've", "just", "got", "back", "from", "a",
                                                         "week", "in", "crete")]
    assert told_back(told_in, "how long was i away?") == told_back(told_in, "where have i been?")
    names = {("jodie",)}
    told_in = _told("my flatmate keeps eating my food", "her name is Jodie", names=names)[1]
    assert told_back(told_in, "what does jodie keep doing?", names=names) == [
        ("you", "said", "your", "flatmate", "keeps", "eating", "your", "food")]
    told_in = _told("i'm a season ticket holder at Leeds United", "my seat is in the south stand")[1]
    assert told_back(told_in, "which team do i support?") == [("you", "said", "you're", "a", "season", "ticket",
                                                               "holder", "at", "leeds", "united")]
    # "remember my dog Rufus?" is said back never, but he is whom "he" speaks of next
    told_in = _told("remember my dog Rufus?", "he had surgery on his leg yesterday", names={("rufus",)})[1]
    assert told_back(_told("my dog has had surgery", "the vet said he has to rest for six weeks")[1],
                     "who said my dog has to rest?") == [("you", "said", "the", "vet", "said", "he", "has", "to",
                                                          "rest", "for", "six", "weeks")]
    assert told_back(told_in, "what did rufus have?", names={("rufus",)}) == [
        ("you", "said", "your", "dog", "rufus", "had", "surgery", "on", "his", "leg", "yesterday")]


def test_he_after_a_new_neighbour_is_the_neighbour_who_he_is_is_his_name_and_for_free_is_a_price():
    told_in = _told("i've got a new neighbour", "he's called Bartek and he's from Poland", "he's a plumber",
                    "he fixed our boiler last week for free")[1]
    assert told_back(told_in, "who is my new neighbour?") == [("you", "said", "your", "new", "neighbour", "is",
                                                               "called", "bartek")]
    assert told_back(told_in, "what does my new neighbour do?") == [("you", "said", "your", "new", "neighbour", "is",
                                                                     "a", "plumber")]
    assert told_back(told_in, "how much did my new neighbour charge?") == [
        ("you", "said", "your", "new", "neighbour", "fixed", "your", "boiler", "last", "week", "for", "free")]


def test_is_it_so_hears_back_what_was_said_of_it():
    told_in = _told("i'm organising a surprise party for my husband", "don't tell him, it's a secret")[1]
    assert told_back(told_in, "is it a secret?") == [("you", "said", "don't", "tell", "him", ",", "it's", "a",
                                                      "secret")]
    assert told_back(told_in, "is it raining?") == []


def test_a_best_time_shifts_of_nights_how_someone_feels_and_a_name_a_car_was_never_given():
    told_in = _told("i do parkrun every saturday morning", "my best time is 27 minutes")[1]
    assert told_back(told_in, "what's my best time?") == [("you", "said", "your", "best", "time", "is", "27",
                                                           "minutes")]
    told_in = _told("my girlfriend is a midwife", "she's on nights this week")[1]
    assert told_back(told_in, "what shifts is my girlfriend on?") == [("you", "said", "your", "girlfriend", "is", "on",
                                                                        "nights", "this", "week")]
    told_in = _told("my son has chickenpox", "he's really itchy and grumpy")[1]
    assert told_back(told_in, "how is my son feeling?") == [("you", "said", "your", "son", "is", "really", "itchy",
                                                             "and", "grumpy")]
    told_in = _told("my car failed its MOT today", "it needs new brake pads and a tyre")[1]
    assert misplaced("You named your car MOT.", told_in, "what does my car need?")


def test_a_business_run_a_third_fail_a_favourite_named_by_the_sentence_before_and_when_it_is_due():
    told_in = _told("my wife and i run a bed and breakfast in the cotswolds", "my wife does the cooking")[1]
    assert told_back(told_in, "what do i do?") == [("you", "said", "your", "wife", "and", "you", "run", "a", "bed",
                                                    "and", "breakfast", "in", "the", "cotswolds")]
    assert misplaced("You said you're a bed.", told_in, "what do i do?")
    told_in = _told("i failed my driving test again", "i clipped the kerb on a roundabout", "it's my third fail")[1]
    assert told_back(told_in, "how many times have i failed?") == [("you", "said", "it's", "your", "third", "fail")]
    told_in = _told("i've been learning to bake bread during lockdown", "my favourite is a sourdough with olives")[1]
    assert told_back(told_in, "what's my favourite bread?") == [("you", "said", "your", "favourite", "is", "a",
                                                                 "sourdough", "with", "olives")]
    assert misplaced("Your favourite bread is lockdown.", told_in, "what's my favourite bread?")
    # a supervisor is someone, so "it" is not the supervisor
    told_in = _told("my dissertation is on sleep and memory", "my supervisor is Dr Reid", "it's due in august")[1]
    assert told_back(told_in, "when is it due?") == [("you", "said", "it's", "due", "in", "august")]


def test_whats_wrong_hears_back_a_fault_that_goes_on_from_the_thing_and_i_need_is_no_past():
    told_in = _told("i need to fix my bike", "the chain keeps slipping", "i bought a new chain from Halfords")[1]
    assert told_back(told_in, "what's wrong with my bike?") == [("you", "said", "the", "chain", "keeps", "slipping")]
    told_in = _told("i needed stitches after the fall")[1]
    assert told_back(told_in, "what happened?") == [("you", "said", "you", "needed", "stitches", "after", "the",
                                                     "fall")]


def test_her_name_after_someone_spoken_of_is_theirs_and_not_the_users_own():
    # "her" is the one someone of the user's the sentence before spoke of, even not first
    told_in = _told("i have a meeting with my manager at 3 about a pay rise", "her name is Joanne")[1]
    assert told_back(told_in, "what's my manager's name?") == [("you", "said", "your", "manager's", "name", "is",
                                                                "joanne")]
    # and stays her through a sentence that speaks of her as "her"
    told_in = _told("my wife's birthday is on the 9th of june", "i'm getting her a pair of earrings",
                    "her favourite flowers are peonies", "she's called lucia")[1]
    assert told_back(told_in, "what's my wife's name?") == [("you", "said", "your", "wife", "is", "called", "lucia")]
    assert told_back(told_in, "what are my wife's favourite flowers?") == [
        ("you", "said", "your", "wife's", "favourite", "flowers", "are", "peonies")]
    assert misplaced("Your favourite flower is peonies.", told_in, "what are my wife's favourite flowers?")
    # not "her" of whose it is: "i'm her maid of honour" keeps its "her"
    told_in = _told("my sister's wedding is next saturday", "i'm her maid of honour")[1]
    assert told_back(told_in, "what am i at the wedding?") == [("you", "said", "you're", "her", "maid", "of", "honour")]
    # "her name is" tells a friend's name, not the user's; a place told after "in" is no name
    told_in = _told("my best friend lives in Toronto now", "she moved there in 2019 for work", "her name is Siobhan")[1]
    assert not misplaced("Your best friend is called Siobhan.", told_in, "what's my best friend called?")
    assert misplaced("Your best friend is Toronto.", told_in, "what's my best friend called?")
    assert misplaced("You mentioned your friend Toronto.", told_in, "why did my best friend move?")
    assert told_back(told_in, "why did my best friend move?") == [("you", "said", "your", "best", "friend", "moved",
                                                                   "there", "in", "2019", "for", "work")]


def test_a_time_a_symptom_an_old_one_and_what_someone_is_like_are_asked_back():
    told_in = _told("i take my cat to the vet on thursday", "she's been sneezing a lot")[1]
    assert misplaced("Your cat is called thursday.", told_in, "what's wrong with my cat?")
    assert told_back(told_in, "what's wrong with my cat?") == [("you", "said", "your", "cat", "has", "been",
                                                                "sneezing", "a", "lot")]
    # why: what goes on of the cat the sentence before spoke of
    assert told_back(told_in, "why am i taking my cat to the vet?") == [("you", "said", "your", "cat", "has", "been",
                                                                         "sneezing", "a", "lot")]
    told_in = _told("i just got a new phone, a Pixel 8", "my old one was an iPhone 11 but the screen cracked")[1]
    old = [("you", "said", "your", "old", "phone", "was", "an", "iphone", "11", "but", "the", "screen", "cracked")]
    assert told_back(told_in, "what was my old phone?") == old
    assert told_back(told_in, "what happened to my old phone?") == old
    assert told_back(told_in, "what phone did i get?") == [("you", "said", "you", "just", "got", "a", "new", "phone",
                                                            ",", "a", "pixel", "8")]
    told_in = _told("my instructor is called Gareth and he's very patient")[1]
    assert told_back(told_in, "what is gareth like?") == [("you", "said", "your", "instructor", "is", "very",
                                                           "patient")]
    told_in = _told("i've been feeling tired a lot lately", "my doctor says i'm low on iron")[1]
    assert misplaced("It's iron, your doctor.", told_in, "what did my doctor say?")
    assert not misplaced("It's red, your car.", _told("my car is a red volvo")[1], "what colour is my car?")


def test_seen_live_where_it_went_on_whats_for_dinner_and_whose_it_is():
    told_in = _told("my favourite band is Radiohead", "i saw them live in 2017 in Manchester")[1]
    assert "home" not in told_in[1].topics  # "live" of a band seen is no home
    assert told_back(told_in, "where did i see them live?") == [("you", "said", "you", "saw", "your", "favourite",
                                                                 "band", "live", "in", "2017", "in", "manchester")]
    told_in = _told("i broke my wrist skiing in February", "i fell on an icy slope in Andorra")[1]
    assert told_back(told_in, "where was i skiing?") == [("you", "said", "you", "fell", "on", "an", "icy", "slope",
                                                          "in", "andorra")]
    told_in = _told("im making lasagne for dinner tonight", "my flatmate priya is vegetarian",
                    "she's bringing garlic bread")[1]
    assert told_back(told_in, "what's for dinner?") == [("you", "said", "you're", "making", "lasagne", "for",
                                                         "dinner", "tonight")]
    assert told_back(told_in, "what is priya bringing?") == [("you", "said", "your", "flatmate", "is", "bringing",
                                                              "garlic", "bread")]
    told_in = _told("i'm going to a wedding in york on saturday", "it's my cousin sams wedding")[1]
    assert told_back(told_in, "whose wedding is it?") == [("you", "said", "it's", "your", "cousin", "sams",
                                                           "wedding")]
    told_in = _told("i'm saving up for a new bike", "it's a Trek road bike that costs 1200 pounds")[1]
    assert told_back(told_in, "what make is the bike?")[0][:6] == ("you", "said", "your", "new", "bike", "is")


def test_who_used_to_be_is_no_take_back_and_a_his_looks_back_to_someone_of_the_user():
    told_in = _told("the teacher is an old guy called Bernard who used to be a sculptor")[1]
    assert not told_in[0].denied  # a clause of Bernard's past takes nothing back
    assert told_back(told_in, "who is the teacher?") == [("you", "said", "the", "teacher", "is", "an", "old", "guy",
                                                          "called", "bernard", "who", "used", "to", "be", "a",
                                                          "sculptor")]
    assert _told("my favourite colour used to be blue")[1][0].denied == {"blue"}
    told_in = _told("my kitchen is being redone", "it should be finished by the end of the month")[1]
    assert told_back(told_in, "when should it be finished?") == [("you", "said", "your", "kitchen", "should", "be",
                                                                  "finished", "by", "the", "end", "of", "the", "month")]
    assert told_back(told_in, "what should i cook?") == []  # advice, not what was told
    told_in = _told("my boyfriend and i are going to Iceland in march", "we want to see the northern lights",
                    "we're staying in Reykjavik for five nights", "his name is Jamal")[1]
    assert told_back(told_in, "what's my boyfriend called?") == [("you", "said", "your", "boyfriend's", "name", "is",
                                                                  "jamal")]


def test_a_value_of_one_word_a_stored_pair_shares_is_still_the_users():
    told, told_in = _told("i'm going to see Hamilton in London on the 20th")
    hypotheses, texts = _pool("You didn't tell me your plans for london.", "You said you would see hamilton.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what am i going to see?", {"see", "run"})]
    assert priors[1] == ABOUT_VALUE  # "see" of a stored pair's answer does not make "see hamilton" the pair's
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what am i going to see?", {"see", "hamilton"})]
    assert priors[1] == 0.0  # all of it is: the pair's to weigh


def test_a_newborn_a_hurt_part_a_thought_of_theirs_and_what_is_now_are_asked_back():
    told_in = _told("my sister just had a baby girl", "she was born on tuesday and weighs 7 pounds",
                    "i'm her godmother")[1]
    assert told_back(told_in, "when was the baby born?") == [("you", "said", "your", "sister's", "baby", "girl", "was",
                                                              "born", "on", "tuesday", "and", "weighs", "7", "pounds")]
    assert told_back(told_in, "what am i to the baby?") == [("you", "said", "you're", "her", "godmother")]
    told_in = _told("i went to the doctor about my knee", "she thinks i've torn a ligament",
                    "i have to have an mri scan next tuesday", "i hurt it playing netball")[1]
    assert told_back(told_in, "how did i hurt my knee?") == [("you", "said", "you", "hurt", "your", "knee", "playing",
                                                              "netball")]
    assert told_back(told_in, "what does she think?") == [("you", "said", "the", "doctor", "thinks", "you've", "torn",
                                                           "a", "ligament")]  # she, the doctor
    told_in = _told("i'm trying to cut down on coffee", "i used to drink five cups a day, now it's two",
                    "how many cups did i used to drink?")[1]
    assert not told_in[-1].denied  # a question takes nothing back
    assert told_back(told_in, "how many do i drink now?") == [("you", "said", "you", "used", "to", "drink", "five",
                                                               "cups", "a", "day", ",", "now", "it's", "two")]
    told_in = _told("my dad has just retired", "he was a postman for 35 years", "he's 66")[1]
    assert told_back(told_in, "how old is my dad?") == [("you", "said", "your", "dad", "is", "66")]
    told_in = _told("i'm allergic to cats but my girlfriend has two", "their names are Salt and Pepper")[1]
    assert told_back(told_in, "what are the cats called?") == [("you", "said", "the", "cats", "are", "called", "salt",
                                                                "and", "pepper")]


def test_when_it_happened_where_and_for_how_much_it_was_bought_and_what_food_a_place_does():
    told_in = _told("my car got broken into last night", "they smashed the passenger window and took my sat nav")[1]
    assert told_back(told_in, "when did it happen?") == [("you", "said", "your", "car", "got", "broken", "into",
                                                          "last", "night")]
    told_in = _told("we're doing up an old campervan", "it's a 1978 vw and it's bright orange",
                    "we bought it off ebay for 4000 quid")[1]
    bought = [("you", "said", "you", "bought", "your", "old", "campervan", "off", "ebay", "for", "4000", "quid")]
    assert told_back(told_in, "where did we buy it?") == bought
    assert told_back(told_in, "how much did we pay for it?") == bought
    told_in = _told("my favourite restaurant is a Thai place called Baan Suan", "we go there every anniversary")[1]
    assert told_back(told_in, "what kind of food does it do?") == [("you", "said", "your", "favourite", "restaurant",
                                                                    "is", "a", "thai", "place", "called", "baan",
                                                                    "suan")]
    # a name said of someone by the way counts for what is said of them as "she", not for all they did
    told_in = _told("my neighbour Doris feeds my cat when i'm away", "she's eighty-two and very sharp")[1]
    assert told_back(told_in, "what does doris do for me?") == [("you", "said", "your", "neighbour", "doris", "feeds",
                                                                 "your", "cat", "when", "you're", "away")]


def test_a_name_asked_hears_a_sentence_that_names_and_a_favourite_one_of_a_favourite():
    told_in = _told("my best mate Kwame is getting married in Ghana in december", "i'm flying out with my girlfriend",
                    "we're staying for two weeks", names={("kwame",), ("ghana",)})[1]
    assert told_back(told_in, "what's my girlfriend called?") == []  # named nowhere: nothing to say back
    assert told_back(told_in, "when is it?", names={("kwame",), ("ghana",)}) == [
        ("you", "said", "your", "best", "mate", "kwame", "is", "getting", "married", "in", "ghana", "in", "december")]
    told_in = _told("i'm organising a surprise party for my husband's 50th")[1]
    assert told_back(told_in, "what's my husband's favourite food?") == []
    told_in = _told("i do volunteering at a food bank")[1]
    assert told_back(told_in, "how long have i been volunteering?") == []  # says no time
    told_in = _told("my daughter Freya has just started secondary school", "her favourite subject is art")[1]
    assert misplaced("It's art, your favourite subject.", told_in, "what's my daughter's favourite subject?")
    told_in = _told("hello, i'm Priyanka but my friends call me Pree")[1]
    assert not misplaced("Your name is Pree.", told_in, "what do my friends call me?")


def test_a_lead_to_news_a_thing_done_a_reason_of_theirs_and_a_correction_without_a_comma():
    told_in = _told("actually i wanted to tell you, i've passed my driving test!", "i passed on my third attempt")[1]
    assert told_back(told_in, "what have i passed?") == [("you", "said", "you've", "passed", "your", "driving",
                                                          "test")]
    told_in = _told("i bake cakes for a living")[1]
    assert misplaced("You said you're a cakes.", told_in, "what do i do for a living?")
    told_in = _told("we're moving to Bristol in the summer", "my wife got a job at the university there")[1]
    assert told_back(told_in, "why are we moving?") == [("you", "said", "your", "wife", "got", "a", "job", "at",
                                                         "the", "university", "there")]
    told_in = _told("we're moving to Bristol in the summer", "actually we're moving in september not the summer")[1]
    assert told_back(told_in, "when are we moving?") == [("you", "said", "you're", "moving", "to", "bristol", "in",
                                                          "september")]
    told_in = _told("i'm going to a festival this weekend", "it's Green Man in Wales")[1]
    assert told_back(told_in, "which festival is it?") == [("you", "said", "your", "festival", "is", "green", "man",
                                                            "in", "wales")]


def test_a_correction_inside_a_sentence_a_reason_going_on_now_a_charity_and_what_is_wrong_now():
    told_in = _told("my favourite colour is orange, no wait, it's burgundy")[1]
    assert len(told_in) == 2 and told_in[1].denied == {"orange"}  # the correction is a sentence of its own
    told_in = _told("my favourite season is autumn", "i love walking in the woods when the leaves change")[1]
    assert told_back(told_in, "what do i love doing in autumn?") == [("you", "said", "you", "love", "walking", "in",
                                                                      "the", "woods", "when", "the", "leaves",
                                                                      "change")]
    told_in = _told("i'm a bit stressed today", "my landlord is putting the rent up by 100 pounds a month")[1]
    assert told_back(told_in, "why am i stressed?") == [("you", "said", "your", "landlord", "is", "putting", "the",
                                                         "rent", "up", "by", "100", "pounds", "a", "month")]
    told_in = _told("i did it for a mental health charity called Mind", "my sister ran it with me")[1]
    assert told_back(told_in, "who did i do it for?") == [("you", "said", "you", "did", "it", "for", "a", "mental",
                                                           "health", "charity", "called", "mind")]
    assert told_back(told_in, "what's my sister's name?") == []  # Mind is a charity's name, not hers
    assert told_back(_told("we have three kids, two boys and a girl")[1], "what's my daughter called?") == []
    told_in = _told("so my phone screen is cracked", "i dropped it in the car park at tesco")[1]
    assert told_back(told_in, "what's wrong with my phone?") == [("you", "said", "your", "phone", "screen", "is",
                                                                  "cracked")]
    assert told_back(told_in, "how did it get cracked?") == [("you", "said", "you", "dropped", "your", "phone",
                                                              "screen", "in", "the", "car", "park", "at", "tesco")]
    told_in = _told("sorry i meant to say, my daughter's name is Ella, not Ellie",
                    "she's starting ballet on thursday")[1]
    assert told_back(told_in, "what is she starting?") == [("you", "said", "your", "daughter", "is", "starting",
                                                            "ballet", "on", "thursday")]
    told_in = _told("my son's football team won the cup", "he scored the winning goal", "the final was 2-1")[1]
    assert told_back(told_in, "what was the final score?") == [("you", "said", "the", "final", "was", "2-1")]


def test_what_is_not_done_an_occasion_a_hair_cut_a_teacher_met_by_a_and_a_deed_that_is_no_name():
    told_in = _told("i started a new diet on monday", "i'm not eating any sugar or bread")[1]
    assert not told_in[1].denied  # what they don't do takes nothing back
    assert told_back(told_in, "what am i not eating?") == [("you", "said", "you're", "not", "eating", "any", "sugar",
                                                            "or", "bread")]
    told_in = _told("i'm cooking a roast for ten people on sunday", "it's my parents' 40th wedding anniversary")[1]
    assert told_back(told_in, "what's the occasion?") == [("you", "said", "it's", "your", "parents", "'", "40th",
                                                           "wedding", "anniversary")]
    told_in = _told("i'm getting my hair cut tomorrow at 11")[1]
    assert told_back(told_in, "when is my haircut?") == [("you", "said", "you're", "getting", "your", "hair", "cut",
                                                          "tomorrow", "at", "11")]
    told_in = _told("i have lessons on zoom with a teacher in Seville", "her name is Carmen")[1]
    assert told_back(told_in, "what's my teacher's name?") == [("you", "said", "your", "teacher's", "name", "is",
                                                                "carmen")]
    told_in = _told("my grandson has just learnt to ride a bike", "he's called Reggie and he's five")[1]
    assert misplaced("Your grandson's name is learnt.", told_in, "what's my grandson called?")
    told_in = _told("my car is a blue Skoda Octavia", "it's done 90,000 miles")[1]
    assert told_back(told_in, "what colour is it?") == [("you", "said", "your", "car", "is", "a", "blue", "skoda",
                                                         "octavia")]
    assert told_back(told_in, "how many miles has it done?")[0][2:5] == ("your", "car", "has")
    told_in = _told("my mum is coming to stay next week", "she's flying in from Lagos on tuesday",
                    "she's staying for a month")[1]
    assert told_back(told_in, "when does she arrive?") == [("you", "said", "your", "mum", "is", "flying", "in",
                                                            "from", "lagos", "on", "tuesday")]
    # a pet is named by its breed: the question of its name hears it
    told_in = _told("i have a labrador called Bruno")[1]
    assert told_back(told_in, "what's my dog called?") == [("you", "said", "you", "have", "a", "labrador", "called",
                                                            "bruno")]
    told_in = _told("my exam is on monday", "wait, no, it's on tuesday")[1]
    assert told_back(told_in, "when is my exam?") == [("you", "said", "your", "exam", "is", "on", "tuesday")]


def test_a_name_of_one_gender_is_not_said_back_to_a_question_of_the_other_and_done_is_no_having():
    told_in = _told("my little boy lost his first tooth today", "he's six and his name is Alfie")[1]
    assert told_back(told_in, "what's my daughter's name?") == []  # his name is no daughter's
    told_in = _told("my car is a blue Skoda Octavia", "it's done 90,000 miles")[1]
    assert told_back(told_in, "what car do i have?", loose=True) == [("you", "said", "your", "car", "is", "a", "blue",
                                                                      "skoda", "octavia")]  # not what it has done


def test_a_home_one_calls_is_no_name_asked_and_a_name_with_a_digit_is_still_a_name():
    told_in = _told("i live in Spain")[1]
    assert not misplaced("You said you live in Spain.", told_in, "which place did i say i call home?")
    told_in = _told(("What's your turtle's name?", "We call it BB8"))[1]
    assert not misplaced("It's BB8, your turtle.", told_in, "what did i name my turtle?")
    assert misplaced("Your rabbit is called two.", _told("i have a cat and two rabbits")[1],
                     "what's my rabbit called?")


def test_it_is_never_the_builder_and_a_colour_asked_hears_the_colour_told():
    told_in = _told("we're redoing our kitchen", "the builder is called Marek", "it's costing us 12,000 pounds",
                    "we chose dark green cupboards")[1]
    assert told_back(told_in, "how much is the kitchen costing?") == [("you", "said", "your", "kitchen", "is",
                                                                       "costing", "you", "12,000", "pounds")]
    assert told_back(told_in, "who is the builder?") == [("you", "said", "the", "builder", "is", "called", "marek")]
    assert told_back(told_in, "what colour are the cupboards?") == [("you", "said", "you", "chose", "dark", "green",
                                                                     "cupboards")]
    told_in = _told("i lost my phone on the bus yesterday", "its an iphone 13 with a red case")[1]
    assert told_back(told_in, "what colour is the case") == []  # no question mark: no question put as one
    assert told_back(told_in, "what colour is the case?")[0][-3:] == ("a", "red", "case")


def test_who_does_a_thing_for_the_user_is_who_was_named_as_doing_it_and_a_word_after_them_is_no_name():
    names = {("mrs", "okafor")}
    told_in = _told("i started learning the cello in september", "my teacher is called Mrs Okafor",
                    "i practise for half an hour every evening", names=names)[1]
    assert told_back(told_in, "who teaches me?", names=names) == [("you", "said", "your", "teacher", "is", "called",
                                                                   "mrs", "okafor")]
    told_in = _told("i've taken up pottery", "my teacher says i'm a natural")[1]
    assert told_back(told_in, "what's my teacher called?") == []  # "says" is no name


def test_he_after_a_man_named_is_him_and_she_will_after_a_friend_named_is_her():
    names = {("stan",)}
    told_in = _told("the plot next to mine belongs to an old man called Stan", "he gives me loads of advice",
                    names=names)[1]
    assert told_back(told_in, "what does stan give me?", names=names) == [("you", "said", "stan", "gives", "you",
                                                                           "loads", "of", "advice")]
    names = {("priya",)}
    told_in = _told("it's my friend Priya's birthday on friday", "she'll be 30", names=names)[1]
    assert told_back(told_in, "how old will priya be?", names=names) == [("you", "said", "your", "friend", "priya",
                                                                          "will", "be", "30")]
    told_in = _told("my dad is in hospital at the moment", "he's at the Royal Infirmary",
                    "they think he'll be in for two weeks")[1]
    assert told_back(told_in, "how long will my dad be in for?") == [("you", "said", "they", "think", "your", "dad",
                                                                      "will", "be", "in", "for", "two", "weeks")]


def test_the_count_of_us_answers_how_many_people_and_what_a_named_one_does_is_asked_of_them():
    told_in = _told("i run a book club at the library", "we meet on the first tuesday of every month",
                    "there are eight of us")[1]
    assert told_back(told_in, "how many people are in the book club?")[0] == ("you", "said", "there", "are", "eight",
                                                                              "of", "you")
    names = {("clive",)}
    told_in = _told("our neighbour keeps parking across our drive", "his name is Clive", "he drives a white van",
                    names=names)[1]
    assert told_back(told_in, "what does clive drive?", names=names) == [("you", "said", "your", "neighbour",
                                                                          "drives", "a", "white", "van")]
    told_in = _told("i lost my phone on the bus yesterday", "its an iphone 13 with a red case",
                    "i reported it to the bus company")[1]
    assert [said[-3:] for said in told_back(told_in, "who did i report it to?")] == [("the", "bus", "company")]


def test_what_stands_beside_the_thing_asked_is_not_its_value():
    told_in = _told("i got an A in chemistry and a B in biology")[1]
    assert misplaced("It's chemistry.", told_in, "what did i get in biology?")
    assert not misplaced("It's biology.", told_in, "which subject did i get a B in?")
    told_in = _told("i've taken up pottery", "i go to a class on wednesday nights")[1]
    assert misplaced("Your teacher is called pottery.", told_in, "what's my teacher called?")
    told_in = _told("my dad is in hospital at the moment", "he's at the Royal Infirmary",
                    "they think he'll be in for two weeks")[1]
    assert [said[-3:] for said in told_back(told_in, "where is my dad?")] == [
        ("the", "royal", "infirmary"), ("at", "the", "moment")]  # "in for two weeks" says no where


def test_the_one_i_like_the_black_one_and_it_after_the_screen_are_the_thing_spoken_of():
    told_in = _told("i'm thinking of buying an electric bike", "the one i like is about 1500 pounds")[1]
    assert told_back(told_in, "how much is the bike i like?") == [("you", "said", "the", "bike", "you", "like", "is",
                                                                   "about", "1500", "pounds")]
    names = {("biscuit",), ("pepper",)}
    told_in = _told("we adopted two cats from the rescue centre", "the ginger one is Biscuit and the black one is Pepper",
                    names=names)[1]
    assert told_back(told_in, "what's the black cat called?", names=names)[0][-5:] == ("the", "black", "cat", "is",
                                                                                       "pepper")
    told_in = _told("my laptop broke", "the screen went black and it won't turn on",
                    "it's a dell and it's five years old")[1]
    assert told_back(told_in, "what kind of laptop is it?")[0][:7] == ("you", "said", "your", "laptop", "is", "a",
                                                                       "dell")
    assert misplaced("Your laptop is called broke.", told_in, "what's wrong with my laptop?")


def test_what_someone_thinks_a_school_gone_to_and_an_airport_flown_from_are_asked_back():
    told_in = _told("i've been feeling really tired lately", "the doctor thinks it might be my thyroid",
                    "i'm having a blood test on monday")[1]
    assert told_back(told_in, "what does the doctor think it might be?") == [
        ("you", "said", "the", "doctor", "thinks", "it", "might", "be", "your", "thyroid")]
    names = {("oliver",), ("hillside", "academy")}
    told_in = _told("my son Oliver has started secondary school", "he goes to Hillside Academy", names=names)[1]
    assert told_back(told_in, "which school does oliver go to?", names=names) == [
        ("you", "said", "your", "son", "oliver", "goes", "to", "hillside", "academy")]


def test_whom_i_care_for_a_year_and_a_price_paid_are_asked_back_and_another_named_names_no_one_asked():
    told_in = _told("i'm a carer for my husband", "he has parkinson's")[1]
    assert told_back(told_in, "who do i care for?") == [("you", "said", "you're", "a", "carer", "for", "your",
                                                         "husband")]
    told_in = _told("i bought a camper van", "it's a 2009 VW transporter", "i paid 18,000 for it")[1]
    assert told_back(told_in, "what year is the van?") == [("you", "said", "your", "camper", "van", "is", "a", "2009",
                                                            "vw", "transporter")]
    assert told_back(told_in, "how much did i pay for it?") == [("you", "said", "you", "paid", "18,000", "for", "it")]
    names = {("ravi",), ("wales",)}
    told_in = _told("my daughter is getting married in july", "her fiance is called Ravi",
                    "the wedding is at a castle in Wales", names=names)[1]
    assert told_back(told_in, "what's my daughter called?", names=names) == []  # his name, not hers
    assert told_back(told_in, "what's her fiance called?", names=names)[0][-3:] == ("is", "called", "ravi")
    names = {("sydney",)}
    told_in = _told("my brother lives in Sydney", "he's a chef at a seafood restaurant", names=names)[1]
    assert told_back(told_in, "what's my brother called?", names=names) == []  # Sydney is where, not who


def test_how_long_for_nights_and_since_a_lack_when_not_how_long_and_a_price_paid_each_month_are_asked_back():
    told_in = _told("were going camping in the peak district", "were going for four nights")[1]
    assert told_back(told_in, "how long are we going for?") == [("you", "said", "you're", "going", "for", "four",
                                                                 "nights")]
    told_in = _told("i'm doing dry january", "i've not had a drink for 12 days")[1]
    assert told_back(told_in, "how long since my last drink?")[0][-3:] == ("for", "12", "days")
    told_in = _told("i have a cleaner who comes on fridays", "she's called Bogdana", "she's been coming for three years",
                    names={("bogdana",)})[1]
    assert told_back(told_in, "when does my cleaner come?")[0][-2:] == ("on", "fridays")
    names = {("vodafone",)}
    told_in = _told("my phone contract ends next month", "i'm with Vodafone at the moment", "i pay 35 a month",
                    names=names)[1]
    assert told_back(told_in, "who am i with?", names=names) == [("you", "said", "you're", "with", "vodafone", "at",
                                                                  "the", "moment")]
    assert misplaced("Your name is Vodafone.", told_in, "who am i with?")
    assert told_back(told_in, "how much do i pay?") == [("you", "said", "you", "pay", "35", "a", "month")]


def test_what_festival_who_with_who_headlines_and_what_a_man_of_a_sentence_before_did_are_asked_back():
    names = {("green", "man"), ("fleet", "foxes")}
    told_in = _told("i'm going to a festival this weekend", "it's Green Man in wales",
                    "i'm camping with three friends from work", "the headliner is Fleet Foxes", names=names)[1]
    assert told_back(told_in, "what festival am i going to?", names=names)[0][2:7] == ("your", "festival", "is",
                                                                                       "green", "man")
    assert told_back(told_in, "who am i going with?", names=names)[0][-4:] == ("three", "friends", "from", "work")
    assert told_back(told_in, "who is headlining?", names=names) == [("you", "said", "the", "headliner", "is",
                                                                      "fleet", "foxes")]
    names = {("ray",), ("st", "peter's")}
    told_in = _told("my uncle Ray died last week", "he was 78", "the funeral is on thursday at St Peter's church",
                    "he was a fisherman all his life", names=names)[1]
    assert told_back(told_in, "what did my uncle do?", names=names)[0][-6:] == ("was", "a", "fisherman", "all", "his",
                                                                                "life")


def test_why_so_what_was_made_with_what_will_be_learnt_and_a_boyfriend_of_hers_unnamed():
    told_in = _told("i made a lasagne for dinner", "my mother in law is visiting",
                    "she's vegetarian so i made it with lentils")[1]
    assert told_back(told_in, "what did i make it with?")[0][-3:] == ("it", "with", "lentils")
    assert told_back(told_in, "why did i use lentils?") == [("you", "said", "your", "mother", "in", "law", "is",
                                                             "vegetarian", "so", "you", "made", "it", "with", "lentils")]
    told_in = _told("my sister is moving in with us for a bit", "she split up with her boyfriend",
                    "her name is Hannah", names={("hannah",)})[1]
    assert told_back(told_in, "why is my sister moving in?")[0][2:7] == ("your", "sister", "split", "up", "with")
    assert told_back(told_in, "what's my sister's boyfriend called?", names={("hannah",)}) == []  # her name, not his
    told_in = _told("i've booked a cookery course in Italy", "we'll learn to make fresh pasta")[1]
    assert told_back(told_in, "what will we learn to make?") == [("you", "said", "you'll", "learn", "to", "make",
                                                                  "fresh", "pasta")]


def test_how_long_from_a_job_two_sentences_back_whom_i_am_going_to_see_how_many_of_them_and_how_big():
    told_in = _told("im a retained firefighter", "i get paged when theres a call out", "ive been doing it for six years")[1]
    assert told_back(told_in, "how long have i been a firefighter?") == [("you", "said", "you've", "been", "doing",
                                                                          "it", "for", "six", "years")]
    told_in = _told("i'm flying to Perth next week to see my grandchildren", "i haven't seen them for two years",
                    "there are three of them")[1]
    assert told_back(told_in, "who am i going to see?")[0][-2:] == ("your", "grandchildren")
    assert told_back(told_in, "how many grandchildren do i have?") == [("you", "said", "there", "are", "three", "of",
                                                                        "them")]
    told_in = _told("i'm building a shed at the bottom of the garden", "it's 8 foot by 6")[1]
    assert told_back(told_in, "how big is it?") == [("you", "said", "your", "shed", "is", "8", "foot", "by", "6")]


def test_what_is_wrong_hears_a_lack_and_how_much_more_hears_another():
    names = {("smudge",)}
    told_in = _told("my cat Smudge hasn't been eating", "the vet thinks he has a bad tooth",
                    "he's having it out on wednesday", names=names)[1]
    assert told_back(told_in, "what's wrong with smudge?", names=names) == [("you", "said", "your", "cat", "smudge",
                                                                             "hasn't", "been", "eating")]
    told_in = _told("ive lost 9 pounds in a month", "im trying to lose another stone")[1]
    assert told_back(told_in, "how much more do i want to lose?")[0][-3:] == ("lose", "another", "stone")


def test_what_is_trained_for_what_he_did_who_is_not_keen_and_what_a_best_friend_does_are_said_back():
    told_in = _told("i'm training to be a paramedic", "i'm in my second year")[1]
    assert misplaced("You said you would be a paramedic.", told_in, "what am i training to be?")  # no plan
    assert told_back(told_in, "what am i training to be?") == [("you", "said", "you're", "training", "to", "be", "a",
                                                                "paramedic")]
    told_in = _told("my dad has just retired", "he was a postman for 40 years", "my mum is not keen")[1]
    assert resolved("what did he do?", told_in, set()) == "what did my dad do ?"  # a "he" is not my mum
    assert told_back(told_in, "who is not keen?") == [("you", "said", "your", "mum", "is", "not", "keen")]
    names = {("chloe",), ("leeds",)}
    told_in = _told("my best friend is called Chloe", "she lives in Leeds", "she's a midwife", names=names)[1]
    assert told_back(told_in, "what does my best friend do?", names=names) == [("you", "said", "your", "best",
                                                                                "friend", "is", "a", "midwife")]
    assert misplaced("Your best friend is Chloe.", told_in, "what does my best friend do?")
    told_in = _told("my daughter Ella has her driving test on friday", "she's failed it twice already",
                    names={("ella",)})[1]
    assert told_back(told_in, "how many times has she failed?", names={("ella",)})[0][2:7] == (
        "your", "daughter", "ella", "has", "failed")
    told_in = _told("i joined a gym last week", "my goal is to run 5k without stopping")[1]
    assert told_back(told_in, "how much does it cost?") == []  # a 5k run is no price
    # a question of when hears no favourite ("You said your favourite bake is sourdough." to "when do i bake?"), and
    # what a course is, not when it is
    told_in = _told("i bake bread every sunday", "my favourite is sourdough")[1]
    assert misplaced("You said your favourite bake is sourdough.", told_in, "when do i bake?") or misplaced(
        "Your favourite bake is sourdough.", told_in, "when do i bake?")
    told_in = _told("i'm doing a course in web design", "it's two evenings a week")[1]
    assert told_back(told_in, "what course am i doing?")[0][-3:] == ("in", "web", "design")
    # "gran" asks of "my grandmother"
    names = {("edith",)}
    told_in = _told("my grandmother turned 90 last week", "we had a lunch for her at the golf club", "her name is Edith",
                    names=names)[1]
    assert told_back(told_in, "what's my gran called?", names=names)[0][-2:] == ("is", "edith")
    # "who is she marrying?": the sentence that names someone
    names = {("ravi",), ("wales",)}
    told_in = _told("my daughter is getting married in july", "her fiance is called Ravi", names=names)[1]
    assert told_back(told_in, "who is my daughter marrying?", names=names) == [
        ("you", "said", "your", "daughter's", "fiance", "is", "called", "ravi")]
    # a name the vocabulary knows (so none the user is taken to have written) said as a possessive after someone
    told_in = _told("it's my friend Priya's birthday on friday", "she'll be 30")[1]
    assert told_back(told_in, "how old will priya be?") == [("you", "said", "your", "friend", "priya", "will", "be",
                                                             "30")]
    names = {("lukas",), ("mila",)}
    told_in = _told("my friend Lukas just had a baby girl", "her name is Mila", names=names)[1]
    assert told_back(told_in, "who had a baby?", names=names)[0][-4:] == ("had", "a", "baby", "girl")
    names = {("jade",)}
    told_in = _told("my hairdresser is called Jade", names=names)[1]
    assert told_back(told_in, "what's my barber called?", names=names) == [("you", "said", "your", "hairdresser",
                                                                            "is", "called", "jade")]
    # a wish is no job, and a sentence goes on from one a few back only where none between says what is asked
    told_in = _told("my dad has just retired", "he was a postman for 40 years",
                    "he wants to travel around scotland in a motorhome")[1]
    assert told_back(told_in, "what does my dad want to do?")[0][3:5] == ("dad", "wants")
    told_in = _told("im saving up for a house deposit", "ive got about 15 thousand so far", "we need 25 thousand")[1]
    assert told_back(told_in, "how much have i saved?")[0][-5:] == ("about", "15", "thousand", "so", "far")


def test_his_name_after_someone_of_no_gender_and_a_doer_named_are_asked_back():
    names = {("mr", "patel")}
    told_in = _told("my landlord is putting the rent up", "it's going from 900 to 975 a month",
                    "the new rent starts in january", "his name is Mr Patel", names=names)[1]
    assert told_back(told_in, "who is my landlord?", names=names) == [
        ("you", "said", "your", "landlord's", "name", "is", "mr", "patel")]
    told_in = _told("my boiler broke on monday", "the engineer is coming tomorrow at 9", "his name is Tom")[1]
    assert told_back(told_in, "what is the engineer called?") == [("you", "said", "the", "engineer's", "name", "is",
                                                                   "tom")]
    # "who interviewed me?": the one the doer's word names, not the interview
    told_in = _told("i had a job interview today", "it was for a receptionist job at a dental practice",
                    "the interviewer was called Helen")[1]
    assert told_back(told_in, "who interviewed me?") == [("you", "said", "the", "interviewer", "was", "called",
                                                          "helen")]
    # "what team?": the sentence that names the team the one before spoke of
    told_in = _told("my son plays in a football team", "the team is called Hilltop Rangers",
                    "they train on tuesday nights", "he plays in goal", "his coach is called Dave")[1]
    assert told_back(told_in, "what team does my son play for?") == [("you", "said", "the", "team", "is", "called",
                                                                      "hilltop", "rangers")]
    # "he" of the someone a sentence tells what is asked of: my son plays, his coach is only named
    assert resolved("what position does he play?", told_in, set()) == "what position does my son play ?"
    # none told: my son still, whose coach was only named (session 47; was the newest, the coach)
    assert resolved("how old is he?", told_in, set()) == "how old is my son ?"
    # an age not told is not heard back from a sentence that says none
    assert told_back(told_in, "how old is my son?") == []


def test_a_thing_given_to_someone_a_price_that_goes_on_and_an_unsayable_name_are_said_back():
    told_in = _told("my grandad is 90 on saturday", "we're throwing him a surprise party", "it's at the cricket club")[1]
    assert told_back(told_in, "where is the party?") == [("you", "said", "your", "surprise", "party", "is", "at", "the",
                                                          "cricket", "club")]
    told_in = _told("i've just started learning the violin", "lessons are on thursday evenings",
                    "they cost 25 pounds each")[1]
    assert told_back(told_in, "how much is a lesson?") == [("you", "said", "they", "cost", "25", "pounds", "each")]
    sayable = lambda word: word not in ("greyhound's", "engineer's")  # noqa: E731
    assert as_sayable("you said your rescue greyhound's name is pepper".split(), sayable) == [
        "you", "said", "your", "rescue", "greyhound", "is", "called", "pepper"]
    assert as_sayable("you said the engineer's name is tom".split(), sayable)[2:] == ["the", "engineer", "is",
                                                                                      "called", "tom"]


def test_a_reason_of_his_a_lack_a_favourite_of_another_kind_and_an_expected_time_are_asked_back():
    told_in = _told("ive got a new phone", "its a pixel 8", "i got it from my brother", "he upgraded to a newer one")[1]
    asked = resolved("why did he give it to me?", told_in, set())
    assert asked == "why did my brother give it to me ?"  # "he" beside "me" is still the brother
    assert told_back(told_in, asked) == [("you", "said", "your", "brother", "upgraded", "to", "a", "newer", "one")]
    told_in = _told("i broke my wrist skiing", "i have to wear a cast for six weeks", "i can't drive at the moment")[1]
    assert told_back(told_in, "what can't i do?") == [("you", "said", "you", "can't", "drive", "at", "the", "moment")]
    told_in = _told("my favourite band is Elbow", "i've seen them live five times")[1]
    assert told_back(told_in, "what's my favourite film?") == []
    assert told_back(told_in, "what's my favourite band?")[0][-2:] == ("is", "elbow")
    told_in = _told("we're having an extension built on the house", "it should take ten weeks")[1]
    assert told_back(told_in, "how long should it take?") == [("you", "said", "your", "extension", "should", "take",
                                                               "ten", "weeks")]  # not "your extension built"
    assert told_back(told_in, "what should it look like?") == []  # advice, not what was told
    assert decline_starts("how old is my son?")[0] == "you didn't tell me how old your son is."


def test_a_sister_one_has_a_price_paid_for_a_make_and_a_name_thought_of_are_asked_back():
    names = {("maya",)}
    told_in = _told("i have a sister called Maya", "she lives in Glasgow", names=names)[1]
    assert told_back(told_in, "where does maya live?", names=names) == [("you", "said", "your", "sister", "maya",
                                                                          "lives", "in", "glasgow")]
    told_in = _told("my husband and i are renovating a cottage", "it's in the Lake District",
                    "we bought it for 240,000")[1]
    assert told_back(told_in, "how much did we pay?")[0][-2:] == ("for", "240,000")
    assert told_back(_told("we booked the venue for 2027")[1], "how much did we pay?") == []  # a year, no sum
    told_in = _told("my washing machine is leaking", "it's only two years old", "it's a Bosch")[1]
    assert told_back(told_in, "what make is it?") == [("you", "said", "your", "washing", "machine", "is", "a",
                                                       "bosch")]
    names = {("robin",)}
    told_in = _told("my wife is pregnant", "we're thinking of calling it Robin either way", names=names)[1]
    assert told_back(told_in, "what might we call it?", names=names, loose=True)[0][-4:] == (
        "it", "robin", "either", "way")
    # a naming of another kind ("my running club is called ...") names no race; a thought is no reason; a year no age
    names = {("harriers",)}
    told_in = _told("im running a half marathon in october", "my running club is called the Harriers", names=names)[1]
    assert told_back(told_in, "what race am i running?", names=names)[0][3:5] == ("running", "a")
    told_in = _told("i went to the doctor about my knee", "she thinks i've torn a ligament")[1]
    assert told_back(told_in, "why did i go to the doctor?")[0][-3:] == ("about", "your", "knee")
    told_in = _told("my old campervan is a 1978 vw")[1]
    assert told_back(told_in, "how old is the campervan?")[0][-2:] == ("1978", "vw")


def test_a_favourite_told_of_one_kind_is_no_answer_to_a_favourite_of_another():
    names = {("terry", "pratchett"), ("small", "gods")}
    told_in = _told("my favourite author is Terry Pratchett", "my favourite book of his is Small Gods", names=names)[1]
    for reply in ("Your favourite song is Terry Pratchett.", "You love Terry Pratchett.",
                  "It's Terry Pratchett, your favourite song."):
        assert misplaced(reply, told_in, "what's my favourite song?")
    assert not misplaced("Your favourite author is Terry Pratchett.", told_in, "who is my favourite author?")
    assert not misplaced("You love pizza.", _told("i love pizza")[1], "what's my favourite food?")


def test_a_wedding_gone_to_her_care_home_a_sum_said_of_it_and_a_job_to_be_are_theirs_as_told():
    names = {("sarah",), ("wales",)}
    told_in = _told("we went to a wedding today", "it was my colleague Sarah's wedding", "it was at a castle in Wales",
                    names=names)[1]
    assert told_back(told_in, "where was it?", names=names) == [("you", "said", "the", "wedding", "was", "at", "a",
                                                                 "castle", "in", "wales")]  # not "your wedding"
    names = {("rosewood",)}
    told_in = _told("my mum has dementia", "she lives in a care home now", "it's called Rosewood", names=names)[1]
    assert told_back(told_in, "what is the care home called?", names=names) == [
        ("you", "said", "your", "mum's", "care", "home", "is", "called", "rosewood")]
    # "where did i buy it?": "it's a red Trek" says what it is, not where
    names = {("trek",)}
    told_in = _told("i just bought a second hand bike", "it's a red Trek", names=names)[1]
    assert all(said[-2:] != ("red", "trek") for said in told_back(told_in, "where did i buy it?", names=names))
    told_in = _told("im moving to manchester in the summer", "ive got a job at the university there")[1]
    assert told_back(told_in, "what will my job be?", loose=True)[0][3:5] == ("got", "a")  # asked of what was told
    names = {("durham",)}
    told_in = _told("i've just finished a degree in history", "i studied at Durham", names=names)[1]
    assert told_back(told_in, "where did i study?", names=names) == [("you", "said", "you", "studied", "at", "durham")]


def test_a_measure_time_or_place_of_it_is_asked_of_the_users_thing_and_no_number_untold_answers_it():
    assert asks_of_it("how much will it cost?") and asks_of_it("where is it?") and asks_of_it("when is it?")
    assert not asks_of_it("what time is it?") and not asks_of_it("how is it going?")
    assert not asks_of_it("how much do you like it?") and not asks_of_it("it costs 90 pounds")
    told = {"i'm", "getting", "a", "tattoo", "it", "costs", "90", "pounds", "12,000"}
    assert states_untold_number("It'll cost $10 million.", told)
    assert not states_untold_number("You said your tattoo costs 90 pounds.", told)
    assert not states_untold_number("It's costing 12000.", told) and not states_untold_number("I'm not sure.", told)


def test_a_pet_named_by_us_a_job_one_would_have_money_given_and_a_thing_said_on_of_are_asked_back():
    names = {("alfie",)}
    told_in = _told("we got a puppy on saturday", "he's a springer spaniel", "we've called him Alfie", names=names)[1]
    asked = resolved("what did we call him?", told_in, names)
    assert told_back(told_in, asked, names=names) == [("you", "said", "you've", "called", "your", "puppy", "alfie")]
    told_in = _told("we got a puppy on saturday", "we've called him Alfie", "he keeps chewing my shoes", names=names)[1]
    assert told_back(told_in, "what does my puppy keep doing?", names=names)[0][3:5] == ("puppy", "keeps")  # still
    told_in = _told("i've been offered a promotion", "i'd be a team leader", "it's an extra 4000 a year")[1]
    assert told_back(told_in, "what would i be?") == [("you", "said", "you'd", "be", "a", "team", "leader")]
    told_in = _told("i'm organising a charity quiz night", "all the money goes to the air ambulance")[1]
    assert told_back(told_in, "who does the money go to?")[0][-3:] == ("the", "air", "ambulance")
    # "it" is the cruise still after a sentence that said it of the cruise
    told_in = _told("we've booked a cruise for our anniversary", "it goes round the norwegian fjords",
                    "it leaves from southampton")[1]
    assert told_back(told_in, "where does it leave from?") == [("you", "said", "your", "cruise", "leaves", "from",
                                                                "southampton")]
    # "how much is it worth?" asks a sum, which "it's ten years old" does not say
    told_in = _told("my car is a blue Ford Focus", "it's ten years old", "it's done 95,000 miles")[1]
    assert told_back(told_in, "how much is it worth?") == []
    told_in = _told("i'm doing a sponsored walk next month", "it's 26 miles along the coast", "it's for a hospice")[1]
    assert told_back(told_in, "who is it for?")[0][-3:] == ("for", "a", "hospice")  # "it" is still asked of
    # a place named breaks only a tie of words in common as written
    names = {("lagos",), ("bristol",)}
    told_in = _told("i'm going to portugal in may", "we're staying in a villa near Lagos", "we fly from Bristol",
                    names=names)[1]
    assert told_back(told_in, "where am i going in may?", names=names)[0][-4:] == ("to", "portugal", "in", "may")


def test_what_was_won_when_it_happened_what_i_want_and_a_thing_picked_up_are_asked_back():
    told_in = _told("my mum won a raffle", "she won a hamper", "it had cheese and wine in it", "she gave me the wine")[1]
    assert all(said[4] == "won" for said in told_back(told_in, "what did my mum win?"))  # wine is no win
    names = {("graham",)}
    told_in = _told("my neighbour's tree fell on our fence", "it happened in the storm last night",
                    "the fence is completely broken", "my neighbour is called Graham", "he said he'll pay for it",
                    names=names)[1]
    assert told_back(told_in, "when did it happen?", names=names) == [("you", "said", "it", "happened", "in", "the",
                                                                       "storm", "last", "night")]
    assert told_back(told_in, "what did my neighbour say?", names=names)[0][4] == "said"
    told_in = _told("i had a row with my sister", "she wants a big party", "i want something small")[1]
    assert told_back(told_in, "what do i want?") == [("you", "said", "you", "want", "something", "small")]
    told_in = _told("i'm renting a car for my trip", "i pick it up at the airport", "it's 35 euros a day")[1]
    assert told_back(told_in, "how much is it a day?") == [("you", "said", "your", "car", "is", "35", "euros", "a",
                                                            "day")]  # not "your car up"


def test_one_would_train_as_a_bare_favourite_how_long_one_did_and_an_age_of_another_are_as_told():
    told_in = _told("i'm a nurse on a children's ward", "i'm thinking about training as a midwife")[1]
    assert misplaced("You are a midwife.", told_in, "what am i thinking of training as?")  # not what i am
    assert not misplaced("You are a nurse.", _told("i work as a nurse")[1], "what do i do?")
    names = {("blue",), ("joni", "mitchell")}
    told_in = _told("i collect vinyl records", "i've got about 600", "my favourite is a first pressing of Blue by Joni "
                    "Mitchell", names=names)[1]
    assert told_back(told_in, "what is my favourite?", names=names)[0][3:5] == ("favourite", "is")
    told_in = _told("my grandad used to be a miner", "he worked down the pit for 30 years")[1]
    assert as_it_was(told_in, "how long did my grandad work down the pit?") == []  # asks how long, not what was
    assert as_it_was(told_in, "what did my grandad do?")  # what he did: what used to be
    assert declines_other("You didn't tell me how old you are.", "how old is my son?")
    assert not declines_other("You didn't tell me how old you are.", "how old am i?")
    # a question the user asked ("what happened to my car?") tells nothing of when
    told_in = _told("my car got broken into last night", "what happened to my car?")[1]
    assert told_back(told_in, "when did it happen?")[0][-2:] == ("last", "night")


def test_where_one_works_for_how_a_show_was_and_the_phone_dropped_in_a_car_park_are_asked_back():
    names = {("berlin",)}
    told_in = _told("i'm visiting my friend in Berlin next month", "she moved there last year",
                    "she works for a tech company", names=names)[1]
    assert told_back(told_in, "where does my friend work?", names=names)[0][3:5] == ("friend", "works")
    told_in = _told("my phone screen is cracked", "i dropped it in the car park", "it's going to cost 120 to fix")[1]
    assert told_back(told_in, "how much will it cost?")[0][2:5] == ("your", "phone", "screen")  # not "your car"
    names = {("sarah", "millican"), ("apollo",)}
    told_in = _told("i went to a comedy show last night", "the comedian was called Sarah Millican",
                    "it was at the Apollo", names=names)[1]
    assert told_back(told_in, "where was it?", names=names)[0][2:5] == ("your", "comedy", "show")  # not the comedian
    assert told_back(told_in, "how was it?", names=names) == []  # where it was says not how it was


def test_what_one_has_been_a_charity_a_rabbits_teeth_and_what_was_just_done_are_asked_back():
    told_in = _told("my dad is retiring next month", "he's been a postman for 35 years",
                    "we're throwing him a party at the pub")[1]
    assert told_back(told_in, "what does my dad do?") == [("you", "said", "your", "dad", "has", "been", "a", "postman",
                                                           "for", "35", "years")]
    told_in = _told("i'm doing a 10k for charity next sunday", "it's for a cancer charity",
                    "i've been training for two months")[1]
    assert told_back(told_in, "who is it for?")[0][-3:] == ("a", "cancer", "charity")
    names = {("thumper",)}
    told_in = _told("i went to the vet with my rabbit", "his name is Thumper", "he had his teeth trimmed",
                    "it cost 45 pounds", names=names)[1]
    said = told_back(told_in, "how much did it cost?", names=names)[0]
    assert said[-4:] == ("teeth", "cost", "45", "pounds") and "trimmed" not in said
    assert as_sayable(["you", "said", "your", "rabbit's", "teeth"], lambda word: word != "rabbit's")[2:] == [
        "their", "teeth"]
    told_in = _told("i've just got engaged", "my fiance is called marcus", "we're getting married in 2027")[1]
    assert told_back(told_in, "what have i just done?") == [("you", "said", "you've", "just", "got", "engaged")]
    # why: what she does just after the sentence that says what is asked, not her name
    names = {("ruth",)}
    told_in = _told("my flatmate is moving out", "she's moving in with her boyfriend", "she's called Ruth",
                    names=names)[1]
    assert told_back(told_in, "why is my flatmate moving out?", names=names)[0][-4:] == ("in", "with", "her",
                                                                                         "boyfriend")


def test_a_baby_named_after_my_sister_has_one_is_her_baby_and_who_had_it_is_still_my_sister():
    names = {("isla",)}
    told_in = _told("my sister has a new baby", "she's called Isla", "she was born at 5am", "she weighed 8 pounds",
                    names=names)[1]
    assert resolved("how much did she weigh?", told_in, names) == "how much did my sister's baby weigh ?"
    assert told_back(told_in, "what's the baby called?", names=names)[0][-2:] == ("called", "isla")
    assert told_back(told_in, "who had a baby?", names=names) == [("you", "said", "your", "sister", "has", "a", "new",
                                                                   "baby")]
    told_in = _told("i'm having my wisdom teeth out", "it's on the 3rd of december")[1]
    assert told_back(told_in, "when is it?")[0][2:5] == ("your", "wisdom", "teeth")  # not "wisdom teeth out"


def test_an_age_said_as_a_birthday_to_come_a_reason_of_a_thing_and_what_was_said_are_asked_back():
    # an age to come ("turn five tomorrow") or as an ordinal ("his 100th birthday", "my husband's 40th")
    assert told_back(_told("my twins turn five tomorrow")[1], "how old are my twins turning?")[0][-2:] == (
        "five", "tomorrow")
    assert told_back(_told("my granddad's 100th birthday is on sunday")[1],
                     "how old is my granddad going to be?")[0][4] == "100th"
    told_in = _told("we're having a barbecue", "it's for my husband's 40th")[1]
    assert told_back(told_in, "how old is my husband turning?")[0][-1] == "40th"
    assert told_back(_told("the wedding is on the 14th")[1], "how old is my son?") == []  # a date, no age
    # why we booked a cruise is not what it does next
    told_in = _told("we've booked a cruise for our anniversary", "it goes round the norwegian fjords")[1]
    assert told_back(told_in, "why did we book it?")[0][-3:] == ("for", "your", "anniversary")
    names = {("graham",)}
    told_in = _told("my neighbour's tree fell on our fence", "my neighbour is called Graham", "he said he'll pay for it",
                    names=names)[1]
    assert told_back(told_in, "what did my neighbour say?", names=names) == [
        ("you", "said", "your", "neighbour", "said", "he'll", "pay", "for", "it")]
    # an age told with "yesterday"; a why of what someone does, not what they are ("he's 91")
    assert told_back(_told("my mum turned 70 yesterday")[1], "how old did my mum turn?")[0][-2:] == ("70", "yesterday")
    told_in = _told("my grandad is in hospital with pneumonia", "he's 91")[1]
    assert told_back(told_in, "why is my grandad in hospital?")[0][-2:] == ("with", "pneumonia")


def test_a_he_of_no_one_of_his_gender_just_spoken_of_and_a_she_whose_instructor_was_named_look_back():
    told_in = _told("my grandad turned 90 today", "we had a party at his house", "my aunt baked a chocolate cake",
                    "he got a telegram from the king")[1]
    assert told_back(told_in, "what did my grandad get from the king?")[0][2:4] == ("your", "grandad")
    names = {("sam",)}
    told_in = _told("my daughter is learning to swim", "her instructor is called Sam", "she can swim ten metres now",
                    names=names)[1]
    assert told_back(told_in, "how far can my daughter swim?", names=names) == [
        ("you", "said", "your", "daughter", "can", "swim", "ten", "metres", "now")]
    # but "she" after her teacher "Mrs Lee" may be the teacher
    told_in = _told("my daughter started school", "her teacher is Mrs Lee", "she says she is settling in well")[1]
    assert told_back(told_in, "what does the teacher say?")[0][2:6] == ("your", "daughter's", "teacher", "says")
    names = {("gary",)}
    told_in = _told("our boiler broke down this morning", "a plumber is coming tomorrow at nine", "his name is Gary",
                    names=names)[1]
    assert told_back(told_in, "what is the plumber called?", names=names)[0][2:4] == ("the", "plumber's")


def test_no_age_no_price_and_no_deed_once_done_answer_how_old_how_much_and_what_i_do():
    told_in = _told("our boiler broke down this morning", "there's no hot water")[1]
    assert told_back(told_in, "how old is the boiler?") == []
    told_in = _told("i'm training for a half marathon", "my best time for 10k is 52 minutes")[1]
    assert told_back(told_in, "how much did the entry cost?") == []  # a race, not 10,000
    assert told_back(_told("i sold my old car for 10k")[1], "how much did i sell it for?")[0][-2:] == ("for", "10k")
    told_in = _told("i volunteer at a food bank on saturdays", "i sort the donations",
                    "we helped 80 families last week")[1]
    assert told_back(told_in, "what do i do there?") == [("you", "said", "you", "sort", "the", "donations")]
    told_in = _told("we had a power cut last night", "it lasted about four hours")[1]
    assert told_back(told_in, "how long did it last?")[0][3:5] == ("power", "cut")


def test_an_untold_measure_time_place_or_thing_of_theirs_is_declined_as_asked():
    assert " ".join(untold_decline("how old is the boiler?")) == "you didn't tell me how old the boiler is"
    assert " ".join(untold_decline("when did we buy it?")) == "you didn't tell me when you bought it"
    assert " ".join(untold_decline("how much did the entry cost?")) == "you didn't tell me how much the entry cost"
    assert " ".join(untold_decline("what time does my sister land?")) == "you didn't tell me what time your sister lands"
    assert " ".join(untold_decline("what colour were the candles?")) == (
        "you didn't tell me what colour the candles were")
    assert " ".join(untold_decline("what are my hours?")) == "you didn't tell me your hours"
    assert " ".join(untold_decline("how old is my best friend aisha?")) == (
        "you didn't tell me how old your best friend aisha is")
    assert " ".join(untold_decline("how long did my mum stay in hospital?")) == (
        "you didn't tell me how long your mum stayed in hospital")
    assert " ".join(untold_decline("where is my big fat gypsy wedding filmed?")) == (
        "you didn't tell me where your big fat gypsy wedding is filmed")
    assert untold_decline("how is it going?") is None
    # what someone of theirs is called, said whole, and so as the vocabulary can say it (it may have no "boss's",
    # which "you didn't tell me your boss" cut short; session 47)
    assert " ".join(untold_decline("whats my boss called")) == "you didn't tell me what your boss is called"
    assert " ".join(untold_decline("what is my dog called?")) == "you didn't tell me what your dog is called"
    assert untold_decline("how old are you?") is None
    # a thing the user spoke of, "the" thing, is theirs to be asked of; not a thing of the world
    told_in = _told("we had a power cut last night", "we ate dinner by candlelight")[1]
    assert asks_of_it("what colour were the candles?", told_in) and not asks_of_it("what colour is the sky?", told_in)
    assert asks_of_it("how old is the boiler?", _told("our boiler broke down")[1])


def test_what_the_vet_said_the_weather_and_what_kind_they_are_are_asked_back():
    told_in = _told("our dog ate a sock yesterday", "we had to take him to the vet", "the vet said he'll be fine")[1]
    assert told_back(told_in, "what did the vet say?") == [("you", "said", "the", "vet", "said", "he'll", "be", "fine")]
    told_in = _told("we went camping in wales at the weekend", "it rained the whole time", "our tent leaked")[1]
    assert told_back(told_in, "what was the weather like?") == [("you", "said", "it", "rained", "the", "whole", "time")]
    told_in = _told("i'm growing tomatoes on my balcony", "i've got four plants", "they're cherry tomatoes")[1]
    assert told_back(told_in, "what kind are they?")[0][-2:] == ("cherry", "tomatoes")
    # "in three weeks" is when, not how old
    told_in = _told("my best friend is moving to australia", "she leaves in three weeks")[1]
    assert told_back(told_in, "how old is my best friend?") == []


def test_whose_a_thing_is_how_old_a_year_old_thing_is_where_one_goes_and_what_it_is_worth():
    told_in = _told("my husband and i are going to a wedding in italy", "it's his cousin's wedding")[1]
    assert told_back(told_in, "whose wedding is it?") == [("you", "said", "it's", "his", "cousin's", "wedding")]
    told_in = _told("our washing machine is leaking", "it's only a year old")[1]
    assert told_back(told_in, "how old is it?")[0][-3:] == ("a", "year", "old")
    told_in = _told("i've taken up rock climbing", "i go to an indoor wall in sheffield",
                    "my climbing partner is my cousin Fergus")[1]
    assert told_back(told_in, "where do i climb?")[0][-2:] == ("in", "sheffield")
    told_in = _told("we're selling our house", "she thinks it's worth 300,000")[1]
    assert told_back(told_in, "how much does she think it's worth?")[0][-2:] == ("worth", "300,000")
    # how long it takes, where no sentence says a time: none
    told_in = _told("i'm getting a tattoo on saturday", "it's on my wrist")[1]
    assert told_back(told_in, "how long will it take?") == []
    told_in = _told("we're painting the fence", "it should take two weekends")[1]
    assert told_back(told_in, "how long will it take?")[0][-2:] == ("two", "weekends")


def test_a_starter_named_a_baby_that_is_a_girl_a_deed_told_a_reason_of_a_flight_and_where_we_sat_are_asked_back():
    names = {("doughlores",)}
    told_in = _told("i got the starter from my neighbour", "it's called Doughlores", names=names)[1]
    assert told_back(told_in, "what is the starter called?", names=names)[0][-4:] == ("starter", "is", "called",
                                                                                      "doughlores")
    names = {("nadia",), ("amara",)}
    told_in = _told("my friend Nadia had her baby yesterday", "it's a girl", "she's called Amara",
                    "she weighed seven pounds", names=names)[1]
    assert told_back(told_in, "what is the baby called?", names=names)[0][-4:] == ("baby", "is", "called", "amara")
    assert resolved("how much did she weigh?", told_in, names) == "how much did my friend nadia's baby weigh ?"
    told_in = _told("my friend has had a baby", "it's a boy")[1]
    assert told_back(told_in, "how much did my friend's baby weigh?") == []  # no weight told
    told_in = _told("i broke my toe on friday", "i kicked the leg of the bed", "it's purple now")[1]
    assert told_back(told_in, "how did i do it?") == [("you", "said", "you", "kicked", "the", "leg", "of", "the",
                                                       "bed")]
    told_in = _told("i'm flying to new york tomorrow", "it's for work", "i'm staying for four nights")[1]
    assert told_back(told_in, "why am i going?") == [("you", "said", "it's", "for", "work")]
    told_in = _told("i went to see a musical last night", "we sat in the front row")[1]
    assert told_back(told_in, "where did we sit?")[0][-2:] == ("front", "row")
    # "her instructor" after "my daughter ella's instructor thinks ..." is that instructor, not theirs
    names = {("ella",)}
    told_in = _told("my daughter Ella has her driving test on friday", "she's failed it twice already",
                    "her instructor thinks she'll pass this time", names=names)[1]
    assert resolved("what does her instructor think?", told_in, names) == (
        "what does my daughter ella's instructor think ?")
    assert resolved("how many times has she failed?", told_in, names) == "how many times has my daughter ella failed ?"


def test_what_one_would_like_how_one_feels_what_kind_a_house_is_and_what_was_done_with_them_are_asked_back():
    told_in = _told("i'm thinking of getting a dog", "i'd like a cocker spaniel", "my landlord said it's ok",
                    "but my partner would prefer a cat")[1]
    assert told_back(told_in, "what breed would i like?")[0][-3:] == ("a", "cocker", "spaniel")
    assert told_back(told_in, "what would my partner prefer?")[0][-3:] == ("prefer", "a", "cat")
    told_in = _told("my car got towed this morning", "i'm so annoyed")[1]
    assert told_back(told_in, "how do i feel?") == [("you", "said", "you're", "so", "annoyed")]
    told_in = _told("we moved into a new house last month", "it's a bungalow", "it has a big garden")[1]
    assert told_back(told_in, "what kind of house is it?")[0][-2:] == ("a", "bungalow")
    told_in = _told("we caught three trout", "the biggest one was two pounds", "we cooked them for tea")[1]
    assert told_back(told_in, "what did we do with them?") == [("you", "said", "you", "cooked", "them", "for", "tea")]
    told_in = _told("my dad has just retired", "he was a train driver for 40 years")[1]
    assert told_back(told_in, "when is my dad's birthday?") == []  # a length of time, no day
    # "my dentist is called Dr Shah" says not that the user is a dentist
    names = {("dr",), ("shah",)}
    told_in = _told("i've got a dentist appointment at 2", "my dentist is called Dr Shah", names=names)[1]
    assert misplaced("You said you're a dentist.", told_in, "what appointment have i got?")
    assert not misplaced("You said you've got a dentist appointment at 2.", told_in, "what appointment have i got?")


def test_a_wish_to_live_somewhere_is_no_home_and_an_untold_age_of_a_pet_named_is_declined_as_asked():
    told_in = _told("i'm looking for a new flat", "i'd like to live near the park")[1]
    assert misplaced("You live in the park.", told_in, "where would i like to live?")
    names = {("bramble",)}
    told_in = _told("my dogs name is Bramble", "shes a border collie", names=names)[1]
    assert asks_of_it("how old is bramble?", told_in, names) and not asks_of_it("how old is bramble?", told_in)
    assert " ".join(untold_decline("how old is bramble?", names)) == "you didn't tell me how old bramble is"


def test_a_little_boy_we_adopt_where_the_concert_is_and_how_much_the_sofa_was_are_asked_back_or_not():
    names = {("jayden",)}
    told_in = _told("we're adopting a little boy", "he's three", "his name is Jayden", names=names)[1]
    assert resolved("how old is he?", told_in, names) == "how old is the little boy ?"
    assert told_back(told_in, "how old is the little boy?", names=names)[0][-2:] == ("is", "three")
    told_in = _told("i play the cello in an orchestra", "we have a concert on saturday",
                    "we're playing beethoven's ninth", "it's at the town hall")[1]
    assert told_back(told_in, "where is it?") == [("you", "said", "it's", "at", "the", "town", "hall")]
    assert told_back(told_in, "what time does it start?") == []  # a place, not a time
    told_in = _told("i bought a new sofa too", "it's grey velvet")[1]
    assert told_back(told_in, "how much was the sofa?") == []  # no price told
    told_in = _told("i got a promotion today", "i'll get a 10% pay rise")[1]
    assert told_back(told_in, "how much is my pay rise?")[0][-4:] == ("10", "%", "pay", "rise")  # a share is one


def test_which_city_a_rent_a_month_a_hurt_and_only_a_told_time_of_day_or_size_are_asked_back():
    told_in = _told("we just moved into a flat in Leeds", "it's on the third floor")[1]
    assert told_back(told_in, "which city did we move to?")[0][-2:] == ("in", "leeds")  # asks where
    told_in = _told("my brother is getting married", "the wedding is in a castle in scotland")[1]
    assert told_back(told_in, "what country is the wedding in?")[0][-2:] == ("in", "scotland")
    told_in = _told("we just moved", "the rent is 850 a month")[1]
    assert told_back(told_in, "how much is the rent?")[0][-3:] == ("850", "a", "month")  # a sum, if no currency
    told_in = _told("i'm organising a surprise party", "the party is on saturday at her sister's house")[1]
    assert told_back(told_in, "what time does the party start?") == []  # a day and a place, no time of day
    assert told_back(_told("my shift starts at 8pm")[1], "what time does my shift start?")[0][-1] == "m"
    told_in = _told("my dad is a baker", "he gets up at four every morning")[1]
    assert told_back(told_in, "what time does my dad get up?")[0][-4:] == ("at", "four", "every", "morning")
    told_in = _told("my name is Harriet", "actually everyone calls me Hattie")[1]
    assert told_back(told_in, "what do people call me?") == []  # not "your name is harriet": what they call me
    told_in = _told("i've started a vegetable patch", "i planted carrots and beetroot")[1]
    assert told_back(told_in, "how big is my vegetable patch?") == []  # no size
    assert told_back(_told("our garden is tiny")[1], "how big is our garden?")[0][-1] == "tiny"
    told_in = _told("my daughter Rosie is learning to ride a bike", "her friend Milo taught her",
                    "she fell off and scraped her knee today", names={("rosie",), ("milo",)})[1]
    # "she" is Rosie, whose friend Milo is (his "her" says Rosie again); the knee is what she hurt
    assert resolved("what did she hurt?", told_in, {("rosie",), ("milo",)}) == "what did my daughter rosie hurt ?"
    assert told_back(told_in, "what did my daughter rosie hurt?")[0][-3:] == ("her", "knee", "today")
    told_in = _told("i kicked the leg of the bed", "i'm in agony")[1]
    assert told_back(told_in, "what did i hurt?") == []  # the bed's leg, no part of anyone


def test_an_untold_count_time_of_birth_or_day_is_declined_and_a_possessive_names_no_one():
    assert " ".join(untold_decline("how many people are in the club?")) == (
        "you didn't tell me how many people are in the club")
    assert " ".join(untold_decline("how many kids does she have?")) == "you didn't tell me how many kids she has"
    assert " ".join(untold_decline("how many lessons did i have?")) == "you didn't tell me how many lessons you had"
    assert " ".join(untold_decline("what car do i drive?")) == "you didn't tell me what car you drive"
    assert " ".join(untold_decline("how much have i raised?")) == "you didn't tell me how much you have raised"
    assert " ".join(untold_decline("how long has she been there?")) == "you didn't tell me how long she has been there"
    assert " ".join(untold_decline("what time does my dad get up?")) == "you didn't tell me what time your dad gets up"
    assert " ".join(untold_decline("what film did we see?")) == "you didn't tell me what film you saw"
    assert untold_decline("which name did i give my dog?") is None  # a name's decline says whose name
    assert " ".join(untold_decline("how many weeks did i give my dog?")) == (
        "you didn't tell me how many weeks you gave your dog")
    assert untold_decline("what kind of dog is it?") is None and untold_decline("what else has been happening?") is None
    told_in = _told("my sister Gemma just had a baby boy", "he weighed seven pounds", names={("gemma",)})[1]
    assert asks_of_it("what time was he born?", told_in) and asks_of_it("when was the baby born?", told_in)
    assert not asks_of_it("what time was he born?", _told("i had pasta")[1])  # no one of theirs spoken of
    told_in = _told("i'm doing a sponsored walk for charity", "my sponsored walk is 26 miles")[1]
    assert told_back(told_in, "when is the walk?") == []  # a length, no time
    assert told_back(_told("i go to the gym before work")[1], "when do i go?")[0][-2:] == ("before", "work")
    told_in = _told("my goal is to speak to my girlfriend's family", "they live in valencia")[1]
    assert told_back(told_in, "what is my girlfriend called?") == []  # "family" is no name of hers
    told_in = _told("we're getting a puppy next week", "we're going to call him Biscuit")[1]
    assert told_back(told_in, "what are we going to call my new puppy?") == [
        ("you", "said", "you're", "going", "to", "call", "him", "biscuit")]  # the naming, not the getting


def test_a_job_cut_short_a_spelt_out_day_a_deed_done_for_something_a_named_book_and_a_flavour_are_heard_back():
    told, told_in = _told("i'm moving to Bristol next month", "i got a job as a lab technician",
                          "the lab is at the university", "i start on the fourth", names={("bristol",)})
    assert not states_told("You said you're a lab.", told_in, "what job did i get?", told)  # "a lab technician"
    assert told_back(told_in, "what job did i get?")[0][-3:] == ("a", "lab", "technician")
    assert told_back(told_in, "when do i start?") == [("you", "said", "you", "start", "on", "the", "fourth")]
    told_in = _told("my cat Pepper hasn't come home for two days", "she's a tabby", "she's microchipped",
                    "i've put posters up round the estate", names={("pepper",)})[1]
    assert told_back(told_in, "what have i done to find my cat pepper?", names={("pepper",)}) == [
        ("you", "said", "you've", "put", "posters", "up", "round", "the", "estate")]  # the deed, not that she's gone
    told_in = _told("i'm hosting book club on friday", "we're reading Rebecca", names={("rebecca",)})[1]
    assert told_back(told_in, "what book are we reading?", names={("rebecca",)}) == [
        ("you", "said", "you're", "reading", "rebecca")]  # the reading, not the hosting
    told_in = _told("my aunt Rosa is making the cake", "about sixty people are coming", names={("rosa",)})[1]
    assert told_back(told_in, "what flavour is the cake?", names={("rosa",)}) == []  # says no flavour
    assert asks_of_it("what flavour is the cake?", told_in, {("rosa",)})
    told_in = _told("my aunt Rosa is making the cake", "it's lemon", names={("rosa",)})[1]
    assert told_back(told_in, "what flavour is the cake?", names={("rosa",)})[0][-3:] == ("cake", "is", "lemon")
    told_in = _told("ive got a job interview at the bank tomorrow", "its at 2")[1]
    assert told_back(told_in, "what job is it for?") == []  # says for no job
    assert asks_of_it("what job is it for?", told_in)
    assert " ".join(untold_decline("what job is it for?")) == "you didn't tell me what job it is for"
    told_in = _told("i've got a job interview tomorrow", "it's for a cashier job at Tesco", names={("tesco",)})[1]
    assert told_back(told_in, "what job is it for?", names={("tesco",)})[0][-3:] == ("job", "at", "tesco")


def test_a_named_school_a_test_after_the_doctor_a_time_of_day_what_is_above_and_what_was_done_are_heard_back():
    told_in = _told("my son Kofi is starting secondary school in september", "it's called Parkside Academy",
                    "he's nervous about the bus", names={("kofi",), ("parkside", "academy")})[1]
    assert told_back(told_in, "which school is my son going to?", names={("kofi",), ("parkside", "academy")})[0][
        -4:] == ("is", "called", "parkside", "academy")  # the school named, not the starting
    told_in = _told("the doctor wants to do a blood test", "it's on wednesday morning")[1]
    assert told_back(told_in, "when is the blood test?") == [
        ("you", "said", "the", "blood", "test", "is", "on", "wednesday", "morning")]
    told_in = _told("we're planting a vegetable patch", "it gets sun all afternoon")[1]
    assert told_back(told_in, "when does it get sun?")[0][-2:] == ("all", "afternoon")
    told_in = _told("our kitchen ceiling is leaking", "the bathroom is right above it", "a plumber is coming at 8",
                    "we've put a bucket under the drip")[1]
    assert told_back(told_in, "what is above the kitchen?") == [
        ("you", "said", "the", "bathroom", "is", "right", "above", "it")]  # not that the ceiling leaks
    assert told_back(told_in, "what have we done about it?") == [
        ("you", "said", "you've", "put", "a", "bucket", "under", "the", "drip")]
    told_in = _told("my laptop screen cracked", "i sat on it by accident", "it's under warranty until march",
                    "the shop said it'll take two weeks to fix")[1]
    assert told_back(told_in, "how did it happen?") == [("you", "said", "you", "sat", "on", "it", "by", "accident")]
    assert told_back(told_in, "how long is the warranty?")[0][-2:] == ("until", "march")  # not the repair's weeks
    told_in = _told("i've just adopted two guinea pigs", "they live in a hutch in the kitchen")[1]
    assert told_back(told_in, "how old are my guinea pigs?") == []  # "two" counts them; no age
    told_in = _told("my car failed its mot", "the garage quoted 340 pounds", "it's a 2014 ford focus")[1]
    assert told_back(told_in, "what year is the car?") == [("you", "said", "your", "car", "is", "a", "2014", "ford",
                                                           "focus")]  # still the car after the garage's quote


def test_which_one_hears_only_a_sentence_that_says_which_and_the_users_own_is_no_answer_of_a_friends():
    names = {("ayesha",), ("glasgow",)}
    told_in = _told("my friend Ayesha is coming to stay", "she lives in Glasgow", "she's getting the train on friday",
                    "we're going to see a musical", names=names)[1]
    assert told_back(told_in, "which musical is it?", names=names) == []  # any musical; nor her train
    names |= {("hamilton",)}
    told_in = _told("my friend Ayesha is coming to stay", "we're going to see a musical", "it's Hamilton",
                    names=names)[1]
    assert told_back(told_in, "which musical is it?", names=names)[0][-1] == "hamilton"
    told_in = _told("i've started running again after my knee injury", "i do three runs a week")[1]
    assert told_back(told_in, "which knee did i injure?") == []  # no knee said
    assert told_back(_told("i hurt my left knee skiing")[1], "which knee did i injure?")[0][-3:] == (
        "left", "knee", "skiing")
    told_in = _told("my friend Ayesha is coming to stay", "she lives in Glasgow", names=names)[1]
    assert misplaced("You live in Glasgow.", told_in, "where does my friend ayesha live?")  # hers, not the user's
    assert not misplaced("Your friend Ayesha lives in Glasgow.", told_in, "where does my friend ayesha live?")
    assert declines_other("I don't know where you live, you never told me.", "what job did i get?")
    assert not declines_other("I don't know where you live, you never told me.", "what city do i live in?")


def test_what_happened_where_he_worked_what_he_does_what_it_cost_and_what_the_kittens_are_called_hear_only_answers():
    names = {("tariq",)}
    told_in = _told("my husband Tariq has just been made redundant", "he worked at the car factory for 22 years",
                    "he's looking for work in logistics", "we're ok for money for now", names=names)[1]
    assert told_back(told_in, "what happened to tariq?", names=names)[0][-2:] == ("made", "redundant")  # not how long
    assert told_back(told_in, "where did my husband tariq work?", names=names)[0][-5:] == (
        "car", "factory", "for", "22", "years")  # what he did, not what he looks for
    assert told_back(told_in, "how much redundancy pay did my husband tariq get?", names=names) == []  # no sum
    assert " ".join(untold_decline("how much redundancy pay did he get?")) == (
        "you didn't tell me how much redundancy pay he got")
    names = {("connor",)}
    told_in = _told("my best mate Connor is emigrating to Australia", "he leaves on the 20th", names=names)[1]
    assert told_back(told_in, "what does my best mate connor do for work?", names=names) == []  # no job
    assert " ".join(untold_decline("what does he do for work?")) == "you didn't tell me what he does for work"
    told_in = _told("our cat Mochi had kittens last night", "two are black and three are tabby",
                    names={("mochi",)})[1]
    assert told_back(told_in, "what are the kittens called?", names={("mochi",)}) == []  # Mochi is the cat
    told_in = _told("i'm building a shed", "it's going to be eight foot by six")[1]
    assert told_back(told_in, "how big is it going to be?")[0][-4:] == ("eight", "foot", "by", "six")
    assert asks_of_it("how much did the wood cost?", told_in)  # of what they do: only they could say
    told_in = _told("we've booked a cottage in Devon for easter", "it sleeps eight", names={("devon",)})[1]
    assert told_back(told_in, "when is it for?", names={("devon",)})[0][-2:] == ("for", "easter")
    assert " ".join(untold_decline("when did my sister grace start lessons?", {("grace",)})) == (
        "you didn't tell me when your sister grace started lessons")
    assert " ".join(untold_decline("what is my grandma's name?")) == "you didn't tell me your grandma's name"
    told_in = _told("my daughter Lily is getting her ears pierced", "it's for her 10th birthday",
                    names={("lily",)})[1]
    assert told_back(told_in, "why is my daughter lily getting them done?", names={("lily",)}) != [
        ("you", "said", "your", "daughter", "lily's", "ears", "is", "for", "her", "10th", "birthday")]  # no "ears is"


def test_where_a_make_and_a_name_are_heard_only_from_a_sentence_that_says_one_and_a_role_named_is_no_name_of_theirs():
    told_in = _told("i've been asked to be godmother to my friend's baby", "the christening is in june")[1]
    assert told_back(told_in, "where is the christening?") == []  # says when, not where
    assert asks_of_it("where is the christening?", told_in)
    told_in = _told("we're going camping this weekend", "we'll be at a lake in the mountains")[1]
    assert told_back(told_in, "where are we going camping?") == [  # where they will be, not only when they go
        ("you", "said", "you'll", "be", "at", "a", "lake", "in", "the", "mountains")]
    told_in = _told("my nan is moving into a care home next week")[1]
    assert told_back(told_in, "where is my nan moving?")  # "into a care home" is a place
    told_in = _told("our washing machine is leaking", "it's only two years old")[1]
    assert told_back(told_in, "what make is the washing machine?") == []  # says no make
    assert asks_of_it("what make is the washing machine?", told_in)
    told_in = _told("my daughter started nursery this week", "her key worker is called Jade", names={("jade",)})[1]
    assert told_back(told_in, "what is the nursery called?", names={("jade",)}) == []  # Jade is no nursery
    assert told_back(told_in, "what is the nursery called?", names={("jade",)}, loose=True) == []
    assert " ".join(untold_decline("what am i wearing?")) == "you didn't tell me what you are wearing"
    assert " ".join(untold_decline("which hospital is my dad in?")) == "you didn't tell me which hospital your dad is in"
    told_in = _told("my dad has just had a pacemaker fitted", "he's coming home on thursday")[1]
    assert told_back(told_in, "which hospital is my dad in?") == []  # no hospital said
    told_in = _told("my dad has just had a pacemaker fitted", "he's in St James's hospital")[1]
    assert told_back(told_in, "which hospital is my dad in?")[0][-2:] == ("james's", "hospital")
    told_in = _told("i've joined a climbing gym", "i go on tuesday and thursday nights")[1]
    assert asks_of_it("how much is the membership?", told_in)  # a price only they could say
    told_in = _told("my son has been picked for the county team", "training is on wednesdays in Leicester",
                    names={("leicester",)})[1]
    assert told_back(told_in, "where is training?", names={("leicester",)})[0][:4] == (
        "you", "said", "training", "is")  # not "you're training is"
    told_in = _told("i've been invited to a murder mystery party", "i'm playing a butler called Jeeves",
                    names={("jeeves",)})[1]
    assert misplaced("You said your name is Jeeves.", told_in, "who am i playing?")  # the butler's name
    assert not misplaced("Your name is Jo.", _told("hi i'm called Jo", names={("jo",)})[1], "what is my name?")


def test_whose_party_how_she_gets_here_what_is_wrong_and_when_a_trip_is_are_asked_back():
    told_in = _told("i'm going to a hen do this weekend", "it's for my friend Leanne", "we're going to brighton")[1]
    assert told_back(told_in, "whose hen do is it?")[0][-3:] == ("your", "friend", "leanne")
    told_in = _told("my mum is coming to stay for a week", "she arrives on wednesday by train")[1]
    assert told_back(told_in, "how is she getting here?")[0][-2:] == ("by", "train")
    told_in = _told("my laptop is really slow", "it's about six years old")[1]
    assert told_back(told_in, "what is wrong with my laptop?") == [("you", "said", "your", "laptop", "is", "really",
                                                                     "slow")]
    told_in = _told("im getting a tattoo on saturday", "its on my wrist")[1]
    assert told_back(told_in, "how much is it?") == []  # a place, no price
    told_in = _told("were going on a cruise in may", "its ten nights")[1]
    assert told_back(told_in, "when is the cruise?")[0][-2:] == ("in", "may")  # not how long it is
    told, told_in = _told("i moved here from poland ten years ago")
    assert told_back(told_in, "where am i from?")[0][-4:] == ("poland", "ten", "years", "ago")
    assert cut_short("poland ten", told_in)  # cut inside a time
    told, told_in = _told("i went to the vet with my rabbit Clover today")
    hypotheses, texts = _pool("Your rabbit is called Clover today.", "Your rabbit is called Clover.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what is my rabbit called?",
                                      names={("clover",)})]
    assert priors[0] == -UNTOLD_VALUE and priors[1] > 0  # no name ends in a day


def test_what_happens_afterwards_a_length_of_nights_and_a_said_value_that_ends_astray():
    told_in = _told("my niece Lily is getting christened on sunday", "afterwards there's a lunch at the pub",
                    names={("lily",)})[1]
    assert told_back(told_in, "what is happening afterwards?") == [("you", "said", "afterwards", "there's", "a",
                                                                    "lunch", "at", "the", "pub")]
    told_in = _told("we're going on a cruise in may", "my cruise is ten nights")[1]
    assert told_back(told_in, "when is the cruise?") == [("you", "said", "you're", "going", "on", "a", "cruise", "in",
                                                          "may")]  # not how many nights it is
    told_in = _told("my car failed its mot", "the garage says it'll be ready on thursday", "it's a silver honda jazz")[1]
    assert told_back(told_in, "what car is it?") == [("you", "said", "your", "car", "is", "a", "silver", "honda",
                                                      "jazz")]  # the car the garage spoke of, still "it"
    told_in = _told("my back is killing me", "the physio says it's a slipped disc")[1]
    assert told_back(told_in, "what does the physio say?")[0][-4:] == ("it's", "a", "slipped", "disc")  # not "my back"
    # a pet's name that cannot be said as theirs is said as "their" ("how much did it cost?": "120 pounds")
    assert as_sayable(["your", "rabbit", "clover's", "bad", "tooth"], lambda word: word not in (
        "clover's", "rabbit's")) == ["their", "bad", "tooth"]
    told_in = _told("my daughter Mia is doing her GCSEs", "her first exam is maths on monday", names={("mia",)})[1]
    assert told_back(told_in, "how many exams does my daughter mia have?") == []  # which one, not how many
    told_in = _told("we have two girls", "my wife is expecting our third child in november")[1]
    assert told_back(told_in, "how many children will we have?")[0][-3:] == ("child", "in", "november")
    told_in = _told("i've started a new diet", "i'm cutting out sugar")[1]
    assert told_back(told_in, "when did i start the diet?") == []  # no time told
    assert told_back(_told("i found out when i was seven")[1], "when did i find out?")[0][-2:] == ("were", "seven")
    told_in = _told("im going to a festival this weekend", "its called Green Man", "its in wales")[1]
    assert told_back(told_in, "how long is the festival?") == []  # a place, no length
    told_in = _told("i've been made redundant", "i worked at the factory for twenty years",
                    "i'm going to retrain as an electrician", "the course starts in september")[1]
    assert told_back(told_in, "what happened to me?") == [("you", "said", "you've", "been", "made", "redundant")]
    told, told_in = _told("i want to do a triathlon next year")
    assert ends_astray("do a triathlon next time", told_in) and not ends_astray("do a triathlon next year", told_in)
    hypotheses, texts = _pool("You said you would do a triathlon next time.",
                              "You said you would do a triathlon next year.")
    priors = [h.prior for h in ground(hypotheses, texts, told, told_in, "what do i want to do next year?")]
    assert priors[0] == -UNTOLD_VALUE and priors[1] > 0


def test_they_of_two_guinea_pigs_how_it_feels_and_whether_they_are_boys_or_girls_are_asked_back():
    told_in = _told("we've adopted two guinea pigs", "they're called Salt and Pepper", "they love cucumber",
                    names={("salt",), ("pepper",)})[1]
    asked = resolved("what do they love?", told_in, {("salt",), ("pepper",)})
    assert asked == "what do my guinea pigs love ?"  # "they" as the guinea pigs
    assert told_back(told_in, asked) == [("you", "said", "your", "guinea", "pigs", "love", "cucumber")]
    told_in = _told("i've got four plants", "they're cherry tomatoes")[1]
    assert resolved("what kind are they?", told_in, set()) == "what kind are they?"  # heard back as asked
    told_in = _told("i've got a wisdom tooth coming through", "it's really painful")[1]
    assert told_back(told_in, "how does it feel?")[0][-2:] == ("really", "painful")
    told_in = _told("my wife is pregnant with twins", "we found out they're both boys")[1]
    assert told_back(told_in, "are they boys or girls?")[0][-2:] == ("both", "boys")


def test_a_question_of_who_hears_only_a_sentence_that_speaks_of_someone_and_is_else_declined_whole():
    told_in = _told("i volunteer at a food bank on saturday mornings", "i mostly sort the tins",
                    "the manager there is called Pauline", names={("pauline",)})[1]
    assert told_back(told_in, "who runs the food bank?") == [  # by their post, not "i volunteer at a food bank"
        ("you", "said", "the", "manager", "there", "is", "called", "pauline")]
    told_in = _told("we're having the kitchen redone", "the fitters start on monday")[1]
    assert told_back(told_in, "who are the fitters?") == []  # names no one
    assert asks_of_it("who are the fitters?", told_in)  # of the fitters spoken of: declined, not made up
    assert " ".join(untold_decline("who are the fitters?")) == "you didn't tell me who the fitters are"
    assert " ".join(untold_decline("who offered me a job?")) == "you didn't tell me who offered you a job"
    assert " ".join(untold_decline("who is the party for?")) == "you didn't tell me who the party is for"
    assert " ".join(untold_decline("who is teaching me?")) == "you didn't tell me who is teaching you"  # said as theirs
    assert " ".join(untold_decline("who is coming with us?")) == "you didn't tell me who is coming with you"
    assert " ".join(untold_decline("who is fixing my car?")) == "you didn't tell me who is fixing your car"
    told_in = _told("my mums in hospital", "the surgeons operating tomorrow")[1]
    assert " ".join(untold_decline("what is the surgeon called?")) == "you didn't tell me what the surgeon is called"
    assert asks_of_it("what is the surgeon called?", told_in)
    assert told_back(told_in, "when is the operation?") == [  # "operation" as "operating"
        ("you", "said", "the", "surgeons", "operating", "tomorrow")]
    told_in = _told("i've got a job offer from Google", "but it means moving to Dublin",
                    names={("google",), ("dublin",)})[1]
    assert told_back(told_in, "who offered me a job?", names={("google",), ("dublin",)})[0][-2:] == (
        "from", "google")  # from Google, no place
    told_in = _told("the airline cancelled my flight", "the airline is putting me up in a hotel")[1]
    assert told_back(told_in, "who is putting me up in a hotel?")[0][2:4] == ("the", "airline")  # a body does it
    told_in = _told("i'm cooking christmas dinner this year")[1]
    assert told_back(told_in, "who is cooking christmas dinner?")  # the user does it


def test_what_thing_of_theirs_is_heard_only_from_a_sentence_that_says_which():
    told_in = _told("i dropped my phone in the bath last night", "it won't turn on now", "i've put it in a bag of rice",
                    "my insurance excess is 75 pounds")[1]
    assert told_back(told_in, "what phone do i have?") == []  # that there is a phone, not which
    assert " ".join(untold_decline("what phone do i have?")) == "you didn't tell me what phone you have"
    assert told_back(told_in, "where is the phone now?") == [  # where it was put last, "it" the phone
        ("you", "said", "you've", "put", "your", "phone", "in", "a", "bag", "of", "rice")]
    assert told_back(_told("i just finished my driving lessons")[1], "what car do i drive?") == []
    for said, asked in (("i drive a 2012 ford focus", "what car do i drive?"),
                        ("i've got a bearded dragon called Spike", "what pet do i have?"),
                        ("i've just got a new phone, a pixel 8", "what phone did i get?"),
                        ("i have a gluten allergy", "what allergy do i have?"),
                        ("my maths exam is on tuesday", "what exam do i have on tuesday?")):
        assert told_back(_told(said)[1], asked), (said, asked)


def test_which_thing_it_is_and_what_was_not_finished_are_of_the_thing_not_of_someone_named():
    told_in = _told("i cracked a tooth on a pork scratching", "the dentist can see me on friday at 3",
                    "it's my back molar on the left")[1]
    assert told_back(told_in, "which tooth is it?") == [
        ("you", "said", "it's", "your", "back", "molar", "on", "the", "left")]
    told_in = _told("this month we're reading The Remains of the Day", "the host is my friend Sunita",
                    "i haven't finished it yet", names={("sunita",)})[1]
    assert told_back(told_in, "have i finished the book?")[0] == (  # not "you haven't finished the host yet"
        "you", "said", "you", "haven't", "finished", "it", "yet")


def test_who_teaches_whom_i_marry_why_a_thing_happened_and_what_i_will_be_doing_are_asked_back():
    told_in = _told("i'm learning to swim at 45", "my instructor is called Gary", names={("gary",)})[1]
    assert told_back(told_in, "who teaches me?") == [("you", "said", "your", "instructor", "is", "called", "gary")]
    told_in = _told("i'm getting married on the 20th of september", "my fiance is called Priyesh",
                    names={("priyesh",)})[1]
    assert told_back(told_in, "who am i marrying?") == [("you", "said", "your", "fiance", "is", "called", "priyesh")]
    told_in = _told("i just got engaged", "his name is Daniel", names={("daniel",)})[1]
    assert told_back(told_in, "who am i marrying?") == [("you", "said", "his", "name", "is", "daniel")]
    told_in = _told("my car got towed this morning", "i parked in a loading bay by mistake")[1]
    assert told_back(told_in, "why was my car towed?") == [
        ("you", "said", "you", "parked", "in", "a", "loading", "bay", "by", "mistake")]
    told_in = _told("i'm moving to Lisbon for work in the spring", "i'll be working for a bank there",
                    names={("lisbon",)})[1]
    assert told_back(told_in, "what will i be doing?", names={("lisbon",)}) == [
        ("you", "said", "you'll", "be", "working", "for", "a", "bank", "there")]
    told_in = _told("my mortgage advisor is called Ruth", names={("ruth",)})[1]
    told = {"my", "mortgage", "advisor", "is", "called", "ruth"}
    asked = "who's my mortgage advisor?"
    assert not states_told("Your mortgage is called Ruth.", told_in, asked, told, {("ruth",)})  # not whose it is
    assert states_told("Your dog is called Rex.", _told("my dog is called Rex", names={("rex",)})[1],
                       "what is my dog called?", {"my", "dog", "is", "called", "rex"}, {("rex",)})


def test_an_age_said_as_when_the_user_does_something_is_an_age_and_a_time_of_day_is_not():
    assert "age" in _told("i'm learning to swim at 45")[1][0].topics  # "how old am i?": 45
    assert "age" in _told("i passed my driving test at 17")[1][0].topics
    assert "age" not in _told("i finish work at 5")[1][0].topics  # a time
    assert "age" not in _told("my lessons are at 45 minutes past")[1][0].topics  # not of the user


def test_a_new_role_who_owns_it_what_make_it_is_and_why_a_named_flatmate_moves_out_are_asked_back():
    told_in = _told("i've been made a manager at the cafe", "i look after six staff",
                    "the owner is a guy called Tony", names={("tony",)})[1]
    assert told_back(told_in, "what's my new role?") == [
        ("you", "said", "you've", "been", "made", "a", "manager", "at", "the", "cafe")]
    assert told_back(told_in, "who owns the cafe?", names={("tony",)}) == [  # the owner, not the manager
        ("you", "said", "the", "owner", "is", "a", "guy", "called", "tony")]
    told_in = _told("my washing machine is leaking", "the repair man is coming on wednesday",
                    "it's a Bosch and it's only three years old", names={("bosch",)})[1]
    assert told_back(told_in, "what make is it?")[0][2:5] == ("it's", "a", "bosch")  # "it" is no repair man
    assert told_back(told_in, "what is the repair man called?") == []  # his name was never told
    told_in = _told("my flatmate Jess is moving out", "she's moving in with her boyfriend", names={("jess",)})[1]
    asked = resolved("why is she moving out?", told_in, {("jess",)})
    assert told_back(told_in, asked, names={("jess",)})[0][-2:] == ("her", "boyfriend")  # not "... is moving out"
    told_in = _told("my cars making a weird noise", "the garage can look at it tomorrow", "it's a ford fiesta")[1]
    assert told_back(told_in, "what car do i have?") == [("you", "said", "it's", "a", "ford", "fiesta")]


def test_how_long_hears_a_length_not_a_when_and_her_before_from_is_her():
    told_in = _told("we're going to Iceland in february", "we want to see the northern lights")[1]
    assert told_back(told_in, "how long are we going for?") == []  # when, not how long
    told_in = _told("my nephew is staying with us for the summer")[1]
    assert told_back(told_in, "how long is he staying?")  # "for the summer" is a length
    told_in = _told("we adopted a rescue greyhound", "her name is Dot", names={("dot",)})[1]
    asked = resolved("who did we adopt her from?", told_in, {("dot",)})
    assert "greyhound's" not in asked and "greyhound" in asked  # her, not hers
    assert told_back(told_in, asked, names={("dot",)}) == []  # the adopting says not from whom


def test_what_i_am_in_charge_of_what_we_have_done_when_it_is_due_and_where_i_am_going_are_asked_back():
    told_in = _told("my boss is retiring in april", "i'm in charge of the collection")[1]
    assert told_back(told_in, "what am i in charge of?") == [  # of what, not a role
        ("you", "said", "you're", "in", "charge", "of", "the", "collection")]
    told_in = _told("our cat went missing yesterday", "we've put posters up around the village")[1]
    assert told_back(told_in, "what have we done?") == [  # "put", a deed though no "-ed"
        ("you", "said", "you've", "put", "posters", "up", "around", "the", "village")]
    told_in = _told("we're redoing the garden", "it should be done by may")[1]
    assert told_back(told_in, "when should it be done?")[0][-2:] == ("by", "may")  # the month, not "i may"
    told_in = _told("i've booked a week in Crete", "we fly from Manchester on the 2nd of june",
                    names={("crete",), ("manchester",)})[1]
    assert told_back(told_in, "where am i going?", names={("crete",), ("manchester",)}) == [  # not whence
        ("you", "said", "you've", "booked", "a", "week", "in", "crete")]
    told_in = _told("i've got my driving test on thursday", "it's at 9 in the morning")[1]
    assert told_back(told_in, "when is my driving test?") == [  # the day before a time of day
        ("you", "said", "you've", "got", "your", "driving", "test", "on", "thursday")]
    told_in = _told("my sister is having twins", "her husband is called Marco", names={("marco",)})[1]
    assert told_back(told_in, "what are the twins called?", names={("marco",)}) == []  # his name, not theirs


def test_an_untold_colour_the_day_before_and_why_we_have_to_move_are_asked_back_or_not():
    told_in = _told("i lost my wallet on the bus", "i've cancelled my cards")[1]
    assert told_back(told_in, "what colour is my wallet?") == []  # says no colour
    told_in = _told("my nephew is getting married in Scotland", "we're driving up the day before",
                    names={("scotland",)})[1]
    assert told_back(told_in, "when are we driving up?")[0][-3:] == ("the", "day", "before")  # a when
    told_in = _told("our landlord is selling the house", "we have to move out by the end of march")[1]
    assert told_back(told_in, "why do we have to move?") == [  # what was done just before it, not when
        ("you", "said", "your", "landlord", "is", "selling", "the", "house")]
    told_in = _told("my daughter Mia is starting school", "mia is starting school tomorrow")[1]
    assert told_back(told_in, "who is starting school?")  # a name the user wrote in lower case


def test_who_is_ill_her_of_another_a_make_a_fault_and_a_thing_mended_are_heard_back():
    # session 47: "who is ill?" an ailment; "her" done to by the newest someone is another ("my mum is looking after
    # her"); a question of hers hears nothing of her alone; what "it'll be ready" is, after the garage is placed
    isla = {("isla",)}
    told_in = _told("my daughter Isla has chickenpox", "she's off school all week",
                    "my mum is looking after her tomorrow", names=isla)[1]
    assert told_back(told_in, "who is ill?", names=isla) == [("you", "said", "your", "daughter", "isla", "has",
                                                              "chickenpox")]
    assert resolved("what does she have?", told_in, isla) == "what does my daughter isla have ?"
    assert told_back(told_in, "what is my daughter isla's temperature?", names=isla) == []
    told_in = _told("my laptop keeps crashing", "it's a dell i bought two years ago",
                    "the repair shop says the fan is broken", "they want eighty pounds to fix it")[1]
    assert told_back(told_in, "what is wrong with it?") == [("you", "said", "the", "repair", "shop", "says", "the",
                                                             "fan", "is", "broken")]
    assert told_back(told_in, "what make is my laptop?")[0][:6] == ("you", "said", "your", "laptop", "is", "a")
    told_in = _told("my car failed its mot", "the garage is on station road", "it'll be ready on thursday")[1]
    assert told_back(told_in, "when will it be ready?") == [("you", "said", "your", "car", "will", "be", "ready", "on",
                                                             "thursday")]
    told_in = _told("my car broke down on the motorway", "the aa came after two hours", "it was the alternator",
                    "it's at the garage now")[1]
    assert told_back(told_in, "what was wrong with it?") == [("you", "said", "it", "was", "the", "alternator")]


def test_what_is_read_which_place_a_name_of_a_thing_and_a_thing_kept_past_someone_are_heard_back():
    told_in = _told("i'm reading war and peace", "my book club is reading it too")[1]
    assert told_back(told_in, "what book am i reading?") == [("you", "said", "you're", "reading", "war", "and",
                                                              "peace")]
    told_in = _told("my granny is moving into a care home", "it's called Meadow View", "she's moving in on the 3rd",
                    names={("meadow", "view")})[1]
    assert told_back(told_in, "where is my granny moving?", names={("meadow", "view")}) == [
        ("you", "said", "your", "granny", "is", "moving", "into", "a", "care", "home")]  # not "in on the 3rd"
    assert told_back(told_in, "what is my granny's name?", names={("meadow", "view")}, loose=True) == []  # her home's
    theo = {("theo",), ("little", "acorns")}
    told_in = _told("my son Theo just started at a new nursery", "it's called Little Acorns", names=theo)[1]
    assert told_back(told_in, "what is my son's nursery called?", names=theo)[0][-4:] == (
        "is", "called", "little", "acorns")
    assert told_back(told_in, "what did my son theo have for lunch?", names=theo) == []  # of him alone
    told_in = _told("im planning a surprise party for my wife", "shes turning 40", "its on the 8th of june")[1]
    assert told_back(told_in, "when is the party?") == [("you", "said", "your", "surprise", "party", "is", "on", "the",
                                                         "8th", "of", "june")]
    told_in = _told("my best friend Ollie is moving to Canada", "he's moving to Toronto",
                    names={("ollie",), ("canada",), ("toronto",)})[1]
    assert told_back(told_in, "which city is he moving to?", names={("ollie",), ("canada",), ("toronto",)}) == [
        ("you", "said", "your", "best", "friend", "ollie", "is", "moving", "to", "toronto")]  # one place
    told_in = _told("we're going to a music festival this summer", "it's called Green Fields",
                    names={("green", "fields")})[1]
    assert told_back(told_in, "what festival are we going to?", names={("green", "fields")}) == [
        ("you", "said", "your", "music", "festival", "is", "called", "green", "fields")]
    told_in = _told("started a new job today", "its at a law firm in manchester")[1]  # typed in haste
    assert told_back(told_in, "where is my new job?") == [("you", "said", "your", "new", "job", "is", "at", "a", "law",
                                                           "firm", "in", "manchester")]
    told_in = _told("ive got a job interview tomorrow", "the company is called Brightside", "its at ten in the morning",
                    names={("brightside",)})[1]
    assert told_back(told_in, "what time is the interview?", names={("brightside",)}) == [
        ("you", "said", "your", "job", "interview", "is", "at", "ten", "in", "the", "morning")]  # not the company


def test_who_sings_used_to_what_they_called_him_and_how_he_did_it_are_heard_back_or_not():
    owls = {("the", "night", "owls"), ("ellie",)}
    told_in = _told("i play bass in a band", "the band is called The Night Owls", "our drummer is called Ellie",
                    names=owls)[1]
    assert told_back(told_in, "who sings in the band?", names=owls) == []  # it names the band, no one
    assert told_back(told_in, "who is our drummer?", names=owls) == [("you", "said", "your", "drummer", "is", "called",
                                                                      "ellie")]
    told_in = _told("i have a tortoise called Sheldon", "he used to belong to my grandad", names={("sheldon",)})[1]
    assert told_back(told_in, "who did my tortoise belong to?", names={("sheldon",)}) == [
        ("you", "said", "your", "tortoise", "used", "to", "belong", "to", "your", "grandad")]
    zara = {("zara",), ("arlo",)}
    told_in = _told("my friend Zara just had a baby boy", "he was born on tuesday", "they called him Arlo",
                    names=zara)[1]
    assert resolved("what did they call him?", told_in, zara) == "what did they call the baby boy ?"
    assert told_back(told_in, "what did they call the baby boy?", names=zara) == [("you", "said", "they", "called",
                                                                                   "him", "arlo")]
    told_in = _told("my son Oscar broke his arm", "he fell off a trampoline", "he has a cast for six weeks",
                    "he's eight", names={("oscar",)})[1]
    assert told_back(told_in, "how did my son oscar do it?", names={("oscar",)}) == [
        ("you", "said", "he", "fell", "off", "a", "trampoline")]
    told_in = _told("my son is learning to swim", "his teacher is called Mr Hill", "he can swim ten metres now")[1]
    assert told_back(told_in, "how far can my son swim?")[0][2:5] == ("your", "son", "can")  # not his teacher
    told_in = _told("my mum has been diagnosed with diabetes", "her doctor is called Dr Ahmed")[1]
    assert resolved("what medication is she on?", told_in, set()) == "what medication is my mum on ?"  # not her doctor
    told_in = _told("i'm reading war and peace", "my book club is reading it too")[1]
    assert told_back(told_in, "who recommended the book?") == []  # the book's club is no one who recommended it
    told_in = _told("my girlfriend and i are going to Rome", "it's her birthday while we're there",
                    names={("rome",)})[1]
    assert told_back(told_in, "whose birthday is it?", names={("rome",)}) == [
        ("you", "said", "it's", "her", "birthday", "while", "you're", "there")]  # "her" says whose
    told_in = _told("my flatmate is moving out", "her name is Priya", "she's moving in with her boyfriend",
                    names={("priya",)})[1]
    assert told_back(told_in, "why is my flatmate moving out?", names={("priya",)}) == [
        ("you", "said", "your", "flatmate", "is", "moving", "in", "with", "her", "boyfriend")]  # past her naming


def test_a_when_a_where_from_a_salary_and_which_hospital_are_heard_only_from_a_sentence_that_says_one():
    told_in = _told("my neighbour is building an extension", "it's been going on for two months")[1]
    assert told_back(told_in, "when will it be finished?") == []  # how long, not when
    told_in = _told("we've got a new puppy", "she's a cocker spaniel")[1]
    assert told_back(told_in, "where did we get my new puppy from?") == []
    told_in = _told("i've been promoted at work", "my new salary starts in march")[1]
    assert told_back(told_in, "what is my new salary?") == []
    told_in = _told("we're buying a car", "my budget is about 30 thousand")[1]
    assert told_back(told_in, "what's my budget?") == [("you", "said", "your", "budget", "is", "about", "30",
                                                        "thousand")]
    told_in = _told("my grandad is in hospital", "he had a stroke on monday", "he's at the royal infirmary")[1]
    assert told_back(told_in, "which hospital is my grandad in?") == [("you", "said", "your", "grandad", "is", "at",
                                                                       "the", "royal", "infirmary")]
    told_in = _told("we're having a baby", "we're going to call her Nell", names={("nell",)})[1]
    assert told_back(told_in, "which hospital are we going to?", names={("nell",)}) == []  # says no place
    told_in = _told("my bike got stolen yesterday", "it was outside the library", "ive reported it to the police")[1]
    assert told_back(told_in, "where was it?") == [("you", "said", "your", "bike", "was", "outside", "the", "library")]
    told_in = _told("i'm thinking of buying an electric bike", "i currently take the train")[1]
    assert told_back(told_in, "how do i get to work now?") == [("you", "said", "you", "currently", "take", "the",
                                                                "train")]  # the way, the newest told
    told_in = _told("remind me later that i need to ring the bank", "my card got blocked")[1]
    assert told_back(told_in, "what do i need to do?") == [("you", "said", "you", "need", "to", "ring", "the", "bank")]
    told_in = _told("my girlfriend just got a promotion", "shes now head of marketing at her company")[1]
    assert told_back(told_in, "what is my girlfriend's new job?")[0][4:9] == ("is", "now", "head", "of", "marketing")
    told_in = _told("i'm going to a wedding in York", "i'm staying for four nights", names={("york",)})[1]
    assert told_back(told_in, "which hotel am i staying at?", names={("york",)}) == []  # says no hotel
    told_in = _told("my brother Finn is a chef", "he's worked there for three years", names={("finn",)})[1]
    assert told_back(told_in, "how long has my brother worked there?", names={("finn",)})[0][:7] == (
        "you", "said", "your", "brother", "finn", "has", "worked")  # he has, not he is


def test_more_untold_questions_are_declined_whole_and_as_asked():
    assert asks_of_it("how many guests are invited?", _told("my brother is getting married")[1])
    assert asks_of_it("how many people volunteer there?", _told("i'm volunteering at a food bank")[1])
    assert " ".join(untold_decline("how many people volunteer there?")) == (
        "you didn't tell me how many people volunteer there")
    assert asks_of_it("who is judging?", _told("the judging is at two o'clock")[1])
    assert asks_of_it("which arm is it?", _told("my son broke his arm")[1])
    assert asks_of_it("which hospital are we going to?", _told("we're having a baby")[1])  # a place of theirs
    assert " ".join(untold_decline("which shop is fixing it?")) == "you didn't tell me which shop is fixing it"
    assert " ".join(untold_decline("how am i getting there")) == "you didn't tell me how you are getting there"
    assert " ".join(untold_decline("when will my car be ready?")) == "you didn't tell me when your car will be ready"
    assert " ".join(untold_decline("what did my son have for lunch?")) == (
        "you didn't tell me what your son had for lunch")
    assert " ".join(untold_decline("where was my cat last seen?")) == "you didn't tell me where your cat was last seen"
    assert " ".join(untold_decline("what is my nephew's favourite colour?")) == (
        "you didn't tell me your nephew's favourite colour")
    assert " ".join(untold_decline("what is my daughter isla's temperature?")) == (
        "you didn't tell me your daughter isla's temperature")
    # a reply that says back what the user does with a verb no sentence said does not state it as told
    told_in = _told("i work as a paramedic", "i'm based at the ambulance station in Crewe", names={("crewe",)})[1]
    told = {"i", "work", "as", "a", "paramedic", "i'm", "based", "at", "the", "ambulance", "station", "in", "crewe"}
    assert not states_told("You said you live in Crewe.", told_in, "where am i based?", told, {("crewe",)})


def test_no_name_of_the_told_module_is_bound_twice():
    # a second "_WISHES" (words of a wish) once silently replaced the tuples that make a wish to live
    # somewhere no home: every module-level name of told.py is bound once
    import ast
    import collections
    import engine.tasks.told as told_module
    tree = ast.parse(open(told_module.__file__, encoding="utf-8").read())
    bound = collections.Counter(
        target.id for node in tree.body for target in (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign)
            else [ast.Name(id=node.name)] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else [])
        if isinstance(target, ast.Name))
    assert [name for name, count in bound.items() if count > 1] == []
