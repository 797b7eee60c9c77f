"""The training panel's left side: what a run learns from and its settings.

For the chat model, the table of saved conversations to learn from and the fine-tuning settings;
for the captioner, the COCO-format set (captions file and image folder) and its settings; below
both, Pause and Cancel. ``TrainingForm`` is a mixin of ``TrainingPanel``, which gives
``training`` (the ``TrainingController``) and the actions the buttons call (``start``,
``start_captioner``, ``toggle_pause``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)


class TrainingForm:
    """The conversations, the photo set and the settings of a run (mixed into ``TrainingPanel``)."""

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

    def training_defaults(self) -> dict[str, Any]:
        from chatapp.training_runs import default_settings

        return default_settings()

    def caption_defaults(self) -> dict[str, Any]:
        from chatapp.training_runs import caption_settings

        return caption_settings()

    # -- reading -----------------------------------------------------------------------------
    def refresh_conversations(self) -> None:
        """Read the conversations again (on the store's thread), then fill the table."""
        self.training.conversations(self._show_conversations)

    def _show_conversations(self, rows: list) -> None:
        checked = set(self.checked_ids())
        first = self.table.rowCount() == 0
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

    def settings(self) -> dict[str, Any]:
        return {"epochs": self.epochs.value(), "learning_rate": self.learning_rate.value(),
                "tbptt_turns": self.tbptt.value(), "clip_norm": self.clip.value(),
                "batch_size": self.batch_size.value(), "replay_share": self.replay.value(),
                "distill_weight": self.distill.value(), "device": self.device.currentText()}

    def caption_run_settings(self) -> dict[str, Any]:
        return {"steps": self.caption_steps.value(), "learning_rate": self.caption_learning_rate.value(),
                "batch_size": self.caption_batch_size.value(), "device": self.device.currentText()}

    # -- choosing files -----------------------------------------------------------------------
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
