"""Sample funnel figures for the report tests (shaped like CAK 2017, not computed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from maatwerk.core.money import eur
from maatwerk.services.funnel import (
    AgeingBucket,
    ArrangementPoint,
    FunnelFigures,
    PolicyFigures,
    ProtectionReason,
)


def sample_column(policy: str, scale: int = 1) -> PolicyFigures:
    points = tuple(
        ArrangementPoint(
            instalment=eur(str(40 + 7 * i * scale)),
            capacity=eur(str(60 + 11 * i)),
            kept=i % 4 != 0,
        )
        for i in range(12)
    )
    return PolicyFigures(
        policy=policy,
        policy_version=f"{policy}@2026-01-01",
        debtors=5000,
        bills=17744,
        billed=eur("2400000.00"),
        paid_on_time=4600,
        paid_within_31_days=4675,
        in_arrears=325,
        reminders=410,
        calls=180 * scale,
        arrangements=90 // scale,
        arrangements_kept=70 // scale,
        arrangements_broken=15,
        demands=140,
        bailiff=40 * scale,
        recovered=280,
        written_off=12 * scale,
        arrears_total=eur("98000.00"),
        arrears_recovered=eur("81000.00") if scale == 1 else eur("69000.00"),
        written_off_amount=eur("4100.00") * scale,
        costs_charged=eur("1200.00") * scale,
        below_bvv=0 if scale == 1 else 23,
        avg_days_to_resolution=Decimal("41.5"),
        ageing=(
            AgeingBucket(label="1-30 days", bills=40, amount=eur("5200.00")),
            AgeingBucket(label="31-60 days", bills=22, amount=eur("3100.50")),
            AgeingBucket(label="61-90 days", bills=9 * scale, amount=eur("1500.00")),
        ),
        protected=(
            ProtectionReason(reason="protected income (BVV)", decisions=55, households=31),
            ProtectionReason(reason="arrangement active", decisions=200, households=70),
            ProtectionReason(reason="deceased", decisions=8, households=8),
        )
        if scale == 1
        else (ProtectionReason(reason="deceased", decisions=8, households=8),),
        arrangement_points=points,
    )


def sample_figures() -> FunnelFigures:
    return FunnelFigures(
        title="maatwerk funnel report <test & check>",
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 4, 30),
        columns=(sample_column("humane"), sample_column("classic", scale=2)),
        source="test sample",
        table_versions=("demo_behaviour@2026-01-01 (provisional)",),
        notes=("Sample figures for a test.",),
    )
