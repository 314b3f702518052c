"""Flask extensions, created unbound and bound to an app in `create_app` (microblog's pattern).

Flask-Mail only builds the messages (notifications.py): sending goes through
madoguchi/outbox/transport.py, which gives every SMTP wait a timeout (Flask-Mail's has none). Its
extension is bound all the same: a Message reads the extension's settings (ascii_attachments) when
it is turned into bytes, and fails without it."""
import logging

from flask import current_app, has_app_context, request
from flask.logging import default_handler
from flask_babel import Babel
from flask_limiter import Limiter
from flask_mail import Mail
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from playhouse.db_url import parse as parse_database_url

import models
from madoguchi import abuse, settings


class Database:
    """Each app's own Peewee database, opened from its DATABASE_URL. The models reach it through
    `models.database`, which follows whichever app's context is active, so two apps built in one
    process (as the tests do) never share or re-point a database."""

    def init_app(self, app):
        config = app.config
        _private_sqlite_file(config["DATABASE_URL"])
        app.extensions["database"] = models.open_database(
            config["DATABASE_URL"], lock_timeout=config["LEDGER_LOCK_TIMEOUT"],
            pool_size=config["DATABASE_POOL_SIZE"], pool_max_age=config["DATABASE_POOL_MAX_AGE"])
        models.database.follow(_current_database)
        # No connection is opened up front: Peewee connects on a request's first query, so pages
        # that need no data (static files, inline email advice) never pay for one.
        app.teardown_appcontext(_close)


def _private_sqlite_file(url):
    """A SQLite database file holds personal data: create it 0600 before SQLite does (0644)."""
    if url.partition("://")[0].startswith("sqlite"):
        path = parse_database_url(url)["database"]
        if path and path != ":memory:" and not path.startswith("file:"):
            settings.private_file(path)


def _current_database():
    return current_app.extensions["database"] if has_app_context() else None


def _close(exc):
    """After each request (and each app context, such as a mail delivery thread's), hand this
    thread's connection back to the pool, where it waits for the thread's next request (on SQLite
    too: see models.SqlitePool); a connection the server dropped meanwhile is discarded there (see
    models.PostgresPool), so the site recovers by itself when the database comes back."""
    if not models.database.is_closed():
        models.database.close()


babel = Babel()
csrf = CSRFProtect()
database = Database()
htmx = Htmx()
mail = Mail()


def client_key():
    """The limiter's key for the client of this request: its address (the proxy's X-Forwarded-For
    once TRUSTED_PROXIES is set, see app.py), hashed; an IPv6 client counts as its /64."""
    return abuse.client_key(request.remote_addr, current_app.config["SECRET_KEY"])


# Abuse limits (views/abuse_limits.py says which, madoguchi/settings.py how many), counted in
# RATELIMIT_STORAGE_URI of the app bound last (one app per process; each test's app starts afresh).
# When a shared store (Redis) cannot be reached, each process counts in its own memory meanwhile,
# with a warning logged, and goes back to the store once it answers again (Flask-Limiter retries
# it with a growing backoff): the limits keep holding, per worker. Any other failure of the store
# lets the request through and is logged (swallow_errors): an inquiry matters more than a count.
# The timeouts keep a store that does not answer from holding a request for long.
limiter = Limiter(
    key_func=client_key, strategy="moving-window", key_prefix="madoguchi", headers_enabled=False,
    in_memory_fallback_enabled=True, swallow_errors=True,
    storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
# Flask-Limiter logs to a logger of its own that reaches no handler: its warnings (the store cannot
# be reached) go where the app's own do. Its keys are hashes, so its lines name no one.
logging.getLogger("flask-limiter").addHandler(default_handler)
