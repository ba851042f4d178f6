"""Shared fixtures for the whole suite (keep this small; per-area fixtures live beside their tests)."""

from __future__ import annotations

import logging

import pytest
import structlog


@pytest.fixture(autouse=True)
def _undo_configure_logging():
    """`cc112 ...` run in-process calls `configure_logging()`; undo it so tests stay independent."""
    yield
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == "cc112"]
    if ours:
        for handler in ours:
            root.removeHandler(handler)
        root.setLevel(logging.WARNING)
        structlog.reset_defaults()
