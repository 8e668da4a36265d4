"""Ports: the typed interfaces (``typing.Protocol``) that adapters and plugins implement.

The core and the services depend only on these; adapters implement them. Sections:

* channels, importers and listeners (plugin contract; see ``maatwerk.plugins.hookspecs``)
* storage (the SQLAlchemy adapter implements it for SQLite and PostgreSQL)
"""

from __future__ import annotations
