"""The window on the real ``engine.service.Engine`` with a tiny, untrained chat model.

The shipped models may not exist yet; this checks the real path end to end (loading on the
worker, DecodeConfig from the settings, reply dataclasses, attention shapes, a missing
sentiment model reported instead of failing).
"""
from dataclasses import asdict

import torch


def tiny_chat_model(path):
    from engine.checkpoint import Checkpoint, save_checkpoint
    from engine.models.seq2seq import Seq2Seq
    from engine.tasks.chat_train import tiny_config
    from engine.text import Vocab, tokenize

    words = tokenize("hello there how are you today i am fine thanks what about the weather")
    vocab = Vocab.build([words] * 3, min_count=1)
    config = tiny_config(vocab)
    torch.manual_seed(0)
    model = Seq2Seq(config)
    save_checkpoint(path, Checkpoint(kind="chat", config=asdict(config), weights=model.state_dict(),
                                     vocab=list(vocab.itos)))
    return path


def test_send_with_the_real_engine(qtbot, tmp_path):
    from chatapp.app import build_window
    from engine.service import Engine

    model = tiny_chat_model(tmp_path / "chat.safetensors")
    missing = tmp_path / "nothing"

    def factory(device):
        return Engine(paths={"chat": model, "sentiment": missing / "s.safetensors",
                             "caption": missing / "c.safetensors"}, device="cpu")

    window, controller = build_window(tmp_path / "data", factory)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: controller.host.ready, timeout=60000)
    assert controller.host.available == {"chat": True, "sentiment": False, "caption": False}
    qtbot.waitUntil(lambda: not controller.owner.busy, timeout=5000)  # the versions in use, recorded
    assert "✓ chat" in window.engine_label.text() and "✗ sentiment" in window.engine_label.text()
    window.send("hello there, how are you?")
    qtbot.waitUntil(lambda: len(controller.store.messages(window.current)) == 2, timeout=30000)
    user, bot = controller.store.messages(window.current)
    attention = controller.store.attention(bot.id)
    assert len(attention["weights"]) == len(attention["target"])
    assert all(len(row) == len(attention["source"]) for row in attention["weights"])
    assert user.sentiment_label is None and window.chat.mood.unavailable
    window.close()
