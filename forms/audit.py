"""Forms of the auditor's pages: the ledger filters (a GET form, so filtered pages can be linked),
finding one person by email (a POST form, so the email never reaches a URL), export and verify."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

import labels
from forms.fields import CursorField, DayField
from madoguchi.ledger.canonical import KINDS
from madoguchi.ledger.store.browse import LedgerFilter, version_labels

EXPORT_FORMATS = [("csv", _l("CSV (opens in Excel)")), ("jsonl", _l("JSON Lines (for programs)"))]
FILTER_FIELDS = ("date_from", "date_to", "version", "kind", "subject")


class LedgerFilterForm(FlaskForm):
    """Read from the query string; no CSRF, because it only reads."""
    class Meta:
        csrf = False

    date_from = DayField(_l("From (Japan time)"), validators=[Optional()])
    date_to = DayField(_l("To (Japan time)"), validators=[Optional()])
    version = SelectField(_l("Policy version"), default="", validate_choice=True)
    kind = SelectField(_l("Kind"), default="", validate_choice=True)
    subject = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{64}$", message=_l(
        "This link to one person is damaged. Search for the person by email address again."))])
    before = CursorField(validators=[Optional()])
    after = CursorField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version.choices = [("", gettext("All versions"))] + [
            (label, label) for label in version_labels(LedgerFilter())]
        self.kind.choices = [("", gettext("All kinds"))] + [(kind, labels.kind(kind)) for kind in KINDS]
        for field in (self.date_from, self.date_to, self.version, self.kind, self.before, self.after):
            field.gettext = gettext

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(gettext("The end date must be on or after the start date."))

    def ledger_filter(self):
        return LedgerFilter(self.date_from.data, self.date_to.data, self.version.data or "",
                            self.kind.data or "", self.subject.data or "")

    def export_filters(self):
        """The filters the export knows (as `flask --app app ledger export`): days and version."""
        return {"since": self.date_from.data, "until": self.date_to.data,
                "version": self.version.data or None}

    def query_args(self, without=()):
        """The filters as query-string arguments (dates as YYYY-MM-DD), empty ones left out."""
        values = {name: getattr(self, name).data for name in FILTER_FIELDS if name not in without}
        return {name: (value.isoformat() if hasattr(value, "isoformat") else value)
                for name, value in values.items() if value}


class FindPersonForm(FlaskForm):
    email = EmailField(_l("One person's email address"), validators=[
        DataRequired(_l("Enter the email address of the person to look for")), Length(max=254)])


class ExportForm(FlaskForm):
    format = SelectField(_l("File format"), choices=EXPORT_FORMATS, default="csv", validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.format.choices = [(value, str(label)) for value, label in EXPORT_FORMATS]
        self.format.gettext = gettext


class VerifyForm(FlaskForm):
    """Only the CSRF token: verifying reads the ledger, but takes long enough not to be a link."""
