"""Generated memory conversations: targets state what was told, gaps are as recorded, held-out
values and phrasings never reach training conversations."""
import json
import random
import re

import pytest

from engine.data.memory import KINDS, MemoryConfig, generate, generate_one, invented_value
from engine.data.memory_sets import EVAL_GAPS, abstains, evaluation_set, mix, states
from engine.data.memory_facts import SLOT_BY_NAME, SLOTS, UNTOLD
from engine.data.memory_filler import FillerPool, heldout_fragments, heldout_pattern, heldout_tokens, words_of
from engine.shipped import DEFAULT_PATHS

HOBBIES = ("music", "chess", "hiking", "painting", "cooking", "tennis", "movies", "poetry", "gardening",
           "jazz", "baking", "sailing", "knitting", "cycling", "science")
# Plain talk, as the corpora give it; conversation i talks about two hobbies.
TALK = [[f"do you enjoy {a}?", f"yes, {a} is great fun.", "what else do you do?", f"i also like {b}.",
         "that sounds nice.", f"{b} relaxes me."] for a, b in zip(HOBBIES, HOBBIES[1:] + HOBBIES[:1])]
# Talk that must never be used: a held-out value, a held-out phrasing, someone's name.
LEAKY = [["have you met Xiomara?", "no, never."], ["which colour tops my list?", "no idea."],
         ["my name is John", "hello john"]]


@pytest.fixture(scope="module")
def pool():
    return FillerPool.build(TALK + LEAKY)


def _real(pool):
    return {exchange for run in pool.runs for exchange in run}


def test_the_filler_leaves_out_fact_talk_and_held_out_material(pool):
    assert pool.dropped == {"too long": 0, "fact talk": 1, "held-out": 2}
    real = _real(pool)
    assert ("do you enjoy music?", "yes, music is great fun.") in real
    assert not any("Xiomara" in u or "name" in u for u, _ in real)
    drawn = pool.draw(random.Random(0), 3)
    # three consecutive exchanges of one conversation (from one speaker's side)
    assert any(all(drawn[k] == (t[o + 2 * k], t[o + 2 * k + 1]) for k in range(3)) for t in TALK for o in (0, 1)
               if len(t) >= o + 6)
    with pytest.raises(ValueError, match="no usable real exchanges"):
        FillerPool.build([]).draw(random.Random(0), 1)


def test_held_out_values_and_phrasings_are_disjoint_from_training_ones():
    for slot in SLOTS:
        assert not {v.lower() for v in slot.values} & {v.lower() for v in slot.heldout_values}, slot.name
        for train, heldout in ((slot.tell, slot.heldout_tell), (slot.answers, slot.heldout_answers),
                               (slot.ask, slot.heldout_ask)):
            assert heldout and not set(train) & set(heldout), slot.name
    training_text = " | ".join(words_of(t) for s in SLOTS for t in s.tell + s.answers + s.ask + s.values)
    for fragment in heldout_fragments():
        assert len(fragment.split()) >= 2 and fragment not in training_text, fragment
    assert {"xiomara", "vexmoor", "cartographer", "108"} <= heldout_tokens()


def test_most_held_out_values_are_outside_the_shipped_chat_vocabulary():
    from safetensors import safe_open

    from engine.text import tokenize

    with safe_open(str(DEFAULT_PATHS["chat"]), "pt") as handle:
        vocab = set(json.loads(handle.metadata()["vocab"]))
    values = {v for slot in SLOTS for v in slot.heldout_values}
    outside = [v for v in values if any(token not in vocab for token in tokenize(v))]
    assert len(outside) >= 0.8 * len(values)
    assert any(v != v.lower() and v != v.capitalize() for v in outside)  # mixed case
    assert any(re.search(r"[A-Za-z]\d|\d[A-Za-z]", v) for v in outside)  # letters and digits


def test_no_held_out_value_or_phrasing_appears_in_training_conversations(pool):
    guard = heldout_pattern()
    for conversation in generate(1500, pool, MemoryConfig(invented=0.5), seed=11):
        for turn in conversation.turns:
            assert not guard.search(words_of(turn)), turn
        assert not any(p.value_heldout or p.phrasing_heldout for p in conversation.probes)
    # and the guard does see them where they are meant to be
    for values, phrasings in (("heldout", "train"), ("train", "heldout")):
        config = MemoryConfig(values=values, phrasings=phrasings)
        for conversation in generate(200, pool, config, seed=3, kind="single"):
            (probe,) = conversation.probes
            assert probe.value_heldout == (values == "heldout") and probe.phrasing_heldout == (phrasings == "heldout")
            turns = conversation.turns if phrasings == "heldout" else [conversation.turns[probe.told_turn]]
            assert any(guard.search(words_of(t)) for t in turns)


