"""Render the Asterisk configuration Call Center 112 needs from `Settings`.

`render_asterisk_config(settings, options)` writes into `options.out_dir` a drop-in set of
/etc/asterisk files (pjsip, queues, ARI, HTTP, AMI, RTP, music on hold, modules, and the
dialplan copied from dialplan/), plus, readable by their owner only:
`seat-passwords.txt` (the SIP credentials, for the admin), `cc112-render-state.json` (so a
re-render keeps every password) and `secrets/<name>` for ARI/AMI secrets it had to generate.
Templates are `string.Template` files in config/templates/. Rendering is deterministic:
the same settings and state give byte-identical files.
"""

from __future__ import annotations

import ipaddress
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import structlog

from cc112_pbx.deploy.modules import REQUIRED_MODULES
from cc112_pbx.deploy.passwords import RenderState, write_private
from cc112_pbx.settings import Settings

log = structlog.get_logger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATES = REPO_ROOT / "config" / "templates"
DEFAULT_DIALPLAN = REPO_ROOT / "dialplan"
STATE_FILE = "cc112-render-state.json"
PASSWORDS_FILE = "seat-passwords.txt"
LOOPBACK = "127.0.0.1/32"
TRUNK_ENDPOINT = "telco"
TEST_CALLER = "testcaller"
RESERVED_NAMES = frozenset({TRUNK_ENDPOINT, TEST_CALLER, "global", "transport-udp", "transport-tcp",
                            "cc112-seat-endpoint", "cc112-seat-auth", "cc112-seat-aor"})

# AMI classes the controller needs, and why (manager.conf; see "manager show commands").
AMI_READ = ("system", "call", "agent", "dialplan", "reporting")
AMI_WRITE = ("system", "call", "agent", "originate", "reporting")
AMI_READ_WHY = ("system: FullyBooted, ContactStatus, PeerStatus; call: channels, bridges, dials, "
                "DeviceStateChange, MixMonitorStart/Stop; agent: Queue* events; dialplan: VarSet "
                "MIXMONITOR_FILENAME; reporting: list responses")
AMI_WRITE_WHY = ("system: MixMonitor, PJSIPShow*; call: StopMixMonitor, Hangup, Getvar; agent: "
                 "QueueAdd/Remove/Pause/Penalty; originate: Originate; reporting: CoreStatus, "
                 "DeviceStateList. Never command or config.")

# Output file -> template file, in the order they are written.
CONF_FILES: tuple[tuple[str, str], ...] = (
    ("pjsip.conf", "pjsip.conf.tmpl"),
    ("pjsip_cc112.conf", "pjsip_cc112.conf.tmpl"),
    ("queues.conf", "queues.conf.tmpl"),
    ("queues_cc112.conf", "queues_cc112.conf.tmpl"),
    ("ari.conf", "ari.conf.tmpl"),
    ("http.conf", "http.conf.tmpl"),
    ("manager.conf", "manager.conf.tmpl"),
    ("rtp.conf", "rtp.conf.tmpl"),
    ("musiconhold.conf", "musiconhold.conf.tmpl"),
    ("musiconhold_cc112.conf", "musiconhold_cc112.conf.tmpl"),
    ("modules.conf", "modules.conf.tmpl"),
    ("modules_cc112.conf", "modules_cc112.conf.tmpl"),
)
DIALPLAN_FILES = ("extensions.conf", "extensions_cc112.conf")
# Files holding a password or secret: written 0600 (install them 0640 root:asterisk).
PRIVATE_FILES = frozenset({"pjsip_cc112.conf", "ari.conf", "manager.conf"})


class RenderError(Exception):
    """The settings cannot be rendered into a working Asterisk configuration."""


@dataclass(frozen=True)
class RenderOptions:
    out_dir: Path
    state_path: Path | None = None  # default: out_dir / STATE_FILE
    templates_dir: Path = DEFAULT_TEMPLATES
    dialplan_dir: Path = DEFAULT_DIALPLAN
    permit: tuple[str, ...] = ()  # networks besides 127.0.0.1 allowed to use ARI and AMI
    sip_bind: str | None = None  # default: settings.deploy.bind_address
    external_address: str | None = None  # the address phones reach SIP/RTP at, when Asterisk is behind NAT
    local_nets: tuple[str, ...] = ()  # networks reached without NAT (with external_address)


@dataclass
class RenderResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    passwords_file: Path | None = None
    state_file: Path | None = None
    new_passwords: list[str] = field(default_factory=list)  # endpoints given a new password
    removed_passwords: list[str] = field(default_factory=list)  # endpoints no longer rendered
    generated_secrets: dict[str, Path] = field(default_factory=dict)  # settings key -> file
    warnings: list[str] = field(default_factory=list)


