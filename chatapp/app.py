"""Putting the app together: settings, store, engine host, controller and window.

``open_app`` is what ``python -m chatapp`` runs after the window is shown; tests and the
benchmark call it too, with an engine factory of their own (dependency injection: a test gives
a small fake or a tiny trained model, the app gives ``engine.service.Engine``).
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

from chatapp.engine_host import EngineFactory, EngineHost
from chatapp.settings import load_settings

SWITCH_INTERVAL_S = 0.001  # Python's default is 0.005


def default_data_dir() -> Path:
    import appdirs

    return Path(appdirs.user_data_dir("chatapp"))


def open_app(window, data_dir: Path, engine_factory: Optional[EngineFactory] = None,
             poll_ms: int = 3000):
    """Open the store in ``data_dir``, start the engine loading, and connect ``window``.

    Raises ``chatapp.store.StoreError`` (with a message for the user) when the folder or the
    database cannot be used. Returns the controller.
    """
    from chatapp.controller import ChatController
    from chatapp.ops import GuiCalls
    from chatapp.store import Store
    from chatapp.store.owner import StoreOwner
    from chatapp.training import TrainingController

    # Every paint of a widget made from Python takes the GIL, and while the engine thread runs
    # Python (imports, decoding loops) each of those waits lasts up to the switch interval.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # The store's own thread opens it (and alone uses it); the window waits for the open, once.
    owner = StoreOwner(lambda: Store(data_dir), GuiCalls())
    settings = load_settings(data_dir)
    host = EngineHost(engine_factory, device=settings.device, poll_ms=poll_ms)
    controller = ChatController(owner, host, settings)
    # The training panel's controller gets what it needs of the chat side, and nothing more.
    training = TrainingController(owner, controller.files, lambda: str(host.paths.get("chat", "")),
                                  controller.activate_version, controller.notice.emit, parent=controller)
    controller.version_changed.connect(lambda _version: training.versions_changed.emit())
    window.set_controller(controller, training)
    host.start()
    controller.load_knowledge()  # the stored pairs reach the engine once it has loaded
    return controller


def damaged_copy_name(path: Path) -> Path:
    """Where a damaged database is kept: beside it, named with the date and time, never over a file."""
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    kept = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    number = 1
    while kept.exists():  # twice in one second
        number += 1
        kept = path.with_name(f"{path.stem}.damaged-{stamp}-{number}{path.suffix}")
    return kept


def set_aside_database(path: Path, kept: Optional[Path] = None) -> Path:
    """Rename a damaged database (and its -wal and -shm files) to ``kept``, keeping every byte;
    returns the name it now has."""
    if kept is None or kept.exists():
        kept = damaged_copy_name(path)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(kept.with_name(kept.name + suffix))
    path.rename(kept)
    return kept


def open_or_recover(window, data_dir: Path, done: Callable[[Any], None],
                    engine_factory: Optional[EngineFactory] = None, poll_ms: int = 3000) -> None:
    """``open_app``, and when the database is damaged, ask the user (in ``window``) whether to
    start with a new database, the damaged file kept beside it, or to quit.

    ``done(controller)`` follows, with None when the user quits; other ``StoreError`` are raised.
    """
    from chatapp.store import DatabaseDamaged
    from chatapp.views.dialogs import damaged_database_box

    try:
        done(open_app(window, data_dir, engine_factory, poll_ms))
        return
    except DatabaseDamaged as error:
        damaged = error

    planned = damaged_copy_name(damaged.path)

    def answered(start_new: bool) -> None:
        if not start_new:
            done(None)
            return
        try:
            kept = set_aside_database(damaged.path, planned)
        except OSError as problem:
            window.show_error("The damaged database could not be moved aside",
                              f"{damaged.path} could not be renamed ({problem.strerror or problem}); "
                              "nothing was changed. Move it yourself, then start chatapp again.")
            done(None)
            return
        controller = open_app(window, data_dir, engine_factory, poll_ms)
        window.chat.show_notice("info", f"Started with a new database; the damaged one is kept as "
                                        f"{kept} in case it can be repaired.")
        done(controller)

    window.open_dialog(damaged_database_box(window, damaged.path, planned.name, damaged.details, answered))


def build_window(data_dir: Path, engine_factory: Optional[EngineFactory] = None, poll_ms: int = 3000):
    """A shown main window with its controller (for tests and the benchmark)."""
    from chatapp.views.main_window import MainWindow
    from chatapp.views.theme import THEMES, apply_theme
    from PySide6.QtWidgets import QApplication

    settings = load_settings(data_dir)
    apply_theme(QApplication.instance(), THEMES[settings.theme])
    window = MainWindow(settings, data_dir)
    controller = open_app(window, Path(data_dir), engine_factory, poll_ms)
    return window, controller
