"""`cc112 bench` load mode: the controller and the emulator in separate processes, at increasing
calls in flight, each level measured again with the protocol floor in the controller's place.

Per level and consumer, three processes: this one (it only orchestrates), the emulator with the
simulated parties and the measures (`load_driver`), and the consumer: the real controller
(`python -m cc112_pbx run --config <generated toml> --no-api`, SQLite, recordings through AMI
MixMonitor, logs at info to a file) or the floor (`floor.py`: the same ARI requests, no logic).
What a level does and what each figure means: `load_driver`'s docstring.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, BinaryIO

from cc112_pbx.bench.load_driver import SECRET, LoadSpec

CONSUMERS = ("controller", "floor")
STOP_TIMEOUT = 20.0


def controller_toml(spec: LoadSpec, ari_url: str, ami_port: int, workdir: Path) -> str:
    """The controller's settings for a level: every seat, wrap-up 0, no callbacks, no missed-call pause."""
    lines = [
        "[asterisk]", f'ari_url = "{ari_url}"', 'ari_user = "cc112"', 'ari_app = "cc112"',
        'ami_host = "127.0.0.1"', f"ami_port = {ami_port}", 'ami_user = "cc112"',
        f'recordings_dir = "{(workdir / "recordings").resolve()}"', "request_timeout = 30.0",
        "", "[database]", f'url = "sqlite+aiosqlite:///{(workdir / "cc112.sqlite3").resolve()}"',
        "", "[logging]", 'level = "info"', 'format = "json"',
        "", "[queue]", "wrapup_time = 0", "auto_pause_after_missed = 0", "overflow_after = 0",
        "", "[callback]", "enabled = false", "",
    ]
    for n in range(1, spec.in_flight + 1):
        lines += ["[[seats]]", f'id = "seat{n:02d}"', f'name = "Meja {n}"', f'dial_string = "PJSIP/seat{n:02d}"']
    return "\n".join(lines) + "\n"


def _fresh_workdir(workdir: Path, consumer: str) -> tuple[BinaryIO, BinaryIO]:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    return open(workdir / "emulator.log", "wb"), open(workdir / f"{consumer}.log", "wb")


async def run_level(spec: LoadSpec, consumer: str, workdir: Path) -> dict[str, Any]:
    """One level with one consumer, in fresh processes; the driver's result object."""
    emu_log, log = await asyncio.to_thread(_fresh_workdir, workdir, consumer)
    spec = replace(spec, recordings_dir=str(workdir / "recordings"))
    try:
        driver = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cc112_pbx.bench.load_driver", json.dumps(asdict(spec)),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=emu_log)
        consumer_proc: asyncio.subprocess.Process | None = None
        try:
            ready = json.loads(await _line(driver, 30.0))
            consumer_proc = await _start_consumer(consumer, spec, ready, workdir, log)
            _send(driver, {"pid": consumer_proc.pid, "login": consumer == "controller"})
            result_line = asyncio.ensure_future(_line(driver, spec.timeout * 3))
            died = asyncio.ensure_future(consumer_proc.wait())
            done, _ = await asyncio.wait({result_line, died}, return_when=asyncio.FIRST_COMPLETED)
            if result_line not in done:
                result_line.cancel()
                raise RuntimeError(f"the {consumer} exited ({consumer_proc.returncode}) during the level: "
                                   f"see {workdir / (consumer + '.log')}")
            died.cancel()
            result = json.loads(result_line.result())
            _send(driver, {"stop": True})
        finally:
            if consumer_proc is not None:
                await _stop(consumer_proc)
            await _stop(driver)
    finally:
        emu_log.close()
        log.close()
    return result


async def _start_consumer(consumer: str, spec: LoadSpec, ready: dict[str, Any], workdir: Path,
                          log: Any) -> asyncio.subprocess.Process:
    if consumer == "floor":
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cc112_pbx.bench.floor", ready["ari_url"], "cc112", SECRET, str(spec.in_flight),
            stdout=log, stderr=log)
    config = workdir / "cc112.toml"
    await asyncio.to_thread(config.write_text, controller_toml(spec, ready["ari_url"], ready["ami_port"], workdir))
    env = {**os.environ, "CC112_ASTERISK_ARI_PASSWORD": SECRET, "CC112_ASTERISK_AMI_SECRET": SECRET}
    env.pop("CC112_CONFIG", None)
    profile = os.environ.get("CC112_BENCH_PROFILE")  # a directory: the controller runs under cProfile
    wrap = ("-m", "cProfile", "-o", str(Path(profile) / f"controller-{spec.in_flight}.prof")) if profile else ()
    return await asyncio.create_subprocess_exec(
        sys.executable, *wrap, "-m", "cc112_pbx", "run", "--config", str(config), "--no-api",
        stdout=log, stderr=log, env=env)


def _send(proc: asyncio.subprocess.Process, message: dict[str, Any]) -> None:
    assert proc.stdin is not None
    proc.stdin.write((json.dumps(message) + "\n").encode())


async def _line(proc: asyncio.subprocess.Process, timeout: float) -> str:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout)
    if not line:
        raise RuntimeError(f"the bench's emulator process exited ({await proc.wait()}) early: see its log")
    return line.decode()


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    if proc.stdin is not None and not proc.stdin.is_closing():
        proc.stdin.close()
    try:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
    except ProcessLookupError:
        return
    except TimeoutError:
        proc.kill()
        await proc.wait()


async def run_load_bench(levels: tuple[int, ...], base: LoadSpec, workdir: Path,
                         progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    rows = []
    for in_flight in levels:
        spec = replace(base, in_flight=in_flight, window_calls=min(base.window_calls, max(20, in_flight)))
        row: dict[str, Any] = {}
        for consumer in CONSUMERS:
            if progress is not None:
                progress(f"load: {in_flight} calls in flight, {consumer}")
            row[consumer] = await run_level(spec, consumer, workdir / f"{in_flight}-{consumer}")
        rows.append(_level_row(row["controller"], row["floor"]))
    return {"seats": "one per call in flight", "answer_after": base.answer_after, "rate": base.rate,
            "outstanding": base.outstanding, "levels": rows}


LEVEL_KEYS = ("in_flight", "seats", "setups_per_s", "stasis_to_originate_ms", "free_to_ring_ms",
              "cpu_ms_per_call", "rss_kb_per_call")


def _level_row(controller: dict[str, Any], floor: dict[str, Any]) -> dict[str, Any]:
    """The controller's figures at the top level (the JSON's `levels` shape), the floor's under `floor`."""
    return {**controller, "floor": floor}
