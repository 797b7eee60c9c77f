"""The window with a fake engine: type, send, see, and check what the store holds."""
import json

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from fakes import FakeEngine


def bot_bubbles(app):
    return [b for b in app.window.chat.bubbles.values() if b.message.role == "bot"]


def test_send_shows_a_reply_and_stores_both_with_sentiment(make_app):
    app = make_app()
    app.type_and_send("I love talking with you")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    app.wait_idle()
    conversation = app.store.conversations()[0]
    user, bot = app.store.messages(conversation.id)
    assert (user.role, user.text) == ("user", "I love talking with you")
    assert user.sentiment_label == "positive" and user.sentiment_confidence == 0.8
    assert (bot.role, bot.text) == ("bot", "you said i love talking")
    assert bot.decoding["strategy"] == "beam" and bot.has_attention
    assert bot.model_version_id == app.store.active_version("chat").id
    assert bot_bubbles(app)[0].text_label.text() == "you said i love talking"
    assert "positive 80%" in app.window.chat.bubbles[user.id].sentiment_label.text()
    assert conversation.title == "I love talking with you"
    # The header follows: the conversation's new name and both messages.
    assert app.window.chat.title.text() == "I love talking with you"
    assert app.window.chat.subtitle.text() == "2 messages"
    assert app.window.chat.input.toPlainText() == ""
    assert app.window.chat.mood.points == [("positive", pytest.approx(0.7))]


def test_shift_enter_makes_a_new_line(make_app):
    app = make_app()
    box = app.window.chat.input
    box.setFocus()
    app.qtbot.keyClicks(box, "one")
    app.qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    app.qtbot.keyClicks(box, "two")
    assert box.toPlainText() == "one\ntwo"
    assert app.store.conversations() == []


def test_a_new_window_on_the_same_folder_shows_the_history(make_app, data_dir):
    first = make_app()
    first.type_and_send("remember the penguins")
    first.qtbot.waitUntil(lambda: len(bot_bubbles(first)) == 1, timeout=5000)
    first.wait_idle()
    first.close()
    engine = FakeEngine()
    second = make_app(engine)
    texts = [b.message.text for b in second.window.chat.bubbles.values()]
    assert texts == ["remember the penguins", "you said remember the penguins"]
    # The next reply continues the saved conversation: its state is rebuilt from the history.
    second.type_and_send("and the seals")
    second.qtbot.waitUntil(lambda: len(bot_bubbles(second)) == 2, timeout=5000)
    assert ("rebuild", [("remember the penguins", "you said remember the penguins")]) in engine.calls


def test_a_message_sent_before_the_engine_is_ready_waits_for_it(qtbot, data_dir, gate):
    from chatapp.app import build_window

    engine = FakeEngine()
    loading = gate

    def slow_factory(device):
        loading.wait(5)
        return engine

    window, controller = build_window(data_dir, slow_factory)
    qtbot.addWidget(window)
    window.show()
    assert not controller.host.ready
    assert "Loading" in window.engine_label.text()
    window.send("are you there?")  # a new conversation is made for it, then it is saved
    qtbot.waitUntil(lambda: window.current is not None and not controller.owner.busy, timeout=5000)
    assert controller.store.messages(window.current)[0].text == "are you there?"
    loading.set()
    qtbot.waitUntil(lambda: len(controller.store.messages(window.current)) == 2, timeout=5000)
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)  # its answers reached the window
    assert "✓ chat" in window.engine_label.text()
    window.close()


def test_stop_cancels_the_reply_in_progress(make_app, gate):
    app = make_app(FakeEngine(gate=gate))
    app.type_and_send("a long question")
    chat = app.window.chat
    app.qtbot.waitUntil(lambda: chat.stop_button.isVisible(), timeout=3000)
    assert not chat.send_button.isVisible()
    app.qtbot.mouseClick(chat.stop_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: chat.send_button.isVisible(), timeout=3000)
    assert [m.role for m in app.store.messages(app.window.current)] == ["user"]
    assert chat.banner.label.text() == "Stopped."


def test_a_reply_lands_in_its_own_conversation_after_switching(make_app, gate):
    app = make_app(FakeEngine(gate=gate))
    app.type_and_send("question in the first")
    first = app.window.current
    second = app.new_conversation()
    assert app.window.current == second
    gate.set()
    app.wait_idle()
    assert [m.role for m in app.store.messages(first)] == ["user", "bot"]
    assert app.store.messages(second) == []
    assert app.window.chat.bubbles == {}
    app.window.open_conversation(first)
    app.wait_stored()
    assert len(bot_bubbles(app)) == 1


