"""The knowledge store: one pair per question, search, edit, delete, imports all or nothing, Teach."""
import sqlite3

import pytest
from sqlalchemy import event, text

from chatapp.store import StoreWriteError
from chatapp.store.db import DB_NAME, migrate, open_engine
from engine.knowledge_pairs import MAX_ANSWER_CHARS, KnowledgePair


def test_add_list_and_replace_by_question_ignoring_case_and_spaces(store):
    first, replaced = store.add_knowledge("What's the wifi password?", "marmalade42")
    assert not replaced and (first.question, first.answer, first.source) == (
        "What's the wifi password?", "marmalade42", "user")
    again, replaced = store.add_knowledge("  what's the  WIFI password? ", "jam99", source="import")
    assert replaced and again.id == first.id
    assert [(p.question, p.answer, p.source) for p in store.knowledge_pairs()] == [
        ("what's the  WIFI password?", "jam99", "import")]
    assert store.knowledge_count() == 1


def test_refused_pairs(store):
    for question, answer, why in (("", "a", "the question is empty"), ("q", "  ", "the answer is empty"),
                                  ("q", "x" * (MAX_ANSWER_CHARS + 1), "the answer is 1,001")):
        with pytest.raises(ValueError, match=why):
            store.add_knowledge(question, answer)
    with pytest.raises(ValueError, match="unknown source"):
        store.add_knowledge("q", "a", source="shipped")
    assert store.knowledge_pairs() == []


def test_search_matches_every_word_in_question_or_answer(store):
    store.add_knowledge("when do we meet?", "Tuesdays at seven")
    store.add_knowledge("where do we meet?", "the town hall")
    store.add_knowledge("100% sure?", "yes_really")
    assert [p.question for p in store.search_knowledge("MEET tuesdays")] == ["when do we meet?"]
    assert {p.question for p in store.search_knowledge("meet")} == {"when do we meet?", "where do we meet?"}
    assert [p.question for p in store.search_knowledge("100%")] == ["100% sure?"]
    assert store.search_knowledge("_") == [store.search_knowledge("yes_")[0]]  # wildcards are literal
    assert store.search_knowledge("nothing") == []
    assert len(store.search_knowledge("  ")) == 3


def test_update_and_delete(store):
    pair, _ = store.add_knowledge("q one", "a one")
    other, _ = store.add_knowledge("q two", "a two")
    edited = store.update_knowledge(pair.id, "Q One?", "a better one")
    assert (edited.question, edited.answer) == ("Q One?", "a better one")
    with pytest.raises(ValueError, match="another pair already has this question"):
        store.update_knowledge(pair.id, "q  TWO", "x")
    with pytest.raises(ValueError, match="the answer is empty"):
        store.update_knowledge(pair.id, "q one", "")
    assert store.delete_knowledge(other.id) and not store.delete_knowledge(other.id)
    with pytest.raises(KeyError):
        store.update_knowledge(other.id, "q", "a")
    assert [(p.question, p.answer) for p in store.knowledge_pairs()] == [("Q One?", "a better one")]


def test_knowledge_for_engine_gives_plain_pairs(store):
    store.add_knowledge("b", "2")
    store.add_knowledge("a", "1", source="import")
    assert store.knowledge_for_engine() == [KnowledgePair("b", "2", "user"), KnowledgePair("a", "1", "import")]


def test_import_adds_and_replaces_in_one_transaction(store):
    store.add_knowledge("Who are you", "a bot")
    added, replaced = store.import_pairs([KnowledgePair("who are you", "chatapp", "import"),
                                          KnowledgePair("what is 2+2", "4", "import")])
    assert (added, replaced) == (1, 1)
    assert {(p.question, p.answer, p.source) for p in store.knowledge_pairs()} == {
        ("who are you", "chatapp", "import"), ("what is 2+2", "4", "import")}


def test_an_import_with_one_bad_pair_stores_nothing(store):
    store.add_knowledge("kept", "as it was")
    with pytest.raises(ValueError, match="pair 2: the answer is empty"):
        store.import_pairs([KnowledgePair("new", "one", "import"), KnowledgePair("kept", "", "import")])
    assert [(p.question, p.answer) for p in store.knowledge_pairs()] == [("kept", "as it was")]


def test_an_import_the_disk_refuses_half_way_stores_nothing(store):
    store.add_knowledge("kept", "as it was")
    statements = []

    def refuse_the_update(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement.split()[0])
        if statement.lstrip().upper().startswith("UPDATE"):  # after the INSERT of the new pairs
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(store._engine, "before_cursor_execute", refuse_the_update)
    try:
        with pytest.raises(StoreWriteError, match="full"):
            store.import_pairs([KnowledgePair(f"new {i}", "x", "import") for i in range(50)]
                               + [KnowledgePair("KEPT", "changed", "import")])
    finally:
        event.remove(store._engine, "before_cursor_execute", refuse_the_update)
    assert "INSERT" in statements  # the new pairs were written, then rolled back
    assert [(p.question, p.answer) for p in store.knowledge_pairs()] == [("kept", "as it was")]


