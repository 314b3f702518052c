"""Where a customer is in the inquiry form, kept in their session: the consent they gave (which
policy version, which text, which language), the token of their unsent answers, and the reference
of what they just sent. Also the one place that turns a finished form into a stored inquiry."""
from datetime import datetime, timezone

from flask import current_app, request, session
from flask_babel import get_locale

import notifications
from forms.inquiry import DetailsForm, email_advice_for
from madoguchi.inquiries.store import drafts
from madoguchi.inquiries.store import submit as inquiries
from madoguchi.policy import revisions
from madoguchi.business_calendar import calendar_from_config, in_tokyo
from madoguchi.subjects.keys import truncate_ip
from views.pages import clock_now


def locale():
    return str(get_locale())


def consent():
    return session.get("consent")


def give_consent(version):
    """Remember exactly what was shown when the box was ticked: version, text hash, language."""
    session["consent"] = {"version": version.label, "locale": locale(),
                          "sha256": revisions.sha256_for(version, locale())}


def consent_is_current(version):
    return bool(consent()) and consent()["version"] == version.label


def answers():
    return drafts.load(session.get("draft"))


def save_answers(values):
    if "draft" not in session:
        # A new journey starts: a good moment to drop drafts abandoned by earlier visitors, so
        # their personal data does not linger past drafts.DRAFT_LIFETIME.
        drafts.purge_expired()
        session["draft"] = drafts.new_token()
    drafts.save(session["draft"], values)


def valid_answers():
    """The saved answers if they still pass every check of the details step, else None."""
    values = answers()
    form = DetailsForm(formdata=None, data=values, meta={"csrf": False})
    return form.answers() if values and form.validate() else None


def submit(values):
    """Store the inquiry with its consent event and mail; hand the mail to the background."""
    app = current_app._get_current_object()
    now = in_tokyo(clock_now())
    reply_due = calendar_from_config(app.config).reply_expected_at(now)
    inquiry = inquiries.store(
        values, consent(), ip_truncated=truncate_ip(request.remote_addr),
        subject_secret=app.config["SUBJECT_KEY"], ledger_key=app.config["LEDGER_KEY"],
        reply_due_at=reply_due.astimezone(timezone.utc).replace(tzinfo=None),
        compose_mail=notifications.compose_for_inquiry,
        now=now.astimezone(timezone.utc).replace(tzinfo=None))
    drafts.discard(session.pop("draft", None))
    session.pop("consent", None)
    session["done"] = {"reference": inquiry.reference, "reply_due": reply_due.isoformat(),
                       "open_now": reply_due <= now, "provider": email_advice_for(values["email"]).provider}
    notifications.deliver_soon(app)
    return inquiry


def done():
    """What the done page shows about the inquiry just sent, or None."""
    sent = session.get("done")
    return dict(sent, reply_due=datetime.fromisoformat(sent["reply_due"])) if sent else None
