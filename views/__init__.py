"""Blueprints of the site. Each module holds one area; `register_blueprints` binds them all."""
from views import admin, auditor, errors, inquiry, language, pages, privacy, staff_auth, support


def register_blueprints(app):
    for module in (language, pages, privacy, inquiry, staff_auth, admin, auditor, support):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    language.init_app(app)
