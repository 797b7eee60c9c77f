"""The Knowledge view: the (question, answer) pairs the bot answers from at once.

A searchable table of the stored pairs (question, answer, where each came from), with Add, Edit,
Delete and Import. The view holds no store and no engine: it asks the controller
(``chatapp.knowledge.KnowledgeActions``), whose answers come back on the GUI thread, and every
change there also hands the new set of pairs to the engine. Sub-dialogs open without a nested
event loop (``self.dialog``), so tests can reach them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.knowledge_files import pair_problem
from engine.knowledge_pairs import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS

SOURCE_NAMES = {"user": "taught", "import": "imported", "shipped": "built in"}
FILE_FILTER = "Question and answer files (*.tsv *.txt *.csv *.json);;All files (*)"


class PairDialog(QDialog):
    """Type a question and its answer; Save stays off until both are there and short enough."""

    def __init__(self, title: str, question: str = "", answer: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("When someone asks:"))
        self.question = QLineEdit(question)
        self.question.setPlaceholderText("what's the wifi password?")
        self.question.setMaxLength(MAX_QUESTION_CHARS)
        layout.addWidget(self.question)
        layout.addWidget(QLabel("the bot answers:"))
        self.answer = QPlainTextEdit(answer)
        self.answer.setPlaceholderText("It's marmalade42.")
        self.answer.setFixedHeight(90)
        layout.addWidget(self.answer)
        self.problem = QLabel()
        self.problem.setObjectName("hint")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(self.buttons)
        self.question.textChanged.connect(self._check)
        self.answer.textChanged.connect(self._check)
        self._check()
        self.resize(460, 260)

    def values(self) -> tuple[str, str]:
        return self.question.text().strip(), self.answer.toPlainText().strip()

    def _check(self) -> None:
        question, answer = self.values()
        problem = pair_problem(question, answer)
        self.save_button.setEnabled(problem is None)
        # Saying "empty" while the user has not typed yet would only nag.
        self.problem.setText(problem if problem and question and answer else
                             f"A question already stored gets this answer in place of its old one. "
                             f"At most {MAX_ANSWER_CHARS:,} characters.")

    def accept(self) -> None:
        if pair_problem(*self.values()) is None:
            super().accept()


class KnowledgeDialog(QDialog):
    """The stored pairs: search, add, edit, delete, import (``controller``: a ChatController)."""

    def __init__(self, controller: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.dialog: Optional[QWidget] = None  # the sub-dialog open now
        self.records: list = []  # the KnowledgeRecords shown, row by row
        self.setWindowTitle("Knowledge")
        layout = QVBoxLayout(self)
        intro = QLabel("The bot answers a question like one of these with its answer, at once, with no "
                       "training run. Teaching a better reply in the chat adds one; you can also add them "
                       "here or import a file of them.")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search questions and answers")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.table = self._make_table()
        layout.addWidget(self.table, 1)
        layout.addLayout(self._button_row())
        self.count = QLabel()  # how many pairs are stored and shown
        self.count.setObjectName("hint")
        self.status = QLabel()  # what the last change did
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer = QHBoxLayout()
        footer.addWidget(self.count)
        footer.addWidget(self.status, 1)  # the room left, its text on the right
        layout.addLayout(footer)
        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        controller.knowledge_changed.connect(lambda _count: self.refresh())
        self.resize(760, 520)
        self._enable()
        self.refresh()

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, 3)
        table.setHorizontalHeaderLabels(["Question", "Answer", "Source"])
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        return table

    def _button_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.add_button = QPushButton("Add…")
        self.add_button.setObjectName("primary")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Add the pairs of a file: TSV (question<TAB>answer), CSV with the "
                                      "columns question,answer, or JSON. A file with any problem adds nothing.")
        close = QPushButton("Close")
        for button, slot in ((self.add_button, self.add_pair), (self.edit_button, self.edit_selected),
                             (self.delete_button, self.delete_selected), (self.import_button, self.choose_file),
                             (close, self.close)):
            button.clicked.connect(slot)
        for button in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(close)
        return row

    # -- the list ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.controller.knowledge(self.search.text(), self._show)

    def _show(self, records: list, total: int) -> None:
        chosen = self.selected()
        self.records = list(records)
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            for column, text in enumerate((record.question, " ".join(record.answer.split()),
                                           SOURCE_NAMES.get(record.source, record.source))):
                item = QTableWidgetItem(text)
                item.setToolTip(record.answer if column == 1 else record.question if column == 0 else "")
                self.table.setItem(row, column, item)
            if chosen is not None and record.id == chosen.id:
                self.table.selectRow(row)
        self.count.setText(self._count_text(len(self.records), total))
        self._enable()

    def _count_text(self, shown: int, total: int) -> str:
        if total == 0:
            return "Nothing stored yet."
        if self.search.text().strip():
            return f"{shown:,} of {total:,} pairs match." if shown else f"No pair matches; {total:,} stored."
        more = f" (the newest {shown:,}: search to find the others)" if shown < total else ""
        return f"{total:,} pair{'s' if total != 1 else ''} stored{more}."

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.records[rows[0].row()] if rows and rows[0].row() < len(self.records) else None

    def _enable(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    # -- changes -----------------------------------------------------------------------------
    def add_pair(self) -> None:
        dialog = PairDialog("Add a question and answer", parent=self)
        dialog.accepted.connect(lambda: self.controller.add_knowledge(
            *dialog.values(), done=self._added, failed=lambda why: self._refused("The pair was not saved", why)))
        self._open(dialog)

    def _added(self, record: Any, replaced: bool) -> None:
        question = _short(record.question)
        self.status.setText(f"“{question}” already had an answer: it is now replaced by the new one."
                            if replaced else f"Added “{question}”.")

    def edit_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        dialog = PairDialog("Edit the question and answer", record.question, record.answer, self)
        dialog.accepted.connect(lambda: self.controller.update_knowledge(
            record.id, *dialog.values(), done=lambda _r: None,
            failed=lambda why: self._refused("The pair was not changed", why)))
        self._open(dialog)

    def delete_selected(self) -> None:
        record = self.selected()
        if record is not None:
            self.controller.delete_knowledge(record.id)

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Import questions and answers")
        dialog.setNameFilter(FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_file(Path(path)))
        self._open(dialog)

    def import_file(self, path: Path) -> None:
        self.import_button.setEnabled(False)
        self.status.setText(f"Importing {Path(path).name}…")

        def done(added: int, replaced: int) -> None:
            self.import_button.setEnabled(True)
            self.status.setText(f"Imported {Path(path).name}: {added:,} pair{'s' if added != 1 else ''} added"
                               + (f", {replaced:,} answer{'s' if replaced != 1 else ''} replaced." if replaced else "."))

        def failed(why: str) -> None:
            self.import_button.setEnabled(True)
            self.status.setText(f"Nothing from {Path(path).name} was imported.")
            self._refused("The import failed", why, "Nothing from the file was stored: correct that line "
                                                    "and import the file again.")

        self.controller.import_knowledge(Path(path), done, failed)

    def _refused(self, title: str, why: str, more: str = "") -> None:
        """One message box; ``why`` as it came (an import's starts with the file's name, kept as
        written), a sentence otherwise."""
        text = why if more else why[:1].upper() + why[1:]
        box = QMessageBox(QMessageBox.Icon.Warning, title, text.rstrip(".") + ".", QMessageBox.StandardButton.Ok, self)
        if more:
            box.setInformativeText(more)
        self._open(box)

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
