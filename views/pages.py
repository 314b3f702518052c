"""Public reading pages: the contact page and the FAQ, both showing whether the centre is open now."""
from datetime import datetime

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import format_datetime, gettext as _

import models
from madoguchi.business_calendar import calendar_from_config

bp = Blueprint("pages", __name__)


def clock_now():
    """Now, for everything the site shows about opening hours.

    Real time (naive UTC, `models.utcnow()`) unless app.config["CLOCK_NOW"] holds an ISO 8601
    moment such as "2026-11-27T18:00:00+09:00" (naive means UTC): tests and demos set it to show the
    pages as they look at that moment.
    """
    fixed = current_app.config.get("CLOCK_NOW")
    return datetime.fromisoformat(fixed) if fixed else models.utcnow()


def centre_status():
    """The customer centre's OpenStatus right now (see madoguchi/business_calendar.py)."""
    return calendar_from_config(current_app.config).status(clock_now())


@bp.app_template_filter("opening_time")
def opening_time(moment):
    """A moment in Asia/Tokyo with its weekday: "Wed 25 Nov 12:00" / "11月25日(水) 12:00"."""
    # Translators: a Babel date pattern; Japanese uses "M月d日(E) HH:mm".
    return format_datetime(moment, _("EEE d MMM HH:mm"))


@bp.get("/")
def home():
    return redirect(url_for("pages.contact"))


@bp.get("/contact")
def contact():
    return render_template("pages/contact.html", status=centre_status())


@bp.get("/faq")
def faq():
    return render_template("pages/faq.html", status=centre_status())
