"""Report photos on disk (issue 17): one file per dispatch under `[dispatch] photo_dir`, written
atomically (a temporary file renamed into place), read back by the path the store returned."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


class DiskPhotoStore:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    async def save(self, name: str, data: bytes) -> str:
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        return await asyncio.to_thread(self._write, name, data)

    def _write(self, name: str, data: bytes) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / name
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return str(path)

    async def read(self, path: str) -> bytes:
        return await asyncio.to_thread(self._read, path)

    def _read(self, path: str) -> bytes:
        resolved = Path(path).resolve()
        if self.directory.resolve() not in resolved.parents:  # only files this store wrote
            raise FileNotFoundError(path)
        return resolved.read_bytes()
