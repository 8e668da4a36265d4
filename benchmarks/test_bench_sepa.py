"""pain.008 built and XSD-validated, side by side with ``sepaxml`` in the same run; camt.053 read.

Size: ``MAATWERK_BENCH_SEPA_N`` transactions and camt entries (default 2,000; the target is
measured at 100,000). Each measurement runs in a forked child so its peak memory (``VmHWM``) is
its own; the figure reported is the growth over the child's memory before the measured call.

* maatwerk: :func:`maatwerk.adapters.sepa.write_pain008` (EPC checks, streamed document, streamed
  XSD validation, atomic rename);
* sepaxml with its validation (``export(validate=True)``: xmlschema) and without;
* maatwerk reading a camt.053 with N entries (one in ten an unpaid direct debit) through
  :func:`maatwerk.adapters.returns.read_returns`.

Writes ``benchmarks/results/sepa-<N>.json``. No timing is asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

from maatwerk.adapters.returns import read_returns
from maatwerk.adapters.sepa import (
    Creditor,
    DirectDebit,
    DirectDebitMessage,
    Remittance,
    SequenceType,
    target_calendar,
    write_pain008,
)
from maatwerk.core.money import eur


RESULTS = Path(__file__).parent / "results"
N = int(os.environ.get("MAATWERK_BENCH_SEPA_N", "2000"))
CREDITOR = Creditor(
    name="Gemeente Voorbeeld", iban="NL91ABNA0417164300", creditor_id="NL32ZZZ999999991234"
)
COLLECTION = dt.date(2026, 11, 25)
CREATED = dt.datetime(2026, 11, 23, 10, 0, 0)


def _iban(number: int) -> str:
    """A valid Dutch IBAN (bank RABO) for account ``number``."""
    account = f"{number:010d}"
    digits = "".join(str(int(c, 36)) for c in f"RABO{account}NL00")
    return f"NL{98 - int(digits) % 97:02d}RABO{account}"


def _collections(n: int) -> list[DirectDebit]:
    return [
        DirectDebit(
            end_to_end_id=f"MW-2026-{i:07d}",
            mandate_id=f"MNDT-{i:07d}",
            mandate_date=dt.date(2025, 1, 5),
            sequence=SequenceType.RCUR,
            debtor_name=f"J. Jansen {i}",
            debtor_iban=_iban(100000 + i),
            amount=eur(f"{10 + i % 90}.{i % 100:02d}"),
            collection_date=COLLECTION,
            creditor=CREDITOR,
            remittance=Remittance(unstructured=f"Termijn {i % 12 + 1} van 12"),
        )
        for i in range(n)
    ]


def _sepaxml_payments(items: list[DirectDebit]) -> list[dict[str, Any]]:
    return [
        {
            "name": item.debtor_name,
            "IBAN": item.debtor_iban,
            "amount": int(item.amount.amount * 100),
            "type": "RCUR",
            "collection_date": COLLECTION,
            "mandate_id": item.mandate_id,
            "mandate_date": item.mandate_date,
            "description": "Termijn",
            "endtoend_id": item.end_to_end_id,
        }
        for item in items
    ]


def _hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0  # pragma: no cover - not Linux


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # pragma: no cover - not Linux


def _child(task: Callable[[], Callable[[], object]], queue: Any) -> None:
    run = task()  # build the input outside the measurement
    before = _rss_kib()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    queue.put(
        {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "rss_before_mib": round(before / 1024, 1),
            "peak_growth_mib": round((_hwm_kib() - before) / 1024, 1),
        }
    )


def _measure(task: Callable[[], Callable[[], object]]) -> dict[str, Any]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(task, queue))
    process.start()
    while True:  # a child that failed puts nothing: stop then, do not wait for ever
        try:
            result: dict[str, Any] = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"the measured child failed (exit code {process.exitcode})"
                ) from None
    process.join()
    return result


def _maatwerk(out: Path) -> Callable[[], Callable[[], object]]:
    def task() -> Callable[[], object]:
        message = DirectDebitMessage(
            message_id="MW-BENCH-0001", created_at=CREATED, collections=tuple(_collections(N))
        )
        calendar = target_calendar(2026, 2026)
        return lambda: write_pain008(
            message, out / "maatwerk.xml", is_business_day=calendar.is_business_day
        )

    return task


def _sepaxml(*, validate: bool) -> Callable[[], Callable[[], object]]:
    def task() -> Callable[[], object]:
        import xmlschema.limits
        from sepaxml import SepaDD

        # xmlschema refuses documents of more than a million elements by default (a 100,000
        # transaction pain.008 has about 3.6 million): lifted so sepaxml can validate at all
        xmlschema.limits.MAX_XML_ELEMENTS = 10**9
        payments = _sepaxml_payments(_collections(N))
        config = {
            "name": CREDITOR.name,
            "IBAN": CREDITOR.iban,
            "BIC": "ABNANL2A",
            "batch": True,
            "creditor_id": CREDITOR.creditor_id,
            "currency": "EUR",
        }

        def run() -> object:
            sepa = SepaDD(config, schema="pain.008.001.02", clean=True)
            for payment in payments:
                sepa.add_payment(payment)
            return sepa.export(validate=validate)

        return run

    return task


_ENTRY = (
    '<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd><RvslInd>{rev}</RvslInd>'
    "<Sts>BOOK</Sts><BookgDt><Dt>2026-12-04</Dt></BookgDt><ValDt><Dt>2026-12-04</Dt></ValDt>"
    "<AcctSvcrRef>REF-{i}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd>"
    "<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs>"
    "<EndToEndId>MW-2026-{i:07d}</EndToEndId><MndtId>MNDT-{i:07d}</MndtId></Refs>"
    '<AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls><RltdPties><Dbtr>'
    "<Nm>J. Jansen {i}</Nm></Dbtr><Cdtr><Nm>Gemeente Voorbeeld</Nm><Id><PrvtId><Othr>"
    "<Id>NL32ZZZ999999991234</Id></Othr></PrvtId></Id></Cdtr></RltdPties>{rtr}</TxDtls>"
    "</NtryDtls></Ntry>\n"
)


def write_camt053(path: Path, entries: int) -> int:
    """A camt.053.001.02 statement with ``entries`` entries; one in ten an unpaid direct debit.
    Returns how many are returns."""
    returns = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:'
            'tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>'
            "2026-12-04T06:10:00</CreDtTm></GrpHdr><Stmt><Id>S1</Id><CreDtTm>2026-12-04T06:10:00"
            "</CreDtTm><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>\n"
        )
        for i in range(entries):
            is_return = i % 10 == 0
            returns += is_return
            out.write(
                _ENTRY.format(
                    i=i,
                    amount=f"{10 + i % 90}.{i % 100:02d}",
                    sign="DBIT" if is_return else "CRDT",
                    rev="true" if is_return else "false",
                    family="IDDT" if is_return else "RCDT",
                    sub="UPDD" if is_return else "ESCT",
                    rtr="<RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf>" if is_return else "",
                )
            )
        out.write("</Stmt></BkToCstmrStmt></Document>\n")
    return returns


def _camt(path: Path) -> Callable[[], Callable[[], object]]:
    def task() -> Callable[[], object]:
        return lambda: read_returns(path)

    return task


@pytest.mark.benchmark(group="sepa")
def test_pain008_and_camt053(tmp_path: Path) -> None:
    load = os.getloadavg()
    ours = _measure(_maatwerk(tmp_path))
    theirs_validated = _measure(_sepaxml(validate=True))
    theirs_plain = _measure(_sepaxml(validate=False))
    camt = tmp_path / "camt053.xml"
    returns = write_camt053(camt, N)
    read = _measure(_camt(camt))
    assert len(read_returns(camt).returns) == returns
    result = {
        "transactions": N,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "maatwerk_pain008_with_xsd": ours,
        "sepaxml_with_validation": theirs_validated,
        "sepaxml_without_validation": theirs_plain,
        "ratio_sepaxml_validated_over_maatwerk": round(
            theirs_validated["cpu_s"] / ours["cpu_s"], 2
        ),
        "ratio_sepaxml_plain_over_maatwerk": round(theirs_plain["cpu_s"] / ours["cpu_s"], 2),
        "pain008_bytes": (tmp_path / "maatwerk.xml").stat().st_size,
        "camt053_entries": N,
        "camt053_returns": returns,
        "camt053_bytes": camt.stat().st_size,
        "maatwerk_camt053_read": read,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"sepa-{N}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
