"""The settings a command was given (`--config`, else `$CC112_CONFIG` or `config/cc112.toml`, plus
the environment's `CC112_*`), or None after one message naming every bad key on stderr."""

from __future__ import annotations

import argparse
import os
import sys

from cc112_pbx.settings import Settings, SettingsError, default_config_path, load_settings


def settings_from_args(args: argparse.Namespace) -> Settings | None:
    try:
        return load_settings(getattr(args, "config", None) or default_config_path(), os.environ)
    except SettingsError as exc:
        print(f"cc112: {exc}", file=sys.stderr)
        return None
