"""Which prompt to play, in which languages. Prompts are named here; the telephony adapter
turns a name into what its system plays (sounds/<lang>/<name>.wav installed for Asterisk).
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
        """(prompt, lang) pairs: every prompt in the first language, then in the next, ..."""
        return [(name, lang) for lang in self.languages for name in names]

    def first_language(self, name: str) -> list[tuple[str, str]]:
        return [(name, self.languages[0])] if self.languages else []
