"""What every page and mail shares, registered on the app in one place: the site's clock, the
template filters (opening times, staff times, policy texts) and the context processors (language
switch, staff menu, policy notice, labels). Blueprints register only their routes."""
from flask import current_app, has_request_context, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

import labels
from madoguchi import clock
from madoguchi.business_calendar import calendar_from_config
from madoguchi.ledger.canonical import event_time
from madoguchi.policy import document as policy_text
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin
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
    """A moment in Asia/Tokyo with its weekday: "Wed 25 Nov 12:00" / "11月25日(水) 12:00"."""
    # Translators: a Babel date pattern; Japanese uses "M月d日(E) HH:mm".
    return format_datetime(moment, _("EEE d MMM HH:mm"))


def policy_html(version, locale, as_page=False):
    """The version's text as safe HTML. Included in a page, its title is an <h2> under the page's
    <h1>; `as_page=True` leaves the title out for a page whose <h1> is the title itself."""
    return policy_text.render_policy(
        revisions.text_for(version, locale), current_app.config["PRIVACY_CONTACT_EMAIL"],
        heading_offset=0 if as_page else 1, include_title=not as_page)


def policy_sections(version, locale):
    return policy_text.summary_sections(revisions.text_for(version, locale))


def policy_title(version, locale):
    return policy_text.policy_title(revisions.text_for(version, locale))


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
    fragment that never shows the notice costs no query."""
    def recent_change():
        return policy_admin.recent_significant_change(clock.utcnow(), current_app.config["POLICY_NOTICE_DAYS"])
    return {"policy_notice": recent_change}


def names_of_codes():
    """`labels.category(code)` and the like, and `event_time(text)` for the ledger's stored times."""
    return {"labels": labels, "event_time": event_time}


FILTERS = {"opening_time": opening_time, "policy_html": policy_html,
           "policy_sections": policy_sections, "policy_title": policy_title}
CONTEXT_PROCESSORS = (language_links, staff_helpers, policy_notice, names_of_codes)


def init_app(app):
    app.jinja_env.filters.update(FILTERS)
    for processor in CONTEXT_PROCESSORS:
        app.context_processor(processor)
