"""The training panel: choose conversations (or import photos), set the run, watch it learn,
pick the model version.

Two kinds of run: the chat model fine-tuned on saved conversations, and the captioner trained on
the user's own photos (a COCO-format captions JSON and its image folder). Each kind has its own
list of versions; activating one never changes the other kind's model. A run's new version is
never used without asking: when the run ends well the panel offers it, and once it is in use an
Undo goes back to the version used before.

A window of its own. It only builds requests for the ``TrainingController`` and draws what that
reports; closing the panel leaves a run going (the controller owns the child process). The
curves are :class:`chatapp.views.training_curves.TrainingCurves`, the question about a run's new
version :class:`chatapp.views.version_offer.VersionOffer`, the left side's conversations, photo set
and settings :class:`chatapp.views.training_form.TrainingForm`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressBar, QPushButton,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from chatapp.training_runs import KIND_WORDS, clipped_words
from chatapp.views.training_curves import TrainingCurves
from chatapp.views.training_form import TrainingForm
from chatapp.views.version_offer import VersionOffer

if TYPE_CHECKING:
    from chatapp.training import TrainingController
    from chatapp.training_runs import TrainingProgress

STATUS_WORDS = {"running": "running", "done": "done", "cancelled": "cancelled", "failed": "failed"}


def duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "estimating…"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d} left" if seconds < 3600 else \
        f"{seconds // 3600} h {seconds % 3600 // 60:02d} min left"


class TrainingPanel(TrainingForm, QWidget):
    def __init__(self, training: "TrainingController", parent: Optional[QWidget] = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.training = training
        self.setWindowTitle("Training — teach the bot from your conversations")
        self.resize(1100, 760)

        splitter = QSplitter()
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setSizes([380, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        training.started.connect(self._on_started)
        training.stage.connect(self.stage_label.setText)
        training.progress.connect(self._on_progress)
        training.paused.connect(self._on_paused)
        training.finished.connect(self._on_finished)
        training.start_failed.connect(self._on_start_failed)
        # Several changes in a row (a run ends, its version is activated) redraw the lists once,
        # on a turn of the event loop of their own.
        self._versions_timer = QTimer(self)
        self._versions_timer.setSingleShot(True)
        self._versions_timer.setInterval(0)
        self._versions_timer.timeout.connect(self.refresh_versions)
        training.versions_changed.connect(self._versions_timer.start)
        self.refresh()

    # -- building ----------------------------------------------------------------------------
    def _build_right(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m steps")
        self.time_label = QLabel("")
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("0 h 00 min left"))
        self.stage_label = QLabel("No run in progress.")
        self.stage_label.setWordWrap(True)
        # Two lines whatever the text: a label that grew would shrink the plots below it, and
        # re-laying out and repainting all four held the window for 20-50 ms.
        self.stage_label.setFixedHeight(2 * self.stage_label.fontMetrics().lineSpacing() + 4)
        self.stage_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Wide enough for the longest count, so a new count never re-lays out the window.
        self.clip_label = QLabel("")
        widest = self.clip_label.fontMetrics().horizontalAdvance("clipped 00000 of 00000 steps")
        self.clip_label.setMinimumWidth(widest)
        self.clip_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.clip_label.setToolTip("Steps whose gradient norm reached the clipping threshold and were "
                                   "scaled down to it.")
        top = QHBoxLayout()
        top.addWidget(self.progress_bar, 1)
        top.addWidget(self.clip_label)
        top.addWidget(self.time_label)
        layout.addLayout(top)
        layout.addWidget(self.stage_label)
        self.offer = VersionOffer(self.training)
        layout.addWidget(self.offer)

        self.curves = TrainingCurves(self.palette().color(self.backgroundRole()), self.clip.value(),
                                     self._tab_kind())
        self.threshold = self.curves.threshold  # the clipping threshold across the gradient norms
        self._curves_shown = False  # a run's curves are drawn: the legend keeps that run's kind
        self.kinds.currentChanged.connect(self._on_kind_tab)
        layout.addWidget(self.curves, 3)

        self.version_tabs = tabs = QTabWidget()
        self.version_list, self.activate_button = self._version_tab(
            tabs, "Chat model versions", "Replies use it at once; choose an older one (or the shipped "
                                         "model) to roll back.", lambda: self.activate_selected("chat"))
        self.caption_version_list, self.caption_activate_button = self._version_tab(
            tabs, "Captioner versions", "Captions use it at once; choose an older one (or the shipped "
                                        "captioner) to roll back.", lambda: self.activate_selected("caption"))
        self.run_list = QListWidget()
        tabs.addTab(self.run_list, "Runs")
        layout.addWidget(tabs, 2)
        return box

    @staticmethod
    def _version_tab(tabs: QTabWidget, title: str, tip: str, activate) -> tuple[QListWidget, QPushButton]:
        page = QWidget()
        inner = QVBoxLayout(page)
        versions = QListWidget()
        button = QPushButton("Use this version")
        button.setToolTip(tip)
        button.clicked.connect(activate)
        inner.addWidget(versions)
        inner.addWidget(button)
        tabs.addTab(page, title)
        return versions, button

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.refresh_conversations()
        self.refresh_versions()
        self._set_running(self.training.running)

    def refresh_versions(self) -> None:
        """Read the versions and the runs again (on the store's thread), then list them."""
        self.training.versions_and_runs(self._show_versions)

    def _show_versions(self, versions: dict[str, list], runs: list) -> None:
        for kind, widget in (("chat", self.version_list), ("caption", self.caption_version_list)):
            widget.clear()
            for version in reversed(versions.get(kind, [])):
                text = f"{'● ' if version.active else '   '}{version.label}"
                if version.source == "shipped":
                    text += "  (shipped)"
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, version.id)
                if version.active:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                widget.addItem(item)
        self.run_list.clear()
        for run in reversed(runs):
            when = run.started_at.strftime("%Y-%m-%d %H:%M")
            text = (f"Run {run.id} ({KIND_WORDS.get(run.kind, run.kind)}), {when}: "
                    f"{STATUS_WORDS.get(run.status, run.status)}")
            if run.message:
                text += f" — {run.message}"
            self.run_list.addItem(text)

    # -- actions -----------------------------------------------------------------------------
    def start(self) -> None:
        try:
            self.training.start(self.checked_ids(), self.settings())
        except (RuntimeError, ValueError) as error:
            self.stage_label.setText(str(error))
            return
        self._set_running(True)

    def start_captioner(self) -> None:
        try:
            self.training.start_caption(self.captions_path.text().strip(), self.images_path.text().strip(),
                                        self.caption_run_settings())
        except (RuntimeError, ValueError) as error:
            self.stage_label.setText(str(error))
            return
        self._set_running(True)


    def toggle_pause(self) -> None:
        if self.pause_button.text() == "Pause":
            self.training.pause()
        else:
            self.training.resume()

    def activate_selected(self, kind: str = "chat") -> None:
        item = (self.version_list if kind == "chat" else self.caption_version_list).currentItem()
        if item is not None:
            self.training.activate(int(item.data(Qt.ItemDataRole.UserRole)))

    # -- what the run reports ----------------------------------------------------------------
    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.caption_start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        if not running:
            self.pause_button.setText("Pause")

    def _tab_kind(self) -> str:
        return "caption" if self.kinds.currentIndex() == 1 else "chat"

    def _on_kind_tab(self, _index: int) -> None:
        if not self._curves_shown:  # no run drawn yet: the legend names what this tab's run draws
            self.curves.set_kind(self._tab_kind())

    def _on_started(self, _run_id: int) -> None:
        self.curves.start(float(self.training.run_settings().get("clip_norm", self.clip.value())),
                          self.training.run_kind or self._tab_kind())
        self._curves_shown = True
        self.progress_bar.setRange(0, 0)
        self.time_label.setText("")
        self.clip_label.setText("")
        self.offer.hide()  # an earlier run's question; its version stays in the list
        self._set_running(True)

    def _on_progress(self, update: "TrainingProgress") -> None:
        self.curves.add(update)
        if update.total_steps:
            # The same count as the run's end says: the controller's total never falls below
            # the steps taken, so the value is never held back at the plan.
            self.progress_bar.setRange(0, update.total_steps)
            self.progress_bar.setValue(update.step)
        if update.phase == "train":
            self.time_label.setText(duration(update.time_left_s))
            self.clip_label.setText(clipped_words(update.clipped_steps, update.train_steps))

    def _on_start_failed(self, message: str) -> None:
        self.stage_label.setText(message)
        self._set_running(False)

    def _on_paused(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stage_label.setText("Paused." if paused else "Training…")

    def _on_finished(self, run: Any) -> None:
        self.curves.finish()
        self._set_running(False)
        self.time_label.setText("")
        steps = int(run.figures.get("steps") or 0)
        if run.status == "done" and steps:
            # Done: the run's own count is the whole of it, as the text below says.
            self.progress_bar.setRange(0, steps)
            self.progress_bar.setValue(steps)
        else:
            self.progress_bar.setRange(0, max(1, self.progress_bar.maximum(), steps))
            self.progress_bar.setValue(steps)
        if steps:
            self.clip_label.setText(clipped_words(int(run.figures.get("clipped_steps") or 0), steps))
        self.stage_label.setText(f"Run {run.id} {STATUS_WORDS.get(run.status, run.status)}"
                                 + (f": {run.message}" if run.message else "."))
        self.offer.offer(run)
        if self.offer.isVisible():  # the list with the offered version beside the question
            self.version_tabs.setCurrentIndex(0 if run.kind == "chat" else 1)
        self._versions_timer.start()
