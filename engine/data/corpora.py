"""Readers for the conversation corpora kept outside the repository (``--corpus-dir DIR``).

Each reader yields conversations in the shape of :mod:`engine.data.chat`: lists of turn strings
alternating between two speakers, a speaker's consecutive messages joined into one turn.

- Topical-Chat (``topical-chat/{valid,test}_{freq,rare}.json``, CDLA-Sharing-1.0)
- Synthetic-Persona-Chat (``synthetic-persona-chat/Synthetic-Persona-Chat_{valid,test}.csv``, CC BY 4.0)
- Microsoft Personality Chat (``personality-chat/qna_chitchat_the_{friend,professional,comic}.tsv``,
  MIT): each question -> answer row is a two-turn conversation.

Only the valid and test files of the first two are available, so each corpus is split again by
conversation with a fixed seed. Personality Chat is split by *question group*: the rows that share
an answer are phrasings of one question, and the three personas answer the same questions, so
rows linked by a shared answer or a shared question stay in one split (else the test set would
ask training questions in new words). A missing file is an error naming it; a malformed row is
skipped and recorded (file, line, reason) in :attr:`CorpusRead.skipped`, never dropped silently.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Hashable, Optional, Sequence

from engine.data.splits import Conversation, Splits, split_groups

TOPICAL_FILES = ("valid_freq", "valid_rare", "test_freq", "test_rare")
PERSONA_FILES = ("valid", "test")
PERSONALITIES = ("friend", "professional", "comic")


@dataclass(frozen=True)
class Skipped:
    """A row that was not read, and why."""

    path: str  # the file, as given
    line: int  # 1-based line where the row starts
    reason: str  # what was wrong with it
    dropped: bool = True  # the whole row was left out (False: only some of its lines)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class CorpusRead:
    """What a reader found: the conversations, a split group for each, and the skipped rows."""

    conversations: list[Conversation]  # each a list of >= 2 turns, alternating speakers
    groups: list[Hashable]  # conversations with the same key must share a split
    skipped: list[Skipped] = field(default_factory=list)  # malformed rows and lines, in file order

    def add(self, turns: Conversation, group: Hashable) -> None:
        self.conversations.append(turns)
        self.groups.append(group)


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing (does --corpus-dir point at the folder that holds "
                                f"{path.parent.name}/?)")
    return path


def _join_speakers(messages: Sequence[tuple[Hashable, str]]) -> Conversation:
    """(speaker, text) messages -> turns, a speaker's consecutive messages joined by a space."""
    turns: Conversation = []
    last = object()
    for speaker, text in messages:
        text = " ".join(text.split())
        if not text:
            continue
        if speaker == last:
            turns[-1] = f"{turns[-1]} {text}"
        else:
            turns.append(text)
        last = speaker
    return turns


def _json_line(raw: str, key: str) -> int:
    """The line of ``"key":`` in a JSON text (1 when not found): JSON readers give no line numbers."""
    at = raw.find(json.dumps(key) + ":")
    return raw.count("\n", 0, max(at, 0)) + 1


def read_topical_chat(directory: str | Path) -> CorpusRead:
    """Topical-Chat's four files, conversations in file order then key order."""
    read = CorpusRead([], [])
    for name in TOPICAL_FILES:
        path = _require(Path(directory) / "topical-chat" / f"{name}.json")
        raw = path.read_text(encoding="utf-8-sig")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{error.lineno}: not JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}:1: expected an object of conversations")
        for key, value in data.items():
            content = value.get("content") if isinstance(value, dict) else None
            if not isinstance(content, list) or not all(
                    isinstance(m, dict) and isinstance(m.get("message"), str) and "agent" in m for m in content):
                read.skipped.append(Skipped(str(path), _json_line(raw, key),
                                            f"conversation {key}: no list of messages with 'message' and 'agent'"))
                continue
            turns = _join_speakers([(m["agent"], m["message"]) for m in content])
            if len(turns) < 2:
                read.skipped.append(Skipped(str(path), _json_line(raw, key), f"conversation {key}: fewer than 2 turns"))
                continue
            read.add(turns, ("topical-chat", key))
    return read


_SPEAKER_RE = re.compile(r"^[*\s]*user\s*([12])\s*:[*\s]*(.*?)[*\s]*$", re.IGNORECASE)
# A line that is all stage direction: "[Later]", "(They walk.)", "*At the bar*", "* * *".
_DIRECTION_RE = re.compile(r"^(\[.*\]?|\(.*\)?|\*[^*]*\*?|[*\s]+)$")
_PERSONA_COLUMN = "Best Generated Conversation"


def _persona_turns(text: str) -> tuple[Conversation, int]:
    """A generated conversation -> (turns, lines left out).

    Lines start ``User 1:`` / ``User 2:`` (sometimes starred); a line without a speaker continues
    the turn before it (a recipe, a list); stage directions and text before the first speaker are
    left out and counted.
    """
    messages: list[list] = []
    left_out = 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _SPEAKER_RE.match(line)
        if match:
            messages.append([match.group(1), match.group(2)])
        elif _DIRECTION_RE.match(line) or not messages:
            left_out += 1
        else:
            messages[-1][1] += " " + line
    return _join_speakers([(speaker, body) for speaker, body in messages]), left_out


