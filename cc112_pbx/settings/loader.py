"""Load `config/cc112.toml` plus `CC112_<SECTION>_<KEY>` environment overrides into `Settings`.

All problems are collected, then raised together as one `SettingsError`, each message naming
its key (`queue.ring_timeout: must be greater than 0 (got -5)`). Secrets never come from the
file itself: only from the environment (`CC112_ASTERISK_ARI_PASSWORD`) or from a file named by a
`*_file` key (`ari_password_file`, or `CC112_ASTERISK_ARI_PASSWORD_FILE`). Relative paths are
relative to the working directory.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cc112_pbx.settings.coerce import Invalid, check_rules, coerce, describe, is_secret
from cc112_pbx.settings.model import SECTIONS, SeatSettings, Secret, Settings, SettingsError

ENV_PREFIX = "CC112_"
DEFAULT_CONFIG = Path("config/cc112.toml")


def default_config_path(environ: Mapping[str, str] = os.environ) -> Path | None:
    """`$CC112_CONFIG`, else `config/cc112.toml` when it exists, else None (defaults only)."""
    if environ.get("CC112_CONFIG"):
        return Path(environ["CC112_CONFIG"])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_settings(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from the TOML file at `path` (None: defaults), with environment overrides applied."""
    source = str(path) if path is not None else None
    raw = _read_toml(Path(path)) if path is not None else {}
    loader = _Loader(environ)
    settings = loader.build(raw)
    if loader.errors:
        raise SettingsError(loader.errors, source)
    assert settings is not None
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError([f"{path}: cannot read the file ({exc.strerror or exc})"], str(path)) from None
    except UnicodeDecodeError:
        raise SettingsError([f"{path}: not UTF-8 text"], str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([f"{path}: not valid TOML: {exc}"], str(path)) from None


class _Loader:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.errors: list[str] = []
        self.env = _env_overrides(environ)

    def build(self, raw: dict[str, Any]) -> Settings | None:
        known = {*SECTIONS, "seats"}
        for name in raw:
            if name not in known:
                shown = name if name.strip() else repr(name)  # `[""]` is valid TOML: still name it
                self.errors.append(f"{shown}: unknown section (known: {', '.join(sorted(known))})")
        self._unknown_env_keys()
        sections: dict[str, Any] = {}
        for name, cls in SECTIONS.items():
            table = raw.get(name, {})
            if not isinstance(table, dict):
                self.errors.append(f"{name}: must be a [{name}] table (got {describe(table)})")
                table = {}
            sections[name] = self._section(name, cls, table)
        sections["seats"] = self._seats(raw.get("seats", []))
        self._cross_checks(sections)
        if self.errors:
            return None
        return Settings(**sections)

    def _unknown_env_keys(self) -> None:
        for (section, key), var in ((k, v[0]) for k, v in self.env.items()):
            cls = SECTIONS[section]
            names = {f.name for f in dataclasses.fields(cls)}
            secret_files = {f"{n}_file" for n, h in typing.get_type_hints(cls).items() if is_secret(h)}
            if key not in names | secret_files:
                self.errors.append(f"{var}: no setting {section}.{key}")

    def _section(self, section: str, cls: type, table: Mapping[str, Any], label: str | None = None) -> Any:
        label = label or section
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        secret_names = {name for name, hint in hints.items() if is_secret(hint)}
        for key in table:
            if key not in fields and key.removesuffix("_file") not in secret_names:
                self.errors.append(f"{label}.{key}: unknown key (known: {', '.join(fields)})")
        values: dict[str, Any] = {}
        for name, spec in fields.items():
            if name in secret_names:
                values[name] = self._secret(section, name, table, label)
                continue
            try:
                value = self._value(cls, spec, hints[name], table, label)
            except Invalid as exc:
                self.errors.append(str(exc))
                continue
            if value is not _MISSING:
                values[name] = value
        return self._construct(cls, values, label)

    def _value(
        self, cls: type, spec: dataclasses.Field, hint: Any, table: Mapping[str, Any], label: str
    ) -> Any:
        name = spec.name
        env = self.env.get((label, name)) if label in SECTIONS else None
        if env is not None:
            where, raw, from_env = f"{label}.{name} (from {env[0]})", env[1], True
        elif name in table:
            where, raw, from_env = f"{label}.{name}", table[name], False
        elif name in _REQUIRED.get(cls, ()):
            raise Invalid(f"{label}.{name}: required key is missing")
        else:
            return _MISSING
        try:
            value = coerce(raw, hint, from_env)
            check_rules(value, spec)
        except Invalid as exc:
            raise Invalid(f"{where}: {exc}") from None
        return value

    def _secret(self, section: str, name: str, table: Mapping[str, Any], label: str) -> Secret | None:
        if name in table:
            self.errors.append(
                f"{label}.{name}: secrets are not read from the config file; use {name}_file = \"/path\" "
                f"or the environment variable CC112_{section.upper()}_{name.upper()}"
            )
        env_value = self.env.get((section, name))
        if env_value is not None:
            return Secret(env_value[1], source=env_value[0])
        env_file = self.env.get((section, f"{name}_file"))
        if env_file is not None:
            return self._read_secret(f"{label}.{name}_file (from {env_file[0]})", env_file[1])
        if f"{name}_file" in table:
            value = table[f"{name}_file"]
            if not isinstance(value, str) or not value:
                self.errors.append(f"{label}.{name}_file: must be a path string (got {describe(value)})")
                return None
            return self._read_secret(f"{label}.{name}_file", value)
        return None

    def _read_secret(self, where: str, path_text: str) -> Secret | None:
        path = Path(path_text)
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            self.errors.append(f"{where}: cannot read secret file {path_text!r} ({exc.strerror or exc})")
            return None
        except UnicodeDecodeError:
            self.errors.append(f"{where}: secret file {path_text!r} is not UTF-8 text")
            return None
        if not value:
            self.errors.append(f"{where}: secret file {path_text!r} is empty")
            return None
        return Secret(value, source=str(path))

    def _construct(self, cls: type, values: dict[str, Any], label: str) -> Any:
        try:
            return cls(**values)
        except TypeError as exc:  # only if a required value was missing and already reported
            if not self.errors:
                self.errors.append(f"{label}: {exc}")
            return None

    def _seats(self, raw: Any) -> tuple[SeatSettings, ...]:
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            self.errors.append(f"seats: must be [[seats]] tables (got {describe(raw)})")
            return ()
        seats: list[SeatSettings] = []
        first_index: dict[str, int] = {}
        for index, table in enumerate(raw):
            seat = self._section("seats", SeatSettings, table, label=f"seats[{index}]")
            if seat is None:
                continue
            if seat.id in first_index:
                first = first_index[seat.id]
                self.errors.append(
                    f"seats[{index}].id: duplicate seat id {seat.id!r} (already used by seats[{first}])"
                )
                continue
            first_index[seat.id] = index
            seats.append(seat)
        return tuple(seats)

    def _cross_checks(self, sections: dict[str, Any]) -> None:
        asterisk, deploy = sections["asterisk"], sections["deploy"]
        if asterisk and asterisk.reconnect_min_delay > asterisk.reconnect_max_delay:
            self.errors.append(
                "asterisk.reconnect_max_delay: must be at least reconnect_min_delay "
                f"({asterisk.reconnect_max_delay} < {asterisk.reconnect_min_delay})"
            )
        if deploy and deploy.rtp_start >= deploy.rtp_end:
            self.errors.append(
                f"deploy.rtp_end: must be above rtp_start ({deploy.rtp_end} <= {deploy.rtp_start})"
            )
        queue = sections["queue"]
        if queue:
            codes = [queue.feature_login, queue.feature_logout, queue.feature_pause]
            if len(set(codes)) != len(codes):
                self.errors.append(f"queue.feature_*: feature codes must differ (got {', '.join(codes)})")


_MISSING = object()
_REQUIRED: dict[type, tuple[str, ...]] = {SeatSettings: ("id", "name", "dial_string")}


def _env_overrides(environ: Mapping[str, str]) -> dict[tuple[str, str], tuple[str, str]]:
    """`{(section, key): (VARIABLE_NAME, value)}` for every `CC112_<SECTION>_<KEY>` of a known section."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for var, value in environ.items():
        if not var.startswith(ENV_PREFIX):
            continue
        section, _, key = var[len(ENV_PREFIX) :].lower().partition("_")
        if section in SECTIONS and key:
            found[(section, key)] = (var, value)
    return found