def test_missing_models_are_shown_and_picked_up_when_they_appear(make_app, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    app = make_app(FakeEngine(missing=("chat", "sentiment"), models_dir=models))
    chat = app.window.chat
    assert chat.banner.isVisible() and "chat model is not available" in chat.banner.label.text()
    assert app.window.chat.mood.unavailable
    assert "✗ chat" in app.window.engine_label.text()
    app.type_and_send("hello?")
    app.wait_idle()
    assert [m.role for m in app.store.messages(app.window.current)] == ["user"]
    assert "No reply" in chat.banner.label.text()
    (models / "chat.safetensors").write_bytes(b"weights")
    app.qtbot.waitUntil(lambda: "✓ chat" in app.window.engine_label.text(), timeout=5000)
    assert ("chat", models / "chat.safetensors") in app.engine.set_models
    app.type_and_send("hello again")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)


def test_teach_a_better_reply_stores_a_correction(make_app):
    app = make_app()
    app.type_and_send("what is your name")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    bubble = bot_bubbles(app)[0]
    app.qtbot.mouseClick(bubble.buttons["teach"], Qt.MouseButton.LeftButton)
    app.wait_stored()
    dialog = app.window.dialog
    assert "what is your name" in dialog.findChildren(type(bubble.time_label))[0].text()
    app.qtbot.keyClicks(dialog.editor, "I am chatapp.")
    app.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    app.wait_stored()
    assert app.store.corrections(bubble.message.id) == ["I am chatapp."]
    assert bubble.note.text() == "✎ Taught: I am chatapp."
    app.qtbot.mouseClick(bubble.buttons["down"], Qt.MouseButton.LeftButton)
    app.wait_stored()
    assert app.store.message(bubble.message.id).feedback == -1
    app.qtbot.mouseClick(bubble.buttons["up"], Qt.MouseButton.LeftButton)
    app.wait_stored()
    assert app.store.message(bubble.message.id).feedback == 1
    assert bubble.buttons["up"].isChecked() and not bubble.buttons["down"].isChecked()


def test_attention_heatmap_and_regenerate(make_app):
    app = make_app()
    app.type_and_send("show me why")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    bubble = bot_bubbles(app)[0]
    app.qtbot.mouseClick(bubble.buttons["attention"], Qt.MouseButton.LeftButton)
    app.wait_stored()
    heatmap = app.window.dialog.heatmap
    assert heatmap.source == ["show", "me", "why"]
    assert heatmap.target == ["you", "said", "show", "me", "why"]
    assert heatmap.weights[2] == [0.0, 0.0, 1.0]
    app.window.dialog.close()
    app.qtbot.mouseClick(bubble.buttons["regenerate"], Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert [c for c in app.engine.calls if c[0] == "reply"] == [("reply", "show me why")] * 2
    assert len(app.store.messages(app.window.current)) == 2


def test_delete_asks_then_removes_rows_and_files(make_app, tmp_png):
    app = make_app()
    app.type_and_send("keep this picture")
    app.wait_idle()
    app.drop_files([tmp_png])
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 2, timeout=5000)
    conversation = app.window.current
    copy = [m for m in app.store.messages(conversation) if m.attachments][0].attachments[0].path
    assert copy.exists()
    app.window.delete_conversation(conversation)
    app.wait_stored()
    box = app.window.dialog
    assert isinstance(box, QMessageBox)
    app.qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert app.store.conversation(conversation) is not None
    app.window.delete_conversation(conversation)
    app.wait_stored()
    app.qtbot.mouseClick(app.window.dialog.button(QMessageBox.StandardButton.Yes),
                         Qt.MouseButton.LeftButton)
    app.wait_stored()
    assert app.store.conversation(conversation) is None
    assert app.store.messages(conversation) == []
    assert not copy.exists()
    assert app.window.sidebar.ids() == []


def test_search_finds_a_word_from_an_old_conversation(make_app):
    app = make_app()
    app.type_and_send("tell me about the aurora borealis")
    app.wait_idle()
    old = app.window.current
    app.new_conversation()
    app.type_and_send("something recent")
    app.wait_idle()
    app.qtbot.keyClicks(app.window.sidebar.search, "auro")
    app.qtbot.waitUntil(lambda: app.window.sidebar.ids() and app.window.sidebar.ids()[0] == old,
                        timeout=3000)
    from chatapp.views.conversation_list import DETAIL_ROLE, MARKS

    item = app.window.sidebar.list.item(0)
    assert "the aurora borealis" in item.text()  # no literal brackets around the match
    assert f"{MARKS[0]}aurora{MARKS[1]}" in item.data(DETAIL_ROLE)  # drawn in bold
    app.window.sidebar.list.setCurrentRow(0)
    assert app.window.current == old


