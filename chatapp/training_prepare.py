"""Preparing a training run, on the file worker: its row in the store, its files and the
arguments of the child process (``python -m engine train ...``).

``prepare_chat`` writes the chosen conversations as the child's data file; ``prepare_caption``
points the child at the user's COCO-format set. Both start the run's row and write its control
file (the word ``run``), and return a ``PreparedRun`` that ``TrainingController`` launches.
Nothing here touches Qt; the engine's option helpers are imported here, off the GUI thread. The
``store`` they are given is the owner's blocking view (``StoreOwner.blocking``): each call is
queued to the store's thread and waited for here, on the file worker.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatapp.training_runs import CAPTION_OPTIONS, PreparedRun

if TYPE_CHECKING:
    from chatapp.store import Store

MODELS_DIR = "models"
RUNS_DIR = "training"


def prepare_chat(store: "Store", ids: list[int], settings: dict[str, Any], shipped: Path) -> PreparedRun:
    """The chosen conversations as the child's data file, and the run's row. ``shipped``: the
    checkpoint to start from when no chat version is active."""
    from engine.options import config_argv
    from engine.tasks.finetune_data import OPTION_FIELDS, FinetuneConfig, SavedExchange, write_saved

    saved: dict[int, list] = {i: [] for i in ids}
    for exchange in store.training_exchanges(ids):
        saved[exchange.conversation_id].append(
            SavedExchange(exchange.user, exchange.bot, exchange.correction, exchange.feedback))
    if not any(saved.values()):
        raise ValueError("The chosen conversations have no exchange with the bot yet.")
    base = store.active_version("chat")
    run_id = store.start_training_run(
        "chat", dict(settings, conversations=ids, base=base.label if base else "shipped chat model"),
        base.id if base is not None else None)
    control = control_file(store.data_dir, run_id)
    data = write_saved(control.with_suffix(".json"), [saved[i] for i in ids])
    out = store.data_dir / MODELS_DIR / f"chat-run-{run_id}.safetensors"
    arguments = ["finetune", "--init", str(base.path if base is not None else shipped), "--data", str(data),
                 "--out", str(out), "--control", str(control), "--progress", "jsonl",
                 "--device", str(settings["device"]),
                 *config_argv(FinetuneConfig(**{name: settings[name] for name in OPTION_FIELDS}), OPTION_FIELDS)]
    label = f"fine-tuned {datetime.now().strftime('%Y-%m-%d %H:%M')} (run {run_id})"
    return PreparedRun(run_id, "chat", out, control, data, settings, base.id if base else None, label,
                       arguments)


def prepare_caption(store: "Store", captions: Path, images: Path, settings: dict[str, Any]) -> PreparedRun:
    """The run's row and control file, for the captioner on a COCO-format set."""
    from engine.options import config_argv

    base = store.active_version("caption")
    run_id = store.start_training_run(
        "caption", dict(settings, captions=str(captions), images=str(images),
                        base=base.label if base else "none"), base.id if base is not None else None)
    out = store.data_dir / MODELS_DIR / f"caption-run-{run_id}.safetensors"
    control = control_file(store.data_dir, run_id)
    arguments = ["caption", "--data", str(captions), "--images", str(images), "--out", str(out),
                 "--control", str(control), "--progress", "jsonl", "--device", str(settings["device"]),
                 "--warmup-steps", str(min(100, max(1, int(settings["steps"]) // 10))),
                 *config_argv(settings, CAPTION_OPTIONS)]
    label = f"captioner on {captions.name}, {datetime.now().strftime('%Y-%m-%d %H:%M')} (run {run_id})"
    return PreparedRun(run_id, "caption", out, control, None, settings, base.id if base else None, label,
                       arguments)


def control_file(data_dir: Path, run_id: int) -> Path:
    """The run's control file, saying ``run``; the folders of runs and models are made."""
    for folder in (RUNS_DIR, MODELS_DIR):
        (data_dir / folder).mkdir(exist_ok=True)
    control = data_dir / RUNS_DIR / f"run-{run_id}.control"
    control.write_text("run", encoding="utf-8")
    return control
