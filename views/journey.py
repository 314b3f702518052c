"""Where a customer is in the inquiry form, kept in their session: the consent they gave (which
policy version, which text, which language), the token of their unsent answers, the one-time key
of their confirm step, and the reference of what they just sent. Also the one place that turns a
finished form into a stored inquiry."""
import secrets
from datetime import datetime

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

import notifications
from forms.inquiry import ANSWER_FIELDS, DetailsForm, email_advice_for
from madoguchi.business_calendar import calendar_from_config
from madoguchi.clock import in_tokyo
from madoguchi.inquiries.store import drafts
from madoguchi.inquiries.store import submit as inquiries
from madoguchi.ledger.store.anchors import AnchorLog
from madoguchi.policy import revisions
from views import site


def locale():
    return str(get_locale())


def consent():
    return session.get("consent")


def give_consent(version):
    """Remember exactly what was shown when the box was ticked: version, text hash, language."""
    session["consent"] = {"version": version.label, "locale": locale(),
                          "sha256": revisions.sha256_for(version, locale())}
    session.pop("submission_key", None)     # agreeing anew may begin a new inquiry: a new key
    session.pop("policy_read", None)


def note_policy_read(label):
    """The version a customer was reading when a newer one replaced it. Until they agree, the
    consent step keeps saying what changed since then, also after a reload or a language switch."""
    session["policy_read"] = label


def policy_read():
    return session.get("policy_read")


def submission_key():
    """The one-time key of this journey's confirm step, made when first asked for. It stays after
    sending (until the customer agrees anew), so a repeated post still finds its inquiry."""
    return session.setdefault("submission_key", secrets.token_urlsafe(32))


def consent_is_current(version):
    return bool(consent()) and consent()["version"] == version.label


def answers():
    return drafts.load(session.get("draft"))


def save_answers(values):
    session.pop("draft_unchecked", None)
    if "draft" not in session:
        # A new journey starts: a good moment to drop drafts abandoned by earlier visitors, so
        # their personal data does not linger past drafts.DRAFT_LIFETIME.
        drafts.purge_expired()
        session["draft"] = drafts.new_token()
    drafts.save(session["draft"], values)


def save_unchecked(values):
    """What was typed, saved without checking it (a language switch): the details step shows it
    without errors until the customer continues."""
    save_answers(values)
    session["draft_unchecked"] = True


def checked_details():
    """The saved answers as a details form that passed every check of the details step, or None.
    The details step saves what was typed even when it refused it (so reload and back keep it):
    confirm must refuse it again."""
    values = answers()
    if not values:
        return None
    form = DetailsForm(formdata=_as_posted(values), meta={"csrf": False})
    form.validate()
    # Only the answers' own checks: fields the details post alone carries (against bots) are
    # that step's business.
    return None if any(form[name].errors for name in ANSWER_FIELDS) else form


def saved_details():
    """The details step as it opens: the saved answers with the errors they got there (confirm
    sends a customer back here with them; none when a language switch saved them unchecked), or a
    blank form when nothing is saved yet."""
    values = answers()
    if not values:
        return DetailsForm()
    # A fresh token of this session: the form is checked as a post of these answers would be.
    form = DetailsForm(formdata=_as_posted(values, csrf_token=generate_csrf()))
    if not session.get("draft_unchecked"):
        form.validate()
    return form


def _as_posted(values, **extra):
    """Saved answers as the raw form data of a post. The validators need it: Optional() looks at the
    raw text, and without any (formdata=None) it stops the chain of every optional field, so its
    length and format went unchecked."""
    return MultiDict({**values, **extra})


def sent_before(posted_key):
    """The inquiry that this journey's confirm, posted with `posted_key`, stored already, or None.
    A double tap or a retry after a lost answer posts the key again (often with the cookie from
    before the first answer): it gets the done page of that inquiry, not a second one."""
    if not posted_key or posted_key != session.get("submission_key"):
        return None
    inquiry = inquiries.stored_with_key(posted_key)
    if inquiry is not None:
        advice = email_advice_for(inquiry.email)
        remember_sent(inquiry, advice.provider if advice else None)
    return inquiry


def submit(details):
    """Store the checked answers as an inquiry with its consent (once per submission key), and
    send its mail."""
    config = current_app.config
    inquiry, stored_now = inquiries.submit_once(
        submission_key(), details.answers(), consent(), client_address=request.remote_addr,
        received_at=site.now(), calendar=calendar_from_config(config),
        support_inbox=config["SUPPORT_INBOX"], subject_secret=config["SUBJECT_KEY"],
        ledger_key=config["LEDGER_KEY"], lock_timeout=config["LEDGER_LOCK_TIMEOUT"],
        anchor_log=AnchorLog.from_settings(config),
        locale=locale())    # the language it is sent in; the consent keeps the one it was given in
    # Into the session first: should a step below fail, the cookie still leads to the reference.
    remember_sent(inquiry, details.email_advice().provider)
    g.inquiry_stored_now = stored_now       # only these count against the sending limits
    if stored_now:
        notifications.inquiry_received(inquiry)
    drafts.discard(session.pop("draft", None))
    return inquiry


def remember_sent(inquiry, provider):
    session.pop("consent", None)
    reply_due = in_tokyo(inquiry.reply_due_at)
    session["done"] = {"reference": inquiry.reference, "reply_due": reply_due.isoformat(),
                       "open_now": inquiry.reply_due_at <= inquiry.created_at, "provider": provider}


def done():
    """What the done page shows about the inquiry just sent, or None."""
    sent = session.get("done")
    return dict(sent, reply_due=datetime.fromisoformat(sent["reply_due"])) if sent else None
