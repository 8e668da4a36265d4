"""Public error classes. Catch :class:`MaatwerkError` to catch everything maatwerk raises on purpose.

The classes live in :mod:`maatwerk.core.errors` (the core imports nothing outside itself); this
module is their public path for plugin authors and exports exactly that module's ``__all__``.
"""

from __future__ import annotations

from maatwerk.core import errors
from maatwerk.core.errors import *


__all__ = errors.__all__
