"""Which language a page is shown in, and the visible switch between Japanese and English.

Order: the visitor's explicit choice (a cookie set by the switch), then Accept-Language, then
Japanese. The choice sticks for a year.
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import get_locale

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
    target = _safe_next(request.args.get("next"))
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def _safe_next(target):
    """Only paths on this site: the switch must not become an open redirect."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.contact")
    return target


def init_app(app):
    @app.context_processor
    def language_links():
        here = request.full_path.rstrip("?") if request else "/"
        other = "en" if str(get_locale()) == "ja" else "ja"
        return {"current_locale": str(get_locale()), "other_language": other,
                "other_language_url": url_for("language.switch", code=other, next=here)}
