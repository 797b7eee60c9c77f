"""Character data: a UTF-8 file or a folder of source files, read as streams of character ids.

Nothing here reads a file whole. A corpus is a list of byte ranges ("parts") of files; the
training split of one file is its first 90 % of bytes, the validation split the rest, and a
folder is split by file (a file's name decides, so adding files never moves the others). Batch
rows read disjoint stretches of the concatenated parts in chunks of ``CHUNK_BYTES``, each
chunk cut at a character boundary, so a 1 GB file costs a few chunks of memory.
"""
from __future__ import annotations

import bisect
import collections
import fnmatch
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import torch

CHUNK_BYTES = 1 << 16  # bytes a row reads at a time
SCAN_BYTES = 64 << 20  # the alphabet is counted over at most this much training text
UNK = "<unk>"  # vocabulary entry 0: any character outside the alphabet


class CharDataError(ValueError):
    """Text that cannot be trained on; the message is one line a user can act on."""


@dataclass(frozen=True)
class Part:
    path: str  # the file
    start: int  # first byte (at a character boundary)
    end: int  # one past the last byte


@dataclass(frozen=True)
class CharCorpus:
    train: tuple[Part, ...]  # training parts, read in this order
    valid: tuple[Part, ...]  # validation parts
    description: str  # what was read, for checkpoints and messages
    skipped: tuple[str, ...] = ()  # folder files left out because they are not UTF-8 text

    def train_bytes(self) -> int:
        return sum(p.end - p.start for p in self.train)


def _is_continuation(byte: int) -> bool:
    return byte & 0xC0 == 0x80


def boundary_at_or_after(path: str, offset: int) -> int:
    """The first character boundary at or after byte ``offset`` of a UTF-8 file."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        head = handle.read(4)
    skip = 0
    while skip < len(head) and _is_continuation(head[skip]):
        skip += 1
    return offset + skip


def _check_text(data: bytes, where: str, offset: int) -> str:
    """``data`` decoded, or a :class:`CharDataError` naming ``where`` if it is not UTF-8 text."""
    zero = data.find(b"\x00")
    if zero >= 0:
        raise CharDataError(f"{where}: not a text file (a zero byte at offset {offset + zero}; binary?)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return data[:error.start].decode("utf-8")  # a character cut by the chunk's end
        raise CharDataError(f"{where}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                            f"{offset + error.start})") from None


def count_characters(parts: Sequence[Part], limit: int = SCAN_BYTES) -> collections.Counter:
    """How often each character occurs in the first ``limit`` bytes of ``parts``; raises
    :class:`CharDataError` on a zero byte or invalid UTF-8."""
    counts: collections.Counter = collections.Counter()
    budget = limit
    for part in parts:
        with open(part.path, "rb") as handle:
            handle.seek(part.start)
            position = part.start
            while position < part.end and budget > 0:
                data = handle.read(min(CHUNK_BYTES * 16, part.end - position, budget))
                if not data:
                    break
                text = _check_text(data, part.path, position)
                used = len(text.encode("utf-8"))
                handle.seek(position + used)
                position += used
                budget -= used
                counts.update(text)
                if used == 0:
                    break
    return counts


def _folder_files(folder: Path, pattern: str, exclude: Sequence[str] = ()) -> list[Path]:
    found = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if name not in exclude]
        found += [Path(root) / name for name in names if fnmatch.fnmatch(name, pattern)]
    return sorted(path for path in found if path.is_file())


def _in_validation(relative: str, valid_fraction: float) -> bool:
    """A file's split from its name alone: about ``valid_fraction`` of names land in validation."""
    return zlib.crc32(relative.encode("utf-8")) % 1000 < valid_fraction * 1000