def test_a_large_import(store):
    pairs = [KnowledgePair(f"question number {i}", f"answer {i}", "import") for i in range(5_000)]
    assert store.import_pairs(pairs) == (5_000, 0)
    assert store.import_pairs(pairs[:10]) == (0, 10)
    assert store.knowledge_count() == 5_000


def test_teach_stores_the_correction_and_the_pair(store):
    conversation = store.create_conversation("c").id
    store.add_message(conversation, "user", "what's the wifi password?")
    bot = store.add_message(conversation, "bot", "i do not know")
    taught = store.teach(bot.id, "  It's marmalade42. ")
    assert (taught.question, taught.replaced, taught.skipped) == ("what's the wifi password?", False, "")
    assert store.corrections(bot.id) == ["It's marmalade42."]
    assert store.knowledge_for_engine() == [KnowledgePair("what's the wifi password?", "It's marmalade42.", "user")]
    assert store.teach(bot.id, "marmalade43").replaced
    assert [p.answer for p in store.knowledge_pairs()] == ["marmalade43"]
    with pytest.raises(ValueError, match="needs some text"):
        store.teach(bot.id, "   ")


def test_teach_without_a_usable_question_keeps_the_correction_only(store):
    conversation = store.create_conversation("c").id
    store.add_message(conversation, "user", "x" * 400)
    bot = store.add_message(conversation, "bot", "hm")
    taught = store.teach(bot.id, "short")
    assert taught.question is None and "the question is 400 characters long" in taught.skipped
    assert store.corrections(bot.id) == ["short"] and store.knowledge_pairs() == []
    user = store.add_message(conversation, "user", "hi")
    with pytest.raises(ValueError, match="only a bot message"):
        store.teach(user.id, "no")


def test_a_reply_keeps_the_pair_it_drew_on(store):
    conversation = store.create_conversation("c").id
    use = {"question": "wifi?", "answer": "marmalade42", "source": "user", "copied_share": 0.5}
    saved = store.add_message(conversation, "bot", "It's marmalade42.",
                              attention={"kind": "reply", "source": [], "target": [], "weights": [],
                                         "knowledge": use})
    plain = store.add_message(conversation, "bot", "hello", attention={"kind": "reply", "source": [],
                                                                        "target": [], "weights": []})
    assert saved.knowledge == use and store.message(saved.id).knowledge == use
    assert store.message(plain.id).knowledge is None


def test_todays_database_upgrades_to_the_knowledge_table(tmp_path):
    """A data folder of the schema before the knowledge store (0003) keeps its data."""
    from chatapp.store import Store

    folder = tmp_path / "data"
    folder.mkdir()
    engine = open_engine(folder / DB_NAME)
    migrate(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO conversations (id, title, created_at, updated_at) "
                                "VALUES (1, 'before knowledge', '2026-01-01 10:00:00', '2026-01-01 10:05:00')"))
        connection.execute(text("INSERT INTO messages (id, conversation_id, role, text, created_at) "
                                "VALUES (1, 1, 'user', 'what is the wifi password', '2026-01-01 10:00:00')"))
        connection.execute(text("INSERT INTO messages (id, conversation_id, role, text, created_at, attention) "
                                "VALUES (2, 1, 'bot', 'no idea', '2026-01-01 10:00:01', "
                                "'{\"kind\": \"reply\", \"source\": [], \"target\": [], \"weights\": []}')"))
        assert not connection.execute(text("SELECT 1 FROM sqlite_master WHERE name='knowledge_pairs'")).first()
    engine.dispose()

    store = Store(folder)  # applies 0004
    try:
        assert [(c.id, c.title) for c in store.conversations()] == [(1, "before knowledge")]
        user, bot = store.messages(1)
        assert (user.text, bot.text, bot.has_attention, bot.knowledge) == (
            "what is the wifi password", "no idea", True, None)
        assert store.search("wifi")[0].message_id == 1
        assert store.knowledge_pairs() == []
        assert store.teach(bot.id, "marmalade42").question == "what is the wifi password"
        assert store.knowledge_for_engine() == [KnowledgePair("what is the wifi password", "marmalade42")]
        assert store.integrity_check() == "ok"
    finally:
        store.close()
    with sqlite3.connect(folder / DB_NAME) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
        columns = [row[1] for row in connection.execute("PRAGMA table_info(knowledge_pairs)")]
        assert columns == ["id", "question", "question_key", "answer", "source", "created_at", "updated_at"]
