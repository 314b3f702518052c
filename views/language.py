"""Which language a page is shown in, and the visible switch between Japanese and English.

Order: the visitor's explicit choice (a cookie set by the switch), then Accept-Language, then
Japanese. The choice sticks for a year.
"""
from flask import Blueprint, current_app, redirect, request, url_for

from views.navigation import local_path

bp = Blueprint("language", __name__)
COOKIE = "lang"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


@bp.get("/language/<code>")
def switch(code):
    response = redirect(local_path(request.args.get("next")) or url_for("pages.contact"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