def open_corpus(data: str, glob: Optional[str] = None, valid_fraction: float = 0.1,
                exclude: Sequence[str] = ()) -> CharCorpus:
    """The training and validation parts of a file (split at ``1 - valid_fraction`` of its bytes)
    or of a folder's files matching ``glob`` (split by file). Checks that the text is UTF-8 and
    not empty; files in a folder that are not UTF-8 text are left out and named in ``skipped``, and
    so are sub-folders named in ``exclude``."""
    path = Path(data)
    if path.is_dir():
        return _folder_corpus(path, glob or "*", valid_fraction, exclude)
    if not path.is_file():
        raise CharDataError(f"{data}: no such file or folder")
    size = path.stat().st_size
    if size == 0:
        raise CharDataError(f"{data}: the file is empty")
    with open(path, "rb") as handle:
        _check_text(handle.read(CHUNK_BYTES), str(path), 0)
    cut = boundary_at_or_after(str(path), int(size * (1 - valid_fraction)))
    if cut <= 0 or cut >= size:
        raise CharDataError(f"{data}: too short to split into training and validation text ({size} bytes)")
    return CharCorpus((Part(str(path), 0, cut),), (Part(str(path), cut, size),),
                      f"{path.name} (first {1 - valid_fraction:.0%} train, rest valid)")


def _folder_corpus(folder: Path, pattern: str, valid_fraction: float, exclude: Sequence[str]) -> CharCorpus:
    files = _folder_files(folder, pattern, exclude)
    if not files:
        raise CharDataError(f"{folder}: no files match {pattern!r}")
    train, valid, skipped = [], [], []
    for file in files:
        size = file.stat().st_size
        if size == 0:
            continue
        try:
            count_characters([Part(str(file), 0, size)])
        except (CharDataError, OSError):
            skipped.append(str(file.relative_to(folder)))
            continue
        relative = file.relative_to(folder).as_posix()
        (valid if _in_validation(relative, valid_fraction) else train).append(Part(str(file), 0, size))
    if not train or not valid:
        raise CharDataError(f"{folder}: the files matching {pattern!r} hold too little UTF-8 text to split "
                            f"by file ({len(train)} for training, {len(valid)} for validation)")
    return CharCorpus(tuple(train), tuple(valid), f"{folder.name}/{pattern} ({len(train)} files train, "
                      f"{len(valid)} valid, split by file name)", tuple(skipped))


