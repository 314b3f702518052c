"""Form fields that read numbers and days through madoguchi/query_params.py: bounded, so a
40-digit cursor or 9999-12-31 is a field error (and a 4xx page), never an OverflowError."""
from flask_babel import gettext
from wtforms import DateField, DateTimeLocalField, IntegerField
from wtforms.validators import ValidationError

from madoguchi.query_params import (EARLIEST_DAY, LARGEST_ID, LATEST_DAY, OddParameter, OutOfBounds, bounded_day,
                                    bounded_int, day_in_bounds)


class CursorField(IntegerField):
    """A page link's position (an id or seq, as the previous page wrote it): 1 .. LARGEST_ID."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = bounded_int(valuelist[0], 1, LARGEST_ID)
            except OddParameter as refused:
                self.data = None
                raise ValueError(gettext("This page link is damaged. Start again from the first page.")) from refused


class DayField(DateField):
    """A calendar day, YYYY-MM-DD (full-width digits too), within query_params' bounds."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = bounded_day(valuelist[0])
            except OutOfBounds as refused:
                self.data = None
                raise ValueError(_day_out_of_bounds()) from refused
            except OddParameter as refused:
                self.data = None
                raise ValueError(self.gettext("Not a valid date value.")) from refused   # wtforms' own


class MomentField(DateTimeLocalField):
    """A date and time (an <input type="datetime-local">) on a day within query_params' bounds:
    year 1 or 9999 would overflow when moved between Japan time and UTC."""

    def pre_validate(self, form):
        # Here, not while parsing: a DataRequired after it would put its own message in place.
        if self.data is not None and not day_in_bounds(self.data.date()):
            raise ValidationError(_day_out_of_bounds())


def _day_out_of_bounds():
    return gettext("Enter a date from %(first)s to %(last)s (YYYY-MM-DD).",
                   first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat())
