"""When the customer centre is open, and when a question sent at a given moment will be looked at.

The contact page promises 受付時間:平日12:00~17:00 (土日祝、年末年始を除く): open on weekdays from
12:00 to 17:00 Asia/Tokyo, closed on Saturdays, Sundays, Japanese national holidays (substitute
holidays 振替休日 and 国民の休日 included, from `jpholiday`) and during a configurable year-end break.

Opening hours are half-open: at 12:00:00 exactly the centre is open, at 17:00:00 exactly it is
closed (a question sent at 17:00 waits for the next opening).

Moments may be given in any zone; a naive datetime is UTC, as every time stored by the site is.
Results are aware datetimes in Asia/Tokyo. The server's own clock zone (TZ) never matters, because
nothing here converts through local time.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import jpholiday

from madoguchi.clock import TOKYO, in_tokyo

OPENS_AT = time(12, 0)
CLOSES_AT = time(17, 0)
DEFAULT_YEAR_END_BREAK = "12-29/01-03"
# Weekends, Golden Week and the year-end break together close the centre for at most a few
# weeks; a search that finds no business day within a year means the break is misconfigured.
_SEARCH_LIMIT_DAYS = 366


@dataclass(frozen=True)
class OpenStatus:
    open: bool
    closes_at: datetime | None      # today's 17:00 (Asia/Tokyo) while open, else None
    next_opening: datetime          # the next 12:00 opening at or after the moment


def parse_break(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """"MM-DD/MM-DD" -> ((month, day), (month, day)); both days belong to the break."""
    try:
        first, last = (_month_day(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"YEAR_END_BREAK must look like 12-29/01-03, not {text!r}") from None
    return first, last


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(number) for number in text.strip().split("-"))
    date(2000, month, day)  # a leap year, so 02-29 is allowed; raises ValueError for 13-01 or 04-31
    return month, day


class BusinessCalendar:
    def __init__(self, year_end_break: str = DEFAULT_YEAR_END_BREAK):
        self.break_first, self.break_last = parse_break(year_end_break)

    def in_year_end_break(self, day: date) -> bool:
        month_day = (day.month, day.day)
        if self.break_first <= self.break_last:
            return self.break_first <= month_day <= self.break_last
        # The usual case: the break spans the new year (29 Dec - 3 Jan).
        return month_day >= self.break_first or month_day <= self.break_last

    def is_business_day(self, day: date) -> bool:
        return (day.weekday() < 5 and not jpholiday.is_holiday(day)
                and not self.in_year_end_break(day))

    def is_open(self, moment: datetime) -> bool:
        local = in_tokyo(moment)
        return self.is_business_day(local.date()) and OPENS_AT <= local.time() < CLOSES_AT

    def next_business_opening(self, moment: datetime) -> datetime:
        """The first 12:00 of a business day at or after `moment` (the moment itself at 12:00:00)."""
        local = in_tokyo(moment)
        day = local.date() if local.time() <= OPENS_AT else local.date() + timedelta(days=1)
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_business_day(day):
                return datetime.combine(day, OPENS_AT, tzinfo=TOKYO)
            day += timedelta(days=1)
        raise ValueError("no business day within a year: check YEAR_END_BREAK")

    def reply_expected_at(self, moment: datetime) -> datetime:
        """When a question sent at `moment` will be looked at: now if open, else the next opening."""
        if self.is_open(moment):
            return in_tokyo(moment)
        return self.next_business_opening(moment)

    def status(self, moment: datetime) -> OpenStatus:
        local = in_tokyo(moment)
        is_open = self.is_open(local)
        closes_at = datetime.combine(local.date(), CLOSES_AT, tzinfo=TOKYO) if is_open else None
        return OpenStatus(open=is_open, closes_at=closes_at,
                          next_opening=self.next_business_opening(local))


def calendar_from_config(config) -> BusinessCalendar:
    """The calendar an app's settings describe (YEAR_END_BREAK, "MM-DD/MM-DD")."""
    return BusinessCalendar(config.get("YEAR_END_BREAK") or DEFAULT_YEAR_END_BREAK)
