"""Export a conversation to Markdown or JSON, and import the JSON back (a full round trip).

The JSON carries everything the store keeps about each message, images included (base64), so a
conversation moved to another data folder arrives whole.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from chatapp.store.db import WRITE_ERRORS, StoreError, write_failure
from chatapp.store.store import Store

FORMAT = "chatapp-conversation/1"
IMPORTED_AGAIN = " (imported again)"  # added to the title of a conversation that is already here


def export_dict(store: Store, conversation_id: int) -> dict[str, Any]:
    info = store.conversation(conversation_id)
    if info is None:
        raise KeyError(f"no conversation {conversation_id}")
    messages = []
    for message in store.messages(conversation_id):
        entry: dict[str, Any] = {"role": message.role, "text": message.text,
                                 "time": message.created_at.isoformat()}
        if message.sentiment_label:
            entry["sentiment"] = {"label": message.sentiment_label,
                                  "probabilities": message.sentiment_probabilities or {}}
        if message.has_attention:
            entry["attention"] = store.attention(message.id)
        for key in ("score", "decoding", "correction"):
            if getattr(message, key) is not None:
                entry[key] = getattr(message, key)
        if message.feedback:
            entry["feedback"] = message.feedback
        if message.attachments:
            entry["attachments"] = [{"file_name": a.file_name, "mime_type": a.mime_type,
                                     "sha256": a.sha256,
                                     "data": base64.b64encode(a.path.read_bytes()).decode("ascii")}
                                    for a in message.attachments]
        messages.append(entry)
    return {"format": FORMAT, "title": info.title, "created_at": info.created_at.isoformat(),
            "messages": messages}


def export_markdown(store: Store, conversation_id: int) -> str:
    info = store.conversation(conversation_id)
    if info is None:
        raise KeyError(f"no conversation {conversation_id}")
    lines = [f"# {info.title}", ""]
    for message in store.messages(conversation_id):
        who = "You" if message.role == "user" else "Bot"
        when = message.created_at.strftime("%Y-%m-%d %H:%M")
        mood = (f" · {message.sentiment_label} {message.sentiment_confidence:.0%}"
                if message.sentiment_label in ("negative", "neutral", "positive") else "")
        lines.append(f"**{who}** · {when}{mood}")
        lines.append("")
        for attachment in message.attachments:
            lines.append(f"![{attachment.file_name}]({attachment.file_name})")
        if message.text:
            lines.extend(f"> {line}" if line else ">" for line in message.text.splitlines())
        if message.correction:
            lines.extend(["", f"*Better reply:* {message.correction}"])
        lines.append("")
    return "\n".join(lines)


def import_dict(store: Store, data: dict[str, Any]) -> int:
    """Add the exported conversation as a new one; returns its id. Raises ValueError when the
    data is not a chatapp conversation (checked before anything is written)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("this file is not a chatapp conversation export")
    messages = data.get("messages")
    if not isinstance(messages, list) or not all(
            isinstance(m, dict) and m.get("role") in ("user", "bot") and isinstance(m.get("text"), str)
            for m in messages):
        raise ValueError("the conversation's messages are malformed")
    decoded = [[base64.b64decode(a["data"], validate=True) for a in m.get("attachments", [])]
               for m in messages]
    title = str(data.get("title") or "Imported conversation")
    if already_here(store, title, messages) is not None:
        title += IMPORTED_AGAIN  # two identical entries would look like a bug; say what it is
    conversation = store.create_conversation(title)
    try:
        for message, images in zip(messages, decoded):
            when = _time(message.get("time"))
            if images:
                first = message["attachments"][0]
                record = store.add_image_message(conversation.id, first["file_name"], images[0],
                                                 first.get("mime_type", "image/png"),
                                                 text=message["text"], created_at=when)
            else:
                sentiment = message.get("sentiment")
                record = store.add_message(
                    conversation.id, message["role"], message["text"], created_at=when,
                    sentiment=(sentiment["label"], sentiment["probabilities"]) if sentiment else None,
                    attention=message.get("attention"), score=message.get("score"),
                    decoding=message.get("decoding"))
            if message.get("correction"):
                store.add_correction(record.id, message["correction"])
            if message.get("feedback"):
                store.set_feedback(record.id, int(message["feedback"]))
    except Exception:
        try:
            store.delete_conversation(conversation.id)  # no half-imported conversation is left
        except StoreError:
            pass  # on a full disk the delete may fail too: the first error is the one to report
        raise
    return conversation.id


def export_file(store: Store, conversation_id: int, path: Path) -> None:
    """Markdown for a ``.md`` path, JSON otherwise."""
    if path.suffix.lower() in (".md", ".markdown"):
        path.write_text(export_markdown(store, conversation_id), encoding="utf-8")
    else:
        path.write_text(json.dumps(export_dict(store, conversation_id), ensure_ascii=False, indent=1),
                        encoding="utf-8")


def import_file(store: Store, path: Path) -> int:
    """Import an exported JSON conversation; returns its id. Raises ValueError with a reason for a
    file that cannot be read and for a store that refuses the writes (a full disk)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path.name} could not be read: {error}") from error
    try:
        return import_dict(store, data)
    except WRITE_ERRORS as error:
        raise ValueError(f"{path.name} was not imported: {write_failure(error, store.data_dir)}") from error


def already_here(store: Store, title: str, messages: list[dict[str, Any]]) -> int | None:
    """The id of a conversation with this title (or a copy's) and the same messages, or None."""
    title = " ".join(title.split())
    wanted = [(m["role"], m["text"], _time(m.get("time"))) for m in messages]
    for info in store.conversations():
        if info.title not in (title, title + IMPORTED_AGAIN) or info.message_count != len(wanted):
            continue
        if [(m.role, m.text, m.created_at) for m in store.messages(info.id)] == wanted:
            return info.id
    return None


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
