"""``KnowledgeQueries``: the store's (question, answer) pairs, which the bot answers from at once.

A mixin of ``Store`` (it uses the store's ``_write`` and ``_session``). One pair per question,
whatever its case and spacing: adding a pair whose question is there already replaces that pair's
answer (and says so). Every write is one transaction: an import stores all of its pairs or none.
The engine gets the pairs as plain ``engine.knowledge_pairs.KnowledgePair`` (``knowledge_for_engine``).
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from engine.knowledge_files import pair_problem, question_key
from engine.knowledge_pairs import SOURCES, KnowledgePair
from chatapp.store.models import Correction, KnowledgePairRow, Message, utcnow
from chatapp.store.records import KnowledgeRecord, Taught

_COLUMNS = (KnowledgePairRow.id, KnowledgePairRow.question, KnowledgePairRow.answer, KnowledgePairRow.source,
            KnowledgePairRow.created_at, KnowledgePairRow.updated_at)  # KnowledgeRecord's fields
STORED_SOURCES = tuple(source for source in SOURCES if source != "shipped")  # shipped pairs live in the engine


class KnowledgeQueries:
    """List, search, add, edit, delete and import pairs; teach a reply (mixed into ``Store``)."""

    # -- reading -----------------------------------------------------------------------------
    def knowledge_pairs(self, limit: Optional[int] = None) -> list[KnowledgeRecord]:
        """Every pair, the most recently changed first."""
        return self.search_knowledge("", limit)

    def search_knowledge(self, text: str, limit: Optional[int] = None) -> list[KnowledgeRecord]:
        """The pairs whose question or answer holds every word of ``text`` (any case), the most
        recently changed first; all pairs for a blank ``text``."""
        query = select(*_COLUMNS).order_by(KnowledgePairRow.updated_at.desc(), KnowledgePairRow.id.desc())
        for word in text.split():
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"
            query = query.where(or_(KnowledgePairRow.question.ilike(pattern, escape="\\"),
                                    KnowledgePairRow.answer.ilike(pattern, escape="\\")))
        if limit is not None:
            query = query.limit(limit)
        with self._session() as s:
            return [KnowledgeRecord(*row) for row in s.execute(query)]

    def knowledge_count(self) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(KnowledgePairRow)) or 0

    def knowledge_for_engine(self) -> list[KnowledgePair]:
        """Every stored pair as the engine takes them (``Engine.set_knowledge``), oldest first."""
        with self._session() as s:
            rows = s.execute(select(KnowledgePairRow.question, KnowledgePairRow.answer, KnowledgePairRow.source)
                             .order_by(KnowledgePairRow.id)).all()
        return [KnowledgePair(question, answer, source) for question, answer, source in rows]

    # -- writing -----------------------------------------------------------------------------
    def add_knowledge(self, question: str, answer: str, source: str = "user") -> tuple[KnowledgeRecord, bool]:
        """Store a pair; where its question is there already, that pair gets the new answer.
        Returns the pair and whether an answer was replaced. Raises ``ValueError`` (with the
        reason) for an empty or too long question or answer."""
        question, answer = _checked(question, answer, source)
        with self._write() as s:
            row, replaced = _upsert(s, question, answer, source)
            return _record(row), replaced

    def update_knowledge(self, pair_id: int, question: str, answer: str) -> KnowledgeRecord:
        """Change a pair's question and answer. Raises ``KeyError`` when it is gone and
        ``ValueError`` when the text is refused or another pair has that question."""
        with self._write() as s:
            row = s.get(KnowledgePairRow, pair_id)
            if row is None:
                raise KeyError(f"the pair {pair_id} is no longer stored")
            question, answer = _checked(question, answer, row.source)
            key = question_key(question)
            other = s.scalar(select(KnowledgePairRow.id).where(KnowledgePairRow.question_key == key,
                                                               KnowledgePairRow.id != pair_id))
            if other is not None:
                raise ValueError("another pair already has this question: edit or delete that one")
            if (row.question, row.answer) != (question, answer):
                row.question, row.question_key, row.answer, row.updated_at = question, key, answer, utcnow()
            s.flush()
            return _record(row)

    def delete_knowledge(self, pair_id: int) -> bool:
        """Delete a pair; False when it was gone already."""
        with self._write() as s:
            return s.execute(delete(KnowledgePairRow).where(KnowledgePairRow.id == pair_id)).rowcount > 0

    def import_pairs(self, pairs: Iterable[KnowledgePair]) -> tuple[int, int]:
        """Store ``pairs`` in one transaction (all of them, or none when any is refused or the
        write fails): (pairs added, answers replaced). A question twice in ``pairs`` keeps the
        last answer; a question already stored gets the imported answer."""
        checked: dict[str, tuple[str, str, str]] = {}
        for number, pair in enumerate(pairs, start=1):
            question, answer = _checked(pair.question, pair.answer, pair.source, f"pair {number}: ")
            checked[question_key(question)] = (question, answer, pair.source)
        now, table = utcnow(), KnowledgePairRow.__table__
        with self._write() as s:
            # Every stored key at once: an import may hold more questions than SQLite takes parameters.
            existing = dict(s.execute(select(KnowledgePairRow.question_key, KnowledgePairRow.id)).all())
            new = [dict(question=q, question_key=key, answer=a, source=src, created_at=now, updated_at=now)
                   for key, (q, a, src) in checked.items() if key not in existing]
            changed = [dict(pair_id=existing[key], question=q, answer=a, source=src, updated_at=now)
                       for key, (q, a, src) in checked.items() if key in existing]
            # Core statements: the ORM's bulk path costs a second per 10,000 rows here.
            if new:
                s.execute(insert(table), new)
            if changed:
                s.execute(update(table).where(table.c.id == bindparam("pair_id")), changed)
        return len(new), len(changed)

    def teach(self, message_id: int, text: str) -> Taught:
        """The better reply ``text`` for the bot message ``message_id``, in one transaction: a
        correction (for fine-tuning) and the pair (the user's message before it -> ``text``), which
        the bot answers from at once. A message the pair cannot be made from (no text before the
        reply, or too long) keeps the correction only, and ``Taught.skipped`` says why."""
        text = text.strip()
        if not text:
            raise ValueError("a correction needs some text")
        with self._write() as s:
            message = s.get(Message, message_id)
            if message is None or message.role != "bot":
                raise ValueError("only a bot message can be corrected")
            s.add(Correction(message_id=message_id, text=text))
            asked = s.execute(select(Message.role, Message.text)
                              .where(Message.conversation_id == message.conversation_id, Message.id < message_id)
                              .order_by(Message.id.desc()).limit(1)).first()
            question = asked.text.strip() if asked is not None and asked.role == "user" else ""
            skipped = pair_problem(question, text) if question else "there is no message of yours before this reply"
            if skipped is not None:
                return Taught(None, False, skipped)
            _row, replaced = _upsert(s, question, text, "user")
            return Taught(question, replaced, "")


def _checked(question: str, answer: str, source: str, where: str = "") -> tuple[str, str]:
    if source not in STORED_SOURCES:
        raise ValueError(f"{where}unknown source {source!r} (one of {', '.join(STORED_SOURCES)})")
    problem = pair_problem(question, answer)
    if problem is not None:
        raise ValueError(where + problem)
    return question.strip(), answer.strip()


def _upsert(s: Session, question: str, answer: str, source: str) -> tuple[KnowledgePairRow, bool]:
    key = question_key(question)
    row = s.scalar(select(KnowledgePairRow).where(KnowledgePairRow.question_key == key))
    now = utcnow()
    if row is None:
        row = KnowledgePairRow(question=question, question_key=key, answer=answer, source=source,
                               created_at=now, updated_at=now)
        s.add(row)
        replaced = False
    else:
        row.question, row.answer, row.source, row.updated_at = question, answer, source, now
        replaced = True
    s.flush()
    return row, replaced


def _record(row: KnowledgePairRow) -> KnowledgeRecord:
    return KnowledgeRecord(row.id, row.question, row.answer, row.source, row.created_at, row.updated_at)
