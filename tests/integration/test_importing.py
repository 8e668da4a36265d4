"""CSV imports into SQLite and PostgreSQL: all or nothing, every bad row named, reruns no-ops."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from maatwerk.adapters.csv_import import read_import_file, stream_import_file
from maatwerk.adapters.storage import SqlStore, schema
from maatwerk.adapters.storage.imports import AUDIT_RECORD_UPDATED
from maatwerk.core.errors import InputError
from maatwerk.core.events import ConsentGiven, ConsentScope, HoldPlaced, HoldScope
from maatwerk.core.money import eur
from maatwerk.core.records import CaseKey, ImportKind
from maatwerk.services.importing import ImportRejectedError, import_file


PORTFOLIO = (
    "\ufeffdebtor_id;name;household;net_monthly_income;payday;iban;debt_id;creditor_id;"
    "principal;due_date;category;periodic\n"
    "D1;J. Jansen;single;1450,00;25;NL91 ABNA 0417 1643 00;P1;zorg;142,50;2026-01-01;premium;ja\n"
    "D1;J. Jansen;single;1450,00;25;NL91 ABNA 0417 1643 00;P2;zorg;142,50;2026-02-01;premium;ja\n"
    "D2;A. de Vries;couple-children;2100.00;1;;P3;zorg;99.99;2026-01-15;invoice;nee\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(store: SqlStore, path: Path, kind: ImportKind) -> Any:
    return import_file(read_import_file(path, kind), store)


def _rejected(store: SqlStore, path: Path, kind: ImportKind) -> list[tuple[int | None, str | None]]:
    """Import ``path``, which must be rejected; the (line, field) of every error named."""
    with pytest.raises(ImportRejectedError) as caught:
        _import(store, path, kind)
    return [(e.location.line, e.location.field) for e in caught.value.errors]


def _dump(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    tables = [
        schema.debtors,
        schema.debts,
        schema.payments,
        schema.mandates,
        schema.consents,
        schema.holds,
        schema.events,
    ]
    with store.engine.connect() as conn:
        return {
            t.name: sorted(
                tuple(str(v) for k, v in row._asdict().items() if k != "recorded_at")
                for row in conn.execute(sa.select(t))
            )
            for t in tables
        }


class TestPortfolioImport:
    """A combined file loads debtors and debts exactly; re-importing it changes nothing."""

    def test_imports_bom_semicolon_and_decimal_comma(self, store: SqlStore, tmp_path: Path) -> None:
        counts = _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        assert (counts.rows, counts.inserted, counts.unchanged) == (5, 5, 0)
        (case,) = store.load_cases([CaseKey("D1", "zorg")])
        assert [d.principal for d in case.case.debts] == [eur("142.50"), eur("142.50")]
        assert case.debtor.net_monthly_income == eur("1450.00")
        assert case.debtor.iban == "NL91ABNA0417164300"
        assert all(d.periodic for d in case.case.debts)

    def test_reimporting_the_same_file_is_a_no_op(self, store: SqlStore, tmp_path: Path) -> None:
        path = _write(tmp_path, "p.csv", PORTFOLIO)
        _import(store, path, ImportKind.PORTFOLIO)
        before = _dump(store)
        counts = _import(store, path, ImportKind.PORTFOLIO)
        assert (counts.inserted, counts.updated) == (0, 0)
        assert _dump(store) == before

    def test_a_changed_row_updates_with_an_audit_record(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        changed = PORTFOLIO.replace("99.99", "89.99")
        counts = _import(store, _write(tmp_path, "p2.csv", changed), ImportKind.PORTFOLIO)
        assert (counts.inserted, counts.updated) == (0, 1)
        (case,) = store.load_cases([CaseKey("D2", "zorg")])
        assert case.case.debts[0].principal == eur("89.99")
        audit = [h for h in store.history("D2") if h.kind == AUDIT_RECORD_UPDATED]
        assert len(audit) == 1
        assert audit[0].payload == {"entity": "debt", "key": "P3", "fields": ["principal_cents"]}

    def test_a_store_that_loaded_a_case_loads_its_changed_rows(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        (before,) = store.load_cases([CaseKey("D2", "zorg")])
        changed = PORTFOLIO.replace("99.99", "89.99").replace("2100.00", "2200.00")
        _import(store, _write(tmp_path, "p2.csv", changed), ImportKind.PORTFOLIO)
        (after,) = store.load_cases([CaseKey("D2", "zorg")])
        assert before.case.debts[0].principal == eur("99.99")
        assert before.debtor.net_monthly_income == eur("2100.00")
        assert after.case.debts[0].principal == eur("89.99")
        assert after.debtor.net_monthly_income == eur("2200.00")


class TestAllOrNothing:
    """Any bad row rejects the whole file, and every bad row is reported with line and field."""

    def test_last_row_bad_leaves_the_database_unchanged(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        before = _dump(store)
        bad = (
            PORTFOLIO.replace("99.99", "79.99")
            + "D3;B. Bakker;single;;25;;P4;zorg;10.00;2026-13-01;invoice;nee\n"
        )
        assert _rejected(store, _write(tmp_path, "bad.csv", bad), ImportKind.PORTFOLIO) == [
            (5, "due_date")
        ]
        assert _dump(store) == before

    def test_every_bad_row_is_listed(self, store: SqlStore, tmp_path: Path) -> None:
        text = (
            "debtor_id,name,household,iban,payday,net_monthly_income\n"
            "D1,A,single,NL91ABNA0417164301,25,100.00\n"
            "D2,B,family,,25,100.00\n"
            "D3,C,single,,32,100.001\n"
            "D4,D,single,,25,100.00\n"
            ",E,single,,25,-5\n"
        )
        assert _rejected(store, _write(tmp_path, "d.csv", text), ImportKind.DEBTORS) == [
            (2, "iban"),
            (3, "household"),
            (4, "net_monthly_income"),
            (4, "payday"),
            (6, "debtor_id"),
            (6, "net_monthly_income"),
        ]
        assert _dump(store)["debtors"] == []

    def test_unknown_debtor_and_conflicting_duplicate_are_rejected(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        text = (
            "debt_id,debtor_id,creditor_id,principal,due_date\n"
            "X1,D1,zorg,10.00,2026-03-01\n"
            "X2,NOPE,zorg,10.00,2026-03-01\n"
            "X1,D1,zorg,11.00,2026-03-01\n"
        )
        assert _rejected(store, _write(tmp_path, "debts.csv", text), ImportKind.DEBTS) == [
            (3, "debtor_id"),
            (4, "debt_id"),
        ]

    def test_unknown_column_names_the_column(self, store: SqlStore, tmp_path: Path) -> None:
        path = _write(tmp_path, "d.csv", "debtor_id,name,houshold\nD1,A,single\n")
        with pytest.raises(InputError) as caught:
            read_import_file(path, ImportKind.DEBTORS)
        assert caught.value.location.field == "houshold"
        assert caught.value.location.line == 1


class TestHousing:
    """The optional Rv 475da lid 7 columns: housing and the increase a person set."""

    def test_housing_and_owner_increase_are_stored(self, store: SqlStore, tmp_path: Path) -> None:
        text = (
            "debtor_id,name,household,net_monthly_income,housing,owner_increase\n"
            "D1,A,single,1600.00,own,150.00\n"
            "D2,B,couple,2100.00,rent-no-huurtoeslag,\n"
            "D3,C,single,1400.00,,\n"
            "D4,D,single,1400.00,rent,\n"
        )
        counts = _import(store, _write(tmp_path, "d.csv", text), ImportKind.DEBTORS)
        assert counts.inserted == 4
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    schema.debtors.c.debtor_id,
                    schema.debtors.c.housing,
                    schema.debtors.c.owner_increase_cents,
                ).order_by(schema.debtors.c.debtor_id)
            ).all()
        assert [tuple(r) for r in rows] == [
            ("D1", "own", 15000),
            ("D2", "rent-no-huurtoeslag", None),
            ("D3", None, None),
            ("D4", "rent", None),
        ]

    def test_bad_housing_values_are_named_by_line_and_field(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        text = (
            "debtor_id,name,household,housing,owner_increase\n"
            "D1,A,single,koop,\n"
            "D2,B,single,rent,100.00\n"
            "D3,C,single,own,-1.00\n"
            "D4,D,single,,20.00\n"
        )
        path = _write(tmp_path, "d.csv", text)
        with pytest.raises(ImportRejectedError) as caught:
            _import(store, path, ImportKind.DEBTORS)
        found = [(e.location.file, e.location.line, e.location.field) for e in caught.value.errors]
        assert found == [
            ("d.csv", 2, "housing"),
            ("d.csv", 3, "owner_increase"),
            ("d.csv", 4, "owner_increase"),
            ("d.csv", 5, "owner_increase"),
        ]
        assert "rent-no-huurtoeslag" in caught.value.errors[0].message
        assert "lid 7" in caught.value.errors[1].message
        assert _dump(store)["debtors"] == []

    def test_addresses_are_stored_normalised_and_reimport_is_a_no_op(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        text = (
            "debtor_id;name;household;street;house_number;postcode;city;address_extra;country\n"
            "D1;A;single;Kerkstraat;12-2;1234ab;Utrecht;;\n"
            "D2;B;single;Dorpsweg;3 bis; 9999  zz ;Zwolle;t.a.v. bewindvoerder;nl\n"
            "D3;C;single;;;;;;\n"
            "D4;D;single;Rue Haute;5;1000;Bruxelles;;BE\n"
        )
        path = _write(tmp_path, "d.csv", text)
        assert _import(store, path, ImportKind.DEBTORS).inserted == 4
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    schema.debtors.c.debtor_id,
                    schema.debtors.c.address_street,
                    schema.debtors.c.address_house_number,
                    schema.debtors.c.address_postcode,
                    schema.debtors.c.address_city,
                    schema.debtors.c.address_extra,
                    schema.debtors.c.address_country,
                ).order_by(schema.debtors.c.debtor_id)
            ).all()
        assert [tuple(r) for r in rows] == [
            ("D1", "Kerkstraat", "12-2", "1234 AB", "Utrecht", None, "NL"),
            ("D2", "Dorpsweg", "3 bis", "9999 ZZ", "Zwolle", "t.a.v. bewindvoerder", "NL"),
            ("D3", None, None, None, None, None, None),
            ("D4", "Rue Haute", "5", "1000", "Bruxelles", None, "BE"),
        ]
        again = _import(store, path, ImportKind.DEBTORS)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)

    def test_bad_and_partial_addresses_are_named_by_line_and_field(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        text = (
            "debtor_id,name,household,street,house_number,postcode,city,country\n"
            "D1,A,single,Kerkstraat,12,12345,Utrecht,\n"
            "D2,B,single,Kerkstraat,,1234 AB,Utrecht,\n"
            "D3,C,single,,,,Utrecht,\n"
            "D4,D,single,Kerkstraat,1,0123 AB,Utrecht,\n"
            "D5,E,single,Kerkstraat,1,1234 AB,Utrecht,Nederland\n"
            "D6,F,single,,,,,\n"
        )
        path = _write(tmp_path, "d.csv", text)
        with pytest.raises(ImportRejectedError) as caught:
            _import(store, path, ImportKind.DEBTORS)
        found = [(e.location.file, e.location.line, e.location.field) for e in caught.value.errors]
        assert found == [
            ("d.csv", 2, "postcode"),
            ("d.csv", 3, "house_number"),
            ("d.csv", 4, "house_number"),  # sorted by line, then field
            ("d.csv", 4, "postcode"),
            ("d.csv", 4, "street"),
            ("d.csv", 5, "postcode"),
            ("d.csv", 6, "country"),
        ]
        messages = {(e.location.line, e.location.field): e.message for e in caught.value.errors}
        assert "1234 AB" in messages[2, "postcode"]
        assert "required when the row has an address" in messages[3, "house_number"]
        # the messages name the field, never the person's address
        assert not {"12345", "0123", "Kerkstraat"} & set(
            " ".join(e.message for e in caught.value.errors).replace("'", " ").split()
        )
        assert _dump(store)["debtors"] == []


class TestConsentsAndHolds:
    """Imported consents and holds become the events the policy's guards read, once."""

    @pytest.mark.parametrize("workers", [0, 2])
    def test_consent_and_hold_events(self, store: SqlStore, tmp_path: Path, workers: int) -> None:
        """The same with worker processes: the records travel with their rows to the writer,
        which builds the events from them."""
        _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        consents = _write(
            tmp_path,
            "c.csv",
            "consent_id,debtor_id,scope,given_on\nC1,D1,municipal-referral,2026-02-03\n",
        )
        holds = _write(
            tmp_path,
            "h.csv",
            "hold_id,debtor_id,reason,starts_on,ends_on,debt_id\n"
            "H1,D1,dispute,2026-02-01,2026-02-28,P1\n",
        )
        prepare = store.row_preparer()
        for _ in range(2):
            for path, kind in ((consents, ImportKind.CONSENTS), (holds, ImportKind.HOLDS)):
                import_file(stream_import_file(path, kind, workers=workers, prepare=prepare), store)
        (case,) = store.load_cases([CaseKey("D1", "zorg")])
        assert case.events == (
            ConsentGiven(
                occurred_on=dt.date(2026, 2, 3),
                debtor_id="D1",
                scope=ConsentScope.MUNICIPAL_REFERRAL,
                recorded_by="import",
            ),
            HoldPlaced(
                occurred_on=dt.date(2026, 2, 1),
                debtor_id="D1",
                debt_id="P1",
                hold_id="H1",
                scope=HoldScope.DEBT,
                reason="dispute",
                start=dt.date(2026, 2, 1),
                end=dt.date(2026, 2, 28),
                recorded_by="import",
            ),
        )


