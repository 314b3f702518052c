"""The privacy policy: the current version at /privacy, every published one at /privacy/<label>.

Other templates show a version's text with the partial `privacy/_text.html` (variables `version`
and `locale`) or the filters registered here: `version|policy_html(locale)`,
`version|policy_sections(locale)` and `version|policy_title(locale)`.
"""
from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale

from madoguchi.policy.store import versions as policy_store
from madoguchi.policy import revisions
from madoguchi.policy import document as policy_text
from madoguchi.clock import utcnow
from models import PolicyVersion

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
    return render_template(
        "privacy/policy.html", version=shown, locale=str(get_locale()), now=utcnow(),
        current=policy_store.current_version(), versions=_published_newest_first())


def _published_newest_first():
    return list(policy_store.published().order_by(PolicyVersion.effective_at.desc(),
                                                  PolicyVersion.id.desc()))


@bp.app_template_filter("policy_html")
def policy_html(version, locale, as_page=False):
    """The version's text as safe HTML. Included in a page, its title is an <h2> under the page's
    <h1>; `as_page=True` leaves the title out for a page whose <h1> is the title itself."""
    return policy_text.render_policy(
        revisions.text_for(version, locale), current_app.config["PRIVACY_CONTACT_EMAIL"],
        heading_offset=0 if as_page else 1, include_title=not as_page)


@bp.app_template_filter("policy_sections")
def policy_sections(version, locale):
    return policy_text.summary_sections(revisions.text_for(version, locale))


@bp.app_template_filter("policy_title")
def policy_title(version, locale):
    return policy_text.policy_title(revisions.text_for(version, locale))
