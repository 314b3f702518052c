"""The madoguchi site: the application factory.

`flask --app app run` finds `create_app` here. Everything that needs the app (database, mail,
translations, blueprints, CLI commands) is bound in this one function, so tests can build as many
independent apps as they like, each over its own temporary database.
"""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import commands
from extensions import babel, csrf, database, htmx, limiter, mail
from madoguchi import database_setup, settings
from views import register_blueprints
from views.language import select_locale


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True)
    settings.private_folder(app.instance_path)     # keys, the SQLite database, the mail sink
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a reverse proxy the client's address arrives in X-Forwarded-For; trust exactly as
        # many hops as we run, so a visitor cannot forge the (truncated) address we record.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"])

    database.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)      # builds messages only (see extensions.py)
    limiter.init_app(app)
    register_blueprints(app)
    commands.init_app(app)
    if app.config["AUTO_INIT_DB"]:
        with app.app_context():
            database_setup.create_schema()
    return app
