"""Stock delivery channels (kanalen): letters and the phone work list.

Each implements :class:`maatwerk.core.ports.Channel` and is registered by
:mod:`maatwerk.plugins.stock`. They write under ``DeliveryContext.output_dir / <channel name>``.
"""

from __future__ import annotations
