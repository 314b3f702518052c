"""Support's inbox: finding inquiries, moving them through their statuses, and the checklist of a
開示等請求 (a request about one's personal information, privacy policy section 3).

Every change is written to the staff actions log with the inquiry's reference as its target and
never with the customer's personal data.
"""
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from peewee import fn

from madoguchi.clock import utcnow
from madoguchi.inquiries import statuses
from madoguchi.inquiries.statuses import STATUSES
from madoguchi.inquiries.store.submit import ACKNOWLEDGEMENT
from madoguchi.outbox import store as outbox
from madoguchi.query_params import bounded_day, within
from madoguchi.staff.store import log as staff_log
from madoguchi.text_input import ascii_fold
from models import ConsentEvent, Inquiry, InquiryNote, database

CATEGORIES = ("general", "lottery", "prizes", "payment", "account", "disclosure", "other")
OPEN_STATUSES = ("new", "in_progress")
PAGE_SIZE = 50

STATUS_CHANGED = "inquiry_status_changed"
CHECKLIST_UPDATED = "disclosure_checklist_updated"

# 開示等請求: the kinds of request the policy names. Only purpose notification and disclosure
# carry the fee (手数料1,000円(+消費税)).
REQUEST_TYPES = ("purpose_notification", "disclosure", "correction", "suspension",
                 "third_party_stop", "third_party_records")
FEE_REQUEST_TYPES = ("purpose_notification", "disclosure")
# "回答に最長で10日間かかることがあります": counted in calendar days from the request form's arrival.
ANSWER_DAYS = 10
CHECKLIST_KEYS = ("request_type", "form_received_on", "by_agent", "identity_confirmed",
                  "agent_documents", "fee_received", "documents_sent")
YES = "yes"


class InboxError(ValueError):
    """A change support asked for that cannot be made (e.g. a status that does not follow)."""


class StatusRefused(InboxError):
    """A status change refused: `reason` is one of madoguchi.inquiries.statuses' reasons and
    `current` the status the inquiry has now (what the page should show instead)."""

    def __init__(self, reason, current):
        super().__init__(f"{reason} (now {current})")
        self.reason, self.current = reason, current


def normalise_reference(text):
    """AMK-20261124-7KQ3 as typed or pasted: full-width, long dashes, spaces and lower case too."""
    return re.sub(r"\s+", "", ascii_fold(text or "")).upper()


def find(reference):
    return Inquiry.get_or_none(Inquiry.reference == normalise_reference(reference))


@dataclass
class InboxPage:
    inquiries: list
    next_cursor: Optional[int] = None   # id to pass as `cursor` for the following page
    searched: str = ""                  # the reference looked for, normalised


def newest_first(status):
    """Open inquiries oldest first (the next reply due on top); finished ones newest first."""
    return status not in OPEN_STATUSES


def inbox(status="new", category="", cursor=None, size=PAGE_SIZE):
    """One keyset page of the inquiries with `status` (and `category`, if given)."""
    query = Inquiry.select().where(Inquiry.status == status)
    if category:
        query = query.where(Inquiry.category == category)
    descending = newest_first(status)
    if cursor:
        cursor = within(cursor)
        query = query.where(Inquiry.id < cursor if descending else Inquiry.id > cursor)
    rows = list(query.order_by(Inquiry.id.desc() if descending else Inquiry.id).limit(size + 1))
    return InboxPage(rows[:size], rows[size - 1].id if len(rows) > size else None)


def listing(status="new", category="", reference="", cursor=None):
    """The inbox tab, or, when a reference is searched for, that one inquiry whatever its status."""
    if reference:
        found = find(reference)
        return InboxPage([found] if found else [], searched=normalise_reference(reference))
    return inbox(status, category, cursor)


def counts_by_status(category=""):
    """{status: number} for the tabs, zeros included."""
    counts = dict.fromkeys(STATUSES, 0)
    query = Inquiry.select(Inquiry.status, fn.COUNT(Inquiry.id)).group_by(Inquiry.status)
    if category:
        query = query.where(Inquiry.category == category)
    counts.update(query.tuples())
    return counts


def consent_event_of(inquiry):
    return ConsentEvent.get_or_none(ConsentEvent.seq == inquiry.consent_seq)


