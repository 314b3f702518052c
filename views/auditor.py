"""Auditor pages: the consent ledger browser with counts and a chart, finding one person, the export
download, "verify now", and the staff actions log. Auditors only. Nothing here changes
the ledger: the POSTs (person, export, verify) only read, and are POSTs so that an email never
reaches a URL and a long job is never started by following a link."""

from flask import Blueprint, Response, current_app, redirect, render_template, stream_with_context, url_for
from flask_babel import gettext as _
from htmx_flask import request

from forms.audit import ExportForm, FindPersonForm, LedgerFilterForm, VerifyForm
from madoguchi import svg_chart
from madoguchi.clock import utcnow
from madoguchi.ledger.store import audit
from madoguchi.ledger.store import browse as ledger_browse
from views.parameters import query_int
from views.site import INVALID
from views.staff_auth import current_staff, role_required

bp = Blueprint("auditor", __name__, url_prefix="/staff")


@bp.get("/audit/ledger")
@role_required("auditor")
def ledger():
    form = LedgerFilterForm(request.args)
    status = 200 if form.validate() else INVALID
    return _ledger_page(form), status


@bp.post("/audit/ledger/person")
@role_required("auditor")
def find_person():
    """The email is turned into its subject key here and only the key goes on (into the URL)."""
    filters, form = LedgerFilterForm(request.args), FindPersonForm()
    if not all([filters.validate(), form.validate_on_submit()]):
        return _ledger_page(filters, person_form=form), INVALID
    subject = audit.find_person(form.email.data, current_app.config["SUBJECT_KEY"], current_staff().email)
    return redirect(url_for("auditor.ledger", **filters.query_args(without=("subject",)), subject=subject), 303)


@bp.post("/audit/ledger/export")
@role_required("auditor")
def export():
    """The export of the chosen days and version, zipped with its manifest, streamed as it is made."""
    filters, form = LedgerFilterForm(request.args), ExportForm()
    if not all([filters.validate(), form.validate_on_submit()]):
        return _ledger_page(filters, export_form=form), INVALID
    chunks = audit.export(form.format.data, current_staff().email, **filters.export_filters(),
                          anchor_path=current_app.config.get("LEDGER_ANCHOR_PATH"),
                          ledger_key=current_app.config["LEDGER_KEY"])
    return _zip_download(chunks, f"consent-ledger-{form.format.data}-{utcnow():%Y%m%dT%H%M%SZ}.zip")


@bp.post("/audit/verify")
@role_required("auditor")
def verify():
    # The CSRF check (CSRFProtect, before every POST) is the only input there is.
    config = current_app.config
    result = audit.verify(config["LEDGER_KEY"], current_staff().email, config.get("LEDGER_ANCHOR_PATH"))
    return render_template("staff/audit/verify.html", result=result)


@bp.get("/audit/actions", endpoint="staff_log")
@role_required("auditor")
def staff_actions():
    action = request.args.get("action", "")[:32]
    entries, older = ledger_browse.staff_actions(action, query_int("before"))
    return render_template("staff/audit/actions.html", entries=entries, older=older, action=action,
                           actions=ledger_browse.staff_action_names())


def _ledger_page(form, person_form=None, export_form=None):
    """The ledger page (or its results fragment) for a validated filter form: with its events and
    counts when the filters are usable, with their errors otherwise."""
    overview = None if form.errors else ledger_browse.overview(
        form.ledger_filter(), form.before.data, form.after.data)
    return render_template("staff/audit/ledger.html", form=form, overview=overview,
                           person_form=person_form or FindPersonForm(),
                           export_form=export_form or ExportForm(), verify_form=VerifyForm(),
                           chart=overview and _day_chart(overview.days))


def _day_chart(days):
    return svg_chart.bar_chart([(f"{day.month}/{day.day}", number) for day, number in days],
                               title=_("Events per day (Japan time)"))


def _zip_download(chunks, name):
    # stream_with_context keeps the request (and its database connection) open while it streams.
    return Response(stream_with_context(chunks), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
