"""Render the main views offscreen into docs/*.png, in the light and the dark theme: the chat,
the window at 1400x900 and 640x480, a search hit opened, About, attention, caption and settings.

    QT_QPA_PLATFORM=offscreen python -m chatapp.screenshots [--out docs]

The conversation is written into a temporary data folder. Replies, sentiment, attention and the
caption come from the shipped models (through ``engine.service.Engine``, as in the app); where a
model is missing, fixed stand-ins of the same shapes are used and the script says so.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SIZES = ((1400, 900), (640, 480))  # a large screen, and the smallest window we design for

EXCHANGES = [
    ("Hi! I just got back from a week of hiking in the mountains.",
     "that sounds amazing ! how was the weather ?", "positive", 0.86),
    ("Mostly great, but it rained hard on the last two days.",
     "oh no , i hope you stayed dry .", "neutral", 0.58),
    ("Not really, my tent leaked and my sleeping bag got soaked.",
     "that is awful . did you manage to sleep at all ?", "negative", 0.81),
    ("A little. The sunrise on the last morning made up for it though!",
     "i love sunrises in the mountains . they are worth the trouble .", "positive", 0.92),
]


def _attention(source: list[str], target: list[str]) -> list[list[float]]:
    import math

    rows = []
    for i, _ in enumerate(target):
        centre = (i + 0.5) * len(source) / len(target)
        weights = [math.exp(-((j - centre) ** 2) / 3.0) + 0.05 for j in range(len(source))]
        total = sum(weights)
        rows.append([w / total for w in weights])
    return rows


def _words(text: str) -> list[str]:
    return text.lower().replace("!", " !").replace(".", " .").replace(",", " ,").replace("?", " ?").split()


def _memory_attention(said: list[str], target: list[str]) -> dict:
    """A memory model's attention over the conversation ``said`` so far (oldest first, the message
    being answered last): the columns are its words, ``turns`` how many turns back each was said,
    and a reply word said earlier in the conversation is copied from there."""
    source, turns = [], []
    for index, text in enumerate(said):
        words = _words(text)
        source += words
        turns += [len(said) - 1 - index] * len(words)
    current = [j for j, turn in enumerate(turns) if turn == 0]
    weights = [[0.0] * len(source) for _ in target]
    for i, word in enumerate(target):
        earlier = [j for j, w in enumerate(source) if w == word and turns[j] > 0]
        if word.isalpha() and len(word) > 3 and earlier:  # a word said before: copied from there
            weights[i][earlier[0]] = 1.0
        else:
            for j, w in zip(current, _attention([source[j] for j in current], target)[i]):
                weights[i][j] = w
        weights[i] = [0.97 * w + 0.03 / len(source) for w in weights[i]]
    copied = [0.86 if max(row[:current[0]], default=0.0) > 0.5 else 0.02 for row in weights]
    return {"kind": "reply", "source": source, "target": target, "weights": weights, "turns": turns,
            "copied": copied}


def _scene(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), "#dfe9f5")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 170, 320, 240), fill="#9fc98a")
    draw.ellipse((40, 60, 130, 150), fill="#e4572e")
    draw.rectangle((190, 90, 280, 180), fill="#3a6ea5")
    image.save(path)


def _real_engine():
    """The shipped models, or None (with a note) when one of them is missing."""
    from engine.service import Engine

    engine = Engine(device="cpu")
    available = engine.load()
    if not all(available.values()):
        print(f"models missing ({engine.problems}); using fixed stand-in replies")
        return None
    return engine


def fill(store, image_path: Path, engine=None) -> int:
    conversation = store.create_conversation("Hiking trip")
    start = datetime(2025, 5, 3, 9, 12)
    state = None
    for i, (user, bot, label, confidence) in enumerate(EXCHANGES):
        if engine is not None:
            result = engine.sentiment([user])[0]
            label, probs = result.label, result.probabilities
            reply = engine.reply(user, state)
            state = reply.state
            bot, score = reply.text, reply.score
            attention = {"kind": "reply", "source": reply.source_tokens, "target": reply.tokens,
                         "weights": reply.attention}
            if reply.source_turns is not None:  # a memory model: its columns span the conversation
                attention.update(turns=reply.source_turns, copied=reply.copied)
        else:
            rest = (1 - confidence) / 2
            probs = {k: rest for k in ("negative", "neutral", "positive")}
            probs[label] = confidence
            source, target, score = _words(user), bot.split(), -0.41
            attention = {"kind": "reply", "source": source, "target": target,
                         "weights": _attention(source, target)}
            if i == len(EXCHANGES) - 1:  # the last reply as a memory model's, to show that view
                said = [text for exchange in EXCHANGES[:i] for text in exchange[:2]] + [user]
                attention = _memory_attention(said, target)
        store.add_message(conversation.id, "user", user, created_at=start + timedelta(minutes=2 * i),
                          sentiment=(label, probs))
        reply = store.add_message(
            conversation.id, "bot", bot, created_at=start + timedelta(minutes=2 * i, seconds=3),
            attention=attention, score=score, decoding={"strategy": "beam", "beam_size": 5})
        if i == 1:
            store.set_feedback(reply.id, 1)
    image = store.add_image_message(conversation.id, "shapes.png", image_path.read_bytes(),
                                    created_at=start + timedelta(minutes=9))
    if engine is not None:
        caption = engine.caption(str(image_path))
        words, maps, score = caption.words, caption.attention, caption.score
    else:
        words = ["a", "red", "circle", "left", "of", "a", "blue", "square"]
        centres = [(2, 2), (2, 1), (2, 2), (1, 2), (3, 3), (5, 3), (5, 2), (5, 3)]
        maps = []
        for cy, cx in centres:
            grid = [[2.718 ** (-((r - cy) ** 2 + (c - cx) ** 2) / 1.5) for c in range(7)] for r in range(7)]
            total = sum(map(sum, grid))
            maps.append([[v / total for v in row] for row in grid])
        score = -0.2
    shipped = store.ensure_shipped_version("caption", Path("resources/models/caption.safetensors"))
    store.add_message(conversation.id, "bot", " ".join(words), created_at=start + timedelta(minutes=9, seconds=2),
                      attention={"kind": "caption", "image_message_id": image.id, "words": words,
                                 "maps": maps}, score=score, model_version_id=shipped)
    for title in ("Recipes for a rainy day", "Learning the guitar", "Book ideas"):
        store.create_conversation(title)
    return conversation.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--stand-ins", action="store_true",
                        help="use the fixed stand-in replies even where the models are there (fast)")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from chatapp.app import open_app
    from chatapp.settings import AppSettings, save_settings
    from chatapp.store import Store
    from chatapp.views.main_window import MainWindow
    from chatapp.views.theme import THEMES, apply_theme

    app = QApplication.instance() or QApplication([])
    args.out.mkdir(parents=True, exist_ok=True)
    engine = None if args.stand_ins else _real_engine()
    for theme in ("light", "dark"):
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder)
            _scene(data / "shapes.png")
            store = Store(data / "data")
            conversation = fill(store, data / "shapes.png", engine)
            store.close()
            settings = AppSettings(theme=theme)
            save_settings(data / "data", settings)
            apply_theme(app, THEMES[theme])
            window = MainWindow(settings, data / "data")
            window.resize(1180, 800)
            window.show()
            controller = open_app(window, data / "data", _Shown)
            _wait(app, lambda: controller.host.ready)
            _window_shots(app, window, conversation, args.out, theme)
            _dialog_shots(app, window, controller, conversation, args.out, theme)
            window.close()
            _settle(app)
    print(f"screenshots written to {args.out}/")
    return 0


def _window_shots(app, window, conversation: int, out: Path, theme: str) -> None:
    """The window at its usual size, at each of ``SIZES``, and opened on a search hit."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from chatapp.views.conversation_list import MESSAGE_ROLE

    window.open_conversation(conversation)
    _settle(app)
    window.grab().save(str(out / f"chat-{theme}.png"))
    for width, height in SIZES:
        window.resize(width, height)
        window.open_conversation(conversation)
        _settle(app)
        window.grab().save(str(out / f"window-{width}x{height}-{theme}.png"))
    window.resize(1180, 800)
    window.sidebar.search.setText("rain")
    _wait(app, lambda: window.sidebar.list.count() > 0 and window.sidebar.list.item(0).data(
        MESSAGE_ROLE) is not None, 3)
    hit = window.sidebar.list.visualItemRect(window.sidebar.list.item(0)).center()
    QTest.mouseClick(window.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=hit)
    _settle(app)
    window.grab().save(str(out / f"search-{theme}.png"))
    window.sidebar.search.clear()


