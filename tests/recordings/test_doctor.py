"""`cc112 doctor` (a separate process) against the emulator and a temporary database, and the
recordings problem count on `/healthz`."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import aiohttp

from cc112_pbx.harness import Switchboard
from tests.reliability.processes import controller_env, free_port
from tests.waiting import wait_until

DOCTOR_TIMEOUT = 30.0


async def doctor(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cc112_pbx", "--log-level", "error", "doctor", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), DOCTOR_TIMEOUT)
    return process.returncode, out.decode()


def statuses(out: str) -> dict[str, dict]:
    return {check["name"]: check for check in json.loads(out)["checks"]}


async def _all_checked(sb: Switchboard, count: int) -> list:
    rows = await sb.app.db.recordings.kept()
    return rows if len(rows) == count and all(r.checksum_state == "ok" for r in rows) else []


async def test_doctor_is_all_ok_then_names_a_deleted_and_a_corrupted_recording_and_healthz_counts_them(tmp_path):
    async with Switchboard(tmp_path, seats=2, queue={"wrapup_time": 0}, api=True) as sb:
        emu = sb.emulator
        env = controller_env(tmp_path, emu, CC112_RECORDINGS_MIN_FREE_MB="0")
        await sb.login_all()
        calls = [emu.place_call(number=f"+62812345678{n}", talk_time=0.4) for n in range(2)]
        await emu.timeline.wait_for(lambda: all(c.ended_at is not None for c in calls), timeout=15)
        rows = await wait_until(lambda: _all_checked(sb, 2), timeout=15, what="both recordings checksummed")

        code, out = await doctor(env, "--json")
        assert code == 0, out
        checks = statuses(out)
        assert {name: c["status"] for name, c in checks.items()} == {
            "settings": "OK", "database": "OK", "ari": "OK", "ami": "OK", "disk": "OK", "recordings": "OK"}
        assert "2 recordings present" in checks["recordings"]["detail"]

        gone, corrupted = Path(rows[0].path), Path(rows[1].path)
        await asyncio.to_thread(gone.unlink)
        size = (await asyncio.to_thread(corrupted.stat)).st_size
        await asyncio.to_thread(corrupted.write_bytes, b"\xff" * size)  # same size, other content
        code, out = await doctor(env)
        print(out)
        assert code == 1
        failed = [line for line in out.splitlines() if line.startswith("FAIL")]
        assert len(failed) == 1 and "recordings" in failed[0] and "2 of 2" in failed[0]
        assert f"{gone}): missing" in out and f"{corrupted}): checksum mismatch" in out
        assert "fix: restore each file from backup" in out

        async with aiohttp.ClientSession() as http:
            async def health() -> dict | None:
                async with http.get(f"{sb.api_url}/healthz") as resp:
                    body = await resp.json()
                    return body if resp.status == 200 and body["recordings"]["problems"] == 1 else None

            # the quick look of /healthz compares sizes only: the deleted file, not the same-size corruption
            body = await wait_until(health, timeout=15, interval=0.5, what="/healthz counts the missing recording")
        assert body["status"] == "degraded" and body["ari"]["state"] == "connected"

        unreachable = f"http://127.0.0.1:{free_port()}"
        code, out = await doctor({**env, "CC112_ASTERISK_ARI_URL": unreachable}, "--json")
        assert code == 1
        ari = statuses(out)["ari"]
        assert ari["status"] == "FAIL" and unreachable in ari["detail"] and ari["fix"]


async def test_doctor_fails_on_invalid_settings_naming_the_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[queue]\nring_timeout = -5\n[recordings]\nretention_days = -1\n")
    code, out = await doctor({"PATH": "/usr/bin:/bin"}, "--config", str(config))
    assert code == 1
    assert out.startswith("FAIL  settings")
    assert "queue.ring_timeout" in out and "recordings.retention_days" in out