def test_an_invented_value_that_is_a_held_out_one_is_never_used(pool, monkeypatch):
    import engine.data.memory as memory

    words = iter(["Xiomara", "Glenbrook Falls", "Kalo"] * 1000)
    monkeypatch.setattr(memory, "invented_value", lambda rng, slot: next(words))
    config = MemoryConfig(invented=1.0)
    used = {p.value for c in generate(100, pool, config, seed=1, kind="single") for p in c.probes}
    assert "Kalo" in used and not used & {"Xiomara", "Glenbrook Falls"}


def test_invented_values_are_new_spellings():
    rng = random.Random(0)
    names = {invented_value(rng, "pet_name") for _ in range(500)}
    known = {v for slot in SLOTS for v in slot.values}
    assert len(names) > 300 and len(names & known) < 10  # syllables make "Milan" now and then
    assert any(re.search(r"\d", n) for n in names) and any(re.match(r"(Mc|De|La|Van)[A-Z]", n) for n in names)


@pytest.mark.parametrize("values, phrasings", [("train", "train"), ("heldout", "train"), ("train", "heldout")])
def test_every_slot_is_told_and_its_target_states_the_value(pool, values, phrasings):
    config = MemoryConfig(values=values, phrasings=phrasings)
    seen = set()
    for conversation in generate(600, pool, config, seed=5, kind="single"):
        (probe,) = conversation.probes
        seen.add(probe.slot)
        told, question, target = (conversation.turns[i] for i in (probe.told_turn, probe.ask_turn,
                                                                  probe.ask_turn + 1))
        assert probe.told_turn % 2 == 0 and probe.ask_turn % 2 == 0  # user turns
        assert states(told, probe.value, exact=True), (told, probe.value)
        assert states(target, probe.value, exact=True) and not abstains(target), (target, probe.value)
        assert not states(question, probe.value)  # the question does not give the answer away
    assert seen == {slot.name for slot in SLOTS}


def test_acknowledgements_are_read_but_not_trained_on_and_every_asking_is_trained_on(pool):
    """The bot's acknowledgement of a told fact is read (it stays in the conversation) but is no
    target; the replies to askings, the bot's questions and the real talk are targets."""
    from engine.data.chat import Unscored, encode_conversation, make_turn_batch
    from engine.text import Vocab

    acks = {slot.name: slot.acks for slot in SLOTS}
    conversations = generate(200, pool, seed=8)
    vocab = Vocab.build([t.split() for c in conversations for t in c.turns], min_count=1)
    for conversation in conversations:
        assert all(turn % 2 == 1 for turn in conversation.unscored)
        assert {probe.ask_turn + 1 for probe in conversation.probes}.isdisjoint(conversation.unscored)
        for probe in conversation.probes:  # (a correction's acknowledgement states the new value: trained on)
            if probe.told_turn is not None and conversation.kind != "corrected":
                assert probe.told_turn + 1 in conversation.unscored
        exchanges = encode_conversation(conversation.turns, vocab, 30, 30, 0, True, unscored=conversation.unscored)
        batch = make_turn_batch(exchanges, [False] * len(exchanges), vocab)
        for number, (_, reply) in enumerate(exchanges):
            read_only = 2 * number + 1 in conversation.unscored
            assert isinstance(reply, Unscored) == read_only
            assert batch.reply_input[number, 1:len(reply) + 1].tolist() == list(reply)  # read either way
            assert bool(batch.targets[number].any()) != read_only
    said = [t.lower() for c in conversations for t in (c.turns[i] for i in c.unscored)]
    templates = [re.escape(a.lower()).replace(r"\{v\}", ".+").replace(r"\{q\}", ".+").replace(r"\{a\}", ".+")
                 for slot_acks in acks.values() for a in slot_acks]
    assert all(any(re.fullmatch(t, turn) for t in templates) for turn in said), said[:5]


def test_an_untold_fact_is_not_invented(pool):
    for conversation in generate(300, pool, seed=2, kind="untold"):
        (probe,) = conversation.probes
        target = conversation.turns[probe.ask_turn + 1]
        assert probe.value is None and probe.told_turn is None and abstains(target), target
        slot = SLOT_BY_NAME[probe.slot]
        topic = slot.topic.replace("{q}", probe.qualifier)
        assert topic.lower() in target.lower().replace("favorite", "favourite").replace("color", "colour")


