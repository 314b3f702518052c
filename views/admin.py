"""Admin pages: the policy versions — list, draft, preview, diff, publish behind a confirmation.

Only drafts are editable; a published version has no edit page at all (404), and the database
refuses to change it anyway. The public "the policy was revised" notice that follows a significant
change is views/site.py's (templates/_policy_notice.html).
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from htmx_flask import request

from forms.staff import PolicyDraftForm, PublishForm, draft_form_data
from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin
from madoguchi.policy.store import versions as policy_store
from views.staff_auth import current_staff, format_jst, role_required

bp = Blueprint("admin", __name__, url_prefix="/staff")


@bp.get("/admin/policies")
@role_required("admin")
def policies():
    return render_template("staff/admin/policies.html", groups=policy_admin.grouped(utcnow()))


@bp.route("/admin/policies/new", methods=["GET", "POST"], defaults={"version_id": None})
@bp.route("/admin/policies/<int:version_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit_draft(version_id):
    draft = (policy_admin.draft_by_id(version_id) or abort(404)) if version_id else None
    form = PolicyDraftForm(data=draft_form_data(draft or policy_store.current_version(), draft is None),
                           draft_id=version_id)
    if not form.validate_on_submit():
        return render_template("staff/admin/edit.html", form=form, draft=draft), 400 if form.errors else 200
    draft = policy_admin.save_draft(form.draft_values(), current_staff().email, draft)
    flash(_("Draft %(label)s is saved. Check the preview and the differences before publishing.",
            label=draft.label))
    return redirect(url_for("admin.preview", version_id=draft.id))


@bp.get("/admin/policies/<int:version_id>")
@role_required("admin")
def preview(version_id):
    version = policy_admin.version_by_id(version_id) or abort(404)
    return render_template("staff/admin/preview.html", version=version, locale=_shown_locale(),
                           status=_status(version))


@bp.get("/admin/policies/<int:version_id>/diff")
@role_required("admin")
def diff(version_id):
    version = policy_admin.version_by_id(version_id) or abort(404)
    current, locale = policy_store.current_version(), _shown_locale()
    rows = revisions.side_by_side(revisions.text_for(current, locale), revisions.text_for(version, locale))
    return render_template("staff/admin/diff.html", version=version, current=current, locale=locale,
                           rows=rows)


@bp.route("/admin/policies/<int:version_id>/publish", methods=["GET", "POST"])
@role_required("admin")
def publish(version_id):
    draft = policy_admin.draft_by_id(version_id) or abort(404)
    if not revisions.is_label(draft.label):     # saved before labels had to be slugs
        flash(_("Give this draft a label of letters and digits (dots, hyphens and underscores inside) "
                "before you publish it."))
        return redirect(url_for("admin.edit_draft", version_id=draft.id))
    form = PublishForm(draft)
    if not form.validate_on_submit():
        return render_template("staff/admin/publish.html", draft=draft, form=form,
                               now=utcnow()), 400 if form.errors else 200
    try:
        version = policy_admin.publish(draft, current_staff().email, summaries=form.summaries())
    except revisions.PolicyError:
        abort(409)   # published a moment ago from another tab; nothing changed
    flash(_("Version %(label)s is published. It takes effect on %(time)s.",
            label=version.label, time=format_jst(version.effective_at)))
    return redirect(url_for("admin.policies"))


def _shown_locale():
    return "en" if request.args.get("locale") == "en" else "ja"


def _status(version):
    now = utcnow()
    return revisions.status_of(version, policy_store.current_version(now), now)
