"""The engine behind the window: made, loaded and called on one worker thread.

``import torch`` alone takes seconds, so nothing here imports ``engine`` on the GUI thread: the
factory runs as the first op of the engine worker, and every later model call queues behind it
(a message sent while the models load waits for them instead of being lost). Models that are
missing at start are looked for again every few seconds, so a model that a training run or a
download puts in place is picked up without a restart.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from chatapp.ops import Op, OpContext, Worker, first_line

KINDS = ("chat", "sentiment", "caption")
EngineFactory = Callable[[str], Any]  # device name -> an object with engine.service.Engine's API


def default_factory(device: str) -> Any:
    from engine.service import Engine  # imported on the engine worker: torch loads there

    return Engine(device=device)


class EngineHost(QObject):
    status = Signal(object)  # {kind: available}, after loading and whenever a model appears
    load_failed = Signal(str)  # the engine itself could not start (no torch, bad device)

    def __init__(self, factory: Optional[EngineFactory] = None, device: str = "auto",
                 poll_ms: int = 3000, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._factory = factory or default_factory
        self.device = device
        self.worker = Worker("engine")
        self.engine: Any = None  # touched only on the worker thread, by ops
        self.ready = False
        self.available: dict[str, bool] = {kind: False for kind in KINDS}
        self.problems: dict[str, str] = {}
        self.paths: dict[str, str] = {}  # kind -> the checkpoint the engine uses
        self.knowledge: Optional[tuple] = None  # the pairs last given (set_knowledge), for a restart
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._look_for_models)

    # -- loading -----------------------------------------------------------------------------
    def start(self, device: Optional[str] = None) -> Op:
        """(Re)make the engine on ``device`` and load every model it has."""
        if device is not None:
            self.device = device
        self.ready = False
        chosen, knowledge = self.device, self.knowledge

        def load(ctx: OpContext) -> tuple[dict[str, bool], dict[str, str], dict[str, str]]:
            ctx.report("Loading the models…")
            self.engine = self._factory(chosen)
            available = self.engine.load(KINDS)
            if knowledge is not None:  # a new engine (another device) keeps the user's pairs
                self.engine.set_knowledge(knowledge)
            paths = {k: str(v) for k, v in getattr(self.engine, "paths", {}).items()}
            return dict(available), dict(self.engine.problems), paths

        op = self.worker.run(load, "load engine")
        op.result.connect(self._on_loaded)
        op.failed.connect(lambda error: self.load_failed.emit(first_line(error)))
        return op

    def _on_loaded(self, found: tuple[dict[str, bool], dict[str, str], dict[str, str]]) -> None:
        self.available, self.problems, self.paths = found
        self.ready = True
        self.status.emit(self.available)
        if not all(self.available.values()):
            self._poll.start()

    def _look_for_models(self) -> None:
        """Try again the kinds that were missing, when their files have appeared."""
        if self.worker.busy or all(self.available.values()):
            if all(self.available.values()):
                self._poll.stop()
            return
        missing = [kind for kind, ok in self.available.items() if not ok]

        def retry(_ctx: OpContext) -> list[str]:
            found = []
            for kind in missing:
                path = Path(getattr(self.engine, "paths", {}).get(kind, ""))
                if path.is_file():
                    try:
                        self.engine.set_model(kind, path)
                        found.append(kind)
                    except Exception as error:  # noqa: BLE001 - a broken file stays a problem
                        self.engine.problems[kind] = first_line(error)
            return found

        op = self.worker.run(retry, "look for models")
        op.result.connect(self._on_found)

    def _on_found(self, kinds: list[str]) -> None:
        if not kinds:
            return
        for kind in kinds:
            self.available[kind] = True
            self.problems.pop(kind, None)
        self.status.emit(self.available)

    # -- calls -------------------------------------------------------------------------------
    def call(self, fn: Callable[[Any, OpContext], Any], name: str = "") -> Op:
        """Queue ``fn(engine, context)`` on the engine worker; connect to the op's signals."""
        return self.worker.run(lambda ctx: fn(self.engine, ctx), name)

    def use_model(self, kind: str, path: Path) -> Op:
        """Switch ``kind`` to another checkpoint (a model version) for the calls that follow."""
        def switch(engine: Any, _ctx: OpContext) -> str:
            engine.set_model(kind, Path(path))
            return kind

        self.paths[kind] = str(path)

        op = self.call(switch, f"use {kind} model")
        op.result.connect(lambda k: self._on_found([k]))
        return op

    def set_knowledge(self, pairs: Sequence[Any]) -> Op:
        """Give the engine the user's stored pairs (``engine.knowledge_pairs.KnowledgePair``), after
        whatever is queued before (a reply asked for later reads them); they are kept for an engine
        made again on another device."""
        self.knowledge = tuple(pairs)
        given = self.knowledge

        def give(engine: Any, _ctx: OpContext) -> int:
            if engine is None:
                return 0  # the engine could not start: load_failed said so
            engine.set_knowledge(given)
            return len(given)

        return self.call(give, "set knowledge")

    def shutdown(self, timeout: float = 2.0) -> bool:
        self._poll.stop()
        return self.worker.shutdown(timeout)
