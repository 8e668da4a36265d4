"""An example maatwerk plugin: the ``email-outbox`` channel."""

from __future__ import annotations
