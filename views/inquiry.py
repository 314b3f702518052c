"""The progressive inquiry form: 1 consent, 2 details, 3 confirm, 4 done.

Every step works as a plain form post with full pages; with htmx the same routes answer with the
step's fragment and move on with HX-Location, so history and the back button keep working.
A step that fails validation answers 422 with the customer's input and the errors.
"""
from functools import wraps

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from htmx_flask import make_response, request

import labels
from forms.inquiry import ConsentForm, DetailsForm, email_advice_for
from madoguchi.policy.store import versions as policy_store
from views import abuse_limits, journey
from views.site import INVALID

bp = Blueprint("inquiry", __name__, url_prefix="/contact/form")


def go_to(endpoint):
    """Next step: a 303 redirect, or for htmx an HX-Location that swaps in the step's fragment."""
    url = url_for(endpoint)
    if request.htmx:
        return make_response("", 200, location={"path": url, "target": "#main"})
    return redirect(url, 303)


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
    version = policy_store.current_version()
    form = ConsentForm(policy_version=version.label)
    changed = form.is_submitted() and form.policy_version.data != version.label
    if form.validate_on_submit() and not changed:
        journey.give_consent(version)
        return go_to("inquiry.confirm" if journey.checked_details() else "inquiry.details")
    if changed:  # the policy changed while the page was open: show the new one, unticked
        form.policy_version.data, form.agree.data = version.label, False
    return render_step("inquiry/consent.html", failed=bool(form.errors) or changed, form=form,
                       version=version, changed=changed, earlier=journey.consent())


@bp.route("/details", methods=["GET", "POST"])
@consent_required
def details():
    form = DetailsForm(data=journey.answers()) if request.method == "POST" else journey.saved_details()
    if form.is_submitted() and form.looks_automated():     # shown again, nothing saved
        return render_step("inquiry/details.html", failed=True, form=form, advice=form.email_advice(),
                           send_again=True)
    if form.is_submitted() and request.form.get("apply_fix"):
        form.apply_fix(request.form["apply_fix"])
    elif form.validate_on_submit() and not form.suggestion_unseen():
        journey.save_answers(form.answers())
        return go_to("inquiry.confirm")
    if form.is_submitted():
        journey.save_answers(form.answers())  # a reload or "back" must not lose what was typed
    return render_step("inquiry/details.html", failed=bool(form.errors), form=form,
                       advice=form.email_advice())


@bp.post("/email-advice")
@abuse_limits.email_advice
def email_advice():
    """Inline advice while the address is typed: just the advice fragment."""
    address = request.form.get("email", "")[:320]
    # Rendered straight from the Jinja environment: this fragment needs none of the page-wide
    # context processors, and it answers every pause in the customer's typing.
    return current_app.jinja_env.get_template("inquiry/_email_advice.html").render(
        advice=email_advice_for(address))


@bp.get("/category-help")
def category_help():
    return render_template("inquiry/_category_help.html", category=request.args.get("category"))


@bp.route("/confirm", methods=["GET", "POST"])
def confirm():
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
    return render_step("inquiry/confirm.html", failed=bool(form.errors), form=form, answers=details.answers(),
                       category=labels.category(details.category.data),
                       consent_version=journey.consent()["version"],
                       submission_key=journey.submission_key())


@abuse_limits.sending_inquiry
def send(details):
    """Store and mail the inquiry, within the sending limits (over them: the 429 page, and the
    draft stays). A repeated post of a sent confirm never comes here, so it is never refused."""
    journey.submit(details)


@bp.get("/done")
def done():
    sent = journey.done()
    return render_step("inquiry/done.html", sent=sent) if sent else go_to("inquiry.start")
