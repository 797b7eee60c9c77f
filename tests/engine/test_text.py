from engine.text import EOS, PAD, SOS, UNK, URL, USER, Vocab, detokenize, normalize, spelt_out, tokenize


def test_tokenize_lowercases_and_maps_urls_and_users():
    assert tokenize("Hello @Bob, see https://example.org/a?b=1 NOW") == [
        "hello", USER, ",", "see", URL, "now"]


def test_control_characters_emoji_and_mixed_scripts():
    assert normalize("a\x00b\x07\u200bc") == "a b c"
    tokens = tokenize("so happy 😀 שלום مرحبا")
    assert tokens[:2] == ["so", "happy"] and "😀" in tokens and "שלום" in tokens and "مرحبا" in tokens


def test_a_lengthened_word_is_shortened_but_a_number_is_kept_as_written():
    assert tokenize("sooooo good") == ["sooo", "good"]
    assert tokenize("i've written 30000 words, about 1000000 letters") == [
        "i've", "written", "30000", "words", ",", "about", "1000000", "letters"]


def test_long_text_is_cut():
    assert len(tokenize("word " * 100_000)) < 1000


def test_vocab_build_orders_by_frequency_and_respects_limits():
    texts = [["b", "a", "a"], ["c", "a", "b"], ["rare"]]
    vocab = Vocab.build(texts, max_size=8, min_count=2)
    assert vocab.itos[:4] == [PAD, UNK, SOS, EOS]
    assert vocab.itos[6:] == ["a", "b"]
    assert vocab.encode(["a", "rare"]) == [6, vocab.unk_id]
    assert len(Vocab.build(texts, max_size=7, min_count=1)) == 7


def test_detokenize_reads_naturally():
    assert detokenize(["i", "'m", "fine", ",", "thanks", "!", "you", "?", EOS]) == "I'm fine, thanks! You?"
    assert detokenize([UNK, "ok"]) == "Ok"
    assert detokenize(["it", "cost", "£", "900", "and", "$", "40", "."]) == "It cost £900 and $40."


def test_detokenize_makes_a_an_before_a_vowel_sound():
    assert detokenize(["you", "work", "as", "a", "architect", "."]) == "You work as an architect."
    assert detokenize(["a", "hour"]) == "An hour"
    for kept in (["a", "user"], ["a", "university"], ["a", "one", "day", "trip"], ["a", "cat"], ["a", "a"]):
        assert detokenize(kept) == "A " + " ".join(kept[1:])
    # "a" after "an" or "the" is the letter (a grade), not an article to make "an"
    assert detokenize(["you", "got", "an", "a", "in", "maths"]) == "You got an A in maths"
    assert detokenize(["you", "got", "an", "a", "in", "chemistry", "and", "a", "b", "in", "biology"]) == (
        "You got an A in chemistry and a B in biology")
    assert detokenize(["my", "parents", "'", "anniversary"]) == "My parents' anniversary"  # not "parents ' ..."


def test_a_message_typed_in_haste_is_spelt_out_as_it_is_meant():
    assert spelt_out("whats my dogs name") == "what's my dog's name?"
    assert spelt_out("my names Jake") == "my name's Jake"
    assert spelt_out("Im going to a festival. its called Green Man") == "I'm going to a festival. it's called Green Man"
    assert spelt_out("hes an architect and she doesnt know") == "he's an architect and she doesn't know"
    assert spelt_out("what breed is she") == "what breed is she?"
    assert spelt_out("how long have we been together") == "how long have we been together?"
    assert spelt_out("do i have a dog") == "do i have a dog?"
    assert spelt_out("who scored the winning goal") == "who scored the winning goal?"
    assert spelt_out("since when have i been playing") == "since when have i been playing?"
    # a lower-case name after "my names", and a "were" that opens a telling
    assert spelt_out("my names kwame") == "my name's kwame"
    assert spelt_out("were called the Dynamo Donkeys") == "we're called the Dynamo Donkeys"
    assert spelt_out("i play in a team. were going out after") == "i play in a team. we're going out after"
    # words that are words without an apostrophe, and clauses that tell, are left as typed
    for typed in ("they were going out", "were you there?", "my names are hard to spell", "i feel ill", "well ok", "i love its colour", "when i was five i lived in Leeds",
                  "what i mean is no", "where is it?", "hello"):
        assert spelt_out(typed) == typed
