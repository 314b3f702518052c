"""Public reading pages: the contact page and the FAQ."""
from flask import Blueprint, redirect, render_template, url_for

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return redirect(url_for("pages.contact"))


@bp.get("/contact")
def contact():
    return render_template("pages/contact.html")


@bp.get("/faq")
def faq():
    return render_template("pages/faq.html")
