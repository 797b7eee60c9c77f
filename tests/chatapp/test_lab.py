"""The RNN Lab window: trains a tiny model, pauses, writes with it and colours text by a cell."""
import pytest
from PySide6.QtCore import Qt

from chatapp.lab import LabController
from chatapp.views.lab_cells import activation_colour
from chatapp.views.lab_window import LabWindow


@pytest.fixture
def lab(qtbot, tmp_path):
    controller = LabController()
    window = LabWindow(controller)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    controller.shutdown()


def _train(qtbot, lab, tmp_path, minutes=0.04):
    text = tmp_path / "verse.txt"
    text.write_text('he said "to be" and (she) said "not to be".\n' * 120, encoding="utf-8")
    lab.data_edit.setText(str(text))
    lab.hidden_spin.setValue(16)
    lab.minutes_spin.setValue(minutes)
    qtbot.mouseClick(lab.train_button, Qt.MouseButton.LeftButton)
    return lab.train_op


def test_trains_with_live_curves_pauses_and_cancels(qtbot, lab, tmp_path):
    # The training panel's plots, saying what a character model's curves are.
    assert lab.curves.legend_texts() == ["training loss", "validation loss (held-out text)"]
    assert lab.curves.plots["speed"].titleLabel.text == "Characters/s"
    op = _train(qtbot, lab, tmp_path, minutes=5)
    steps = []
    op.progress.connect(lambda update: steps.append(update.step))
    qtbot.waitUntil(lambda: len(steps) >= 3, timeout=60000)
    qtbot.mouseClick(lab.pause_button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)  # a step under way when pausing may still report
    paused_at = len(steps)
    qtbot.wait(500)
    assert len(steps) == paused_at and not op.is_finished
    qtbot.mouseClick(lab.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(steps) > paused_at + 2, timeout=20000)
    qtbot.waitUntil(lambda: len(lab.curves._points["train_loss"][0]) > paused_at, timeout=5000)
    qtbot.mouseClick(lab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: op.is_finished, timeout=20000)
    assert op.state == "cancelled" and lab.train_button.isEnabled() and not lab.pause_button.isEnabled()


def test_a_finished_run_becomes_the_model_and_its_validation_is_drawn(qtbot, lab, tmp_path):
    op = _train(qtbot, lab, tmp_path, minutes=0.02)
    qtbot.waitUntil(lambda: op.is_finished, timeout=60000)
    assert op.state == "done"
    assert lab.curves._points["valid_loss"][1], "the validation loss at the end is drawn"
    assert lab.controller.current is not None and "verse.txt" in lab.model_label.text()


def test_a_bad_file_is_a_message_not_a_crash(qtbot, lab, tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    lab.data_edit.setText(str(tmp_path / "blob.bin"))
    qtbot.mouseClick(lab.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lab.train_op.is_finished, timeout=20000)
    assert "not a text file" in lab.status.currentMessage() and lab.train_button.isEnabled()


def test_writes_streaming_and_colours_text_by_a_cell(qtbot, lab, tmp_path):
    op = _train(qtbot, lab, tmp_path, minutes=0.02)
    qtbot.waitUntil(lambda: op.is_finished, timeout=60000)
    lab.prime_edit.setText("he said é")
    lab.temperature_slider.setValue(50)
    lab.length_spin.setValue(120)
    qtbot.mouseClick(lab.write_button, Qt.MouseButton.LeftButton)
    assert "outside the model's alphabet" in lab.status.currentMessage()
    chunks = []
    lab.sample_op.progress.connect(chunks.append)
    qtbot.waitUntil(lambda: lab.sample_op.is_finished, timeout=10000)
    assert len(chunks) > 1, "characters arrive as they are written"
    assert len(lab.output.toPlainText()) == len("he said é") + 120

    lab.cells_input.setPlainText('he said "to be" and (she) said "not to be".\n' * 6)
    qtbot.mouseClick(lab.analyse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lab.cell_view.report is not None, timeout=20000)
    view = lab.cell_view.text_view
    assert view.text.startswith('he said "to be"') and len(view.values) == len(view.text)
    shown = view.toHtml()
    scale = max(abs(v) for v in view.values)
    assert activation_colour(view.values[0] / scale) in shown
    assert view.value_text(3).startswith("'s' (character 3)")
    assert lab.cell_view.ranking.topLevelItemCount() >= 5
    assert set(lab.flow.plotItem.legend.items[0][1].text.split(":")[:1]) & {"LSTM"}
    lab.tabs.setCurrentIndex(2)
    lab.grab().save(str(tmp_path / "lab_cells.png"))


def test_colours_run_from_blue_through_white_to_red():
    assert activation_colour(-1.0) == "#0000ff"
    assert activation_colour(0.0) == "#ffffff"
    assert activation_colour(1.0) == "#ff0000"


def test_the_main_window_opens_the_lab(make_app):
    app = make_app()
    action = next(a for a in app.window.findChildren(type(app.window.new_action)) if a.text() == "&RNN Lab…")
    assert action.shortcut().toString() == "Ctrl+L"
    action.trigger()
    assert app.window.lab_window.isVisible()
    app.window.lab_window.close()


def test_the_cell_view_reads_a_message_with_the_sentiment_classifier(qtbot, lab):
    lab.tabs.setCurrentIndex(2)
    lab.reader_combo.setCurrentIndex(lab.reader_combo.findData("sentiment"))
    lab.cells_input.setPlainText("I do not like this movie, but the music was wonderful.")
    qtbot.mouseClick(lab.analyse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lab.cells_op.is_finished, timeout=60000)
    report = lab.cell_view.report
    assert report.text.startswith("i do not like this movie")
    assert set(report.ranked) == {"negation_scope", "sentiment_word"} and report.ranked["sentiment_word"]
    assert report.layer_names == ("forward", "backward")
    assert lab.cell_view.caption.text().split()[0] in ("forward", "backward")
