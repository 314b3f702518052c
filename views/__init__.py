"""Blueprints of the site. Each module holds one area; `register_blueprints` binds them all."""
from views import admin, auditor, errors, inquiry, language, pages, privacy, site, staff_auth, support


def register_blueprints(app):
    for module in (language, pages, privacy, inquiry, staff_auth, admin, auditor, support):
        app.register_blueprint(module.bp)
    site.init_app(app)
    errors.init_app(app)
    app.after_request(vary_by_htmx)


def vary_by_htmx(response):
    """A page and its htmx fragment share one URL, so caches must keep them apart."""
    response.vary.add("HX-Request")
    return response
