"""The inquiry form's steps: consent, then the details. Lengths are bounded, text is cleaned of
control characters, and every message is translated."""
import time

from flask import current_app
from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

import labels
from madoguchi import abuse
from madoguchi.email.advice import advise
from madoguchi.text_input import ascii_fold, multi_line, normalise_phone, one_line

MESSAGE_MAX = 2000


class AtMost(Length):
    """A length limit that puts no maxlength on the input: a browser cuts a longer paste silently
    there (GOV.UK's character count); here the whole text comes back with the field's message."""

    def __init__(self, limit, message):
        super().__init__(max=limit, message=message)
        self.field_flags = {}


class ConsentForm(FlaskForm):
    policy_version = HiddenField()
    agree = BooleanField(
        _l("I have read and agree to the handling of personal information"),
        validators=[DataRequired(_l("Tick the box to agree to the privacy policy before you continue"))])


class DetailsForm(FlaskForm):
    name = StringField(_l("Name"), filters=[one_line], validators=[
        DataRequired(_l("Enter your name")),
        AtMost(100, message=_l("Your name must be 100 characters or fewer"))])
    email = StringField(_l("Email address"), filters=[one_line], validators=[
        DataRequired(_l("Enter your email address")),
        AtMost(254, message=_l("The email address must be 254 characters or fewer"))])
    email_confirm = StringField(_l("Email address again"), filters=[one_line], validators=[
        DataRequired(_l("Enter your email address again to confirm it"))])
    phone = StringField(_l("Phone number"), filters=[one_line], validators=[
        Optional(), AtMost(20, message=_l("Enter a phone number like 090-1234-5678 or 03-1234-5678"))])
    category = SelectField(_l("Type of inquiry"), choices=labels.CATEGORIES, validators=[
        DataRequired(_l("Choose what your question is about"))],
        validate_choice=True)
    order_number = StringField(_l("Order number"), filters=[one_line, ascii_fold], validators=[
        Optional(), AtMost(40, message=_l("The order number must be 40 characters or fewer"))])
    message = TextAreaField(_l("Your question"), filters=[multi_line], validators=[
        DataRequired(_l("Enter your question")),
        AtMost(MESSAGE_MAX, message=_l("Your question must be %(max)s characters or fewer", max="{:,}".format(MESSAGE_MAX)))])
    MESSAGE_MAX = MESSAGE_MAX       # for the template's character count

    # The address whose suggestion ("did you mean ...?") the customer has already been shown.
    checked_email = HiddenField()

    # Against naive bots (looks_automated): a field hidden from people, which a bot that fills
    # every input fills; and the signed time the form was served.
    website = StringField(_l("This field is a check against spam: please leave it empty."))
    served = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(value, str(label)) for value, label in labels.CATEGORIES]
        self.category.gettext = gettext
        self._advised = None    # (address, verdict) of the last email_advice()
        config = current_app.config
        if abuse.seconds_since_served(self.served.data, time.time(), config["SECRET_KEY"]) is None:
            # Served now, or sent back without a time of ours (then it counts as sent at once).
            self.served.data = abuse.served_token(time.time(), config["SECRET_KEY"])

    def email_advice(self):
        """The advisor's verdict on the email field as it stands (worked out once per value)."""
        if self._advised is None or self._advised[0] != self.email.data:
            self._advised = (self.email.data, email_advice_for(self.email.data))
        return self._advised[1]

    def validate_email(self, field):
        """One short message: the advice box below the field says the long one."""
        advice = self.email_advice()
        if advice and advice.errors:
            raise ValidationError(advice.short)

    def validate_email_confirm(self, field):
        if field.data.strip() != (self.email.data or "").strip():
            raise ValidationError(_l("The two email addresses are different"))

    def validate_phone(self, field):
        phone = normalise_phone(field.data)
        if phone is None:
            raise ValidationError(_l("Enter a phone number like 090-1234-5678 or 03-1234-5678"))
        field.data = phone

    def validate_order_number(self, field):
        if not all(char.isascii() and (char.isalnum() or char in "-_") for char in field.data):
            raise ValidationError(_l("Order numbers have only letters, digits and hyphens"))

    def looks_automated(self):
        """The hidden field filled in, or the form sent back sooner than INQUIRY_MIN_FILL_SECONDS
        after it was served: the view then shows it again, as typed, and stores nothing (no draft,
        no inquiry, no mail). Both look the same to the sender, so a bot learns nothing; a person
        who was just quick sends again, with the time this form was first served."""
        config = current_app.config
        return bool(self.website.data) or abuse.filled_too_soon(
            self.served.data, time.time(), config["INQUIRY_MIN_FILL_SECONDS"], config["SECRET_KEY"])

    def suggestion_unseen(self):
        """A likely typo is only a warning, but a customer without JavaScript has not seen it yet
        (the advice fragment carries checked_email, the address it was shown for)."""
        advice = self.email_advice()
        return bool(advice and advice.suggestion) and (self.checked_email.data or "").strip() != self.email.data

    def hold_for_unseen_suggestion(self):
        """The details post stops once for a likely typo not yet shown: it becomes the email
        field's error (in the error summary too, short); sending again unchanged moves on."""
        if not self.suggestion_unseen():
            return False
        self.email.errors = [*self.email.errors, self.email_advice().short]
        return True

    def apply_fix(self, address):
        """The customer accepted a suggested address (typo or full-width fix); the page then puts
        them back in the email field (autofocus), now corrected."""
        if self.email_confirm.data == self.email.data:
            self.email_confirm.data = address
        self.email.data = one_line(address)
        self.email.render_kw = {"autofocus": True}

    def answers(self):
        return {name: self[name].data or "" for name in ANSWER_FIELDS}


def email_advice_for(address, typing=False):
    """The advisor's verdict on an address, in the visitor's language; None for an empty field.
    `typing`: a pause in typing, which gets only what is certain already (madoguchi.email.advice)."""
    if not address or not address.strip():
        return None
    # One catalog lookup for all messages: this runs on every keystroke pause of the inline advice.
    return advise(address, translate=get_translations().gettext, typing=typing)


ANSWER_FIELDS = ("name", "email", "email_confirm", "phone", "category", "order_number", "message")
