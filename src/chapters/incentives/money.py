"""Amounts, currencies and quarters as the incentives ledger takes them: checked input in,
whole hundredths (cents) stored, decimals with two places out."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from chapters.errors import ErrorCode, FieldError

# A reward or budget above this is a typing mistake (and would not fit a BIGINT of cents).
MAX_AMOUNT = Decimal("1000000000.00")
CENT = Decimal("0.01")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")

# ISO 4217 codes of the currencies in use (funds and precious metals left out).
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)


def check_currency(value: str, field: str) -> tuple[str | None, list[FieldError]]:
    """The code, upper-cased, or why it is not one."""
    code = value.strip().upper()
    if code in CURRENCIES:
        return code, []
    message = "Use an ISO 4217 currency code such as EUR, USD or CNY"
    return None, [FieldError(field, ErrorCode.INVALID, message)]


def to_cents(
    value: Decimal, field: str, *, zero_allowed: bool = False
) -> tuple[int, list[FieldError]]:
    """A positive amount (or zero, where allowed) with at most two decimal places, in cents."""
    try:
        finite = value.is_finite()
        cents = value * 100
        whole = finite and cents == cents.to_integral_value()
    except InvalidOperation:
        finite = whole = False
    if not finite:
        return 0, [FieldError(field, ErrorCode.INVALID, "Not a number")]
    if value < 0 or (value == 0 and not zero_allowed):
        least = "zero or more" if zero_allowed else "more than zero"
        return 0, [FieldError(field, ErrorCode.INVALID, f"The amount must be {least}")]
    if value > MAX_AMOUNT:
        return 0, [FieldError(field, ErrorCode.INVALID, f"At most {MAX_AMOUNT}")]
    if not whole:
        return 0, [FieldError(field, ErrorCode.INVALID, "At most two decimal places")]
    return int(cents), []


def from_cents(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(CENT)


def check_quarter(value: str, field: str = "quarter") -> tuple[str | None, list[FieldError]]:
    """A quarter such as 2026-Q4."""
    text = value.strip().upper()
    found = QUARTER.match(text)
    if found and 2000 <= int(found.group(1)) <= 2100:
        return text, []
    return None, [FieldError(field, ErrorCode.INVALID, "A quarter such as 2026-Q4")]


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
