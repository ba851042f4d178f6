"""The emulator core: Asterisk's call model without any sockets.

One `Core` per emulator. The ARI side (ari_*.py) and the AMI side (ami_*.py) both sit on it:
they call its operations and observe its events. Nothing here opens a socket.

Model (core/model.py)
- `Channel`: `id` (unique id "<epoch>.<n>"), `name` ("PJSIP/seat01-00000001",
  "Local/112@cc112-inbound-00000003;1" / ";2"), `state` (Down, Ring, Ringing, Up, Busy),
  `caller` / `connected` (`CallerId(name, number)`), `context`, `exten`, `priority`, `app_name`,
  `app_data`, `creationtime` (datetime), `language`, `variables` (dict), `linkedid`,
  `technology` ("PJSIP" / "Local"), `resource` ("seat01" / "112@cc112-inbound"), `half`
  (1 / 2 for Local halves), `partner_id`, `bridge_id`, `stasis_app`, `stasis_args`, `originator`
  (the ARI app that originated it), `alive`, `answered` / `gone` (asyncio.Event).
  `channel.to_dict()` is the ARI Channel model plus `linkedid`, `uniqueid`, `variables`,
  `bridge_id`, `stasis_app`.
- `Bridge`: `id`, `technology` (simple_bridge / softmix / holding_bridge), `bridge_type`,
  `bridge_class`, `creator`, `name`, `channels` (ids), `creationtime`; `to_dict()` = ARI Bridge.
- `Endpoint`: `technology`, `resource`, `registered`, `contact_uri`, `state` (online/offline),
  `device` ("PJSIP/seat01"), `device_state` (NOT_INUSE, INUSE, RINGING, UNAVAILABLE), `phone`
  (the simulated softphone: `async def on_call(core, channel)`).
- `Clock`: `now()` (UTC datetime) and `monotonic()`.

Observer API
    unsubscribe = core.subscribe(listener)   # listener(event: CoreEvent) -> None, called synchronously
Events (core/events.py; each has `at`; channel events have `channel_id` and a `snapshot` dict =
`channel.to_dict()` taken at that moment):
    ChannelCreated(originator), ChannelStateChanged, ChannelCallerIdChanged,
    ChannelConnectedLineChanged, ChannelDialplanStep(app, app_data), ChannelVarSet(variable, value),
    ChannelHangupRequest(cause: int | None, soft), ChannelDestroyed(cause, cause_txt),
    DtmfDigit(digit, duration_ms, requeued), DtmfBeginRead(digit, duration_ms),
    DialBegin(caller_id, peer_id, dialstring, ...snapshots),
    DialStatus(..., status, final), BridgeCreated(by_rest), BridgeDestroyed,
    EnteredBridge / LeftBridge(bridge_id, bridge_snapshot, channel_id, snapshot),
    StasisStart(app, args), StasisEnd(app), DeviceStateChanged(device, state) (PJSIP endpoints
    when their state changes; `Local/<exten>@<context>` at every state change or end of one of
    its channels: INVALID, INUSE or NOT_INUSE, repeats included, as chan_local),
    EndpointStateChanged(technology, resource, state, peer_status),
    ContactStatusChanged(technology, resource, uri, status, endpoint_state, peer_status)
    (registration: EndpointState, DeviceState, ContactStatus; unregistration: EndpointState,
    ContactStatus, DeviceState),
    PlaybackEvent(kind, ...), RecordingEvent(kind, ...), StasisAppChanged(app, registered).
Listeners must not block; to act, schedule work with `core.spawn(coro, name)` (owned tasks).

Operations
    core.originate(endpoint, *, app=None, app_args=(), context=None, exten=None, priority=1,
                   caller_id=None, timeout=30, variables=None, channel_id=None,
                   other_channel_id=None, originator=None, start=True) -> OriginateResult
        Creates the channel at once (`result.channel`, `result.channel_id`) or raises
        CoreError(kind="allocation_failed", "Allocation failed") for an unknown technology or a
        PJSIP endpoint that does not exist / is not registered. `await result.wait()` gives an
        OriginateOutcome(answered, reason (AMI: 4 answered, 5 busy, 3 no answer, 8 congestion,
        0 failure), dialstatus, cause). Once answered the channel enters `Stasis(app, app_args)`
        when `app` is given, else runs the dialplan at context/exten/priority.
        `Local/<exten>@<context>` makes a `;1`/`;2` pair; `;2` runs the dialplan (and gets the
        originate's variables, VarSet on each half; with a caller id, NewCallerid and
        NewConnectedLine on `;2`, and on `;1` too when no ARI app originated it). With neither
        app nor exten the answered channel just stays up (a simulated caller's own leg).
        `start=False` + `result.start(timeout)`: ARI create + dial.
        `PJSIP/<seat>` rings the endpoint's `phone`; `PJSIP/<number>@<trunk>` sets `channel.dialled`.
    core.hangup(channel_id, cause=16, *, origin="api")
        origin decides what ARI shows (core/lifecycle.py): api (REST DELETE, AMI Hangup: request
        cause 32 soft), sip (a phone's BYE: no cause), dialplan (Hangup()/end: 16 soft), busy,
        timeout, remote (set by the core for the other Local half).
    core.answer(channel) / core.ring(channel) / core.set_state(channel, state)
    core.get_channel(id) (CoreError not_found) / core.find_channel_by_name(name) / core.channels
    core.set_variable(channel_id, name, value) / core.get_variable(channel_id, name)
    await core.send_dtmf(channel_id, digits, between_ms=100, duration_ms=100)
    core.receive_dtmf(channel, digit)
    core.create_bridge(type, name, ...) / destroy_bridge / add_to_bridge / remove_from_bridge
        Every join or leave reconfigures the bridge as bridge.c does (core/bridging.py):
        technology, BRIDGEPEER (emptied on the leaving channel before its LeftBridge), and in a
        1-to-1 bridge the connected lines (ChannelConnectedLineChanged when one changes; a Local
        half's new connected line becomes its partner's caller id, whose
        ChannelCallerIdChanged follows the partner's next state change, dialplan step or
        ChannelDestroyed). MIXMONITOR_FILENAME set on a bridged channel reconfigures it too.
    core.add_hidden_participant(bridge_id, "Recorder" | "Announcer") -> name /
    core.remove_hidden_participant(bridge_id, name)
        The hidden channel of a bridge recording or bridge playback: counted and named in
        BRIDGEPEER ("Recorder/ARI-0000000c;2"), in the technology and connected lines; never a
        core channel (no events of its own, not in `bridge.channels`).
    core.register_stasis_app(name) / unregister_stasis_app(name) / core.stasis_apps
        `Stasis()` sets STASISSTATUS "" on entry and SUCCESS when it ends (hang-up included);
        "" then FAILED at once without the app (ami-02, ari-09). An ARI-originated channel enters
        Stasis without a dialplan step event (its snapshot shows app Stasis).
    core.continue_in_dialplan(channel_id, context="", exten="", priority=0)
    core.add_endpoint(Endpoint(...)) / core.set_registered("PJSIP/seat01", True)
    core.register_application("Queue", app)   app: async def app(core, channel, data: str) -> None
        Dialplan applications are pluggable: the AMI side registers Queue and MixMonitor.
        An application returns when the dialplan may go on; it must not hang the channel up
        unless the call ends (then `core.hangup(...)`). Wait on `channel.gone` to follow the call.
        An application nobody registered hangs the channel up (pbx.c "No application").
        Building blocks for dialling without originate's after-answer (the queue):
        originate.local_pair / pjsip_channel / await_answer; a `;1` half with
        `owner_reads_answer` goes Up only when its owner calls `core.answer` (`far_answered`
        is set when the far end answered), as app_queue reads only the winner's answer.
    core.register_function("QUEUE_MEMBER", fn)   fn(core, channel, args: str) -> str; read by
        core.get_variable(channel_id, "QUEUE_MEMBER(cc112-fallback,paused,PJSIP/seat01)")
    core.spawn(coro, name) -> Task (owned, cancelled and awaited by `await core.close()`)
Errors are `CoreError(kind, message)`; kinds: not_found, conflict, unprocessable,
allocation_failed, bad_request.
"""

from .engine import Core, CoreError
from .model import Bridge, CallerId, Channel, Clock, Endpoint, IdSource, ari_time
from .originate import OriginateOutcome, OriginateResult

__all__ = [
    "Bridge",
    "CallerId",
    "Channel",
    "Clock",
    "Core",
    "CoreError",
    "Endpoint",
    "IdSource",
    "OriginateOutcome",
    "OriginateResult",
    "ari_time",
]