def render_asterisk_config(settings: Settings, options: RenderOptions) -> RenderResult:
    """Write the Asterisk configuration for `settings` into `options.out_dir`."""
    permits = _permit_networks(options.permit)
    _check_names(settings)
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    state_path = options.state_path or out / STATE_FILE
    state = RenderState.load(state_path)
    result = RenderResult(out_dir=out, warnings=_consistency_warnings(settings))
    values = _values(settings, options, state, permits, state_path)
    # Render everything before writing anything: a bad template leaves DIR untouched.
    texts = {name: _render(options.templates_dir / template, values) for name, template in CONF_FILES}
    for name, text in texts.items():
        result.files.append(_write(out / name, text, private=name in PRIVATE_FILES))
    for name in DIALPLAN_FILES:
        shutil.copyfile(options.dialplan_dir / name, out / name)
        result.files.append(out / name)
    result.removed_passwords = state.forget_except(_endpoints(settings))
    result.new_passwords = list(state.created)
    result.generated_secrets = _write_generated_secrets(settings, state, out)
    result.passwords_file = _write_passwords(settings, state, out / PASSWORDS_FILE, values)
    state.save(state_path)
    result.state_file = state_path
    log.info("asterisk_config_rendered", out_dir=str(out), files=len(result.files),
             new_passwords=len(result.new_passwords), generated_secrets=sorted(result.generated_secrets))
    return result


def _values(settings: Settings, options: RenderOptions, state: RenderState,
            permits: list[str], state_path: Path) -> dict[str, str]:
    """Every template placeholder, by name."""
    a, d, q = settings.asterisk, settings.deploy, settings.queue
    bind = d.bind_address
    return {
        "header": _header(),
        "state_file": state_path.name,
        "passwords_file": PASSWORDS_FILE,
        "sip_bind": options.sip_bind or bind,
        "sip_port": str(d.sip_port),
        "nat": _nat_lines(options),
        "seats": _seat_sections(settings, options.templates_dir, state),
        "trunk_host": settings.trunk.host,
        "trunk_match": settings.trunk.match,
        "test_caller": _test_caller_section(settings, options.templates_dir, state),
        "queue_name": a.fallback_queue,
        "ring_timeout": str(q.ring_timeout),
        "wrapup_time": str(q.wrapup_time),
        "hold_interval": str(q.hold_announcement_interval),
        "ari_app": a.ari_app,
        "ari_user": a.ari_user,
        "ari_password": _secret(settings, state, "asterisk.ari_password"),
        "ari_permits": _permit_lines(permits),
        "http_bind": bind,
        "http_port": str(d.ari_port),
        "ami_user": a.ami_user,
        "ami_secret": _secret(settings, state, "asterisk.ami_secret"),
        "ami_bind": bind,
        "ami_port": str(d.ami_port),
        "ami_permits": _permit_lines(permits),
        "ami_read": ",".join(AMI_READ),
        "ami_write": ",".join(AMI_WRITE),
        "ami_read_comment": AMI_READ_WHY,
        "ami_write_comment": AMI_WRITE_WHY,
        "rtp_start": str(d.rtp_start),
        "rtp_end": str(d.rtp_end),
        "module_lines": "\n".join(f"require => {name}.so   ; {why}" for name, why in REQUIRED_MODULES),
    }


def _header() -> str:
    return (";\n; Generated by `cc112 asterisk render` (cc112-pbx). Do not edit here: change\n"
            "; config/cc112.toml or config/templates/ and render again.\n;")


def _render(template_path: Path, values: dict[str, str]) -> str:
    try:
        text = Template(template_path.read_text(encoding="utf-8")).substitute(values)
    except OSError as exc:
        raise RenderError(f"{template_path}: cannot read the template ({exc.strerror or exc})") from None
    except (KeyError, ValueError) as exc:
        raise RenderError(f"{template_path}: bad placeholder {exc}") from None
    return text if text.endswith("\n") else text + "\n"


def _seat_sections(settings: Settings, templates: Path, state: RenderState) -> str:
    parts = []
    for seat in settings.seats:
        parts.append(_render(templates / "pjsip_seat.conf.tmpl", {
            "seat_id": seat.id, "seat_name": _conf_text(seat.name), "password": state.sip_password(seat.id),
        }))
    return "".join(parts)


def _test_caller_section(settings: Settings, templates: Path, state: RenderState) -> str:
    if not settings.deploy.test_caller:
        return ""
    return _render(templates / "pjsip_testcaller.conf.tmpl", {"password": state.sip_password(TEST_CALLER)})


def _secret(settings: Settings, state: RenderState, key: str) -> str:
    section, name = key.split(".", 1)
    value = getattr(getattr(settings, section), name)
    if value is not None:
        return value.reveal()
    return state.generated_secret(key)


