"""Knowledge in the window (fake engine): Teach stores a pair the next reply uses, the Knowledge view
lists, searches, adds, edits, deletes and imports pairs, and every change reaches the engine."""
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from chatapp.views.bubble import knowledge_note
from chatapp.views.knowledge_view import KnowledgeDialog, PairDialog
from engine.knowledge_pairs import KnowledgePair
from fakes import FakeEngine

WAIT = 20000  # ms: the store and engine threads share a busy machine


def bot_bubbles(app):
    return [b for b in app.window.chat.bubbles.values() if b.message.role == "bot"]


def ask(app, text):
    """Send ``text`` and wait for its reply's bubble: the newest bot bubble."""
    before = len(bot_bubbles(app))
    app.type_and_send(text)
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == before + 1, timeout=WAIT)
    app.wait_idle(WAIT)
    return bot_bubbles(app)[-1]


def open_view(app) -> KnowledgeDialog:
    app.window.knowledge_action.trigger()
    view = app.window.dialog
    assert isinstance(view, KnowledgeDialog) and view.isVisible()
    app.wait_stored(WAIT)
    return view


def shown(view):
    return [tuple(view.table.item(row, column).text() for column in range(3)) for row in range(view.table.rowCount())]


def test_start_up_gives_the_stored_pairs_to_the_engine_once(make_app, data_dir):
    first = make_app()
    first.store.add_knowledge("who made you", "a club")
    first.close()
    engine = FakeEngine()
    make_app(engine).wait_idle(WAIT)
    assert engine.knowledge_sets == [(KnowledgePair("who made you", "a club", "user"),)]


def test_teach_stores_the_pair_and_the_next_reply_uses_it_until_deleted(make_app):
    app = make_app()
    first = ask(app, "What's the wifi password?")
    assert first.text_label.text() == "you said what's the wifi"
    app.qtbot.mouseClick(first.buttons["teach"], Qt.MouseButton.LeftButton)
    app.wait_stored(WAIT)
    app.qtbot.keyClicks(app.window.dialog.editor, "It's marmalade42.")
    app.qtbot.mouseClick(app.window.dialog.save_button, Qt.MouseButton.LeftButton)
    app.wait_idle(WAIT)
    taught = KnowledgePair("What's the wifi password?", "It's marmalade42.", "user")
    assert app.store.knowledge_for_engine() == [taught]
    assert app.store.corrections(first.message.id) == ["It's marmalade42."]  # still a correction for training
    assert app.engine.knowledge_sets[-1] == (taught,)

    again = ask(app, "what's the  WIFI password?")  # no training run in between
    assert again.text_label.text() == "It's marmalade42."
    assert again.source_note.isVisible()
    assert again.source_note.text() == "from what you taught me: 'What's the wifi password?'"
    saved = app.store.message(again.message.id)
    assert saved.knowledge == {"question": "What's the wifi password?", "answer": "It's marmalade42.",
                               "source": "user", "copied_share": 1.0}
    assert not first.source_note.isVisible()

    view = open_view(app)
    assert shown(view) == [("What's the wifi password?", "It's marmalade42.", "taught")]
    view.table.selectRow(0)
    app.qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    app.wait_idle(WAIT)
    assert app.store.knowledge_pairs() == [] and app.engine.knowledge_sets[-1] == ()
    assert shown(view) == [] and view.count.text() == "Nothing stored yet."
    view.close()
    assert ask(app, "what's the wifi password?").text_label.text() == "you said what's the wifi"


def test_teaching_the_same_question_again_says_it_replaces_the_answer(make_app):
    app = make_app()
    bot = ask(app, "when do we meet")
    app.controller.teach(bot.message.id, "on Monday")
    app.wait_idle(WAIT)
    assert not app.window.chat.banner.isVisible() or "replace" not in app.window.chat.banner.label.text()
    app.controller.teach(bot.message.id, "on Tuesday")
    app.wait_idle(WAIT)
    assert app.window.chat.banner.isVisible()
    assert "in place of the answer taught before" in app.window.chat.banner.label.text()
    assert [p.answer for p in app.store.knowledge_pairs()] == ["on Tuesday"]