def test_some_untold_askings_are_about_a_thing_no_slot_is_about_in_training_only(pool):
    from engine.data.memory_facts import NOVEL_FAVOURITES, NOVEL_NAMED

    novel = set(NOVEL_NAMED) | set(NOVEL_FAVOURITES)
    qualifiers = {q for slot in SLOTS for q in slot.qualifiers}
    assert not novel & qualifiers and not novel & heldout_tokens()
    asked = [c.probes[0].qualifier for c in generate(400, pool, seed=5, kind="untold")]
    share = sum(q in novel for q in asked) / len(asked)
    assert 0.2 < share < 0.4  # MemoryConfig.novel_untold, 0.3
    assert sum(q in novel for q in asked[:200]) > 0
    assert not generate(50, pool, MemoryConfig(novel_untold=0.0), seed=5, kind="untold")[0].probes[0].qualifier in novel
    held_out = evaluation_set(pool, per_cell=40)["untold"]
    assert held_out and not any(c.probes[0].qualifier in novel for c in held_out)


def test_abstaining_and_stating_are_told_apart():
    assert all(abstains(t.replace("{t}", "your name")) for t in UNTOLD)
    for slot in SLOTS:
        for template in slot.state:
            assert not abstains(template), template


def test_a_corrected_fact_is_answered_with_the_new_value(pool):
    for conversation in generate(300, pool, seed=4, kind="corrected"):
        (probe,) = conversation.probes
        target = conversation.turns[probe.ask_turn + 1]
        assert probe.replaced and probe.replaced != probe.value
        assert states(conversation.turns[probe.told_turn], probe.value, exact=True)
        assert states(target, probe.value, exact=True)
        assert not states(target, probe.replaced)
        assert any(states(t, probe.replaced) for t in conversation.turns[:probe.told_turn:2])


def test_several_facts_are_each_asked_back(pool):
    conversations = generate(300, pool, seed=6, kind="several")
    for conversation in conversations:
        assert 2 <= len(conversation.probes) <= 3
        assert len({(p.slot, p.qualifier) for p in conversation.probes}) == len(conversation.probes)
        for probe in conversation.probes:
            assert states(conversation.turns[probe.ask_turn + 1], probe.value, exact=True)
    # sometimes two facts are told in one turn
    assert any(len({p.told_turn for p in c.probes}) < len(c.probes) for c in conversations)


