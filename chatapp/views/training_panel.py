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
version :class:`chatapp.views.version_offer.VersionOffer`.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QProgressBar, QPushButton, QSpinBox, QSplitter,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from chatapp.training_runs import KIND_WORDS, clipped_words
from chatapp.views.training_curves import TrainingCurves
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


class TrainingPanel(QWidget):
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
    def _build_left(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.kinds = QTabWidget()
        self.kinds.addTab(self._build_chat(), "Chat: your conversations")
        self.kinds.addTab(self._build_photos(), "Captioner: your photos")
        layout.addWidget(self.kinds, 1)
        buttons = QHBoxLayout()
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.training.cancel)
        for button in (self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return box

    def _build_chat(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        chosen = QGroupBox("Conversations to learn from")
        inner = QVBoxLayout(chosen)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Conversation", "Turns", "Corrected", "Bad"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Corrected: replies you taught a better one for (learnt as corrected). "
                              "Bad: thumbs-down replies; without a correction they are left out.")
        inner.addWidget(self.table)
        row = QHBoxLayout()
        self.all_button = QPushButton("All")
        self.none_button = QPushButton("None")
        self.all_button.clicked.connect(lambda: self.check_all(True))
        self.none_button.clicked.connect(lambda: self.check_all(False))
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch()
        inner.addLayout(row)
        layout.addWidget(chosen, 1)

        settings = QGroupBox("Settings")
        form = QFormLayout(settings)
        d = self.training_defaults()
        self.epochs = _spin(1, 1000, d["epochs"])
        self.learning_rate = _double(1e-6, 1.0, d["learning_rate"], 6, 1e-4)
        self.tbptt = _spin(1, 64, d["tbptt_turns"])
        self.clip = _double(0.01, 100.0, d["clip_norm"], 2, 0.5)
        self.batch_size = _spin(1, 512, d["batch_size"])
        self.replay = _double(0.0, 0.95, d["replay_share"], 2, 0.05)
        self.distill = _double(0.0, 5.0, d["distill_weight"], 2, 0.1)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setCurrentText(d["device"])
        form.addRow("Epochs", self.epochs)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("TBPTT window (turns)", self.tbptt)
        form.addRow("Clipping threshold", self.clip)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Base corpus replayed", self.replay)
        form.addRow("Keep base replies", self.distill)
        form.addRow("Device", self.device)
        self.replay.setToolTip("Share of the training exchanges drawn from the corpus the model was "
                               "trained on, so that it does not forget how to chat.")
        self.distill.setToolTip("How strongly the replayed exchanges keep the word choices of the model "
                                "you start from (distillation; 0: off). Higher forgets less and learns "
                                "your corrections more slowly.")
        layout.addWidget(settings)
        self.start_button = QPushButton("Start training")
        self.start_button.clicked.connect(self.start)
        layout.addWidget(self.start_button)
        return box

    def _build_photos(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        source = QGroupBox("A COCO-format photo set")
        form = QFormLayout(source)
        self.captions_path = QLineEdit()
        self.captions_path.setPlaceholderText("captions.json: images (id, file_name), annotations (image_id, caption)")
        self.images_path = QLineEdit()
        self.images_path.setPlaceholderText("the folder its file names are in")
        form.addRow("Captions file", _with_button(self.captions_path, "Browse…", self.choose_captions))
        form.addRow("Image folder", _with_button(self.images_path, "Browse…", self.choose_images))
        layout.addWidget(source)
        settings = QGroupBox("Settings")
        form = QFormLayout(settings)
        d = self.caption_defaults()
        self.caption_steps = _spin(1, 1_000_000, d["steps"])
        self.caption_learning_rate = _double(1e-6, 1.0, d["learning_rate"], 6, 1e-4)
        self.caption_batch_size = _spin(1, 1024, d["batch_size"])
        form.addRow("Steps", self.caption_steps)
        form.addRow("Learning rate", self.caption_learning_rate)
        form.addRow("Batch size (photos)", self.caption_batch_size)
        note = QLabel("The captioner learns your captions' words from scratch; when the run ends "
                      "well you choose whether its version replaces the captioner in use, and the "
                      "chat model stays as it is. The device is the one chosen for the chat.")
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(settings)
        layout.addStretch()
        self.caption_start_button = QPushButton("Train the captioner")
        self.caption_start_button.clicked.connect(self.start_captioner)
        layout.addWidget(self.caption_start_button)
        return box

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

    def training_defaults(self) -> dict[str, Any]:
        from chatapp.training_runs import default_settings

        return default_settings()

    def caption_defaults(self) -> dict[str, Any]:
        from chatapp.training_runs import caption_settings

        return caption_settings()

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.refresh_conversations()
        self.refresh_versions()
        self._set_running(self.training.running)

    def refresh_conversations(self) -> None:
        checked = set(self.checked_ids())
        first = self.table.rowCount() == 0
        rows = self.training.conversations()
        self.table.setRowCount(len(rows))
        for row, info in enumerate(rows):
            title = QTableWidgetItem(info.title)
            title.setData(Qt.ItemDataRole.UserRole, info.id)
            title.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            on = first or info.id in checked
            title.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, title)
            for column, value in enumerate((info.turns, info.corrections, info.thumbs_down), 1):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)

    def checked_ids(self) -> list[int]:
        ids = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def check_all(self, on: bool) -> None:
        for row in range(self.table.rowCount()):
            self.table.item(row, 0).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def refresh_versions(self) -> None:
        for kind, widget in (("chat", self.version_list), ("caption", self.caption_version_list)):
            widget.clear()
            for version in reversed(self.training.versions(kind)):
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
        for run in reversed(self.training.runs(None)):
            when = run.started_at.strftime("%Y-%m-%d %H:%M")
            text = (f"Run {run.id} ({KIND_WORDS.get(run.kind, run.kind)}), {when}: "
                    f"{STATUS_WORDS.get(run.status, run.status)}")
            if run.message:
                text += f" — {run.message}"
            self.run_list.addItem(text)

    def settings(self) -> dict[str, Any]:
        return {"epochs": self.epochs.value(), "learning_rate": self.learning_rate.value(),
                "tbptt_turns": self.tbptt.value(), "clip_norm": self.clip.value(),
                "batch_size": self.batch_size.value(), "replay_share": self.replay.value(),
                "distill_weight": self.distill.value(), "device": self.device.currentText()}

    def caption_run_settings(self) -> dict[str, Any]:
        return {"steps": self.caption_steps.value(), "learning_rate": self.caption_learning_rate.value(),
                "batch_size": self.caption_batch_size.value(), "device": self.device.currentText()}

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

    def choose_captions(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "COCO-format captions file", self.captions_path.text(),
                                              "Captions (*.json);;All files (*)")
        if path:
            self.captions_path.setText(path)
            if not self.images_path.text():  # COCO sets often keep the images beside the file
                beside = Path(path).parent
                self.images_path.setText(str(beside / "images") if (beside / "images").is_dir() else str(beside))

    def choose_images(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of the photos", self.images_path.text())
        if folder:
            self.images_path.setText(folder)

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


def _with_button(edit: QLineEdit, text: str, clicked) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton(text)
    button.clicked.connect(clicked)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return row


def _spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    return box


def _double(low: float, high: float, value: float, decimals: int, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    return box
