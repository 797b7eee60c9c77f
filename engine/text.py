"""Text pipeline: normalisation, tokenisation and the vocabulary saved in every checkpoint."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

from nltk.tokenize import TweetTokenizer

PAD, UNK, SOS, EOS = "<pad>", "<unk>", "<sos>", "<eos>"
URL, USER = "<url>", "<user>"
SPECIALS = (PAD, UNK, SOS, EOS, URL, USER)

# A message is cut before tokenising so that a pasted book costs no more than a long message.
MAX_CHARS = 4000

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_USER_RE = re.compile(r"(?<![\w@])@\w{1,30}")
_SPACE_RE = re.compile(r"\s+")
_tokenizer = TweetTokenizer(preserve_case=False, reduce_len=True, strip_handles=False)


def normalize(text: str) -> str:
    """NFC-normalise, drop control characters and collapse white space."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    # Category C* holds control, format and unassigned characters; keep the zero-width joiner
    # so that composed emoji survive.
    text = "".join(ch if ch in "\t\n" or ch == "\u200d" or unicodedata.category(ch)[0] != "C" else " "
                   for ch in text)
    return _SPACE_RE.sub(" ", text).strip()


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens; URLs become ``<url>`` and user names ``<user>``."""
    text = normalize(text)
    text = _URL_RE.sub(" \x00url ", text)
    text = _USER_RE.sub(" \x00user ", text)
    tokens = []
    for token in _tokenizer.tokenize(text.replace("\x00url", "URLTOKEN").replace("\x00user", "USERTOKEN")):
        if token == "urltoken":
            tokens.append(URL)
        elif token == "usertoken":
            tokens.append(USER)
        else:
            tokens.append(token)
    return tokens


_NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "...", "'s", "n't", "'m", "'re", "'ll", "'ve", "'d", "%"}
_NO_SPACE_AFTER = {"(", "$", "#"}


def detokenize(tokens: Sequence[str]) -> str:
    """Join tokens into a readable sentence: punctuation attached, first letters and "I" capitalised."""
    words: list[str] = []
    for token in tokens:
        if token in (PAD, SOS, EOS, UNK):
            continue
        if token == "i":
            token = "I"
        elif token.startswith("i'"):
            token = "I" + token[1:]
        if words and (token in _NO_SPACE_BEFORE or words[-1] in _NO_SPACE_AFTER):
            words[-1] += token
        else:
            words.append(token)
    text = " ".join(words)
    # Capitalise the start of each sentence.
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


class Vocab:
    """Token <-> id mapping; ids 0-3 are ``<pad> <unk> <sos> <eos>``, then by descending frequency."""

    def __init__(self, tokens: Sequence[str]):
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with {SPECIALS}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("a vocabulary must not repeat a token")
        self.itos = list(tokens)
        self.stoi = {token: index for index, token in enumerate(self.itos)}

    pad_id, unk_id, sos_id, eos_id = 0, 1, 2, 3

    @classmethod
    def build(cls, texts: Iterable[Sequence[str]], max_size: int = 8000, min_count: int = 2) -> "Vocab":
        """Most frequent tokens of tokenised ``texts`` (ties broken alphabetically, for determinism)."""
        counts = Counter(token for tokens in texts for token in tokens)
        for special in SPECIALS:
            counts.pop(special, None)
        ranked = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda kv: (-kv[1], kv[0]))
        return cls(list(SPECIALS) + [token for token, _ in ranked[: max(0, max_size - len(SPECIALS))]])

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.stoi.get(token, self.unk_id) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[i] for i in ids]

    def encode_text(self, text: str, max_len: int | None = None) -> list[int]:
        ids = self.encode(tokenize(text))
        return ids[:max_len] if max_len is not None else ids
