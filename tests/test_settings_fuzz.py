"""Property tests over the settings loader: random TOML-like tables and environment overrides never
crash it; the result is valid `Settings` or a `SettingsError` whose every message names a key."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cc112_pbx.settings import Settings, SettingsError
from cc112_pbx.settings.loader import _Loader
from cc112_pbx.settings.model import SECTIONS, SeatSettings

KNOWN = {name: [f.name for f in dataclasses.fields(cls)] for name, cls in SECTIONS.items()}
SEAT_KEYS = [f.name for f in dataclasses.fields(SeatSettings)]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["", "0", "-1", "15", "true", "round_robin", "PJSIP/seat01",
                                           "http://127.0.0.1:8088", "/abs/path", "sqlite+aiosqlite:///x.db",
                                           "*11", "id,en"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
section_names = st.one_of(st.sampled_from(sorted(SECTIONS)), st.text(max_size=8))


@st.composite
def tables(draw) -> dict:
    raw: dict = {}
    for section in draw(st.lists(section_names, max_size=5, unique=True)):
        keys = [*KNOWN.get(section, []), "unknown_key", "ari_password", "ami_secret_file"]
        if draw(st.booleans()):
            raw[section] = draw(values)  # not even a table
        else:
            raw[section] = draw(st.dictionaries(st.sampled_from(keys), values, max_size=4))
    if draw(st.booleans()):
        raw["seats"] = draw(st.one_of(values, st.lists(
            st.dictionaries(st.sampled_from([*SEAT_KEYS, "bogus"]), values, max_size=4), max_size=3)))
    return raw


@st.composite
def environments(draw) -> dict[str, str]:
    env = {}
    for _ in range(draw(st.integers(0, 4))):
        section = draw(st.sampled_from(sorted(SECTIONS)))
        key = draw(st.sampled_from([*KNOWN[section], "nope"]))
        env[f"CC112_{section.upper()}_{key.upper()}"] = draw(st.one_of(st.text(max_size=12),
                                                                        st.sampled_from(["0", "20", "-3", "x"])))
    return env


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=tables(), env=environments())
def test_random_tables_and_env_overrides_give_settings_or_errors_naming_a_key(raw, env):
    loader = _Loader(env)
    try:
        result = loader.build(raw)
    except SettingsError as exc:  # also fine, as long as it names keys
        errors = exc.errors
    else:
        errors = loader.errors
        if not errors:
            assert isinstance(result, Settings)
            return
    assert errors
    # every message starts with the key it is about: a section or key of the input, a seat, or an env variable
    named = [*(name if name.strip() else repr(name) for name in raw), *env, *SECTIONS, "seats"]
    for message in errors:
        assert ": " in message and any(message.startswith(name) for name in named), message
