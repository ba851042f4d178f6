"""The core's one exception type."""

from __future__ import annotations


class CoreError(Exception):
    """A request the core refuses; `kind` says why (not_found, conflict, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
