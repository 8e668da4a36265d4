"""The SQL store: implements :class:`maatwerk.core.ports.Store` with SQLAlchemy 2 Core.

Set-based throughout: a batch of cases is loaded with one query per table (the batch's debtor ids
in one array parameter), and a batch of outcomes is written with one executemany per table, in one
transaction. Unique keys make reruns no-ops; every write that a person or an import causes
leaves a record in the append-only ``events`` table.

One module per thing stored, each a class over the shared engine (:class:`~.base.SqlBase`):

- :mod:`~.cases`: loading cases (``CaseRepository``);
- :mod:`~.event_log`: the append-only event log (``EventLog``);
- :mod:`~.recording`: runs, decisions and a batch's outcomes (``RunLedger``, ``IdleStore``), with
  :mod:`~.postings` (ledger lines) and :mod:`~.run_state` (idle cases);
- :mod:`~.outbox`: the outbox and delivered items (``Outbox``, ``ReturnsLedger``);
- :mod:`~.reviews`: the review queue (``ReviewQueue``);
- :mod:`~.imports`: import files and keyed returns events (``ImportStore``, ``ReturnsLedger``);
- :mod:`~.reporting`: the funnel report's data (``ReportSource``);
- :mod:`~.privacy`: every row about one debtor for the access export (``SubjectAccess``).
"""

from __future__ import annotations

from maatwerk.adapters.storage.audit_chain import SqlAuditChain
from maatwerk.adapters.storage.cases import SqlCases
from maatwerk.adapters.storage.engine import make_engine
from maatwerk.adapters.storage.erasure import SqlErasure
from maatwerk.adapters.storage.event_log import SqlEventLog
from maatwerk.adapters.storage.imports import SqlImports
from maatwerk.adapters.storage.outbox import SqlOutbox
from maatwerk.adapters.storage.privacy import SqlPrivacy
from maatwerk.adapters.storage.recording import SqlRunLedger
from maatwerk.adapters.storage.reporting import SqlReporting
from maatwerk.adapters.storage.reviews import SqlReviews


__all__ = ["SqlStore"]


class SqlStore(
    SqlCases,
    SqlEventLog,
    SqlRunLedger,
    SqlOutbox,
    SqlReviews,
    SqlImports,
    SqlReporting,
    SqlPrivacy,
    SqlAuditChain,
    SqlErasure,
):
    """Storage on one SQLAlchemy engine (SQLite file or PostgreSQL) made by
    :func:`~maatwerk.adapters.storage.engine.make_engine` (its JSON serializer writes the dates
    and amounts in decision details)."""

    @classmethod
    def from_url(cls, url: str, *, schema: str | None = None) -> SqlStore:
        return cls(make_engine(url, schema=schema))

    def close(self) -> None:
        self.engine.dispose()
