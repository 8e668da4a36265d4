"""Money: an exact amount in one currency (geldbedrag).

A :class:`Money` is a frozen value of a :class:`~decimal.Decimal` amount and an ISO 4217 currency
code. It is built from ``str``, ``int`` or ``Decimal``, never from ``float``. Arithmetic between
different currencies raises :class:`CurrencyMismatchError`. Rounding is an explicit, named step
(:meth:`Money.rounded`), done in a local decimal context at documented points; results of legal
calculations are rounded once, at the end. :func:`allocate` splits an amount so that the parts
always add up to the whole (Fowler's allocation rule).
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from maatwerk.core.errors import CurrencyMismatchError, MoneyError


__all__ = [
    "EUR",
    "ZERO",
    "Money",
    "Rounding",
    "allocate",
    "eur",
    "input_amount",
    "to_decimal",
]

EUR: Final = "EUR"

#: Minor-unit exponents of the currencies we know. The adapter that stores integer minor units
#: uses this too.
MINOR_UNITS: Final[dict[str, int]] = {"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "JPY": 0, "KWD": 3}

#: Working precision for intermediate results: far beyond any amount the law deals with.
_PRECISION: Final = 34


class Rounding(enum.Enum):
    """A named rounding mode; the rule that rounds says which one it uses."""

    HALF_UP = decimal.ROUND_HALF_UP
    """Commercial rounding (0.005 -> 0.01). The default for legal amounts."""
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    """Banker's rounding."""
    DOWN = decimal.ROUND_DOWN
    """Toward zero: never more than the exact value (e.g. an instalment that may not exceed capacity)."""
    UP = decimal.ROUND_UP
    """Away from zero."""
    FLOOR = decimal.ROUND_FLOOR
    """Toward minus infinity."""
    CEILING = decimal.ROUND_CEILING
    """Toward plus infinity."""


