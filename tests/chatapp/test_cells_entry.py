"""A chat bubble's "Which cells fired?": the Lab opens on its message-cells view and records the
message through the chat model's encoder."""

CELLS = "Which cells fired?"


def _menu_texts(bubble) -> list[str]:
    return [action.text() for action in bubble.context_menu().actions()]


def _trigger(bubble, text: str) -> None:
    next(action for action in bubble.context_menu().actions() if action.text() == text).trigger()


def test_which_cells_fired_opens_the_lab_recording_the_message(make_app):
    app = make_app()
    app.type_and_send("I do not like rainy mornings.")
    app.qtbot.waitUntil(lambda: any(b.message.role == "bot" for b in app.window.chat.bubbles.values()),
                        timeout=5000)
    user, bot = sorted(app.window.chat.bubbles.values(), key=lambda b: b.message.id)
    assert user.message.role == "user" and _menu_texts(user) == [CELLS]
    assert bot.message.role == "bot" and bot.message.text and CELLS in _menu_texts(bot)
    assert {"Copy", "Teach…"} <= set(_menu_texts(bot))

    _trigger(user, CELLS)
    app.wait_stored()  # the message is read from the store before the Lab is asked
    lab = app.window.lab_window
    try:
        assert lab.isVisible() and lab.tabs.currentWidget() is lab.cells_tab
        assert lab.cells_input.toPlainText() == "I do not like rainy mornings."
        assert lab.reader_combo.currentData() == "chat"
        assert lab.cells_op is not None and not lab.analyse_button.isEnabled()
        app.qtbot.waitUntil(lambda: lab.cells_op.is_finished, timeout=60000)
        assert lab.cells_op.state == "done", lab.status.currentMessage()
        report = lab.cell_view.report
        assert report.cell == "chat" and "rainy" in report.text.split()
        assert lab.analyse_button.isEnabled()

        # Asked again about the bot's reply: the same window, now reading the reply.
        _trigger(bot, CELLS)
        app.wait_stored()
        assert app.window.lab_window is lab and lab.cells_input.toPlainText() == bot.message.text
        app.qtbot.waitUntil(lambda: lab.cells_op.is_finished, timeout=60000)
        assert lab.cells_op.state in ("done", "failed")  # a reply of no known words is a message, not a crash
    finally:
        lab.close()


def test_an_image_alone_has_no_cells_to_show(make_app, tmp_png):
    app = make_app()
    app.drop_files([tmp_png])
    app.qtbot.waitUntil(lambda: len(app.window.chat.bubbles) == 2, timeout=5000)
    image, caption = sorted(app.window.chat.bubbles.values(), key=lambda b: b.message.id)
    assert image.message.attachments and not image.message.text
    assert CELLS not in _menu_texts(image)
    assert CELLS in _menu_texts(caption)  # the caption is a reply with text
