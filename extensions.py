"""Flask extensions, created unbound and bound to an app in `create_app` (microblog's pattern).

Mail has none: Flask-Mail builds the messages (notifications.py), but sending goes through
madoguchi/outbox/transport.py, which gives every SMTP wait a timeout (Flask-Mail's has none)."""
from flask import current_app, has_app_context
from flask_babel import Babel
from flask_wtf import CSRFProtect
from htmx_flask import Htmx

import models


class Database:
    """Each app's own Peewee database, opened from its DATABASE_URL. The models reach it through
    `models.database`, which follows whichever app's context is active, so two apps built in one
    process (as the tests do) never share or re-point a database."""

    def init_app(self, app):
        config = app.config
        app.extensions["database"] = models.open_database(
            config["DATABASE_URL"], lock_timeout=config["LEDGER_LOCK_TIMEOUT"],
            pool_size=config["DATABASE_POOL_SIZE"], pool_max_age=config["DATABASE_POOL_MAX_AGE"])
        models.database.follow(_current_database)
        # No connection is opened up front: Peewee connects on a request's first query, so pages
        # that need no data (static files, inline email advice) never pay for one.
        app.teardown_appcontext(_close)


def _current_database():
    return current_app.extensions["database"] if has_app_context() else None


def _close(exc):
    """After each request (and each app context, such as a mail delivery thread's), hand this
    thread's connection back: to the pool on PostgreSQL, where it waits for the thread's next
    request; a connection the server dropped meanwhile is discarded there (see models.PostgresPool),
    so the site recovers by itself when the database comes back."""
    if not models.database.is_closed():
        models.database.close()


babel = Babel()
csrf = CSRFProtect()
database = Database()
htmx = Htmx()
