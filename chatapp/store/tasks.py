"""Steps of the chat's store work that take more than one store call, written as functions of
the store: the controller queues them to the store's owner thread (``chatapp.store.owner``), so
each runs there whole, between the tasks queued before and after it."""
from __future__ import annotations

from typing import Any, Optional

from chatapp.store.db import WRITE_ERRORS

DEFAULT_TITLE = "New conversation"


def retitle(store: Any, conversation_id: int, text: str) -> Any:
    """Name an untitled conversation after its first message: True if it was renamed, False if
    it has a title, or the error when the store refused the new one (the message stays saved)."""
    if store.title(conversation_id) != DEFAULT_TITLE:
        return False
    words = " ".join(text.split())
    try:
        store.rename_conversation(conversation_id, words[:48] + ("…" if len(words) > 48 else ""))
    except WRITE_ERRORS as error:
        return error
    return True


def page(store: Any, conversation_id: int, before_id: Optional[int], limit: int) -> tuple[list, bool]:
    """A page of messages, oldest first, and whether there are earlier ones."""
    messages = store.messages(conversation_id, before_id=before_id, limit=limit + 1)
    return messages[-limit:], len(messages) > limit


def mood_points(store: Any, conversation_id: int) -> list[tuple[str, dict[str, float]]]:
    """(label, probabilities) of the user's labelled messages, in order: the mood chart."""
    return [(label, probs) for _, _, label, probs in store.mood(conversation_id)]
