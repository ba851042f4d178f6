"""The Asterisk modules Call Center 112 needs: one list for modules.conf and the Docker build.

`asterisk-docker/modules.txt` (what menuselect enables) must list the same modules; a test
checks that, and that every module the dialplan uses (asterisklint modules-show) is here.
"""

from __future__ import annotations

# (module, why) in load-relevant groups. Without the `.so` suffix.
REQUIRED_MODULES: tuple[tuple[str, str], ...] = (
    # SIP: the seats' softphones, the telco trunk, the test caller.
    ("res_pjproject", "PJSIP stack"),
    ("res_sorcery_config", "PJSIP objects from pjsip.conf"),
    ("res_sorcery_memory", "PJSIP runtime objects"),
    ("res_sorcery_astdb", "registered contacts survive a restart"),
    ("res_pjsip", "SIP core"),
    ("res_pjsip_session", "SIP calls"),
    ("chan_pjsip", "PJSIP channel driver"),
    ("res_pjsip_authenticator_digest", "seat and test caller passwords"),
    ("res_pjsip_endpoint_identifier_ip", "identify the telco by address"),
    ("res_pjsip_endpoint_identifier_user", "identify softphones by username"),
    ("res_pjsip_registrar", "softphones register"),
    ("res_pjsip_sdp_rtp", "audio negotiation"),
    ("res_pjsip_caller_id", "caller number from the trunk"),
    ("res_pjsip_nat", "softphones behind NAT (force_rport, rewrite_contact)"),
    ("res_pjsip_logger", "pjsip set logger, for diagnosing calls"),
    ("res_rtp_asterisk", "RTP media"),
    ("res_timing_timerfd", "timing for bridges, music and recordings"),
    # Dialplan (dialplan/extensions_cc112.conf).
    ("pbx_config", "extensions.conf"),
    ("app_stasis", "Stasis(): hand calls to the controller"),
    ("app_queue", "the fallback queue, QUEUE_MEMBER, Add/Remove/PauseQueueMember"),
    ("app_mixmonitor", "recording every call (dialplan and AMI)"),
    ("app_playback", "prompts"),
    ("app_dial", "callbacks through the trunk"),
    ("app_exec", "ExecIf"),
    ("func_channel", "CHANNEL(language), CHANNEL(endpoint)"),
    ("func_callerid", "CALLERID()"),
    ("func_logic", "IF()"),
    ("res_musiconhold", "music on hold, MusicOnHold()"),
    # ARI: the controller.
    ("res_http_websocket", "ARI event WebSocket"),
    ("res_stasis", "Stasis applications"),
    ("res_ari", "ARI core"),
    ("res_ari_model", "ARI models"),
    ("res_ari_applications", "/applications"),
    ("res_ari_asterisk", "/asterisk (info, variables)"),
    ("res_ari_bridges", "/bridges: holding and mixing bridges"),
    ("res_ari_channels", "/channels: answer, originate, continue, hangup"),
    ("res_ari_device_states", "/deviceStates"),
    ("res_ari_endpoints", "/endpoints: seat registration state"),
    ("res_ari_events", "/events WebSocket"),
    ("res_ari_playbacks", "/playbacks"),
    ("res_ari_recordings", "/recordings"),
    ("res_ari_sounds", "/sounds"),
    ("res_stasis_answer", "answer from ARI"),
    ("res_stasis_device_state", "device states for ARI"),
    ("res_stasis_playback", "playback from ARI"),
    ("res_stasis_recording", "recording from ARI"),
    ("res_stasis_snoop", "required by res_ari_channels"),
    # AMI extras.
    ("res_manager_devicestate", "DeviceStateChange / DeviceStateList over AMI"),
    # Bridging.
    ("bridge_simple", "two-party bridges"),
    ("bridge_softmix", "mixing bridges with a recording"),
    ("bridge_holding", "the holding bridge callers wait in"),
    ("bridge_native_rtp", "native RTP bridging"),
    # Media.
    ("codec_alaw", "G.711 A-law (Indonesian PSTN)"),
    ("codec_ulaw", "G.711 mu-law"),
    ("format_wav", "prompts and recordings (.wav)"),
    ("format_pcm", "alaw/ulaw files"),
)


def module_names() -> tuple[str, ...]:
    return tuple(name for name, _why in REQUIRED_MODULES)
