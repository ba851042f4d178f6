"""The `CallRecorder` port: MixMonitor over AMI (it survives bridge changes and works the same
in the dialplan's fallback), and the channel variable that says a recording is already running.
"""

from __future__ import annotations

from cc112_pbx.asterisk import errors
from cc112_pbx.asterisk.ami_manager import AmiManager
from cc112_pbx.asterisk.ari_client import AriClient

RECORDING_VARIABLE = "MIXMONITOR_FILENAME"


class MixMonitorRecorder:
    def __init__(self, ami: AmiManager, ari: AriClient) -> None:
        self.ami = ami
        self.ari = ari

    async def start(self, channel_name: str, path: str) -> None:
        await self.ami.mix_monitor(channel_name, path)

    async def current_path(self, channel_id: str) -> str | None:
        try:
            path = await self.ari.get_variable(channel_id, RECORDING_VARIABLE)
        except errors.AsteriskError:
            return None
        return path or None
