"""Which requests the abuse limits count (Flask-Limiter: extensions.limiter), as decorators:
inquiries sent per client and per recipient, the inline email advice per client, staff sign-in
posts per client and per account. How many each may make is a setting (madoguchi/settings.py),
read on every request; what a key is, madoguchi/abuse.py. A request over a limit gets the 429 page
(views/errors.py), never a wait inside the worker."""
import math
import time
from functools import wraps

from flask import current_app, g, request
from limits.errors import StorageError
from redis.exceptions import RedisError

from extensions import limiter
from madoguchi import abuse

# Retry-After when the store cannot say when a limit frees up (it failed meanwhile).
UNKNOWN_WAIT_SECONDS = 60


def _setting(name):
    return lambda: current_app.config[name]


def _email_key(purpose, email):
    return abuse.email_key(purpose, email or "", current_app.config["SECRET_KEY"])


def _recipient():
    return _email_key("recipient", g.inquiry_recipient)


def _account():
    return _email_key("account", request.form.get("email", ""))


def _stored_now(_response):
    return g.get("inquiry_stored_now", False)


def sending_inquiry(send):
    """Limit `send(details)`, which stores and mails an inquiry, per client and per recipient. It
    runs only when an inquiry is about to be stored (not for a repeated post of a sent confirm,
    which finds its inquiry first: views/inquiry.py), and only an inquiry actually stored counts
    (journey.submit sets g.inquiry_stored_now)."""
    limited = limiter.limit(_setting("INQUIRY_LIMIT_PER_CLIENT"), deduct_when=_stored_now)(
        limiter.limit(_setting("INQUIRY_LIMIT_PER_RECIPIENT"), key_func=_recipient,
                      deduct_when=_stored_now)(send))

    @wraps(send)
    def send_limited(details):
        g.inquiry_recipient = details.email.data     # what _recipient() counts by
        return limited(details)
    return send_limited


# Every pause in typing asks for advice: per client, generously.
email_advice = limiter.limit(_setting("EMAIL_ADVICE_LIMIT_PER_CLIENT"))


def signing_in(view):
    """Limit sign-in posts per client and per account (the email typed, whether it exists or not).
    Every post counts, refused ones too: guessing is what is limited."""
    return limiter.limit(_setting("STAFF_LOGIN_LIMIT_PER_CLIENT"), methods=["POST"])(
        limiter.limit(_setting("STAFF_LOGIN_LIMIT_PER_ACCOUNT"), key_func=_account, methods=["POST"])(view))


def retry_after_seconds():
    """Seconds until the limit this request went over lets one more through (at least 1)."""
    breached = limiter.current_limit
    try:
        return max(1, math.ceil(breached.window.reset_time - time.time())) if breached else UNKNOWN_WAIT_SECONDS
    except (StorageError, RedisError, OSError):
        return UNKNOWN_WAIT_SECONDS
