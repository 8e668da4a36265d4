"""Reasons (redenen): why a step happened or did not, in plain words, and a guard's verdict.

A :class:`Reason` is a stable code and one sentence in Dutch (B1) and English, with the dates
and amounts that matter; a :class:`Verdict` is a guard's veto that blocks a step or postpones it.
Decisions, conditions and guards all speak in reasons.
"""

from __future__ import annotations

import datetime as dt

import attrs


__all__ = ["Reason", "Verdict"]


@attrs.frozen(kw_only=True)
class Reason:
    """Why something happened or did not, as a code and one sentence per language."""

    code: str
    nl: str
    en: str

    def text(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@attrs.frozen(kw_only=True)
class Verdict:
    """A guard's veto: ``until`` None blocks the step; a date postpones it to that day."""

    reason: Reason
    until: dt.date | None = None

    @property
    def postponed(self) -> bool:
        return self.until is not None
