"""Boundary values for the fuzz suites, and how many examples the suites run.

``FAKE_DATAVERSE_FUZZ_EXAMPLES`` sets the number of generated requests per suite; CI runs a
modest default, a local run sets it to 10,000 or more:

    FAKE_DATAVERSE_FUZZ_EXAMPLES=10000 python -m pytest tests -k "fuzz or boundar"
"""

from __future__ import annotations

import os

__all__ = [
    "DATES",
    "DIGIT_LOOKALIKES",
    "HUGE_TEXT",
    "INTEGERS",
    "NUMBER_TEXTS",
    "examples",
]


def examples(default: int) -> int:
    """Return the number of examples a fuzz suite runs: the environment's, else ``default``."""
    text = os.environ.get("FAKE_DATAVERSE_FUZZ_EXAMPLES", "").strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else default


def _around(value: int) -> list[int]:
    return [value - 1, value, value + 1]


#: Integers at every width Dataverse or Python has a limit at, and their neighbours.
INTEGERS: list[int] = sorted(
    {
        0,
        *_around(1),
        *(sign * v for sign in (1, -1) for bits in (7, 8, 15, 16, 31, 32, 53, 63, 64, 96, 128)
          for v in _around(2**bits)),
        10**28,
        -(10**28),
        10**29,
        99_999_999,
        999_999_999,
        7_776_000,
        1_048_576,
    }
)

#: The same as text, plus lengths Python refuses to convert (4,300 digits is its limit).
NUMBER_TEXTS: list[str] = [
    *(str(v) for v in INTEGERS),
    "9" * 4300,
    "9" * 4301,
    "1" + "0" * 10_000,
    "-" + "9" * 5000,
    "0" * 5000 + "1",
    "+1",
    "-0",
    "1_000",
    "0x10",
    "1e3",
    "1.0",
    " 1",
    "",
]

#: Characters Python calls digits that Dataverse does not: superscripts, other scripts'
#: digits, full-width, circled.
DIGIT_LOOKALIKES: list[str] = ["²", "³", "¹", "٣", "۳", "३", "３", "①", "߁", "𝟙", "½", "Ⅻ"]

_OFFSETS = ["Z", "+00:00", "-00:00", "+14:00", "-14:00", "+23:59", "-23:59", "+01:30", "+24:00"]
_MOMENTS = [
    "0001-01-01T00:00:00",
    "0001-01-01T13:59:59",
    "1752-12-31T23:59:59",
    "1753-01-01T00:00:00",
    "1999-12-31T23:59:59.9999999",
    "2026-02-29T00:00:00",
    "2024-02-29T12:00:00",
    "9999-12-30T23:59:59",
    "9999-12-31T00:00:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59.9999999",
]

#: Dates at 0001 and 9999 (and Dataverse's own 1753 / 9999-12-30 limits) with every offset,
#: plain dates, and malformed ones.
DATES: list[str] = [
    *(moment + offset for moment in _MOMENTS for offset in _OFFSETS),
    "0001-01-01",
    "9999-12-31",
    "0000-12-31T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-01-32T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "２０２６-01-01T00:00:00Z",
    "2026-01-01T00:00:00+1400",
]

#: Text far longer than any column or option.
HUGE_TEXT = "x" * 1_100_000