def undelivered_acknowledgement(inquiry):
    """The inquiry's acknowledgement mail if it will not reach the customer (their mail server
    refused it, or every retry failed), else None: support then has to reach them another way."""
    return outbox.not_delivered_of(inquiry.reference, ACKNOWLEDGEMENT)


def change_status(inquiry, status, actor, seen=None):
    """Move the inquiry to `status` and log who, when, from and to. `seen` is the status the staff
    member's form showed (default: the inquiry's): if another change came in between, nothing is
    changed. Raises StatusRefused for a move madoguchi.inquiries.statuses does not allow."""
    seen = inquiry.status if seen is None else seen
    reason = statuses.refusal(seen, inquiry.status, status)
    if reason:
        raise StatusRefused(reason, inquiry.status)
    with database.atomic():
        # Conditional on the status read: of two changes sent at once from the same status, one wins.
        moved = Inquiry.update(status=status).where(Inquiry.id == inquiry.id, Inquiry.status == seen).execute()
        if not moved:
            inquiry.status = Inquiry.get_by_id(inquiry.id).status
            raise StatusRefused(statuses.CHANGED_MEANWHILE, inquiry.status)
        staff_log.record(actor, STATUS_CHANGED, target=inquiry.reference, detail=f"{seen} -> {status}")
    inquiry.status = status
    return inquiry


@dataclass
class Checklist:
    """The state of a 開示等請求, read from the inquiry's notes."""
    values: dict

    def done(self, key):
        return self.values.get(key) == YES

    @property
    def request_type(self):
        return self.values.get("request_type", "")

    @property
    def fee_due(self):
        return self.request_type in FEE_REQUEST_TYPES

    @property
    def by_agent(self):
        return self.done("by_agent")

    @property
    def received_on(self):
        try:    # bounded: a day whose deadline lies past year 9999 would fail to add up
            return bounded_day(self.values.get("form_received_on", ""))
        except ValueError:
            return None

    @property
    def deadline(self):
        return self.received_on + timedelta(days=ANSWER_DAYS) if self.received_on else None

    def overdue(self, today):
        return bool(self.deadline and today > self.deadline and not self.done("documents_sent"))

    def open_items(self):
        """The steps still to do; agent documents and the fee only where they apply."""
        needed = ["identity_confirmed", "documents_sent"]
        if self.by_agent:
            needed.insert(1, "agent_documents")
        if self.fee_due:
            needed.insert(-1, "fee_received")
        return [key for key in needed if not self.done(key)]


def checklist(inquiry):
    notes = InquiryNote.select().where(InquiryNote.inquiry_reference == inquiry.reference)
    return Checklist({note.key: note.value for note in notes if note.key in CHECKLIST_KEYS})


def _valid_checklist_value(key, value):
    if key == "request_type":
        return value in ("",) + REQUEST_TYPES
    if key == "form_received_on":
        return value == "" or (re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and _is_day(value))
    return value in ("", YES)


def _is_day(text):
    try:
        return bounded_day(text) is not None
    except ValueError:
        return False


def save_checklist(inquiry, values, actor):
    """Store the checklist fields that changed (one note per key) and log which; returns them."""
    if inquiry.category != "disclosure":
        raise InboxError("only a disclosure request has a checklist")
    current = checklist(inquiry).values
    changed = {key: values[key] for key in CHECKLIST_KEYS
               if key in values and values[key] != current.get(key, "")}
    for key, value in changed.items():
        if not _valid_checklist_value(key, value):
            raise InboxError(f"not a value for {key}: {value!r}")
    now = utcnow()
    for key, value in changed.items():
        note = InquiryNote.get_or_none(InquiryNote.inquiry_reference == inquiry.reference,
                                       InquiryNote.key == key)
        if note is None:
            InquiryNote.create(inquiry_reference=inquiry.reference, key=key, value=value,
                               updated_at=now, updated_by=actor)
        else:
            InquiryNote.update(value=value, updated_at=now, updated_by=actor) \
                .where(InquiryNote.id == note.id).execute()
    if changed:
        detail = ", ".join(f"{key}={value or '-'}" for key, value in changed.items())
        staff_log.record(actor, CHECKLIST_UPDATED, target=inquiry.reference, detail=detail)
    return changed
