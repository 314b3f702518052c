"""Public reading pages: the contact page and the FAQ, both showing whether the centre is open now."""
from flask import Blueprint, redirect, render_template, url_for

from views.site import centre_status

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return redirect(url_for("pages.contact"))


@bp.get("/contact")
def contact():
    return render_template("pages/contact.html", status=centre_status())


@bp.get("/faq")
def faq():
    return render_template("pages/faq.html", status=centre_status())
