"""Error pages: every failure a visitor can cause gets a translated page and a 4xx, never a 500."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

import models


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        return render_template("errors/http.html", error=error), error.code

    @app.errorhandler(Exception)
    def unexpected(error):
        # Roll back whatever the request had begun: nothing half-written may stay.
        if not models.database.is_closed() and models.database.in_transaction():
            models.database.rollback()
        app.logger.exception("unexpected error on %s", _path_only())
        return render_template("errors/http.html", error=None), 500


def _path_only():
    from flask import request
    return request.path  # the path, never the query string or the form: no personal data in logs