@pytest.mark.parametrize("gap", [0, 1, 2, 4, 8])
def test_gaps_are_as_recorded(pool, gap):
    real = _real(pool)
    config = MemoryConfig(gaps=(gap,))
    for kind in KINDS:
        for conversation in generate(60, pool, config, seed=gap, kind=kind):
            for probe in conversation.probes:
                turns = conversation.turns
                if probe.told_turn is not None:
                    between = range(probe.told_turn // 2 + 1, probe.ask_turn // 2)
                    assert probe.gap == sum((turns[2 * k], turns[2 * k + 1]) in real for k in between)
                    assert probe.distance == len(between)
                if kind != "several":
                    assert probe.gap == gap


def test_generation_is_deterministic_from_the_seed(pool):
    first = generate(50, pool, seed=9)
    assert first == generate(50, pool, seed=9)
    assert first != generate(50, pool, seed=10)
    assert generate(10, pool, seed=9, start=40) == first[40:]  # conversation i depends on i alone
    assert generate_one(3, pool, seed=9) == first[3]
    assert {c.kind for c in first} == set(KINDS)


def test_mix_reaches_the_share_of_exchanges():
    corpus = [[f"a{i}", f"b{i}", f"c{i}", f"d{i}"] for i in range(300)]  # 600 exchanges
    generated = ([f"x{i}", f"y{i}"] for i in range(10_000))  # one exchange each
    exchanges = lambda turns: len(turns) // 2  # noqa: E731
    mixed = mix(corpus, generated, 0.2, seed=1, size=exchanges)
    added = [c for c in mixed if c[0].startswith("x")]
    assert len(added) == 150  # 150 / (600 + 150) = 0.2
    assert all(c in mixed for c in corpus) and mixed != corpus + added  # shuffled together
    assert mixed == mix(corpus, ([f"x{i}", f"y{i}"] for i in range(10_000)), 0.2, seed=1, size=exchanges)
    assert sorted(map(tuple, mix(corpus, iter([]), 0.0))) == sorted(map(tuple, corpus))
    with pytest.raises(ValueError):
        mix(corpus, iter([]), 1.0)


def test_the_evaluation_set_has_every_gap_with_held_out_values_and_phrasings_apart(pool):
    sets = evaluation_set(pool, per_cell=6)
    assert set(sets) == {f"{h}/gap={g}" for h in ("values", "phrasings") for g in EVAL_GAPS} | {"corrected", "untold"}
    for name, conversations in sets.items():
        assert len(conversations) == 6
        for conversation in conversations:
            (probe,) = conversation.probes
            if "/" in name:
                assert probe.gap == int(name.split("=")[1])
                assert (probe.value_heldout, probe.phrasing_heldout) == (name.startswith("values"),
                                                                         name.startswith("phrasings"))
            else:
                assert conversation.kind == name and probe.phrasing_heldout
    assert evaluation_set(pool, per_cell=6) == sets
    turns = [c.turns for cell in sets.values() for c in cell]
    assert len(set(turns)) == len(turns)  # no conversation twice


def test_data_memory_prints_conversations(tmp_path, capsys):
    from engine.__main__ import main
    from tiny_corpora import write_corpora

    folder = write_corpora(tmp_path / "corpora")
    assert main(["data", "memory", "--n", "4", "--corpus-dir", str(folder), "--json", "--gap", "1",
                 "--values", "heldout"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert len(lines) == 4
    for line in lines:
        assert line["kind"] in KINDS and line["probes"]
        assert line["unscored"] or line["kind"] == "untold"  # the acknowledgements of tellings
        for probe in line["probes"]:
            if line["kind"] != "several":
                assert probe["gap"] == 1
            if probe["value"] is not None:
                assert probe["value_heldout"] and probe["value"] in line["turns"][probe["ask_turn"] + 1]


@pytest.mark.parametrize("argv", [["data", "memory", "--gap", "-1"], ["data", "memory", "--n", "0"],
                                  ["data", "memory", "--values", "secret"]])
def test_data_memory_refuses_wrong_options_in_one_line(capsys, argv):
    from engine.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: argument --")


def test_composed_training_phrasings_are_many_and_keep_clear_of_held_out_ones():
    from engine.data.memory_phrasings import _runs, allowed, ask_phrasings, draw_answer, draw_ask, draw_tell

    heldout = [t for s in SLOTS for t in s.heldout_tell + s.heldout_answers + s.heldout_ask]
    assert not allowed(heldout[0]) and not allowed("oh, " + heldout[0])  # the guard sees them
    rng = random.Random(3)
    for slot in SLOTS:
        assert len(ask_phrasings(slot)) >= 60, slot.name
        drawn = {draw(rng, slot) for draw in (draw_ask, draw_tell, draw_answer) for _ in range(300)}
        assert len(drawn) >= 150, slot.name
        for phrasing in drawn:
            assert not any(_runs(phrasing) & _runs(h) for h in heldout), phrasing


def test_some_training_askings_carry_a_word_of_other_talk_and_still_ask_for_the_told_value(pool):
    from engine.data.memory_phrasings import with_other_word

    rng = random.Random(7)
    template = "what is my {q}'s name?"
    changed = {with_other_word(rng, template, ["cooking", "sailing"]) for _ in range(100)}
    assert all(len(c.split()) == len(template.split()) + 1 and "{q}" in c for c in changed)
    assert {w for c in changed for w in c.split()} - set(template.split()) == {"cooking", "sailing"}
    # In the training stream a share of askings holds a word of the corpus talk; the target is the told value.
    # (a hobby word of TALK: the askings' own words are none of them)
    asked = [(c, p) for c in generate(400, pool, MemoryConfig(), seed=11) for p in c.probes if p.value]
    with_talk = [(c, p) for c, p in asked if set(HOBBIES) & set(re.findall(r"[a-z]+", c.turns[p.ask_turn].lower()))]
    assert 0.03 < len(with_talk) / len(asked) < 0.3
    assert all(states(c.turns[p.ask_turn + 1], p.value) for c, p in with_talk)


def test_a_shaken_phrasing_loses_or_gains_one_word_keeps_its_placeholders_and_stays_clear():
    from engine.data.memory_phrasings import _runs, draw_ask, draw_tell, shake

    rng = random.Random(5)
    template = "i have a {q} called {v}"
    assert shake(rng, template, 0.0) == template
    shaken = [shake(rng, template, 1.0) for _ in range(200)]
    assert all(abs(len(s.split()) - len(template.split())) == 1 for s in shaken)
    assert all("{q}" in s and "{v}" in s for s in shaken)
    assert len(set(shaken)) >= 10  # left out at different places, different fillers put in
    heldout = [t for s in SLOTS for t in s.heldout_tell + s.heldout_ask]
    for slot in SLOTS:
        for draw in (draw_ask, draw_tell):
            for _ in range(200):
                phrasing = draw(rng, slot, 1.0)
                assert not any(_runs(phrasing) & _runs(h) for h in heldout), phrasing
