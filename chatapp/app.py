"""Putting the app together: settings, store, engine host, controller and window.

``open_app`` is what ``python -m chatapp`` runs after the window is shown; tests and the
benchmark call it too, with an engine factory of their own (dependency injection: a test gives
a small fake or a tiny trained model, the app gives ``engine.service.Engine``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from chatapp.engine_host import EngineFactory, EngineHost
from chatapp.settings import load_settings


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
    from chatapp.store import Store

    store = Store(data_dir)
    settings = load_settings(data_dir)
    host = EngineHost(engine_factory, device=settings.device, poll_ms=poll_ms)
    controller = ChatController(store, host, settings)
    window.set_controller(controller)
    host.start()
    return controller


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
