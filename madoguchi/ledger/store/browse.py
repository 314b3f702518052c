"""The auditor's view of the consent ledger: filtered pages of events and counts, fast at millions.

A `LedgerFilter` holds what the auditor chose: a range of Japanese calendar days, a policy version,
an event kind, one person's subject key. Pages are keyset pages, newest first, in (occurred_at, seq)
order: the cursor is the seq of the row where the last page ended, never an OFFSET, so the
20,000th page costs what the first does.

Why (occurred_at, seq) and not seq alone: then every filter combination is one range of one index
(declared on ConsentEvent in models.py) already in page order, so no query sorts or scans. The ledger
stamps each event inside its write lock, so on a real ledger the two orders are the same; where they
are not (an import with its own times), paging is still complete and stable.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from peewee import fn

from madoguchi.clock import tokyo_today
from madoguchi.ledger.canonical import KINDS
from madoguchi.ledger.store.exports import day_bounds
from madoguchi.query_params import within
from models import ConsentEvent, PolicyVersion, StaffAction

TOKYO_OFFSET_HOURS = 9
PAGE_SIZE = 50
CHART_DAYS = 30


def tokyo_day(utc_text_value):
    """The Tokyo calendar day of a stored UTC time text: UTC+9 all year (no summer time), so from
    15:00 UTC on it is already the next day. Only the date and the hour are read."""
    day = date.fromisoformat(utc_text_value[:10])
    return day + timedelta(days=1) if int(utc_text_value[11:13]) >= 24 - TOKYO_OFFSET_HOURS else day


@dataclass(frozen=True)
class LedgerFilter:
    date_from: Optional[date] = None     # first Tokyo day shown
    date_to: Optional[date] = None       # last Tokyo day shown (inclusive)
    version: str = ""
    kind: str = ""
    subject: str = ""                    # a subject key (HMAC), never an email

    def conditions(self, lower=(), upper=()):
        """Peewee expressions for the filter. `lower`/`upper`: more time bounds as
        (utc text, inclusive) pairs, e.g. the chart window or a page cursor."""
        event = ConsentEvent
        since, until = day_bounds(self.date_from, self.date_to)    # as the export counts days
        found = _time_range(event.occurred_at, [(since, True), *lower], [(until, False), *upper])
        if self.version:
            found.append(event.policy_version == self.version)
        if self.kind:
            found.append(event.kind == self.kind)
        if self.subject:
            found.append(event.subject_key == self.subject)
        return found


def _time_range(column, lower, upper):
    """At most one lower and one upper bound: the tightest. SQLite turns only the first bound it
    meets on a column into the index range, so a looser bound left in front would make it scan."""
    found = []
    lower = [bound for bound in lower if bound[0]]
    upper = [bound for bound in upper if bound[0]]
    if lower:
        value, inclusive = max(lower, key=lambda bound: (bound[0], not bound[1]))
        found.append(column >= value if inclusive else column > value)
    if upper:
        value, inclusive = min(upper, key=lambda bound: (bound[0], bound[1]))
        found.append(column <= value if inclusive else column < value)
    return found


@dataclass
class Page:
    events: list
    older: Optional[int] = None          # seq to pass as `before` for the next (older) page
    newer: Optional[int] = None          # seq to pass as `after` for the previous (newer) page


def _select(conditions, order):
    query = ConsentEvent.select()
    for condition in conditions:
        query = query.where(condition)
    return query.order_by(*order)


def _past(ledger_filter, cursor):
    """The filter, going back in time from `cursor`: the time is an index bound; the seq only
    separates events stamped in the same microsecond."""
    event = ConsentEvent
    return ledger_filter.conditions(upper=[(cursor.occurred_at, True)]) + [
        (event.occurred_at < cursor.occurred_at) | (event.seq < cursor.seq)]


def _future(ledger_filter, cursor):
    event = ConsentEvent
    return ledger_filter.conditions(lower=[(cursor.occurred_at, True)]) + [
        (event.occurred_at > cursor.occurred_at) | (event.seq > cursor.seq)]


def page(ledger_filter, before=None, after=None, size=PAGE_SIZE):
    """One page of events, newest first. `before`/`after`: a seq from a previous page's links."""
    newest_first = (ConsentEvent.occurred_at.desc(), ConsentEvent.seq.desc())
    oldest_first = (ConsentEvent.occurred_at.asc(), ConsentEvent.seq.asc())
    cursor = ConsentEvent.get_or_none(ConsentEvent.seq == within(after or before)) if (after or before) else None
    if cursor and after:
        rows = list(_select(_future(ledger_filter, cursor), oldest_first).limit(size + 1))
        more_newer, rows = len(rows) > size, rows[:size][::-1]
        return Page(rows, older=rows[-1].seq if rows else None,
                    newer=rows[0].seq if rows and more_newer else None)
    conditions = _past(ledger_filter, cursor) if cursor else ledger_filter.conditions()
    rows = list(_select(conditions, newest_first).limit(size + 1))
    more_older, rows = len(rows) > size, rows[:size]
    return Page(rows, older=rows[-1].seq if rows and more_older else None,
                newer=rows[0].seq if rows and cursor else None)


