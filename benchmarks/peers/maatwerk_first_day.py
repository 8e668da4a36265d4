"""maatwerk's side of the peer comparison: the first-day run on N overdue receivables.

The same book as ``tryton_dunning.py``: N households, each with one debt of EUR 142.50 that fell
due 30 days before the run date. Set-up, not timed: a fresh SQLite file, ``maatwerk import
portfolio``. Timed: ``maatwerk run --date RUN_DATE`` as its own process (CPU seconds from
``wait4``, so the process start-up of about 0.4 s is included), which evaluates every case on
its first day and records and delivers every action.

    PEER_DEBTS=10000 .venv/bin/python benchmarks/peers/maatwerk_first_day.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


N = int(os.environ.get("PEER_DEBTS", "1000"))
RUN_DATE = dt.date(2026, 3, 2)
DUE = RUN_DATE - dt.timedelta(days=30)
MAATWERK = Path(sys.executable).with_name("maatwerk")
SETTINGS = """[channels]
creditor_name = "Zorg NL"
creditor_phone = "0800-1234"
creditor_iban = "NL91ABNA0417164300"
creditor_id = "NL32ZZZ999999991234"
"""


def _run(*args: str) -> dict[str, Any]:
    start = time.perf_counter()
    with (
        tempfile.TemporaryFile() as out,
        subprocess.Popen([str(MAATWERK), *args], stdout=out, stderr=subprocess.STDOUT) as proc,  # noqa: S603  (our own CLI)
    ):
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"maatwerk {' '.join(args)} failed:\n{text}")
    return {
        "wall_s": round(time.perf_counter() - start, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "output": text.strip()[-400:],
    }


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="maatwerk-peer-"))
    portfolio = work / "portfolio.csv"
    with portfolio.open("w", encoding="utf-8") as out:
        out.write(
            "debtor_id,name,household,net_monthly_income,debt_id,creditor_id,principal,due_date\n"
        )
        for i in range(N):
            out.write(f"D{i:07d},Debtor {i},single,1800.00,P{i:07d},zorg,142.50,{DUE}\n")
    db = f"sqlite:///{work / 'peer.db'}"
    _run("db", "upgrade", "--db", db)
    _run("import", "portfolio", str(portfolio), "--db", db)
    settings = work / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    run = _run(
        "run", "--date", RUN_DATE.isoformat(), "--out", str(work / "out"), "--db", db,
        "--settings", str(settings),
    )  # fmt: skip
    print(
        json.dumps(
            {
                "peer": "maatwerk first-day run (every case evaluated)",
                "lines": N,
                "python": sys.version.split()[0],
                "wall_s": run["wall_s"],
                "cpu_s": run["cpu_s"],
                "ms_per_line_cpu": round(run["cpu_s"] * 1000 / N, 3),
                "peak_rss_mib": run["peak_rss_mib"],
                "database": "sqlite file",
                "run_output": run["output"],
            }
        )
    )


if __name__ == "__main__":
    main()
