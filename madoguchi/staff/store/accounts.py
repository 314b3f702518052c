"""Staff accounts: creating them, checking a sign-in, slowing and locking repeated failures.

The lock state is read from the append-only staff actions log rather than kept in columns of the
account: a failed attempt for an email nobody has is logged and counted exactly like one for a real
account, so the answers (message, delay, lock) never reveal which emails are staff, and nobody can
clear a lock by editing a row.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from madoguchi.email.addresses import normalise_email
from madoguchi.settings import DEFAULT_PASSWORD_HASH_METHOD
from madoguchi.staff.rules import MIN_PASSWORD_LENGTH, ROLES, AccountError
from madoguchi.staff.store import log as staff_log
from models import StaffAction, StaffUser


def create_user(email, role, password, created_by, hash_method=DEFAULT_PASSWORD_HASH_METHOD):
    """`hash_method` is werkzeug's password hash method: callers pass the app's PASSWORD_HASH_METHOD."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"not an email address: {email!r}")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if StaffUser.select().where(StaffUser.email == email).exists():
        raise AccountError(f"an account for {email} exists already")
    user = StaffUser.create(email=email, role=role,
                            password_hash=generate_password_hash(password, method=hash_method))
    staff_log.record(created_by, staff_log.USER_CREATED, target=email, detail=f"role={role}")
    return user


def disable_user(email, disabled_by):
    user = StaffUser.get_or_none(StaffUser.email == normalise_email(email))
    if user is None:
        raise AccountError(f"no account for {email}")
    user.active = False
    user.save()
    staff_log.record(disabled_by, staff_log.USER_DISABLED, target=user.email)
    return user


def all_users():
    return StaffUser.select().order_by(StaffUser.role, StaffUser.email)


def active_user(user_id):
    return StaffUser.get_or_none((StaffUser.id == user_id) & (StaffUser.active == True))  # noqa: E712


@dataclass(frozen=True)
class LoginAttempt:
    user: StaffUser | None              # set only when the sign-in succeeded
    locked_until: datetime | None       # UTC, when the email is locked
    delay: float                        # seconds the answer should wait


def attempt_login(email, password, now, policy, hash_method=DEFAULT_PASSWORD_HASH_METHOD):
    """Check one sign-in and log it (login, login_failed, lockout or login_locked). `hash_method`
    (the app's PASSWORD_HASH_METHOD) makes the check for an unknown email cost what a real one does."""
    email = normalise_email(email)
    until = locked_until(email, now, policy)
    if until:
        staff_log.record(email, staff_log.LOGIN_LOCKED, now=now)
        return LoginAttempt(None, until, policy.delay_max)
    user = StaffUser.get_or_none(StaffUser.email == email)
    if _password_matches(user, password, hash_method) and user.active:
        staff_log.record(email, staff_log.LOGIN, detail=f"role={user.role}", now=now)
        return LoginAttempt(user, None, 0.0)
    failures = recent_failures(email, now, policy) + 1
    staff_log.record(email, staff_log.LOGIN_FAILED, now=now)
    if failures >= policy.lock_after:
        staff_log.record(email, staff_log.LOCKOUT, detail=f"after {failures} failures", now=now)
        return LoginAttempt(None, now + timedelta(minutes=policy.lock_minutes), policy.delay_max)
    return LoginAttempt(None, None, policy.delay(failures))


def locked_until(email, now, policy):
    lockout = _latest(email, [staff_log.LOCKOUT])
    if lockout is None:
        return None
    until = lockout.occurred_at + timedelta(minutes=policy.lock_minutes)
    return until if until > now else None


def recent_failures(email, now, policy):
    """Failures within the lock period that came after the email's last sign-in or lockout."""
    since = now - timedelta(minutes=policy.lock_minutes)
    reset = _latest(email, [staff_log.LOGIN, staff_log.LOCKOUT])
    if reset and reset.occurred_at > since:
        since = reset.occurred_at
    return (StaffAction.select()
            .where((StaffAction.actor == email) & (StaffAction.action == staff_log.LOGIN_FAILED)
                   & (StaffAction.occurred_at > since)).count())


def _latest(email, actions):
    return (StaffAction.select()
            .where((StaffAction.actor == email) & StaffAction.action.in_(actions))
            .order_by(StaffAction.id.desc()).first())


@lru_cache(maxsize=4)
def _decoy_hash(method):
    return generate_password_hash("no account has this password", method=method)


def _password_matches(user, password, hash_method):
    # An unknown email still costs one full hash check (with the method real accounts are hashed
    # with), so timing does not tell it apart either.
    stored = user.password_hash if user else _decoy_hash(hash_method)
    matches = check_password_hash(stored, password or "")
    return matches and user is not None
