"""``maatwerk sepa build``: CSV in, validated pain.008 out; bad rows listed, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import SEPA_CREDITOR, SEPA_HEADER, write_collections
from click.testing import CliRunner
from lxml import etree

from maatwerk.adapters.sepa import PainVersion, validate_against_xsd
from maatwerk.cli import cli


GOOD_ROWS = [
    "MW-2026-0001,MNDT-0001,2025-01-05,FRST,Çelik,NL44RABO0123456789,12.50,RF18539007547034",
    'MW-2026-0002,MNDT-0002,2024-03-01,RCUR,"Jansen, J.",NL91ABNA0417164300,100.00,Termijn 3',
]
CREDITOR_ARGS = [
    *SEPA_CREDITOR,
    "--collection-date",
    "2026-11-25",
    "--created-at",
    "2026-11-23T10:00:00",
]


def build(runner: CliRunner, csv: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        cli, ["sepa", "build", "--collections", str(csv), *CREDITOR_ARGS, "--out", str(out), *extra]
    )
    return result.exit_code, result.stdout, result.stderr


def parse(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))


class TestBuild:
    """A good CSV becomes an XSD-valid pain.008 of the chosen version."""

    def test_default_version_08(self, runner: CliRunner, tmp_path: Path) -> None:
        csv = write_collections(tmp_path / "c.csv", GOOD_ROWS)
        out = tmp_path / "dd.xml"
        code, stdout, stderr = build(runner, csv, out)
        assert code == 0, stderr
        assert "2 collection(s)" in stdout
        assert "112.50" in stdout
        root = parse(out)
        assert etree.QName(root).namespace == PainVersion.V08.namespace
        assert validate_against_xsd(root, PainVersion.V08) == ()

    def test_version_02_semicolons_bom_and_comma_decimals(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        rows = [
            SEPA_HEADER.replace(",", ";"),
            "MW-1;M-1;2025-01-05;frst;A. de Vries;NL44RABO0123456789;12,50;",
            "MW-2;M-2;2025-01-05;RCUR;J. Jansen;NL91ABNA0417164300;7,05;Termijn 1",
        ]
        csv = tmp_path / "c.csv"
        csv.write_bytes("\ufeff".encode() + "\r\n".join(rows).encode("utf-8"))
        out = tmp_path / "dd.xml"
        code, stdout, stderr = build(
            runner, csv, out, "--version", "pain.008.001.02", "--message-id", "BATCH-7", "--json"
        )
        assert code == 0, stderr
        payload = json.loads(stdout)
        assert payload == {
            "file": str(out),
            "version": "pain.008.001.02",
            "message_id": "BATCH-7",
            "number_of_transactions": 2,
            "control_sum": "19.55",
            "payment_informations": 2,
        }
        root = parse(out)
        assert validate_against_xsd(root, PainVersion.V02) == ()
        amounts = [e.text for e in root.iter() if etree.QName(e).localname == "InstdAmt"]
        assert amounts == ["12.50", "7.05"]


class TestBadRows:
    """Every bad row is listed with its line number and field; exit 2; no file."""

    def test_each_bad_row_and_field(self, runner: CliRunner, tmp_path: Path) -> None:
        rows = [
            GOOD_ROWS[0],
            "E2E//3,M-3,2025-13-05,XXXX,Piet,NL00RABO0123456789,1.234,",
            GOOD_ROWS[1],
            "MW-5,M-5,2025-01-05,RCUR,李,NL44RABO0123456789,abc,",
            "MW-2026-0001,M-6,2025-01-05,RPRE,Ok,NL44RABO0123456789,1.00,RF19539007547034",
        ]
        csv = write_collections(tmp_path / "c.csv", rows)
        out = tmp_path / "dd.xml"
        code, stdout, stderr = build(runner, csv, out)
        assert code == 2
        assert stdout == ""
        assert not out.exists()
        assert list(tmp_path.iterdir()) == [csv]
        expected = [
            "line 3, field 'mandate_date'",
            "line 3, field 'sequence'",
            "line 3, field 'end_to_end_id'",
            "line 3, field 'debtor_iban'",
            "line 3, field 'amount'",
            "line 5, field 'amount'",
            "line 5, field 'debtor_name'",
            "line 6, field 'sequence'",
            "line 6, field 'end_to_end_id'",
            "line 6, field 'remittance'",
        ]
        for fragment in expected:
            assert fragment in stderr, (fragment, stderr)
        assert "line 2," not in stderr
        assert "line 4," not in stderr
        assert "10 problems" in stderr

    def test_collection_date_too_early(self, runner: CliRunner, tmp_path: Path) -> None:
        csv = write_collections(tmp_path / "c.csv", GOOD_ROWS)
        out = tmp_path / "dd.xml"
        code, _, stderr = build(runner, csv, out, "--created-at", "2026-11-25T08:00:00")
        assert code == 2
        # once, against the option, not once per row (audit polish)
        assert stderr.count("--collection-date") == 1
        assert "field 'collection_date'" not in stderr
        assert "1 problem:" in stderr
        assert not out.exists()

    def test_bad_creditor_id(self, runner: CliRunner, tmp_path: Path) -> None:
        csv = write_collections(tmp_path / "c.csv", GOOD_ROWS)
        args = [a if a != "NL32ZZZ999999991234" else "NL33ZZZ999999991234" for a in CREDITOR_ARGS]
        result = runner.invoke(
            cli,
            ["sepa", "build", "--collections", str(csv), *args, "--out", str(tmp_path / "o.xml")],
        )
        assert result.exit_code == 2
        assert "field 'creditor_id'" in result.stderr

    def test_wrong_header(self, runner: CliRunner, tmp_path: Path) -> None:
        csv = tmp_path / "c.csv"
        csv.write_text("e2e,mandate_id\nx,y\n", encoding="utf-8")
        code, _, stderr = build(runner, csv, tmp_path / "o.xml")
        assert code == 2
        assert "line 1" in stderr
        assert "missing column(s) end_to_end_id" in stderr
        assert "unknown column(s) e2e" in stderr

    def test_missing_file(self, runner: CliRunner, tmp_path: Path) -> None:
        code, _, stderr = build(runner, tmp_path / "absent.csv", tmp_path / "o.xml")
        assert code == 2
        assert "absent.csv" in stderr

    def test_bad_created_at(self, runner: CliRunner, tmp_path: Path) -> None:
        csv = write_collections(tmp_path / "c.csv", GOOD_ROWS)
        code, _, stderr = build(runner, csv, tmp_path / "o.xml", "--created-at", "yesterday")
        assert code == 2
        assert "--created-at" in stderr
