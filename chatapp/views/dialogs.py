"""Small dialogs: settings, teaching a better reply, and reading a long message whole."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QGroupBox, QLabel, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget)

from chatapp.settings import (DEVICES, MAX_BACKWARD_WEIGHT, MAX_SAMPLES, MAX_TOPIC_WEIGHT, STRATEGIES, THEMES,
                              AppSettings)


def _weight_box(value: float, tooltip: str, top: float = 1.0) -> QDoubleSpinBox:
    """A spin box for a weight in [0, top], where 0 reads "off"."""
    box = QDoubleSpinBox()
    box.setRange(0.0, top)
    box.setSingleStep(0.1)
    box.setValue(value)
    box.setSpecialValueText("off")
    box.setToolTip(tooltip)
    return box


class SettingsDialog(QDialog):
    applied = Signal(object)  # AppSettings

    def __init__(self, settings: AppSettings, data_dir: str, cuda_available: bool | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(420)
        self.settings = settings
        layout = QVBoxLayout(self)

        decoding = QGroupBox("Replies")
        form = QFormLayout(decoding)
        self.strategy = QComboBox()
        self.strategy.addItems([{"beam": "Beam search", "greedy": "Greedy",
                                 "sample": "Sampling"}[s] for s in STRATEGIES])
        self.strategy.setCurrentIndex(STRATEGIES.index(settings.strategy))
        self.beam_size = QSpinBox()
        self.beam_size.setRange(1, 20)
        self.beam_size.setValue(settings.beam_size)
        self.length_penalty = QDoubleSpinBox()
        self.length_penalty.setRange(0.0, 2.0)
        self.length_penalty.setSingleStep(0.1)
        self.length_penalty.setValue(settings.length_penalty)
        self.mmi_weight = _weight_box(
            settings.mmi_weight, "Reranks the beam's replies by how much your message, rather than any message, "
            "makes them likely (maximum mutual information): higher values favour replies about what you said "
            "over generic ones.")
        self.mmi_search_weight = _weight_box(
            settings.mmi_search_weight, "Steers the first words of a reply away from openings that fit any "
            "message (\"hey\", \"i am doing well\") while the beam searches, so that replies can start on your "
            "topic; high values give odder words.")
        self.mmi_backward_weight = _weight_box(
            settings.mmi_backward_weight, "Reranks the beam's replies by how well each one accounts for your "
            "message, as judged by a second network that reads the reply and predicts the message it answers.",
            top=MAX_BACKWARD_WEIGHT)
        self.mmi_samples = QSpinBox()
        self.mmi_samples.setRange(0, MAX_SAMPLES)
        self.mmi_samples.setValue(settings.mmi_samples)
        self.mmi_samples.setSpecialValueText("none")
        self.mmi_samples.setToolTip(
            "Replies sampled from the network that join the beam's for the topic focus to choose from: the "
            "beam finds variations of one likely reply, samples bring others. More take longer.")
        self.topic_weight = _weight_box(
            settings.topic_weight, "Steers every reply toward the words people answer your words with (counted over "
            "the training conversations: \"color\" is answered with \"purple\" and \"blue\"), each said once; "
            "high values give lists of words rather than sentences.", top=MAX_TOPIC_WEIGHT)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.05, 5.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(settings.temperature)
        self.top_k = QSpinBox()
        self.top_k.setRange(0, 1000)
        self.top_k.setSpecialValueText("all words")
        self.top_k.setValue(settings.top_k)
        self.max_length = QSpinBox()
        self.max_length.setRange(1, 200)
        self.max_length.setSuffix(" tokens")
        self.max_length.setValue(settings.max_length)
        form.addRow("Decoding", self.strategy)
        form.addRow("Beam size", self.beam_size)
        form.addRow("Length penalty", self.length_penalty)
        form.addRow("Topic focus (MMI)", self.mmi_weight)
        form.addRow("Topic focus, first words", self.mmi_search_weight)
        form.addRow("Topic focus, backward model", self.mmi_backward_weight)
        form.addRow("Topic focus, sampled replies", self.mmi_samples)
        form.addRow("Topic words", self.topic_weight)
        form.addRow("Temperature", self.temperature)
        form.addRow("Top-k", self.top_k)
        form.addRow("Maximum length", self.max_length)
        self.strategy.currentIndexChanged.connect(self._enable)
        layout.addWidget(decoding)

        general = QGroupBox("Application")
        form = QFormLayout(general)
        self.device = QComboBox()
        self.device.addItems(["Automatic", "CPU", "CUDA (GPU)"])
        self.device.setCurrentIndex(DEVICES.index(settings.device))
        if cuda_available is False:
            self.device.model().item(2).setEnabled(False)
        self.theme = QComboBox()
        self.theme.addItems(["Light", "Dark"])
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        folder = QLabel(data_dir)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setWordWrap(True)
        folder.setObjectName("hint")
        form.addRow("Device", self.device)
        form.addRow("Theme", self.theme)
        form.addRow("Data folder", folder)
        layout.addWidget(general)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self._enable()

    def _enable(self) -> None:
        strategy = STRATEGIES[self.strategy.currentIndex()]
        self.beam_size.setEnabled(strategy == "beam")
        self.length_penalty.setEnabled(strategy == "beam")
        self.mmi_weight.setEnabled(strategy == "beam")
        self.mmi_search_weight.setEnabled(strategy == "beam")
        self.mmi_backward_weight.setEnabled(strategy == "beam")
        self.mmi_samples.setEnabled(strategy == "beam")
        self.temperature.setEnabled(strategy == "sample")
        self.top_k.setEnabled(strategy == "sample")

    def chosen(self) -> AppSettings:
        return replace(self.settings, strategy=STRATEGIES[self.strategy.currentIndex()],
                       beam_size=self.beam_size.value(), length_penalty=self.length_penalty.value(),
                       mmi_weight=self.mmi_weight.value(), mmi_search_weight=self.mmi_search_weight.value(),
                       mmi_backward_weight=self.mmi_backward_weight.value(), mmi_samples=self.mmi_samples.value(),
                       topic_weight=self.topic_weight.value(),
                       temperature=self.temperature.value(), top_k=self.top_k.value(),
                       max_length=self.max_length.value(), device=DEVICES[self.device.currentIndex()],
                       theme=THEMES[self.theme.currentIndex()])

    def accept(self) -> None:
        self.applied.emit(self.chosen())
        super().accept()


class TeachDialog(QDialog):
    """Type the reply the bot should have given; it is kept as a correction for training."""

    taught = Signal(int, str)  # message id, the better reply

    def __init__(self, message_id: int, prompt: str, reply: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.message_id = message_id
        self.setWindowTitle("Teach a better reply")
        layout = QVBoxLayout(self)
        for caption, text in (("You said", prompt), ("The bot replied", reply)):
            label = QLabel(f"<b>{caption}:</b> {_escape(text[:500])}")
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(QLabel("A better reply:"))
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("What should the bot have said?")
        self.editor.setFixedHeight(90)
        layout.addWidget(self.editor)
        hint = QLabel("Corrections are used when you fine-tune the model in the training panel.")
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.editor.textChanged.connect(
            lambda: self.save_button.setEnabled(bool(self.editor.toPlainText().strip())))
        layout.addWidget(self.buttons)
        self.resize(480, 320)

    def accept(self) -> None:
        text = self.editor.toPlainText().strip()
        if text:
            self.taught.emit(self.message_id, text)
            super().accept()


class TextDialog(QDialog):
    """A long message, whole and read-only."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        view = QPlainTextEdit()
        view.setReadOnly(True)
        view.setPlainText(text)
        layout.addWidget(view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(700, 560)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
