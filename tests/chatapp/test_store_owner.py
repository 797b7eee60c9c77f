"""The window and the store's owner thread: every store call runs there, in order, and closing
the window saves what was still queued."""
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from chatapp.store import Store
from chatapp.views.conversation_list import MESSAGE_ROLE
from fakes import FakeEngine


def bot_bubbles(app):
    return [b for b in app.window.chat.bubbles.values() if b.message.role == "bot"]


def hold_the_owner(app) -> threading.Event:
    """Keep the store's thread busy until the returned event is set: what the window queues
    meanwhile piles up behind it."""
    release = threading.Event()
    app.controller.owner.call(lambda store: release.wait(10))
    return release


def test_every_store_call_of_the_window_runs_on_the_owner_thread(make_app, monkeypatch, tmp_path, tmp_png):
    used = []
    check = Store._check_thread

    def recorded(store):
        used.append(threading.get_ident())
        check(store)

    monkeypatch.setattr(Store, "_check_thread", recorded)
    app = make_app()
    window = app.window
    app.type_and_send("where do the penguins live")
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    app.wait_idle()
    conversation, bot = window.current, bot_bubbles(app)[0]
    window._renamed(conversation, "penguins")
    app.qtbot.mouseClick(bot.buttons["up"], Qt.MouseButton.LeftButton)
    app.controller.teach(bot.message.id, "in the south")
    app.qtbot.keyClicks(window.sidebar.search, "pengu")
    app.qtbot.waitUntil(lambda: window.sidebar.list.count() == 1  # a hit, not the list
                        and window.sidebar.list.item(0).data(MESSAGE_ROLE) is not None, timeout=3000)
    window.sidebar.search.clear()
    window.attach_files([str(tmp_png)])
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 2, timeout=5000)
    app.controller.export(conversation, tmp_path / "penguins.json")
    app.wait_idle()
    window._import(tmp_path / "penguins.json")
    app.wait_stored()
    window.delete_conversation(window.current)
    app.wait_stored()
    app.qtbot.mouseClick(window.dialog.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert window.chat.banner.level != "error" or not window.chat.banner.isVisible()
    assert len(app.store.conversations()) == 1
    gui, owner = threading.get_ident(), app.controller.owner._thread.ident
    assert len(used) > 30 and gui not in used
    assert set(used) == {owner}


def test_messages_and_their_replies_are_saved_in_order(make_app):
    app = make_app()
    for text in ("first question", "second question", "third question"):
        app.type_and_send(text)
        app.qtbot.waitUntil(lambda: not app.controller.is_busy(app.window.current), timeout=5000)
        app.wait_idle()
    messages = app.store.messages(app.window.current)
    assert [(m.role, m.text) for m in messages] == [
        ("user", "first question"), ("bot", "you said first question"),
        ("user", "second question"), ("bot", "you said second question"),
        ("user", "third question"), ("bot", "you said third question")]
    assert [m.id for m in messages] == sorted(m.id for m in messages)
    assert list(app.window.chat.bubbles) == [m.id for m in messages]


def test_the_box_is_cleared_once_the_message_is_saved_and_enter_twice_sends_once(make_app):
    app = make_app(FakeEngine())
    conversation = app.new_conversation()
    release = hold_the_owner(app)
    box = app.window.chat.input
    box.setPlainText("only once")
    app.qtbot.keyClick(box, Qt.Key.Key_Return)
    app.qtbot.keyClick(box, Qt.Key.Key_Return)  # pressed again before the store answered
    assert box.toPlainText() == "only once"  # not saved yet: still in the box
    assert app.engine.calls == []  # no reply is asked for an unsaved message
    release.set()
    app.qtbot.waitUntil(lambda: len(bot_bubbles(app)) == 1, timeout=5000)
    app.wait_idle()
    assert box.toPlainText() == ""
    assert [m.text for m in app.store.messages(conversation)] == ["only once", "you said only once"]
    assert app.engine.calls == [("reply", "only once")]


def test_an_error_on_the_owner_reaches_the_callers_error_callback_on_the_gui_thread(make_app):
    app = make_app()
    got = []

    def failing(store):
        raise LookupError("nothing here")

    app.controller.owner.run(failing, lambda value: got.append(("done", value)),
                             lambda error: got.append((threading.current_thread() is threading.main_thread(), error)))
    app.wait_stored()
    assert len(got) == 1 and got[0][0] is True and isinstance(got[0][1], LookupError)
    # The controller's own reads say it in the banner.
    app.controller.read(failing, lambda value: got.append(("done", value)))
    app.wait_stored()
    assert "nothing here" in app.window.chat.banner.label.text() and len(got) == 1


def test_closing_the_window_saves_what_was_still_queued(make_app, data_dir):
    app = make_app()
    conversation = app.new_conversation()
    release = hold_the_owner(app)
    box = app.window.chat.input
    box.setPlainText("typed just before closing")
    app.qtbot.keyClick(box, Qt.Key.Key_Return)
    app.controller.rename(conversation, "closing time")
    assert app.controller.owner.busy
    threading.Timer(0.3, release.set).start()  # the queue is still full when the window closes
    app.close()
    assert not app.controller.owner._thread.is_alive()  # drained, the store closed
    store = Store(data_dir)
    try:
        assert [m.text for m in store.messages(conversation)] == ["typed just before closing"]
        assert store.title(conversation) == "closing time"
    finally:
        store.close()
