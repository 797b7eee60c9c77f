"""Loading a character model and writing with it, one character at a time.

Sampling goes through :class:`engine.decoding.Sampling`, the chat model's strategy: its
temperature, top-k and nucleus filtering pick the candidates and its generator draws; here the
"hypothesis" never ends, so the loop is a generator that yields each character as it is drawn.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import torch

from engine.checkpoint import Checkpoint, load_checkpoint, load_weights, save_checkpoint
from engine.data.chars import CharVocab, boundary_at_or_after
from engine.decode_config import SearchConfig
from engine.decoding import Sampling, SpecialIds
from engine.models.char_rnn import CharRNN, CharRNNConfig, State

MODELS = Path(__file__).resolve().parents[1] / "resources" / "models"
DEFAULT_MODEL = MODELS / "char_shakespeare.safetensors"
KIND = "char"
WARMUP_CHARS = 300  # training text a sample is primed with before the user's priming text


@dataclass
class CharModel:
    model: CharRNN  # in eval mode
    vocab: CharVocab
    meta: dict = field(default_factory=dict)  # the checkpoint's training metadata


def load_char_model(path: str | Path | None = None, device: torch.device | str = "cpu") -> CharModel:
    """The character model at ``path`` (default: the shipped Shakespeare model)."""
    path = Path(path) if path else DEFAULT_MODEL
    checkpoint = load_checkpoint(path, kind=KIND)
    model = CharRNN(CharRNNConfig(**checkpoint.config))
    load_weights(model, checkpoint, path)
    return CharModel(model.to(device).eval(), CharVocab(checkpoint.vocab), checkpoint.meta)


def warmup_text(parts, chars: int = WARMUP_CHARS) -> str:
    """The last lines of ``parts`` (about ``chars`` characters, whole lines), to prime sampling."""
    last = parts[-1]
    start = boundary_at_or_after(last.path, max(last.start, last.end - 4 * chars))
    with open(last.path, "rb") as handle:
        handle.seek(start)
        tail = handle.read(last.end - start).decode("utf-8", errors="replace")
    tail = tail[-chars:]
    if "\n" in tail[:-1]:
        tail = tail[tail.index("\n") + 1:]  # from a line's start
    return tail[:tail.rindex("\n") + 1] if "\n" in tail else ""


def save_char_model(path: str | Path, model: CharRNN, vocab: CharVocab, meta: dict, *, half: bool = False,
                    optimizer: Optional[dict] = None) -> Path:
    return save_checkpoint(path, Checkpoint(KIND, asdict(model.config), model.state_dict(), vocab.itos, meta,
                                            optimizer), half=half)


@torch.inference_mode()
def prime(char_model: CharModel, text: str, state: Optional[State] = None) -> tuple[torch.Tensor, State]:
    """Read ``text`` (unknown characters as <unk>): the next-character log-probabilities (vocab,)
    and the state. Without a ``state``, the model first reads the checkpoint's warm-up text (a
    few lines of its training text, ending at a line's end): trained on a stream whose state is
    carried from window to window, it has rarely started from zeros, and from zeros it can write
    nonsense ("JULIET:" went on "TLTLVQF$M$..."). An empty text starts a new line."""
    model, vocab = char_model.model, char_model.vocab
    device = next(model.parameters()).device
    if state is None:
        text = char_model.meta.get("warmup_text", "") + text
    ids = vocab.encode(text or "\n").to(device).unsqueeze(0)
    out = model(ids, state if state is not None else model.initial_state(1, device))
    return torch.log_softmax(out.logits[0, -1].float(), dim=-1), out.state


def sample_chars(char_model: CharModel, prime_text: str = "", length: int = 500, temperature: float = 1.0,
                 top_k: int = 0, top_p: float = 1.0, seed: Optional[int] = None,
                 should_stop: Optional[Callable[[], bool]] = None) -> Iterator[str]:
    """Yield ``length`` characters written after ``prime_text``, one at a time (<unk> is never
    written). Stops early when ``should_stop()`` turns true."""
    config = SearchConfig(strategy="sample", temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                          block_ngram=0, block_repeated_words=False)
    strategy = Sampling(config, SpecialIds(sos=-1, eos=-1, unk=0), torch.device("cpu"))
    model = char_model.model
    device = next(model.parameters()).device
    with torch.inference_mode():
        log_probs, state = prime(char_model, prime_text)
        log_probs = log_probs.unsqueeze(0).cpu()
        for _ in range(length):
            log_probs[:, 0] = float("-inf")  # never write the unknown symbol
            logits, ids = strategy.candidates(log_probs)
            column = int(strategy._draw(logits, 1))
            token = column if ids is None else int(ids[0, column])
            yield char_model.vocab.itos[token]
            if should_stop is not None and should_stop():
                return
            log_probs, state = model.step(torch.tensor([token], device=device), state)
            log_probs = log_probs.cpu()
