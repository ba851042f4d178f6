"""Which prompt to play, in which languages: media URIs for ARI (`sound:cc112/<name>`).

Prompts live in sounds/<lang>/<name>.wav and are installed under Asterisk's sounds dir as
<lang>/cc112/<name>.wav; ARI plays them with `lang` choosing the directory.
"""

from __future__ import annotations

from dataclasses import dataclass

GREETING = "greeting"
PLEASE_HOLD = "please-hold"
STILL_HOLDING = "still-holding"
SILENT_CALL = "silent-call"
LOGGED_IN = "logged-in"
LOGGED_OUT = "logged-out"
PAUSED = "paused"
UNPAUSED = "unpaused"


@dataclass(frozen=True, slots=True)
class PromptPlan:
    languages: tuple[str, ...] = ("id", "en")

    def sequence(self, *names: str) -> list[tuple[str, str]]:
        """(media, lang) pairs: every prompt in the first language, then in the next, ..."""
        return [(f"sound:cc112/{name}", lang) for lang in self.languages for name in names]

    def first_language(self, name: str) -> list[tuple[str, str]]:
        return [(f"sound:cc112/{name}", self.languages[0])] if self.languages else []
