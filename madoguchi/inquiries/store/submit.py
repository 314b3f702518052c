"""Submitting an inquiry: the one use case that writes the inquiry, its consent event and its mail.

They commit together or not at all: an inquiry never exists without its consent in the ledger nor
without its acknowledgement waiting in the outbox. The outbox rows are queued unwritten (which mail,
to whom); their text is composed after the commit (notifications.py), so no template is rendered
while the ledger's write lock is held.

A confirm step may be posted twice (a double tap, a retry after a lost answer, two tabs): each
journey's confirm carries a one-time `submission_key`, and `submit_once` stores an inquiry per key.
"""
from typing import NamedTuple

from peewee import IntegrityError

from madoguchi.clock import naive_utc
from madoguchi.inquiries.references import new_reference
from madoguchi.ledger.pseudonyms import subject_key, truncate_ip
from madoguchi.ledger.store import consent_ledger
from madoguchi.outbox import store as outbox
from madoguchi.settings import DEFAULT_LEDGER_LOCK_TIMEOUT
from models import Inquiry

ACKNOWLEDGEMENT = "acknowledgement"             # to the customer, in their language
SUPPORT_NOTIFICATION = "support_notification"   # to the support inbox, without personal data


class Submitted(NamedTuple):
    inquiry: Inquiry
    stored_now: bool     # False: an earlier post with the same key had stored it


def submit_once(submission_key, answers, consent, *, client_address, received_at, calendar,
                support_inbox, subject_secret, ledger_key, lock_timeout=DEFAULT_LEDGER_LOCK_TIMEOUT,
                anchor_log=None, locale=None):
    """Store one inquiry with its `granted` consent event and its two queued mails, unless the
    inquiry of `submission_key` exists already: then that one is returned, and nothing is stored.

    `consent` is what the customer saw when they ticked the box: policy version label, SHA-256 of
    the text shown, and the locale it was shown in (the ledger keeps that one). `locale` is the
    language the inquiry was sent in (its confirm step's; None: the consent's), which its mail
    follows: a customer may agree in Japanese and switch to English before sending. `received_at`
    is the site's clock (naive UTC or aware); the reply is promised for the business calendar's
    next opening at or after it. Only the network of `client_address` is kept. Raises
    consent_ledger.LedgerBusy, with nothing stored, when the ledger's write lock stays taken for
    `lock_timeout` seconds. The consent's signed head goes to `anchor_log`
    (madoguchi/ledger/store/anchors.py) after the commit.
    """
    received_at = naive_utc(received_at)
    reply_due_at = naive_utc(calendar.reply_expected_at(received_at))
    for _attempt in range(5):
        try:
            return _store(submission_key, answers, consent, locale, new_reference(received_at),
                          truncate_ip(client_address), received_at, reply_due_at, support_inbox,
                          subject_secret, ledger_key, lock_timeout, anchor_log)
        except IntegrityError:
            # Two inquiries drew the same reference in the same day (about 1 in 800,000): draw again.
            continue
    raise RuntimeError("could not draw a free inquiry reference")


def stored_with_key(submission_key):
    """The inquiry a confirm with this key stored, or None."""
    return Inquiry.get_or_none(Inquiry.submission_key == submission_key) if submission_key else None


def _store(submission_key, answers, consent, locale, reference, ip_truncated, received_at, reply_due_at,
           support_inbox, subject_secret, ledger_key, lock_timeout, anchor_log):
    with consent_ledger.writing(lock_timeout):
        # Looked up inside the ledger's write transaction: writers take turns there, so of two
        # posts with one key the second always sees the first's inquiry.
        earlier = stored_with_key(submission_key)
        if earlier is not None:
            return Submitted(earlier, stored_now=False)
        event = consent_ledger.append(
            kind="granted", subject_key=subject_key(answers["email"], subject_secret),
            policy_version=consent["version"], policy_sha256=consent["sha256"],
            locale=consent["locale"], method="web_form_checkbox", ip_truncated=ip_truncated,
            inquiry_ref=reference, ledger_key=ledger_key,  # the ledger keeps real time
            anchor_log=anchor_log)
        inquiry = Inquiry.create(
            reference=reference, created_at=received_at, locale=locale or consent["locale"],
            category=answers["category"], name=answers["name"], email=answers["email"],
            phone=answers.get("phone", ""), order_number=answers.get("order_number", ""),
            message=answers["message"], subject_key=event.subject_key, consent_seq=event.seq,
            reply_due_at=reply_due_at, submission_key=submission_key)
        outbox.queue_unwritten(ACKNOWLEDGEMENT, to=inquiry.email, inquiry_reference=reference)
        outbox.queue_unwritten(SUPPORT_NOTIFICATION, to=support_inbox, inquiry_reference=reference)
    return Submitted(inquiry, stored_now=True)
