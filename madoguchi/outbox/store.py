"""The outbox: mail is queued in the database with the inquiry and delivered afterwards.

SMTP being down never loses an inquiry and never makes the customer wait; delivery is retried with
growing pauses (outbox/backoff.py). A mail may be queued unwritten (its `kind` says which mail, its
text comes later): the inquiry's transaction then only names what to send, and the text is
composed after the commit. Once a mail is sent its body and address are blanked: the inquiry itself
keeps what support needs, and a second copy of personal data should not linger here.
"""
from peewee import fn

from madoguchi.clock import utcnow
from madoguchi.outbox import backoff
from models import OutboxMail, database


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


def write(mail_id, subject, body):
    (OutboxMail.update(subject=subject, body=body)
     .where((OutboxMail.id == mail_id) & (OutboxMail.status == "pending")).execute())


def due(now=None, ignore_schedule=False):
    """Pending, written mails whose next attempt is due (or all of them: ignore_schedule)."""
    query = OutboxMail.select().where((OutboxMail.status == "pending")
                                      & ((OutboxMail.kind == "") | (OutboxMail.subject != "")))
    if not ignore_schedule:
        query = query.where(OutboxMail.next_attempt_at <= (now or utcnow()))
    return query.order_by(OutboxMail.id)


def deliver_due(send, now=None, ignore_schedule=False):
    """Try every due mail once with `send(mail)`; returns (sent, retrying, failed) counts."""
    now = now or utcnow()
    pending = due(now, ignore_schedule)
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for mail in list(pending):
        try:
            send(mail)
        except Exception as error:  # any transport failure: the mail stays queued
            counts[_record_failure(mail, error, now)] += 1
        else:
            with database.atomic():
                (OutboxMail.update(status="sent", sent_at=utcnow(), attempts=mail.attempts + 1,
                                   body="", to_addr="", last_error="")
                 .where(OutboxMail.id == mail.id).execute())
            counts["sent"] += 1
    return counts["sent"], counts["retrying"], counts["failed"]


def _record_failure(mail, error, now):
    attempts = mail.attempts + 1
    gave_up = backoff.gives_up(attempts)
    (OutboxMail.update(attempts=attempts, last_error=backoff.failure_reason(error),
                       status="failed" if gave_up else "pending",
                       next_attempt_at=now + backoff.wait_after(attempts))
     .where(OutboxMail.id == mail.id).execute())
    return "failed" if gave_up else "retrying"


def summary():
    rows = (OutboxMail.select(OutboxMail.status, fn.COUNT(OutboxMail.id).alias("n"))
            .group_by(OutboxMail.status))
    return {row.status: row.n for row in rows}
