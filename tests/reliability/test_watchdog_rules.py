"""The watchdog's rules over fakes: who is an orphan, when they move, and when they must not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cc112_pbx.domain import telephony as tel
from cc112_pbx.services.watchdog import FALLBACK_TARGET, OrphanWatchdog, WatchdogPorts

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def _channel(cid: str, args: tuple[str, ...] = ("inbound", "112"), app: str | None = "cc112", at: int = 0):
    return tel.ChannelSnapshot(channel_id=cid, name=f"PJSIP/telco-{cid}", state=tel.ChannelState.UP,
                               caller_number="081234", caller_name=None, app=app, args=args,
                               created=T0 + timedelta(seconds=at))


class FakeWorld:
    def __init__(self) -> None:
        self.now = 0.0
        self.held = [False]  # answers of holds_app, the last one repeats
        self.channels = [_channel("c2", at=2), _channel("c1", at=1), _channel("seat", ("seat", "seat01")),
                         _channel("talking", at=0), _channel("gone-to-queue", app=None)]
        self.bridges = [tel.BridgeSnapshot(bridge_id="b", bridge_type="mixing", technology="simple_bridge",
                                           name="", channel_ids=("talking", "seat"))]
        self.moved: list[str] = []

    def ports(self) -> WatchdogPorts:
        async def holds_app() -> bool:
            return self.held.pop(0) if len(self.held) > 1 else self.held[0]

        async def channels():
            return self.channels

        async def bridges():
            return self.bridges

        async def hand_over(channel_id, target) -> None:
            assert target == FALLBACK_TARGET
            self.moved.append(channel_id)

        return WatchdogPorts(holds_app, channels, bridges, hand_over, lambda: self.now)


async def test_orphans_move_oldest_first_only_after_the_controller_was_absent_long_enough():
    world = FakeWorld()
    dog = OrphanWatchdog(world.ports(), absent_after=5)
    assert await dog.check() == []
    world.now = 4.9
    assert await dog.check() == []
    world.now = 5.0
    # waiting citizens only: not the seat leg, not the caller talking to it, not one already in the queue
    assert await dog.check() == ["c1", "c2"]
    world.now = 6.0
    assert await dog.check() == [], "a caller still listed just after its continue is not sent twice"


async def test_nobody_moves_while_a_controller_holds_the_app_or_when_it_comes_back_at_the_last_moment():
    world = FakeWorld()
    world.held = [True]
    dog = OrphanWatchdog(world.ports(), absent_after=1)
    for world.now in (0.0, 5.0, 50.0):
        assert await dog.check() == []
    world.held = [False, False, True]  # absent, absent long enough, then back just before the move
    world.now = 51.0
    await dog.check()
    world.now = 53.0
    assert await dog.check() == [] and world.moved == []
    assert dog.absent_since is None


async def test_a_probe_that_fails_counts_as_absent():
    world = FakeWorld()
    ports = world.ports()

    async def broken() -> bool:
        raise ConnectionRefusedError

    dog = OrphanWatchdog(WatchdogPorts(broken, ports.channels, ports.bridges, ports.hand_over, ports.monotonic),
                         absent_after=1)
    await dog.check()
    world.now = 1.5
    assert await dog.check() == ["c1", "c2"]


async def test_a_watchdog_pointed_at_a_standby_asks_the_leader_it_names():
    """Issue 21: in an HA pair the standby never holds the app; the leader it names is asked instead."""
    import aiohttp
    from aiohttp import web

    from cc112_pbx.cli.watchdog_cmd import controller_holds_app

    leader_ari = {"state": "connected"}
    runners = []

    async def serve(report) -> str:
        async def healthz(_request: web.Request) -> web.Response:
            return web.json_response(report())

        app = web.Application()
        app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"

    try:
        leader = await serve(lambda: {"role": "leader", "ari": dict(leader_ari)})
        standby = await serve(lambda: {"role": "standby", "ha": {"role": "standby", "leader": leader},
                                       "ari": {"state": "starting"}})
        alone = await serve(lambda: {"role": "standby", "ha": {"role": "standby"}, "ari": {"state": "starting"}})
        async with aiohttp.ClientSession() as http:
            assert await controller_holds_app(http, standby)
            assert await controller_holds_app(http, leader)
            assert not await controller_holds_app(http, alone)  # no leader named: nobody holds the app
            leader_ari["state"] = "reconnecting"
            assert not await controller_holds_app(http, standby)
    finally:
        for runner in runners:
            await runner.cleanup()
