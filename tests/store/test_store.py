import sqlite3

import pytest
from sqlalchemy import text

from chatapp.store import Store, StoreError
from chatapp.store.db import DB_NAME

PROBS = {"negative": 0.1, "neutral": 0.2, "positive": 0.7}


def test_pragmas_wal_and_foreign_keys(store):
    with store._engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_messages_keep_everything_and_come_back_in_order(store):
    conversation = store.create_conversation("hello")
    user = store.add_message(conversation.id, "user", "I love this")
    store.set_sentiment(user.id, "positive", PROBS)
    attention = {"kind": "reply", "source": ["i", "love", "this"], "target": ["me", "too"],
                 "weights": [[0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]}
    bot = store.add_message(conversation.id, "bot", "me too", attention=attention, score=-0.4,
                            decoding={"strategy": "beam", "beam_size": 5})
    messages = store.messages(conversation.id)
    assert [m.role for m in messages] == ["user", "bot"]
    assert messages[0].sentiment_label == "positive"
    assert messages[0].sentiment_confidence == pytest.approx(0.7)
    assert not messages[0].has_attention and messages[1].has_attention
    assert store.attention(bot.id) == attention
    assert messages[1].decoding == {"strategy": "beam", "beam_size": 5}
    assert store.exchanges(conversation.id) == [("I love this", "me too")]
    assert store.mood(conversation.id)[0][2:] == ("positive", PROBS)


def test_pages_from_the_newest(store):
    conversation = store.create_conversation("long")
    ids = [store.add_message(conversation.id, "user", f"m{i}").id for i in range(25)]
    last = store.messages(conversation.id, limit=10)
    assert [m.id for m in last] == ids[-10:]
    earlier = store.messages(conversation.id, before_id=last[0].id, limit=10)
    assert [m.id for m in earlier] == ids[5:15]


def test_conversations_newest_first(store):
    first = store.create_conversation("first")
    second = store.create_conversation("second")
    store.add_message(first.id, "user", "bump")
    assert [c.title for c in store.conversations()] == ["first", "second"]
    assert store.conversations()[0].message_count == 1
    store.rename_conversation(second.id, "  renamed   twice ")
    assert store.conversation(second.id).title == "renamed twice"


def test_delete_removes_rows_and_attachment_files(store):
    conversation = store.create_conversation("pics")
    image = store.add_image_message(conversation.id, "cat.png", b"\x89PNG fake bytes")
    bot = store.add_message(conversation.id, "bot", "a cat")
    store.add_correction(bot.id, "a small cat")
    store.set_feedback(bot.id, 1)
    path = image.attachments[0].path
    assert path.read_bytes() == b"\x89PNG fake bytes"
    store.delete_conversation(conversation.id)
    assert not path.exists()
    with store._engine.connect() as connection:
        for table in ("messages", "attachments", "corrections", "feedback", "messages_fts"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_a_shared_image_copy_stays_while_another_message_uses_it(store):
    one, two = store.create_conversation("one"), store.create_conversation("two")
    first = store.add_image_message(one.id, "a.png", b"same bytes")
    second = store.add_image_message(two.id, "b.png", b"same bytes")
    assert first.attachments[0].path == second.attachments[0].path
    store.delete_conversation(one.id)
    assert second.attachments[0].path.exists()


def test_search_finds_words_across_conversations(store):
    old = store.create_conversation("old one")
    store.add_message(old.id, "user", "We talked about penguins in Antarctica")
    new = store.create_conversation("new one")
    store.add_message(new.id, "user", "Something else entirely")
    hits = store.search("penguin")  # the last word is a prefix
    assert [(h.conversation_id, h.conversation_title) for h in hits] == [(old.id, "old one")]
    assert "[penguins]" in hits[0].snippet
    assert store.search("antarctica penguins")[0].conversation_id == old.id
    assert store.search("penguins zebra") == []
    assert store.search('"; DROP TABLE messages; --') == []


def test_corrections_and_feedback(store):
    conversation = store.create_conversation("c")
    user = store.add_message(conversation.id, "user", "hi")
    bot = store.add_message(conversation.id, "bot", "what")
    store.add_correction(bot.id, "hello there!")
    store.set_feedback(bot.id, -1)
    message = store.message(bot.id)
    assert message.correction == "hello there!" and message.feedback == -1
    with pytest.raises(ValueError):
        store.add_correction(user.id, "users are not corrected")
    exchanges = store.training_exchanges([conversation.id])
    assert [(e.user, e.bot, e.correction, e.feedback) for e in exchanges] == [
        ("hi", "what", "hello there!", -1)]


def test_model_versions_activate_and_roll_back(store, tmp_path):
    shipped = store.ensure_shipped_version("chat", tmp_path / "chat.safetensors")
    assert store.ensure_shipped_version("chat", tmp_path / "chat.safetensors") == shipped
    assert store.active_version("chat").id == shipped
    run = store.start_training_run("chat", {"epochs": 2}, base_version_id=shipped)
    trained = store.add_model_version("chat", "fine-tuned", store.data_dir / "models" / "v1.safetensors",
                                      training_run_id=run, activate=True)
    store.finish_training_run(run, "done", curves={"loss": [[1, 2.0]]}, figures={"ppl": 9.0})
    assert store.active_version("chat").id == trained
    assert store.model_version(trained).path == store.data_dir / "models" / "v1.safetensors"
    store.activate_version(shipped)
    assert [v.active for v in store.model_versions("chat")] == [True, False]
    runs = store.training_runs("chat")
    assert runs[0].status == "done" and runs[0].curves == {"loss": [[1, 2.0]]}


def test_hard_text_is_stored_whole(store):
    conversation = store.create_conversation("hard")
    texts = ["x" * 100_000, "emoji 😀🎉👩‍👩‍👧", "שלום עולם — مرحبا بالعالم"]
    for body in texts:
        store.add_message(conversation.id, "user", body)
    assert [m.text for m in store.messages(conversation.id)] == texts
    assert store.search("שלום")[0].conversation_id == conversation.id


def test_corrupt_database_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    garbage = b"this is not a database at all" * 100
    (folder / DB_NAME).write_bytes(garbage)
    with pytest.raises(StoreError, match="cannot be read"):
        Store(folder)
    assert (folder / DB_NAME).read_bytes() == garbage


def test_folder_that_is_a_file_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    with pytest.raises(StoreError, match="cannot be written"):
        Store(blocker / "data")


def test_newer_schema_is_refused(tmp_path):
    store = Store(tmp_path / "data")
    with store._engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(tmp_path / "data")


def test_integrity_after_the_process_is_killed_mid_write(tmp_path):
    import subprocess
    import sys
    import time

    folder = tmp_path / "data"
    Store(folder).close()
    script = ("import sys\nfrom pathlib import Path\nfrom chatapp.store import Store\n"
              "s = Store(Path(sys.argv[1])); c = s.create_conversation('k')\n"
              "print('ready', flush=True)\n"
              "while True: s.add_message(c.id, 'user', 'x' * 5000)\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    child.kill()
    child.wait()
    store = Store(folder)
    try:
        assert store.integrity_check() == "ok"
        assert store.message_count(store.conversations()[0].id) > 0
    finally:
        store.close()
    assert sqlite3.connect(folder / DB_NAME).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
