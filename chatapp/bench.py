"""How the window holds up: start-up, event-loop stalls during model calls, a long history.

    QT_QPA_PLATFORM=offscreen python -m chatapp.bench --json

Prints one JSON object on the last line: ``window_shown_s`` (launch to ``show()``, measured
on a fresh ``python -m chatapp`` process), ``first_paint_s`` (launch to the first frame of the
window read back from the screen, not blank), ``engine_ready_s`` (launch to models loaded),
``loading_stall_ms_max`` (the longest the event loop was blocked from the first frame until the
models were ready),
``history_stall_ms_max`` (the longest it was blocked while that long conversation was opened:
its page is read on the store's thread),
``reply_stall_ms_max`` and ``caption_stall_ms_max`` (the longest the Qt event loop was blocked
beyond its timer period during 20 replies and 5 captions), ``history_load_ms`` (opening a
conversation of 10,000 messages until it is painted) and ``training_stall_ms_max`` (the same
during a fine-tuning run started from the training panel, its curves drawn live) and
``training_cancel_s`` (Cancel pressed during a second run until the panel hears that it ended). Replies and
captions use the shipped models; a kind whose model is missing uses a stand-in that keeps the
engine thread busy for a similar time, and ``reply_engine`` / ``caption_engine`` say which was
measured.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 5


class StandIn:
    """Busy work in place of a missing model: torch matrix products plus some Python, on the
    engine thread, so the stall figures still measure what the GUI thread goes through."""

    def __init__(self, engine: Any, kinds: set[str]):
        self.engine, self.kinds = engine, kinds

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    @property
    def problems(self) -> dict[str, str]:
        return {k: v for k, v in self.engine.problems.items() if k not in self.kinds}

    def load(self, kinds) -> dict[str, bool]:
        return {kind: True for kind in kinds}

    def available(self, kind: str) -> bool:
        return True

    def _work(self, milliseconds: float) -> None:
        import torch

        end = time.perf_counter() + milliseconds / 1000
        a = torch.randn(256, 256)
        while time.perf_counter() < end:
            a = torch.tanh(a @ a / 16)
            sum(i * i for i in range(2000))  # Python that holds the GIL, as decoding loops do

    def reply(self, text, state=None, decode=None, should_stop=None):
        if "chat" not in self.kinds:
            return self.engine.reply(text, state, decode, should_stop)
        from engine.results import ChatState, Reply

        self._work(150)
        words = text.lower().split()[:10]
        return Reply(" ".join(words), words, -1.0, words,
                     [[1.0 / len(words)] * len(words) for _ in words], ChatState(turns=1))

    def rebuild_state(self, exchanges):
        from engine.results import ChatState

        return ChatState(turns=len(exchanges)) if "chat" in self.kinds else self.engine.rebuild_state(exchanges)

    def sentiment(self, texts):
        if "sentiment" not in self.kinds:
            return self.engine.sentiment(texts)
        from engine.results import SentimentResult

        self._work(10)
        return [SentimentResult("neutral", {"negative": 0.2, "neutral": 0.6, "positive": 0.2})
                for _ in texts]

    def caption(self, image, beam_size=3):
        if "caption" not in self.kinds:
            return self.engine.caption(image, beam_size)
        from engine.results import Caption

        self._work(250)
        words = ["a", "picture"]
        return Caption("a picture", words, -1.0, [[[0.25, 0.25], [0.25, 0.25]]] * 2)


def is_blank(image) -> bool:
    """True for a null image or one of at most two colours (black, or a bare background)."""
    if image.isNull():
        return True
    # A coarse grid is enough to tell a drawn window from an empty one, and keeps the probe
    # light on the thread whose stalls it measures.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 24) for y in range(0, image.height(), 24)}
    return len(colours) <= 2


class StartupProbe:
    """Inside ``python -m chatapp --startup-report``: when the screen first holds a painted
    frame of the window, and the longest event-loop stall from then until the models are ready.

    The frame is read back from the screen (``QScreen.grabWindow``), not rendered by
    ``QWidget.grab``, which would paint on demand and so succeed however busy the app was.
    """

    def __init__(self, window):
        from PySide6.QtCore import QTimer

        self.window = window
        self.painted_at: float | None = None
        self.meter = StallMeter()
        self._poll = QTimer()
        self._poll.setInterval(4 * TICK_MS)
        self._poll.timeout.connect(self._look)
        self._poll.start()
        # Made before the app connects its start-up to the same signal, so this look is queued
        # first: it reads the frame as soon as it is flushed, not after the store has opened.
        window.first_painted.connect(lambda: QTimer.singleShot(0, self._look))

    def _look(self) -> None:
        if self.painted_at is not None:
            return
        screen = self.window.screen()
        if screen is None or is_blank(screen.grabWindow(self.window.winId()).toImage()):
            return
        self.painted_at = time.time()
        self._poll.stop()
        self.meter.start()

    def finish(self) -> dict[str, float]:
        self._poll.stop()
        stall = self.meter.stop() if self.painted_at is not None else None
        return {"first_paint": self.painted_at, "loading_stall_ms_max": stall}


def measure_startup(python: str = sys.executable) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.time()
        done = subprocess.run([python, "-m", "chatapp", "--data-dir", folder, "--startup-report"],
                              capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"chatapp did not start: {done.stderr.strip()[-500:]}")
    report = json.loads(lines[-1])
    painted = report.get("first_paint")
    return {"window_shown_s": round(report["window_shown"] - started, 3),
            "first_paint_s": round(painted - started, 3) if painted else None,
            "engine_ready_s": round(report["engine_ready"] - started, 3),
            "loading_stall_ms_max": report.get("loading_stall_ms_max")}


class StallMeter:
    """A timer that should fire every TICK_MS; the longest extra gap is the longest stall."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.worst = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self._last) * 1000 - TICK_MS)
        self._last = now

    def start(self) -> None:
        self.worst, self._last = 0.0, time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return round(max(self.worst, 0.0), 1)


