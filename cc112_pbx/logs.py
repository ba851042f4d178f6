"""Logging: structlog key-values, a console renderer on a terminal, JSON lines otherwise.

`configure_logging(level, fmt)` once at start (the CLI does it from `--log-format`/`--log-level`;
a command that loads settings then calls `configure_from_settings(settings.logging, args.log_level,
args.log_format)` so the configured level applies);
the standard library's loggers (aiohttp, alembic, asyncio) are routed through the same renderer.
`bind_call(logger, call_id=..., channel=..., seat=..., incident_id=...)` binds the call-scoped
keys; `bound_call(...)` does the same for every log line inside a `with` block (contextvars).
Secrets (`Secret`) render masked whichever way they reach a log line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog

from cc112_pbx.settings.model import LoggingSettings, Secret

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR, "critical": logging.CRITICAL}
FORMATS = ("auto", "console", "json")
CALL_KEYS = ("call_id", "channel", "seat", "incident_id")


def resolve_format(fmt: str, stream: TextIO) -> str:
    """"console" or "json": `auto` means console when `stream` is a terminal."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if fmt != "auto":
        return fmt
    isatty = getattr(stream, "isatty", None)
    return "console" if isatty is not None and isatty() else "json"


def _mask_secrets(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, Secret):
            event[key] = "**********"
    return event


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _mask_secrets,
    ]


def configure_logging(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> str:
    """Configure structlog and the standard library's logging; return the format chosen."""
    handler: logging.Handler = _StderrHandler() if stream is None else logging.StreamHandler(stream)
    stream = stream if stream is not None else sys.stderr
    if level.lower() not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)} (got {level!r})")
    numeric = LEVELS[level.lower()]
    chosen = resolve_format(fmt, stream)
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False) if chosen == "console"
        else structlog.processors.JSONRenderer(sort_keys=False)
    )
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if chosen == "json" else _identity,
            renderer,
        ],
    )
    handler.setFormatter(formatter)
    handler.set_name("cc112")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "cc112"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    return chosen


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the log line (tests swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _identity(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    return event


def configure_from_settings(
    section: LoggingSettings, cli_level: str | None = None, cli_format: str = "auto",
    stream: TextIO | None = None,
) -> str:
    """Configure from `settings.logging`; the CLI's `--log-level` wins, and `--log-format` unless "auto"."""
    fmt = cli_format if cli_format != "auto" else section.format
    return configure_logging(cli_level or section.level, fmt, stream)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)


def _call_keys(call_id: str | None, channel: str | None, seat: str | None,
               incident_id: int | str | None) -> dict[str, Any]:
    keys = {"call_id": call_id, "channel": channel, "seat": seat, "incident_id": incident_id}
    return {k: v for k, v in keys.items() if v is not None}


def bind_call(logger: Any, *, call_id: str | None = None, channel: str | None = None,
              seat: str | None = None, incident_id: int | str | None = None) -> Any:
    """`logger` with the given call-scoped keys bound (None values are left out)."""
    return logger.bind(**_call_keys(call_id, channel, seat, incident_id))


@contextmanager
def bound_call(*, call_id: str | None = None, channel: str | None = None,
               seat: str | None = None, incident_id: int | str | None = None) -> Iterator[None]:
    """Bind the call-scoped keys to every log line in this block (and tasks started in it)."""
    with structlog.contextvars.bound_contextvars(**_call_keys(call_id, channel, seat, incident_id)):
        yield
