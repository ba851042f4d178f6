"""`[dispatch] agencies_file` (issue 17): the example loads, and each bad key is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from cc112_pbx.settings import SettingsError
from cc112_pbx.settings.agencies import load_agencies

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "agencies.example.toml"


def test_the_example_file_loads_with_its_officers():
    agencies = load_agencies(EXAMPLE)
    assert [a["code"] for a in agencies] == ["polrestabes", "damkar", "dinkes118", "bpbd", "pln", "pdam", "relawan"]
    police = agencies[0]
    assert police["categories"] == ["police", "traffic", "public_order"] and police["area"]["lat"] == -6.99
    assert [o["device_id"] for o in police["officers"]] == ["pol-01"]
    assert agencies[-1]["officers"][0]["kind"] == "team"


def test_every_bad_key_is_named(tmp_path):
    path = tmp_path / "agencies.toml"
    path.write_text('''
[[agencies]]
code = "Bad Code"
name = "x"
kind = "navy"
categories = ["plumbing"]

[[agencies.officers]]
name = "a"
device_id = "dup"
token_sha256 = "not-hex"

[[agencies.officers]]
name = "b"
device_id = "dup"
''')
    with pytest.raises(SettingsError) as exc:
        load_agencies(path)
    text = "\\n".join(exc.value.errors)
    for key in ("agencies[0].code", "agencies[0].kind", "agencies[0].categories",
                "agencies[0].officers[0].token_sha256", "agencies[0].officers[1].device_id"):
        assert key in text, text


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match=r"dispatch\.agencies_file"):
        load_agencies(tmp_path / "nope.toml")
