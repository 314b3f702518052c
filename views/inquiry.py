"""The progressive inquiry form: 1 consent, 2 details, 3 confirm, 4 done.

Every step works as a plain form post with full pages; with htmx the same routes answer with the
step's fragment and move on with HX-Location, so history and the back button keep working.
A step that fails validation answers 422 with the customer's input and the errors.
"""
from functools import wraps

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, generate_csrf
from htmx_flask import make_response, request

import labels
from forms.inquiry import ConsentForm, DetailsForm, email_advice_for
from madoguchi.policy.store import versions as policy_store
from views import abuse_limits, journey, language
from views.privacy import changes_view
from views.site import INVALID

bp = Blueprint("inquiry", __name__, url_prefix="/contact/form")


def go_to(endpoint):
    """Next step: a 303 redirect, or for htmx an HX-Location that swaps in the step's fragment."""
    url = url_for(endpoint)
    if request.htmx:
        return make_response("", 200, location={"path": url, "target": "#main"})
    return redirect(url, 303)


def in_language(code, endpoint):
    """A step's language switch: the same step again, in language `code`, as a whole page (its
    header, footer and <html lang> change too): a 303, or for htmx an HX-Redirect."""
    url = url_for(endpoint)
    response = make_response("", 200, redirect=url) if request.htmx else redirect(url, 303)
    return language.remember(response, code)


def render_step(template, failed=False, **context):
    body = render_template(template, **context)
    # no-store: the steps show personal data, which the browser's back-forward cache should not keep
    return body, INVALID if failed else 200, {"Cache-Control": "no-store"}


def consent_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        return view(*args, **kwargs) if journey.consent() else go_to("inquiry.start")
    return guarded


@bp.route("", methods=["GET", "POST"])
def start():
    if switch_to := language.switch_posted():
        # The tick is not carried over: the box is ticked anew under the text in the language
        # the ledger will record (a pre-ticked box is not consent).
        return in_language(switch_to, "inquiry.start")
    version = policy_store.current_version()
    form = ConsentForm(policy_version=version.label)
    if form.validate_on_submit() and form.policy_version.data == version.label:
        journey.give_consent(version)
        return go_to("inquiry.confirm" if journey.checked_details() else "inquiry.details")
    return render_consent(form, version)


def render_consent(form, version, expired=False):
    """The consent step: blank, with its errors, or, when the policy changed while the page was
    open, the new version unticked, with what changed since the version they read or agreed to."""
    changed = form.is_submitted() and form.policy_version.data != version.label
    if changed:
        journey.note_policy_read(form.policy_version.data)
        form.policy_version.data, form.agree.data = version.label, False
    since = _agreed_or_read_before(version)
    return render_step("inquiry/consent.html", failed=bool(form.errors) or changed or expired, form=form,
                       version=version, changed=changed or since is not None, expired=expired,
                       earlier=journey.consent(), **(changes_view(version, since) if since else {}))


def _agreed_or_read_before(version):
    """The earlier version after which a customer must agree to `version` again: the one they
    agreed to, or the one they were reading when it changed. None when they need not."""
    agreed = journey.consent()
    label = agreed["version"] if agreed else journey.policy_read()
    return policy_store.earlier_version(version, label) if label and label != version.label else None


@bp.route("/details", methods=["GET", "POST"])
@consent_required
def details():
    form = DetailsForm(data=journey.answers()) if request.method == "POST" else journey.saved_details()
    if switch_to := language.switch_posted():
        journey.save_unchecked(form.answers())     # as typed: checked when they continue
        return in_language(switch_to, "inquiry.details")
    if form.is_submitted() and form.looks_automated():     # shown again, nothing saved
        return render_step("inquiry/details.html", failed=True, form=form, advice=form.email_advice(),
                           send_again=True)
    if form.is_submitted() and request.form.get("apply_fix"):
        form.apply_fix(request.form["apply_fix"])
    elif form.validate_on_submit() and not form.hold_for_unseen_suggestion():
        journey.save_answers(form.answers())
        return go_to("inquiry.confirm")
    if form.is_submitted():
        journey.save_answers(form.answers())  # a reload or "back" must not lose what was typed
    return render_step("inquiry/details.html", failed=bool(form.errors), form=form,
                       advice=form.email_advice())


@bp.post("/email-advice")
@abuse_limits.email_advice
def email_advice():
    """Inline advice while the address is typed: just the advice fragment. A pause in typing
    gets only what is certain; leaving the field (final=1, static/js/email-advice.js) gets all."""
    address, typing = request.form.get("email", "")[:320], not request.form.get("final")
    # Rendered straight from the Jinja environment: this fragment needs none of the page-wide
    # context processors, and it answers every pause in the customer's typing.
    return current_app.jinja_env.get_template("inquiry/_email_advice.html").render(
        advice=email_advice_for(address, typing=typing))


@bp.get("/category-help")
def category_help():
    return render_template("inquiry/_category_help.html", category=request.args.get("category"))


@bp.route("/confirm", methods=["GET", "POST"])
def confirm():
    if switch_to := language.switch_posted():
        return in_language(switch_to, "inquiry.confirm")    # nothing sent: the same answers, to check
    # The draft is read before the key is looked up: a first post that stored the inquiry has
    # discarded the draft only after its commit, so a draft gone means the key's inquiry is found.
    details, form = journey.checked_details(), FlaskForm()
    if form.validate_on_submit() and journey.sent_before(request.form.get("submission_key")):
        return go_to("inquiry.done")    # a repeated post of this confirm: its inquiry is stored
    return confirm_step(details, form)


@consent_required
def confirm_step(details, form):
    if details is None:
        return go_to("inquiry.details")
    if form.validate_on_submit():
        if not journey.consent_is_current(policy_store.current_version()):
            return go_to("inquiry.start")  # the policy changed since they agreed: ask again
        send(details)
        return go_to("inquiry.done")
    return render_confirm(details, form)


def render_confirm(details, form, expired=False):
    return render_step("inquiry/confirm.html", failed=bool(form.errors) or expired, form=form,
                       answers=details.answers(), category=labels.category(details.category.data),
                       consent_version=journey.consent()["version"],
                       submission_key=journey.submission_key(), expired=expired)


@abuse_limits.sending_inquiry
def send(details):
    """Store and mail the inquiry, within the sending limits (over them: the 429 page, and the
    draft stays). A repeated post of a sent confirm never comes here, so it is never refused."""
    journey.submit(details)


@bp.get("/done")
def done():
    sent = journey.done()
    return render_step("inquiry/done.html", sent=sent) if sent else go_to("inquiry.start")


@bp.errorhandler(CSRFError)
def token_refused(error):
    """A step sent with a token that expired (the page stood open longer than a draft lives,
    WTF_CSRF_TIME_LIMIT) or that the session no longer knows. Nothing is stored, and nothing is
    lost: with htmx the message appears above the form, carrying a fresh token that site.js puts
    into the page, so sending again works; without JavaScript the step is shown again as it was
    sent (its form holds a fresh token), with the message."""
    if request.htmx or not journey.consent():
        return render_template("errors/csrf.html", fresh_token=generate_csrf()), 400
    if request.endpoint == "inquiry.start":
        return render_consent(ConsentForm(), policy_store.current_version(), expired=True)
    if request.endpoint == "inquiry.details":
        form = DetailsForm()
        return render_step("inquiry/details.html", failed=True, form=form, advice=form.email_advice(),
                           expired=True)
    details = journey.checked_details()
    return render_confirm(details, FlaskForm(), expired=True) if details else go_to("inquiry.details")
