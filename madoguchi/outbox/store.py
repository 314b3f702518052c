"""The outbox: mail is queued in the database with the inquiry and delivered afterwards.

SMTP being down never loses an inquiry and never makes the customer wait; delivery is retried with
growing pauses. Once a mail is sent its body and address are blanked: the inquiry itself keeps
what support needs, and a second copy of personal data should not linger here.
"""
from peewee import fn

from madoguchi.clock import utcnow
from madoguchi.outbox import backoff
from models import OutboxMail, database


def queue(*, to, subject, body, inquiry_reference=""):
    return OutboxMail.create(to_addr=to, subject=subject, body=body,
                             inquiry_reference=inquiry_reference)


def due(now=None):
    now = now or utcnow()
    return (OutboxMail.select()
            .where((OutboxMail.status == "pending") & (OutboxMail.next_attempt_at <= now))
            .order_by(OutboxMail.id))


def deliver_due(send, now=None, ignore_schedule=False):
    """Try every due mail once with `send(mail)`; returns (sent, retrying, failed) counts."""
    now = now or utcnow()
    pending = OutboxMail.select().where(OutboxMail.status == "pending") if ignore_schedule else due(now)
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
