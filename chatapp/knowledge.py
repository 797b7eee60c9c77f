"""``KnowledgeActions``: the (question, answer) pairs the bot answers from at once.

A mixin of ``ChatController`` (which gives the store's owner, ``read``, ``_failed``, the host and
the signals). Every change to the pairs runs on the store's thread in one transaction and returns
the whole new set, which goes to the engine (``EngineHost.set_knowledge``) before the next reply is
asked for; the Knowledge view is told through ``knowledge_changed``. Reading a pairs file
(``engine.knowledge_files``) runs on the store's thread too, off the GUI thread.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from chatapp.store.db import WRITE_ERRORS, write_failure

SHOWN_PAIRS = 500  # the Knowledge view lists at most this many; a search narrows them
Failed = Callable[[str], None]  # why a change was refused, in one line


class KnowledgeActions:
    """Load, list, add, edit, delete and import pairs (mixed into ``ChatController``)."""

    def load_knowledge(self) -> None:
        """At start: the stored pairs go to the engine, once."""
        self.read(lambda store: store.knowledge_for_engine(), self.host.set_knowledge)

    def knowledge(self, query: str, done: Callable[[list, int], None], limit: int = SHOWN_PAIRS) -> None:
        """``done(pairs, total)``: the pairs that match ``query`` (all for a blank one), newest
        first, at most ``limit``, and how many pairs are stored in all."""
        self.read(lambda store: (store.search_knowledge(query, limit), store.knowledge_count()),
                  lambda found: done(*found))

    def add_knowledge(self, question: str, answer: str, done: Callable[[Any, bool], None],
                      failed: Optional[Failed] = None) -> None:
        """Store a pair: ``done(record, replaced)``, replaced when its question was there already
        and got the new answer; ``failed(why)`` when it is refused (nothing changed)."""
        self._change_knowledge(lambda store: store.add_knowledge(question, answer),
                               lambda found: done(*found), failed, "The pair was not saved")

    def update_knowledge(self, pair_id: int, question: str, answer: str, done: Callable[[Any], None],
                         failed: Optional[Failed] = None) -> None:
        self._change_knowledge(lambda store: store.update_knowledge(pair_id, question, answer), done, failed,
                               "The pair was not changed")

    def delete_knowledge(self, pair_id: int, done: Optional[Callable[[bool], None]] = None) -> None:
        self._change_knowledge(lambda store: store.delete_knowledge(pair_id), done, None, "The pair was not deleted")

    def import_knowledge(self, path: Path, done: Callable[[int, int], None], failed: Failed) -> None:
        """Read a pairs file (TSV, CSV or JSON) and store all of it in one transaction:
        ``done(added, replaced)``; ``failed(why)`` for a file with any problem (the message names
        the file and line) or a refused write, and then nothing of it is stored."""
        from engine.knowledge_files import read_pairs

        self._change_knowledge(lambda store: store.import_pairs(read_pairs(Path(path))),
                               lambda counts: done(*counts), failed, f"{Path(path).name} was not imported")

    def _change_knowledge(self, change: Callable[[Any], Any], done: Optional[Callable[[Any], None]],
                          failed: Optional[Failed], what: str) -> None:
        """``change(store)`` and the new set of pairs, read in the same task; the set goes to the
        engine, then ``done(result)``. A refused change (``ValueError``/``KeyError``: bad text, a
        pair gone; or a write the store refused) calls ``failed(why)`` and changes nothing."""
        def work(store: Any) -> tuple[Any, list]:
            result = change(store)
            return result, store.knowledge_for_engine()

        def changed(found: tuple[Any, list]) -> None:
            result, pairs = found
            self.host.set_knowledge(pairs)
            self.knowledge_changed.emit(len(pairs))
            if done is not None:
                done(result)

        def refused(error: BaseException) -> None:
            if isinstance(error, WRITE_ERRORS):
                self._failed(None, what, error)  # a banner with the reason (full disk, read-only)
                why = f"{what}: {write_failure(error, self.data_dir)}"
            else:
                why = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
            if failed is not None:
                failed(why)

        self.owner.run(work, changed, refused)

    def after_teach(self, conversation_id: Optional[int], taught: Any, pairs: list) -> None:
        """After Teach: the engine gets the new set of pairs, and the chat says what was kept."""
        if taught.question is None:
            self.notice.emit(conversation_id, "info", f"Your better reply is kept for fine-tuning; it was not "
                                                      f"stored as knowledge because {taught.skipped}.")
            return
        self.host.set_knowledge(pairs)
        self.knowledge_changed.emit(len(pairs))
        if taught.replaced:
            self.notice.emit(conversation_id, "info", f"“{_short(taught.question)}” is now answered with your "
                                                      "reply, in place of the answer taught before.")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
