"""Forms of the staff pages: sign-in, the policy draft and the publish confirmation."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from forms.fields import MomentField
from madoguchi.policy import revisions
from madoguchi.policy.store import admin as policy_admin


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password")), Length(max=1024)])


class ChangeSummaries:
    """The summary of the changes in Japanese and in English: a significant change needs both
    (madoguchi.policy.revisions.missing_summaries), a minor one the Japanese one."""
    change_summary = TextAreaField(_l("Summary of the changes, in Japanese"), validators=[
        DataRequired(_l("Summarise in Japanese what changed")), Length(max=2000)])
    change_summary_en = TextAreaField(_l("Summary of the changes, in English"), validators=[Length(max=2000)])

    def is_significant(self):
        raise NotImplementedError

    def validate_change_summary_en(self, field):
        if "en" in revisions.missing_summaries(self.is_significant(), "-", field.data):
            raise ValidationError(_l("Summarise in English what changed: a significant change is "
                                     "announced to customers in both languages"))

    def summaries(self):
        return {"change_summary": self.change_summary.data.strip(),
                "change_summary_en": (self.change_summary_en.data or "").strip()}


class PolicyDraftForm(ChangeSummaries, FlaskForm):
    label = StringField(_l("Label"), filters=[lambda text: (text or "").strip()], validators=[
        DataRequired(_l("Enter a label, for example 2"))])
    effective_at = MomentField(
        _l("Effective from (Japan time)"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[DataRequired(
            _l("Enter the date and time it takes effect, for example 2026-04-01 00:00"))])
    significant = BooleanField(_l("Significant change: announce it on the site"))
    text_ja = TextAreaField(_l("Japanese text"), validators=[DataRequired(_l("Enter the Japanese text"))])
    text_en = TextAreaField(_l("English text"), validators=[DataRequired(_l("Enter the English text"))])

    def __init__(self, *args, draft_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft_id = draft_id

    def is_significant(self):
        return self.significant.data

    def validate_label(self, field):
        if not revisions.is_label(field.data):
            raise ValidationError(_l("Use only letters, digits, dots, hyphens and underscores (at most 40), "
                                     "beginning and ending with a letter or digit: for example 2 or 2026-04"))
        if policy_admin.label_taken(field.data, except_id=self.draft_id):
            raise ValidationError(_l("Another version already has this label"))

    def draft_values(self):
        """The form's answers as policy_admin.save_draft takes them (effective time in UTC)."""
        return {"label": self.label.data, "text_ja": _lines(self.text_ja.data),
                "text_en": _lines(self.text_en.data), **self.summaries(),
                "significant": self.significant.data,
                "effective_at": revisions.jst_to_utc(self.effective_at.data)}


class PublishForm(ChangeSummaries, FlaskForm):
    """The confirmation page's button is the confirmation; the summaries start as the draft's and
    may be written last here (a field left out of the post keeps the draft's)."""

    def __init__(self, draft):
        super().__init__(data={"change_summary": draft.change_summary,
                               "change_summary_en": draft.change_summary_en or ""})
        self.significant = draft.significant

    def is_significant(self):
        return self.significant


def draft_form_data(version, new_draft):
    """What the draft form starts with: the draft's own values, or, for a new draft, the texts of
    `version` (the current one) to edit from."""
    if version is None:
        return {}
    data = {"text_ja": version.text_ja, "text_en": version.text_en}
    if not new_draft:
        data.update(label=version.label, change_summary=version.change_summary,
                    change_summary_en=version.change_summary_en or "", significant=version.significant,
                    effective_at=revisions.utc_to_jst(version.effective_at).replace(tzinfo=None))
    return data


def _lines(text):
    # Browsers send textarea lines with CRLF; store LF so the hash matches the text as authored.
    return re.sub(r"\r\n?", "\n", text or "")
