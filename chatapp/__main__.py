"""``chatapp`` / ``python -m chatapp``: the window first, then the data, then the models.

Only PySide6 is imported before the window is shown. SQLAlchemy and the store wait until the
window has been painted once, and torch loads on the engine's worker thread after that: while a
worker imports torch it holds the GIL for long stretches (loading libtorch is one C call), and
every paint of a widget made from Python needs the GIL, so starting it earlier left the window
black for seconds on a busy machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from chatapp import __version__


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="chatapp", description="An offline desktop chatbot.")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where conversations and settings live (default: the user data folder)")
    parser.add_argument("--version", action="version", version=f"chatapp {__version__}")
    # For chatapp.bench: print start-up timings as JSON and quit once the engine is ready.
    parser.add_argument("--startup-report", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from PySide6.QtWidgets import QApplication, QMessageBox

    from chatapp.app import default_data_dir, open_app, open_or_recover
    from chatapp.settings import load_settings
    from chatapp.views.main_window import MainWindow
    from chatapp.views.theme import THEMES, apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("chatapp")
    app.setApplicationVersion(__version__)
    data_dir = (args.data_dir or default_data_dir()).expanduser()
    settings = load_settings(data_dir)
    apply_theme(app, THEMES[settings.theme])
    window = MainWindow(settings, data_dir)
    report = {}
    probe = None
    if args.startup_report:
        from chatapp.bench import StartupProbe

        probe = StartupProbe(window)
    window.show()
    report["window_shown"] = time.time()
    failure: list[str] = []

    def started(controller) -> None:
        if controller is None:  # the user chose Quit
            failure.append("quit")
            app.exit(2)
        elif args.startup_report:
            def ready(_available) -> None:
                report["engine_ready"] = time.time()
                report.update(probe.finish())
                import json
                print(json.dumps(report), flush=True)
                app.quit()
            controller.engine_status.connect(ready)
            controller.host.load_failed.connect(lambda why: (print(f"engine failed: {why}"), app.exit(3)))

    def start() -> None:
        from chatapp.store import StoreError

        # Without a screen (offscreen, the benchmark) nobody can answer a question: say why and stop.
        interactive = app.platformName() != "offscreen" and not args.startup_report
        try:
            if interactive:
                open_or_recover(window, data_dir, started)
            else:
                started(open_app(window, data_dir))
        except StoreError as error:
            failure.append(str(error))
            print(f"chatapp: {error}", file=sys.stderr)
            if interactive:
                QMessageBox.critical(window, "chatapp cannot start", str(error))
            app.exit(2)

    after_first_paint(window, start)
    code = app.exec()
    return code if not failure else 2


def after_first_paint(window, start, fallback_ms: int = 1500) -> None:
    """Run ``start`` once the window has been painted (or after ``fallback_ms``, for a window
    that is never exposed, such as one started minimised)."""
    from PySide6.QtCore import QTimer

    started = []

    def once() -> None:
        if not started:
            started.append(True)
            start()

    # Queued behind the paint: the frame is flushed to the screen before the imports begin.
    window.first_painted.connect(lambda: QTimer.singleShot(0, once))
    QTimer.singleShot(fallback_ms, once)


if __name__ == "__main__":
    sys.exit(main())
