"""Support pages: the inquiry inbox, one inquiry with its consent event, status changes and the
開示等請求 checklist. Support staff only; every change goes to the staff actions log."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from htmx_flask import request

import labels
from forms.support import ChecklistForm, InboxFilterForm, StatusForm
from madoguchi.clock import tokyo_today
from madoguchi.inquiries import statuses
from madoguchi.inquiries.store import inbox as inquiry_inbox
from madoguchi.subjects import store as subjects
from views.site import INVALID
from views.staff_auth import current_staff, role_required

bp = Blueprint("support", __name__, url_prefix="/staff")


@bp.get("/support/inbox")
@role_required("support")
def inbox():
    form = InboxFilterForm(request.args)
    if not form.validate():
        return _inbox_page(form, inquiry_inbox.InboxPage([])), INVALID
    return _inbox_page(form, inquiry_inbox.listing(form.status.data, form.category.data,
                                                   form.reference.data, form.cursor.data))


@bp.get("/support/inquiries/<reference>")
@role_required("support")
def inquiry(reference):
    found = inquiry_inbox.find(reference) or abort(404)
    checklist = inquiry_inbox.checklist(found)
    return render_template("staff/support/inquiry.html", **_inquiry_page(
        found, ChecklistForm(checklist=checklist), checklist))


@bp.post("/support/inquiries/<reference>/status")
@role_required("support")
def change_status(reference):
    found = inquiry_inbox.find(reference) or abort(404)
    form = StatusForm()
    if not form.validate_on_submit():
        return _status_refused(found, _("Choose one of the statuses offered."))
    try:
        inquiry_inbox.change_status(found, form.status.data, current_staff().email, seen=form.current.data)
    except inquiry_inbox.StatusRefused as refused:
        return _status_refused(found, _refusal_message(refused, form.status.data))
    message = _("The status is now: %(status)s", status=labels.status(found.status))
    if request.htmx:
        return render_template("staff/support/_status.html", inquiry=found, message=message)
    flash(message)
    return redirect(url_for("support.inquiry", reference=found.reference))


@bp.post("/support/inquiries/<reference>/checklist")
@role_required("support")
def save_checklist(reference):
    found = inquiry_inbox.find(reference)
    if found is None or found.category != "disclosure":
        abort(404)
    form = ChecklistForm()
    if not form.validate_on_submit():
        return _checklist_page(found, form, saved=False), INVALID
    inquiry_inbox.save_checklist(found, form.values(), current_staff().email)
    if request.htmx:
        return _checklist_page(found, ChecklistForm(checklist=inquiry_inbox.checklist(found)), saved=True)
    flash(_("The checklist is saved."))
    return redirect(url_for("support.inquiry", reference=found.reference))


def _inbox_page(form, listing):
    return render_template("staff/support/inbox.html", form=form, listing=listing,
                           counts=inquiry_inbox.counts_by_status(form.category.data))


def _inquiry_page(found, checklist_form, checklist):
    return {"inquiry": found, "event": inquiry_inbox.consent_event_of(found),
            "consent_now": subjects.consent_now(found),
            "undelivered": inquiry_inbox.undelivered_acknowledgement(found),
            "checklist_form": checklist_form, "checklist": checklist,
            "today": tokyo_today()}


def _checklist_page(found, form, saved):
    checklist = inquiry_inbox.checklist(found)
    if request.htmx:
        return render_template("staff/support/_checklist.html", inquiry=found, checklist_form=form,
                               checklist=checklist, today=tokyo_today(), saved=saved)
    return render_template("staff/support/inquiry.html", **_inquiry_page(found, form, checklist))


def _status_refused(found, message):
    """The status control again with the inquiry's current status and why nothing changed (422)."""
    if request.htmx:
        return render_template("staff/support/_status.html", inquiry=found, refusal=message), INVALID
    checklist = inquiry_inbox.checklist(found)
    return render_template("staff/support/inquiry.html", refusal=message, **_inquiry_page(
        found, ChecklistForm(checklist=checklist), checklist)), INVALID


def _refusal_message(refused, wanted):
    now = labels.status(refused.current)
    if refused.reason == statuses.CHANGED_MEANWHILE:
        return _("Someone else changed the status meanwhile, so nothing was changed. It is now: %(status)s",
                 status=now)
    if refused.reason == statuses.UNCHANGED:
        return _("The status is already %(status)s.", status=now)
    return _("An inquiry that is %(current)s cannot become %(wanted)s: choose a later status, or go back "
             "one step.", current=now, wanted=labels.status(wanted))
