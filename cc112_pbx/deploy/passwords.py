"""Generated credentials for the rendered Asterisk configuration, kept across re-renders.

`RenderState` is a small JSON file (mode 0600) next to the rendered files: seat and test
caller SIP passwords, and the ARI/AMI secrets the renderer had to generate because the
settings did not provide them. Re-rendering reads it back, so a softphone configured once
keeps working after the seat list or the templates change.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

STATE_VERSION = 1
PASSWORD_BYTES = 24  # token_urlsafe(24) -> 32 characters from [A-Za-z0-9_-]
MIN_PASSWORD_LENGTH = 24
PRIVATE_MODE = 0o600


class RenderStateError(Exception):
    """The state file exists but cannot be used."""


def new_password() -> str:
    """A random password of 32 URL-safe characters (192 bits), safe inside Asterisk .conf files."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def is_strong(password: str) -> bool:
    """Long enough and made only of characters that need no quoting in Asterisk config."""
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(password) >= MIN_PASSWORD_LENGTH and set(password) <= allowed


@dataclass
class RenderState:
    """SIP passwords by endpoint name, and generated secrets by settings key."""

    sip_passwords: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)  # endpoints that got a new password this run

    @classmethod
    def load(cls, path: Path) -> RenderState:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RenderStateError(f"{path}: cannot read the render state ({exc})") from None
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            raise RenderStateError(f"{path}: not a cc112 render state (version {STATE_VERSION})")
        return cls(sip_passwords=_str_map(raw, "sip_passwords", path), secrets=_str_map(raw, "secrets", path))

    def sip_password(self, endpoint: str) -> str:
        """The endpoint's password: the stored one, or a new one (remembered)."""
        existing = self.sip_passwords.get(endpoint)
        if existing and is_strong(existing):
            return existing
        password = new_password()
        self.sip_passwords[endpoint] = password
        self.created.append(endpoint)
        return password

    def generated_secret(self, key: str) -> str:
        """A secret the settings lack: the one generated earlier, or a new one."""
        if key not in self.secrets or not is_strong(self.secrets[key]):
            self.secrets[key] = new_password()
        return self.secrets[key]

    def forget_except(self, endpoints: set[str]) -> list[str]:
        """Drop passwords of endpoints no longer rendered (a re-added seat gets a new one)."""
        gone = sorted(set(self.sip_passwords) - endpoints)
        for name in gone:
            del self.sip_passwords[name]
        return gone

    def save(self, path: Path) -> None:
        data = {"version": STATE_VERSION, "sip_passwords": self.sip_passwords, "secrets": self.secrets}
        write_private(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, PRIVATE_MODE)
    os.replace(tmp, path)


def _str_map(raw: dict, key: str, path: Path) -> dict[str, str]:
    value = raw.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise RenderStateError(f"{path}: {key} must map names to strings")
    return dict(value)
