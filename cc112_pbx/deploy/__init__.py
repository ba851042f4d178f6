"""Deployment helpers: render the Asterisk configuration cc112 needs from its settings."""

from cc112_pbx.deploy.render import (
    RenderError,
    RenderOptions,
    RenderResult,
    render_asterisk_config,
)

__all__ = ["RenderError", "RenderOptions", "RenderResult", "render_asterisk_config"]
