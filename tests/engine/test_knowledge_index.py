"""Knowledge retrieval (BM25 over stored pairs) and the shipped pairs about the bot."""
import math
from pathlib import Path

from tiny_corpora import PERSONALITY, write_corpora

from engine.data.corpora import load_corpora
from engine.knowledge_index import KnowledgeIndex
from engine.knowledge_pairs import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, KnowledgePair
from engine.shipped import SHIPPED_KNOWLEDGE, shipped_pairs
from engine.tasks.knowledge_build import build_shipped, split_questions

ROOT = Path(__file__).resolve().parents[2]

UNRELATED = [("what is the capital of france?", "Paris."),
             ("how do i bake sourdough bread?", "Feed the starter the night before."),
             ("what time does the club open on sunday?", "At ten in the morning."),
             ("who won the football match yesterday?", "The home team, two to one."),
             ("what is your favourite colour?", "I like green."),
             ("where is the nearest train station?", "Two streets down, by the park.")]
WIFI = KnowledgePair("what is the wifi password?", "It's marmalade42.")


def _index(*extra: KnowledgePair) -> KnowledgeIndex:
    return KnowledgeIndex([KnowledgePair(q, a) for q, a in UNRELATED] + list(extra))


def test_a_paraphrase_sharing_content_words_finds_its_pair_first():
    index = _index(WIFI)
    for text in ("tell me the password for the wifi", "wifi passwords?", "what's the WiFi password"):
        hits = index.search(text)
        assert hits and hits[0].pair == WIFI, text
        assert all(a.score >= b.score > 0 for a, b in zip(hits, hits[1:]))


def test_a_question_typed_without_its_apostrophes_matches_as_written_out():
    hurried = KnowledgePair("whats the wifi password", "It's marmalade42.")
    index = _index(hurried)
    hits = index.search("what's the wifi password?")
    assert hits[0].pair == hurried and math.isclose(hits[0].relevance, 1.0, rel_tol=1e-6)
    assert math.isclose(index.search("whats the wifi password")[0].score, hits[0].score)


def test_agreement_is_one_for_the_same_words_and_falls_with_words_of_either_side_alone():
    from engine.tasks.chat_memory import SURE_MATCH

    index = _index(WIFI, KnowledgePair("here i am", "Hi."), KnowledgePair("that's not funny", "Sorry."))
    assert index.agreement("I am here!", "here i am") == 1.0  # order and punctuation aside
    assert index.agreement("What is the WiFi password", WIFI.question) == 1.0  # case aside
    close = index.agreement("tell me the wifi password", WIFI.question)
    other = index.agreement("what is the wifi name?", WIFI.question)  # another question about the wifi
    assert SURE_MATCH <= close < 1.0 and other < SURE_MATCH
    assert index.agreement("not funny", "that's not funny") > index.agreement("be funny", "that's not funny")
    assert index.agreement("nearest station?", WIFI.question) == 0.0  # no word in common
    hit = index.search("tell me the wifi password")[0]  # the hits carry it
    assert hit.pair == WIFI and hit.agreement == close


def test_a_stop_word_only_question_returns_at_most_k_and_prefers_its_own_words():
    index = _index(KnowledgePair("who are you?", "I'm a chatbot."), KnowledgePair("how are you?", "Fine."))
    for k in (1, 2, 3):
        assert 1 <= len(index.search("who are you", k=k)) <= k
    assert index.search("who are you")[0].pair.question == "who are you?"
    assert index.search("the of and is it", k=3) is not None and len(index.search("the of and is", k=3)) <= 3
    assert index.search("?!", k=3) == [] and index.search("", k=3) == []
    assert index.search("who are you", k=0) == []


def test_removing_a_pair_makes_it_unfindable_and_keys_stay_valid():
    index = _index()
    key = index.add(WIFI)
    other = index.add(KnowledgePair("what is the wifi network called?", "Club guests."))
    assert len(index) == len(UNRELATED) + 2 and index.search("wifi password")[0].key == key
    index.remove(key)
    assert key not in index and len(index) == len(UNRELATED) + 1
    assert all(hit.pair != WIFI for hit in index.search("what is the wifi password?", k=10))
    assert index.search("wifi password")[0].key == other  # the postings of the others are intact
    # Pairs added and removed after searches (which keep the walked postings sorted) are found and forgotten.
    again = index.add(KnowledgePair("the wifi password again?", "Still marmalade42."))
    assert index.search("wifi password again")[0].key == again
    index.remove(other)
    assert [hit.key for hit in index.search("wifi network", k=10)] == [again]
    assert KnowledgeIndex().search("wifi") == []


