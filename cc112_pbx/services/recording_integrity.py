"""Is a recording's file still what was stored? Size and SHA-256, checked off the event loop.

The file functions here block (they read the disk): call them through `asyncio.to_thread`.
A recording whose `checksum_state` is "unchecked" (its file was not readable from the controller
when the call ended, e.g. it lives on the Asterisk host) is not judged; "ok" ones are compared
with the file: missing, size changed, or (with `full=True`) content changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
MB = 1 << 20


def file_digest(path: str | Path) -> tuple[int, str]:
    """The file's size in bytes and its SHA-256 (hex); OSError when it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


@dataclass(frozen=True, slots=True)
class RecordingProblem:
    recording_id: int
    path: str
    problem: str  # "missing", "size changed", "checksum mismatch", "unreadable"

    def __str__(self) -> str:
        return f"recording {self.recording_id} ({self.path}): {self.problem}"


def check_recording(record: Any, *, full: bool) -> RecordingProblem | None:
    """The problem of one stored recording, or None (also for one never checked)."""
    if record.checksum_state != "ok" or record.deleted_at is not None:
        return None
    try:
        size = os.stat(record.path).st_size
    except FileNotFoundError:
        return RecordingProblem(record.id, record.path, "missing")
    except OSError as exc:
        return RecordingProblem(record.id, record.path, f"unreadable ({exc.strerror or exc})")
    if size != record.size_bytes:
        return RecordingProblem(record.id, record.path, f"size changed ({record.size_bytes} -> {size} bytes)")
    if full:
        try:
            _, sha = file_digest(record.path)
        except OSError as exc:
            return RecordingProblem(record.id, record.path, f"unreadable ({exc.strerror or exc})")
        if sha != record.sha256:
            return RecordingProblem(record.id, record.path, "checksum mismatch")
    return None


def check_recordings(records: Iterable[Any], *, full: bool) -> tuple[list[RecordingProblem], int, int]:
    """(problems, checked, not checked) over `records`."""
    problems: list[RecordingProblem] = []
    checked = unchecked = 0
    for record in records:
        if record.deleted_at is not None:
            continue
        if record.checksum_state != "ok":
            unchecked += 1
            continue
        checked += 1
        problem = check_recording(record, full=full)
        if problem is not None:
            problems.append(problem)
    return problems, checked, unchecked


def free_megabytes(directory: str | Path) -> int | None:
    """Free space on the directory's disk in MB (None: the directory is not on this host)."""
    try:
        return shutil.disk_usage(directory).free // MB
    except OSError:
        return None
