"""The captioner: the predictor behind ``Engine.caption``, its validation figures and the command.

    python -m engine caption IMAGE [IMAGE ...]

Decoding goes through :mod:`engine.decoding`, the strategies the chat model uses too. Training
(``python -m engine train caption``) is in :mod:`engine.tasks.caption_train`; ``eval caption`` and
the benchmark in :mod:`engine.tasks.caption_eval`.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional, Sequence

import torch

from engine.checkpoint import Checkpoint, load_checkpoint, load_weights, save_checkpoint
from engine.decode_config import SearchConfig
from engine.decoding import decode
from engine.device import pick_device
from engine.images import ImageSource, load_image, normalize_pixels, to_tensor
from engine.models.captioner import Captioner, CaptionerConfig
from engine.results import Caption
from engine.scenes import Scene, caption_is_true
from engine.shipped import DEFAULT_PATHS
from engine.text import Vocab, detokenize


# -- captioning --------------------------------------------------------------------------------

class CaptionPredictor:
    """A trained captioner and its vocabulary, ready to caption images."""

    def __init__(self, model: Captioner, vocab: Vocab, device: torch.device = torch.device("cpu"),
                 meta: Optional[dict[str, Any]] = None):
        self.model = model.to(device).eval()
        self.vocab = vocab
        self.device = device
        self.meta = meta or {}

    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu") -> "CaptionPredictor":
        checkpoint = load_checkpoint(path, kind="caption")
        config = CaptionerConfig(**checkpoint.config)
        vocab = Vocab(checkpoint.vocab)
        model = Captioner(config, pad_id=vocab.pad_id)
        load_weights(model, checkpoint, path)
        device = pick_device(device) if isinstance(device, str) else device
        return cls(model, vocab, device, checkpoint.meta)

    def save(self, path: str | Path, meta: Optional[dict[str, Any]] = None, half: bool = False) -> Path:
        return save_checkpoint(path, Checkpoint("caption", asdict(self.model.config), self.model.state_dict(),
                                                self.vocab.itos, meta or self.meta), half=half)

    def search_config(self, beam_size: int) -> SearchConfig:
        # No n-gram blocking: a caption names its anchor object twice ("... a large blue square and
        # a green circle below a large blue square").
        return SearchConfig(strategy="beam" if beam_size > 1 else "greedy", beam_size=beam_size, length_penalty=0.6,
                            block_ngram=0, max_length=self.model.config.max_length)

    @torch.inference_mode()
    def caption_pixels(self, pixels: torch.Tensor, beam_size: int = 3) -> Caption:
        """Caption one uint8 image (3, image_size, image_size)."""
        state = self.model.start(normalize_pixels(pixels.unsqueeze(0).to(self.device)))
        best = decode(self.model.step, state, self.model.reorder, self.search_config(beam_size),
                      self.vocab.sos_id, self.vocab.eos_id, self.vocab.unk_id, self.vocab.pad_id, device=self.device)[0]
        words = self.vocab.decode(best.tokens)
        grid = self.model.config.grid_size
        attention = (best.attention.float().view(len(words), grid, grid).cpu().tolist()
                     if best.attention is not None and words else [])
        return Caption(text=detokenize(words), words=words, score=float(best.score), attention=attention)

    def caption(self, image: ImageSource, beam_size: int = 3) -> Caption:
        """Caption a path, bytes, ``PIL.Image`` or RGB array; ``ImageError`` for an unreadable one."""
        return self.caption_pixels(to_tensor(load_image(image), self.model.config.image_size), beam_size)


# -- validation figures (training validates with them, eval caption reports them) --------------

def bleu4(references: Sequence[Sequence[Sequence[str]]], hypotheses: Sequence[Sequence[str]]) -> float:
    from nltk.translate.bleu_score import corpus_bleu

    return float(corpus_bleu([list(map(list, refs)) for refs in references], [list(h) for h in hypotheses]))


def greedy_truthfulness(model: Captioner, vocab: Vocab, scenes: Sequence[Scene]) -> float:
    """The share of true greedy captions (the validation figure while training)."""
    predictor = CaptionPredictor(model, vocab, next(model.parameters()).device)
    size = model.config.image_size
    return sum(caption_is_true(predictor.caption_pixels(to_tensor(s.image, size), 1).words, s.objects, s.image.size[0])
               for s in scenes) / max(1, len(scenes))


def greedy_bleu(model: Captioner, vocab: Vocab, images: torch.Tensor, captions: list[list[list[str]]]) -> float:
    predictor = CaptionPredictor(model, vocab, next(model.parameters()).device)
    return bleu4(captions, [predictor.caption_pixels(image, 1).words for image in images])


# -- command line ------------------------------------------------------------------------------

def model_path(args: argparse.Namespace) -> Path:
    return Path(args.model) if getattr(args, "model", None) else DEFAULT_PATHS["caption"]


def run_cli(args: argparse.Namespace) -> int:
    """``python -m engine caption IMAGE...``: one line per image; unreadable ones are reported."""
    from engine.images import ImageError

    predictor = CaptionPredictor.load(model_path(args), pick_device(args.device))
    failed = 0
    for image in args.images:
        try:
            result = predictor.caption(image, beam_size=args.beam_size)
        except ImageError as error:
            print(f"error: {error}", file=sys.stderr)
            failed += 1
            continue
        print(f"{image}: {result.text}" if len(args.images) > 1 else result.text)
    return 2 if failed else 0