def test_a_taught_answer_outranks_the_shipped_answer_to_the_same_question():
    """The user teaches their own answer to a question the bot shipped with: theirs comes first,
    and the shipped one still answers where nothing was taught."""
    index = KnowledgeIndex([KnowledgePair("why are you so boring?", "I aim for efficiency.", "shipped"),
                            KnowledgePair("are you boring?", "Only on Mondays.", "user"),
                            *(KnowledgePair(q, a, "shipped") for q, a in UNRELATED)])
    hits = index.search("why are you so boring?", k=2)
    assert [hit.pair.answer for hit in hits] == ["Only on Mondays.", "I aim for efficiency."]
    assert hits[0].relevance > hits[1].relevance
    assert index.search("what is the capital of france?", k=1)[0].pair.answer == "Paris."


def test_the_context_counts_less_than_the_turn():
    bakery = KnowledgePair("when does the bakery open?", "At seven.")
    index = _index(WIFI, bakery)
    # The turn asks about the wifi, the recent turns spoke of the bakery: the turn decides, and a
    # pair that shares only the context's words is not brought up at all.
    hits = index.search("and the wifi?", k=5, context=["the bakery opens late", "bakery"])
    assert hits[0].pair == WIFI and bakery not in {hit.pair for hit in hits}
    # The same word in the turn scores more than in the context; the context alone still finds it.
    in_text = index.search("wifi", k=1)[0]
    in_context = index.search("hmm", k=1, context=["wifi"])[0]
    assert in_text.pair == in_context.pair == WIFI and in_context.score < in_text.score
    # Between pairs that match the turn alike, the context decides.
    both = index.search("wifi bakery", k=2, context=["the bakery"])
    assert [hit.pair for hit in both] == [bakery, WIFI]
    assert [hit.pair for hit in index.search("wifi bakery", k=2, context=["wifi"])] == [WIFI, bakery]
    cats = KnowledgeIndex([KnowledgePair("what does it eat?", "My cat eats fish."),
                           KnowledgePair("what does it eat?", "My dog eats meat.")])
    hit = cats.search("what does it eat", k=1, context=["tell me about your dog"])[0]
    assert hit.pair.answer == "My dog eats meat."


def test_relevance_is_in_0_1_and_highest_for_the_exact_question():
    index = _index(WIFI)
    exact = index.search("what is the wifi password?")[0]
    paraphrase = index.search("wifi code for the club guests")
    assert exact.pair == WIFI and exact.relevance > 0.95
    for hits in (index.search("what is the wifi password?", k=7), paraphrase, index.search("what is", k=7)):
        assert all(0.0 <= hit.relevance <= 1.0 for hit in hits)
    assert paraphrase[0].pair == WIFI and paraphrase[0].relevance < exact.relevance
    weak = index.search("the capital of my heart is a mystery", k=7)
    assert weak[0].pair.answer == "Paris." and weak[0].relevance < 0.6


def test_a_reply_reads_first_a_question_that_says_just_what_the_turn_says():
    from engine.tasks.chat_memory import pairs_read

    # "Hello Siri"'s answer says "hello" again, so it outscores the question "Hello" itself.
    siri = [KnowledgePair(f"Hello {name}", "That's not me, but hello nonetheless!", "shipped")
            for name in ("Siri", "Alexa", "Cortana", "Google")]
    hello = KnowledgePair("Hello", "Hi!", "shipped")
    index = KnowledgeIndex(siri + [hello] + [KnowledgePair(q, a, "shipped") for q, a in UNRELATED])
    assert hello not in [hit.pair for hit in index.search("hello", k=3)]  # by score alone
    assert pairs_read(index, "hello", 3)[0].pair == hello and pairs_read(index, "Hello!", 3)[0].pair == hello
    assert pairs_read(index, "hello alexa", 3)[0].pair.question == "Hello Alexa"
    # what the user taught still comes before a shipped question said word for word
    boring = KnowledgePair("why are you so boring?", "I aim for efficiency.", "shipped")
    taught = KnowledgePair("are you boring?", "Only on Mondays.", "user")
    index = KnowledgeIndex([boring, taught] + [KnowledgePair(q, a, "shipped") for q, a in UNRELATED])
    assert [hit.pair for hit in pairs_read(index, "why are you so boring?", 2)] == [taught, boring]


def test_many_pairs_rank_the_same_with_pruning_as_by_full_scoring():
    # The search stops walking long lists of common words: its top k must still be the true top k.
    from engine.knowledge_bench import synthetic_pairs

    pairs, words = synthetic_pairs(3000, seed=5)
    # every third one shipped: its matches count less, and the pruning's bounds must allow for that
    pairs = [KnowledgePair(p.question, p.answer, "shipped" if i % 3 == 0 else p.source) for i, p in enumerate(pairs)]
    pairs += [KnowledgePair(f"is it the {w}?", "no") for w in ("cat", "dog", "sun", "end")] * 20
    index = KnowledgeIndex(pairs, walk_budget=math.inf)
    texts = ["what is the", "what is it", "who are you", "is it the dog", "how old are you"]
    texts += [pair.question for pair in pairs[::150]] + [" ".join(words.draw(4)) for _ in range(20)]
    for text in texts:
        hits = index.search(text, k=3)
        everything = index.search(text, k=len(index))  # k = all: nothing can be left out
        assert hits, text
        assert [h.score for h in hits] == [h.score for h in everything[:3]], text
        assert [h.key for h in hits] == [h.key for h in everything[:len(hits)]], text


