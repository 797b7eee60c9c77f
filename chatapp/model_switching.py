"""``ModelSwitching``: which model version of each kind the chat controller's engine uses.

When the engine reports which models loaded, each kind gets its version: the active trained one
from the store, or the shipped one (recorded the first time). Activating a version (a newer one,
or an older one to roll back) switches the engine and, should the checkpoint not load, goes back.
A mixin of ``ChatController``, which gives the store, the host, ``_saved`` and the signals.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from chatapp.ops import first_line


class ModelSwitching:
    """The engine's status and the model version in use per kind (mixed into ``ChatController``)."""

    @property
    def engine_problems(self) -> dict[str, str]:
        return dict(self.host.problems)

    def _on_engine_status(self, available: dict[str, bool]) -> None:
        for kind, ok in available.items():
            if ok and kind not in self._versions and kind in self.host.paths:
                active = self.store.active_version(kind)
                if active is not None and active.source == "trained" and active.path.is_file():
                    self.host.use_model(kind, active.path)
                    self._versions[kind] = active.id
                else:
                    ok, version_id = self._saved(None, lambda k=kind: self.store.ensure_shipped_version(
                        k, Path(self.host.paths[k])), "The model list was not updated")
                    if ok:
                        self._versions[kind] = version_id
        self.engine_status.emit(dict(available))

    def activate_version(self, version_id: int) -> None:
        """Use a model version (a newer one, or an older one to roll back) from the next call on.

        The switch is queued on the engine worker ahead of any later reply; if the checkpoint
        cannot be loaded, the engine keeps its model and the store goes back to the previous
        version.
        """
        version = self.store.model_version(version_id)
        if version is None:
            raise KeyError(f"no model version {version_id}")
        previous = self.store.active_version(version.kind)
        self.use_version(self.store.activate_version(version_id), previous)

    def use_version(self, version: Any, previous: Any) -> None:
        """Switch the engine to ``version``, which the store already marks active in place of
        ``previous`` (the training controller activates in the store off the GUI thread). Only
        ``version.kind`` changes: a caption version never touches the chat model."""
        previous_path = self.host.paths.get(version.kind)
        op = self.host.use_model(version.kind, version.path)
        op.failed.connect(lambda error: self._activation_failed(version, previous, previous_path, error))
        self._versions[version.kind] = version.id
        if version.kind == "chat":
            self._states.clear()  # a recurrent state never crosses models
        self.version_changed.emit(version)

    def _activation_failed(self, version: Any, previous: Any, previous_path: Optional[str],
                           error: BaseException) -> None:
        if previous is not None:
            self._saved(None, lambda: self.store.activate_version(previous.id),
                        "The model in use could not be marked again")
            self._versions[version.kind] = previous.id
        if previous_path is not None:
            self.host.paths[version.kind] = previous_path
        self.notice.emit(None, "error", f"“{version.label}” could not be loaded, the model in use stays: "
                                        f"{first_line(error)}")
        self.version_changed.emit(previous)
