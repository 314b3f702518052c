"""What every page and mail shares, registered on the app in one place: the site's clock, the
template filters (opening times, staff times, policy texts) and the context processors (language
switch, staff menu, policy notice, labels), and the translations templates and forms look up, found
once per request and language. Blueprints register only their routes."""
from functools import lru_cache

from babel import dates as babel_dates
from babel import support
from flask import current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape
from peewee import InterfaceError, OperationalError
from wtforms.i18n import messages_path

import labels
from madoguchi import clock
from madoguchi.business_calendar import calendar_from_config
from madoguchi.japanese_text import mark_japanese
from madoguchi.ledger.canonical import event_time
from madoguchi.policy import document as policy_text
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin
from madoguchi.policy.store import versions as policy_store
from views import staff_auth

# A form that cannot be used as sent: the page again with its errors. htmx swaps 422 answers in
# (base.html's responseHandling), so one status serves with and without JavaScript.
INVALID = 422


def now():
    """Now (naive UTC) for everything the site shows and promises: real time, unless the setting
    CLOCK_NOW holds an ISO 8601 moment (tests and demos show the site as it is at that moment)."""
    return clock.now(current_app.config.get("CLOCK_NOW"))


def centre_status():
    """The customer centre's OpenStatus right now (see madoguchi/business_calendar.py)."""
    return calendar_from_config(current_app.config).status(now())


def opening_time(moment):
    """A moment as customers read it (pages, mail, receipts): in Asia/Tokyo whatever the server's
    zone, with weekday and year, and in English with the zone's name, since an English reader may
    be anywhere: "Thu 3 December 2026, 12:00 JST" / "2026年12月3日（木）12:00". A naive moment is UTC."""
    # Translators: a Babel date pattern; Japanese uses "y年M月d日（E）HH:mm".
    return babel_dates.format_datetime(clock.in_tokyo(moment), _("EEE d MMMM y, HH:mm 'JST'"),
                                       tzinfo=clock.TOKYO, locale=get_locale())


# A published text never changes, so each is parsed and rendered once per process:
# (text, contact address) → RenderedPolicy. Keyed by the text itself, not by label or hash, so
# nothing but that very text can ever be shown from it. Drafts are never kept: admins edit them.
_rendered_published = {}
_RENDERED_KEPT = 64      # far more texts than a process ever shows; a bound all the same


def rendered_policy(version, locale):
    """The version's text in `locale`, parsed and rendered (policy.document.RenderedPolicy)."""
    text, contact = revisions.text_for(version, locale), current_app.config["PRIVACY_CONTACT_EMAIL"]
    if version.published_at is None:
        return policy_text.rendered(text, contact)
    kept = _rendered_published.get((text, contact))
    if kept is None:
        if len(_rendered_published) >= _RENDERED_KEPT:
            _rendered_published.clear()
        kept = _rendered_published[(text, contact)] = policy_text.rendered(text, contact)
    return kept


def policy_html(version, locale, as_page=False):
    """The version's text as safe HTML. Included in a page, its title is an <h2> under the page's
    <h1>; `as_page=True` leaves the title out for a page whose <h1> is the title itself."""
    shown = rendered_policy(version, locale)
    html = shown.page_html if as_page else shown.html
    # The English text names some things in Japanese too (the company's registered name): marked.
    return Markup(_japanese_marked_html(html)) if locale == "en" else html


# Marking a policy's HTML takes ~0.4 ms; the same text gives the same HTML, so it is done once.
_japanese_marked_html = lru_cache(maxsize=_RENDERED_KEPT)(mark_japanese)


def policy_sections(version, locale):
    return rendered_policy(version, locale).sections


def policy_title(version, locale):
    return rendered_policy(version, locale).title


def ja_phrase(text):
    """Japanese words on a page of any language, marked as Japanese (lang="ja") for screen readers
    and fonts; a translated message takes it as a placeholder: _("… (%(name)s) …", name=ja_phrase("…"))."""
    return Markup('<span lang="ja">%s</span>') % text


def japanese_marked(text):
    """Plain text (escaped) with its Japanese runs marked lang="ja" on a page not in Japanese:
    messages that name Japanese settings, e.g. the email advice's carrier steps."""
    if str(get_locale()) == "ja":
        return text
    return Markup(mark_japanese(str(escape(text))))