def test_export_and_import_round_trip(make_app, tmp_path):
    app = make_app()
    app.type_and_send("export me, I am happy")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    app.wait_idle()
    bot = bot_bubbles(app)[0].message
    app.controller.teach(bot.id, "a taught reply")
    original = app.window.current
    app.controller.export(original, tmp_path / "c.json")
    app.controller.export(original, tmp_path / "c.md")
    app.wait_stored()
    markdown = (tmp_path / "c.md").read_text()
    assert "**You**" in markdown and "> export me, I am happy" in markdown
    assert "*Better reply:* a taught reply" in markdown
    done, failed = [], []
    app.controller.import_file(tmp_path / "c.json", lambda cid, _title: done.append(cid), failed.append)
    app.wait_stored()
    assert failed == [] and len(done) == 1
    imported = done[0]
    assert imported != original
    before, after = app.store.messages(original), app.store.messages(imported)
    strip = lambda m: (m.role, m.text, m.created_at, m.sentiment_label, m.sentiment_probabilities,
                       m.correction, m.score, m.decoding)
    assert [strip(m) for m in before] == [strip(m) for m in after]
    assert app.store.attention(after[1].id) == app.store.attention(before[1].id)
    data = json.loads((tmp_path / "c.json").read_text())
    data["format"] = "something else"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    count = len(app.store.conversations())
    app.controller.import_file(tmp_path / "bad.json", lambda cid, _title: done.append(cid), failed.append)
    app.wait_stored()
    assert len(done) == 1, "a foreign file was imported"
    assert len(failed) == 1 and isinstance(failed[0], ValueError)
    assert "not a chatapp conversation" in str(failed[0])
    assert len(app.store.conversations()) == count


def test_settings_dialog_changes_decoding_and_theme(make_app):
    app = make_app()
    app.window.open_settings()
    dialog = app.window.dialog
    dialog.strategy.setCurrentIndex(1)  # greedy
    dialog.max_length.setValue(12)
    dialog.mmi_weight.setValue(0.3)
    dialog.mmi_backward_weight.setValue(0.4)
    assert dialog.topic_weight.value() == pytest.approx(0.5)  # the default
    dialog.topic_weight.setValue(1.2)
    assert dialog.stored_answers.isChecked()  # the default
    dialog.stored_answers.setChecked(False)
    dialog.theme.setCurrentIndex(1)  # dark
    assert not dialog.beam_size.isEnabled() and not dialog.mmi_weight.isEnabled()
    assert not dialog.mmi_backward_weight.isEnabled() and not dialog.stored_answers.isEnabled()  # greedy: no reranking
    assert dialog.topic_weight.isEnabled()  # but steered
    app.qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    assert app.controller.settings.strategy == "greedy"
    assert app.window.theme.name == "dark"
    saved = json.loads((app.data_dir / "settings.json").read_text())
    assert saved["max_length"] == 12 and saved["theme"] == "dark" and saved["mmi_weight"] == 0.3
    assert saved["mmi_backward_weight"] == 0.4 and saved["topic_weight"] == pytest.approx(1.2)
    assert saved["stored_answers"] is False
    app.type_and_send("greedy please")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    assert bot_bubbles(app)[0].message.decoding["strategy"] == "greedy"
    assert bot_bubbles(app)[0].message.decoding["mmi_weight"] == pytest.approx(0.3)
    assert bot_bubbles(app)[0].message.decoding["topic_weight"] == pytest.approx(1.2)
    assert bot_bubbles(app)[0].message.decoding["stored_answers"] is False


def test_hard_text_is_stored_and_shown(make_app):
    app = make_app()
    long_text = "word " * 20_000
    for text in (long_text, "emoji 😀🎉", "שלום עולם"):
        app.type_and_send(text)
        app.wait_idle()
    users = [m for m in app.store.messages(app.window.current) if m.role == "user"]
    assert [m.text for m in users] == [long_text, "emoji 😀🎉", "שלום עולם"]
    bubble = app.window.chat.bubbles[users[0].id]
    assert bubble.more.isVisible() and "100,000" in bubble.more.text()
    assert app.window.chat.bubbles[users[2].id].text_label.text() == "שלום עולם"


def test_closing_mid_reply_keeps_the_database_sound(make_app, gate):
    app = make_app(FakeEngine(gate=gate))
    app.type_and_send("closing soon")
    app.qtbot.waitUntil(lambda: app.window.chat.stop_button.isVisible(), timeout=3000)
    store_dir = app.data_dir
    app.close()
    from chatapp.store import Store

    store = Store(store_dir)
    try:
        assert store.integrity_check() == "ok"
        assert [m.text for m in store.messages(store.conversations()[0].id)] == ["closing soon"]
    finally:
        store.close()
