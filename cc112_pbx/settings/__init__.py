"""cc112 settings: `load_settings()` reads config/cc112.toml plus `CC112_<SECTION>_<KEY>` overrides.

See docs/contracts.md for the shape and config/cc112.toml for every key, documented.
"""

from cc112_pbx.settings.loader import DEFAULT_CONFIG, default_config_path, load_settings
from cc112_pbx.settings.model import (
    SEAT_ID_PATTERN,
    AmlSettings,
    AsteriskSettings,
    CallbackSettings,
    DatabaseSettings,
    DeploySettings,
    DispatchSettings,
    HaSettings,
    HttpSettings,
    IncidentSettings,
    LoggingSettings,
    QcSettings,
    QueueSettings,
    RecordingsSettings,
    SeatSettings,
    Secret,
    Settings,
    SettingsError,
    TrunkSettings,
    require_secret,
)
from cc112_pbx.settings.summary import summarize

__all__ = [
    "DEFAULT_CONFIG",
    "SEAT_ID_PATTERN",
    "AmlSettings",
    "AsteriskSettings",
    "CallbackSettings",
    "DatabaseSettings",
    "DeploySettings",
    "DispatchSettings",
    "HaSettings",
    "HttpSettings",
    "IncidentSettings",
    "LoggingSettings",
    "QcSettings",
    "QueueSettings",
    "RecordingsSettings",
    "SeatSettings",
    "Secret",
    "Settings",
    "SettingsError",
    "TrunkSettings",
    "default_config_path",
    "load_settings",
    "require_secret",
    "summarize",
]
