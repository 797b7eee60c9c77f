"""Small dialogs: settings, teaching a better reply, and reading a long message whole."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QGroupBox, QLabel, QMessageBox, QPlainTextEdit, QSpinBox, QVBoxLayout,
                               QWidget)

from chatapp.settings import (DEVICES, MAX_BACKWARD_WEIGHT, MAX_HISTORY_WEIGHT, MAX_MOOD_WEIGHT, MAX_TOPIC_WEIGHT,
                              STRATEGIES, THEMES, AppSettings)


def _weight_box(value: float, tooltip: str, top: float = 1.0) -> QDoubleSpinBox:
    """A spin box for a weight in [0, top], where 0 reads "off"."""
    box = QDoubleSpinBox()
    box.setRange(0.0, top)
    box.setSingleStep(0.1)
    box.setValue(value)
    box.setSpecialValueText("off")
    box.setToolTip(tooltip)
    return box


def _add_row(form: QFormLayout, label: str, widget: QWidget, tip: str) -> None:
    """A form row whose label and field both explain the option when hovered."""
    caption = QLabel(label)
    caption.setToolTip(tip)
    widget.setToolTip(tip)
    form.addRow(caption, widget)


class SettingsDialog(QDialog):
    applied = Signal(object)  # AppSettings

    def __init__(self, settings: AppSettings, data_dir: str, cuda_available: bool | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(420)
        self.settings = settings
        layout = QVBoxLayout(self)
        self._reply_fields(settings)
        layout.addWidget(self._search_group())
        layout.addWidget(self._rerank_group())
        layout.addWidget(self._application_group(settings, data_dir, cuda_available))
        layout.addWidget(self._button_box())
        self.strategy.currentIndexChanged.connect(self._enable)
        self._enable()

    def _search_group(self) -> QGroupBox:
        """How a reply is written, word by word: one row each with its explanation."""
        search = QGroupBox("Search")
        form = QFormLayout(search)
        rows = (
            ("Decoding", self.strategy, "How a reply is chosen. Beam search keeps several candidate "
             "replies and returns the best one; Greedy takes the likeliest word each time (fast, "
             "plain); Sampling picks words at random by their likelihood (varied, less careful)."),
            ("Beam size", self.beam_size, "Beam search only: how many candidate replies are kept "
             "while writing. More can find better replies but takes longer."),
            ("Length penalty", self.length_penalty, "Beam search only: without it, short replies win "
             "because every extra word lowers a reply's score. Higher values favour longer replies; "
             "0 turns it off."),
            ("Temperature", self.temperature, "Sampling only: below 1 the bot sticks to likely words; "
             "above 1 it takes more chances and says stranger things."),
            ("Top-k", self.top_k, "Sampling only: the bot picks only among this many likeliest words "
             "at each step, which keeps out the oddest ones ('all words': no limit)."),
            ("Maximum length", self.max_length, "The longest a reply may be, in tokens (words and "
             "punctuation marks). A reply usually ends earlier on its own."),
        )
        for label, widget, tip in rows:
            _add_row(form, label, widget, tip)
        return search

    def _rerank_group(self) -> QGroupBox:
        """How the reply is chosen among the beam search's candidates, and the topic words that
        steer every search and count in that choice."""
        rerank = QGroupBox("Reranking")
        form = QFormLayout(rerank)
        _add_row(form, "Topic focus", self.mmi_weight, self.mmi_weight.toolTip())
        _add_row(form, "Topic focus, read back", self.mmi_backward_weight, self.mmi_backward_weight.toolTip())
        _add_row(form, "Topic words", self.topic_weight, self.topic_weight.toolTip())
        _add_row(form, "Earlier conversation", self.history_weight, self.history_weight.toolTip())
        _add_row(form, "Kindness to bad news", self.mood_weight, self.mood_weight.toolTip())
        _add_row(form, "What you taught", self.stored_answers, self.stored_answers.toolTip())
        return rerank

    def _reply_fields(self, settings: AppSettings) -> None:
        """The decoding options' widgets, set from ``settings``."""
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
            settings.mmi_weight, "Beam search only: prefers replies that fit your message in particular over "
            "replies that would fit any message (\"i don't know\"). Higher values favour replies about what you said; "
            "'off' turns it off.")
        self.mmi_backward_weight = _weight_box(
            settings.mmi_backward_weight, "Beam search only: prefers replies from which your message could be "
            "guessed back. A second network, trained to read a reply and guess the message it answers, scores each "
            "candidate reply; higher values let that score count more ('off': not used).",
            top=MAX_BACKWARD_WEIGHT)
        self.topic_weight = _weight_box(
            settings.topic_weight, "Every decoding: steers a reply toward the words people answer your words with "
            "(counted over the training conversations: \"color\" is answered with \"purple\" and \"blue\"), each "
            "said once, and beam search prefers the candidates that say them; high values give lists of words "
            "rather than sentences ('off' turns it off).", top=MAX_TOPIC_WEIGHT)
        self.history_weight = _weight_box(
            settings.history_weight, "Beam search only: prefers replies that draw on what you said earlier in "
            "the conversation (a name or a place you told it) over replies that would come as readily without "
            "it; higher values lean on the earlier conversation more ('off' turns it off).", top=MAX_HISTORY_WEIGHT)
        self.mood_weight = _weight_box(
            settings.mood_weight, "Beam search only: where the sentiment model reads your message as bad news "
            "of yours (\"i lost my job today\"), replies that begin with sympathy are weighed too, and cheerful "
            "replies count less; higher values favour kindness more ('off' turns it off).", top=MAX_MOOD_WEIGHT)
        self.stored_answers = QCheckBox("Weigh the taught answers found")
        self.stored_answers.setChecked(settings.stored_answers)
        self.stored_answers.setToolTip(
            "Beam search only: the answers you taught (or imported) that best match your message are "
            "weighed whole beside the replies the search found, and one is said where the model finds it "
            "fits. Off: the bot still reads them, and uses their words as it writes.")
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

    def _application_group(self, settings: AppSettings, data_dir: str, cuda_available: bool | None) -> QGroupBox:
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
        _add_row(form, "Device", self.device, "Where the models run. Automatic uses a graphics card "
                 "(CUDA) when there is one, else the processor. Changing it reloads the models.")
        _add_row(form, "Theme", self.theme, "Light or dark colours for the window; it changes as soon as "
                 "you press OK.")
        _add_row(form, "Data folder", folder, "Where your conversations, images, settings and trained "
                 "models are kept. Start chatapp with --data-dir to use another folder.")
        return general

    def _button_box(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reset_button = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.reset_button.setText("Reset to defaults")
        self.reset_button.setToolTip("Put every option above back to how chatapp comes (press OK "
                                     "to keep them).")
        self.reset_button.clicked.connect(lambda: self.show_settings(AppSettings()))
        self.buttons = buttons
        return buttons

    def show_settings(self, settings: AppSettings) -> None:
        """Set every field from ``settings`` (nothing is applied until OK)."""
        self.strategy.setCurrentIndex(STRATEGIES.index(settings.strategy))
        for box, value in ((self.beam_size, settings.beam_size), (self.length_penalty, settings.length_penalty),
                           (self.mmi_weight, settings.mmi_weight),
                           (self.mmi_backward_weight, settings.mmi_backward_weight),
                           (self.topic_weight, settings.topic_weight),
                           (self.history_weight, settings.history_weight),
                           (self.mood_weight, settings.mood_weight),
                           (self.temperature, settings.temperature), (self.top_k, settings.top_k),
                           (self.max_length, settings.max_length)):
            box.setValue(value)
        self.stored_answers.setChecked(settings.stored_answers)
        self.device.setCurrentIndex(DEVICES.index(settings.device))
        self.theme.setCurrentIndex(THEMES.index(settings.theme))

    def _enable(self) -> None:
        strategy = STRATEGIES[self.strategy.currentIndex()]
        self.beam_size.setEnabled(strategy == "beam")
        self.length_penalty.setEnabled(strategy == "beam")
        self.mmi_weight.setEnabled(strategy == "beam")
        self.mmi_backward_weight.setEnabled(strategy == "beam")
        self.history_weight.setEnabled(strategy == "beam")
        self.mood_weight.setEnabled(strategy == "beam")
        self.stored_answers.setEnabled(strategy == "beam")
        self.temperature.setEnabled(strategy == "sample")
        self.top_k.setEnabled(strategy == "sample")

    def chosen(self) -> AppSettings:
        return replace(self.settings, strategy=STRATEGIES[self.strategy.currentIndex()],
                       beam_size=self.beam_size.value(), length_penalty=self.length_penalty.value(),
                       mmi_weight=self.mmi_weight.value(), mmi_backward_weight=self.mmi_backward_weight.value(),
                       topic_weight=self.topic_weight.value(), history_weight=self.history_weight.value(),
                       mood_weight=self.mood_weight.value(),
                       stored_answers=self.stored_answers.isChecked(),
                       temperature=self.temperature.value(), top_k=self.top_k.value(),
                       max_length=self.max_length.value(), device=DEVICES[self.device.currentIndex()],
                       theme=THEMES[self.theme.currentIndex()])

    def accept(self) -> None:
        self.applied.emit(self.chosen())
        super().accept()


class TeachDialog(QDialog):
    """Type the reply the bot should have given: kept as a correction for training and as a
    (question, answer) pair the bot answers from at once. Save stays off while it is blank."""

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
        hint = QLabel("The bot answers your message with this from now on (see Training → Knowledge), "
                      "and fine-tuning in the training panel learns it for good.")
        hint.setWordWrap(True)
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


# One line per model for Help → About; the model card in resources/models says more.
MODEL_DESCRIPTIONS = {
    "chat": "Replies: a sequence-to-sequence LSTM with attention, trained on English small talk.",
    "sentiment": "Mood: two LSTM classifiers that read each of your messages as negative, neutral "
                 "or positive.",
    "caption": "Captions: a small convolutional network and an attention LSTM, trained on "
               "generated pictures of coloured shapes.",
}


def library_versions() -> dict[str, str]:
    """Versions of what the app runs on, read without importing torch (which takes seconds)."""
    import platform
    from importlib import metadata

    import PySide6
    from PySide6.QtCore import qVersion

    from chatapp import __version__

    found = {"chatapp": __version__, "Python": platform.python_version(),
             "Qt": qVersion(), "PySide6": PySide6.__version__}
    for package in ("torch", "SQLAlchemy", "Pillow"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


class AboutDialog(QDialog):
    """Versions, and what each model is, with the version in use."""

    def __init__(self, labels: dict[str, str], available: dict[str, bool],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About chatapp")
        layout = QVBoxLayout(self)
        title = QLabel("chatapp — an offline chatbot")
        title.setObjectName("title")
        layout.addWidget(title)
        rows = []
        for kind, description in MODEL_DESCRIPTIONS.items():
            state = labels.get(kind, "loaded") if available.get(kind) else "not loaded"
            rows.append(f"<p>{_escape(description)}<br><span>In use: {_escape(state)}</span></p>")
        versions = ", ".join(f"{name} {version}" for name, version in library_versions().items())
        self.text = QLabel("".join(rows) + f"<p>{_escape(versions)}</p>")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 320)


def damaged_database_box(parent: QWidget, path, kept_name: str, details: str, answered) -> QMessageBox:
    """The choice when the database cannot be read: ``answered(True)`` to start with a new one
    (the damaged file is renamed, not deleted), ``answered(False)`` to quit."""
    box = QMessageBox(QMessageBox.Icon.Critical, "The conversation database is damaged",
                      "chatapp cannot read its database, so your conversations cannot be shown.",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(
        f"The file is {path}. You can start with a new, empty database: the damaged file is kept "
        f"beside it as {kept_name}, so it can still be repaired or sent for help. Or quit and "
        "restore the file from a backup.")
    box.setDetailedText(f"SQLite reported: {details}")
    # Two lines: on one, the file's name made the button wider than the box and it was cut.
    box.new_button = box.addButton(f"Start with a new database\n(the damaged file is kept as {kept_name})",
                                   QMessageBox.ButtonRole.AcceptRole)
    box.quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(box.quit_button)
    box.finished.connect(lambda _result: answered(box.clickedButton() is box.new_button))
    return box


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
