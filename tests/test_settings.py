import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112_pbx.settings import Secret, Settings, SettingsError, load_settings, require_secret

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config" / "cc112.toml"

SEATS = """
[[seats]]
id = "seat01"
name = "Meja 1"
dial_string = "PJSIP/seat01"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cc112.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SettingsError) as exc:
        load_settings(write(tmp_path, text), environ or {})
    return exc.value.errors


def test_documented_example_loads_with_the_contract_defaults():
    settings = load_settings(EXAMPLE, {})
    assert settings.asterisk.ari_url == "http://127.0.0.1:8088"
    assert settings.asterisk.ari_app == "cc112"
    assert settings.asterisk.ami_port == 5038
    assert settings.asterisk.fallback_queue == "cc112-fallback"
    assert settings.database.url == "sqlite+aiosqlite:///var/cc112.sqlite3"
    assert settings.http.port == 8112
    assert settings.queue.strategy == "longest_idle"
    assert settings.queue.ring_timeout == 15
    assert settings.queue.languages == ("id", "en")
    assert [s.id for s in settings.seats] == ["seat01", "seat02", "seat03", "supervisor"]
    assert settings.seat("supervisor").overflow is True
    assert settings.seat("seat01").dial_string == "PJSIP/seat01"


def test_every_key_of_the_example_file_carries_a_comment():
    lines = EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            key = line.split("=")[0].strip()
            if key in {"id", "name", "dial_string", "overflow"}:
                continue  # seat tables are documented once, above the first [[seats]]
            assert lines[number - 1].startswith("#") or "=" in lines[number - 1], f"{key} has no comment"


def test_example_file_names_every_setting_of_every_section():
    text = EXAMPLE.read_text()
    defaults = Settings()
    for section in ("asterisk", "database", "http", "logging", "queue", "callback", "incident", "aml", "trunk",
                    "deploy", "dispatch"):
        for field in dataclasses.fields(getattr(defaults, section)):
            assert f"{field.name} =" in text or f"{field.name}_file =" in text, f"{section}.{field.name}"


def test_no_file_gives_defaults_and_no_seats():
    settings = load_settings(None, {})
    assert settings == Settings()
    assert settings.seats == ()


def test_settings_are_frozen():
    settings = load_settings(EXAMPLE, {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.queue.ring_timeout = 1  # type: ignore[misc]


def test_environment_overrides_the_file():
    env = {"CC112_QUEUE_RING_TIMEOUT": "20", "CC112_DATABASE_URL": "postgresql+asyncpg://u@h/db",
           "CC112_QUEUE_LANGUAGES": "en, id", "CC112_DEPLOY_TEST_CALLER": "false",
           "CC112_ASTERISK_CONNECT_TIMEOUT": "2.5", "CC112_TEST_POSTGRES_URL": "ignored: not a section"}
    settings = load_settings(EXAMPLE, env)
    assert settings.queue.ring_timeout == 20
    assert settings.database.url == "postgresql+asyncpg://u@h/db"
    assert settings.queue.languages == ("en", "id")
    assert settings.deploy.test_caller is False
    assert settings.asterisk.connect_timeout == 2.5


def test_bad_environment_value_names_the_variable_and_key(tmp_path):
    errors = errors_of(tmp_path, "", {"CC112_QUEUE_RING_TIMEOUT": "soon"})
    assert errors == ["queue.ring_timeout (from CC112_QUEUE_RING_TIMEOUT): must be an integer (got 'soon')"]


def test_misspelt_environment_override_is_an_error(tmp_path):
    assert errors_of(tmp_path, "", {"CC112_QUEUE_RING_TIMOUT": "5"}) == [
        "CC112_QUEUE_RING_TIMOUT: no setting queue.ring_timout"
    ]


def test_unknown_key_is_rejected_by_name(tmp_path):
    errors = errors_of(tmp_path, "[queue]\nring_timeot = 5\n")
    assert len(errors) == 1
    assert errors[0].startswith("queue.ring_timeot: unknown key")


def test_unknown_section_is_rejected(tmp_path):
    assert errors_of(tmp_path, "[qeue]\nring_timeout = 5\n")[0].startswith("qeue: unknown section")


def test_wrong_type_is_rejected_with_what_was_found(tmp_path):
    errors = errors_of(tmp_path, '[asterisk]\nami_port = "5038"\n[deploy]\ntest_caller = 1\n')
    assert errors == [
        "asterisk.ami_port: must be an integer (got string '5038')",
        "deploy.test_caller: must be true or false (got integer 1)",
    ]


def test_boolean_is_not_accepted_as_a_number(tmp_path):
    assert errors_of(tmp_path, "[queue]\nwrapup_time = true\n") == [
        "queue.wrapup_time: must be an integer (got boolean True)"
    ]


def test_negative_timeout_is_rejected(tmp_path):
    assert errors_of(tmp_path, "[asterisk]\nrequest_timeout = -1\n") == [
        "asterisk.request_timeout: must be greater than 0 (got -1.0)"
    ]


@pytest.mark.parametrize("value", ["0", "-5"])
def test_ring_timeout_must_be_positive(tmp_path, value):
    errors = errors_of(tmp_path, f"[queue]\nring_timeout = {value}\n")
    assert errors == [f"queue.ring_timeout: must be greater than 0 (got {value})"]


def test_unknown_strategy_is_rejected_with_the_choices(tmp_path):
    errors = errors_of(tmp_path, '[queue]\nstrategy = "random"\n')
    assert errors == [
        "queue.strategy: must be one of 'longest_idle', 'round_robin', 'fewest_calls' (got string 'random')"
    ]


def test_duplicate_seat_id_is_rejected(tmp_path):
    errors = errors_of(tmp_path, SEATS + SEATS)
    assert errors == ["seats[1].id: duplicate seat id 'seat01' (already used by seats[0])"]


@pytest.mark.parametrize("seat_id", ["Seat01", "-seat", "seat 1", "s" * 33, ""])
def test_seat_id_must_match_the_pattern(tmp_path, seat_id):
    errors = errors_of(tmp_path, SEATS.replace('"seat01"\nname', f'"{seat_id}"\nname'))
    assert len(errors) == 1
    assert errors[0].startswith("seats[0].id: ")
    assert "does not match" in errors[0]


def test_seat_without_dial_string_is_rejected(tmp_path):
    errors = errors_of(tmp_path, '[[seats]]\nid = "seat01"\nname = "Meja 1"\n')
    assert errors == ["seats[0].dial_string: required key is missing"]


def test_unknown_seat_key_is_rejected(tmp_path):
    errors = errors_of(tmp_path, SEATS + 'colour = "red"\n')
    assert errors[0].startswith("seats[0].colour: unknown key")


def test_all_problems_are_reported_together(tmp_path):
    errors = errors_of(tmp_path, '[queue]\nring_timeout = 0\nstrategy = "x"\nbogus = 1\n')
    assert len(errors) == 3


def test_invalid_toml_names_the_file_and_position(tmp_path):
    errors = errors_of(tmp_path, "[queue\n")
    assert len(errors) == 1
    assert "not valid TOML" in errors[0]
    assert "line 1" in errors[0]


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError) as exc:
        load_settings(tmp_path / "nope.toml", {})
    assert exc.value.errors == [f"{tmp_path / 'nope.toml'}: cannot read the file (No such file or directory)"]


def test_secret_file_that_does_not_exist_is_rejected(tmp_path):
    errors = errors_of(tmp_path, f'[asterisk]\nari_password_file = "{tmp_path}/missing"\n')
    assert errors == [
        f"asterisk.ari_password_file: cannot read secret file '{tmp_path}/missing' "
        "(No such file or directory)"
    ]


def test_empty_secret_file_is_rejected(tmp_path):
    (tmp_path / "empty").write_text("\n")
    errors = errors_of(tmp_path, f'[http]\napi_signing_key_file = "{tmp_path}/empty"\n')
    assert errors == [f"http.api_signing_key_file: secret file '{tmp_path}/empty' is empty"]


def test_secret_written_inline_in_the_file_is_refused(tmp_path):
    errors = errors_of(tmp_path, '[asterisk]\nami_secret = "hunter2"\n')
    assert len(errors) == 1
    assert errors[0].startswith("asterisk.ami_secret: secrets are not read from the config file")
    assert "hunter2" not in errors[0]


def test_secrets_come_from_a_file_or_the_environment_and_never_show(tmp_path):
    (tmp_path / "ari").write_text("s3cret-ari\n")
    path = write(tmp_path, f'[asterisk]\nari_password_file = "{tmp_path}/ari"\n')
    settings = load_settings(path, {"CC112_ASTERISK_AMI_SECRET": "s3cret-ami"})
    assert settings.asterisk.ari_password.reveal() == "s3cret-ari"
    assert settings.asterisk.ami_secret.reveal() == "s3cret-ami"
    assert settings.http.api_signing_key is None
    shown = repr(settings) + str(settings.asterisk.ami_secret) + f"{settings.asterisk}"
    assert "s3cret" not in shown


def test_environment_secret_file_override(tmp_path):
    (tmp_path / "key").write_text("signing")
    settings = load_settings(None, {"CC112_HTTP_API_SIGNING_KEY_FILE": str(tmp_path / "key")})
    assert settings.http.api_signing_key == Secret("signing")


def test_missing_secret_fails_only_where_it_is_needed():
    settings = load_settings(None, {})
    with pytest.raises(SettingsError) as exc:
        require_secret(settings.asterisk.ari_password, "asterisk.ari_password")
    assert "CC112_ASTERISK_ARI_PASSWORD" in exc.value.errors[0]
    assert "ari_password_file" in exc.value.errors[0]


def test_database_directory_that_cannot_exist_is_rejected(tmp_path):
    (tmp_path / "plainfile").write_text("")
    url = f"sqlite+aiosqlite:///{tmp_path}/plainfile/sub/cc112.sqlite3"
    errors = errors_of(tmp_path, f'[database]\nurl = "{url}"\n')
    assert len(errors) == 1
    assert errors[0].startswith("database.url: directory ")


def test_database_url_needs_an_async_driver(tmp_path):
    errors = errors_of(tmp_path, '[database]\nurl = "postgresql://db/cc112"\n')
    assert errors == [
        "database.url: must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (got 'postgresql://db/cc112')"
    ]


def test_reconnect_delays_and_rtp_range_are_checked_together(tmp_path):
    text = (
        "[asterisk]\nreconnect_min_delay = 10\nreconnect_max_delay = 1\n"
        "[deploy]\nrtp_start = 20000\nrtp_end = 10000\n"
    )
    errors = errors_of(tmp_path, text)
    assert [e.split(":")[0] for e in errors] == ["asterisk.reconnect_max_delay", "deploy.rtp_end"]


def test_trunk_dial_string_needs_the_number_placeholder(tmp_path):
    errors = errors_of(tmp_path, '[trunk]\noutbound_dial = "PJSIP/telco"\n')
    assert errors == ["trunk.outbound_dial: must contain {number} (got 'PJSIP/telco')"]


@given(value=st.integers(min_value=-10**6, max_value=10**6))
def test_any_ring_timeout_override_either_loads_or_names_the_key(value):
    env = {"CC112_QUEUE_RING_TIMEOUT": str(value)}
    if value > 0:
        assert load_settings(None, env).queue.ring_timeout == value
    else:
        with pytest.raises(SettingsError) as exc:
            load_settings(None, env)
        assert exc.value.errors == [
            f"queue.ring_timeout (from CC112_QUEUE_RING_TIMEOUT): must be greater than 0 (got {value})"
        ]


@given(text=st.text(max_size=20))
def test_arbitrary_strategy_text_is_accepted_only_when_known(text):
    env = {"CC112_QUEUE_STRATEGY": text}
    if text in ("longest_idle", "round_robin", "fewest_calls"):
        assert load_settings(None, env).queue.strategy == text
    else:
        with pytest.raises(SettingsError) as exc:
            load_settings(None, env)
        assert exc.value.errors[0].startswith("queue.strategy (from CC112_QUEUE_STRATEGY): must be one of")


def test_config_file_can_be_named_by_the_environment(tmp_path, monkeypatch):
    from cc112_pbx.settings import default_config_path

    path = write(tmp_path, "[queue]\nring_timeout = 9\n")
    assert default_config_path({"CC112_CONFIG": str(path)}) == path
    assert load_settings(default_config_path({"CC112_CONFIG": str(path)}), {}).queue.ring_timeout == 9
    monkeypatch.chdir(tmp_path)
    assert default_config_path({}) is None


def test_a_relative_recordings_dir_is_rejected_because_asterisk_resolves_it_elsewhere(tmp_path):
    errors = errors_of(tmp_path, '[asterisk]\nrecordings_dir = "recordings"\n')
    assert len(errors) == 1
    assert "asterisk.recordings_dir" in errors[0] and "absolute" in errors[0]


def test_callback_and_incident_policies_are_built_from_the_example_file():
    from cc112_pbx.domain.callbacks import CallbackPolicy
    from cc112_pbx.domain.repeat_caller import IncidentPolicy

    settings = load_settings(EXAMPLE, {})
    policy = CallbackPolicy.from_settings(settings.callback, settings.trunk)
    assert (policy.first_delay, policy.max_attempts, policy.spacing, policy.seat_cap) == (10.0, 3, 120.0, 1)
    assert policy.dial_string("+6281234567890") == "PJSIP/+6281234567890@telco"
    incident = IncidentPolicy.from_settings(settings.incident)
    assert (incident.repeat_caller_window, incident.ghost_call_threshold) == (1800.0, 5.0)


def test_callback_settings_are_validated(tmp_path):
    text = '[callback]\nseat_cap = -1\ncaller_id = "call me"\n[incident]\nghost_call_threshold = -2\n'
    assert errors_of(tmp_path, text) == [
        "callback.caller_id: 'call me' does not match ^\\+?[0-9]{2,16}$",
        "callback.seat_cap: must be at least 0 (got -1)",
        "incident.ghost_call_threshold: must be at least 0 (got -2)",
    ]
