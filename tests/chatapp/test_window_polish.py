"""The window: shortcuts, About, Settings, search hits, the sidebar, a damaged database, imports."""
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QGroupBox, QMessageBox

from chatapp.settings import AppSettings
from chatapp.views.dialogs import AboutDialog, SettingsDialog


def _activate(app) -> None:
    app.window.activateWindow()
    app.qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=3000)


def test_ctrl_f_focuses_the_search_box(make_app):
    app = make_app()
    _activate(app)
    app.window.chat.input.setFocus()
    app.qtbot.keyClick(app.window.chat.input, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert app.window.sidebar.search.hasFocus()


def test_ctrl_comma_opens_the_settings(make_app):
    app = make_app()
    _activate(app)
    app.qtbot.keyClick(app.window.chat.input, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(app.window.dialog, SettingsDialog) and app.window.dialog.isVisible()


def test_delete_in_the_list_asks_then_deletes_the_selected_conversation(make_app):
    app = make_app()
    _activate(app)
    created = []
    app.controller.new_conversation("keep me", then=created.append)
    app.controller.new_conversation("delete me", then=created.append)
    app.window.refresh_list()
    app.wait_stored()
    keep, doomed = created
    app.window.sidebar.select(doomed)
    app.window.sidebar.list.setFocus()
    app.qtbot.keyClick(app.window.sidebar.list, Qt.Key.Key_Delete)
    app.wait_stored()
    box = app.window.dialog
    assert isinstance(box, QMessageBox) and "delete me" in box.text()
    assert app.store.has_conversation(doomed)  # nothing happens before the answer
    box.button(QMessageBox.StandardButton.Yes).click()
    app.wait_stored()
    assert not app.store.has_conversation(doomed) and app.store.has_conversation(keep)


def test_delete_in_the_input_box_deletes_text_not_the_conversation(make_app):
    app = make_app()
    _activate(app)
    conversation = app.new_conversation()
    box = app.window.chat.input
    box.setPlainText("abc")
    box.setFocus()
    cursor = box.textCursor()
    cursor.setPosition(0)
    box.setTextCursor(cursor)
    app.qtbot.keyClick(box, Qt.Key.Key_Delete)
    assert box.toPlainText() == "bc"
    assert not isinstance(app.window.dialog, QMessageBox)
    assert app.store.has_conversation(conversation)


def test_about_names_the_versions_and_what_each_model_is(make_app):
    app = make_app()
    app.wait_idle()
    about = next(a for a in app.window.findChildren(type(app.window.new_action)) if "About" in a.text())
    about.trigger()
    app.wait_stored()
    dialog = app.window.dialog
    assert isinstance(dialog, AboutDialog)
    text = dialog.text.text()
    for needle in ("chatapp 0.1.0", "PySide6", "torch", "Qt", "LSTM", "negative, neutral or positive",
                   "generated pictures", "shipped chat model"):
        assert needle in text, needle


def test_every_setting_is_explained_and_reset_restores_the_defaults(qtbot, tmp_path):
    changed = AppSettings(strategy="sample", beam_size=9, temperature=2.0, top_k=5, theme="dark",
                          mmi_backward_weight=0.0, history_weight=1.0, mood_weight=0.0, max_length=80,
                          stored_answers=False)
    dialog = SettingsDialog(changed, str(tmp_path))
    qtbot.addWidget(dialog)
    rows = 0
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            assert len(field.toolTip().split()) >= 8, label.text()  # a sentence, not a word
            assert label.toolTip() == field.toolTip()
            rows += 1
    # 6 search, 2 reranking, topic words, earlier conversation, kindness to bad news, taught answers, 3 application
    assert rows == 15
    assert [box.title() for box in dialog.findChildren(QGroupBox)] == ["Search", "Reranking", "Application"]
    assert "backward" not in dialog.mmi_backward_weight.toolTip().lower()
    dialog.reset_button.click()
    assert dialog.chosen() == AppSettings()


def test_a_search_hit_opens_scrolls_to_and_highlights_the_message(make_app):
    app = make_app()
    store = app.store
    other = store.create_conversation("Other")
    conversation = store.create_conversation("Long one")
    for i in range(80):  # the hit is five pages back: it is not in the first page shown
        text = "hi, my name is alice [really]" if i == 3 else f"filler message {i} about the weather"
        store.add_message(conversation.id, "user" if i % 2 == 0 else "bot", text)
    hit_id = store.messages(conversation.id)[3].id
    app.window.refresh_list()
    app.window.open_conversation(other.id)
    sidebar = app.window.sidebar
    sidebar.search.setText("name")
    app.qtbot.waitUntil(lambda: sidebar.list.count() == 1, timeout=3000)
    item = sidebar.list.item(0)
    assert "[name]" not in item.text() and "my name is alice [really]" in item.text()
    sidebar.list.setCurrentItem(item)  # as a click does
    app.wait_stored()
    chat = app.window.chat
    assert app.window.current == conversation.id and hit_id in chat.bubbles
    bubble = chat.bubbles[hit_id]
    assert bubble.property("found") is True
    assert bubble.text_label.selectedText() == "name"
    app.qtbot.wait(50)
    top = bubble.mapTo(chat.scroll.viewport(), bubble.rect().topLeft()).y()
    assert 0 <= top and top + bubble.height() <= chat.scroll.viewport().height()
    assert not any(b.property("found") for i, b in chat.bubbles.items() if i != hit_id)


def test_a_title_with_fallback_characters_keeps_its_time_line(make_app):
    from chatapp.views.conversation_list import DETAIL_ROLE, TITLE_ROLE, _line_height

    app = make_app()
    app.controller.new_conversation("Alice chat — 名前 ✓")
    app.window.refresh_list()
    app.wait_stored()
    view = app.window.sidebar.list
    item = view.item(0)
    assert item.data(TITLE_ROLE) == "Alice chat — 名前 ✓"
    row = view.visualItemRect(item)
    needed = _line_height(view.font(), item.data(TITLE_ROLE)) + _line_height(view.font(), item.data(DETAIL_ROLE))
    assert row.height() >= needed + 10
    # The time is drawn: the lower part of the row is not bare background.
    image = view.viewport().grab().toImage()
    background = image.pixel(row.right() - 3, row.bottom() - 2)
    lower = [image.pixel(x, y) for x in range(row.left(), row.left() + 80)
             for y in range(row.center().y() + 2, row.bottom() - 4)]
    assert sum(p != background for p in lower) > 20


def _damaged_window(qtbot, data_dir):
    from chatapp.settings import load_settings
    from chatapp.views.main_window import MainWindow

    data_dir.mkdir(parents=True)
    garbage = b"SQLite format 3\x00" + b"\x13" * 8000  # a header, then nothing SQLite can read
    (data_dir / "chatapp.sqlite3").write_bytes(garbage)
    window = MainWindow(load_settings(data_dir), data_dir)
    qtbot.addWidget(window)
    window.show()
    return window, garbage


def test_a_damaged_database_can_be_set_aside_for_a_new_one(qtbot, data_dir):
    from chatapp.app import open_or_recover
    from fakes import FakeEngine

    window, garbage = _damaged_window(qtbot, data_dir)
    got = []
    open_or_recover(window, data_dir, got.append, lambda device: FakeEngine(), poll_ms=100)
    box = window.dialog
    assert isinstance(box, QMessageBox) and got == []  # the app waits for the answer
    assert "btreeInitPage" not in box.text() + box.informativeText()  # SQLite's words only in details
    assert box.new_button.text().startswith("Start with a new database\n(the damaged file is kept as chatapp.damaged-")
    box.new_button.click()
    assert len(got) == 1 and got[0] is not None
    controller = got[0]
    qtbot.waitUntil(lambda: controller.host.ready, timeout=5000)
    kept = [p for p in data_dir.iterdir() if ".damaged-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage  # every byte kept
    assert controller.store.conversations() == []
    controller.new_conversation("a fresh start")
    assert [c.title for c in controller.store.conversations()] == ["a fresh start"]
    assert window.chat.banner.isVisible() and kept[0].name in window.chat.banner.label.text()
    window.close()


def test_quit_leaves_the_damaged_database_untouched(qtbot, data_dir):
    from chatapp.app import open_or_recover

    window, garbage = _damaged_window(qtbot, data_dir)
    got = []
    open_or_recover(window, data_dir, got.append)
    window.dialog.quit_button.click()
    assert got == [None]
    assert sorted(p.name for p in data_dir.iterdir()) == ["chatapp.sqlite3"]
    assert (data_dir / "chatapp.sqlite3").read_bytes() == garbage


def _exported(app, tmp_path):
    app.type_and_send("a conversation worth keeping")
    app.qtbot.waitUntil(lambda: len(app.store.messages(app.window.current)) == 2, timeout=5000)
    app.wait_idle()
    path = tmp_path / "kept.json"
    app.controller.export(app.window.current, path)
    app.wait_stored()
    return path


def test_importing_the_same_conversation_again_marks_the_copy(make_app, tmp_path):
    app = make_app()
    source = _exported(app, tmp_path)
    app.controller.delete(app.window.current)  # a fresh start: the first import is plain
    app.window._import(source)
    app.wait_stored()
    first = app.window.current
    assert app.store.title(first) == "a conversation worth keeping"
    assert not app.window.chat.banner.isVisible()
    app.window._import(source)
    app.wait_stored()
    second = app.window.current
    assert second != first
    assert app.store.title(second) == "a conversation worth keeping (imported again)"
    assert app.window.chat.banner.isVisible() and "imported again" in app.window.chat.banner.label.text()
    titles = [c.title for c in app.store.conversations()]
    assert sorted(titles) == ["a conversation worth keeping", "a conversation worth keeping (imported again)"]
    # A conversation with the same title but other messages is not a copy.
    data = json.loads(source.read_text())
    data["messages"][0]["text"] = "something else"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    app.window._import(other)
    app.wait_stored()
    assert app.store.title(app.window.current) == "a conversation worth keeping"


def test_a_failed_import_says_which_file_and_why_in_a_dialog(make_app, tmp_path):
    app = make_app()
    bad = tmp_path / "notes.json"
    bad.write_text("these are my notes, not an export")
    count = len(app.store.conversations())
    app.window._import(bad)
    app.wait_stored()
    box = app.window.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "notes.json" in box.text() and "could not be imported" in box.text()
    assert "Export as JSON" in box.informativeText()
    assert len(app.store.conversations()) == count


def _png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header says ``width`` x ``height``: what an oversized picture looks like
    to the reader, at the cost of a few bytes."""
    import io
    import struct
    import zlib

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_a_too_large_image_is_refused_in_the_apps_own_words(make_app, tmp_path):
    app = make_app()
    banner = app.window.chat.banner
    for width, height in ((10_000, 10_000), (60_000, 60_000)):  # below and past Pillow's own limit
        path = tmp_path / f"huge-{width}.png"
        path.write_bytes(_png_claiming(width, height))
        app.drop_files([path])
        app.qtbot.waitUntil(lambda: path.name in banner.label.text(), timeout=5000)
        text = banner.label.text()
        assert "is too large to use" in text and "Make it smaller" in text and "nothing was saved" in text
        assert "bomb" not in text.lower() and "DOS" not in text
    assert app.store.conversations() == [] or all(
        not m.attachments for c in app.store.conversations() for m in app.store.messages(c.id))


def test_only_the_shipped_captioner_s_captions_carry_the_shapes_note(make_app, tmp_png, tmp_path):
    from chatapp.views.main_window import SHIPPED_CAPTIONER_NOTE

    app = make_app()

    def caption_bubbles():
        return [b for b in app.window.chat.bubbles.values()
                if b.message.role == "bot" and b.message.text.startswith("a picture")]

    app.window.attach_files([str(tmp_png)])
    app.qtbot.waitUntil(lambda: len(caption_bubbles()) == 1, timeout=5000)
    app.wait_idle()
    shipped = caption_bubbles()[0]
    assert app.store.model_version(shipped.message.model_version_id).source == "shipped"
    assert shipped.hint.isVisible() and shipped.hint.text() == SHIPPED_CAPTIONER_NOTE
    assert "generated shapes" in SHIPPED_CAPTIONER_NOTE and "Training" in SHIPPED_CAPTIONER_NOTE
    # A captioner the user trained on photos: its captions get no note.
    trained = tmp_path / "my-captioner.safetensors"
    trained.write_bytes(b"weights")
    app.controller.activate_version(app.store.add_model_version("caption", "trained on my photos", trained))
    app.wait_idle()
    app.window.attach_files([str(tmp_png)])
    app.qtbot.waitUntil(lambda: len(caption_bubbles()) == 2, timeout=5000)
    newest = max(caption_bubbles(), key=lambda b: b.message.id)
    assert app.store.model_version(newest.message.model_version_id).source == "trained"
    assert not newest.hint.isVisible() and newest.hint.text() == ""
    # Replies of the chat model never get it.
    assert all(not b.hint.text() for b in app.window.chat.bubbles.values() if b not in caption_bubbles())


def test_a_hit_in_the_open_conversation_scrolls_there_when_clicked(make_app):
    from chatapp.views.conversation_list import MESSAGE_ROLE

    app = make_app()
    conversation = app.store.create_conversation("Only one")
    for i in range(40):
        app.store.add_message(conversation.id, "user" if i % 2 == 0 else "bot",
                              "the aurora was green" if i == 1 else f"filler {i}")
    hit_id = app.store.messages(conversation.id)[1].id
    app.window.refresh_list()
    app.window.open_conversation(conversation.id)
    app.wait_stored()
    chat = app.window.chat
    assert hit_id not in chat.bubbles  # the first page is the newest messages
    sidebar = app.window.sidebar
    sidebar.search.setText("aurora")
    app.qtbot.waitUntil(lambda: sidebar.list.count() == 1 and sidebar.list.item(0).data(MESSAGE_ROLE) == hit_id,
                        timeout=3000)
    for attempt in range(2):  # the second click, after scrolling away, goes back to it
        rect = sidebar.list.visualItemRect(sidebar.list.item(0))
        app.qtbot.mouseClick(sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        app.wait_stored()
        assert hit_id in chat.bubbles and chat.bubbles[hit_id].property("found") is True
        app.qtbot.wait(50)
        bubble = chat.bubbles[hit_id]
        top = bubble.mapTo(chat.scroll.viewport(), bubble.rect().topLeft()).y()
        assert 0 <= top < chat.scroll.viewport().height(), attempt
        chat.scroll_to_bottom()


def test_at_640_by_480_nothing_is_cut(make_app, tmp_png):
    from chatapp.views.chat_view import SHORT_HINT

    app = make_app()
    app.type_and_send("a message long enough to need wrapping in a small window, as people do write "
                      "long messages when they have a lot to say about their day")
    app.window.attach_files([str(tmp_png)])
    app.qtbot.waitUntil(lambda: len(app.window.chat.bubbles) == 4, timeout=5000)
    app.wait_idle()
    wide = app.window.sidebar.width()
    app.window.resize(640, 480)
    app.qtbot.waitUntil(lambda: app.window.width() == 640, timeout=3000)
    app.qtbot.wait(50)
    chat = app.window.chat
    assert app.window.sidebar.width() < wide  # the list gives up room too
    viewport = chat.scroll.viewport()
    assert chat.container.width() <= viewport.width()  # no row runs past the visible edge
    for bubble in chat.bubbles.values():
        right = bubble.mapTo(viewport, bubble.rect().topRight()).x()
        assert right <= viewport.width(), bubble.message.text[:20]
        assert bubble.time_label.isVisible()
    box = chat.input
    hint = box.placeholderText()
    lines = box.viewport().height() // box.fontMetrics().lineSpacing()
    assert hint == SHORT_HINT or box.fontMetrics().horizontalAdvance(hint) <= 0.8 * lines * box.viewport().width()


def test_the_store_and_engine_start_only_after_the_first_paint(qtbot, data_dir):
    from chatapp.__main__ import after_first_paint
    from chatapp.settings import load_settings
    from chatapp.views.main_window import MainWindow

    window = MainWindow(load_settings(data_dir), data_dir)
    qtbot.addWidget(window)
    calls = []
    after_first_paint(window, lambda: calls.append(window._painted), fallback_ms=60_000)
    qtbot.wait(50)
    assert calls == []  # not shown, not painted: nothing heavy has started
    window.show()
    qtbot.waitUntil(lambda: calls == [True], timeout=3000)  # once, and after a paint
    window.update()
    qtbot.wait(50)
    assert calls == [True]


def test_no_empty_box_sits_in_the_chat_when_no_conversation_is_open(make_app):
    app = make_app()
    chat = app.window.chat
    assert app.window.current is None
    assert not chat.older_label.isVisible()
    conversation = app.new_conversation()
    app.window._confirmed_delete(conversation, QMessageBox.StandardButton.Yes)
    app.wait_stored()
    assert app.window.current is None and not chat.older_label.isVisible()
