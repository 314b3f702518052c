"""The outbox: mail is queued in the database with the inquiry and delivered afterwards.

SMTP being down never loses an inquiry and never makes the customer wait; delivery is retried with
growing pauses (outbox/backoff.py), except when the recipient's server refused the mail for good:
then it is marked undeliverable at once. A mail may be queued unwritten (its `kind` says which mail,
its text comes later): the inquiry's transaction then only names what to send, and the text is
composed after the commit. Once a mail is sent (or refused for good) its body and address are
blanked: the inquiry itself keeps what support needs, and a second copy of personal data should not
linger here.

Any number of senders (each worker's background thread, `flask outbox send` processes) may run at
once. A sender claims one mail at a time with a conditional UPDATE that only one of them can win,
and the claim is a lease: a sender that dies mid-send leaves its mail to the others once the lease
ends, and a live sender's mail is never taken from it. The UPDATE's condition is checked again after
the row lock, so this holds on SQLite and on PostgreSQL under READ COMMITTED alike.
"""
from collections import Counter
from datetime import timedelta

from peewee import fn

from madoguchi.clock import utcnow
from madoguchi.outbox import backoff
from models import OutboxMail

STATUSES = ("pending", "sent", "failed", "undeliverable")
NOT_DELIVERED = ("undeliverable", "failed")
# Claims are tried from a few candidates at a time; a row another sender won is skipped.
CANDIDATES_PER_QUERY = 20


def queue(*, to, subject, body, inquiry_reference=""):
    return OutboxMail.create(to_addr=to, subject=subject, body=body,
                             inquiry_reference=inquiry_reference)


def queue_unwritten(kind, *, to, inquiry_reference):
    """Queue mail `kind` for the inquiry; `write` gives it its subject and body later."""
    return OutboxMail.create(kind=kind, to_addr=to, subject="", body="",
                             inquiry_reference=inquiry_reference)


def unwritten(references=None):
    """Pending mails whose text is still to be composed (of these inquiries, or all)."""
    query = OutboxMail.select().where((OutboxMail.status == "pending") & (OutboxMail.kind != "")
                                      & (OutboxMail.subject == ""))
    if references is not None:
        query = query.where(OutboxMail.inquiry_reference.in_(list(references)))
    return query.order_by(OutboxMail.id)


def write(mail_id, subject, body, sender=""):
    (OutboxMail.update(subject=subject, body=body, sender=sender)
     .where((OutboxMail.id == mail_id) & (OutboxMail.status == "pending")).execute())


def _is_due(now, ignore_schedule=False):
    """Pending and written, its next attempt due (any time: ignore_schedule), and nobody's claim."""
    condition = ((OutboxMail.status == "pending")
                 & ((OutboxMail.kind == "") | (OutboxMail.subject != ""))
                 & (OutboxMail.claimed_until.is_null() | (OutboxMail.claimed_until < now)))
    if not ignore_schedule:
        condition &= OutboxMail.next_attempt_at <= now
    return condition


def due(now=None, ignore_schedule=False):
    """Mails a sender could claim now, oldest first."""
    return OutboxMail.select().where(_is_due(now or utcnow(), ignore_schedule)).order_by(OutboxMail.id)


def claim_next(lease, after_id=0, ignore_schedule=False):
    """Claim the first due mail after `after_id` for `lease` (a timedelta) and return it, or None
    when there is none left. Of senders racing for one mail exactly one wins the UPDATE. The lease
    must outlast one send, which waits up to MAIL_TIMEOUT for each SMTP reply (300 s against 10 s)."""
    while True:
        now = utcnow()
        candidates = [mail_id for (mail_id,) in due(now, ignore_schedule)
                      .select(OutboxMail.id).where(OutboxMail.id > after_id)
                      .limit(CANDIDATES_PER_QUERY).tuples()]
        if not candidates:
            return None
        for mail_id in candidates:
            won = (OutboxMail.update(claimed_until=now + lease)
                   .where((OutboxMail.id == mail_id) & _is_due(now, ignore_schedule)).execute())
            if won == 1:
                return OutboxMail.get_by_id(mail_id)
        after_id = candidates[-1]


def deliver_due(send, lease_seconds, ignore_schedule=False):
    """Claim and try every due mail once with `send(mail)`, one at a time (a sender killed midway
    holds one claim at most). Mail queued meanwhile is taken too. Returns a Counter of outcomes:
    sent, retrying, failed (given up after every retry), undeliverable (refused for good)."""
    lease = timedelta(seconds=lease_seconds)
    outcomes, after_id = Counter(), 0
    while (mail := claim_next(lease, after_id, ignore_schedule)) is not None:
        after_id = mail.id
        try:
            send(mail)
        except Exception as error:  # noqa: BLE001 - any transport failure: retried, unless refused for good
            outcomes[_record_failure(mail, error)] += 1
        else:
            # Should this fail (the database gone, the disk full), the claim still keeps the mail
            # from every other sender until the lease ends: no new copy on every trigger.
            _record_sent(mail)
            outcomes["sent"] += 1
    return outcomes


def _record_sent(mail):
    (OutboxMail.update(status="sent", sent_at=utcnow(), attempts=mail.attempts + 1,
                       body="", to_addr="", last_error="")
     .where(OutboxMail.id == mail.id).execute())


def _record_failure(mail, error):
    attempts, reason = mail.attempts + 1, backoff.failure_reason(error)
    if backoff.is_permanent(error):
        outcome, changes = "undeliverable", {"body": "", "to_addr": ""}
    elif backoff.gives_up(attempts):
        outcome, changes = "failed", {}
    else:
        outcome, changes = "pending", {"next_attempt_at": utcnow() + backoff.wait_after(attempts)}
    (OutboxMail.update(status=outcome, attempts=attempts, last_error=reason, claimed_until=None,
                       **changes)
     .where(OutboxMail.id == mail.id).execute())
    return "retrying" if outcome == "pending" else outcome


def summary():
    rows = (OutboxMail.select(OutboxMail.status, fn.COUNT(OutboxMail.id).alias("n"))
            .group_by(OutboxMail.status))
    return {row.status: row.n for row in rows}


def not_delivered(limit=20):
    """The latest mails refused for good or given up, newest first."""
    return (OutboxMail.select().where(OutboxMail.status.in_(NOT_DELIVERED))
            .order_by(OutboxMail.id.desc()).limit(limit))


def not_delivered_of(inquiry_reference, kind):
    """The inquiry's mail `kind` if it will not reach its recipient, else None."""
    return (OutboxMail.select()
            .where((OutboxMail.inquiry_reference == inquiry_reference) & (OutboxMail.kind == kind)
                   & OutboxMail.status.in_(NOT_DELIVERED))
            .order_by(OutboxMail.id.desc()).first())
