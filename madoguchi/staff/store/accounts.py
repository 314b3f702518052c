"""Staff accounts: creating and disabling them, checking a sign-in, locking repeated failures.

Failures are counted per (account, client network) in login_failures.py, under a keyed hash of the
email typed: an email nobody has is counted and locked exactly like a real account, so the answers
(message, lock) never reveal which emails are staff, and a stranger's failures lock the account
only for the stranger's own network. The answer never waits: the sign-in rate limit and the lock
bound the guesses.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from madoguchi.clock import utcnow
from madoguchi.email.addresses import normalise_email
from madoguchi.settings import DEFAULT_PASSWORD_HASH_METHOD
from madoguchi.staff.rules import MIN_PASSWORD_LENGTH, ROLES, AccountError, account_key
from madoguchi.staff.store import log as staff_log
from madoguchi.staff.store import login_failures
from madoguchi.staff.store import sessions as staff_sessions
from models import StaffUser


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
    """The account can no longer sign in, and every session it has ends at once."""
    user = StaffUser.get_or_none(StaffUser.email == normalise_email(email))
    if user is None:
        raise AccountError(f"no account for {email}")
    user.active = False
    user.save()
    ended = staff_sessions.end_all_of(user, staff_sessions.DISABLED, utcnow())
    staff_log.record(disabled_by, staff_log.USER_DISABLED, target=user.email, detail=f"sessions ended={ended}")
    return user


def all_users():
    return StaffUser.select().order_by(StaffUser.role, StaffUser.email)


def user_by_id(user_id):
    return StaffUser.get_or_none(StaffUser.id == user_id)


@dataclass(frozen=True)
class AccountOverview:
    """One account as the admin's page shows it."""
    user: StaffUser
    sessions: list                      # open StaffSessions, newest first
    locked_networks: list               # client networks its sign-in is locked for


def overview(users, now, limits, secret):
    """An AccountOverview of each of `users` at `now`."""
    users = list(users)
    sessions = staff_sessions.open_sessions(users, now, limits)
    return [AccountOverview(user, sessions[user.id], locked_networks(user.email, now, secret))
            for user in users]


@dataclass(frozen=True)
class LoginAttempt:
    user: StaffUser | None              # set only when the sign-in succeeded
    locked_until: datetime | None       # UTC, when the account is locked for this client network


def attempt_login(email, password, client_network, now, policy, *, secret,
                  hash_method=DEFAULT_PASSWORD_HASH_METHOD):
    """Check one sign-in from `client_network` (a truncated address) and log it (login,
    login_failed, lockout or login_locked). Failures lock the account for that network only.
    `secret` keys the account key failures are counted under; `hash_method` (the app's
    PASSWORD_HASH_METHOD) makes the check for an unknown email cost what a real one does."""
    email = normalise_email(email)
    key = account_key(email, secret)
    user = StaffUser.get_or_none(StaffUser.email == email)
    actor, where = _log_names(user, key, client_network)
    until = login_failures.current(key, client_network).locked_at(now)
    if until:
        staff_log.record(actor, staff_log.LOGIN_LOCKED, detail=where, now=now)
        return LoginAttempt(None, until)
    if _password_matches(user, password, hash_method) and user.active:
        login_failures.forget(key, client_network)
        staff_log.record(email, staff_log.LOGIN, detail=f"role={user.role}, {where}", now=now)
        return LoginAttempt(user, None)
    counted = login_failures.add_failure(key, client_network, now, policy)
    staff_log.record(actor, staff_log.LOGIN_FAILED, detail=where, now=now)
    if counted.locked_until:
        staff_log.record(actor, staff_log.LOCKOUT, detail=f"after {policy.lock_after} failures, {where}",
                         now=now)
    return LoginAttempt(None, counted.locked_until)


def locked_networks(email, now, secret):
    """The client networks the account is locked for at `now`."""
    return login_failures.locked_networks(account_key(normalise_email(email), secret), now)


def _log_names(user, key, client_network):
    """Who the log names for an attempt, and from where. The email typed is named only when it is
    an account's: anything else (a typo, a guess, a password in the wrong field) is "unknown", with
    a prefix of its keyed hash so that repeated attempts can be told apart."""
    if user is None:
        return staff_log.UNKNOWN_ACTOR, f"network={client_network or '-'}, key={key[:12]}"
    return user.email, f"network={client_network or '-'}"


@lru_cache(maxsize=4)
def _decoy_hash(method):
    return generate_password_hash("no account has this password", method=method)


def _password_matches(user, password, hash_method):
    # An unknown email still costs one full hash check (with the method real accounts are hashed
    # with), so timing does not tell it apart either.
    stored = user.password_hash if user else _decoy_hash(hash_method)
    matches = check_password_hash(stored, password or "")
    return matches and user is not None