class CharVocab:
    """The alphabet: entry 0 is ``<unk>``, then one entry per character."""

    def __init__(self, itos: Sequence[str]):
        if not itos or itos[0] != UNK:
            raise ValueError("a character vocabulary starts with <unk>")
        self.itos = list(itos)
        self.stoi = {char: index for index, char in enumerate(self.itos) if index > 0}
        table = torch.zeros(0x110000, dtype=torch.int16)  # code point -> id (0: unknown)
        for char, index in self.stoi.items():
            table[ord(char)] = index
        self._table = table

    def __len__(self) -> int:
        return len(self.itos)

    @classmethod
    def from_counts(cls, counts: collections.Counter, max_size: int = 256, min_count: int = 1) -> "CharVocab":
        """The ``max_size - 1`` commonest characters seen at least ``min_count`` times, by code point."""
        if len(counts) == 0:
            raise CharDataError("the text is empty")
        if len(counts) == 1:
            only = next(iter(counts))
            raise CharDataError(f"the text is one character ({only!r}) repeated: there is nothing to learn")
        kept = [char for char, n in counts.most_common(max_size - 1) if n >= min_count]
        return cls([UNK] + sorted(kept))

    def encode(self, text: str) -> torch.Tensor:
        """Ids of ``text``'s characters (len(text),), int64; unknown characters are 0."""
        if not text:
            return torch.zeros(0, dtype=torch.long)
        points = torch.frombuffer(bytearray(text.encode("utf-32-le")), dtype=torch.int32)
        return self._table[points.long()].long()

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` outside the alphabet, in order of appearance."""
        return list(dict.fromkeys(char for char in text if char not in self.stoi))

    def decode(self, ids: Sequence[int]) -> str:
        return "".join("\ufffd" if i == 0 else self.itos[i] for i in ids)


class _RowReader:
    """One batch row: reads [start, end) of the parts' concatenation, chunk by chunk."""

    def __init__(self, parts: Sequence[Part], offsets: list[int], vocab: CharVocab, start: int, end: int):
        self.parts, self.offsets, self.vocab = parts, offsets, vocab
        self.end = end
        self.position = self._align(start)  # concatenated offset of the next unread chunk
        self.buffer = torch.zeros(0, dtype=torch.long)  # ids read and not yet consumed (from ``used``)
        self.used = 0

    def _locate(self, offset: int) -> tuple[Part, int]:
        index = max(0, bisect.bisect_right(self.offsets, offset) - 1)
        part = self.parts[index]
        return part, part.start + offset - self.offsets[index]

    def _align(self, offset: int) -> int:
        if offset >= self.end:
            return offset
        part, file_offset = self._locate(offset)
        return offset + boundary_at_or_after(part.path, file_offset) - file_offset

    def _read_chunk(self) -> bool:
        """Appends the next chunk's ids to the buffer; False at the end of the row."""
        if self.position >= self.end:
            return False
        part, file_offset = self._locate(self.position)
        with open(part.path, "rb") as handle:
            handle.seek(file_offset)
            data = handle.read(min(CHUNK_BYTES, part.end - file_offset, self.end - self.position))
        text = data.decode("utf-8", errors="replace")  # a stray invalid byte becomes <unk>
        used = len(data)
        if data and (data[-1] & 0x80):  # maybe a character cut at the chunk's end: leave it for the next
            cut = len(data) - 1
            while cut > 0 and _is_continuation(data[cut]):
                cut -= 1
            needed = 1 + (data[cut] >= 0xC0) + (data[cut] >= 0xE0) + (data[cut] >= 0xF0)
            if cut + needed > len(data) and cut > 0:
                used, text = cut, data[:cut].decode("utf-8", errors="replace")
        self.buffer = torch.cat([self.buffer[self.used:], self.vocab.encode(text)])
        self.used = 0
        self.position += used
        return True

    def take(self, length: int) -> Optional[torch.Tensor]:
        """The next ``length + 1`` ids (input and target overlap by one), advancing by ``length``;
        None when fewer are left."""
        while self.buffer.numel() - self.used < length + 1:
            if not self._read_chunk():
                return None
        window = self.buffer[self.used:self.used + length + 1]
        self.used += length
        return window

    def remaining(self) -> int:
        return self.buffer.numel() - self.used + max(0, self.end - self.position)


class CharStream:
    """``rows`` readers side by side over ``parts``, each over an equal share of the bytes:
    ``windows(length)`` yields (rows, length + 1) id tensors, each row continuing the last."""

    def __init__(self, parts: Sequence[Part], vocab: CharVocab, rows: int):
        self.parts = list(parts)
        sizes = [p.end - p.start for p in self.parts]
        self.offsets = [sum(sizes[:i]) for i in range(len(sizes))]
        self.total = sum(sizes)
        self.rows = max(1, min(rows, self.total // 2))
        share = self.total // self.rows
        self.readers = [_RowReader(self.parts, self.offsets, vocab, r * share,
                                   self.total if r == self.rows - 1 else (r + 1) * share) for r in range(self.rows)]

    def windows(self, length: int, short_last: bool = False):
        """Windows until a row runs out; with ``short_last`` a last shorter one (at least one target)."""
        while True:
            taken = [reader.take(length) for reader in self.readers]
            if all(window is not None for window in taken):
                yield torch.stack(taken)
                continue
            if short_last:
                left = min(reader.remaining() for reader in self.readers)
                last = [reader.take(left - 1) for reader in self.readers] if left >= 2 else [None]
                if all(window is not None for window in last):
                    yield torch.stack(last)
            return

    def skip(self, windows: int, length: int) -> None:
        """Advance every row by ``windows`` windows (resuming mid-epoch)."""
        for reader in self.readers:
            for _ in range(windows):
                if reader.take(length) is None:
                    break

    def windows_per_epoch(self, length: int) -> int:
        """About how many windows a pass holds (bytes stand for characters)."""
        return max(1, (self.total // self.rows - 1) // length)


def read_text(path: str, max_chars: int = 20_000) -> str:
    """The first ``max_chars`` characters of a UTF-8 file, with the same checks as training data."""
    file = Path(path)
    if not file.is_file():
        raise CharDataError(f"{path}: no such file")
    with open(file, "rb") as handle:
        data = handle.read(max_chars * 4)
    if not data:
        raise CharDataError(f"{path}: the file is empty")
    return _check_text(data, path, 0)[:max_chars]
