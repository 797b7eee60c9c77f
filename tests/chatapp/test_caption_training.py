"""The training panel's captioner on the user's own photos: import a COCO-format set, train in a
child process with live progress, store a new captioner version that captions once chosen, cancel,
roll back, and a bad captions file. The real engine, a tiny chat model and a tiny captioner."""
import json

import pytest
from PySide6.QtCore import Qt

from tiny_chat import train_tiny_model
from tiny_coco import TINY_CAPTIONER, write_coco_set


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return train_tiny_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
def app(qtbot, tmp_path, tiny_model):
    """A window on the real Engine: the tiny chat model and the shipped captioner."""
    from chatapp.app import build_window
    from engine.service import Engine

    def factory(device):
        return Engine(paths={"chat": tiny_model, "sentiment": tmp_path / "missing" / "s.safetensors"}, device="cpu")

    window, controller = build_window(tmp_path / "data", factory)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: controller.host.ready and {"chat", "caption"} <= set(controller._versions),
                    timeout=60000)
    window.training.extra_arguments = list(TINY_CAPTIONER)  # after the panel's options: these win
    yield window, controller
    window.close()


def photos_panel(window, captions, images, steps):
    panel = window.open_training()
    panel.kinds.setCurrentIndex(1)
    panel.captions_path.setText(str(captions))
    panel.images_path.setText(str(images))
    panel.caption_steps.setValue(steps)
    panel.caption_batch_size.setValue(4)
    panel.device.setCurrentText("cpu")
    return panel


def engine_caption(qtbot, controller, image):
    """The caption the app's engine gives now (on its worker, as a dropped image would get)."""
    got = []
    op = controller.host.call(lambda engine, _ctx: engine.caption(str(image)).text, "caption")
    op.result.connect(got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=30000)
    return got[0]


def test_a_coco_import_trains_a_captioner_version_that_captions_at_once(qtbot, app, tmp_path):
    from engine.tasks.caption import CaptionPredictor

    window, controller = app
    store = controller.store
    captions, images = write_coco_set(tmp_path / "set")
    photo = images / "red-square.png"
    shipped = store.active_version("caption")
    chat_before, chat_path = store.active_version("chat"), controller.host.paths["chat"]
    assert shipped.source == "shipped"
    panel = photos_panel(window, captions, images, steps=40)
    updates = []
    window.training.progress.connect(updates.append)
    with qtbot.waitSignal(window.training.finished, timeout=120000) as finished:
        qtbot.mouseClick(panel.caption_start_button, Qt.MouseButton.LeftButton)
        assert not panel.start_button.isEnabled() and not panel.caption_start_button.isEnabled()
        with pytest.raises(RuntimeError):
            window.training.start_caption(captions, images, {})
    run = finished.args[0]
    assert run.status == "done", run.message
    assert run.kind == "caption" and run.settings["steps"] == 40 and run.settings["captions"] == str(captions)
    assert run.base_version_id == shipped.id and run.figures["images"] == 6 and run.figures["steps"] == 40
    train = [u for u in updates if u.phase == "train"]
    assert [u.step for u in train] == list(range(1, 41)) and train[-1].total_steps == 40
    assert any(u.values.get("valid_bleu") is not None for u in updates if u.phase == "valid")
    assert run.curves["train_loss"] and run.curves["grad_norm"] and run.curves["valid_bleu"]
    assert panel.progress_bar.value() == 40 and "done" in panel.stage_label.text()
    assert any("BLEU-4" in text for text in panel.curves.legend_texts())

    assert store.active_version("caption").id == shipped.id  # until the user chooses the new one
    qtbot.mouseClick(panel.offer.use_button, Qt.MouseButton.LeftButton)
    active = store.active_version("caption")
    assert active.source == "trained" and active.training_run_id == run.id and active.kind == "caption"
    assert store.data_dir in active.path.parents and active.path.is_file()
    qtbot.waitUntil(lambda: controller.host.paths["caption"] == str(active.path), timeout=5000)
    mine = CaptionPredictor.load(active.path).caption(str(photo)).text
    assert engine_caption(qtbot, controller, photo) == mine  # the engine captions with the new version
    shipped_caption = CaptionPredictor.load(shipped.path).caption(str(photo)).text
    assert mine != shipped_caption  # (so the check above could tell the two apart)
    # Versions are per kind: the chat model did not change.
    assert store.active_version("chat").id == chat_before.id and controller.host.paths["chat"] == chat_path
    qtbot.waitUntil(lambda: panel.caption_version_list.item(0).text().startswith("●"), timeout=5000)
    assert panel.caption_version_list.count() == 2 and panel.version_list.count() == 1

    # Roll back to the shipped captioner, from the panel.
    panel.caption_version_list.setCurrentRow(1)
    qtbot.mouseClick(panel.caption_activate_button, Qt.MouseButton.LeftButton)
    assert store.active_version("caption").id == shipped.id
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)  # the switch reached the engine's queue
    assert engine_caption(qtbot, controller, photo) == shipped_caption
    assert store.active_version("chat").id == chat_before.id


def test_cancel_mid_run_keeps_the_captioner_in_use(qtbot, app, tmp_path):
    window, controller = app
    store = controller.store
    captions, images = write_coco_set(tmp_path / "set")
    before, before_path = store.active_version("caption"), controller.host.paths["caption"]
    panel = photos_panel(window, captions, images, steps=100000)
    updates = []
    window.training.progress.connect(updates.append)
    qtbot.mouseClick(panel.caption_start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(updates) >= 3, timeout=60000)
    with qtbot.waitSignal(window.training.finished, timeout=10000) as finished:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.training.running, timeout=2000)  # stopped within 2 s
    run = finished.args[0]
    assert run.status == "cancelled" and run.kind == "caption" and 3 <= run.figures["steps"] < 100000
    assert store.active_version("caption").id == before.id
    assert controller.host.paths["caption"] == before_path
    assert panel.caption_start_button.isEnabled() and "cancelled" in panel.stage_label.text()


def test_a_bad_captions_file_or_folder_gives_a_clear_message(qtbot, app, tmp_path):
    window, controller = app
    store = controller.store
    captions, images = write_coco_set(tmp_path / "set")
    before = store.active_version("caption")
    # A folder that is not there: said at once, no run starts.
    panel = photos_panel(window, captions, tmp_path / "no-such-folder", steps=5)
    qtbot.mouseClick(panel.caption_start_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in panel.stage_label.text() and not window.training.running
    assert store.training_runs("caption") == []
    # A file that is not COCO-format JSON: the run fails with the engine's reason.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pictures": []}))
    panel.captions_path.setText(str(bad))
    panel.images_path.setText(str(images))
    with qtbot.waitSignal(window.training.finished, timeout=60000) as finished:
        qtbot.mouseClick(panel.caption_start_button, Qt.MouseButton.LeftButton)
    run = finished.args[0]
    assert run.status == "failed" and "not a COCO-format captions file" in run.message
    assert "failed" in panel.stage_label.text() and "COCO-format" in panel.stage_label.text()
    assert store.active_version("caption").id == before.id and len(store.model_versions("caption")) == 1
    assert panel.caption_start_button.isEnabled()