def language_links():
    if not has_request_context():
        return {}   # mail written outside a request (the outbox mending a crash) has no switch
    here = request.full_path.rstrip("?")
    other = "en" if str(get_locale()) == "ja" else "ja"
    return {"current_locale": str(get_locale()), "other_language": other,
            "other_language_url": url_for("language.switch", code=other, next=here)}


def staff_helpers():
    return {"current_staff": staff_auth.current_staff, "staff_menu": staff_auth.staff_menu,
            "role_names": labels.ROLE_NAMES}


def policy_notice():
    """`policy_notice()` for templates: the recent significant version, or None. Lazy, so a
    fragment that never shows the notice costs no query. A page is worth more than its notice:
    when the database cannot answer, the page is shown without it."""
    def recent_change():
        try:
            return policy_admin.recent_significant_change(clock.utcnow(), current_app.config["POLICY_NOTICE_DAYS"])
        except (OperationalError, InterfaceError):
            current_app.logger.warning("policy notice left out: the database did not answer")
            return None
    return {"policy_notice": recent_change}


def names_of_codes():
    """`labels.category(code)` and the like, and `event_time(text)` for the ledger's stored times."""
    return {"labels": labels, "event_time": event_time}


# Translations looked up once per request, not once per message. Flask-Babel finds a template
# message's catalog anew for each of the ~35 messages of a page (the current locale through
# three lookups of flask.g, then its name as text: ~12 µs a message, a third of a page's time).
# The catalog found is kept on Flask-Babel's own per-request state with the locale and domain it
# was found for, so force_locale (mail written in the inquiry's language) still gets its own.
def current_translations():
    try:
        state = g._flask_babel                  # one lookup through flask.g
        locale = state.babel_locale
    except (AttributeError, RuntimeError):      # the request's first message, or no app context
        return get_translations()
    if locale is None:                          # force_locale put back "not chosen yet"
        return get_translations()
    kept = state.__dict__.get("madoguchi_translations")
    domain = state.__dict__.get("babel_domain")
    if kept is None or kept[0] is not locale or kept[1] is not domain:
        kept = state.madoguchi_translations = (locale, domain, get_translations())
    return kept[2]


def _install_template_gettext(jinja_env):
    jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True)


# WTForms' own messages ("This field is required." in Japanese): Flask-WTF reads their catalog
# from its .mo file again on every request that shows or checks a form (~0.15 ms each). Read once
# per language per process instead; the language is the request's, as Flask-WTF's would be.
_wtforms_catalogs = {}


class _WtformsMessages:
    @staticmethod
    def _catalog():
        locale = get_locale()
        catalog = _wtforms_catalogs.get(str(locale))
        if catalog is None:
            catalog = _wtforms_catalogs[str(locale)] = support.Translations.load(
                messages_path(), [locale], domain="wtforms")
        return catalog

    def ugettext(self, string):
        return self._catalog().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._catalog().ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WtformsMessages()


def wtforms_messages_kept():
    """Hand Flask-WTF the kept catalogs (it looks for them on the request before loading its own)."""
    request.wtforms_translations = _WTFORMS_MESSAGES


def unchanging_part(template_name):
    """A part of a page that is the same for every visitor in a language (no status, no form,
    nothing about the person or the time), rendered once per language per process: the contact
    page's seventy translated sentences cost more than the rest of the page. Rendered afresh while
    templates reload (debug), so editing them shows at once."""
    parts = current_app.extensions.setdefault("unchanging_parts", {})
    key = (template_name, str(get_locale()))
    if key not in parts or current_app.jinja_env.auto_reload:
        parts[key] = Markup(current_app.jinja_env.get_template(template_name).render())
    return parts[key]


FILTERS = {"opening_time": opening_time, "policy_html": policy_html, "japanese_marked": japanese_marked,
           "policy_sections": policy_sections, "policy_title": policy_title}
CONTEXT_PROCESSORS = (language_links, staff_helpers, policy_notice, names_of_codes)


def init_app(app):
    policy_store.keep_published_copy(app.extensions["database"], app.config["POLICY_CACHE_SECONDS"])
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["unchanging_part"] = unchanging_part
    app.jinja_env.globals["ja_phrase"] = ja_phrase
    _install_template_gettext(app.jinja_env)
    app.before_request(wtforms_messages_kept)
    for processor in CONTEXT_PROCESSORS:
        app.context_processor(processor)
