"""PJSIP configuration objects as `PJSIPShowEndpoint` / `PJSIPShowAors` dump them (ami-08).

Asterisk prints every field of its sorcery objects; these are the values of the recording
Asterisk's pjsip.conf (defaults, plus the seat's context, codecs and transport). The per-endpoint
fields (names, AOR contacts, device state, channels) are filled in by `ami_actions_device`.
"""

from __future__ import annotations

import hashlib
from typing import Any

Pairs = list[tuple[str, str]]
CONTEXT = "cc112-seats"

ENDPOINT_FIELDS: Pairs = [
    ("RpidImmediate", "false"),
    ("Webrtc", "no"),
    ("Ignore183WithoutSdp", "false"),
    ("SendAoc", "false"),
    ("DeviceStateBusyAt", "0"),
    ("T38UdptlMaxdatagram", "0"),
    ("CodecPrefsIncomingAnswer", "prefer:pending, operation:intersect, keep:all, transcode:allow"),
    ("SecurityNegotiation", "no"),
    ("DtlsRekey", "0"),
    ("RtpPortEnd", "0"),
    ("NamedPickupGroup", ""),
    ("DirectMediaMethod", "invite"),
    ("SendRpid", "false"),
    ("PickupGroup", ""),
    ("SdpSession", "Asterisk"),
    ("DtlsVerify", "No"),
    ("MessageContext", ""),
    ("Tenantid", ""),
    ("Mailboxes", ""),
    ("RecordOnFeature", "automixmon"),
    ("DtlsPrivateKey", ""),
    ("DtlsFingerprint", "SHA-256"),
    ("OverlapContext", ""),
    ("OutgoingCallOfferPref", "remote_merge"),
    ("RtpPortStart", "0"),
    ("FromDomain", ""),
    ("TimersSessExpires", "1800"),
    ("NamedCallGroup", ""),
    ("DtlsCipher", ""),
    ("MediaEncryptionOptimistic", "false"),
    ("SuppressQ850ReasonHeaders", "false"),
    ("Aors", "seat02"),
    ("IdentifyBy", "username,ip"),
    ("CalleridPrivacy", "allowed_not_screened"),
    ("MwiSubscribeReplacesUnsolicited", "no"),
    ("CosAudio", "0"),
    ("FollowEarlyMediaFork", "true"),
    ("Context", "seats"),
    ("RtpSymmetric", "true"),
    ("Transport", "transport-udp"),
    ("MohSuggest", "default"),
    ("T38Udptl", "false"),
    ("FaxDetect", "false"),
    ("T38BindUdptlToMediaAddress", "false"),
    ("TosVideo", "0"),
    ("SrtpTag32", "false"),
    ("ReferBlindProgress", "true"),
    ("MaxAudioStreams", "1"),
    ("Bundle", "false"),
    ("UseAvpf", "false"),
    ("CallGroup", ""),
    ("SendConnectedLine", "yes"),
    ("FaxDetectTimeout", "0"),
    ("SdpOwner", "-"),
    ("ForceRport", "true"),
    ("CalleridTag", ""),
    ("RtpTimeoutHold", "0"),
    ("SuppressMohOnSendonly", "false"),
    ("UsePtime", "false"),
    ("MediaAddress", "127.0.0.1"),
    ("VoicemailExtension", ""),
    ("RtpTimeout", "0"),
    ("StirShaken", "no"),
    ("SetVar", ""),
    ("ContactAcl", ""),
    ("PreferredCodecOnly", "false"),
    ("GeolocOutgoingCallProfile", ""),
    ("ForceAvp", "false"),
    ("RecordOffFeature", "automixmon"),
    ("FromUser", ""),
    ("SendDiversion", "true"),
    ("SendHistoryInfo", "false"),
    ("T38UdptlIpv6", "false"),
    ("ToneZone", ""),
    ("Language", ""),
    ("AllowSubscribe", "true"),
    ("RtpIpv6", "false"),
    ("Callerid", "<unknown>"),
    ("MohPassthrough", "false"),
    ("CosVideo", "0"),
    ("DtlsAutoGenerateCert", "No"),
    ("AsymmetricRtpCodec", "false"),
    ("GeolocIncomingCallProfile", ""),
    ("IceSupport", "false"),
    ("AggregateMwi", "true"),
    ("OneTouchRecording", "false"),
    ("MwiFromUser", ""),
    ("RedirectMethod", "user"),
    ("Accountcode", ""),
    ("CodecPrefsOutgoingAnswer", "prefer:pending, operation:intersect, keep:all, transcode:allow"),
    ("Allow", "(ulaw|alaw)"),
    ("RewriteContact", "true"),
    ("UserEqPhone", "false"),
    ("RtpEngine", "asterisk"),
    ("FollowRedirectMethods", ""),
    ("SubscribeContext", ""),
    ("NotifyEarlyInuseRinging", "false"),
    ("IncomingMwiMailbox", ""),
    ("IncomingCallOfferPref", "local"),
    ("AllowUnauthenticatedOptions", "false"),
    ("Auth", "seat02-auth"),
    ("DirectMediaGlareMitigation", "none"),
    ("TrustIdInbound", "false"),
    ("StirShakenProfile", ""),
    ("BindRtpToMediaAddress", "true"),
    ("DisableDirectMediaOnNat", "false"),
    ("MediaEncryption", "no"),
    ("MediaUseReceivedTransport", "false"),
    ("AllowOverlap", "true"),
    ("DtmfMode", "rfc4733"),
    ("OutboundAuth", ""),
    ("TosAudio", "0"),
    ("DtlsCertFile", ""),
    ("DtlsCaPath", ""),
    ("DtlsSetup", "active"),
    ("ConnectedLineMethod", "invite"),
    ("G726NonStandard", "false"),
    ("100rel", "yes"),
    ("Timers", "yes"),
    ("DirectMedia", "false"),
    ("Acl", ""),
    ("TimersMinSe", "90"),
    ("TrustIdOutbound", "false"),
    ("SubMinExpiry", "0"),
    ("RtcpMux", "false"),
    ("MaxVideoStreams", "1"),
    ("AcceptMultipleSdpAnswers", "false"),
    ("CodecPrefsIncomingOffer", "prefer:pending, operation:intersect, keep:all, transcode:allow"),
    ("CodecPrefsOutgoingOffer", "prefer:pending, operation:union, keep:all, transcode:allow"),
    ("TrustConnectedLine", "yes"),
    ("SendPai", "false"),
    ("RtpKeepalive", "0"),
    ("T38UdptlEc", "none"),
    ("T38UdptlNat", "false"),
    ("AllowTransfer", "true"),
    ("DtlsCaFile", ""),
    ("OutboundProxy", ""),
    ("InbandProgress", "false"),
    ("DeviceState", "Unavailable"),
    ("ActiveChannels", "0"),
]

