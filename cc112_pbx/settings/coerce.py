"""Turn raw TOML values or environment strings into typed field values, and check field rules.

Every failure is an `Invalid` carrying the reason only; the loader prefixes the key.
"""

from __future__ import annotations

import math
import os
import re
import types
import typing
from dataclasses import Field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cc112_pbx.settings.model import Secret

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class Invalid(ValueError):
    """One field's value is wrong; the message is the reason."""


def describe(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "table"}
    return f"{kind.get(type(value), type(value).__name__)} {value!r}"


def is_secret(hint: Any) -> bool:
    return isinstance(hint, types.UnionType) and Secret in typing.get_args(hint)


def coerce(value: Any, hint: Any, from_env: bool) -> Any:
    """`value` (a TOML value, or a string when `from_env`) as the type `hint` names."""
    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise Invalid(f"must be one of {allowed} (got {describe(value)})")
        return value
    if typing.get_origin(hint) is tuple:
        return _as_str_tuple(value, from_env)
    converter = _CONVERTERS.get(hint)
    if converter is None:
        raise TypeError(f"no converter for {hint!r}")
    return converter(value, from_env)


def _as_str(value: Any, from_env: bool) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a string (got {describe(value)})")
    return value


def _as_int(value: Any, from_env: bool) -> int:
    if from_env:
        try:
            return int(value.strip())
        except ValueError:
            raise Invalid(f"must be an integer (got {value!r})") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be an integer (got {describe(value)})")
    return value


def _as_float(value: Any, from_env: bool) -> float:
    if from_env:
        try:
            number = float(value.strip())
        except ValueError:
            raise Invalid(f"must be a number (got {value!r})") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"must be a number (got {describe(value)})")
    else:
        number = float(value)
    if not math.isfinite(number):
        raise Invalid(f"must be a finite number (got {value!r})")
    return number


def _as_bool(value: Any, from_env: bool) -> bool:
    if from_env:
        text = value.strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise Invalid(f"must be true or false (got {value!r})")
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false (got {describe(value)})")
    return value


def _as_path(value: Any, from_env: bool) -> Path:
    text = _as_str(value, from_env)
    if not text.strip():
        raise Invalid("must be a non-empty path")
    return Path(text)


def _as_str_tuple(value: Any, from_env: bool) -> tuple[str, ...]:
    if from_env:
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"must be an array of strings (got {describe(value)})")
    return tuple(value)


_CONVERTERS = {str: _as_str, int: _as_int, float: _as_float, bool: _as_bool, Path: _as_path}


def check_rules(value: Any, spec: Field) -> None:
    """Apply the rules in the field's metadata (see `model._f`)."""
    rules = spec.metadata
    if "gt" in rules and not value > rules["gt"]:
        raise Invalid(f"must be greater than {rules['gt']} (got {value!r})")
    if "ge" in rules and not value >= rules["ge"]:
        raise Invalid(f"must be at least {rules['ge']} (got {value!r})")
    if "le" in rules and not value <= rules["le"]:
        raise Invalid(f"must be at most {rules['le']} (got {value!r})")
    if rules.get("nonempty") and not (value.strip() if isinstance(value, str) else value):
        raise Invalid("must not be empty")
    if "pattern" in rules:
        for item in value if isinstance(value, tuple) else (value,):
            if not re.fullmatch(rules["pattern"], item):
                raise Invalid(f"{item!r} does not match {rules['pattern']}")
    if "contains" in rules and rules["contains"] not in value:
        raise Invalid(f"must contain {rules['contains']} (got {value!r})")
    if rules.get("absolute") and not Path(value).is_absolute():
        raise Invalid(f"must be an absolute path, as Asterisk sees it (got {str(value)!r})")
    if "url" in rules:
        _check_url(value, rules["url"])
    if rules.get("database_url"):
        check_database_url(value)


def _check_url(value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise Invalid(f"must be a URL like {schemes[0]}://host:port (got {value!r})")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise Invalid(f"has an invalid port (got {value!r})") from None


def check_database_url(url: str) -> None:
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in DATABASE_DRIVERS:
        raise Invalid(
            f"must start with {' or '.join(d + '://' for d in DATABASE_DRIVERS)} (got {url.split('@')[-1]!r})"
        )
    if scheme.startswith("sqlite"):
        _check_sqlite_path(rest)


def _check_sqlite_path(rest: str) -> None:
    """`rest` is what follows `sqlite+aiosqlite://`: `/relative.db`, `//abs/path.db` or `/:memory:`."""
    path_text = rest[1:].split("?", 1)[0] if rest.startswith("/") else rest
    if path_text in ("", ":memory:"):
        return
    path = Path(path_text)
    if path.is_dir():
        raise Invalid(f"database file {str(path)!r} is a directory")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise Invalid(
            f"directory {str(path.parent)!r} cannot be created or written (nearest: {str(ancestor)!r})"
        )
