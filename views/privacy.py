"""The privacy policy: the current version and every past one."""
from flask import Blueprint, abort, render_template

from madoguchi import policy_store

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.get("")
def current():
    return render_template("privacy/policy.html", version=policy_store.current_version())


@bp.get("/<label>")
def version(label):
    return render_template("privacy/policy.html", version=policy_store.by_label(label) or abort(404))
