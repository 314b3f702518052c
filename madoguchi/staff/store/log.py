"""The staff actions log: who did what, when. Append-only, like the consent ledger.

Every area writes to it through `record`; database triggers (madoguchi/ledger/store/triggers.py) refuse
UPDATE and DELETE on `staff_action`, so an entry stays once written. Never put a password or a
customer's personal data into it: actor is the staff member's email (or UNKNOWN_ACTOR for a
sign-in with an email that is nobody's: never the text typed), target names the thing acted on (a
policy label, an inquiry reference, an export's filters).
"""
from madoguchi.clock import utcnow
from models import StaffAction

# The actions the staff pages write; other areas add their own names (export, erase, status ...).
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"          # an attempt refused because the account is locked
LOCKOUT = "lockout"                    # the failure that locked the account
LOGOUT = "logout"
SESSION_EXPIRED = "session_expired"
SESSIONS_ENDED = "sessions_ended"      # an admin ended an account's sessions
USER_CREATED = "user_created"
USER_DISABLED = "user_disabled"
DRAFT_SAVED = "policy_draft_saved"
PUBLISH = "policy_published"
UNKNOWN_ACTOR = "unknown"


def record(actor, action, target="", detail="", now=None):
    """Append one entry. Long values are cut to the column sizes rather than refused."""
    return StaffAction.create(occurred_at=now or utcnow(), actor=(actor or "")[:254],
                              action=action[:32], target=(target or "")[:200], detail=detail or "")


def entries(action=None, actor=None):
    """Entries newest first, optionally of one action or one actor (for the auditor's page)."""
    query = StaffAction.select().order_by(StaffAction.id.desc())
    if action:
        query = query.where(StaffAction.action == action)
    if actor:
        query = query.where(StaffAction.actor == actor)
    return query