def read_synthetic_persona_chat(directory: str | Path) -> CorpusRead:
    """Synthetic-Persona-Chat's valid and test files: the ``Best Generated Conversation`` column."""
    read = CorpusRead([], [])
    for name in PERSONA_FILES:
        path = _require(Path(directory) / "synthetic-persona-chat" / f"Synthetic-Persona-Chat_{name}.csv")
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if _PERSONA_COLUMN not in header:
                raise ValueError(f"{path}:1: no column {_PERSONA_COLUMN!r} in the header")
            column = header.index(_PERSONA_COLUMN)
            start = reader.line_num + 1
            for row in reader:
                row_line, start = start, reader.line_num + 1
                if len(row) != len(header):
                    read.skipped.append(Skipped(str(path), row_line, f"{len(row)} fields, expected {len(header)}"))
                    continue
                turns, left_out = _persona_turns(row[column])
                if left_out:
                    read.skipped.append(Skipped(str(path), row_line, f"{left_out} line(s) without a speaker left out",
                                                dropped=False))
                if len(turns) < 2:
                    read.skipped.append(Skipped(str(path), row_line, "fewer than 2 turns"))
                    continue
                read.add(turns, ("synthetic-persona-chat", name, row_line))
    return read


class _Union:
    """Union-find over hashable keys: which question rows belong to one question."""

    def __init__(self):
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, key: Hashable) -> Hashable:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]  # path halving keeps the chains short
            key = self.parent[key]
        return key

    def join(self, a: Hashable, b: Hashable) -> None:
        self.parent[self.find(a)] = self.find(b)


def read_personality_chat(directory: str | Path) -> CorpusRead:
    """The three personas' question -> answer rows, each a two-turn conversation, grouped by question."""
    read = CorpusRead([], [])
    union = _Union()
    for persona in PERSONALITIES:
        path = _require(Path(directory) / "personality-chat" / f"qna_chitchat_the_{persona}.tsv")
        with open(path, encoding="utf-8-sig") as handle:
            header = handle.readline().rstrip("\r\n").split("\t")
            if header[:2] != ["Question", "Answer"]:
                raise ValueError(f"{path}:1: expected the header 'Question<TAB>Answer<TAB>...'")
            for number, line in enumerate(handle, 2):
                if not line.strip():
                    continue
                fields = line.rstrip("\r\n").split("\t")
                question = " ".join(fields[0].split())
                answer = " ".join(fields[1].split()) if len(fields) > 1 else ""
                if len(fields) != len(header) or not question or not answer:
                    read.skipped.append(Skipped(str(path), number, "expected a question and an answer "
                                                                   f"in {len(header)} tab-separated fields"))
                    continue
                union.join(("answer", persona, answer), ("question", question.lower()))
                read.add([question, answer], ("question", question.lower()))
    read.groups = [("personality-chat", union.find(key)) for key in read.groups]
    return read


@dataclass(frozen=True)
class CorpusSpec:
    """How one corpus is read and split."""

    reader: Callable[[str | Path], CorpusRead]  # directory -> conversations
    valid_share: float  # of conversations (of question groups for Personality Chat)
    test_share: float  # likewise; bigger than chitchat's 4 % so each corpus's test figures are stable


CORPORA: dict[str, CorpusSpec] = {
    "topical-chat": CorpusSpec(read_topical_chat, 0.05, 0.05),
    "synthetic-persona-chat": CorpusSpec(read_synthetic_persona_chat, 0.05, 0.05),
    # ~100 question groups only: a tenth each gives valid and test a few hundred rows
    "personality-chat": CorpusSpec(read_personality_chat, 0.1, 0.1),
}


@dataclass
class LoadedCorpus:
    """One corpus, split, with what its reader skipped."""

    splits: Splits  # train / valid / test conversations
    skipped: list[Skipped]  # what the reader left out, for the caller to report


def load_corpora(directory: str | Path, names: Optional[Sequence[str]] = None,
                 seed: int = 1234) -> dict[str, LoadedCorpus]:
    """Read and split the named corpora (all of :data:`CORPORA` by default) from ``directory``."""
    if not Path(directory).is_dir():
        raise FileNotFoundError(f"{directory}: no such folder (--corpus-dir)")
    loaded = {}
    for name in names or CORPORA:
        if name not in CORPORA:
            raise ValueError(f"unknown corpus {name!r}: choose from {', '.join(CORPORA)}")
        spec = CORPORA[name]
        read = spec.reader(directory)
        splits = split_groups(read.conversations, read.groups, seed, spec.valid_share, spec.test_share)
        loaded[name] = LoadedCorpus(splits, read.skipped)
    return loaded