def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(TICK_MS)
    poll.timeout.connect(lambda: condition() and loop.quit())
    poll.start()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError("the app did not answer in time")


def fill_history(store, count: int = 10_000) -> int:
    """A conversation of ``count`` messages, written in one transaction."""
    import sqlite3

    conversation = store.create_conversation("A very long conversation")
    rows = [(conversation.id, "user" if i % 2 == 0 else "bot",
             f"message number {i}: " + "some words to wrap across the bubble " * (1 + i % 4),
             "2025-01-01 10:00:00") for i in range(count)]
    with sqlite3.connect(store.data_dir / "chatapp.sqlite3") as connection:
        connection.executemany("INSERT INTO messages (conversation_id, role, text, created_at) "
                               "VALUES (?, ?, ?, ?)", rows)
    return conversation.id


def measure_in_window(replies: int = 20, captions: int = 5) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from chatapp.app import build_window
    from chatapp.engine_host import default_factory

    app = QApplication.instance() or QApplication([])
    used: dict[str, str] = {}

    def factory(device: str):
        engine = default_factory(device)
        available = engine.load(("chat", "sentiment", "caption"))
        missing = {kind for kind, ok in available.items() if not ok}
        for kind in ("chat", "caption"):
            used[kind] = "stand-in" if kind in missing else "shipped model"
        return StandIn(engine, missing)

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        window, controller = build_window(Path(folder), factory)
        window.show()
        wait_for(lambda: controller.host.ready, 300)
        meter = StallMeter()
        window.new_conversation()  # saved on the store's thread, then opened
        wait_for(lambda: window.current is not None and not controller.owner.busy, 30)
        conversation = window.current
        added = []  # counted from the signal: polling the store would itself block the loop
        controller.message_added.connect(added.append)
        meter.start()
        for i in range(replies):
            window.send(f"tell me something about topic number {i}, please")
            wait_for(lambda: len(added) >= 2 * (i + 1) and not controller.is_busy(conversation), 120)
        wait_for(lambda: not controller.host.worker.busy, 60)
        results["reply_stall_ms_max"] = meter.stop()

        results["caption_stall_ms_max"] = _caption_stall(window, controller, conversation, added, meter,
                                                         Path(folder), captions)
        results["history_load_ms"], results["history_stall_ms_max"] = _history_load_ms(
            app, window, controller, conversation, meter)
        results.update(measure_training(window, controller, conversation, meter, used.get("chat") == "stand-in"))
        results["reply_engine"] = used.get("chat", "?")
        results["caption_engine"] = used.get("caption", "?")
        window.close()
    return results


