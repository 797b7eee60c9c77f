"""The training panel on the real engine with a tiny chat model: fine-tune in a child process
and choose the new version, cancel, a crashing run, and rolling back to an earlier model version.
(What the panel shows of a run, with a stand-in child: test_training_panel_view.py.)"""
import json
import sys

import pytest
from PySide6.QtCore import Qt

from tiny_chat import BASE, train_tiny_model


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return train_tiny_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
def app(qtbot, tmp_path, tiny_model):
    """A window on the real Engine with the tiny model, three saved conversations and one
    correction ("do you like music?" should have been answered "no i prefer silence")."""
    from chatapp.app import build_window
    from engine.service import Engine

    missing = tmp_path / "missing"

    def factory(device):
        return Engine(paths={"chat": tiny_model, "sentiment": missing / "s.safetensors",
                             "caption": missing / "c.safetensors"}, device="cpu")

    data_dir = tmp_path / "data"
    from chatapp.store import Store

    store = Store(data_dir)
    saved = []
    for turns in BASE[:3]:
        conversation = store.create_conversation(turns[0])
        saved.append(conversation.id)
        messages = [store.add_message(conversation.id, "user" if i % 2 == 0 else "bot", text)
                    for i, text in enumerate(turns)]
        if turns is BASE[2]:
            store.add_correction(messages[1].id, "no i prefer silence")
    store.close()
    window, controller = build_window(data_dir, factory)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: controller.host.ready and "chat" in controller._versions, timeout=60000)
    replay = tmp_path / "replay.jsonl"
    replay.write_text("\n".join(json.dumps(c) for c in BASE * 6))
    # The tiny model's own corpus stands in for the base corpus (replay and validation).
    window.training.command = [sys.executable, "-m", "engine"]
    window.training.extra_arguments = ["--replay-data", str(replay), "--valid-conversations", "2"]
    yield window, controller, saved  # the three saved conversations, for the tests to pick
    window.close()


def ask(qtbot, window, controller, text):
    """Send ``text`` in a new conversation and return the bot's reply."""
    before = window.current
    window.new_conversation()
    qtbot.waitUntil(lambda: window.current != before, timeout=5000)
    window.send(text)
    qtbot.waitUntil(lambda: len(controller.store.messages(window.current)) == 2, timeout=30000)
    return controller.store.messages(window.current)[1].text


def panel_with(qtbot, window, epochs, learning_rate=0.01):
    panel = window.open_training()
    qtbot.waitUntil(lambda: not window.controller.owner.busy, timeout=5000)  # its lists, read on the store's thread
    panel.epochs.setValue(epochs)
    panel.learning_rate.setValue(learning_rate)
    panel.replay.setValue(0.25)
    panel.distill.setValue(0.3)
    panel.device.setCurrentText("cpu")
    return panel


def test_fine_tune_stores_a_version_that_once_chosen_gives_the_correction(qtbot, app):
    window, controller, saved = app
    assert ask(qtbot, window, controller, "do you like music?") == "Yes I love jazz"
    shipped = controller.store.active_version("chat")
    panel = panel_with(qtbot, window, epochs=40)
    hello, name, music = saved
    rows = []
    window.training.conversations(rows.extend)
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)  # the panel's table is filled too
    overview = {row.id: row for row in rows}
    assert (overview[music].turns, overview[music].corrections) == (4, 1)
    assert (overview[hello].turns, overview[hello].corrections) == (4, 0)
    assert panel.table.rowCount() == 4  # the three saved ones and the one just asked
    panel.check_all(False)
    for row in range(panel.table.rowCount()):
        if panel.table.item(row, 0).data(Qt.ItemDataRole.UserRole) in saved:
            panel.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
    assert sorted(panel.checked_ids()) == sorted(saved)
    updates = []
    window.training.progress.connect(updates.append)
    with qtbot.waitSignal(window.training.finished, timeout=300000) as finished:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert not panel.start_button.isEnabled()  # one run at a time
        with pytest.raises(RuntimeError):
            window.training.start([1], {})
        assert panel.threshold.value() == panel.clip.value()  # drawn across the gradient norms
        qtbot.waitUntil(lambda: len(updates) >= 2, timeout=180000)
        panel.close()  # the run goes on without the panel
    assert not panel.isVisible() and window.open_training() is panel
    run = finished.args[0]
    assert run.status == "done", run.message
    train_steps = [u for u in updates if u.phase == "train"]
    assert train_steps and any(u.phase == "valid" for u in updates)
    assert train_steps[-1].step == run.figures["steps"] and run.figures["corrections_reproduced"] == 1.0
    assert run.curves["grad_norm"] and run.curves["valid_loss"] and run.settings["epochs"] == 40
    assert run.settings["distill_weight"] == 0.3
    assert run.ended_at >= run.started_at and run.base_version_id == shipped.id
    # One step count: the bar ends on the run's own, which the text says.
    steps = run.figures["steps"]
    assert panel.progress_bar.value() == panel.progress_bar.maximum() == steps
    assert f"{steps} steps in" in panel.stage_label.text()
    assert panel.clip_label.text() == f"clipped {run.figures['clipped_steps']} of {steps} steps"
    assert not any("BLEU" in text for text in panel.curves.legend_texts())
    # The new version waits to be chosen; the shipped model answers until then.
    assert controller.store.active_version("chat").id == shipped.id
    assert ask(qtbot, window, controller, "do you like music?") == "Yes I love jazz"
    assert panel.offer.isVisible()
    qtbot.mouseClick(panel.offer.use_button, Qt.MouseButton.LeftButton)
    active = controller.store.active_version("chat")
    assert active.source == "trained" and active.training_run_id == run.id
    assert active.path.is_file() and controller.store.data_dir in active.path.parents
    qtbot.waitUntil(lambda: panel.version_list.item(0).text().startswith("●"), timeout=5000)
    assert ask(qtbot, window, controller, "do you like music?") == "No I prefer silence"


