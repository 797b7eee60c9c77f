"""Reading files of (question, answer) pairs: TSV, CSV or JSON, all or nothing.

- TSV (``.tsv``, ``.txt``): one ``question<TAB>answer`` a line; an optional header line
  ``question<TAB>answer``; blank lines and lines starting with ``#`` are skipped.
- CSV (``.csv``): a header naming the columns ``question`` and ``answer`` (others are ignored),
  read with the ``csv`` module, so a quoted field may hold commas and line breaks.
- JSON (``.json``): a list of ``{"question": ..., "answer": ...}`` objects or of
  ``[question, answer]`` lists.

Another extension is read by its look (a ``[`` first: JSON; a tab in the first line: TSV; a comma:
CSV). Any problem (a missing column, an empty or too long question or answer, a question twice,
a binary or non-UTF-8 file, a file with no pairs) raises :class:`PairsFileError` with one message
naming the file and the line, and nothing of the file is returned. No torch, no SQL here.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterator, Optional, Union

from engine.knowledge_pairs import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, KnowledgePair

FORMATS = {".tsv": "tsv", ".txt": "tsv", ".csv": "csv", ".json": "json"}
HEADER = ("question", "answer")
Row = tuple[int, str, str]  # (line number, question, answer) as written


class PairsFileError(ValueError):
    """A pairs file that cannot be used; the message names the file and, where it can, the line."""


def question_key(question: str) -> str:
    """What makes two questions the same: case and runs of white space do not count."""
    return " ".join(question.casefold().split())


def pair_problem(question: str, answer: str) -> Optional[str]:
    """Why (question, answer) cannot be stored, in words, or None when it can (after stripping)."""
    question, answer = question.strip(), answer.strip()
    if not question:
        return "the question is empty"
    if not answer:
        return "the answer is empty"
    if len(question) > MAX_QUESTION_CHARS:
        return f"the question is {len(question):,} characters long (at most {MAX_QUESTION_CHARS:,})"
    if len(answer) > MAX_ANSWER_CHARS:
        return f"the answer is {len(answer):,} characters long (at most {MAX_ANSWER_CHARS:,})"
    return None


def read_pairs(path: Union[str, Path], source: str = "import") -> list[KnowledgePair]:
    """Every pair of the file at ``path``, in file order, each with ``source``; raises
    :class:`PairsFileError` (and returns nothing) when any part of the file is wrong."""
    path = Path(path)
    text = _read_text(path)
    kind = FORMATS.get(path.suffix.lower()) or _sniff(path.name, text)
    rows = {"tsv": _tsv_rows, "csv": _csv_rows, "json": _json_rows}[kind](path.name, text)
    pairs: list[KnowledgePair] = []
    seen: dict[str, int] = {}  # question key -> the line it was first on
    for line, question, answer in rows:
        problem = pair_problem(question, answer)
        if problem is not None:
            raise PairsFileError(f"{path.name}, line {line}: {problem}")
        key = question_key(question)
        if key in seen:
            raise PairsFileError(f"{path.name}, line {line}: the question {_short(question)!r} is "
                                 f"already on line {seen[key]} (each question may be there once)")
        seen[key] = line
        pairs.append(KnowledgePair(question.strip(), answer.strip(), source))
    if not pairs:
        raise PairsFileError(f"{path.name}: the file holds no pairs")
    return pairs


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PairsFileError(f"{path.name}: the file cannot be read ({error.strerror or error})") from error
    if not data.strip():
        raise PairsFileError(f"{path.name}: the file is empty")
    if b"\x00" in data[:65536]:
        raise PairsFileError(f"{path.name}: this is not a text file (it holds binary data); "
                             "give a TSV, CSV or JSON file of questions and answers")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise PairsFileError(f"{path.name}, line {line}: the text is not UTF-8; "
                             "save the file as UTF-8 and import it again") from error


def _sniff(name: str, text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    first = next((line for line in stripped.splitlines() if line.strip() and not line.startswith("#")), "")
    if "\t" in first:
        return "tsv"
    if "," in first:
        return "csv"
    raise PairsFileError(f"{name}, line 1: cannot tell the format; give a .tsv (question<TAB>answer), "
                         ".csv (question,answer) or .json file")


def _tsv_rows(name: str, text: str) -> Iterator[Row]:
    first = True
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if first and tuple(f.strip().lower() for f in fields) == HEADER:
            first = False
            continue
        first = False
        if len(fields) < 2:
            raise PairsFileError(f"{name}, line {number}: the answer column is missing "
                                 "(a line is a question, a tab, then its answer)")
        if len(fields) > 2:
            raise PairsFileError(f"{name}, line {number}: {len(fields)} columns where there should be "
                                 "two (a question, a tab, then its answer)")
        yield number, fields[0], fields[1]


def _csv_rows(name: str, text: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        columns = [cell.strip().lower() for cell in header or ()]
        missing = [column for column in HEADER if column not in columns]
        if missing:
            raise PairsFileError(f"{name}, line 1: the header has no {' or '.join(missing)} column "
                                 "(a CSV file starts with the line: question,answer)")
        at_question, at_answer = columns.index("question"), columns.index("answer")
        start = reader.line_num + 1  # a quoted field may run over several lines
        for fields in reader:
            if any(cell.strip() for cell in fields):
                if len(fields) <= max(at_question, at_answer):
                    missing_column = "answer" if len(fields) > at_question else "question"
                    raise PairsFileError(f"{name}, line {start}: the {missing_column} column is missing")
                yield start, fields[at_question], fields[at_answer]
            start = reader.line_num + 1
    except csv.Error as error:
        raise PairsFileError(f"{name}, line {reader.line_num}: this is not valid CSV ({error})") from error


def _json_rows(name: str, text: str) -> Iterator[Row]:
    for line, item in _json_items(name, text):
        if isinstance(item, dict):
            missing = [key for key in HEADER if key not in item]
            if missing:
                raise PairsFileError(f"{name}, line {line}: the item has no \"{missing[0]}\"")
            question, answer = item["question"], item["answer"]
        elif isinstance(item, list):
            if len(item) != 2:
                raise PairsFileError(f"{name}, line {line}: a list item must be [question, answer], "
                                     f"this one has {len(item)} elements")
            question, answer = item
        else:
            raise PairsFileError(f"{name}, line {line}: each item must be an object with \"question\" "
                                 "and \"answer\", or a [question, answer] list")
        if not isinstance(question, str) or not isinstance(answer, str):
            raise PairsFileError(f"{name}, line {line}: the question and the answer must be text")
        yield line, question, answer


def _json_items(name: str, text: str) -> Iterator[tuple[int, object]]:
    """The items of the top-level JSON list, each with the line it starts on."""
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        return at

    def line_of(at: int) -> int:
        return text.count("\n", 0, at) + 1

    at = skip(0)
    if at >= len(text) or text[at] != "[":
        raise PairsFileError(f"{name}, line {line_of(at)}: a JSON pairs file is a list, [ ... ]")
    at = skip(at + 1)
    if at < len(text) and text[at] == "]":
        return
    while True:
        try:
            item, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as error:
            raise PairsFileError(f"{name}, line {error.lineno}: this is not valid JSON ({error.msg})") from error
        yield line_of(at), item
        at = skip(end)
        if at < len(text) and text[at] == ",":
            at = skip(at + 1)
            continue
        if at < len(text) and text[at] == "]":
            if skip(at + 1) < len(text):
                raise PairsFileError(f"{name}, line {line_of(skip(at + 1))}: text after the end of the list")
            return
        raise PairsFileError(f"{name}, line {line_of(at)}: this is not valid JSON (a ',' or ']' was expected)")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


__all__ = ["PairsFileError", "read_pairs", "question_key", "pair_problem", "FORMATS"]