def to_decimal(value: object, *, what: str = "amount") -> Decimal:
    """Convert ``str``/``int``/``Decimal`` to a finite ``Decimal``; refuse floats and junk.

    ``what`` names the value in the error message ("amount", "--net-income", ...).
    """
    if type(value) is Decimal and value.is_finite():
        return value  # the common case, checked first (the run converts millions of amounts)
    if isinstance(value, bool):
        raise MoneyError(f"{what}: a boolean is not an amount")
    if isinstance(value, float):
        raise MoneyError(
            f"{what}: floats are not accepted for money; pass a string such as '12.34'"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            result = Decimal(text)
        except decimal.InvalidOperation:
            raise MoneyError(f"{what}: {value!r} is not a number") from None
    else:
        raise MoneyError(f"{what}: {type(value).__name__} is not an amount")
    if not result.is_finite():
        raise MoneyError(f"{what}: {value!r} is not a finite number")
    return result


#: The largest amount an input may carry (a debt, an income, a payment, a setting): just under a
#: trillion. Far above anything this engine meets, and small enough that a case's sums in cents
#: fit the 64-bit integer columns and that dates computed from amounts stay before 9999-12-31.
#: Not a legal amount: a bound on input, like the length of a text field.
LARGEST_INPUT_AMOUNT: Final = Decimal("999999999999.99")


def input_amount(value: object, *, what: str = "amount") -> Decimal:
    """:func:`to_decimal` for an amount read from input: also refuses one whose size is above
    :data:`LARGEST_INPUT_AMOUNT` (the message does not repeat a value that long)."""
    amount = to_decimal(value, what=what)
    if abs(amount) > LARGEST_INPUT_AMOUNT:
        raise MoneyError(f"{what}: too large; at most {LARGEST_INPUT_AMOUNT}")
    return amount


def _check_currency(_instance: object, _attribute: object, value: str) -> None:
    if value == EUR:
        return
    if not (len(value) == 3 and value.isalpha() and value.isupper()):
        raise MoneyError(f"currency must be an ISO 4217 code such as 'EUR', not {value!r}")


@attrs.frozen(order=False)
class Money:
    """An exact amount of money in one currency.

    >>> Money("10.10") + Money("0.05")
    Money(amount=Decimal('10.15'), currency='EUR')
    """

    amount: Decimal = attrs.field(converter=to_decimal)
    currency: str = attrs.field(default=EUR, validator=_check_currency)

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = EUR) -> Money:
        # one shared value per currency (Money is immutable): the run asks for zeros millions
        # of times, mostly to start a sum
        found = _ZEROS.get(currency)
        if found is None:
            found = _ZEROS[currency] = cls(Decimal(0), currency)
        return found

    @classmethod
    def from_minor_units(cls, units: int, currency: str = EUR) -> Money:
        """Build from integer minor units (cents): ``Money.from_minor_units(1234) == eur('12.34')``."""
        if isinstance(units, bool):
            raise MoneyError("minor units must be an int, not a boolean")
        _check_currency(None, None, currency)
        return _of(Decimal(units).scaleb(-MINOR_UNITS.get(currency, 2)), currency)

    # -- conversion ---------------------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return MINOR_UNITS.get(self.currency, 2)

    def to_minor_units(self) -> int:
        """Integer minor units; the amount must already be a whole number of them."""
        scaled = self.amount.scaleb(self.exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{self} has more precision than minor units; round it first")
        return int(scaled)

    def rounded(self, mode: Rounding = Rounding.HALF_UP) -> Money:
        """Round to the currency's minor unit with the named mode."""
        with decimal.localcontext() as ctx:
            ctx.prec = _PRECISION
            quantum = Decimal(1).scaleb(-self.exponent)
            try:
                return _of(self.amount.quantize(quantum, rounding=mode.value), self.currency)
            except decimal.InvalidOperation:  # more digits than the precision, e.g. 1e309
                raise MoneyError(f"{self.currency} amount too large to round") from None

    def is_rounded(self) -> bool:
        exponent = self.amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -self.exponent:
            return True  # no more decimal places than the currency's: no need to round to know
        return self.rounded(Rounding.HALF_UP).amount == self.amount

    def format(self) -> str:
        """Plain string with exactly the minor-unit digits, e.g. ``'1208.58'`` (for JSON and CSV)."""
        return f"{self.rounded().amount:.{self.exponent}f}"

    def __str__(self) -> str:
        return f"{self.currency} {self.format()}"

    # -- arithmetic ---------------------------------------------------------------------------
    # The operators test ``type(other) is Money`` and the currency inline and call :meth:`_same`
    # (which raises the right error) only when that fails: they run millions of times a day.
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        if type(other) is not Money or other.currency != self.currency:
            self._same(other)
        return _of(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # Lets sum() start from 0.
        if other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if type(other) is not Money or other.currency != self.currency:
            self._same(other)
        return _of(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return _of(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return _of(abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if not isinstance(factor, (Decimal, int)):
            raise TypeError(
                f"Money can only be multiplied by a Decimal or int, not {type(factor).__name__}"
            )
        return Money(self.amount * to_decimal(factor, what="factor"), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, other: Money | Decimal | int) -> Decimal | Money:
        if isinstance(other, Money):
            self._same(other)
            return self.amount / other.amount
        return Money(self.amount / to_decimal(other, what="divisor"), self.currency)

    def ratio(self, other: Money) -> Decimal:
        """``self / other`` as a plain ``Decimal`` (typed, unlike ``/``)."""
        self._same(other)
        return self.amount / other.amount

    def divided(self, divisor: Decimal | int) -> Money:
        """``self / divisor`` as Money (typed, unlike ``/``); not rounded."""
        return Money(self.amount / to_decimal(divisor, what="divisor"), self.currency)

    # -- comparison (same currency only) ------------------------------------------------------
    def __lt__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency != self.currency:
            self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency != self.currency:
            self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency != self.currency:
            self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if type(other) is not Money or other.currency != self.currency:
            self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def min(self, other: Money) -> Money:
        return min(self, other)

    def max(self, other: Money) -> Money:
        return max(self, other)

    def clamp_zero(self) -> Money:
        """``max(self, 0)``."""
        return self if self.amount >= 0 else Money.zero(self.currency)


def _of(amount: Decimal, currency: str) -> Money:
    """Money from a finite ``Decimal`` and a checked currency, without converting them again.

    For results of arithmetic on ``Money`` values (already checked): the daily run adds and
    builds amounts millions of times, and the converter was a large share of its time.
    """
    money = _new(Money)
    _set_amount(money, amount)
    _set_currency(money, currency)
    return money


# The slots' own setters (Money is a slotted attrs class): they fill a new value without the
# frozen class's ``__setattr__`` and cost less than ``object.__setattr__`` by name.
_new = object.__new__
_set_amount = Money.__dict__["amount"].__set__
_set_currency = Money.__dict__["currency"].__set__


_ZEROS: dict[str, Money] = {}
"""the value :meth:`Money.zero` returns, per currency"""

ZERO: Final = Money.zero()


def eur(value: str | int | Decimal) -> Money:
    """Shorthand for ``Money(value, "EUR")``."""
    return Money(value, EUR)


def total(amounts: Iterable[Money], currency: str = EUR) -> Money:
    """Sum of amounts; ``Money.zero(currency)`` for none."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def allocate(amount: Money, ratios: Sequence[Decimal | int]) -> list[Money]:
    """Split ``amount`` in proportion to ``ratios``; the parts always sum to ``amount`` exactly.

    ``amount`` must be a whole number of minor units. Each part gets its share rounded down to the
    minor unit; the cents left over go one by one to the parts with the largest remainders (ties:
    the earliest part), so no cent is created or lost. Ratios must be non-negative and not all zero.
    A negative amount is split like its absolute value and negated.
    """
    if not ratios:
        raise MoneyError("allocate needs at least one ratio")
    weights = [to_decimal(r, what="ratio") for r in ratios]
    if any(w < 0 for w in weights):
        raise MoneyError("allocation ratios must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise MoneyError("allocation ratios must not all be zero")
    if amount.is_negative:
        return [-part for part in allocate(-amount, weights)]
    units = amount.to_minor_units()
    with decimal.localcontext() as ctx:
        ctx.prec = _PRECISION
        exact = [Decimal(units) * w / weight_sum for w in weights]
        floors = [int(e.to_integral_value(rounding=decimal.ROUND_FLOOR)) for e in exact]
        remainders = [e - f for e, f in zip(exact, floors, strict=True)]
    leftover = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Money.from_minor_units(f, amount.currency) for f in floors]
