"""The ``letters`` channel: one plain-Dutch (B1) letter per action, as a UTF-8 text file.

Files land in ``<output_dir>/letters/<run date>/<action id>.txt``, ready for a print-and-mail
service or a document system. Short sentences; always the amount, the date, what happens next
and who to call (MAST best practices, seed ``002``).

Payload keys read (see ``maatwerk.core.ports``):

* ``debtor_name`` (required), ``amount`` (required, ``Decimal`` > 0);
* ``collection_costs`` (required for ``fourteen-day-letter``: BW 6:96 lid 6 requires the letter
  to state the costs that follow if the debtor does not pay within 14 days after receipt; zero:
  the letter says no costs are charged, for a household the policy charges none);
* ``pay_before``, ``reference``, ``address`` (lines), ``creditor_name``, ``creditor_phone``,
  ``creditor_iban``;
* for ``arrangement-offer``: ``instalment_amount`` (``Decimal``), ``instalment_count`` (int),
  ``first_instalment_on`` and ``last_instalment_on`` (dates), ``last_instalment_amount``,
  ``payment_method`` (``transfer`` / ``direct-debit``): the plan the run computed; without it
  the letter offers to agree an amount by phone. ``bvv`` (the protected-income calculation the
  plan is sized to): when it is ``provisional`` the letter says the amounts may change and that
  we recalculate.
* ``missed_instalments`` (a reminder during a plan: ``number``, ``due_date``, ``amount`` each),
  ``catch_up_by``, ``next_instalment_on``, ``next_instalment_amount``: the letter asks for the
  missed instalment(s), not the whole balance;
* ``claims_list`` (``reference``, ``category``, ``due_date``, ``outstanding`` each): itemised
  after the body; ``direct_debit`` (an active mandate) with ``debtor_iban``: the amount is
  debited, nothing to transfer; ``debt_help_line = "yes"`` (a step param): free municipal
  debt help is named.
* ``received_on`` and ``last_day`` (dates): the presumed receipt and the last day of the letter's
  legal term, computed by the run (``maatwerk.core.letter_dates``: Atw-extended). The channel
  prints them and never computes a legal date itself; without ``last_day`` a letter states the
  rule in words (e.g. "binnen 2 weken na de datum van deze brief");
* for ``zvw-notice``: ``notice = "second"`` (a step param) for the second notice after a
  dispute the insurer maintains (Zvw 18b lid 2).

``creditor_name`` and ``creditor_phone`` may also come from the channel settings
(``DeliveryContext.settings``); a letter without a phone number to call is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.adapters.channels._files import (
    atomic_write,
    dutch_amount,
    dutch_date,
    missing_settings,
    safe_file_stem,
)
from maatwerk.core.ports import (
    PAYLOAD_ADDRESS,
    PAYLOAD_AMOUNT,
    PAYLOAD_CLAIMS_LIST,
    PAYLOAD_COLLECTION_COSTS,
    PAYLOAD_CREDITOR_NAME,
    PAYLOAD_CREDITOR_PHONE,
    PAYLOAD_DEBTOR_NAME,
    PAYLOAD_DIRECT_DEBIT,
    PAYLOAD_LAST_DAY,
    PAYLOAD_MISSED_INSTALMENTS,
    PAYLOAD_PAY_BEFORE,
    PAYLOAD_RECEIVED_ON,
    PAYLOAD_REFERENCE,
    DeliveryContext,
    DeliveryReceipt,
    OutboundAction,
    PayloadValue,
)


__all__ = [
    "DEBT_HELP_LINE",
    "LETTER_KINDS",
    "RESERVATION_OF_RIGHTS",
    "LettersChannel",
    "RefusedError",
    "render_letter",
]


class RefusedError(ValueError):
    """The action cannot become a letter; the message says why (it becomes the receipt reason)."""


@attrs.frozen(kw_only=True)
class _Facts:
    """What every letter needs, checked once."""

    name: str
    amount: Decimal
    creditor: str
    phone: str
    run_date: dt.date
    pay_before: dt.date | None
    reference: str
    iban: str
    payload: Mapping[str, PayloadValue]
    received_on: dt.date | None = None
    """presumed receipt (the run's, ``maatwerk.core.calendar.presumed_receipt``)"""
    last_day: dt.date | None = None
    """last day of the letter's legal term (the run's, Atw-extended)"""
    settings_creditor_id: str = ""
    """the SEPA creditor identifier (Incassant-ID) from the settings, for a pre-notification"""

    def pay_line(self) -> str:
        lines = []
        if self.iban:
            lines.append(
                _sentence(f"Maak het bedrag over naar {self.iban}, ten name van {self.creditor}")
            )
        if self.reference:
            lines.append(_sentence(f"Vermeld bij uw betaling: {self.reference}"))
        return "\n".join(lines)

    @property
    def direct_debit(self) -> bool:
        """The debtor has an active direct-debit mandate for this creditor (the run's)."""
        return self.payload.get(PAYLOAD_DIRECT_DEBIT) is True

    def debit_account(self) -> str:
        """The debtor's account as the letter names it: only its last four characters."""
        iban = _text(self.payload, "debtor_iban").replace(" ", "")
        if len(iban) >= 4:
            return f"uw rekening die eindigt op {iban[-4:]}"
        return "uw rekening"

    def debt_help_line(self) -> str:
        """Free municipal debt help, when the policy's step offers it (``debt_help_line``)."""
        if str(self.payload.get("debt_help_line", "")).strip().lower() not in _YES:
            return ""
        return DEBT_HELP_LINE


def _sentence(text: str) -> str:
    """``text`` ending in one full stop: a name that ends in a dot ("B.V.") gets no second."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


_YES: Final = frozenset({"yes", "ja", "true", "1"})

#: What a reminder says about free municipal debt help (a step's ``debt_help_line = "yes"``).
DEBT_HELP_LINE: Final = (
    "Heeft u meer schulden of veel geldzorgen? De gemeente helpt u gratis.\n"
    "Bel uw gemeente en vraag naar schuldhulp. U mag ook ons bellen. Wij helpen u op weg."
)

#: Plain Dutch words for the claim categories of the import formats.
_CATEGORY_NL: Final[Mapping[str, str]] = {
    "premium": "Zorgpremie",
    "care-contribution": "Eigen bijdrage",
    "invoice": "Rekening",
    "rent": "Huur",
    "tax": "Belasting",
    "excess": "Eigen risico",
    "fine": "Boete",
}


def _claims_block(payload: Mapping[str, PayloadValue]) -> str:
    """Each claim the letter is about, with its reference, due date and amount still open."""
    claims = payload.get(PAYLOAD_CLAIMS_LIST)
    if not isinstance(claims, tuple) or not claims:
        return ""
    lines = ["Om deze rekeningen gaat het:"]
    for claim in claims:
        if not isinstance(claim, Mapping):
            continue
        category = str(claim.get("category") or "invoice")
        what = _CATEGORY_NL.get(category, category.replace("-", " ").capitalize())
        reference = str(claim.get("reference") or "").strip()
        due = claim.get("due_date")
        open_ = claim.get("outstanding")
        line = f"- {what}"
        if reference:
            line += f", kenmerk {reference}"
        if isinstance(due, dt.date):
            line += f", te betalen op {dutch_date(due)}"
        if isinstance(open_, Decimal):
            line += f": nog {dutch_amount(open_)}"
        lines.append(line)
    return "\n".join(lines) if len(lines) > 1 else ""


def _text(payload: Mapping[str, PayloadValue], key: str) -> str:
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RefusedError(f"payload field {key!r} must be text")
    return value.strip()


def _decimal(payload: Mapping[str, PayloadValue], key: str, *, required: bool) -> Decimal | None:
    value = payload.get(key)
    if value is None:
        if required:
            raise RefusedError(f"payload field {key!r} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise RefusedError(f"payload field {key!r} must be an amount (Decimal)")
    return Decimal(value)


def _date(payload: Mapping[str, PayloadValue], key: str) -> dt.date | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise RefusedError(f"payload field {key!r} must be a date")
    return value


def _facts(action: OutboundAction, settings: Mapping[str, str], run_date: dt.date) -> _Facts:
    payload = action.payload
    name = _text(payload, PAYLOAD_DEBTOR_NAME)
    if not name:
        raise RefusedError(f"payload field {PAYLOAD_DEBTOR_NAME!r} is missing")
    amount = _decimal(payload, PAYLOAD_AMOUNT, required=True)
    if amount is None or amount <= 0:
        raise RefusedError(f"payload field {PAYLOAD_AMOUNT!r} must be more than zero")
    creditor = _text(payload, PAYLOAD_CREDITOR_NAME) or settings.get("creditor_name", "").strip()
    phone = _text(payload, PAYLOAD_CREDITOR_PHONE) or settings.get("creditor_phone", "").strip()
    if not creditor:
        raise RefusedError("no creditor name: set 'creditor_name' in the letters channel settings")
    if not phone:
        raise RefusedError("no phone number to call: set 'creditor_phone' in the letters settings")
    return _Facts(
        name=name,
        amount=amount,
        creditor=creditor,
        phone=phone,
        run_date=run_date,
        pay_before=_date(payload, PAYLOAD_PAY_BEFORE) or action.due_date,
        reference=_text(payload, PAYLOAD_REFERENCE),
        iban=_text(payload, "creditor_iban") or settings.get("creditor_iban", "").strip(),
        payload=payload,
        received_on=_date(payload, PAYLOAD_RECEIVED_ON),
        last_day=_date(payload, PAYLOAD_LAST_DAY),
        settings_creditor_id=settings.get("creditor_id", "").strip(),
    )


def _deadline(facts: _Facts) -> str:
    if facts.pay_before is not None and facts.pay_before >= facts.run_date:
        return f"Betaal uiterlijk {dutch_date(facts.pay_before)}."
    return "Betaal binnen 14 dagen."


def _courtesy(facts: _Facts) -> tuple[str, str]:
    when = f"Op {dutch_date(facts.pay_before)}" if facts.pay_before is not None else "Binnenkort"
    if facts.direct_debit:  # an active mandate: we collect, the debtor transfers nothing
        on = f" op of kort na {dutch_date(facts.pay_before)}" if facts.pay_before else ""
        body = (
            f"Wij schrijven {dutch_amount(facts.amount)}{on} af van {facts.debit_account()}.\n"
            "Dat is de automatische incasso. U hoeft zelf niets over te maken.\n"
            "Wilt u zorgen dat er genoeg geld op uw rekening staat?\n"
            "Lukt dat niet? Bel ons dan zo snel mogelijk. Dan zoeken we samen een oplossing."
        )
        return "Wij schrijven uw betaling binnenkort af", body
    body = (
        f"{when} moet u {dutch_amount(facts.amount)} betalen.\n"
        "Wilt u zorgen dat er genoeg geld op uw rekening staat?\n"
        "Heeft u al betaald? Dan hoeft u niets te doen.\n\n"
        f"{facts.pay_line()}"
    )
    return "Uw betaling komt eraan", body


def _reminder(facts: _Facts) -> tuple[str, str]:
    if isinstance(facts.payload.get(PAYLOAD_MISSED_INSTALMENTS), tuple):
        return _plan_reminder(facts)
    body = (
        f"U moet nog {dutch_amount(facts.amount)} aan ons betalen.\n"
        f"{_deadline(facts)}\n"
        f"{facts.pay_line()}\n"
        "Betaalt u niet op tijd? Dan nemen wij weer contact met u op.\n\n"
        "Lukt betalen nu niet? Bel ons. Samen zoeken we een oplossing.\n"
        "Bijvoorbeeld een betalingsregeling die past bij wat u kunt missen."
    )
    return "Herinnering: u heeft nog niet betaald", body


def _plan_reminder(facts: _Facts) -> tuple[str, str]:
    """A missed instalment of a running plan: ask for that instalment, not the whole balance."""
    raw = facts.payload.get(PAYLOAD_MISSED_INSTALMENTS)
    missed: list[tuple[Decimal, dt.date]] = []
    for item in raw if isinstance(raw, tuple) else ():
        if not isinstance(item, Mapping):
            continue
        amount, day = item.get("amount"), item.get("due_date")
        if isinstance(amount, Decimal) and isinstance(day, dt.date):
            missed.append((amount, day))
    if not missed:
        raise RefusedError(f"payload field {PAYLOAD_MISSED_INSTALMENTS!r} names no instalment")
    due = sum((amount for amount, _ in missed), Decimal(0))
    lines = ["U heeft een betalingsregeling met ons. Fijn dat u die heeft."]
    if len(missed) == 1:
        amount, day = missed[0]
        lines.append(
            f"De betaling van {dutch_amount(amount)} van {dutch_date(day)} "
            "hebben wij nog niet gekregen."
        )
    else:
        lines.append("Deze betalingen hebben wij nog niet gekregen:")
        lines.extend(f"- {dutch_amount(amount)} van {dutch_date(day)}" for amount, day in missed)
    by = _date(facts.payload, "catch_up_by") or facts.pay_before
    if by is not None and by >= facts.run_date:
        lines.append(f"Wilt u {dutch_amount(due)} betalen? Doe dat uiterlijk {dutch_date(by)}.")
    else:
        lines.append(f"Wilt u {dutch_amount(due)} zo snel mogelijk betalen?")
    pay = facts.pay_line()
    if pay:
        lines.append(pay)
    lines.append("Dan loopt uw regeling gewoon door.")
    next_on = _date(facts.payload, "next_instalment_on")
    next_amount = _decimal(facts.payload, "next_instalment_amount", required=False)
    if next_on is not None and next_amount is not None:
        lines.append(
            f"De volgende betaling is {dutch_amount(next_amount)} op {dutch_date(next_on)}."
        )
    lines.append("")
    lines.append("Lukt het nu niet? Bel ons. Dan kijken we samen naar uw regeling.")
    lines.append("Betaalt u niet en belt u ons niet? Dan kan de regeling stoppen.")
    return "Herinnering: een betaling van uw regeling", "\n".join(lines)


def _offer_plan_lines(facts: _Facts) -> list[str]:
    """The offered plan's terms: amount, number, first and last date, how to pay."""
    instalment = _decimal(facts.payload, "instalment_amount", required=False)
    count = facts.payload.get("instalment_count")
    first = _date(facts.payload, "first_instalment_on")
    if instalment is None or not isinstance(count, int) or isinstance(count, bool) or not first:
        return []
    last = _date(facts.payload, "last_instalment_on")
    last_amount = _decimal(facts.payload, "last_instalment_amount", required=False)
    lines = ["Ons voorstel:"]
    if count == 1:
        lines.append(f"- U betaalt het hele bedrag in 1 keer: {dutch_amount(instalment)}.")
    elif last_amount is not None and last_amount != instalment:
        lines.append(f"- U betaalt {count} keer, 1 keer per maand.")
        lines.append(
            f"- U betaalt {count - 1} keer {dutch_amount(instalment)} en de laatste keer "
            f"{dutch_amount(last_amount)}."
        )
    else:
        lines.append(f"- U betaalt {count} keer {dutch_amount(instalment)}, 1 keer per maand.")
    if count == 1:
        lines.append(f"- Dat is op {dutch_date(first)}.")
    else:
        lines.append(f"- De eerste betaling is op {dutch_date(first)}.")
    if last is not None and count > 1:
        lines.append(f"- De laatste betaling is op {dutch_date(last)}.")
    each = "elke keer " if count > 1 else ""
    method = _text(facts.payload, "payment_method")
    if method == "direct-debit":
        lines.append(
            f"- Wij schrijven het bedrag {each}af van {facts.debit_account()}. "
            "U hoeft zelf niets over te maken."
        )
    else:
        lines.append(f"- U maakt het bedrag {each}zelf over.")
        pay = facts.pay_line()
        if pay:
            lines.extend(f"  {line}" for line in pay.splitlines())
    return lines


def _arrangement(facts: _Facts) -> tuple[str, str]:
    lines = [f"U moet nog {dutch_amount(facts.amount)} aan ons betalen."]
    plan = _offer_plan_lines(facts)
    if facts.payload.get("instalment_count") == 1 and plan:
        lines.append("Wij bieden u een betalingsregeling aan. Dan krijgt u meer tijd.")
    else:
        lines.append("Wij bieden u een betalingsregeling aan. Dan betaalt u in delen.")
    if plan:
        lines.append("Wij hebben gekeken wat u elke maand kunt missen.")
        lines.append("")
        lines.extend(plan)
        lines.append("")
        accept = "Wilt u deze regeling? Bel ons en zeg dat u de regeling wilt."
    else:
        accept = "Wilt u een regeling? Bel ons. Dan spreken we samen een bedrag per maand af."
    if facts.last_day is not None:
        accept += f" Doe dat uiterlijk {dutch_date(facts.last_day)}."
    else:
        accept += " Doe dat binnen 14 dagen na de datum van deze brief."
    lines.append(accept)
    if plan:
        lines.append("Betaalt u volgens de regeling? Dan doen wij verder niets.")
    lines.append("Past het bedrag niet bij uw inkomen? Bel ons. Dan kijken we samen opnieuw.")
    bvv = facts.payload.get("bvv")
    if isinstance(bvv, Mapping) and bvv.get("provisional") is True:
        lines.append(
            "Let op: wij rekenden met de bedragen die nu bekend zijn. Die kunnen nog veranderen. "
            "Dan rekenen wij opnieuw. Moet u dan minder betalen? Dan passen wij de regeling aan."
        )
    return "Een betalingsregeling voor u", "\n".join(lines)


def _confirmation(facts: _Facts) -> tuple[str, str]:
    """The confirmation of an accepted plan; paid by direct debit it is the pre-notification
    (EPC SDD Core: each amount and date, the mandate reference and the creditor identifier)."""
    payload = facts.payload
    debits = payload.get("debits")
    rows = [
        (row.get("date"), row.get("amount"))
        for row in (debits if isinstance(debits, tuple) else ())
        if isinstance(row, Mapping)
    ]
    lines = [
        "Bedankt. U heeft de betalingsregeling aangenomen.",
        f"In totaal betaalt u {dutch_amount(facts.amount)}.",
    ]
    if _text(payload, "method") != "direct-debit":
        lines.append("Betaal elke termijn op tijd. De data en bedragen staan hieronder.")
    else:
        mandate = _text(payload, "mandate_id")
        creditor_id = _text(payload, "creditor_sepa_id") or facts.settings_creditor_id
        if not mandate or not creditor_id:
            raise RefusedError(
                "a direct-debit confirmation needs 'mandate_id' and the creditor identifier "
                "(setting 'creditor_id' of the letters channel)"
            )
        lines += [
            "U hoeft zelf niets over te maken. Wij schrijven elke termijn af van uw rekening.",
            "Dat doen wij op de data hieronder. Zorg dat er dan genoeg geld op staat.",
            f"Kenmerk van uw machtiging: {mandate}.",
            f"Ons incassant-ID: {creditor_id}.",
        ]
    lines.append("")
    for when, amount in rows:
        if isinstance(when, dt.date) and isinstance(amount, Decimal):
            lines.append(f"- {dutch_date(when)}: {dutch_amount(amount)}")
    lines += [
        "",
        "Kunt u een keer niet betalen? Bel ons dan vooraf. Samen zoeken we een oplossing.",
    ]
    return "Uw betalingsregeling", "\n".join(lines)


def _debt_help(facts: _Facts) -> tuple[str, str]:
    body = (
        f"U heeft nog een schuld van {dutch_amount(facts.amount)} bij ons.\n"
        "U heeft ons gezegd dat u hulp wilt. Daarom brengen wij u in contact met de\n"
        "schuldhulp van uw gemeente. Die hulp is gratis.\n"
        "Zolang de schuldhulp loopt, sturen wij geen deurwaarder.\n"
        "De gemeente neemt contact met u op. Wilt u dat niet meer? Bel ons."
    )
    return "Hulp bij geldzorgen", body


#: The unequivocal reservation of the right to payment a written demand carries (BW 3:317 lid 1):
#: the 14-day letter and the aanmaning interrupt limitation (docs/rules/limitation.md).
RESERVATION_OF_RIGHTS: Final = (
    "Met deze brief maken wij duidelijk dat u dit bedrag nog steeds moet betalen.\n"
    "Wij houden ons recht op betaling."
)


def _received_line(facts: _Facts, term: str) -> str:
    """The presumed receipt and last day, with what holds when the letter comes later."""
    if facts.received_on is None or facts.last_day is None:
        return ""
    return (
        f"Wij gaan ervan uit dat u deze brief op {dutch_date(facts.received_on)} krijgt.\n"
        f"Dan is {dutch_date(facts.last_day)} de laatste dag.\n"
        f"Krijgt u de brief later? Dan heeft u ook later de tijd: {term} na de dag dat u\n"
        "de brief krijgt.\n"
    )


def _fourteen_day(facts: _Facts) -> tuple[str, str]:
    costs = _decimal(facts.payload, PAYLOAD_COLLECTION_COSTS, required=True)
    if costs is None or costs < 0:  # pragma: no cover - required=True never returns None
        raise RefusedError(f"payload field {PAYLOAD_COLLECTION_COSTS!r} must not be negative")
    if costs:
        consequence = (
            "Betaalt u niet binnen 14 dagen? Dan moet u ook incassokosten betalen.\n"
            f"Die kosten zijn {dutch_amount(costs)}.\n\n"
        )
        subject = "Betaal binnen 14 dagen, dan komen er geen kosten bij"
    else:  # BW 6:96 lid 8: earlier letters about instalments already carry the costs
        consequence = "Voor deze brief rekenen wij geen incassokosten.\n\n"
        subject = "Betaal binnen 14 dagen"
    body = (
        f"U moet nog {dutch_amount(facts.amount)} aan ons betalen.\n"
        "Betaal dit bedrag binnen 14 dagen. Die 14 dagen beginnen op de dag na de dag\n"
        "dat u deze brief krijgt.\n"
        f"{_received_line(facts, '14 dagen')}"
        f"{facts.pay_line()}\n\n"
        f"{consequence}"
        f"{RESERVATION_OF_RIGHTS}\n\n"
        "Lukt betalen niet? Bel ons zo snel mogelijk. Dan zoeken we samen een oplossing."
    )
    return subject, body


def _zvw_until(facts: _Facts) -> str:
    if facts.last_day is not None:
        return f"Dat kan tot en met {dutch_date(facts.last_day)}."
    return "Dat kan tot 4 weken na de dag dat u deze brief krijgt."


_ZVW_NO_REPORT: Final = (
    "Dat willen wij liever voorkomen. Bel ons. Met een betalingsregeling melden wij u niet\n"
    "aan, als u ook de nieuwe premies betaalt. Maakt de schuldhulp van uw gemeente met ons een\n"
    "afspraak (een stabilisatieovereenkomst)? Dan melden wij u ook niet aan."
)


def _zvw_notice(facts: _Facts) -> tuple[str, str]:
    """Zvw 18b: the intent to report to the CAK, the right to dispute and its last day; with
    ``notice = "second"`` the second notice of 18b lid 2 (SKGZ or the court)."""
    if str(facts.payload.get("notice", "")).strip() == "second":
        body = (
            "U was het niet eens met de rekening voor uw zorgpremie. Wij hebben dat bekeken.\n"
            "Wij vinden dat de rekening klopt. U moet nog "
            f"{dutch_amount(facts.amount)} betalen.\n\n"
            "Bent u het nog steeds niet eens? Dan kunt u naar de Stichting Klachten en\n"
            "Geschillen Zorgverzekeringen (SKGZ) of naar de rechter.\n"
            f"{_zvw_until(facts)}\n"
            "Zolang de SKGZ of de rechter uw zaak behandelt, melden wij u niet aan bij het CAK.\n\n"
            "Gaat u niet naar de SKGZ of de rechter en betaalt u niet? Dan melden wij u daarna\n"
            "aan bij het CAK. U betaalt dan een hogere premie aan het CAK. Die wordt vaak\n"
            "ingehouden op uw loon of uitkering.\n\n"
            f"{_ZVW_NO_REPORT}"
        )
        return "Uw zorgpremie: de rekening blijft staan", body
    body = (
        f"U heeft uw zorgpremie al 4 maanden niet betaald. Het gaat om {dutch_amount(facts.amount)}.\n"
        "Betaalt u niet? Dan melden wij u aan bij het CAK als u 6 maanden premie niet heeft\n"
        "betaald. U betaalt dan een hogere premie aan het CAK. Die wordt vaak ingehouden op uw\n"
        "loon of uitkering.\n\n"
        "Klopt deze rekening volgens u niet? Dan mag u bezwaar maken. Bel ons of schrijf ons.\n"
        f"{_zvw_until(facts)}\n"
        "Zolang wij uw bezwaar bekijken, melden wij u niet aan.\n\n"
        f"{_ZVW_NO_REPORT}"
    )
    return "Belangrijk: uw zorgpremie is niet betaald", body


def _formal_demand(facts: _Facts) -> tuple[str, str]:
    """Aanmaning (Awb 4:112): pay within 2 weeks from the day after sending; costs may follow.

    The last day is the run's (``last_day``: Awb 4:112 extended per the Algemene termijnenwet);
    without it the letter states the rule only.
    """
    fee = _decimal(facts.payload, PAYLOAD_COLLECTION_COSTS, required=False)
    fee_line = (
        f"Voor deze aanmaning betaalt u {dutch_amount(fee)} kosten (Awb 4:113).\n"
        if fee is not None and fee > 0
        else "Voor deze aanmaning rekenen wij geen kosten.\n"
    )
    last_line = (
        f"Betaal dus uiterlijk {dutch_date(facts.last_day)}.\n"
        if facts.last_day is not None
        else ""
    )
    body = (
        f"U heeft {dutch_amount(facts.amount)} nog niet betaald. Dit is een aanmaning.\n"
        "Betaal binnen 2 weken. Die 2 weken beginnen op de dag na de datum van deze brief.\n"
        f"{last_line}"
        f"{fee_line}"
        f"{facts.pay_line()}\n\n"
        f"{RESERVATION_OF_RIGHTS}\n\n"
        "Betaalt u niet op tijd? Dan kunnen wij een dwangbevel laten uitvoeren door de\n"
        "deurwaarder. De kosten daarvan betaalt u. Bel ons liever eerst. Dan zoeken we samen\n"
        "een oplossing."
    )
    return "Aanmaning", body


_TEMPLATES: Final[Mapping[str, Callable[[_Facts], tuple[str, str]]]] = {
    "courtesy-reminder": _courtesy,
    "payment-reminder": _reminder,
    "arrangement-offer": _arrangement,
    "arrangement-confirmation": _confirmation,
    "debt-help-referral": _debt_help,
    "fourteen-day-letter": _fourteen_day,
    "zvw-notice": _zvw_notice,
    "formal-demand": _formal_demand,
}

#: The action kinds this channel has a letter for.
LETTER_KINDS: Final[tuple[str, ...]] = tuple(_TEMPLATES)


def render_letter(
    action: OutboundAction, run_date: dt.date, settings: Mapping[str, str] | None = None
) -> str:
    """The letter text for *action*; raises :class:`RefusedError` when it cannot be written."""
    template = _TEMPLATES.get(action.kind)
    if template is None:
        raise RefusedError(
            f"no letter for action kind {action.kind!r}; letters exist for {', '.join(LETTER_KINDS)}"
        )
    facts = _facts(action, settings or {}, run_date)
    subject, body = template(facts)
    extras = []
    if PAYLOAD_MISSED_INSTALMENTS not in action.payload:
        extras.append(_claims_block(action.payload))
    if action.kind != "debt-help-referral":
        extras.append(facts.debt_help_line())
    body = "\n\n".join([body.strip(), *(e for e in extras if e)])
    address = action.payload.get(PAYLOAD_ADDRESS)
    address_lines = (
        [line for line in address if isinstance(line, str)] if isinstance(address, tuple) else []
    )
    parts = [
        facts.creditor,
        "",
        facts.name,
        *address_lines,
        "",
        f"Datum: {dutch_date(run_date)}",
        f"Ons kenmerk: {action.action_id}",
        f"Onderwerp: {subject}",
        "",
        f"Beste {facts.name},",
        "",
        body.strip(),
        "",
        f"Vragen? Bel ons op {facts.phone}. We helpen u graag.",
        "",
        "Met vriendelijke groet,",
        facts.creditor,
        "",
    ]
    return "\n".join(parts)


class LettersChannel:
    """Writes one B1 letter per action (see the module docstring)."""

    name: Final = "letters"

    @staticmethod
    def settings_problems(settings: Mapping[str, str]) -> list[str]:
        """The settings this channel needs that are missing (the run checks them at startup)."""
        return missing_settings(settings, ("creditor_name", "creditor_phone"))

    def deliver(
        self, actions: Sequence[OutboundAction], context: DeliveryContext
    ) -> list[DeliveryReceipt]:
        receipts: list[DeliveryReceipt] = []
        directory = context.output_dir / self.name / context.run_date.isoformat()
        for action in actions:
            if action.channel != self.name:
                receipts.append(
                    DeliveryReceipt.refused(
                        action.action_id, f"action is for channel {action.channel!r}, not letters"
                    )
                )
                continue
            target = directory / f"{safe_file_stem(action.action_id)}.txt"
            reference = f"{self.name}/{context.run_date.isoformat()}/{target.name}"
            try:
                text = render_letter(action, context.run_date, context.settings)
            except RefusedError as exc:
                receipts.append(DeliveryReceipt.refused(action.action_id, str(exc)))
                continue
            if not context.dry_run and not target.exists():
                try:
                    atomic_write(target, text)
                except OSError as exc:
                    receipts.append(
                        DeliveryReceipt.failed(action.action_id, f"cannot write letter: {exc}")
                    )
                    continue
            receipts.append(DeliveryReceipt.delivered(action.action_id, reference))
        return receipts
