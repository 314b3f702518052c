"""The progressive inquiry form: consent, details, confirm, done."""
from flask import Blueprint, render_template

bp = Blueprint("inquiry", __name__, url_prefix="/contact/form")


@bp.get("")
def start():
    return render_template("inquiry/consent.html")