AUTH_FIELDS: Pairs = [
    ("OauthSecret", ""),
    ("PasswordDigest", ""),
    ("SupportedAlgorithmsUas", "MD5"),
    ("RefreshToken", ""),
    ("Username", "seat02"),
    ("Md5Cred", ""),
    ("Realm", ""),
    ("AuthType", "userpass"),
    ("Password", "seat02secret"),
    ("SupportedAlgorithmsUac", "MD5"),
    ("NonceLifetime", "32"),
    ("OauthClientid", ""),
]

TRANSPORT_FIELDS: Pairs = [
    ("WebsocketWriteTimeout", "100"),
    ("Cos", "0"),
    ("TcpKeepaliveEnable", "false"),
    ("Protocol", "udp"),
    ("SymmetricTransport", "false"),
    ("Domain", ""),
    ("VerifyServer", "No"),
    ("LocalNet", ""),
    ("Bind", "127.0.0.1:5060"),
    ("AllowWildcardCerts", "No"),
    ("TcpKeepaliveIntervalTime", "1"),
    ("AsyncOperations", "1"),
    ("ExternalMediaAddress", ""),
    ("Method", "unspecified"),
    ("ExternalSignalingAddress", ""),
    ("RequireClientCert", "No"),
    ("TcpKeepaliveIdleTime", "30"),
    ("Tos", "0"),
    ("CaListPath", ""),
    ("Cipher", ""),
    ("CertFile", ""),
    ("ExternalSignalingPort", "0"),
    ("Password", ""),
    ("AllowReload", "false"),
    ("VerifyClient", "No"),
    ("TcpKeepaliveProbeCount", "5"),
    ("PrivKeyFile", ""),
    ("CaListFile", ""),
]

