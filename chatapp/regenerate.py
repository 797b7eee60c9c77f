"""``Regenerating``: another reply in place of a bot message.

Each press asks the engine for a reply to the same user message that avoids every text this
message has shown, so the presses walk through the replies the model finds likely (the beam's
n-best, or new samples) until none is left. A mixin of ``ChatController``, which gives
``read``, the host, the settings, ``_shown``, ``_on_reply``, ``_track`` and the signals.
"""
from __future__ import annotations

import re
from typing import Any

from chatapp.ops import OpContext
from chatapp.settings import make_decode_config


class Regenerating:
    """Regenerate a reply (mixed into ``ChatController``)."""

    def regenerate(self, message_id: int) -> None:
        """Ask for another reply to the user message before this bot message, and put it in its
        place: the engine avoids every text this message has shown, so each press gives the next
        of the replies it finds (the beam's n-best, or new samples) until none is left."""
        def look(store: Any) -> Any:
            message = store.message(message_id)
            if message is None or message.role != "bot":
                return None
            previous = store.messages(message.conversation_id, before_id=message_id, limit=1)
            history = store.exchanges(message.conversation_id, before_id=previous[0].id) if previous else []
            return message, previous[0] if previous else None, history

        self.read(look, lambda found: found is not None and self._regenerate(*found))

    def _regenerate(self, message: Any, previous: Any, history: list[tuple[str, str]]) -> None:
        message_id, conversation_id = message.id, message.conversation_id
        if self.is_busy(conversation_id):
            return
        if previous is None or previous.role != "user" or not previous.text.strip():
            self.notice.emit(conversation_id, "info", "Only a reply to a text message can be regenerated.")
            return
        prompt = previous.text
        decoding = self.settings.decoding()
        shown = self._shown.setdefault(message_id, [message.text])
        avoid = tuple(shown)  # a copy: the worker reads it while the GUI thread may add to the list

        def reply(engine: Any, ctx: OpContext) -> Any:
            state = engine.rebuild_state(history) if history else None
            return engine.reply(prompt, state, make_decode_config(decoding), ctx.should_stop, avoid=avoid)

        op = self.host.call(reply, "regenerate")
        op.result.connect(lambda r: self._on_regenerated(conversation_id, message_id, r, decoding))
        self._track(conversation_id, op, "No new reply")

    def _on_regenerated(self, conversation_id: int, message_id: int, reply: Any,
                        decoding: dict[str, Any]) -> None:
        shown = self._shown.setdefault(message_id, [])
        if _plain(reply.text) in {_plain(text) for text in shown}:
            self.notice.emit(conversation_id, "info",
                             "No other reply found: the model has no other likely reply to that message."
                             if len(shown) < 2 else
                             f"No other reply found: the model's {len(shown)} likely replies have all been shown.")
            return
        self._on_reply(conversation_id, reply, decoding, message_id, then=lambda: shown.append(reply.text))


def _plain(text: str) -> str:
    """A reply as compared for "the same reply", as the engine's ``avoid`` compares it: words
    alone, case and punctuation aside ("Hey whats up!" is "hey whats up")."""
    return " ".join(re.findall(r"\w+", text.lower()))
