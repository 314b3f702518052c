"""Mail of the site: composing it (with the app's templates and translations) and delivering the
outbox through Flask-Mail, or into a folder of .eml files when no SMTP server is configured.

Views never send mail themselves: they store the inquiry (which queues its mail) and call
`deliver_soon`, which delivers in a background thread so the done page never waits on SMTP.
"""
import os
import threading
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_mail import Message

import models
from extensions import mail
from forms.inquiry import category_label
from madoguchi.ledger import canonical
from madoguchi.outbox import store as outbox
from madoguchi.policy.receipts import consent_receipt
from madoguchi.policy.store import versions as policy_store


def compose_for_inquiry(inquiry, event):
    """The customer's acknowledgement (in their language) and the support team's notification."""
    config = current_app.config
    context = {"inquiry": inquiry, "event": event, "receipt": consent_receipt(event, policy_store.text_of(event.policy_version, event.locale), config),
               "agreed_at": datetime.strptime(event.occurred_at, canonical.TIME_FORMAT),
               "reply_opens_now": inquiry.reply_due_at <= inquiry.created_at}
    with force_locale(inquiry.locale):
        acknowledgement = {
            "to": inquiry.email,
            "subject": gettext("[AnyMyKuji] We have received your inquiry (%(reference)s)",
                               reference=inquiry.reference),
            "body": render_template("mail/acknowledgement.txt", category=category_label(inquiry.category),
                                    **context),
        }
    with force_locale("ja"):
        notification = {
            "to": config["SUPPORT_INBOX"],
            "subject": gettext("New inquiry %(reference)s", reference=inquiry.reference),
            "body": render_template("mail/support_notification.txt",
                                    category=category_label(inquiry.category), **context),
        }
    return [acknowledgement, notification]


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
