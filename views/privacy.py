"""The privacy policy: the current version at /privacy, every published one at /privacy/<label>.

Other templates show a version's text with the partial `privacy/_text.html` (variables `version`
and `locale`) or the filters of views/site.py: `version|policy_html(locale)`,
`version|policy_sections(locale)` and `version|policy_title(locale)`.
"""
from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from madoguchi.clock import utcnow
from madoguchi.policy.store import versions as policy_store

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.get("")
def current():
    return _policy_page(policy_store.current_version())


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
