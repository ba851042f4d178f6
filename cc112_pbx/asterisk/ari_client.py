"""ARI REST client: the channel, bridge, playback and endpoint operations cc112 uses (or its
telephony port is about to), returning the snapshots of `domain.telephony`.

    async with AriClient("http://127.0.0.1:8088", "cc112", "secret", app="cc112") as ari:
        await ari.answer(channel_id)

Entering the context checks `GET /asterisk/info` and fails fast with `AsteriskUnavailable`
naming what was tried. Errors are the exceptions of `asterisk.errors`; which operations are
retried after a 5xx or a dropped connection is decided per operation below (`idempotent=`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Self

import structlog

from cc112_pbx.asterisk import errors as e
from cc112_pbx.asterisk import snapshots as snap
from cc112_pbx.asterisk.ari_http import AriTransport, path_of
from cc112_pbx.asterisk.translate import Malformed
from cc112_pbx.domain import telephony as t

log = structlog.get_logger(__name__)


def _read(parse, body: object, what: str):
    try:
        return parse(body)
    except Malformed as exc:
        raise e.BadResponse(f"ARI {what}: {exc}") from exc


def _media(media: str | Sequence[str]) -> str:
    return media if isinstance(media, str) else ",".join(media)


class AriClient:
    """ARI REST operations. One aiohttp session with a connection pool, per-request timeouts."""

    def __init__(self, base_url: str, user: str, password: str, *, app: str = "cc112",
                 request_timeout: float = 10.0, connect_timeout: float | None = None,
                 retries: int = 2) -> None:
        self.app = app
        self.http = AriTransport(base_url, user, password, request_timeout=request_timeout,
                                 connect_timeout=connect_timeout, retries=retries)

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        a = settings.asterisk
        if a.ari_password is None:
            raise e.AsteriskUnavailable("ARI password is not configured (CC112_ASTERISK_ARI_PASSWORD)")
        return cls(a.ari_url, a.ari_user, a.ari_password.reveal(), app=a.ari_app,
                   request_timeout=a.request_timeout, connect_timeout=a.connect_timeout)

    @property
    def base_url(self) -> str:
        return self.http.base_url

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def open(self, *, check: bool = True) -> None:
        """Open the session; with `check`, prove ARI answers with our credentials (fail fast)."""
        self.http.open()
        if check:
            try:
                version = await self.check()
            except BaseException:
                await self.close()
                raise
            log.info("ari_connected", url=self.base_url, user=self.http.user, asterisk=version)

    async def close(self) -> None:
        await self.http.close()

    async def check(self) -> str:
        """`GET /asterisk/info`; returns Asterisk's version; raises AsteriskUnavailable naming the cause."""
        where = f"ARI at {self.base_url}"
        try:
            return await self.asterisk_version()
        except e.Unauthorized as exc:
            raise e.AsteriskUnavailable(f"{where} answered {exc.status} for user {self.http.user}") from exc
        except e.NotFound as exc:
            raise e.AsteriskUnavailable(
                f"{where} answered 404 for {self.http.root}/asterisk/info: is that the ARI URL?") from exc
        except e.AsteriskUnavailable as exc:
            text = str(exc)  # the transport's message names the address already
            raise e.AsteriskUnavailable(text if text.startswith(where) else f"{where}: {text}") from exc
        except e.AsteriskError as exc:
            raise e.AsteriskUnavailable(f"{where} failed the startup check: {exc}") from exc

    # --- asterisk ---------------------------------------------------------------------------

    async def asterisk_version(self) -> str:
        body = await self.http.request("GET", "/asterisk/info", idempotent=True)
        return _read(snap.asterisk_version, body, "asterisk info")

    # --- channels ---------------------------------------------------------------------------

    async def list_channels(self) -> list[t.ChannelSnapshot]:
        body = await self.http.request("GET", "/channels", idempotent=True)
        return _read(lambda b: snap.listing(b, snap.channel), body, "channels")

    async def get_channel(self, channel_id: str) -> t.ChannelSnapshot:
        body = await self.http.request("GET", path_of("channels", channel_id), idempotent=True)
        return _read(snap.channel, body, "channel")

    async def originate(self, endpoint: str, *, app: str | None = None, app_args: Iterable[str] = (),
                        caller_id: str | None = None, timeout: int | None = None,
                        channel_id: str | None = None, originator: str | None = None,
                        variables: Mapping[str, str] | None = None, context: str | None = None,
                        extension: str | None = None, priority: int | None = None) -> t.ChannelSnapshot:
        """`POST /channels`. Into the app by default (`appArgs` joined with commas).

        Retried after a 5xx or a lost connection only when `channel_id` is given: a retry that
        finds the channel already there (409) returns that channel. `AllocationFailed` is never
        retried.
        """
        into_dialplan = extension is not None
        params = {
            "endpoint": endpoint, "app": None if into_dialplan else (app or self.app),
            "appArgs": ",".join(app_args) or None, "callerId": caller_id, "timeout": timeout,
            "channelId": channel_id, "originator": originator, "context": context,
            "extension": extension, "priority": priority,
        }
        json = {"variables": dict(variables)} if variables else None
        try:
            body = await self.http.request("POST", "/channels", params=params, json=json,
                                           idempotent=channel_id is not None)
        except e.Conflict as exc:
            if channel_id is None or not exc.retried:
                raise
            return await self.get_channel(channel_id)
        return _read(snap.channel, body, "originated channel")

    async def answer(self, channel_id: str) -> None:
        await self.http.request("POST", path_of("channels", channel_id, "answer"), idempotent=True)

    async def hangup(self, channel_id: str, reason: str | None = None) -> None:
        """`DELETE /channels/{id}` (reason e.g. "normal", "busy"); a 404 on a retry means done."""
        await self.http.request("DELETE", path_of("channels", channel_id), params={"reason": reason},
                                idempotent=True, gone_ok_on_retry=True)

    async def play(self, channel_id: str, media: str | Sequence[str], *, lang: str | None = None,
                   playback_id: str | None = None) -> t.PlaybackSnapshot:
        """Play `sound:...` URIs (several in order) on a channel."""
        segs = ("channels", channel_id, "play") + ((playback_id,) if playback_id else ())
        body = await self.http.request("POST", path_of(*segs), params={"media": _media(media), "lang": lang})
        return _read(snap.playback, body, "playback")

    async def start_moh(self, channel_id: str, moh_class: str | None = None) -> None:
        await self.http.request("POST", path_of("channels", channel_id, "moh"),
                                params={"mohClass": moh_class}, idempotent=True)

    async def stop_moh(self, channel_id: str) -> None:
        await self.http.request("DELETE", path_of("channels", channel_id, "moh"), idempotent=True)

    async def get_variable(self, channel_id: str, variable: str) -> str:
        body = await self.http.request("GET", path_of("channels", channel_id, "variable"),
                                       params={"variable": variable}, idempotent=True)
        return _read(snap.variable_value, body, "variable")

    async def set_variable(self, channel_id: str, variable: str, value: str) -> None:
        """`POST /channels/{id}/variable` (also dialplan functions: `TALK_DETECT(set)`)."""
        await self.http.request("POST", path_of("channels", channel_id, "variable"),
                                params={"variable": variable, "value": value}, idempotent=True)

    async def continue_in_dialplan(self, channel_id: str, *, context: str | None = None,
                                   extension: str | None = None, priority: int | None = None,
                                   label: str | None = None) -> None:
        """`POST /channels/{id}/continue`: leave Stasis into the dialplan (e.g. the fallback queue)."""
        params = {"context": context, "extension": extension, "priority": priority, "label": label}
        await self.http.request("POST", path_of("channels", channel_id, "continue"), params=params)

    # --- bridges ----------------------------------------------------------------------------

    async def create_bridge(self, bridge_type: str = "mixing", *, name: str | None = None,
                            bridge_id: str | None = None) -> t.BridgeSnapshot:
        """`type` "mixing" or "holding" (comma-joined extras such as "mixing,dtmf_events" pass through).

        With `bridge_id` the call is create-or-update (`POST /bridges/{id}`), hence retried.
        """
        path = path_of("bridges", bridge_id) if bridge_id else "/bridges"
        body = await self.http.request("POST", path, params={"type": bridge_type, "name": name},
                                       idempotent=bridge_id is not None)
        return _read(snap.bridge, body, "bridge")

    async def list_bridges(self) -> list[t.BridgeSnapshot]:
        body = await self.http.request("GET", "/bridges", idempotent=True)
        return _read(lambda b: snap.listing(b, snap.bridge), body, "bridges")

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self.http.request("DELETE", path_of("bridges", bridge_id), idempotent=True,
                                gone_ok_on_retry=True)

    async def add_channel(self, bridge_id: str, channel_ids: str | Sequence[str], *,
                          role: str | None = None) -> None:
        """Add (or move) channels into a bridge; `role` e.g. "announcer" or "participant"."""
        ids = channel_ids if isinstance(channel_ids, str) else ",".join(channel_ids)
        await self.http.request("POST", path_of("bridges", bridge_id, "addChannel"),
                                params={"channel": ids, "role": role})

    async def remove_channel(self, bridge_id: str, channel_id: str) -> None:
        await self.http.request("POST", path_of("bridges", bridge_id, "removeChannel"),
                                params={"channel": channel_id})

    async def start_bridge_moh(self, bridge_id: str, moh_class: str | None = None) -> None:
        await self.http.request("POST", path_of("bridges", bridge_id, "moh"),
                                params={"mohClass": moh_class}, idempotent=True)

    async def stop_bridge_moh(self, bridge_id: str) -> None:
        """409 `Conflict` when the bridge plays no music (e.g. after a reconnect: music is gone)."""
        await self.http.request("DELETE", path_of("bridges", bridge_id, "moh"))

    async def play_on_bridge(self, bridge_id: str, media: str | Sequence[str], *, lang: str | None = None,
                             playback_id: str | None = None) -> t.PlaybackSnapshot:
        segs = ("bridges", bridge_id, "play") + ((playback_id,) if playback_id else ())
        body = await self.http.request("POST", path_of(*segs), params={"media": _media(media), "lang": lang})
        return _read(snap.playback, body, "playback")

    # --- playbacks --------------------------------------------------------------------------

    async def stop_playback(self, playback_id: str) -> None:
        await self.http.request("DELETE", path_of("playbacks", playback_id), idempotent=True,
                                gone_ok_on_retry=True)

    # --- endpoints --------------------------------------------------------------------------

    async def list_endpoints(self, technology: str | None = None) -> list[t.EndpointSnapshot]:
        path = path_of("endpoints", technology) if technology else "/endpoints"
        body = await self.http.request("GET", path, idempotent=True)
        return _read(lambda b: snap.listing(b, snap.endpoint), body, "endpoints")

    async def subscribe(self, event_source: str, app: str | None = None) -> t.ApplicationSnapshot:
        """Subscribe the app to `endpoint:PJSIP` (every PJSIP endpoint), `endpoint:PJSIP/seat01`..."""
        body = await self.http.request("POST", path_of("applications", app or self.app, "subscription"),
                                       params={"eventSource": event_source}, idempotent=True)
        return _read(snap.application, body, "subscription")

    async def get_endpoint(self, endpoint: str) -> t.EndpointSnapshot:
        """`endpoint` as "PJSIP/seat01"."""
        technology, _, resource = endpoint.partition("/")
        body = await self.http.request("GET", path_of("endpoints", technology, resource), idempotent=True)
        return _read(snap.endpoint, body, "endpoint")
