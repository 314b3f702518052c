"""Numbers and days read from a request: the one way to read them, bounded.

A query string or a form can hold anything: 40 digits (which Python reads happily and the database
then refuses with an OverflowError), negative numbers, full-width digits, NUL bytes, a day like
9999-12-31 (whose next day does not exist). Every number and day a view or a form reads goes
through `bounded_int` or `bounded_day`: absent or empty is None; a value that is not a number or
day at all raises `OddParameter` (a ValueError), one out of bounds its kind `OutOfBounds`; the web
layer answers either with a 4xx.
"""
import re
from datetime import date

from madoguchi.text_input import ascii_fold

# The largest id or seq a database stores (a signed 64-bit integer, SQLite's and PostgreSQL's).
LARGEST_ID = 2**63 - 1
# Days anyone filters or records by: the service started in this century; beyond it is a typo.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)

_LONGEST_NUMBER = len(str(LARGEST_ID))     # longer text is refused before Python reads it at all
_NUMBER = re.compile(r"-?[0-9]+")
_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


class OddParameter(ValueError):
    """A number or day that cannot be used; `str()` says why (in English, for logs and tests)."""


class OutOfBounds(OddParameter):
    """A well-formed number or day outside the bounds asked for."""


def bounded_int(text, lowest=1, highest=LARGEST_ID):
    """`text` as an int in [lowest, highest], None when absent or empty. Full-width digits are
    read as digits; anything else (signs other than a leading minus, spaces inside, 1e9, 0x10,
    1_000) is refused."""
    if text is None:
        return None
    folded = ascii_fold(str(text)).strip()
    if not folded:
        return None
    if len(folded) > _LONGEST_NUMBER + 1 or not _NUMBER.fullmatch(folded):
        raise OddParameter(f"not a whole number: {folded[:40]!r}")
    number = int(folded)
    if not lowest <= number <= highest:
        raise OutOfBounds(f"{number} is outside {lowest}..{highest}")
    return number


def within(number, lowest=0, highest=LARGEST_ID):
    """`number` moved into [lowest, highest]: for stores, whose callers may pass any int, to keep a
    cursor to what the database can compare against (past the last id means past every row)."""
    return min(max(number, lowest), highest)


def bounded_day(text, earliest=EARLIEST_DAY, latest=LATEST_DAY):
    """`text` (YYYY-MM-DD, full-width too) as a date in [earliest, latest], None when absent or
    empty; an impossible day (2024-02-30, 9999-99-99) or one out of bounds raises OddParameter."""
    if text is None:
        return None
    folded = ascii_fold(str(text)).strip()
    if not folded:
        return None
    found = _DAY.fullmatch(folded)
    try:
        day = date(*(int(part) for part in found.groups())) if found else None
    except ValueError:
        day = None
    if day is None:
        raise OddParameter(f"not a day: {folded[:40]!r}")
    if not day_in_bounds(day, earliest, latest):
        raise OutOfBounds(f"{day} is outside {earliest}..{latest}")
    return day


def day_in_bounds(day, earliest=EARLIEST_DAY, latest=LATEST_DAY):
    """For a day parsed elsewhere (a date and time field): whether it lies within the bounds."""
    return earliest <= day <= latest
