"""What the training panel shows of a run, with the fake engine and a stand-in child process that
prints the engine's protocol: the step count of the bar and of the text, the share of clipped
steps, the loss legend, and a new version that is offered, not switched to, with an Undo."""
import json
import sys

import pytest
from PySide6.QtCore import Qt

PLANNED = 7  # the engine's plan, short of the steps the run makes (as fine-tuning's can be)
STEPS = 9
CLIPPED_AT = {2, 5, 8}  # steps whose norm reached the threshold


def write_child(folder, steps=STEPS, planned=PLANNED, clipped_at=CLIPPED_AT):
    """A script that acts as ``python -m engine train finetune ... --progress jsonl``."""
    rows = [{"event": "prepared", "exchanges": 3, "corrections": 1, "replay_exchanges": 2, "device": "cpu"}]
    for step in range(1, steps + 1):
        clipped = step in clipped_at
        rows.append({"progress": {"step": step, "total_steps": planned, "phase": "train", "loss": 3.0 - step / 10,
                                  "grad_norm": 7.5 if clipped else 2.0, "clipped": clipped, "tokens_per_s": 900.0}})
    rows.append({"progress": {"step": steps, "total_steps": planned, "phase": "valid", "valid_loss": 3.2}})
    rows.append({"result": {"status": "done", "steps": steps, "seconds": 18.0,
                            "clipped_share": len(clipped_at) / steps}})
    script = folder / "child.py"
    script.write_text(
        "import json, sys, time\n"
        "args = sys.argv[1:]\n"
        "out = args[args.index('--out') + 1]\n"
        f"for row in json.loads({json.dumps(json.dumps(rows))}):\n"
        "    if 'result' in row:\n"
        "        open(out, 'wb').write(b'a checkpoint')\n"
        "    print(json.dumps(row), flush=True)\n"
        "    time.sleep(0.01)\n")
    return script


@pytest.fixture
def panel_app(make_app, tmp_path):
    """The app on the fake engine, one saved conversation, the stand-in child and the panel."""
    app = make_app()
    store = app.store
    conversation = store.create_conversation("music")
    for i, text in enumerate(["do you like music?", "yes i love jazz", "why?", "it is calm"]):
        store.add_message(conversation.id, "user" if i % 2 == 0 else "bot", text)
    app.window.training.command = [sys.executable, str(write_child(tmp_path))]
    app.qtbot.waitUntil(lambda: store.active_version("chat") is not None, timeout=5000)
    panel = app.window.open_training()
    panel.refresh()
    app.wait_stored()  # the panel's lists, read on the store's thread
    return app, panel


def run_to_end(app, panel, on_progress=None):
    """Start a chat run from the panel's button; returns the finished run's record."""
    if on_progress is not None:
        app.window.training.progress.connect(on_progress)  # after the panel's own slot
    with app.qtbot.waitSignal(app.window.training.finished, timeout=30000) as finished:
        app.qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def test_the_bar_and_the_text_give_one_step_count(panel_app):
    app, panel = panel_app
    seen = []  # (bar value, bar maximum, the step reported) after the panel drew each row
    run = run_to_end(app, panel, lambda update: seen.append(
        (panel.progress_bar.value(), panel.progress_bar.maximum(), update.step)))
    assert run.status == "done" and run.figures["steps"] == STEPS
    assert [value for value, _, _ in seen] == [step for _, _, step in seen]  # never held back at the plan
    assert all(value <= maximum for value, maximum, _ in seen)
    assert seen[0][1] == PLANNED  # the plan while the run is within it
    assert panel.progress_bar.value() == panel.progress_bar.maximum() == STEPS
    assert panel.progress_bar.text() == f"{STEPS} / {STEPS} steps"
    assert f"Run {run.id} done: {STEPS} steps in 18 s" in panel.stage_label.text()


def test_the_share_of_clipped_steps_is_said_in_words(panel_app):
    app, panel = panel_app
    said = {}
    run = run_to_end(app, panel, lambda update: said.setdefault(update.step, panel.clip_label.text()))
    assert said[1] == "clipped 0 of 1 step" and said[5] == "clipped 2 of 5 steps"
    assert panel.clip_label.text() == f"clipped 3 of {STEPS} steps"
    assert run.figures["clipped_steps"] == 3 and f"clipped 3 of {STEPS} steps" in run.message


