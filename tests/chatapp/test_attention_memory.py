"""The attention dialog of a memory model's reply: columns grouped by turn, copied words marked;
old messages (no ``turns``/``copied``) and keys that do not fit their words show the plain view."""
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QFontMetrics

from chatapp.views.attention_dialog import CELL, MAX_LABEL, PLAIN_HINT, AttentionDialog
from chatapp.views.attention_layout import loud_groups, memory_groups, turn_label
from chatapp.views.theme import LIGHT

TURNS = ["hi ! my name is anneliese and i work as a nurse in leeds .",
         "nice to meet you . how do you like your job ?",
         "i love it , but the night shifts are long .",
         "that sounds hard .",
         "do you remember my name ?"]
TARGET = "of course , your name is anneliese .".split()


def memory_attention(copied_row: int = 6) -> dict:
    source, turns = [], []
    for index, text in enumerate(TURNS):
        source += text.split()
        turns += [len(TURNS) - 1 - index] * len(text.split())
    now = turns.index(0)
    weights = []
    for row, word in enumerate(TARGET):
        # each reply word looks at the message being answered, the copied one at where it was said
        column = source.index(word) if row == copied_row else now + row % (len(source) - now)
        weights.append([1.0 if j == column else 0.0 for j in range(len(source))])
    copied = [0.9 if row == copied_row else 0.1 for row in range(len(TARGET))]
    return {"kind": "reply", "source": source, "target": TARGET, "weights": weights,
            "turns": turns, "copied": copied}


def plain(attention: dict) -> dict:
    return {key: attention[key] for key in ("kind", "source", "target", "weights")}


def old_size_hint(heatmap, attention: dict) -> QSize:
    """The plain view's size as the dialog has always computed it: 30-pixel cells and labels up to
    110 pixels."""
    metrics = QFontMetrics(heatmap.font())
    left = min(max([metrics.horizontalAdvance(w) for w in attention["target"]] + [40]) + 14, MAX_LABEL)
    top = min(max([metrics.horizontalAdvance(w) for w in attention["source"]] + [40]) + 14, MAX_LABEL)
    return QSize(left + CELL * len(attention["source"]) + 12, top + CELL * len(attention["target"]) + 12)


