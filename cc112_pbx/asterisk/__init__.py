"""Adapters to Asterisk: ARI (REST + event WebSocket) and AMI, speaking the project's own words.

Nothing outside this package sees ARI JSON, AMI messages, HTTP statuses, aiohttp or panoramisk
exceptions: they become the telephony events and snapshots of `cc112_pbx.domain.telephony`
and the exceptions of `cc112_pbx.asterisk.errors`.

Public shape (what `app.py` and the services use)::

    from cc112_pbx.asterisk import AriClient, AriEventStream, AmiManager, AsteriskHealth

    health = AsteriskHealth()
    async with (AriClient.from_settings(settings) as ari,            # checks GET /asterisk/info
                AriEventStream.from_settings(ari, settings, health=health.ari) as ari_events,
                AmiManager.from_settings(settings, health=health.ami) as ami):
        ...  # consume `async for event in ari_events` / `async for event in ami` in owned tasks
    health.snapshot()  # {"ari": {"state": "connected", "since": "..."}, "ami": {...}}

`AriClient(base_url, user, password, *, app="cc112", request_timeout=10.0, connect_timeout=None,
retries=2)`, an async context manager (entering fails fast with `AsteriskUnavailable`, e.g.
"ARI at http://127.0.0.1:8088 answered 401 for user cc112"). Operations (all async):
- channels: `list_channels() -> list[ChannelSnapshot]`, `get_channel(id)`, `originate(endpoint, *,
  app=None, app_args=(), caller_id=None, timeout=None, channel_id=None, originator=None,
  variables=None, context=None, extension=None, priority=None) -> ChannelSnapshot`, `answer(id)`,
  `hangup(id, reason=None)`, `play(id, media, *, lang=None, playback_id=None) -> PlaybackSnapshot`,
  `start_moh(id, moh_class=None)`, `stop_moh(id)`, `get_variable(id, name) -> str`,
  `continue_in_dialplan(id, *, context, extension, priority, label)`;
- bridges: `create_bridge(bridge_type="mixing", *, name=None, bridge_id=None) -> BridgeSnapshot`,
  `list_bridges()`, `destroy_bridge(id)`, `add_channel(bridge_id, channel_ids, *, role=None)`,
  `remove_channel(bridge_id, channel_id)`, `start_bridge_moh(id, moh_class=None)`,
  `stop_bridge_moh(id)`, `play_on_bridge(id, media, *, lang, playback_id)`;
- `stop_playback(id)`; `subscribe(event_source)` (e.g. "endpoint:PJSIP");
  `list_endpoints(technology=None)`, `get_endpoint("PJSIP/seat01") -> EndpointSnapshot`; `asterisk_version() -> str`.
Retried after a 5xx / timeout / dropped connection (bounded): GETs, answer, channel music on
and off, starting a bridge's music, DELETE of a channel/bridge/playback (a 404 on the retry
means done), `create_bridge` with a `bridge_id`, `originate` with a `channel_id` (a 409 on the
retry returns the existing channel). Never retried: originate without `channel_id`,
`AllocationFailed`, play, addChannel, removeChannel, continue, stopping a bridge's music.
Errors: `NoSuchChannel`, `NoSuchBridge`, `NotFound`, `ChannelNotInStasis`, `Conflict`,
`Unprocessable`, `BadRequest`, `Unauthorized`, `AllocationFailed`, `ServerError`,
`AsteriskTimeout`, `ConnectionLost` (`AsteriskUnavailable`), `BadResponse`; each carries
Asterisk's own message.

`AriEventStream(client, *, app=None, subscribe_all=False, policy=ReconnectPolicy(), health=None,
connect_timeout=None, heartbeat=15.0)` (a WebSocket ping every 15 s notices a half-open socket):
`await start()` / `await stop()` or `async with`; iterate it (`async for event in stream`) or
`await stream.get(timeout)`. It yields telephony events:
`ConnectionChanged("ari", ...)` on every connect/loss; after every (re)connect a resync:
`ChannelGone(while_disconnected=True)` once per call that ended in the gap, `BridgeGone(...)`,
`CallEntered(recovered=True)` for callers found in the app (also at startup), then
`StreamResynced(present_channel_ids, bridge_ids)`. Channels heard of but not in the app (a ringing
seat leg) are reported gone too; `stream.watch(channel_id)` right after `originate` covers a leg
that vanishes before its first event. A channel alive but no longer in the app gets `CallLeft`.
A dialplan-entered caller gets no `ChannelGone` from Asterisk: `CallLeft` (StasisEnd) is the last
event for it: treat it as gone.
`ApplicationReplaced` is delivered, logged as an error, and the stream reconnects after
`policy.after_replaced()` (default `max_delay`), never in a tight loop.

`AmiManager(host, port, user, secret, *, connect_timeout=5.0, action_timeout=10.0,
boot_timeout=2.0, ping_interval=20.0, policy=None, health=None)`: `await start()` (fails fast:
"AMI at 127.0.0.1:5038 refused login for user cc112: Authentication failed") / `await stop()`;
iterate it for telephony events (`DeviceStateChanged`, `EndpointReachability`,
`RecordingStarted`/`RecordingStopped` (MixMonitor), `OriginateFinished`, `QueueMemberUpdated`,
`QueueCallerJoined`, `QueueCallerLeft`, `QueueCallAnswered`, `ConnectionChanged("ami", ...)`).
Actions: `mix_monitor(channel, file, options="")`, `stop_mix_monitor(channel)`,
`queue_add(queue, interface, member_name="", paused=False, state_interface=None, *, penalty=None)`
(raises `AlreadyMember`: treat as success), `queue_remove(queue, interface)` (`NotMember`),
`queue_pause(interface, paused, *, queue=None, reason="")` (None: all queues; `InterfaceNotFound`),
`queue_status(queue=None) -> list[QueueMemberSnapshot]`, `device_state_list()`,
`pjsip_contacts() -> list[ContactSnapshot]` ("No Contacts found" = []),
`originate(channel, *, context, exten, priority, application, data, caller_id, timeout_ms,
variables) -> action_id` (async; the result comes as `OriginateFinished(action_id=...)`), `ping()`.
While disconnected an action fails at once with `AsteriskUnavailable`; every action has a
timeout (`AsteriskTimeout`).

`AsteriskHealth().snapshot()` -> `{"ari": {"state": ..., "since": ...}, "ami": {...}}`; states
"starting", "connected", "reconnecting", "stopped".
"""

from cc112_pbx.asterisk.ami_manager import AmiManager
from cc112_pbx.asterisk.ari_client import AriClient
from cc112_pbx.asterisk.ari_events import AriEventStream
from cc112_pbx.asterisk.health import AsteriskHealth, LinkHealth, LinkState
from cc112_pbx.asterisk.reconnect import ReconnectPolicy

__all__ = ["AmiManager", "AriClient", "AriEventStream", "AsteriskHealth", "LinkHealth", "LinkState",
           "ReconnectPolicy"]
