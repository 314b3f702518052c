"""Which language a page is shown in, and the visible switch between Japanese and English.

Order: the visitor's explicit choice (a cookie set by the switch), then Accept-Language, then
Japanese. The choice sticks for a year.

On most pages the switch is a link to /language/<code>. On a form step it is a button that posts
the step's form with `switch_language=<code>` (templates/_language_switch.html), so the step can
keep what was typed before it comes back in the other language (views/inquiry.py).
"""
from flask import Blueprint, current_app, redirect, request, url_for

from views.navigation import local_path

bp = Blueprint("language", __name__)
COOKIE = "lang"
SWITCH_FIELD = "switch_language"    # the name of a form step's switch button


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def remember(response, code):
    """`response`, setting the visitor's choice of language `code` (when it is one of ours)."""
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def switch_posted():
    """The language a form step's switch button asks for, when it is what posted the form; else None."""
    code = request.form.get(SWITCH_FIELD) if request.method == "POST" else None
    return code if code in current_app.config["LANGUAGES"] else None


@bp.get("/language/<code>")
def switch(code):
    return remember(redirect(local_path(request.args.get("next")) or url_for("pages.contact")), code)
