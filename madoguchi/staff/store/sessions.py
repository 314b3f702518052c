"""Staff sessions kept in the database: the cookie carries only a random token, a row here says
whether it still opens anything.

A session ends for good (ended_at, ended_reason) on sign-out, when it expires, when its account is
disabled, when an admin ends it, or when the same browser signs in again; a copied cookie then opens
nothing. Only the token's SHA-256 is stored, so reading this table gives no one a session.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from madoguchi.staff.rules import seen_at_due, session_expired
from madoguchi.staff.store import log as staff_log
from models import StaffSession, StaffUser

LOGOUT = "logout"
EXPIRED = "expired"
DISABLED = "disabled"
ENDED_BY_ADMIN = "ended_by_admin"
REPLACED = "replaced"           # the same browser signed in again
KEPT_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Resumed:
    user: StaffUser | None              # the signed-in account, when the session is still open
    expired: bool = False               # it ended just now because of its age


def start(user, now, client_network="", browser=""):
    """Open a session for `user`; returns the token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    # Every session is over within max_hours; rows far older are only clutter (the staff actions
    # log keeps the sign-ins and sign-outs).
    StaffSession.delete().where(StaffSession.created_at < now - KEPT_FOR).execute()
    StaffSession.create(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                        client_network=client_network[:64], browser=browser[:40])
    return token


def resume(token, now, limits):
    """The account behind a cookie's token, if its session is open, not expired and the account
    active; last_seen_at moves on at most once a minute. An expired session is ended and logged."""
    found = _open_session(token) if token else None
    if found is None:
        return Resumed(None)
    user = StaffUser.get_or_none((StaffUser.id == found.user_id) & (StaffUser.active == True))  # noqa: E712
    if user is None:
        _end(_same(found), DISABLED, now)
        return Resumed(None)
    if session_expired(found.created_at, found.last_seen_at, now, limits.idle_minutes, limits.max_hours):
        _end(_same(found), EXPIRED, now)
        staff_log.record(user.email, staff_log.SESSION_EXPIRED, now=now)
        return Resumed(None, expired=True)
    if seen_at_due(found.last_seen_at, now):
        StaffSession.update(last_seen_at=now).where(_same(found)).execute()
    return Resumed(user)


def end(token, reason, now):
    """End the session of a cookie's token (sign-out, a new sign-in in the same browser)."""
    if token:
        _end(StaffSession.token_hash == _hash(token), reason, now)


def end_all_of(user, reason, now):
    """End every open session of `user`; returns how many were open."""
    return _end(StaffSession.user_id == user.id, reason, now)


def end_by_admin(user, admin_email, now):
    """An admin ends every open session of `user` (logged); returns how many were open."""
    ended = end_all_of(user, ENDED_BY_ADMIN, now)
    staff_log.record(admin_email, staff_log.SESSIONS_ENDED, target=user.email,
                     detail=f"sessions ended={ended}", now=now)
    return ended


def open_sessions(users, now, limits):
    """{user id: [StaffSession still open at `now`, newest first]} for the admin's page."""
    found = {user.id: [] for user in users}
    query = (StaffSession.select()
             .where(StaffSession.user_id.in_(list(found)) & StaffSession.ended_at.is_null()
                    & (StaffSession.created_at > now - timedelta(hours=limits.max_hours)))
             .order_by(StaffSession.created_at.desc()))
    for staff_session in query:
        if not session_expired(staff_session.created_at, staff_session.last_seen_at, now,
                               limits.idle_minutes, limits.max_hours):
            found[staff_session.user_id].append(staff_session)
    return found


def _open_session(token):
    return StaffSession.get_or_none((StaffSession.token_hash == _hash(token))
                                    & StaffSession.ended_at.is_null())


def _end(which, reason, now):
    return (StaffSession.update(ended_at=now, ended_reason=reason)
            .where(which & StaffSession.ended_at.is_null()).execute())


def _same(staff_session):
    return StaffSession.id == staff_session.id


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