def test_teach_refuses_an_empty_correction(make_app):
    app = make_app()
    bot = ask(app, "hello there")
    app.window.teach(bot.message.id)
    app.wait_stored(WAIT)
    dialog = app.window.dialog
    assert not dialog.save_button.isEnabled()
    app.qtbot.keyClicks(dialog.editor, "   ")
    assert not dialog.save_button.isEnabled()
    dialog.accept()  # as Enter would: nothing is taught
    app.wait_idle(WAIT)
    assert dialog.isVisible()
    assert app.store.corrections(bot.message.id) == [] and app.store.knowledge_pairs() == []
    assert app.engine.knowledge_sets == [()]  # the start-up call only


def test_the_view_adds_edits_searches_and_says_when_an_answer_is_replaced(make_app):
    app = make_app()
    view = open_view(app)
    assert view.count.text() == "Nothing stored yet." and not view.edit_button.isEnabled()

    def add(question, answer):
        app.qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
        dialog = view.dialog
        assert isinstance(dialog, PairDialog) and not dialog.save_button.isEnabled()
        app.qtbot.keyClicks(dialog.question, question)
        assert not dialog.save_button.isEnabled()  # no answer yet
        dialog.answer.setPlainText(answer)
        app.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        app.wait_idle(WAIT)

    add("when do we meet?", "Tuesdays")
    add("where do we meet?", "the town hall")
    assert view.status.text() == "Added “where do we meet?”." and view.count.text() == "2 pairs stored."
    add("WHEN do we meet?", "Wednesdays")
    assert "already had an answer: it is now replaced" in view.status.text()
    assert sorted(shown(view)) == [("WHEN do we meet?", "Wednesdays", "taught"),
                                   ("where do we meet?", "the town hall", "taught")]
    assert {p.answer for p in app.engine.knowledge_sets[-1]} == {"Wednesdays", "the town hall"}

    app.qtbot.keyClicks(view.search, "hall")
    app.qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=WAIT)
    app.wait_stored(WAIT)
    assert view.count.text() == "1 of 2 pairs match."
    view.table.selectRow(0)
    app.qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert dialog.question.text() == "where do we meet?"
    dialog.answer.setPlainText("the hall on Main Street")
    app.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    app.wait_idle(WAIT)
    assert shown(view) == [("where do we meet?", "the hall on Main Street", "taught")]
    assert KnowledgePair("where do we meet?", "the hall on Main Street", "user") in app.engine.knowledge_sets[-1]

    view.search.clear()
    app.qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=WAIT)
    view.table.selectRow(1 if shown(view)[0][0] == "where do we meet?" else 0)  # the other one
    app.qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    view.dialog.question.setText("where do we meet?")  # another pair's question
    app.qtbot.mouseClick(view.dialog.save_button, Qt.MouseButton.LeftButton)
    app.wait_idle(WAIT)
    assert isinstance(view.dialog, QMessageBox) and "Another pair already has this question: edit or delete that one." == view.dialog.text()
    assert len(app.store.knowledge_pairs()) == 2


def test_the_view_imports_a_good_file(make_app, tmp_path):
    app = make_app()
    app.store.add_knowledge("who are you", "a bot")
    view = open_view(app)
    path = tmp_path / "club.csv"
    path.write_text('question,answer\nWho are you,"chatapp, the club\'s bot"\nwhen do we meet?,Tuesdays\n')
    view.import_file(path)
    app.wait_idle(WAIT)
    assert view.status.text() == "Imported club.csv: 1 pair added, 1 answer replaced."
    assert sorted(shown(view)) == [("Who are you", "chatapp, the club's bot", "imported"),
                                   ("when do we meet?", "Tuesdays", "imported")]
    assert set(app.engine.knowledge_sets[-1]) == {KnowledgePair("Who are you", "chatapp, the club's bot", "import"),
                                                  KnowledgePair("when do we meet?", "Tuesdays", "import")}


