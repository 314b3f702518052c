"""Storing an inquiry: the inquiry, its consent event and its mail commit together or not at all."""
from peewee import IntegrityError

from madoguchi.clock import utcnow
from madoguchi.inquiries.references import new_reference
from madoguchi.ledger.store import consent_ledger
from madoguchi.outbox import store as outbox
from madoguchi.subjects.keys import subject_key
from models import Inquiry

def store(answers, consent, *, ip_truncated, subject_secret, ledger_key, reply_due_at, compose_mail,
          now=None):
    """Store one inquiry with its `granted` consent event and its outgoing mail.

    `consent` is what the customer saw when they ticked the box: policy version label, SHA-256 of
    the text shown, and the locale it was shown in. `compose_mail(inquiry, event)` returns the
    mails to queue (dicts with to, subject, body); they are queued in the same transaction, so an
    inquiry never exists without its acknowledgement waiting to go out.
    """
    now = now or utcnow()   # naive UTC; the same clock that computed reply_due_at
    for _attempt in range(5):
        reference = new_reference(now)
        try:
            with consent_ledger.writing():
                event = consent_ledger.append(
                    kind="granted", subject_key=subject_key(answers["email"], subject_secret),
                    policy_version=consent["version"], policy_sha256=consent["sha256"],
                    locale=consent["locale"], method="web_form_checkbox", ip_truncated=ip_truncated,
                    inquiry_ref=reference, ledger_key=ledger_key)  # the ledger keeps real time
                inquiry = Inquiry.create(
                    reference=reference, created_at=now, locale=consent["locale"],
                    category=answers["category"], name=answers["name"], email=answers["email"],
                    phone=answers.get("phone", ""), order_number=answers.get("order_number", ""),
                    message=answers["message"], subject_key=event.subject_key, consent_seq=event.seq,
                    reply_due_at=reply_due_at)
                for mail in compose_mail(inquiry, event):
                    outbox.queue(inquiry_reference=reference, **mail)
            return inquiry
        except IntegrityError:
            # Two inquiries drew the same reference in the same day (about 1 in 800,000): draw again.
            continue
    raise RuntimeError("could not draw a free inquiry reference")
