"""A short human summary of loaded settings (for `cc112 config check`); secrets show only as set/unset."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from cc112_pbx.settings.model import Secret, Settings


def _secret(value: Secret | None) -> str:
    return f"set (from {value.source})" if value is not None and value.source else (
        "set" if value is not None else "not set"
    )


def safe_url(url: str) -> str:
    """`url` with any password in it replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def summarize(settings: Settings) -> list[str]:
    a, q, cb = settings.asterisk, settings.queue, settings.callback
    seats = ", ".join(f"{s.id}{' (overflow)' if s.overflow else ''}" for s in settings.seats) or "none"
    return [
        f"asterisk: ARI {a.ari_url} app {a.ari_app!r} user {a.ari_user!r} password {_secret(a.ari_password)}",
        f"asterisk: AMI {a.ami_host}:{a.ami_port} user {a.ami_user!r} secret {_secret(a.ami_secret)}",
        f"asterisk: recordings in {a.recordings_dir}, fallback queue {a.fallback_queue!r}",
        f"database: {safe_url(settings.database.url)}",
        f"http: {settings.http.host}:{settings.http.port}, "
        f"API signing key {_secret(settings.http.api_signing_key)}",
        f"logging: level {settings.logging.level}, format {settings.logging.format}",
        f"queue: {q.strategy}, ring {q.ring_timeout}s, wrap-up {q.wrapup_time}s, "
        f"auto-pause after {q.auto_pause_after_missed} missed, overflow after {q.overflow_after}s, "
        f"languages {'/'.join(q.languages)}",
        f"callback: {'on' if cb.enabled else 'off'}, first after {cb.first_delay}s, {cb.max_attempts} attempts "
        f"every {cb.retry_interval}s, agent first: {cb.agent_first}, caller id {cb.caller_id}, "
        f"at most {cb.seat_cap} seat(s) while 112 callers wait",
        f"incident: repeat callers linked within {settings.incident.repeat_caller_window}s, "
        f"ghost calls under {settings.incident.ghost_call_threshold}s",
        f"aml: {len(settings.aml.senders)} sender(s), matched within {settings.aml.match_window}s, "
        f"unmatched kept {settings.aml.unmatched_retention}s",
        f"qc: weekly draw {'on' if settings.qc.enabled else 'off'}, {settings.qc.samples_per_taker} per call taker, "
        f"calls longer than {settings.qc.min_talk_time}s, weeks in {settings.http.time_zone}",
        f"seats: {len(settings.seats)}: {seats}",
        f"trunk: {settings.trunk.outbound_dial} via {settings.trunk.host}",
    ]
