"""``TrainingQueries``: the store's part that the training panel reads and writes: the
conversations offered to learn from, the model versions of each kind, and the training runs.

A mixin of ``Store`` (it uses the store's ``_write`` and ``_session``), kept apart because
these tables belong to training, not to chatting.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import defer

from chatapp.store.models import (Conversation, Correction, Feedback, Message, ModelVersion, TrainingRun,
                                  utcnow)
from chatapp.store.records import (ModelVersionRecord, TrainingConversation, TrainingExchange,
                                   TrainingRunRecord)


class TrainingQueries:
    """Training conversations, model versions and training runs (mixed into ``Store``, which
    gives ``_write``, ``_session`` and ``messages``)."""

    data_dir: Path  # the data folder, set by ``Store``

    def training_exchanges(self, conversation_ids: Iterable[int]) -> list[TrainingExchange]:
        """The exchanges of the chosen conversations with their corrections and feedback."""
        result = []
        for conversation_id in conversation_ids:
            pending = None
            for message in self.messages(conversation_id):
                if message.role == "user":
                    pending = message.text if message.text.strip() else None
                elif pending is not None:
                    result.append(TrainingExchange(conversation_id, pending, message.text,
                                                   message.correction, message.feedback))
                    pending = None
        return result

    def training_overview(self) -> list[TrainingConversation]:
        """Every conversation with its numbers of turns, corrections and thumbs-down replies,
        newest first (one query each, whatever the number of conversations)."""
        turns = (select(Message.conversation_id, func.count().label("n"))
                 .where(Message.text != "").group_by(Message.conversation_id).subquery())
        corrected = (select(Message.conversation_id,
                            func.count(func.distinct(Correction.message_id)).label("n"))
                     .join(Correction, Correction.message_id == Message.id)
                     .group_by(Message.conversation_id).subquery())
        down = (select(Message.conversation_id, func.count().label("n"))
                .join(Feedback, Feedback.message_id == Message.id).where(Feedback.value < 0)
                .group_by(Message.conversation_id).subquery())
        query = (select(Conversation.id, Conversation.title, Conversation.updated_at,
                        func.coalesce(turns.c.n, 0), func.coalesce(corrected.c.n, 0),
                        func.coalesce(down.c.n, 0))
                 .outerjoin(turns, turns.c.conversation_id == Conversation.id)
                 .outerjoin(corrected, corrected.c.conversation_id == Conversation.id)
                 .outerjoin(down, down.c.conversation_id == Conversation.id)
                 .order_by(Conversation.updated_at.desc(), Conversation.id.desc()))
        with self._session() as s:
            return [TrainingConversation(*row) for row in s.execute(query).all()]

    # -- model versions and training runs ----------------------------------------------------
    def ensure_shipped_version(self, kind: str, path: Path) -> int:
        """The version row of the shipped model of ``kind``; made (and activated if no other
        version is) the first time."""
        with self._write() as s:
            row = s.scalar(select(ModelVersion).where(ModelVersion.kind == kind,
                                                      ModelVersion.source == "shipped"))
            if row is None:
                any_active = s.scalar(select(ModelVersion.id).where(
                    ModelVersion.kind == kind, ModelVersion.active.is_(True)))
                row = ModelVersion(kind=kind, label=f"shipped {kind} model", path=str(path),
                                   source="shipped", active=any_active is None)
                s.add(row)
            elif row.path != str(path):
                row.path = str(path)
            s.flush()
            return row.id

    def add_model_version(self, kind: str, label: str, path: Path, *, source: str = "trained",
                          training_run_id: Optional[int] = None, activate: bool = False) -> int:
        with self._write() as s:
            row = ModelVersion(kind=kind, label=label, path=self._relative(path), source=source,
                               training_run_id=training_run_id, active=False)
            s.add(row)
            s.flush()
            version_id = row.id
        if activate:
            self.activate_version(version_id)
        return version_id

    def activate_version(self, version_id: int) -> ModelVersionRecord:
        """Make this version the active one of its kind (activating an older one rolls back)."""
        with self._write() as s:
            row = s.get(ModelVersion, version_id)
            if row is None:
                raise KeyError(f"no model version {version_id}")
            s.execute(update(ModelVersion).where(ModelVersion.kind == row.kind)
                      .values(active=ModelVersion.id == version_id))
        return self.model_version(version_id)

    def active_version(self, kind: str) -> Optional[ModelVersionRecord]:
        with self._session() as s:
            row = s.scalar(select(ModelVersion).where(ModelVersion.kind == kind,
                                                      ModelVersion.active.is_(True)))
            return self._version(row) if row else None

    def model_version(self, version_id: int) -> Optional[ModelVersionRecord]:
        with self._session() as s:
            row = s.get(ModelVersion, version_id)
            return self._version(row) if row else None

    def model_versions(self, kind: str) -> list[ModelVersionRecord]:
        with self._session() as s:
            return [self._version(row) for row in s.scalars(
                select(ModelVersion).where(ModelVersion.kind == kind).order_by(ModelVersion.id))]

    def start_training_run(self, kind: str, settings: dict[str, Any],
                           base_version_id: Optional[int] = None) -> int:
        with self._write() as s:
            row = TrainingRun(kind=kind, settings=dict(settings), status="running", message="",
                              curves={}, figures={}, base_version_id=base_version_id)
            s.add(row)
            s.flush()
            return row.id

    def finish_training_run(self, run_id: int, status: str, message: str = "", *,
                            curves: Optional[dict[str, Any]] = None,
                            figures: Optional[dict[str, Any]] = None) -> None:
        if status not in ("done", "cancelled", "failed"):
            raise ValueError(f"unknown final status {status!r}")
        values: dict[str, Any] = {"status": status, "message": message, "ended_at": utcnow()}
        if curves is not None:
            values["curves"] = curves
        if figures is not None:
            values["figures"] = figures
        with self._write() as s:
            s.execute(update(TrainingRun).where(TrainingRun.id == run_id).values(**values))

    def training_runs(self, kind: Optional[str] = None, *, curves: bool = True) -> list[TrainingRunRecord]:
        """The runs, oldest first; ``curves=False`` leaves the curves out (a list to show reads
        every run, and each run's curves are thousands of numbers)."""
        query = select(TrainingRun).order_by(TrainingRun.id)
        if kind:
            query = query.where(TrainingRun.kind == kind)
        if not curves:
            query = query.options(defer(TrainingRun.curves))
        with self._session() as s:
            return [_run(r, curves) for r in s.scalars(query)]

    def training_run(self, run_id: int) -> Optional[TrainingRunRecord]:
        with self._session() as s:
            row = s.get(TrainingRun, run_id)
            return _run(row) if row else None

    # -- helpers -----------------------------------------------------------------------------
    def _version(self, row: ModelVersion) -> ModelVersionRecord:
        path = Path(row.path)
        return ModelVersionRecord(row.id, row.kind, row.label,
                                  path if path.is_absolute() else self.data_dir / path, row.source,
                                  row.created_at, row.active, row.training_run_id)

    def _relative(self, path: Path) -> str:
        """Paths inside the data folder are kept relative, so the folder can be moved."""
        try:
            return Path(path).resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path)


def _run(row: TrainingRun, curves: bool = True) -> TrainingRunRecord:
    return TrainingRunRecord(row.id, row.kind, row.settings, row.status, row.message, row.started_at,
                             row.ended_at, row.curves if curves else {}, row.figures, row.base_version_id)
