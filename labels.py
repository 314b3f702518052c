"""What stored codes are called on pages and in mail, in the reader's language.

The database keeps short codes ("prizes", "in_progress", "granted", "login_failed"); forms, pages
and mail all name them through this one module, so a category reads the same in the form's select,
on support's inbox and in the acknowledgement mail. A code nobody named here is shown as it is.
Templates reach it as `labels` (views/site.py): `labels.category(inquiry.category)`.
"""
from functools import partial

from flask_babel import lazy_gettext as _l

from madoguchi.inquiries import statuses
from madoguchi.inquiries.store import inbox as inquiry_inbox
from madoguchi.ledger.store import audit
from madoguchi.staff.store import log as staff_log
from madoguchi.subjects import store as subjects_admin

CATEGORIES = [
    ("general", _l("General question")),
    ("lottery", _l("Lottery tickets and draws")),
    ("prizes", _l("Prizes and shipping")),
    ("payment", _l("Payment")),
    ("account", _l("Account and member registration")),
    # English only: a select's option cannot mark a Japanese gloss as Japanese (lang="ja").
    ("disclosure", _l("Personal-information request")),
    ("other", _l("Other")),
]
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
ROLE_NAMES = {"admin": _l("Administrator"), "auditor": _l("Auditor"), "support": _l("Support")}
KIND_NAMES = {"granted": _l("Granted"), "withdrawn": _l("Withdrawn"), "erased": _l("Erased")}
# What the staff actions log's codes mean.
ACTION_NAMES = {
    staff_log.LOGIN: _l("Signed in"), staff_log.LOGIN_FAILED: _l("Failed sign-in"),
    staff_log.LOGIN_LOCKED: _l("Sign-in refused: account locked"), staff_log.LOCKOUT: _l("Account locked"),
    staff_log.LOGOUT: _l("Signed out"), staff_log.SESSION_EXPIRED: _l("Session expired"),
    staff_log.SESSIONS_ENDED: _l("Sessions ended by an administrator"),
    staff_log.USER_CREATED: _l("Account created"), staff_log.USER_DISABLED: _l("Account disabled"),
    staff_log.DRAFT_SAVED: _l("Policy draft saved"), staff_log.PUBLISH: _l("Policy version published"),
    audit.EXPORTED: _l("Ledger exported"), audit.VERIFIED: _l("Ledger verified"),
    audit.PERSON_LOOKUP: _l("Ledger searched for one person"),
    inquiry_inbox.STATUS_CHANGED: _l("Inquiry status changed"),
    inquiry_inbox.CHECKLIST_UPDATED: _l("Disclosure checklist updated"),
    subjects_admin.WITHDRAWN_ACTION: _l("Consent withdrawn for one person"),
    subjects_admin.ERASED_ACTION: _l("One person's personal data erased"),
}
# The kinds of damage ledger verification names (madoguchi/ledger/store/verification.py).
DAMAGE_NAMES = {
    "edited": _l("an event was edited"), "missing": _l("an event is missing"),
    "reordered": _l("events were reordered"), "inserted": _l("an event was inserted"),
    "truncated": _l("events were cut off the end"), "policy text changed": _l("a policy text was changed"),
    "checkpoint forged": _l("a checkpoint was forged"),
    "forked": _l("the ledger differs from its anchor outside the database"),
    "anchor log damaged": _l("the anchor log outside the database is damaged"),
}


def _name(names, code):
    return str(names.get(code, code))


# Each takes a stored code and gives its name in the reader's language, e.g. status("new").
category = partial(_name, dict(CATEGORIES))
status = partial(_name, STATUS_NAMES)
request_type = partial(_name, REQUEST_TYPE_NAMES)
role = partial(_name, ROLE_NAMES)
kind = partial(_name, KIND_NAMES)
action = partial(_name, ACTION_NAMES)
damage = partial(_name, DAMAGE_NAMES)


def choices(names, codes):
    """(code, name) pairs for a select, in the order of `codes`."""
    return [(code, str(names[code])) for code in codes]


def status_moves(current):
    """(code, option text) for support's status select: forward ones by name, then the way back
    ("Back to New"), as madoguchi.inquiries.statuses allows them from `current`."""
    return [(code, _l("Back to %(status)s", status=status(code)) if is_back else status(code))
            for code, is_back in statuses.moves(current)]
