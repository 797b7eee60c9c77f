"""Running plain functions off the GUI thread, with Qt signals for what comes back.

An :class:`Op` wraps a function ``fn(context) -> result`` that never touches a widget. A
:class:`Worker` runs ops one after another on its own thread, so work given to one worker is
serialised: the app has one worker for every model call (the engine) and one for file work.
What the function returns, raises or reports arrives as the op's ``result``, ``failed`` and
``progress`` signals, always on the GUI thread. Cancelling sets a flag the function polls
through ``context.should_stop()``; an op cancelled before it starts never runs.
"""
from __future__ import annotations

import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Qt, Signal


@dataclass(frozen=True)
class Progress:
    label: str
    value: int = 0
    maximum: int = 0  # 0: unknown, the view shows a busy indicator


class OpContext:
    """What the function sees of its op: the cancel flag and a way to report progress."""

    def __init__(self, op: "Op"):
        self._op = op

    def should_stop(self) -> bool:
        return self._op._cancel.is_set()

    def report(self, progress: Any) -> None:
        self._op._deliver.emit("progress", progress)


class Op(QObject):
    """One piece of background work; connect to its signals, then give it to a worker."""

    progress = Signal(object)  # whatever the function reported (usually a Progress)
    result = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised (with ``traceback_text`` attached)
    cancelled = Signal()  # cancelled before or while running; no result follows
    finished = Signal()  # after result, failed or cancelled

    _deliver = Signal(str, object)  # worker thread -> GUI thread

    def __init__(self, fn: Callable[[OpContext], Any], name: str = "",
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "op")
        self.state = "new"  # new, queued, running, done, failed, cancelled
        self._cancel = threading.Event()
        # Queued: the slot runs in the thread this object lives in (the GUI thread), whatever
        # thread emitted.
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def run_here(self) -> None:
        """Run the function on the calling thread (the worker's), delivering to the GUI thread."""
        if self._cancel.is_set():
            self._deliver.emit("cancelled", None)
            return
        self._deliver.emit("running", None)
        try:
            value = self.fn(OpContext(self))
        except BaseException as error:  # noqa: BLE001 - every failure must reach the GUI
            error.traceback_text = traceback.format_exc()
            self._deliver.emit("failed", error)
            return
        self._deliver.emit("cancelled" if self._cancel.is_set() else "result", value)

    def _on_deliver(self, kind: str, value: Any) -> None:
        if kind == "running":
            self.state = "running"
        elif kind == "progress":
            if not self.is_finished:
                self.progress.emit(value)
        elif kind == "result":
            self.state = "done"
            self.result.emit(value)
            self.finished.emit()
        elif kind == "failed":
            self.state = "failed"
            self.failed.emit(value)
            self.finished.emit()
        elif kind == "cancelled":
            self.state = "cancelled"
            self.cancelled.emit()
            self.finished.emit()


class Worker:
    """One thread that runs the ops given to it in order, one at a time."""

    def __init__(self, name: str):
        self.name = name
        self._queue: "queue.Queue[Optional[Op]]" = queue.Queue()
        self._pending: list[Op] = []
        self._alive: set[Op] = set()  # ops whose signals are still to be delivered
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name=f"chatapp-{name}", daemon=True)
        self._thread.start()

    def submit(self, op: Op) -> Op:
        """Queue ``op`` (made on the GUI thread); the worker keeps it alive until it finishes."""
        op.state = "queued"
        self._alive.add(op)
        op.finished.connect(lambda: self._alive.discard(op))
        with self._lock:
            self._pending.append(op)
        self._queue.put(op)
        return op

    def run(self, fn: Callable[[OpContext], Any], name: str = "") -> Op:
        """Shorthand: wrap ``fn`` in an op and submit it (connect signals straight after)."""
        return self.submit(Op(fn, name))

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._pending)

    def cancel_all(self) -> None:
        with self._lock:
            for op in self._pending:
                op.cancel()

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Cancel what is queued or running and wait up to ``timeout`` s; True if it stopped."""
        self.cancel_all()
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            op = self._queue.get()
            if op is None:
                return
            try:
                op.run_here()
            finally:
                with self._lock:
                    self._pending.remove(op)


class GuiCalls(QObject):
    """Runs callables on the thread this object lives in (made on the GUI thread: the GUI
    thread), whichever thread hands them over: the store owner's results come back this way."""

    _call = Signal(object)

    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def __call__(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)

    @staticmethod
    def _run(fn: Callable[[], None]) -> None:
        fn()


def first_line(error: BaseException) -> str:
    """What a failed op says, in one line for a banner: the first line of its message (a
    traceback's detail stays out of the window), or the error's type when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
