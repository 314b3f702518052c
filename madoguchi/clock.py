"""The site's one clock: what time it is, and in which zone people read it.

Times are stored as naive UTC (what SQLite and PostgreSQL `timestamp` columns hold unambiguously)
and shown in Asia/Tokyo (UTC+9 all year), whatever the server's own clock zone is. Tests and demos
can fix the time the site shows with an ISO 8601 moment (the setting CLOCK_NOW); `now(fixed)`
reads it, so opening hours and promised replies come from one clock.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def utcnow():
    """Now as naive UTC: what both SQLite and PostgreSQL `timestamp` columns hold unambiguously."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def naive_utc(moment):
    """Any datetime as naive UTC; a naive one is taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def in_tokyo(moment):
    """A datetime in Asia/Tokyo; a naive one is taken as UTC (as every stored time is)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(TOKYO)


def tokyo_today(moment=None):
    """The calendar day in Tokyo at `moment` (default: now)."""
    return in_tokyo(moment or utcnow()).date()


def now(fixed=None):
    """Naive UTC now, or the fixed moment `fixed` (ISO 8601 text; without an offset it is UTC)."""
    return naive_utc(datetime.fromisoformat(fixed)) if fixed else utcnow()
