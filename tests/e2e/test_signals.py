"""`cc112 serve` and signals, as a process against the emulator, with writes that cannot finish (the database
file is not a database, so the journal keeps every write and retries): SIGTERM drains until the deadline, logs
what is left unwritten and exits 0; a second SIGINT while it drains exits at once with 130."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from cc112_pbx.harness import SECRET


class ServeProcess:
    """`cc112 serve` as a child process; its JSON log lines as they arrive."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.events: list[dict] = []
        self.raw: list[str] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read(), name="serve-output")

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            async for line in self.proc.stdout:
                text = line.decode(errors="replace").rstrip()
                self.raw.append(text)
                try:
                    self.events.append(json.loads(text))
                except ValueError:
                    pass
                self._arrived.set()
        finally:
            self._arrived.set()  # the end of the output wakes a waiter too

    def logged(self, event: str) -> list[dict]:
        return [entry for entry in self.events if entry.get("event") == event]

    async def wait_logged(self, event: str, timeout: float) -> dict:
        try:
            async with asyncio.timeout(timeout):
                while not self.logged(event) and not self._reader.done():
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            pass
        if not self.logged(event):
            raise AssertionError(f"{event} not logged; output:\n" + "\n".join(self.raw[-40:]))
        return self.logged(event)[0]

    async def exited(self, timeout: float) -> int:
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        await self._reader
        return code

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        await self._reader


async def start_serve(emu: Emulator, tmp_path: Path, *extra: str) -> ServeProcess:
    config = tmp_path / "cc112.toml"
    config.write_text('[[seats]]\nid = "seat01"\nname = "Meja 1"\ndial_string = "PJSIP/seat01"\n')
    unwritable = tmp_path / "not-a-database.sqlite3"
    unwritable.write_bytes(b"not an SQLite database\n" * 100)  # every write fails at once, again and again
    env = dict(os.environ, CC112_ASTERISK_ARI_URL=emu.ari_url, CC112_ASTERISK_AMI_PORT=str(emu.ami_port),
               CC112_ASTERISK_ARI_PASSWORD=SECRET, CC112_ASTERISK_AMI_SECRET=SECRET,
               CC112_ASTERISK_RECORDINGS_DIR=str(tmp_path / "rec"),
               CC112_DATABASE_URL=f"sqlite+aiosqlite:///{unwritable}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx", "--log-format", "json", "serve", "--config", str(config), *extra,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    serve = ServeProcess(proc)
    try:
        await serve.wait_logged("controller_started", timeout=20)
        emu.place_call(number="+6281255556666", talk_time=30)  # its call and incident cannot be written
        await serve.wait_logged("journal_write_failed_will_retry", timeout=10)
    except BaseException:
        await serve.close()
        raise
    return serve


def emulator(tmp_path: Path) -> Emulator:
    return Emulator(EmulatorConfig(seats=1, ami_secret=SECRET, ari_password=SECRET, recordings_dir=tmp_path / "rec"))


async def test_sigterm_stops_within_the_deadline_logs_what_is_unwritten_and_exits_0(tmp_path):
    deadline = 2.0
    async with emulator(tmp_path) as emu:
        serve = await start_serve(emu, tmp_path, "--shutdown-deadline", str(deadline))
        try:
            loop = asyncio.get_running_loop()
            sent = loop.time()
            serve.proc.send_signal(signal.SIGTERM)
            code = await serve.exited(timeout=deadline + 10)
            took = loop.time() - sent
        finally:
            await serve.close()
    output = "\n".join(serve.raw[-40:])
    assert code == 0, output
    assert took < deadline + 4, f"took {took:.1f}s for a {deadline}s deadline"
    assert serve.logged("journal_unwritten"), output  # each write left is logged for replay
    [stopped] = serve.logged("controller_stopped")
    assert stopped["unwritten"] >= 1


async def test_a_second_sigint_while_draining_exits_at_once_with_130(tmp_path):
    async with emulator(tmp_path) as emu:
        serve = await start_serve(emu, tmp_path)  # the default deadline: draining would take ~10 s
        try:
            serve.proc.send_signal(signal.SIGINT)
            await serve.wait_logged("stopping", timeout=5)  # serve_forever returned: the app drains
            loop = asyncio.get_running_loop()
            sent = loop.time()
            serve.proc.send_signal(signal.SIGINT)
            code = await serve.exited(timeout=8)
            took = loop.time() - sent
        finally:
            await serve.close()
    output = "\n".join(serve.raw[-40:])
    assert code == 130, output
    assert took < 3, f"took {took:.1f}s to exit after the second signal"
    [forced] = serve.logged("forced_exit")
    assert forced["signal"] == "SIGINT" and forced["exit_code"] == 130
    assert not serve.logged("controller_stopped")  # it did not wait for the drain
