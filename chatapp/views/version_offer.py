"""The training panel's question when a run ends well: use the new model version, or keep the
one in use? Once the new one is used, an Undo goes back to the one used before.

A run never switches the model by itself: a reply that changes without the user having asked
for it looks like a fault, and the panel may well be closed when the run ends. The versions
stay in the panel's lists either way, so any of them can still be chosen later.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from chatapp.training_runs import KIND_WORDS

if TYPE_CHECKING:
    from chatapp.training import TrainingController


class VersionOffer(QFrame):
    """Hidden until ``offer(run)``; then asks, and after "Use" offers "Undo"."""

    def __init__(self, training: "TrainingController", parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.training = training
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.use_button = QPushButton("Use the new version")
        self.keep_button = QPushButton("Keep the one in use")
        self.undo_button = QPushButton("Undo")
        self.dismiss_button = QPushButton("OK")
        self.use_button.clicked.connect(self.use_new)
        self.keep_button.clicked.connect(self.hide)
        self.undo_button.clicked.connect(self.undo)
        self.dismiss_button.clicked.connect(self.hide)
        row.addWidget(self.label, 1)
        for button in (self.use_button, self.keep_button, self.undo_button, self.dismiss_button):
            row.addWidget(button)
        self.offered: Optional[tuple[str, int]] = None  # (kind, version id) of the run's new version
        self.undo_to: Optional[int] = None  # the version in use before the new one was chosen
        self.using = False  # the text says the offered version is in use
        self._switching = False  # our own activation is under way (it announces the change itself)
        training.versions_changed.connect(self._sync)
        self.hide()

    def offer(self, run: Any) -> None:
        """Ask about the version ``run`` (a finished run's record) made, if it ended well."""
        version_id = run.figures.get("version_id")
        if run.status != "done" or version_id is None:
            return
        self.offered, self.undo_to, self.using = (run.kind, int(version_id)), None, False
        what = KIND_WORDS.get(run.kind, run.kind)
        self._show(f"Run {run.id} made a new {what}. The one in use stays until you choose.", ask=True)

    def use_new(self) -> None:
        """Use the offered version; the one in use until now stays one click away."""
        if self.offered is None or self._switching:
            return

        def used(version: Any, before: Any) -> None:
            self.undo_to = before.id if before is not None and before.id != version.id else None
            text = f"Now using “{version.label}”."
            if self.undo_to is not None:
                text += f" Undo goes back to “{before.label}”."
            self.using = True
            self._show(text, undo=self.undo_to is not None)

        self._activate(self.offered[1], used)

    def undo(self) -> None:
        """Go back to the version used before the offered one."""
        if self.offered is None or self.undo_to is None or self._switching:
            return

        def back(version: Any, _previous: Any) -> None:
            self.undo_to, self.using = None, False
            self._show(f"Back to “{version.label}”; the new version stays in the list.")

        self._activate(self.undo_to, back)

    def _sync(self) -> None:
        """Hide what the versions in use no longer bear out: the offered version chosen from the
        list meanwhile, or another one chosen (or the new one failing to load) after "Use"."""
        if self.offered is None or self.isHidden() or self._switching:
            return
        offered = self.offered

        def check(active: Any) -> None:
            if self.offered != offered or self.isHidden() or self._switching:
                return  # another offer, or our own switch, since the question was asked
            is_offered = active is not None and active.id == offered[1]
            if is_offered != self.using and (self.use_button.isVisible() or self.using):
                self.using = False
                self.hide()

        self.training.active_version(offered[0], check)

    def _activate(self, version_id: int, then) -> None:
        """Activate on the store's thread; ``then(version, previous)`` once it is in use. Our own
        switch announces itself, so the change it causes is not taken for someone else's."""
        self._switching = True

        def done(version: Any, previous: Any) -> None:
            self._switching = False
            then(version, previous)

        def refused() -> None:  # no longer in the store, or the disk refused: the banner says why
            self._switching = False
            self._show("That version could not be used; the one in use stays.")

        self.training.activate(version_id, done, refused)

    def _show(self, text: str, ask: bool = False, undo: bool = False) -> None:
        self.label.setText(text)
        self.use_button.setVisible(ask)
        self.keep_button.setVisible(ask)
        self.undo_button.setVisible(undo)
        self.dismiss_button.setVisible(not ask)
        self.show()
