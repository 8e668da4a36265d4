"""Read the municipality's answers to debt-help referrals (terugkoppeling), CSV or JSON.

One row per answer, three fields (``docs/formats/municipal-feedback.md``):

* ``reference``: our reference as we sent it: the referral's ``signal_id`` (the document the
  ``municipal`` channel wrote) or our customer number (``klantnummer``, the debtor id);
* ``outcome``: ``accepted``, ``in-debt-help``, ``stabilisation``, ``no-contact`` or ``refused``
  (spaces and underscores are read as hyphens: ``in debt help``);
* ``date``: the day of the answer, ``YYYY-MM-DD``.

CSV: UTF-8 (a byte-order mark is tolerated), a header row, ``;`` or ``,`` detected from it,
unknown columns refused. JSON: a list of objects, or ``{"feedback": [...]}``; a problem is
located at the record's number (1 = the first). Every problem of every row is collected with
its line (CSV) or record number (JSON) and field; the service rejects the whole file if any.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from maatwerk.adapters.csv_stream import allow_long_fields, read_text_file
from maatwerk.core.errors import InputError, Location
from maatwerk.core.events import MunicipalOutcome
from maatwerk.services.municipal_feedback import FeedbackFile, FeedbackRow


__all__ = ["COLUMNS", "read_feedback_file"]

COLUMNS: Final = ("reference", "outcome", "date")
_OUTCOMES: Final = ", ".join(o.value for o in MunicipalOutcome)


def _outcome(raw: str) -> MunicipalOutcome:
    value = "-".join(raw.strip().lower().replace("_", " ").split())
    try:
        return MunicipalOutcome(value)
    except ValueError:
        raise ValueError(f"unknown outcome {raw!r}; expected one of {_OUTCOMES}") from None


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {raw!r}") from None


def _row(values: Mapping[str, Any], name: str, line: int) -> FeedbackRow | list[InputError]:
    errors: list[InputError] = []
    found: dict[str, str] = {}
    for column in COLUMNS:
        value = values.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(InputError(f"{column} is missing", Location(name, line, column)))
        elif not isinstance(value, str):
            errors.append(InputError(f"{column} must be text", Location(name, line, column)))
        else:
            found[column] = value
    outcome: MunicipalOutcome | None = None
    on: dt.date | None = None
    if "outcome" in found:
        try:
            outcome = _outcome(found["outcome"])
        except ValueError as exc:
            errors.append(InputError(str(exc), Location(name, line, "outcome")))
    if "date" in found:
        try:
            on = _date(found["date"])
        except ValueError as exc:
            errors.append(InputError(str(exc), Location(name, line, "date")))
    if errors or outcome is None or on is None:
        return errors
    return FeedbackRow(line=line, reference=found["reference"].strip(), outcome=outcome, on=on)


def _csv_rows(text: str, name: str) -> list[tuple[int, Mapping[str, Any]] | InputError]:
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    allow_long_fields()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header or not any(header):
        raise InputError("the file has no header row", Location(file=name, line=1))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r}; allowed: {', '.join(COLUMNS)}",
            Location(file=name, line=1, field=unknown[0]),
        )
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"required column {missing[0]!r} is missing",
            Location(file=name, line=1, field=missing[0]),
        )
    reader.fieldnames = header
    found: list[tuple[int, Mapping[str, Any]] | InputError] = []
    for record in reader:
        if None in record:
            found.append(
                InputError("more fields than the header has", Location(name, reader.line_num))
            )
            continue
        if all(not (v or "").strip() for v in record.values()):
            continue
        found.append((reader.line_num, record))
    return found


def _json_rows(text: str, name: str) -> list[tuple[int, Mapping[str, Any]] | InputError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", Location(file=name, line=exc.lineno)
        ) from None
    if isinstance(data, dict) and isinstance(data.get("feedback"), list):
        data = data["feedback"]
    if not isinstance(data, list):
        raise InputError('expected a list of answers, or {"feedback": [...]}', Location(file=name))
    found: list[tuple[int, Mapping[str, Any]] | InputError] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            found.append(InputError("each answer must be an object", Location(name, number)))
            continue
        unknown = sorted(k for k in item if k not in COLUMNS)
        if unknown:
            found.append(
                InputError(
                    f"unknown field {unknown[0]!r}; allowed: {', '.join(COLUMNS)}",
                    Location(name, number, unknown[0]),
                )
            )
            continue
        found.append((number, item))
    return found


def read_feedback_file(path: Path) -> FeedbackFile:
    """Parse and check every row of ``path`` (JSON when it starts with ``[`` or ``{``, else CSV);
    row problems are returned, a file that cannot be read as a table at all raises."""
    name = path.name
    raw, text = read_text_file(path)
    is_json = text.lstrip()[:1] in ("[", "{")
    found = _json_rows(text, name) if is_json else _csv_rows(text, name)
    rows: list[FeedbackRow] = []
    errors: list[InputError] = []
    for item in found:
        if isinstance(item, InputError):
            errors.append(item)
            continue
        parsed = _row(item[1], name, item[0])
        if isinstance(parsed, list):
            errors.extend(parsed)
        else:
            rows.append(parsed)
    return FeedbackFile(
        file_name=name,
        file_sha256=hashlib.sha256(raw).hexdigest(),
        rows=tuple(rows),
        errors=tuple(errors),
        record_word="record" if is_json else "line",
    )
