"""The `CallControl` port over ARI: channels, bridges and prompts in the services' words.

Prompt names become `sound:cc112/<name>` URIs here (the prompts are installed under Asterisk's
sounds directory as `<lang>/cc112/<name>.wav`); "already gone" answers (404) of hang-ups,
bridge destruction and playback stops are success, as the services expect.
"""

from __future__ import annotations

from collections.abc import Sequence

from cc112_pbx.asterisk import errors
from cc112_pbx.asterisk.ari_client import AriClient
from cc112_pbx.domain.telephony import ChannelSnapshot

SOUND_DIR = "cc112"


def prompt_uri(prompt: str) -> str:
    return f"sound:{SOUND_DIR}/{prompt}"


class AriCallControl:
    def __init__(self, ari: AriClient, app: str) -> None:
        self.ari = ari
        self.app = app

    async def answer(self, channel_id: str) -> None:
        await self.ari.answer(channel_id)

    async def hang_up(self, channel_id: str) -> None:
        try:
            await self.ari.hangup(channel_id)
        except errors.NotFound:
            pass

    async def play_prompt(self, channel_id: str, prompt: str, lang: str) -> str:
        playback = await self.ari.play(channel_id, prompt_uri(prompt), lang=lang)
        return playback.playback_id

    async def play_prompt_to_bridge(self, bridge_id: str, prompt: str, lang: str) -> str:
        playback = await self.ari.play_on_bridge(bridge_id, prompt_uri(prompt), lang=lang)
        return playback.playback_id

    async def stop_playback(self, playback_id: str) -> None:
        try:
            await self.ari.stop_playback(playback_id)
        except errors.NotFound:
            pass

    async def detect_talking(self, channel_id: str) -> None:
        # func_talkdetect: ChannelTalkingStarted/Finished for this channel from now on
        await self.ari.set_variable(channel_id, "TALK_DETECT(set)", "")

    async def start_music(self, channel_id: str) -> None:
        await self.ari.start_moh(channel_id)

    async def stop_music(self, channel_id: str) -> None:
        await self.ari.stop_moh(channel_id)

    async def ring_seat(self, dial_string: str, *, seat_id: str, caller_id: str, timeout: int,
                        channel_id: str) -> None:
        await self.ari.originate(dial_string, app=self.app, app_args=("seat", seat_id), caller_id=caller_id,
                                 timeout=timeout, channel_id=channel_id)

    async def call_citizen(self, dial_string: str, *, call_id: str, caller_id: str, timeout: int,
                           channel_id: str) -> None:
        await self.ari.originate(dial_string, app=self.app, app_args=("callback", call_id), caller_id=caller_id,
                                 timeout=timeout, channel_id=channel_id)

    async def create_bridge(self, bridge_id: str, *, name: str, holding: bool = False) -> None:
        await self.ari.create_bridge("holding" if holding else "mixing", name=name, bridge_id=bridge_id)

    async def bridge_channels(self, bridge_id: str, channel_ids: Sequence[str]) -> None:
        await self.ari.add_channel(bridge_id, list(channel_ids))

    async def destroy_bridge(self, bridge_id: str) -> None:
        try:
            await self.ari.destroy_bridge(bridge_id)
        except errors.NotFound:
            pass

    async def channels_in_app(self) -> list[ChannelSnapshot]:
        return [c for c in await self.ari.list_channels() if c.app == self.app]
