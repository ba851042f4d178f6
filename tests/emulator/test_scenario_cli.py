"""`cc112 emulator` as a process: one ready line with the real ports, clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import aiohttp

from cc112_pbx.cli.main import main

READY = re.compile(r"^emulator ready ami=127\.0\.0\.1:(\d+) ari=http://127\.0\.0\.1:(\d+)$")


async def test_emulator_command_prints_ready_line_serves_and_stops_on_sigterm(tmp_path: Path):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text('[[seats]]\nid = "seat07"\nanswer_after = 0.1\n')
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx", "emulator", "--ami-port", "0", "--ari-port", "0", "--seats", "2",
        "--recordings-dir", str(tmp_path / "rec"), "--scenario", str(scenario),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        match = READY.match(line)
        assert match, line
        ami_port, ari_port = int(match.group(1)), int(match.group(2))
        headers = {"Authorization": aiohttp.encode_basic_auth("cc112", "cc112secret")}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{ari_port}/ari/endpoints/PJSIP", headers=headers) as r:
                names = sorted(e["resource"] for e in await r.json())
        assert {"seat01", "seat02", "seat07", "telco"} <= set(names)
        reader, writer = await asyncio.open_connection("127.0.0.1", ami_port)
        assert (await reader.readline()).startswith(b"Asterisk Call Manager/")
        writer.close()
        await writer.wait_closed()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    assert rest.decode().strip() == "", "exactly one line on stdout"


def test_emulator_command_rejects_a_bad_scenario_file(tmp_path: Path, capsys):
    scenario = tmp_path / "bad.toml"
    scenario.write_text("[[seats]]\nid = 3\nactions = ['fly']\n")
    assert main(["emulator", "--scenario", str(scenario)]) == 2
    assert "seats[0]" in capsys.readouterr().err
