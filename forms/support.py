"""Forms of the support pages: the inbox filters (GET), the status change and the 開示等請求
checklist (POST, with CSRF)."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

import labels
from forms.fields import CursorField, DayField
from madoguchi.inquiries.store.inbox import REQUEST_TYPES, STATUSES, YES

CHECKBOXES = ("by_agent", "identity_confirmed", "agent_documents", "fee_received", "documents_sent")


class InboxFilterForm(FlaskForm):
    """Read from the query string; no CSRF, because it only reads."""
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="new", validate_choice=True)
    category = SelectField(_l("Type of inquiry"), default="", validate_choice=True)
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=64)])
    cursor = CursorField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = labels.choices(labels.STATUS_NAMES, STATUSES)
        self.category.choices = [("", gettext("All categories"))] + [
            (value, str(label)) for value, label in labels.CATEGORIES]

    def query_args(self, **changes):
        """The filters as query-string arguments for links (tabs, next page), empty ones left out."""
        values = {"status": self.status.data or "new", "category": self.category.data}
        values.update(changes)
        return {name: value for name, value in values.items() if value}


class StatusForm(FlaskForm):
    """A status change: where to, and the status the page showed (`current`), so that a change
    someone else made meanwhile is not overwritten. Whether the move is allowed is the store's
    (madoguchi.inquiries.statuses); here only known codes pass."""
    status = SelectField(_l("New status"), validators=[InputRequired()], validate_choice=True,
                         choices=STATUSES)
    current = HiddenField(validators=[InputRequired(), AnyOf(STATUSES)])


class ChecklistForm(FlaskForm):
    request_type = SelectField(_l("What is requested"), validate_choice=True)
    form_received_on = DayField(_l("Request form received on (Japan time)"), validators=[Optional()])
    by_agent = BooleanField(_l("Requested by an agent"))
    identity_confirmed = BooleanField(_l("Identity confirmed"))
    agent_documents = BooleanField(_l("Agent's documents received (relationship and the agent's ID)"))
    fee_received = BooleanField(_l("Fee received (¥1,000 + tax)"))
    documents_sent = BooleanField(_l("Answer documents sent"))

    def __init__(self, *args, checklist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_type.choices = [("", gettext("Not known yet"))] + labels.choices(labels.REQUEST_TYPE_NAMES, REQUEST_TYPES)
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