class TestLargeFiles:
    """A file is written in parts inside one transaction: the checks across rows still hold."""

    def test_a_clash_parts_apart_is_found_and_nothing_is_written(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        _import(store, _write(tmp_path, "p.csv", PORTFOLIO), ImportKind.PORTFOLIO)
        before = _dump(store)
        lines = ["debt_id,debtor_id,creditor_id,principal,due_date"]
        lines += [f"N{i},D1,zorg,10.00,2026-03-01" for i in range(25)]
        lines.append("N3,D1,zorg,12.00,2026-03-01")  # line 27: N3 was on line 5, parts before
        lines.append("N99,NOPE,zorg,1.00,2026-03-01")  # line 28: an unknown debtor
        path = _write(tmp_path, "debts.csv", "\n".join(lines) + "\n")
        with pytest.raises(ImportRejectedError) as caught:
            import_file(stream_import_file(path, ImportKind.DEBTS), store, batch_rows=4)
        found = [(e.location.line, e.location.field) for e in caught.value.errors]
        assert found == [(27, "debt_id"), (28, "debtor_id")]
        assert "first on line 5" in caught.value.errors[0].message
        assert _dump(store) == before

    def test_parts_write_every_row_once(self, store: SqlStore, tmp_path: Path) -> None:
        rows = [f"N{i},D{i % 3},zorg,10.00,2026-03-01" for i in range(30)]
        debtors = "debtor_id,name,household\n" + "".join(f"D{i},N,single\n" for i in range(3))
        _import(store, _write(tmp_path, "d.csv", debtors), ImportKind.DEBTORS)
        text = "debt_id,debtor_id,creditor_id,principal,due_date\n" + "\n".join(rows + rows)
        path = _write(tmp_path, "debts.csv", text + "\n")
        counts = import_file(stream_import_file(path, ImportKind.DEBTS), store, batch_rows=7)
        assert (counts.rows, counts.inserted, counts.unchanged) == (30, 30, 0)
        assert len(_dump(store)["debts"]) == 30

    def test_many_bad_rows_are_counted_and_the_first_listed(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        text = "debtor_id,name,household\n" + "".join(f"D{i},N,nope\n" for i in range(250))
        path = _write(tmp_path, "d.csv", text)
        with pytest.raises(ImportRejectedError) as caught:
            import_file(stream_import_file(path, ImportKind.DEBTORS), store, batch_rows=50)
        assert caught.value.total == 250
        assert [e.location.line for e in caught.value.errors] == list(range(2, 102))
        assert "250 problem(s) on 250 line(s) (the first 100 listed)" in str(caught.value)
        assert _dump(store)["debtors"] == []

    def test_a_bad_byte_names_its_line_and_writes_nothing(
        self, store: SqlStore, tmp_path: Path
    ) -> None:
        path = tmp_path / "d.csv"
        good = "".join(f"D{i},N,single\n" for i in range(20))
        path.write_bytes(b"debtor_id,name,household\n" + good.encode() + b"D99,\xff,single\n")
        with pytest.raises(InputError) as caught:
            import_file(stream_import_file(path, ImportKind.DEBTORS), store, batch_rows=5)
        assert (caught.value.location.line, caught.value.message) == (22, "the file is not UTF-8")
        assert _dump(store)["debtors"] == []


class TestWorkerProcesses:
    """``maatwerk import --workers``: worker processes check and prepare parts of the file; what
    is stored, and every problem named, are what one process gives."""

    TRICKY = (
        "\ufeffdebtor_id;name;household;net_monthly_income;iban;street;house_number;postcode;"
        "city\n"
        'D1;"Jansen; J.";single;1450,00;NL91 ABNA 0417 1643 00;"Lange\nstraat";1;1234 AB;Utrecht\n'
        "\n"
        'D2;"A. ""Ans"" de Vries";couple-children;2100;;;;;\n'
        "D3;B;single;12,345;;;;;\n"  # three decimals: a problem
        'D4;"Quoted\r\nacross, lines";single;;;;;;\n'
        "D5;C;nope;;;;;;\n"  # an unknown household: a problem
        "D1;Other;single;;;;;;\n"  # D1 again with other values: a problem
        'D6;say "hi";single;;;;;;\n'  # a quote inside an unquoted field is kept as it is
        "D7;D;single;;;;;;;;;\n"  # more fields than the header
    )

    def _both(self, store: SqlStore, tmp_path: Path, text: str, part_rows: int) -> tuple[Any, Any]:
        """What a debtors file gives (stored tables, or its problems) with one process, then
        with two workers (the debtors stored by the first taken away again)."""
        path = _write(tmp_path, "f.csv", text)
        results: list[tuple[int, Any]] = []
        for workers in (0, 2):
            stream = stream_import_file(
                path, ImportKind.DEBTORS, workers=workers, prepare=store.row_preparer()
            )
            try:
                counts = import_file(stream, store, batch_rows=part_rows)
            except ImportRejectedError as exc:
                results.append((exc.total, [(str(e), e.location) for e in exc.errors]))
            else:
                results.append((counts.inserted, _dump(store)))
                with store.engine.begin() as conn:
                    conn.execute(sa.delete(schema.debtors))
        return results[0], results[1]

    def test_the_same_problems_by_line_and_field(
        self, store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("maatwerk.adapters.csv_stream.PART_ROWS", 2)  # parts cut often
        one, two = self._both(store, tmp_path, self.TRICKY, 2)
        assert one == two
        total, errors = one
        assert total == 4
        # line 1 the header; D1 on lines 2-3, a blank line 4; D4 on lines 7-8 (\r\n inside)
        assert [(loc.line, loc.field) for _text, loc in errors] == [
            (6, "net_monthly_income"),
            (9, "household"),
            (10, "debtor_id"),
            (12, None),
        ]

    def test_the_same_rows_stored(
        self, store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("maatwerk.adapters.csv_stream.PART_ROWS", 3)
        good = "\n".join(
            line
            for line in self.TRICKY.split("\n")
            if not line.startswith(("D3;", "D5;", "D1;Other", "D7;"))
        )
        one, two = self._both(store, tmp_path, good, 3)
        assert one == two
        inserted, tables = one
        assert inserted == 4
        names = sorted(row[1] for row in tables["debtors"])
        assert names == [
            'A. "Ans" de Vries',
            "Jansen; J.",
            "Quoted\r\nacross, lines",
            'say "hi"',
        ]

    def test_a_bad_byte_names_its_line_and_writes_nothing(
        self, store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("maatwerk.adapters.csv_stream.PART_ROWS", 400)
        path = tmp_path / "d.csv"
        good = "".join(f"D{i},N,single\n" for i in range(8000))  # beyond the first read buffer
        path.write_bytes(b"debtor_id,name,household\n" + good.encode() + b"D99,\xff,single\n")
        prepare = store.row_preparer()
        with pytest.raises(InputError) as caught:
            import_file(
                stream_import_file(path, ImportKind.DEBTORS, workers=2, prepare=prepare), store
            )
        assert (caught.value.location.line, caught.value.message) == (
            8002,
            "the file is not UTF-8",
        )
        assert _dump(store)["debtors"] == []

    def test_a_worker_that_fails_ends_the_import_and_writes_nothing(
        self, store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("maatwerk.adapters.csv_stream.PART_ROWS", 5)
        text = "debtor_id,name,household\n" + "".join(f"D{i},N,single\n" for i in range(40))
        path = _write(tmp_path, "d.csv", text)
        stream = stream_import_file(path, ImportKind.DEBTORS, workers=2, prepare=_broken_preparer)
        with pytest.raises(RuntimeError, match="a broken preparer"):
            import_file(stream, store)
        assert _dump(store)["debtors"] == []


def _broken_preparer(rows: Any) -> Any:
    """A store's row preparer that fails in the worker process (for the test above)."""
    raise RuntimeError(f"a broken preparer ({len(rows)} rows)")
