"""The typed, frozen shape of cc112's settings (see docs/contracts.md and config/cc112.toml).

Each dataclass is one `[section]` of the TOML file. Field metadata holds the validation
rules the loader applies (`gt`, `ge`, `le`, `pattern`, `nonempty`), so the rules sit next
to the field they guard. Secrets are `Secret | None`: optional when loading; the
component that needs one calls `require_secret()` and fails with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SEAT_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
LogFormat = Literal["auto", "console", "json"]
Strategy = Literal["longest_idle", "round_robin", "fewest_calls"]


class Secret:
    """A secret string: `.reveal()` gives the value; repr/str never do."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str = "") -> None:
        self._value = value
        self.source = source  # where it came from (an env var name or a file path), safe to log

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingsError(Exception):
    """The configuration is invalid. `.errors` lists one message per problem, each naming its key."""

    def __init__(self, errors: list[str], source: str | None = None) -> None:
        self.errors = list(errors)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"invalid configuration{where}:\n{lines}")


def _f(default: Any, **rules: Any) -> Any:
    """A dataclass field with validation rules in its metadata."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use an immutable default")
    return field(default=default, metadata=rules)


@dataclass(frozen=True, slots=True)
class AsteriskSettings:
    ari_url: str = _f("http://127.0.0.1:8088", url=("http", "https"))
    ari_user: str = _f("cc112", nonempty=True)
    ari_password: Secret | None = None
    ari_app: str = _f("cc112", nonempty=True)
    ami_host: str = _f("127.0.0.1", nonempty=True)
    ami_port: int = _f(5038, ge=1, le=65535)
    ami_user: str = _f("cc112", nonempty=True)
    ami_secret: Secret | None = None
    connect_timeout: float = _f(5.0, gt=0)
    request_timeout: float = _f(10.0, gt=0)
    reconnect_min_delay: float = _f(0.5, gt=0)
    reconnect_max_delay: float = _f(30.0, gt=0)
    recordings_dir: Path = _f(Path("/var/spool/asterisk/monitor/cc112"), absolute=True)  # noqa: RUF009 - immutable
    fallback_queue: str = _f("cc112-fallback", nonempty=True)


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str = _f("sqlite+aiosqlite:///var/cc112.sqlite3", database_url=True)


@dataclass(frozen=True, slots=True)
class HaSettings:
    """An active/standby controller pair on one PostgreSQL database (issue 21; `docs/contracts.md`)."""

    mode: str = _f("single", pattern=r"^(single|pair)$")  # "pair" needs PostgreSQL
    node: str = ""  # this controller's name in logs and the leadership row (default: host:pid)
    advertise_url: str = _f("", pattern=r"^(|https?://\S+)$")  # this API as clients reach it (standby: `leader`)
    poll_interval: float = _f(0.2, gt=0, le=5)  # seconds between a standby's tries for the lock (and heartbeats)
    lease: float = _f(1.0, gt=0, le=30)  # seconds a silent session keeps the lock (idle_session_timeout)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    host: str = _f("127.0.0.1", nonempty=True)
    port: int = _f(8112, ge=0, le=65535)
    api_signing_key: Secret | None = None
    # the browser console (issue 16): its default language, the centre's time zone, the map's tiles
    console_language: str = _f("id", pattern=r"^(id|en)$")
    time_zone: str = _f("Asia/Jakarta", nonempty=True)
    map_tile_url: str = _f("", pattern=r"^(|https?://[^\s'\"]+\{z\}[^\s'\"]*)$")
    map_attribution: str = ""


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: LogLevel = "info"
    format: LogFormat = "auto"


@dataclass(frozen=True, slots=True)
class QueueSettings:
    strategy: Strategy = "longest_idle"
    ring_timeout: int = _f(15, gt=0)
    wrapup_time: int = _f(10, ge=0)
    auto_pause_after_missed: int = _f(3, ge=0)
    hold_announcement_interval: int = _f(30, gt=0)
    overflow_after: int = _f(60, ge=0)
    languages: tuple[str, ...] = _f(("id", "en"), nonempty=True, pattern=r"^[a-z]{2,3}$")
    feature_login: str = _f("*11", pattern=r"^\*[0-9]{1,4}$")
    feature_logout: str = _f("*12", pattern=r"^\*[0-9]{1,4}$")
    feature_pause: str = _f("*13", pattern=r"^\*[0-9]{1,4}$")


@dataclass(frozen=True, slots=True)
class CallbackSettings:
    """Added beyond the contract: the call-back policy for abandoned and dropped calls
    (`domain.callbacks.CallbackPolicy.from_settings`; the dial string is `trunk.outbound_dial`)."""

    enabled: bool = True
    first_delay: int = _f(10, ge=0)
    max_attempts: int = _f(3, ge=0)
    retry_interval: int = _f(120, gt=0)
    ring_timeout: int = _f(30, gt=0)
    agent_first: bool = True
    caller_id: str = _f("112", pattern=r"^\+?[0-9]{2,16}$")
    seat_cap: int = _f(1, ge=0)
    call_back_ghosts: bool = False


@dataclass(frozen=True, slots=True)
class IncidentSettings:
    """Added beyond the contract: repeat callers and ghost calls
    (`domain.repeat_caller.IncidentPolicy.from_settings`)."""

    repeat_caller_window: int = _f(1800, ge=0)
    ghost_call_threshold: int = _f(5, ge=0)
    silent_caller_prompt_after: int = _f(10, ge=0)
    # issue 19: a number with this many prank/abusive calls within the window is flagged (0: never)
    prank_flag_after: int = _f(3, ge=0)
    prank_flag_window: int = _f(604800, gt=0)  # seconds (7 days)


@dataclass(frozen=True, slots=True)
class AmlSettings:
    """Added for issue 19: Advanced Mobile Location. `senders` are `name:sha256hex` pairs: each
    sender (an operator's AML endpoint, an SMS gateway) holds a random token and sends it as a
    bearer token; only its SHA-256 is configured, so the file holds no secret."""

    senders: tuple[str, ...] = _f((), pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}:[0-9a-f]{64}$")
    match_window: int = _f(300, ge=0)
    unmatched_retention: int = _f(86400, gt=0, le=30 * 86400)
    max_age: int = _f(3600, gt=0)


@dataclass(frozen=True, slots=True)
class RecordingsSettings:
    """Added by issue 15: how long recordings are kept and when their disk counts as nearly full
    (the files themselves are in `asterisk.recordings_dir`)."""

    retention_days: int = _f(0, ge=0, le=36500)  # 0: keep forever
    min_free_mb: int = _f(1024, ge=0)  # `cc112 doctor` warns and /healthz is degraded below this


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    """Added for issue 17: dispatch to the agencies and the officers' positions. `routing_url` is an
    OSRM-compatible router ("" = none: straight-line ETAs at `fallback_speed_kmh`, marked as estimates);
    `agencies_file` a TOML file of `[[agencies]]` (with `[[agencies.officers]]`) seeded at every start."""

    routing_url: str = _f("", pattern=r"^(|https?://\S+)$")
    routing_timeout: float = _f(2.0, gt=0)
    fallback_speed_kmh: float = _f(30.0, gt=0, le=300)
    stale_after: int = _f(600, gt=0)
    accept_within: int = _f(300, ge=0)  # 0: a dispatch is never overdue
    position_retention_days: int = _f(7, gt=0, le=3650)
    position_max_future: int = _f(120, ge=0)
    position_max_age: int = _f(86400, gt=0)
    photo_dir: str = _f("var/dispatch-photos", nonempty=True)
    photo_max_bytes: int = _f(5 * 1024 * 1024, gt=0, le=50 * 1024 * 1024)
    agencies_file: str = ""


@dataclass(frozen=True, slots=True)
class QcSettings:
    """Added by issue 18: quality control's weekly sampling (weeks in `http.time_zone`)."""

    enabled: bool = True  # the controller draws each finished week's samples by itself
    samples_per_taker: int = _f(2, ge=1, le=20)
    min_talk_time: int = _f(30, ge=0, le=3600)  # s: only calls whose talk lasted longer are drawn
    answer_target: int = _f(10, ge=1, le=600)  # s: the answer-time signal's target
    check_interval: int = _f(3600, ge=60, le=86400)  # s between the controller's looks for an undrawn week


@dataclass(frozen=True, slots=True)
class SeatSettings:
    id: str = _f("", pattern=SEAT_ID_PATTERN)
    name: str = _f("", nonempty=True)
    dial_string: str = _f("", pattern=r"^[A-Za-z]+/\S+$")
    overflow: bool = False


@dataclass(frozen=True, slots=True)
class TrunkSettings:
    outbound_dial: str = _f("PJSIP/{number}@telco", contains="{number}")
    host: str = _f("127.0.0.1", nonempty=True)
    match: str = _f("127.0.0.1", nonempty=True)


@dataclass(frozen=True, slots=True)
class DeploySettings:
    bind_address: str = _f("127.0.0.1", nonempty=True)
    sip_port: int = _f(5060, ge=1, le=65535)
    rtp_start: int = _f(10000, ge=1024, le=65535)
    rtp_end: int = _f(20000, ge=1024, le=65535)
    ari_port: int = _f(8088, ge=1, le=65535)
    ami_port: int = _f(5038, ge=1, le=65535)
    test_caller: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    asterisk: AsteriskSettings = AsteriskSettings()
    database: DatabaseSettings = DatabaseSettings()
    http: HttpSettings = HttpSettings()
    logging: LoggingSettings = LoggingSettings()
    queue: QueueSettings = QueueSettings()
    callback: CallbackSettings = CallbackSettings()
    incident: IncidentSettings = IncidentSettings()
    aml: AmlSettings = AmlSettings()
    recordings: RecordingsSettings = RecordingsSettings()
    dispatch: DispatchSettings = DispatchSettings()
    qc: QcSettings = QcSettings()
    seats: tuple[SeatSettings, ...] = ()
    trunk: TrunkSettings = TrunkSettings()
    deploy: DeploySettings = DeploySettings()
    ha: HaSettings = HaSettings()

    def seat(self, seat_id: str) -> SeatSettings | None:
        return next((s for s in self.seats if s.id == seat_id), None)


# The `[section]` tables of the file, in order, and the dataclass for each.
SECTIONS: dict[str, type] = {
    "asterisk": AsteriskSettings,
    "database": DatabaseSettings,
    "http": HttpSettings,
    "logging": LoggingSettings,
    "queue": QueueSettings,
    "callback": CallbackSettings,
    "incident": IncidentSettings,
    "aml": AmlSettings,
    "recordings": RecordingsSettings,
    "dispatch": DispatchSettings,
    "qc": QcSettings,
    "trunk": TrunkSettings,
    "deploy": DeploySettings,
    "ha": HaSettings,
}


def require_secret(value: Secret | None, key: str) -> Secret:
    """The secret, or a `SettingsError` telling how to provide it (`key` like "asterisk.ari_password")."""
    if value is not None:
        return value
    section, name = key.split(".", 1)
    raise SettingsError(
        [
            f"{key}: required but not set; set the environment variable CC112_{section.upper()}_"
            f"{name.upper()} or the key {name}_file = \"/path/to/file\" in [{section}]"
        ]
    )