def test_the_view_refuses_a_malformed_file_and_stores_nothing(make_app, tmp_path):
    app = make_app()
    app.store.add_knowledge("kept", "as it was")
    view = open_view(app)
    calls = len(app.engine.knowledge_sets)
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps([["q1", "a1"], ["q2", "a2"]], indent=1)[:-1] + ',\n {"question": "q3"}\n]')
    view.import_file(path)
    app.wait_idle(WAIT)
    box = view.dialog
    assert isinstance(box, QMessageBox) and box.windowTitle() == "The import failed"
    assert box.text() == 'pairs.json, line 11: the item has no "answer".'
    assert "Nothing from the file was stored" in box.informativeText()
    assert [(p.question, p.answer) for p in app.store.knowledge_pairs()] == [("kept", "as it was")]
    assert len(app.engine.knowledge_sets) == calls and view.import_button.isEnabled()
    assert view.status.text() == "Nothing from pairs.json was imported."
    binary = tmp_path / "photo.tsv"
    binary.write_bytes(b"\x89PNG\x00\x00")
    view.import_file(binary)
    app.wait_idle(WAIT)
    assert view.dialog.text().startswith("photo.tsv: this is not a text file")
    assert shown(view) == [("kept", "as it was", "taught")]


def test_the_note_under_a_reply_names_its_source():
    assert knowledge_note(None) == ""
    assert knowledge_note({"question": "wifi?", "source": "import"}) == "from what you taught me: 'wifi?'"
    assert knowledge_note({"question": "who are you", "source": "shipped"}) == "from what I know about myself"


def test_an_engine_made_again_on_another_device_keeps_the_pairs(make_app):
    from dataclasses import replace

    app = make_app()
    app.controller.add_knowledge("who are you", "chatapp", done=lambda record, replaced: None)
    app.wait_idle(WAIT)
    pair = KnowledgePair("who are you", "chatapp", "user")
    assert app.engine.knowledge_sets == [(), (pair,)]
    app.controller.apply_settings(replace(app.controller.settings, device="cpu"))
    app.qtbot.waitUntil(lambda: app.controller.host.ready, timeout=WAIT)
    app.wait_idle(WAIT)
    assert app.engine.knowledge_sets == [(), (pair,), (pair,)]  # given to the new engine as it loads


def test_teach_changes_the_real_models_next_reply_without_training_and_deleting_undoes_it(make_app, tmp_path):
    """The window on the real engine with a tiny model that reads stored pairs: before Teach it
    cannot know the code; after, the same question gets the taught code spelt as taught; once the
    pair is deleted, the code is gone again."""
    from dataclasses import asdict

    from engine.checkpoint import Checkpoint, save_checkpoint
    from engine.service import Engine
    from tiny_chat import train_knowing_model

    model, vocab = train_knowing_model()
    path = tmp_path / "chat.safetensors"
    save_checkpoint(path, Checkpoint(kind="chat", config=asdict(model.config), weights=model.state_dict(),
                                     vocab=list(vocab.itos)))
    missing = tmp_path / "nothing"
    engine = Engine(paths={"chat": path, "sentiment": missing / "s.safetensors",
                           "caption": missing / "c.safetensors"}, device="cpu")
    app = make_app(engine)
    first = ask(app, "what is the code for the safe ?")
    assert "Vabiru7" not in first.text_label.text()
    app.controller.teach(first.message.id, "the code is Vabiru7")
    app.wait_idle(WAIT)
    again = ask(app, "what is the code for the safe ?")
    assert "Vabiru7" in again.text_label.text()
    assert again.source_note.text() == "from what you taught me: 'what is the code for the safe ?'"
    saved = app.store.attention(again.message.id)  # the attention view names the pair it read
    assert saved["pairs"] == ["what is the code for the safe ?"] and -1 in saved["turns"]
    (pair,) = app.store.knowledge_pairs()
    app.controller.delete_knowledge(pair.id)
    app.wait_idle(WAIT)
    assert "Vabiru7" not in ask(app, "what is the code for the safe ?").text_label.text()