def open_dialog(qtbot, attention: dict) -> AttentionDialog:
    dialog = AttentionDialog(attention, LIGHT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_turn_labels_name_the_speaker_and_how_long_ago():
    assert [turn_label(n) for n in range(4)] == ["you, now", "bot, 1 turn ago", "you, 2 turns ago",
                                                 "bot, 3 turns ago"]


def test_the_words_of_a_stored_pair_form_a_group_of_their_own():
    source = ["what", "is", "the", "code", "?", "door", "code", "the", "code", "is", "Zorp"]
    groups = memory_groups({"source": source, "target": ["Zorp"], "weights": [[1 / len(source)] * len(source)],
                            "turns": [0] * 5 + [-1] * 6})
    assert [(g.label, g.speaker, len(g.columns)) for g in groups] == [
        ("you, now", "you", 5), ("knowledge, stored pair", "knowledge", 6)]
    assert not groups[1].user


def test_one_group_per_turn_oldest_first_with_its_label(qtbot):
    attention = memory_attention()
    dialog = open_dialog(qtbot, attention)
    heatmap = dialog.heatmap
    assert heatmap.memory
    assert [g.label for g, _, _ in heatmap.spans] == [
        "you, 4 turns ago", "bot, 3 turns ago", "you, 2 turns ago", "bot, 1 turn ago", "you, now"]
    sizes = [len(text.split()) for text in TURNS]
    assert [len(g.columns) for g, _, _ in heatmap.spans] == sizes
    # a gap between two turns: the columns are not contiguous there
    (_, _, end), (_, start, _) = heatmap.spans[0], heatmap.spans[1]
    assert start - end >= 8
    assert heatmap.cell_at((end + start) / 2, heatmap.grid_top + 5) is None
    # the tooltip of a cell names the turn of its column
    first = heatmap.spans[1][1] + 2
    assert heatmap.tooltip_at(first, heatmap.grid_top + 5).startswith("“of” ← “nice” (bot, 3 turns ago)")
    group, start, end = heatmap.spans[0]  # the label band names the turn and its share
    share = 1 / len(TARGET)  # one reply word of eight looked there
    assert heatmap.tooltip_at(start + 3, heatmap.band / 2) == (
        f"you, 4 turns ago: {len(TURNS[0].split())} words, {share:.0%} of the attention")
    assert "conversation so far" in dialog.hint.text()
    assert dialog.quiet.isVisibleTo(dialog)


def test_speakers_are_told_apart_by_the_band_tint(qtbot):
    dialog = open_dialog(qtbot, memory_attention())
    heatmap = dialog.heatmap
    image = heatmap.grab().toImage()
    tints = {}
    for group, start, end in heatmap.spans:
        tints.setdefault(group.speaker, set()).add(image.pixelColor(int(end) - 4, heatmap.band // 2).name())
    assert tints == {"you": {QColor(LIGHT.user_bubble).name()}, "bot": {QColor(LIGHT.bot_bubble).name()}}


def test_the_message_being_answered_is_scrolled_into_view(qtbot):
    source = [f"w{i}" for i in range(256)]  # a full memory: far wider than the dialog
    turns = sorted((i // 16 for i in range(256)), reverse=True)
    attention = {"source": source, "target": ["yes"], "weights": [[1 / 256] * 256], "turns": turns}
    dialog = open_dialog(qtbot, attention)
    bar = dialog.scroll.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=3000)
    group, start, end = dialog.heatmap.spans[-1]
    assert group.label == "you, now"
    assert bar.value() <= start and end <= bar.value() + dialog.scroll.viewport().width()
    # the row labels stay at the left edge of what is shown, over the columns scrolled under them
    assert dialog.heatmap.view_left == bar.value()
    assert dialog.heatmap.cell_at(bar.value() + 5, dialog.heatmap.grid_top + 5) is None
    assert dialog.heatmap.cell_at(end - 5, dialog.heatmap.grid_top + 5) == (0, 255)


def test_copied_rows_are_marked(qtbot):
    attention = memory_attention(copied_row=6)
    dialog = open_dialog(qtbot, attention)
    heatmap = dialog.heatmap
    assert [heatmap.is_copied(row) for row in range(len(TARGET))] == [row == 6 for row in range(len(TARGET))]
    assert "copied" in dialog.hint.text()
    label_x = heatmap.left // 2
    assert heatmap.tooltip_at(label_x, heatmap.grid_top + 6.5 * heatmap.row_height) == (
        "“anneliese”: copied from the conversation (90% of it was copied)")
    # the badge is drawn in the copied row's label and in no other
    dialog.scroll.horizontalScrollBar().setValue(0)
    image = heatmap.grab().toImage()
    badge = QColor(LIGHT.highlight).name()

    def badge_pixels(row: int) -> int:
        y = int(heatmap.grid_top + (row + 0.5) * heatmap.row_height)
        return sum(image.pixelColor(x, y).name() == badge for x in range(heatmap.left))

    assert badge_pixels(6) > 10
    assert all(badge_pixels(row) == 0 for row in range(len(TARGET)) if row != 6)


def test_a_dict_without_the_keys_shows_as_before(qtbot):
    attention = plain(memory_attention())
    dialog = open_dialog(qtbot, attention)
    heatmap = dialog.heatmap
    assert not heatmap.memory and heatmap.spans == [] and heatmap.band == 0
    assert heatmap.sizeHint() == old_size_hint(heatmap, attention)
    assert dialog.hint.text() == PLAIN_HINT
    assert not dialog.quiet.isVisibleTo(dialog)
    assert heatmap.tooltip_at(heatmap.left + CELL + 3, heatmap.grid_top + 3) == "“of” ← “!”: 0%"


def test_keys_that_do_not_fit_the_words_fall_back_to_the_plain_view(qtbot):
    attention = memory_attention()
    turns = attention["turns"]
    broken = [dict(attention, turns=turns[:-3]),  # turns shorter than source
              dict(attention, turns=turns + [0]),
              dict(attention, turns=[str(t) for t in turns]),
              dict(attention, turns=[-2] * len(turns))]  # -1 marks a stored pair's words; below, nothing
    for case in broken:
        case.pop("copied")
        dialog = open_dialog(qtbot, case)
        heatmap = dialog.heatmap
        assert not heatmap.memory and heatmap.spans == []
        assert heatmap.sizeHint() == old_size_hint(heatmap, attention)
        assert not heatmap.grab().isNull()  # painting does not raise
    # copied of the wrong length is ignored, the turns kept
    dialog = open_dialog(qtbot, dict(attention, copied=[1.0]))
    heatmap = dialog.heatmap
    assert heatmap.memory and heatmap.copied is None
    assert not any(heatmap.is_copied(row) for row in range(len(TARGET)))
    # copied that fits with turns that do not: the plain view, the copied word still marked
    dialog = open_dialog(qtbot, dict(attention, turns=turns[:-3]))
    heatmap = dialog.heatmap
    assert not heatmap.memory and heatmap.is_copied(6)
    assert heatmap.sizeHint().width() == old_size_hint(heatmap, attention).width() + heatmap.badge_width + 6
    assert not heatmap.grab().isNull()


def test_hiding_quiet_turns_keeps_the_ones_it_looked_at(qtbot):
    attention = memory_attention()
    groups = memory_groups(attention)
    assert [g.turns_ago for g in loud_groups(groups, attention["weights"])] == [4, 0]
    dialog = open_dialog(qtbot, attention)
    width = dialog.heatmap.sizeHint().width()
    dialog.quiet.setChecked(True)
    assert [g.label for g, _, _ in dialog.heatmap.spans] == ["you, 4 turns ago", "you, now"]
    assert dialog.heatmap.sizeHint().width() < width
    dialog.quiet.setChecked(False)
    assert len(dialog.heatmap.spans) == 5 and dialog.heatmap.sizeHint().width() == width


def test_a_saved_memory_reply_opens_the_memory_view(make_app, qtbot):
    app = make_app()
    conversation = app.store.create_conversation("Names")
    reply = app.store.add_message(conversation.id, "bot", " ".join(TARGET), attention=memory_attention())
    app.window.show_attention(reply.id)
    qtbot.waitUntil(lambda: app.window.dialog is not None)  # the store answers on its own thread
    heatmap = app.window.dialog.heatmap
    assert heatmap.memory and len(heatmap.spans) == 5 and heatmap.is_copied(6)


def test_the_screenshot_stand_ins_hold_a_memory_reply(tmp_path, tmp_png):
    """``python -m chatapp.screenshots --stand-ins`` shoots "attention-memory" from the last reply."""
    from chatapp.screenshots import EXCHANGES, fill
    from chatapp.store import Store

    store = Store(tmp_path / "data")
    conversation = fill(store, tmp_png)
    replies = [m for m in store.messages(conversation) if m.role == "bot" and m.text in
               {bot for _, bot, _, _ in EXCHANGES}]
    attentions = [store.attention(m.id) for m in replies]
    store.close()
    assert [("turns" in a) for a in attentions] == [False, False, False, True]
    memory = attentions[-1]
    groups = memory_groups(memory)
    assert [g.turns_ago for g in groups] == [6, 5, 4, 3, 2, 1, 0]
    copied = [word for word, share in zip(memory["target"], memory["copied"]) if share >= 0.5]
    assert copied == ["mountains"]
    row = memory["weights"][memory["target"].index("mountains")]
    looked_at = row.index(max(row))  # where it was copied from: said in the first message
    assert memory["source"][looked_at] == "mountains" and memory["turns"][looked_at] == 6


def test_each_stored_pair_read_is_a_group_named_by_its_question():
    source = ["wifi", "please", "wifi", "password", "?", "marmalade", "42", "router", "?", "hall", "<pad>"]
    attention = {"source": source, "target": ["marmalade"], "weights": [[1 / len(source)] * len(source)],
                 "turns": [0] * 2 + [-1] * 5 + [-2] * 4, "pairs": ["wifi password?", "router?"]}
    groups = memory_groups(attention)
    assert [(g.label, g.speaker, g.when, len(g.columns)) for g in groups] == [
        ("you, now", "you", "now", 2), ('knowledge, stored pair "wifi password?"', "knowledge", "stored pair", 5),
        ('knowledge, stored pair "router?"', "knowledge", "stored pair", 4)]
    # A third pair the dict does not name is no pair: the plain view.
    assert memory_groups(dict(attention, turns=[0] * 2 + [-1] * 5 + [-3] * 4)) is None
