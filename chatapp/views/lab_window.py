"""The RNN Lab window: train a character model on a file, let it write, and look inside it.

Tabs: Train (the training panel's live curves, pause, cancel), Write (priming text, temperature
slider, streaming output), Cells (text coloured by a cell, ranked cells per feature), Gates
(saturation scatter) and Gradient flow (LSTM against plain RNN). The window holds no model: it
asks the :class:`chatapp.lab.LabController` and draws what its ops report.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMainWindow, QPlainTextEdit, QPushButton, QSlider, QSpinBox, QTabWidget, QVBoxLayout,
                               QWidget)

from chatapp.views.lab_cells import CellView, FlowPlot, SaturationPlot
from chatapp.views.training_curves import TrainingCurves

if TYPE_CHECKING:
    from chatapp.lab import LabController
    from chatapp.ops import Op

CLIP = 5.0  # the Lab trains with the engine's default clipping threshold
# Which network reads the text in the cell view: the Lab's character model, or one of the app's
# models over a message ("which cells fired on this reply?").
READERS = {"Character model": "char", "Chat model (encoder), a message": "chat",
           "Sentiment classifier, a message": "sentiment"}


def _error_text(error: BaseException) -> str:
    return str(error) or type(error).__name__


class LabWindow(QMainWindow):
    def __init__(self, controller: "LabController", parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("RNN Lab")
        self.resize(1000, 700)
        self.train_op: Optional["Op"] = None
        self.sample_op: Optional["Op"] = None
        self.cells_op: Optional["Op"] = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._train_tab(), "Train")
        self.tabs.addTab(self._write_tab(), "Write")
        self.cell_view = CellView()
        self.tabs.addTab(self._cells_tab(), "Cells")
        self.saturation = SaturationPlot()
        self.tabs.addTab(self.saturation, "Gates")
        self.flow = FlowPlot()
        self.tabs.addTab(self.flow, "Gradient flow")
        self.model_label = QLabel("No model yet: train one, or open one.")
        open_button = QPushButton("Open model…")
        open_button.clicked.connect(self.choose_model)
        top = QHBoxLayout()
        top.addWidget(self.model_label, 1)
        top.addWidget(open_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.status = self.statusBar()
        controller.model_changed.connect(self._on_model_changed)

    # -- building ----------------------------------------------------------------------------
    def _train_tab(self) -> QWidget:
        self.data_edit = QLineEdit()
        self.data_edit.setPlaceholderText("a UTF-8 text file, or a folder of source files")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_data)
        self.glob_edit = QLineEdit()
        self.glob_edit.setPlaceholderText("in a folder: e.g. *.py")
        self.cell_combo = QComboBox()
        self.cell_combo.addItems(["lstm", "rnn"])
        self.hidden_spin = QSpinBox()
        self.hidden_spin.setRange(4, 1024)
        self.hidden_spin.setValue(128)
        self.layers_spin = QSpinBox()
        self.layers_spin.setRange(1, 4)
        self.minutes_spin = QDoubleSpinBox()
        self.minutes_spin.setRange(0.05, 600)
        self.minutes_spin.setValue(5.0)
        self.train_button = QPushButton("Train")
        self.train_button.clicked.connect(self.start_training)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._on_pause)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: self.train_op and self.train_op.cancel())
        for button in (self.pause_button, self.cancel_button):
            button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.data_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Text", row)
        form.addRow("Files", self.glob_edit)
        form.addRow("Network", self.cell_combo)
        form.addRow("Hidden units", self.hidden_spin)
        form.addRow("Layers", self.layers_spin)
        form.addRow("Minutes", self.minutes_spin)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.curves = TrainingCurves(self.palette().color(self.backgroundRole()), CLIP, kind="char")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.curves, 1)
        return tab

    def _write_tab(self) -> QWidget:
        self.prime_edit = QLineEdit()
        self.prime_edit.setPlaceholderText("priming text (optional)")
        self.temperature_slider = QSlider(Qt.Orientation.Horizontal)
        self.temperature_slider.setRange(5, 200)  # hundredths
        self.temperature_slider.setValue(100)
        self.temperature_label = QLabel()
        self.temperature_slider.valueChanged.connect(self._show_temperature)
        self._show_temperature()
        self.length_spin = QSpinBox()
        self.length_spin.setRange(1, 100_000)
        self.length_spin.setValue(1000)
        self.write_button = QPushButton("Write")
        self.write_button.clicked.connect(self.start_sampling)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(lambda: self.sample_op and self.sample_op.cancel())
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Temperature"))
        controls.addWidget(self.temperature_slider, 1)
        controls.addWidget(self.temperature_label)
        controls.addWidget(QLabel("Characters"))
        controls.addWidget(self.length_spin)
        controls.addWidget(self.write_button)
        controls.addWidget(self.stop_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.prime_edit)
        layout.addLayout(controls)
        layout.addWidget(self.output, 1)
        return tab

    def _cells_tab(self) -> QWidget:
        self.cells_input = QPlainTextEdit()
        self.cells_input.setPlaceholderText("a text to read (held out from training); the model's writing is used "
                                            "if this is empty")
        self.cells_input.setMaximumHeight(90)
        self.analyse_button = QPushButton("Analyse")
        self.analyse_button.clicked.connect(self.start_cells)
        self.reader_combo = QComboBox()
        for label, kind in READERS.items():
            self.reader_combo.addItem(label, kind)
        side = QVBoxLayout()
        side.addWidget(self.reader_combo)
        side.addWidget(self.analyse_button)
        row = QHBoxLayout()
        row.addWidget(self.cells_input, 1)
        row.addLayout(side)
        self.cells_tab = QWidget()
        layout = QVBoxLayout(self.cells_tab)
        layout.addLayout(row)
        layout.addWidget(self.cell_view, 1)
        return self.cells_tab

    # -- actions -----------------------------------------------------------------------------
    @property
    def temperature(self) -> float:
        return self.temperature_slider.value() / 100

    def _show_temperature(self) -> None:
        self.temperature_label.setText(f"{self.temperature:.2f}")

    def choose_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Text to train on")
        if path:
            self.data_edit.setText(path)

    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Character model", filter="Checkpoints (*.safetensors)")
        if path:
            self.open_model(path)

    def open_model(self, path: Optional[str] = None) -> None:
        try:
            self.controller.open_model(path)
        except Exception as error:  # noqa: BLE001 - a bad file is the user's to fix, not a crash
            self.status.showMessage(f"Could not open the model: {_error_text(error)}")

    def start_training(self) -> None:
        data = self.data_edit.text().strip()
        if not data:
            self.status.showMessage("Choose a text file (or a folder) to train on first.")
            return
        op = self.controller.train(data, self.glob_edit.text().strip(), cell=self.cell_combo.currentText(),
                                   hidden_size=self.hidden_spin.value(), num_layers=self.layers_spin.value(),
                                   minutes=self.minutes_spin.value())
        self.train_op = op
        self.curves.start(CLIP, "char")
        op.progress.connect(self.curves.add)
        op.progress.connect(self._on_train_progress)
        op.result.connect(lambda _model: self.status.showMessage("Training finished; the new model writes now."))
        op.failed.connect(lambda error: self.status.showMessage(f"Training failed: {_error_text(error)}"))
        op.cancelled.connect(lambda: self.status.showMessage("Training cancelled."))
        op.finished.connect(self._on_train_finished)
        self._set_training(True)
        self.status.showMessage("Training…")

    def _on_train_progress(self, update) -> None:
        if update.phase == "valid":
            loss = update.values.get("valid_loss")
            self.status.showMessage(f"step {update.step}: validation loss {loss:.3f} nats/char")

    def _on_train_finished(self) -> None:
        self.curves.finish()
        self._set_training(False)

    def _set_training(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)

    def _on_pause(self, paused: bool) -> None:
        self.controller.pause(paused)
        self.pause_button.setText("Resume" if paused else "Pause")

    def start_sampling(self) -> None:
        prime = self.prime_edit.text()
        try:
            unknown = self.controller.unknown_characters(prime)
            op = self.controller.sample(prime, self.temperature, self.length_spin.value())
        except ValueError as error:
            self.status.showMessage(str(error))
            return
        self.status.showMessage(f"{len(unknown)} priming characters are outside the model's alphabet and read as "
                                f"unknown: {''.join(unknown)}" if unknown else "Writing…")
        self.output.setPlainText(prime)
        self.sample_op = op
        op.progress.connect(self._append)
        op.result.connect(lambda rate: self.status.showMessage(f"{rate:.0f} characters/s"))
        op.failed.connect(lambda error: self.status.showMessage(f"Writing failed: {_error_text(error)}"))
        op.finished.connect(lambda: (self.write_button.setEnabled(True), self.stop_button.setEnabled(False)))
        self.write_button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def _append(self, chars: str) -> None:
        cursor = self.output.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(chars)

    def start_cells(self) -> None:
        reader = self.reader_combo.currentData()
        text = self.cells_input.toPlainText() or self.output.toPlainText()
        if reader != "char" and not text.strip():
            self.status.showMessage("Type a message for the model to read.")
            return
        if reader == "char" and len(text) < 80:
            self.status.showMessage("Give the cell view at least 80 characters of text (or let the model write).")
            return
        try:
            op = self.controller.cells(text) if reader == "char" else self.controller.message_cells(reader, text)
        except ValueError as error:
            self.status.showMessage(str(error))
            return
        self.cells_op = op
        self.analyse_button.setEnabled(False)
        op.result.connect(self._show_report)
        op.failed.connect(lambda error: self.status.showMessage(f"Analysis failed: {_error_text(error)}"))
        # An op replaced by a newer one (read_message cancels it) leaves the button to that one.
        op.finished.connect(lambda: self.cells_op is op and self.analyse_button.setEnabled(True))
        self.status.showMessage("Reading the text through the network…")

    def read_message(self, text: str, reader: str = "chat") -> None:
        """Show the Cells tab with ``text`` to read and start recording it with ``reader`` (a value
        of ``READERS``; the chat model's encoder unless told): a chat bubble's "Which cells fired?"."""
        self.tabs.setCurrentWidget(self.cells_tab)
        self.reader_combo.setCurrentIndex(self.reader_combo.findData(reader))
        self.cells_input.setPlainText(text)
        if self.cells_op is not None and not self.cells_op.is_finished:
            self.cells_op.cancel()  # the newer message is the one asked about
        self.start_cells()

    def _show_report(self, report) -> None:
        self.cell_view.show_report(report)
        self.saturation.show_saturation(report.saturation)
        self.flow.show_flows(report.flows)
        self.status.showMessage(f"Read {len(report.text)} characters.")

    def _on_model_changed(self, description: str) -> None:
        self.model_label.setText(description)

    def closeEvent(self, event) -> None:
        for op in (self.train_op, self.sample_op, self.cells_op):
            if op is not None and not op.is_finished:
                op.cancel()
        self.controller.pause(False)
        super().closeEvent(event)


def open_lab(parent) -> "LabWindow":
    """Show the Lab window (made on first use, then kept), with the shipped Shakespeare model if
    there is one."""
    from chatapp.lab import DEFAULT_MODEL, LabController

    window = getattr(parent, "lab_window", None)
    if window is None:
        controller = LabController(parent)
        window = LabWindow(controller)
        parent.lab_window = window
        if DEFAULT_MODEL.is_file():
            window.open_model(str(DEFAULT_MODEL))
    window.show()
    window.raise_()
    window.activateWindow()
    return window