def _dialog_shots(app, window, controller, conversation: int, out: Path, theme: str) -> None:
    """About, the attention behind a reply and a caption, and the settings."""
    def shot(name: str) -> None:
        _wait(app, lambda: not controller.owner.busy)  # the dialog opens once its data is read
        _settle(app)
        window.dialog.grab().save(str(out / f"{name}-{theme}.png"))
        window.dialog.close()

    window.show_about()
    shot("about")
    replies = [m for m in controller.store.messages(conversation) if m.role == "bot"]
    window.show_attention(replies[2].id)
    shot("attention")
    memory = [m for m in replies if (controller.store.attention(m.id) or {}).get("turns")]
    if memory:  # a memory model's reply: its attention spans the conversation
        window.show_attention(memory[-1].id)
        shot("attention-memory")
    window.show_attention(replies[-1].id)
    _wait(app, lambda: not controller.owner.busy)
    window.dialog.view.show_word(2)
    shot("caption")
    window.open_settings()
    shot("settings")


def _Shown(device: str):
    """The screenshots need no model: every message is already in the store."""
    class Ready:
        problems: dict = {}
        paths: dict = {}

        def load(self, kinds):
            return {kind: True for kind in kinds}

        def set_knowledge(self, pairs):
            pass

    return Ready()


def _wait(app, condition, seconds: float = 10.0) -> None:
    import time

    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _settle(app) -> None:
    import time

    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    raise SystemExit(main())