def test_the_chat_legend_has_no_caption_metric_and_covers_no_curve(panel_app):
    app, panel = panel_app
    curves = panel.curves
    assert panel.kinds.currentIndex() == 0
    assert curves.legend_texts() == ["training loss", "validation loss (base corpus)"]
    panel.kinds.setCurrentIndex(1)  # the captioner's tab, before any run: its run draws BLEU-4
    assert any("BLEU-4" in text for text in curves.legend_texts())
    panel.kinds.setCurrentIndex(0)
    assert not any("BLEU" in text or "photos" in text for text in curves.legend_texts())
    run_to_end(app, panel)
    assert not any("BLEU" in text or "photos" in text for text in curves.legend_texts())
    panel.kinds.setCurrentIndex(1)  # the chat run's curves stay drawn, so does their legend
    assert "validation loss (base corpus)" in curves.legend_texts()
    view = curves.plots["loss"].getViewBox()
    for plot in curves.plots.values():
        assert not curves.legend.sceneBoundingRect().intersects(plot.getViewBox().sceneBoundingRect())
    assert curves.legend.sceneBoundingRect().bottom() <= view.sceneBoundingRect().top()


def test_a_finished_run_asks_before_its_version_is_used_and_undo_goes_back(panel_app):
    app, panel = panel_app
    store, engine = app.store, app.engine
    shipped = store.active_version("chat")
    panel.version_tabs.setCurrentIndex(2)  # the runs
    run = run_to_end(app, panel)
    new_id = run.figures["version_id"]
    app.wait_idle()
    assert store.active_version("chat").id == shipped.id  # not switched by the run
    assert not any(kind == "chat" for kind, _ in engine.set_models)
    assert panel.offer.isVisible() and panel.offer.use_button.isVisible()
    assert "made a new chat model" in panel.offer.label.text()
    assert panel.version_tabs.currentIndex() == 0  # the chat versions, where the new one is listed
    assert "made a new chat model" in app.window.statusBar().currentMessage()  # said with the panel closed too

    app.qtbot.mouseClick(panel.offer.use_button, Qt.MouseButton.LeftButton)
    new = store.model_version(new_id)
    assert store.active_version("chat").id == new_id
    app.qtbot.waitUntil(lambda: ("chat", new.path) in engine.set_models, timeout=5000)
    assert panel.offer.undo_button.isVisible() and shipped.label in panel.offer.label.text()

    app.qtbot.mouseClick(panel.offer.undo_button, Qt.MouseButton.LeftButton)
    assert store.active_version("chat").id == shipped.id
    app.qtbot.waitUntil(lambda: engine.set_models[-1] == ("chat", shipped.path), timeout=5000)
    assert not panel.offer.undo_button.isVisible() and "Back to" in panel.offer.label.text()
    assert [v.id for v in store.model_versions("chat")] == [shipped.id, new_id]  # kept to choose later


def test_keeping_the_version_in_use_leaves_it_active(panel_app):
    app, panel = panel_app
    shipped = app.store.active_version("chat")
    run_to_end(app, panel)
    app.qtbot.mouseClick(panel.offer.keep_button, Qt.MouseButton.LeftButton)
    assert not panel.offer.isVisible()
    app.wait_idle()
    assert app.store.active_version("chat").id == shipped.id


def test_the_offer_goes_when_the_versions_in_use_no_longer_match_it(panel_app):
    app, panel = panel_app
    shipped = app.store.active_version("chat")
    run = run_to_end(app, panel)
    app.qtbot.waitUntil(lambda: panel.version_list.count() == 2, timeout=5000)
    rows = {panel.version_list.item(i).data(Qt.ItemDataRole.UserRole): i for i in range(panel.version_list.count())}
    panel.version_list.setCurrentRow(rows[run.figures["version_id"]])
    app.qtbot.mouseClick(panel.activate_button, Qt.MouseButton.LeftButton)  # chosen from the list instead
    app.wait_stored()
    assert not panel.offer.isVisible()
    run = run_to_end(app, panel)
    app.qtbot.mouseClick(panel.offer.use_button, Qt.MouseButton.LeftButton)
    app.wait_stored()
    assert panel.offer.undo_button.isVisible()
    app.controller.activate_version(shipped.id)  # another version, chosen elsewhere
    app.wait_stored()
    assert not panel.offer.isVisible()  # no Undo that would say "back" to something else
