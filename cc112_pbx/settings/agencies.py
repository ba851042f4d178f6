"""The agency directory's seed file (issue 17, `[dispatch] agencies_file`): `[[agencies]]` tables, each
with `[[agencies.officers]]`. Read at every start; agencies are matched by `code`, officers by
`device_id` (both kept, never deleted, by later starts). Device tokens are given as their SHA-256
(`token_sha256`), so the file holds no secret.

    [[agencies]]
    code = "polrestabes"              # lower-case letters, digits, - and _ (unique)
    name = "Polrestabes Semarang"
    kind = "police"                   # police fire health disaster sar electricity water internet volunteer other
    categories = ["police", "traffic", "public_order"]   # the incident categories it handles
    contacts = [{label = "SPKT", number = "110"}]
    area = {description = "Kota Semarang", lat = -6.99, lon = 110.42, radius_km = 15}

    [[agencies.officers]]
    name = "Bripka Adi"
    callsign = "P-01"
    kind = "officer"                  # officer, unit or team
    device_id = "pol-01"              # what the phone's tracking app sends as its id
    token_sha256 = "..."              # printf %s "$TOKEN" | sha256sum
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from cc112_pbx.domain.agencies import AgencyKind, OfficerKind
from cc112_pbx.domain.categories import parse_category
from cc112_pbx.settings.model import SettingsError

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
DEVICE = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def load_agencies(path: Path) -> list[dict[str, Any]]:
    """The agencies as dicts ready for the dispatch service's `seed` (each with its `officers`);
    `SettingsError` naming every bad key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError([f"dispatch.agencies_file: cannot read {path}: {exc.strerror}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([f"dispatch.agencies_file: {path} is not valid TOML: {exc}"]) from None
    errors: list[str] = []
    tables = raw.get("agencies", [])
    if not isinstance(tables, list):
        raise SettingsError(["agencies: must be [[agencies]] tables"], str(path))
    agencies, codes, devices = [], set(), set()
    for i, table in enumerate(tables):
        where = f"agencies[{i}]"
        agency = _agency(table, where, errors)
        if agency is None:
            continue
        if agency["code"] in codes:
            errors.append(f"{where}.code: duplicate code {agency['code']!r}")
        codes.add(agency["code"])
        for j, officer_table in enumerate(table.get("officers", [])):
            officer = _officer(officer_table, f"{where}.officers[{j}]", errors)
            if officer is None:
                continue
            if officer["device_id"] in devices:
                errors.append(f"{where}.officers[{j}].device_id: duplicate device id {officer['device_id']!r}")
            devices.add(officer["device_id"])
            agency["officers"].append(officer)
        agencies.append(agency)
    if errors:
        raise SettingsError(errors, str(path))
    return agencies


def _text(table: dict[str, Any], key: str, where: str, errors: list[str], *, pattern: re.Pattern[str] | None = None,
          required: bool = True, max_len: int = 128) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_len:
        errors.append(f"{where}.{key}: {'required ' if required else ''}text up to {max_len} characters")
        return ""
    if pattern is not None and value and not pattern.match(value):
        errors.append(f"{where}.{key}: {value!r} does not match {pattern.pattern}")
    return value.strip()


def _agency(table: Any, where: str, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(table, dict):
        errors.append(f"{where}: must be a table")
        return None
    kind = table.get("kind", "other")
    if kind not in AgencyKind.__members__.values():
        errors.append(f"{where}.kind: one of {', '.join(AgencyKind)}")
    categories = []
    for name in table.get("categories", []):
        try:
            categories.append(parse_category(str(name)).value)
        except ValueError as exc:
            errors.append(f"{where}.categories: {exc}")
    contacts = table.get("contacts", [])
    if not isinstance(contacts, list) or not all(isinstance(c, dict) and isinstance(c.get("number"), str)
                                                 for c in contacts):
        errors.append(f"{where}.contacts: a list of {{label, number}} tables")
        contacts = []
    area = table.get("area", {})
    if not isinstance(area, dict):
        errors.append(f"{where}.area: a table {{description, lat, lon, radius_km}}")
        area = {}
    return {"code": _text(table, "code", where, errors, pattern=CODE, max_len=32),
            "name": _text(table, "name", where, errors), "kind": str(kind), "categories": categories,
            "contacts": [{"label": str(c.get("label", "")), "number": c["number"]} for c in contacts],
            "area": area, "officers": []}


def _officer(table: Any, where: str, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(table, dict):
        errors.append(f"{where}: must be a table")
        return None
    kind = table.get("kind", "officer")
    if kind not in OfficerKind.__members__.values():
        errors.append(f"{where}.kind: one of {', '.join(OfficerKind)}")
    token = table.get("token_sha256")
    if token is not None and (not isinstance(token, str) or not SHA256.match(token)):
        errors.append(f"{where}.token_sha256: the SHA-256 of the device's token, 64 lower-case hex digits")
    username = table.get("username")
    if username is not None and not isinstance(username, str):
        errors.append(f"{where}.username: the officer's API user name")
    return {"name": _text(table, "name", where, errors), "callsign": _text(table, "callsign", where, errors,
                                                                         required=False, max_len=32),
            "kind": str(kind), "device_id": _text(table, "device_id", where, errors, pattern=DEVICE, max_len=64),
            "token_sha256": token, "username": username}
