"""Mail of the site: composing it (with the app's templates and translations) and delivering the
outbox through Flask-Mail, or into a folder of .eml files when no SMTP server is configured.

An inquiry's transaction only queues its mails unwritten (madoguchi/inquiries/store/submit.py);
`inquiry_received` then writes their text, outside the ledger's write lock, and hands delivery to a
background thread so the done page never waits on SMTP. Views never send mail themselves.
"""
import os
import threading

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_mail import Message

import labels
import models
from extensions import mail
from madoguchi.inquiries.store import inbox as inquiry_inbox
from madoguchi.inquiries.store.submit import ACKNOWLEDGEMENT, SUPPORT_NOTIFICATION
from madoguchi.ledger import canonical
from madoguchi.ledger.receipts import consent_receipt
from madoguchi.outbox import store as outbox
from madoguchi.policy.store import versions as policy_store

# Each mail: its template, and the language it is written in (None: the inquiry's own).
MAILS = {ACKNOWLEDGEMENT: ("mail/acknowledgement.txt", None),
         SUPPORT_NOTIFICATION: ("mail/support_notification.txt", "ja")}


def inquiry_received(inquiry):
    """Write the inquiry's queued mails and deliver them in the background. Needs an app context."""
    write_queued([inquiry.reference])
    deliver_soon(current_app._get_current_object())


def write_queued(references=None):
    """Compose every unwritten mail (of these inquiries, or all: a crash between an inquiry's
    commit and its mail's composing is mended by the next delivery)."""
    for row in list(outbox.unwritten(references)):
        inquiry = inquiry_inbox.find(row.inquiry_reference)
        if inquiry is not None and inquiry.erased_at is None:   # nothing to write to the erased
            outbox.write(row.id, *compose(row.kind, inquiry, inquiry_inbox.consent_event_of(inquiry)))


def compose(kind, inquiry, event):
    """(subject, body) of mail `kind` about the inquiry and its consent event."""
    template, language = MAILS[kind]
    config = current_app.config
    text = policy_store.text_of(event.policy_version, event.locale)
    with force_locale(language or inquiry.locale):
        if kind == ACKNOWLEDGEMENT:
            subject = gettext("[AnyMyKuji] We have received your inquiry (%(reference)s)",
                              reference=inquiry.reference)
        else:
            subject = gettext("New inquiry %(reference)s", reference=inquiry.reference)
        body = render_template(
            template, inquiry=inquiry, event=event, receipt=consent_receipt(event, text, config),
            agreed_at=canonical.event_time(event.occurred_at),
            reply_opens_now=inquiry.reply_due_at <= inquiry.created_at,
            category=labels.category(inquiry.category))
    return subject, body


def _send(row):
    config = current_app.config
    message = Message(subject=row.subject, recipients=[row.to_addr], body=row.body,
                      sender=config["MAIL_DEFAULT_SENDER"], charset="utf-8")
    if config["MAIL_SERVER"]:
        mail.send(message)
    else:
        os.makedirs(config["MAIL_SINK_DIR"], exist_ok=True)
        path = os.path.join(config["MAIL_SINK_DIR"], f"{row.id:08d}.eml")
        with open(path, "wb") as sink:
            sink.write(message.as_bytes())


def deliver_pending(ignore_schedule=False):
    """Deliver what is due now; returns (sent, retrying, failed). Needs an app context."""
    with models.database.connection_context():
        write_queued()
        return outbox.deliver_due(_send, ignore_schedule=ignore_schedule)


_delivery_lock = threading.Lock()


def deliver_soon(app):
    """Deliver the outbox in a background thread; deliveries queue up behind one lock, so each
    mail is handed to SMTP once and a mail queued during a delivery is taken by the next one."""
    if not app.config["OUTBOX_SEND_IMMEDIATELY"]:
        return

    def run():
        with _delivery_lock, app.app_context():
            try:
                deliver_pending()
            except Exception:
                app.logger.exception("outbox delivery failed; `flask outbox send` will retry")

    threading.Thread(target=run, name="outbox-delivery", daemon=True).start()