def _corpus_dir() -> Path | None:
    """The corpora folder beside an ancestor of the checkout (shared/corpora), if one is there."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "corpora"
        if (candidate / "personality-chat" / "qna_chitchat_the_friend.tsv").is_file():
            return candidate
    return None


def _check_train_only(corpus: Path, pairs: list[KnowledgePair], persona_answers: set[str]) -> None:
    questions = split_questions(corpus)
    held_out = questions["valid"] | questions["test"]
    asked = {pair.question.lower() for pair in pairs}
    assert held_out and not asked & held_out
    assert asked <= questions["train"]
    assert {pair.answer for pair in pairs} <= persona_answers
    assert len(asked) == len(pairs)  # each question once


def test_build_shipped_keeps_the_friends_train_groups_only(tmp_path):
    corpus = write_corpora(tmp_path / "corpora")
    out = tmp_path / "knowledge" / "about_bot.tsv"
    count = build_shipped(corpus, out)
    pairs = shipped_pairs(out)
    assert count == len(pairs) > 0 and all(pair.source == "shipped" for pair in pairs)
    _check_train_only(corpus, pairs, {a for p, _, a in PERSONALITY if p == "friend"})
    splits = load_corpora(corpus, ["personality-chat"])["personality-chat"].splits
    friend_train = {q.lower() for q, a in splits.train if (("friend", q, a) in PERSONALITY)}
    assert {pair.question.lower() for pair in pairs} == friend_train
    text = out.read_text(encoding="utf-8")
    assert text.startswith("#") and "MIT" in text and "Personality Chat" in text
    assert "Permission is hereby granted" in out.with_suffix(".md").read_text(encoding="utf-8") or \
        "MIT License" in out.with_suffix(".md").read_text(encoding="utf-8")


def test_the_committed_shipped_pairs_are_read_and_hold_no_held_out_question(tmp_path):
    pairs = shipped_pairs()
    assert SHIPPED_KNOWLEDGE.is_file() and len(pairs) > 100
    assert all(pair.source == "shipped" and 0 < len(pair.question) <= MAX_QUESTION_CHARS
               and 0 < len(pair.answer) <= MAX_ANSWER_CHARS for pair in pairs)
    assert "Personality Chat" in SHIPPED_KNOWLEDGE.read_text(encoding="utf-8").splitlines()[0]
    # The index answers questions about the bot from them.
    hit = KnowledgeIndex(pairs).search("how old are you", k=1)[0]
    assert "age" in hit.pair.answer.lower() or "old" in hit.pair.answer.lower()
    corpus = _corpus_dir()
    if corpus is not None:  # re-derive the held-out groups and the file itself from the corpus
        friend = {" ".join(line.split("\t")[1].split()) for line in
                  (corpus / "personality-chat" / "qna_chitchat_the_friend.tsv").read_text(encoding="utf-8-sig")
                  .splitlines()[1:] if "\t" in line}
        _check_train_only(corpus, pairs, friend)
        build_shipped(corpus, tmp_path / "about_bot.tsv")
        assert shipped_pairs(tmp_path / "about_bot.tsv") == pairs
    else:  # no corpus here: the committed file against a fixture's split cannot be checked; its form can
        assert len({pair.question.lower() for pair in pairs}) == len(pairs)


def test_a_missing_or_broken_shipped_file_gives_no_pairs_and_no_crash(tmp_path):
    assert shipped_pairs(tmp_path / "nothing.tsv") == []
    broken = tmp_path / "broken.tsv"
    broken.write_bytes(b"\xff\xfe\x00binary")
    assert shipped_pairs(broken) == []
    mixed = tmp_path / "mixed.tsv"
    mixed.write_text("# a comment\tnot a pair\nno tab here\nq?\ta.\n\t\n", encoding="utf-8")
    assert shipped_pairs(mixed) == [KnowledgePair("q?", "a.", "shipped")]


def test_the_command_builds_the_file_and_names_a_missing_folder(tmp_path, capsys):
    from engine.__main__ import main

    corpus = write_corpora(tmp_path / "corpora")
    out = tmp_path / "about_bot.tsv"
    assert main(["knowledge", "build-shipped", "--corpus-dir", str(corpus), "--out", str(out)]) == 0
    assert shipped_pairs(out) and out.with_suffix(".md").is_file()
    assert main(["knowledge", "build-shipped", "--corpus-dir", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_the_retrieval_bench_reports_its_figures_on_a_small_store():
    from engine.knowledge_bench import bench_retrieval, synthetic_pairs

    pairs, _ = synthetic_pairs(1500, seed=3)
    shipped = {pair.question for pair in shipped_pairs()}
    generated = [pair for pair in pairs if pair.source == "user"]
    assert len(pairs) == 1500 and generated and not any(pair.question in shipped for pair in generated)
    figures = bench_retrieval(n_pairs=1500, n_queries=60, seed=3)
    assert figures["retrieval_pairs"] == 1500 and figures["retrieval_queries"] == 60
    assert 0 < figures["retrieval_ms_p50"] <= figures["retrieval_ms_p95"] <= figures["retrieval_ms_max"]
    assert 0 <= figures["retrieval_cpu_ms_p50"] <= figures["retrieval_cpu_ms_p95"]
    assert figures["retrieval_hit_at_3"] > 0.5  # the shipped question, one word dropped, is found
    assert 0.9 <= figures["retrieval_exact_top3_share"] <= 1.0


def test_a_walk_budget_still_finds_a_rare_words_pair_first():
    # The rarest words are walked first: a budget of one posting still finds the only wifi pair.
    pairs = [KnowledgePair(f"what is the {n} of the thing?", "no") for n in range(300)] + [WIFI]
    index = KnowledgeIndex(pairs, walk_budget=1)
    hits = index.search("what is the wifi password of the thing")
    assert hits[0].pair == WIFI and len(hits) <= 3
    assert len(KnowledgeIndex(pairs, walk_budget=math.inf).search("what is the thing", k=5)) == 5


def test_groups_asking_what_the_user_told_are_left_out_of_the_shipped_pairs(tmp_path, monkeypatch):
    import engine.tasks.knowledge_build as knowledge_build
    from engine.data.memory_facts import asks_what_the_user_told

    assert asks_what_the_user_told("What's my name?") and asks_what_the_user_told("Who am I?")
    assert asks_what_the_user_told("where do I live")
    assert not asks_what_the_user_told("What's your name?") and not asks_what_the_user_told("Who are you?")
    # Read on every "what's my name?", such a group's answer was said over the name just told.
    group = "What's my name?\tI don't know you, sorry!\r\nDo you know me?\tI don't know you, sorry!\r\n"
    corpus = write_corpora(tmp_path / "corpora", personality_extra=group)
    every = {q.lower() for _, q, _ in PERSONALITY} | {"what's my name?", "do you know me?"}
    monkeypatch.setattr(knowledge_build, "split_questions", lambda *_: {"train": every, "valid": set(), "test": set()})
    build_shipped(corpus, tmp_path / "about_bot.tsv")
    pairs = shipped_pairs(tmp_path / "about_bot.tsv")
    assert {pair.answer for pair in pairs} == {a for p, _, a in PERSONALITY if p == "friend"}  # the rest kept
    assert not any(asks_what_the_user_told(pair.question) for pair in shipped_pairs())  # and the committed file


def test_a_pair_about_the_bot_is_not_read_for_a_question_about_the_user():
    from engine.tasks.chat_memory import pairs_read

    store = KnowledgeIndex([KnowledgePair("Where do you live?", "I'm digital, so I'm always just... here.", "shipped"),
                            KnowledgePair("Where do I live?", "In Oslo.", "user"),
                            KnowledgePair("where is the station?", "Down the hill.", "user")])
    asked = lambda text: [hit.pair.answer for hit in pairs_read(store, text, 3)]  # noqa: E731
    assert asked("where do i live?") == ["In Oslo."]
    assert asked("where do you live?") == ["I'm digital, so I'm always just... here."]
    assert "Down the hill." in asked("where is the station?")  # no person: read as before
    # a question about both, or about neither, is read whoever it is about
    both = KnowledgeIndex([KnowledgePair("Do you like me?", "You're awfully easy to like.", "shipped")])
    assert [hit.pair.question for hit in pairs_read(both, "do you like me?", 3)] == ["Do you like me?"]
    # but a question about the user and the bot is not read for one about the bot alone
    assert pairs_read(both, "do you like music?", 3) == [] and pairs_read(both, "do you like?", 3) == []
    assert [hit.pair.question for hit in pairs_read(both, "do you really like me?", 3)] == ["Do you like me?"]
    theirs = KnowledgeIndex([KnowledgePair("who sings I only want to be with you?", "Dusty Springfield", "user")])
    assert pairs_read(theirs, "who sings only want to be with you", 3) != []  # the user's pair, matched loosely
