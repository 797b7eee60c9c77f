"""Nothing the user typed is lost: refused writes, stopped replies, and regenerate.

A "full disk" here is the database refusing every write with SQLite's own error (raised where
SQLAlchemy runs a statement, so it travels the store's real transactions), or a database that
really cannot grow (``PRAGMA max_page_count``); reads go on working, as on a full disk.
"""
import sqlite3
from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import event

from fakes import FakeEngine


@contextmanager
def disk_full(store):
    """Every INSERT, UPDATE and DELETE fails as SQLite fails on a full disk, until the block ends."""
    def refuse(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(store._engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(store._engine, "before_cursor_execute", refuse)


def bubbles(app, role):
    return [b for b in app.window.chat.bubbles.values() if b.message.role == role]


def roles(app, conversation_id=None):
    return [m.role for m in app.store.messages(conversation_id or app.window.current)]


def banner(app) -> str:
    chat = app.window.chat
    return chat.banner.label.text() if chat.banner.isVisible() else ""


def press_enter(app) -> None:
    app.qtbot.keyClick(app.window.chat.input, Qt.Key.Key_Return)


def test_a_message_the_full_disk_refuses_stays_in_the_box_with_a_banner(make_app):
    app = make_app()
    conversation = app.new_conversation()
    with disk_full(app.store):
        app.type_and_send("please remember this")
        app.wait_idle()
        assert app.window.chat.input.toPlainText() == "please remember this"
        assert "Your message was not saved" in banner(app) and "is full" in banner(app)
        assert app.window.chat.banner.level == "error"
        assert app.store.messages(conversation) == [] and app.window.chat.bubbles == {}
        assert app.engine.calls == []
    # Space again: the same Enter sends the text that was kept.
    press_enter(app)
    app.qtbot.waitUntil(lambda: len(bubbles(app, "bot")) == 1, timeout=5000)
    assert [m.text for m in app.store.messages(conversation)] == ["please remember this",
                                                                  "you said please remember this"]
    assert app.window.chat.input.toPlainText() == ""


def test_a_database_that_cannot_grow_refuses_a_long_message_the_same_way(make_app):
    app = make_app()
    conversation = app.new_conversation()
    app.store._engine.dispose()  # new connections, each capped at the size the database has now

    def cap(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(app.store._engine, "connect", cap)
    long_text = "a long story " * 2000  # needs new pages, which SQLite refuses: SQLITE_FULL
    app.type_and_send(long_text)
    app.wait_idle()
    assert app.window.chat.input.toPlainText() == long_text
    assert "not saved" in banner(app) and "full" in banner(app)
    assert app.store.messages(conversation) == []
    assert app.store.integrity_check() == "ok"


def test_every_other_refused_write_says_why_and_changes_nothing(make_app, tmp_path, tmp_png):
    app = make_app()
    app.type_and_send("first words")
    app.qtbot.waitUntil(lambda: len(bubbles(app, "bot")) == 1, timeout=5000)
    app.wait_idle()
    window, store, first = app.window, app.store, app.window.current
    bot = bubbles(app, "bot")[0]
    exported = tmp_path / "export.json"
    app.controller.export(first, exported)
    before = [(c.id, c.title, c.message_count) for c in store.conversations()]
    with disk_full(store):
        assert app.new_conversation() is None and window.current == first
        assert "new conversation was not saved" in banner(app)
        window._renamed(first, "a new name")
        app.wait_stored()
        assert "new title was not saved" in banner(app)
        app.qtbot.mouseClick(bot.buttons["up"], Qt.MouseButton.LeftButton)
        app.wait_stored()
        assert "rating was not saved" in banner(app)
        assert store.message(bot.message.id).feedback == 0 and not bot.buttons["up"].isChecked()
        window.teach(bot.message.id)
        app.wait_stored()
        window.dialog.editor.setPlainText("a better reply")
        window.dialog.accept()
        app.wait_stored()
        assert "better reply was not saved" in banner(app)
        assert window.dialog.isVisible() and window.dialog.editor.toPlainText() == "a better reply"
        assert store.corrections(bot.message.id) == []
        window.dialog.close()
        window.delete_conversation(first)
        app.wait_stored()
        app.qtbot.mouseClick(window.dialog.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
        app.wait_stored()
        assert "conversation was not deleted" in banner(app)
        assert window.current == first and store.has_conversation(first)
        window._import(exported)  # a failed import is said in a dialog naming the file
        app.wait_stored()
        assert window.dialog.windowTitle() == "The import failed" and "is full" in window.dialog.text()
        assert exported.name in window.dialog.text()
        window.dialog.close()
        window._attach(path=tmp_png)
        app.wait_idle()
        assert "shapes.png was not saved" in banner(app)
        assert not list((app.data_dir / "attachments").rglob("*.png"))
        assert [(c.id, c.title, c.message_count) for c in store.conversations()] == before
    # Space again: the teaching goes through.
    app.controller.teach(bot.message.id, "a better reply")
    app.wait_stored()
    assert "better reply was not saved" not in banner(app)
    assert store.corrections(bot.message.id) == ["a better reply"]


def test_a_reply_the_disk_refuses_leaves_the_message_to_retry(make_app, gate):
    app = make_app(FakeEngine(gate=gate))
    app.type_and_send("are you there?")
    user = app.store.messages(app.window.current)[0]
    retry = app.window.chat.bubbles[user.id].buttons["retry"]
    assert app.window.chat.stop_button.isVisible() and not retry.isVisible()
    with disk_full(app.store):
        gate.set()
        app.wait_idle()
        assert "The reply was not saved" in banner(app) and "Retry" in banner(app)
        assert roles(app) == ["user"] and retry.isVisible()
    app.qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: len(bubbles(app, "bot")) == 1, timeout=5000)
    assert roles(app) == ["user", "bot"] and not retry.isVisible()


def test_retry_answers_a_stopped_message(make_app, gate):
    app = make_app(FakeEngine(gate=gate))
    app.type_and_send("hello again")
    chat = app.window.chat
    app.qtbot.waitUntil(chat.stop_button.isVisible, timeout=3000)
    app.qtbot.mouseClick(chat.stop_button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    user = bubbles(app, "user")[0]
    assert roles(app) == ["user"] and user.buttons["retry"].isVisible()
    gate.set()
    app.qtbot.mouseClick(user.buttons["retry"], Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: len(bubbles(app, "bot")) == 1, timeout=5000)
    app.wait_idle()
    assert [m.text for m in app.store.messages(app.window.current)] == ["hello again", "you said hello again"]
    assert not user.buttons["retry"].isVisible()
    assert app.engine.calls[-1] == ("reply", "hello again")


def test_retry_answers_a_message_left_unanswered_by_a_closed_app(make_app, data_dir, gate):
    first = make_app(FakeEngine(gate=gate))
    first.type_and_send("what did I say")
    gate.set()
    first.qtbot.waitUntil(lambda: len(bubbles(first, "bot")) == 1, timeout=5000)
    first.wait_idle()
    gate.clear()
    first.type_and_send("and now?")
    first.close()  # the reply in flight is dropped with the window
    engine = FakeEngine()
    app = make_app(engine)  # a new window on the same folder: the restart
    assert roles(app) == ["user", "bot", "user"]
    last = bubbles(app, "user")[-1]
    assert last.message.text == "and now?" and last.buttons["retry"].isVisible()
    assert not bubbles(app, "user")[0].buttons["retry"].isVisible()
    app.qtbot.mouseClick(last.buttons["retry"], Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: len(bubbles(app, "bot")) == 2, timeout=5000)
    assert roles(app) == ["user", "bot", "user", "bot"]
    assert app.store.messages(app.window.current)[-1].text == "you said and now?"
    # The state was rebuilt from the answered exchange only.
    assert ("rebuild", [("what did I say", "you said what did i")]) in engine.calls
    assert not last.buttons["retry"].isVisible()


def test_regenerate_with_a_single_reply_says_no_other_was_found(make_app):
    app = make_app()
    app.type_and_send("only one answer")
    app.qtbot.waitUntil(lambda: len(bubbles(app, "bot")) == 1, timeout=5000)
    app.wait_idle()
    bot = bubbles(app, "bot")[0]
    app.qtbot.mouseClick(bot.buttons["regenerate"], Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert "No other reply found" in banner(app)
    assert bot.text_label.text() == "you said only one answer"
    assert [m.text for m in app.store.messages(app.window.current)][-1] == "you said only one answer"


# Two ways to answer "hello", equally likely, and nothing else a tiny model would say to it.
TWO_REPLIES = [["hello", "hi there"], ["hello", "good morning"], ["how are you ?", "fine thanks"],
               ["bye", "see you"]]


@pytest.fixture(scope="module")
def two_reply_model(tmp_path_factory):
    import torch

    from engine.tasks.chat_train import train_small_model

    torch.set_num_threads(1)
    path = tmp_path_factory.mktemp("model") / "chat.safetensors"
    train_small_model(TWO_REPLIES, path, epochs=60)
    return path


def test_regenerate_gives_the_other_likely_reply_then_says_none_is_left(qtbot, tmp_path, two_reply_model):
    from chatapp.app import build_window
    from engine.service import Engine

    missing = tmp_path / "nothing"

    def factory(device):
        return Engine(paths={"chat": two_reply_model, "sentiment": missing / "s.safetensors",
                             "caption": missing / "c.safetensors"}, device="cpu")

    window, controller = build_window(tmp_path / "data", factory, poll_ms=100)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: controller.host.ready, timeout=60000)
    window.send("hello")
    qtbot.waitUntil(lambda: len(controller.store.messages(window.current)) == 2, timeout=30000)
    qtbot.waitUntil(lambda: not controller.is_busy(window.current), timeout=5000)
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)  # the reply reached the window
    bot = controller.store.messages(window.current)[1]
    first = bot.text.lower()
    assert first in ("hi there", "good morning")
    bubble = window.chat.bubbles[bot.id]
    qtbot.mouseClick(bubble.buttons["regenerate"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.store.message(bot.id).text.lower() != first, timeout=30000)
    second = controller.store.message(bot.id).text.lower()
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)
    assert {first, second} == {"hi there", "good morning"}
    assert bubble.text_label.text().lower() == second
    qtbot.waitUntil(lambda: not controller.is_busy(window.current), timeout=5000)
    qtbot.mouseClick(bubble.buttons["regenerate"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "No other reply found" in window.chat.banner.label.text(), timeout=30000)
    assert controller.store.message(bot.id).text.lower() == second
    assert len(controller.store.messages(window.current)) == 2
    QApplication.processEvents()
    window.close()
