"""The privacy policy: the current version at /privacy, every published one at /privacy/<label>,
and what changed in a version since the one before it at /privacy/<label>/changes.

Other templates show a version's text with the partial `privacy/_text.html` (variables `version`
and `locale`) or the filters of views/site.py: `version|policy_html(locale)`,
`version|policy_sections(locale)` and `version|policy_title(locale)`; its summary of the changes
with `version|change_summary(locale)` ((text, language)); and what changed with the partial
`privacy/_changes.html` (variables `revision`, `since` and `section_changes` from `changes_view`).
"""
from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale

from madoguchi.clock import utcnow
from madoguchi.policy import changes, revisions
from madoguchi.policy.store import versions as policy_store

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.get("")
def current():
    return _policy_page(policy_store.current_version())


@bp.get("/<label>/changes")
def changes_page(label):
    revision = policy_store.by_label(label) or abort(404)
    return render_template("privacy/changes.html", **changes_view(revision, policy_store.earlier_version(revision)))


@bp.get("/<path:label>")
def version(label):
    return _policy_page(policy_store.by_label(label))


def _policy_page(shown):
    if shown is None:
        abort(404)
    now = utcnow()
    return render_template(
        "privacy/policy.html", version=shown, locale=str(get_locale()), now=now,
        current=policy_store.current_version(now),
        versions=list(reversed(policy_store.published_versions())))   # newest first


def changes_view(revision, since):
    """What `privacy/_changes.html` shows: `revision`'s sections that differ from `since` (an
    earlier version, or None for the first one), in the page's language."""
    locale = str(get_locale())
    section_changes = changes.what_changed(
        revisions.text_for(since, locale), revisions.text_for(revision, locale),
        current_app.config["PRIVACY_CONTACT_EMAIL"]) if since else ()
    return {"revision": revision, "since": since, "section_changes": section_changes, "locale": locale,
            "summarised_versions": policy_store.versions_after(since, revision) if since else [revision]}


@bp.app_template_filter("change_summary")
def change_summary(version, locale):
    """(summary of the changes, the language it is in), for `lang` on the element that shows it."""
    return revisions.summary_in(version, locale)
