"""The shipped models are found as package data, the same way from a checkout and a wheel."""
import importlib.resources

from engine.shipped import DEFAULT_PATHS, models_dir


def test_the_shipped_models_are_the_resources_packages_data():
    folder = models_dir()
    assert folder == DEFAULT_PATHS["chat"].parent
    assert folder.samefile(str(importlib.resources.files("resources") / "models"))
    for kind, path in DEFAULT_PATHS.items():
        assert path.is_file() and path.stat().st_size > 100_000, kind
