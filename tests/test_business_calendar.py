"""The business calendar: weekdays 12:00-17:00 Asia/Tokyo, minus weekends, holidays and year-end."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import jpholiday
import pytest

from madoguchi.business_calendar import BusinessCalendar, calendar_from_config

TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
calendar = BusinessCalendar()


def jst(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


def test_opening_hours_are_half_open_12_00_open_17_00_closed():
    friday = (2026, 11, 27)
    assert not calendar.is_open(jst(*friday, 11, 59, 59))
    assert calendar.is_open(jst(*friday, 12, 0))
    assert calendar.is_open(jst(*friday, 16, 59))
    assert calendar.is_open(jst(*friday, 16, 59, 59))
    assert not calendar.is_open(jst(*friday, 17, 0))


def test_friday_17_00_waits_for_monday_noon():
    assert calendar.next_business_opening(jst(2026, 11, 27, 17, 0)) == jst(2026, 11, 30, 12, 0)
    assert calendar.reply_expected_at(jst(2026, 11, 27, 17, 0)) == jst(2026, 11, 30, 12, 0)


def test_friday_16_59_is_answered_at_once():
    moment = jst(2026, 11, 27, 16, 59)
    assert calendar.reply_expected_at(moment) == moment
    status = calendar.status(moment)
    assert status.open and status.closes_at == jst(2026, 11, 27, 17, 0)
    assert status.next_opening == jst(2026, 11, 30, 12, 0)


def test_before_noon_on_a_business_day_the_opening_is_the_same_day():
    assert calendar.next_business_opening(jst(2026, 11, 24, 9, 30)) == jst(2026, 11, 24, 12, 0)
    assert calendar.next_business_opening(jst(2026, 11, 24, 12, 0)) == jst(2026, 11, 24, 12, 0)
    assert calendar.next_business_opening(jst(2026, 11, 24, 12, 0, 1)) == jst(2026, 11, 25, 12, 0)


@pytest.mark.parametrize("holiday", ["2026-04-29", "2026-05-04", "2026-05-05", "2026-05-06"])
def test_golden_week_weekdays_are_closed(holiday):
    day = date.fromisoformat(holiday)
    assert day.weekday() < 5 and not calendar.is_business_day(day)
    assert not calendar.is_open(datetime.combine(day, time(13, 0), TOKYO))


def test_golden_week_2026_reopens_on_thursday_7_may():
    # Sun 3 May 憲法記念日 falls on a Sunday, so Wed 6 May is its substitute holiday (振替休日).
    assert jpholiday.is_holiday_name(date(2026, 5, 6)) == "憲法記念日 振替休日"
    assert calendar.next_business_opening(jst(2026, 5, 1, 17, 0)) == jst(2026, 5, 7, 12, 0)
    assert calendar.is_business_day(date(2026, 4, 30))


def test_substitute_holiday_monday_24_november_2025():
    assert date(2025, 11, 24).weekday() == 0
    assert not calendar.is_business_day(date(2025, 11, 24))
    assert calendar.next_business_opening(jst(2025, 11, 21, 18, 0)) == jst(2025, 11, 25, 12, 0)


def test_tuesday_24_november_2026_is_an_ordinary_business_day():
    assert not calendar.is_business_day(date(2026, 11, 23))   # 勤労感謝の日, a Monday
    assert calendar.is_business_day(date(2026, 11, 24))
    assert calendar.is_open(jst(2026, 11, 24, 13, 0))


def test_year_end_break_spans_the_new_year():
    assert not jpholiday.is_holiday(date(2027, 1, 4))         # a plain Monday that year
    assert calendar.next_business_opening(jst(2026, 12, 28, 18, 0)) == jst(2027, 1, 4, 12, 0)
    for day in ("2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"):
        assert not calendar.is_business_day(date.fromisoformat(day))
    assert calendar.is_business_day(date(2026, 12, 28))


def test_year_end_break_is_configurable():
    short_break = calendar_from_config({"YEAR_END_BREAK": "12-31/01-02"})
    assert short_break.is_business_day(date(2026, 12, 30))
    assert short_break.next_business_opening(jst(2026, 12, 30, 18, 0)) == jst(2027, 1, 4, 12, 0)
    default = calendar_from_config({})
    assert not default.is_business_day(date(2026, 12, 30))
    summer = BusinessCalendar("08-13/08-16")                   # a break within one year works too
    assert not summer.is_business_day(date(2027, 8, 13)) and summer.is_business_day(date(2027, 8, 12))


@pytest.mark.parametrize("bad", ["12-29", "12/29-01/03", "13-01/01-03", "04-31/05-01", ""])
def test_malformed_year_end_break_is_refused_clearly(bad):
    with pytest.raises(ValueError, match="YEAR_END_BREAK"):
        BusinessCalendar(bad)


def test_moments_in_any_zone_name_the_same_instant():
    # Tuesday 24 Nov 2026 13:00 JST is 04:00 UTC and Monday 23 Nov 20:00 in Los Angeles.
    in_utc = datetime(2026, 11, 24, 4, 0, tzinfo=timezone.utc)
    in_la = datetime(2026, 11, 23, 20, 0, tzinfo=LOS_ANGELES)
    naive_utc = datetime(2026, 11, 24, 4, 0)
    for moment in (in_utc, in_la, naive_utc):
        assert calendar.is_open(moment)
        assert calendar.reply_expected_at(moment) == jst(2026, 11, 24, 13, 0)
        assert calendar.reply_expected_at(moment).tzinfo == TOKYO
    # Friday 27 Nov 09:00 UTC is 18:00 JST: closed until Monday, whatever zone it came in.
    late_friday = datetime(2026, 11, 27, 9, 0)
    assert not calendar.is_open(late_friday)
    assert calendar.status(late_friday).closes_at is None
    assert calendar.next_business_opening(late_friday) == jst(2026, 11, 30, 12, 0)


def test_server_clock_zone_does_not_change_the_answers(server_in_los_angeles):
    naive_utc_friday_evening = datetime(2026, 11, 27, 9, 0)    # 18:00 JST, 01:00 in Los Angeles
    assert not calendar.is_open(naive_utc_friday_evening)
    assert calendar.next_business_opening(naive_utc_friday_evening) == jst(2026, 11, 30, 12, 0)
    naive_utc_tuesday_afternoon = datetime(2026, 11, 24, 4, 0)  # 13:00 JST, Monday 20:00 in LA
    assert calendar.is_open(naive_utc_tuesday_afternoon)
    assert calendar.status(naive_utc_tuesday_afternoon).closes_at == jst(2026, 11, 24, 17, 0)
    assert calendar.next_business_opening(jst(2026, 12, 28, 18, 0)) == jst(2027, 1, 4, 12, 0)