def _caption_stall(window, controller, conversation: int, added: list, meter: StallMeter, folder: Path,
                   captions: int) -> float:
    """The longest stall of the event loop while ``captions`` dropped pictures are captioned."""
    from PIL import Image, ImageDraw

    picture = folder / "scene.png"
    image = Image.new("RGB", (320, 240), "white")
    ImageDraw.Draw(image).ellipse((40, 40, 140, 140), fill="red")
    image.save(picture)
    meter.start()
    for _ in range(captions):
        before = len(added)
        window.attach_files([str(picture)])
        wait_for(lambda: len(added) >= before + 2 and not controller.is_busy(conversation), 120)
    return meter.stop()


def _history_load_ms(app, window, controller, conversation: int, meter: StallMeter) -> tuple[float, float]:
    """Milliseconds to open a conversation of 10,000 messages until its last page is painted (the
    best of three), and the longest the event loop was blocked meanwhile (its page is read on the
    store's thread)."""
    long_one = fill_history(controller.store)
    timings = []
    meter.start()
    for _ in range(3):
        _open_and_wait(app, window, controller, conversation)
        started = time.perf_counter()
        _open_and_wait(app, window, controller, long_one)
        window.repaint()  # until the visible page is painted
        app.processEvents()
        timings.append((time.perf_counter() - started) * 1000)
    return round(min(timings), 1), meter.stop()


def _open_and_wait(app, window, controller, conversation_id: int) -> None:
    """Open a conversation and run the event loop until the store's answer has been shown."""
    from PySide6.QtCore import QEventLoop

    window.open_conversation(conversation_id)
    while controller.owner.busy:  # woken by the answer's event, not polled
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


def settle(milliseconds: int) -> None:
    """Run the event loop for a while."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def measure_training(window, controller, conversation: int, meter: StallMeter, tiny: bool) -> dict[str, Any]:
    """A short fine-tuning run on the bench conversation (one reply corrected), panel open.

    Without a shipped chat model, a tiny one trained here is the base (``training_engine``).
    """
    store = controller.store
    if tiny:
        from engine.tasks.chat_train import train_small_model

        path = store.data_dir / "models" / "tiny-base.safetensors"
        train_small_model([["hello there", "hi! how are you?"], ["what do you do?", "i read books"]], path,
                          epochs=20)
        controller.activate_version(store.add_model_version("chat", "tiny base for the bench", path))
        wait_for(lambda: not controller.owner.busy and not controller.host.worker.busy, 60)
    bot = next(m for m in store.messages(conversation) if m.role == "bot")
    store.add_correction(bot.id, "i would rather talk about books")
    panel = window.open_training()
    settle(500)  # opening the panel (its first paint) is not part of the run
    finished = []
    window.training.finished.connect(finished.append)
    meter.start()
    window.training.start([conversation], {"epochs": 3, "replay_share": 0.5})
    wait_for(lambda: bool(finished), 600)
    stall = meter.stop()
    run = finished[0]
    # Cancel: a long run, stopped once it has made a few steps; timed until the panel hears it ended.
    steps = []
    window.training.progress.connect(steps.append)
    window.training.start([conversation], {"epochs": 1000, "replay_share": 0.5})
    wait_for(lambda: len(steps) >= 3, 600)
    started = time.perf_counter()
    window.training.cancel()
    wait_for(lambda: len(finished) == 2, 60)
    cancel_s = time.perf_counter() - started
    panel.close()
    return {"training_stall_ms_max": stall, "training_status": run.status,
            "training_steps": run.figures.get("steps"), "training_seconds": run.figures.get("seconds"),
            "training_cancel_s": round(cancel_s, 2), "training_cancel_status": finished[1].status,
            "training_engine": "tiny model" if tiny else "shipped model"}


def main(argv: list[str] | None = None) -> int:
    from engine.options import RANGES, Parser, bound_numbers

    parser = Parser(prog="python -m chatapp.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    parser.add_argument("--replies", type=int, default=20, help="replies timed in the window")
    parser.add_argument("--captions", type=int, default=5, help="captions timed in the window")
    parser.add_argument("--startup-only", action="store_true",
                        help="only the start-up figures (a fresh process each), --starts times")
    parser.add_argument("--starts", type=int, default=1, help="start-ups measured; the worst is kept")
    bound_numbers(parser, {**RANGES, "replies": (1, 1000), "captions": (0, 1000), "starts": (1, 100)})
    args = parser.parse_args(argv)
    starts = [measure_startup() for _ in range(max(args.starts, 1))]
    results: dict[str, Any] = {key: max((s[key] for s in starts if s[key] is not None), default=None)
                               for key in starts[0]}
    if not args.startup_only:
        results.update(measure_in_window(args.replies, args.captions))
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:>22}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
