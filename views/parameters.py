"""Numbers in URLs and query strings, read one way: through madoguchi/query_params.py's bounds.

`<int:...>` in every route takes only an id the database can hold (else 404, where werkzeug's own
converter would pass 40 digits on to an OverflowError), and `query_int` reads a number from the
query string, answering 400 (the translated error page) when it is not one.
"""
from flask import abort, request
from werkzeug.routing import IntegerConverter, ValidationError

from madoguchi.query_params import LARGEST_ID, OddParameter, bounded_int


class BoundedIntegerConverter(IntegerConverter):
    """werkzeug's `int` converter (its `min`, `max` and `signed`), bounded to LARGEST_ID."""

    def to_python(self, value):
        lowest = self.min if self.min is not None else (-LARGEST_ID if self.signed else 0)
        try:
            return bounded_int(value, lowest, LARGEST_ID if self.max is None else self.max)
        except OddParameter as refused:
            raise ValidationError() from refused


def init_app(app):
    """Before any blueprint is registered: rules take their converters when they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def query_int(name, lowest=1, highest=LARGEST_ID):
    """request.args[name] as an int in [lowest, highest], None when absent or empty; 400 else."""
    try:
        return bounded_int(request.args.get(name), lowest, highest)
    except OddParameter:
        abort(400)
