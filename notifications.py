"""Mail of the site: composing it (with the app's templates and translations) and delivering the
outbox over SMTP (madoguchi/outbox/transport.py, with a timeout), or into a folder of .eml files
when no SMTP server is configured.

An inquiry's transaction only queues its mails unwritten (madoguchi/inquiries/store/submit.py);
`inquiry_received` then writes their text, outside the ledger's write lock, and wakes the process's
one background sender so the done page never waits on SMTP. Every sender claims each mail before
sending it (madoguchi/outbox/store.py), so workers and `flask outbox send` never send one twice.
Views never send mail themselves.
"""
import threading
from contextlib import nullcontext
from email.utils import formataddr, parseaddr
from functools import partial

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_mail import Message, sanitize_address, sanitize_addresses

import labels
import models
from madoguchi.inquiries.store import inbox as inquiry_inbox
from madoguchi.inquiries.store.submit import ACKNOWLEDGEMENT, SUPPORT_NOTIFICATION
from madoguchi.ledger import canonical, receipts
from madoguchi.outbox import sink as mail_sink
from madoguchi.outbox import store as outbox
from madoguchi.outbox import transport
from madoguchi.outbox.background import BackgroundSender
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
    found = {}      # an inquiry's mails share one read of it and of its consent event
    for row in list(outbox.unwritten(references)):
        reference = row.inquiry_reference
        if reference not in found:
            inquiry = inquiry_inbox.find(reference)
            live = inquiry is not None and inquiry.erased_at is None   # nothing to write to the erased
            found[reference] = (inquiry, inquiry_inbox.consent_event_of(inquiry)) if live else None
        if found[reference] is not None:
            outbox.write(row.id, *compose(row.kind, *found[reference]))


def language_of(kind, inquiry):
    """The language mail `kind` about `inquiry` is written in."""
    return MAILS[kind][1] or inquiry.locale


def compose(kind, inquiry, event):
    """(subject, body, sender) of mail `kind` about the inquiry and its consent event. Everything in it is
    in the mail's language but the customer's own text: the receipt's purposes come from the
    version's text in that language (the consent's own language may differ), and the controller
    has its name in that language. The receipt itself (its ID, its JSON) is the consent's."""
    template, language, config = MAILS[kind][0], language_of(kind, inquiry), current_app.config
    consented_text = policy_store.text_of(event.policy_version, event.locale)
    mail_text = policy_store.text_of(event.policy_version, language) or consented_text
    with force_locale(language):
        if kind == ACKNOWLEDGEMENT:
            subject = gettext("[AnyMyKuji] We have received your inquiry (%(reference)s)",
                              reference=inquiry.reference)
        else:
            subject = gettext("New inquiry %(reference)s", reference=inquiry.reference)
        body = render_template(
            template, inquiry=inquiry, event=event,
            receipt=receipts.consent_receipt(event, consented_text, config),
            purposes=receipts.purposes(mail_text), controller=receipts.controller_name(language),
            faq_carrier_url=f"{config['PUBLIC_BASE_URL']}/faq#faq-carrier",
            agreed_at=canonical.event_time(event.occurred_at),
            reply_opens_now=inquiry.reply_due_at <= inquiry.created_at,
            category=labels.category(inquiry.category))
    return subject, body, sender_in(language, config)


def sender_in(language, config):
    """Who a mail is from, named in its language: MAIL_DEFAULT_SENDER, or for English mail the
    same address under MAIL_SENDER_NAME_EN. Decided when the mail is written, stored with it."""
    if language != "en":
        return config["MAIL_DEFAULT_SENDER"]
    return formataddr((config["MAIL_SENDER_NAME_EN"], parseaddr(config["MAIL_DEFAULT_SENDER"])[1]))


def deliver_pending(ignore_schedule=False):
    """Deliver what is due now, through one SMTP connection; returns a Counter of outcomes (sent,
    retrying, failed, undeliverable). Needs an app context."""
    config = current_app.config
    with models.database.connection_context(), _smtp_connection(config) as connection:
        write_queued()
        return outbox.deliver_due(partial(_send, connection=connection),
                                  config["OUTBOX_LEASE_SECONDS"], ignore_schedule=ignore_schedule)


def _smtp_connection(config):
    """A connection to MAIL_SERVER with the MAIL_* settings, or nothing (mail goes to the folder)."""
    if not config["MAIL_SERVER"]:
        return nullcontext(None)
    return transport.SmtpConnection(transport.SmtpServer(
        host=config["MAIL_SERVER"], port=config["MAIL_PORT"], use_ssl=config["MAIL_USE_SSL"],
        use_tls=config["MAIL_USE_TLS"], username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"], timeout=config["MAIL_TIMEOUT"]))


def _send(row, connection):
    config = current_app.config
    message = Message(subject=row.subject, recipients=[row.to_addr], body=row.body,
                      sender=row.sender or config["MAIL_DEFAULT_SENDER"], charset="utf-8")
    message.msgId = transport.message_id(row.id, row.inquiry_reference, message.sender)
    if config["MAIL_SUPPRESS_SEND"]:
        return
    if connection is not None:
        connection.send(sanitize_address(message.sender), list(sanitize_addresses(message.send_to)),
                        message.as_bytes())
    else:
        mail_sink.write(config["MAIL_SINK_DIR"], row.id, message.as_bytes())


_senders_lock = threading.Lock()


def deliver_soon(app):
    """Wake the app's one background sender (started on first use), unless the app leaves
    delivery to `flask outbox send`."""
    if not app.config["OUTBOX_SEND_IMMEDIATELY"]:
        return
    with _senders_lock:
        sender = app.extensions.get("outbox_sender")
        if sender is None:
            sender = app.extensions["outbox_sender"] = BackgroundSender(partial(_deliver_in_background, app))
    sender.wake()


def _deliver_in_background(app):
    with app.app_context():
        try:
            deliver_pending()
        except Exception:
            app.logger.exception("outbox delivery failed; `flask outbox send` will retry")
