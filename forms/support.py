"""Forms of the support pages: the inbox filters (GET), the status change and the 開示等請求
checklist (POST, with CSRF)."""
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forms.inquiry import CATEGORIES
from madoguchi.inquiries.store.inbox import NEXT_STATUSES, REQUEST_TYPES, STATUSES, YES

STATUS_NAMES = {"new": _l("New"), "in_progress": _l("In progress"), "answered": _l("Answered"),
                "closed": _l("Closed")}
REQUEST_TYPE_NAMES = {
    "purpose_notification": _l("Notification of the purpose of use"),
    "disclosure": _l("Disclosure"),
    "correction": _l("Correction, addition or deletion"),
    "suspension": _l("Suspension of use or erasure"),
    "third_party_stop": _l("Stopping provision to third parties"),
    "third_party_records": _l("Records of provision to or from third parties"),
}
CHECKBOXES = ("by_agent", "identity_confirmed", "agent_documents", "fee_received", "documents_sent")


def _choices(names, values):
    return [(value, str(names[value])) for value in values]


class InboxFilterForm(FlaskForm):
    """Read from the query string; no CSRF, because it only reads."""
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="new", validate_choice=True)
    category = SelectField(_l("Category"), default="", validate_choice=True)
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=64)])
    cursor = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _choices(STATUS_NAMES, STATUSES)
        self.category.choices = [("", gettext("All categories"))] + [
            (value, str(label)) for value, label in CATEGORIES]

    def query_args(self, **changes):
        """The filters as query-string arguments for links (tabs, next page), empty ones left out."""
        values = {"status": self.status.data or "new", "category": self.category.data}
        values.update(changes)
        return {name: value for name, value in values.items() if value}


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[InputRequired()], validate_choice=True)

    def __init__(self, inquiry, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices(inquiry.status)
        if not self.is_submitted():
            self.status.data = inquiry.status


class ChecklistForm(FlaskForm):
    request_type = SelectField(_l("What is requested"), validate_choice=True)
    form_received_on = DateField(_l("Request form received on (Japan time)"), validators=[Optional()])
    by_agent = BooleanField(_l("Requested by an agent"))
    identity_confirmed = BooleanField(_l("Identity confirmed"))
    agent_documents = BooleanField(_l("Agent's documents received (relationship and the agent's ID)"))
    fee_received = BooleanField(_l("Fee received (¥1,000 + tax)"))
    documents_sent = BooleanField(_l("Answer documents sent"))

    def __init__(self, *args, checklist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_type.choices = [("", gettext("Not known yet"))] + _choices(REQUEST_TYPE_NAMES, REQUEST_TYPES)
        if checklist is not None and not self.is_submitted():
            self.request_type.data = checklist.request_type
            self.form_received_on.data = checklist.received_on
            for name in CHECKBOXES:
                getattr(self, name).data = checklist.done(name)

    def values(self):
        """The checklist as stored: text values, "yes" or "" for the boxes."""
        received = self.form_received_on.data
        return {"request_type": self.request_type.data or "",
                "form_received_on": received.isoformat() if received else "",
                **{name: YES if getattr(self, name).data else "" for name in CHECKBOXES}}


def status_choices(status):
    """The status itself first, then where it may go next (the inline select's options)."""
    return _choices(STATUS_NAMES, (status,) + NEXT_STATUSES.get(status, ()))


def status_name(status):
    return str(STATUS_NAMES.get(status, status))


def request_type_name(value):
    return str(REQUEST_TYPE_NAMES.get(value, value))