def _write_generated_secrets(settings: Settings, state: RenderState, out: Path) -> dict[str, Path]:
    written = {}
    for key in ("asterisk.ari_password", "asterisk.ami_secret"):
        section, name = key.split(".", 1)
        if getattr(getattr(settings, section), name) is not None:
            continue
        path = out / "secrets" / name
        write_private(path, state.generated_secret(key) + "\n")
        written[key] = path
    return written


def _write_passwords(settings: Settings, state: RenderState, path: Path, values: dict[str, str]) -> Path:
    lines = [
        "# cc112 SIP credentials, written by `cc112 asterisk render`. Private: configure the",
        "# softphones, then delete this file (the passwords stay in " + STATE_FILE + ").",
        f"# SIP server: {values['sip_bind']} port {values['sip_port']} (UDP or TCP), username = endpoint",
        "#",
        "# endpoint\tname\tpassword",
    ]
    for seat in settings.seats:
        lines.append(f"{seat.id}\t{seat.name}\t{state.sip_passwords[seat.id]}")
    if settings.deploy.test_caller:
        lines.append(f"{TEST_CALLER}\tTest Caller\t{state.sip_passwords[TEST_CALLER]}")
    write_private(path, "\n".join(lines) + "\n")
    return path


def _write(path: Path, text: str, *, private: bool) -> Path:
    if private:
        write_private(path, text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _endpoints(settings: Settings) -> set[str]:
    names = {seat.id for seat in settings.seats}
    if settings.deploy.test_caller:
        names.add(TEST_CALLER)
    return names


def _check_names(settings: Settings) -> None:
    clashes = sorted(seat.id for seat in settings.seats if seat.id in RESERVED_NAMES)
    if clashes:
        raise RenderError(f"seat id(s) {', '.join(clashes)} clash with names the PJSIP configuration "
                          f"uses itself ({', '.join(sorted(RESERVED_NAMES))}): rename the seat(s)")


def _consistency_warnings(settings: Settings) -> list[str]:
    warnings = [
        f"seat {seat.id}: dial_string {seat.dial_string!r} does not ring the rendered endpoint "
        f"PJSIP/{seat.id}"
        for seat in settings.seats if seat.dial_string != f"PJSIP/{seat.id}"
    ]
    if not settings.seats:
        warnings.append("no [[seats]] configured: nobody can register to take calls")
    ari_port = _url_port(settings.asterisk.ari_url)
    if ari_port is not None and ari_port != settings.deploy.ari_port:
        warnings.append(f"asterisk.ari_url uses port {ari_port} but deploy.ari_port is "
                        f"{settings.deploy.ari_port}")
    if settings.asterisk.ami_port != settings.deploy.ami_port:
        warnings.append(f"asterisk.ami_port is {settings.asterisk.ami_port} but deploy.ami_port is "
                        f"{settings.deploy.ami_port}")
    return warnings


def _url_port(url: str) -> int | None:
    try:
        parts = urlsplit(url)
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def _permit_networks(extra: tuple[str, ...]) -> list[str]:
    networks = [LOOPBACK]
    for raw in extra:
        try:
            network = ipaddress.ip_network(raw.strip(), strict=False)
        except ValueError:
            raise RenderError(
                f"--permit {raw!r}: not an IP address or network (e.g. 172.30.112.0/24)"
            ) from None
        if str(network) not in networks:
            networks.append(str(network))
    return networks


def _nat_lines(options: RenderOptions) -> str:
    """Transport options for an Asterisk behind NAT (e.g. in Docker): what to put in SIP and SDP."""
    if not options.external_address:
        if options.local_nets:
            raise RenderError("--local-net only makes sense with --external-address")
        return ""
    address = options.external_address.strip()
    if not address or any(ch in address for ch in " ;,[]"):
        raise RenderError(f"--external-address {address!r}: give one host name or IP address")
    lines = ["; Behind NAT: phones reach this Asterisk at the external address.",
             f"external_media_address={address}", f"external_signaling_address={address}"]
    for raw in options.local_nets:
        try:
            network = ipaddress.ip_network(raw.strip(), strict=False)
        except ValueError:
            raise RenderError(f"--local-net {raw!r}: not an IP network (e.g. 172.30.112.0/24)") from None
        lines.append(f"local_net={network}")
    return "\n".join(lines) + "\n"


def _permit_lines(networks: list[str]) -> str:
    lines = []
    for raw in networks:
        network = ipaddress.ip_network(raw)
        lines.append(f"permit = {network.network_address}/{network.netmask}")
    return "\n".join(lines)


def _conf_text(value: str) -> str:
    """A display name safe inside a quoted callerid: no quotes, semicolons or newlines."""
    return "".join(ch for ch in value if ch not in '"\n\r;<>').strip()
