"""``ModelSwitching``: which model version of each kind the chat controller's engine uses.

When the engine reports which models loaded, each kind gets its version: the active trained one
from the store, or the shipped one (recorded the first time). Activating a version (a newer one,
or an older one to roll back) switches the engine and, should the checkpoint not load, goes back.
A mixin of ``ChatController``, which gives the store's owner, the host, ``_write``, ``_failed``
and the signals.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from chatapp.ops import first_line
from chatapp.store.db import WRITE_ERRORS


class ModelSwitching:
    """The engine's status and the model version in use per kind (mixed into ``ChatController``)."""

    @property
    def engine_problems(self) -> dict[str, str]:
        return dict(self.host.problems)

    def _on_engine_status(self, available: dict[str, bool]) -> None:
        kinds = [kind for kind, ok in available.items()
                 if ok and kind not in self._versions and kind in self.host.paths]
        if not kinds:
            self.engine_status.emit(dict(available))
            return
        shipped = {kind: Path(self.host.paths[kind]) for kind in kinds}

        def choose(store: Any) -> dict[str, tuple[Any, Any]]:
            """kind -> (the active trained version, None), or (None, the shipped version's id or
            the error that kept it from being recorded)."""
            chosen = {}
            for kind in kinds:
                active = store.active_version(kind)
                if active is not None and active.source == "trained" and active.path.is_file():
                    chosen[kind] = (active, None)
                    continue
                try:
                    chosen[kind] = (None, store.ensure_shipped_version(kind, shipped[kind]))
                except WRITE_ERRORS as error:
                    chosen[kind] = (None, error)
            return chosen

        def chosen(found: dict[str, tuple[Any, Any]]) -> None:
            for kind, (active, version_id) in found.items():
                if kind in self._versions:
                    continue  # chosen meanwhile (a version activated by the user)
                if active is not None:
                    self.host.use_model(kind, active.path)
                    self._versions[kind] = active.id
                elif isinstance(version_id, BaseException):
                    self._failed(None, "The model list was not updated", version_id)
                else:
                    self._versions[kind] = version_id
            self.engine_status.emit(dict(available))

        def failed(error: BaseException) -> None:
            self._failed(None, "The model list was not read", error)
            self.engine_status.emit(dict(available))

        self.owner.run(choose, chosen, failed)

    def activate_version(self, version_id: int, done: Optional[Callable[[Any, Any], None]] = None,
                         refused: Optional[Callable[[], None]] = None) -> None:
        """Use a model version (a newer one, or an older one to roll back) from the next call on.

        The store marks it active on its thread; the switch is then queued on the engine worker
        ahead of any later reply; if the checkpoint cannot be loaded, the engine keeps its model
        and the store goes back to the previous version. ``done(version, previous)`` once it is
        marked; a version no longer in the store is said in a banner, then ``refused()``.
        """
        def mark(store: Any) -> tuple[Any, Any]:
            version = store.model_version(version_id)
            if version is None:
                raise KeyError(f"model version {version_id} is no longer there")
            previous = store.active_version(version.kind)
            return store.activate_version(version_id), previous

        def marked(found: tuple[Any, Any]) -> None:
            self.use_version(*found)
            if done is not None:
                done(*found)

        self._write(None, mark, "The model in use was not changed", done=marked, refused=refused)

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
            self._write(None, lambda store: store.activate_version(previous.id),
                        "The model in use could not be marked again")
            self._versions[version.kind] = previous.id
        if previous_path is not None:
            self.host.paths[version.kind] = previous_path
        self.notice.emit(None, "error", f"“{version.label}” could not be loaded, the model in use stays: "
                                        f"{first_line(error)}")
        self.version_changed.emit(previous)
