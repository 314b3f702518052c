"""Error pages: every failure gets a translated page, never a traceback or the server's bare
"Internal Server Error". Failures a visitor can cause are 4xx; a database that cannot answer now
(stopped, locked, out of disk, the ledger's lock taken too long) is 503 with Retry-After; anything
else is 500. For htmx requests the same templates answer with their message block alone
(templates/errors/_layout.html). None of these pages reads the database. A request over an abuse
limit (views/abuse_limits.py) gets 429 with Retry-After."""
import math

from flask import render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

import models
from madoguchi.ledger.store.consent_ledger import LedgerBusy
from views import abuse_limits

# OperationalError: the server is down or refuses connections, SQLite is locked, read-only, full or
# failing (disk I/O); InterfaceError: the connection was lost under a request.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, LedgerBusy)
# What we ask clients (and proxies) to wait before trying again: a restart or a busy ledger
# usually passes within this.
RETRY_AFTER_SECONDS = 30


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error):
        wait = abuse_limits.retry_after_seconds()
        return (render_template("errors/too_many.html", minutes=math.ceil(wait / 60)), 429,
                {"Retry-After": str(wait), "Cache-Control": "no-store"})

    @app.errorhandler(HTTPException)
    def http_error(error):
        return render_template("errors/http.html", error=error), error.code

    def database_unavailable(error):
        app.logger.warning("database unavailable on %s: %s: %s", request.path, type(error).__name__, error)
        _give_up_connection()
        return (render_template("errors/unavailable.html"), 503,
                {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"})

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected(error):
        # Roll back whatever the request had begun: nothing half-written may stay.
        if not models.database.is_closed() and models.database.in_transaction():
            models.database.rollback()
        app.logger.exception("unexpected error on %s", request.path)  # the path: no query, no form
        return render_template("errors/http.html", error=None), 500


def _give_up_connection():
    """Roll back and close this request's connection, discarding it rather than pooling it: it may
    be broken (the server restarted), and the next request should open a fresh one."""
    database = models.database
    try:
        if not database.is_closed() and database.in_transaction():
            database.rollback()
        if not database.is_closed():
            getattr(database.obj, "manual_close", database.close)()
    except DATABASE_UNAVAILABLE:
        pass    # a connection that cannot even be closed is gone already
