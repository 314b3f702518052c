"""Blueprints of the site. Each module holds one area; `register_blueprints` binds them all."""
from views import (admin, auditor, errors, headers, inquiry, language, pages, parameters, privacy, site,
                   staff_auth, staff_sessions, support)


def register_blueprints(app):
    parameters.init_app(app)    # first: the routes below take their <int:...> converter from it
    for module in (language, pages, privacy, inquiry, staff_auth, admin, staff_sessions, auditor, support):
        app.register_blueprint(module.bp)
    site.init_app(app)
    errors.init_app(app)
    app.after_request(vary_by_htmx)
    headers.init_app(app)


def vary_by_htmx(response):
    """A page and its htmx fragment share one URL, so caches must keep them apart."""
    response.vary.add("HX-Request")
    return response
