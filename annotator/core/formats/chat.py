"""Prompts published as chat messages, flattened to the text an annotator reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Message(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    role: str
    content: str


def messages_text(messages: list[Message] | str) -> str:
    """One "role: content" line (or paragraph) per message, in order."""
    if isinstance(messages, str):
        return messages
    return "\n".join(f"{m.role}: {m.content}" for m in messages)