AOR_FIELDS: Pairs = [
    ("MinimumExpiration", "60"),
    ("DefaultExpiration", "3600"),
    ("QualifyTimeout", "3.000000"),
    ("Qualify2xxOnly", "false"),
    ("Mailboxes", ""),
    ("SupportPath", "false"),
    ("RemoveUnavailable", "false"),
    ("VoicemailExtension", ""),
    ("MaxContacts", "1"),
    ("AuthenticateQualify", "false"),
    ("Contacts", ""),
    ("MaximumExpiration", "7200"),
    ("QualifyFrequency", "0"),
    ("RemoveExisting", "true"),
    ("OutboundProxy", ""),
    ("TotalContacts", "0"),
    ("ContactsRegistered", "0"),
]


def _object(kind: str, name: str, fields: Pairs, values: dict[str, str], owner: str = "") -> Pairs:
    """ObjectType, ObjectName, the fields in Asterisk's order (with `values` put in), EndpointName."""
    pairs = [("ObjectType", kind), ("ObjectName", name), *((k, values.get(k, v)) for k, v in fields)]
    return pairs + ([("EndpointName", owner)] if owner else [])


def _contacts(endpoint: Any) -> str:
    return f"{endpoint.resource}/{endpoint.contact_uri}" if endpoint.registered else ""


def endpoint_detail(endpoint: Any, device_state: str, active_channels: int) -> Pairs:
    name = endpoint.resource
    values = {"Aors": name, "Auth": f"{name}-auth", "Context": CONTEXT, "DeviceState": device_state,
              "ActiveChannels": str(active_channels)}
    return _object("endpoint", name, ENDPOINT_FIELDS, values)


def auth_detail(endpoint: Any) -> Pairs:
    name = endpoint.resource  # the emulator knows no password: Asterisk would print the configured one
    return _object("auth", f"{name}-auth", AUTH_FIELDS, {"Username": name, "Password": ""}, name)


def transport_detail(endpoint: Any) -> Pairs:
    return _object("transport", "transport-udp", TRANSPORT_FIELDS, {}, endpoint.resource)


def aor_detail(endpoint: Any) -> Pairs:
    count = "1" if endpoint.registered else "0"
    values = {"Contacts": _contacts(endpoint), "TotalContacts": count, "ContactsRegistered": count}
    return _object("aor", endpoint.resource, AOR_FIELDS, values, endpoint.resource)


def aor_list_item(endpoint: Any) -> Pairs:
    """`PJSIPShowAors`: the AOR's own fields, without the contact counts and EndpointName."""
    fields = [(k, v) for k, v in AOR_FIELDS if k not in ("TotalContacts", "ContactsRegistered")]
    return _object("aor", endpoint.resource, fields, {"Contacts": _contacts(endpoint)})


def contact_status_detail(endpoint: Any, expires_at: int) -> Pairs:
    uri = endpoint.contact_uri
    host_port = uri.partition("@")[2] or "127.0.0.1:5060"
    digest = hashlib.blake2s(uri.encode(), digest_size=16).hexdigest()
    return [
        ("AOR", endpoint.resource), ("URI", uri), ("UserAgent", "cc112-emulator-phone"),
        ("RegExpire", str(expires_at)), ("ViaAddress", host_port),
        ("CallID", f"{digest[:16]}@{host_port.partition(':')[0]}"), ("Status", "NonQualified"),
        ("RoundtripUsec", "N/A"), ("EndpointName", endpoint.resource),
        ("ID", f"{endpoint.resource};@{digest}"), ("AuthenticateQualify", "0"), ("OutboundProxy", ""),
        ("Path", ""), ("QualifyFrequency", "0"), ("QualifyTimeout", "3.000"), ("Qualify2xxOnly", "0"),
    ]
