"""The supervised lifecycle: an essential task that dies stops the controller (one error line, serve_forever
raises, `cc112 serve` exits 1) instead of leaving it half alive."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from cc112_pbx.cli.main import main
from cc112_pbx.harness import Switchboard
from cc112_pbx.services.journal import Journal
from cc112_pbx.supervisor import EssentialTaskFailed, Supervisor


def failures(logs: list[dict]) -> list[dict]:
    return [entry for entry in logs if entry["event"] == "essential_task_failed"]


async def crash(message: str) -> None:
    await asyncio.sleep(0)
    raise RuntimeError(message)


# --- the supervisor on its own ----------------------------------------------------------------

async def test_a_task_that_raises_makes_wait_raise_naming_it_and_logs_one_error():
    supervisor = Supervisor()
    with capture_logs() as logs:
        supervisor.spawn(asyncio.Event().wait(), name="cc112-idle")
        supervisor.spawn(crash("pump broke"), name="cc112-pump-test")
        with pytest.raises(EssentialTaskFailed) as failed:
            await asyncio.wait_for(supervisor.wait(), timeout=5)
        await supervisor.stop()
    assert failed.value.task == "cc112-pump-test"
    assert isinstance(failed.value.cause, RuntimeError)
    [line] = failures(logs)
    assert line["task"] == "cc112-pump-test" and "pump broke" in line["error"] and line["log_level"] == "error"


async def test_a_task_that_returns_while_serving_is_a_failure_too():
    supervisor = Supervisor()
    with capture_logs() as logs:
        supervisor.spawn(asyncio.sleep(0), name="cc112-pump-ended")  # its source ran dry
        with pytest.raises(EssentialTaskFailed, match="ended unexpectedly"):
            await asyncio.wait_for(supervisor.wait(), timeout=5)
        await supervisor.stop()
    assert [line["task"] for line in failures(logs)] == ["cc112-pump-ended"]


async def test_a_watched_task_owned_elsewhere_that_dies_is_a_failure():
    supervisor = Supervisor()
    worker = asyncio.create_task(crash("journal bug"), name="cc112-journal")
    supervisor.watch(worker)
    with capture_logs() as logs, pytest.raises(EssentialTaskFailed, match="journal bug"):
        await asyncio.wait_for(supervisor.wait(), timeout=5)
    with pytest.raises(RuntimeError):
        await worker  # its owner still awaits it
    assert len(failures(logs)) == 1


async def test_wait_returns_when_asked_to_stop_and_tasks_ending_after_stop_are_no_failure():
    supervisor = Supervisor()
    stop = asyncio.Event()
    with capture_logs() as logs:
        task = supervisor.spawn(asyncio.Event().wait(), name="cc112-controller")
        asyncio.get_running_loop().call_soon(stop.set)
        await asyncio.wait_for(supervisor.wait(until=stop), timeout=5)
        await supervisor.stop()
    assert task.cancelled() and supervisor.failure is None and failures(logs) == []


# --- the composition root -----------------------------------------------------------------------

async def test_a_crashed_event_pump_stops_the_controller_with_one_error_line(tmp_path, monkeypatch):
    async with Switchboard(tmp_path, seats=1) as sb:
        app = sb.app

        def broken_post(event: object) -> None:
            raise RuntimeError("controller inbox unusable")

        with capture_logs() as logs:
            monkeypatch.setattr(app.controller, "post", broken_post)  # the next event kills its pump
            sb.emulator.place_call(number="+6281233334444", talk_time=5)
            with pytest.raises(EssentialTaskFailed) as failed:
                await asyncio.wait_for(app.serve_forever(), timeout=10)
            await sb.stop_controller()
        [line] = failures(logs)
        assert line["task"] in ("cc112-pump-ari", "cc112-pump-ami") and line["task"] == failed.value.task
        assert "controller inbox unusable" in line["error"]
        events = [entry["event"] for entry in logs]
        assert events.index("essential_task_failed") < events.index("controller_stopping") < \
            events.index("controller_stopped")
        stasis_app = sb.emulator.ari.apps.get("cc112")
        assert stasis_app is None or stasis_app.socket is None  # no controller: new callers reach the fallback


def test_cc112_serve_exits_1_when_an_essential_task_fails(tmp_path, monkeypatch):
    class CrashingApp:  # stands in for Cc112App: started, then its ARI pump dies
        shutdown_deadline = 10.0
        stopped = False

        def __init__(self, settings: object) -> None:
            pass

        async def __aenter__(self) -> CrashingApp:
            return self

        async def __aexit__(self, *exc: object) -> None:
            CrashingApp.stopped = True

        async def serve_forever(self, until: asyncio.Event | None = None) -> None:
            raise EssentialTaskFailed("cc112-pump-ari", RuntimeError("boom"))

    monkeypatch.setattr("cc112_pbx.app.Cc112App", CrashingApp)
    config = tmp_path / "cc112.toml"
    config.write_text('[[seats]]\nid = "seat01"\nname = "Meja 1"\ndial_string = "PJSIP/seat01"\n')
    assert main(["serve", "--config", str(config)]) == 1
    assert CrashingApp.stopped


async def test_a_dead_journal_worker_is_an_essential_failure_and_closing_does_not_wait_for_it():
    def buggy_is_permanent(exc: BaseException) -> bool:
        raise ZeroDivisionError("bug in the journal")

    journal = Journal(is_permanent=buggy_is_permanent, drain_timeout=30)
    supervisor = Supervisor()
    await journal.start()
    assert journal.task is not None
    supervisor.watch(journal.task)

    async def failing_write() -> None:
        raise OSError("database down")

    with capture_logs() as logs:
        journal.submit("open_incident", failing_write, call_id="c1")
        with pytest.raises(EssentialTaskFailed, match="bug in the journal"):
            await asyncio.wait_for(supervisor.wait(), timeout=5)
        await supervisor.stop()
        await asyncio.wait_for(journal.close(), timeout=2)  # not its 30 s drain: nothing can drain
    assert [line["task"] for line in failures(logs)] == ["cc112-journal"]
    assert [line["write"] for line in logs if line["event"] == "journal_unwritten"] == ["open_incident"]
