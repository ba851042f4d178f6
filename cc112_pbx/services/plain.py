"""Stored records (frozen dataclasses) as plain JSON-ready dicts: datetimes in ISO 8601 UTC,
enums as their values, nothing else changed."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return value


def plain(record: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f.name: plain_value(getattr(record, f.name))
            for f in dataclasses.fields(record) if f.name not in drop}
