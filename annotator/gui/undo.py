"""Undo and redo as store writes: each command replays a change (or its inverse) through the core.

The action itself is committed before the command is pushed, so the first `redo` that QUndoStack calls on
push does nothing; later undos and redos are ordinary committed writes, just like the original action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtGui import QUndoCommand


class Invertible(Protocol):
    def inverse(self): ...


C = TypeVar("C", bound=Invertible)


class StoreCommand(QUndoCommand):
    """Replays `change` with `apply(change)`; undo applies `change.inverse()`. `after(change)` refreshes views."""

    def __init__(self, text: str, change: C, apply: Callable[[C], object], after: Callable[[C], None]):
        super().__init__(text)
        self.change = change
        self._apply = apply
        self._after = after
        self._first = True

    def redo(self) -> None:
        if self._first:  # already written by the action that created this command
            self._first = False
            return
        self._apply(self.change)
        self._after(self.change)

    def undo(self) -> None:
        back = self.change.inverse()
        self._apply(back)
        self._after(back)
