"""The controller (`cc112 run`) and the watchdog (`cc112 watchdog`) as separate processes, as in production.

    proc = await CcProcess.start(tmp_path / "first.log", ["run", "--config", str(config), "--no-api"], env)
    await proc.wait_for_event("ari_events_connected")
    proc.kill()                      # SIGKILL: nothing is cleaned up, as in a crash
    await proc.terminate()           # SIGTERM, bounded wait

Their logs are JSON lines (`--log-format json`); `events(name)` reads the lines with that event name.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from datetime import datetime
from pathlib import Path

from cc112_pbx.emulator.server import Emulator
from cc112_pbx.harness import SECRET
from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def controller_env(tmp_path: Path, emu: Emulator, *, http_port: int | None = None, **extra: str) -> dict[str, str]:
    """The environment `cc112 run` needs to reach the emulator, with a SQLite file in `tmp_path`."""
    env = dict(os.environ, CC112_ASTERISK_ARI_URL=emu.ari_url, CC112_ASTERISK_AMI_PORT=str(emu.ami_port),
               CC112_ASTERISK_ARI_PASSWORD=SECRET, CC112_ASTERISK_AMI_SECRET=SECRET,
               CC112_ASTERISK_RECORDINGS_DIR=str(emu.recordings_dir),
               CC112_ASTERISK_RECONNECT_MIN_DELAY="0.05", CC112_ASTERISK_RECONNECT_MAX_DELAY="0.5",
               CC112_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cc112.sqlite3'}",
               CC112_HTTP_API_SIGNING_KEY="reliability-tests-signing-key-0123456789")
    if http_port is not None:
        env["CC112_HTTP_PORT"] = str(http_port)
    env.update(extra)
    return env


async def log_in_every_seat(emu: Emulator, seats: int) -> None:
    """Each seat's softphone dials *11; done when the controller has put every seat in the fallback
    queue (its answer to a log-in)."""
    for n in range(1, seats + 1):
        emu.dial_feature_code(f"seat{n:02d}", "*11")
    await wait_until(lambda: len(emu.ami.queues.get("cc112-fallback").members) == seats, timeout=15,
                     what="every seat logged in (a member of the fallback queue)")


def seats_config(path: Path, seats: int, queue: str = "wrapup_time = 0\nring_timeout = 10\n") -> Path:
    path.write_text("[queue]\n" + queue + "".join(
        f'[[seats]]\nid = "seat{n:02d}"\nname = "Meja {n}"\ndial_string = "PJSIP/seat{n:02d}"\n'
        for n in range(1, seats + 1)))
    return path


class CcProcess:
    def __init__(self, log_path: Path, process: asyncio.subprocess.Process) -> None:
        self.log_path = log_path
        self.process = process

    @classmethod
    async def start(cls, log_path: Path, args: list[str], env: dict[str, str]) -> CcProcess:
        with log_path.open("ab") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "cc112_pbx", "--log-format", "json", *args,
                env=env, stdout=out, stderr=asyncio.subprocess.STDOUT)
        return cls(log_path, process)

    @property
    def pid(self) -> int:
        return self.process.pid

    def lines(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue  # a line being written
        return out

    def events(self, name: str) -> list[dict]:
        return [line for line in self.lines() if line.get("event") == name]

    async def wait_for_event(self, name: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
        def seen() -> list[dict] | None:
            if self.process.returncode is not None:
                raise AssertionError(f"{self.log_path.name}: exited {self.process.returncode} before {name}:\n"
                                     + self.log_path.read_text(errors="replace")[-3000:])
            found = self.events(name)
            return found if len(found) >= count else None

        return await wait_until(seen, timeout=timeout, interval=0.05, what=f"{count} x {name} in {self.log_path.name}")

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def terminate(self, timeout: float = 15.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.kill()
            return await self.process.wait()


def at(line: dict) -> datetime:
    return datetime.fromisoformat(line["timestamp"])