def test_cancel_mid_run_keeps_the_active_version(qtbot, app):
    window, controller, saved = app
    before = controller.store.active_version("chat")
    panel = panel_with(qtbot, window, epochs=100000, learning_rate=0.0001)
    updates = []
    window.training.progress.connect(updates.append)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(updates) >= 3, timeout=180000)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.pause_button.text() == "Resume", timeout=5000)
    paused_at = len(updates)
    qtbot.wait(400)
    assert len(updates) <= paused_at + 1  # at most the step that was running
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(updates) > paused_at + 2, timeout=10000)
    # Within the signal's timeout; `python -m chatapp.bench` times it (training_cancel_s, target 2 s).
    with qtbot.waitSignal(window.training.finished, timeout=5000) as finished:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    run = finished.args[0]
    assert run.status == "cancelled"
    assert controller.store.active_version("chat").id == before.id
    assert panel.start_button.isEnabled() and "cancelled" in panel.stage_label.text()


def test_a_failing_run_is_recorded_as_failed_and_the_app_still_answers(qtbot, app, tmp_path):
    window, controller, saved = app
    before = controller.store.active_version("chat")
    crash = tmp_path / "crash.py"
    crash.write_text("import json, sys\n"
                     "print(json.dumps({'event': 'prepared', 'exchanges': 3}), flush=True)\n"
                     "raise MemoryError('out of memory while training the decoder')\n")
    window.training.command = [sys.executable, str(crash)]
    panel = panel_with(qtbot, window, epochs=5)
    with qtbot.waitSignal(window.training.finished, timeout=30000) as finished:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    run = finished.args[0]
    assert run.status == "failed" and "out of memory while training the decoder" in run.message
    assert controller.store.training_runs("chat")[-1].status == "failed"
    qtbot.waitUntil(lambda: panel.run_list.count() == 1, timeout=5000)
    assert "failed" in panel.run_list.item(0).text() and "out of memory" in panel.stage_label.text()
    assert controller.store.active_version("chat").id == before.id
    assert ask(qtbot, window, controller, "do you like music?") == "Yes I love jazz"


def test_rollback_restores_the_earlier_versions_replies(qtbot, app, tiny_model):
    from engine.tasks.chat import ChatPredictor
    from engine.tasks.finetune import finetune
    from engine.tasks.finetune_data import FinetuneConfig, SavedExchange, prepare

    window, controller, saved = app
    shipped = controller.store.active_version("chat")
    tuned = ChatPredictor.load(tiny_model)
    finetune(tuned, prepare([[SavedExchange("do you like music?", "yes i love jazz", "no i prefer silence")]]),
             FinetuneConfig(epochs=40, learning_rate=0.01), tuned.device)
    from dataclasses import asdict

    from engine.checkpoint import Checkpoint, save_checkpoint

    path = controller.store.data_dir / "models" / "tuned.safetensors"
    save_checkpoint(path, Checkpoint("chat", asdict(tuned.model.config), tuned.model.state_dict(),
                                     tuned.vocab.itos))
    version = controller.store.add_model_version("chat", "tuned by hand", path)
    panel = window.open_training()
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)
    rows = {panel.version_list.item(i).data(Qt.ItemDataRole.UserRole): i for i in range(panel.version_list.count())}
    panel.version_list.setCurrentRow(rows[version])
    qtbot.mouseClick(panel.activate_button, Qt.MouseButton.LeftButton)
    assert ask(qtbot, window, controller, "do you like music?") == "No I prefer silence"
    panel.version_list.setCurrentRow([i for v, i in rows.items() if v == shipped.id][0])
    qtbot.mouseClick(panel.activate_button, Qt.MouseButton.LeftButton)
    assert controller.store.active_version("chat").id == shipped.id
    assert ask(qtbot, window, controller, "do you like music?") == "Yes I love jazz"
