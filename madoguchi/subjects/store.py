"""One person's consents and inquiries: showing them (for a disclosure request), withdrawing
consent and erasing their personal data, all found by the subject key of their email.

The ledger holds no personal data, so erasure never touches it: the inquiries' name, email, phone,
order number and message are blanked, their queued mails lose address and body, the local mail
sink's copies of those mails are deleted, and an `erased` event is appended. The chain stays whole
and still proves what was agreed, and when.
"""
from dataclasses import dataclass, field

from madoguchi.clock import utcnow
from madoguchi.ledger.pseudonyms import subject_key
from madoguchi.ledger.store import consent_ledger
from madoguchi.outbox import sink as mail_sink
from models import ConsentEvent, Inquiry, OutboxMail

# How a withdrawal or erasure reaches the ledger: staff acting on the person's request.
ON_REQUEST = "staff_on_request"
# What the staff actions log records for these (target: the subject key, never the email).
WITHDRAWN_ACTION = "subject_withdrawn"
ERASED_ACTION = "subject_erased"
PERSONAL_FIELDS = {"name": "", "email": "", "phone": "", "order_number": "", "message": ""}


@dataclass
class SubjectRecord:
    subject_key: str
    events: list = field(default_factory=list)          # ConsentEvent, oldest first
    inquiries: list = field(default_factory=list)       # Inquiry, oldest first

    @property
    def known(self):
        return bool(self.events or self.inquiries)

    @property
    def consent_withdrawn(self):
        """True when the person's latest granted/withdrawn event is a withdrawal."""
        decisions = [event.kind for event in self.events if event.kind != "erased"]
        return bool(decisions) and decisions[-1] == "withdrawn"

    @property
    def erased(self):
        return any(event.kind == "erased" for event in self.events)


@dataclass
class ErasureResult:
    event: ConsentEvent
    inquiries: int
    mails: int
    sink_files: int = 0         # the mail sink's .eml copies deleted


@dataclass
class ConsentNow:
    """Where the consent given with one inquiry stands: its person's events since, oldest first."""
    later: list

    @property
    def state(self):
        """erased (the inquiry's data went with it), else the person's latest decision."""
        kinds = [event.kind for event in self.later]
        if "erased" in kinds:
            return "erased"
        return kinds[-1] if kinds else "granted"


def consent_now(inquiry):
    """The person's events after the inquiry's own consent (withdrawn, erased, or granted again
    with a later inquiry), for support's view of the inquiry."""
    return ConsentNow(list(ConsentEvent.select()
                           .where((ConsentEvent.subject_key == inquiry.subject_key)
                                  & (ConsentEvent.seq > inquiry.consent_seq))
                           .order_by(ConsentEvent.seq)))


def subject_for_email(email, subject_secret):
    """The ledger's pseudonymous key for an email address (SUBJECT_KEY keeps it unguessable)."""
    return subject_key(email, subject_secret)


def show(key):
    events = list(ConsentEvent.select().where(ConsentEvent.subject_key == key)
                  .order_by(ConsentEvent.seq))
    inquiries = list(Inquiry.select().where(Inquiry.subject_key == key)
                     .order_by(Inquiry.created_at, Inquiry.id))
    return SubjectRecord(key, events, inquiries)


def _append_like_last(kind, last, ledger_key, method, anchor_log):
    """A withdrawn/erased event names the policy version the person last agreed to."""
    return consent_ledger.append(
        kind=kind, subject_key=last.subject_key, policy_version=last.policy_version,
        policy_sha256=last.policy_sha256, locale=last.locale, method=method,
        ledger_key=ledger_key, anchor_log=anchor_log)


def withdraw(key, ledger_key, method=ON_REQUEST, anchor_log=None):
    """Append a `withdrawn` event; the earlier consents stay. None if the person has no consent
    on record or has withdrawn already."""
    with consent_ledger.writing():
        record = show(key)
        if not record.events or record.consent_withdrawn:
            return None
        return _append_like_last("withdrawn", record.events[-1], ledger_key, method, anchor_log)


def erase(key, ledger_key, mail_sink_dir, method=ON_REQUEST, anchor_log=None):
    """Blank the person's inquiries and queued mails and append an `erased` event, in one
    transaction, then delete the mail sink's copies of their mails (`mail_sink_dir`: MAIL_SINK_DIR).
    None if nothing of the person is stored or all of it is erased already."""
    with consent_ledger.writing():
        record = show(key)
        left = [inquiry for inquiry in record.inquiries if inquiry.erased_at is None]
        if not record.events or (record.erased and not left):
            return None
        references = [inquiry.reference for inquiry in record.inquiries]
        erased_inquiries = (Inquiry.update(erased_at=utcnow(), **PERSONAL_FIELDS)
                            .where(Inquiry.id.in_([inquiry.id for inquiry in left])).execute()
                            if left else 0)
        mails = _blank_mails(references)
        event = _append_like_last("erased", record.events[-1], ledger_key, method, anchor_log)
    # After the commit: should it fail, the files stay and `remove_mail_copies` can be run again.
    return ErasureResult(event, erased_inquiries, mails, remove_mail_copies(key, mail_sink_dir))


def remove_mail_copies(key, mail_sink_dir):
    """Delete the mail sink's .eml files of every mail about the person's inquiries (the
    acknowledgement to them and support's notification); returns how many there were. Also for a
    person erased before the sink's files were removed with them."""
    references = Inquiry.select(Inquiry.reference).where(Inquiry.subject_key == key)
    mail_ids = [mail.id for mail in OutboxMail.select(OutboxMail.id)
                .where(OutboxMail.inquiry_reference.in_(references))]
    return mail_sink.remove(mail_sink_dir, mail_ids)


def _blank_mails(references):
    """Mail about the person's inquiries loses address and body; what was still waiting to go out
    never will."""
    if not references:
        return 0
    about_them = OutboxMail.inquiry_reference.in_(references)
    (OutboxMail.update(status="failed", last_error="cancelled: personal data erased")
     .where(about_them & (OutboxMail.status == "pending")).execute())
    return (OutboxMail.update(to_addr="", body="")
            .where(about_them & ((OutboxMail.to_addr != "") | (OutboxMail.body != ""))).execute())
