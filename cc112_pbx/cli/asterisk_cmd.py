"""`cc112 asterisk render`: write the Asterisk configuration for this deployment."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cc112_pbx.deploy import RenderError, RenderOptions, RenderResult, render_asterisk_config
from cc112_pbx.deploy.passwords import RenderStateError
from cc112_pbx.settings import SettingsError, default_config_path, load_settings

EXIT_OK = 0
EXIT_FAILED = 2
SECRET_ENV = {"asterisk.ari_password": "CC112_ASTERISK_ARI_PASSWORD_FILE",
              "asterisk.ami_secret": "CC112_ASTERISK_AMI_SECRET_FILE"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "asterisk", help="Asterisk deployment helpers", description="Asterisk deployment helpers."
    )
    commands = parser.add_subparsers(dest="asterisk_command", metavar="ACTION", required=True)
    render = commands.add_parser(
        "render",
        help="render the Asterisk configuration (pjsip, queues, ARI, AMI, ...) from the settings",
        description="Render /etc/asterisk files for this deployment into DIR. Re-rendering into the "
        "same DIR keeps every generated password (DIR/cc112-render-state.json).",
    )
    render.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="configuration file (default: $CC112_CONFIG, else config/cc112.toml)")
    render.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    render.add_argument("--state", type=Path, default=None, metavar="FILE",
                        help="render state with the generated passwords "
                        "(default: DIR/cc112-render-state.json)")
    render.add_argument("--permit", action="append", default=[], metavar="NETWORK",
                        help="also allow this address or network to use ARI and AMI (repeatable; "
                        "127.0.0.1 is always allowed), e.g. the controller's Docker network")
    render.add_argument("--sip-bind", default=None, metavar="ADDRESS",
                        help="address SIP listens on (default: deploy.bind_address)")
    render.add_argument("--external-address", default=None, metavar="ADDRESS",
                        help="address phones reach SIP and RTP at when Asterisk is behind NAT (Docker)")
    render.add_argument("--local-net", action="append", default=[], metavar="NETWORK",
                        help="network reached without NAT, with --external-address (repeatable)")
    render.set_defaults(func=run_render)


def run_render(args: argparse.Namespace) -> int:
    path = args.config or default_config_path()
    try:
        settings = load_settings(path, os.environ)
        options = RenderOptions(out_dir=args.out, state_path=args.state, permit=tuple(args.permit),
                                sip_bind=args.sip_bind, external_address=args.external_address,
                                local_nets=tuple(args.local_net))
        result = render_asterisk_config(settings, options)
    except SettingsError as exc:
        print(f"cc112: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (RenderError, RenderStateError) as exc:
        print(f"cc112: cannot render the Asterisk configuration: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _report(result)
    return EXIT_OK


def _report(result: RenderResult) -> None:
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"rendered {len(result.files)} files into {result.out_dir}:")
    for path in result.files:
        print(f"  {path.name}")
    if result.new_passwords:
        print(f"new SIP passwords for: {', '.join(result.new_passwords)}")
    if result.removed_passwords:
        gone = ", ".join(result.removed_passwords)
        print(f"forgot the passwords of endpoints no longer configured: {gone}")
    print(f"SIP credentials (read once, then delete): {result.passwords_file} (mode 0600)")
    for key, secret_path in result.generated_secrets.items():
        print(f"{key} was not set: generated one, stored in {secret_path} (mode 0600); give it to the "
              f"controller with {SECRET_ENV[key]}={secret_path} or {key.split('.')[1]}_file in [asterisk]")
    print("install: see README.md, 'Running with a real Asterisk'")