@dataclass
class VersionCount:
    label: str
    by_kind: dict

    @property
    def total(self):
        return sum(self.by_kind.values())


def version_labels(ledger_filter):
    if ledger_filter.version:
        return [ledger_filter.version]
    versions = PolicyVersion.select(PolicyVersion.label).where(PolicyVersion.published_at.is_null(False))
    return [v.label for v in versions.order_by(PolicyVersion.effective_at, PolicyVersion.id)]


def counts_by_version(ledger_filter):
    """Events per policy version and kind in the filter, oldest version first.

    Without a person, one COUNT per (version, kind): each is a range of the index
    (policy_version, kind, occurred_at), so counting a million events reads only that index.
    One person has few events: a single GROUP BY over their subject index is cheaper.
    """
    kinds = [ledger_filter.kind] if ledger_filter.kind else list(KINDS)
    counts = {label: dict.fromkeys(kinds, 0) for label in version_labels(ledger_filter)}
    if ledger_filter.subject:
        query = (_select(ledger_filter.conditions(), ())
                 .select(ConsentEvent.policy_version, ConsentEvent.kind, fn.COUNT(ConsentEvent.seq))
                 .group_by(ConsentEvent.policy_version, ConsentEvent.kind))
        for label, kind, number in query.tuples():
            counts.setdefault(label, dict.fromkeys(kinds, 0))[kind] = number
    else:
        for label, by_kind in counts.items():
            for kind in kinds:
                narrowed = LedgerFilter(ledger_filter.date_from, ledger_filter.date_to, label, kind)
                by_kind[kind] = _select(narrowed.conditions(), ()).count()
    return [VersionCount(label, by_kind) for label, by_kind in counts.items()]


def chart_window(ledger_filter, today=None, days=CHART_DAYS):
    """The last `days` Tokyo days of the filtered range (ending today when no end is chosen)."""
    last = ledger_filter.date_to or tokyo_today(today)
    first = last - timedelta(days=days - 1)
    if ledger_filter.date_from and ledger_filter.date_from > first:
        first = ledger_filter.date_from
    return first, last


def counts_by_day(ledger_filter, today=None, days=CHART_DAYS):
    """[(Tokyo day, events)] for every day of the chart window, zeros included.

    Grouped by the UTC hour in SQL (a plain substring, the same in SQLite and PostgreSQL), then
    the hours are folded into Tokyo days here: Tokyo is UTC+9 all year, but no SQL date function
    is needed for it.
    """
    first, last = chart_window(ledger_filter, today, days)
    per_day = {first + timedelta(days=n): 0 for n in range((last - first).days + 1)}
    if not per_day:
        return []
    hour = fn.SUBSTR(ConsentEvent.occurred_at, 1, 13)
    since, until = day_bounds(first, last)
    conditions = ledger_filter.conditions(lower=[(since, True)], upper=[(until, False)])
    query = _select(conditions, ()).select(hour, fn.COUNT(ConsentEvent.seq)).group_by(hour)
    for utc_hour, number in query.tuples():
        day = tokyo_day(utc_hour)
        if day in per_day:
            per_day[day] += number
    return list(per_day.items())


@dataclass
class Overview:
    """Everything the ledger page shows for one filter: a page of events and the counts."""
    page: Page
    versions: list
    days: list

    @property
    def total(self):
        return sum(count.total for count in self.versions)


def overview(ledger_filter, before=None, after=None, today=None):
    return Overview(page(ledger_filter, before, after), counts_by_version(ledger_filter),
                    counts_by_day(ledger_filter, today))


def staff_actions(action="", before=None, size=PAGE_SIZE):
    """A keyset page of the staff actions log, newest first (shown to auditors beside the ledger):
    (entries, id to pass as `before` for the next page or None)."""
    query = StaffAction.select().order_by(StaffAction.id.desc())
    if action:
        query = query.where(StaffAction.action == action)
    if before:
        query = query.where(StaffAction.id < within(before))
    rows = list(query.limit(size + 1))
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)


def staff_action_names():
    query = StaffAction.select(StaffAction.action).distinct().order_by(StaffAction.action)
    return [action for (action,) in query.tuples()]
