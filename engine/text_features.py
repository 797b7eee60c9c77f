"""Features of a text, one value per character, for the search for interpretable cells.

Each feature describes the text *after* reading that character, as a cell's state does: an
opening quote is inside the quote, the closing one outside. Computed from the text alone (no
parser), so they work on any text, code that does not compile included. Karpathy, Johnson and
Fei-Fei (2015) found LSTM cells that track quotes, line position and bracket depth this way.
"""
from __future__ import annotations

import re

import torch

BRACKETS = {"(": ")", "[": "]", "{": "}"}
CLOSING = {close: open_ for open_, close in BRACKETS.items()}
SPEAKER_LINE = re.compile(r"^[A-Z][A-Za-z' ]{0,40}:$")  # "ROMEO:", "First Citizen:" (the Shakespeare text)
SENTENCE_END = ".!?"


def _lines(text: str):
    """(start, line without its newline) for every line; the newline belongs to its line."""
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def line_features(text: str) -> dict[str, list[float]]:
    """position in the line, the line's indentation, and whether the line names a speaker."""
    position, indent, speaker = [0.0] * len(text), [0.0] * len(text), [0.0] * len(text)
    for start, line in _lines(text):
        depth = float(len(line) - len(line.lstrip(" ")))
        names = 1.0 if SPEAKER_LINE.match(line) else 0.0
        for offset in range(len(line) + 1):
            at = start + offset
            if at >= len(text):
                break
            position[at] = float(offset)  # the newline ends the line at its full length
            indent[at], speaker[at] = depth, names
    return {"line_position": position, "indentation": indent, "speaker_line": speaker}


def quote_features(text: str) -> dict[str, list[float]]:
    """inside a double-quoted stretch (prose quotes, toggled by each '"'); and, reading the text
    as code: inside a string (single, double or triple quotes, backslash escapes) or a comment."""
    in_quotes, inside = [], False
    for char in text:
        opens = char == '"' and not inside
        inside = inside != (char == '"')
        in_quotes.append(1.0 if inside or opens else 0.0)
    in_string, in_comment = [0.0] * len(text), [0.0] * len(text)
    delimiter, comment, i = "", False, 0
    while i < len(text):
        char, step = text[i], 1
        if comment:
            comment = char != "\n"
            in_comment[i] = 1.0 if comment else 0.0
        elif delimiter:
            if char == "\\":
                step = 2  # an escaped character never ends the string
            elif text.startswith(delimiter, i):
                step, delimiter = len(delimiter), ""
            elif char == "\n" and len(delimiter) == 1:
                delimiter = ""  # an unterminated one-line string ends with its line
            for j in range(i, min(i + step, len(text))):
                in_string[j] = 1.0
        elif char == "#":
            comment = True
            in_comment[i] = 1.0
        elif char in "'\"":
            delimiter = char * 3 if text.startswith(char * 3, i) else char
            step = len(delimiter)
            for j in range(i, min(i + step, len(text))):
                in_string[j] = 1.0
        i += step
    return {"in_quotes": in_quotes, "in_string": in_string, "in_comment": in_comment}


def bracket_features(text: str) -> dict[str, list[float]]:
    """bracket depth ((, [ and { together) and whether inside any; a closing bracket still counts
    as inside, as the opening one does."""
    depth, inside = [], []
    level = 0
    for char in text:
        if char in BRACKETS:
            level += 1
        depth.append(float(level))
        inside.append(1.0 if level > 0 else 0.0)
        if char in CLOSING and level > 0:
            level -= 1
    return {"bracket_depth": depth, "in_brackets": inside}


def sentence_features(text: str) -> dict[str, list[float]]:
    """end of a sentence: the punctuation that ends one and the whitespace after it."""
    ends, after = [], False
    for char in text:
        if char in SENTENCE_END:
            after = True
        elif not char.isspace():
            after = False
        ends.append(1.0 if after else 0.0)
    return {"sentence_end": ends}


def char_features(text: str) -> dict[str, torch.Tensor]:
    """Every feature above over ``text``: name -> (len(text),) float tensor."""
    features: dict[str, list[float]] = {}
    for compute in (quote_features, bracket_features, line_features, sentence_features):
        features.update(compute(text))
    return {name: torch.tensor(values, dtype=torch.float32) for name, values in features.items()}
