"""Where the shipped models are: the one place the engine, its tasks and the app look them up.

The models are package data of the top-level package ``resources`` (the repository's
``resources/`` folder), so an editable install, an installed wheel and a PyInstaller folder all
find them through ``importlib.resources`` instead of a path relative to the source tree.
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path


def models_dir() -> Path:
    """The folder of the shipped ``.safetensors`` files (it may lack a model not trained yet)."""
    # The package is a plain folder on disk in every way the app is installed (pip never zips
    # it), so its traversable is a real path that safetensors can open.
    return Path(str(importlib.resources.files("resources"))) / "models"


MODELS_DIR = models_dir()
# kind -> the shipped checkpoint; ``Engine(paths=...)`` and ``--model`` override it per use.
DEFAULT_PATHS: dict[str, Path] = {
    "chat": MODELS_DIR / "chat.safetensors",
    "sentiment": MODELS_DIR / "sentiment.safetensors",
    "caption": MODELS_DIR / "caption.safetensors",
}
