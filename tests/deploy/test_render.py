"""`cc112 asterisk render`: the Asterisk configuration rendered from the settings."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cc112_pbx.cli.main import main
from cc112_pbx.deploy import RenderError, RenderOptions, render_asterisk_config
from cc112_pbx.deploy.passwords import MIN_PASSWORD_LENGTH, RenderState, RenderStateError
from cc112_pbx.settings import load_settings

from .asterisk_conf import parse_conf

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "cc112.toml"

SEATS_TOML = """
[[seats]]
id = "seat01"
name = "Meja 1"
dial_string = "PJSIP/seat01"

[[seats]]
id = "seat02"
name = "Meja 2"
dial_string = "PJSIP/seat02"
"""


def settings_from(tmp_path: Path, toml: str, environ: dict[str, str] | None = None):
    path = tmp_path / "cc112.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(path, environ or {})


def render(settings, out: Path, **kwargs):
    return render_asterisk_config(settings, RenderOptions(out_dir=out, **kwargs))


@pytest.fixture
def project_settings():
    return load_settings(CONFIG, {})


def test_every_configured_seat_gets_an_endpoint_auth_and_aor(project_settings, tmp_path):
    render(project_settings, tmp_path)
    pjsip = parse_conf(tmp_path / "pjsip.conf")
    assert project_settings.seats, "config/cc112.toml should configure seats"
    for seat in project_settings.seats:
        endpoint = pjsip.one(seat.id, "endpoint")
        assert endpoint.get("context") == "cc112-seats"
        assert endpoint.get("auth") == seat.id and endpoint.get("aors") == seat.id
        assert seat.name in endpoint.get("callerid")
        auth = pjsip.one(seat.id, "auth")
        assert auth.get("username") == seat.id and auth.get("auth_type") == "userpass"
        aor = pjsip.one(seat.id, "aor")
        assert aor.get("max_contacts") == "1"


def test_seat_passwords_are_long_random_and_distinct(project_settings, tmp_path):
    render(project_settings, tmp_path)
    pjsip = parse_conf(tmp_path / "pjsip.conf")
    passwords = [s.get("password") for s in pjsip.of_type("auth")]
    assert len(passwords) == len(project_settings.seats) + 1  # + the test caller
    assert len(set(passwords)) == len(passwords)
    for password in passwords:
        assert len(password) >= MIN_PASSWORD_LENGTH
        assert len(set(password)) > 10, "looks nothing like a random password"


def test_rerendering_keeps_every_password_and_writes_identical_files(project_settings, tmp_path):
    first = render(project_settings, tmp_path)
    before = {p.name: p.read_bytes() for p in first.files}
    second = render(project_settings, tmp_path)
    after = {p.name: p.read_bytes() for p in second.files}
    assert after == before
    assert second.new_passwords == []
    assert first.new_passwords == [*(s.id for s in project_settings.seats), "testcaller"]


def test_an_added_seat_gets_a_password_and_the_others_keep_theirs(tmp_path):
    out = tmp_path / "out"
    render(settings_from(tmp_path, SEATS_TOML), out)
    old = RenderState.load(out / "cc112-render-state.json").sip_passwords
    more = SEATS_TOML + '\n[[seats]]\nid = "seat03"\nname = "Meja 3"\ndial_string = "PJSIP/seat03"\n'
    result = render(settings_from(tmp_path, more), out)
    assert result.new_passwords == ["seat03"]
    auths = {s.name: s.get("password") for s in parse_conf(out / "pjsip.conf").of_type("auth")}
    assert auths["seat01"] == old["seat01"] and auths["seat02"] == old["seat02"]
    assert auths["seat03"] not in old.values()


def test_a_removed_seat_disappears_and_its_password_is_forgotten(tmp_path):
    out = tmp_path / "out"
    render(settings_from(tmp_path, SEATS_TOML), out)
    only_one = SEATS_TOML.split("[[seats]]")[1]
    result = render(settings_from(tmp_path, "[[seats]]" + only_one), out)
    assert result.removed_passwords == ["seat02"]
    assert parse_conf(out / "pjsip.conf").named("seat02") == []
    assert "seat02" not in (out / "seat-passwords.txt").read_text()


def test_admin_reads_the_seat_passwords_in_a_private_file(project_settings, tmp_path):
    result = render(project_settings, tmp_path)
    text = result.passwords_file.read_text()
    auths = {s.name: s.get("password") for s in parse_conf(tmp_path / "pjsip.conf").of_type("auth")}
    for name, password in auths.items():
        assert f"{name}\t" in text and password in text
    for private in ("seat-passwords.txt", "cc112-render-state.json", "pjsip_cc112.conf", "ari.conf",
                    "manager.conf"):
        assert stat.S_IMODE((tmp_path / private).stat().st_mode) == 0o600, private


def test_ari_http_and_ami_listen_on_loopback_and_allow_only_loopback(project_settings, tmp_path):
    render(project_settings, tmp_path)
    http = parse_conf(tmp_path / "http.conf").one("general")
    assert (http.get("enabled"), http.get("bindaddr"), http.get("bindport")) == ("yes", "127.0.0.1", "8088")
    manager = parse_conf(tmp_path / "manager.conf")
    general = manager.one("general")
    assert general.get("bindaddr") == "127.0.0.1"
    assert (general.get("port"), general.get("webenabled")) == ("5038", "no")
    ari_user = parse_conf(tmp_path / "ari.conf").one("cc112")
    for user in (ari_user, manager.one("cc112")):
        assert user.all("deny") == ["0.0.0.0/0.0.0.0"]
        assert user.all("permit") == ["127.0.0.1/255.255.255.255"]
    transports = parse_conf(tmp_path / "pjsip.conf").of_type("transport")
    assert {t.get("bind") for t in transports} == {"127.0.0.1:5060"}


def test_permit_lets_the_controller_network_reach_ari_and_ami(project_settings, tmp_path):
    render(project_settings, tmp_path, permit=("172.30.112.0/24",), sip_bind="0.0.0.0")
    for conf in ("ari.conf", "manager.conf"):
        user = parse_conf(tmp_path / conf).one("cc112")
        assert user.all("permit") == ["127.0.0.1/255.255.255.255", "172.30.112.0/255.255.255.0"]
    transports = parse_conf(tmp_path / "pjsip.conf").of_type("transport")
    assert {t.get("bind") for t in transports} == {"0.0.0.0:5060"}


def test_a_bad_permit_network_is_refused_before_anything_is_written(project_settings, tmp_path):
    with pytest.raises(RenderError, match="not an IP address"):
        render(project_settings, tmp_path / "out", permit=("controller.local",))
    assert not (tmp_path / "out").exists()


def test_fallback_queue_rings_all_free_seats_and_keeps_members_across_restarts(project_settings, tmp_path):
    render(project_settings, tmp_path)
    queues = parse_conf(tmp_path / "queues.conf")
    assert queues.one("general").get("persistentmembers") == "yes"
    fallback = queues.one("cc112-fallback")
    assert fallback.get("strategy") == "ringall"
    assert fallback.get("ringinuse") == "no"
    assert fallback.get("joinempty") == "yes" and fallback.get("leavewhenempty") == "no"
    assert fallback.get("timeout") == str(project_settings.queue.ring_timeout)
    assert fallback.get("wrapuptime") == str(project_settings.queue.wrapup_time)
    assert fallback.get("autopause") == "no"
    interval = project_settings.queue.hold_announcement_interval
    assert fallback.get("periodic-announce-frequency") == str(interval)
    assert fallback.all("member") == [], "members are dynamic: the controller adds them over AMI"


def test_fallback_queue_music_and_announcements_exist(project_settings, tmp_path):
    render(project_settings, tmp_path)
    fallback = parse_conf(tmp_path / "queues.conf").one("cc112-fallback")
    moh = parse_conf(tmp_path / "musiconhold.conf")
    assert moh.one(fallback.get("musicclass")).get("mode") == "files"
    for sound in fallback.get("periodic-announce").split(","):
        lang, name = ("en", sound[3:]) if sound.startswith("en/") else ("id", sound)
        assert name.startswith("cc112/")
        assert (REPO / "sounds" / lang / (name.removeprefix("cc112/") + ".wav")).is_file(), sound


def test_manager_user_gets_exactly_the_permissions_cc112_needs(project_settings, tmp_path):
    render(project_settings, tmp_path)
    user = parse_conf(tmp_path / "manager.conf").one("cc112")
    read, write = set(user.get("read").split(",")), set(user.get("write").split(","))
    assert read == {"system", "call", "agent", "dialplan", "reporting"}
    assert write == {"system", "call", "agent", "originate", "reporting"}
    assert not {"all", "command", "config", "user", "message"} & (read | write)


def test_secrets_from_the_settings_are_used_and_never_copied_elsewhere(tmp_path):
    environ = {"CC112_ASTERISK_ARI_PASSWORD": "ari-from-env-0123456789abcdef",
               "CC112_ASTERISK_AMI_SECRET": "ami-from-env-0123456789abcdef"}
    result = render(settings_from(tmp_path, SEATS_TOML, environ), tmp_path / "out")
    assert parse_conf(tmp_path / "out" / "ari.conf").one("cc112").get("password") == environ[
        "CC112_ASTERISK_ARI_PASSWORD"]
    assert parse_conf(tmp_path / "out" / "manager.conf").one("cc112").get("secret") == environ[
        "CC112_ASTERISK_AMI_SECRET"]
    assert result.generated_secrets == {}
    assert "from-env" not in (tmp_path / "out" / "cc112-render-state.json").read_text()


def test_missing_secrets_are_generated_once_and_stored_for_the_controller(tmp_path):
    settings = settings_from(tmp_path, SEATS_TOML)
    out = tmp_path / "out"
    first = render(settings, out)
    assert set(first.generated_secrets) == {"asterisk.ari_password", "asterisk.ami_secret"}
    ari_file = first.generated_secrets["asterisk.ari_password"]
    assert stat.S_IMODE(ari_file.stat().st_mode) == 0o600
    password = parse_conf(out / "ari.conf").one("cc112").get("password")
    assert ari_file.read_text().strip() == password and len(password) >= MIN_PASSWORD_LENGTH
    render(settings, out)
    assert parse_conf(out / "ari.conf").one("cc112").get("password") == password
    # The controller can load the generated secret through the settings' *_file key.
    loaded = load_settings(None, {"CC112_ASTERISK_ARI_PASSWORD_FILE": str(ari_file)})
    assert loaded.asterisk.ari_password.reveal() == password


def test_telco_trunk_is_identified_by_address_and_lands_in_cc112_inbound(tmp_path):
    toml = SEATS_TOML + '\n[trunk]\nhost = "10.1.2.3:5060"\nmatch = "10.1.2.0/24"\n'
    render(settings_from(tmp_path, toml), tmp_path / "out")
    pjsip = parse_conf(tmp_path / "out" / "pjsip.conf")
    assert pjsip.one("telco", "endpoint").get("context") == "cc112-inbound"
    assert pjsip.one("telco", "aor").get("contact") == "sip:10.1.2.3:5060"
    identify = pjsip.one("telco", "identify")
    assert (identify.get("endpoint"), identify.get("match")) == ("telco", "10.1.2.0/24")
    assert pjsip.one("telco", "endpoint").get("auth") is None


def test_test_caller_calls_into_cc112_inbound_and_can_be_switched_off(tmp_path):
    render(settings_from(tmp_path, SEATS_TOML), tmp_path / "on")
    endpoint = parse_conf(tmp_path / "on" / "pjsip.conf").one("testcaller", "endpoint")
    assert endpoint.get("context") == "cc112-inbound"
    render(settings_from(tmp_path, SEATS_TOML + "\n[deploy]\ntest_caller = false\n"), tmp_path / "off")
    assert parse_conf(tmp_path / "off" / "pjsip.conf").named("testcaller") == []
    assert "testcaller" not in (tmp_path / "off" / "seat-passwords.txt").read_text()


def test_a_seat_named_like_the_trunk_is_refused(tmp_path):
    toml = '[[seats]]\nid = "telco"\nname = "Oops"\ndial_string = "PJSIP/telco"\n'
    with pytest.raises(RenderError, match="telco"):
        render(settings_from(tmp_path, toml), tmp_path / "out")


def test_a_seat_whose_dial_string_is_not_its_endpoint_is_warned_about(tmp_path):
    toml = '[[seats]]\nid = "seat09"\nname = "Meja 9"\ndial_string = "Local/seat09@seats-sim"\n'
    result = render(settings_from(tmp_path, toml), tmp_path / "out")
    assert any("seat09" in w and "PJSIP/seat09" in w for w in result.warnings)


def test_modules_conf_requires_the_modules_and_is_a_fragment_without_a_section(project_settings, tmp_path):
    render(project_settings, tmp_path)
    modules = parse_conf(tmp_path / "modules.conf")
    required = modules.one("modules").all("require")
    for needed in ("res_ari.so", "app_stasis.so", "app_queue.so", "app_mixmonitor.so", "chan_pjsip.so"):
        assert needed in required
    assert parse_conf(tmp_path / "modules_cc112.conf").sections == []


def test_rendered_dialplan_is_the_repository_dialplan(project_settings, tmp_path):
    render(project_settings, tmp_path)
    for name in ("extensions.conf", "extensions_cc112.conf"):
        assert (tmp_path / name).read_bytes() == (REPO / "dialplan" / name).read_bytes()


def test_a_corrupt_state_file_stops_the_render_instead_of_replacing_passwords(project_settings, tmp_path):
    (tmp_path / "cc112-render-state.json").write_text("{not json")
    with pytest.raises(RenderStateError):
        render(project_settings, tmp_path)


def test_cli_render_tells_the_admin_where_passwords_and_secrets_are(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CC112_ASTERISK_ARI_PASSWORD", raising=False)
    monkeypatch.delenv("CC112_ASTERISK_AMI_SECRET", raising=False)
    assert main(["asterisk", "render", "--config", str(CONFIG), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "seat-passwords.txt") in out
    assert str(tmp_path / "secrets" / "ari_password") in out
    assert "CC112_ASTERISK_AMI_SECRET_FILE=" in out


def test_cli_render_with_an_invalid_config_exits_2_naming_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[deploy]\nsip_port = 0\n")
    assert main(["asterisk", "render", "--config", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "deploy.sip_port" in capsys.readouterr().err


def test_behind_nat_the_transports_advertise_the_external_address(project_settings, tmp_path):
    render(project_settings, tmp_path, external_address="192.168.1.10", local_nets=("172.30.112.0/24",))
    for transport in parse_conf(tmp_path / "pjsip.conf").of_type("transport"):
        assert transport.get("external_media_address") == "192.168.1.10"
        assert transport.get("external_signaling_address") == "192.168.1.10"
        assert transport.all("local_net") == ["172.30.112.0/24"]


def test_without_nat_options_the_transports_advertise_their_own_address(project_settings, tmp_path):
    render(project_settings, tmp_path)
    for transport in parse_conf(tmp_path / "pjsip.conf").of_type("transport"):
        assert transport.get("external_media_address") is None


def test_a_local_net_without_an_external_address_is_refused(project_settings, tmp_path):
    with pytest.raises(RenderError, match="--external-address"):
        render(project_settings, tmp_path, local_nets=("10.0.0.0/8",))


def test_ari_events_carry_the_dialplan_variables_the_controller_reads(project_settings, tmp_path):
    render(project_settings, tmp_path)
    general = parse_conf(tmp_path / "ari.conf").one("general")
    assert set(general.get("channelvars").split(",")) == {
        "CC112_DIALLED", "CC112_ORIGIN", "CC112_FALLBACK", "CC112_RECORDING"}
    dialplan = (REPO / "dialplan" / "extensions_cc112.conf").read_text()
    for name in general.get("channelvars").split(","):
        assert f"Set({name}=" in dialplan or f"Set(__{name}=" in dialplan, name


def test_a_seat_name_cannot_break_the_pjsip_file(tmp_path):
    toml = '[[seats]]\nid = "seat01"\nname = "Meja \\"1\\"; <evil>"\ndial_string = "PJSIP/seat01"\n'
    render(settings_from(tmp_path, toml), tmp_path / "out")
    endpoint = parse_conf(tmp_path / "out" / "pjsip.conf").one("seat01", "endpoint")
    assert endpoint.get("callerid") == '"Meja 1 evil" <seat01>'
